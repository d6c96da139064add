// Conformance suite for the webhook store (store/webhook_store.h): notification policies, the
// executions recorded when events are dispatched (with their delivery jobs in the job queue), the
// attempts made for them, redelivery, retention of the newest 50 and Harbor's /lasttrigger rows.
// Each backend is one WebhookFactory; the SQLite one runs on a real database file.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>

#include "store/identity_store.h"
#include "store/job_queue.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/job_queue.h"
#include "store/sqlite/webhook_stores.h"
#include "store/webhook_store.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsErr;
using unit::IsOk;

class WebhookBackend {
 public:
  virtual ~WebhookBackend() = default;
  virtual WebhookStore& webhooks() = 0;
  virtual UserStore& users() = 0;
  virtual ProjectStore& projects() = 0;
  virtual JobQueue& jobs() = 0;
};

class SqliteWebhooks final : public WebhookBackend {
 public:
  explicit SqliteWebhooks(const std::string& dir) {
    auto db = sqlite::Db::Open(dir + "/webhooks.db", false);
    if (!db) throw std::runtime_error(std::string(db.error().Message()));
    db_ = std::move(*db);
    webhooks_ = std::make_unique<sqlite::SqliteWebhookStore>(*db_);
    users_ = std::make_unique<sqlite::SqliteUserStore>(*db_);
    projects_ = std::make_unique<sqlite::SqliteProjectStore>(*db_);
    jobs_ = std::make_unique<sqlite::SqliteJobQueue>(*db_);
  }
  WebhookStore& webhooks() override { return *webhooks_; }
  UserStore& users() override { return *users_; }
  ProjectStore& projects() override { return *projects_; }
  JobQueue& jobs() override { return *jobs_; }

 private:
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteWebhookStore> webhooks_;
  std::unique_ptr<sqlite::SqliteUserStore> users_;
  std::unique_ptr<sqlite::SqliteProjectStore> projects_;
  std::unique_ptr<sqlite::SqliteJobQueue> jobs_;
};

struct WebhookFactory {
  std::string name;
  std::function<std::unique_ptr<WebhookBackend>(const std::string&)> make;
};
void PrintTo(const WebhookFactory& f, std::ostream* os) { *os << f.name; }

const WebhookFactory kBackends[] = {
    {"Sqlite", [](const std::string& dir) { return std::make_unique<SqliteWebhooks>(dir); }},
};

constexpr const char* kTargets = R"([{"type":"http","address":"http://127.0.0.1:9/hook"}])";

class WebhookConformance : public ::testing::TestWithParam<WebhookFactory> {
 protected:
  void SetUp() override {
    b_ = GetParam().make(dir_.path());
    UserRecord u;
    u.username = "owner";
    u.password_hash = "$argon2id$fake";
    owner_ = b_->users().Create(u).value_or(0);
    team_ = MakeProject("team");
    other_ = MakeProject("other");
  }

  WebhookStore& hooks() { return b_->webhooks(); }

  int64_t MakeProject(const std::string& name) {
    ProjectRecord p;
    p.name = name;
    p.owner_id = owner_;
    auto id = b_->projects().Create(p);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }

  PolicyRecord Policy(int64_t project, const std::string& name, std::vector<std::string> events = {"PUSH_ARTIFACT"},
                      bool enabled = true) {
    PolicyRecord p;
    p.project_id = project;
    p.name = name;
    p.description = "about " + name;
    p.targets_json = kTargets;
    p.event_types = std::move(events);
    p.creator = "admin";
    p.enabled = enabled;
    return p;
  }

  int64_t MakePolicy(int64_t project, const std::string& name, std::vector<std::string> events = {"PUSH_ARTIFACT"},
                     bool enabled = true) {
    auto id = hooks().CreatePolicy(Policy(project, name, std::move(events), enabled));
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }

  NewExecution Exec(int64_t policy, int target = 0, const std::string& event_type = "PUSH_ARTIFACT") {
    NewExecution n;
    n.policy_id = policy;
    n.target_index = target;
    n.vendor_type = "WEBHOOK";
    n.event_type = event_type;
    n.target_json = R"({"type":"http","address":"http://127.0.0.1:9/hook"})";
    n.payload = R"({"type":")" + event_type + R"(","occur_at":1,"operator":"admin"})";
    n.delivery_id = "d-" + std::to_string(policy) + "-" + std::to_string(target) + "-" + std::to_string(++seq_);
    return n;
  }

  // Dispatches one event for `policy` and returns the new execution's id.
  int64_t Dispatch(int64_t event_id, int64_t policy, int target = 0) {
    auto ids = hooks().RecordDispatch(event_id, {Exec(policy, target)}, DeliveryJobOptions{}, nullptr);
    EXPECT_TRUE(IsOk(ids));
    EXPECT_EQ(ids ? ids->size() : 0u, 1u);
    return ids && !ids->empty() ? ids->front() : 0;
  }

  ExecutionRecord Execution(int64_t id) {
    auto e = hooks().FindExecution(id);
    EXPECT_TRUE(IsOk(e));
    return e && *e ? **e : ExecutionRecord{};
  }

  void Finish(int64_t execution, int attempt, std::string_view status, int code = 200) {
    AttemptRecord a;
    a.execution_id = execution;
    a.attempt = attempt;
    a.at = 1000 * attempt;
    a.status_code = code;
    a.duration_ms = 5;
    auto r = hooks().RecordAttempt(a, status, status == "Success" ? "" : "failed", nullptr);
    ASSERT_TRUE(IsOk(r));
    EXPECT_TRUE(*r);
  }

  // Leases the delivery job of `execution`, as the deliverer's runner does, and returns the lease
  // owner. Other jobs the lease picks up go back unstarted.
  std::string LeaseDelivery(int64_t execution) {
    int64_t job = Execution(execution).job_id;
    std::string owner = "test/" + std::to_string(++seq_);
    auto leased = b_->jobs().Lease({"webhook.deliver"}, owner, 1000, std::chrono::minutes(10), int64_t{1} << 50);
    EXPECT_TRUE(IsOk(leased));
    bool found = false;
    for (const auto& j : leased ? *leased : std::vector<JobRecord>{}) {
      if (j.id == job) found = true;
      else (void)b_->jobs().Release(j.id, owner);
    }
    EXPECT_TRUE(found) << "the delivery job of execution " << execution << " was not leasable";
    return owner;
  }

  // Every delivery job in the queue, oldest first.
  std::vector<JobRecord> DeliveryJobs() {
    JobFilter f;
    f.kind = "webhook.deliver";
    auto list = b_->jobs().List(f, Paging{0, 1000});
    EXPECT_TRUE(IsOk(list));
    std::vector<JobRecord> out = list ? list->items : std::vector<JobRecord>{};
    std::sort(out.begin(), out.end(), [](const JobRecord& a, const JobRecord& b) { return a.id < b.id; });
    return out;
  }

  int64_t AllJobs() {
    auto list = b_->jobs().List(JobFilter{}, Paging{0, 1});
    EXPECT_TRUE(IsOk(list));
    return list ? list->total : -1;
  }

  std::vector<int64_t> ExecutionIds(int64_t policy) {
    auto list = hooks().ListExecutions(policy, Paging{0, 1000});
    EXPECT_TRUE(IsOk(list));
    std::vector<int64_t> out;
    if (list)
      for (const auto& e : list->items) out.push_back(e.id);
    return out;
  }

  unit::TempDir dir_;
  std::unique_ptr<WebhookBackend> b_;
  int64_t owner_ = 0, team_ = 0, other_ = 0;
  int seq_ = 0;
};

TEST_P(WebhookConformance, PolicyCrudIsScopedToItsProject) {
  auto id = hooks().CreatePolicy(Policy(team_, "ci", {"PUSH_ARTIFACT", "PULL_ARTIFACT", "PUSH_ARTIFACT"}, false));
  ASSERT_TRUE(IsOk(id));
  auto got = hooks().FindPolicy(team_, *id);
  ASSERT_TRUE(IsOk(got));
  ASSERT_TRUE(got->has_value());
  const PolicyRecord& p = **got;
  EXPECT_EQ(p.id, *id);
  EXPECT_EQ(p.project_id, team_);
  EXPECT_EQ(p.name, "ci");
  EXPECT_EQ(p.description, "about ci");
  EXPECT_EQ(p.targets_json, kTargets);
  EXPECT_EQ(p.event_types, (std::vector<std::string>{"PUSH_ARTIFACT", "PULL_ARTIFACT"}));  // de-duplicated
  EXPECT_EQ(p.creator, "admin");
  EXPECT_FALSE(p.enabled);
  EXPECT_GT(p.created_at, 1'600'000'000'000);  // milliseconds
  EXPECT_EQ(p.created_at, p.updated_at);

  // Another project never sees it.
  EXPECT_FALSE(hooks().FindPolicy(other_, *id)->has_value());
  EXPECT_FALSE(hooks().FindPolicy(team_, *id + 100)->has_value());

  PolicyRecord upd = p;
  upd.name = "ci2";
  upd.description = "";
  upd.targets_json = R"([{"type":"slack","address":"https://hooks.slack.com/x"}])";
  upd.event_types = {"DELETE_ARTIFACT"};
  upd.enabled = true;
  upd.creator = "someone-else";
  EXPECT_TRUE(*hooks().UpdatePolicy(upd));
  auto after = **hooks().FindPolicy(team_, *id);
  EXPECT_EQ(after.name, "ci2");
  EXPECT_EQ(after.description, "");
  EXPECT_EQ(after.targets_json, upd.targets_json);
  EXPECT_EQ(after.event_types, (std::vector<std::string>{"DELETE_ARTIFACT"}));
  EXPECT_TRUE(after.enabled);
  EXPECT_EQ(after.creator, "admin");  // not part of the replacement
  EXPECT_EQ(after.created_at, p.created_at);
  EXPECT_GE(after.updated_at, p.updated_at);

  // Updating through the wrong project, or a missing policy, changes nothing.
  PolicyRecord wrong = upd;
  wrong.project_id = other_;
  wrong.name = "hijack";
  EXPECT_FALSE(*hooks().UpdatePolicy(wrong));
  EXPECT_EQ((**hooks().FindPolicy(team_, *id)).name, "ci2");
  EXPECT_FALSE(*hooks().DeletePolicy(other_, *id));
  EXPECT_TRUE(hooks().FindPolicy(team_, *id)->has_value());

  EXPECT_TRUE(*hooks().DeletePolicy(team_, *id));
  EXPECT_FALSE(hooks().FindPolicy(team_, *id)->has_value());
  EXPECT_FALSE(*hooks().DeletePolicy(team_, *id));
  PolicyRecord gone = upd;
  EXPECT_FALSE(*hooks().UpdatePolicy(gone));
}

TEST_P(WebhookConformance, DuplicateNamesConflictWithinAProjectOnly) {
  int64_t a = MakePolicy(team_, "hook-a");
  int64_t b = MakePolicy(team_, "hook-b");
  auto dup = hooks().CreatePolicy(Policy(team_, "hook-a"));
  ASSERT_TRUE(IsErr(dup, Errc::kConflict));
  EXPECT_EQ(dup.error().Message(), "notification policy named hook-a already exists");
  EXPECT_TRUE(IsOk(hooks().CreatePolicy(Policy(other_, "hook-a"))));  // other project: fine

  PolicyRecord rename = **hooks().FindPolicy(team_, b);
  rename.name = "hook-a";
  EXPECT_TRUE(IsErr(hooks().UpdatePolicy(rename), Errc::kConflict));
  EXPECT_EQ((**hooks().FindPolicy(team_, b)).name, "hook-b");
  // Keeping one's own name is not a conflict.
  PolicyRecord same = **hooks().FindPolicy(team_, a);
  same.description = "changed";
  EXPECT_TRUE(*hooks().UpdatePolicy(same));
  // A policy in a project that does not exist is refused.
  EXPECT_FALSE(hooks().CreatePolicy(Policy(other_ + 100, "x")).has_value());
}

TEST_P(WebhookConformance, ListFiltersSortsAndPages) {
  for (const char* n : {"bravo", "alpha", "charlie", "alphabet"}) MakePolicy(team_, n);
  MakePolicy(other_, "alpha-elsewhere");

  auto names = [](const Listing<PolicyRecord>& l) {
    std::vector<std::string> out;
    for (const auto& p : l.items) out.push_back(p.name);
    return out;
  };
  auto all = hooks().ListPolicies(team_, PolicyFilter{}, Paging{0, 10});
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->total, 4);
  // Default: newest first (creation time, then id, descending).
  EXPECT_EQ(names(*all), (std::vector<std::string>{"alphabet", "charlie", "alpha", "bravo"}));

  PolicyFilter by_name;
  by_name.sort = "name";
  EXPECT_EQ(names(*hooks().ListPolicies(team_, by_name, Paging{0, 10})),
            (std::vector<std::string>{"alpha", "alphabet", "bravo", "charlie"}));
  by_name.sort = "-name";
  EXPECT_EQ(names(*hooks().ListPolicies(team_, by_name, Paging{0, 10})),
            (std::vector<std::string>{"charlie", "bravo", "alphabet", "alpha"}));
  PolicyFilter by_id;
  by_id.sort = "id";
  EXPECT_EQ(names(*hooks().ListPolicies(team_, by_id, Paging{0, 10})),
            (std::vector<std::string>{"bravo", "alpha", "charlie", "alphabet"}));
  by_id.sort = "creation_time";
  EXPECT_EQ(names(*hooks().ListPolicies(team_, by_id, Paging{0, 10})),
            (std::vector<std::string>{"bravo", "alpha", "charlie", "alphabet"}));
  by_id.sort = "-id";
  EXPECT_EQ(names(*hooks().ListPolicies(team_, by_id, Paging{0, 10})),
            (std::vector<std::string>{"alphabet", "charlie", "alpha", "bravo"}));
  PolicyFilter bad;
  bad.sort = "description";
  EXPECT_TRUE(IsErr(hooks().ListPolicies(team_, bad, Paging{0, 10}), Errc::kBadRequest));

  PolicyFilter exact;
  exact.name = "alpha";
  auto one = hooks().ListPolicies(team_, exact, Paging{0, 10});
  EXPECT_EQ(one->total, 1);
  EXPECT_EQ(names(*one), (std::vector<std::string>{"alpha"}));
  PolicyFilter part;
  part.name_part = "ALPH";
  part.sort = "name";
  auto two = hooks().ListPolicies(team_, part, Paging{0, 10});
  EXPECT_EQ(two->total, 2);
  EXPECT_EQ(names(*two), (std::vector<std::string>{"alpha", "alphabet"}));

  by_name.sort = "name";
  auto page2 = hooks().ListPolicies(team_, by_name, Paging{2, 2});
  EXPECT_EQ(page2->total, 4);
  EXPECT_EQ(names(*page2), (std::vector<std::string>{"bravo", "charlie"}));
  EXPECT_TRUE(hooks().ListPolicies(team_, by_name, Paging{4, 2})->items.empty());
  EXPECT_EQ(hooks().ListPolicies(other_ + 100, PolicyFilter{}, Paging{0, 10})->total, 0);
}

TEST_P(WebhookConformance, MatchingSelectsEnabledSubscribedPoliciesOfTheProject) {
  int64_t push = MakePolicy(team_, "push", {"PUSH_ARTIFACT"});
  int64_t both = MakePolicy(team_, "both", {"PULL_ARTIFACT", "PUSH_ARTIFACT"});
  MakePolicy(team_, "off", {"PUSH_ARTIFACT", "PULL_ARTIFACT"}, false);
  MakePolicy(team_, "delete", {"DELETE_ARTIFACT"});
  MakePolicy(other_, "elsewhere", {"PULL_ARTIFACT"});

  auto ids = [](const std::vector<PolicyRecord>& v) {
    std::vector<int64_t> out;
    for (const auto& p : v) out.push_back(p.id);
    return out;
  };
  EXPECT_EQ(ids(*hooks().MatchingPolicies(team_, "PUSH_ARTIFACT")), (std::vector<int64_t>{push, both}));
  EXPECT_EQ(ids(*hooks().MatchingPolicies(team_, "PULL_ARTIFACT")), (std::vector<int64_t>{both}));
  EXPECT_TRUE(hooks().MatchingPolicies(team_, "SCANNING_FAILED")->empty());
  EXPECT_TRUE(hooks().MatchingPolicies(team_, "PUSH")->empty());  // exact names only
  EXPECT_TRUE(*hooks().AnySubscribed(team_, "PULL_ARTIFACT"));
  EXPECT_TRUE(*hooks().AnySubscribed(team_, "DELETE_ARTIFACT"));
  EXPECT_FALSE(*hooks().AnySubscribed(team_, "QUOTA_EXCEED"));
  EXPECT_FALSE(*hooks().AnySubscribed(other_, "PUSH_ARTIFACT"));

  // Disabling takes a policy out; re-enabling brings it back.
  PolicyRecord p = **hooks().FindPolicy(team_, both);
  p.enabled = false;
  ASSERT_TRUE(*hooks().UpdatePolicy(p));
  EXPECT_FALSE(*hooks().AnySubscribed(team_, "PULL_ARTIFACT"));
  EXPECT_EQ(ids(*hooks().MatchingPolicies(team_, "PUSH_ARTIFACT")), (std::vector<int64_t>{push}));
}

TEST_P(WebhookConformance, RecordDispatchEndsTheEventJobInItsTransaction) {
  int64_t p = MakePolicy(team_, "p");
  NewJob event;
  event.kind = "event";
  auto id = b_->jobs().Enqueue(event);
  ASSERT_TRUE(IsOk(id));
  auto leased = b_->jobs().Lease({"event"}, "w/1", 1, std::chrono::minutes(1), int64_t{1} << 50);
  ASSERT_TRUE(IsOk(leased));
  ASSERT_EQ(leased->size(), 1u);
  JobFinish done{*id, "w/1", JobState::kDone, "", 0};
  auto ids = hooks().RecordDispatch(*id, {Exec(p, 0)}, DeliveryJobOptions{}, &done);
  ASSERT_TRUE(IsOk(ids));
  EXPECT_EQ(ids->size(), 1u);
  EXPECT_EQ((*b_->jobs().Get(*id))->state, JobState::kDone);
  // A dispatch whose lease was lost still records (once): the new lease holder finds it done.
  auto again = hooks().RecordDispatch(*id, {Exec(p, 0)}, DeliveryJobOptions{}, &done);
  ASSERT_TRUE(IsOk(again));
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(ExecutionIds(p).size(), 1u);
}

TEST_P(WebhookConformance, RecordDispatchIsIdempotentPerEventPolicyAndTarget) {
  int64_t a = MakePolicy(team_, "a");
  int64_t b = MakePolicy(team_, "b");
  std::vector<NewExecution> execs = {Exec(a, 0), Exec(a, 1), Exec(b, 0)};
  auto first = hooks().RecordDispatch(7, execs, DeliveryJobOptions{}, nullptr);
  ASSERT_TRUE(IsOk(first));
  ASSERT_EQ(first->size(), 3u);
  // The same event again (a dispatcher that crashed before marking it done) records nothing new.
  auto again = hooks().RecordDispatch(7, execs, DeliveryJobOptions{}, nullptr);
  ASSERT_TRUE(IsOk(again));
  EXPECT_TRUE(again->empty());
  // A new target of the same event, and the same target for another event, are recorded.
  auto more = hooks().RecordDispatch(7, {Exec(a, 0), Exec(b, 1)}, DeliveryJobOptions{}, nullptr);
  EXPECT_EQ(more->size(), 1u);
  EXPECT_EQ(hooks().RecordDispatch(8, {Exec(a, 0)}, DeliveryJobOptions{}, nullptr)->size(), 1u);
  // Test deliveries (event 0) are never de-duplicated.
  EXPECT_EQ(hooks().RecordDispatch(0, {Exec(a, 0)}, DeliveryJobOptions{}, nullptr)->size(), 1u);
  EXPECT_EQ(hooks().RecordDispatch(0, {Exec(a, 0)}, DeliveryJobOptions{}, nullptr)->size(), 1u);
  EXPECT_EQ(ExecutionIds(a).size(), 5u);
  EXPECT_EQ(ExecutionIds(b).size(), 2u);
  // One delivery job per recorded execution, none for the skipped ones.
  EXPECT_EQ(DeliveryJobs().size(), 7u);

  ExecutionRecord e = Execution((*first)[1]);
  EXPECT_EQ(e.policy_id, a);
  EXPECT_EQ(e.project_id, team_);
  EXPECT_EQ(e.event_id, 7);
  EXPECT_EQ(e.target_index, 1);
  EXPECT_EQ(e.redelivery_of, 0);
  EXPECT_EQ(e.vendor_type, "WEBHOOK");
  EXPECT_EQ(e.event_type, "PUSH_ARTIFACT");
  EXPECT_EQ(e.target_json, execs[1].target_json);
  EXPECT_EQ(e.payload, execs[1].payload);
  EXPECT_EQ(e.delivery_id, execs[1].delivery_id);
  EXPECT_EQ(e.status, "Pending");
  EXPECT_EQ(e.run_count, 0);
  EXPECT_GT(e.created_at, 1'600'000'000'000);
  EXPECT_EQ(e.start_at, 0);
  EXPECT_EQ(e.end_at, 0);

  // Executions of a policy deleted since it matched are skipped.
  auto gone = hooks().RecordDispatch(9, {Exec(b + 1000, 0), Exec(a, 3)}, DeliveryJobOptions{}, nullptr);
  ASSERT_TRUE(IsOk(gone));
  EXPECT_EQ(gone->size(), 1u);
}

TEST_P(WebhookConformance, EachExecutionQueuesItsDeliveryJobInTheSameTransaction) {
  int64_t p = MakePolicy(team_, "p");
  DeliveryJobOptions opt;
  opt.max_attempts = 5;
  opt.run_after_ms = 4'000'000'000'000;  // far in the future: nothing leases it early
  auto ids = hooks().RecordDispatch(42, {Exec(p, 0), Exec(p, 2)}, opt, nullptr);
  ASSERT_TRUE(IsOk(ids));
  ASSERT_EQ(ids->size(), 2u);
  auto jobs = DeliveryJobs();
  ASSERT_EQ(jobs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    ExecutionRecord e = Execution((*ids)[i]);
    EXPECT_EQ(e.job_id, jobs[i].id);
    EXPECT_EQ(jobs[i].kind, "webhook.deliver");
    EXPECT_EQ(jobs[i].payload, "{\"execution_id\":" + std::to_string(e.id) + "}");
    EXPECT_EQ(jobs[i].order_key, "webhook:" + std::to_string(p) + ":" + std::to_string(e.target_index));
    EXPECT_EQ(jobs[i].max_attempts, 5);
    EXPECT_EQ(jobs[i].run_after_ms, 4'000'000'000'000);
    EXPECT_EQ(jobs[i].state, JobState::kQueued);
  }
  EXPECT_EQ(jobs[1].order_key, "webhook:" + std::to_string(p) + ":2");

  // Defaults: Harbor's 3 attempts, due at once.
  auto now_ids = hooks().RecordDispatch(43, {Exec(p, 0)}, DeliveryJobOptions{}, nullptr);
  ASSERT_TRUE(IsOk(now_ids));
  JobRecord j = DeliveryJobs().back();
  EXPECT_EQ(j.max_attempts, 3);
  EXPECT_LE(j.run_after_ms, Execution(now_ids->front()).created_at + 1000);
  EXPECT_EQ(Execution(now_ids->front()).job_id, j.id);

  // A redelivery queues a job of its own.
  auto again = hooks().Redeliver(p, (*ids)[0], opt);
  ASSERT_TRUE(IsOk(again));
  ASSERT_TRUE(again->has_value());
  JobRecord r = DeliveryJobs().back();
  EXPECT_EQ(Execution(**again).job_id, r.id);
  EXPECT_EQ(r.payload, "{\"execution_id\":" + std::to_string(**again) + "}");
  EXPECT_EQ(r.order_key, "webhook:" + std::to_string(p) + ":0");
  EXPECT_EQ(DeliveryJobs().size(), 4u);
}

TEST_P(WebhookConformance, AFailedDispatchLeavesNoExecutionAndNoJob) {
  int64_t p = MakePolicy(team_, "p");
  int64_t q = MakePolicy(team_, "q");
  int64_t kept = Dispatch(1, q);
  int64_t jobs_before = AllJobs();
  // The job queue refuses the job (no attempts allowed) after its execution was written: the
  // whole dispatch rolls back.
  DeliveryJobOptions broken;
  broken.max_attempts = 0;
  auto r = hooks().RecordDispatch(2, {Exec(p, 0), Exec(p, 1)}, broken, nullptr);
  EXPECT_FALSE(r.has_value());
  EXPECT_TRUE(ExecutionIds(p).empty());
  EXPECT_EQ(AllJobs(), jobs_before);
  // Nothing of it blocks a later, good dispatch of the same event.
  auto ok = hooks().RecordDispatch(2, {Exec(p, 0), Exec(p, 1)}, DeliveryJobOptions{}, nullptr);
  ASSERT_TRUE(IsOk(ok));
  EXPECT_EQ(ok->size(), 2u);
  // A failed redelivery records nothing either.
  EXPECT_FALSE(hooks().Redeliver(q, kept, broken).has_value());
  EXPECT_EQ(ExecutionIds(q).size(), 1u);
  EXPECT_EQ(AllJobs(), jobs_before + 2);
}

TEST_P(WebhookConformance, DeleteIsRefusedWhileADeliveryIsPendingOrRunning) {
  int64_t p = MakePolicy(team_, "busy");
  int64_t e = Dispatch(1, p);
  auto refused = hooks().DeletePolicy(team_, p);
  ASSERT_TRUE(IsErr(refused, Errc::kPreconditionFailed));
  LeaseDelivery(e);
  EXPECT_EQ(Execution(e).status, "Running");
  EXPECT_TRUE(IsErr(hooks().DeletePolicy(team_, p), Errc::kPreconditionFailed));
  Finish(e, 1, "Pending", 500);  // a retry is queued: still not final
  EXPECT_TRUE(IsErr(hooks().DeletePolicy(team_, p), Errc::kPreconditionFailed));
  Finish(e, 2, "Error", 500);
  EXPECT_TRUE(hooks().FindPolicy(team_, p)->has_value());

  // Once final, the policy goes with its executions and attempts.
  ASSERT_TRUE(*hooks().DeletePolicy(team_, p));
  EXPECT_FALSE(hooks().FindExecution(e)->has_value());
  EXPECT_TRUE(hooks().Attempts(e)->empty());

  // Deleting a project takes its policies and their executions along.
  int64_t q = MakePolicy(other_, "with-project");
  int64_t f = Dispatch(2, q);
  ASSERT_TRUE(IsOk(b_->projects().Delete(other_)));
  EXPECT_FALSE(hooks().FindExecution(f)->has_value());
  EXPECT_TRUE(hooks().ListPolicies(other_, PolicyFilter{}, Paging{0, 10})->items.empty());
}

TEST_P(WebhookConformance, AttemptsMoveTheExecutionThroughItsStatuses) {
  int64_t p = MakePolicy(team_, "p");
  int64_t e = Dispatch(3, p);

  std::string owner = LeaseDelivery(e);
  ExecutionRecord running = Execution(e);
  EXPECT_EQ(running.status, "Running");  // Pending while its delivery job is leased
  EXPECT_EQ(running.run_count, 0);
  EXPECT_EQ(running.start_at, 0);

  AttemptRecord a1;
  a1.execution_id = e;
  a1.attempt = 1;
  a1.at = 5000;
  a1.status_code = 0;
  a1.duration_ms = 3000;
  a1.error = "timeout after 3s";
  JobFinish retry{Execution(e).job_id, owner, JobState::kQueued, "timeout after 3s", 20000};
  auto r1 = hooks().RecordAttempt(a1, "Pending", "attempt 1 failed: timeout", &retry);
  ASSERT_TRUE(IsOk(r1));
  EXPECT_TRUE(*r1);
  ExecutionRecord retrying = Execution(e);
  EXPECT_EQ(retrying.status, "Pending");  // its job waits in backoff
  EXPECT_EQ(retrying.run_count, 1);
  EXPECT_EQ(retrying.start_at, 5000);
  auto job = b_->jobs().Get(retrying.job_id);
  ASSERT_TRUE(IsOk(job) && job->has_value());
  EXPECT_EQ((*job)->state, JobState::kQueued);
  EXPECT_EQ((*job)->run_after_ms, 20000);
  EXPECT_EQ((*job)->last_error, "timeout after 3s");
  EXPECT_EQ(retrying.status_message, "attempt 1 failed: timeout");
  EXPECT_EQ(retrying.end_at, 0);

  owner = LeaseDelivery(e);
  AttemptRecord a2;
  a2.execution_id = e;
  a2.attempt = 2;
  a2.at = 30000;
  a2.status_code = 204;
  a2.duration_ms = 12;
  a2.response = "ok";
  // A finish under someone else's lease records nothing.
  JobFinish stolen{Execution(e).job_id, owner + "-not", JobState::kDone, "", 0};
  auto lost = hooks().RecordAttempt(a2, "Success", "", &stolen);
  ASSERT_TRUE(IsOk(lost));
  EXPECT_FALSE(*lost);
  EXPECT_EQ(hooks().Attempts(e)->size(), 1u);
  EXPECT_EQ(Execution(e).status, "Running");
  JobFinish done_job{Execution(e).job_id, owner, JobState::kDone, "", 0};
  ASSERT_TRUE(IsOk(hooks().RecordAttempt(a2, "Success", "", &done_job)));
  EXPECT_EQ((*b_->jobs().Get(done_job.id))->state, JobState::kDone);
  ExecutionRecord done = Execution(e);
  EXPECT_EQ(done.status, "Success");
  EXPECT_EQ(done.status_message, "");
  EXPECT_EQ(done.run_count, 2);
  EXPECT_EQ(done.end_at, 30012);
  EXPECT_EQ(done.start_at, 5000);  // the first attempt's time stays

  auto attempts = hooks().Attempts(e);
  ASSERT_TRUE(IsOk(attempts));
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].attempt, 1);
  EXPECT_EQ((*attempts)[0].status_code, 0);
  EXPECT_EQ((*attempts)[0].duration_ms, 3000);
  EXPECT_EQ((*attempts)[0].error, "timeout after 3s");
  EXPECT_EQ((*attempts)[0].at, 5000);
  EXPECT_EQ((*attempts)[1].attempt, 2);
  EXPECT_EQ((*attempts)[1].status_code, 204);
  EXPECT_EQ((*attempts)[1].response, "ok");
  EXPECT_EQ((*attempts)[1].error, "");

  // Unknown executions and statuses are refused without a trace.
  AttemptRecord stray = a2;
  stray.execution_id = e + 1000;
  EXPECT_TRUE(IsErr(hooks().RecordAttempt(stray, "Success", "", nullptr), Errc::kNotFound));
  EXPECT_TRUE(hooks().Attempts(e + 1000)->empty());
  AttemptRecord odd = a2;
  odd.attempt = 3;
  EXPECT_FALSE(hooks().RecordAttempt(odd, "Done", "", nullptr).has_value());
  odd.attempt = 0;
  EXPECT_FALSE(hooks().RecordAttempt(odd, "Success", "", nullptr).has_value());
  EXPECT_EQ(hooks().Attempts(e)->size(), 2u);
  EXPECT_EQ(Execution(e).status, "Success");
}

TEST_P(WebhookConformance, ExecutionsListNewestFirstAndKeepTheNewestFifty) {
  int64_t p = MakePolicy(team_, "busy");
  int64_t q = MakePolicy(team_, "quiet");
  int64_t quiet = Dispatch(1, q);
  std::vector<int64_t> ids;
  for (int i = 0; i < 55; ++i) ids.push_back(Dispatch(100 + i, p));
  // Nothing is final yet: nothing is pruned.
  EXPECT_EQ(ExecutionIds(p).size(), 55u);
  auto page = hooks().ListExecutions(p, Paging{0, 10});
  EXPECT_EQ(page->total, 55);
  ASSERT_EQ(page->items.size(), 10u);
  EXPECT_EQ(page->items[0].id, ids[54]);
  EXPECT_EQ(page->items[9].id, ids[45]);
  EXPECT_EQ(hooks().ListExecutions(p, Paging{50, 10})->items.size(), 5u);

  // All but one of them end; the one still pending is kept however old it is.
  for (int i = 0; i < 55; ++i) {
    if (i == 1) continue;
    Finish(ids[i], 1, i % 2 ? "Success" : "Error");
  }
  int64_t newest = Dispatch(500, p);

  std::vector<int64_t> kept = ExecutionIds(p);
  EXPECT_EQ(kept.size(), 51u);  // the newest 50 plus the old pending one
  EXPECT_EQ(kept.front(), newest);
  std::set<int64_t> keptset(kept.begin(), kept.end());
  EXPECT_TRUE(keptset.contains(ids[1]));
  for (int i : {0, 2, 3, 4, 5}) EXPECT_FALSE(keptset.contains(ids[i])) << i;
  for (int i = 6; i < 55; ++i) EXPECT_TRUE(keptset.contains(ids[i])) << i;
  EXPECT_TRUE(hooks().Attempts(ids[0])->empty());  // attempts go with their execution
  // Other policies are not pruned on this policy's behalf.
  EXPECT_TRUE(hooks().FindExecution(quiet)->has_value());
}

TEST_P(WebhookConformance, RedeliverRecordsANewExecutionOfTheSamePayload) {
  int64_t p = MakePolicy(team_, "p");
  int64_t q = MakePolicy(team_, "q");
  int64_t e = Dispatch(9, p, 1);
  Finish(e, 1, "Error", 503);

  auto r = hooks().Redeliver(p, e, DeliveryJobOptions{});
  ASSERT_TRUE(IsOk(r));
  ASSERT_TRUE(r->has_value());
  EXPECT_NE(**r, e);
  ExecutionRecord orig = Execution(e), copy = Execution(**r);
  EXPECT_EQ(copy.redelivery_of, e);
  EXPECT_EQ(copy.policy_id, p);
  EXPECT_EQ(copy.project_id, team_);
  EXPECT_EQ(copy.event_id, orig.event_id);
  EXPECT_EQ(copy.target_index, 1);
  EXPECT_EQ(copy.payload, orig.payload);
  EXPECT_EQ(copy.delivery_id, orig.delivery_id);
  EXPECT_EQ(copy.target_json, orig.target_json);
  EXPECT_EQ(copy.event_type, orig.event_type);
  EXPECT_EQ(copy.vendor_type, orig.vendor_type);
  EXPECT_EQ(copy.status, "Pending");
  EXPECT_EQ(copy.run_count, 0);
  EXPECT_EQ(copy.start_at, 0);
  EXPECT_TRUE(hooks().Attempts(copy.id)->empty());
  EXPECT_EQ(orig.status, "Error");  // the original is untouched

  // Twice is fine (each is a new delivery); another policy's execution or a missing one is not.
  EXPECT_TRUE(hooks().Redeliver(p, e, DeliveryJobOptions{})->has_value());
  EXPECT_FALSE(hooks().Redeliver(q, e, DeliveryJobOptions{})->has_value());
  EXPECT_FALSE(hooks().Redeliver(p, e + 1000, DeliveryJobOptions{})->has_value());
  EXPECT_EQ(ExecutionIds(p).size(), 3u);
  EXPECT_TRUE(ExecutionIds(q).empty());
}

TEST_P(WebhookConformance, LastTriggersHaveOneRowPerPolicyAndEventType) {
  int64_t a = MakePolicy(team_, "a", {"PUSH_ARTIFACT", "PULL_ARTIFACT"});
  int64_t b = MakePolicy(team_, "b", {"DELETE_ARTIFACT"}, false);
  MakePolicy(other_, "c", {"PUSH_ARTIFACT"});
  auto none = hooks().LastTriggers(team_);
  ASSERT_TRUE(IsOk(none));
  ASSERT_EQ(none->size(), 3u);
  for (const auto& l : *none) EXPECT_EQ(l.last_trigger_at, 0) << l.policy_name << " " << l.event_type;

  auto pull = hooks().RecordDispatch(1, {Exec(a, 0, "PULL_ARTIFACT")}, DeliveryJobOptions{}, nullptr);
  ASSERT_TRUE(IsOk(pull));
  int64_t pulled_at = Execution(pull->front()).created_at;
  auto rows = *hooks().LastTriggers(team_);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].policy_name, "a");
  EXPECT_EQ(rows[0].event_type, "PUSH_ARTIFACT");
  EXPECT_EQ(rows[0].last_trigger_at, 0);
  EXPECT_TRUE(rows[0].enabled);
  EXPECT_EQ(rows[0].policy_created_at, (**hooks().FindPolicy(team_, a)).created_at);
  EXPECT_EQ(rows[1].policy_name, "a");
  EXPECT_EQ(rows[1].event_type, "PULL_ARTIFACT");
  EXPECT_EQ(rows[1].last_trigger_at, pulled_at);
  EXPECT_EQ(rows[2].policy_name, "b");
  EXPECT_EQ(rows[2].event_type, "DELETE_ARTIFACT");
  EXPECT_FALSE(rows[2].enabled);
  (void)b;
  EXPECT_EQ(hooks().LastTriggers(other_)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookConformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
