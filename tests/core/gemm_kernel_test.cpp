#include "glassnet/core/gemm_kernel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "glassnet/core/rng.hpp"

namespace glassnet::kernel {
namespace {

// A row-major float matrix with `guard` extra columns on the right, filled with a
// sentinel that the product must leave alone.
struct Stored {
  Index rows, cols, stride;
  std::vector<float> values;
  Stored(Index r, Index c, Index guard, float fill) : rows(r), cols(c), stride(c + guard), values(r * (c + guard), fill) {}
  float& at(Index i, Index j) { return values[i * stride + j]; }
  float at(Index i, Index j) const { return values[i * stride + j]; }
};

Stored random_stored(Index rows, Index cols, Rng& rng) {
  Stored s(rows, cols, 0, 0.0f);
  for (float& v : s.values) v = static_cast<float>(rng.normal());
  return s;
}

// op(x) as the kernel reads it: x itself, or its transpose.
StridedOperand operand(const Stored& x, bool transposed) {
  return transposed ? StridedOperand{x.values.data(), 1, x.stride} : StridedOperand{x.values.data(), x.stride, 1};
}

double element(const Stored& x, bool transposed, Index i, Index j) { return transposed ? x.at(j, i) : x.at(i, j); }

struct Shape {
  Index m, n, k;
};

// Checks c = alpha · op(a) · op(b) + beta · c0 element by element against a double
// accumulation, and that the guard columns right of c are untouched.
void expect_product(Shape s, bool ta, bool tb, float alpha, float beta, Rng& rng) {
  const Stored a = ta ? random_stored(s.k, s.m, rng) : random_stored(s.m, s.k, rng);
  const Stored b = tb ? random_stored(s.n, s.k, rng) : random_stored(s.k, s.n, rng);
  constexpr float kSentinel = -12345.0f;
  Stored c(s.m, s.n, 3, kSentinel);
  Stored c0(s.m, s.n, 0, 0.0f);
  for (Index i = 0; i < s.m; ++i) {
    for (Index j = 0; j < s.n; ++j) {
      c0.at(i, j) = static_cast<float>(rng.normal());
      // With beta == 0 the previous contents must not be read: NaN would leak through.
      c.at(i, j) = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : c0.at(i, j);
    }
  }
  packed_gemm(s.m, s.n, s.k, alpha, operand(a, ta), operand(b, tb), beta, c.values.data(), c.stride);
  const double tolerance = 2e-6 * (std::sqrt(static_cast<double>(s.k)) * 4 + 1);
  double worst = 0;
  for (Index i = 0; i < s.m; ++i) {
    for (Index j = 0; j < s.n; ++j) {
      double sum = 0;
      for (Index p = 0; p < s.k; ++p) sum += element(a, ta, i, p) * element(b, tb, p, j);
      const double expected = alpha * sum + (beta == 0.0f ? 0.0 : beta * double(c0.at(i, j)));
      const double error = std::abs(double(c.at(i, j)) - expected);
      worst = std::isnan(error) ? std::numeric_limits<double>::infinity() : std::max(worst, error);
    }
    for (Index j = s.n; j < c.stride; ++j) ASSERT_EQ(c.at(i, j), kSentinel) << "wrote past the row at " << i << "," << j;
  }
  EXPECT_LT(worst, tolerance) << "m=" << s.m << " n=" << s.n << " k=" << s.k << " ta=" << ta << " tb=" << tb
                              << " alpha=" << alpha << " beta=" << beta;
}

class PackedGemm : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!packed_gemm_available()) GTEST_SKIP() << "this build has no AVX-512 kernel";
  }
};

// Every edge of the blocking: rows around the 8-row tile and the 128-row block, columns
// around the 16-lane halves and the 32-wide tile (and past the 128 columns up to which a
// row-major a is read in place), depths around the 16-deep transposes and the 256-deep
// block; each transpose, so that a is packed, read by rows and read by columns.
TEST_F(PackedGemm, EveryEdgeOfTheBlockingMatchesTheDefinition) {
  Rng rng(5);
  for (const Shape s : {Shape{1, 16, 1}, Shape{7, 17, 15}, Shape{8, 31, 16}, Shape{9, 32, 17}, Shape{15, 33, 33},
                        Shape{17, 129, 40}, Shape{129, 47, 257}, Shape{130, 200, 70}, Shape{24, 64, 600}}) {
    for (bool ta : {false, true}) {
      for (bool tb : {false, true}) expect_product(s, ta, tb, 1.0f, 0.0f, rng);
    }
  }
}

TEST_F(PackedGemm, AlphaAndBetaCombineAsDocumented) {
  Rng rng(6);
  for (float alpha : {1.0f, -0.5f}) {
    for (float beta : {0.0f, 1.0f, 0.3f}) {
      expect_product({19, 45, 300}, false, true, alpha, beta, rng);
      expect_product({19, 150, 30}, true, false, alpha, beta, rng);
    }
  }
}

TEST_F(PackedGemm, WideOutputsCrossTheColumnBlock) {
  Rng rng(7);
  expect_product({3, 2100, 5}, false, false, 1.0f, 1.0f, rng);
  expect_product({3, 2100, 5}, true, true, 1.0f, 0.0f, rng);
}

TEST_F(PackedGemm, ZeroDepthScalesTheOutputByBeta) {
  Stored c(2, 20, 1, 2.0f);
  const float unused = 0.0f;
  packed_gemm(2, 20, 0, 1.0f, {&unused, 1, 1}, {&unused, 1, 1}, 0.5f, c.values.data(), c.stride);
  for (Index j = 0; j < 20; ++j) EXPECT_EQ(c.at(1, j), 1.0f);
  EXPECT_EQ(c.at(1, 20), 2.0f);
  packed_gemm(2, 20, 0, 1.0f, {&unused, 1, 1}, {&unused, 1, 1}, 0.0f, c.values.data(), c.stride);
  EXPECT_EQ(c.at(0, 0), 0.0f);
}

TEST_F(PackedGemm, RepeatedProductsAreBitIdentical) {
  Rng rng(8);
  const Stored a = random_stored(70, 300, rng), b = random_stored(300, 90, rng);
  Stored first(70, 90, 0, 0.0f), second(70, 90, 0, 0.0f);
  for (Stored* c : {&first, &second}) {
    packed_gemm(70, 90, 300, 1.0f, operand(a, false), operand(b, false), 0.0f, c->values.data(), c->stride);
  }
  EXPECT_EQ(first.values, second.values);
}

}  // namespace
}  // namespace glassnet::kernel
