// JobQueue: the durable queue of background jobs (webhook deliveries, and later replication, scans,
// retention, GC) on the metadata store. It owns the jobs table only; what a job does is its
// handler's business (jobs/job_runner.h runs them).
//
// Life of a job:
//   queued ──Lease──▶ running ──Complete──▶ done
//      ▲                 │ ├──Retry──────▶ queued (run_after = the backoff)
//      │                 │ └──Bury───────▶ dead   (dead letter; kept for inspection)
//      │                 └── lease ran out (worker crashed) ──▶ leasable again, as a new attempt
//      └──────Requeue─────── done | dead   (redeliver: attempts start again)
//
// Durability (the outbox rule): a job that records the consequence of a change — an event to
// deliver — must commit in the same transaction as that change, so a change is never committed
// without its job and a rolled-back change never leaves one. The SQLite backend offers
// store::sqlite::InsertJob(Conn&, NewJob) for that (store/sqlite/job_queue.h); Enqueue() is the
// same insert in a transaction of its own, for work that is not tied to a change.
//
// Leases: Lease() claims jobs atomically for `owner` until now + lease_duration; the owner renews
// long work with Renew(). Complete/Retry/Bury/Renew/Release take the owner back and do nothing
// (return false) when the job is no longer running under that owner — its lease ran out and
// another worker took it, or an operator moved it. Delivery is therefore at least once: a worker
// that stalls past its lease may run a job that someone else runs again. Owners should be unique
// per Lease() call (JobRunner uses node/runner/sequence), which makes them fencing tokens.
//
// Attempts: `attempts` counts leases (a crash-recovery lease is a new attempt). The queue does not
// decide retries: the caller compares attempts with max_attempts and calls Retry or Bury. The one
// exception is crash recovery: a running job whose lease ran out on its last attempt is buried by
// the next Lease() instead of being run again, so a job that kills its worker cannot loop forever.
//
// Ordering: jobs with the same non-empty order_key (for example one webhook policy) run one at a
// time, in id order, while they are healthy:
//   - a job of key K is leasable only if no job of K is running under a live lease, and no job of K
//     with a smaller id is itself leasable (queued and due, or running with an expired lease);
//   - a job of K waiting in backoff (queued with run_after in the future) does NOT hold back later
//     jobs of K. So order holds while the target is healthy; once a job fails and backs off, the
//     jobs behind it go ahead, and a target that fails for hours does not stall its key forever.
// order_key is one namespace across kinds: prefix it with the kind (e.g. "webhook:policy:12").
//
// Chains: Lease(..., per_key > 1) may also claim, with a key's first runnable job (the head), the
// key's next queued and due jobs of the leased kinds, in id order, up to per_key in all — skipping
// jobs in backoff, stopping at a job that is running or of another kind. They are leased to the
// same owner, who runs them one after another in id order: one lease transaction for a run of a
// key's jobs instead of one each, with the order kept.
//
// Time: decisions use the now_ms / run_after_ms / lease_until_ms the caller passes (unix ms), so
// tests can move time; the created/updated/finished timestamps are the wall clock.
//
// Every method is thread-safe and atomic; several processes may share one database.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/identity_records.h"  // Paging, Listing

namespace berth::store {

enum class JobState { kQueued, kRunning, kDone, kDead };

// "queued", "running", "done", "dead" (the stored and displayed names).
inline std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kDead: return "dead";
  }
  return "queued";
}
inline std::optional<JobState> ParseJobState(std::string_view name) {
  for (auto s : {JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kDead})
    if (JobStateName(s) == name) return s;
  return std::nullopt;
}

struct NewJob {
  std::string kind;                // handler name, e.g. "webhook"; required
  std::string payload = "{}";      // JSON text, handed to the handler as is
  std::string order_key;           // "" = no ordering (see above)
  int max_attempts = 3;            // ≥ 1
  int64_t run_after_ms = 0;        // not before this time (unix ms); earlier (0) = at once, stored
                                   // as the insert time, so due jobs are leased oldest first
};

struct JobRecord {
  int64_t id = 0;
  std::string kind;
  std::string order_key;
  std::string payload;
  JobState state = JobState::kQueued;
  int attempts = 0;         // leases so far, including the current one while running
  int max_attempts = 1;
  int64_t run_after_ms = 0;
  std::string lease_owner;  // the last owner (kept after it finishes, for inspection)
  int64_t lease_until_ms = 0;  // while running
  std::string last_error;   // the latest failed attempt's message (kept when a later attempt succeeds)
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t finished_ms = 0;  // done or dead; 0 otherwise
};

// How a leased job ends: the result of one attempt as the queue records it. Stores that keep a
// job's effects in the same database record it in the transaction of those effects (see
// store::sqlite::FinishJob), so the effect and the job's end commit together.
struct JobFinish {
  int64_t id = 0;
  std::string owner;                 // the lease it ends; nothing changes under another owner
  JobState state = JobState::kDone;  // kDone; kQueued = retry at run_after_ms; kDead = buried
  std::string error;                 // kQueued, kDead: becomes last_error
  int64_t run_after_ms = 0;          // kQueued
};

struct JobFilter {
  std::string kind;                 // "" = every kind
  std::optional<JobState> state;    // nullopt = every state
  std::string order_key;            // "" = every key
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Inserts a job in its own transaction; returns its id. kBadRequest for an empty kind,
  // max_attempts < 1 or a payload that is not JSON.
  virtual Result<int64_t> Enqueue(const NewJob& job) = 0;

  // Claims up to `max` runnable jobs of the given kinds for `owner` until now_ms + lease_duration,
  // and returns them as they are now (state running, attempts incremented). Runnable: running with
  // lease_until_ms <= now_ms (crash recovery; these first), or queued with run_after_ms <= now_ms
  // (earliest due first, then lowest id), subject to the ordering rule above. No kinds → nothing.
  // With per_key > 1, each leased job with an order key brings its chain (above) along: the result
  // then holds up to `max` heads plus their chains, a chain's jobs in id order after its head.
  virtual Result<std::vector<JobRecord>> Lease(const std::vector<std::string>& kinds, std::string_view owner,
                                               int max, std::chrono::milliseconds lease_duration,
                                               int64_t now_ms, int per_key = 1) = 0;

  // The lease operations: each returns false, changing nothing, when job `id` is not running under
  // `owner` (a lease that ran out but was not taken by anyone yet still counts as held).
  // done.
  virtual Result<bool> Complete(int64_t id, std::string_view owner) = 0;
  // queued again, not before run_after_ms, with `error` as last_error.
  virtual Result<bool> Retry(int64_t id, std::string_view owner, std::string_view error, int64_t run_after_ms) = 0;
  // dead (dead letter), with `error` as last_error.
  virtual Result<bool> Bury(int64_t id, std::string_view owner, std::string_view error) = 0;
  // Complete, Retry or Bury as `finish.state` says (kRunning is refused with kBadRequest).
  virtual Result<bool> Finish(const JobFinish& finish) = 0;
  // extends the lease to lease_until_ms.
  virtual Result<bool> Renew(int64_t id, std::string_view owner, int64_t lease_until_ms) = 0;
  // hands a leased job back unstarted: queued, due at once, the lease's attempt not counted.
  virtual Result<bool> Release(int64_t id, std::string_view owner) = 0;

  virtual Result<std::optional<JobRecord>> Get(int64_t id) = 0;
  // A done or dead job back to queued (attempts 0, last_error cleared, not before run_after_ms;
  // earlier = at once): "redeliver". false when the job does not exist or has not finished.
  virtual Result<bool> Requeue(int64_t id, int64_t run_after_ms) = 0;
  // Newest first.
  virtual Result<Listing<JobRecord>> List(const JobFilter& filter, Paging paging) = 0;
  // Deletes done and dead jobs of `kind` ("" = every kind) that finished before finished_before_ms;
  // returns how many.
  virtual Result<int64_t> Purge(std::string_view kind, int64_t finished_before_ms) = 0;
};

}  // namespace berth::store
