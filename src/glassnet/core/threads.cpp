#include "glassnet/core/threads.hpp"

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace glassnet {
namespace {

int hardware_threads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

// Workers 1..n−1 wait for a new generation of work, run their part if it has one, and
// report back; the caller runs part 0 and waits for the rest.
class Pool {
 public:
  ~Pool() { resize(1); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    if (threads == size()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    stopping_ = false;
    // Each worker starts from the current generation, so the next job is new to it.
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i, g = generation_] { work(i, g); });
  }

  void run(int parts, void (*call)(const void*, int), const void* body) {
    {
      std::lock_guard lock(mutex_);
      call_ = call;
      body_ = body;
      parts_ = parts;
      pending_ = parts - 1;
      ++generation_;
    }
    wake_.notify_all();
    call(body, 0);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
  }

 private:
  void work(int index, unsigned long seen) {
    for (;;) {
      void (*call)(const void*, int) = nullptr;
      const void* body = nullptr;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stopping_) return;
        if (index >= parts_) continue;
        call = call_;
        body = body_;
      }
      call(body, index);
      {
        std::lock_guard lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  unsigned long generation_ = 0;
  bool stopping_ = false;
  void (*call_)(const void*, int) = nullptr;
  const void* body_ = nullptr;
  int parts_ = 0;
  int pending_ = 0;
};

int g_threads = 0;  // 0: not chosen yet (the hardware's count)

Pool& pool() {
  static Pool instance;
  return instance;
}

}  // namespace

void set_thread_count(int n) {
  assert(n >= 0);
  g_threads = n == 0 ? hardware_threads() : n;
}

int thread_count() { return g_threads == 0 ? hardware_threads() : g_threads; }

void run_parts(int parts, void (*call)(const void*, int), const void* body) {
  assert(parts >= 1 && parts <= thread_count());
  if (parts == 1) {
    call(body, 0);
    return;
  }
  Pool& p = pool();
  if (p.size() != thread_count()) p.resize(thread_count());
  p.run(parts, call, body);
}

}  // namespace glassnet
