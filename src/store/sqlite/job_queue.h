// SQLite JobQueue (table jobs, migration 0007) and InsertJob, the outbox insert for callers that
// are already inside a Db::Write transaction. Thread-safe via Db: Lease runs as one BEGIN
// IMMEDIATE transaction, so concurrent leases (threads or processes) never claim the same job.
#pragma once
#include "store/job_queue.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

// Inserts `job` on the caller's write connection, inside the caller's transaction: the job commits
// or rolls back with the change that caused it. Returns the new id. Does not validate beyond the
// table's constraints (an empty kind, max_attempts < 1 or a payload that is not JSON throw
// SqliteError, which rolls the caller's Db::Write back). Call the runner's Notify() after commit.
int64_t InsertJob(Conn& c, const NewJob& job);

// Ends a leased job on the caller's write connection, inside the caller's transaction, as
// `finish` says. false, changing nothing, when the job is not running under finish.owner (its
// lease was lost); the caller then rolls back whatever it recorded with it. kRunning is not an
// end: it changes nothing and returns false.
bool FinishJob(Conn& c, const JobFinish& finish);

class SqliteJobQueue final : public JobQueue {
 public:
  explicit SqliteJobQueue(Db& db) : db_(db) {}
  Result<int64_t> Enqueue(const NewJob& job) override;
  Result<std::vector<JobRecord>> Lease(const std::vector<std::string>& kinds, std::string_view owner, int max,
                                       std::chrono::milliseconds lease_duration, int64_t now_ms,
                                       int per_key = 1) override;
  Result<bool> Complete(int64_t id, std::string_view owner) override;
  Result<bool> Retry(int64_t id, std::string_view owner, std::string_view error, int64_t run_after_ms) override;
  Result<bool> Bury(int64_t id, std::string_view owner, std::string_view error) override;
  Result<bool> Finish(const JobFinish& finish) override;
  Result<bool> Renew(int64_t id, std::string_view owner, int64_t lease_until_ms) override;
  Result<bool> Release(int64_t id, std::string_view owner) override;
  Result<std::optional<JobRecord>> Get(int64_t id) override;
  Result<bool> Requeue(int64_t id, int64_t run_after_ms) override;
  Result<Listing<JobRecord>> List(const JobFilter& filter, Paging paging) override;
  Result<int64_t> Purge(std::string_view kind, int64_t finished_before_ms) override;

 private:
  Db& db_;
};

}  // namespace berth::store::sqlite
