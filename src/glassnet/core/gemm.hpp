#pragma once
// The one matrix-product entry point of the library. Every product in a layer goes
// through here, so that the engine (Eigen today; OpenBLAS or small kernels of our own
// where measurement favours them) is chosen in one place.

#include "glassnet/core/matrix.hpp"

namespace glassnet {

enum class Transpose { no, yes };

// c = alpha * op(a) * op(b) + beta * c, where op(m) is m or m^T.
// Requires: op(a):[m,k], op(b):[k,n], c:[m,n]; c does not alias a or b.
// With beta == 0 the previous contents of c are ignored (they may be uninitialised).
void gemm(Transpose transpose_a, Transpose transpose_b, Scalar alpha, ConstMatrixView a, ConstMatrixView b, Scalar beta,
          MatrixView c);

}  // namespace glassnet
