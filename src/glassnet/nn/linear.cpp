#include "glassnet/nn/linear.hpp"

#include <fmt/format.h>

#include "glassnet/core/error.hpp"
#include "glassnet/core/column_sums.hpp"
#include "glassnet/core/gemm.hpp"

namespace glassnet {

Linear::Linear(Index out_features, bool bias, InitScheme init)
    : out_features_(out_features), has_bias_(bias), init_(init) {
  if (out_features <= 0) throw Error(fmt::format("linear: expected out_features > 0, got {}", out_features));
}

std::string Linear::describe() const { return fmt::format("linear({})", out_features_); }

void Linear::set_init(InitScheme init, double relu_negative_slope) {
  init_ = init;
  relu_negative_slope_ = relu_negative_slope;
}

Index Linear::build(Index in_features, ParamStore& store, const std::string& prefix) {
  in_features_ = in_features;
  store_ = &store;
  weight_ = store.add(prefix + "weight", {out_features_, in_features}, out_features_, in_features, ParamRole::weight);
  if (has_bias_) bias_ = store.add(prefix + "bias", {out_features_}, 1, out_features_, ParamRole::bias);
  return out_features_;
}

void Linear::initialize(Rng& rng) {
  const InitScheme scheme = init_ == InitScheme::automatic ? InitScheme::xavier_normal : init_;
  initialize_weight(store_->value(weight_), scheme, rng, relu_negative_slope_);
  if (has_bias_) store_->value(bias_).setConstant(initial_bias_);
}

ConstMatrixView Linear::forward(ConstMatrixView x, Mode /*mode*/) {
  x_ = x;
  y_.resize(x.rows(), out_features_);
  MatrixView y = y_.view();
  // y:[B,out] = x:[B,in] · W^T:[in,out]
  gemm(Transpose::no, Transpose::yes, 1, x, store_->value(weight_), 0, y);
  if (has_bias_) y.rowwise() += store_->value(bias_).row(0);
  return y_.view();
}

ConstMatrixView Linear::backward(ConstMatrixView dy) {
  if (store_->trainable(weight_)) {
    // dW:[out,in] += dy^T:[out,B] · x:[B,in]
    gemm(Transpose::yes, Transpose::no, 1, dy, x_.view(), 1, store_->grad(weight_));
  }
  if (has_bias_ && store_->trainable(bias_)) {
    add_column_sums(dy, store_->grad(bias_));  // db:[1,out] += Σ_B dy
  }
  if (!input_gradient_needed()) return empty_view();
  dx_.resize(dy.rows(), in_features_);
  // dx:[B,in] = dy:[B,out] · W:[out,in]
  gemm(Transpose::no, Transpose::no, 1, dy, store_->value(weight_), 0, dx_.view());
  return dx_.view();
}

}  // namespace glassnet
