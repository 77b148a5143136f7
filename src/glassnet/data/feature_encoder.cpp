#include "glassnet/data/feature_encoder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "glassnet/core/error.hpp"
#include "glassnet/core/huge_pages.hpp"

namespace glassnet {

FeatureEncoder::FeatureEncoder(const FeatureTransform& transform, const Table& table)
    : table_(table), standardize_(transform.standardize), width_(transform.width()) {
  // Every pixel of an image is an input: images of another size would match by name
  // (pixel_0, … are in both) and their other pixels be left out.
  if (table.image_pixels > 0 && table.image_pixels != static_cast<Index>(transform.columns.size())) {
    throw Error(fmt::format("{}: images of {} pixels; the model takes {} inputs (images the size it was trained on)",
                            table.source, table.image_pixels, transform.columns.size()));
  }
  // A missing value would reach the network as NaN (numeric) or as no category at all.
  if (transform.any_missing(table)) {
    throw Error(describe_missing(table, missing_features(transform, table),
                                 "Fill them first (FeatureTransform::fill_missing), or fix the data"));
  }
  if (width_ >= static_cast<Index>(InputRows::kNoInput)) {
    throw Error(fmt::format("{}: {} inputs, more than a network takes", table.source, width_));
  }
  const auto positions = column_positions(table);
  Index offset = 0;
  for (const FeatureColumn& feature : transform.columns) {
    const auto at = positions.find(feature.name);
    if (at == positions.end()) {
      throw Error(fmt::format("{}: the feature column '{}' is missing", table.source, feature.name));
    }
    const Column& column = table.columns[static_cast<std::size_t>(at->second)];
    if (feature.kind == ColumnKind::numeric && column.kind != ColumnKind::numeric) {
      // Where: its first value that is not a number (a column with none present is filled first).
      std::size_t row = 0;
      while (row < column.codes.size() && (column.missing[row] || parse_number(column.text(row)))) ++row;
      const bool found = row < column.codes.size();
      const std::string value = found ? column.text(row) : "";
      throw Error(fmt::format("{}: column '{}' holds {}; in training it was numeric",
                              found ? value_location(table.source, column, row) : table.source, feature.name,
                              beyond_double(value)
                                  ? fmt::format("'{}', beyond the range of a double (±1.8e308)", quoted_value(value))
                                  : fmt::format("text ('{}')", quoted_value(value))));
    }
    if (feature.kind == ColumnKind::numeric) {
      numeric_.push_back(
          {&column, &feature, offset, standardize_ ? feature.mean : 0.0, standardize_ ? 1.0 / feature.stddev : 1.0});
    } else {
      CategoricalInput in{&column, &feature, offset, {}, {}};
      for (std::size_t k = 0; k < feature.categories.size(); ++k)
        in.index[feature.categories[k]] = static_cast<Index>(k);
      // Text: each of the column's categories looked up once.
      for (const std::string& category : column.categories) in.input_of_code.push_back(input_of(in, category));
      categorical_.push_back(std::move(in));
    }
    offset += feature.inputs();
  }
}

std::optional<Index> FeatureEncoder::input_of(const CategoricalInput& in, std::string_view value) {
  if (const auto found = in.index.find(value); found != in.index.end()) return found->second;
  if (in.feature->other) return static_cast<Index>(in.feature->categories.size());
  return std::nullopt;
}

inline std::optional<Index> FeatureEncoder::categorical_input(const CategoricalInput& in, std::size_t row) const {
  const Column& column = *in.column;
  if (column.kind != ColumnKind::categorical) return input_of(in, fmt::format("{}", column.number(row)));
  if (column.codes[row] == kMissingCode) return std::nullopt;  // (none: missing values were refused)
  return in.input_of_code[column.codes[row]];
}

void FeatureEncoder::throw_too_large(const NumericInput& in, std::size_t row, double value, double input) const {
  throw Error(fmt::format("{}: {:g} in column '{}' is too large: {} it is {:g}, beyond the largest input, {:g}",
                          value_location(table_.source, *in.column, row), value, in.feature->name,
                          standardize_ ? "standardised," : "unstandardised,", input,
                          static_cast<double>(std::numeric_limits<Scalar>::max())));
}

inline Scalar FeatureEncoder::numeric_input(const NumericInput& in, std::size_t row) const {
  const double value = in.column->number(row);
  const double input = (value - in.shift) * in.scale;
  if (std::isfinite(value) && !(std::abs(input) <= std::numeric_limits<Scalar>::max())) [[unlikely]] {
    throw_too_large(in, row, value, input);
  }
  return static_cast<Scalar>(input);
}

Index FeatureEncoder::encode(std::span<const Index> rows, MatrixView x) const {
  x.setZero();
  Index unseen = 0;
  for (const CategoricalInput& in : categorical_) {
    for (Index r = 0; r < x.rows(); ++r) {
      const std::optional<Index> input =
          categorical_input(in, static_cast<std::size_t>(rows[static_cast<std::size_t>(r)]));
      if (input) {
        x(r, in.offset + *input) = 1;
      } else {
        ++unseen;
      }
    }
  }
  // Numeric inputs a block of rows at a time over every column: x is row-major, and a
  // whole column at a time would touch one cache line per row.
  constexpr Index kBlockRows = 64;
  for (Index first = 0; first < x.rows(); first += kBlockRows) {
    const Index end = std::min(x.rows(), first + kBlockRows);
    for (const NumericInput& in : numeric_) {
      for (Index r = first; r < end; ++r) {
        x(r, in.offset) = numeric_input(in, static_cast<std::size_t>(rows[static_cast<std::size_t>(r)]));
      }
    }
  }
  return unseen;
}

InputRows FeatureEncoder::encode_rows(std::span<const Index> rows, Index* unseen) const {
  const auto count = static_cast<Index>(rows.size());
  const auto text_columns = static_cast<Index>(categorical_.size());
  Matrix numeric(count, static_cast<Index>(numeric_.size()));
  advise_huge_pages(numeric.data(), static_cast<std::size_t>(numeric.size()) * sizeof(Scalar));
  std::vector<Index> numeric_at;
  for (const NumericInput& in : numeric_) numeric_at.push_back(in.offset);
  std::vector<std::uint32_t> codes(static_cast<std::size_t>(count * text_columns));
  Index unseen_count = 0;
  constexpr Index kBlockRows = 64;  // as encode: a block of rows over every column
  for (Index first = 0; first < count; first += kBlockRows) {
    const Index end = std::min(count, first + kBlockRows);
    for (std::size_t k = 0; k < categorical_.size(); ++k) {
      const CategoricalInput& in = categorical_[k];
      for (Index r = first; r < end; ++r) {
        const std::optional<Index> input =
            categorical_input(in, static_cast<std::size_t>(rows[static_cast<std::size_t>(r)]));
        unseen_count += !input;
        codes[static_cast<std::size_t>(r * text_columns) + k] =
            input ? static_cast<std::uint32_t>(in.offset + *input) : InputRows::kNoInput;
      }
    }
    for (std::size_t j = 0; j < numeric_.size(); ++j) {
      for (Index r = first; r < end; ++r) {
        numeric(r, static_cast<Index>(j)) =
            numeric_input(numeric_[j], static_cast<std::size_t>(rows[static_cast<std::size_t>(r)]));
      }
    }
  }
  if (unseen != nullptr) *unseen = unseen_count;
  return {std::move(numeric), std::move(numeric_at), std::move(codes), text_columns, width_};
}

}  // namespace glassnet
