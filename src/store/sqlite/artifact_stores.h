// SQLite implementations of the artifact and label stores (store/artifact_store.h), sharing one
// Db with the registry stores and writing through the same Conn-level helpers as
// SqliteManifestStore (sqlite_stores.h). Thread-safe (Db serializes writes; reads use pooled
// connections).
#pragma once
#include "store/artifact_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteArtifactStore final : public ArtifactStore {
 public:
  explicit SqliteArtifactStore(Db& db) : db_(db) {}
  Result<Listing<RepositoryRecord>> ListRepositories(const RepositoryFilter& filter, Paging paging) override;
  Result<std::optional<RepositoryRecord>> FindRepository(std::string_view name) override;
  Result<bool> SetRepositoryDescription(std::string_view name, std::string_view description) override;
  Result<bool> DeleteRepository(std::string_view name, const EventContext* events = nullptr) override;
  Result<Listing<ArtifactRecord>> ListArtifacts(std::string_view repository, const ArtifactFilter& filter,
                                                Paging paging) override;
  Result<std::optional<ArtifactRecord>> FindByDigest(std::string_view repository, const Digest& digest) override;
  Result<std::optional<ArtifactRecord>> FindByTag(std::string_view repository, std::string_view tag) override;
  Result<bool> DeleteArtifact(std::string_view repository, const Digest& digest,
                              const EventContext* events = nullptr) override;
  Result<std::vector<ChildRecord>> Children(int64_t artifact_id) override;
  Result<std::optional<int64_t>> Copy(std::string_view from, const Digest& digest, std::string_view to,
                                      const EventContext* events = nullptr) override;
  Result<std::map<int64_t, std::vector<TagRecord>>> TagsOf(const std::vector<int64_t>& artifact_ids) override;
  Result<Listing<TagRecord>> ListTags(int64_t artifact_id, std::string_view name_part, std::string_view sort,
                                      Paging paging) override;
  Result<bool> CreateTag(int64_t artifact_id, std::string_view name) override;
  Result<bool> DeleteTag(int64_t artifact_id, std::string_view name) override;
  Result<void> RecordPulls(const std::vector<PullRecord>& pulls) override;
  Result<StatisticsRecord> Statistics(const Visibility& visibility) override;

 private:
  Db& db_;
};

class SqliteLabelStore final : public LabelStore {
 public:
  explicit SqliteLabelStore(Db& db) : db_(db) {}
  Result<int64_t> Create(const LabelRecord& label) override;
  Result<std::optional<LabelRecord>> Find(int64_t id) override;
  Result<bool> Update(const LabelRecord& label) override;
  Result<bool> Delete(int64_t id) override;
  Result<Listing<LabelRecord>> List(const LabelFilter& filter, Paging paging) override;
  Result<bool> Attach(int64_t artifact_id, int64_t label_id) override;
  Result<bool> Detach(int64_t artifact_id, int64_t label_id) override;
  Result<std::map<int64_t, std::vector<LabelRecord>>> LabelsOf(const std::vector<int64_t>& artifact_ids) override;

 private:
  Db& db_;
};

// ",1,2,3," — id lists are matched with instr() so that one prepared statement serves any list.

}  // namespace berth::store::sqlite
