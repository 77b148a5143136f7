#pragma once
// Losses, computed from logits. The contract shared by every loss:
//
//   logits:[B, K]   targets:[B, T]   sample_weights: empty, or B weights ≥ 0
//   value = Σ_i w_i ℓ_i / Σ_i w_i        (the plain mean over the batch when unweighted)
//   value_and_gradient also ASSIGNS dlogits:[B, K] = d value / d logits.
//
// The per-sample loss ℓ_i and the target layout T are each loss's own (see its header).
// Losses are finite for every finite logit: no log(0), no overflow. Shapes and target
// values are validated; a mismatch throws Error naming the row and what was expected.

#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "glassnet/core/matrix.hpp"

namespace glassnet {

class Loss {
 public:
  virtual ~Loss() = default;

  // The loss as users write it: "bce", "cross-entropy", "mse".
  virtual std::string_view name() const = 0;

  double value(ConstMatrixView logits, ConstMatrixView targets, std::span<const Scalar> sample_weights = {}) const;
  // The checks value makes, of targets for `outputs` logits a row and of the weights,
  // without computing the loss (a batch split across threads checks it whole first).
  void check(Index outputs, ConstMatrixView targets, std::span<const Scalar> sample_weights = {}) const;
  double value_and_gradient(ConstMatrixView logits, ConstMatrixView targets, std::span<const Scalar> sample_weights,
                            MatrixView dlogits) const;

  // Classification losses: the number of rows whose logits pick their target (every
  // binary output on the target's side of 0.5; the largest logit at the target class).
  // nullopt for losses without classes. Targets are assumed checked by a loss call.
  virtual std::optional<Index> count_correct(ConstMatrixView /*logits*/, ConstMatrixView /*targets*/) const {
    return std::nullopt;
  }

 protected:
  // Throws Error unless targets fit logits (shape and values). Reads only the logits'
  // shape (check passes a view without data).
  virtual void check_targets(ConstMatrixView logits, ConstMatrixView targets) const = 0;
  // ℓ_i of row i.
  virtual double sample_loss(ConstMatrixView logits, ConstMatrixView targets, Index i) const = 0;
  // ℓ_i of row i, and dℓ_i/dlogits_i scaled by `scale` written into row i of dlogits.
  virtual double sample_loss_and_gradient(ConstMatrixView logits, ConstMatrixView targets, Index i, double scale,
                                          MatrixView dlogits) const = 0;
};

enum class LossKind { bce_with_logits, softmax_cross_entropy, mse };

std::string_view loss_name(LossKind kind);
std::optional<LossKind> parse_loss(std::string_view name);
std::unique_ptr<Loss> make_loss(LossKind kind);

}  // namespace glassnet
