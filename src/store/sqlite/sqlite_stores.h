// SQLite implementations of the registry store interfaces, all sharing one Db.
// Thread-safe (Db serializes writes; reads use pooled connections).
#pragma once
#include "store/registry_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteBlobIndex final : public BlobIndex {
 public:
  explicit SqliteBlobIndex(Db& db) : db_(db) {}
  Result<std::optional<BlobRecord>> Find(const Digest& digest) override;
  Result<std::optional<BlobRecord>> FindInRepository(std::string_view repository, const Digest& digest) override;
  Result<void> Commit(std::string_view repository, const Digest& digest, int64_t size,
                      const EventContext* events = nullptr) override;
  Result<bool> Mount(std::string_view from, std::string_view to, const Digest& digest,
                     const EventContext* events = nullptr) override;
  Result<bool> Unlink(std::string_view repository, const Digest& digest) override;

 private:
  Db& db_;
};

class SqliteUploadStore final : public UploadStore {
 public:
  explicit SqliteUploadStore(Db& db) : db_(db) {}
  Result<void> Create(const UploadRecord& rec) override;
  Result<std::optional<UploadRecord>> Find(std::string_view id) override;
  Result<void> Touch(std::string_view id, int64_t now) override;
  Result<void> Remove(std::string_view id) override;

 private:
  Db& db_;
};

class SqliteManifestStore final : public ManifestStore {
 public:
  explicit SqliteManifestStore(Db& db) : db_(db) {}
  Result<void> Put(const ManifestRecord& rec, const std::optional<std::string>& tag,
                   const EventContext* events = nullptr) override;
  Result<std::optional<ManifestRecord>> GetByTag(std::string_view repository, std::string_view tag) override;
  Result<std::optional<ManifestRecord>> GetByDigest(std::string_view repository, const Digest& digest) override;
  Result<bool> Delete(std::string_view repository, const Digest& digest, const EventContext* events = nullptr) override;
  Result<bool> Untag(std::string_view repository, std::string_view tag) override;
  Result<bool> RepositoryExists(std::string_view repository) override;
  Result<Page> ListTags(std::string_view repository, std::string_view last, int limit) override;
  Result<Page> ListRepositories(std::string_view last, int limit) override;
  Result<std::vector<ReferrerRecord>> ListReferrers(std::string_view repository, const Digest& subject,
                                                    std::string_view artifact_type) override;

 private:
  Db& db_;
};

// Shared helpers for the three stores (write transactions only).
int64_t EnsureRepository(Conn& c, std::string_view name, int64_t now);
std::optional<int64_t> RepositoryId(Conn& c, std::string_view name);

// The one implementation of a manifest put and delete, shared with the artifact store (REST
// copies and repository deletes), so reference counts follow a single code path.
std::optional<int64_t> ManifestId(Conn& c, int64_t repo, const std::string& digest);
// Inserts the manifest row, its blob references (ref_count + 1 each) and its children, after
// checking every blob is linked into the repository and every child is in it. Returns the id.
Result<int64_t> InsertManifest(Conn& c, int64_t repo, const ManifestRecord& rec, const std::string& digest,
                               int64_t now);
// Deletes manifest `id` and its tags (ref_count - 1 per blob); kManifestReferenced while an index
// in the repository lists it.
Result<bool> DeleteManifestRow(Conn& c, int64_t repo, int64_t id, const std::string& digest, int64_t now);

}  // namespace berth::store::sqlite
