#include "registry/blob_service.h"

#include "oci/reference.h"

namespace berth::registry {

Result<store::BlobRecord> BlobService::Stat(const std::string& repository, const Digest& digest) {
  auto rec = index_.FindInRepository(repository, digest);
  if (!rec) return std::unexpected(rec.error());
  if (!*rec) return Fail(Errc::kBlobUnknown, "blob unknown to repository: " + digest.str());
  return **rec;
}

Result<std::unique_ptr<blob::BlobReader>> BlobService::Open(const std::string& repository, const Digest& digest) {
  auto rec = Stat(repository, digest);
  if (!rec) return std::unexpected(rec.error());
  return driver_.Open(digest);
}

Result<bool> BlobService::Mount(const std::string& from, const std::string& to, const Digest& digest,
                                const store::EventContext* events) {
  if (!oci::ValidateRepositoryName(from)) return false;
  return index_.Mount(from, to, digest, events);
}

Result<void> BlobService::Delete(const std::string& repository, const Digest& digest) {
  auto removed = index_.Unlink(repository, digest);
  if (!removed) return std::unexpected(removed.error());
  if (!*removed) return Fail(Errc::kBlobUnknown, "blob unknown to repository: " + digest.str());
  return {};
}

}  // namespace berth::registry
