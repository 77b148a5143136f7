#include "glassnet/core/gemm.hpp"

#include <gtest/gtest.h>

#include "glassnet/core/rng.hpp"

namespace glassnet {
namespace {

Matrix random_matrix(Index rows, Index cols, Rng& rng) {
  Matrix m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(rng.normal());
  return m;
}

// The definition, with double accumulation.
Matrix naive_product(const Matrix& a, bool ta, const Matrix& b, bool tb) {
  const Index m = ta ? a.cols() : a.rows();
  const Index k = ta ? a.rows() : a.cols();
  const Index n = tb ? b.rows() : b.cols();
  Matrix c(m, n);
  for (Index i = 0; i < m; ++i) {
    for (Index j = 0; j < n; ++j) {
      double sum = 0;
      for (Index p = 0; p < k; ++p) sum += double(ta ? a(p, i) : a(i, p)) * double(tb ? b(j, p) : b(p, j));
      c(i, j) = static_cast<Scalar>(sum);
    }
  }
  return c;
}

TEST(Gemm, EveryTransposeCombinationMatchesTheDefinition) {
  Rng rng(3);
  const Index m = 5, k = 7, n = 3;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const Matrix a = ta ? random_matrix(k, m, rng) : random_matrix(m, k, rng);
      const Matrix b = tb ? random_matrix(n, k, rng) : random_matrix(k, n, rng);
      const Matrix c0 = random_matrix(m, n, rng);
      for (Scalar alpha : {Scalar(1), Scalar(-0.5)}) {
        for (Scalar beta : {Scalar(0), Scalar(1), Scalar(2)}) {
          Matrix c = c0;
          gemm(ta ? Transpose::yes : Transpose::no, tb ? Transpose::yes : Transpose::no, alpha, view(a), view(b), beta,
               view(c));
          const Matrix expected = alpha * naive_product(a, ta, b, tb) + beta * c0;
          EXPECT_LT((c - expected).cwiseAbs().maxCoeff(), 1e-5)
              << "ta=" << ta << " tb=" << tb << " alpha=" << alpha << " beta=" << beta;
        }
      }
    }
  }
}

TEST(Gemm, BetaZeroIgnoresNonFiniteContents) {
  Matrix a = Matrix::Ones(2, 2), b = Matrix::Ones(2, 2);
  Matrix c = Matrix::Constant(2, 2, std::numeric_limits<Scalar>::quiet_NaN());
  gemm(Transpose::no, Transpose::no, 1, view(a), view(b), 0, view(c));
  EXPECT_EQ(c, Matrix::Constant(2, 2, 2));
}

TEST(Buffer, ResizingWithinCapacityKeepsTheStorage) {
  Buffer buffer(8, 4);
  const Scalar* storage = buffer.data();
  buffer.resize(3, 4);
  EXPECT_EQ(buffer.data(), storage);
  EXPECT_EQ(buffer.view().rows(), 3);
  buffer.resize(8, 4);
  EXPECT_EQ(buffer.data(), storage);
  buffer.resize(16, 4);
  EXPECT_EQ(buffer.rows(), 16);
  EXPECT_EQ(buffer.cols(), 4);
}

}  // namespace
}  // namespace glassnet
