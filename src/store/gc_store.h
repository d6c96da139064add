// GcStore: what garbage collection needs from the metadata store — its runs, logs and schedule,
// the collection steps themselves (each one transaction that re-checks its conditions, so it is
// safe against concurrent manifest commits), and the checks of `berth fsck`.
//
// The safety rule every step keeps: a blob row goes only when no manifest references it
// (ref_count 0 and no manifest_blobs row) and it was neither uploaded nor referenced at or after
// `cutoff` (unix seconds). A manifest commit re-checks in its own transaction that each blob row
// still exists (store/registry_store.h ManifestStore::Put), so the two never interleave badly.
//
// Every method is thread-safe and atomic.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/error.h"
#include "store/identity_records.h"  // Paging, Listing
#include "store/records.h"

namespace berth::store {

inline constexpr std::string_view kGcJobKind = "gc";

struct GcCounters {
  int64_t blobs = 0;      // blob rows deleted
  int64_t manifests = 0;  // manifests (artifacts) deleted
  int64_t bytes = 0;      // bytes freed: deleted blobs + orphan files
  int64_t uploads = 0;    // expired upload sessions and stray upload files removed
  int64_t orphans = 0;    // files no row knows, removed
  int64_t errors = 0;
  GcCounters& operator+=(const GcCounters& o) {
    blobs += o.blobs; manifests += o.manifests; bytes += o.bytes; uploads += o.uploads; orphans += o.orphans;
    errors += o.errors;
    return *this;
  }
};

struct GcRunRecord {
  int64_t id = 0;
  std::string trigger;        // MANUAL | SCHEDULE
  std::string schedule_type;  // Manual, Hourly, Daily, Weekly, Custom
  std::string cron;
  std::string parameters;     // JSON text
  std::string status;         // Pending, Running, Success, Error, Stopped
  bool stop_requested = false;
  int64_t job_id = 0;
  GcCounters done;
  int64_t created_ms = 0, updated_ms = 0, started_ms = 0, finished_ms = 0;
};

struct GcScheduleRecord {
  std::string type;  // Hourly, Daily, Weekly, Custom, None
  std::string cron;
  std::string parameters = "{}";
  int64_t created_ms = 0, updated_ms = 0;
};

struct DeletedManifest {
  std::string repository;
  std::string digest;
};

// What a run would delete (dry run).
struct GcPlan {
  std::vector<DeletedManifest> manifests;
  std::vector<BlobRecord> blobs;
};

struct RefCountMismatch {
  std::string digest;
  int64_t stored = 0;
  int64_t actual = 0;
};

struct DanglingReference {
  std::string repository;
  std::string manifest;
  std::string blob;
};

struct BlobRow {
  BlobRecord blob;
  int64_t ref_count = 0;
};

class GcStore {
 public:
  virtual ~GcStore() = default;

  // ---- runs ----
  // Records a Pending run and its "gc" job (payload {"run_id":N}) in one transaction. kConflict
  // when a run is already Pending or Running.
  virtual Result<int64_t> CreateRun(std::string_view trigger, std::string_view schedule_type, std::string_view cron,
                                    std::string_view parameters_json) = 0;
  virtual Result<std::optional<GcRunRecord>> GetRun(int64_t id) = 0;
  // Newest first.
  virtual Result<Listing<GcRunRecord>> ListRuns(Paging paging) = 0;
  // Sets stop_requested; a Pending run becomes Stopped at once. false when the run is absent.
  virtual Result<bool> RequestStop(int64_t id) = 0;
  // Running (started_ms set the first time), or a final status (finished_ms set).
  virtual Result<void> SetStatus(int64_t id, std::string_view status) = 0;
  // Adds to the counters and appends log lines.
  virtual Result<void> Record(int64_t id, const GcCounters& delta, const std::vector<std::string>& lines) = 0;
  // Replaces the counters (a dry run reports its plan).
  virtual Result<void> SetCounters(int64_t id, const GcCounters& counters) = 0;
  virtual Result<std::string> Log(int64_t id) = 0;

  // ---- schedule ----
  virtual Result<std::optional<GcScheduleRecord>> GetSchedule() = 0;
  virtual Result<void> PutSchedule(const GcScheduleRecord& s) = 0;

  // ---- collection (each call one transaction) ----
  // A batch: at most `rows` items, and no more once `hold` has passed since the transaction began
  // (at least one item is always done), so a batch never keeps pushes waiting on the store's writer
  // for long, however slow the machine or the thread is at that moment.
  struct BatchLimit {
    int rows = 500;
    std::chrono::milliseconds hold{5};
  };
  // Deletes untagged artifacts pushed before `cutoff`: not accessories (manifests with a subject),
  // not listed by an index (children go with their parent, in a later batch); an artifact's
  // accessories go with it. Records the counters and log lines under `run_id`. Empty: none left.
  virtual Result<std::vector<DeletedManifest>> DeleteUntagged(int64_t run_id, int64_t cutoff, BatchLimit limit) = 0;
  // Deletes collectable blob rows (and their repository links) with digest > after, in digest
  // order, recording counters and log lines under `run_id`. The files are the caller's.
  virtual Result<std::vector<BlobRecord>> SweepBlobs(int64_t run_id, int64_t cutoff, std::string_view after,
                                                     BatchLimit limit) = 0;
  // What DeleteUntagged (when delete_untagged) and SweepBlobs would delete now, computed by doing
  // it on a private snapshot of the store that is then discarded; it never blocks writers.
  virtual Result<GcPlan> Plan(int64_t cutoff, bool delete_untagged) = 0;
  virtual Result<bool> BlobRowExists(const Digest& digest) = 0;
  // Which of `digests` have a blob row (one query).
  virtual Result<std::unordered_set<std::string>> BlobRowsAmong(const std::vector<Digest>& digests) = 0;
  virtual Result<std::unordered_set<std::string>> BlobDigests() = 0;
  virtual Result<std::unordered_set<std::string>> UploadIds() = 0;
  // Upload sessions not touched since `cutoff` (unix seconds).
  virtual Result<std::vector<UploadRecord>> ExpiredUploads(int64_t cutoff, int limit) = 0;
  // Deletes the upload row if it is still not touched since `cutoff`; true when deleted.
  virtual Result<bool> RemoveExpiredUpload(std::string_view id, int64_t cutoff) = 0;

  // ---- fsck ----
  // Blob rows in digest order after `after`.
  virtual Result<std::vector<BlobRow>> ListBlobRows(std::string_view after, int limit) = 0;
  virtual Result<std::vector<RefCountMismatch>> RefCountMismatches() = 0;
  virtual Result<int64_t> FixRefCounts() = 0;
  // manifest_blobs rows naming a blob that has no row.
  virtual Result<std::vector<DanglingReference>> DanglingReferences() = 0;
  // Deletes the blob row and its links when no manifest references it; true when deleted.
  virtual Result<bool> DeleteUnreferencedBlobRow(const Digest& digest) = 0;
};

}  // namespace berth::store
