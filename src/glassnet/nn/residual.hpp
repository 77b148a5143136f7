#pragma once
// Residual block: y = x + f(x) for a sub-network f whose output width equals its input
// width.  x, y:[B, F]
//   dx = dy + df/dx(dy)        (f's parameters accumulate their gradients as usual)
// f's parameters are named prefix + "body." + its own names ("layers.3.body.0.weight").

#include <memory>

#include "glassnet/nn/sequential.hpp"

namespace glassnet {

class Residual : public Layer {
 public:
  explicit Residual(std::unique_ptr<Sequential> body);

  std::string_view kind() const override { return "residual"; }
  Sequential& body() { return *body_; }
  const Sequential& body() const { return *body_; }

  Index build(Index in_features, ParamStore& store, const std::string& prefix) override;
  void initialize(Rng& rng) override { body_->initialize(rng); }
  ConstMatrixView forward(ConstMatrixView x, Mode mode) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView output() const override { return y_.view(); }
  Index floats_per_row(bool input_gradient) const override;
  void collect_rngs(std::vector<Rng*>& rngs) override { body_->collect_rngs(rngs); }
  void join_batch_split(BatchSplit* split, int part) override { body_->join_batch_split(split, part); }

 private:
  std::unique_ptr<Sequential> body_;
  Index width_ = 0;
  Buffer y_;
  Buffer dx_;
};

}  // namespace glassnet
