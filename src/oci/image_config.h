// What Harbor shows of an image's config blob: the `extra_attrs` of an artifact (architecture,
// author, config, created, os). Pure functions; thread-safe.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace berth::oci {

// Image configs are small; a larger "config" is not read for extra_attrs.
inline constexpr size_t kMaxImageConfigBytes = 1 << 20;

// True for an image manifest whose config is an OCI or Docker image config (not a chart, a
// WASM module or an artifact's empty config): the artifacts that have extra_attrs.
bool HasImageConfig(std::string_view manifest_media_type, std::string_view config_media_type);

// The extra_attrs object of an image config, serialized (keys sorted, as Harbor's Go maps come
// out); nullopt when `config` is not a JSON object.
std::optional<std::string> ImageExtraAttrs(std::string_view config);

}  // namespace berth::oci
