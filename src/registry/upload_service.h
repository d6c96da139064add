// UploadService: blob upload sessions (POST/PATCH/PUT of the OCI upload protocol).
//
// DESIGN: an upload is a row (UploadStore, survives restarts) plus an append-only object in the
// BlobDriver. While a request streams a body into it, the request holds an UploadLease; only one
// lease per upload exists at a time. The SHA-256 state is hashed incrementally as bytes are
// written and parked in memory between requests, keyed by upload id and the byte count it covers;
// after a restart (or on another node) the parked state is missing and the bytes on disk are
// re-hashed once. Completing verifies the digest, commits the bytes into the content store
// (fsync + rename), then records the blob and its repository link in one transaction.
//
// Thread-safe: the parked-state map is guarded by mu_; a lease is used by one coroutine at a time.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/digest.h"
#include "base/error.h"
#include "blob/driver.h"
#include "store/registry_store.h"

namespace berth::registry {

struct UploadStatus {
  std::string id;
  std::string repository;
  int64_t size = 0;  // bytes received so far
};

class UploadService;

// Exclusive right to append to one upload during one request. Releasing it (destruction) parks
// the hash state for the next request.
class UploadLease {
 public:
  ~UploadLease();
  UploadLease(const UploadLease&) = delete;
  UploadLease& operator=(const UploadLease&) = delete;

  // Appends bytes; on a write error the upload is cut back to its previous size.
  Result<void> Append(const char* data, size_t len);
  int64_t size() const { return size_; }
  const std::string& id() const { return id_; }

 private:
  friend class UploadService;
  UploadLease(UploadService* svc, std::string id, std::string repo, std::unique_ptr<blob::UploadWriter> w,
              Hasher h, int64_t size)
      : svc_(svc), id_(std::move(id)), repo_(std::move(repo)), writer_(std::move(w)), hasher_(std::move(h)), size_(size) {}
  UploadService* svc_;
  std::string id_;
  std::string repo_;
  std::unique_ptr<blob::UploadWriter> writer_;
  Hasher hasher_;
  int64_t size_;
  bool finished_ = false;
};

struct ContentRange {
  int64_t start = 0;
  int64_t end = 0;  // inclusive
};

class UploadService {
 public:
  struct Options {
    int max_concurrent = 256;  // leases held at once; more is kTooManyRequests
  };
  UploadService(blob::BlobDriver& driver, store::UploadStore& uploads, store::BlobIndex& blobs, Options opt)
      : driver_(driver), uploads_(uploads), blobs_(blobs), opt_(opt) {}

  Result<UploadStatus> Start(const std::string& repository);
  // kBlobUploadUnknown when the upload does not exist or belongs to another repository.
  Result<UploadStatus> Status(const std::string& repository, const std::string& id);
  // Errors: kBlobUploadUnknown; kBlobUploadInvalid when another request is appending;
  // kRangeInvalid when range->start is not the current size; kTooManyRequests over the limit.
  Result<std::unique_ptr<UploadLease>> Lease(const std::string& repository, const std::string& id,
                                             const std::optional<ContentRange>& range);
  // Verifies `expected` against the bytes received and commits the blob. On a mismatch the upload
  // is discarded and kDigestInvalid returned. kDenied (the upload discarded) when the blob would
  // take its project over the storage quota (BlobIndex::Commit; `events` for QUOTA_EXCEED).
  Result<Digest> Complete(UploadLease& lease, const Digest& expected, const store::EventContext* events = nullptr);
  Result<void> Cancel(const std::string& repository, const std::string& id);

 private:
  friend class UploadLease;
  struct Parked {
    std::optional<Hasher> hasher;
    int64_t size = 0;
    bool leased = false;
  };
  void Release(UploadLease& lease);
  Result<Hasher> Rehash(const std::string& id, std::string_view algorithm, int64_t size);

  blob::BlobDriver& driver_;
  store::UploadStore& uploads_;
  store::BlobIndex& blobs_;
  Options opt_;
  std::mutex mu_;
  std::unordered_map<std::string, Parked> parked_;  // guarded by mu_
  int active_ = 0;                                  // guarded by mu_
};

}  // namespace berth::registry
