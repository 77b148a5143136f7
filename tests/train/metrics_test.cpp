// Every metric against reference values from scikit-learn 1.2.1 on fixed fixtures
// (computed once with sklearn.metrics; the fixtures are written out below).

#include "glassnet/train/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

constexpr double kMetricTol = 1e-12;

TEST(Metrics, BinaryMatchesScikitLearnIncludingTiedScores) {
  const std::vector<int> labels{0, 0, 1, 1, 0, 1, 1, 0, 1, 0};
  const std::vector<double> scores{0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.35, 0.2, 0.6, 0.6};
  const Metrics m = binary_metrics(scores, labels);
  EXPECT_NEAR(m["accuracy"], 0.7, kMetricTol);
  EXPECT_NEAR(m["balanced_accuracy"], 0.7, kMetricTol);
  EXPECT_NEAR(m["precision"], 0.75, kMetricTol);
  EXPECT_NEAR(m["recall"], 0.6, kMetricTol);
  EXPECT_NEAR(m["f1"], 0.6666666666666665, kMetricTol);
  EXPECT_NEAR(m["roc_auc"], 0.74, kMetricTol);
  EXPECT_NEAR(m["pr_auc"], 0.8, kMetricTol);
  EXPECT_NEAR(m["log_loss"], 0.5205419986113555, kMetricTol);
  EXPECT_EQ(m.confusion.counts, (std::vector<Index>{4, 1, 2, 3}));  // [[TN, FP], [FN, TP]]
}

TEST(Metrics, AucWithManyTies) {
  const std::vector<int> labels{1, 0, 1, 0, 1, 0};
  const std::vector<double> scores{0.5, 0.5, 0.5, 0.5, 0.9, 0.1};
  EXPECT_NEAR(roc_auc(scores, labels), 0.7777777777777778, kMetricTol);
  EXPECT_NEAR(average_precision(scores, labels), 0.7333333333333334, kMetricTol);
  // All scores tied: AUC is exactly one half.
  const std::vector<double> flat(6, 0.3);
  EXPECT_NEAR(roc_auc(flat, labels), 0.5, kMetricTol);
}

// On random scores with many ties: the AUC is the share of (positive, negative) pairs
// ranked right, ties counting one half, and the average precision Σ (R_n − R_{n−1}) P_n
// over the distinct thresholds, both counted pair by pair and threshold by threshold
// here; binary_metrics (one ranking for all) gives the standalone functions' values
// exactly.
TEST(Metrics, RankMetricsAgreeWithTheirDefinitionsOnTiedScores) {
  std::mt19937 random(11);
  const auto pick = [&](unsigned n) { return static_cast<unsigned>(random() % n); };
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 50 + pick(400);
    const unsigned levels = 2 + pick(30);  // few distinct scores: many ties
    std::vector<double> scores(n);
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) {
      scores[i] = static_cast<double>(pick(levels)) / levels;
      labels[i] = pick(3) == 0 ? 1 : 0;
    }
    labels[0] = 1;
    labels[1] = 0;
    double right = 0, positives = 0, negatives = 0;
    for (std::size_t i = 0; i < n; ++i) {
      (labels[i] == 1 ? positives : negatives) += 1;
      for (std::size_t j = 0; j < n; ++j) {
        if (labels[i] == 1 && labels[j] == 0) right += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      }
    }
    std::vector<double> thresholds = scores;
    std::sort(thresholds.rbegin(), thresholds.rend());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    double ap = 0, previous_recall = 0;
    for (const double t : thresholds) {
      double true_positives = 0, predicted = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (scores[i] < t) continue;
        predicted += 1;
        true_positives += labels[i];
      }
      ap += (true_positives / positives - previous_recall) * (true_positives / predicted);
      previous_recall = true_positives / positives;
    }
    EXPECT_NEAR(roc_auc(scores, labels), right / (positives * negatives), kMetricTol);
    EXPECT_NEAR(average_precision(scores, labels), ap, kMetricTol);
    const Metrics m = binary_metrics(scores, labels);
    EXPECT_EQ(m["roc_auc"], roc_auc(scores, labels));
    EXPECT_EQ(m["pr_auc"], average_precision(scores, labels));
    const Curve roc = roc_curve(scores, labels), pr = precision_recall_curve(scores, labels);
    EXPECT_EQ(m.roc.x, roc.x);
    EXPECT_EQ(m.roc.y, roc.y);
    EXPECT_EQ(m.pr.x, pr.x);
    EXPECT_EQ(m.pr.y, pr.y);
    ASSERT_EQ(roc.x.size(), thresholds.size() + 1) << "(0, 0), then a point per distinct score";
    EXPECT_EQ(roc.x.back(), 1.0);
    EXPECT_EQ(roc.y.back(), 1.0);
  }
}

TEST(Metrics, AucIsUndefinedForASingleClass) {
  const std::vector<int> labels{1, 1, 1};
  const std::vector<double> scores{0.2, 0.5, 0.9};
  EXPECT_TRUE(std::isnan(roc_auc(scores, labels)));
  EXPECT_TRUE(std::isnan(average_precision(scores, labels)));
  // Precision with no predicted positives is 0, not a division by zero.
  const std::vector<int> mixed{0, 1};
  const std::vector<double> low{0.1, 0.2};
  EXPECT_EQ(binary_metrics(low, mixed)["precision"], 0.0);
}

// A NaN score has no place in an order: the rank metrics are undefined and the curves
// empty (their tie groups never advanced past a NaN: an endless loop).
TEST(Metrics, ANaNScoreLeavesTheRankMetricsUndefined) {
  const std::vector<double> scores = {0.2, std::nan(""), 0.7, 0.9};
  const std::vector<int> labels = {0, 1, 0, 1};
  EXPECT_TRUE(std::isnan(roc_auc(scores, labels)));
  EXPECT_TRUE(std::isnan(average_precision(scores, labels)));
  const Metrics m = binary_metrics(scores, labels, 0.5);
  EXPECT_TRUE(m.roc.x.empty());
  EXPECT_TRUE(m.pr.x.empty());
  EXPECT_DOUBLE_EQ(m["accuracy"], 0.5) << "the other metrics still count the rows";
}

TEST(Metrics, MulticlassMacroAndWeightedMatchScikitLearn) {
  Eigen::Matrix<double, 7, 3, Eigen::RowMajor> fixture;
  fixture << 0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.1, 0.3, 0.6, 0.5, 0.4, 0.1, 0.2, 0.7, 0.1, 0.25, 0.25, 0.5, 0.6, 0.3, 0.1;
  const Matrix p = fixture.cast<Scalar>();
  const std::vector<int> labels{0, 1, 2, 1, 1, 0, 0};
  const Metrics m = multiclass_metrics(p, labels);
  const double tol = kDoublePrecision ? kMetricTol : 1e-6;  // the probabilities are Scalar
  EXPECT_NEAR(m["accuracy"], 0.7142857142857143, tol);
  EXPECT_NEAR(m["balanced_accuracy"], 0.7777777777777777, tol);
  EXPECT_NEAR(m["precision"], 0.7222222222222222, tol);
  EXPECT_NEAR(m["recall"], 0.7777777777777777, tol);
  EXPECT_NEAR(m["f1"], 0.7111111111111111, tol);
  EXPECT_NEAR(m["precision_weighted"], 0.7857142857142857, tol);
  EXPECT_NEAR(m["recall_weighted"], 0.7142857142857143, tol);
  EXPECT_NEAR(m["f1_weighted"], 0.7238095238095239, tol);
  EXPECT_NEAR(m["log_loss"], 0.7076967086110925, kDoublePrecision ? kMetricTol : 1e-6);
  EXPECT_EQ(m.confusion.counts, (std::vector<Index>{2, 0, 1, 1, 2, 0, 0, 0, 1}));
}

TEST(Metrics, RegressionMatchesScikitLearn) {
  Matrix predictions(4, 2), targets(4, 2);
  predictions << 1.0, 2.0, 2.5, 0.0, 3.0, 1.0, -1.0, 4.0;
  targets << 1.5, 2.0, 2.0, -1.0, 2.0, 1.5, -0.5, 3.0;
  const Metrics m = regression_metrics(predictions, targets);
  EXPECT_NEAR(m["mse"], 0.5, kMetricTol);
  EXPECT_NEAR(m["rmse"], 0.7071067811865476, kMetricTol);
  EXPECT_NEAR(m["mae"], 0.625, kMetricTol);
  EXPECT_NEAR(m["r2"], 0.6646212441811257, kMetricTol);
}

TEST(Metrics, RejectMismatchedInputs) {
  const std::vector<int> labels{0, 1, 2};
  const std::vector<double> scores{0.1, 0.2, 0.3};
  EXPECT_THROW(binary_metrics(scores, labels), Error);  // label 2 in a binary task
  EXPECT_THROW(binary_metrics(std::vector<double>{0.1}, labels), Error);
  EXPECT_THROW(binary_metrics({}, {}), Error);
  EXPECT_THROW(regression_metrics(Matrix(Matrix::Zero(2, 1)), Matrix(Matrix::Zero(3, 1))), Error);
}

}  // namespace
}  // namespace glassnet
