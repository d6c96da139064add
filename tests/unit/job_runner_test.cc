// jobs::JobRunner against the real SQLite job queue in a temporary directory: handlers run, retry
// with backoff, bury, recover jobs of a dead worker, keep long leases alive, stop cleanly, and
// Notify() starts a job at once. Also the pure BackoffFor.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include "base/clock.h"
#include "jobs/job_runner.h"
#include "store/sqlite/job_queue.h"
#include "test_util.h"

namespace berth::jobs {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using store::JobRecord;
using store::JobState;
using store::NewJob;

TEST(BackoffFor, StepsThenTheLastStepRepeats) {
  Backoff webhook;  // the default: 1 s, 5 s, 30 s
  EXPECT_EQ(BackoffFor(webhook, 1), 1s);
  EXPECT_EQ(BackoffFor(webhook, 2), 5s);
  EXPECT_EQ(BackoffFor(webhook, 3), 30s);
  EXPECT_EQ(BackoffFor(webhook, 9), 30s);
  EXPECT_EQ(BackoffFor(webhook, 0), 1s);
  EXPECT_EQ(BackoffFor(Backoff{{}}, 3), 0ms);
  EXPECT_EQ(BackoffFor(Backoff{{250ms}}, 4), 250ms);
}

TEST(FinishFor, DoneRetryAndDeadAsTheRunnerRecordsThem) {
  JobRecord job;
  job.id = 7;
  job.attempts = 1;
  job.max_attempts = 3;
  Backoff b{{100ms, 1s}};
  auto done = FinishFor(job, "w/1", Outcome::Done(), b, 5000);
  EXPECT_EQ(done.id, 7);
  EXPECT_EQ(done.owner, "w/1");
  EXPECT_EQ(done.state, JobState::kDone);
  auto retry = FinishFor(job, "w/1", Outcome::Retry("HTTP 500"), b, 5000);
  EXPECT_EQ(retry.state, JobState::kQueued);
  EXPECT_EQ(retry.run_after_ms, 5100);
  EXPECT_EQ(retry.error, "HTTP 500");
  job.attempts = 2;
  EXPECT_EQ(FinishFor(job, "w/1", Outcome::Retry("x"), b, 5000).run_after_ms, 6000);
  EXPECT_EQ(FinishFor(job, "w/1", Outcome::RetryAfter(42ms, "x"), b, 5000).run_after_ms, 5042);
  EXPECT_EQ(FinishFor(job, "w/1", Outcome::Retry(""), b, 5000).error, "failed");
  job.attempts = 3;  // the last attempt
  auto last = FinishFor(job, "w/1", Outcome::Retry("HTTP 500"), b, 5000);
  EXPECT_EQ(last.state, JobState::kDead);
  EXPECT_EQ(last.error, "HTTP 500");
  job.attempts = 1;
  EXPECT_EQ(FinishFor(job, "w/1", Outcome::Fail("bad"), b, 5000).state, JobState::kDead);
}

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::sqlite::Db::Open(dir_.Sub("jobs.db"), false);
    ASSERT_TRUE(db) << db.error().Message();
    db_ = std::move(*db);
    queue_ = std::make_unique<store::sqlite::SqliteJobQueue>(*db_);
  }
  void TearDown() override { runner_.reset(); }

  JobRunner& Runner(RunnerOptions opt) {
    runner_ = std::make_unique<JobRunner>(*queue_, opt);
    return *runner_;
  }
  // No fallback poll to speak of: anything that runs promptly was woken by the runner itself.
  static RunnerOptions Fast(int workers = 2) {
    RunnerOptions o;
    o.workers = workers;
    o.poll_interval = 10s;
    o.node = "test";
    return o;
  }
  int64_t Add(const std::string& kind, int max_attempts = 3, const std::string& order_key = {},
              const std::string& payload = "{}") {
    auto id = queue_->Enqueue(NewJob{kind, payload, order_key, max_attempts, 0});
    EXPECT_TRUE(unit::IsOk(id));
    return id.value_or(0);
  }
  JobRecord Load(int64_t id) {
    auto r = queue_->Get(id);
    return r && *r ? **r : JobRecord{};
  }
  // Polls until the job reaches `state` (or the time runs out).
  bool WaitState(int64_t id, JobState state, std::chrono::milliseconds within = 5s) {
    auto end = Clock::now() + within;
    while (Clock::now() < end) {
      if (Load(id).state == state) return true;
      std::this_thread::sleep_for(2ms);
    }
    return Load(id).state == state;
  }

  unit::TempDir dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteJobQueue> queue_;
  std::unique_ptr<JobRunner> runner_;
};

TEST_F(JobRunnerTest, RunsEveryJobOnceWithItsPayload) {
  std::mutex mu;
  std::multiset<std::string> payloads;
  auto& r = Runner(Fast(4));
  r.Register("echo", [&](const JobRecord& job, const JobContext&) {
    std::lock_guard lock(mu);
    payloads.insert(job.payload);
    return Outcome::Done();
  });
  r.Start();
  std::vector<int64_t> ids;
  std::multiset<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    std::string p = R"({"i":)" + std::to_string(i) + "}";
    ids.push_back(Add("echo", 3, "", p));
    expected.insert(p);
    r.Notify();
  }
  for (int64_t id : ids) ASSERT_TRUE(WaitState(id, JobState::kDone)) << id;
  for (int64_t id : ids) EXPECT_EQ(Load(id).attempts, 1);
  std::lock_guard lock(mu);
  EXPECT_EQ(payloads, expected);
}

TEST_F(JobRunnerTest, NotifyStartsAJobWithin50ms) {
  std::atomic<int64_t> started_ns{0};
  auto& r = Runner(Fast());
  r.Register("ping", [&](const JobRecord&, const JobContext&) {
    started_ns = Clock::now().time_since_epoch().count();
    return Outcome::Done();
  });
  r.Start();
  std::this_thread::sleep_for(50ms);  // the start-up lease has found nothing; the next poll is 10 s away
  std::vector<double> latencies;
  for (int i = 0; i < 7; ++i) {
    started_ns = 0;
    auto t0 = Clock::now();
    int64_t id = Add("ping");
    r.Notify();
    ASSERT_TRUE(WaitState(id, JobState::kDone, 2s));
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::duration(started_ns.load()) -
                                                                   t0.time_since_epoch()).count());
  }
  std::sort(latencies.begin(), latencies.end());
  EXPECT_LT(latencies[latencies.size() / 2], 50.0) << "median enqueue+notify → handler, ms";
  EXPECT_LT(latencies.back(), 250.0) << "slowest, ms (the poll would take 10 s)";
}

TEST_F(JobRunnerTest, ThePollFindsJobsNobodyNotifiedAbout) {
  RunnerOptions o = Fast();
  o.poll_interval = 50ms;
  auto& r = Runner(o);
  r.Register("quiet", [](const JobRecord&, const JobContext&) { return Outcome::Done(); });
  r.Start();
  std::this_thread::sleep_for(20ms);
  int64_t id = Add("quiet");  // e.g. committed by another process: no Notify
  EXPECT_TRUE(WaitState(id, JobState::kDone, 2s));
}

TEST_F(JobRunnerTest, JobsCommittedBeforeStartRunAtStart) {
  int64_t id = Add("old");
  auto& r = Runner(Fast());
  r.Register("old", [](const JobRecord&, const JobContext&) { return Outcome::Done(); });
  r.Start();
  EXPECT_TRUE(WaitState(id, JobState::kDone, 1s)) << "the first lease happens at start, not after a poll";
}

TEST_F(JobRunnerTest, RetriesAfterTheKindsBackoff) {
  std::mutex mu;
  std::vector<Clock::time_point> starts, ends;
  auto& r = Runner(Fast());
  r.Register(
      "flaky",
      [&](const JobRecord& job, const JobContext&) {
        std::lock_guard lock(mu);
        starts.push_back(Clock::now());
        Outcome o = job.attempts < 3 ? Outcome::Retry("HTTP 500 on attempt " + std::to_string(job.attempts))
                                     : Outcome::Done();
        ends.push_back(Clock::now());
        return o;
      },
      KindOptions{Backoff{{60ms, 120ms}}});
  r.Start();
  int64_t id = Add("flaky", 5);
  r.Notify();
  ASSERT_TRUE(WaitState(id, JobState::kDone, 3s));
  JobRecord job = Load(id);
  EXPECT_EQ(job.attempts, 3);
  EXPECT_EQ(job.last_error, "HTTP 500 on attempt 2") << "kept after the success";
  std::lock_guard lock(mu);
  ASSERT_EQ(starts.size(), 3u);
  auto gap1 = starts[1] - ends[0], gap2 = starts[2] - ends[1];
  EXPECT_GE(gap1, 55ms);
  EXPECT_GE(gap2, 115ms);
  // The runner wakes itself when its retry falls due (the poll is 10 s away).
  EXPECT_LT(gap1, 300ms);
  EXPECT_LT(gap2, 400ms);
}

TEST_F(JobRunnerTest, RetryAfterOverridesTheBackoff) {
  std::atomic<int> calls{0};
  auto& r = Runner(Fast());
  r.Register(
      "slow-down",
      [&](const JobRecord& job, const JobContext&) {
        ++calls;
        return job.attempts == 1 ? Outcome::RetryAfter(80ms, "429 Retry-After") : Outcome::Done();
      },
      KindOptions{Backoff{{10min}}});
  r.Start();
  auto t0 = Clock::now();
  int64_t id = Add("slow-down");
  r.Notify();
  ASSERT_TRUE(WaitState(id, JobState::kDone, 3s));
  EXPECT_GE(Clock::now() - t0, 80ms);
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(JobRunnerTest, TheLastAttemptsRetryBuriesTheJob) {
  std::atomic<int> calls{0};
  auto& r = Runner(Fast());
  r.Register(
      "doomed",
      [&](const JobRecord&, const JobContext&) {
        ++calls;
        return Outcome::Retry("connection refused");
      },
      KindOptions{Backoff{{5ms}}});
  r.Start();
  int64_t id = Add("doomed", 3);
  r.Notify();
  ASSERT_TRUE(WaitState(id, JobState::kDead, 3s));
  std::this_thread::sleep_for(50ms);
  JobRecord job = Load(id);
  EXPECT_EQ(job.attempts, 3);
  EXPECT_EQ(job.last_error, "connection refused");
  EXPECT_GT(job.finished_ms, 0);
  EXPECT_EQ(calls.load(), 3) << "no fourth attempt";
}

TEST_F(JobRunnerTest, FailBuriesAtOnce) {
  std::atomic<int> calls{0};
  auto& r = Runner(Fast());
  r.Register("bad", [&](const JobRecord&, const JobContext&) {
    ++calls;
    return Outcome::Fail("payload rejected");
  });
  r.Start();
  int64_t id = Add("bad", 5);
  r.Notify();
  ASSERT_TRUE(WaitState(id, JobState::kDead, 2s));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(Load(id).attempts, 1);
  EXPECT_EQ(Load(id).last_error, "payload rejected");
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(JobRunnerTest, AHandlerMayEndItsJobInItsOwnTransaction) {
  // The handler records its effect and the job's end together (here: the queue's Finish stands in
  // for a store transaction); the runner records nothing more, and schedules the retry it chose.
  std::atomic<int> calls{0};
  auto& r = Runner(Fast());
  r.Register(
      "self",
      [&](const JobRecord& job, const JobContext& ctx) {
        ++calls;
        auto finish = ctx.FinishFor(job, job.attempts == 1 ? Outcome::Retry("first try fails") : Outcome::Done());
        auto ok = queue_->Finish(finish);
        return ok && *ok ? Outcome::Recorded(finish) : Outcome::Lost();
      },
      KindOptions{Backoff{{40ms}}});
  r.Start();
  int64_t id = Add("self", 3);
  r.Notify();
  ASSERT_TRUE(WaitState(id, JobState::kDone, 3s));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(calls.load(), 2) << "the runner woke for the handler's own retry";
  EXPECT_EQ(Load(id).attempts, 2);
  EXPECT_EQ(Load(id).last_error, "first try fails");
}

TEST_F(JobRunnerTest, ALostOutcomeLeavesTheJobToItsLease) {
  auto& r = Runner(Fast());
  r.Register("lost", [&](const JobRecord&, const JobContext&) { return Outcome::Lost(); });
  r.Start();
  int64_t id = Add("lost", 3);
  r.Notify();
  auto end = Clock::now() + 2s;
  while (Clock::now() < end && Load(id).attempts == 0) std::this_thread::sleep_for(2ms);
  std::this_thread::sleep_for(50ms);
  JobRecord job = Load(id);
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(job.state, JobState::kRunning) << "nothing recorded: the lease runs out and it runs again";
}

TEST_F(JobRunnerTest, WorkersRunAtTheConfiguredNiceValue) {
  int base = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (base > 19 - 5) GTEST_SKIP() << "the test process is already at nice " << base;
  std::atomic<int> seen{-100};
  auto opt = Fast(1);
  opt.nice = 5;
  auto& r = Runner(opt);
  r.Register("who", [&](const JobRecord&, const JobContext&) {
    seen = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    return Outcome::Done();
  });
  r.Start();
  int64_t id = Add("who");
  r.Notify();
  ASSERT_TRUE(WaitState(id, JobState::kDone, 3s));
  EXPECT_EQ(seen.load(), base + 5);
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), base) << "only the workers";
}

TEST_F(JobRunnerTest, AThrowingHandlerIsRetriedWithTheMessage) {
  auto& r = Runner(Fast());
  r.Register(
      "thrower",
      [&](const JobRecord& job, const JobContext&) -> Outcome {
        if (job.attempts == 1) throw std::runtime_error("kaboom");
        return Outcome::Done();
      },
      KindOptions{Backoff{{5ms}}});
  r.Start();
  int64_t id = Add("thrower");
  r.Notify();
  ASSERT_TRUE(WaitState(id, JobState::kDone, 2s));
  EXPECT_EQ(Load(id).attempts, 2);
  EXPECT_NE(Load(id).last_error.find("kaboom"), std::string::npos) << Load(id).last_error;
}

TEST_F(JobRunnerTest, AJobOfADeadWorkerRunsAgainWhenItsLeaseRunsOut) {
  int64_t id = Add("orphan", 3);
  // A worker of another runner leases the job and dies without a word.
  auto taken = queue_->Lease({"orphan"}, "dead-node/r1/1", 1, 300ms, NowUnixMillis());
  ASSERT_TRUE(taken && taken->size() == 1);
  auto leased_at = Clock::now();

  std::atomic<int64_t> ran_after_ms{-1};
  std::atomic<int> attempt{0};
  RunnerOptions o = Fast();
  o.poll_interval = 50ms;  // how the survivor notices: the poll
  auto& r = Runner(o);
  r.Register("orphan", [&](const JobRecord& job, const JobContext&) {
    ran_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - leased_at).count();
    attempt = job.attempts;
    return Outcome::Done();
  });
  r.Start();
  ASSERT_TRUE(WaitState(id, JobState::kDone, 3s));
  EXPECT_GE(ran_after_ms.load(), 290) << "not while the dead worker's lease was live";
  EXPECT_LT(ran_after_ms.load(), 1000);
  EXPECT_EQ(attempt.load(), 2) << "the recovery is a new attempt";
  EXPECT_FALSE(*queue_->Complete(id, "dead-node/r1/1")) << "the dead worker's late answer is refused";
}

TEST_F(JobRunnerTest, ALongHandlerKeepsItsLease) {
  RunnerOptions o = Fast(1);
  o.lease = 150ms;  // renewed every 50 ms
  auto& r = Runner(o);
  std::atomic<bool> started{false}, lost{false};
  r.Register("long", [&](const JobRecord&, const JobContext& ctx) {
    started = true;
    std::this_thread::sleep_for(700ms);
    lost = ctx.LeaseLost();
    return Outcome::Done();
  });
  r.Start();
  int64_t id = Add("long");
  r.Notify();
  while (!started) std::this_thread::sleep_for(1ms);
  auto end = Clock::now() + 600ms;
  int stolen = 0;
  while (Clock::now() < end) {
    auto got = queue_->Lease({"long"}, "thief", 1, 30s, NowUnixMillis());
    ASSERT_TRUE(got);
    stolen += static_cast<int>(got->size());
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(stolen, 0) << "the lease stayed live well past its 150 ms";
  ASSERT_TRUE(WaitState(id, JobState::kDone, 2s));
  EXPECT_EQ(Load(id).attempts, 1);
  EXPECT_FALSE(lost.load());
}

TEST_F(JobRunnerTest, StopLetsTheRunningHandlerFinishAndTakesNothingMore) {
  std::atomic<int> calls{0};
  std::atomic<bool> saw_stopping{false};
  auto& r = Runner(Fast(1));
  r.Register("work", [&](const JobRecord&, const JobContext& ctx) {
    ++calls;
    for (int i = 0; i < 30; ++i) {
      if (ctx.Stopping()) saw_stopping = true;
      std::this_thread::sleep_for(10ms);
    }
    return Outcome::Done();
  });
  r.Start();
  int64_t first = Add("work");
  r.Notify();
  while (calls.load() == 0) std::this_thread::sleep_for(1ms);
  int64_t second = Add("work");
  int64_t third = Add("work");
  r.Notify();
  r.Stop();
  EXPECT_EQ(Load(first).state, JobState::kDone) << "the running handler finished and was recorded";
  EXPECT_TRUE(saw_stopping.load());
  EXPECT_EQ(calls.load(), 1);
  for (int64_t id : {second, third}) {
    EXPECT_EQ(Load(id).state, JobState::kQueued);
    EXPECT_EQ(Load(id).attempts, 0);
  }
  r.Stop();  // idempotent
}

TEST_F(JobRunnerTest, StopReturnsLeasedJobsThatHaveNotStarted) {
  // Two workers, one busy: the dispatcher leases only for the idle one, so Stop finds nothing
  // leased and unstarted — unless the lease raced the stop. Either way nothing stays running.
  std::atomic<int> calls{0};
  auto& r = Runner(Fast(2));
  r.Register("work", [&](const JobRecord&, const JobContext&) {
    ++calls;
    std::this_thread::sleep_for(100ms);
    return Outcome::Done();
  });
  r.Start();
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Add("work"));
  r.Notify();
  while (calls.load() == 0) std::this_thread::sleep_for(1ms);
  r.Stop();
  int done = 0;
  for (int64_t id : ids) {
    JobRecord j = Load(id);
    EXPECT_NE(j.state, JobState::kRunning) << id;
    if (j.state == JobState::kDone) ++done;
    else EXPECT_EQ(j.attempts, 0) << "a job handed back unstarted keeps its attempts";
  }
  EXPECT_EQ(done, calls.load());
}

TEST_F(JobRunnerTest, JobsOfOneOrderKeyRunInOrderOneAtATime) {
  std::mutex mu;
  std::map<std::string, std::vector<int64_t>> seen;
  std::set<std::string> active;
  int overlaps = 0;
  auto& r = Runner(Fast(4));
  r.Register("ordered", [&](const JobRecord& job, const JobContext&) {
    {
      std::lock_guard lock(mu);
      if (!active.insert(job.order_key).second) ++overlaps;
      seen[job.order_key].push_back(job.id);
    }
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(mu);
    active.erase(job.order_key);
    return Outcome::Done();
  });
  std::map<std::string, std::vector<int64_t>> expected;
  for (int i = 0; i < 12; ++i)
    for (std::string key : {"policy:1", "policy:2", "policy:3"}) expected[key].push_back(Add("ordered", 3, key));
  auto t0 = Clock::now();
  r.Start();
  for (const auto& [key, ids] : expected)
    for (int64_t id : ids) ASSERT_TRUE(WaitState(id, JobState::kDone, 5s));
  // Each finished job wakes the dispatcher for the next of its key: no poll (10 s) involved.
  EXPECT_LT(Clock::now() - t0, 3s);
  std::lock_guard lock(mu);
  EXPECT_EQ(overlaps, 0);
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace berth::jobs
