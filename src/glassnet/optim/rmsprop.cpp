#include "glassnet/optim/rmsprop.hpp"

#include <fmt/format.h>

#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {

Rmsprop::Rmsprop(double learning_rate, RmspropOptions options)
    : Optimizer(learning_rate, options.weight_decay), options_(options) {
  if (!(options.alpha >= 0.0 && options.alpha < 1.0)) {
    throw Error(fmt::format("rmsprop alpha: expected a value in [0, 1), got {}", options.alpha));
  }
  if (!(options.momentum >= 0.0 && options.momentum < 1.0)) {
    throw Error(fmt::format("momentum: expected a value in [0, 1), got {}", options.momentum));
  }
  if (!(options.epsilon > 0.0)) throw Error(fmt::format("rmsprop epsilon: expected > 0, got {}", options.epsilon));
}

std::vector<std::pair<std::string, std::vector<Scalar>*>> Rmsprop::buffers() {
  std::vector<std::pair<std::string, std::vector<Scalar>*>> list{{"square_avg", &square_avg_}};
  if (options_.centered) list.emplace_back("grad_avg", &grad_avg_);
  if (options_.momentum > 0.0) list.emplace_back("momentum_buffer", &momentum_buffer_);
  return list;
}

Optimizer::SquaredNorms Rmsprop::update(Scalar* value, const Scalar* grad, Index state_offset, Index n, Index /*t*/,
                                        double decay) {
  const auto lr = static_cast<Scalar>(learning_rate());
  const auto alpha = static_cast<Scalar>(options_.alpha);
  const auto epsilon = static_cast<Scalar>(options_.epsilon);
  const auto lambda = static_cast<Scalar>(decay);
  const auto mu = static_cast<Scalar>(options_.momentum);
  Scalar* v = square_avg_.data() + state_offset;
  Scalar* gbar = options_.centered ? grad_avg_.data() + state_offset : nullptr;
  Scalar* b = options_.momentum > 0.0 ? momentum_buffer_.data() + state_offset : nullptr;
  Scalar update_sq = 0, weight_sq = 0;
#pragma omp simd reduction(+ : update_sq, weight_sq)
  for (Index i = 0; i < n; ++i) {
    const Scalar g = grad[i] + lambda * value[i];
    v[i] = alpha * v[i] + (1 - alpha) * g * g;
    Scalar denominator;
    if (gbar != nullptr) {
      gbar[i] = alpha * gbar[i] + (1 - alpha) * g;
      denominator = std::sqrt(v[i] - gbar[i] * gbar[i]) + epsilon;
    } else {
      denominator = std::sqrt(v[i]) + epsilon;
    }
    Scalar delta;
    if (b != nullptr) {
      b[i] = mu * b[i] + g / denominator;
      delta = lr * b[i];
    } else {
      delta = lr * g / denominator;
    }
    value[i] -= delta;
    update_sq += delta * delta;
    weight_sq += value[i] * value[i];
  }
  return {update_sq, weight_sq};
}

}  // namespace glassnet
