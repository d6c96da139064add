// ListingService: tag lists, the catalog and referrers, paged with keyset pagination.
// Thread-safe (stateless over a thread-safe store).
#pragma once
#include <string>

#include "store/registry_store.h"

namespace berth::registry {

inline constexpr int kMaxPageSize = 10000;

class ListingService {
 public:
  explicit ListingService(store::ManifestStore& store) : store_(store) {}

  // kNameUnknown when the repository does not exist. limit is clamped to [0, kMaxPageSize].
  Result<store::Page> Tags(const std::string& repository, const std::string& last, int limit);
  Result<store::Page> Catalog(const std::string& last, int limit);
  // The referrers response: an OCI image index (JSON text).
  Result<std::string> Referrers(const std::string& repository, const Digest& subject,
                                const std::string& artifact_type);

 private:
  store::ManifestStore& store_;
};

}  // namespace berth::registry
