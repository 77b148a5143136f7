#include "glassnet/nn/batch_split.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "glassnet/core/threads.hpp"

namespace glassnet {
namespace {

// Every part gets the sum over the parts, the same bits in each, round after round, at
// widths that change from one exchange to the next (as batch norm's layers do).
void exchange_rounds(BatchSplit& split, int rounds) {
  const int parts = split.parts();
  std::vector<std::vector<std::vector<Scalar>>> results(static_cast<std::size_t>(parts));
  split.begin(parts * 10);
  parallel_parts_together(parts, [&](int part) {
    for (int round = 0; round < rounds; ++round) {
      std::vector<Scalar> sums(static_cast<std::size_t>(1 + round % 5));
      for (std::size_t j = 0; j < sums.size(); ++j) {
        sums[j] = static_cast<Scalar>(0.1 * (part + 1) + round + static_cast<double>(j));
      }
      split.add_across_parts(part, sums);
      results[static_cast<std::size_t>(part)].push_back(sums);
    }
  });
  split.end();
  for (int round = 0; round < rounds; ++round) {
    const auto& first = results[0][static_cast<std::size_t>(round)];
    for (std::size_t j = 0; j < first.size(); ++j) {
      double expected = 0.0;
      for (int part = 0; part < parts; ++part) expected += 0.1 * (part + 1) + round + static_cast<double>(j);
      ASSERT_NEAR(first[j], expected, 1e-4 * expected) << "round " << round;
    }
    for (int part = 1; part < parts; ++part) {
      ASSERT_EQ(results[static_cast<std::size_t>(part)][static_cast<std::size_t>(round)], first) << "round " << round;
    }
  }
}

TEST(BatchSplit, EveryPartGetsTheSameSumOverTheParts) {
  const ThreadCountScope threads(3);
  BatchSplit two(2), three(3);
  exchange_rounds(two, 200);
  exchange_rounds(three, 200);
  exchange_rounds(two, 7);  // and again, after an end
}

TEST(BatchSplit, AnAbandonedSplitStopsWaiting) {
  const ThreadCountScope threads(2);
  BatchSplit split(2);
  split.begin(4);
  parallel_parts_together(2, [&](int part) {
    if (part == 1) {
      split.abandon();  // a part that failed before its first exchange
      return;
    }
    std::vector<Scalar> sums{1, 2};
    split.add_across_parts(0, sums);
    split.wait_for_parts();
  });
  split.end();
  EXPECT_TRUE(split.abandoned());
  exchange_rounds(split, 3);  // begin makes it whole again
}

}  // namespace
}  // namespace glassnet
