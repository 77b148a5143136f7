#include "glassnet/optim/adam.hpp"

#include <fmt/format.h>

#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {

Adam::Adam(double learning_rate, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(learning_rate, options.weight_decay), options_(options), decoupled_(decoupled_weight_decay) {
  if (!(options.beta1 >= 0.0 && options.beta1 < 1.0) || !(options.beta2 >= 0.0 && options.beta2 < 1.0)) {
    throw Error(fmt::format("adam betas: expected values in [0, 1), got ({}, {})", options.beta1, options.beta2));
  }
  if (!(options.epsilon > 0.0)) throw Error(fmt::format("adam epsilon: expected > 0, got {}", options.epsilon));
}

std::vector<std::pair<std::string, std::vector<Scalar>*>> Adam::buffers() {
  return {{"exp_avg", &exp_avg_}, {"exp_avg_sq", &exp_avg_sq_}};
}

Optimizer::SquaredNorms Adam::update(Scalar* value, const Scalar* grad, Index state_offset, Index n, Index t,
                                     double decay) {
  const double lr = learning_rate();
  const auto beta1 = static_cast<Scalar>(options_.beta1);
  const auto beta2 = static_cast<Scalar>(options_.beta2);
  const double correction1 = 1.0 - std::pow(options_.beta1, static_cast<double>(t));
  const double correction2 = 1.0 - std::pow(options_.beta2, static_cast<double>(t));
  // θ ← θ − (lr / c1) m / (√v / √c2 + ε), PyTorch's arrangement of the same rule.
  const auto step_size = static_cast<Scalar>(lr / correction1);
  const auto inv_sqrt_correction2 = static_cast<Scalar>(1.0 / std::sqrt(correction2));
  const auto epsilon = static_cast<Scalar>(options_.epsilon);
  const auto coupled = static_cast<Scalar>(decoupled_ ? 0.0 : decay);
  const auto shrink = static_cast<Scalar>(decoupled_ ? 1.0 - lr * decay : 1.0);
  Scalar* m = exp_avg_.data() + state_offset;
  Scalar* v = exp_avg_sq_.data() + state_offset;
  Scalar update_sq = 0, weight_sq = 0;
#pragma omp simd reduction(+ : update_sq, weight_sq)
  for (Index i = 0; i < n; ++i) {
    const Scalar before = value[i];
    value[i] *= shrink;
    const Scalar g = grad[i] + coupled * value[i];
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    const Scalar step = step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_correction2 + epsilon);
    // The step itself, not the difference of the weights (which rounds tiny steps away).
    const Scalar delta = (before - value[i]) + step;
    value[i] -= step;
    update_sq += delta * delta;
    weight_sq += value[i] * value[i];
  }
  return {update_sq, weight_sq};
}

}  // namespace glassnet
