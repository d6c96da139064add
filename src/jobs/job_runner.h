// JobRunner: runs the jobs of a store::JobQueue on N worker threads, with one handler per job kind.
//
// How it works: one dispatcher thread leases as many jobs as there are idle workers (one Lease
// transaction for all of them, each job with an order key bringing up to `chain` of its key's
// next jobs, which the same worker runs in order) and hands them to the workers; it also renews the lease of every
// running job every lease/3, so a handler may run for as long as it needs while its process lives.
// The dispatcher leases at once when Notify() is called, when a worker finishes a job and when a
// retry this runner scheduled falls due; otherwise it polls every poll_interval, which picks up
// jobs committed by another process, jobs left over from before a restart and jobs whose worker
// died (their lease runs out). A lease query that finds nothing runs on a read connection only.
//
// Outcomes: a handler returns Done, Retry (after the kind's Backoff, or an explicit wait) or Fail.
// A Retry on the job's last attempt (attempts >= max_attempts) and a Fail bury the job (state
// dead: a dead letter, kept for inspection and JobQueue::Requeue). A handler that throws counts as
// Retry with the exception's message. A handler whose effects live in the queue's database may
// end the job itself in the transaction of those effects (JobContext::FinishFor, then
// Outcome::Recorded), which saves a write transaction per job; Outcome::Lost says it found its
// lease gone and recorded nothing.
//
// Delivery is at least once: a process killed after a handler's effect but before Complete, or a
// handler that outlives a lost lease, runs the job again. Handlers must tolerate that (webhook
// receivers dedupe by event id).
//
// Stop(): no new jobs are taken; jobs leased but not started go back to the queue (their attempt
// not counted); running handlers finish (JobContext::Stopping() lets a long one give up early by
// returning Retry) and their outcomes are recorded; then the threads are joined.
//
// Thread-safety: Register, Start, Notify and Stop may be called from any thread (Notify is cheap:
// call it after committing a job). Handlers run on worker threads, several at once, including
// several jobs of the same kind; they must not call Stop(). Start and Stop are one-shot: a stopped
// runner does not start again. The JobQueue must outlive the runner.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "jobs/backoff.h"
#include "jobs/outcome.h"
#include "store/job_queue.h"

namespace berth::jobs {

// Given to a running handler. Thread-safe.
class JobContext {
 public:
  JobContext(const std::atomic<bool>& stopping, std::string owner, Backoff backoff = {})
      : stopping_(stopping), owner_(std::move(owner)), backoff_(std::move(backoff)) {}
  // The runner is stopping: a long handler may give up early and return Outcome::Retry.
  bool Stopping() const { return stopping_.load(std::memory_order_relaxed); }
  // A renewal found the lease gone (it ran out and another worker may hold the job now): whatever
  // the handler returns will not be recorded; finish quickly.
  bool LeaseLost() const { return lost_.load(std::memory_order_relaxed); }
  // The lease owner (unique per lease).
  const std::string& owner() const { return owner_; }
  // How the runner would end `job` after `o` (kDone, kRetry, kFail), with this kind's backoff: for
  // a handler that records the end itself (Outcome::Recorded) together with its own effects.
  store::JobFinish FinishFor(const store::JobRecord& job, const Outcome& o) const;

 private:
  friend class JobRunner;
  const std::atomic<bool>& stopping_;
  std::atomic<bool> lost_{false};
  std::string owner_;
  Backoff backoff_;
};

// Runs one job. `job` is the leased record: state running, attempts counting this one.
using Handler = std::function<Outcome(const store::JobRecord& job, const JobContext& ctx)>;

struct KindOptions {
  Backoff backoff;  // the wait after a failed attempt
};

struct RunnerOptions {
  int workers = 4;                                  // handlers running at once (≥ 1)
  std::chrono::milliseconds poll_interval{250};     // fallback lease poll
  std::chrono::milliseconds lease{30000};           // lease length; renewed every lease/3
  std::string node;                                 // lease owner prefix; "" = hostname:pid
  int chain = 8;  // jobs of one order key leased together and run in order by one worker (≥ 1)
  int nice = 0;  // added to the nice value of the runner's threads (Linux): background work yields
                 // the CPU to request threads under load; 0 = the process's own priority
};

class JobRunner {
 public:
  JobRunner(store::JobQueue& queue, RunnerOptions opt);
  ~JobRunner();  // Stop()
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Runs jobs of `kind` with `handler` from the next lease on; replaces an earlier registration.
  // Allowed before and after Start().
  void Register(const std::string& kind, Handler handler, KindOptions opt = {});
  // Starts the workers and the dispatcher; the first lease happens at once.
  void Start();
  // Wakes the dispatcher to lease now (call after committing a job). Never blocks for long.
  void Notify();
  // See above. Blocks until running handlers have finished. Idempotent.
  void Stop();

 private:
  struct Kind {
    Handler handler;
    KindOptions options;
  };
  // One lease's work for one worker: a job, or a chain of one order key's jobs in id order.
  struct Leased {
    std::vector<store::JobRecord> jobs;
    std::string owner;
  };
  void DispatchLoop();
  void WorkerLoop();
  // Runs the handler and records its outcome; returns the retry time when one was scheduled.
  std::optional<int64_t> Execute(const store::JobRecord& job, JobContext& ctx, const Kind& kind);
  void LeaseNow(std::unique_lock<std::mutex>& lk, int free);
  void RenewRunning(std::unique_lock<std::mutex>& lk);
  void ReleaseReady(std::unique_lock<std::mutex>& lk);
  // Hands jobs[from..] back to the queue unstarted.
  void Release(const std::vector<store::JobRecord>& jobs, size_t from, const std::string& owner);

  store::JobQueue& queue_;
  RunnerOptions opt_;
  std::string owner_prefix_;  // node/rN/ — a lease's owner adds its sequence number
  std::atomic<bool> stop_flag_{false};  // read by JobContext::Stopping()

  std::mutex mu_;
  std::condition_variable dispatch_cv_;  // the dispatcher waits here
  std::condition_variable work_cv_;      // idle workers wait here
  // All guarded by mu_:
  std::map<std::string, Kind> kinds_;
  std::deque<Leased> ready_;  // leased, not started yet
  std::map<uint64_t, std::pair<int64_t, std::shared_ptr<JobContext>>> running_;  // run seq → job id, context
  std::priority_queue<int64_t, std::vector<int64_t>, std::greater<>> due_;  // retry times (unix ms)
  int idle_ = 0;          // workers waiting for a job
  bool poke_ = false;     // lease at the next chance
  bool started_ = false;
  bool stopping_ = false;
  bool exit_ = false;     // the dispatcher leaves (after the workers)
  uint64_t lease_seq_ = 0;
  uint64_t run_seq_ = 0;

  std::vector<std::thread> workers_;
  std::thread dispatcher_;
};

}  // namespace berth::jobs
