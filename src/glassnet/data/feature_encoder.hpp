#pragma once
// A fitted FeatureTransform applied to one table, a block of rows at a time: the table's
// columns are found and checked once, and each block is encoded into a matrix the
// caller keeps, so that predictions over a large table never hold the whole input
// matrix (a million rows of 1,170 one-hot inputs would be 4.7 GB).
//
//   const FeatureEncoder encoder(transform, table);  // throws what transform throws
//   Matrix x(rows.size(), encoder.width());
//   unseen += encoder.encode(rows, x);               // x:[rows.size(), width]
//
// FeatureTransform::transform is one encode of the rows asked for. The encoder refers to
// `transform` and `table`, which must outlive it.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet {

class FeatureEncoder {
 public:
  // Throws Error naming a feature column the table lacks, a numeric one that holds text
  // (where), missing values (describe_missing: fill them first), or images
  // (Table::image_pixels) of another size.
  FeatureEncoder(const FeatureTransform& transform, const Table& table);
  // It keeps references: temporaries would dangle.
  FeatureEncoder(FeatureTransform&&, const Table&) = delete;
  FeatureEncoder(const FeatureTransform&, Table&&) = delete;

  Index width() const { return width_; }

  // Writes rows `rows` of the table (each below table.rows()), in that order, into x,
  // whose every element it sets; returns how many categorical values were unseen in
  // training (encoded as all zeros). Throws Error for a value too large for the
  // network's inputs, naming its file, line and column. x:[rows.size(), width()]
  Index encode(std::span<const Index> rows, MatrixView x) const;
  // The same rows held as data/input_rows.hpp's InputRows: the numeric inputs and a code
  // a row for each text column. `unseen` (if given) receives encode's count.
  InputRows encode_rows(std::span<const Index> rows, Index* unseen = nullptr) const;

 private:
  struct NumericInput {
    const Column* column;
    const FeatureColumn* feature;
    Index offset;
    double shift, scale;  // input = (value − shift) × scale
  };
  struct CategoricalInput {
    const Column* column;
    const FeatureColumn* feature;
    Index offset;
    // By the table's code: the input within the feature's, or none (unseen).
    std::vector<std::optional<Index>> input_of_code;
    // By text, for a numeric-looking column that was categorical in training (read as
    // text, a row at a time).
    std::unordered_map<std::string_view, Index> index;
  };
  // A value's input within its feature's: its category's, the pooled input's, or none.
  static std::optional<Index> input_of(const CategoricalInput& in, std::string_view value);
  // Row `row`'s input within the feature's (none: unseen), and its numeric input.
  std::optional<Index> categorical_input(const CategoricalInput& in, std::size_t row) const;
  Scalar numeric_input(const NumericInput& in, std::size_t row) const;
  [[noreturn, gnu::cold]] void throw_too_large(const NumericInput& in, std::size_t row, double value,
                                               double input) const;

  const Table& table_;
  bool standardize_;
  Index width_;
  std::vector<NumericInput> numeric_;
  std::vector<CategoricalInput> categorical_;
};

}  // namespace glassnet
