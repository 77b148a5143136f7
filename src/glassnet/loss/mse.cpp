#include "glassnet/loss/mse.hpp"

#include <fmt/format.h>

#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {

void MeanSquaredError::check_targets(ConstMatrixView logits, ConstMatrixView targets) const {
  if (targets.rows() != logits.rows() || targets.cols() != logits.cols()) {
    throw Error(fmt::format("mse: targets are [{}, {}]; expected one target per output, [{}, {}]", targets.rows(),
                            targets.cols(), logits.rows(), logits.cols()));
  }
  for (Index i = 0; i < targets.rows(); ++i) {
    for (Index k = 0; k < targets.cols(); ++k) {
      if (!std::isfinite(targets(i, k))) {
        throw Error(
            fmt::format("mse: target at row {}, column {} is {}; expected a finite value", i, k, targets(i, k)));
      }
    }
  }
}

double MeanSquaredError::sample_loss(ConstMatrixView logits, ConstMatrixView targets, Index i) const {
  double sum = 0.0;
  for (Index k = 0; k < logits.cols(); ++k) {
    const double d = static_cast<double>(logits(i, k)) - targets(i, k);
    sum += d * d;
  }
  return sum / static_cast<double>(logits.cols());
}

double MeanSquaredError::sample_loss_and_gradient(ConstMatrixView logits, ConstMatrixView targets, Index i,
                                                  double scale, MatrixView dlogits) const {
  const auto k_count = static_cast<double>(logits.cols());
  double sum = 0.0;
  for (Index k = 0; k < logits.cols(); ++k) {
    const double d = static_cast<double>(logits(i, k)) - targets(i, k);
    sum += d * d;
    dlogits(i, k) = static_cast<Scalar>(scale * 2.0 * d / k_count);
  }
  return sum / k_count;
}

}  // namespace glassnet
