#pragma once
// A barrier for the parts of one pool job (core/threads.hpp: run_parts_together) that
// meet several times a step. Each waits by polling for up to kPollTime, then sleeps
// (std::atomic::wait) until the last arrives: the parts of a step reach each meeting
// microseconds apart, and std::barrier sleeps after a few polls, where waking a sleeping
// thread costs tens of microseconds on this class of machine (bench/NOTES.md §4, §9).
// A part descheduled for longer (more threads than cores, a loaded machine) costs the
// others a sleep, not a core spent polling.
//
// abandon() releases every wait, now and later: a part that fails calls it so that the
// others do not wait for it forever. reset() readies an abandoned barrier for a new job.

#include <atomic>
#include <chrono>

namespace glassnet {

class SpinBarrier {
 public:
  static constexpr auto kPollTime = std::chrono::microseconds(200);

  explicit SpinBarrier(int parties) : parties_(parties) {}
  SpinBarrier(const SpinBarrier&) = delete;
  SpinBarrier& operator=(const SpinBarrier&) = delete;

  int parties() const { return parties_; }

  // Returns when all parties have arrived (or the barrier is abandoned).
  void arrive_and_wait() {
    if (abandoned()) return;
    const unsigned phase = phase_.load(std::memory_order_acquire);
    if (waiting_.fetch_add(1, std::memory_order_acq_rel) == parties_ - 1) {
      waiting_.store(0, std::memory_order_relaxed);
      phase_.fetch_add(1, std::memory_order_release);
      phase_.notify_all();
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + kPollTime;
    for (unsigned polls = 1; phase_.load(std::memory_order_acquire) == phase; ++polls) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      if (polls % 1024 == 0 && std::chrono::steady_clock::now() > deadline) {
        phase_.wait(phase, std::memory_order_acquire);  // returns once the phase has moved on
      }
    }
  }

  // Every wait returns, now and later, until reset().
  void abandon() {
    abandoned_.store(true, std::memory_order_release);
    phase_.fetch_add(1, std::memory_order_release);
    phase_.notify_all();
  }
  bool abandoned() const { return abandoned_.load(std::memory_order_acquire); }
  // Ready for a new job: no one waiting, not abandoned. Only while no party waits.
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
