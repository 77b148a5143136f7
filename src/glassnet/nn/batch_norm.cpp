#include "glassnet/nn/batch_norm.hpp"

#include <fmt/format.h>

#include <cmath>

#include "glassnet/core/column_sums.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/nn/batch_split.hpp"

namespace glassnet {

BatchNorm::BatchNorm(double momentum, double epsilon) : momentum_(momentum), epsilon_(epsilon) {
  if (!(momentum >= 0.0 && momentum <= 1.0)) {
    throw Error(fmt::format("batch_norm: expected a momentum in [0, 1], got {}", momentum));
  }
  if (!(epsilon > 0.0)) throw Error(fmt::format("batch_norm: expected epsilon > 0, got {}", epsilon));
}

Index BatchNorm::build(Index in_features, ParamStore& store, const std::string& prefix) {
  features_ = in_features;
  store_ = &store;
  weight_ = store.add(prefix + "weight", {in_features}, 1, in_features, ParamRole::norm_scale);
  bias_ = store.add(prefix + "bias", {in_features}, 1, in_features, ParamRole::norm_shift);
  running_mean_ = store.add(prefix + "running_mean", {in_features}, 1, in_features, ParamRole::buffer);
  running_var_ = store.add(prefix + std::string(kRunningVariance), {in_features}, 1, in_features, ParamRole::buffer);
  reset();
  return in_features;
}

void BatchNorm::initialize(Rng& /*rng*/) { reset(); }

void BatchNorm::reset() {
  store_->value(weight_).setOnes();
  store_->value(bias_).setZero();
  store_->value(running_mean_).setZero();
  store_->value(running_var_).setOnes();
}

ConstMatrixView BatchNorm::forward(ConstMatrixView x, Mode mode) {
  const Index batch = x.rows();
  mode_ = mode;
  mean_.resize(1, features_);
  inv_std_.resize(1, features_);
  x_hat_.resize(batch, features_);
  y_.resize(batch, features_);
  MatrixView mean = mean_.view(), inv_std = inv_std_.view(), x_hat = x_hat_.view();
  const auto eps = static_cast<Scalar>(epsilon_);
  split_forward_ = mode == Mode::train && split_ != nullptr && split_->active();
  // The rows the statistics are over: the whole batch, when this is one part of it.
  const Index rows = split_forward_ ? split_->total_rows() : batch;
  if (mode == Mode::train) {
    if (rows < 2) {
      throw Error(
          "batch_norm: training needs at least 2 rows per batch (a single row has no spread); "
          "use a larger batch size");
    }
    mean.setZero();
    add_column_sums(x, mean);
    if (split_forward_) split_->add_across_parts(part_, {mean.data(), static_cast<std::size_t>(features_)});
    mean /= static_cast<Scalar>(rows);
    // σ² (biased), two-pass as PyTorch computes it; it goes into inv_std for a moment.
    inv_std.setZero();
    Scalar* variance = inv_std.data();
    const Scalar* mu = mean.data();
    for (Index i = 0; i < batch; ++i) {
      const Scalar* row = x.data() + i * features_;
#pragma omp simd
      for (Index j = 0; j < features_; ++j) variance[j] += (row[j] - mu[j]) * (row[j] - mu[j]);
    }
    if (split_forward_) split_->add_across_parts(part_, {variance, static_cast<std::size_t>(features_)});
    inv_std /= static_cast<Scalar>(rows);
    if (part_ == 0 || !split_forward_) {
      const auto m = static_cast<Scalar>(momentum_);
      const auto unbias = static_cast<Scalar>(rows) / static_cast<Scalar>(rows - 1);
      store_->value(running_mean_) = (1 - m) * store_->value(running_mean_) + m * mean;
      store_->value(running_var_) = (1 - m) * store_->value(running_var_) + (m * unbias) * inv_std;
    }
    inv_std.array() = (inv_std.array() + eps).rsqrt();
  } else {
    mean = store_->value(running_mean_);
    inv_std.array() = (store_->value(running_var_).array() + eps).rsqrt();
  }
  // One pass: x̂ = (x − μ) / √(σ² + ε), y = γ x̂ + β.
  const Scalar* mu = mean.data();
  const Scalar* scale = inv_std.data();
  const Scalar* gamma = store_->value(weight_).data();
  const Scalar* beta = store_->value(bias_).data();
  for (Index i = 0; i < batch; ++i) {
    const Scalar* in = x.data() + i * features_;
    Scalar* normalized = x_hat.data() + i * features_;
    Scalar* out = y_.data() + i * features_;
#pragma omp simd
    for (Index j = 0; j < features_; ++j) {
      normalized[j] = (in[j] - mu[j]) * scale[j];
      out[j] = gamma[j] * normalized[j] + beta[j];
    }
  }
  return y_.view();
}

ConstMatrixView BatchNorm::backward(ConstMatrixView dy) {
  const Index batch = dy.rows();
  const ConstMatrixView x_hat = x_hat_.view();
  column_sums_.resize(3, features_);
  MatrixView sums = column_sums_.view();
  sums.setZero();
  // Σ dy and Σ dy x̂ in one pass.
  Scalar* sum_dy = sums.data();
  Scalar* sum_dy_x_hat = sums.data() + features_;
  for (Index i = 0; i < batch; ++i) {
    const Scalar* upstream = dy.data() + i * features_;
    const Scalar* normalized = x_hat.data() + i * features_;
#pragma omp simd
    for (Index j = 0; j < features_; ++j) {
      sum_dy[j] += upstream[j];
      sum_dy_x_hat[j] += upstream[j] * normalized[j];
    }
  }
  if (split_forward_) split_->add_across_parts(part_, {sums.data(), static_cast<std::size_t>(2 * features_)});
  if (part_ == 0 || !split_forward_) {
    if (store_->trainable(weight_)) store_->grad(weight_).row(0) += sums.row(1);
    if (store_->trainable(bias_)) store_->grad(bias_).row(0) += sums.row(0);
  }
  if (!input_gradient_needed()) return empty_view();

  dx_.resize(batch, features_);
  MatrixView dx = dx_.view();
  const auto gamma = store_->value(weight_).row(0).array();
  const auto inv_std = inv_std_.view().row(0).array();
  if (mode_ == Mode::train) {
    const auto n = static_cast<Scalar>(split_forward_ ? split_->total_rows() : batch);
    // dx = γ/(B √(σ²+ε)) · (B dy − Σ dy − x̂ Σ dy x̂)
    // The per-feature factor γ/(B √(σ²+ε)) goes into a row of its own first.
    sums.row(2).array() = gamma * inv_std / n;
    const Scalar* factor = sums.data() + 2 * features_;
    for (Index i = 0; i < batch; ++i) {
      const Scalar* upstream = dy.data() + i * features_;
      const Scalar* normalized = x_hat.data() + i * features_;
      Scalar* out = dx.data() + i * features_;
#pragma omp simd
      for (Index j = 0; j < features_; ++j) {
        out[j] = (upstream[j] * n - sum_dy[j] - normalized[j] * sum_dy_x_hat[j]) * factor[j];
      }
    }
  } else {
    sums.row(2).array() = gamma * inv_std;
    dx.array() = dy.array().rowwise() * sums.row(2).array();
  }
  return dx_.view();
}

}  // namespace glassnet
