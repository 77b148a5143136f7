#pragma once
// Softmax cross-entropy on logits (the softmax is fused in), for C mutually exclusive
// classes, as torch.nn.CrossEntropyLoss.
//   logits z:[B, C]  targets:[B, 1] holding the class index c_i ∈ {0, …, C−1}
//   ℓ_i = log Σ_j e^{z_ij} − z_{i c_i}          (computed with the row maximum subtracted)
//   dℓ_i/dz_ij = softmax(z_i)_j − [j = c_i]

#include "glassnet/loss/loss.hpp"

namespace glassnet {

class SoftmaxCrossEntropy : public Loss {
 public:
  std::optional<Index> count_correct(ConstMatrixView logits, ConstMatrixView targets) const override;
  std::string_view name() const override { return "cross-entropy"; }

 protected:
  void check_targets(ConstMatrixView logits, ConstMatrixView targets) const override;
  double sample_loss(ConstMatrixView logits, ConstMatrixView targets, Index i) const override;
  double sample_loss_and_gradient(ConstMatrixView logits, ConstMatrixView targets, Index i, double scale,
                                  MatrixView dlogits) const override;
};

}  // namespace glassnet
