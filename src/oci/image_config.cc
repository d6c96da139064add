#include "oci/image_config.h"

#include <nlohmann/json.hpp>

#include "oci/media_types.h"

namespace berth::oci {

bool HasImageConfig(std::string_view manifest_media_type, std::string_view config_media_type) {
  return media::IsImage(manifest_media_type) && (config_media_type == "application/vnd.oci.image.config.v1+json" ||
                                                 config_media_type == "application/vnd.docker.container.image.v1+json");
}

std::optional<std::string> ImageExtraAttrs(std::string_view config) {
  auto doc = nlohmann::json::parse(config, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  nlohmann::json out = nlohmann::json::object();
  for (const char* key : {"architecture", "author", "config", "created", "os"})
    if (auto it = doc.find(key); it != doc.end()) out[key] = *it;
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace berth::oci
