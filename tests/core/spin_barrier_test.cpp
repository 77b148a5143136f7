#include "glassnet/core/spin_barrier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "glassnet/core/threads.hpp"

namespace glassnet {
namespace {

// Each meeting orders what every party wrote before it before what any reads after it.
TEST(SpinBarrier, EveryPartySeesTheOthersWritesAfterEachMeeting) {
  constexpr int kParties = 3, kRounds = 500;
  SpinBarrier barrier(kParties);
  std::vector<int> written(kParties, -1);
  std::atomic<int> wrong{0};
  const ThreadCountScope threads(kParties);
  parallel_parts_together(kParties, [&](int part) {
    for (int round = 0; round < kRounds; ++round) {
      written[static_cast<std::size_t>(part)] = round;
      barrier.arrive_and_wait();
      for (int other = 0; other < kParties; ++other) {
        if (written[static_cast<std::size_t>(other)] != round) wrong.fetch_add(1);
      }
      barrier.arrive_and_wait();  // nobody writes the next round before all have read
    }
  });
  EXPECT_EQ(wrong.load(), 0);
}

// A party later than the polling time finds the others asleep, and wakes them.
TEST(SpinBarrier, APartyLaterThanThePollingTimeWakesTheOthers) {
  SpinBarrier barrier(2);
  // (read before the late party starts its sleep: read after, it could miss part of it)
  const auto start = std::chrono::steady_clock::now();
  std::thread late([&] {
    std::this_thread::sleep_for(SpinBarrier::kPollTime * 20);
    barrier.arrive_and_wait();
  });
  barrier.arrive_and_wait();
  EXPECT_GE(std::chrono::steady_clock::now() - start, SpinBarrier::kPollTime * 20);
  late.join();
}

TEST(SpinBarrier, AbandoningReleasesEveryWaitUntilReset) {
  SpinBarrier barrier(3);
  std::thread waiter([&] { barrier.arrive_and_wait(); });  // one of three: would wait forever
  std::this_thread::sleep_for(SpinBarrier::kPollTime * 5);
  barrier.abandon();
  waiter.join();
  barrier.arrive_and_wait();  // returns at once
  EXPECT_TRUE(barrier.abandoned());
  barrier.reset();
  EXPECT_FALSE(barrier.abandoned());
  std::thread a([&] { barrier.arrive_and_wait(); }), b([&] { barrier.arrive_and_wait(); });
  barrier.arrive_and_wait();
  a.join();
  b.join();
}

// run_parts_together gives every part a thread at once (the parts above could not meet
// otherwise), even while another caller holds the pool: the second waits its turn.
TEST(SpinBarrier, TwoCallersOfRunPartsTogetherTakeThePoolInTurn) {
  const auto caller = [] {
    const ThreadCountScope threads(2);
    for (int job = 0; job < 100; ++job) {
      SpinBarrier barrier(2);
      parallel_parts_together(2, [&](int /*part*/) {
        for (int meeting = 0; meeting < 5; ++meeting) barrier.arrive_and_wait();
      });
    }
  };
  std::thread other(caller);
  caller();
  other.join();
}

}  // namespace
}  // namespace glassnet
