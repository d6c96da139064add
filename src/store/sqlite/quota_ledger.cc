#include "store/sqlite/quota_ledger.h"

#include <spdlog/spdlog.h>

#include "store/quota_store.h"
#include "store/sqlite/outbox.h"

namespace berth::store::sqlite {
namespace {

// The digests manifest ?2 references — its blobs and itself — with their sizes. (A manifest
// cannot list its own digest, and manifest_blobs has one row per blob, so there are no repeats.)
#define MANIFEST_REFS                                                                                      \
  "SELECT mb.digest AS digest, b.size AS size FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.digest " \
  "WHERE mb.manifest_id = ?2 UNION ALL SELECT digest, size FROM manifests WHERE id = ?2"

struct QuotaRow {
  int64_t used = 0;
  int64_t hard = -1;
  bool warned = false;
};

std::optional<QuotaRow> LoadQuota(Conn& c, int64_t project_id) {
  auto s = c.Prepare(
      "SELECT q.used, p.storage_limit, q.warned FROM quotas q JOIN projects p ON p.id = q.project_id "
      "WHERE q.project_id = ?");
  s.Bind(1, project_id);
  if (!s.Step()) return std::nullopt;
  return QuotaRow{s.Int(0), s.Int(1), s.Int(2) != 0};
}

// Moves usage by `delta`; the warning state survives only while usage stays at or above 85%.
void AdjustUsage(Conn& c, int64_t project_id, int64_t delta, int64_t now) {
  if (delta == 0) return;
  c.Prepare("UPDATE quotas SET used = used + ?2, updated_at = ?3, "
            "warned = warned AND (SELECT storage_limit FROM projects WHERE id = ?1) >= 0 AND "
            "(used + ?2) * 100 >= (SELECT storage_limit FROM projects WHERE id = ?1) * 85 "
            "WHERE project_id = ?1")
      .Bind(1, project_id).Bind(2, delta).Bind(3, now).Run();
}

}  // namespace

int64_t ProjectOfRepository(Conn& c, int64_t repo) {
  auto s = c.Prepare("SELECT project_id FROM repositories WHERE id = ?");
  s.Bind(1, repo);
  return s.Step() ? s.Int(0) : 0;
}

void ChargeManifestRefs(Conn& c, int64_t repo, int64_t manifest_id, int64_t now) {
  int64_t project = ProjectOfRepository(c, repo);
  if (project == 0) return;
  int64_t delta = 0;
  {
    auto s = c.Prepare("SELECT COALESCE(SUM(r.size), 0) FROM (" MANIFEST_REFS ") r WHERE NOT EXISTS "
                       "(SELECT 1 FROM project_blobs pb WHERE pb.project_id = ?1 AND pb.digest = r.digest)");
    s.Bind(1, project).Bind(2, manifest_id);
    if (s.Step()) delta = s.Int(0);
  }
  c.Prepare("INSERT INTO project_blobs(project_id, digest, size, refs) SELECT ?1, r.digest, r.size, 1 FROM (" MANIFEST_REFS
            ") r WHERE true ON CONFLICT(project_id, digest) DO UPDATE SET refs = refs + 1")
      .Bind(1, project).Bind(2, manifest_id).Run();
  AdjustUsage(c, project, delta, now);
}

void ReleaseManifestRefs(Conn& c, int64_t repo, int64_t manifest_id, int64_t now) {
  int64_t project = ProjectOfRepository(c, repo);
  if (project == 0) return;
  c.Prepare("UPDATE project_blobs SET refs = refs - 1 WHERE project_id = ?1 AND digest IN "
            "(SELECT digest FROM (" MANIFEST_REFS "))")
      .Bind(1, project).Bind(2, manifest_id).Run();
  int64_t freed = 0;
  {
    auto s = c.Prepare("SELECT COALESCE(SUM(size), 0) FROM project_blobs WHERE project_id = ? AND refs <= 0");
    s.Bind(1, project);
    if (s.Step()) freed = s.Int(0);
  }
  c.Prepare("DELETE FROM project_blobs WHERE project_id = ? AND refs <= 0").Bind(1, project).Run();
  AdjustUsage(c, project, -freed, now);
}

std::string QuotaRefusal::Details() const { return QuotaExceededDetails(adding, used, hard); }

Error QuotaRefusal::ToError() const { return Error(Errc::kDenied, QuotaExceededMessage(Details())); }

std::optional<int64_t> QuotaUsed(Conn& c, int64_t project_id) {
  if (project_id == 0) return std::nullopt;
  auto q = LoadQuota(c, project_id);
  if (!q) return std::nullopt;
  return q->used;
}

std::optional<QuotaRefusal> SettleCharge(Conn& c, int64_t project_id, int64_t used_before, const EventContext* events,
                                         std::string_view repository, std::string_view digest, std::string_view tag) {
  auto q = LoadQuota(c, project_id);
  if (!q || q->hard < 0) return std::nullopt;
  if (q->used > used_before && q->used > q->hard)
    return QuotaRefusal{project_id, q->used - used_before, used_before, q->hard};
  if (QuotaAtWarning(q->used, q->hard) && !q->warned) {
    c.Prepare("UPDATE quotas SET warned = 1 WHERE project_id = ?").Bind(1, project_id).Run();
    if (events && events->quota_warning)
      InsertQuotaEvent(c, *events, "QUOTA_WARNING", repository, digest, tag, QuotaWarningDetails(q->used, q->hard));
  }
  return std::nullopt;
}

std::optional<QuotaRefusal> CheckNewBlob(Conn& c, int64_t project_id, const std::string& digest, int64_t size) {
  if (project_id == 0) return std::nullopt;
  {
    auto s = c.Prepare("SELECT 1 FROM project_blobs WHERE project_id = ? AND digest = ?");
    s.Bind(1, project_id).Bind(2, digest);
    if (s.Step()) return std::nullopt;
  }
  auto q = LoadQuota(c, project_id);
  if (!q || q->hard < 0 || q->used + size <= q->hard) return std::nullopt;
  return QuotaRefusal{project_id, size, q->used, q->hard};
}

void RecordQuotaExceeded(Db& db, const EventContext* events, std::string_view repository, std::string_view digest,
                         std::string_view tag, const QuotaRefusal& refusal) {
  if (!events || !events->quota_exceed) return;
  std::string details = refusal.Details();
  auto r = db.Write([&](Conn& c) -> Result<void> {
    InsertQuotaEvent(c, *events, "QUOTA_EXCEED", repository, digest, tag, details);
    return {};
  });
  if (!r) spdlog::warn("quota event not recorded repository={} error={}", repository, r.error().Message());
}

}  // namespace berth::store::sqlite
