#include "glassnet/loss/loss.hpp"

#include <fmt/format.h>

#include <cmath>

#include "glassnet/core/error.hpp"
#include "glassnet/loss/bce_with_logits.hpp"
#include "glassnet/loss/mse.hpp"
#include "glassnet/loss/softmax_cross_entropy.hpp"

namespace glassnet {
namespace {

// Σ w_i, after checking the weights fit the batch; B when unweighted.
double total_weight(Index batch, std::span<const Scalar> sample_weights) {
  if (sample_weights.empty()) return static_cast<double>(batch);
  if (static_cast<Index>(sample_weights.size()) != batch) {
    throw Error(fmt::format("loss: expected {} sample weights (one per row), got {}", batch, sample_weights.size()));
  }
  double total = 0.0;
  for (std::size_t i = 0; i < sample_weights.size(); ++i) {
    const double w = sample_weights[i];
    if (!(w >= 0.0) || !std::isfinite(w)) {
      throw Error(fmt::format("loss: sample weight of row {} is {}; expected a finite value ≥ 0", i, w));
    }
    total += w;
  }
  if (total <= 0.0) throw Error("loss: the sample weights sum to zero");
  return total;
}

double weight_of(std::span<const Scalar> sample_weights, Index i) {
  return sample_weights.empty() ? 1.0 : static_cast<double>(sample_weights[static_cast<std::size_t>(i)]);
}

}  // namespace

double Loss::value(ConstMatrixView logits, ConstMatrixView targets, std::span<const Scalar> sample_weights) const {
  check_targets(logits, targets);
  const double total = total_weight(logits.rows(), sample_weights);
  // Each term is scaled before it is added, so the mean is finite whenever every ℓ_i is.
  double mean = 0.0;
  for (Index i = 0; i < logits.rows(); ++i) {
    const double w = weight_of(sample_weights, i);
    if (w != 0.0) mean += (w / total) * sample_loss(logits, targets, i);
  }
  return mean;
}

void Loss::check(Index outputs, ConstMatrixView targets, std::span<const Scalar> sample_weights) const {
  const ConstMatrixView shape(nullptr, targets.rows(), outputs);  // check_targets reads the logits' shape only
  check_targets(shape, targets);
  total_weight(targets.rows(), sample_weights);
}

double Loss::value_and_gradient(ConstMatrixView logits, ConstMatrixView targets, std::span<const Scalar> sample_weights,
                                MatrixView dlogits) const {
  check_targets(logits, targets);
  if (dlogits.rows() != logits.rows() || dlogits.cols() != logits.cols()) {
    throw Error(fmt::format("loss: dlogits is [{}, {}]; expected the logits' shape [{}, {}]", dlogits.rows(),
                            dlogits.cols(), logits.rows(), logits.cols()));
  }
  const double total = total_weight(logits.rows(), sample_weights);
  double mean = 0.0;
  for (Index i = 0; i < logits.rows(); ++i) {
    const double scale = weight_of(sample_weights, i) / total;
    mean += scale * sample_loss_and_gradient(logits, targets, i, scale, dlogits);
  }
  return mean;
}

std::string_view loss_name(LossKind kind) {
  switch (kind) {
    case LossKind::bce_with_logits: return "bce";
    case LossKind::softmax_cross_entropy: return "cross-entropy";
    case LossKind::mse: return "mse";
  }
  return "?";
}

std::optional<LossKind> parse_loss(std::string_view name) {
  for (auto kind : {LossKind::bce_with_logits, LossKind::softmax_cross_entropy, LossKind::mse}) {
    if (loss_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::unique_ptr<Loss> make_loss(LossKind kind) {
  switch (kind) {
    case LossKind::bce_with_logits: return std::make_unique<BceWithLogits>();
    case LossKind::softmax_cross_entropy: return std::make_unique<SoftmaxCrossEntropy>();
    case LossKind::mse: return std::make_unique<MeanSquaredError>();
  }
  throw Error("make_loss: unknown loss");
}

}  // namespace glassnet
