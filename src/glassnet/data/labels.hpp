#pragma once
// The target column: the task it implies and its encoding.
//
// Inference: two distinct values → binary; 3..20 distinct values that are all integers
// or all text → multiclass; otherwise (more values, or non-integer numbers) regression.
// `--task` overrides. Class labels keep the text users wrote ("fraud", "ok"); numeric
// labels are their shortest text ("3" for 3.0; -0 is 0), and the label map (index →
// text) is sorted (numerically for numbers) and stored in the model.
// Binary targets are 0/1 for the BCE loss; multiclass targets are class indices for
// the cross-entropy; regression targets are the values.
// Errors: a missing target value, a regression target beyond the largest Scalar, a
// constant target, a binary task with other than two
// labels, classification of a target with too many distinct values.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "glassnet/core/matrix.hpp"
#include "glassnet/data/table.hpp"

namespace glassnet {

enum class Task { binary, multiclass, regression };

std::string_view task_name(Task task);
std::optional<Task> parse_task(std::string_view name);

struct LabelEncoding {
  Task task = Task::binary;
  std::vector<std::string> classes;  // index → label text (classification)
  // Classification: the target held numbers, so that each class is a number's text (the
  // Python module gives such labels back as numbers, text labels as text).
  bool numbers = false;

  // targets:[N, 1]: 0/1, class indices or values. Throws Error naming the file, line
  // and column of a label the encoding does not know. `source` names the file (the
  // column's own source, when it has one, is named instead).
  Matrix encode(const Column& target, const std::string& source) const;

  // Classification: the class a row of predictions picks (an index into `classes`):
  // P(class 1) ≥ 0.5 for binary predictions:[N, 1], the most probable of
  // predictions:[N, C] for multiclass.
  std::size_t predicted_class(ConstMatrixView predictions, Index row) const;
};

// Infers (or checks the given) task and builds the label map from the training target.
// Errors name `source`, or the column's own source when it has one (Python's y).
LabelEncoding fit_labels(const Column& target, const std::string& source, std::optional<Task> task = std::nullopt);

inline constexpr Index kMaxClasses = 20;

}  // namespace glassnet
