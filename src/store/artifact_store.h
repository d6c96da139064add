// Store interfaces for Harbor's artifact model (repositories, artifacts, tags, copies, pulls) and
// labels. They read and write the registry core's own tables (repositories, manifests, tags,
// manifest_blobs, manifest_children, blobs): there is no second copy of what /v2 stores, and every
// write that touches reference counts goes through the same helpers as ManifestStore's Put and
// Delete. tests/unit/artifact_store_conformance_test.cc runs one suite against each backend.
//
// Every method is thread-safe and atomic. Names passed in are already validated. Missing things
// are nullopt / false rather than errors, so callers choose the 404.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/artifact_records.h"
#include "store/identity_records.h"
#include "store/outbox.h"

namespace berth::store {

// Which projects a caller may see: public ones always, plus `project_ids` (or every one).
struct Visibility {
  bool all = false;
  std::vector<int64_t> project_ids;
};

struct RepositoryFilter {
  std::optional<int64_t> project_id;
  std::string name;                // exact full name; empty = any
  std::string name_part;           // case-insensitive substring; empty = any
  Visibility visibility{true, {}};
  // "name", "creation_time", "update_time", "pull_count", "id", each optionally "-" prefixed.
  // Empty = newest first ("-creation_time").
  std::string sort;
};

struct ArtifactFilter {
  enum class Tagged { kAny, kTagged, kUntagged };
  Tagged tagged = Tagged::kAny;
  std::string tag;       // has a tag with exactly this name
  std::string tag_part;  // has a tag containing this (case-insensitive)
  std::string digest;
  // media_type (config type, or manifest type for an index) is one of these; empty = any.
  std::vector<std::string> media_types;
  bool media_types_negate = false;  // ... is none of these instead
  std::vector<int64_t> label_ids;   // carries every one of these labels
  // false: hide untagged children of an index (Harbor's "base" artifacts), unless `digest` is set.
  bool all = false;
  // "push_time", "pull_time", "id", optionally "-" prefixed. Empty = "-push_time".
  std::string sort;
};

struct StatisticsRecord {
  int64_t public_projects = 0;
  int64_t private_projects = 0;
  int64_t public_repositories = 0;
  int64_t private_repositories = 0;
  int64_t storage_bytes = 0;  // blobs referenced by any manifest, plus manifest bytes
};

class ArtifactStore {
 public:
  virtual ~ArtifactStore() = default;

  // ---- repositories (only those holding at least one manifest) ----
  virtual Result<Listing<RepositoryRecord>> ListRepositories(const RepositoryFilter& filter, Paging paging) = 0;
  virtual Result<std::optional<RepositoryRecord>> FindRepository(std::string_view name) = 0;
  virtual Result<bool> SetRepositoryDescription(std::string_view name, std::string_view description) = 0;
  // Deletes every manifest of the repository exactly as ManifestStore::Delete does (reference
  // counts, tags, label attachments), then the repository itself, in one transaction. false when
  // the repository holds no manifest.
  // With `events`, one DELETE_ARTIFACT per top-level artifact commits with it.
  virtual Result<bool> DeleteRepository(std::string_view name, const EventContext* events = nullptr) = 0;

  // ---- artifacts ----
  virtual Result<Listing<ArtifactRecord>> ListArtifacts(std::string_view repository, const ArtifactFilter& filter,
                                                        Paging paging) = 0;
  virtual Result<std::optional<ArtifactRecord>> FindByDigest(std::string_view repository, const Digest& digest) = 0;
  virtual Result<std::optional<ArtifactRecord>> FindByTag(std::string_view repository, std::string_view tag) = 0;
  // Deletes the artifact exactly as ManifestStore::Delete does (its tags, reference counts,
  // kManifestReferenced while an index in the repository lists it), then — as Harbor does — each
  // of its index children (recursively) that no index lists any more and no tag names, in the same
  // transaction and by the same code. false when absent.
  // With `events`, a DELETE_ARTIFACT for the artifact (not its children) commits with it.
  virtual Result<bool> DeleteArtifact(std::string_view repository, const Digest& digest,
                                      const EventContext* events = nullptr) = 0;
  // The index children of an artifact, ordered by digest (the index's own order is in its bytes).
  virtual Result<std::vector<ChildRecord>> Children(int64_t artifact_id) = 0;

  // Copies the artifact `digest` of `from` (with its index children, recursively, and the links
  // to all their blobs) into `to`, creating `to` if needed, and points every tag the source
  // artifact carries at the copy (re-pointing tags of that name in `to`, as a push would). One
  // transaction; reference counts as for a put. Returns the new artifact's id; nullopt when the
  // source artifact does not exist; kConflict when `to` already holds the digest.
  // With `events`, one PUSH_ARTIFACT per copied artifact (children by digest, the root with its
  // first tag) commits with it.
  virtual Result<std::optional<int64_t>> Copy(std::string_view from, const Digest& digest, std::string_view to,
                                              const EventContext* events = nullptr) = 0;

  // ---- tags ----
  // Tags of one artifact; name_part filters case-insensitively. Sort "name", "push_time", "id"
  // (optionally "-"), default "-push_time".
  virtual Result<Listing<TagRecord>> ListTags(int64_t artifact_id, std::string_view name_part, std::string_view sort,
                                              Paging paging) = 0;
  // The tags of each artifact of a page, in one query: artifact id → its tags, newest push
  // first (ListTags' default order). Artifacts without tags are absent.
  virtual Result<std::map<int64_t, std::vector<TagRecord>>> TagsOf(const std::vector<int64_t>& artifact_ids) = 0;
  // Adds a tag to the artifact. kConflict when the repository already has a tag of that name;
  // false when the artifact no longer exists.
  virtual Result<bool> CreateTag(int64_t artifact_id, std::string_view name) = 0;
  // Removes the tag only if it is on this artifact. false otherwise.
  virtual Result<bool> DeleteTag(int64_t artifact_id, std::string_view name) = 0;

  // ---- pulls and statistics ----
  // Adds pull counts to repositories and moves pull times forward (never back). Unknown
  // repositories, manifests or tags are skipped.
  virtual Result<void> RecordPulls(const std::vector<PullRecord>& pulls) = 0;
  virtual Result<StatisticsRecord> Statistics(const Visibility& visibility) = 0;
};

struct LabelFilter {
  std::string scope = "g";
  int64_t project_id = 0;  // with scope "p"
  std::string name_part;   // case-insensitive substring
};

class LabelStore {
 public:
  virtual ~LabelStore() = default;
  // kConflict when a label of that name exists in the same scope (and project).
  virtual Result<int64_t> Create(const LabelRecord& label) = 0;
  virtual Result<std::optional<LabelRecord>> Find(int64_t id) = 0;
  // Updates name, description and color. kConflict on a duplicate name; false when absent.
  virtual Result<bool> Update(const LabelRecord& label) = 0;
  // Deletes the label and detaches it from every artifact.
  virtual Result<bool> Delete(int64_t id) = 0;
  virtual Result<Listing<LabelRecord>> List(const LabelFilter& filter, Paging paging) = 0;
  // kConflict when already attached; false when the artifact or label no longer exists.
  virtual Result<bool> Attach(int64_t artifact_id, int64_t label_id) = 0;
  // false when it was not attached.
  virtual Result<bool> Detach(int64_t artifact_id, int64_t label_id) = 0;
  // The labels of each artifact of a page, in one query: artifact id → its labels in attachment
  // order. Artifacts without labels are absent.
  virtual Result<std::map<int64_t, std::vector<LabelRecord>>> LabelsOf(const std::vector<int64_t>& artifact_ids) = 0;
};

}  // namespace berth::store
