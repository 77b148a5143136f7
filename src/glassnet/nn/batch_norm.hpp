#pragma once
// Batch normalisation over features, as torch.nn.BatchNorm1d.
//   x:[B, F]  γ ("weight"), β ("bias"), running_mean, running_var: [F]
// Training mode normalises with the batch's statistics:
//   μ = mean_B x,  σ² = mean_B (x − μ)²  (biased),  x̂ = (x − μ) / √(σ² + ε),  y = γ x̂ + β
//   running_mean ← (1 − m) running_mean + m μ
//   running_var  ← (1 − m) running_var  + m σ² B / (B − 1)   (unbiased)
//   dx = γ / (B √(σ² + ε)) · (B dy − Σ_B dy − x̂ Σ_B (dy x̂))
// Evaluation mode uses the running statistics: x̂ = (x − running_mean) / √(running_var + ε),
// dx = dy γ / √(running_var + ε). In both modes dγ += Σ_B dy x̂ and dβ += Σ_B dy.
// Training mode needs at least 2 rows (one row has no spread); a batch of 1 is an Error.
// Defaults m = 0.1, ε = 1e-5. The running statistics are buffers: saved, never trained.
// In a batch split across threads (nn/batch_split.hpp), B is the whole batch: the parts
// add their column sums across the parts (μ, σ², Σ dy, Σ dy x̂), and part 0 alone updates
// the running statistics and adds dγ and dβ, which are the whole batch's.

#include <string_view>

#include "glassnet/nn/layer.hpp"

namespace glassnet {

// The running variance's name (after the layer's prefix): a model file or checkpoint that
// holds a negative one is refused (io/param_tensors.hpp).
inline constexpr std::string_view kRunningVariance = "running_var";

class BatchNorm : public Layer {
 public:
  explicit BatchNorm(double momentum = 0.1, double epsilon = 1e-5);

  std::string_view kind() const override { return "batch_norm"; }
  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  void initialize(Rng& rng) override;
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override { return y_.view(); }
  Index floats_per_row(bool input_gradient) const override { return features_ * (input_gradient ? 3 : 2); }
  void join_batch_split(BatchSplit* split, int part) override {
    split_ = split;
    part_ = part;
  }

 private:
  // γ = 1, β = 0, running statistics of a standard normal.
  void reset();

  double momentum_;
  double epsilon_;
  Index features_ = 0;
  ParamStore* store_ = nullptr;
  ParamStore::Id weight_ = -1, bias_ = -1, running_mean_ = -1, running_var_ = -1;
  Mode mode_ = Mode::train;  // of the last forward
  BatchSplit* split_ = nullptr;
  int part_ = 0;
  bool split_forward_ = false;  // the last forward was one part of a split batch
  Buffer mean_;              // [1, F]
  Buffer inv_std_;           // [1, F]: 1 / √(σ² + ε) of the last forward
  Buffer x_hat_;             // [B, F]
  Buffer y_;
  Buffer dx_;
  Buffer column_sums_;  // [3, F]: Σ dy, Σ dy x̂, and dx's per-feature factor
};

}  // namespace glassnet
