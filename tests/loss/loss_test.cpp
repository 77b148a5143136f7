#include "glassnet/loss/loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/mse.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/nn/output_transform.hpp"

namespace glassnet {
namespace {

constexpr double kTol = kDoublePrecision ? 1e-12 : 1e-6;

Matrix matrix(Index rows, Index cols, std::initializer_list<double> values) {
  Matrix m(rows, cols);
  Index i = 0;
  for (double v : values) m.data()[i++] = static_cast<Scalar>(v);
  return m;
}

// check makes value's checks from the targets, the weights and the logits' width alone.
TEST(Loss, CheckRejectsWhatValueRejectsWithoutLogits) {
  const Matrix binary = (Matrix(3, 1) << 0, 1, 1).finished();
  const Matrix classes = (Matrix(3, 1) << 0, 2, 1).finished();
  EXPECT_NO_THROW(BceWithLogits().check(1, binary));
  EXPECT_THROW(BceWithLogits().check(2, binary), Error) << "one target per output";
  EXPECT_NO_THROW(SoftmaxCrossEntropy().check(3, classes));
  EXPECT_THROW(SoftmaxCrossEntropy().check(2, classes), Error) << "class 2 of 2";
  const std::vector<Scalar> none{0, 0, 0}, negative{1, -1, 1}, two{1, 1};
  EXPECT_THROW(BceWithLogits().check(1, binary, none), Error);
  EXPECT_THROW(BceWithLogits().check(1, binary, negative), Error);
  EXPECT_THROW(BceWithLogits().check(1, binary, two), Error);
}

TEST(BceWithLogits, MatchesTheDefinition) {
  const auto loss = make_loss(LossKind::bce_with_logits);
  const Matrix z = matrix(3, 1, {0.0, 2.0, -1.0});
  const Matrix y = matrix(3, 1, {1.0, 0.0, 1.0});
  const auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  const double expected = (-std::log(0.5) - std::log(1 - sig(2.0)) - std::log(sig(-1.0))) / 3.0;
  EXPECT_NEAR(loss->value(z, y), expected, kTol);
  Matrix dz(3, 1);
  EXPECT_NEAR(loss->value_and_gradient(z, y, {}, view(dz)), expected, kTol);
  EXPECT_NEAR(dz(0, 0), (0.5 - 1.0) / 3, kTol);
  EXPECT_NEAR(dz(1, 0), sig(2.0) / 3, kTol);
}

TEST(BceWithLogits, IsFiniteForEveryFiniteLogit) {
  const auto loss = make_loss(LossKind::bce_with_logits);
  const double big = std::numeric_limits<Scalar>::max();
  const Matrix z = matrix(4, 1, {-big, big, -1e4, 1e4});
  const Matrix y = matrix(4, 1, {0, 1, 0, 1});  // confidently right: loss 0
  Matrix dz(4, 1);
  EXPECT_EQ(loss->value_and_gradient(z, y, {}, view(dz)), 0.0);
  EXPECT_TRUE(dz.allFinite());
  const Matrix wrong = matrix(4, 1, {1, 0, 1, 0});  // confidently wrong: large but finite
  const double value = loss->value_and_gradient(z, wrong, {}, view(dz));
  EXPECT_TRUE(std::isfinite(value));
  EXPECT_GT(value, 1e3);
  EXPECT_TRUE(dz.allFinite());
}

TEST(SoftmaxCrossEntropy, MatchesTheDefinitionAndIsStable) {
  const auto loss = make_loss(LossKind::softmax_cross_entropy);
  const Matrix z = matrix(2, 3, {1.0, 2.0, 3.0, 1000.0, 0.0, -1000.0});
  const Matrix y = matrix(2, 1, {2, 0});
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const double expected = ((lse - 3.0) + 0.0) / 2.0;  // row 2: log Σ e^z = 1000 exactly
  Matrix dz(2, 3);
  EXPECT_NEAR(loss->value_and_gradient(z, y, {}, view(dz)), expected, kTol);
  EXPECT_NEAR(dz(0, 0), std::exp(1.0 - lse) / 2, kTol);
  EXPECT_NEAR(dz(0, 2), (std::exp(3.0 - lse) - 1) / 2, kTol);
  EXPECT_TRUE(dz.allFinite());
  EXPECT_NEAR(dz.row(0).sum(), 0.0, kTol);
}

TEST(SoftmaxCrossEntropy, InitialLossOfUniformLogitsIsLnC) {
  const auto loss = make_loss(LossKind::softmax_cross_entropy);
  const Matrix z = Matrix::Zero(4, 10);
  const Matrix y = matrix(4, 1, {0, 3, 9, 5});
  EXPECT_NEAR(loss->value(z, y), std::log(10.0), kTol);
}

TEST(MeanSquaredError, IsTheMeanOverAllElements) {
  const auto loss = make_loss(LossKind::mse);
  const Matrix z = matrix(2, 2, {1, 2, 3, 4});
  const Matrix y = matrix(2, 2, {0, 2, 5, 4});
  Matrix dz(2, 2);
  EXPECT_NEAR(loss->value_and_gradient(z, y, {}, view(dz)), (1.0 + 0 + 4 + 0) / 4, kTol);
  EXPECT_NEAR(dz(0, 0), 2.0 * 1 / 4, kTol);
  EXPECT_NEAR(dz(1, 0), 2.0 * -2 / 4, kTol);
}

TEST(Loss, SampleWeightsGiveTheWeightedMean) {
  for (auto kind : {LossKind::bce_with_logits, LossKind::mse}) {
    const auto loss = make_loss(kind);
    const Matrix z = matrix(2, 1, {0.3, -0.7});
    const Matrix y = matrix(2, 1, {1, 0});
    const double l0 = loss->value(matrix(1, 1, {0.3}), matrix(1, 1, {1}));
    const double l1 = loss->value(matrix(1, 1, {-0.7}), matrix(1, 1, {0}));
    const std::vector<Scalar> w{3, 1};
    EXPECT_NEAR(loss->value(z, y, w), (3 * l0 + l1) / 4, kTol);
    // Integer weights act like repeated rows.
    const Matrix z3 = matrix(4, 1, {0.3, 0.3, 0.3, -0.7});
    const Matrix y3 = matrix(4, 1, {1, 1, 1, 0});
    EXPECT_NEAR(loss->value(z, y, w), loss->value(z3, y3), kTol);
  }
}

TEST(Loss, RejectsTargetsThatDoNotFit) {
  const auto bce = make_loss(LossKind::bce_with_logits);
  const auto ce = make_loss(LossKind::softmax_cross_entropy);
  const auto mse = make_loss(LossKind::mse);
  const Matrix z1 = matrix(2, 1, {0, 0});
  EXPECT_THROW(bce->value(z1, matrix(2, 1, {0, 2})), Error);     // label outside [0, 1]
  EXPECT_THROW(bce->value(z1, matrix(3, 1, {0, 1, 1})), Error);  // row count
  const Matrix z3 = Matrix::Zero(2, 3);
  EXPECT_THROW(ce->value(z3, matrix(2, 1, {0, 3})), Error);    // class out of range
  EXPECT_THROW(ce->value(z3, matrix(2, 1, {0, 1.5})), Error);  // not an index
  EXPECT_THROW(ce->value(z1, matrix(2, 1, {0, 1})), Error);    // one logit column
  EXPECT_THROW(mse->value(z1, matrix(2, 1, {0, std::nan("")})), Error);
  EXPECT_THROW(bce->value(z1, matrix(2, 1, {0, 1}), std::vector<Scalar>{1}), Error);      // weight count
  EXPECT_THROW(bce->value(z1, matrix(2, 1, {0, 1}), std::vector<Scalar>{1, -1}), Error);  // negative
  EXPECT_THROW(bce->value(z1, matrix(2, 1, {0, 1}), std::vector<Scalar>{0, 0}), Error);   // all zero
  try {
    ce->value(z3, matrix(2, 1, {0, 7}));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0..2"), std::string::npos) << e.what();
  }
}

TEST(Loss, ClassificationLossesCountTheRowsTheyGetRight) {
  // Binary: z > 0 predicts 1. Rows: right, wrong, right (z = 0 predicts 0), wrong.
  Matrix z(4, 1), y(4, 1);
  z << 2, -1, 0, Scalar(0.5);
  y << 1, 1, 0, 0;
  EXPECT_EQ(BceWithLogits().count_correct(view(z), view(y)), 2);
  // Multiclass: the largest logit against the class index.
  Matrix logits(3, 3), classes(3, 1);
  logits << Scalar(0.25), 2, -1,  //
      3, 0, 0,           //
      0, 0, 1;
  classes << 1, 2, 2;
  EXPECT_EQ(SoftmaxCrossEntropy().count_correct(view(logits), view(classes)), 2);
  EXPECT_EQ(MeanSquaredError().count_correct(view(z), view(y)), std::nullopt) << "regression has no accuracy";
}

TEST(Loss, NamesRoundTrip) {
  for (auto kind : {LossKind::bce_with_logits, LossKind::softmax_cross_entropy, LossKind::mse}) {
    EXPECT_EQ(parse_loss(loss_name(kind)), kind);
    EXPECT_EQ(make_loss(kind)->name(), loss_name(kind));
  }
}

TEST(OutputTransform, SoftmaxIsStableAndSigmoidBounded) {
  const Matrix z = matrix(1, 3, {1000, 1000, -1000});
  Matrix p(1, 3);
  apply_output_transform(OutputTransform::softmax, z, view(p));
  EXPECT_NEAR(p(0, 0), 0.5, kTol);
  EXPECT_NEAR(p(0, 2), 0.0, kTol);
  apply_output_transform(OutputTransform::sigmoid, z, view(p));
  EXPECT_TRUE(p.allFinite());
  EXPECT_EQ(p(0, 0), 1);
  EXPECT_EQ(p(0, 2), 0);
}

}  // namespace
}  // namespace glassnet
