#include "glassnet/nn/layer_norm.hpp"

#include <fmt/format.h>

#include "glassnet/core/column_sums.hpp"
#include "glassnet/core/error.hpp"

namespace glassnet {

LayerNorm::LayerNorm(double epsilon) : epsilon_(epsilon) {
  if (!(epsilon > 0.0)) throw Error(fmt::format("layer_norm: expected epsilon > 0, got {}", epsilon));
}

Index LayerNorm::build(Index in_features, ParamStore& store, const std::string& prefix) {
  features_ = in_features;
  store_ = &store;
  weight_ = store.add(prefix + "weight", {in_features}, 1, in_features, ParamRole::norm_scale);
  bias_ = store.add(prefix + "bias", {in_features}, 1, in_features, ParamRole::norm_shift);
  store.value(weight_).setOnes();
  return in_features;
}

void LayerNorm::initialize(Rng& /*rng*/) {
  store_->value(weight_).setOnes();
  store_->value(bias_).setZero();
}

ConstMatrixView LayerNorm::forward(ConstMatrixView x, Mode /*mode*/) {
  const Index batch = x.rows();
  const auto f = static_cast<Scalar>(features_);
  const auto eps = static_cast<Scalar>(epsilon_);
  inv_std_.resize(batch, 1);
  x_hat_.resize(batch, features_);
  y_.resize(batch, features_);
  MatrixView x_hat = x_hat_.view(), inv_std = inv_std_.view();
  for (Index i = 0; i < batch; ++i) {
    const Scalar mean = x.row(i).sum() / f;
    x_hat.row(i).array() = x.row(i).array() - mean;
    inv_std(i, 0) = Scalar(1) / std::sqrt(x_hat.row(i).squaredNorm() / f + eps);
    x_hat.row(i) *= inv_std(i, 0);
  }
  MatrixView y = y_.view();
  y.array() =
      (x_hat.array().rowwise() * store_->value(weight_).row(0).array()).rowwise() + store_->value(bias_).row(0).array();
  return y_.view();
}

ConstMatrixView LayerNorm::backward(ConstMatrixView dy) {
  const ConstMatrixView x_hat = x_hat_.view();
  if (store_->trainable(weight_)) {
    add_column_sums_of_products(dy, x_hat, store_->grad(weight_));
  }
  if (store_->trainable(bias_)) add_column_sums(dy, store_->grad(bias_));
  if (!input_gradient_needed()) return empty_view();

  const auto f = static_cast<Scalar>(features_);
  dx_.resize(dy.rows(), features_);
  MatrixView dx = dx_.view();
  dx.array() = dy.array().rowwise() * store_->value(weight_).row(0).array();  // g = dy γ
  for (Index i = 0; i < dy.rows(); ++i) {
    const Scalar sum_g = dx.row(i).sum();
    const Scalar sum_g_xhat = dx.row(i).dot(x_hat.row(i));
    dx.row(i).array() =
        (f * dx.row(i).array() - sum_g - x_hat.row(i).array() * sum_g_xhat) * (inv_std_.view()(i, 0) / f);
  }
  return dx_.view();
}

}  // namespace glassnet
