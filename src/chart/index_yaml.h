// Rendering a Helm repository index (index.yaml, apiVersion v1) from chart versions, and the
// gzip form served to clients that accept it. Stateless functions; thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::chart {

struct IndexEntry {
  const nlohmann::ordered_json* metadata;  // Helm config JSON (name, version, appVersion, ...)
  std::string url;                          // "charts/<name>-<version>.tgz" (relative to the repo)
  std::string digest_hex;                   // sha256 of the .tgz, hex only (Helm's index form)
  int64_t created = 0;                      // unix seconds
};

// `groups`: per chart name (sorted), its versions newest first. `generated`: unix seconds.
// Each entry is the metadata's members, then created, digest and urls, as ChartMuseum writes them.
std::string RenderIndexYaml(const std::vector<std::pair<std::string, std::vector<IndexEntry>>>& groups,
                            int64_t generated);

// The same bytes gzip-compressed (RFC 1952).
std::string Gzip(std::string_view data);

// A JSON value as YAML (for the index and for the detail API's values).
void EmitJsonAsYaml(void* emitter, const nlohmann::ordered_json& j);

}  // namespace berth::chart
