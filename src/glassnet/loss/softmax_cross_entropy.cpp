#include "glassnet/loss/softmax_cross_entropy.hpp"

#include <fmt/format.h>

#include <cmath>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

// log Σ_j e^{z_ij}, stable: the row maximum is subtracted before exponentiating.
double log_sum_exp(ConstMatrixView logits, Index i, double max) {
  double sum = 0.0;
  for (Index j = 0; j < logits.cols(); ++j) sum += std::exp(logits(i, j) - max);
  return max + std::log(sum);
}

Index class_of(ConstMatrixView targets, Index i) { return static_cast<Index>(targets(i, 0)); }

}  // namespace

void SoftmaxCrossEntropy::check_targets(ConstMatrixView logits, ConstMatrixView targets) const {
  if (logits.cols() < 2) {
    throw Error(fmt::format("cross-entropy: expected at least 2 classes (logit columns), got {}", logits.cols()));
  }
  if (targets.rows() != logits.rows() || targets.cols() != 1) {
    throw Error(fmt::format("cross-entropy: targets are [{}, {}]; expected one class index per row, [{}, 1]",
                            targets.rows(), targets.cols(), logits.rows()));
  }
  for (Index i = 0; i < targets.rows(); ++i) {
    const Scalar c = targets(i, 0);
    if (!(c >= 0 && c < static_cast<Scalar>(logits.cols())) || c != std::floor(c)) {
      throw Error(fmt::format("cross-entropy: target of row {} is {}; expected a class index in 0..{}", i, c,
                              logits.cols() - 1));
    }
  }
}

std::optional<Index> SoftmaxCrossEntropy::count_correct(ConstMatrixView logits, ConstMatrixView targets) const {
  Index correct = 0;
  for (Index i = 0; i < logits.rows(); ++i) {
    Index best = 0;
    logits.row(i).maxCoeff(&best);
    correct += best == static_cast<Index>(targets(i, 0)) ? 1 : 0;
  }
  return correct;
}

double SoftmaxCrossEntropy::sample_loss(ConstMatrixView logits, ConstMatrixView targets, Index i) const {
  const double max = logits.row(i).maxCoeff();
  return log_sum_exp(logits, i, max) - logits(i, class_of(targets, i));
}

double SoftmaxCrossEntropy::sample_loss_and_gradient(ConstMatrixView logits, ConstMatrixView targets, Index i,
                                                     double scale, MatrixView dlogits) const {
  const double max = logits.row(i).maxCoeff();
  const double lse = log_sum_exp(logits, i, max);
  const Index c = class_of(targets, i);
  for (Index j = 0; j < logits.cols(); ++j) {
    const double p = std::exp(logits(i, j) - lse);
    dlogits(i, j) = static_cast<Scalar>(scale * (p - (j == c ? 1.0 : 0.0)));
  }
  return lse - logits(i, c);
}

}  // namespace glassnet
