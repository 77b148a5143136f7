#include "glassnet/train/trainer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/data/input_rows.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/mse.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/early_stopping.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

// A two-class problem: y = [x0 + x1 > 0].
void make_data(Index rows, Matrix& x, Matrix& y, std::uint64_t seed) {
  Rng rng(seed);
  x = testing::random_matrix(rows, 2, rng);
  y.resize(rows, 1);
  for (Index i = 0; i < rows; ++i) y(i, 0) = x(i, 0) + x(i, 1) > 0 ? 1 : 0;
}

std::vector<Scalar> values_of(const Network& network) {
  return {network.params().values().begin(), network.params().values().end()};
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
  trainer.fit({x, y}, {.epochs = epochs, .batch_size = 16, .seed = seed, .shuffle = shuffle});
  return values_of(*network);
}

TEST(Trainer, TheSameSeedGivesBitIdenticalWeights) {
  EXPECT_EQ(train_weights(3, 5), train_weights(3, 5));
  EXPECT_NE(train_weights(3, 5), train_weights(4, 5));
}

TEST(Trainer, ShufflingChangesTheBatchesButNotTheData) {
  EXPECT_NE(train_weights(3, 2, true), train_weights(3, 2, false));
}

TEST(Trainer, LearnsASeparableProblemAndLogsEveryEpoch) {
  Matrix x, y;
  make_data(200, x, y, 1);
  Rng rng(1);
  auto network =
      make_network({.in_features = 2, .hidden = {8}, .activation = Activation::relu, .out_features = 1}, rng);
  const BceWithLogits loss;
  Sgd sgd(0.2);
  Trainer trainer(*network, loss, sgd);
  const auto history = trainer.fit({x, y}, {.epochs = 30, .batch_size = 32, .seed = 1});
  ASSERT_EQ(history.size(), 30u);
  EXPECT_EQ(history.back().epoch, 30);
  EXPECT_EQ(trainer.steps(), 30 * 7);  // ceil(200 / 32) steps per epoch
  EXPECT_LT(history.back().train_loss, 0.25 * history.front().train_loss);
  const Matrix p = network->predict(x);
  Index correct = 0;
  for (Index i = 0; i < x.rows(); ++i) correct += (p(i, 0) > 0.5) == (y(i, 0) > 0.5);
  EXPECT_GE(correct, 190);
}

TEST(Trainer, ValidationIsEvaluatedInEvaluationModeEachEpoch) {
  Matrix x, y, vx, vy;
  make_data(100, x, y, 1);
  make_data(50, vx, vy, 2);
  Rng rng(1);
  auto network = make_network({.in_features = 2,
                               .hidden = {8},
                               .activation = Activation::relu,
                               .out_features = 1,
                               .norm = Normalization::batch,
                               .dropout = 0.5},
                              rng);
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*network, loss, sgd);
  const DataView validation{vx, vy};
  const auto history = trainer.fit({x, y}, {.epochs = 3, .batch_size = 10, .seed = 1}, &validation);
  ASSERT_TRUE(history.back().val_loss.has_value());
  // Evaluation mode is deterministic (no dropout, running statistics): recomputing gives the same value.
  EXPECT_DOUBLE_EQ(*history.back().val_loss, trainer.evaluate(validation));
  EXPECT_NEAR(trainer.evaluate(validation), trainer.evaluate(validation, 7), 1e-6) << "batching changes only rounding";
}

// A rollback that changes nothing replays the same steps from the snapshot: the
// parameters, optimizer state, position in the epoch and the epoch's sums all return, so
// the run ends bit-identical to one without the rollback.
TEST(Trainer, ARollbackRestoresEverythingTheStepsChanged) {
  struct Replay : Recovery, Callback {
    Index at_step, problems = 0;
    explicit Replay(Index step) : at_step(step) {}
    std::string_view name() const override { return "replay"; }
    void on_step_end(Trainer& trainer, const StepLogs& logs) override {
      if (logs.step == at_step) trainer.request_rollback("test");
    }
    RecoveryAction on_problem(const StepProblem& problem) override {
      ++problems;
      EXPECT_EQ(problem.kind, StepProblem::Kind::requested);
      return {.recover = true};
    }
  };
  Matrix x, y;
  make_data(200, x, y, 5);
  const auto run = [&](bool rollback) {
    Rng rng(4);
    auto network = make_network({.in_features = 2, .hidden = {8, 8}, .out_features = 1}, rng);
    const BceWithLogits loss;
    Adam adam(0.01);
    Trainer trainer(*network, loss, adam);
    Replay replay(rollback ? 17 : -1);
    trainer.set_recovery(&replay, 5);
    trainer.add_callback(replay);
    const auto history = trainer.fit({x, y}, {.epochs = 3, .batch_size = 16, .seed = 5});
    EXPECT_EQ(replay.problems, rollback ? 1 : 0);
    return std::make_pair(values_of(*network), history.back().train_loss);
  };
  const auto plain = run(false), replayed = run(true);
  EXPECT_EQ(plain.first, replayed.first);
  EXPECT_EQ(plain.second, replayed.second);
}

TEST(Trainer, EachEpochLogsTheAccuracyOfClassificationLosses) {
  Matrix x, y, vx, vy;
  make_data(200, x, y, 3);
  make_data(80, vx, vy, 4);
  Rng rng(3);
  auto network = make_network({.in_features = 2, .hidden = {8}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Adam adam(0.02);
  Trainer trainer(*network, loss, adam);
  const DataView validation{vx, vy};
  const auto history = trainer.fit({x, y}, {.epochs = 5, .batch_size = 20, .seed = 3}, &validation);
  ASSERT_TRUE(history.front().train_accuracy && history.back().val_accuracy);
  EXPECT_GT(*history.back().train_accuracy, 0.9) << "a separable problem";
  // The validation accuracy is the predictions' accuracy.
  const Matrix p = network->predict(vx);
  double right = 0;
  for (Index i = 0; i < vx.rows(); ++i) right += (p(i, 0) > 0.5) == (vy(i, 0) > 0.5) ? 1 : 0;
  EXPECT_DOUBLE_EQ(*history.back().val_accuracy, right / static_cast<double>(vx.rows()));

  // Regression has none.
  const MeanSquaredError mse;
  Trainer regression(*network, mse, adam);
  const auto values = regression.fit({x, y}, {.epochs = 1, .batch_size = 20, .seed = 3}, &validation);
  EXPECT_FALSE(values.back().train_accuracy || values.back().val_accuracy);
}

TEST(Trainer, TheEpochLossIsTheMeanOverSamples) {
  Matrix x, y;
  make_data(50, x, y, 2);
  Rng rng(2);
  auto network = make_network({.in_features = 2, .hidden = {4}, .out_features = 1}, rng);
  const BceWithLogits loss;
  const double before = loss.value(network->forward(x, Mode::eval), y);
  Sgd sgd(1e-12);  // too small to change the loss within the epoch
  Trainer trainer(*network, loss, sgd);
  const auto history = trainer.fit({x, y}, {.epochs = 1, .batch_size = 15, .seed = 2});
  EXPECT_NEAR(history[0].train_loss, before, 1e-5);
}

// 33 rows in batches of 16 end with a batch of one row, which batch normalisation cannot
// normalise: it is left out of its epoch (two steps, not three), a different row each
// epoch; without batch normalisation it trains. A batch size of one still cannot.
TEST(Trainer, BatchNormLeavesOutALastBatchOfOneRow) {
  Matrix x, y;
  make_data(33, x, y, 4);
  const BceWithLogits loss;
  const auto steps_per_epoch = [&](Normalization norm, Index batch_size) {
    Rng rng(4);
    auto network = make_network({.in_features = 2, .hidden = {8}, .out_features = 1, .norm = norm}, rng);
    Sgd sgd(0.1);
    Trainer trainer(*network, loss, sgd);
    const auto history = trainer.fit({x, y}, {.epochs = 3, .batch_size = batch_size, .seed = 4});
    EXPECT_EQ(history.size(), 3u);
    EXPECT_TRUE(std::isfinite(history.back().train_loss));
    return trainer.steps() / 3;
  };
  EXPECT_EQ(steps_per_epoch(Normalization::batch, 16), 2);
  EXPECT_EQ(steps_per_epoch(Normalization::none, 16), 3);
  EXPECT_EQ(steps_per_epoch(Normalization::batch, 11), 3) << "33 = 3 × 11: nothing left over";
  EXPECT_THROW(steps_per_epoch(Normalization::batch, 1), Error);
}

TEST(Trainer, GradientAccumulationEqualsOneLargerBatch) {
  Matrix x, y;
  make_data(96, x, y, 4);
  std::vector<Scalar> weights[2];
  for (int k = 0; k < 2; ++k) {
    Rng rng(5);
    auto network =
        make_network({.in_features = 2, .hidden = {6, 6}, .activation = Activation::tanh, .out_features = 1}, rng);
    const BceWithLogits loss;
    Sgd sgd(0.3, {.momentum = 0.9});
    Trainer trainer(*network, loss, sgd);
    const FitOptions one_batch{.epochs = 3, .batch_size = 32, .seed = 9};
    const FitOptions accumulated{.epochs = 3, .batch_size = 8, .seed = 9, .accumulation_steps = 4};
    trainer.fit({x, y}, k == 0 ? one_batch : accumulated);
    EXPECT_EQ(trainer.steps(), 9);
    weights[k] = values_of(*network);
  }
  for (std::size_t i = 0; i < weights[0].size(); ++i) {
    EXPECT_NEAR(weights[0][i], weights[1][i], kDoublePrecision ? 1e-12 : 2e-5) << "element " << i;
  }
}

TEST(Trainer, GradientAccumulationRespectsSampleWeights) {
  Matrix x, y;
  make_data(40, x, y, 6);
  std::vector<Scalar> sample_weights(40);
  Rng weight_rng(1);
  for (auto& w : sample_weights) w = static_cast<Scalar>(weight_rng.uniform(0.0, 3.0));
  std::vector<Scalar> weights[2];
  for (int k = 0; k < 2; ++k) {
    Rng rng(5);
    auto network =
        make_network({.in_features = 2, .hidden = {5}, .activation = Activation::tanh, .out_features = 1}, rng);
    const BceWithLogits loss;
    Sgd sgd(0.5);
    Trainer trainer(*network, loss, sgd);
    trainer.fit({x, y, sample_weights},
                {.epochs = 2, .batch_size = k == 0 ? 20 : 5, .seed = 3, .accumulation_steps = k == 0 ? 1 : 4});
    weights[k] = values_of(*network);
  }
  for (std::size_t i = 0; i < weights[0].size(); ++i) {
    EXPECT_NEAR(weights[0][i], weights[1][i], kDoublePrecision ? 1e-12 : 2e-5);
  }
}

// Records every step's logs.
struct StepRecorder : Callback {
  std::vector<StepLogs> steps;
  std::string_view name() const override { return "step_recorder"; }
  void on_step_end(Trainer&, const StepLogs& logs) override { steps.push_back(logs); }
};

TEST(Trainer, ClippingBoundsTheUpdateAndTheNormBeforeIsReported) {
  Matrix x, y;
  make_data(32, x, y, 3);
  Rng rng(1);
  auto network = make_network({.in_features = 2, .hidden = {8}, .out_features = 1}, rng);
  const std::vector<Scalar> before = values_of(*network);
  const BceWithLogits loss;
  Sgd sgd(1.0);
  Trainer trainer(*network, loss, sgd);
  StepRecorder recorder;
  trainer.add_callback(recorder);
  trainer.fit({x, y}, {.epochs = 1, .batch_size = 32, .shuffle = false, .clip_norm = 1e-3});
  ASSERT_EQ(recorder.steps.size(), 1u);
  EXPECT_GT(recorder.steps[0].grad_norm, 1e-2) << "the norm before clipping";
  double moved = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    moved += std::pow(double(network->params().values()[i]) - double(before[i]), 2);
  }
  EXPECT_NEAR(std::sqrt(moved), 1e-3, 1e-5) << "lr 1 × a gradient clipped to norm 1e-3";
}

TEST(Trainer, TheScheduleSetsEachEpochsLearningRate) {
  Matrix x, y;
  make_data(20, x, y, 3);
  Rng rng(1);
  auto network = make_network({.in_features = 2, .hidden = {4}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Sgd sgd(0.8);
  Trainer trainer(*network, loss, sgd);
  trainer.set_schedule(std::make_unique<StepSchedule>(2, 0.5));
  const auto history = trainer.fit({x, y}, {.epochs = 5, .batch_size = 10});
  const double expected[] = {0.8, 0.8, 0.4, 0.4, 0.2};
  for (int e = 0; e < 5; ++e) EXPECT_DOUBLE_EQ(history[e].learning_rate, expected[e]);
}

TEST(Trainer, EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights) {
  // A tiny training set and a large network: validation loss rises once it overfits.
  Matrix x, y, vx, vy;
  make_data(12, x, y, 11);
  make_data(200, vx, vy, 12);
  for (Index i = 0; i < 4; ++i) y(i, 0) = 1 - y(i, 0);  // label noise to overfit to
  Rng rng(2);
  auto network = make_network({.in_features = 2, .hidden = {64, 64}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Adam adam(0.01);
  Trainer trainer(*network, loss, adam);
  EarlyStopping early({.monitor = Monitored::val_loss, .patience = 5, .restore_best = true});
  std::vector<Scalar> best_values;
  Index epoch_seen = 0;
  OnEpochEnd snapshot([&](const EpochLogs& logs) {
    epoch_seen = logs.epoch;
    if (logs.epoch == early.best_epoch()) best_values = values_of(*network);
  });
  trainer.add_callback(early);
  trainer.add_callback(snapshot);
  const DataView validation{vx, vy};
  const auto history = trainer.fit({x, y}, {.epochs = 500, .batch_size = 12, .seed = 1}, &validation);
  ASSERT_GT(early.stopped_epoch(), 0) << "validation loss should stop improving";
  EXPECT_EQ(static_cast<Index>(history.size()), early.stopped_epoch());
  EXPECT_EQ(early.stopped_epoch(), early.best_epoch() + 5);
  EXPECT_EQ(values_of(*network), best_values) << "the best epoch's weights are restored";
  EXPECT_DOUBLE_EQ(trainer.evaluate(validation), early.best());
}

TEST(Trainer, AFrozenLayerStaysBitIdenticalWhileTheRestLearns) {
  Matrix x, y;
  make_data(64, x, y, 8);
  Rng rng(3);
  auto network = make_network({.in_features = 2, .hidden = {8, 8}, .out_features = 1}, rng);
  network->params().freeze("layers.0.");
  const std::vector<Scalar> before = values_of(*network);
  const BceWithLogits loss;
  AdamW adamw(0.01);
  Trainer trainer(*network, loss, adamw);
  trainer.fit({x, y}, {.epochs = 5, .batch_size = 16, .seed = 1});
  const ParamStore& params = network->params();
  for (const auto& p : params.params()) {
    const bool same =
        std::equal(before.begin() + p.offset, before.begin() + p.offset + p.size(), params.values().begin() + p.offset);
    if (p.name.starts_with("layers.0.")) {
      EXPECT_TRUE(same) << p.name << " is frozen";
    } else {
      EXPECT_FALSE(same) << p.name << " should have moved";
    }
  }
}

TEST(Trainer, ThirtyTwoResidualBlocksStillTrain) {
  Matrix x, y;
  make_data(256, x, y, 9);
  Rng rng(4);
  auto network = make_network({.in_features = 2,
                               .hidden = std::vector<Index>(33, 16),
                               .activation = Activation::relu,
                               .out_features = 1,
                               .norm = Normalization::batch,
                               .residual = true},
                              rng);
  Index blocks = 0;
  for (Index i = 0; i < network->layers().size(); ++i) blocks += network->layers().layer(i).kind() == "residual";
  ASSERT_EQ(blocks, 32);
  const BceWithLogits loss;
  Adam adam(1e-3);
  Trainer trainer(*network, loss, adam);
  const auto history = trainer.fit({x, y}, {.epochs = 20, .batch_size = 32, .seed = 1});
  EXPECT_LT(history.back().train_loss, 0.3 * history.front().train_loss)
      << history.front().train_loss << " → " << history.back().train_loss;
}

// A bad target is named by its row in the data, before any step: the loss alone would
// name its row in the batch, after the batches before it had changed the weights.
TEST(Trainer, ABadTargetIsNamedByItsDataRowBeforeAnyStep) {
  const Matrix x = Matrix::Ones(200, 2);
  Matrix y = Matrix::Zero(200, 1);
  y(150, 0) = 2;
  Rng rng(1);
  auto network = make_network({.in_features = 2, .hidden = {3}, .out_features = 1}, rng);
  const std::vector<Scalar> before(network->params().values().begin(), network->params().values().end());
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*network, loss, sgd);
  try {
    trainer.fit({x, y}, {.epochs = 1, .batch_size = 32, .shuffle = false});
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "training data: bce: target at row 150, column 0 is 2; expected a value in [0, 1]");
  }
  EXPECT_TRUE(std::equal(before.begin(), before.end(), network->params().values().begin())) << "no step was taken";
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
  EXPECT_THROW(trainer.fit({x, y}, {.epochs = 1, .batch_size = 4}), TrainingError);
  // What stopped the step: the loss, at the first step (no tensor named).
  ASSERT_TRUE(trainer.failed_step().has_value());
  EXPECT_EQ(trainer.failed_step()->step, 1);
  EXPECT_EQ(trainer.failed_step()->what, "loss");
  EXPECT_EQ(trainer.failed_step()->tensor, "");
}

TEST(Trainer, NamesTheTensorWhoseWeightsOverflowed) {
  // SGD at lr 1e300 on inputs of 1e10: the first update takes the weights past the
  // largest float and double alike.
  const Matrix x = Matrix::Constant(4, 2, 1e10F);
  const Matrix y = Matrix::Constant(4, 1, 1.0F);
  Rng rng(1);
  auto network =
      make_network({.in_features = 2, .hidden = {3}, .out_features = 1, .output = OutputTransform::identity}, rng);
  const MeanSquaredError loss;
  Sgd sgd(1e300);
  Trainer trainer(*network, loss, sgd);
  EXPECT_THROW(trainer.fit({x, y}, {.epochs = 1, .batch_size = 4}), TrainingError);
  ASSERT_TRUE(trainer.failed_step().has_value());
  EXPECT_EQ(trainer.failed_step()->step, 1);
  EXPECT_EQ(trainer.failed_step()->what, "weight");
  EXPECT_EQ(trainer.failed_step()->tensor.rfind("layers.", 0), 0u) << trainer.failed_step()->tensor;
}

// A batch of 512 rows × 32 features is gathered in parts over two threads: one step on
// all of it, rows shuffled, moves a linear model's weights by the whole data's
// gradient, (2/N) Σ (ŷ − y) x, computed here in double.
TEST(Trainer, ALargeBatchGatheredOverTheThreadsHoldsEveryRowOnce) {
  constexpr Index rows = 512, features = 32;
  Rng rng(6);
  const Matrix x = testing::random_matrix(rows, features, rng);
  const Matrix y = testing::random_matrix(rows, 1, rng);
  auto network = make_network({.in_features = features, .out_features = 1, .output = OutputTransform::identity}, rng);
  const Matrix w0 = network->params().value(0);
  const double b0 = network->params().value(1)(0, 0);
  std::vector<double> expected(features, 0.0);
  for (Index i = 0; i < rows; ++i) {
    double prediction = b0;
    for (Index j = 0; j < features; ++j) prediction += static_cast<double>(w0(0, j)) * x(i, j);
    const double residual = prediction - y(i, 0);
    for (Index j = 0; j < features; ++j) expected[static_cast<std::size_t>(j)] += 2.0 * residual * x(i, j) / rows;
  }
  const MeanSquaredError loss;
  Sgd sgd(1.0);
  Trainer trainer(*network, loss, sgd);
  const ThreadCountScope two(2);
  trainer.fit({x, y}, {.epochs = 1, .batch_size = rows, .seed = 3});
  for (Index j = 0; j < features; ++j) {
    const double step = static_cast<double>(w0(0, j)) - network->params().value(0)(0, j);
    EXPECT_NEAR(step, expected[static_cast<std::size_t>(j)], 1e-4) << "feature " << j;
  }
}

// Inputs held as InputRows (numeric inputs and a code a row per text column) train to
// the weights their input matrix trains to, bit for bit: the batches, split across the
// threads or not, and the validation blocks are the matrix's rows.
TEST(Trainer, InputRowsTrainAsTheirInputMatrix) {
  constexpr Index rows = 700, width = 10;  // inputs: a, color (5), b, size (3)
  Rng rng(8);
  const Matrix numeric = testing::random_matrix(rows, 2, rng);
  std::vector<std::uint32_t> codes;
  Matrix y(rows, 1);
  for (Index r = 0; r < rows; ++r) {
    const auto color = static_cast<std::uint32_t>(rng.below(5));
    const auto size = static_cast<std::uint32_t>(rng.below(4));  // 3: unseen, no input
    codes.push_back(1 + color);
    codes.push_back(size < 3 ? 7 + size : InputRows::kNoInput);
    y(r, 0) = numeric(r, 0) + (color == 2 ? 1.0F : 0.0F) - (size == 0 ? 1.0F : 0.0F) > 0 ? 1 : 0;
  }
  const InputRows x(numeric, {0, 6}, codes, 2, width);
  const Matrix matrix = x.matrix();
  ASSERT_EQ(matrix.cols(), width);
  EXPECT_EQ(matrix(0, 0), numeric(0, 0));
  EXPECT_EQ(matrix(0, 6), numeric(0, 1));
  EXPECT_EQ(matrix.middleCols(1, 5).sum(), static_cast<Scalar>(rows)) << "one color a row";
  // Validation: 600 rows, two evaluation batches of 256 and a smaller last one.
  const InputRows validation(numeric.topRows(600), {0, 6}, std::vector(codes.begin(), codes.begin() + 1200), 2, width);
  const Matrix validation_matrix = validation.matrix();
  const Matrix y_val = y.topRows(600);
  const auto train = [&](const DataView& data, const DataView& val) {
    Rng init(5);
    auto network = make_network({.in_features = width, .hidden = {16, 8}, .out_features = 1}, init);
    const BceWithLogits loss;
    Adam adam(0.01);
    Trainer trainer(*network, loss, adam);
    const auto history = trainer.fit(data, {.epochs = 3, .batch_size = 256, .seed = 4}, &val);
    return std::pair(values_of(*network), history.back().val_loss);
  };
  for (const int threads : {1, 2}) {
    const ThreadCountScope scope(threads);
    const auto [held, held_val] = train({x, y}, {validation, y_val});
    const auto [whole, whole_val] = train({matrix, y}, {validation_matrix, y_val});
    EXPECT_EQ(held, whole) << threads << " threads";
    EXPECT_EQ(held_val, whole_val) << threads << " threads";
  }
}

TEST(Trainer, RejectsDataThatDoesNotFit) {
  Rng rng(1);
  auto network = make_network({.in_features = 2, .hidden = {3}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Sgd sgd(0.1);
  Trainer trainer(*network, loss, sgd);
  const Matrix x3 = Matrix::Zero(4, 3), x2 = Matrix::Zero(4, 2), y4 = Matrix::Zero(4, 1), y3 = Matrix::Zero(3, 1);
  const Matrix x0 = Matrix::Zero(0, 2), y0 = Matrix::Zero(0, 1);
  EXPECT_THROW(trainer.fit({x3, y4}, {}), Error);
  EXPECT_THROW(trainer.fit({x2, y3}, {}), Error);
  EXPECT_THROW(trainer.fit({x2, y4}, {.batch_size = 0}), Error);
  EXPECT_THROW(trainer.fit({x2, y4}, {.accumulation_steps = 0}), Error);
  EXPECT_THROW(trainer.fit({x0, y0}, {}), Error);
}

}  // namespace
}  // namespace glassnet
