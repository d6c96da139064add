// Metadata store interfaces for the registry core. A backend (sqlite/, later postgres/) implements
// all three; tests/unit/store_conformance_test.cc runs the same suite against each backend.
//
// Every method is thread-safe and atomic: it commits completely or not at all.
// Repository names passed in are already validated (oci::ValidateRepositoryName).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "store/outbox.h"
#include "store/records.h"

namespace berth::store {

// Which blobs exist and which repositories may read them ("links").
class BlobIndex {
 public:
  virtual ~BlobIndex() = default;
  virtual Result<std::optional<BlobRecord>> Find(const Digest& digest) = 0;
  // The blob, only when it is linked into `repository`.
  virtual Result<std::optional<BlobRecord>> FindInRepository(std::string_view repository, const Digest& digest) = 0;
  // Records a blob whose bytes are committed to the content store, and links it into the
  // repository (creating the repository row if needed). Idempotent.
  // Quota (store/quota_store.h): kDenied, nothing recorded, when no manifest of the repository's
  // project references the blob yet and its size would take the project's usage over the limit;
  // with `events` asking for it, a QUOTA_EXCEED event commits on its own. Nothing is charged.
  virtual Result<void> Commit(std::string_view repository, const Digest& digest, int64_t size,
                              const EventContext* events = nullptr) = 0;
  // Links a blob that is linked in `from` into `to`. Returns false (and changes nothing) when
  // `from` does not have it. Quota as for Commit (the project of `to`).
  virtual Result<bool> Mount(std::string_view from, std::string_view to, const Digest& digest,
                             const EventContext* events = nullptr) = 0;
  // Removes the link. Returns false when there was none.
  virtual Result<bool> Unlink(std::string_view repository, const Digest& digest) = 0;
};

// Upload sessions, so that they survive restarts.
class UploadStore {
 public:
  virtual ~UploadStore() = default;
  virtual Result<void> Create(const UploadRecord& rec) = 0;
  virtual Result<std::optional<UploadRecord>> Find(std::string_view id) = 0;
  virtual Result<void> Touch(std::string_view id, int64_t now) = 0;
  virtual Result<void> Remove(std::string_view id) = 0;
};

// Manifests, tags, repositories and the references between them.
class ManifestStore {
 public:
  virtual ~ManifestStore() = default;
  // Stores the manifest (idempotent by digest), its blob and child references, and points `tag`
  // at it when given. Fails with kManifestBlobUnknown, inside the same transaction, when a blob
  // is not linked into the repository or a child manifest is not in it, and with kManifestInvalid
  // when a blob's stored size differs from its descriptor's.
  // With `events`, a PUSH_ARTIFACT event (store/outbox.h) commits in the same transaction.
  virtual Result<void> Put(const ManifestRecord& rec, const std::optional<std::string>& tag,
                           const EventContext* events = nullptr) = 0;
  // By tag or digest; content included. nullopt when absent.
  virtual Result<std::optional<ManifestRecord>> GetByTag(std::string_view repository, std::string_view tag) = 0;
  virtual Result<std::optional<ManifestRecord>> GetByDigest(std::string_view repository, const Digest& digest) = 0;
  // Deletes the manifest and every tag on it. false when absent; kManifestReferenced when an index
  // in the repository still lists it.
  // With `events`, a DELETE_ARTIFACT event naming the artifact's first tag commits with it.
  virtual Result<bool> Delete(std::string_view repository, const Digest& digest,
                              const EventContext* events = nullptr) = 0;
  // Removes one tag. false when absent.
  virtual Result<bool> Untag(std::string_view repository, std::string_view tag) = 0;
  virtual Result<bool> RepositoryExists(std::string_view repository) = 0;
  // Keyset pages in lexical order, strictly after `last`.
  virtual Result<Page> ListTags(std::string_view repository, std::string_view last, int limit) = 0;
  virtual Result<Page> ListRepositories(std::string_view last, int limit) = 0;
  // Manifests in the repository whose subject is `subject`, optionally of one artifact type.
  virtual Result<std::vector<ReferrerRecord>> ListReferrers(std::string_view repository, const Digest& subject,
                                                            std::string_view artifact_type) = 0;
};

}  // namespace berth::store
