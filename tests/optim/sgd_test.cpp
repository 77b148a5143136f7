#include "glassnet/optim/sgd.hpp"

#include <gtest/gtest.h>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

TEST(Sgd, StepIsValueMinusLearningRateTimesGradient) {
  ParamStore params;
  const auto w = params.add("w", {2}, 1, 2, ParamRole::weight);
  const auto b = params.add("b", {1}, 1, 1, ParamRole::bias);
  params.value(w) << 1, -2;
  params.value(b) << Scalar(0.5);
  params.grad(w) << 4, 8;
  params.grad(b) << -2;
  Sgd sgd(0.25);
  sgd.step(params);
  EXPECT_EQ(params.value(w)(0, 0), 0);
  EXPECT_EQ(params.value(w)(0, 1), -4);
  EXPECT_EQ(params.value(b)(0, 0), 1);
}

TEST(Sgd, FrozenParametersDoNotMove) {
  ParamStore params;
  const auto w = params.add("frozen.w", {1}, 1, 1, ParamRole::weight);
  const auto v = params.add("free.w", {1}, 1, 1, ParamRole::weight);
  params.value(w) << 1;
  params.value(v) << 1;
  params.grad(w) << 1;
  params.grad(v) << 1;
  params.freeze("frozen.");
  Sgd sgd(0.5);
  sgd.step(params);
  EXPECT_EQ(params.value(w)(0, 0), 1);
  EXPECT_EQ(params.value(v)(0, 0), Scalar(0.5));
}

TEST(Sgd, RejectsABadLearningRate) {
  EXPECT_THROW(Sgd(0.0), Error);
  EXPECT_THROW(Sgd(-1.0), Error);
  EXPECT_THROW(Sgd{std::numeric_limits<double>::infinity()}, Error);
  Sgd sgd(0.1);
  EXPECT_THROW(sgd.set_learning_rate(std::nan("")), Error);
  EXPECT_EQ(sgd.learning_rate(), 0.1);
}

}  // namespace
}  // namespace glassnet
