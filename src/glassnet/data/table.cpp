#include "glassnet/data/table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "glassnet/core/error.hpp"
#include "glassnet/core/huge_pages.hpp"

namespace glassnet {
namespace {

// `value`, trimmed, in ASCII lower case into `out` when it is at most out.size() bytes
// long (every marker and spelling of infinity is): no allocation for the millions of
// values a large file holds.
template <std::size_t N>
std::optional<std::string_view> lowered(std::string_view value, std::array<char, N>& out) {
  value = trim(value);
  if (value.size() > N) return std::nullopt;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(out.data(), value.size());
}

bool is_infinity(std::string_view value) {
  std::array<char, 9> buffer{};  // "+infinity"
  std::optional<std::string_view> v = lowered(value, buffer);
  if (!v) return false;
  if (!v->empty() && (v->front() == '+' || v->front() == '-')) v->remove_prefix(1);
  return *v == "inf" || *v == "infinity";
}

// The power of ten of a decimal number's first significant digit ("1234.5" → 3,
// "0.0012e-3" → −6), for a number std::from_chars found out of range: far above 1 when it
// is too large for a double, far below when it is too small (it underflows to zero).
long decimal_magnitude(std::string_view number) {
  if (!number.empty() && (number.front() == '+' || number.front() == '-')) number.remove_prefix(1);
  const std::size_t e = number.find_first_of("eE");
  long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view digits = number.substr(e + 1);
    const bool negative = !digits.empty() && digits.front() == '-';
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    for (char c : digits) exponent = std::min(exponent * 10 + (c - '0'), 1'000'000'000L);  // (digits, as parsed)
    if (negative) exponent = -exponent;
  }
  const std::string_view mantissa = number.substr(0, e);
  const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos) return 0;
  const long position = first < point ? static_cast<long>(point - first) - 1 : -static_cast<long>(first - point);
  return position + exponent;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string quoted_value(std::string_view value, std::size_t longest) {
  std::string out;
  for (const char c : value.substr(0, longest)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out += c;
    } else {
      out += c == '\t' ? std::string("\\t") : c == '\n' ? std::string("\\n") : fmt::format("\\x{:02x}", byte);
    }
  }
  return value.size() <= longest ? out : fmt::format("{}… ({} characters)", out, value.size());
}

bool beyond_double(std::string_view value) {
  value = trim(value);
  double number = 0;
  const auto [end, error] =
      std::from_chars(value.data() + (!value.empty() && value.front() == '+'), value.data() + value.size(), number);
  return error == std::errc::result_out_of_range && end == value.data() + value.size() && decimal_magnitude(value) > 0;
}

std::optional<double> parse_number(std::string_view value) {
  value = trim(value);
  if (!value.empty() && value.front() == '+') value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  double number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error == std::errc::result_out_of_range && end == value.data() + value.size() && decimal_magnitude(value) < 0) {
    return value.front() == '-' ? -0.0 : 0.0;  // too small for a double: zero, as strtod reads it
  }
  if (error != std::errc() || end != value.data() + value.size() || !std::isfinite(number)) return std::nullopt;
  return number;
}

bool is_missing_marker(std::string_view value) {
  static constexpr std::array<std::string_view, 7> kMarkers{"", "na", "n/a", "nan", "null", "none", "?"};
  std::array<char, 4> buffer{};
  const std::optional<std::string_view> v = lowered(value, buffer);
  return v && std::find(kMarkers.begin(), kMarkers.end(), *v) != kMarkers.end();
}

std::uint64_t Table::bytes() const {
  std::uint64_t total = 0;
  for (const Column& c : columns) {
    total +=
        c.numbers.capacity() * sizeof(double) + c.pixels.capacity() + c.missing.capacity() / 8 + c.positions.bytes();
    total += c.codes.capacity() * sizeof(std::uint32_t);
    for (const std::string& t : c.categories) total += sizeof(std::string) + (t.capacity() > 15 ? t.capacity() : 0);
  }
  return total;
}

const std::string& Column::text(std::size_t row) const {
  static const std::string kMissing;
  const std::uint32_t code = codes[row];
  return code == kMissingCode ? kMissing : categories[code];
}

std::uint32_t Column::code_of(std::string_view value) {
  const auto at = std::find(categories.begin(), categories.end(), value);
  if (at != categories.end()) return static_cast<std::uint32_t>(at - categories.begin());
  categories.emplace_back(value);
  return static_cast<std::uint32_t>(categories.size() - 1);
}

CategoryCodes::CategoryCodes(Column& column) : column_(column) {
  column_.codes.assign(column_.missing.size(), kMissingCode);
  for (std::size_t k = 0; k < column_.categories.size(); ++k)
    index_.emplace(column_.categories[k], static_cast<std::uint32_t>(k));
}

void CategoryCodes::set(std::size_t row, std::string_view value) {
  auto at = index_.find(value);
  if (at == index_.end()) {
    at = index_.emplace(std::string(value), static_cast<std::uint32_t>(column_.categories.size())).first;
    column_.categories.emplace_back(value);
  }
  column_.codes[row] = at->second;
}

Index Table::find(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<Index>(i);
  }
  return -1;
}

Index Table::find_or_throw(const std::string& name, std::string_view for_what) const {
  const Index found = find(name);
  if (found >= 0) return found;
  std::vector<std::string_view> names;
  for (const Column& c : columns) names.push_back(c.name);
  throw Error(fmt::format("{}: no column '{}' {} (columns: {})", source, name, for_what, fmt::join(names, ", ")));
}

std::unordered_map<std::string_view, Index> column_positions(const Table& table) {
  std::unordered_map<std::string_view, Index> positions;
  positions.reserve(table.columns.size());
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    positions.emplace(table.columns[i].name, static_cast<Index>(i));
  return positions;
}

namespace {

// One column of a CSV table becoming a typed column (make_table): each value is read
// once, row after row with the other columns' (the file's order), its number parsed
// while the numbers are counted; the kind is inferred at the end, or was given.
class ColumnReader {
 public:
  ColumnReader(std::string name, std::size_t rows, std::optional<ColumnKind> given)
      : given_(given), may_be_numeric_(given != ColumnKind::categorical) {
    column_.name = std::move(name);
    column_.missing.resize(rows);
    if (may_be_numeric_) {
      reserve_on_huge_pages(column_.numbers, rows);
      column_.numbers.resize(rows);
    }
  }

  void read(std::size_t row, std::string_view value) {
    // A number first, as most values are: a finite number is neither a missing-value
    // marker ("nan" is not finite) nor an infinity.
    if (may_be_numeric_) {
      if (const auto number = parse_number(value)) {
        column_.numbers[row] = *number;
        ++present_;
        ++numeric_;
        return;
      }
    }
    if (is_missing_marker(value)) {
      column_.missing[row] = true;
      if (may_be_numeric_) column_.numbers[row] = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    if (!may_be_numeric_) return;
    if (is_infinity(value)) {  // missing in a numeric column, text in a categorical one
      column_.numbers[row] = std::numeric_limits<double>::quiet_NaN();
      any_infinity_ = true;
      return;
    }
    ++present_;
    if (!first_text_) first_text_ = row;
  }

  // The column, once every row was read: it is column `c` of `csv`.
  Column finish(const CsvTable& csv, std::size_t c) {
    column_.positions = ValuePositions(csv.fields, c);
    column_.kind = given_                                    ? *given_
                   : present_ > 0 && 2 * numeric_ > present_ ? ColumnKind::numeric
                                                             : ColumnKind::categorical;
    if (column_.kind == ColumnKind::numeric) {
      if (first_text_) fail(csv, csv.cell(*first_text_, c), *first_text_);
      if (any_infinity_) {
        for (std::size_t r = 0; r < column_.missing.size(); ++r)
          column_.missing[r] = column_.missing[r] || std::isnan(column_.numbers[r]);
      }
      return std::move(column_);
    }
    column_.numbers = {};
    CategoryCodes codes(column_);
    for (std::size_t r = 0; r < column_.missing.size(); ++r) {
      if (!column_.missing[r]) codes.set(r, trim(csv.cell(r, c)));
    }
    return std::move(column_);
  }

 private:
  [[noreturn]] void fail(const CsvTable& csv, std::string_view value, std::size_t row) const {
    value = trim(value);
    const std::string where = csv_location(csv.source, column_.positions[row]);
    const std::string beyond = beyond_double(value) ? ", beyond the range of a double (±1.8e308)" : "";
    if (given_) {  // the kind the training data had
      throw Error(fmt::format(
          "{}: column '{}' holds {}{}; in training it was numeric", where, column_.name,
          beyond.empty() ? fmt::format("text ('{}')", quoted_value(value)) : fmt::format("'{}'", quoted_value(value)),
          beyond));
    }
    throw Error(
        fmt::format("{}: expected a number in numeric column '{}' ({} of its {} values are numbers), "
                    "found '{}'{}",
                    where, column_.name, numeric_, present_, quoted_value(value), beyond));
  }

  Column column_;
  std::optional<ColumnKind> given_;
  bool may_be_numeric_ = true;
  std::size_t present_ = 0, numeric_ = 0;  // values neither missing nor infinite; those that are numbers
  std::optional<std::size_t> first_text_;  // the first of them that is not
  bool any_infinity_ = false;
};

}  // namespace

Table make_table(const CsvTable& csv, const ColumnKinds* kinds) {
  const std::size_t rows = csv.rows(), columns = csv.columns();
  std::vector<ColumnReader> readers;
  readers.reserve(columns);
  for (const std::string& name : csv.header) {
    std::optional<ColumnKind> given;
    if (kinds != nullptr) {  // a column not named there is kept as text, unchecked
      const auto found = kinds->find(name);
      given = found != kinds->end() ? found->second : ColumnKind::categorical;
    }
    readers.emplace_back(name, rows, given);
  }
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < columns; ++c) readers[c].read(r, csv.cell(r, c));
  }
  Table table;
  table.source = csv.source;
  for (std::size_t c = 0; c < columns; ++c) table.columns.push_back(readers[c].finish(csv, c));
  return table;
}

std::string value_location(const std::string& source, const Column& column, std::size_t row) {
  if (row < column.positions.size()) return csv_location(source, column.positions[row]);
  return fmt::format("{}: record {}", column.source.empty() ? source : column.source, row + 1);
}

bool Column::any_missing() const {
  return pixels.empty() && std::find(missing.begin(), missing.end(), true) != missing.end();
}

std::vector<MissingColumn> find_missing(const Table& table) {
  std::vector<MissingColumn> out;
  for (const Column& column : table.columns) {
    if (!column.any_missing()) continue;
    MissingColumn m{column.name, 0, {}, !column.positions.empty()};
    for (std::size_t r = 0; r < column.missing.size(); ++r) {
      if (!column.missing[r]) continue;
      ++m.count;
      if (m.first_lines.size() < 5) {
        m.first_lines.push_back(r < column.positions.size() ? column.positions[r].line
                                                            : static_cast<std::uint32_t>(r + 1));
      }
    }
    if (m.count > 0) out.push_back(std::move(m));
  }
  return out;
}

std::string describe_missing(const Table& table, const std::vector<MissingColumn>& missing, std::string_view remedy) {
  std::string text = fmt::format("{}: missing or infinite values", table.source);
  for (const auto& m : missing) {
    text +=
        fmt::format("; column '{}': {} ({}{} {}{})", m.name, m.count, m.csv ? "line" : "record", m.count > 1 ? "s" : "",
                    fmt::join(m.first_lines, ", "), m.count > static_cast<Index>(m.first_lines.size()) ? ", ..." : "");
  }
  text += fmt::format(". {}", remedy);
  return text;
}

std::string_view imputation_name(Imputation method) {
  switch (method) {
    case Imputation::mean: return "mean";
    case Imputation::median: return "median";
    case Imputation::most_frequent: return "most-frequent";
  }
  return "mean";
}

std::optional<Imputation> parse_imputation(std::string_view name) {
  if (name == "mean") return Imputation::mean;
  if (name == "median") return Imputation::median;
  if (name == "most-frequent") return Imputation::most_frequent;
  return std::nullopt;
}

namespace {

void fill(Column& column, const std::string& value) {
  if (!column.any_missing()) return;
  std::optional<double> number;
  std::uint32_t code = kMissingCode;
  if (column.kind == ColumnKind::numeric) {
    number = parse_number(value);
    if (!number) throw Error(fmt::format("column '{}': cannot fill a numeric column with '{}'", column.name, value));
  } else {
    code = column.code_of(value);
  }
  for (std::size_t r = 0; r < column.missing.size(); ++r) {
    if (!column.missing[r]) continue;
    if (number) {
      column.numbers[r] = *number;
    } else {
      column.codes[r] = code;
    }
    column.missing[r] = false;
  }
}

// The most frequent of a categorical column's values in `rows` (ties: the first in
// text order); none when every one is missing.
std::optional<std::string> most_frequent_text(const Column& column, const std::vector<Index>& rows) {
  std::vector<Index> counts(column.categories.size());
  for (Index r : rows) {
    const std::uint32_t code = column.codes[static_cast<std::size_t>(r)];
    if (code != kMissingCode) ++counts[code];
  }
  std::optional<std::size_t> best;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] == 0) continue;
    if (!best || counts[k] > counts[*best] ||
        (counts[k] == counts[*best] && column.categories[k] < column.categories[*best]))
      best = k;
  }
  if (!best) return std::nullopt;
  return column.categories[*best];
}

// A numeric column's fill, as text: the mean (summed in row order), median or most
// frequent (ties: the least) of its values in `rows`; none when every one is missing.
std::optional<std::string> numeric_fill(const Column& column, const std::vector<Index>& rows, Imputation method) {
  std::vector<double> present;
  for (Index r : rows) {
    const auto i = static_cast<std::size_t>(r);
    if (!column.missing[i]) present.push_back(column.number(i));
  }
  if (present.empty()) return std::nullopt;
  const std::size_t n = present.size();
  if (method == Imputation::mean) {
    double sum = 0;
    for (double v : present) sum += v;
    return fmt::format("{}", sum / static_cast<double>(n));
  }
  std::sort(present.begin(), present.end());
  if (method == Imputation::median)
    return fmt::format("{}", n % 2 == 1 ? present[n / 2] : (present[n / 2 - 1] + present[n / 2]) / 2);
  auto best = present.begin();
  std::size_t best_count = 0;
  for (auto it = present.begin(); it != present.end();) {
    const auto next = std::upper_bound(it, present.end(), *it);
    if (static_cast<std::size_t>(next - it) > best_count) {
      best_count = static_cast<std::size_t>(next - it);
      best = it;
    }
    it = next;
  }
  return fmt::format("{}", *best);
}

}  // namespace

ImputedValues impute(Table& table, Imputation method, const std::vector<Index>& fit_rows, std::span<const Index> skip) {
  ImputedValues out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (std::find(skip.begin(), skip.end(), static_cast<Index>(c)) != skip.end()) continue;
    Column& column = table.columns[c];
    const std::optional<std::string> value = column.kind == ColumnKind::categorical
                                                 ? most_frequent_text(column, fit_rows)
                                                 : numeric_fill(column, fit_rows, method);
    if (!value) {
      if (!column.any_missing()) continue;
      throw Error(
          fmt::format("{}: column '{}' has no values in the training rows to impute from", table.source, column.name));
    }
    out.values.push_back({column.name, *value, column.kind});
    fill(column, *value);
  }
  return out;
}

void impute_like(Table& table, const ImputedValues& values, Index skip) {
  const auto positions = column_positions(table);
  for (const ImputedValue& v : values.values) {
    const auto at = positions.find(v.column);
    if (at == positions.end() || at->second == skip) continue;
    Column& column = table.columns[static_cast<std::size_t>(at->second)];
    const bool none_present = std::find(column.missing.begin(), column.missing.end(), false) == column.missing.end();
    if (none_present && column.kind != v.kind) {
      column.kind = v.kind;
      column.categories.clear();
      column.codes.assign(v.kind == ColumnKind::categorical ? column.missing.size() : 0, kMissingCode);
      column.numbers.assign(v.kind == ColumnKind::numeric ? column.missing.size() : 0,
                            std::numeric_limits<double>::quiet_NaN());
    }
    fill(column, v.value);
  }
}

}  // namespace glassnet
