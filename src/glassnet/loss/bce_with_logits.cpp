#include "glassnet/loss/bce_with_logits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

double bce(double z, double y) { return std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::abs(z))); }

// σ(z) without overflow for either sign.
double sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

void BceWithLogits::check_targets(ConstMatrixView logits, ConstMatrixView targets) const {
  if (targets.rows() != logits.rows() || targets.cols() != logits.cols()) {
    throw Error(fmt::format("bce: targets are [{}, {}]; expected one target in [0, 1] per output, [{}, {}]",
                            targets.rows(), targets.cols(), logits.rows(), logits.cols()));
  }
  for (Index i = 0; i < targets.rows(); ++i) {
    for (Index k = 0; k < targets.cols(); ++k) {
      const Scalar y = targets(i, k);
      if (!(y >= 0 && y <= 1)) {
        throw Error(fmt::format("bce: target at row {}, column {} is {}; expected a value in [0, 1]", i, k, y));
      }
    }
  }
}

std::optional<Index> BceWithLogits::count_correct(ConstMatrixView logits, ConstMatrixView targets) const {
  Index correct = 0;
  for (Index i = 0; i < logits.rows(); ++i) {
    bool all = true;
    for (Index k = 0; k < logits.cols(); ++k) all = all && ((logits(i, k) > 0) == (targets(i, k) > Scalar(0.5)));
    correct += all ? 1 : 0;
  }
  return correct;
}

double BceWithLogits::sample_loss(ConstMatrixView logits, ConstMatrixView targets, Index i) const {
  const auto k_count = static_cast<double>(logits.cols());
  double mean = 0.0;  // terms scaled before adding: finite whenever each term is
  for (Index k = 0; k < logits.cols(); ++k) mean += bce(logits(i, k), targets(i, k)) / k_count;
  return mean;
}

double BceWithLogits::sample_loss_and_gradient(ConstMatrixView logits, ConstMatrixView targets, Index i, double scale,
                                               MatrixView dlogits) const {
  const auto k_count = static_cast<double>(logits.cols());
  double mean = 0.0;
  for (Index k = 0; k < logits.cols(); ++k) {
    const double z = logits(i, k);
    const double y = targets(i, k);
    mean += bce(z, y) / k_count;
    dlogits(i, k) = static_cast<Scalar>(scale * (sigmoid(z) - y) / k_count);
  }
  return mean;
}

}  // namespace glassnet
