// Harbor's project metadata keys and their validation, shared by the project handlers (create,
// update) and the per-key metadata handlers (/projects/{p}/metadatas). Stateless; thread-safe.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "api/v2_0/render.h"

namespace berth::api::v2_0 {

// True for the keys a project may carry (public, auto_scan, severity, ...).
bool IsProjectMetadataKey(std::string_view key);

// Validates a metadata object and copies it into `out` (values as strings; JSON booleans become
// "true"/"false"). kBadRequest for a non-object, an unknown key or an invalid value.
Result<void> ReadMetadata(const Json& meta, std::map<std::string, std::string>& out);

}  // namespace berth::api::v2_0
