#include "glassnet/train/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

constexpr double kLogLossClip = 1e-15;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : 0.0; }

void check_sizes(std::size_t scores, std::size_t labels) {
  if (scores != labels) throw Error(fmt::format("metrics: {} scores but {} labels", scores, labels));
  if (scores == 0) throw Error("metrics: no rows");
}

ConfusionMatrix confusion_of(std::span<const int> labels, std::span<const int> predicted, Index classes) {
  ConfusionMatrix c{classes, std::vector<Index>(static_cast<std::size_t>(classes * classes), 0)};
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) {
      throw Error(fmt::format("metrics: label {} of row {} is outside 0..{}", labels[i], i, classes - 1));
    }
    ++c.counts[static_cast<std::size_t>(labels[i] * classes + predicted[i])];
  }
  return c;
}

// Per-class precision, recall, F1 and support, and the accuracy and balanced accuracy.
void add_class_metrics(const ConfusionMatrix& c, bool binary, Metrics& out) {
  const Index k = c.classes;
  double total = 0, correct = 0;
  std::vector<double> precision(static_cast<std::size_t>(k)), recall(precision), f1(precision), support(precision);
  std::vector<bool> seen(static_cast<std::size_t>(k));  // in the labels or the predictions
  for (Index t = 0; t < k; ++t) {
    double predicted = 0, actual = 0;
    for (Index j = 0; j < k; ++j) {
      predicted += static_cast<double>(c.at(j, t));
      actual += static_cast<double>(c.at(t, j));
    }
    const double tp = static_cast<double>(c.at(t, t));
    const auto i = static_cast<std::size_t>(t);
    precision[i] = ratio(tp, predicted);
    recall[i] = ratio(tp, actual);
    f1[i] = ratio(2 * precision[i] * recall[i], precision[i] + recall[i]);
    support[i] = actual;
    seen[i] = actual > 0 || predicted > 0;
    total += actual;
    correct += tp;
  }
  out.values["accuracy"] = correct / total;
  double recall_sum = 0;
  Index present = 0;
  for (std::size_t i = 0; i < support.size(); ++i) {
    if (support[i] > 0) {
      recall_sum += recall[i];
      ++present;
    }
  }
  out.values["balanced_accuracy"] = ratio(recall_sum, static_cast<double>(present));
  if (binary) {
    out.values["precision"] = precision[1];
    out.values["recall"] = recall[1];
    out.values["f1"] = f1[1];
    return;
  }
  // Macro averages run over the classes seen in the labels or the predictions, as
  // scikit-learn's (labels = unique_labels(y_true, y_pred)).
  const auto mean = [&](const std::vector<double>& v) {
    double s = 0, n = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (seen[i]) {
        s += v[i];
        n += 1;
      }
    }
    return ratio(s, n);
  };
  const auto weighted = [&](const std::vector<double>& v) {
    double s = 0;
    for (std::size_t i = 0; i < v.size(); ++i) s += v[i] * support[i];
    return s / total;
  };
  out.values["precision"] = mean(precision);
  out.values["recall"] = mean(recall);
  out.values["f1"] = mean(f1);
  out.values["precision_weighted"] = weighted(precision);
  out.values["recall_weighted"] = weighted(recall);
  out.values["f1_weighted"] = weighted(f1);
}

}  // namespace

namespace {

// A row as the ranking metrics see it.
struct RankedRow {
  double score = 0.0;
  bool positive = false;  // label 1
};

// The rows by score, highest first, sorted once for all four ranking metrics (the
// pairs themselves, not indices into the scores: no scattered reads); tied rows in any
// order, since every metric below takes a tie group whole. No rows when a score is NaN
// (no order): the metrics are then NaN and the curves empty.
struct Ranking {
  std::vector<RankedRow> rows;
  double positives = 0, negatives = 0;
};

Ranking ranked(std::span<const double> scores, std::span<const int> labels) {
  check_sizes(scores.size(), labels.size());
  if (std::any_of(scores.begin(), scores.end(), [](double s) { return std::isnan(s); })) return {};
  Ranking out;
  out.rows.resize(scores.size());
  for (std::size_t i = 0; i < out.rows.size(); ++i) {
    out.rows[i] = {scores[i], labels[i] == 1};
    out.positives += out.rows[i].positive;
  }
  out.negatives = static_cast<double>(out.rows.size()) - out.positives;
  std::sort(out.rows.begin(), out.rows.end(), [](const RankedRow& a, const RankedRow& b) { return a.score > b.score; });
  return out;
}

// At each distinct threshold, from the highest (all tied rows enter together): calls
// group(true_positives, false_positives, begin, end), the counts of the rows [0, end)
// ranked at or above it, [begin, end) being the tie group that entered.
template <typename Group>
void walk_thresholds(const std::vector<RankedRow>& rows, Group group) {
  double true_positives = 0, false_positives = 0;
  for (std::size_t begin = 0; begin < rows.size();) {
    std::size_t end = begin;
    while (end < rows.size() && rows[end].score == rows[begin].score) {
      (rows[end].positive ? true_positives : false_positives) += 1;
      ++end;
    }
    group(true_positives, false_positives, begin, end);
    begin = end;
  }
}

double roc_auc_of(const Ranking& ranking) {
  const std::vector<RankedRow>& rows = ranking.rows;
  const double positives = ranking.positives, negatives = ranking.negatives;
  if (rows.empty() || positives == 0 || negatives == 0) return kNaN;
  // The sum of the positives' ranks (1 for the lowest score), tied scores sharing their
  // average rank. (Half-integers: the sum is exact in any order below 2^52.)
  const auto n = static_cast<double>(rows.size());
  double positive_rank_sum = 0, positives_so_far = 0;
  walk_thresholds(rows, [&](double tp, double /*fp*/, std::size_t begin, std::size_t end) {
    const double average_rank = ((n - static_cast<double>(end)) + (n - static_cast<double>(begin)) + 1.0) / 2.0;
    positive_rank_sum += average_rank * (tp - positives_so_far);
    positives_so_far = tp;
  });
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

double average_precision_of(const Ranking& ranking) {
  const std::vector<RankedRow>& rows = ranking.rows;
  const double positives = ranking.positives, negatives = ranking.negatives;
  if (rows.empty() || positives == 0 || negatives == 0) return kNaN;
  double previous_recall = 0, ap = 0;
  walk_thresholds(rows, [&](double tp, double /*fp*/, std::size_t /*begin*/, std::size_t end) {
    const double recall = tp / positives;
    ap += (recall - previous_recall) * (tp / static_cast<double>(end));
    previous_recall = recall;
  });
  return ap;
}

// Every k-th point, so that about kCurvePoints remain, and always the last.
Curve thinned(Curve c) {
  const std::size_t n = c.x.size(), step = (n + kCurvePoints - 1) / kCurvePoints;
  if (step <= 1) return c;
  Curve out;
  for (std::size_t i = 0; i < n; i += step) {
    out.x.push_back(c.x[i]);
    out.y.push_back(c.y[i]);
  }
  if ((n - 1) % step != 0) {
    out.x.push_back(c.x.back());
    out.y.push_back(c.y.back());
  }
  return out;
}

Curve roc_curve_of(const Ranking& ranking) {
  const std::vector<RankedRow>& rows = ranking.rows;
  const double positives = ranking.positives, negatives = ranking.negatives;
  if (rows.empty() || positives == 0 || negatives == 0) return {};
  Curve c{{0.0}, {0.0}};
  walk_thresholds(rows, [&](double tp, double fp, std::size_t /*begin*/, std::size_t /*end*/) {
    c.x.push_back(fp / negatives);
    c.y.push_back(tp / positives);
  });
  return thinned(std::move(c));
}

Curve precision_recall_curve_of(const Ranking& ranking) {
  const std::vector<RankedRow>& rows = ranking.rows;
  const double positives = ranking.positives, negatives = ranking.negatives;
  if (rows.empty() || positives == 0 || negatives == 0) return {};
  Curve c;
  walk_thresholds(rows, [&](double tp, double fp, std::size_t /*begin*/, std::size_t /*end*/) {
    c.x.push_back(tp / positives);
    c.y.push_back(tp / (tp + fp));
  });
  return thinned(std::move(c));
}

}  // namespace

double roc_auc(std::span<const double> scores, std::span<const int> labels) {
  return roc_auc_of(ranked(scores, labels));
}

double average_precision(std::span<const double> scores, std::span<const int> labels) {
  return average_precision_of(ranked(scores, labels));
}

Curve roc_curve(std::span<const double> scores, std::span<const int> labels) {
  return roc_curve_of(ranked(scores, labels));
}

Curve precision_recall_curve(std::span<const double> scores, std::span<const int> labels) {
  return precision_recall_curve_of(ranked(scores, labels));
}

Metrics binary_metrics(std::span<const double> scores, std::span<const int> labels, double threshold) {
  check_sizes(scores.size(), labels.size());
  std::vector<int> predicted(scores.size());
  double log_loss = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1) {
      throw Error(fmt::format("metrics: label {} of row {}; a binary task has labels 0 and 1", labels[i], i));
    }
    predicted[i] = scores[i] >= threshold ? 1 : 0;
    const double p = std::clamp(scores[i], kLogLossClip, 1 - kLogLossClip);
    log_loss -= labels[i] == 1 ? std::log(p) : std::log(1 - p);
  }
  Metrics out;
  out.confusion = confusion_of(labels, predicted, 2);
  add_class_metrics(out.confusion, true, out);
  const Ranking ranking = ranked(scores, labels);
  out.values["roc_auc"] = roc_auc_of(ranking);
  out.values["pr_auc"] = average_precision_of(ranking);
  out.roc = roc_curve_of(ranking);
  out.pr = precision_recall_curve_of(ranking);
  out.values["log_loss"] = log_loss / static_cast<double>(scores.size());
  return out;
}

Metrics multiclass_metrics(ConstMatrixView probabilities, std::span<const int> labels) {
  check_sizes(static_cast<std::size_t>(probabilities.rows()), labels.size());
  const Index classes = probabilities.cols();
  std::vector<int> predicted(labels.size());
  double log_loss = 0;
  for (Index i = 0; i < probabilities.rows(); ++i) {
    Index best = 0;
    probabilities.row(i).maxCoeff(&best);
    predicted[static_cast<std::size_t>(i)] = static_cast<int>(best);
    const int label = labels[static_cast<std::size_t>(i)];
    if (label < 0 || label >= classes) {
      throw Error(fmt::format("metrics: label {} of row {} is outside 0..{}", label, i, classes - 1));
    }
    log_loss -= std::log(std::clamp(static_cast<double>(probabilities(i, label)), kLogLossClip, 1 - kLogLossClip));
  }
  Metrics out;
  out.confusion = confusion_of(labels, predicted, classes);
  add_class_metrics(out.confusion, false, out);
  out.values["log_loss"] = log_loss / static_cast<double>(labels.size());
  return out;
}

Metrics regression_metrics(ConstMatrixView predictions, ConstMatrixView targets) {
  if (predictions.rows() != targets.rows() || predictions.cols() != targets.cols()) {
    throw Error(fmt::format("metrics: predictions are [{}, {}] but targets [{}, {}]", predictions.rows(),
                            predictions.cols(), targets.rows(), targets.cols()));
  }
  if (predictions.size() == 0) throw Error("metrics: no rows");
  const auto n = static_cast<double>(predictions.size());
  double sse = 0, sae = 0;
  for (Index i = 0; i < predictions.size(); ++i) {
    const double d = static_cast<double>(predictions.data()[i]) - targets.data()[i];
    sse += d * d;
    sae += std::abs(d);
  }
  // r2 per output, averaged uniformly over outputs (scikit-learn's default).
  double r2 = 0;
  for (Index k = 0; k < targets.cols(); ++k) {
    const double mean = targets.col(k).cast<double>().mean();
    const double sst = (targets.col(k).cast<double>().array() - mean).square().sum();
    const double sse_k = (predictions.col(k).cast<double>() - targets.col(k).cast<double>()).squaredNorm();
    r2 += sst > 0 ? 1 - sse_k / sst : (sse_k == 0 ? 1.0 : 0.0);
  }
  Metrics out;
  out.values["mse"] = sse / n;
  out.values["rmse"] = std::sqrt(sse / n);
  out.values["mae"] = sae / n;
  out.values["r2"] = r2 / static_cast<double>(targets.cols());
  return out;
}

}  // namespace glassnet
