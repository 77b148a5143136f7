#include "glassnet/train/split_step.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/diag/monitor.hpp"
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
    for (Index i = 0; i < c.rows; ++i) {
      const bool last_part = i >= c.rows * (c.parts - 1) / c.parts;
      weights.push_back(last_part ? Scalar(0) : static_cast<Scalar>(0.5 + static_cast<double>(i % 3)));
    }
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
      {.name = "batch norm",
       .spec = {.in_features = 5, .hidden = {16, 16, 16}, .out_features = 1, .norm = Normalization::batch}});
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
  expect_split_equals_whole(
      {.name = "weighted",
       .spec = {.in_features = 5, .hidden = {16}, .out_features = 4, .norm = Normalization::layer},
       .multiclass = true,
       .weighted = true});
}

// The loss checks the whole batch before the split, so its error names the batch's row
// (a part's own failure abandons the split: BatchSplit.AnAbandonedSplitStopsWaiting).
TEST(SplitStep, ABadTargetInOnePartsRowsIsThrownAndTheSplitGoesOn) {
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
  EXPECT_EQ(
      SplitStep::largest_weight(*make_network({.in_features = 784, .hidden = {256, 128}, .out_features = 10}, rng)),
      w3);
}

TEST(SplitStep, NetworksThatDrawRandomNumbersAreNotSplit) {
  Rng rng(2);
  auto dropout = make_network({.in_features = 3, .hidden = {8}, .out_features = 1, .dropout = 0.5}, rng);
  EXPECT_FALSE(SplitStep::supports(*dropout));
  EXPECT_THROW(SplitStep(*dropout, 2), Error);
}

// The parts each step's last batch was left in (Trainer::last_batch_parts) and their rows.
std::vector<std::vector<Index>> parts_seen(const NetworkSpec& spec, int threads) {
  struct Reader : Callback {
    std::vector<std::vector<Index>> rows;
    std::string_view name() const override { return "reader"; }
    void on_step_end(Trainer& trainer, const StepLogs& /*logs*/) override {
      std::vector<Index>& parts = rows.emplace_back();
      for (const Network* network : trainer.last_batch_parts())
        parts.push_back(network->layers().layer(0).output().rows());
    }
  };
  Rng rng(1);
  auto network = make_network(spec, rng);
  const Matrix x = testing::random_matrix(160, spec.in_features, rng);
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

TEST(SplitStep, TheTrainerSplitsBatchesOfAtLeastSixteenRowsAThread) {
  const NetworkSpec spec{.in_features = 4, .hidden = {8}, .out_features = 1, .norm = Normalization::batch};
  using Parts = std::vector<std::vector<Index>>;
  EXPECT_EQ(parts_seen(spec, 2), (Parts{{32, 32}, {32, 32}, {16, 16}}));
  EXPECT_EQ(parts_seen(spec, 3), (Parts{{21, 21, 22}, {21, 21, 22}, {32}})) << "the last batch: 10 rows a thread";
  EXPECT_EQ(parts_seen(spec, 1), (Parts{{64}, {64}, {32}}));
  NetworkSpec dropout = spec;
  dropout.dropout = 0.2;
  EXPECT_EQ(parts_seen(dropout, 2), (Parts{{64}, {64}, {32}}));
}

// The monitor's statistics of a batch split across the threads are the whole batch's:
// the same numbers, to rounding, as a forward of the whole batch through the same network.
TEST(SplitStep, TheMonitorSeesTheWholeBatch) {
  for (Activation activation : {Activation::relu, Activation::sigmoid}) {
    SCOPED_TRACE(std::string(activation_name(activation)));
    const NetworkSpec spec{.in_features = 6,
                           .hidden = {32, 32},
                           .activation = activation,
                           .out_features = 1,
                           .hidden_bias = activation == Activation::relu ? Scalar(-3) : Scalar(0)};
    Rng data(4);
    const Matrix x = testing::random_matrix(128, 6, data, activation == Activation::sigmoid ? 6.0 : 1.0);
    const Matrix y = (x.col(0).array() > 0).cast<Scalar>().matrix();
    Rng rng(9);
    auto network = make_network(spec, rng);
    Rng same(9);
    auto reference = make_network(spec, same);
    const BceWithLogits loss;
    Sgd sgd(0.1);
    Trainer trainer(*network, loss, sgd);
    Monitor monitor({.level = MonitorLevel::full, .probe_every = 1});
    trainer.add_callback(monitor);
    const ThreadCountScope two(2);
    trainer.fit({x, y}, {.epochs = 1, .batch_size = 128, .seed = 1, .shuffle = false});
    ASSERT_EQ(trainer.last_batch_parts().size(), 2u);

    reference->forward(x, Mode::train);
    const MonitorSeries& series = monitor.series();
    ASSERT_EQ(series.probed.size(), 2u);
    for (std::size_t k = 0; k < series.probed.size(); ++k) {
      const auto* layer =
          dynamic_cast<const ElementwiseLayer*>(&reference->layers().layer(2 * static_cast<Index>(k) + 1));
      ASSERT_NE(layer, nullptr);
      const ActivationStats whole = activation_stats(activation, layer->input(), layer->output());
      const ActivationStats& split = series.activation[k];
      EXPECT_NEAR(split.pre_mean, whole.pre_mean, 1e-5);
      EXPECT_NEAR(split.pre_std, whole.pre_std, 1e-5);
      EXPECT_NEAR(split.post_std, whole.post_std, 1e-5);
      if (activation == Activation::relu) {
        EXPECT_EQ(split.dead, whole.dead);
        if (k == 0) {
          EXPECT_GT(whole.dead, 0.0) << "some units dead, some not: the parts must agree";
          EXPECT_LT(whole.dead, 1.0);
        }
      } else {
        EXPECT_EQ(split.saturated, whole.saturated);
        if (k == 0) {
          EXPECT_GT(whole.saturated, 0.0);
        }
      }
      const LogHistogram histogram = log_histogram(layer->output().data(), layer->output().size());
      EXPECT_EQ(series.activation_histograms[k].bins, histogram.bins);
      EXPECT_EQ(series.activation_histograms[k].zeros, histogram.zeros);
    }
  }
}

// Two trainers in turn on one network with batch norm: each split ties the network to
// itself for its call only (a stale tie would pair one split's parts with another's).
TEST(SplitStep, TwoTrainersTakeTurnsOnOneNetwork) {
  Rng rng(3);
  auto network =
      make_network({.in_features = 3, .hidden = {16, 16}, .out_features = 1, .norm = Normalization::batch}, rng);
  Rng data(5);
  const Matrix x = testing::random_matrix(256, 3, data);
  const Matrix y = (x.col(0).array() > 0).cast<Scalar>().matrix();
  const BceWithLogits loss;
  Sgd first_sgd(0.05), second_sgd(0.05);
  const ThreadCountScope two(2);
  auto first = std::make_unique<Trainer>(*network, loss, first_sgd);
  Trainer second(*network, loss, second_sgd);
  first->fit({x, y}, {.epochs = 1, .batch_size = 64, .seed = 1});
  second.fit({x, y}, {.epochs = 1, .batch_size = 64, .seed = 2});
  first->fit({x, y}, {.epochs = 3, .batch_size = 64, .seed = 1});
  first.reset();  // its split goes before the network and the other trainer
  const auto history = second.fit({x, y}, {.epochs = 3, .batch_size = 64, .seed = 2});
  EXPECT_TRUE(std::isfinite(history.back().train_loss));
  // And a network may go before its trainer, as a model handed on after training does.
  auto short_lived =
      make_network({.in_features = 3, .hidden = {16}, .out_features = 1, .norm = Normalization::batch}, rng);
  Sgd sgd(0.05);
  Trainer last(*short_lived, loss, sgd);
  last.fit({x, y}, {.epochs = 1, .batch_size = 64, .seed = 1});
  short_lived.reset();
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
