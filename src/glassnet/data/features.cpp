#include "glassnet/data/features.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/core/huge_pages.hpp"
#include "glassnet/core/memory.hpp"
#include "glassnet/data/feature_encoder.hpp"

namespace glassnet {

Index FeatureTransform::width() const {
  Index w = 0;
  for (const auto& c : columns) w += c.inputs();
  return w;
}

std::vector<std::string> FeatureTransform::input_names() const {
  std::vector<std::string> names;
  for (const auto& c : columns) {
    if (c.kind == ColumnKind::numeric) {
      names.push_back(c.name);
    } else {
      for (const auto& category : c.categories) names.push_back(c.name + "=" + category);
      if (c.other) names.push_back(c.name + "=(other)");
    }
  }
  return names;
}

std::vector<MissingColumn> missing_features(const FeatureTransform& transform, const Table& table) {
  std::unordered_set<std::string_view> features;
  for (const auto& f : transform.columns) features.insert(f.name);
  std::vector<MissingColumn> out;
  for (MissingColumn& m : find_missing(table)) {
    if (features.contains(m.name)) out.push_back(std::move(m));
  }
  return out;
}

Matrix FeatureTransform::transform(const Table& table, Index* unseen) const {
  std::vector<Index> all(static_cast<std::size_t>(table.rows()));
  std::iota(all.begin(), all.end(), Index{0});
  return transform(table, all, unseen);
}

Matrix FeatureTransform::transform(const Table& table, std::span<const Index> rows, Index* unseen) const {
  const FeatureEncoder encoder(*this, table);
  Matrix x(static_cast<Index>(rows.size()), encoder.width());
  advise_huge_pages(x.data(), static_cast<std::size_t>(x.size()) * sizeof(Scalar));
  const Index unseen_count = encoder.encode(rows, view(x));
  if (unseen != nullptr) *unseen = unseen_count;
  return x;
}

bool FeatureTransform::any_missing(const Table& table) const {
  const auto positions = column_positions(table);
  for (const auto& feature : columns) {
    const auto at = positions.find(feature.name);
    if (at == positions.end()) continue;  // transform names it
    if (table.columns[static_cast<std::size_t>(at->second)].any_missing()) return true;
  }
  return false;
}

void FeatureTransform::fill_missing(Table& table) const {
  ImputedValues fills;
  for (const auto& feature : columns) {
    if (feature.fill) fills.values.push_back({feature.name, *feature.fill, feature.kind});
  }
  impute_like(table, fills, -1);
  const std::vector<MissingColumn> left = missing_features(*this, table);
  if (!left.empty()) {
    throw Error(describe_missing(table, left,
                                 "The model has no values to fill them with: fix the data, or train the model with "
                                 "--impute, which stores them"));
  }
}

std::vector<Index> non_feature_columns(const Table& table, Index target, const std::vector<std::string>& ignore) {
  std::vector<Index> out;
  if (target >= 0) out.push_back(target);
  for (const std::string& name : ignore) {
    const Index c = table.find_or_throw(name, "to --ignore");
    if (c == target) throw Error(fmt::format("{}: --ignore: '{}' is the target column", table.source, name));
    out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Whether `value` reads as a date or a time ("2024-03-01", "01/03/2024 14:05",
// "2024-03-01T14:05:00Z"): digits (six at least) and date and time separators only.
bool date_or_time(std::string_view value) {
  if (value.size() < 8 || value.size() > 40) return false;
  std::size_t digits = 0;
  for (char c : value) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (std::string_view("-/:. TZ+").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return digits >= 6 && value.find_first_of("-/:") != std::string_view::npos;
}

// An Error for a categorical column that is an identifier (fit_features); of dates or
// times (its first categories all read as such), it says so.
void check_not_identifier(const Table& table, const Column& column, const FeatureColumn& feature,
                          const std::vector<Index>& rows) {
  const auto values = static_cast<Index>(feature.categories.size());
  const auto training = static_cast<Index>(rows.size());
  if (values < kIdentifierValues || static_cast<double>(values) < kIdentifierShare * static_cast<double>(training))
    return;
  const auto first = feature.categories.begin();
  const bool dates = std::all_of(first, first + std::min<Index>(values, 10), date_or_time);
  throw Error(fmt::format(
      "{}: column '{}' holds {} different {} in {} training rows ('{}', '{}', …): {}; one-hot encoded, it would be {} "
      "inputs that rows outside training never share. Leave it out with --ignore {}{}",
      value_location(table.source, column, static_cast<std::size_t>(rows.front())), column.name, values,
      dates ? "dates or times" : "values", training, quoted_value(feature.categories[0]),
      quoted_value(feature.categories[1]),
      dates ? "text to glassnet, which reads no dates" : "an identifier, not a category", values, column.name,
      dates ? ", or write what matters of it (the day of the week, the hour, the days since an event) as numbers in "
              "columns of their own"
            : ""));
}

constexpr std::size_t kNotSeen = SIZE_MAX;

// Beyond `max_categories`, the max_categories − 1 most frequent categories (`counts`,
// ties to the first seen) in their order, and the "(other)" input for the rest.
void keep_most_frequent(FeatureColumn& feature, const std::vector<Index>& counts, Index max_categories) {
  const auto limit = static_cast<std::size_t>(max_categories);
  if (feature.categories.size() <= limit) return;
  std::vector<std::size_t> order(feature.categories.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
  order.resize(limit - 1);
  std::sort(order.begin(), order.end());
  std::vector<std::string> kept;
  kept.reserve(order.size());
  for (std::size_t k : order) kept.push_back(std::move(feature.categories[k]));
  feature.categories = std::move(kept);
  feature.other = true;
}

}  // namespace

FeatureTransform fit_features(const Table& table, Index target, const std::vector<Index>& rows,
                              const FeatureOptions& options) {
  if (rows.empty()) throw Error(fmt::format("{}: no training rows to fit the features on", table.source));
  if (options.max_categories < 2)
    throw Error(fmt::format("--max-categories: {}; expected 2 or more", options.max_categories));
  const std::vector<Index> left_out = non_feature_columns(table, target, options.ignore);
  FeatureTransform transform;
  transform.standardize = options.standardize;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (std::binary_search(left_out.begin(), left_out.end(), static_cast<Index>(c))) continue;
    const Column& column = table.columns[c];
    FeatureColumn feature{column.name, column.kind, 0.0, 1.0, {}};
    if (column.kind == ColumnKind::numeric) {
      double sum = 0;
      for (Index r : rows) sum += column.number(static_cast<std::size_t>(r));
      feature.mean = sum / static_cast<double>(rows.size());
      double squares = 0;
      for (Index r : rows) squares += std::pow(column.number(static_cast<std::size_t>(r)) - feature.mean, 2);
      const double stddev = std::sqrt(squares / static_cast<double>(rows.size()));
      if (!std::isfinite(feature.mean) || !std::isfinite(squares)) {
        // Values near the top of double's range: their sum or its squares overflow.
        Index largest = rows.front();
        for (Index r : rows) {
          if (std::abs(column.number(static_cast<std::size_t>(r))) >
              std::abs(column.number(static_cast<std::size_t>(largest))))
            largest = r;
        }
        throw Error(fmt::format("{}: {:g} in column '{}' is too large: the column's mean and spread overflow",
                                value_location(table.source, column, static_cast<std::size_t>(largest)),
                                column.number(static_cast<std::size_t>(largest)), column.name));
      }
      feature.stddev = stddev > 0 && std::isfinite(stddev) ? stddev : 1.0;  // constant: maps to 0
    } else {
      // Each category's count, in order of first appearance in `rows`: by the rows'
      // codes (a missing row, which a table to fit has none of, counts as "").
      std::vector<std::size_t> category_of_code(column.categories.size() + 1, kNotSeen);
      std::vector<Index> counts;
      for (Index r : rows) {
        const std::uint32_t code = column.codes[static_cast<std::size_t>(r)];
        std::size_t& category = category_of_code[code == kMissingCode ? column.categories.size() : code];
        if (category == kNotSeen) {
          category = feature.categories.size();
          feature.categories.push_back(column.text(static_cast<std::size_t>(r)));
          counts.push_back(0);
        }
        ++counts[category];
      }
      check_not_identifier(table, column, feature, rows);
      keep_most_frequent(feature, counts, options.max_categories);
    }
    transform.columns.push_back(std::move(feature));
  }
  if (transform.columns.empty()) {
    throw Error(fmt::format("{}: there are no feature columns besides the target{}", table.source,
                            options.ignore.empty() ? "" : " and those --ignore leaves out"));
  }
  return transform;
}

std::vector<RowNumberColumn> row_number_columns(const Table& table, const FeatureTransform& features) {
  std::vector<RowNumberColumn> out;
  if (table.rows() < kRowNumberRows) return out;
  const auto positions = column_positions(table);
  for (const FeatureColumn& f : features.columns) {
    const auto at = positions.find(f.name);
    if (f.kind != ColumnKind::numeric || at == positions.end()) continue;
    const Column& column = table.columns[static_cast<std::size_t>(at->second)];
    if (column.kind != ColumnKind::numeric || column.any_missing()) continue;
    const double first = column.number(0);
    bool counts = true;
    for (std::size_t r = 1; counts && r < column.missing.size(); ++r) {
      counts = column.number(r) == column.number(r - 1) + 1.0;
    }
    if (counts) out.push_back({f.name, first, column.number(column.missing.size() - 1)});
  }
  return out;
}

std::vector<DateColumn> date_columns(const FeatureTransform& features) {
  std::vector<DateColumn> out;
  for (const FeatureColumn& f : features.columns) {
    const auto dates = static_cast<Index>(f.categories.size());
    if (f.kind != ColumnKind::categorical || dates < kDateCategories) continue;
    if (!std::all_of(f.categories.begin(), f.categories.end(), date_or_time)) continue;
    out.push_back({f.name, dates, f.categories[0], f.categories[1]});
  }
  return out;
}

void check_inputs_fit(const FeatureTransform& transform, Index rows, std::uint64_t available,
                      const std::string& source) {
  const auto text =
      static_cast<Index>(std::count_if(transform.columns.begin(), transform.columns.end(),
                                       [](const FeatureColumn& c) { return c.kind != ColumnKind::numeric; }));
  const Index numeric = static_cast<Index>(transform.columns.size()) - text;
  // As InputRows holds them: a Scalar a numeric input, a 4-byte code a text column.
  const auto bytes = static_cast<std::uint64_t>(rows) * (static_cast<std::uint64_t>(numeric) * sizeof(Scalar) +
                                                         static_cast<std::uint64_t>(text) * sizeof(std::uint32_t));
  if (bytes <= available) return;
  throw Error(fmt::format("{}: the inputs would take {} ({} × {} and {}), more than the {} of memory available", source,
                          format_bytes(static_cast<double>(bytes)), counted(rows, "row"),
                          counted(numeric, "numeric input"), counted(text, "text column"),
                          format_bytes(static_cast<double>(available))));
}

}  // namespace glassnet
