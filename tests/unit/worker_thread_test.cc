// WorkerThread: calls run on its own thread, one at a time, with the priority of the thread that
// built it (a niced caller's work does not run niced), and exceptions come back to the caller.
#include "base/worker_thread.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace berth {
namespace {

int NiceOfThisThread() { return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); }

TEST(WorkerThread, RunsAtTheBuildersPriorityNotTheCallers) {
  WorkerThread w;  // built on the test's thread
  int builder = NiceOfThisThread();
  int seen_caller = 0, seen_worker = 0;
  pid_t caller_tid = 0, worker_tid = 0;
  std::thread niced([&] {
    ASSERT_EQ(setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::min(builder + 5, 19)), 0);
    seen_caller = NiceOfThisThread();
    caller_tid = gettid();
    w.Call([&] {
      seen_worker = NiceOfThisThread();
      worker_tid = gettid();
    });
  });
  niced.join();
  EXPECT_GT(seen_caller, builder);
  EXPECT_EQ(seen_worker, builder);
  EXPECT_NE(worker_tid, caller_tid);
}

TEST(WorkerThread, CallsRunOneAtATimeAndExceptionsReachTheCaller) {
  WorkerThread w;
  std::atomic<int> inside{0}, most{0}, total{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i)
    callers.emplace_back([&] {
      for (int j = 0; j < 50; ++j)
        w.Call([&] {
          int now = ++inside;
          most = std::max(most.load(), now);
          ++total;
          --inside;
        });
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(total.load(), 400);
  EXPECT_EQ(most.load(), 1);
  EXPECT_THROW(w.Call([] { throw std::runtime_error("boom"); }), std::runtime_error);
  int after = 0;
  w.Call([&] { after = 1; });  // still serving after an exception
  EXPECT_EQ(after, 1);
}

}  // namespace
}  // namespace berth
