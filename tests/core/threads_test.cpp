#include "glassnet/core/threads.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace glassnet {
namespace {

// In a forked child: runs a two-part job, each way the pool is entered, and exits 0 when
// both parts ran. A child that waits for the parent's workers is ended by the alarm.
[[noreturn]] void child_runs_a_job() {
  alarm(20);
  const ThreadCountScope threads(2);
  std::atomic<int> ran{0};
  parallel_parts(2, [&](int) { ran.fetch_add(1); });
  parallel_parts_together(2, [&](int) { ran.fetch_add(1); });
  _exit(ran.load() == 4 ? 0 : 1);
}

// How a forked child ended: "exit 0", "exit N" or "signal N".
std::string wait_for(pid_t child) {
  int status = 0;
  if (waitpid(child, &status, 0) != child) return "not waited for";
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "exit " + std::to_string(WEXITSTATUS(status));
}

// multiprocessing and joblib fork workers from a process that may have trained: the
// parent's pool workers are not in the child, which must not wait for them.
TEST(Threads, AForkedChildRunsJobsOnAPoolOfItsOwn) {
  const ThreadCountScope threads(2);
  std::atomic<int> ran{0};
  parallel_parts(2, [&](int) { ran.fetch_add(1); });  // the parent's workers start
  ASSERT_EQ(ran.load(), 2);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) child_runs_a_job();
  EXPECT_EQ(wait_for(child), "exit 0");
  parallel_parts(2, [&](int) { ran.fetch_add(1); });  // the parent's pool is still its own
  EXPECT_EQ(ran.load(), 4);
}

// A fork while another thread's job holds the pool copies its lock, held, into the child.
TEST(Threads, AForkDuringAnotherThreadsJobLeavesTheChildsPoolFree) {
  std::atomic<bool> started{false}, forked{false};
  std::thread busy([&] {
    const ThreadCountScope threads(2);
    parallel_parts_together(2, [&](int part) {
      if (part == 0) started = true;
      while (!forked) std::this_thread::yield();
    });
  });
  while (!started) std::this_thread::yield();
  const pid_t child = fork();
  if (child == 0) child_runs_a_job();
  forked = true;
  busy.join();
  ASSERT_GE(child, 0);
  EXPECT_EQ(wait_for(child), "exit 0");
}

}  // namespace
}  // namespace glassnet
