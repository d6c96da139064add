// ManifestService: validates and stores manifests, resolves references, deletes and untags.
// Thread-safe (stateless over a thread-safe store).
#pragma once
#include <optional>
#include <string>

#include "blob/driver.h"
#include "oci/manifest.h"
#include "oci/reference.h"
#include "store/registry_store.h"

namespace berth::registry {

struct PutManifestResult {
  Digest digest;
  std::optional<Digest> subject;
};

class ManifestCache;

class ManifestService {
 public:
  // Borrowed, optional: `configs` is read for an image's extra_attrs at push time (without it they
  // are left to be read when listed); `cache` serves repeated Get()s.
  explicit ManifestService(store::ManifestStore& store, blob::BlobDriver* configs = nullptr,
                           ManifestCache* cache = nullptr)
      : store_(store), configs_(configs), cache_(cache) {}

  // Errors: kDigestInvalid (reference digest differs from the body's), kManifestInvalid,
  // kManifestBlobUnknown, kUnsupported. With `events`, the PUSH_ARTIFACT event commits with it.
  Result<PutManifestResult> Put(const std::string& repository, const oci::Reference& ref, std::string body,
                                std::string_view content_type, const store::EventContext* events = nullptr);
  // kManifestUnknown when absent.
  Result<store::ManifestRecord> Get(const std::string& repository, const oci::Reference& ref);
  // By digest: the manifest and all its tags (with `events`, its DELETE_ARTIFACT event); by tag:
  // only the tag (no event: Harbor refuses tag deletes, so there is none to mirror).
  // kManifestUnknown when absent.
  Result<void> Delete(const std::string& repository, const oci::Reference& ref,
                      const store::EventContext* events = nullptr);

 private:
  std::optional<std::string> ExtraAttrs(const oci::ParsedManifest& m);

  store::ManifestStore& store_;
  blob::BlobDriver* configs_;
  ManifestCache* cache_;
};

}  // namespace berth::registry
