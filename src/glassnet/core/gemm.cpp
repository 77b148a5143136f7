#include "glassnet/core/gemm.hpp"

#include <cassert>

namespace glassnet {
namespace {

template <typename Lhs, typename Rhs>
void product_into(const Lhs& lhs, const Rhs& rhs, Scalar alpha, Scalar beta, MatrixView c) {
  assert(lhs.rows() == c.rows() && rhs.cols() == c.cols() && lhs.cols() == rhs.rows());
  if (beta == Scalar(0)) {
    if (alpha == Scalar(1)) {
      c.noalias() = lhs * rhs;
    } else {
      c.noalias() = alpha * (lhs * rhs);
    }
    return;
  }
  if (beta != Scalar(1)) c *= beta;
  if (alpha == Scalar(1)) {
    c.noalias() += lhs * rhs;
  } else {
    c.noalias() += alpha * (lhs * rhs);
  }
}

}  // namespace

void gemm(Transpose transpose_a, Transpose transpose_b, Scalar alpha, ConstMatrixView a, ConstMatrixView b, Scalar beta,
          MatrixView c) {
  const bool ta = transpose_a == Transpose::yes;
  const bool tb = transpose_b == Transpose::yes;
  if (!ta && !tb) {
    product_into(a, b, alpha, beta, c);
  } else if (!ta && tb) {
    product_into(a, b.transpose(), alpha, beta, c);
  } else if (ta && !tb) {
    product_into(a.transpose(), b, alpha, beta, c);
  } else {
    product_into(a.transpose(), b.transpose(), alpha, beta, c);
  }
}

}  // namespace glassnet
