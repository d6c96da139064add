#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "store/sqlite/job_queue.h"
#include "store/sqlite/paging.h"
#include "store/sqlite/webhook_stores.h"

namespace berth::store::sqlite {
namespace {

// Executions kept per policy: older final ones are removed when new ones are recorded.
constexpr int64_t kKeptExecutions = 50;

constexpr const char* kPolicyColumns =
    "SELECT id, project_id, name, description, targets, event_types, creator, enabled, created_at, updated_at "
    "FROM webhook_policies ";

constexpr const char* kExecutionColumns =
    "SELECT id, policy_id, project_id, event_id, target_index, redelivery_of, vendor_type, event_type, target, "
    "payload, delivery_id, "
    "CASE WHEN status = 'Pending' AND EXISTS(SELECT 1 FROM jobs j WHERE j.id = webhook_executions.job_id "
    "AND j.state = 'running') THEN 'Running' ELSE status END, "
    "status_message, run_count, job_id, created_at, start_at, end_at, updated_at "
    "FROM webhook_executions ";

std::vector<std::string> ParseEventTypes(const std::string& text) {
  std::vector<std::string> out;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_array()) return out;
  for (const auto& v : doc)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// The event types as stored: a JSON array, duplicates dropped (first occurrence kept).
std::string EventTypesText(const std::vector<std::string>& types) {
  nlohmann::json arr = nlohmann::json::array();
  std::vector<std::string_view> seen;
  for (const auto& t : types) {
    if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
    seen.push_back(t);
    arr.push_back(t);
  }
  return arr.dump();
}

PolicyRecord RowToPolicy(const Stmt& s) {
  PolicyRecord p;
  p.id = s.Int(0);
  p.project_id = s.Int(1);
  p.name = s.Text(2);
  p.description = s.Text(3);
  p.targets_json = s.Text(4);
  p.event_types = ParseEventTypes(s.Text(5));
  p.creator = s.Text(6);
  p.enabled = s.Int(7) != 0;
  p.created_at = s.Int(8);
  p.updated_at = s.Int(9);
  return p;
}

ExecutionRecord RowToExecution(const Stmt& s) {
  ExecutionRecord e;
  e.id = s.Int(0);
  e.policy_id = s.Int(1);
  e.project_id = s.Int(2);
  e.event_id = s.Int(3);
  e.target_index = static_cast<int>(s.Int(4));
  e.redelivery_of = s.Int(5);
  e.vendor_type = s.Text(6);
  e.event_type = s.Text(7);
  e.target_json = s.Text(8);
  e.payload = s.Text(9);
  e.delivery_id = s.Text(10);
  e.status = s.Text(11);
  e.status_message = s.Text(12);
  e.run_count = s.Int(13);
  e.job_id = s.Int(14);
  e.created_at = s.Int(15);
  e.start_at = s.Int(16);
  e.end_at = s.Int(17);
  e.updated_at = s.Int(18);
  return e;
}

// True when another policy of the project (not `except`) has this name.
bool NameTaken(Conn& c, int64_t project_id, std::string_view name, int64_t except) {
  auto s = c.Prepare("SELECT 1 FROM webhook_policies WHERE project_id = ? AND name = ? AND id <> ?");
  s.Bind(1, project_id).Bind(2, name).Bind(3, except);
  return s.Step();
}

std::unexpected<Error> Duplicate(std::string_view name) {
  return Fail(Errc::kConflict, "notification policy named " + std::string(name) + " already exists");
}

bool IsFinal(std::string_view status) { return status == "Success" || status == "Error" || status == "Stopped"; }

// Queues the delivery job of execution `id` in the caller's transaction (the outbox rule: the
// execution and its job commit together) and records the job's id on the row. Deliveries of one
// policy target run in order while the target is healthy (the job queue's order_key).
void QueueDelivery(Conn& c, int64_t id, int64_t policy_id, int target_index, const DeliveryJobOptions& opt) {
  NewJob job;
  job.kind = "webhook.deliver";
  job.payload = "{\"execution_id\":" + std::to_string(id) + "}";
  job.order_key = "webhook:" + std::to_string(policy_id) + ":" + std::to_string(target_index);
  job.max_attempts = opt.max_attempts;
  job.run_after_ms = opt.run_after_ms;
  int64_t job_id = InsertJob(c, job);
  c.Prepare("UPDATE webhook_executions SET job_id = ? WHERE id = ?").Bind(1, job_id).Bind(2, id).Run();
}

// Removes the policy's final executions older than its newest kKeptExecutions.
void Prune(Conn& c, int64_t policy_id) {
  c.Prepare(
       "DELETE FROM webhook_executions WHERE policy_id = ?1 AND status IN ('Success', 'Error', 'Stopped') "
       "AND id < (SELECT id FROM webhook_executions WHERE policy_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)")
      .Bind(1, policy_id).Bind(2, kKeptExecutions - 1).Run();
}

// One ORDER BY per supported sort key; the statements are static so the connection caches them.
struct PolicyListSql {
  std::string count;
  std::string page;
};

const PolicyListSql* ListSqlFor(std::string_view sort) {
  static const char* kWhere =
      "WHERE project_id = ?1 AND (?2 = '' OR name = ?2) AND (?3 = '' OR instr(lower(name), lower(?3)) > 0) ";
  static const std::string count = std::string("SELECT count(*) FROM webhook_policies ") + kWhere;
  auto make = [](const char* order) {
    return PolicyListSql{count, std::string(kPolicyColumns) + kWhere + "ORDER BY " + order + " LIMIT ?4 OFFSET ?5"};
  };
  static const std::pair<std::string_view, PolicyListSql> kSorts[] = {
      {"-creation_time", make("created_at DESC, id DESC")},
      {"creation_time", make("created_at, id")},
      {"name", make("name, id")},
      {"-name", make("name DESC, id DESC")},
      {"id", make("id")},
      {"-id", make("id DESC")},
  };
  if (sort.empty()) sort = "-creation_time";
  for (const auto& [key, sql] : kSorts)
    if (key == sort) return &sql;
  return nullptr;
}

int64_t InsertExecution(Conn& c, const ExecutionRecord& e, int64_t now) {
  auto s = c.Prepare(
      "INSERT INTO webhook_executions(policy_id, project_id, event_id, target_index, redelivery_of, vendor_type, "
      "event_type, target, payload, delivery_id, status, created_at, updated_at) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Pending', ?, ?) ON CONFLICT DO NOTHING");
  s.Bind(1, e.policy_id).Bind(2, e.project_id).Bind(3, e.event_id).Bind(4, int64_t{e.target_index})
      .Bind(5, e.redelivery_of).Bind(6, e.vendor_type).Bind(7, e.event_type).Bind(8, e.target_json)
      .Bind(9, e.payload).Bind(10, e.delivery_id).Bind(11, now).Bind(12, now);
  s.Run();
  return c.Changes() > 0 ? c.LastInsertId() : 0;
}

}  // namespace

Result<int64_t> SqliteWebhookStore::CreatePolicy(const PolicyRecord& p) {
  int64_t now = NowUnixMillis();
  std::string events = EventTypesText(p.event_types);
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    if (NameTaken(c, p.project_id, p.name, 0)) return Duplicate(p.name);
    {
      auto s = c.Prepare("SELECT 1 FROM projects WHERE id = ?");
      s.Bind(1, p.project_id);
      if (!s.Step()) return Fail(Errc::kNotFound, "project " + std::to_string(p.project_id) + " not found");
    }
    c.Prepare(
         "INSERT INTO webhook_policies(project_id, name, description, targets, event_types, creator, enabled, "
         "created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .Bind(1, p.project_id).Bind(2, p.name).Bind(3, p.description).Bind(4, p.targets_json).Bind(5, events)
        .Bind(6, p.creator).Bind(7, int64_t{p.enabled}).Bind(8, now).Bind(9, now).Run();
    return c.LastInsertId();
  });
}

Result<std::optional<PolicyRecord>> SqliteWebhookStore::FindPolicy(int64_t project_id, int64_t id) {
  static const std::string sql = std::string(kPolicyColumns) + "WHERE id = ? AND project_id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<PolicyRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, id).Bind(2, project_id);
    if (!s.Step()) return std::nullopt;
    return RowToPolicy(s);
  });
}

Result<bool> SqliteWebhookStore::UpdatePolicy(const PolicyRecord& p) {
  int64_t now = NowUnixMillis();
  std::string events = EventTypesText(p.event_types);
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare("SELECT 1 FROM webhook_policies WHERE id = ? AND project_id = ?");
      s.Bind(1, p.id).Bind(2, p.project_id);
      if (!s.Step()) return false;
    }
    if (NameTaken(c, p.project_id, p.name, p.id)) return Duplicate(p.name);
    c.Prepare(
         "UPDATE webhook_policies SET name = ?, description = ?, targets = ?, event_types = ?, enabled = ?, "
         "updated_at = ? WHERE id = ? AND project_id = ?")
        .Bind(1, p.name).Bind(2, p.description).Bind(3, p.targets_json).Bind(4, events)
        .Bind(5, int64_t{p.enabled}).Bind(6, now).Bind(7, p.id).Bind(8, p.project_id).Run();
    return true;
  });
}

Result<bool> SqliteWebhookStore::DeletePolicy(int64_t project_id, int64_t id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare("SELECT 1 FROM webhook_policies WHERE id = ? AND project_id = ?");
      s.Bind(1, id).Bind(2, project_id);
      if (!s.Step()) return false;
    }
    {
      auto s = c.Prepare(
          "SELECT 1 FROM webhook_executions WHERE policy_id = ? AND status IN ('Pending', 'Running') LIMIT 1");
      s.Bind(1, id);
      if (s.Step())
        return Fail(Errc::kPreconditionFailed,
                    "the policy has deliveries that are pending or running; try again when they have finished");
    }
    // Executions and attempts go with the policy (ON DELETE CASCADE).
    c.Prepare("DELETE FROM webhook_policies WHERE id = ? AND project_id = ?").Bind(1, id).Bind(2, project_id).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<PolicyRecord>> SqliteWebhookStore::ListPolicies(int64_t project_id, const PolicyFilter& f,
                                                               Paging paging) {
  const PolicyListSql* sql = ListSqlFor(f.sort);
  if (!sql) return Fail(Errc::kBadRequest, "unsupported sort: " + f.sort);
  return db_.Read([&](Conn& c) -> Result<Listing<PolicyRecord>> {
    auto bind = [&](Stmt& s) { s.Bind(1, project_id).Bind(2, f.name).Bind(3, f.name_part); };
    return CountAndPage<PolicyRecord>(c, sql->count, sql->page, 4, paging, bind, RowToPolicy);
  });
}

Result<std::vector<PolicyRecord>> SqliteWebhookStore::MatchingPolicies(int64_t project_id,
                                                                       std::string_view event_type) {
  static const std::string sql =
      std::string(kPolicyColumns) +
      "WHERE project_id = ?1 AND enabled = 1 AND EXISTS (SELECT 1 FROM json_each(event_types) WHERE value = ?2) "
      "ORDER BY id";
  return db_.Read([&](Conn& c) -> Result<std::vector<PolicyRecord>> {
    std::vector<PolicyRecord> out;
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, project_id).Bind(2, event_type);
    while (s.Step()) out.push_back(RowToPolicy(s));
    return out;
  });
}

Result<bool> SqliteWebhookStore::AnySubscribed(int64_t project_id, std::string_view event_type) {
  return db_.Read([&](Conn& c) -> Result<bool> {
    auto s = c.Prepare(
        "SELECT 1 FROM webhook_policies WHERE project_id = ?1 AND enabled = 1 "
        "AND EXISTS (SELECT 1 FROM json_each(event_types) WHERE value = ?2) LIMIT 1");
    s.Bind(1, project_id).Bind(2, event_type);
    return s.Step();
  });
}

Result<std::vector<int64_t>> SqliteWebhookStore::RecordDispatch(int64_t event_id,
                                                                const std::vector<NewExecution>& executions,
                                                                const DeliveryJobOptions& job,
                                                                const JobFinish* finish) {
  int64_t now = NowUnixMillis();
  return db_.Write([&](Conn& c) -> Result<std::vector<int64_t>> {
    if (finish) (void)FinishJob(c, *finish);  // a lost lease keeps the dispatch: it is idempotent
    std::vector<int64_t> created;
    std::vector<int64_t> touched;
    for (const auto& n : executions) {
      ExecutionRecord e;
      {
        // A policy deleted since it matched gets nothing.
        auto s = c.Prepare("SELECT project_id FROM webhook_policies WHERE id = ?");
        s.Bind(1, n.policy_id);
        if (!s.Step()) continue;
        e.project_id = s.Int(0);
      }
      e.policy_id = n.policy_id;
      e.event_id = event_id;
      e.target_index = n.target_index;
      e.vendor_type = n.vendor_type;
      e.event_type = n.event_type;
      e.target_json = n.target_json;
      e.payload = n.payload;
      e.delivery_id = n.delivery_id;
      int64_t id = InsertExecution(c, e, now);
      if (id == 0) continue;  // already recorded for this event
      QueueDelivery(c, id, n.policy_id, n.target_index, job);
      created.push_back(id);
      if (std::find(touched.begin(), touched.end(), n.policy_id) == touched.end()) touched.push_back(n.policy_id);
    }
    for (int64_t policy : touched) Prune(c, policy);
    return created;
  });
}

Result<std::optional<int64_t>> SqliteWebhookStore::Redeliver(int64_t policy_id, int64_t execution_id,
                                                             const DeliveryJobOptions& job) {
  static const std::string sql = std::string(kExecutionColumns) + "WHERE id = ? AND policy_id = ?";
  int64_t now = NowUnixMillis();
  return db_.Write([&](Conn& c) -> Result<std::optional<int64_t>> {
    ExecutionRecord e;
    {
      auto s = c.Prepare(sql.c_str());
      s.Bind(1, execution_id).Bind(2, policy_id);
      if (!s.Step()) return std::nullopt;
      e = RowToExecution(s);
    }
    e.redelivery_of = execution_id;
    int64_t id = InsertExecution(c, e, now);
    if (id == 0) return Fail(Errc::kInternal, "redelivery was not recorded");
    QueueDelivery(c, id, e.policy_id, e.target_index, job);
    Prune(c, policy_id);
    return id;
  });
}

Result<std::optional<ExecutionRecord>> SqliteWebhookStore::FindExecution(int64_t id) {
  static const std::string sql = std::string(kExecutionColumns) + "WHERE id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<ExecutionRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return RowToExecution(s);
  });
}

Result<Listing<ExecutionRecord>> SqliteWebhookStore::ListExecutions(int64_t policy_id, Paging paging) {
  static const std::string count_sql = "SELECT count(*) FROM webhook_executions WHERE policy_id = ?1";
  static const std::string page_sql =
      std::string(kExecutionColumns) + "WHERE policy_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3";
  return db_.Read([&](Conn& c) -> Result<Listing<ExecutionRecord>> {
    return CountAndPage<ExecutionRecord>(c, count_sql, page_sql, 2, paging,
                                         [&](Stmt& s) { s.Bind(1, policy_id); }, RowToExecution);
  });
}

Result<bool> SqliteWebhookStore::RecordAttempt(const AttemptRecord& a, std::string_view status,
                                               std::string_view status_message, const JobFinish* finish) {
  if (!IsFinal(status) && status != "Pending")
    return Fail(Errc::kBadRequest, "an attempt ends Success, Error, Stopped or Pending, not " + std::string(status));
  if (a.attempt < 1) return Fail(Errc::kBadRequest, "attempt numbers start at 1");
  int64_t end = a.at + std::max<int64_t>(a.duration_ms, 0);
  return db_.Write([&](Conn& c) -> Result<bool> {
    if (finish && !FinishJob(c, *finish)) return false;  // the lease holder now records its own
    c.Prepare(
         "UPDATE webhook_executions SET status = ?1, status_message = ?2, updated_at = ?3, "
         "end_at = CASE WHEN ?4 THEN ?3 ELSE 0 END, run_count = MAX(run_count, ?6), "
         "start_at = CASE WHEN start_at = 0 THEN ?7 ELSE start_at END WHERE id = ?5")
        .Bind(1, status).Bind(2, status_message).Bind(3, end).Bind(4, int64_t{IsFinal(status)})
        .Bind(5, a.execution_id).Bind(6, int64_t{a.attempt}).Bind(7, a.at).Run();
    if (c.Changes() == 0) return Fail(Errc::kNotFound, "execution " + std::to_string(a.execution_id) + " not found");
    c.Prepare(
         "INSERT INTO webhook_attempts(execution_id, attempt, at, status_code, duration_ms, error, response) "
         "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(execution_id, attempt) DO UPDATE SET at = excluded.at, "
         "status_code = excluded.status_code, duration_ms = excluded.duration_ms, error = excluded.error, "
         "response = excluded.response")
        .Bind(1, a.execution_id).Bind(2, int64_t{a.attempt}).Bind(3, a.at).Bind(4, int64_t{a.status_code})
        .Bind(5, a.duration_ms).Bind(6, a.error).Bind(7, a.response).Run();
    return true;
  });
}

Result<std::vector<AttemptRecord>> SqliteWebhookStore::Attempts(int64_t execution_id) {
  return db_.Read([&](Conn& c) -> Result<std::vector<AttemptRecord>> {
    std::vector<AttemptRecord> out;
    auto s = c.Prepare(
        "SELECT execution_id, attempt, at, status_code, duration_ms, error, response FROM webhook_attempts "
        "WHERE execution_id = ? ORDER BY attempt");
    s.Bind(1, execution_id);
    while (s.Step()) {
      AttemptRecord a;
      a.execution_id = s.Int(0);
      a.attempt = static_cast<int>(s.Int(1));
      a.at = s.Int(2);
      a.status_code = static_cast<int>(s.Int(3));
      a.duration_ms = s.Int(4);
      a.error = s.Text(5);
      a.response = s.Text(6);
      out.push_back(std::move(a));
    }
    return out;
  });
}

Result<std::vector<LastTrigger>> SqliteWebhookStore::LastTriggers(int64_t project_id) {
  return db_.Read([&](Conn& c) -> Result<std::vector<LastTrigger>> {
    std::vector<LastTrigger> out;
    auto s = c.Prepare(
        "SELECT p.name, t.value, p.enabled, p.created_at, "
        "COALESCE((SELECT max(e.created_at) FROM webhook_executions e "
        "WHERE e.policy_id = p.id AND e.event_type = t.value), 0) "
        "FROM webhook_policies p, json_each(p.event_types) t WHERE p.project_id = ? ORDER BY p.id, t.key");
    s.Bind(1, project_id);
    while (s.Step()) {
      LastTrigger l;
      l.policy_name = s.Text(0);
      l.event_type = s.Text(1);
      l.enabled = s.Int(2) != 0;
      l.policy_created_at = s.Int(3);
      l.last_trigger_at = s.Int(4);
      out.push_back(std::move(l));
    }
    return out;
  });
}

}  // namespace berth::store::sqlite
