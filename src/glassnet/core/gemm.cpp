#include "glassnet/core/gemm.hpp"

#include <algorithm>
#include <cassert>
#include <vector>

#include "glassnet/core/gemm_kernel.hpp"
#include "glassnet/core/threads.hpp"

namespace glassnet {
namespace {

// Products below this many multiply-adds run on one thread: below it (W1's 64 × 64 ×
// 64 products, 3–5 µs) the second thread's copy of the packed operand and the hand-over
// cost more than they save; W2's 256 × 64 × 64 products gain (bench/NOTES.md).
constexpr double kParallelMultiplyAdds = 1 << 19;
// Each thread's part of the output is at least this many rows (or columns).
constexpr Index kMinRowsPerPart = 8;

// Threads for a product c:[m, n] over depth k: one below kParallelMultiplyAdds.
int parts_for(Index m, Index n, Index k) {
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  if (work < kParallelMultiplyAdds) return 1;
  return static_cast<int>(std::min<Index>(thread_count(), std::max<Index>(1, std::max(m, n) / kMinRowsPerPart)));
}

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

// Eigen's blocked product packs panels of both operands into workspace it takes from
// the heap on every call once a panel exceeds EIGEN_STACK_ALLOCATION_LIMIT. For those
// products glassnet calls the same kernel with a blocking whose panels live in buffers
// each thread keeps, so that a steady-state training step allocates nothing.
//
// Eigen's blocking is not monotone in the sizes: a product of 65 columns may take
// panels wider than one of 128 (which it splits into blocks of 64). So the buffers are
// sized by bounds that are, from the whole product's sizes (`reserve`), and a smaller
// product of the same layer later — the last batch of an epoch — fits in them:
//   the lhs panel kc × mc:  kc ≤ min(depth, the largest kc), mc ≤ rows of the whole;
//   the rhs panel kc × nc:  Eigen chooses nc so that it fits in half of its level-2
//                           budget (GeneralBlockPanelKernel.h: 1.5 MB).
class KeptWorkspace : public Eigen::internal::level3_blocking<Scalar, Scalar> {
 public:
  // For D:[rows, cols] (column-major) += L:[rows, depth] · R:[depth, cols].
  KeptWorkspace(Index rows, Index cols, Index depth) {
    this->m_mc = rows;
    this->m_nc = cols;
    this->m_kc = depth;
    Eigen::internal::computeProductBlockingSizes<Scalar, Scalar, 1>(this->m_kc, this->m_mc, this->m_nc, Index(1));
  }
  std::size_t panel_bytes() const {
    return static_cast<std::size_t>(this->m_kc * std::max(this->m_mc, this->m_nc)) * sizeof(Scalar);
  }
  // Buffer sizes, in scalars, that hold the panels of any part of a product whose D has
  // `whole_rows` rows, at this depth or less.
  static std::pair<std::size_t, std::size_t> reserve(Index whole_rows, Index depth) {
    static const Index largest_kc = [] {  // Eigen's kc for a depth without end
      Index k = Index(1) << 40, m = 64, n = 64;
      Eigen::internal::computeProductBlockingSizes<Scalar, Scalar, 1>(k, m, n, Index(1));
      return k;
    }();
    constexpr std::size_t kLevel2Bytes = 1572864;
    return {static_cast<std::size_t>(std::min(depth, largest_kc) * whole_rows), kLevel2Bytes / 2 / sizeof(Scalar)};
  }
  void attach(std::pair<std::size_t, std::size_t> reserved) {
    thread_local std::vector<Scalar, Eigen::aligned_allocator<Scalar>> a, b;
    const auto size_a = static_cast<std::size_t>(this->m_kc * this->m_mc);
    const auto size_b = static_cast<std::size_t>(this->m_kc * this->m_nc);
    assert(size_a <= reserved.first && size_b <= reserved.second);
    if (a.size() < std::max(size_a, reserved.first)) a.resize(std::max(size_a, reserved.first));
    if (b.size() < std::max(size_b, reserved.second)) b.resize(std::max(size_b, reserved.second));
    this->m_blockA = a.data();
    this->m_blockB = b.data();
  }
};

// Products narrower than this stay with Eigen's dispatch, which picks matrix-vector
// kernels for them.
constexpr Index kMinKeptWidth = 16;

// c:[m, n] row-major is D = cᵀ:[n, m] column-major, and D = op(b)ᵀ · op(a)ᵀ. `a` and
// `b` point at the first row of op(a) and the first column of op(b) that the part
// covers; lda and ldb are the row strides of the stored a and b.
template <bool TransposeA, bool TransposeB>
void kept_product(const Scalar* a, Index lda, const Scalar* b, Index ldb, Index m, Index n, Index k, Scalar alpha,
                  Scalar* c, Index ldc, KeptWorkspace& workspace, std::pair<std::size_t, std::size_t> reserved) {
  constexpr int lhs_order = TransposeB ? Eigen::RowMajor : Eigen::ColMajor;
  constexpr int rhs_order = TransposeA ? Eigen::RowMajor : Eigen::ColMajor;
  workspace.attach(reserved);
  Eigen::internal::general_matrix_matrix_product<Index, Scalar, lhs_order, false, Scalar, rhs_order, false,
                                                 Eigen::ColMajor, 1>::run(n, m, k, b, ldb, a, lda, c, 1, ldc, alpha,
                                                                          workspace);
}

// Splits c's rows (or columns, when it is wider than tall) into one contiguous range
// per thread; each thread computes its range with the whole of the other operand.
template <typename Lhs, typename Rhs>
void product(const Lhs& lhs, const Rhs& rhs, Scalar alpha, Scalar beta, MatrixView c) {
  const Index m = c.rows(), n = c.cols();
  const bool by_rows = m >= n;
  const Index extent = by_rows ? m : n;
  const int parts = parts_for(m, n, lhs.cols());
  if (parts == 1) {
    product_into(lhs, rhs, alpha, beta, c);
    return;
  }
  parallel_ranges(extent, parts, [&](Index begin, Index end) {
    const Index size = end - begin;
    if (by_rows) {
      product_into(lhs.middleRows(begin, size), rhs, alpha, beta, c.middleRows(begin, size));
    } else {
      product_into(lhs, rhs.middleCols(begin, size), alpha, beta, c.middleCols(begin, size));
    }
  });
}


// The product with kept workspace, split over threads as `product` splits it.
template <bool TransposeA, bool TransposeB>
void kept_parts(ConstMatrixView a, ConstMatrixView b, Scalar alpha, Scalar beta, MatrixView c, int parts) {
  const Index m = c.rows(), n = c.cols();
  const Index k = TransposeA ? a.rows() : a.cols();
  const bool by_rows = m >= n;
  const Index extent = by_rows ? m : n;
  const auto reserved = KeptWorkspace::reserve(n, k);  // (D = cᵀ has n rows)
  parallel_ranges(extent, parts, [&](Index begin, Index end) {
    const Index size = end - begin;
    const Index rows = by_rows ? size : m, cols = by_rows ? n : size;
    Scalar* out = c.data() + (by_rows ? begin * n : begin);
    Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0, Eigen::OuterStride<>> block(
        out, rows, cols, Eigen::OuterStride<>(n));
    if (beta == Scalar(0)) {
      block.setZero();
    } else if (beta != Scalar(1)) {
      block *= beta;
    }
    // The first row of op(a) and the first column of op(b) of this part.
    const Scalar* a_part = a.data() + (by_rows ? (TransposeA ? begin : begin * a.cols()) : 0);
    const Scalar* b_part = b.data() + (by_rows ? 0 : (TransposeB ? begin * b.cols() : begin));
    KeptWorkspace workspace(cols, rows, k);
    kept_product<TransposeA, TransposeB>(a_part, a.cols(), b_part, b.cols(), rows, cols, k, alpha, out, n, workspace,
                                         reserved);
  });
}

// Whether Eigen would take its workspace from the heap for this product.
bool needs_kept_workspace(Index m, Index n, Index k) {
  if (std::min(m, n) < kMinKeptWidth) return false;
  return KeptWorkspace(n, m, k).panel_bytes() > static_cast<std::size_t>(EIGEN_STACK_ALLOCATION_LIMIT);
}

// Outputs at least this wide (and of more than one row) run on glassnet's own kernel
// where the build has it (float, AVX-512): its register tile is 32 columns wide, and
// Eigen's matrix–vector kernels do the narrower ones faster (bench/NOTES.md).
constexpr Index kMinPackedColumns = 16;

bool use_packed_kernel(Index m, Index n) {
  if constexpr (kDoublePrecision) {
    return false;
  } else {
    return kernel::packed_gemm_available() && n >= kMinPackedColumns && m >= 2;
  }
}

// The packed kernel, split over threads as `product` splits it. (Float only: the double
// build never calls it, and does not compile it.)
void packed_parts(bool ta, bool tb, Scalar alpha, ConstMatrixView a, ConstMatrixView b, Scalar beta, MatrixView c) {
#if defined(GLASSNET_DOUBLE) && GLASSNET_DOUBLE
  (void)ta, (void)tb, (void)alpha, (void)a, (void)b, (void)beta, (void)c;
  assert(false && "packed_parts is float only");
#else
  const Index m = c.rows(), n = c.cols(), k = ta ? a.rows() : a.cols();
  const kernel::StridedOperand op_a = ta ? kernel::StridedOperand{a.data(), 1, a.cols()}
                                         : kernel::StridedOperand{a.data(), a.cols(), 1};
  const kernel::StridedOperand op_b = tb ? kernel::StridedOperand{b.data(), 1, b.cols()}
                                         : kernel::StridedOperand{b.data(), b.cols(), 1};
  const bool by_rows = m >= n;
  const Index extent = by_rows ? m : n;
  parallel_ranges(extent, parts_for(m, n, k), [&](Index begin, Index end) {
    const Index size = end - begin;
    if (by_rows) {
      const kernel::StridedOperand rows{op_a.data + begin * op_a.row_stride, op_a.row_stride, op_a.col_stride};
      kernel::packed_gemm(size, n, k, alpha, rows, op_b, beta, c.data() + begin * n, n);
    } else {
      const kernel::StridedOperand cols{op_b.data + begin * op_b.col_stride, op_b.row_stride, op_b.col_stride};
      kernel::packed_gemm(m, size, k, alpha, op_a, cols, beta, c.data() + begin, n);
    }
  });
#endif
}

}  // namespace

void gemm(Transpose transpose_a, Transpose transpose_b, Scalar alpha, ConstMatrixView a, ConstMatrixView b, Scalar beta,
          MatrixView c) {
  const bool ta = transpose_a == Transpose::yes;
  const bool tb = transpose_b == Transpose::yes;
  const Index k = ta ? a.rows() : a.cols();
  if (use_packed_kernel(c.rows(), c.cols())) {
    packed_parts(ta, tb, alpha, a, b, beta, c);
    return;
  }
  if (needs_kept_workspace(c.rows(), c.cols(), k)) {
    const int parts = parts_for(c.rows(), c.cols(), k);
    if (!ta && !tb) kept_parts<false, false>(a, b, alpha, beta, c, parts);
    if (!ta && tb) kept_parts<false, true>(a, b, alpha, beta, c, parts);
    if (ta && !tb) kept_parts<true, false>(a, b, alpha, beta, c, parts);
    if (ta && tb) kept_parts<true, true>(a, b, alpha, beta, c, parts);
    return;
  }
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
