#pragma once
// Evaluation metrics, named as in the JSON output (snake_case) and defined as in
// scikit-learn.
//
// Binary (labels 0/1, scores = P(y = 1), predictions = [score ≥ threshold]):
//   accuracy, balanced_accuracy (mean of the two recalls), precision, recall, f1 (of
//   class 1), roc_auc (Mann–Whitney: ties count one half), pr_auc (average precision,
//   Σ_n (R_n − R_{n−1}) P_n over distinct score thresholds), log_loss.
// Multiclass (labels 0..C−1, scores = per-class probabilities, prediction = argmax):
//   accuracy, balanced_accuracy, precision/recall/f1 (macro: unweighted mean over
//   classes), precision_weighted/recall_weighted/f1_weighted (weighted by support),
//   log_loss.
// Regression: mse, rmse, mae (over all outputs), r2 (1 − SSE/SST per output, averaged).
// A precision or recall whose denominator is 0 is 0, as scikit-learn's zero_division=0.
// roc_auc and pr_auc are NaN when the labels hold a single class (undefined), or when a
// score is NaN (no order); the curves are then empty.
// log_loss clips probabilities to [1e-15, 1 − 1e-15].

#include <map>
#include <span>
#include <string>
#include <vector>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

// counts[t * classes + p]: rows of true class t predicted as p.
struct ConfusionMatrix {
  Index classes = 0;
  std::vector<Index> counts;
  Index at(Index truth, Index predicted) const { return counts[static_cast<std::size_t>(truth * classes + predicted)]; }
};

// A curve through the distinct score thresholds, from the highest: x[i], y[i].
struct Curve {
  std::vector<double> x, y;
};
inline constexpr std::size_t kCurvePoints = 200;  // a curve keeps at most about this many points

struct Metrics {
  std::map<std::string, double> values;  // "accuracy" → 0.93, ...
  ConfusionMatrix confusion;             // classification only
  // Binary only, for drawing: ROC (false-positive rate, true-positive rate, from (0, 0))
  // and precision–recall (recall, precision); thinned to about kCurvePoints points, the
  // last always kept. Empty when the labels hold a single class.
  Curve roc, pr;
  double operator[](const std::string& name) const { return values.at(name); }
};

// scores: P(y = 1) per row; labels 0/1.
Metrics binary_metrics(std::span<const double> scores, std::span<const int> labels, double threshold = 0.5);
// probabilities:[N, C] rows summing to 1; labels 0..C−1.
Metrics multiclass_metrics(ConstMatrixView probabilities, std::span<const int> labels);
// predictions, targets:[N, K].
Metrics regression_metrics(ConstMatrixView predictions, ConstMatrixView targets);

double roc_auc(std::span<const double> scores, std::span<const int> labels);
Curve roc_curve(std::span<const double> scores, std::span<const int> labels);
Curve precision_recall_curve(std::span<const double> scores, std::span<const int> labels);
double average_precision(std::span<const double> scores, std::span<const int> labels);

}  // namespace glassnet
