#include "glassnet/core/threads.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace glassnet {
namespace {

// Asked once: the C library answers by reading /sys, tens of microseconds a call, and
// every product that may be split asks for the thread count.
int hardware_threads() {
  static const int count = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return count;
}

// How long a thread polls before it sleeps: a training step hands the pool a product
// every few microseconds, and waking a sleeping thread takes tens of them.
constexpr auto kSpinTime = std::chrono::microseconds(200);

// Polls `ready` until it returns true or kSpinTime has passed; returns its last answer.
template <typename Ready>
bool spin_until(const Ready& ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (ready()) return true;
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() > deadline) return ready();
  }
}

// Workers 1..n−1 wait for a new generation of work, run their part if it has one, and
// report back; the caller runs part 0 and waits for the rest. Both sides poll for a
// short while before sleeping on a condition variable.
class Pool {
 public:
  ~Pool() { resize(1); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    if (threads == size()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    stopping_ = false;
    // Each worker starts from the current generation, so the next job is new to it.
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i, g = generation_.load()] { work(i, g); });
  }

  void run(int parts, void (*call)(const void*, int), const void* body) {
    {
      std::lock_guard lock(mutex_);
      call_ = call;
      body_ = body;
      parts_ = parts;
      pending_.store(parts - 1);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    call(body, 0);
    if (spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) return;
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_.load() == 0; });
  }

 private:
  void work(int index, unsigned long seen) {
    for (;;) {
      void (*call)(const void*, int) = nullptr;
      const void* body = nullptr;
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        seen = generation_.load();
        if (stopping_) return;
        if (index >= parts_) continue;
        call = call_;
        body = body_;
      }
      call(body, index);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // Taking the lock orders this notification after the caller's check under it.
        std::lock_guard lock(mutex_);
        done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<unsigned long> generation_{0};
  bool stopping_ = false;
  void (*call_)(const void*, int) = nullptr;
  const void* body_ = nullptr;
  int parts_ = 0;
  std::atomic<int> pending_{0};
};

thread_local int t_threads = 0;  // the calling thread's count; 0: not chosen yet (the hardware's)

// The pool and the lock of the caller whose job it runs.
struct Shared {
  Pool pool;
  std::mutex holder;
  Shared* set_aside_before = nullptr;  // in a forked process: the pool set aside before this one
};

// A process made by fork holds only the thread that called it: the parent's workers are
// not in it, and the pool's locks may be held by threads that are not there, so a job
// would wait for them for ever (multiprocessing's and joblib's workers are forked from a
// process that may have trained already). In the child the parent's pool is set aside,
// never destroyed (that would join threads that do not exist) and still reachable (so
// that no leak checker counts it), and the child's first job makes a pool of its own.
// The handler allocates nothing, and no lock is held while a pool is made, so a fork at
// any moment leaves the child a usable state.
std::atomic<Shared*> g_shared{nullptr};
Shared* g_set_aside = nullptr;

void after_fork_in_child() {
  Shared* parents = g_shared.exchange(nullptr);
  if (parents == nullptr) return;
  parents->set_aside_before = g_set_aside;
  g_set_aside = parents;
}

// Registers the handler as the library loads, and ends the pool's workers at exit.
struct SharedOwner {
  SharedOwner() { pthread_atfork(nullptr, nullptr, after_fork_in_child); }
  ~SharedOwner() { delete g_shared.exchange(nullptr); }
  SharedOwner(const SharedOwner&) = delete;
  SharedOwner& operator=(const SharedOwner&) = delete;
} g_owner;

Shared& shared() {
  if (Shared* current = g_shared.load(std::memory_order_acquire)) return *current;
  auto fresh = std::make_unique<Shared>();  // (no thread starts until its first job)
  Shared* expected = nullptr;
  if (g_shared.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) return *fresh.release();
  return *expected;  // another thread's came first
}

// Runs part 0 on the calling thread and part i on worker i; the caller holds the pool.
void run_on_pool(int parts, void (*call)(const void*, int), const void* body) {
  Pool& p = shared().pool;
  const int size = std::max(parts, thread_count());
  if (p.size() != size) p.resize(size);
  p.run(parts, call, body);
}

}  // namespace

void set_thread_count(int n) {
  assert(n >= 0);
  t_threads = n == 0 ? hardware_threads() : n;
}

int thread_count() { return t_threads == 0 ? hardware_threads() : t_threads; }

ThreadCountScope::ThreadCountScope(int n) : before_(thread_count()) { set_thread_count(n); }
ThreadCountScope::~ThreadCountScope() { set_thread_count(before_); }

void run_parts(int parts, void (*call)(const void*, int), const void* body) {
  assert(parts >= 1 && parts <= thread_count());
  if (parts == 1) {
    call(body, 0);
    return;
  }
  std::unique_lock holding(shared().holder, std::try_to_lock);
  if (!holding) {  // another caller's job has the pool: this one runs its parts itself
    for (int part = 0; part < parts; ++part) call(body, part);
    return;
  }
  run_on_pool(parts, call, body);
}

void run_parts_together(int parts, void (*call)(const void*, int), const void* body) {
  assert(parts >= 1 && parts <= thread_count());
  if (parts == 1) {
    call(body, 0);
    return;
  }
  const std::lock_guard holding(shared().holder);
  run_on_pool(parts, call, body);
}

}  // namespace glassnet
