#pragma once
// Adam and AdamW, as torch.optim.Adam and torch.optim.AdamW:
//   AdamW only:  θ ← θ (1 − lr λ)                  (decoupled weight decay λ)
//   Adam only:   g ← g + λ θ                        (coupled, L2)
//   m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
//   m̂ = m / (1 − β1^t)             v̂ = v / (1 − β2^t)
//   θ ← θ − lr m̂ / (√v̂ + ε)
// Defaults: lr 1e-3, β = (0.9, 0.999), ε = 1e-8; weight decay 0 (Adam), 1e-2 (AdamW).

#include <vector>

#include "glassnet/optim/optimizer.hpp"

namespace glassnet {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  WeightDecay weight_decay;  // coupled for Adam, decoupled for AdamW
};

class Adam : public Optimizer {
 public:
  explicit Adam(double learning_rate = 1e-3, AdamOptions options = {}, bool decoupled_weight_decay = false);
  std::string_view name() const override { return decoupled_ ? "adamw" : "adam"; }

 protected:
  SquaredNorms update(Scalar* value, const Scalar* grad, Index state_offset, Index n, Index t, double decay) override;
  std::vector<std::pair<std::string, std::vector<Scalar>*>> buffers() override;
  bool holds_squares(std::string_view buffer) const override { return buffer == "exp_avg_sq"; }

 private:
  AdamOptions options_;
  bool decoupled_;
  std::vector<Scalar> exp_avg_;     // m
  std::vector<Scalar> exp_avg_sq_;  // v
};

// AdamW's options: Adam's, with its own default decay rate, which stays 1e-2 when only
// other options are given (AdamW(lr, {.beta1 = 0.8}), AdamW(lr, {.weight_decay =
// {.decay_biases_and_norms = true}})), as torch.optim.AdamW's does.
struct AdamWOptions {
  struct Decay {  // decoupled: WeightDecay with AdamW's default rate
    double rate = 1e-2;
    bool decay_biases_and_norms = false;
  };
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  Decay weight_decay;
};

// AdamW: Adam with decoupled weight decay.
class AdamW : public Adam {
 public:
  explicit AdamW(double learning_rate = 1e-3, AdamWOptions options = {})
      : Adam(learning_rate,
             {.beta1 = options.beta1,
              .beta2 = options.beta2,
              .epsilon = options.epsilon,
              .weight_decay = {.rate = options.weight_decay.rate,
                               .decay_biases_and_norms = options.weight_decay.decay_biases_and_norms}},
             true) {}
};

}  // namespace glassnet
