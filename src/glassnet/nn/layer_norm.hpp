#pragma once
// Layer normalisation over each row's features, as torch.nn.LayerNorm(F).
//   x:[B, F]  γ ("weight"), β ("bias"): [F]
//   per row i:  μ_i = mean_F x_i,  σ_i² = mean_F (x_i − μ_i)²,  x̂_i = (x_i − μ_i) / √(σ_i² + ε)
//   y = γ x̂ + β
//   g = dy γ;   dx_i = 1/(F √(σ_i² + ε)) · (F g_i − Σ_F g_i − x̂_i Σ_F (g_i x̂_i))
//   dγ += Σ_B dy x̂,   dβ += Σ_B dy
// The same in training and evaluation mode. Default ε = 1e-5.

#include "glassnet/nn/layer.hpp"

namespace glassnet {

class LayerNorm : public Layer {
 public:
  explicit LayerNorm(double epsilon = 1e-5);

  std::string_view kind() const override { return "layer_norm"; }
  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  void initialize(Rng& rng) override;
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override { return y_.view(); }
  Index floats_per_row(bool input_gradient) const override { return 1 + features_ * (input_gradient ? 3 : 2); }

 private:
  double epsilon_;
  Index features_ = 0;
  ParamStore* store_ = nullptr;
  ParamStore::Id weight_ = -1, bias_ = -1;
  Buffer inv_std_;  // [B, 1]
  Buffer x_hat_;    // [B, F]
  Buffer y_;
  Buffer dx_;  // [B, F]: g = dy γ first, then dx
};

}  // namespace glassnet
