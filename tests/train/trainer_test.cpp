#include "glassnet/train/trainer.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/mse.hpp"
#include "glassnet/optim/sgd.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

// A linearly separable two-class problem: y = [x0 + x1 > 0].
void make_data(Index rows, Matrix& x, Matrix& y, std::uint64_t seed) {
  Rng rng(seed);
  x = testing::random_matrix(rows, 2, rng);
  y.resize(rows, 1);
  for (Index i = 0; i < rows; ++i) y(i, 0) = x(i, 0) + x(i, 1) > 0 ? 1 : 0;
}

std::vector<Scalar> train_weights(std::uint64_t seed, Index epochs, bool shuffle = true) {
  Matrix x, y;
  make_data(100, x, y, 7);
  Rng rng(seed);
  auto network =
      make_network({.in_features = 2, .hidden = {8}, .activation = Activation::tanh, .out_features = 1}, rng);
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*network, loss, sgd);
  trainer.fit(x, y, {.epochs = epochs, .batch_size = 16, .seed = seed, .shuffle = shuffle});
  return {network->params().values().begin(), network->params().values().end()};
}

TEST(Trainer, TheSameSeedGivesBitIdenticalWeights) {
  EXPECT_EQ(train_weights(3, 5), train_weights(3, 5));
  EXPECT_NE(train_weights(3, 5), train_weights(4, 5));
}

TEST(Trainer, ShufflingChangesTheBatchesButNotTheData) {
  EXPECT_NE(train_weights(3, 2, true), train_weights(3, 2, false));
}

TEST(Trainer, LearnsASeparableProblemAndReportsEveryEpoch) {
  Matrix x, y;
  make_data(200, x, y, 1);
  Rng rng(1);
  auto network =
      make_network({.in_features = 2, .hidden = {8}, .activation = Activation::relu, .out_features = 1}, rng);
  const BceWithLogits loss;
  Sgd sgd(0.2);
  Trainer trainer(*network, loss, sgd);
  std::vector<Index> seen;
  const auto history = trainer.fit(x, y, {.epochs = 30, .batch_size = 32, .seed = 1},
                                   [&](const EpochSummary& e) { seen.push_back(e.epoch); });
  ASSERT_EQ(history.size(), 30u);
  EXPECT_EQ(seen.front(), 1);
  EXPECT_EQ(seen.back(), 30);
  EXPECT_EQ(trainer.steps(), 30 * 7);  // ceil(200 / 32) batches per epoch
  EXPECT_LT(history.back().train_loss, 0.25 * history.front().train_loss);
  const Matrix p = network->predict(x);
  Index correct = 0;
  for (Index i = 0; i < x.rows(); ++i) correct += (p(i, 0) > 0.5) == (y(i, 0) > 0.5);
  EXPECT_GE(correct, 190);
  EXPECT_NEAR(trainer.evaluate(x, y, 64), loss.value(network->forward(x, Mode::eval), y), 1e-5);
}

TEST(Trainer, TheEpochLossIsTheMeanOverSamples) {
  // With a learning rate too small to matter, the epoch's loss is the full-data loss.
  Matrix x, y;
  make_data(50, x, y, 2);
  Rng rng(2);
  auto network = make_network({.in_features = 2, .hidden = {4}, .out_features = 1}, rng);
  const BceWithLogits loss;
  const double before = loss.value(network->forward(x, Mode::eval), y);
  Sgd sgd(1e-12);
  Trainer trainer(*network, loss, sgd);
  const auto history = trainer.fit(x, y, {.epochs = 1, .batch_size = 15, .seed = 2});
  EXPECT_NEAR(history[0].train_loss, before, 1e-5);
}

TEST(Trainer, StopsWithATrainingErrorWhenTheLossIsNotFinite) {
  Matrix x = Matrix::Ones(4, 2);
  x(2, 1) = std::numeric_limits<Scalar>::quiet_NaN();
  const Matrix y = Matrix::Zero(4, 1);
  Rng rng(1);
  auto network =
      make_network({.in_features = 2, .hidden = {3}, .out_features = 1, .output = OutputTransform::identity}, rng);
  const MeanSquaredError loss;
  Sgd sgd(0.1);
  Trainer trainer(*network, loss, sgd);
  EXPECT_THROW(trainer.fit(x, y, {.epochs = 1, .batch_size = 4}), TrainingError);
}

TEST(Trainer, RejectsDataThatDoesNotFit) {
  Rng rng(1);
  auto network = make_network({.in_features = 2, .hidden = {3}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*network, loss, sgd);
  EXPECT_THROW(trainer.fit(Matrix(Matrix::Zero(4, 3)), Matrix(Matrix::Zero(4, 1)), {}), Error);
  EXPECT_THROW(trainer.fit(Matrix(Matrix::Zero(4, 2)), Matrix(Matrix::Zero(3, 1)), {}), Error);
  EXPECT_THROW(trainer.fit(Matrix(Matrix::Zero(4, 2)), Matrix(Matrix::Zero(4, 1)), {.batch_size = 0}), Error);
  EXPECT_THROW(trainer.fit(Matrix(Matrix::Zero(0, 2)), Matrix(Matrix::Zero(0, 1)), {}), Error);
}

}  // namespace
}  // namespace glassnet
