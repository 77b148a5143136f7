#pragma once
// Stochastic gradient descent with optional momentum, Nesterov momentum and coupled
// (L2) weight decay, as torch.optim.SGD:
//   g ← g + λ θ                               (weight decay λ)
//   b ← g                     on the first step,
//   b ← μ b + (1 − τ) g       after            (momentum μ, dampening τ)
//   g ← g + μ b  (Nesterov)   or   g ← b       (when μ > 0)
//   θ ← θ − lr g

#include <vector>

#include "glassnet/optim/optimizer.hpp"

namespace glassnet {

struct SgdOptions {
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
  WeightDecay weight_decay;
};

class Sgd : public Optimizer {
 public:
  explicit Sgd(double learning_rate, SgdOptions options = {});
  std::string_view name() const override;

 protected:
  SquaredNorms update(Scalar* value, const Scalar* grad, Index state_offset, Index n, Index t, double decay) override;
  std::vector<std::pair<std::string, std::vector<Scalar>*>> buffers() override;

 private:
  SgdOptions options_;
  std::vector<Scalar> momentum_buffer_;
};

}  // namespace glassnet
