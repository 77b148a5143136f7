#pragma once
// Optimizers update a ParamStore in one pass over its flat buffers, from the gradients
// accumulated by backward. Frozen (non-trainable) parameters are never touched.

#include <string_view>

#include "glassnet/nn/param_store.hpp"

namespace glassnet {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string_view name() const = 0;
  // One update of every trainable parameter from its gradient.
  virtual void step(ParamStore& params) = 0;

  double learning_rate() const { return learning_rate_; }
  void set_learning_rate(double learning_rate);

 protected:
  explicit Optimizer(double learning_rate) { set_learning_rate(learning_rate); }

 private:
  double learning_rate_ = 0.0;
};

}  // namespace glassnet
