#include "registry/listing_service.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "oci/media_types.h"

namespace berth::registry {

Result<store::Page> ListingService::Tags(const std::string& repository, const std::string& last, int limit) {
  auto exists = store_.RepositoryExists(repository);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists) return Fail(Errc::kNameUnknown, "repository name not known to registry: " + repository);
  limit = std::clamp(limit, 0, kMaxPageSize);
  if (limit == 0) return store::Page{};
  return store_.ListTags(repository, last, limit);
}

Result<store::Page> ListingService::Catalog(const std::string& last, int limit) {
  limit = std::clamp(limit, 0, kMaxPageSize);
  if (limit == 0) return store::Page{};
  return store_.ListRepositories(last, limit);
}

Result<std::string> ListingService::Referrers(const std::string& repository, const Digest& subject,
                                              const std::string& artifact_type) {
  auto refs = store_.ListReferrers(repository, subject, artifact_type);
  if (!refs) return std::unexpected(refs.error());
  nlohmann::ordered_json manifests = nlohmann::ordered_json::array();
  for (const auto& r : *refs) {
    nlohmann::ordered_json d;
    d["mediaType"] = r.media_type;
    d["digest"] = r.digest.str();
    d["size"] = r.size;
    if (!r.artifact_type.empty()) d["artifactType"] = r.artifact_type;
    if (!r.annotations_json.empty()) d["annotations"] = nlohmann::ordered_json::parse(r.annotations_json);
    manifests.push_back(std::move(d));
  }
  nlohmann::ordered_json index;
  index["schemaVersion"] = 2;
  index["mediaType"] = oci::media::kOciIndex;
  index["manifests"] = std::move(manifests);
  return index.dump();
}

}  // namespace berth::registry
