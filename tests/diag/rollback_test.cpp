// Numerical problems repaired during training by rolling back, provoked on purpose: a
// NaN injected into a weight, a weight blown up into a loss spike, a learning rate far
// too high; and the bound: a problem that keeps coming back stops training (or, with no
// fix left to try, ends it at the best epoch).

#include "glassnet/diag/rollback.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "glassnet/core/error.hpp"
#include "glassnet/data/synthetic.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/sgd.hpp"
#include "glassnet/train/early_stopping.hpp"

namespace glassnet {
namespace {

// Sets layers.0.weight[0] to `value` after the given steps.
struct Injector : Callback {
  std::vector<Index> at_steps;
  Scalar value;
  Injector(std::vector<Index> steps, Scalar v) : at_steps(std::move(steps)), value(v) {}
  std::string_view name() const override { return "injector"; }
  void on_step_end(Trainer& trainer, const StepLogs& logs) override {
    if (std::find(at_steps.begin(), at_steps.end(), logs.step) == at_steps.end()) return;
    ParamStore& params = trainer.network().params();
    params.value(params.find("layers.0.weight"))(0, 0) = value;
  }
};

struct Outcome {
  double accuracy = 0.0;
  std::vector<RollbackEvent> events;
  bool finite = true;
};

Outcome train(Optimizer& optimizer, Callback* injector, bool repair, Index epochs = 8) {
  const Dataset data = make_moons(1000, 2, 0.15, 3);
  Rng rng(5);
  auto network = make_network({.in_features = 2, .hidden = {32, 32}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Trainer trainer(*network, loss, optimizer);
  RollbackRepair rollback({.snapshot_every = 10});
  if (repair) rollback.attach(trainer);
  if (injector != nullptr) trainer.add_callback(*injector);
  trainer.fit({data.x, data.y}, {.epochs = epochs, .batch_size = 32, .seed = 2});
  Outcome out;
  const Matrix p = network->predict(data.x);
  Index right = 0;
  for (Index i = 0; i < p.rows(); ++i) right += (p(i, 0) > 0.5) == (data.y(i, 0) > 0.5) ? 1 : 0;
  out.accuracy = static_cast<double>(right) / static_cast<double>(p.rows());
  for (Scalar v : network->params().values()) out.finite = out.finite && std::isfinite(v);
  out.events = rollback.events();
  return out;
}

TEST(RollbackRepair, AnInjectedNanIsRolledBackAndTrainingGoesOn) {
  Injector nan({45}, std::numeric_limits<Scalar>::quiet_NaN());
  {
    Adam adam(1e-2);
    EXPECT_THROW(train(adam, &nan, false), TrainingError) << "without repair the NaN stops training";
  }
  Adam adam(1e-2);
  const Outcome o = train(adam, &nan, true);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].problem, "non_finite");
  EXPECT_EQ(o.events[0].step, 46) << "the step after the injection computes a NaN loss";
  EXPECT_NE(o.events[0].action.find("left out the batch"), std::string::npos) << o.events[0].action;
  EXPECT_TRUE(o.finite);
  EXPECT_GT(o.accuracy, 0.95);
}

TEST(RollbackRepair, ALossSpikeIsRolledBack) {
  Injector blow_up({120}, Scalar(400));  // finite, but the loss jumps
  Adam adam(1e-2);
  const Outcome o = train(adam, &blow_up, true);
  ASSERT_GE(o.events.size(), 1u);
  EXPECT_EQ(o.events[0].problem, "loss_spike");
  EXPECT_NE(o.events[0].detail.find("the loss jumped to"), std::string::npos) << o.events[0].detail;
  EXPECT_GT(o.accuracy, 0.95);
}

TEST(RollbackRepair, ALearningRateFarTooHighIsLoweredUntilTrainingConverges) {
  if (sizeof(Scalar) == sizeof(double)) {
    GTEST_SKIP() << "in double precision lr 300 sends the weights far out but not past 1e308: the run gets stuck "
                    "instead of overflowing (the float build runs this test)";
  }
  {
    Sgd sgd(300.0);
    EXPECT_THROW(train(sgd, nullptr, false), TrainingError) << "lr 300 diverges";
  }
  Sgd sgd(300.0);
  const Outcome o = train(sgd, nullptr, true, 12);
  ASSERT_FALSE(o.events.empty());
  bool lowered = false;
  for (const auto& e : o.events) lowered = lowered || e.action.find("divided the learning rate by 10") != std::string::npos;
  EXPECT_TRUE(lowered);
  EXPECT_TRUE(o.finite);
  EXPECT_GT(o.accuracy, 0.9);
}

TEST(RollbackRepair, AProblemThatKeepsComingBackStopsTraining) {
  std::vector<Index> every_step;
  for (Index s = 40; s < 2000; ++s) every_step.push_back(s);
  Injector nan(every_step, std::numeric_limits<Scalar>::quiet_NaN());
  Adam adam(1e-2);
  try {
    train(adam, &nan, true);
    FAIL() << "expected TrainingError";
  } catch (const TrainingError& e) {
    EXPECT_NE(std::string(e.what()).find("5 rollbacks for this problem did not cure it"), std::string::npos)
        << e.what();
  }
}

// A problem that comes back only after a long healthy stretch was cured: each is a
// first rollback, however many there are in a long run.
TEST(RollbackRepair, ProblemsFarApartAreEachCured) {
  const Dataset data = make_moons(1000, 2, 0.15, 3);
  Rng rng(5);
  auto network = make_network({.in_features = 2, .hidden = {32, 32}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Adam adam(1e-2);
  Trainer trainer(*network, loss, adam);
  RollbackRepair rollback({.fresh_after = 100, .snapshot_every = 10});
  rollback.attach(trainer);
  std::vector<Index> every_120_steps;  // 8 of them, over the 30 epochs' 960 steps
  for (Index s = 40; s < 960; s += 120) every_120_steps.push_back(s);
  Injector nan(every_120_steps, std::numeric_limits<Scalar>::quiet_NaN());
  trainer.add_callback(nan);
  ASSERT_NO_THROW(trainer.fit({data.x, data.y}, {.epochs = 30, .batch_size = 32, .seed = 2}));
  Index non_finite = 0;
  for (const RollbackEvent& e : rollback.events()) {  // (a loss spike of its own may come too)
    if (e.problem != "non_finite") continue;
    ++non_finite;
    EXPECT_EQ(e.action, "left out the batch") << "a first rollback each time, at step " << e.step;
  }
  EXPECT_EQ(non_finite, static_cast<Index>(every_120_steps.size()));
  for (Scalar v : network->params().values()) ASSERT_TRUE(std::isfinite(v));
}

// The repaired run of train --auto-repair, with no fix left to try: a problem the
// rollbacks do not cure ends training at the last healthy snapshot, and early stopping
// puts the best epoch's weights back, instead of failing and losing the run.
TEST(RollbackRepair, WithNoFixLeftAnUncuredProblemEndsTrainingAtTheBestEpoch) {
  const Dataset data = make_moons(1000, 2, 0.15, 3), validation = make_moons(300, 2, 0.15, 4);
  Rng rng(5);
  auto network = make_network({.in_features = 2, .hidden = {32, 32}, .out_features = 1}, rng);
  const BceWithLogits loss;
  Adam adam(1e-2);
  Trainer trainer(*network, loss, adam);
  RollbackRepair rollback({.snapshot_every = 10, .end_when_uncured = true});
  rollback.attach(trainer);
  EarlyStopping early({.patience = 100, .restore_best = true});
  trainer.add_callback(early);
  std::vector<Index> from_epoch_7;  // 32 steps an epoch: epoch 7 starts at step 193
  for (Index s = 200; s < 2000; ++s) from_epoch_7.push_back(s);
  Injector nan(from_epoch_7, std::numeric_limits<Scalar>::quiet_NaN());
  trainer.add_callback(nan);
  const DataView val{validation.x, validation.y};
  std::vector<EpochLogs> history;
  ASSERT_NO_THROW(history = trainer.fit({data.x, data.y}, {.epochs = 12, .batch_size = 32, .seed = 2}, &val));
  EXPECT_NE(trainer.ended_by().find("5 rollbacks for this problem did not cure it"), std::string::npos)
      << trainer.ended_by();
  EXPECT_EQ(history.size(), 6u) << "the epoch it ended in is not counted";
  EXPECT_EQ(trainer.epoch(), 6);
  EXPECT_FALSE(trainer.paused());
  EXPECT_EQ(rollback.events().size(), 5u);
  ASSERT_GE(early.best_epoch(), 1);
  const auto values = network->params().values();
  for (Scalar v : values) ASSERT_TRUE(std::isfinite(v));
  EXPECT_TRUE(std::equal(values.begin(), values.end(), early.best_values().begin(), early.best_values().end()))
      << "the best epoch's weights";
  const Matrix p = network->predict(data.x);
  Index right = 0;
  for (Index i = 0; i < p.rows(); ++i) right += (p(i, 0) > 0.5) == (data.y(i, 0) > 0.5) ? 1 : 0;
  EXPECT_GT(static_cast<double>(right) / static_cast<double>(p.rows()), 0.95);
}

}  // namespace
}  // namespace glassnet
