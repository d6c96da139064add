// Parsing and validation of image manifests and indexes (OCI image spec v1.1, Docker schema 2).
// Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"

namespace berth::oci {

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::string artifact_type;
  std::string annotations_json;  // JSON object text, empty when absent
};

struct ParsedManifest {
  std::string media_type;                 // effective manifest media type
  bool is_index = false;
  std::optional<Descriptor> config;       // image manifests
  std::vector<Descriptor> layers;         // image manifests
  std::vector<Descriptor> manifests;      // indexes: the children
  std::optional<Descriptor> subject;
  std::string artifact_type;              // artifactType, else config.mediaType (images)
  std::string annotations_json;           // JSON object text, empty when absent

  // Blobs the manifest needs (config + layers), first descriptor of each digest.
  std::vector<const Descriptor*> Blobs() const;
  std::vector<Digest> ChildDigests() const;
};

// content_type: the request's Content-Type (may be empty or generic). The body's own mediaType wins;
// when both name a manifest type they must agree. Errors: kManifestInvalid (bad JSON, invalid UTF-8,
// missing or wrong fields), kDigestInvalid (a descriptor's digest), kUnsupported (schema 1).
Result<ParsedManifest> ParseManifest(std::string_view body, std::string_view content_type);

}  // namespace berth::oci
