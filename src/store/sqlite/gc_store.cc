#include "store/sqlite/gc_store.h"

#include <chrono>

#include "base/clock.h"
#include "store/sqlite/job_queue.h"
#include "store/sqlite/paging.h"
#include "store/sqlite/sqlite_stores.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kRunColumns =
    "id, trigger, schedule_type, cron, parameters, status, stop_requested, job_id, blobs_deleted, "
    "manifests_deleted, bytes_freed, uploads_deleted, orphans_deleted, errors, created_ms, updated_ms, started_ms, "
    "finished_ms";

GcRunRecord RowToRun(const Stmt& s) {
  GcRunRecord r;
  r.id = s.Int(0);
  r.trigger = s.Text(1);
  r.schedule_type = s.Text(2);
  r.cron = s.Text(3);
  r.parameters = s.Text(4);
  r.status = s.Text(5);
  r.stop_requested = s.Int(6) != 0;
  r.job_id = s.Int(7);
  r.done.blobs = s.Int(8);
  r.done.manifests = s.Int(9);
  r.done.bytes = s.Int(10);
  r.done.uploads = s.Int(11);
  r.done.orphans = s.Int(12);
  r.done.errors = s.Int(13);
  r.created_ms = s.Int(14);
  r.updated_ms = s.Int(15);
  r.started_ms = s.Int(16);
  r.finished_ms = s.Int(17);
  return r;
}

void RecordIn(Conn& c, int64_t run_id, const GcCounters& d, const std::vector<std::string>& lines) {
  c.Prepare("UPDATE gc_runs SET blobs_deleted = blobs_deleted + ?, manifests_deleted = manifests_deleted + ?, "
            "bytes_freed = bytes_freed + ?, uploads_deleted = uploads_deleted + ?, "
            "orphans_deleted = orphans_deleted + ?, errors = errors + ?, updated_ms = ? WHERE id = ?")
      .Bind(1, d.blobs).Bind(2, d.manifests).Bind(3, d.bytes).Bind(4, d.uploads).Bind(5, d.orphans)
      .Bind(6, d.errors).Bind(7, NowUnixMillis()).Bind(8, run_id).Run();
  if (lines.empty()) return;
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  int64_t seq = 1;
  {
    auto s = c.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM gc_log WHERE run_id = ?");
    s.Bind(1, run_id);
    if (s.Step()) seq = s.Int(0);
  }
  c.Prepare("INSERT INTO gc_log(run_id, seq, text) VALUES(?, ?, ?)").Bind(1, run_id).Bind(2, seq).Bind(3, text).Run();
}

struct ManifestRow {
  int64_t id = 0;
  int64_t repo = 0;
  std::string digest;
  std::string repo_name;
};

// Deletes manifest `m` and then its accessories (manifests in the repository whose subject it
// is). An artifact an index still lists stays (and so do its accessories).
void DeleteWithAccessories(Conn& c, const ManifestRow& m, int64_t now, int depth, std::vector<DeletedManifest>& out) {
  // Dropping a reference is not a new one: the blobs keep their last_ref_at, so the sweep of this
  // same run frees what the deleted artifact alone held.
  std::vector<std::pair<std::string, int64_t>> last_ref;
  {
    auto s = c.Prepare("SELECT b.digest, b.last_ref_at FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.digest "
                       "WHERE mb.manifest_id = ?");
    s.Bind(1, m.id);
    while (s.Step()) last_ref.emplace_back(s.Text(0), s.Int(1));
  }
  auto done = DeleteManifestRow(c, m.repo, m.id, m.digest, now);
  if (!done || !*done) return;
  for (const auto& [d, t] : last_ref)
    c.Prepare("UPDATE blobs SET last_ref_at = ? WHERE digest = ?").Bind(1, t).Bind(2, d).Run();
  out.push_back({m.repo_name, m.digest});
  if (depth > 8) return;
  std::vector<ManifestRow> accessories;
  {
    auto s = c.Prepare("SELECT id, digest FROM manifests WHERE repository_id = ? AND subject = ?");
    s.Bind(1, m.repo).Bind(2, m.digest);
    while (s.Step()) accessories.push_back({s.Int(0), m.repo, s.Text(1), m.repo_name});
  }
  for (const auto& a : accessories) DeleteWithAccessories(c, a, now, depth + 1, out);
}

using Clock = std::chrono::steady_clock;

// True once `limit.hold` has passed since `began`; checked after each item, so a batch always
// makes progress.
bool HoldOver(Clock::time_point began, const GcStore::BatchLimit& limit) { return Clock::now() - began >= limit.hold; }

size_t UntaggedBatch(Conn& c, int64_t cutoff, const GcStore::BatchLimit& limit, std::vector<DeletedManifest>& out) {
  auto began = Clock::now();
  std::vector<ManifestRow> rows;
  {
    auto s = c.Prepare(
        "SELECT m.id, m.repository_id, m.digest, r.name FROM manifests m JOIN repositories r ON r.id = m.repository_id "
        "WHERE m.subject IS NULL AND m.pushed_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id) "
        "AND NOT EXISTS (SELECT 1 FROM manifest_children mc WHERE mc.repository_id = m.repository_id "
        "AND mc.child_digest = m.digest) ORDER BY m.id LIMIT ?");
    s.Bind(1, cutoff).Bind(2, static_cast<int64_t>(limit.rows));
    while (s.Step()) rows.push_back({s.Int(0), s.Int(1), s.Text(2), s.Text(3)});
  }
  int64_t now = NowUnixSeconds();
  size_t done = 0;
  for (const auto& m : rows) {
    DeleteWithAccessories(c, m, now, 0, out);
    ++done;
    if (HoldOver(began, limit)) break;
  }
  return done;
}

// The sweep's one rule, evaluated inside the write transaction that deletes.
void SweepBatch(Conn& c, int64_t cutoff, std::string_view after, const GcStore::BatchLimit& limit,
                std::vector<BlobRecord>& out) {
  auto began = Clock::now();
  std::vector<BlobRecord> rows;
  {
    auto s = c.Prepare(
        "SELECT b.digest, b.size, b.created_at FROM blobs b INDEXED BY blobs_unreferenced "
        "WHERE b.ref_count = 0 AND b.digest > ? AND b.created_at < ? AND b.last_ref_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.digest = b.digest) ORDER BY b.digest LIMIT ?");
    s.Bind(1, after).Bind(2, cutoff).Bind(3, cutoff).Bind(4, static_cast<int64_t>(limit.rows));
    while (s.Step()) {
      auto d = Digest::Parse(s.Text(0));
      if (!d) continue;
      rows.push_back({*d, s.Int(1), s.Int(2)});
    }
  }
  for (const auto& b : rows) {
    std::string d = b.digest.str();
    c.Prepare("DELETE FROM repository_blobs WHERE digest = ?").Bind(1, d).Run();
    c.Prepare("DELETE FROM blobs WHERE digest = ?").Bind(1, d).Run();
    out.push_back(b);
    if (HoldOver(began, limit)) break;
  }
}

std::string Human(int64_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

Result<int64_t> SqliteGcStore::CreateRun(std::string_view trigger, std::string_view schedule_type,
                                         std::string_view cron, std::string_view parameters_json) {
  int64_t now = NowUnixMillis();
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    // A run whose job has ended (dead after repeated crashes) is no longer in progress.
    c.Prepare("UPDATE gc_runs SET status = 'Error', finished_ms = ?, updated_ms = ? "
              "WHERE status IN ('Pending', 'Running') AND job_id <> 0 "
              "AND job_id NOT IN (SELECT id FROM jobs WHERE state IN ('queued', 'running'))")
        .Bind(1, now).Bind(2, now).Run();
    {
      auto s = c.Prepare("SELECT id FROM gc_runs WHERE status IN ('Pending', 'Running') LIMIT 1");
      if (s.Step()) return Fail(Errc::kConflict, "garbage collection run " + std::to_string(s.Int(0)) + " is in progress");
    }
    c.Prepare("INSERT INTO gc_runs(trigger, schedule_type, cron, parameters, created_ms, updated_ms) "
              "VALUES(?, ?, ?, ?, ?, ?)")
        .Bind(1, trigger).Bind(2, schedule_type).Bind(3, cron).Bind(4, parameters_json).Bind(5, now).Bind(6, now).Run();
    int64_t id = c.LastInsertId();
    NewJob job;
    job.kind = std::string(kGcJobKind);
    job.payload = "{\"run_id\":" + std::to_string(id) + "}";
    job.order_key = "gc";
    job.max_attempts = 3;
    int64_t job_id = InsertJob(c, job);
    c.Prepare("UPDATE gc_runs SET job_id = ? WHERE id = ?").Bind(1, job_id).Bind(2, id).Run();
    return id;
  });
}

Result<std::optional<GcRunRecord>> SqliteGcStore::GetRun(int64_t id) {
  return db_.Read([&](Conn& c) -> Result<std::optional<GcRunRecord>> {
    static const std::string sql = std::string("SELECT ") + kRunColumns + " FROM gc_runs WHERE id = ?";
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return RowToRun(s);
  });
}

Result<Listing<GcRunRecord>> SqliteGcStore::ListRuns(Paging paging) {
  return db_.Read([&](Conn& c) -> Result<Listing<GcRunRecord>> {
    // Both static: the statement cache is keyed by the text's address (a temporary std::string
    // here once handed it a freed address, which another query's text later reused).
    static const std::string count_sql = "SELECT COUNT(*) FROM gc_runs";
    static const std::string page_sql = std::string("SELECT ") + kRunColumns +
                                        " FROM gc_runs ORDER BY id DESC LIMIT ? OFFSET ?";
    return CountAndPage<GcRunRecord>(c, count_sql, page_sql, 1, paging, [](Stmt&) {}, RowToRun);
  });
}

Result<bool> SqliteGcStore::RequestStop(int64_t id) {
  int64_t now = NowUnixMillis();
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE gc_runs SET stop_requested = 1, updated_ms = ?, "
              "finished_ms = CASE WHEN status = 'Pending' THEN ? ELSE finished_ms END, "
              "status = CASE WHEN status = 'Pending' THEN 'Stopped' ELSE status END WHERE id = ?")
        .Bind(1, now).Bind(2, now).Bind(3, id).Run();
    return c.Changes() > 0;
  });
}

Result<void> SqliteGcStore::SetStatus(int64_t id, std::string_view status) {
  int64_t now = NowUnixMillis();
  bool final = status != "Running" && status != "Pending";
  return db_.Write([&](Conn& c) -> Result<void> {
    c.Prepare("UPDATE gc_runs SET status = ?, updated_ms = ?, "
              "started_ms = CASE WHEN started_ms = 0 THEN ? ELSE started_ms END, "
              "finished_ms = CASE WHEN ? THEN ? ELSE 0 END WHERE id = ?")
        .Bind(1, status).Bind(2, now).Bind(3, now).Bind(4, static_cast<int64_t>(final)).Bind(5, now).Bind(6, id).Run();
    return {};
  });
}

Result<void> SqliteGcStore::Record(int64_t id, const GcCounters& delta, const std::vector<std::string>& lines) {
  return db_.Write([&](Conn& c) -> Result<void> {
    RecordIn(c, id, delta, lines);
    return {};
  });
}

Result<void> SqliteGcStore::SetCounters(int64_t id, const GcCounters& d) {
  return db_.Write([&](Conn& c) -> Result<void> {
    c.Prepare("UPDATE gc_runs SET blobs_deleted = ?, manifests_deleted = ?, bytes_freed = ?, uploads_deleted = ?, "
              "orphans_deleted = ?, errors = ?, updated_ms = ? WHERE id = ?")
        .Bind(1, d.blobs).Bind(2, d.manifests).Bind(3, d.bytes).Bind(4, d.uploads).Bind(5, d.orphans)
        .Bind(6, d.errors).Bind(7, NowUnixMillis()).Bind(8, id).Run();
    return {};
  });
}

Result<std::string> SqliteGcStore::Log(int64_t id) {
  return db_.Read([&](Conn& c) -> Result<std::string> {
    auto s = c.Prepare("SELECT text FROM gc_log WHERE run_id = ? ORDER BY seq");
    s.Bind(1, id);
    std::string out;
    while (s.Step()) out += s.Text(0);
    return out;
  });
}

Result<std::optional<GcScheduleRecord>> SqliteGcStore::GetSchedule() {
  return db_.Read([&](Conn& c) -> Result<std::optional<GcScheduleRecord>> {
    auto s = c.Prepare("SELECT type, cron, parameters, created_ms, updated_ms FROM gc_schedule WHERE id = 1");
    if (!s.Step()) return std::nullopt;
    return GcScheduleRecord{s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)};
  });
}

Result<void> SqliteGcStore::PutSchedule(const GcScheduleRecord& r) {
  int64_t now = NowUnixMillis();
  return db_.Write([&](Conn& c) -> Result<void> {
    c.Prepare("INSERT INTO gc_schedule(id, type, cron, parameters, created_ms, updated_ms) VALUES(1, ?, ?, ?, ?, ?) "
              "ON CONFLICT(id) DO UPDATE SET type = excluded.type, cron = excluded.cron, "
              "parameters = excluded.parameters, updated_ms = excluded.updated_ms")
        .Bind(1, r.type).Bind(2, r.cron).Bind(3, r.parameters).Bind(4, now).Bind(5, now).Run();
    return {};
  });
}

Result<std::vector<DeletedManifest>> SqliteGcStore::DeleteUntagged(int64_t run_id, int64_t cutoff, BatchLimit limit) {
  return db_.Write([&](Conn& c) -> Result<std::vector<DeletedManifest>> {
    std::vector<DeletedManifest> out;
    UntaggedBatch(c, cutoff, limit, out);
    GcCounters d;
    d.manifests = static_cast<int64_t>(out.size());
    std::vector<std::string> lines;
    for (const auto& m : out) lines.push_back("delete artifact " + m.repository + "@" + m.digest + ": untagged");
    RecordIn(c, run_id, d, lines);
    return out;
  });
}

Result<std::vector<BlobRecord>> SqliteGcStore::SweepBlobs(int64_t run_id, int64_t cutoff, std::string_view after,
                                                          BatchLimit limit) {
  return db_.Write([&](Conn& c) -> Result<std::vector<BlobRecord>> {
    std::vector<BlobRecord> out;
    SweepBatch(c, cutoff, after, limit, out);
    GcCounters d;
    std::vector<std::string> lines;
    for (const auto& b : out) {
      d.blobs++;
      d.bytes += b.size;
      lines.push_back("delete blob " + b.digest.str() + ": " + Human(b.size) + ", unreferenced");
    }
    RecordIn(c, run_id, d, lines);
    return out;
  });
}

// The same batch functions as the real run, applied for real to a private snapshot of the database
// (Db::Snapshot) that is then thrown away: exact, and the shared writer is never taken, so pushes
// go on while a dry run of any size plans.
Result<GcPlan> SqliteGcStore::Plan(int64_t cutoff, bool delete_untagged) {
  auto snap = db_.Snapshot();
  if (!snap) return std::unexpected(snap.error());
  Conn& c = **snap;
  GcPlan plan;
  try {
    c.Exec("BEGIN");
    // A private copy: no one waits on it, so batches need no time limit.
    const BatchLimit whole{500, std::chrono::hours(24)};
    if (delete_untagged)
      while (UntaggedBatch(c, cutoff, whole, plan.manifests) > 0) {
      }
    std::string after;
    for (;;) {
      size_t before = plan.blobs.size();
      SweepBatch(c, cutoff, after, whole, plan.blobs);
      if (plan.blobs.size() == before) break;
      after = plan.blobs.back().digest.str();
    }
    c.Exec("ROLLBACK");  // not needed (the copy is discarded), but nothing of it is meant to last
  } catch (const SqliteError& e) {
    return Fail(Errc::kInternal, std::string("database: ") + e.what());
  }
  return plan;
}

Result<bool> SqliteGcStore::BlobRowExists(const Digest& digest) {
  std::string d = digest.str();
  return db_.Read([&](Conn& c) -> Result<bool> {
    auto s = c.Prepare("SELECT 1 FROM blobs WHERE digest = ?");
    s.Bind(1, d);
    return s.Step();
  });
}

Result<std::unordered_set<std::string>> SqliteGcStore::BlobRowsAmong(const std::vector<Digest>& digests) {
  std::string list = "[";  // digests are "algorithm:hex": nothing to escape in JSON
  for (const auto& d : digests) list += (list.size() > 1 ? ",\"" : "\"") + d.str() + "\"";
  list += "]";
  return db_.Read([&](Conn& c) -> Result<std::unordered_set<std::string>> {
    std::unordered_set<std::string> out;
    auto s = c.Prepare("SELECT digest FROM blobs WHERE digest IN (SELECT value FROM json_each(?))");
    s.Bind(1, list);
    while (s.Step()) out.insert(s.Text(0));
    return out;
  });
}

Result<std::unordered_set<std::string>> SqliteGcStore::BlobDigests() {
  return db_.Read([&](Conn& c) -> Result<std::unordered_set<std::string>> {
    std::unordered_set<std::string> out;
    auto s = c.Prepare("SELECT digest FROM blobs");
    while (s.Step()) out.insert(s.Text(0));
    return out;
  });
}

Result<std::unordered_set<std::string>> SqliteGcStore::UploadIds() {
  return db_.Read([&](Conn& c) -> Result<std::unordered_set<std::string>> {
    std::unordered_set<std::string> out;
    auto s = c.Prepare("SELECT id FROM uploads");
    while (s.Step()) out.insert(s.Text(0));
    return out;
  });
}

Result<std::vector<UploadRecord>> SqliteGcStore::ExpiredUploads(int64_t cutoff, int limit) {
  return db_.Read([&](Conn& c) -> Result<std::vector<UploadRecord>> {
    std::vector<UploadRecord> out;
    auto s = c.Prepare("SELECT id, repository, created_at, updated_at FROM uploads WHERE updated_at < ? LIMIT ?");
    s.Bind(1, cutoff).Bind(2, static_cast<int64_t>(limit));
    while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Int(2), s.Int(3)});
    return out;
  });
}

Result<bool> SqliteGcStore::RemoveExpiredUpload(std::string_view id, int64_t cutoff) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM uploads WHERE id = ? AND updated_at < ?").Bind(1, id).Bind(2, cutoff).Run();
    return c.Changes() > 0;
  });
}

Result<std::vector<BlobRow>> SqliteGcStore::ListBlobRows(std::string_view after, int limit) {
  return db_.Read([&](Conn& c) -> Result<std::vector<BlobRow>> {
    std::vector<BlobRow> out;
    auto s = c.Prepare("SELECT digest, size, created_at, ref_count FROM blobs WHERE digest > ? ORDER BY digest LIMIT ?");
    s.Bind(1, after).Bind(2, static_cast<int64_t>(limit));
    while (s.Step()) {
      auto d = Digest::Parse(s.Text(0));
      BlobRow row;
      if (d) row.blob.digest = *d;
      row.blob.size = s.Int(1);
      row.blob.created_at = s.Int(2);
      row.ref_count = s.Int(3);
      if (!d) row.ref_count = -1;  // an unparsable digest: reported by the caller
      out.push_back(std::move(row));
    }
    return out;
  });
}

namespace {
constexpr const char* kMismatchSql =
    "SELECT b.digest, b.ref_count, (SELECT COUNT(*) FROM manifest_blobs mb WHERE mb.digest = b.digest) AS actual "
    "FROM blobs b WHERE b.ref_count <> (SELECT COUNT(*) FROM manifest_blobs mb WHERE mb.digest = b.digest)";
}

Result<std::vector<RefCountMismatch>> SqliteGcStore::RefCountMismatches() {
  return db_.Read([&](Conn& c) -> Result<std::vector<RefCountMismatch>> {
    std::vector<RefCountMismatch> out;
    auto s = c.Prepare(kMismatchSql);
    while (s.Step()) out.push_back({s.Text(0), s.Int(1), s.Int(2)});
    return out;
  });
}

Result<int64_t> SqliteGcStore::FixRefCounts() {
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    c.Prepare("UPDATE blobs SET ref_count = (SELECT COUNT(*) FROM manifest_blobs mb WHERE mb.digest = blobs.digest) "
              "WHERE ref_count <> (SELECT COUNT(*) FROM manifest_blobs mb WHERE mb.digest = blobs.digest)")
        .Run();
    return c.Changes();
  });
}

Result<std::vector<DanglingReference>> SqliteGcStore::DanglingReferences() {
  return db_.Read([&](Conn& c) -> Result<std::vector<DanglingReference>> {
    std::vector<DanglingReference> out;
    auto s = c.Prepare(
        "SELECT r.name, m.digest, mb.digest FROM manifest_blobs mb JOIN manifests m ON m.id = mb.manifest_id "
        "JOIN repositories r ON r.id = m.repository_id WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = mb.digest)");
    while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Text(2)});
    return out;
  });
}

Result<bool> SqliteGcStore::DeleteUnreferencedBlobRow(const Digest& digest) {
  std::string d = digest.str();
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare("SELECT 1 FROM manifest_blobs WHERE digest = ?");
      s.Bind(1, d);
      if (s.Step()) return false;
    }
    c.Prepare("DELETE FROM repository_blobs WHERE digest = ?").Bind(1, d).Run();
    c.Prepare("DELETE FROM blobs WHERE digest = ?").Bind(1, d).Run();
    return c.Changes() > 0;
  });
}

}  // namespace berth::store::sqlite
