// BlobService: reads, mounts and unlinks of committed blobs, scoped to a repository.
// Thread-safe (stateless over thread-safe stores).
#pragma once
#include <memory>
#include <string>

#include "blob/driver.h"
#include "store/registry_store.h"

namespace berth::registry {

class BlobService {
 public:
  BlobService(blob::BlobDriver& driver, store::BlobIndex& index) : driver_(driver), index_(index) {}

  // kBlobUnknown unless the blob is linked into the repository.
  Result<store::BlobRecord> Stat(const std::string& repository, const Digest& digest);
  Result<std::unique_ptr<blob::BlobReader>> Open(const std::string& repository, const Digest& digest);
  // Cross-repository mount: true when `from` had the blob and it is now linked into `to`.
  // kDenied when the blob would take the project of `to` over its quota (BlobIndex::Mount).
  Result<bool> Mount(const std::string& from, const std::string& to, const Digest& digest,
                     const store::EventContext* events = nullptr);
  // Removes the repository's link to the blob (space returns through garbage collection).
  Result<void> Delete(const std::string& repository, const Digest& digest);

 private:
  blob::BlobDriver& driver_;
  store::BlobIndex& index_;
};

}  // namespace berth::registry
