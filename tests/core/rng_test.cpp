#include "glassnet/core/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace glassnet {
namespace {

TEST(Rng, TheSameSeedGivesTheSameSequence) {
  Rng a(42), b(42), c(43);
  bool differs_from_other_seed = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs_from_other_seed |= x != c.next_u64();
  }
  EXPECT_TRUE(differs_from_other_seed);
}

TEST(Rng, FirstDrawsArePinnedSoBuildsAgree) {
  // xoshiro256** seeded by splitmix64(0): any change to the generator breaks
  // reproducibility of every seeded run, so the first outputs are fixed here.
  Rng rng(0);
  const std::uint64_t first = rng.next_u64();
  Rng again(0);
  EXPECT_EQ(first, again.next_u64());
  EXPECT_EQ(first, 0x99ec5f36cb75f2b4ULL);
}

TEST(Rng, UniformAndNormalHaveTheRightMoments) {
  Rng rng(7);
  const int n = 200000;
  double sum_u = 0, sum_n = 0, sum_n2 = 0;
  double min_u = 1, max_u = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    min_u = std::min(min_u, u);
    max_u = std::max(max_u, u);
    sum_u += u;
    const double z = rng.normal();
    sum_n += z;
    sum_n2 += z * z;
  }
  EXPECT_GE(min_u, 0.0);
  EXPECT_LT(max_u, 1.0);
  EXPECT_NEAR(sum_u / n, 0.5, 0.005);
  EXPECT_NEAR(sum_n / n, 0.0, 0.01);
  EXPECT_NEAR(sum_n2 / n, 1.0, 0.01);
}

TEST(Rng, BelowIsUniformOverItsRange) {
  Rng rng(11);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[rng.below(7)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

TEST(Rng, ShuffleIsAPermutationAndReproducible) {
  std::vector<Index> a(50), b(50);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 0);
  Rng r1(5), r2(5);
  r1.shuffle(a);
  r2.shuffle(b);
  EXPECT_EQ(a, b);
  std::vector<Index> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<Index> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(a, identity);
}

TEST(Rng, StateRoundTripsForCheckpoints) {
  Rng rng(9);
  rng.normal();  // leaves a spare normal in the state
  const Rng::State saved = rng.state();
  const double expected1 = rng.normal(), expected2 = rng.normal();
  Rng restored(0);
  restored.set_state(saved);
  EXPECT_EQ(restored.normal(), expected1);
  EXPECT_EQ(restored.normal(), expected2);
}

}  // namespace
}  // namespace glassnet
