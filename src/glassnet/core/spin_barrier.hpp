#pragma once
// A barrier for the parts of one pool job (core/threads.hpp: run_parts_together) that
// meet several times a step: each waits by polling, never sleeping. std::barrier may
// sleep on a futex after a few polls, and waking a sleeping thread costs tens of
// microseconds on this class of machine (bench/NOTES.md §4), against the microseconds
// between meetings (§9).
//
// abandon() releases every wait, now and later: a part that fails calls it so that the
// others do not wait for it forever.

#include <atomic>
#include <thread>

namespace glassnet {

class SpinBarrier {
 public:
  explicit SpinBarrier(int parties) : parties_(parties) {}
  SpinBarrier(const SpinBarrier&) = delete;
  SpinBarrier& operator=(const SpinBarrier&) = delete;

  int parties() const { return parties_; }

  // Returns when all parties have arrived (or the barrier is abandoned).
  void arrive_and_wait() {
    const unsigned phase = phase_.load(std::memory_order_acquire);
    if (waiting_.fetch_add(1, std::memory_order_acq_rel) == parties_ - 1) {
      waiting_.store(0, std::memory_order_relaxed);
      phase_.fetch_add(1, std::memory_order_release);
      return;
    }
    for (unsigned polls = 0; phase_.load(std::memory_order_acquire) == phase; ++polls) {
      if (abandoned_.load(std::memory_order_acquire)) return;
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      // A party descheduled by the system gets the core back sooner.
      if (polls % 4096 == 4095) std::this_thread::yield();
    }
  }

  void abandon() { abandoned_.store(true, std::memory_order_release); }
  bool abandoned() const { return abandoned_.load(std::memory_order_acquire); }
  // Ready for a new job: no one waiting, not abandoned.
  void reset() {
    waiting_.store(0, std::memory_order_relaxed);
    abandoned_.store(false, std::memory_order_release);
  }

 private:
  const int parties_;
  std::atomic<int> waiting_{0};
  std::atomic<unsigned> phase_{0};
  std::atomic<bool> abandoned_{false};
};

}  // namespace glassnet
