#include "glassnet/nn/residual.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"

namespace glassnet {

Residual::Residual(std::unique_ptr<Sequential> body) : body_(std::move(body)) {
  if (!body_) throw Error("residual: null body");
}

Index Residual::build(Index in_features, ParamStore& store, const std::string& prefix) {
  const Index out = body_->build(in_features, store, prefix + "body.");
  if (out != in_features) {
    throw Error(
        fmt::format("residual: the block maps {} features to {}; y = x + f(x) needs equal widths", in_features, out));
  }
  width_ = in_features;
  return in_features;
}

Index Residual::floats_per_row(bool input_gradient) const {
  return width_ * (input_gradient ? 2 : 1) + body_->floats_per_row(input_gradient);
}

ConstMatrixView Residual::forward(ConstMatrixView x, Mode mode) {
  const ConstMatrixView fx = body_->forward(x, mode);
  y_.resize(x.rows(), x.cols());
  y_.view() = x + fx;
  return y_.view();
}

ConstMatrixView Residual::backward(ConstMatrixView dy) {
  body_->set_input_gradient_needed(input_gradient_needed());
  const ConstMatrixView dbody = body_->backward(dy);
  if (!input_gradient_needed()) return empty_view();
  dx_.resize(dy.rows(), dy.cols());
  dx_.view() = dy + dbody;
  return dx_.view();
}

}  // namespace glassnet
