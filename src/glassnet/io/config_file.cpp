#include "glassnet/io/config_file.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "glassnet/core/error.hpp"

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

}  // namespace

std::string ConfigFile::location(const ConfigEntry& entry) const {
  return fmt::format("{}:{}:{}", source, entry.line, entry.column);
}

ConfigFile parse_config(std::string_view text, const std::string& source) {
  ConfigFile config;
  config.source = source;
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw Error(fmt::format("{}:{}:{}: {}", source, e.source().begin.line, e.source().begin.column, e.description()));
  }
  // toml::table iterates in key order; the file's order reads better in messages.
  std::vector<std::pair<std::string, const toml::node*>> nodes;
  for (const auto& [key, node] : table) nodes.emplace_back(std::string(key.str()), &node);
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) {
    const auto pa = a.second->source().begin, pb = b.second->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  for (const auto& [key, node] : nodes) {
    ConfigEntry entry;
    entry.key = key;
    std::replace(entry.key.begin(), entry.key.end(), '_', '-');
    entry.line = node->source().begin.line;
    entry.column = node->source().begin.column;
    const auto fail = [&](const char* found) {
      return Error(fmt::format("{}: '{}' holds {}; expected a string, number or boolean, or an array of them",
                               config.location(entry), key, found));
    };
    std::string value;
    if (const auto* array = node->as_array()) {
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
    }
    config.entries.push_back(std::move(entry));
  }
  return config;
}

ConfigFile read_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open the config file for reading", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

}  // namespace glassnet
