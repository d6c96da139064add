// Collector: one garbage-collection run, as the handler of the "gc" job (store::kGcJobKind).
//
// A run, in order (each step batched, each batch one short transaction — at most batch_size items
// and batch_hold of time, since pushes wait for the same writer — that re-checks its rule):
//   1. delete_untagged: untagged artifacts pushed before the cutoff (not accessories; index
//      children only once their parent is gone; accessories with their subject);
//   2. sweep: blob rows no manifest references, neither uploaded nor referenced since the cutoff
//      (now - grace), with their repository links; then their files — under the digests' locks
//      after re-checking (one query per chunk) that no upload re-created a row meanwhile;
//   3. upload sessions idle longer than the upload expiry, and upload files no session knows;
//   4. orphans: blob files no row knows, older than the cutoff.
// Deleted files go to the driver's trash (a rename); once the run is Success, the same job gives
// their space back (Reclaim, unlink-bound) and logs it — also at the start of a run, for what a
// crash left. Rows always go before files: a crash leaves at worst files without rows, which step 4 of a later
// run collects — never a row without its file. A run killed half-way is leased again (the job's
// lease runs out) and carries on; every step is idempotent. A dry run computes steps 1–2 by doing
// them on a private snapshot of the database (GcStore::Plan; it never takes the writer, so pushes
// go on), counts 3–4 and deletes nothing.
//
// Progress: counters and per-item log lines are recorded with each batch (GET /system/gc/{id}).
// Thread-safe: runs are serialized by the job's order key; a run's batches run on a thread of the
// Collector's own that keeps start-up's normal priority (base/worker_thread.h: the batches hold
// locks pushes wait for), with up to `workers` threads for file deletes.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "base/worker_thread.h"
#include "blob/digest_locks.h"
#include "blob/driver.h"
#include "jobs/job_runner.h"
#include "store/gc_store.h"

namespace berth::gc {

struct GcParams {
  bool delete_untagged = false;
  bool dry_run = false;
  int workers = 1;  // 1-10
};

// {"delete_untagged","dry_run","workers"} ⇄ GcParams; kBadRequest for wrong types or workers
// outside 1-10. Missing keys keep their defaults.
Result<GcParams> ParseParams(const std::string& json_text);
std::string ParamsJson(const GcParams& p);

struct CollectorOptions {
  std::string root;                      // the data directory of the filesystem driver
  int64_t grace_seconds = 3600;
  int64_t upload_expiry_seconds = 86400;
  int batch_size = 500;
  // A batch's transaction stops taking items after this long: pushes share the store's one writer.
  std::chrono::milliseconds batch_hold{5};
};

class Collector {
 public:
  Collector(store::GcStore& store, blob::BlobDriver& driver, blob::DigestLocks& locks, CollectorOptions opt)
      : store_(store), driver_(driver), locks_(locks), opt_(std::move(opt)) {}

  jobs::Outcome Handle(const store::JobRecord& job, const jobs::JobContext& ctx);
  // Runs (or continues) run `run_id`; `stop` is polled between batches. Records the final status.
  Result<void> Run(int64_t run_id, const std::function<bool()>& stop);

 private:
  struct Walk;
  Result<void> RunReal(int64_t run_id, const GcParams& p, int64_t cutoff, const std::function<bool()>& stop,
                       bool& stopped);
  Result<void> RunDry(int64_t run_id, const GcParams& p, int64_t cutoff);
  // Deletes the files of blobs whose rows are gone; returns errors and log lines.
  void DeleteFiles(const std::vector<store::BlobRecord>& blobs, int workers, store::GcCounters& d,
                   std::vector<std::string>& lines);
  // Gives the space of deleted files back (the driver's trash) and logs it under the run.
  void Reclaim(int64_t run_id, const std::function<bool()>& stop);
  // Uploads and orphan files; `dry` only counts.
  Result<void> Stray(int64_t run_id, int64_t cutoff, bool dry, store::GcCounters& total);

  store::GcStore& store_;
  blob::BlobDriver& driver_;
  blob::DigestLocks& locks_;
  CollectorOptions opt_;
  // Runs the batches at the priority of the thread that built the Collector (start-up: normal),
  // not at the job thread's lower one.
  WorkerThread normal_;
};

}  // namespace berth::gc
