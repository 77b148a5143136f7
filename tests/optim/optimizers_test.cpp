// Every optimizer against the documented torch.optim algorithms, written out here
// independently in double precision, over several steps with changing gradients,
// weight decay on weights only, and a frozen parameter.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "glassnet/core/error.hpp"
#include "glassnet/core/rng.hpp"
#include "glassnet/core/threads.hpp"
#include "glassnet/optim/adam.hpp"
#include "glassnet/optim/rmsprop.hpp"
#include "glassnet/optim/sgd.hpp"

namespace glassnet {
namespace {

constexpr double kRelTol = kDoublePrecision ? 1e-6 : 1e-4;

// A reference rule: updates θ (one element) given g, the step t (1-based), the decay λ
// that applies, and the element's own state vector.
using ReferenceRule = std::function<void(double& theta, double g, int t, double decay, std::vector<double>& state)>;

struct Fixture {
  ParamStore params;
  ParamStore::Id weight, bias, frozen;
  Fixture() {
    weight = params.add("l.weight", {2, 3}, 2, 3, ParamRole::weight);
    bias = params.add("l.bias", {2}, 1, 2, ParamRole::bias);
    frozen = params.add("f.weight", {2}, 1, 2, ParamRole::weight);
    Rng rng(3);
    for (auto& v : params.values()) v = static_cast<Scalar>(rng.normal());
    params.freeze("f.");
  }
};

void expect_matches_reference(Optimizer& optimizer, const ReferenceRule& rule, double decay, int steps = 6) {
  Fixture f;
  const auto n = static_cast<std::size_t>(f.params.size());
  std::vector<double> theta(f.params.values().begin(), f.params.values().end());
  const std::vector<double> frozen_before(theta.begin() + 8, theta.end());
  std::vector<std::vector<double>> state(n);
  Rng rng(11);
  for (int t = 1; t <= steps; ++t) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto g = static_cast<Scalar>(rng.normal(0.0, 0.5));
      f.params.grads()[i] = g;
      if (i < 8) rule(theta[i], g, t, i < 6 ? decay : 0.0, state[i]);  // weights decay, biases don't
    }
    optimizer.step(f.params);
    for (std::size_t i = 0; i < 8; ++i) {
      EXPECT_NEAR(f.params.values()[i], theta[i], kRelTol * std::max(1.0, std::abs(theta[i])))
          << optimizer.name() << " step " << t << " element " << i;
    }
  }
  for (std::size_t i = 8; i < n; ++i) {
    EXPECT_EQ(f.params.values()[i], static_cast<Scalar>(frozen_before[i - 8])) << "frozen parameters never move";
  }
}

TEST(Optimizers, PlainSgdWithWeightDecay) {
  Sgd sgd(0.1, {.weight_decay = {.rate = 0.01}});
  expect_matches_reference(
      sgd, [](double& th, double g, int, double wd, std::vector<double>&) { th -= 0.1 * (g + wd * th); }, 0.01);
}

TEST(Optimizers, SgdWithMomentumAndDampening) {
  Sgd sgd(0.05, {.momentum = 0.9, .dampening = 0.1, .weight_decay = {.rate = 0.001}});
  EXPECT_EQ(sgd.name(), "momentum");
  expect_matches_reference(
      sgd,
      [](double& th, double g, int t, double wd, std::vector<double>& s) {
        g += wd * th;
        if (t == 1)
          s = {g};
        else
          s[0] = 0.9 * s[0] + 0.9 * g;  // (1 − dampening) g
        th -= 0.05 * s[0];
      },
      0.001);
}

TEST(Optimizers, SgdWithNesterovMomentum) {
  Sgd sgd(0.05, {.momentum = 0.8, .nesterov = true});
  EXPECT_EQ(sgd.name(), "nesterov");
  expect_matches_reference(
      sgd,
      [](double& th, double g, int t, double, std::vector<double>& s) {
        if (t == 1)
          s = {g};
        else
          s[0] = 0.8 * s[0] + g;
        th -= 0.05 * (g + 0.8 * s[0]);
      },
      0.0);
}

ReferenceRule adam_rule(double lr, double b1, double b2, double eps, bool decoupled) {
  return [=](double& th, double g, int t, double wd, std::vector<double>& s) {
    if (s.empty()) s = {0.0, 0.0};
    if (decoupled)
      th *= 1.0 - lr * wd;
    else
      g += wd * th;
    s[0] = b1 * s[0] + (1 - b1) * g;
    s[1] = b2 * s[1] + (1 - b2) * g * g;
    const double m_hat = s[0] / (1 - std::pow(b1, t));
    const double v_hat = s[1] / (1 - std::pow(b2, t));
    th -= lr * m_hat / (std::sqrt(v_hat) + eps);
  };
}

TEST(Optimizers, AdamWithCoupledWeightDecay) {
  Adam adam(0.01, {.beta1 = 0.8, .beta2 = 0.99, .epsilon = 1e-8, .weight_decay = {.rate = 0.05}});
  EXPECT_EQ(adam.name(), "adam");
  expect_matches_reference(adam, adam_rule(0.01, 0.8, 0.99, 1e-8, false), 0.05);
}

TEST(Optimizers, AdamDefaultsAreTorchs) {
  Adam adam;
  EXPECT_EQ(adam.learning_rate(), 1e-3);
  expect_matches_reference(adam, adam_rule(1e-3, 0.9, 0.999, 1e-8, false), 0.0);
}

TEST(Optimizers, AdamWDecouplesWeightDecay) {
  AdamW adamw(0.01);
  EXPECT_EQ(adamw.name(), "adamw");
  EXPECT_EQ(adamw.weight_decay().rate, 1e-2);
  expect_matches_reference(adamw, adam_rule(0.01, 0.9, 0.999, 1e-8, true), 1e-2);
  // Giving another option keeps the default decay.
  EXPECT_EQ(AdamW(0.01, {.beta1 = 0.8}).weight_decay().rate, 1e-2);
  const AdamW all(0.01, {.weight_decay = {.decay_biases_and_norms = true}});
  EXPECT_EQ(all.weight_decay().rate, 1e-2);
  EXPECT_TRUE(all.weight_decay().decay_biases_and_norms);
}

TEST(Optimizers, RmspropPlainCenteredAndWithMomentum) {
  for (bool centered : {false, true}) {
    for (double momentum : {0.0, 0.7}) {
      SCOPED_TRACE(::testing::Message() << "centered " << centered << " momentum " << momentum);
      Rmsprop rmsprop(
          0.01,
          {.alpha = 0.9, .epsilon = 1e-8, .momentum = momentum, .centered = centered, .weight_decay = {.rate = 0.02}});
      expect_matches_reference(
          rmsprop,
          [=](double& th, double g, int, double wd, std::vector<double>& s) {
            if (s.empty()) s = {0.0, 0.0, 0.0};
            g += wd * th;
            s[0] = 0.9 * s[0] + 0.1 * g * g;
            double d;
            if (centered) {
              s[1] = 0.9 * s[1] + 0.1 * g;
              d = std::sqrt(s[0] - s[1] * s[1]) + 1e-8;
            } else {
              d = std::sqrt(s[0]) + 1e-8;
            }
            if (momentum > 0) {
              s[2] = momentum * s[2] + g / d;
              th -= 0.01 * s[2];
            } else {
              th -= 0.01 * g / d;
            }
          },
          0.02);
    }
  }
}

TEST(Optimizers, DecayOfBiasesAndNormsIsConfigurable) {
  Fixture f;
  for (auto& g : f.params.grads()) g = 0;
  const Scalar bias_before = f.params.value(f.bias)(0, 0);
  Sgd excluded(0.1, {.weight_decay = {.rate = 0.5}});
  excluded.step(f.params);
  EXPECT_EQ(f.params.value(f.bias)(0, 0), bias_before);
  Sgd included(0.1, {.weight_decay = {.rate = 0.5, .decay_biases_and_norms = true}});
  included.step(f.params);
  EXPECT_NEAR(f.params.value(f.bias)(0, 0), bias_before * 0.95, 1e-6);
}

TEST(Optimizers, StateRoundTripsAndContinuesIdentically) {
  Fixture a, b;
  Adam first(0.01), second(0.01);
  Rng rng(5);
  std::vector<std::vector<Scalar>> grads(6, std::vector<Scalar>(static_cast<std::size_t>(a.params.size())));
  for (auto& step : grads)
    for (auto& g : step) g = static_cast<Scalar>(rng.normal());
  for (int t = 0; t < 3; ++t) {
    std::copy(grads[t].begin(), grads[t].end(), a.params.grads().begin());
    first.step(a.params);
  }
  // b takes a's values and optimizer state, then both run three more steps.
  std::copy(a.params.values().begin(), a.params.values().end(), b.params.values().begin());
  second.load_state(first.state(), b.params);
  for (int t = 3; t < 6; ++t) {
    std::copy(grads[t].begin(), grads[t].end(), a.params.grads().begin());
    std::copy(grads[t].begin(), grads[t].end(), b.params.grads().begin());
    first.step(a.params);
    second.step(b.params);
  }
  EXPECT_TRUE(std::equal(a.params.values().begin(), a.params.values().end(), b.params.values().begin()));
  Sgd sgd(0.1, {.momentum = 0.9});
  EXPECT_THROW(sgd.load_state(first.state(), b.params), Error);
}

TEST(Optimizers, AFrozenParametersStateIsLeftUntouched) {
  Fixture f;
  f.params.unfreeze("f.");
  Adam adam(0.01);
  Rng rng(8);
  const auto fill_grads = [&] {
    for (auto& g : f.params.grads()) g = static_cast<Scalar>(rng.normal());
  };
  fill_grads();
  adam.step(f.params);
  f.params.freeze("f.");
  const Optimizer::State before = adam.state();
  for (int t = 0; t < 3; ++t) {
    fill_grads();
    adam.step(f.params);
  }
  const Optimizer::State after = adam.state();
  const auto& frozen = f.params.info(f.frozen);
  for (std::size_t b = 0; b < after.buffers.size(); ++b) {
    for (Index i = frozen.offset; i < frozen.offset + frozen.size(); ++i) {
      EXPECT_EQ(after.buffers[b].second[i], before.buffers[b].second[i]) << after.buffers[b].first;
    }
  }
  EXPECT_EQ(after.param_steps[2], 1) << "a frozen parameter's step count does not advance";
  EXPECT_EQ(after.param_steps[0], 4);
}

// A parameter of 60,000 elements is updated in chunks split over the threads: the
// weights, the state and the norms do not depend on the thread count, and the norms
// are those of the whole parameter.
TEST(Optimizers, ALargeParameterGivesTheSameBitsOnAnyThreadCount) {
  const auto run = [](Optimizer& optimizer, int threads) {
    const ThreadCountScope scope(threads);
    ParamStore params;
    const auto w = params.add("w", {300, 200}, 300, 200, ParamRole::weight);
    params.add("b", {200}, 1, 200, ParamRole::bias);
    Rng rng(5);
    for (auto& v : params.values()) v = static_cast<Scalar>(rng.normal());
    for (int step = 0; step < 3; ++step) {
      for (auto& g : params.grads()) g = static_cast<Scalar>(rng.normal(0.0, 0.1));
      optimizer.step(params);
    }
    double squares = 0.0;
    for (Scalar v : params.value(w).reshaped()) squares += static_cast<double>(v) * v;
    EXPECT_NEAR(optimizer.weight_norms()[0], std::sqrt(squares), 1e-5 * std::sqrt(squares));
    return std::make_pair(std::vector<Scalar>(params.values().begin(), params.values().end()),
                          std::vector<double>(optimizer.update_norms().begin(), optimizer.update_norms().end()));
  };
  const auto each = [&](const std::function<std::unique_ptr<Optimizer>()>& make) {
    auto one = make(), two = make(), three = make();
    const auto a = run(*one, 1), b = run(*two, 2), c = run(*three, 3);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, c);
    EXPECT_EQ(one->state().buffers, three->state().buffers);
  };
  each([] { return std::make_unique<Adam>(1e-3, AdamOptions{.weight_decay = {.rate = 0.01}}); });
  each([] { return std::make_unique<Sgd>(0.1, SgdOptions{.momentum = 0.9}); });
  each([] { return std::make_unique<Rmsprop>(1e-3, RmspropOptions{.momentum = 0.5, .centered = true}); });
}

TEST(Optimizers, RejectBadSettings) {
  EXPECT_THROW(Sgd(0.1, {.momentum = 1.0}), Error);
  EXPECT_THROW(Sgd(0.1, {.momentum = 0.0, .dampening = 0.0, .nesterov = true}), Error);
  EXPECT_THROW(Sgd(0.1, {.weight_decay = {.rate = -1}}), Error);
  EXPECT_THROW(Adam(0.1, {.beta1 = 1.0}), Error);
  EXPECT_THROW(Rmsprop(0.1, {.alpha = 1.5}), Error);
}

}  // namespace
}  // namespace glassnet
