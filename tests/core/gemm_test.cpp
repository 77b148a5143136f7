#include "glassnet/core/gemm.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cmath>
#include <thread>

#include "glassnet/core/rng.hpp"
#include "glassnet/core/threads.hpp"
#include "test_support.hpp"

namespace glassnet {
namespace {

using testing::random_matrix;

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

// Products large enough to be split over threads: split by rows (tall output) and by
// columns (wide output), every transpose, uneven part sizes. Each thread count matches
// the definition, and a repeated run with the same count is bit-identical.
TEST(Gemm, ProductsSplitOverThreadsMatchTheDefinitionAndRepeatExactly) {
  Rng rng(11);
  struct Shape {
    Index m, k, n;
  };
  for (const Shape s : {Shape{131, 150, 117}, Shape{9, 260, 301}, Shape{300, 97, 40}}) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        const Matrix a = ta ? random_matrix(s.k, s.m, rng) : random_matrix(s.m, s.k, rng);
        const Matrix b = tb ? random_matrix(s.n, s.k, rng) : random_matrix(s.k, s.n, rng);
        const Matrix c0 = random_matrix(s.m, s.n, rng);
        const Matrix expected = Scalar(0.5) * naive_product(a, ta, b, tb) + c0;
        const double scale = std::sqrt(static_cast<double>(s.k));
        for (int threads : {1, 2, 3}) {
          set_thread_count(threads);
          Matrix first = c0, second = c0;
          for (Matrix* c : {&first, &second}) {
            gemm(ta ? Transpose::yes : Transpose::no, tb ? Transpose::yes : Transpose::no, Scalar(0.5), view(a),
                 view(b), 1, view(*c));
          }
          EXPECT_LT((first - expected).cwiseAbs().maxCoeff(), 1e-5 * scale)
              << "threads=" << threads << " m=" << s.m << " ta=" << ta << " tb=" << tb;
          EXPECT_EQ(first, second) << "the same thread count gives the same bits";
        }
      }
    }
  }
  set_thread_count(0);
}

// Products whose packed panels exceed Eigen's stack limit run on workspace each thread
// keeps (core/gemm.cpp): every transpose, split by rows and by columns, each beta.
TEST(Gemm, LargeProductsOnKeptWorkspaceMatchTheDefinition) {
  Rng rng(12);
  struct Shape {
    Index m, k, n;
  };
  for (const Shape s : {Shape{140, 400, 300}, Shape{40, 500, 260}}) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) {
        const Matrix a = ta ? random_matrix(s.k, s.m, rng) : random_matrix(s.m, s.k, rng);
        const Matrix b = tb ? random_matrix(s.n, s.k, rng) : random_matrix(s.k, s.n, rng);
        const Matrix c0 = random_matrix(s.m, s.n, rng);
        const Matrix product = naive_product(a, ta, b, tb);
        const double tolerance = 1e-5 * std::sqrt(static_cast<double>(s.k));
        for (int threads : {1, 2}) {
          set_thread_count(threads);
          for (Scalar beta : {Scalar(0), Scalar(1), Scalar(0.3)}) {
            Matrix c = beta == Scalar(0) ? Matrix::Constant(s.m, s.n, std::numeric_limits<Scalar>::quiet_NaN()) : c0;
            gemm(ta ? Transpose::yes : Transpose::no, tb ? Transpose::yes : Transpose::no, Scalar(-0.5), view(a),
                 view(b), beta, view(c));
            const Matrix previous = beta == Scalar(0) ? Matrix(Matrix::Zero(s.m, s.n)) : Matrix(beta * c0);
            const Matrix expected = Scalar(-0.5) * product + previous;
            EXPECT_LT((c - expected).cwiseAbs().maxCoeff(), tolerance)
                << "m=" << s.m << " ta=" << ta << " tb=" << tb << " threads=" << threads << " beta=" << beta;
          }
        }
      }
    }
  }
  set_thread_count(0);
}

TEST(Threads, EveryPartRunsExactlyOnceOnItsOwnThread) {
  set_thread_count(4);
  ASSERT_EQ(thread_count(), 4);
  for (int parts = 1; parts <= 4; ++parts) {
    for (int repeat = 0; repeat < 50; ++repeat) {
      std::array<std::atomic<int>, 4> runs{};
      std::array<std::thread::id, 4> ids{};
      parallel_parts(parts, [&](int part) {
        runs[static_cast<std::size_t>(part)].fetch_add(1);
        ids[static_cast<std::size_t>(part)] = std::this_thread::get_id();
      });
      for (int p = 0; p < 4; ++p) EXPECT_EQ(runs[static_cast<std::size_t>(p)].load(), p < parts ? 1 : 0);
      EXPECT_EQ(ids[0], std::this_thread::get_id()) << "part 0 runs on the caller";
      for (int p = 1; p < parts; ++p) EXPECT_NE(ids[static_cast<std::size_t>(p)], ids[0]);
    }
  }
  set_thread_count(1);
  EXPECT_EQ(thread_count(), 1);
  set_thread_count(0);
  EXPECT_GE(thread_count(), 1);
}

// Repair's trials run side by side (diag/repair.hpp), each splitting its products: one
// caller at a time has the pool, the other runs every part itself, with the same bits.
TEST(Threads, CallersAtOnceEachHaveEveryPartRunOnceAndTheSameProducts) {
  set_thread_count(2);
  Rng rng(13);
  const Matrix a = random_matrix(300, 200, rng), b = random_matrix(200, 150, rng);
  Matrix alone(300, 150);
  gemm(Transpose::no, Transpose::no, 1, view(a), view(b), 0, view(alone));
  const auto caller = [&](Matrix& out, int& wrong_parts) {
    for (int repeat = 0; repeat < 200; ++repeat) {
      std::array<int, 2> runs{};
      parallel_parts(2, [&](int part) { ++runs[static_cast<std::size_t>(part)]; });
      wrong_parts += runs[0] != 1 || runs[1] != 1;
      gemm(Transpose::no, Transpose::no, 1, view(a), view(b), 0, view(out));
    }
  };
  Matrix first(300, 150), second(300, 150);
  int wrong_first = 0, wrong_second = 0;
  std::thread other(caller, std::ref(second), std::ref(wrong_second));
  caller(first, wrong_first);
  other.join();
  EXPECT_EQ(wrong_first + wrong_second, 0);
  EXPECT_EQ(first, alone);
  EXPECT_EQ(second, alone);
  set_thread_count(0);
}

// Each thread has its own count; a scope sets the calling thread's and puts it back.
TEST(Threads, EachThreadHasItsOwnCountAndAScopePutsItBack) {
  set_thread_count(3);
  int seen_beside = 0;
  std::thread([&] {
    set_thread_count(1);
    seen_beside = thread_count();
  }).join();
  EXPECT_EQ(seen_beside, 1);
  EXPECT_EQ(thread_count(), 3) << "another thread's count is its own";
  {
    const ThreadCountScope scope(2);
    EXPECT_EQ(thread_count(), 2);
  }
  EXPECT_EQ(thread_count(), 3);
  set_thread_count(0);
}

}  // namespace
}  // namespace glassnet
