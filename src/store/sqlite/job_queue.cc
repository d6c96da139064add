#include "store/sqlite/job_queue.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "base/clock.h"

namespace berth::store::sqlite {
namespace {

#define JOB_COLUMNS                                                                                          \
  "id, kind, order_key, payload, state, attempts, max_attempts, run_after_ms, lease_owner, lease_until_ms, " \
  "last_error, created_ms, updated_ms, finished_ms"

// Runnable jobs of the kinds in the JSON array ?1 at time ?2, at most ?3, in two queries that each
// walk an index: queued and due (earliest due first), and running under a lease that ran out
// (crash recovery, lowest id first). A job with an order key qualifies only when no job of its key
// holds a live lease and no job of its key with a smaller id is runnable itself — a job in backoff
// is not runnable, so it does not hold the ones behind it back. That makes at most one job per key
// qualify across both queries.
#define RUNNABLE(t) \
  "((" t ".state = 'queued' AND " t ".run_after_ms <= ?2) OR (" t ".state = 'running' AND " t ".lease_until_ms <= ?2))"
#define ORDER_OK                                                                                      \
  " AND j.kind IN (SELECT value FROM json_each(?1)) AND (j.order_key = '' OR ("                        \
  "  NOT EXISTS (SELECT 1 FROM jobs r WHERE r.order_key = j.order_key AND r.state = 'running'"        \
  "              AND r.lease_until_ms > ?2)"                                                          \
  "  AND NOT EXISTS (SELECT 1 FROM jobs b WHERE b.order_key = j.order_key"                            \
  "                  AND b.state IN ('queued', 'running') AND b.id < j.id AND " RUNNABLE("b") ")))"
#define DUE_SQL "SELECT j.id FROM jobs j WHERE j.state = 'queued' AND j.run_after_ms <= ?2" ORDER_OK \
  " ORDER BY j.run_after_ms, j.id LIMIT ?3"
#define EXPIRED_SQL "SELECT j.id FROM jobs j WHERE j.state = 'running' AND j.lease_until_ms <= ?2" ORDER_OK \
  " ORDER BY j.id LIMIT ?3"

// Appends the ids of up to `max` runnable jobs to `ids`: expired leases first (they are the oldest work).
void Candidates(Conn& c, const std::string& kinds, int64_t now_ms, int64_t max, std::vector<int64_t>& ids) {
  for (const char* sql : {EXPIRED_SQL, DUE_SQL}) {
    if (static_cast<int64_t>(ids.size()) >= max) return;
    auto s = c.Prepare(sql);
    s.Bind(1, kinds).Bind(2, now_ms).Bind(3, max - static_cast<int64_t>(ids.size()));
    while (s.Step()) ids.push_back(s.Int(0));
  }
}

JobRecord ReadJob(const Stmt& s) {
  JobRecord r;
  r.id = s.Int(0);
  r.kind = s.Text(1);
  r.order_key = s.Text(2);
  r.payload = s.Text(3);
  r.state = ParseJobState(s.Text(4)).value_or(JobState::kQueued);
  r.attempts = static_cast<int>(s.Int(5));
  r.max_attempts = static_cast<int>(s.Int(6));
  r.run_after_ms = s.Int(7);
  r.lease_owner = s.Text(8);
  r.lease_until_ms = s.Int(9);
  r.last_error = s.Text(10);
  r.created_ms = s.Int(11);
  r.updated_ms = s.Int(12);
  r.finished_ms = s.Int(13);
  return r;
}

// The ids of up to `n` jobs that follow `head` in its key's chain (see store/job_queue.h): the
// key's later jobs in id order, skipping jobs in backoff, up to the first one that is running or
// of a kind not in `kinds`.
std::vector<int64_t> ChainAfter(Conn& c, const JobRecord& head, const std::vector<std::string>& kinds,
                                int64_t now_ms, int n) {
  std::vector<int64_t> out;
  auto s = c.Prepare("SELECT id, state, run_after_ms, kind FROM jobs WHERE order_key = ?1 "
                     "AND state IN ('queued', 'running') AND id > ?2 ORDER BY id LIMIT ?3");
  s.Bind(1, head.order_key).Bind(2, head.id).Bind(3, int64_t{n} * 4);
  while (s.Step() && static_cast<int>(out.size()) < n) {
    if (s.Text(1) != "queued") break;
    if (std::find(kinds.begin(), kinds.end(), s.Text(3)) == kinds.end()) break;
    if (s.Int(2) > now_ms) continue;  // in backoff: it does not hold the ones behind it back
    out.push_back(s.Int(0));
  }
  return out;
}

bool AnyRunnable(Conn& c, const std::string& kinds, int64_t now_ms) {
  std::vector<int64_t> ids;
  Candidates(c, kinds, now_ms, 1, ids);
  return !ids.empty();
}

}  // namespace

int64_t InsertJob(Conn& c, const NewJob& job) {
  int64_t now = NowUnixMillis();
  std::string_view payload = job.payload.empty() ? std::string_view("{}") : std::string_view(job.payload);
  c.Prepare("INSERT INTO jobs(kind, order_key, payload, state, attempts, max_attempts, run_after_ms, "
            "created_ms, updated_ms) VALUES(?, ?, ?, 'queued', 0, ?, ?, ?, ?)")
      .Bind(1, job.kind).Bind(2, job.order_key).Bind(3, payload).Bind(4, int64_t{job.max_attempts})
      .Bind(5, std::max(job.run_after_ms, now)).Bind(6, now).Bind(7, now).Run();
  return c.LastInsertId();
}

Result<int64_t> SqliteJobQueue::Enqueue(const NewJob& job) {
  if (job.kind.empty()) return Fail(Errc::kBadRequest, "job kind is empty");
  if (job.max_attempts < 1) return Fail(Errc::kBadRequest, "job max_attempts must be at least 1");
  if (!job.payload.empty() && !nlohmann::json::accept(job.payload))
    return Fail(Errc::kBadRequest, "job payload is not JSON");
  return db_.Write([&](Conn& c) -> Result<int64_t> { return InsertJob(c, job); });
}

Result<std::vector<JobRecord>> SqliteJobQueue::Lease(const std::vector<std::string>& kinds, std::string_view owner,
                                                     int max, std::chrono::milliseconds lease_duration,
                                                     int64_t now_ms, int per_key) {
  if (kinds.empty() || max <= 0) return std::vector<JobRecord>{};
  std::string kinds_json = nlohmann::json(kinds).dump();
  // Most polls find nothing: ask a read connection first, so they never take the write lock.
  auto any = db_.Read([&](Conn& c) -> Result<bool> { return AnyRunnable(c, kinds_json, now_ms); });
  if (!any) return std::unexpected(any.error());
  if (!*any) return std::vector<JobRecord>{};

  int64_t lease_until = now_ms + lease_duration.count();
  return db_.Write([&](Conn& c) -> Result<std::vector<JobRecord>> {
    int64_t wall = NowUnixMillis();
    // Crash recovery on the last attempt: bury instead of running a job that may kill its worker.
    c.Prepare("UPDATE jobs SET state = 'dead', lease_until_ms = 0, finished_ms = ?3, updated_ms = ?3, "
              "last_error = 'the lease of ' || lease_owner || ' ran out on attempt ' || attempts || ' of ' || "
              "max_attempts || CASE WHEN last_error = '' THEN '' ELSE '; earlier: ' || last_error END "
              "WHERE state = 'running' AND lease_until_ms <= ?2 AND attempts >= max_attempts "
              "AND kind IN (SELECT value FROM json_each(?1))")
        .Bind(1, kinds_json).Bind(2, now_ms).Bind(3, wall).Run();
    std::vector<int64_t> ids;
    Candidates(c, kinds_json, now_ms, max, ids);
    std::vector<JobRecord> out;
    out.reserve(ids.size());
    auto claim = [&](int64_t id) {
      auto s = c.Prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?2, "
                         "lease_until_ms = ?3, updated_ms = ?4 WHERE id = ?1 RETURNING " JOB_COLUMNS);
      s.Bind(1, id).Bind(2, owner).Bind(3, lease_until).Bind(4, wall);
      if (s.Step()) out.push_back(ReadJob(s));
    };
    for (int64_t id : ids) {
      claim(id);
      if (per_key <= 1 || out.empty() || out.back().id != id || out.back().order_key.empty()) continue;
      for (int64_t next : ChainAfter(c, out.back(), kinds, now_ms, per_key - 1)) claim(next);
    }
    return out;
  });
}

bool FinishJob(Conn& c, const JobFinish& f) {
  int64_t now = NowUnixMillis();
  switch (f.state) {
    case JobState::kDone:
      c.Prepare("UPDATE jobs SET state = 'done', lease_until_ms = 0, finished_ms = ?3, updated_ms = ?3 "
                "WHERE id = ?1 AND state = 'running' AND lease_owner = ?2")
          .Bind(1, f.id).Bind(2, f.owner).Bind(3, now).Run();
      break;
    case JobState::kQueued:
      c.Prepare("UPDATE jobs SET state = 'queued', lease_until_ms = 0, last_error = ?3, run_after_ms = ?4, "
                "updated_ms = ?5 WHERE id = ?1 AND state = 'running' AND lease_owner = ?2")
          .Bind(1, f.id).Bind(2, f.owner).Bind(3, f.error).Bind(4, f.run_after_ms).Bind(5, now).Run();
      break;
    case JobState::kDead:
      c.Prepare("UPDATE jobs SET state = 'dead', lease_until_ms = 0, last_error = ?3, finished_ms = ?4, "
                "updated_ms = ?4 WHERE id = ?1 AND state = 'running' AND lease_owner = ?2")
          .Bind(1, f.id).Bind(2, f.owner).Bind(3, f.error).Bind(4, now).Run();
      break;
    case JobState::kRunning:
      return false;
  }
  return c.Changes() > 0;
}

Result<bool> SqliteJobQueue::Finish(const JobFinish& finish) {
  if (finish.state == JobState::kRunning) return Fail(Errc::kBadRequest, "running is not how a job ends");
  return db_.Write([&](Conn& c) -> Result<bool> { return FinishJob(c, finish); });
}

Result<bool> SqliteJobQueue::Complete(int64_t id, std::string_view owner) {
  return Finish(JobFinish{id, std::string(owner), JobState::kDone, "", 0});
}

Result<bool> SqliteJobQueue::Retry(int64_t id, std::string_view owner, std::string_view error, int64_t run_after_ms) {
  return Finish(JobFinish{id, std::string(owner), JobState::kQueued, std::string(error), run_after_ms});
}

Result<bool> SqliteJobQueue::Bury(int64_t id, std::string_view owner, std::string_view error) {
  return Finish(JobFinish{id, std::string(owner), JobState::kDead, std::string(error), 0});
}

Result<bool> SqliteJobQueue::Renew(int64_t id, std::string_view owner, int64_t lease_until_ms) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE jobs SET lease_until_ms = ?3, updated_ms = ?4 "
              "WHERE id = ?1 AND state = 'running' AND lease_owner = ?2")
        .Bind(1, id).Bind(2, owner).Bind(3, lease_until_ms).Bind(4, NowUnixMillis()).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteJobQueue::Release(int64_t id, std::string_view owner) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE jobs SET state = 'queued', lease_until_ms = 0, attempts = MAX(attempts - 1, 0), "
              "updated_ms = ?3 WHERE id = ?1 AND state = 'running' AND lease_owner = ?2")
        .Bind(1, id).Bind(2, owner).Bind(3, NowUnixMillis()).Run();
    return c.Changes() > 0;
  });
}

Result<std::optional<JobRecord>> SqliteJobQueue::Get(int64_t id) {
  return db_.Read([&](Conn& c) -> Result<std::optional<JobRecord>> {
    auto s = c.Prepare("SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?");
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return ReadJob(s);
  });
}

Result<bool> SqliteJobQueue::Requeue(int64_t id, int64_t run_after_ms) {
  int64_t now = NowUnixMillis();
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE jobs SET state = 'queued', attempts = 0, last_error = '', run_after_ms = ?2, "
              "lease_owner = '', lease_until_ms = 0, finished_ms = 0, updated_ms = ?3 "
              "WHERE id = ?1 AND state IN ('done', 'dead')")
        .Bind(1, id).Bind(2, std::max(run_after_ms, now)).Bind(3, now).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<JobRecord>> SqliteJobQueue::List(const JobFilter& filter, Paging paging) {
  std::string state = filter.state ? std::string(JobStateName(*filter.state)) : std::string();
  return db_.Read([&](Conn& c) -> Result<Listing<JobRecord>> {
#define JOB_FILTER " WHERE (?1 = '' OR kind = ?1) AND (?2 = '' OR state = ?2) AND (?3 = '' OR order_key = ?3)"
    Listing<JobRecord> out;
    {
      auto s = c.Prepare("SELECT COUNT(*) FROM jobs" JOB_FILTER);
      s.Bind(1, filter.kind).Bind(2, state).Bind(3, filter.order_key);
      if (s.Step()) out.total = s.Int(0);
    }
    auto s = c.Prepare("SELECT " JOB_COLUMNS " FROM jobs" JOB_FILTER " ORDER BY id DESC LIMIT ?4 OFFSET ?5");
#undef JOB_FILTER
    s.Bind(1, filter.kind).Bind(2, state).Bind(3, filter.order_key).Bind(4, paging.limit).Bind(5, paging.offset);
    while (s.Step()) out.items.push_back(ReadJob(s));
    return out;
  });
}

Result<int64_t> SqliteJobQueue::Purge(std::string_view kind, int64_t finished_before_ms) {
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    c.Prepare("DELETE FROM jobs WHERE (?1 = '' OR kind = ?1) AND state IN ('done', 'dead') AND finished_ms < ?2")
        .Bind(1, kind).Bind(2, finished_before_ms).Run();
    return c.Changes();
  });
}

}  // namespace berth::store::sqlite
