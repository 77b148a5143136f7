#pragma once
// Reading CSV files (RFC 4180) into a table of text cells, with the line and column of
// every cell for error messages.
//
//   - The first non-empty record is the header; every record must have as many fields.
//   - The delimiter is given, or detected from the header line: the most frequent of
//     ',', ';', '\t', '|' outside quotes (',' when none occurs).
//   - Fields may be quoted with '"': inside quotes, delimiters and line breaks are data
//     and '""' is one quote. A quote inside an unquoted field, or text after a closing
//     quote, is an error.
//   - Line breaks are LF or CRLF; a UTF-8 byte-order mark is skipped; empty lines
//     (outside quotes) are ignored.
//   - The text must be UTF-8 (names and categories go into JSON and the model file): a
//     byte that is not is an error at its line and column.
// Errors are glassnet::Error with "FILE:LINE:COLUMN: what was expected, what was found".
// Lines and columns are 1-based; a column counts bytes.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace glassnet {

struct CsvPosition {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

// The fields of a table's data rows: where each ends in its record's text, unquoted
// ('""' as one quote, a line break inside quotes as LF) — 4 bytes a field — and where
// each starts in the file. Those positions are kept only for the records with a quoted
// field; the others are their fields' text with one delimiter between fields, so field
// c starts at column 1 + (its start in the record's text) + c of the record's line.
// (A million rows of nine fields: 40 MB, where a position and an end of 8 bytes each
// took 144 MB.)
class CsvFields {
 public:
  explicit CsvFields(std::size_t columns) : columns_(columns) {}

  std::size_t columns() const { return columns_; }
  std::size_t rows() const { return lines_.size(); }
  // Field (row, column)'s bytes in its record's text: [begin, end).
  std::uint32_t begin(std::size_t row, std::size_t column) const {
    return column == 0 ? 0 : ends_[row * columns_ + column - 1];
  }
  std::uint32_t end(std::size_t row, std::size_t column) const { return ends_[row * columns_ + column]; }
  CsvPosition position(std::size_t row, std::size_t column) const;
  std::uint64_t bytes() const;  // the memory it takes (about)

  // Appends a record of columns() fields, from `line`: their ends in its text and, for a
  // record with a quoted field, where each starts (empty otherwise).
  void add(std::uint32_t line, std::span<const std::uint32_t> ends, std::span<const CsvPosition> quoted_positions);
  void reserve(std::size_t rows);

 private:
  std::size_t columns_;
  std::vector<std::uint32_t> lines_;           // each record's first line
  std::vector<std::uint32_t> ends_;            // rows × columns
  std::vector<std::size_t> quoted_rows_;       // the records with a quoted field, ascending
  std::vector<CsvPosition> quoted_positions_;  // their fields', quoted_rows_.size() × columns
};

// A CSV file's header, and its data rows' fields laid end to end in `text`, unquoted:
// record r's text begins at record_begins[r], and `fields` says where each field lies
// in it (the typed table's columns keep `fields`, for messages, once the text is gone).
struct CsvTable {
  std::string source;  // the file name used in messages
  char delimiter = ',';
  std::vector<std::string> header;
  std::vector<CsvPosition> header_positions;
  std::string text;
  std::vector<std::size_t> record_begins;
  std::shared_ptr<const CsvFields> fields;

  std::size_t columns() const { return header.size(); }
  std::size_t rows() const { return record_begins.size(); }
  std::string_view cell(std::size_t row, std::size_t column) const {
    const std::uint32_t begin = fields->begin(row, column);
    return {text.data() + record_begins[row] + begin, fields->end(row, column) - begin};
  }
  CsvPosition position(std::size_t row, std::size_t column) const { return fields->position(row, column); }
};

struct CsvOptions {
  char delimiter = 0;  // 0: detect
};

// Parses `text`; `source` names it in error messages.
CsvTable parse_csv(std::string_view text, const std::string& source, const CsvOptions& options = {});
// Reads and parses a file; a missing or unreadable file is an Error naming it.
CsvTable read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

// "FILE:LINE:COLUMN: message" for a cell position.
std::string csv_location(const std::string& source, CsvPosition position);

}  // namespace glassnet
