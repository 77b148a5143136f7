#pragma once
// The one matrix-product entry point of the library. Every product in a layer goes
// through here, so that the engine is chosen in one place, by measurement per shape
// (bench/NOTES.md): glassnet's own AVX-512 kernel (core/gemm_kernel.hpp) for float
// outputs at least 16 wide where the build has it, Eigen for the rest (matrix–vector
// shapes, double precision, machines without AVX-512).

#include "glassnet/core/matrix.hpp"

namespace glassnet {

enum class Transpose { no, yes };

// c = alpha * op(a) * op(b) + beta * c, where op(m) is m or m^T.
// Requires: op(a):[m,k], op(b):[k,n], c:[m,n]; c does not alias a or b.
// With beta == 0 the previous contents of c are ignored (they may be uninitialised).
void gemm(Transpose transpose_a, Transpose transpose_b, Scalar alpha, ConstMatrixView a, ConstMatrixView b, Scalar beta,
          MatrixView c);

}  // namespace glassnet
