#pragma once
// The rows a run trains on and is judged by, prepared from its data as train/run.hpp's
// RunConfig says: the target and task → the split (stratified for classification,
// seeded) or the validation and test files → missing values reported (or imputed,
// fitted on the training rows) → features fitted on the training rows → the matrices.
//
//   auto data = prepare_data(config, table);  // throws Error for bad input
//   TrainingRun run(config, data);            // as TrainingRun(config, table)
//
// Preparation reads only the fields same_preparation compares, so runs whose
// configurations agree on them (the repair's trials of one seed: diag/trials.hpp) share
// one PreparedData instead of preparing it each. It is immutable once made.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/features.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet {

struct RunConfig;

struct PreparedData {
  LabelEncoding labels;       // the task and, for classification, the classes
  std::string target;         // the target column's name
  FeatureTransform features;  // fitted on the training rows (with --impute, each column's fill)
  // x: rows × inputs, a text column held as a code a row (data/input_rows.hpp); y: rows
  // × 1 (the class index, or the regression target). Validation and test have no rows
  // when the run has none.
  InputRows x_train, x_val, x_test;
  Matrix y_train, y_val, y_test;
  // Categories in the validation or test file unseen in training; text columns whose
  // rarer categories share one input (--max-categories).
  std::vector<std::string> warnings;
  std::vector<RowNumberColumn> row_numbers;  // feature columns that count the training file's rows
  std::vector<DateColumn> date_columns;      // text feature columns of dates or times
  std::uint64_t bytes = 0;  // the tables and the inputs and targets made from them (preflight's memory estimate)
  std::shared_ptr<const RunConfig> made_for;  // the configuration it was prepared for
};

// Throws Error for bad input: no such target, labels that do not fit --task, missing
// values without --impute, an unreadable validation or test file, what fit_features
// refuses (--ignore naming no column, an identifier column), inputs larger than the
// memory available (check_inputs_fit).
std::shared_ptr<const PreparedData> prepare_data(const RunConfig& config, const Table& table);

// Whether prepare_data makes the same data for both from one table.
bool same_preparation(const RunConfig& a, const RunConfig& b);

// The target column's index in `table`: `target`, or the last column when it is empty.
// Throws Error, naming the columns, when there is none of that name.
Index target_index(const Table& table, const std::string& target);

}  // namespace glassnet
