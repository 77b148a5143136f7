#include "glassnet/optim/sgd.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"

namespace glassnet {

Sgd::Sgd(double learning_rate, SgdOptions options) : Optimizer(learning_rate, options.weight_decay), options_(options) {
  if (!(options.momentum >= 0.0 && options.momentum < 1.0)) {
    throw Error(fmt::format("momentum: expected a value in [0, 1), got {}", options.momentum));
  }
  if (!(options.dampening >= 0.0 && options.dampening <= 1.0)) {
    throw Error(fmt::format("dampening: expected a value in [0, 1], got {}", options.dampening));
  }
  if (options.nesterov && (options.momentum <= 0.0 || options.dampening != 0.0)) {
    throw Error("nesterov momentum needs a momentum > 0 and no dampening");
  }
}

std::string_view Sgd::name() const {
  if (options_.nesterov) return "nesterov";
  return options_.momentum > 0.0 ? "momentum" : "sgd";
}

std::vector<std::pair<std::string, std::vector<Scalar>*>> Sgd::buffers() {
  if (options_.momentum == 0.0) return {};
  return {{"momentum_buffer", &momentum_buffer_}};
}

Optimizer::SquaredNorms Sgd::update(Scalar* value, const Scalar* grad, Index state_offset, Index n, Index t,
                                    double decay) {
  const auto lr = static_cast<Scalar>(learning_rate());
  const auto lambda = static_cast<Scalar>(decay);
  const auto mu = static_cast<Scalar>(options_.momentum);
  const auto damp = static_cast<Scalar>(1.0 - options_.dampening);
  Scalar update_sq = 0, weight_sq = 0;
  if (options_.momentum == 0.0) {  // plain SGD: a loop without branches, so that it vectorizes
#pragma omp simd reduction(+ : update_sq, weight_sq)
    for (Index i = 0; i < n; ++i) {
      const Scalar delta = lr * (grad[i] + lambda * value[i]);
      value[i] -= delta;
      update_sq += delta * delta;
      weight_sq += value[i] * value[i];
    }
    return {update_sq, weight_sq};
  }
  Scalar* b = momentum_buffer_.data() + state_offset;
  // One loop per (first step, Nesterov) pair: a branch inside the loop keeps it scalar.
  const auto momentum_loop = [&]<bool kFirst, bool kNesterov>() {
#pragma omp simd reduction(+ : update_sq, weight_sq)
    for (Index i = 0; i < n; ++i) {
      const Scalar g = grad[i] + lambda * value[i];
      b[i] = kFirst ? g : mu * b[i] + damp * g;
      const Scalar delta = lr * (kNesterov ? g + mu * b[i] : b[i]);
      value[i] -= delta;
      update_sq += delta * delta;
      weight_sq += value[i] * value[i];
    }
  };
  if (t == 1) {
    options_.nesterov ? momentum_loop.operator()<true, true>() : momentum_loop.operator()<true, false>();
  } else {
    options_.nesterov ? momentum_loop.operator()<false, true>() : momentum_loop.operator()<false, false>();
  }
  return {update_sq, weight_sq};
}

}  // namespace glassnet
