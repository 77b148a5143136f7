#pragma once
// Plain stochastic gradient descent: θ ← θ − lr · g, for every trainable θ.

#include "glassnet/optim/optimizer.hpp"

namespace glassnet {

class Sgd : public Optimizer {
 public:
  explicit Sgd(double learning_rate) : Optimizer(learning_rate) {}
  std::string_view name() const override { return "sgd"; }
  void step(ParamStore& params) override;
};

}  // namespace glassnet
