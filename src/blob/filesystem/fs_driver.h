// FsDriver: BlobDriver on a local directory. Thread-safe (no shared mutable state).
//
// Layout under root:
//   blobs/<algorithm>/<first two hex>/<hex>   committed blobs, immutable, written once
//   uploads/<upload id>                        upload data being appended
// Commit: fsync the upload file, rename it to its blob path, fsync the blob directory. A crash
// before the rename leaves only an upload file (swept later); after it, a complete blob.
#pragma once
#include <string>

#include "blob/driver.h"

namespace berth::blob {

class FsDriver final : public BlobDriver {
 public:
  // durable: fsync files and directories on commit.
  static Result<std::unique_ptr<FsDriver>> Open(std::string root, bool durable);

  Result<void> CreateUpload(const std::string& id) override;
  Result<std::unique_ptr<UploadWriter>> OpenUpload(const std::string& id) override;
  Result<int64_t> UploadSize(const std::string& id) override;
  Result<std::unique_ptr<BlobReader>> ReadUpload(const std::string& id) override;
  Result<void> CommitUpload(const std::string& id, const Digest& digest) override;
  Result<void> DeleteUpload(const std::string& id) override;
  Result<std::optional<int64_t>> Stat(const Digest& digest) override;
  Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) override;
  Result<void> Delete(const Digest& digest) override;
  Result<Reclaimed> Reclaim(const std::function<bool()>& stop) override;

  std::string BlobPath(const Digest& digest) const;
  std::string UploadPath(const std::string& id) const;
  std::string TrashDir() const { return root_ + "/trash"; }

 private:
  FsDriver(std::string root, bool durable) : root_(std::move(root)), durable_(durable) {}
  std::string root_;
  bool durable_;
};

}  // namespace berth::blob
