#pragma once
// RMSprop, as torch.optim.RMSprop:
//   g ← g + λ θ                                       (weight decay λ)
//   v ← α v + (1 − α) g²
//   centered:  ḡ ← α ḡ + (1 − α) g,   d = √(v − ḡ²) + ε;   otherwise d = √v + ε
//   momentum μ > 0:  b ← μ b + g / d,   θ ← θ − lr b;     otherwise θ ← θ − lr g / d
// Defaults: lr 1e-2, α = 0.99, ε = 1e-8.

#include <vector>

#include "glassnet/optim/optimizer.hpp"

namespace glassnet {

struct RmspropOptions {
  double alpha = 0.99;
  double epsilon = 1e-8;
  double momentum = 0.0;
  bool centered = false;
  WeightDecay weight_decay;
};

class Rmsprop : public Optimizer {
 public:
  explicit Rmsprop(double learning_rate = 1e-2, RmspropOptions options = {});
  std::string_view name() const override { return "rmsprop"; }

 protected:
  SquaredNorms update(Scalar* value, const Scalar* grad, Index state_offset, Index n, Index t, double decay) override;
  std::vector<std::pair<std::string, std::vector<Scalar>*>> buffers() override;
  bool holds_squares(std::string_view buffer) const override { return buffer == "square_avg"; }

 private:
  RmspropOptions options_;
  std::vector<Scalar> square_avg_;
  std::vector<Scalar> grad_avg_;         // centered only
  std::vector<Scalar> momentum_buffer_;  // momentum only
};

}  // namespace glassnet
