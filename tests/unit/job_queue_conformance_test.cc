// Conformance suite for store::JobQueue, one factory per backend (SQLite on a real file). A new
// backend adds a JobBackend (including its outbox insert inside a transaction) to kBackends.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "base/clock.h"
#include "store/job_queue.h"
#include "store/sqlite/job_queue.h"
#include "test_util.h"

namespace berth::store {
namespace {

using namespace std::chrono_literals;
using unit::IsErr;
using unit::IsOk;

struct JobBackend {
  virtual ~JobBackend() = default;
  virtual JobQueue& queue() = 0;
  // The outbox insert inside a write transaction that commits (returns the id) ...
  virtual int64_t InsertCommitted(const NewJob& job) = 0;
  // ... and inside one that rolls back afterwards (returns the id the job had).
  virtual int64_t InsertRolledBack(const NewJob& job) = 0;
};

class SqliteJobs final : public JobBackend {
 public:
  explicit SqliteJobs(const std::string& dir) {
    auto db = sqlite::Db::Open(dir + "/jobs.db", false);
    if (!db) throw std::runtime_error(std::string(db.error().Message()));
    db_ = std::move(*db);
    queue_ = std::make_unique<sqlite::SqliteJobQueue>(*db_);
  }
  JobQueue& queue() override { return *queue_; }
  int64_t InsertCommitted(const NewJob& job) override {
    auto r = db_->Write([&](sqlite::Conn& c) -> Result<int64_t> {
      c.Prepare("INSERT INTO settings(key, value, updated_at) VALUES('outbox-test', 'x', 0)").Run();
      return sqlite::InsertJob(c, job);
    });
    return r.value_or(0);
  }
  int64_t InsertRolledBack(const NewJob& job) override {
    int64_t id = 0;
    auto r = db_->Write([&](sqlite::Conn& c) -> Result<int64_t> {
      id = sqlite::InsertJob(c, job);
      return Fail(Errc::kConflict, "the change failed after its job was inserted");
    });
    EXPECT_FALSE(r);
    return id;
  }

 private:
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteJobQueue> queue_;
};

struct JobFactory {
  std::string name;
  std::function<std::unique_ptr<JobBackend>(const std::string&)> make;
};
void PrintTo(const JobFactory& f, std::ostream* os) { *os << f.name; }

const JobFactory kBackends[] = {
    {"Sqlite", [](const std::string& dir) { return std::make_unique<SqliteJobs>(dir); }},
};

class JobQueueConformance : public ::testing::TestWithParam<JobFactory> {
 protected:
  void SetUp() override { b_ = GetParam().make(dir_.path()); }
  JobQueue& q() { return b_->queue(); }

  int64_t Add(std::string kind, std::string order_key = {}, int max_attempts = 3, int64_t run_after_ms = 0) {
    NewJob j;
    j.kind = std::move(kind);
    j.order_key = std::move(order_key);
    j.max_attempts = max_attempts;
    j.run_after_ms = run_after_ms;
    j.payload = R"({"n":)" + std::to_string(++seq_) + "}";
    auto id = q().Enqueue(j);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }
  // A time at or after every insert so far.
  static int64_t Now() { return NowUnixMillis() + 1; }
  std::vector<int64_t> LeaseIds(std::vector<std::string> kinds, const std::string& owner, int max, int64_t now,
                                std::chrono::milliseconds lease = 10min, int per_key = 1) {
    auto r = q().Lease(kinds, owner, max, lease, now, per_key);
    EXPECT_TRUE(IsOk(r));
    std::vector<int64_t> ids;
    if (r)
      for (const auto& j : *r) ids.push_back(j.id);
    return ids;
  }
  JobRecord Load(int64_t id) {
    auto r = q().Get(id);
    EXPECT_TRUE(IsOk(r));
    EXPECT_TRUE(r && r->has_value()) << "job " << id;
    return r && *r ? **r : JobRecord{};
  }

  unit::TempDir dir_;
  std::unique_ptr<JobBackend> b_;
  int seq_ = 0;
};

TEST_P(JobQueueConformance, EnqueueStoresTheJobQueued) {
  NewJob j{"webhook", R"({"url":"http://x"})", "webhook:policy:1", 5, 0};
  int64_t before = NowUnixMillis();
  auto id = q().Enqueue(j);
  ASSERT_TRUE(IsOk(id));
  JobRecord r = Load(*id);
  EXPECT_EQ(r.kind, "webhook");
  EXPECT_EQ(r.payload, R"({"url":"http://x"})");
  EXPECT_EQ(r.order_key, "webhook:policy:1");
  EXPECT_EQ(r.state, JobState::kQueued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.max_attempts, 5);
  EXPECT_GE(r.created_ms, before);
  EXPECT_GE(r.run_after_ms, r.created_ms) << "at once = due from its insert time";
  EXPECT_EQ(r.finished_ms, 0);
  EXPECT_FALSE(q().Get(*id + 1000)->has_value());
  EXPECT_TRUE(IsErr(q().Enqueue(NewJob{"", "{}"}), Errc::kBadRequest));
  EXPECT_TRUE(IsErr(q().Enqueue(NewJob{"k", "{}", "", 0}), Errc::kBadRequest));
  EXPECT_TRUE(IsErr(q().Enqueue(NewJob{"k", "{not json"}), Errc::kBadRequest));
}

TEST_P(JobQueueConformance, LeaseTakesDueJobsOfTheGivenKinds) {
  int64_t a = Add("x");
  int64_t b = Add("y");
  int64_t later = Add("x", "", 3, NowUnixMillis() + 10000);
  int64_t t = Now();
  EXPECT_TRUE(LeaseIds({}, "w", 10, t).empty()) << "no kinds, no jobs";
  auto r = q().Lease({"x"}, "w1", 10, 20s, t);
  ASSERT_TRUE(IsOk(r));
  ASSERT_EQ(r->size(), 1u);
  const JobRecord& got = (*r)[0];
  EXPECT_EQ(got.id, a);
  EXPECT_EQ(got.state, JobState::kRunning);
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.lease_owner, "w1");
  EXPECT_EQ(got.lease_until_ms, t + 20000);
  EXPECT_EQ(got.payload, R"({"n":1})");
  EXPECT_EQ(Load(a).state, JobState::kRunning);
  EXPECT_TRUE(LeaseIds({"x"}, "w2", 10, t).empty()) << "running under a live lease";
  EXPECT_EQ(LeaseIds({"x", "y"}, "w2", 10, t), std::vector<int64_t>{b});
  EXPECT_EQ(LeaseIds({"x"}, "w3", 10, t + 10000), std::vector<int64_t>{later}) << "due now";
}

TEST_P(JobQueueConformance, LeaseHonoursMax) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Add("x"));
  int64_t t = Now();
  EXPECT_EQ(LeaseIds({"x"}, "w", 2, t), (std::vector<int64_t>{ids[0], ids[1]})) << "oldest first";
  EXPECT_EQ(LeaseIds({"x"}, "w", 0, t).size(), 0u);
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t), (std::vector<int64_t>{ids[2], ids[3], ids[4]}));
}

TEST_P(JobQueueConformance, ConcurrentLeasesNeverShareAJob) {
  constexpr int kJobs = 300, kThreads = 8;
  for (int i = 0; i < kJobs; ++i) Add("x");
  int64_t t = Now();
  std::vector<std::vector<int64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w)
    threads.emplace_back([&, w] {
      for (;;) {
        auto r = q().Lease({"x"}, "w" + std::to_string(w), 3, 30s, t);
        if (!r || r->empty()) return;
        for (const auto& j : *r) got[w].push_back(j.id);
      }
    });
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  size_t total = 0;
  for (const auto& v : got) {
    total += v.size();
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(total, static_cast<size_t>(kJobs)) << "every job leased exactly once";
  EXPECT_EQ(all.size(), static_cast<size_t>(kJobs));
}

TEST_P(JobQueueConformance, ConcurrentWorkersKeepEachKeyInOrderAndOneAtATime) {
  constexpr int kKeys = 6, kPerKey = 15, kThreads = 6;
  std::map<std::string, std::vector<int64_t>> expected;
  for (int i = 0; i < kPerKey; ++i)
    for (int k = 0; k < kKeys; ++k) {
      std::string key = "key" + std::to_string(k);
      expected[key].push_back(Add("x", key));
    }
  std::mutex mu;
  std::map<std::string, std::vector<int64_t>> seen;
  std::set<std::string> active;
  int overlaps = 0;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w)
    threads.emplace_back([&, w] {
      std::string owner = "w" + std::to_string(w);
      while (done.load() < kKeys * kPerKey) {
        auto r = q().Lease({"x"}, owner, 2, 30s, NowUnixMillis());
        if (!r) return;
        if (r->empty()) std::this_thread::yield();
        for (const auto& j : *r) {
          {
            std::lock_guard lock(mu);
            if (!active.insert(j.order_key).second) ++overlaps;
            seen[j.order_key].push_back(j.id);
          }
          std::this_thread::sleep_for(100us);
          {
            std::lock_guard lock(mu);
            active.erase(j.order_key);
          }
          EXPECT_TRUE(*q().Complete(j.id, owner));
          done.fetch_add(1);
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(overlaps, 0) << "two jobs of one key ran at once";
  EXPECT_EQ(seen, expected) << "each key in id order";
}

TEST_P(JobQueueConformance, OrderKeyRunsOneAtATimeInIdOrder) {
  int64_t a = Add("x", "k1");
  int64_t b = Add("x", "k1");
  int64_t c = Add("x", "k2");
  int64_t d = Add("x");
  int64_t e = Add("x");
  int64_t t = Now();
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t), (std::vector<int64_t>{a, c, d, e})) << "the head of each key, and unordered jobs";
  EXPECT_TRUE(LeaseIds({"x"}, "w", 10, t).empty()) << "b waits for a";
  ASSERT_TRUE(*q().Complete(a, "w"));
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t), std::vector<int64_t>{b});
}

TEST_P(JobQueueConformance, AChainLeasesAKeysNextJobsInOrderToOneOwner) {
  int64_t a = Add("x", "k");
  int64_t b = Add("x", "k");
  int64_t c = Add("x", "k");
  int64_t d = Add("x", "k");
  int64_t e = Add("x", "other");
  int64_t t = Now();
  EXPECT_EQ(LeaseIds({"x"}, "w1", 1, t, 10min, 3), (std::vector<int64_t>{a, b, c})) << "one head, its chain after it";
  for (int64_t id : {a, b, c}) {
    EXPECT_EQ(Load(id).state, JobState::kRunning);
    EXPECT_EQ(Load(id).lease_owner, "w1");
    EXPECT_EQ(Load(id).attempts, 1);
  }
  EXPECT_EQ(LeaseIds({"x"}, "w2", 5, t, 10min, 3), std::vector<int64_t>{e}) << "k is held by the chain";
  ASSERT_TRUE(*q().Complete(a, "w1"));
  ASSERT_TRUE(*q().Complete(b, "w1"));
  EXPECT_TRUE(LeaseIds({"x"}, "w2", 5, t, 10min, 3).empty()) << "c still runs";
  ASSERT_TRUE(*q().Complete(c, "w1"));
  EXPECT_EQ(LeaseIds({"x"}, "w2", 5, t, 10min, 3), std::vector<int64_t>{d});
}

TEST_P(JobQueueConformance, AChainSkipsBackoffAndStopsAtRunningOrAnotherKind) {
  int64_t a = Add("x", "k");
  int64_t b = Add("x", "k");
  int64_t c = Add("x", "k");
  int64_t d = Add("y", "k");
  int64_t e = Add("x", "k");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "w", 1, t), std::vector<int64_t>{a});
  ASSERT_TRUE(*q().Retry(a, "w", "down", t + 60000));  // a backs off
  // b heads; a (backoff) is behind it anyway; c follows; d is of a kind not leased: the chain ends.
  EXPECT_EQ(LeaseIds({"x"}, "w", 1, t + 1, 10min, 8), (std::vector<int64_t>{b, c}));
  ASSERT_TRUE(*q().Complete(b, "w"));
  ASSERT_TRUE(*q().Complete(c, "w"));
  EXPECT_TRUE(LeaseIds({"x"}, "w", 1, t + 1, 10min, 8).empty()) << "d (kind y) comes first in k";
  ASSERT_EQ(LeaseIds({"y"}, "w", 1, t + 1, 10min, 8), std::vector<int64_t>{d}) << "e is of another kind";
  ASSERT_TRUE(*q().Complete(d, "w"));
  // A job in backoff inside a chain is skipped, not waited for.
  int64_t f = Add("x", "k");
  int64_t g = Add("x", "k");
  int64_t t2 = Now();
  ASSERT_EQ(LeaseIds({"x"}, "w", 1, t2, 10min, 1), std::vector<int64_t>{e});
  ASSERT_TRUE(*q().Retry(e, "w", "down", t2 + 60000));
  ASSERT_EQ(LeaseIds({"x"}, "w", 1, t2, 10min, 1), std::vector<int64_t>{f});
  ASSERT_TRUE(*q().Retry(f, "w", "down", t2 + 100));
  EXPECT_EQ(LeaseIds({"x"}, "w", 1, t2 + 100, 10min, 8), (std::vector<int64_t>{f, g})) << "f due again; e still backs off";
}

TEST_P(JobQueueConformance, OrderHoldsAcrossKinds) {
  int64_t a = Add("x", "shared");
  int64_t b = Add("y", "shared");
  int64_t t = Now();
  EXPECT_TRUE(LeaseIds({"y"}, "w", 10, t).empty()) << "a (another kind) is runnable and earlier";
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t), std::vector<int64_t>{a});
  ASSERT_TRUE(*q().Complete(a, "w"));
  EXPECT_EQ(LeaseIds({"y"}, "w", 10, t), std::vector<int64_t>{b});
}

TEST_P(JobQueueConformance, AJobInBackoffDoesNotHoldItsKeyBack) {
  int64_t a = Add("x", "k");
  int64_t b = Add("x", "k");
  int64_t c = Add("x", "k");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "w", 10, t), std::vector<int64_t>{a});
  ASSERT_TRUE(*q().Retry(a, "w", "target down", t + 5000));
  JobRecord ra = Load(a);
  EXPECT_EQ(ra.state, JobState::kQueued);
  EXPECT_EQ(ra.run_after_ms, t + 5000);
  EXPECT_EQ(ra.last_error, "target down");
  EXPECT_EQ(ra.attempts, 1);
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t + 1), std::vector<int64_t>{b}) << "a backs off; b goes ahead";
  EXPECT_TRUE(LeaseIds({"x"}, "w", 10, t + 5000).empty()) << "a is due but b holds a live lease";
  ASSERT_TRUE(*q().Retry(b, "w", "target down", t + 5000));
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t + 6000), std::vector<int64_t>{a}) << "a and b due: the lower id first";
  ASSERT_TRUE(*q().Complete(a, "w"));
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t + 6000), std::vector<int64_t>{b});
  ASSERT_TRUE(*q().Complete(b, "w"));
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t + 6000), std::vector<int64_t>{c});
}

TEST_P(JobQueueConformance, AnExpiredLeaseIsRecoveredAsANewAttempt) {
  int64_t a = Add("x", "k");
  int64_t b = Add("x", "k");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "crashed", 10, t, 1s), std::vector<int64_t>{a});
  EXPECT_TRUE(LeaseIds({"x"}, "w2", 10, t + 999).empty());
  auto r = q().Lease({"x"}, "w2", 10, 30s, t + 1000);
  ASSERT_TRUE(IsOk(r));
  ASSERT_EQ(r->size(), 1u) << "a again; b stays behind it";
  EXPECT_EQ((*r)[0].id, a);
  EXPECT_EQ((*r)[0].attempts, 2);
  EXPECT_EQ((*r)[0].lease_owner, "w2");
  EXPECT_FALSE(*q().Complete(a, "crashed")) << "the old owner lost the lease";
  EXPECT_TRUE(*q().Complete(a, "w2"));
  EXPECT_EQ(LeaseIds({"x"}, "w2", 10, t + 1000), std::vector<int64_t>{b});
}

TEST_P(JobQueueConformance, AnExpiredLeaseOnTheLastAttemptIsBuried) {
  int64_t a = Add("x", "", 1);
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "crashed", 10, t, 100ms), std::vector<int64_t>{a});
  EXPECT_TRUE(LeaseIds({"x"}, "w2", 10, t + 200).empty());
  JobRecord r = Load(a);
  EXPECT_EQ(r.state, JobState::kDead);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.last_error.find("ran out"), std::string::npos) << r.last_error;
  EXPECT_GT(r.finished_ms, 0);
}

TEST_P(JobQueueConformance, LeaseOperationsNeedTheOwner) {
  int64_t a = Add("x");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "owner", 1, t, 1s), std::vector<int64_t>{a});
  EXPECT_FALSE(*q().Complete(a, "other"));
  EXPECT_FALSE(*q().Retry(a, "other", "e", t));
  EXPECT_FALSE(*q().Bury(a, "other", "e"));
  EXPECT_FALSE(*q().Renew(a, "other", t + 99999));
  EXPECT_FALSE(*q().Release(a, "other"));
  JobRecord r = Load(a);
  EXPECT_EQ(r.state, JobState::kRunning);
  EXPECT_EQ(r.lease_until_ms, t + 1000);

  ASSERT_TRUE(*q().Renew(a, "owner", t + 5000));
  EXPECT_TRUE(LeaseIds({"x"}, "thief", 1, t + 4999).empty()) << "renewed";
  ASSERT_TRUE(*q().Complete(a, "owner"));
  r = Load(a);
  EXPECT_EQ(r.state, JobState::kDone);
  EXPECT_GT(r.finished_ms, 0);
  EXPECT_FALSE(*q().Complete(a, "owner")) << "no longer running";
  EXPECT_FALSE(*q().Renew(a, "owner", t + 9000));
  EXPECT_FALSE(*q().Complete(a + 1000, "owner")) << "no such job";
}

TEST_P(JobQueueConformance, FinishEndsAJobAsItSays) {
  int64_t a = Add("x"), b = Add("x"), c = Add("x");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "w", 3, t).size(), 3u);
  EXPECT_FALSE(*q().Finish(JobFinish{a, "other", JobState::kDone, "", 0})) << "not the owner";
  EXPECT_TRUE(*q().Finish(JobFinish{a, "w", JobState::kDone, "", 0}));
  EXPECT_TRUE(*q().Finish(JobFinish{b, "w", JobState::kQueued, "HTTP 503", t + 500}));
  EXPECT_TRUE(*q().Finish(JobFinish{c, "w", JobState::kDead, "gone", 0}));
  EXPECT_EQ(Load(a).state, JobState::kDone);
  JobRecord rb = Load(b);
  EXPECT_EQ(rb.state, JobState::kQueued);
  EXPECT_EQ(rb.run_after_ms, t + 500);
  EXPECT_EQ(rb.last_error, "HTTP 503");
  EXPECT_EQ(Load(c).state, JobState::kDead);
  EXPECT_EQ(Load(c).last_error, "gone");
  EXPECT_FALSE(q().Finish(JobFinish{b, "w", JobState::kRunning, "", 0}).has_value()) << "running is no end";
}

TEST_P(JobQueueConformance, BuryAndRelease) {
  int64_t a = Add("x");
  int64_t b = Add("x");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "w", 2, t).size(), 2u);
  ASSERT_TRUE(*q().Bury(a, "w", "payload rejected"));
  JobRecord ra = Load(a);
  EXPECT_EQ(ra.state, JobState::kDead);
  EXPECT_EQ(ra.last_error, "payload rejected");
  EXPECT_GT(ra.finished_ms, 0);

  ASSERT_TRUE(*q().Release(b, "w"));
  JobRecord rb = Load(b);
  EXPECT_EQ(rb.state, JobState::kQueued);
  EXPECT_EQ(rb.attempts, 0) << "an unstarted lease is not an attempt";
  auto again = q().Lease({"x"}, "w2", 10, 30s, t);
  ASSERT_TRUE(IsOk(again));
  ASSERT_EQ(again->size(), 1u) << "the dead job stays dead";
  EXPECT_EQ((*again)[0].id, b);
  EXPECT_EQ((*again)[0].attempts, 1);
}

TEST_P(JobQueueConformance, RequeueRunsAFinishedJobAgain) {
  int64_t a = Add("x");
  int64_t b = Add("x");
  int64_t c = Add("x");
  int64_t d = Add("x");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "w", 3, t), (std::vector<int64_t>{a, b, c}));
  ASSERT_TRUE(*q().Complete(a, "w"));
  ASSERT_TRUE(*q().Retry(b, "w", "first", t + 1));
  ASSERT_EQ(LeaseIds({"x"}, "w", 2, t + 1), (std::vector<int64_t>{d, b})) << "earliest due first";
  ASSERT_TRUE(*q().Bury(b, "w", "second"));

  EXPECT_FALSE(*q().Requeue(c, 0)) << "running, not finished";
  EXPECT_FALSE(*q().Requeue(c + 1000, 0)) << "no such job";
  ASSERT_TRUE(*q().Requeue(a, 0));
  ASSERT_TRUE(*q().Requeue(b, t + 60000));
  EXPECT_FALSE(*q().Requeue(b, 0)) << "queued again already";
  JobRecord rb = Load(b);
  EXPECT_EQ(rb.state, JobState::kQueued);
  EXPECT_EQ(rb.attempts, 0);
  EXPECT_EQ(rb.last_error, "");
  EXPECT_EQ(rb.finished_ms, 0);
  EXPECT_EQ(rb.run_after_ms, t + 60000);
  auto r = q().Lease({"x"}, "w", 10, 10min, NowUnixMillis() + 1);
  ASSERT_TRUE(IsOk(r));
  ASSERT_EQ(r->size(), 1u) << "b waits until t+60000; c and d are running";
  EXPECT_EQ((*r)[0].id, a);
  EXPECT_EQ((*r)[0].attempts, 1);
  EXPECT_EQ(LeaseIds({"x"}, "w", 10, t + 60000), std::vector<int64_t>{b});
}

TEST_P(JobQueueConformance, OutboxInsertCommitsAndRollsBackWithItsTransaction) {
  NewJob j{"webhook", R"({"event":"PUSH_ARTIFACT"})", "webhook:policy:7", 3, 0};
  int64_t gone = b_->InsertRolledBack(j);
  EXPECT_GT(gone, 0);
  EXPECT_FALSE(q().Get(gone)->has_value()) << "rolled back with the change";
  EXPECT_EQ(q().List(JobFilter{}, Paging{0, 10})->total, 0);
  EXPECT_TRUE(LeaseIds({"webhook"}, "w", 10, Now()).empty());

  int64_t kept = b_->InsertCommitted(j);
  ASSERT_GT(kept, 0);
  JobRecord r = Load(kept);
  EXPECT_EQ(r.payload, j.payload);
  EXPECT_EQ(r.order_key, "webhook:policy:7");
  EXPECT_EQ(LeaseIds({"webhook"}, "w", 10, Now()), std::vector<int64_t>{kept});
}

TEST_P(JobQueueConformance, ListFiltersAndPagesNewestFirst) {
  int64_t a = Add("x", "k1");
  int64_t b = Add("x", "k2");
  int64_t c = Add("y", "k1");
  int64_t d = Add("x");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x"}, "w", 1, t), std::vector<int64_t>{a});
  ASSERT_TRUE(*q().Complete(a, "w"));

  auto all = q().List(JobFilter{}, Paging{0, 2});
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->total, 4);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].id, d);
  EXPECT_EQ(all->items[1].id, c);
  auto page2 = q().List(JobFilter{}, Paging{2, 2});
  ASSERT_EQ(page2->items.size(), 2u);
  EXPECT_EQ(page2->items[0].id, b);
  EXPECT_EQ(page2->items[1].id, a);

  auto xs = q().List(JobFilter{"x", std::nullopt, ""}, Paging{0, 10});
  EXPECT_EQ(xs->total, 3);
  auto done = q().List(JobFilter{"", JobState::kDone, ""}, Paging{0, 10});
  ASSERT_EQ(done->total, 1);
  EXPECT_EQ(done->items[0].id, a);
  EXPECT_EQ(done->items[0].state, JobState::kDone);
  auto k1 = q().List(JobFilter{"", std::nullopt, "k1"}, Paging{0, 10});
  ASSERT_EQ(k1->total, 2);
  EXPECT_EQ(k1->items[0].id, c);
  auto queued_x = q().List(JobFilter{"x", JobState::kQueued, ""}, Paging{0, 10});
  EXPECT_EQ(queued_x->total, 2);
}

TEST_P(JobQueueConformance, PurgeDeletesOnlyFinishedJobsOfTheKind) {
  int64_t a = Add("x");
  int64_t b = Add("x");
  int64_t c = Add("x");
  int64_t d = Add("y");
  int64_t t = Now();
  ASSERT_EQ(LeaseIds({"x", "y"}, "w", 3, t).size(), 3u);  // a, b, c
  ASSERT_TRUE(*q().Complete(a, "w"));
  ASSERT_TRUE(*q().Bury(b, "w", "e"));
  EXPECT_EQ(*q().Purge("x", Load(a).finished_ms), 0) << "finished at, not before";
  EXPECT_EQ(*q().Purge("y", NowUnixMillis() + 1000), 0);
  EXPECT_EQ(*q().Purge("x", NowUnixMillis() + 1000), 2);
  EXPECT_FALSE(q().Get(a)->has_value());
  EXPECT_FALSE(q().Get(b)->has_value());
  EXPECT_TRUE(q().Get(c)->has_value()) << "running";
  EXPECT_TRUE(q().Get(d)->has_value()) << "queued";
  ASSERT_TRUE(*q().Complete(c, "w"));
  EXPECT_EQ(*q().Purge("", NowUnixMillis() + 1000), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobQueueConformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
