#pragma once
// Binary cross-entropy on logits (the sigmoid is fused in), one or more independent
// binary outputs.
//   logits z:[B, K]  targets y:[B, K] with values in [0, 1]
//   ℓ_i = (1/K) Σ_k  max(z, 0) − z y + log(1 + e^−|z|)      (= −y log σ(z) − (1−y) log(1−σ(z)))
//   dℓ_i/dz = (σ(z) − y) / K
// The max/log1p form is finite for every finite z, as in torch.nn.BCEWithLogitsLoss.

#include "glassnet/loss/loss.hpp"

namespace glassnet {

class BceWithLogits : public Loss {
 public:
  std::optional<Index> count_correct(ConstMatrixView logits, ConstMatrixView targets) const override;
  std::string_view name() const override { return "bce"; }

 protected:
  void check_targets(ConstMatrixView logits, ConstMatrixView targets) const override;
  double sample_loss(ConstMatrixView logits, ConstMatrixView targets, Index i) const override;
  double sample_loss_and_gradient(ConstMatrixView logits, ConstMatrixView targets, Index i, double scale,
                                  MatrixView dlogits) const override;
};

}  // namespace glassnet
