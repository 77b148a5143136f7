#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "glassnet/core/error.hpp"
#include "glassnet/optim/clipping.hpp"
#include "glassnet/optim/schedule.hpp"

namespace glassnet {
namespace {

TEST(Schedules, StepAndExponentialDecay) {
  StepSchedule step(3, 0.5);
  EXPECT_DOUBLE_EQ(step.learning_rate(0, 0.1), 0.1);
  EXPECT_DOUBLE_EQ(step.learning_rate(2, 0.1), 0.1);
  EXPECT_DOUBLE_EQ(step.learning_rate(3, 0.1), 0.05);
  EXPECT_DOUBLE_EQ(step.learning_rate(7, 0.1), 0.025);
  ExponentialSchedule exp(0.9);
  EXPECT_DOUBLE_EQ(exp.learning_rate(0, 1.0), 1.0);
  EXPECT_NEAR(exp.learning_rate(5, 1.0), std::pow(0.9, 5), 1e-15);
}

TEST(Schedules, CosineAnnealingFromBaseToMinimum) {
  CosineSchedule cosine(10, 0, 0.001);
  EXPECT_DOUBLE_EQ(cosine.learning_rate(0, 0.1), 0.1);
  EXPECT_NEAR(cosine.learning_rate(5, 0.1), 0.001 + 0.099 * 0.5, 1e-15);
  EXPECT_NEAR(cosine.learning_rate(3, 0.1), 0.001 + 0.099 * (1 + std::cos(std::numbers::pi * 0.3)) / 2, 1e-15);
  EXPECT_NEAR(cosine.learning_rate(10, 0.1), 0.001, 1e-15);
}

TEST(Schedules, CosineWithLinearWarmUp) {
  CosineSchedule cosine(12, 3);
  EXPECT_DOUBLE_EQ(cosine.learning_rate(0, 0.4), 0.1);
  EXPECT_DOUBLE_EQ(cosine.learning_rate(1, 0.4), 0.2);
  EXPECT_DOUBLE_EQ(cosine.learning_rate(2, 0.4), 0.3);
  EXPECT_DOUBLE_EQ(cosine.learning_rate(3, 0.4), 0.4);  // warm-up done: the cosine starts at base
  EXPECT_NEAR(cosine.learning_rate(6, 0.4), 0.4 * (1 + std::cos(std::numbers::pi / 3)) / 2, 1e-15);
}

TEST(Schedules, ReduceOnPlateauAfterPatienceEpochsWithoutImprovement) {
  PlateauSchedule plateau({.factor = 0.5, .patience = 2, .threshold = 0.01});
  const double base = 1.0;
  plateau.on_epoch_end(1.0);    // best 1.0
  plateau.on_epoch_end(0.995);  // not 1 % better: bad 1
  plateau.on_epoch_end(0.999);  // bad 2
  EXPECT_DOUBLE_EQ(plateau.learning_rate(3, base), 1.0);
  plateau.on_epoch_end(1.2);  // bad 3 > patience: halve
  EXPECT_DOUBLE_EQ(plateau.learning_rate(4, base), 0.5);
  plateau.on_epoch_end(0.5);  // improvement resets the count
  plateau.on_epoch_end(0.5);
  plateau.on_epoch_end(0.5);
  EXPECT_DOUBLE_EQ(plateau.learning_rate(7, base), 0.5);
  const auto saved = plateau.state();
  PlateauSchedule restored({.factor = 0.5, .patience = 2, .threshold = 0.01});
  restored.load_state(saved);
  plateau.on_epoch_end(0.5);
  restored.on_epoch_end(0.5);
  EXPECT_DOUBLE_EQ(plateau.learning_rate(8, base), 0.25);
  EXPECT_DOUBLE_EQ(restored.learning_rate(8, base), 0.25);
  EXPECT_THROW(plateau.on_epoch_end(std::nullopt), Error);
}

TEST(Schedules, RejectBadSettings) {
  EXPECT_THROW(StepSchedule(0), Error);
  EXPECT_THROW(ExponentialSchedule(1.5), Error);
  EXPECT_THROW(CosineSchedule(5, 5), Error);
  EXPECT_THROW(PlateauSchedule({.factor = 1.0}), Error);
}

TEST(Clipping, ByGlobalNormReportsTheNormBefore) {
  ParamStore params;
  const auto a = params.add("a", {2}, 1, 2, ParamRole::weight);
  const auto b = params.add("b", {1}, 1, 1, ParamRole::bias);
  const auto c = params.add("c", {1}, 1, 1, ParamRole::weight);
  params.grad(a) << 3, 0;
  params.grad(b) << 4;
  params.grad(c) << 100;
  params.freeze("c");
  EXPECT_NEAR(clip_grad_norm(params, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(params.grad_norm(), 1.0, 1e-5);
  EXPECT_NEAR(params.grad(a)(0, 0), 0.6, 1e-5);
  EXPECT_EQ(params.grad(c)(0, 0), 100) << "frozen gradients are left alone";
  EXPECT_NEAR(clip_grad_norm(params, 10.0), 1.0, 1e-5);  // below the limit: unchanged
  EXPECT_NEAR(params.grad(a)(0, 0), 0.6, 1e-5);
}

TEST(Clipping, ByValue) {
  ParamStore params;
  const auto a = params.add("a", {3}, 1, 3, ParamRole::weight);
  params.grad(a) << -5, Scalar(0.2), 7;
  clip_grad_value(params, 1.0);
  EXPECT_EQ(params.grad(a)(0, 0), -1);
  EXPECT_EQ(params.grad(a)(0, 1), Scalar(0.2));
  EXPECT_EQ(params.grad(a)(0, 2), 1);
  EXPECT_THROW(clip_grad_value(params, 0.0), Error);
}

}  // namespace
}  // namespace glassnet
