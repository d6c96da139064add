#include "base/clock.h"
#include "store/sqlite/quota_ledger.h"
#include "store/sqlite/sqlite_stores.h"

namespace berth::store::sqlite {

int64_t EnsureRepository(Conn& c, std::string_view name, int64_t now) {
  if (auto id = RepositoryId(c, name)) return *id;
  // The repository joins the project named by its first path component, when it exists.
  std::string_view project = name.substr(0, name.find('/'));
  c.Prepare("INSERT INTO repositories(name, created_at, updated_at, project_id) "
            "VALUES(?, ?, ?, COALESCE((SELECT id FROM projects WHERE name = ?), 0))")
      .Bind(1, name).Bind(2, now).Bind(3, now).Bind(4, project).Run();
  return c.LastInsertId();
}

std::optional<int64_t> RepositoryId(Conn& c, std::string_view name) {
  auto s = c.Prepare("SELECT id FROM repositories WHERE name = ?");
  s.Bind(1, name);
  if (s.Step()) return s.Int(0);
  return std::nullopt;
}

namespace {
BlobRecord RowToBlob(const Stmt& s) {
  BlobRecord b;
  b.digest = *Digest::Parse(s.Text(0));
  b.size = s.Int(1);
  b.created_at = s.Int(2);
  return b;
}
}  // namespace

Result<std::optional<BlobRecord>> SqliteBlobIndex::Find(const Digest& digest) {
  std::string d = digest.str();
  return db_.Read([&](Conn& c) -> Result<std::optional<BlobRecord>> {
    auto s = c.Prepare("SELECT digest, size, created_at FROM blobs WHERE digest = ?");
    s.Bind(1, d);
    if (s.Step()) return RowToBlob(s);
    return std::nullopt;
  });
}

Result<std::optional<BlobRecord>> SqliteBlobIndex::FindInRepository(std::string_view repository, const Digest& digest) {
  std::string d = digest.str();
  return db_.Read([&](Conn& c) -> Result<std::optional<BlobRecord>> {
    auto s = c.Prepare(
        "SELECT b.digest, b.size, b.created_at FROM repository_blobs rb "
        "JOIN repositories r ON r.id = rb.repository_id JOIN blobs b ON b.digest = rb.digest "
        "WHERE r.name = ? AND rb.digest = ?");
    s.Bind(1, repository).Bind(2, d);
    if (s.Step()) return RowToBlob(s);
    return std::nullopt;
  });
}

Result<void> SqliteBlobIndex::Commit(std::string_view repository, const Digest& digest, int64_t size,
                                     const EventContext* events) {
  std::string d = digest.str();
  int64_t now = NowUnixSeconds();
  std::optional<QuotaRefusal> refused;
  auto done = db_.Write([&](Conn& c) -> Result<void> {
    int64_t repo = EnsureRepository(c, repository, now);
    refused = CheckNewBlob(c, ProjectOfRepository(c, repo), d, size);
    if (refused) return std::unexpected(refused->ToError());
    c.Prepare("INSERT INTO blobs(digest, size, created_at, last_ref_at) VALUES(?, ?, ?, ?) "
              "ON CONFLICT(digest) DO UPDATE SET last_ref_at = excluded.last_ref_at")
        .Bind(1, d).Bind(2, size).Bind(3, now).Bind(4, now).Run();
    c.Prepare("INSERT OR IGNORE INTO repository_blobs(repository_id, digest, created_at) VALUES(?, ?, ?)")
        .Bind(1, repo).Bind(2, d).Bind(3, now).Run();
    return {};
  });
  if (refused) RecordQuotaExceeded(db_, events, repository, "", "", *refused);
  return done;
}

Result<bool> SqliteBlobIndex::Mount(std::string_view from, std::string_view to, const Digest& digest,
                                    const EventContext* events) {
  std::string d = digest.str();
  int64_t now = NowUnixSeconds();
  std::optional<QuotaRefusal> refused;
  auto done = db_.Write([&](Conn& c) -> Result<bool> {
    auto from_id = RepositoryId(c, from);
    if (!from_id) return false;
    {
      auto s = c.Prepare("SELECT 1 FROM repository_blobs WHERE repository_id = ? AND digest = ?");
      s.Bind(1, *from_id).Bind(2, d);
      if (!s.Step()) return false;
    }
    int64_t to_id = EnsureRepository(c, to, now);
    {
      auto s = c.Prepare("SELECT size FROM blobs WHERE digest = ?");
      s.Bind(1, d);
      int64_t size = s.Step() ? s.Int(0) : 0;
      refused = CheckNewBlob(c, ProjectOfRepository(c, to_id), d, size);
    }
    if (refused) return std::unexpected(refused->ToError());
    c.Prepare("INSERT OR IGNORE INTO repository_blobs(repository_id, digest, created_at) VALUES(?, ?, ?)")
        .Bind(1, to_id).Bind(2, d).Bind(3, now).Run();
    c.Prepare("UPDATE blobs SET last_ref_at = ? WHERE digest = ?").Bind(1, now).Bind(2, d).Run();
    return true;
  });
  if (refused) RecordQuotaExceeded(db_, events, to, "", "", *refused);
  return done;
}

Result<bool> SqliteBlobIndex::Unlink(std::string_view repository, const Digest& digest) {
  std::string d = digest.str();
  return db_.Write([&](Conn& c) -> Result<bool> {
    auto repo = RepositoryId(c, repository);
    if (!repo) return false;
    c.Prepare("DELETE FROM repository_blobs WHERE repository_id = ? AND digest = ?").Bind(1, *repo).Bind(2, d).Run();
    return c.Changes() > 0;
  });
}

}  // namespace berth::store::sqlite
