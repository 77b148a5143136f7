#include "glassnet/nn/dropout.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"

namespace glassnet {

Dropout::Dropout(double probability) : probability_(probability) {
  if (!(probability >= 0.0 && probability < 1.0)) {
    throw Error(fmt::format("dropout: expected a probability in [0, 1), got {}", probability));
  }
}

std::string Dropout::describe() const { return fmt::format("dropout({})", probability_); }

Index Dropout::build(Index in_features, ParamStore& /*store*/, const std::string& /*prefix*/) {
  width_ = in_features;
  return in_features;
}

void Dropout::initialize(Rng& rng) { rng_ = Rng(rng.next_u64()); }

ConstMatrixView Dropout::forward(ConstMatrixView x, Mode mode) {
  mode_ = mode;
  if (mode == Mode::eval || probability_ == 0.0) {
    output_ = x;
    return x;
  }
  mask_.resize(x.rows(), x.cols());
  y_.resize(x.rows(), x.cols());
  const auto keep = 1.0 - probability_;
  const auto scale = static_cast<Scalar>(1.0 / keep);
  Scalar* mask = mask_.data();
  for (Index i = 0; i < x.size(); ++i) mask[i] = rng_.uniform() < keep ? scale : Scalar(0);
  y_.view().array() = x.array() * mask_.view().array();
  output_ = y_.view();
  return y_.view();
}

ConstMatrixView Dropout::backward(ConstMatrixView dy) {
  if (!input_gradient_needed()) return empty_view();
  if (mode_ == Mode::eval || probability_ == 0.0) return dy;
  dx_.resize(dy.rows(), dy.cols());
  dx_.view().array() = dy.array() * mask_.view().array();
  return dx_.view();
}

}  // namespace glassnet
