#include "glassnet/data/synthetic.hpp"

#include <gtest/gtest.h>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

TEST(Synthetic, XorLabelsFollowTheQuadrantsAndAreBalanced) {
  const Dataset d = make_xor(4000, 5, 1);
  ASSERT_EQ(d.x.cols(), 5);
  Index ones = 0;
  for (Index i = 0; i < d.x.rows(); ++i) {
    EXPECT_EQ(d.y(i, 0), (d.x(i, 0) > 0) == (d.x(i, 1) > 0) ? 1 : 0);
    ones += d.y(i, 0) > 0.5;
  }
  EXPECT_NEAR(static_cast<double>(ones) / 4000, 0.5, 0.03);
  EXPECT_EQ(make_xor(10, 3, 7).x, make_xor(10, 3, 7).x) << "deterministic for a seed";
  EXPECT_THROW(make_xor(10, 1, 1), Error);
}

TEST(Synthetic, MoonsAndSpiralsHaveTwoBalancedClasses) {
  for (const Dataset& d : {make_moons(1000, 2, 0.1, 1), make_spirals(1000, 4, 1.5, 0.05, 1)}) {
    EXPECT_NEAR(d.y.cast<double>().mean(), 0.5, 1e-9);
    EXPECT_TRUE(d.x.allFinite());
  }
  const Dataset moons = make_moons(2000, 2, 0.0, 2);
  // Without noise the upper moon lies on the unit circle.
  for (Index i = 0; i < moons.x.rows(); i += 2) EXPECT_NEAR(moons.x.row(i).norm(), 1.0, 1e-5);
}

}  // namespace
}  // namespace glassnet
