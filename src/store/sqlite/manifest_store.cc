#include "base/clock.h"
#include "store/sqlite/outbox.h"
#include "store/sqlite/quota_ledger.h"
#include "store/sqlite/sqlite_stores.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kSelectByTag =
    "SELECT m.digest, m.media_type, m.artifact_type, m.size, m.content, m.subject, m.annotations, m.pushed_at "
    "FROM tags t JOIN repositories r ON r.id = t.repository_id JOIN manifests m ON m.id = t.manifest_id "
    "WHERE r.name = ? AND t.name = ?";
constexpr const char* kSelectByDigest =
    "SELECT m.digest, m.media_type, m.artifact_type, m.size, m.content, m.subject, m.annotations, m.pushed_at "
    "FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE r.name = ? AND m.digest = ?";

ManifestRecord RowToManifest(const Stmt& s, std::string_view repository) {
  ManifestRecord m;
  m.repository = std::string(repository);
  m.digest = *Digest::Parse(s.Text(0));
  m.media_type = s.Text(1);
  m.artifact_type = s.Text(2);
  m.size = s.Int(3);
  m.content = s.Text(4);
  if (!s.IsNull(5)) m.subject = *Digest::Parse(s.Text(5));
  m.annotations_json = s.Text(6);
  m.pushed_at = s.Int(7);
  return m;
}

}  // namespace

std::optional<int64_t> ManifestId(Conn& c, int64_t repo, const std::string& digest) {
  auto s = c.Prepare("SELECT id FROM manifests WHERE repository_id = ? AND digest = ?");
  s.Bind(1, repo).Bind(2, digest);
  if (s.Step()) return s.Int(0);
  return std::nullopt;
}

Result<int64_t> InsertManifest(Conn& c, int64_t repo, const ManifestRecord& rec, const std::string& digest,
                               int64_t now) {
  for (const auto& b : rec.blobs) {
    std::string bd = b.digest.str();
    auto s = c.Prepare(
        "SELECT b.size FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest "
        "WHERE rb.repository_id = ? AND rb.digest = ?");
    s.Bind(1, repo).Bind(2, bd);
    if (!s.Step()) return Fail(Errc::kManifestBlobUnknown, "blob unknown to repository: " + bd);
    if (s.Int(0) != b.size)
      return Fail(Errc::kManifestInvalid, "descriptor of " + bd + " says " + std::to_string(b.size) +
                                              " bytes, the blob has " + std::to_string(s.Int(0)));
  }
  for (const auto& ch : rec.children) {
    if (!ManifestId(c, repo, ch.str()))
      return Fail(Errc::kManifestBlobUnknown, "manifest unknown to repository: " + ch.str());
  }
  std::string subject = rec.subject ? rec.subject->str() : std::string();
  int64_t blob_bytes = 0;
  for (const auto& b : rec.blobs) blob_bytes += b.size;  // checked against the blobs table above
  // blob_bytes, config_media_type and config_digest are what artifact lists show per row: the
  // same expressions as migration 0013's for older rows.
  auto ins = c.Prepare(
      "INSERT INTO manifests(repository_id, digest, media_type, artifact_type, size, content, subject, "
      "annotations, pushed_at, blob_bytes, extra_attrs, config_media_type, config_digest) VALUES(?1, ?2, ?3, ?4, ?5, "
      "?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?3 IN ('application/vnd.oci.image.index.v1+json', "
      "'application/vnd.docker.distribution.manifest.list.v2+json') THEN ?3 "
      "WHEN json_valid(CAST(?6 AS TEXT)) AND json_type(CAST(?6 AS TEXT), '$.config.mediaType') = 'text' "
      "THEN json_extract(CAST(?6 AS TEXT), '$.config.mediaType') ELSE '' END, "
      "CASE WHEN json_valid(CAST(?6 AS TEXT)) AND json_type(CAST(?6 AS TEXT), '$.config.digest') = 'text' "
      "THEN json_extract(CAST(?6 AS TEXT), '$.config.digest') ELSE '' END)");
  ins.Bind(1, repo).Bind(2, digest).Bind(3, rec.media_type).Bind(4, rec.artifact_type).Bind(5, rec.size)
      .BindBlob(6, rec.content).Bind(8, rec.annotations_json).Bind(9, now).Bind(10, blob_bytes);
  if (rec.subject) ins.Bind(7, subject);
  else ins.BindNull(7);
  if (rec.extra_attrs) ins.Bind(11, *rec.extra_attrs);
  else ins.BindNull(11);
  ins.Run();
  int64_t id = c.LastInsertId();
  for (const auto& b : rec.blobs) {
    std::string bd = b.digest.str();
    c.Prepare("INSERT INTO manifest_blobs(manifest_id, digest) VALUES(?, ?)").Bind(1, id).Bind(2, bd).Run();
    c.Prepare("UPDATE blobs SET ref_count = ref_count + 1, last_ref_at = ? WHERE digest = ?")
        .Bind(1, now).Bind(2, bd).Run();
  }
  for (const auto& ch : rec.children) {
    std::string cd = ch.str();
    c.Prepare("INSERT INTO manifest_children(parent_id, repository_id, child_digest) VALUES(?, ?, ?)")
        .Bind(1, id).Bind(2, repo).Bind(3, cd).Run();
  }
  ChargeManifestRefs(c, repo, id, now);
  return id;
}

Result<bool> DeleteManifestRow(Conn& c, int64_t repo, int64_t id, const std::string& digest, int64_t now) {
  {
    auto s = c.Prepare("SELECT 1 FROM manifest_children WHERE repository_id = ? AND child_digest = ? AND parent_id <> ?");
    s.Bind(1, repo).Bind(2, digest).Bind(3, id);
    if (s.Step()) return Fail(Errc::kManifestReferenced);
  }
  ReleaseManifestRefs(c, repo, id, now);
  c.Prepare("UPDATE blobs SET ref_count = ref_count - 1, last_ref_at = ? "
            "WHERE digest IN (SELECT digest FROM manifest_blobs WHERE manifest_id = ?)")
      .Bind(1, now).Bind(2, id).Run();
  c.Prepare("DELETE FROM tags WHERE manifest_id = ?").Bind(1, id).Run();
  c.Prepare("DELETE FROM manifests WHERE id = ?").Bind(1, id).Run();
  c.Prepare("UPDATE repositories SET updated_at = ? WHERE id = ?").Bind(1, now).Bind(2, repo).Run();
  return true;
}

namespace {

Result<Page> ReadPage(Stmt& s, int limit) {
  Page p;
  while (s.Step()) {
    if (static_cast<int>(p.items.size()) == limit) {
      p.more = true;
      break;
    }
    p.items.push_back(s.Text(0));
  }
  return p;
}

}  // namespace

Result<void> SqliteManifestStore::Put(const ManifestRecord& rec, const std::optional<std::string>& tag,
                                      const EventContext* events) {
  std::string digest = rec.digest.str();
  int64_t now = rec.pushed_at ? rec.pushed_at : NowUnixSeconds();
  std::optional<QuotaRefusal> refused;
  auto put = db_.Write([&](Conn& c) -> Result<void> {
    int64_t repo = EnsureRepository(c, rec.repository, now);
    int64_t project = ProjectOfRepository(c, repo);
    auto used_before = QuotaUsed(c, project);
    auto id = ManifestId(c, repo, digest);
    if (!id) {
      auto inserted = InsertManifest(c, repo, rec, digest, now);
      if (!inserted) return std::unexpected(inserted.error());
      id = *inserted;
    }
    if (tag) {
      c.Prepare("INSERT INTO tags(repository_id, name, manifest_id, pushed_at) VALUES(?, ?, ?, ?) "
                "ON CONFLICT(repository_id, name) DO UPDATE SET manifest_id = excluded.manifest_id, "
                "pushed_at = excluded.pushed_at")
          .Bind(1, repo).Bind(2, *tag).Bind(3, *id).Bind(4, now).Run();
    }
    c.Prepare("UPDATE repositories SET updated_at = ? WHERE id = ?").Bind(1, now).Bind(2, repo).Run();
    if (events)
      InsertArtifactEvent(c, *events, events->type.empty() ? "PUSH_ARTIFACT" : events->type, rec.repository, digest,
                          events->tag.empty() ? tag.value_or("") : events->tag);
    if (used_before) {
      refused = SettleCharge(c, project, *used_before, events, rec.repository, digest, tag.value_or(""));
      if (refused) return std::unexpected(refused->ToError());
    }
    return {};
  });
  if (refused) RecordQuotaExceeded(db_, events, rec.repository, digest, tag.value_or(""), *refused);
  return put;
}

Result<std::optional<ManifestRecord>> SqliteManifestStore::GetByTag(std::string_view repository, std::string_view tag) {
  return db_.Read([&](Conn& c) -> Result<std::optional<ManifestRecord>> {
    auto s = c.Prepare(kSelectByTag);
    s.Bind(1, repository).Bind(2, tag);
    if (!s.Step()) return std::nullopt;
    return RowToManifest(s, repository);
  });
}

Result<std::optional<ManifestRecord>> SqliteManifestStore::GetByDigest(std::string_view repository,
                                                                       const Digest& digest) {
  std::string d = digest.str();
  return db_.Read([&](Conn& c) -> Result<std::optional<ManifestRecord>> {
    auto s = c.Prepare(kSelectByDigest);
    s.Bind(1, repository).Bind(2, d);
    if (!s.Step()) return std::nullopt;
    return RowToManifest(s, repository);
  });
}

Result<bool> SqliteManifestStore::Delete(std::string_view repository, const Digest& digest,
                                         const EventContext* events) {
  std::string d = digest.str();
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    auto repo = RepositoryId(c, repository);
    if (!repo) return false;
    auto id = ManifestId(c, *repo, d);
    if (!id) return false;
    if (events) InsertArtifactEvent(c, *events, "DELETE_ARTIFACT", repository, d, FirstTag(c, *id));
    return DeleteManifestRow(c, *repo, *id, d, now);
  });
}

Result<bool> SqliteManifestStore::Untag(std::string_view repository, std::string_view tag) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    auto repo = RepositoryId(c, repository);
    if (!repo) return false;
    c.Prepare("DELETE FROM tags WHERE repository_id = ? AND name = ?").Bind(1, *repo).Bind(2, tag).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteManifestStore::RepositoryExists(std::string_view repository) {
  return db_.Read([&](Conn& c) -> Result<bool> { return RepositoryId(c, repository).has_value(); });
}

Result<Page> SqliteManifestStore::ListTags(std::string_view repository, std::string_view last, int limit) {
  return db_.Read([&](Conn& c) -> Result<Page> {
    auto s = c.Prepare(
        "SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id "
        "WHERE r.name = ? AND t.name > ? ORDER BY t.name LIMIT ?");
    s.Bind(1, repository).Bind(2, last).Bind(3, static_cast<int64_t>(limit) + 1);
    return ReadPage(s, limit);
  });
}

Result<Page> SqliteManifestStore::ListRepositories(std::string_view last, int limit) {
  return db_.Read([&](Conn& c) -> Result<Page> {
    auto s = c.Prepare(
        "SELECT r.name FROM repositories r WHERE r.name > ? "
        "AND EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id) ORDER BY r.name LIMIT ?");
    s.Bind(1, last).Bind(2, static_cast<int64_t>(limit) + 1);
    return ReadPage(s, limit);
  });
}

Result<std::vector<ReferrerRecord>> SqliteManifestStore::ListReferrers(std::string_view repository,
                                                                       const Digest& subject,
                                                                       std::string_view artifact_type) {
  std::string d = subject.str();
  return db_.Read([&](Conn& c) -> Result<std::vector<ReferrerRecord>> {
    auto s = c.Prepare(
        "SELECT m.digest, m.media_type, m.artifact_type, m.size, m.annotations FROM manifests m "
        "JOIN repositories r ON r.id = m.repository_id WHERE r.name = ? AND m.subject = ? "
        "AND (? = '' OR m.artifact_type = ?) ORDER BY m.pushed_at, m.id");
    s.Bind(1, repository).Bind(2, d).Bind(3, artifact_type).Bind(4, artifact_type);
    std::vector<ReferrerRecord> out;
    while (s.Step())
      out.push_back(ReferrerRecord{*Digest::Parse(s.Text(0)), s.Text(1), s.Text(2), s.Int(3), s.Text(4)});
    return out;
  });
}

}  // namespace berth::store::sqlite
