#pragma once
// glassnet's threading: one process-wide pool, used by the matrix products, the
// elementwise passes (core/row_parts.hpp: activations, the batch gather), the zeroing of
// large gradient stores, the optimizer's update of large parameters (optim/optimizer.cpp)
// when they are large enough to gain from it, and a small network's batch split across
// the threads (train/split_step.hpp); smaller work runs on the calling thread alone. The
// work split depends only on the thread count and the shapes, so the same seed and
// thread count give bit-identical results.
//
// The pool starts its workers on first use. Between jobs they poll for a short while
// (a training step hands over a product every few microseconds) and then sleep. Work is
// handed over without allocating, so a training step stays allocation-free. A process
// forked from one whose pool has started (multiprocessing's workers) starts a pool of
// its own on its first job; the parent's copy, whose threads are not in the child, is
// set aside.

#include <type_traits>

#include "glassnet/core/scalar.hpp"

namespace glassnet {

// Sets the number of threads the calling thread's work is split over: n ≥ 1, or 0 for
// the machine's hardware threads (every thread's default). Each thread has its own, so
// that work running side by side (repair's trials, Python fits) keeps its own.
void set_thread_count(int n);
int thread_count();

// Sets the calling thread's count for as long as it lives, then puts the one before
// back: a training run uses its configured count without leaving it to its caller.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int n);
  ~ThreadCountScope();
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int before_;
};

// Calls body(part) for every part in [0, parts), part 0 on the calling thread and the
// others on the pool's workers, and returns when all have finished. Requires
// 1 ≤ parts ≤ thread_count(). `body` must not throw, nor call run_parts. Several threads
// may call it at once (repair's trials run side by side: diag/repair.hpp): one at a time
// has the pool, and the others run every part themselves, in order — the same parts, so
// the same bits.
void run_parts(int parts, void (*call)(const void* body, int part), const void* body);

template <typename Body>
void parallel_parts(int parts, const Body& body) {
  run_parts(
      parts, [](const void* b, int part) { (*static_cast<const Body*>(b))(part); }, &body);
}

// As run_parts, but every part runs on a thread of its own at the same time, so that the
// parts may wait for each other (core/spin_barrier.hpp); when another caller has the
// pool, this one waits for it. Requires 1 ≤ parts ≤ thread_count(). `body` must not
// throw, nor call run_parts or run_parts_together with more than one part (set the
// part's thread count to 1: ThreadCountScope).
void run_parts_together(int parts, void (*call)(const void* body, int part), const void* body);

template <typename Body>
void parallel_parts_together(int parts, const Body& body) {
  run_parts_together(
      parts, [](const void* b, int part) { (*static_cast<const Body*>(b))(part); }, &body);
}

// Part `part` of `parts` contiguous ranges that cover [0, extent) once: [begin, end).
// The ranges depend only on extent and parts.
struct PartRange {
  Index begin, end;
};
inline PartRange part_range(Index extent, int part, int parts) {
  return {extent * part / parts, extent * (part + 1) / parts};
}

// Calls body(begin, end) for each part_range of [0, extent), in parallel_parts; with one
// part, on the calling thread alone.
template <typename Body>
void parallel_ranges(Index extent, int parts, const Body& body) {
  if (parts <= 1) {
    body(Index(0), extent);
    return;
  }
  parallel_parts(parts, [&](int part) {
    const PartRange range = part_range(extent, part, parts);
    body(range.begin, range.end);
  });
}

}  // namespace glassnet
