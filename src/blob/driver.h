// BlobDriver: the content store contract. Blobs are immutable byte strings addressed by digest;
// uploads are append-only temp objects that become blobs on commit.
//
// Contract for every implementation (checked by tests/unit/blob_driver_conformance_test.cc):
// - Commit is atomic: after it returns, Stat/Open see the complete, durable blob (when the driver
//   was created durable); a crash before it returns leaves no blob under that digest.
// - The driver never verifies digests: callers hash while writing and pass the verified digest.
// - Open of an unknown digest is kBlobUnknown; of an unknown upload, kBlobUploadUnknown.
// - Delete hides the blob at once; Reclaim gives its space back (possibly later).
// - All methods are thread-safe; one upload must not be appended to from two threads at once
//   (the registry's upload service serializes that).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/digest.h"
#include "base/error.h"

namespace berth::blob {

// An open blob for reading. fd() is a readable file descriptor positioned anywhere (use pread or
// sendfile with offsets); the reader owns and closes it.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual int fd() const = 0;
  virtual int64_t size() const = 0;
};

// An upload open for appending. Owns its file descriptor.
class UploadWriter {
 public:
  virtual ~UploadWriter() = default;
  virtual Result<void> Append(const char* data, size_t len) = 0;
  virtual int64_t size() const = 0;
  // Cuts the upload back to `size` bytes (after a failed append).
  virtual Result<void> Truncate(int64_t size) = 0;
};

class BlobDriver {
 public:
  virtual ~BlobDriver() = default;

  virtual Result<void> CreateUpload(const std::string& id) = 0;
  virtual Result<std::unique_ptr<UploadWriter>> OpenUpload(const std::string& id) = 0;
  // Current size of the upload's data; kBlobUploadUnknown when absent.
  virtual Result<int64_t> UploadSize(const std::string& id) = 0;
  // Reader over the upload's bytes (used to re-hash an upload after a restart).
  virtual Result<std::unique_ptr<BlobReader>> ReadUpload(const std::string& id) = 0;
  // Moves the upload's bytes into the content store under `digest` (durably), removing the upload.
  // If the blob already exists, the upload is simply discarded.
  virtual Result<void> CommitUpload(const std::string& id, const Digest& digest) = 0;
  virtual Result<void> DeleteUpload(const std::string& id) = 0;

  // Size of a stored blob, or nullopt when absent.
  virtual Result<std::optional<int64_t>> Stat(const Digest& digest) = 0;
  virtual Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) = 0;
  // Removes the blob from the store at once (Stat/Open no longer see it; the digest can be stored
  // again). Its space may be given back later, by Reclaim: the filesystem driver moves the file
  // into a trash directory here (a rename, ~10× cheaper than unlink on a journalled disk).
  virtual Result<void> Delete(const Digest& digest) = 0;

  struct Reclaimed {
    int64_t files = 0;
    int64_t bytes = 0;
  };
  // Gives back the space of deleted blobs still held (the trash); `stop` is polled between files.
  // Safe to call concurrently with everything else; a no-op for drivers that free at Delete.
  virtual Result<Reclaimed> Reclaim(const std::function<bool()>& stop) {
    (void)stop;
    return Reclaimed{};
  }
};

// The whole content of an open blob when it is at most `max_bytes` long, nullopt when longer;
// kInternal when reading fails.
Result<std::optional<std::string>> ReadWhole(const BlobReader& reader, size_t max_bytes);

}  // namespace berth::blob
