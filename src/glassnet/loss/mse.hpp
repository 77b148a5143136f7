#pragma once
// Mean squared error, for regression (identity output).
//   predictions z:[B, K]  targets y:[B, K]
//   ℓ_i = (1/K) Σ_k (z − y)^2        dℓ_i/dz = 2 (z − y) / K
// Unweighted, the value is the mean over all B·K elements, as torch.nn.MSELoss.

#include "glassnet/loss/loss.hpp"

namespace glassnet {

class MeanSquaredError : public Loss {
 public:
  std::string_view name() const override { return "mse"; }

 protected:
  void check_targets(ConstMatrixView logits, ConstMatrixView targets) const override;
  double sample_loss(ConstMatrixView logits, ConstMatrixView targets, Index i) const override;
  double sample_loss_and_gradient(ConstMatrixView logits, ConstMatrixView targets, Index i, double scale,
                                  MatrixView dlogits) const override;
};

}  // namespace glassnet
