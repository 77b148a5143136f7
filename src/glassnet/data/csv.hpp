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

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace glassnet {

struct CsvPosition {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct CsvTable {
  std::string source;  // the file name used in messages
  char delimiter = ',';
  std::vector<std::string> header;
  std::vector<CsvPosition> header_positions;
  std::vector<std::vector<std::string>> rows;       // rows[r][c]
  std::vector<std::vector<CsvPosition>> positions;  // where each cell starts
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
