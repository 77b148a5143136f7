#include "glassnet/data/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "glassnet/core/error.hpp"
#include "glassnet/core/huge_pages.hpp"
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

// Reads the records of `text` in place: each field's unquoted content is written back
// over the text already read, end to end from the start (the write never overtakes the
// read: delimiters, line breaks and quotes are read and not written, '""' and CRLF
// inside quotes write one byte for two), so the fields need no memory of their own.
class Parser {
 public:
  Parser(std::string& text, std::size_t start, const std::string& source, char delimiter)
      : text_(text), source_(source), delimiter_(delimiter), at_(start) {}

  // A record as read: where its text begins (as written), and each field's end in that
  // text, where it starts in the file, and whether one was quoted.
  struct Record {
    std::size_t begin = 0;
    std::vector<std::uint32_t> ends;
    std::vector<CsvPosition> positions;
    bool quoted = false;
  };

  // Reads the next record into `record`; false at the end of the text. Empty lines are
  // skipped.
  bool next_record(Record& record) {
    record.ends.clear();
    record.positions.clear();
    record.quoted = false;
    record.begin = written_;
    while (at_ < text_.size() && (peek() == '\n' || peek() == '\r')) consume_line_break();  // empty lines
    if (at_ >= text_.size()) return false;
    for (;;) {
      record.positions.push_back({line_, column_});
      record.quoted = read_field() || record.quoted;
      if (written_ - record.begin > std::numeric_limits<std::uint32_t>::max())
        fail(record.positions.front(), "a record longer than 4 GiB");
      record.ends.push_back(static_cast<std::uint32_t>(written_ - record.begin));
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

  // The header is written first: its fields are copied out, and the data rows' are
  // written over them.
  void forget_written() { written_ = 0; }
  // The end of what the fields wrote, and of what was read.
  std::size_t written() const { return written_; }
  std::size_t read() const { return at_; }

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
  void write(char c) { text_[written_++] = c; }

  // Whether it was quoted.
  bool read_field() {
    if (at_ < text_.size() && peek() == '"') {
      read_quoted_field();
      return true;
    }
    // (pointers, not text_[at_]: the writes below may alias the string's own members)
    const char* const begin = text_.data() + at_;
    const char* const end = text_.data() + text_.size();
    const char delimiter = delimiter_;
    char* out = text_.data() + written_;  // (copied as scanned: a call to memmove per field cost more)
    const char* p = begin;
    for (; p != end; ++p) {
      const char c = *p;
      if (c == delimiter || c == '\n' || c == '\r' || c == '"') break;
      *out++ = c;
    }
    const auto length = static_cast<std::size_t>(p - begin);
    column_ += static_cast<std::uint32_t>(length);
    if (p != end && *p == '"') {
      fail({line_, column_}, "a quote inside an unquoted field: quote the whole field and double the quote (\"\")");
    }
    at_ += length;
    written_ += length;
    return false;
  }

  void read_quoted_field() {
    const CsvPosition opening{line_, column_};
    advance();
    for (;;) {
      if (at_ >= text_.size())
        fail(opening, "a quoted field is not closed: expected a closing '\"' before the end of the file");
      const char c = peek();
      if (c == '"') {
        if (at_ + 1 < text_.size() && text_[at_ + 1] == '"') {
          write('"');
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
        return;
      }
      if (c == '\n' || c == '\r') {
        write('\n');
        consume_line_break();
        continue;
      }
      write(c);
      advance();
    }
  }

  std::string& text_;
  const std::string& source_;
  char delimiter_;
  std::size_t at_ = 0;       // the next byte to read
  std::size_t written_ = 0;  // the next byte to write (never past at_)
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
};

// Where byte `offset` of `text` lies, counted as the parser counts: lines broken by LF,
// CRLF or CR; columns in bytes.
CsvPosition position_of(std::string_view text, std::size_t offset) {
  CsvPosition at{1, 1};
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++at.line;
      at.column = 1;
    } else if (text[i] != '\r') {
      ++at.column;
    }
  }
  return at;
}

// The offset of the first byte that does not begin valid UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF; a lead byte whose sequence is broken
// counts); none when the text is valid. ASCII, most of a data file, is passed over
// eight bytes at a time.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  for (std::size_t i = 0; i < text.size();) {
    if (i + 8 <= text.size()) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & kHighBits) == 0) {
        i += 8;
        continue;
      }
    }
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b = byte(i);
    if (b < 0x80) {
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
      return i;
    }
    if (i + length > text.size()) return i;  // cut off by the end
    for (std::size_t k = 1; k < length; ++k) {
      const unsigned char next = byte(i + k);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return i;
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace

CsvPosition CsvFields::position(std::size_t row, std::size_t column) const {
  if (!quoted_rows_.empty()) {
    const auto quoted = std::lower_bound(quoted_rows_.begin(), quoted_rows_.end(), row);
    if (quoted != quoted_rows_.end() && *quoted == row) {
      return quoted_positions_[static_cast<std::size_t>(quoted - quoted_rows_.begin()) * columns_ + column];
    }
  }
  return {lines_[row], 1 + begin(row, column) + static_cast<std::uint32_t>(column)};
}

std::uint64_t CsvFields::bytes() const {
  return (lines_.capacity() + ends_.capacity()) * sizeof(std::uint32_t) +
         quoted_rows_.capacity() * sizeof(std::size_t) + quoted_positions_.capacity() * sizeof(CsvPosition);
}

void CsvFields::add(std::uint32_t line, std::span<const std::uint32_t> ends,
                    std::span<const CsvPosition> quoted_positions) {
  lines_.push_back(line);
  ends_.insert(ends_.end(), ends.begin(), ends.end());
  if (quoted_positions.empty()) return;
  quoted_rows_.push_back(lines_.size() - 1);
  quoted_positions_.insert(quoted_positions_.end(), quoted_positions.begin(), quoted_positions.end());
}

void CsvFields::reserve(std::size_t rows) {
  reserve_on_huge_pages(lines_, rows);
  reserve_on_huge_pages(ends_, rows * columns_);
}

std::string csv_location(const std::string& source, CsvPosition position) {
  return fmt::format("{}:{}:{}", source, position.line, position.column);
}

namespace {

// Parses `text`, the file's whole content, in place (Parser): it becomes the table's.
CsvTable parse_owned(std::string text, const std::string& source, const CsvOptions& options) {
  const std::size_t start = std::string_view(text).starts_with("\xEF\xBB\xBF") ? 3 : 0;  // UTF-8 byte-order mark
  const std::string_view content = std::string_view(text).substr(start);
  if (const auto bad = first_invalid_utf8(content)) {
    throw Error(fmt::format("{}: expected UTF-8 text, found the byte 0x{:02X}; save the file as UTF-8",
                            csv_location(source, position_of(content, *bad)),
                            static_cast<unsigned char>(content[*bad])));
  }
  CsvTable table;
  table.source = source;
  table.delimiter = options.delimiter != 0 ? options.delimiter : detect_delimiter(content);
  if (table.delimiter == '"' || table.delimiter == '\n' || table.delimiter == '\r') {
    throw Error(fmt::format("{}: the delimiter cannot be a quote or a line break", source));
  }
  table.text = std::move(text);
  Parser parser(table.text, start, source, table.delimiter);
  Parser::Record record;
  if (!parser.next_record(record)) {
    throw Error(fmt::format("{}: the file is empty: expected a header row and data rows", source));
  }
  table.header_positions = record.positions;
  for (std::size_t c = 0; c < record.ends.size(); ++c) {  // "a, b": the columns a and b
    const std::uint32_t begin = c == 0 ? 0 : record.ends[c - 1];
    table.header.emplace_back(trim(std::string_view(table.text).substr(begin, record.ends[c] - begin)));
  }
  parser.forget_written();
  std::unordered_map<std::string_view, std::size_t> first_column;  // by name
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (table.header[c].empty())
      parser.fail(table.header_positions[c], fmt::format("column {} has an empty name", c + 1));
    const auto [first, is_new] = first_column.emplace(table.header[c], c);
    if (!is_new) {
      parser.fail(table.header_positions[c], fmt::format("the column name '{}' appears twice (also column {})",
                                                         table.header[c], first->second + 1));
    }
  }
  const std::size_t columns = table.header.size();
  auto fields = std::make_shared<CsvFields>(columns);
  constexpr std::size_t kSampledRecords = 64;  // the records whose length sizes the arrays
  while (parser.next_record(record)) {
    if (record.ends.size() != columns) {
      const CsvPosition where = record.positions[record.ends.size() > columns ? columns : 0];
      parser.fail(where, fmt::format("expected {} fields as in the header, found {}", columns, record.ends.size()));
    }
    table.record_begins.push_back(record.begin);
    fields->add(record.positions.front().line, record.ends,
                record.quoted ? std::span<const CsvPosition>(record.positions) : std::span<const CsvPosition>());
    if (table.record_begins.size() == kSampledRecords) {  // room for the rest, at their length so far
      const double per_record = static_cast<double>(parser.read() - start) / kSampledRecords;
      const auto expected = static_cast<std::size_t>(1.05 * static_cast<double>(table.text.size()) / per_record);
      reserve_on_huge_pages(table.record_begins, expected);
      fields->reserve(expected);
    }
  }
  if (table.record_begins.empty()) {
    throw Error(fmt::format("{}: the file has a header but no data rows", source));
  }
  table.fields = std::move(fields);
  table.text.resize(parser.written());
  return table;
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& source, const CsvOptions& options) {
  return parse_owned(std::string(text), source, options);
}

CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open for reading", path.string()));
  // Read straight into the text where the file has a size; then, and for a pipe (no
  // size), a chunk at a time to the end.
  std::string text;
  std::error_code unknown;
  if (const std::uintmax_t size = std::filesystem::file_size(path, unknown); !unknown && size > 0) {
    reserve_on_huge_pages(text, size);
    text.resize(size);
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<std::size_t>(in.gcount()));
  }
  std::array<char, 1 << 16> chunk{};
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) text.append(chunk.data(), in.gcount());
  if (in.bad()) throw Error(fmt::format("{}: cannot read the file", path.string()));
  return parse_owned(std::move(text), path.string(), options);
}

}  // namespace glassnet
