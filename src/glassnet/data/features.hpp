#pragma once
// Turning a table's feature columns into the network's input matrix, fitted on the
// training data only and applied unchanged to validation, test and prediction data.
//
//   numeric column      → one input: the value, standardised (x − mean) / std with the
//                         training split's mean and standard deviation (population std;
//                         a constant column gets std 1, so it maps to 0, never a
//                         division by zero). `standardize = false` passes values through.
//   categorical column  → one input per category seen in training (one-hot, in order of
//                         first appearance); a category unseen in training maps to all
//                         zeros and is counted. A column with more categories than
//                         FeatureOptions::max_categories keeps the max_categories − 1
//                         most frequent in the training rows (ties: the first seen) and
//                         one input more, "(other)", for every other value, those
//                         unseen in training included (not counted then).
// Columns are matched by name, so prediction files may order them differently or omit
// the target. Missing values must be filled before (impute, or fill_missing with the
// columns' own `fill`); a numeric value that is too large — its standardised value, or
// the column's mean and spread, beyond the range of Scalar — is an Error naming the
// value's file, line and column.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet {

struct FeatureColumn {
  std::string name;
  ColumnKind kind = ColumnKind::numeric;
  double mean = 0.0;                    // numeric
  double stddev = 1.0;                  // numeric
  std::vector<std::string> categories;  // categorical
  bool other = false;                   // categorical: an input after the categories for every other value
  // The value that replaces a missing one (--impute: fitted on the training rows), as
  // text; none: a missing value is an error.
  std::optional<std::string> fill;

  // Its inputs: 1 (numeric), or one per category and "(other)" (categorical).
  Index inputs() const {
    return kind == ColumnKind::numeric ? 1 : static_cast<Index>(categories.size()) + (other ? 1 : 0);
  }
};

struct FeatureTransform {
  std::vector<FeatureColumn> columns;
  bool standardize = true;

  // Input width: one per numeric column plus one per category (and "(other)").
  Index width() const;
  // Names of the inputs: "amount", "country=FR", ..., "country=(other)".
  std::vector<std::string> input_names() const;
  // x:[N, width]. `unseen` (if given) receives the number of categorical values not
  // seen in training. The whole matrix at once: data/feature_encoder.hpp encodes a
  // block of rows at a time. Throws Error naming a feature column the table lacks, a numeric one
  // that holds text (where), missing values (describe_missing: fill_missing first), or
  // images (Table::image_pixels) of another size.
  Matrix transform(const Table& table, Index* unseen = nullptr) const;
  // The same for rows `rows` of `table` alone (each below table.rows()), in that order:
  // x:[rows.size(), width] (the split's parts, made without transforming every row first).
  Matrix transform(const Table& table, std::span<const Index> rows, Index* unseen = nullptr) const;
  // Fills the missing values of the feature columns of `table` with their `fill`; an
  // Error (describe_missing) for those of columns that have none.
  void fill_missing(Table& table) const;
  // Whether any feature column of `table` has a missing value.
  bool any_missing(const Table& table) const;
};

// The columns of find_missing(table) that are features of `transform`.
std::vector<MissingColumn> missing_features(const FeatureTransform& transform, const Table& table);

// The columns of `table` that are no features, in ascending order: `target` (-1 for
// none) and those named in `ignore` (--ignore). Throws Error for a name in `ignore` that
// is no column of the table, or is the target.
std::vector<Index> non_feature_columns(const Table& table, Index target, const std::vector<std::string>& ignore);

inline constexpr Index kDefaultMaxCategories = 1000;

struct FeatureOptions {
  bool standardize = true;                       // --no-standardize: false
  std::vector<std::string> ignore;               // --ignore
  Index max_categories = kDefaultMaxCategories;  // --max-categories: inputs of a categorical column, at least 2
};

// Learns the transform from the training rows `rows` of `table`, over every column but
// non_feature_columns(table, target, options.ignore), and throws its Errors; also one
// for no feature column left, and one for an identifier: a categorical column whose
// training rows hold at least kIdentifierValues different values, one for nearly every
// row (at least kIdentifierShare of them) — one-hot encoded, it would add an input per
// row that no other row shares; the message names --ignore for it, and for dates or
// times (glassnet reads them as text) says so and how to write them as numbers.
inline constexpr Index kIdentifierValues = 100;
inline constexpr double kIdentifierShare = 0.9;
FeatureTransform fit_features(const Table& table, Index target, const std::vector<Index>& rows,
                              const FeatureOptions& options);

// A numeric feature column that counts the rows of its file: first, first + 1, …, last
// in file order, over at least kRowNumberRows rows, none missing — a row number written
// with the data (a data frame's index), which says where a row sits in the file, not
// what it is (diag/preflight.hpp: row_number).
inline constexpr Index kRowNumberRows = 20;
struct RowNumberColumn {
  std::string name;
  double first = 0.0, last = 0.0;
};
std::vector<RowNumberColumn> row_number_columns(const Table& table, const FeatureTransform& features);

// A text feature column whose categories are dates or times — at least kDateCategories
// of them (the pooled input of --max-categories not counted), every one reading as a
// date or a time: one-hot encoded, each date is an input of its own, so nothing the
// network learns of one date carries to the next, and a date after the training rows'
// is an input no training row set (diag/preflight.hpp: date_column).
inline constexpr Index kDateCategories = 20;
struct DateColumn {
  std::string name;
  Index dates = 0;                      // its categories
  std::string first_seen, second_seen;  // the first two, in the training rows' order
};
std::vector<DateColumn> date_columns(const FeatureTransform& features);

// Throws Error when the inputs of `rows` rows in all (the training, validation and test
// rows' together, held as data/input_rows.hpp's InputRows: a Scalar a row for each
// numeric input, a 4-byte code for each text column) would take more than `available`
// bytes, before they are made.
void check_inputs_fit(const FeatureTransform& transform, Index rows, std::uint64_t available,
                      const std::string& source);

}  // namespace glassnet
