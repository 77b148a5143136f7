#pragma once
// glassnet's own single-precision matrix product for AVX-512, used by core/gemm.cpp for
// the shapes where it beats Eigen's kernels: on one core 93–111 GFLOP/s at the W1–W4
// shapes against Eigen 3.4's 78–88, of a measured peak of 117 (bench/NOTES.md).
//
// The product is blocked as the BLIS papers describe: op(b) is copied into panels of
// 32 columns; op(a) is read in place when its columns are contiguous, or when its rows
// are and the output is at most 128 wide, and otherwise copied into panels of 8 rows;
// and a register tile of 8 × 32 accumulators (16 zmm registers) is updated by one
// broadcast and two fused multiply-adds per element of a. The blocking depends only on
// the shapes, so results are bit-identical from run to run.
//
// Single-threaded: core/gemm.cpp splits the output over the thread pool.

#include "glassnet/core/scalar.hpp"

namespace glassnet::kernel {

// An operand op(x) read in place: element (i, j) is data[i * row_stride + j * col_stride].
// A row-major matrix is {data, ld, 1}; its transpose is {data, 1, ld}.
struct StridedOperand {
  const float* data;
  Index row_stride;
  Index col_stride;
};

// Whether this build has the kernel (x86-64 with AVX-512F and DQ); when false, `packed_gemm`
// must not be called.
bool packed_gemm_available();

// c = alpha · a · b + beta · c, where a:[m, k], b:[k, n], and c:[m, n] is row-major with
// row stride ldc and does not alias a or b. With beta == 0, c's previous contents are
// not read (they may be uninitialised). Allocates only on a thread's first call with a
// larger block than before (its packing buffers are kept).
void packed_gemm(Index m, Index n, Index k, float alpha, StridedOperand a, StridedOperand b, float beta, float* c,
                 Index ldc);

}  // namespace glassnet::kernel
