#include "api/v2_0/project_metadata.h"

#include <set>

namespace berth::api::v2_0 {
namespace {

// Metadata keys a project may carry (all values are strings, as in Harbor).
const std::set<std::string, std::less<>> kMetadataKeys = {
    "public", "enable_content_trust", "enable_content_trust_cosign", "prevent_vul", "severity", "auto_scan",
    "auto_sbom_generation", "reuse_sys_cve_allowlist"};

}  // namespace

bool IsProjectMetadataKey(std::string_view key) { return kMetadataKeys.contains(key); }

Result<void> ReadMetadata(const Json& meta, std::map<std::string, std::string>& out) {
  if (!meta.is_object()) return Fail(Errc::kBadRequest, "metadata must be an object");
  for (const auto& [k, v] : meta.items()) {
    if (!kMetadataKeys.contains(k)) return Fail(Errc::kBadRequest, "unknown project metadata key: " + k);
    if (v.is_string()) out[k] = v.get<std::string>();
    else if (v.is_boolean()) out[k] = v.get<bool>() ? "true" : "false";
    else return Fail(Errc::kBadRequest, "metadata " + k + " must be a string");
    if ((k != "severity") && out[k] != "true" && out[k] != "false")
      return Fail(Errc::kBadRequest, "metadata " + k + " must be \"true\" or \"false\"");
  }
  return {};
}

}  // namespace berth::api::v2_0
