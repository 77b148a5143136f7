#pragma once
// Linear (fully connected) layer: y = x W^T + b.
//   x:[B, in]  W:[out, in]  b:[out]  y:[B, out]
// Parameters "weight" [out, in] and "bias" [out], as in torch.nn.Linear.

#include "glassnet/nn/init.hpp"
#include "glassnet/nn/layer.hpp"

namespace glassnet {

class Linear : public Layer {
 public:
  explicit Linear(Index out_features, bool bias = true, InitScheme init = InitScheme::automatic);

  std::string_view kind() const override { return "linear"; }
  std::string describe() const override;

  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  void initialize(Rng& rng) override;
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override { return y_.view(); }
  Index floats_per_row(bool input_gradient) const override {
    return out_features_ + (input_gradient ? in_features_ : 0);
  }

  // The initialiser, and the negative slope of a following LeakyReLU for He.
  void set_init(InitScheme init, double relu_negative_slope = 0.0);
  InitScheme init() const { return init_; }
  // The value every bias starts at (0 unless set).
  void set_initial_bias(Scalar value) { initial_bias_ = value; }

  Index in_features() const { return in_features_; }
  Index out_features() const { return out_features_; }
  ParamStore::Id weight_id() const { return weight_; }
  ParamStore::Id bias_id() const { return bias_; }  // -1 without bias

 private:
  Index in_features_ = 0;
  Index out_features_;
  bool has_bias_;
  InitScheme init_;
  double relu_negative_slope_ = 0.0;
  Scalar initial_bias_ = 0;
  ParamStore* store_ = nullptr;
  ParamStore::Id weight_ = -1;
  ParamStore::Id bias_ = -1;
  SavedView x_;  // input of the last forward, for backward
  Buffer y_;
  Buffer dx_;
};

}  // namespace glassnet
