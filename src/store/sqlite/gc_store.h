// SQLite GcStore (tables gc_runs, gc_log, gc_schedule; migration 0011) over the registry tables of
// 0001. Thread-safe via Db: every write is one BEGIN IMMEDIATE transaction, so a sweep batch and a
// manifest commit are serialized and each sees the other's effect completely or not at all.
#pragma once
#include "store/gc_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteGcStore final : public GcStore {
 public:
  explicit SqliteGcStore(Db& db) : db_(db) {}
  Result<int64_t> CreateRun(std::string_view trigger, std::string_view schedule_type, std::string_view cron,
                            std::string_view parameters_json) override;
  Result<std::optional<GcRunRecord>> GetRun(int64_t id) override;
  Result<Listing<GcRunRecord>> ListRuns(Paging paging) override;
  Result<bool> RequestStop(int64_t id) override;
  Result<void> SetStatus(int64_t id, std::string_view status) override;
  Result<void> Record(int64_t id, const GcCounters& delta, const std::vector<std::string>& lines) override;
  Result<void> SetCounters(int64_t id, const GcCounters& counters) override;
  Result<std::string> Log(int64_t id) override;
  Result<std::optional<GcScheduleRecord>> GetSchedule() override;
  Result<void> PutSchedule(const GcScheduleRecord& s) override;
  Result<std::vector<DeletedManifest>> DeleteUntagged(int64_t run_id, int64_t cutoff, BatchLimit limit) override;
  Result<std::vector<BlobRecord>> SweepBlobs(int64_t run_id, int64_t cutoff, std::string_view after,
                                             BatchLimit limit) override;
  Result<GcPlan> Plan(int64_t cutoff, bool delete_untagged) override;
  Result<bool> BlobRowExists(const Digest& digest) override;
  Result<std::unordered_set<std::string>> BlobRowsAmong(const std::vector<Digest>& digests) override;
  Result<std::unordered_set<std::string>> BlobDigests() override;
  Result<std::unordered_set<std::string>> UploadIds() override;
  Result<std::vector<UploadRecord>> ExpiredUploads(int64_t cutoff, int limit) override;
  Result<bool> RemoveExpiredUpload(std::string_view id, int64_t cutoff) override;
  Result<std::vector<BlobRow>> ListBlobRows(std::string_view after, int limit) override;
  Result<std::vector<RefCountMismatch>> RefCountMismatches() override;
  Result<int64_t> FixRefCounts() override;
  Result<std::vector<DanglingReference>> DanglingReferences() override;
  Result<bool> DeleteUnreferencedBlobRow(const Digest& digest) override;

 private:
  Db& db_;
};

}  // namespace berth::store::sqlite
