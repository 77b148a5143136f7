#pragma once
// Typed columns from a CSV table.
//
// A column is numeric when more than half of its present values parse as numbers
// (std::from_chars: exact, locale-independent); every other present value in a numeric
// column is then an error naming its line and column. Otherwise the column is
// categorical and keeps its text.
// Missing values — empty, NA, N/A, NaN, null, None, ? (any case) — and, in numeric
// columns, infinities (inf, Infinity, with a sign) are recorded as missing: numbers
// hold NaN there, and find_missing reports them before anything is trained.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "glassnet/core/scalar.hpp"
#include "glassnet/data/csv.hpp"

namespace glassnet {

enum class ColumnKind { numeric, categorical };

// A pixel's value from its byte: byte / 255, looked up (a division per value made a
// one-epoch Fashion-MNIST run 5 % slower: the median of five alternating pairs).
inline constexpr std::array<double, 256> kPixelValues = [] {
  std::array<double, 256> values{};
  for (std::size_t b = 0; b < values.size(); ++b) values[b] = static_cast<double>(b) / 255.0;
  return values;
}();

// Where each value of a column was read in its CSV file: its column of the table's
// fields (data/csv.hpp: CsvFields), which the table's columns share. Empty when the
// column is not from CSV.
class ValuePositions {
 public:
  ValuePositions() = default;
  ValuePositions(std::shared_ptr<const CsvFields> fields, std::size_t column)
      : fields_(std::move(fields)), column_(column) {}
  bool empty() const { return fields_ == nullptr; }
  std::size_t size() const { return fields_ == nullptr ? 0 : fields_->rows(); }
  CsvPosition operator[](std::size_t row) const { return fields_->position(row, column_); }
  // The memory they take: the column's share of the fields' (about).
  std::uint64_t bytes() const { return fields_ == nullptr ? 0 : fields_->bytes() / fields_->columns(); }

 private:
  std::shared_ptr<const CsvFields> fields_;
  std::size_t column_ = 0;
};

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::numeric;
  std::vector<double> numbers;  // numeric: the values, NaN where missing; empty where `pixels` holds them
  // IDX images (data/idx.hpp): numeric, each value as its pixel's byte, the value being
  // byte / 255 — an eighth of the memory of `numbers` (Fashion-MNIST's table: 376 → 47
  // MB). Never missing. Empty otherwise.
  std::vector<std::uint8_t> pixels;
  // Categorical: the values as a dictionary — each distinct value once, in the order
  // first set, and per row its index there (kMissingCode where missing). A row takes 4
  // bytes however long its text, where a string per row took 32 and its text.
  std::vector<std::string> categories;
  std::vector<std::uint32_t> codes;
  std::vector<bool> missing;           // per row
  ValuePositions positions;            // where each value was read
  std::string source;                  // where the column came from, when not its table's source (Python's y)

  // A numeric column's value in row `row`, from `numbers` or `pixels`: how every reader
  // reads one.
  double number(std::size_t row) const { return pixels.empty() ? numbers[row] : kPixelValues[pixels[row]]; }
  // A categorical column's value in row `row` ("" where missing).
  const std::string& text(std::size_t row) const;
  // The code of `value` in `categories`, added when new: a scan, for a value or two
  // (CategoryCodes adds a column's values).
  std::uint32_t code_of(std::string_view value);
  // Whether any row's value is missing; a pixel column's never is, and is not scanned.
  bool any_missing() const;
};

// A categorical row's code where its value is missing.
inline constexpr std::uint32_t kMissingCode = UINT32_MAX;

// Sets a categorical column's rows one by one, each value looked up by hash among the
// categories so far:
//
//   CategoryCodes codes(column);  // column.codes sized to its rows, all missing
//   codes.set(row, "FR");         // row's code; "FR" added to column.categories when new
class CategoryCodes {
 public:
  explicit CategoryCodes(Column& column);
  void set(std::size_t row, std::string_view value);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  Column& column_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
};

struct Table {
  std::string source;
  std::vector<Column> columns;
  Index image_pixels = 0;  // IDX images (data/idx.hpp): the pixels of one image; 0 otherwise
  Index rows() const { return columns.empty() ? 0 : static_cast<Index>(columns.front().missing.size()); }
  // The index of the column called `name`, or -1. A scan: a caller that looks up every
  // column of a wide table uses column_positions.
  Index find(const std::string& name) const;
  // The index of the column called `name`; none is an Error naming the source, what the
  // column was asked `for` ("for the target") and the columns there are.
  Index find_or_throw(const std::string& name, std::string_view for_what) const;
  // The memory the values and their positions take, in bytes (about).
  std::uint64_t bytes() const;
};

// Where row `row` of `column` came from, for messages: "FILE:LINE:COLUMN" from CSV,
// "SOURCE: record N" (1-based) otherwise, SOURCE being the column's own when it has one.
std::string value_location(const std::string& source, const Column& column, std::size_t row);

// `s` without its leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

// The number in `value` when the whole text, trimmed of spaces and tabs, is one finite
// number (std::from_chars; a leading '+' allowed; one too small for a double is zero).
std::optional<double> parse_number(std::string_view value);
// A value as messages quote it: control characters escaped (\t, \n, \x00, \x1b: a
// NUL would end the message, an escape sequence would reach the terminal), at most
// `longest` characters (a file's values: 40) before "… (N characters)".
std::string quoted_value(std::string_view value, std::size_t longest = 40);

// Whether the whole (trimmed) text is a number too large for a double (±1.8e308).
bool beyond_double(std::string_view value);

// True for the missing-value markers above (not for infinities).
bool is_missing_marker(std::string_view value);

// A column's kind by its name, as another table of the same data had it: the training
// rows' for validation and test files, a model's for the files it evaluates or predicts.
using ColumnKinds = std::unordered_map<std::string, ColumnKind>;

// The typed table of `csv`: each column's kind inferred from its values (above), or,
// with `kinds`, the kind named there — a numeric column's present values must be
// numbers, a categorical one keeps its text as written ("007" stays "007", which a
// column of numbers would read as 7) — and a column not named there is kept as text,
// unchecked: its caller does not use it.
Table make_table(const CsvTable& csv, const ColumnKinds* kinds = nullptr);

struct MissingColumn {
  std::string name;
  Index count = 0;
  std::vector<std::uint32_t> first_lines;  // up to 5: CSV lines, or records (1-based) where not from CSV
  bool csv = true;                         // first_lines are lines of a CSV file
};

// Each column's index by its name (the names are the table's: it must outlive the map
// and keep its columns).
std::unordered_map<std::string_view, Index> column_positions(const Table& table);

// Every column with missing values, in column order.
std::vector<MissingColumn> find_missing(const Table& table);
// "FILE: missing or infinite values; column 'amount': 3 (lines 4, 9, 12). REMEDY" — the
// message that stops training unless the user asks for imputation.
inline constexpr std::string_view kImputeRemedy = "Fix the data, or pass --impute mean|median|most-frequent";
std::string describe_missing(const Table& table, const std::vector<MissingColumn>& missing,
                             std::string_view remedy = kImputeRemedy);

enum class Imputation { mean, median, most_frequent };

std::optional<Imputation> parse_imputation(std::string_view name);  // mean, median, most-frequent
std::string_view imputation_name(Imputation method);                // as parse_imputation reads it

// Fills every missing value of every column except those in `skip` (the target and the
// columns --ignore leaves out) with a statistic of that column's present values in the
// rows `fit_rows` (the training rows): numeric columns with the mean, median or most frequent value,
// categorical columns always with the most frequent category. Returns the statistics
// used, per column name, so that other tables can be filled alike (impute_like). There,
// a column with no value present (all empty: a one-row file) takes the kind of its fill,
// since its own text says nothing of it.
struct ImputedValue {
  std::string column;
  std::string value;  // as text
  ColumnKind kind = ColumnKind::numeric;
};
struct ImputedValues {
  std::vector<ImputedValue> values;
};
ImputedValues impute(Table& table, Imputation method, const std::vector<Index>& fit_rows, std::span<const Index> skip);
void impute_like(Table& table, const ImputedValues& values, Index skip);

}  // namespace glassnet
