#pragma once
// Inverted dropout, as torch.nn.Dropout(p).
// Training mode: each element is kept with probability 1 − p and scaled by 1/(1 − p),
//   y = x ⊙ mask,  dx = dy ⊙ mask,  mask_ij ∈ {0, 1/(1 − p)}
// Evaluation mode: y = x (no copy), dx = dy.
// The mask is drawn from the layer's own Rng, seeded by initialize: reproducible for a
// seed, and saved in checkpoints.

#include "glassnet/nn/layer.hpp"

namespace glassnet {

class Dropout : public Layer {
 public:
  explicit Dropout(double probability);

  std::string_view kind() const override { return "dropout"; }
  std::string describe() const override;
  double probability() const { return probability_; }

  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  void initialize(Rng& rng) override;
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override { return output_.view(); }
  // Nothing at probability 0, where the layer passes x and dy through.
  Index floats_per_row(bool input_gradient) const override {
    return probability_ == 0.0 ? 0 : width_ * (input_gradient ? 3 : 2);
  }
  void collect_rngs(std::vector<Rng*>& rngs) override { rngs.push_back(&rng_); }

 private:
  double probability_;
  Index width_ = 0;
  Rng rng_;
  Mode mode_ = Mode::train;
  Buffer mask_;
  Buffer y_;
  Buffer dx_;
  SavedView output_;
};

}  // namespace glassnet
