// SqliteArtifactStore's writes that move reference counts: deleting an artifact (with its orphaned
// index children), copying an artifact between repositories and deleting a whole repository. Each
// runs in one transaction and goes through InsertManifest / DeleteManifestRow (manifest_store.cc),
// the same code as a /v2 put and delete.
#include "base/clock.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/outbox.h"
#include "store/sqlite/quota_ledger.h"
#include "store/sqlite/sqlite_stores.h"

namespace berth::store::sqlite {
namespace {

// Index nesting deeper than this is refused rather than followed (content addressing rules out
// cycles; this only bounds the recursion).
constexpr int kMaxDepth = 16;

std::vector<std::string> ChildDigests(Conn& c, int64_t manifest_id) {
  std::vector<std::string> out;
  auto s = c.Prepare("SELECT child_digest FROM manifest_children WHERE parent_id = ? ORDER BY child_digest");
  s.Bind(1, manifest_id);
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

// Copies manifest `digest` of repository `src` into `dst` (children first, each once), linking
// every blob it references into `dst`. Returns the id of the manifest in `dst`. No statement is
// kept open across the recursive call: prepared statements are shared per connection.
// `copied` collects the digests of the index children it inserts (for their events).
Result<int64_t> CopyManifest(Conn& c, int64_t src, int64_t dst, const std::string& digest, int64_t now, int depth,
                             std::vector<std::string>& copied) {
  if (auto existing = ManifestId(c, dst, digest)) return *existing;
  if (depth > kMaxDepth) return Fail(Errc::kManifestInvalid, "index nesting too deep to copy");
  ManifestRecord rec;
  int64_t src_id = 0;
  {
    auto s = c.Prepare(
        "SELECT id, media_type, artifact_type, size, content, subject, annotations, extra_attrs FROM manifests "
        "WHERE repository_id = ? AND digest = ?");
    s.Bind(1, src).Bind(2, digest);
    if (!s.Step()) return Fail(Errc::kManifestBlobUnknown, "manifest unknown to the source repository: " + digest);
    src_id = s.Int(0);
    rec.media_type = s.Text(1);
    rec.artifact_type = s.Text(2);
    rec.size = s.Int(3);
    rec.content = s.Text(4);
    if (!s.IsNull(5)) rec.subject = *Digest::Parse(s.Text(5));
    rec.annotations_json = s.Text(6);
    if (!s.IsNull(7)) rec.extra_attrs = s.Text(7);
  }
  rec.digest = *Digest::Parse(digest);
  std::vector<std::string> children = ChildDigests(c, src_id);
  for (const auto& child : children) {
    bool existed = ManifestId(c, dst, child).has_value();
    auto child_id = CopyManifest(c, src, dst, child, now, depth + 1, copied);
    if (!child_id) return std::unexpected(child_id.error());
    if (!existed) copied.push_back(child);
    rec.children.push_back(*Digest::Parse(child));
  }
  {
    auto s = c.Prepare(
        "SELECT mb.digest, b.size FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.digest WHERE mb.manifest_id = ?");
    s.Bind(1, src_id);
    while (s.Step()) rec.blobs.push_back(BlobRef{*Digest::Parse(s.Text(0)), s.Int(1)});
  }
  c.Prepare("INSERT OR IGNORE INTO repository_blobs(repository_id, digest, created_at) "
            "SELECT ?, digest, ? FROM manifest_blobs WHERE manifest_id = ?")
      .Bind(1, dst).Bind(2, now).Bind(3, src_id).Run();
  return InsertManifest(c, dst, rec, digest, now);
}

// Deletes the child `digest` when no index in the repository lists it and no tag names it, then
// its own children the same way.
Result<void> DeleteOrphan(Conn& c, int64_t repo, const std::string& digest, int64_t now, int depth) {
  if (depth > kMaxDepth) return {};
  auto id = ManifestId(c, repo, digest);
  if (!id) return {};
  {
    auto s = c.Prepare(
        "SELECT EXISTS (SELECT 1 FROM tags WHERE manifest_id = ?1) OR EXISTS (SELECT 1 FROM manifest_children "
        "WHERE repository_id = ?2 AND child_digest = ?3 AND parent_id <> ?1)");
    s.Bind(1, *id).Bind(2, repo).Bind(3, digest);
    if (s.Step() && s.Int(0) != 0) return {};
  }
  auto children = ChildDigests(c, *id);
  auto done = DeleteManifestRow(c, repo, *id, digest, now);
  if (!done) return std::unexpected(done.error());
  for (const auto& child : children)
    if (auto r = DeleteOrphan(c, repo, child, now, depth + 1); !r) return r;
  return {};
}

}  // namespace

Result<bool> SqliteArtifactStore::DeleteArtifact(std::string_view repository, const Digest& digest,
                                                 const EventContext* events) {
  std::string d = digest.str();
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    auto repo = RepositoryId(c, repository);
    if (!repo) return false;
    auto id = ManifestId(c, *repo, d);
    if (!id) return false;
    auto children = ChildDigests(c, *id);
    if (events) InsertArtifactEvent(c, *events, "DELETE_ARTIFACT", repository, d, FirstTag(c, *id));
    auto done = DeleteManifestRow(c, *repo, *id, d, now);
    if (!done) return std::unexpected(done.error());
    for (const auto& child : children)
      if (auto r = DeleteOrphan(c, *repo, child, now, 1); !r) return std::unexpected(r.error());
    return true;
  });
}

Result<std::optional<int64_t>> SqliteArtifactStore::Copy(std::string_view from, const Digest& digest,
                                                         std::string_view to, const EventContext* events) {
  std::string d = digest.str();
  int64_t now = NowUnixSeconds();
  std::optional<QuotaRefusal> refused;
  std::string first_tag;
  auto copy = db_.Write([&](Conn& c) -> Result<std::optional<int64_t>> {
    auto src = RepositoryId(c, from);
    if (!src) return std::nullopt;
    auto src_id = ManifestId(c, *src, d);
    if (!src_id) return std::nullopt;
    int64_t dst = EnsureRepository(c, to, now);
    int64_t project = ProjectOfRepository(c, dst);
    auto used_before = QuotaUsed(c, project);
    if (ManifestId(c, dst, d))
      return Fail(Errc::kConflict, "the artifact " + d + " already exists in the repository " + std::string(to));
    std::vector<std::string> copied_children;
    auto id = CopyManifest(c, *src, dst, d, now, 0, copied_children);
    if (!id) return std::unexpected(id.error());
    std::vector<std::string> tags;
    {
      auto s = c.Prepare("SELECT name FROM tags WHERE manifest_id = ? ORDER BY name");
      s.Bind(1, *src_id);
      while (s.Step()) tags.push_back(s.Text(0));
    }
    for (const auto& tag : tags) {
      c.Prepare("INSERT INTO tags(repository_id, name, manifest_id, pushed_at) VALUES(?, ?, ?, ?) "
                "ON CONFLICT(repository_id, name) DO UPDATE SET manifest_id = excluded.manifest_id, "
                "pushed_at = excluded.pushed_at")
          .Bind(1, dst).Bind(2, tag).Bind(3, *id).Bind(4, now).Run();
    }
    c.Prepare("UPDATE repositories SET updated_at = ? WHERE id = ?").Bind(1, now).Bind(2, dst).Run();
    if (events) {  // as pushes: each new child by digest, then the root with its first source tag
      for (const auto& child : copied_children) InsertArtifactEvent(c, *events, "PUSH_ARTIFACT", to, child, "");
      InsertArtifactEvent(c, *events, "PUSH_ARTIFACT", to, d, tags.empty() ? std::string() : tags.front());
    }
    if (used_before) {
      first_tag = tags.empty() ? std::string() : tags.front();
      refused = SettleCharge(c, project, *used_before, events, to, d, first_tag);
      if (refused) return std::unexpected(refused->ToError());
    }
    return std::optional<int64_t>(*id);
  });
  if (refused) RecordQuotaExceeded(db_, events, to, d, first_tag, *refused);
  return copy;
}

Result<bool> SqliteArtifactStore::DeleteRepository(std::string_view name, const EventContext* events) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    auto repo = RepositoryId(c, name);
    if (!repo) return false;
    bool any = false;
    // Parents go before their children: each round deletes the manifests no remaining index lists.
    while (true) {
      std::vector<std::pair<int64_t, std::string>> roots;
      {
        auto s = c.Prepare(
            "SELECT m.id, m.digest FROM manifests m WHERE m.repository_id = ?1 AND NOT EXISTS (SELECT 1 FROM "
            "manifest_children mc WHERE mc.repository_id = ?1 AND mc.child_digest = m.digest AND mc.parent_id <> m.id)");
        s.Bind(1, *repo);
        while (s.Step()) roots.emplace_back(s.Int(0), s.Text(1));
      }
      if (roots.empty()) break;
      if (events && !any)  // the first round's roots are the repository's artifacts; children go silently
        for (const auto& [id, digest] : roots)
          InsertArtifactEvent(c, *events, "DELETE_ARTIFACT", name, digest, FirstTag(c, id));
      any = true;
      for (const auto& [id, digest] : roots) {
        auto done = DeleteManifestRow(c, *repo, id, digest, now);
        if (!done) return std::unexpected(done.error());
      }
    }
    {
      auto s = c.Prepare("SELECT 1 FROM manifests WHERE repository_id = ?");
      s.Bind(1, *repo);
      if (s.Step()) return Fail(Errc::kInternal, "manifests left after deleting the repository");
    }
    if (!any) return false;
    c.Prepare("DELETE FROM repositories WHERE id = ?").Bind(1, *repo).Run();
    return true;
  });
}

}  // namespace berth::store::sqlite
