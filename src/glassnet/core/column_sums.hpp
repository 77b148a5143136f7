#pragma once
// Sums down the rows of row-major matrices, a whole row at a time, so that the inner
// loop runs along contiguous memory and vectorizes. (Eigen's colwise() reductions walk
// a row-major matrix one column at a time, with a stride of a row between elements.)
// The rows are added in order, first to last, so the result is the same on every run.

#include "glassnet/core/matrix.hpp"

namespace glassnet {

// sums:[1, cols] += Σ_i x[i, :]. x:[rows, cols]
void add_column_sums(ConstMatrixView x, MatrixView sums);

// sums:[1, cols] += Σ_i a[i, :] ∘ b[i, :]. a, b:[rows, cols]
void add_column_sums_of_products(ConstMatrixView a, ConstMatrixView b, MatrixView sums);

}  // namespace glassnet
