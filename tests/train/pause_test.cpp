// Pausing a run and carrying on: Trainer::fit with pause_after, and TrainingRun's steps,
// are bit-identical to training straight through, and a paused run's look (so_far)
// writes nothing and judges what the end would.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "glassnet/data/synthetic.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/train/early_stopping.hpp"
#include "glassnet/train/run.hpp"
#include "glassnet/train/trainer.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

// Counts the callback events a training sees.
struct Events : Callback {
  int begins = 0, ends = 0, epochs = 0;
  std::string_view name() const override { return "events"; }
  void on_train_begin(Trainer&) override { ++begins; }
  void on_epoch_end(Trainer&, const EpochLogs&) override { ++epochs; }
  void on_train_end(Trainer&) override { ++ends; }
};

struct Trained {
  std::vector<Scalar> weights;
  Events events;
  std::vector<Index> epochs_per_call;
};

// 8 epochs of Adam with a cosine schedule, dropout, batch norm and early stopping that
// restores the best epoch, in fit calls that pause after each of `pauses`.
Trained train(const std::vector<Index>& pauses) {
  Rng data_rng(4);
  const Matrix x = testing::random_matrix(96, 5, data_rng), vx = testing::random_matrix(32, 5, data_rng);
  Matrix y(96, 1), vy(32, 1);
  for (Index i = 0; i < 96; ++i) y(i, 0) = static_cast<Scalar>((x(i, 0) > 0) + (x(i, 1) * x(i, 2) > 0));
  for (Index i = 0; i < 32; ++i) vy(i, 0) = static_cast<Scalar>((vx(i, 0) > 0) + (vx(i, 1) * vx(i, 2) > 0));
  Rng rng(7);
  auto network = make_network({.in_features = 5,
                               .hidden = {12, 12},
                               .activation = Activation::relu,
                               .out_features = 3,
                               .output = OutputTransform::softmax,
                               .norm = Normalization::batch,
                               .dropout = 0.1},
                              rng);
  const SoftmaxCrossEntropy loss;
  Adam adam(0.02);
  Trainer trainer(*network, loss, adam);
  trainer.set_schedule(std::make_unique<CosineSchedule>(8));
  EarlyStopping early({.patience = 100});
  Trained out;
  trainer.add_callback(early);
  trainer.add_callback(out.events);
  const DataView validation{vx, vy};
  std::vector<Index> stops = pauses;
  stops.push_back(0);
  for (Index pause : stops) {
    const auto logs = trainer.fit({x, y}, {.epochs = 8, .batch_size = 16, .seed = 3, .pause_after = pause}, &validation);
    out.epochs_per_call.push_back(static_cast<Index>(logs.size()));
    EXPECT_EQ(trainer.paused(), pause != 0);
  }
  out.weights.assign(network->params().values().begin(), network->params().values().end());
  return out;
}

TEST(Pause, FitCarriesOnFromAPauseBitIdentically) {
  const Trained straight = train({});
  const Trained paused = train({3, 5});
  EXPECT_EQ(paused.weights, straight.weights);
  EXPECT_EQ(paused.epochs_per_call, (std::vector<Index>{3, 2, 3}));
  // One training: one begin and one end (which restores the best epoch), however many calls.
  EXPECT_EQ(paused.events.begins, 1);
  EXPECT_EQ(paused.events.ends, 1);
  EXPECT_EQ(paused.events.epochs, 8);
}

RunConfig moons_run(const testing::ScratchDir& dir) {
  std::ofstream((dir.path / "moons.csv").string()) << dataset_csv(make_moons(600, 2, 0.2, 5));
  RunConfig c;
  c.data = dir.path / "moons.csv";
  c.layers = {16, 16};
  c.epochs = 6;
  c.early_stopping = 0;
  c.schedule = "cosine";
  c.out = dir.path / "model.safetensors";
  c.log = dir.path / "log.jsonl";
  return c;
}

std::vector<Scalar> weights_in(const fs::path& file) {
  const Model m = load_model(file);
  return {m.network->params().values().begin(), m.network->params().values().end()};
}

TEST(Pause, ATrainingRunInStepsEndsAsRunTrainingDoes) {
  const testing::ScratchDir dir;
  const RunConfig c = moons_run(dir);
  const RunResult straight = run_training(c);
  const std::vector<Scalar> straight_weights = weights_in(c.out);
  fs::remove(c.out);
  fs::remove(*c.log);

  TrainingRun run(c);
  run.train_to(2);
  EXPECT_EQ(run.epoch(), 2);
  EXPECT_FALSE(run.ended());
  run.train_to(4);
  EXPECT_EQ(run.epoch(), 4);
  const RunResult now = run.so_far();
  EXPECT_FALSE(fs::exists(c.out)) << "a look at a paused run writes no model";
  EXPECT_EQ(now.history.size(), 4U);
  const RunResult end = run.finish();
  EXPECT_TRUE(run.ended());
  EXPECT_EQ(weights_in(c.out), straight_weights);
  EXPECT_EQ(end.history.size(), straight.history.size());
  EXPECT_EQ(end.metrics.at("val")["accuracy"], straight.metrics.at("val")["accuracy"]);
  EXPECT_EQ(end.monitor.loss, straight.monitor.loss);
  ASSERT_EQ(end.findings.size(), straight.findings.size());
  std::ifstream log(*c.log);
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("\"metrics\""), std::string::npos) << "the log ends as run_training's does";
}

TEST(Pause, SoFarJudgesThePausedRunAsARunOfThatLengthWouldEnd) {
  const testing::ScratchDir dir;
  RunConfig c = moons_run(dir);
  c.schedule = "none";
  c.log.reset();
  TrainingRun run(c);
  run.train_to(3);
  const RunResult now = run.so_far();
  RunConfig three = c;
  three.epochs = 3;
  const RunResult short_run = run_training(three);
  EXPECT_EQ(now.metrics.at("val")["log_loss"], short_run.metrics.at("val")["log_loss"]);
  EXPECT_EQ(now.metrics.at("train")["accuracy"], short_run.metrics.at("train")["accuracy"]);

  // With early stopping's restore_best, the look is at the best epoch so far: the
  // validation loss it reports is the lowest any epoch reached.
  RunConfig patient = c;
  patient.early_stopping = 50;
  patient.optimizer = "sgd";
  patient.learning_rate = 2.0;  // jumps about: the last epoch is seldom the best
  patient.epochs = 12;
  TrainingRun jumpy(patient);
  int away_from_best = 0;  // pauses whose last epoch is not the best so far
  for (Index epoch = 4; epoch <= 11; ++epoch) {
    jumpy.train_to(epoch);
    const RunResult look = jumpy.so_far();
    double lowest = 1e300;
    for (const EpochLogs& e : look.history) lowest = std::min(lowest, *e.val_loss);
    away_from_best += *look.history.back().val_loss > 1.01 * lowest;
    EXPECT_NEAR(look.metrics.at("val")["log_loss"], lowest, 1e-3 * lowest) << "paused after epoch " << epoch;
  }
  EXPECT_GT(away_from_best, 0) << "the set-up should leave some pauses away from the best epoch";
}

}  // namespace
}  // namespace glassnet
