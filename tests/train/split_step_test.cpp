#include "glassnet/train/split_step.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/trainer.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

// Float sums in another order agree to rounding; in the double build, far closer.
constexpr double kTolerance = sizeof(Scalar) == sizeof(double) ? 1e-11 : 2e-5;

struct Gradients {
  double loss = 0.0;
  std::optional<Index> correct;
  std::vector<Scalar> grads, values;  // values: with the buffers batch norm updates
};

Gradients whole_batch(Network& network, const Loss& loss, const Matrix& x, const Matrix& y,
                      std::span<const Scalar> weights, double share) {
  const std::vector<Scalar> before(network.params().values().begin(), network.params().values().end());
  network.params().zero_grads();
  const ConstMatrixView logits = network.forward(x, Mode::train);
  Matrix dlogits(logits.rows(), logits.cols());
  Gradients g;
  g.loss = loss.value_and_gradient(logits, y, weights, MatrixView(dlogits.data(), dlogits.rows(), dlogits.cols()));
  g.correct = loss.count_correct(logits, y);
  dlogits *= static_cast<Scalar>(share);
  network.layers().backward(dlogits);
  g.grads.assign(network.params().grads().begin(), network.params().grads().end());
  g.values.assign(network.params().values().begin(), network.params().values().end());
  std::copy(before.begin(), before.end(), network.params().values().begin());  // running statistics back
  return g;
}

Gradients split_batch(SplitStep& split, Network& network, const Loss& loss, const Matrix& x, const Matrix& y,
                      std::span<const Scalar> weights, double share) {
  const ThreadCountScope threads(split.parts());
  network.params().zero_grads();
  const SplitStep::Result r = split.accumulate(loss, x, y, weights, share);
  Gradients g{r.loss, r.correct, {}, {}};
  g.grads.assign(network.params().grads().begin(), network.params().grads().end());
  g.values.assign(network.params().values().begin(), network.params().values().end());
  return g;
}

void expect_close(const std::vector<Scalar>& a, const std::vector<Scalar>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size());
  double largest = 0.0;
  for (Scalar v : a) largest = std::max(largest, std::abs(static_cast<double>(v)));
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_NEAR(a[i], b[i], kTolerance * std::max(1.0, largest)) << what << " " << i;
  }
}

struct Case {
  const char* name;
  NetworkSpec spec;
  bool multiclass = false;
  int parts = 2;
  Index rows = 64;
  bool weighted = false;
};

void expect_split_equals_whole(const Case& c) {
  SCOPED_TRACE(c.name);
  Rng rng(11);
  auto network = make_network(c.spec, rng);
  testing::randomize(network->params(), rng);
  const Matrix x = testing::random_matrix(c.rows, c.spec.in_features, rng);
  Matrix y(c.rows, 1);
  for (Index i = 0; i < c.rows; ++i) {
    y(i, 0) = c.multiclass ? static_cast<Scalar>(i % c.spec.out_features) : static_cast<Scalar>(x(i, 0) > 0);
  }
  std::vector<Scalar> weights;
  if (c.weighted) {
    // Varied weights, and the last part's rows weigh nothing.
    for (Index i = 0; i < c.rows; ++i) weights.push_back(i >= c.rows * (c.parts - 1) / c.parts ? Scalar(0) : static_cast<Scalar>(0.5 + static_cast<double>(i % 3)));
  }
  const std::unique_ptr<Loss> loss =
      c.multiclass ? std::unique_ptr<Loss>(std::make_unique<SoftmaxCrossEntropy>()) : std::make_unique<BceWithLogits>();
  const Gradients whole = whole_batch(*network, *loss, x, y, weights, 0.25);
  SplitStep split(*network, c.parts);
  const Gradients parts = split_batch(split, *network, *loss, x, y, weights, 0.25);
  EXPECT_NEAR(parts.loss, whole.loss, kTolerance * std::max(1.0, whole.loss));
  EXPECT_EQ(parts.correct, whole.correct);
  expect_close(parts.grads, whole.grads, "gradient");
  expect_close(parts.values, whole.values, "value (batch norm's running statistics)");
  // The same batch again: the same bits (the sums are added in part order).
  const Gradients again = split_batch(split, *network, *loss, x, y, weights, 0.25);
  EXPECT_EQ(again.grads, parts.grads);
}

TEST(SplitStep, GivesTheWholeBatchsLossAndGradients) {
  expect_split_equals_whole({.name = "relu", .spec = {.in_features = 5, .hidden = {16, 16}, .out_features = 1}});
}

TEST(SplitStep, BatchNormUsesTheWholeBatchsStatistics) {
  // Each half's own mean and variance would give other gradients and running statistics.
  expect_split_equals_whole(
      {.name = "batch norm", .spec = {.in_features = 5, .hidden = {16, 16, 16}, .out_features = 1, .norm = Normalization::batch}});
  expect_split_equals_whole({.name = "batch norm in residual blocks, three parts, 50 rows",
                             .spec = {.in_features = 6,
                              .hidden = {8, 8, 8},
                              .activation = Activation::tanh,
                              .out_features = 3,
                              .norm = Normalization::batch,
                              .residual = true},
                             .multiclass = true,
                             .parts = 3,
                             .rows = 50});
}

TEST(SplitStep, SampleWeightsAndAPartThatWeighsNothing) {
  expect_split_equals_whole({.name = "weighted",
                             .spec = {.in_features = 5, .hidden = {16}, .out_features = 4, .norm = Normalization::layer},
                             .multiclass = true,
                             .weighted = true});
}

TEST(SplitStep, AnErrorInOnePartIsThrownAndTheSplitGoesOn) {
  Rng rng(2);
  auto network = make_network({.in_features = 3, .hidden = {8}, .out_features = 1, .norm = Normalization::batch}, rng);
  const Matrix x = testing::random_matrix(40, 3, rng);
  Matrix y = Matrix::Zero(40, 1);
  y(39, 0) = 2;  // not a binary target, in the second part's rows
  const BceWithLogits loss;
  SplitStep split(*network, 2);
  const ThreadCountScope threads(2);
  EXPECT_THROW(split.accumulate(loss, x, y, {}, 1.0), Error);
  y(39, 0) = 1;
  const SplitStep::Result r = split.accumulate(loss, x, y, {}, 1.0);
  EXPECT_TRUE(std::isfinite(r.loss));
}

TEST(SplitStep, OnlyBatchesOfSmallProductsAreSplit) {
  const Index w2 = 64 * 64, w3 = 784 * 256;  // the largest weights of W2 and W3
  EXPECT_EQ(SplitStep::parts_for(256, w2, 2), 2);
  EXPECT_EQ(SplitStep::parts_for(256, w2, 1), 1) << "one thread";
  EXPECT_EQ(SplitStep::parts_for(31, w2, 2), 1) << "under 16 rows a part";
  EXPECT_EQ(SplitStep::parts_for(128, w3, 2), 1) << "products large enough to split one by one";
  Rng rng(1);
  EXPECT_EQ(SplitStep::largest_weight(*make_network({.in_features = 784, .hidden = {256, 128}, .out_features = 10}, rng)),
            w3);
}

TEST(SplitStep, NetworksThatDrawRandomNumbersAreNotSplit) {
  Rng rng(2);
  auto dropout = make_network({.in_features = 3, .hidden = {8}, .out_features = 1, .dropout = 0.5}, rng);
  EXPECT_FALSE(SplitStep::supports(*dropout));
  EXPECT_THROW(SplitStep(*dropout, 2), Error);
}

// The rows each step's first layer saw, through a callback that reads the layers on step 3.
std::vector<Index> rows_seen(const NetworkSpec& spec, int threads) {
  struct Reader : Callback {
    std::vector<Index> rows;
    std::string_view name() const override { return "reader"; }
    bool reads_layers(Index step) const override { return step == 3; }
    void on_step_end(Trainer& trainer, const StepLogs& /*logs*/) override {
      rows.push_back(trainer.network().layers().layer(0).output().rows());
    }
  };
  Rng rng(1);
  auto network = make_network(spec, rng);
  const Matrix x = testing::random_matrix(256, spec.in_features, rng);
  const Matrix y = (x.col(0).array() > 0).cast<Scalar>().matrix();
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*network, loss, sgd);
  Reader reader;
  trainer.add_callback(reader);
  const ThreadCountScope scope(threads);
  trainer.fit({x, y}, {.epochs = 1, .batch_size = 64, .seed = 1});
  return reader.rows;
}

TEST(SplitStep, TheTrainerSplitsExceptOnStepsThatReadTheLayers) {
  const NetworkSpec spec{.in_features = 4, .hidden = {8}, .out_features = 1, .norm = Normalization::batch};
  EXPECT_EQ(rows_seen(spec, 2), (std::vector<Index>{32, 32, 64, 32}));
  EXPECT_EQ(rows_seen(spec, 1), (std::vector<Index>{64, 64, 64, 64}));
  NetworkSpec dropout = spec;
  dropout.dropout = 0.2;
  EXPECT_EQ(rows_seen(dropout, 2), (std::vector<Index>{64, 64, 64, 64}));
}

TEST(SplitStep, TrainingOnTwoThreadsIsRepeatableAndLearns) {
  const auto train = [] {
    Rng rng(3);
    auto network =
        make_network({.in_features = 2, .hidden = {16, 16}, .out_features = 1, .norm = Normalization::batch}, rng);
    Rng data(5);
    const Matrix x = testing::random_matrix(512, 2, data);
    const Matrix y = ((x.col(0).array() * x.col(1).array()) > 0).cast<Scalar>().matrix();  // XOR of the signs
    const BceWithLogits loss;
    Sgd sgd(0.1, {.momentum = 0.9});
    Trainer trainer(*network, loss, sgd);
    const ThreadCountScope two(2);
    const auto history = trainer.fit({x, y}, {.epochs = 30, .batch_size = 64, .seed = 2});
    EXPECT_GT(*history.back().train_accuracy, 0.9);
    return std::vector<Scalar>(network->params().values().begin(), network->params().values().end());
  };
  EXPECT_EQ(train(), train());
}

}  // namespace
}  // namespace glassnet
