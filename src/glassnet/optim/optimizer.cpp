#include "glassnet/optim/optimizer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {

void Optimizer::set_learning_rate(double learning_rate) {
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) {
    throw Error(fmt::format("learning rate: expected a finite value > 0, got {}", learning_rate));
  }
  learning_rate_ = learning_rate;
}

}  // namespace glassnet
