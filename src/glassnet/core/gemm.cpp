#include "glassnet/core/gemm.hpp"

#include <algorithm>
#include <cassert>

#include "glassnet/core/threads.hpp"

namespace glassnet {
namespace {

// Products below this many multiply-adds run on one thread: waking the pool costs
// more than it saves there.
constexpr double kParallelMultiplyAdds = 1 << 21;
// Each thread's part of the output is at least this many rows (or columns).
constexpr Index kMinRowsPerPart = 8;

template <typename Lhs, typename Rhs, typename Out>
void product_into(const Lhs& lhs, const Rhs& rhs, Scalar alpha, Scalar beta, Out&& c) {
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

// Splits c's rows (or columns, when it is wider than tall) into one contiguous range
// per thread; each thread computes its range with the whole of the other operand.
template <typename Lhs, typename Rhs>
void product(const Lhs& lhs, const Rhs& rhs, Scalar alpha, Scalar beta, MatrixView c) {
  const Index m = c.rows(), n = c.cols(), k = lhs.cols();
  const bool by_rows = m >= n;
  const Index extent = by_rows ? m : n;
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const int parts =
      work < kParallelMultiplyAdds
          ? 1
          : static_cast<int>(std::min<Index>(thread_count(), std::max<Index>(1, extent / kMinRowsPerPart)));
  if (parts == 1) {
    product_into(lhs, rhs, alpha, beta, c);
    return;
  }
  parallel_parts(parts, [&](int part) {
    const Index begin = extent * part / parts, size = extent * (part + 1) / parts - begin;
    if (by_rows) {
      product_into(lhs.middleRows(begin, size), rhs, alpha, beta, c.middleRows(begin, size));
    } else {
      product_into(lhs, rhs.middleCols(begin, size), alpha, beta, c.middleCols(begin, size));
    }
  });
}

}  // namespace

void gemm(Transpose transpose_a, Transpose transpose_b, Scalar alpha, ConstMatrixView a, ConstMatrixView b, Scalar beta,
          MatrixView c) {
  const bool ta = transpose_a == Transpose::yes;
  const bool tb = transpose_b == Transpose::yes;
  if (!ta && !tb) {
    product(a, b, alpha, beta, c);
  } else if (!ta && tb) {
    product(a, b.transpose(), alpha, beta, c);
  } else if (ta && !tb) {
    product(a.transpose(), b, alpha, beta, c);
  } else {
    product(a.transpose(), b.transpose(), alpha, beta, c);
  }
}

}  // namespace glassnet
