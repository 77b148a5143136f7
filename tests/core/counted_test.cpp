// counted: a count and its noun, singular for one only.

#include "glassnet/core/counted.hpp"

#include <gtest/gtest.h>

#include <cstddef>

namespace glassnet {
namespace {

TEST(Counted, OneIsSingularEveryOtherCountPlural) {
  EXPECT_EQ(counted(1, "epoch"), "1 epoch");
  EXPECT_EQ(counted(std::size_t{1}, "thread"), "1 thread");
  EXPECT_EQ(counted(0, "row"), "0 rows");
  EXPECT_EQ(counted(2, "epoch"), "2 epochs");
  EXPECT_EQ(counted(-1, "step"), "-1 steps");
}

}  // namespace
}  // namespace glassnet
