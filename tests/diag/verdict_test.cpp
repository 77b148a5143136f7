// A fix's verdict over seeds (diag/verdict.hpp).

#include "glassnet/diag/verdict.hpp"

#include <gtest/gtest.h>

#include "glassnet/diag/trials.hpp"

namespace glassnet {
namespace {

// The baseline of 16 tanh layers on XOR at 7 epochs, two seeds: spread 0.023.
const std::vector<double> kTanhBaseline = {0.930, 0.907};
constexpr SeedVerdict kTanhSpread{.spread = 0.023, .min_spread = 0.005};

TEST(Verdict, AFirstRunAheadOfEverySeedOfTheBestIsWorthTheOtherSeeds) {
  // ReLU + He's first seed, 0.933: ahead of both, by less than the spread.
  EXPECT_TRUE(worth_confirming(0.933, kTanhBaseline));
  EXPECT_FALSE(worth_confirming(0.930, kTanhBaseline)) << "level with the best seed";
  EXPECT_FALSE(worth_confirming(0.920, kTanhBaseline)) << "ahead of the mean only";
}

TEST(Verdict, AMeanAheadByMoreThanTheSpreadBeatsTheBest) {
  EXPECT_TRUE(beats_over_seeds({0.933, 0.957}, kTanhBaseline, kTanhSpread)) << "means 0.945 and 0.9185";
  EXPECT_FALSE(beats_over_seeds({0.953, 0.890}, kTanhBaseline, kTanhSpread)) << "batch norm: one seed far behind";
  EXPECT_FALSE(beats_over_seeds({0.934, 0.934}, kTanhBaseline, kTanhSpread))
      << "means 0.0155 apart, and 0.934 is within min_spread of 0.930";
}

TEST(Verdict, ARunThatDivergedIsNoNumberToAverage) {
  constexpr double kDiverged = kDivergedMetric;
  const SeedVerdict v{.spread = 0.02, .min_spread = 0.005};
  // The best's diverged seed does not drag its mean down to a candidate 0.10 behind.
  EXPECT_FALSE(beats_over_seeds({0.803, 0.70}, {0.80, kDiverged}, v));
  EXPECT_TRUE(beats_over_seeds({0.83, 0.84}, {0.80, kDiverged}, v)) << "ahead of the best's every finished run";
  // A candidate that diverged on a seed is not better on average.
  EXPECT_FALSE(beats_over_seeds({0.99, kDiverged}, {0.80, 0.78}, v));
}

TEST(Verdict, EveryRunAheadOfEveryRunBeatsAnErraticBest) {
  const std::vector<double> erratic = {0.84, 0.50};
  const SeedVerdict v{.spread = 0.34, .min_spread = 0.005};
  EXPECT_TRUE(beats_over_seeds({0.90, 0.88}, erratic, v)) << "the means are 0.22 apart, under the spread";
  EXPECT_FALSE(beats_over_seeds({0.90, 0.80}, erratic, v));
}

}  // namespace
}  // namespace glassnet
