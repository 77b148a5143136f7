#include "glassnet/io/config_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "glassnet/core/error.hpp"
#include "glassnet/io/toml.hpp"

namespace glassnet {
namespace {

// A scalar TOML value as command-line text; false for any other kind of node.
bool scalar_text(const toml::node& node, std::string& text) {
  if (const auto* s = node.as_string()) {
    text = s->get();
  } else if (const auto* i = node.as_integer()) {
    text = fmt::format("{}", i->get());
  } else if (const auto* f = node.as_floating_point()) {
    text = fmt::format("{}", f->get());
  } else if (const auto* b = node.as_boolean()) {
    text = b->get() ? "true" : "false";
  } else {
    return false;
  }
  return true;
}

// toml++ 3.3 (Debian 12) reaches __builtin_unreachable — undefined behaviour — when it
// asks whether some non-ASCII characters are whitespace: after a value, in a bare key,
// after a line-ending backslash in a multi-line basic string (found by
// fuzz/config_fuzzer.cpp). Inside quoted strings and comments they are safe. So a file
// with non-ASCII text is first parsed with every non-ASCII character replaced by '`' —
// valid inside strings and comments, invalid anywhere else — and handed to toml++
// itself only when that copy parses. Multi-line basic strings cannot hold non-ASCII
// text at all (no option needs them).
void check_non_ascii(std::string_view text, const std::string& source) {
  const auto first = std::find_if(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (first == text.end()) return;
  std::string stand_in;  // one byte per code point, so lines and columns are unchanged
  bool in_character = false;  // inside a multi-byte UTF-8 character
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool continuation = (byte & 0xC0) == 0x80;
    if (byte < 0x80) {
      stand_in += c;
    } else if (!continuation || !in_character) {
      stand_in += '`';
    }
    in_character = byte >= 0x80;
  }
  // A position (line, column) of the stand-in text, as an offset into it.
  const auto offset_of = [&](std::size_t line, std::size_t column) {
    std::size_t offset = 0;
    for (std::size_t l = 1; l < line && offset < stand_in.size(); ++offset) {
      if (stand_in[offset] == '\n') ++l;
    }
    return offset + column - 1;
  };
  if (stand_in.find("\"\"\"") != std::string::npos) {
    const std::size_t at = static_cast<std::size_t>(first - text.begin());
    const auto line = 1 + std::count(text.begin(), first, '\n');
    const std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
    const std::size_t column = at - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    throw Error(fmt::format("{}:{}:{}: non-ASCII text in a file with multi-line \"\"\" strings is not supported; use "
                            "single-line strings",
                            source, line, column));
  }
  try {
    (void)toml::parse(std::string_view(stand_in), std::string_view(source));
  } catch (const toml::parse_error& e) {
    const auto begin = e.source().begin;
    const std::size_t at = offset_of(begin.line, begin.column);
    if (at < stand_in.size() && stand_in[at] == '`') {
      throw Error(fmt::format("{}:{}:{}: a non-ASCII character outside a quoted string or comment", source, begin.line,
                              begin.column));
    }
    throw Error(fmt::format("{}:{}:{}: {}", source, begin.line, begin.column, e.description()));
  }
}

}  // namespace

std::string ConfigFile::location(const ConfigEntry& entry) const {
  return fmt::format("{}:{}:{}", source, entry.line, entry.column);
}

ConfigFile parse_config(std::string_view text, const std::string& source) {
  ConfigFile config;
  config.source = source;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark, as CSV files may start
  check_non_ascii(text, source);
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    // toml++: "Error while parsing key-value pair: cannot redefine existing integer 'epochs'".
    const std::string_view what = e.description();
    const auto redefined = what.find("cannot redefine existing ");
    const auto quote = what.find('\'', redefined);
    if (redefined != std::string_view::npos && quote != std::string_view::npos) {
      throw Error(fmt::format("{}:{}:{}: {} is given a second time; each key is given once", source,
                              e.source().begin.line, e.source().begin.column, what.substr(quote)));
    }
    throw Error(fmt::format("{}:{}:{}: {}", source, e.source().begin.line, e.source().begin.column, what));
  }
  // toml::table iterates in key order; the file's order reads better in messages.
  std::vector<std::pair<std::string, const toml::node*>> nodes;
  for (const auto& [key, node] : table) nodes.emplace_back(std::string(key.str()), &node);
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) {
    const auto pa = a.second->source().begin, pb = b.second->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  std::vector<std::string> written;  // each entry's key as the file spells it
  for (const auto& item : nodes) {
    const std::string& key = item.first;  // not a structured binding: lambdas below capture it
    const toml::node* node = item.second;
    ConfigEntry entry;
    entry.key = key;
    entry.written = key;
    std::replace(entry.key.begin(), entry.key.end(), '_', '-');
    entry.line = node->source().begin.line;
    entry.column = node->source().begin.column;
    const auto fail = [&](const char* found) {
      return Error(fmt::format("{}: '{}' holds {}; expected a string, number or boolean, or an array of them",
                               config.location(entry), key, found));
    };
    const auto same = std::find_if(config.entries.begin(), config.entries.end(),
                                   [&](const ConfigEntry& e) { return e.key == entry.key; });
    if (same != config.entries.end()) {
      throw Error(fmt::format("{}: '{}' names the option of line {} again ('{}' and '{}' are the same key)",
                              config.location(entry), key, same->line,
                              written[static_cast<std::size_t>(same - config.entries.begin())], key));
    }
    std::string value;
    if (const auto* array = node->as_array()) {
      entry.array = true;
      for (const toml::node& element : *array) {
        if (!scalar_text(element, value)) throw fail("an array with a nested array or table");
        entry.values.push_back(value);
      }
    } else if (node->is_table()) {
      throw fail("a table");
    } else if (!scalar_text(*node, value)) {
      throw fail("a date or time");
    } else {
      entry.values.push_back(value);
      entry.boolean = node->is_boolean();
    }
    config.entries.push_back(std::move(entry));
    written.push_back(key);
  }
  return config;
}

ConfigFile read_config(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(fmt::format("{}: that is a directory; expected a config file (TOML)", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open the config file for reading", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

}  // namespace glassnet
