// Sums of floats in double (core/double_sums.hpp).

#include "glassnet/core/double_sums.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "glassnet/core/rng.hpp"

namespace glassnet {
namespace {

TEST(DoubleSums, MatchASumInOrderAtEveryLength) {
  Rng rng(3);
  for (Index n : {0, 1, 31, 32, 33, 95, 1000, 4160}) {
    std::vector<Scalar> x(static_cast<std::size_t>(n));
    for (Scalar& v : x) v = static_cast<Scalar>(rng.normal() * 10.0);
    long double sum = 0, squares = 0;
    const double centre = 0.25;
    for (Scalar v : x) {
      sum += v;
      squares += (static_cast<long double>(v) - centre) * (static_cast<long double>(v) - centre);
    }
    EXPECT_NEAR(sum_in_double(x.data(), n), static_cast<double>(sum), 1e-9 * (1.0 + static_cast<double>(n)))
        << "n=" << n;
    EXPECT_NEAR(squared_deviations_in_double(x.data(), n, centre), static_cast<double>(squares),
                1e-9 * static_cast<double>(squares) + 1e-12)
        << "n=" << n;
  }
}

TEST(DoubleSums, SmallIntegersSumExactly) {
  std::vector<Scalar> x(1001);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<Scalar>(i % 7) - 3;
  double expected = 0.0;
  for (Scalar v : x) expected += v;
  EXPECT_EQ(sum_in_double(x.data(), static_cast<Index>(x.size())), expected);
}

TEST(DoubleSums, SquaresOfLargeFloatsStayFinite) {
  if (kDoublePrecision) GTEST_SKIP() << "Scalar is double: there is nothing wider to add in";
  // In float, (1e30)² overflows; in double it does not: an exploding gradient's norm
  // is a number, not infinity.
  const std::vector<Scalar> x(40, static_cast<Scalar>(1e30));
  EXPECT_NEAR(squared_deviations_in_double(x.data(), 40, 0.0) / 40.0, 1e60, 1e54);
}

}  // namespace
}  // namespace glassnet
