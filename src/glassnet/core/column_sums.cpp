#include "glassnet/core/column_sums.hpp"

#include <cassert>

namespace glassnet {

void add_column_sums(ConstMatrixView x, MatrixView sums) {
  assert(sums.rows() == 1 && sums.cols() == x.cols());
  Scalar* out = sums.data();
  const Index cols = x.cols();
  for (Index i = 0; i < x.rows(); ++i) {
    const Scalar* row = x.data() + i * cols;
#pragma omp simd
    for (Index j = 0; j < cols; ++j) out[j] += row[j];
  }
}

void add_column_sums_of_products(ConstMatrixView a, ConstMatrixView b, MatrixView sums) {
  assert(a.rows() == b.rows() && a.cols() == b.cols() && sums.rows() == 1 && sums.cols() == a.cols());
  Scalar* out = sums.data();
  const Index cols = a.cols();
  for (Index i = 0; i < a.rows(); ++i) {
    const Scalar* row_a = a.data() + i * cols;
    const Scalar* row_b = b.data() + i * cols;
#pragma omp simd
    for (Index j = 0; j < cols; ++j) out[j] += row_a[j] * row_b[j];
  }
}

}  // namespace glassnet
