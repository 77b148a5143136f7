#include "glassnet/data/csv.hpp"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "glassnet/core/error.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet {
namespace {

constexpr std::array<char, 4> kDelimiters{',', ';', '\t', '|'};

std::string describe_delimiter(char d) { return d == '\t' ? "tab" : fmt::format("'{}'", d); }

// The header line's most frequent candidate delimiter outside quotes.
char detect_delimiter(std::string_view text) {
  std::array<int, kDelimiters.size()> counts{};
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) break;
    if (quoted) continue;
    for (std::size_t k = 0; k < kDelimiters.size(); ++k) counts[k] += c == kDelimiters[k];
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < counts.size(); ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return counts[best] > 0 ? kDelimiters[best] : ',';
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& source, char delimiter)
      : text_(text), source_(source), delimiter_(delimiter) {}

  // Reads one record into fields/positions; false at the end of the text. Empty
  // lines are skipped.
  bool next_record(std::vector<std::string>& fields, std::vector<CsvPosition>& positions) {
    fields.clear();
    positions.clear();
    while (at_ < text_.size() && (peek() == '\n' || peek() == '\r')) consume_line_break();  // empty lines
    if (at_ >= text_.size()) return false;
    for (;;) {
      positions.push_back({line_, column_});
      fields.push_back(read_field());
      if (at_ >= text_.size()) return true;
      const char c = peek();
      if (c == delimiter_) {
        advance();
        continue;
      }
      consume_line_break();
      return true;
    }
  }

  [[noreturn]] void fail(CsvPosition where, const std::string& what) const {
    throw Error(fmt::format("{}: {}", csv_location(source_, where), what));
  }

 private:
  char peek() const { return text_[at_]; }
  void advance() {
    ++at_;
    ++column_;
  }
  void consume_line_break() {
    if (peek() == '\r') {
      ++at_;
      if (at_ < text_.size() && peek() == '\n') ++at_;
    } else {
      ++at_;
    }
    ++line_;
    column_ = 1;
  }

  std::string read_field() {
    std::string field;
    if (at_ < text_.size() && peek() == '"') {
      const CsvPosition opening{line_, column_};
      advance();
      for (;;) {
        if (at_ >= text_.size())
          fail(opening, "a quoted field is not closed: expected a closing '\"' before the end of the file");
        const char c = peek();
        if (c == '"') {
          if (at_ + 1 < text_.size() && text_[at_ + 1] == '"') {
            field += '"';
            advance();
            advance();
            continue;
          }
          advance();  // the closing quote
          if (at_ < text_.size() && peek() != delimiter_ && peek() != '\n' && peek() != '\r') {
            fail({line_, column_}, fmt::format("expected the delimiter {} or the end of the line after a closing "
                                               "quote, found '{}'",
                                               describe_delimiter(delimiter_), quoted_value(std::string(1, peek()))));
          }
          return field;
        }
        if (c == '\n' || c == '\r') {
          field += '\n';
          consume_line_break();
          continue;
        }
        field += c;
        advance();
      }
    }
    while (at_ < text_.size()) {
      const char c = peek();
      if (c == delimiter_ || c == '\n' || c == '\r') break;
      if (c == '"') {
        fail({line_, column_}, "a quote inside an unquoted field: quote the whole field and double the quote (\"\")");
      }
      field += c;
      advance();
    }
    return field;
  }

  std::string_view text_;
  const std::string& source_;
  char delimiter_;
  std::size_t at_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
};

struct InvalidByte {
  CsvPosition at;
  unsigned char byte = 0;
};

// The first byte that does not begin valid UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF; a lead byte whose sequence is broken counts), at
// its position counted as the parser
// counts (lines broken by LF, CRLF or CR; columns in bytes); none when the text is valid.
std::optional<InvalidByte> first_invalid_utf8(std::string_view text) {
  CsvPosition at{1, 1};
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b = byte(i);
    if (b < 0x80) {
      if (b == '\n' || (b == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
        ++at.line;
        at.column = 1;
      } else if (b != '\r') {
        ++at.column;
      }
      ++i;
      continue;
    }
    // The sequence's length and the range of its second byte (the others are 80–BF).
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      if (b == 0xE0) low = 0xA0;
      if (b == 0xED) high = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      if (b == 0xF0) low = 0x90;
      if (b == 0xF4) high = 0x8F;
    } else {
      return InvalidByte{at, b};
    }
    if (i + length > text.size()) return InvalidByte{at, b};  // cut off by the end
    for (std::size_t k = 1; k < length; ++k) {
      const unsigned char next = byte(i + k);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return InvalidByte{at, b};
    }
    i += length;
    at.column += static_cast<std::uint32_t>(length);
  }
  return std::nullopt;
}

}  // namespace

std::string csv_location(const std::string& source, CsvPosition position) {
  return fmt::format("{}:{}:{}", source, position.line, position.column);
}

CsvTable parse_csv(std::string_view text, const std::string& source, const CsvOptions& options) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark
  if (const auto bad = first_invalid_utf8(text)) {
    throw Error(fmt::format("{}: expected UTF-8 text, found the byte 0x{:02X}; save the file as UTF-8",
                            csv_location(source, bad->at), bad->byte));
  }
  CsvTable table;
  table.source = source;
  table.delimiter = options.delimiter != 0 ? options.delimiter : detect_delimiter(text);
  if (table.delimiter == '"' || table.delimiter == '\n' || table.delimiter == '\r') {
    throw Error(fmt::format("{}: the delimiter cannot be a quote or a line break", source));
  }
  Parser parser(text, source, table.delimiter);
  if (!parser.next_record(table.header, table.header_positions)) {
    throw Error(fmt::format("{}: the file is empty: expected a header row and data rows", source));
  }
  std::unordered_map<std::string_view, std::size_t> first_column;  // by name
  for (std::string& name : table.header) name = std::string(trim(name));  // "a, b": the columns a and b
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (table.header[c].empty())
      parser.fail(table.header_positions[c], fmt::format("column {} has an empty name", c + 1));
    const auto [first, is_new] = first_column.emplace(table.header[c], c);
    if (!is_new) {
      parser.fail(table.header_positions[c], fmt::format("the column name '{}' appears twice (also column {})",
                                                         table.header[c], first->second + 1));
    }
  }
  std::vector<std::string> fields;
  std::vector<CsvPosition> positions;
  while (parser.next_record(fields, positions)) {
    if (fields.size() != table.header.size()) {
      const CsvPosition where =
          fields.size() > table.header.size() ? positions[table.header.size()] : positions.front();
      parser.fail(where,
                  fmt::format("expected {} fields as in the header, found {}", table.header.size(), fields.size()));
    }
    table.rows.push_back(fields);
    table.positions.push_back(positions);
  }
  if (table.rows.empty()) {
    throw Error(fmt::format("{}: the file has a header but no data rows", source));
  }
  return table;
}

CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open for reading", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_csv(buffer.str(), path.string(), options);
}

}  // namespace glassnet
