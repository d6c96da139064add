// Plain records of the artifact and label stores (Harbor's repository / artifact / tag / label
// model over the registry core's tables). Value types; no behaviour.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"

namespace berth::store {

// A repository as the REST API sees it: one that holds at least one manifest.
struct RepositoryRecord {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string project_name;   // read only
  bool project_public = false;  // read only
  std::string name;           // full name, "project/repo"
  std::string description;
  int64_t artifact_count = 0;  // top-level artifacts (see ArtifactFilter::all)
  int64_t pull_count = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// An artifact = one manifest in one repository (the manifests row; id is its row id).
struct ArtifactRecord {
  int64_t id = 0;
  int64_t repository_id = 0;
  int64_t project_id = 0;
  std::string repository_name;
  Digest digest;
  std::string manifest_media_type;  // the manifest's own media type
  std::string media_type;           // the config's media type; the manifest type for an index
  std::string artifact_type;        // artifactType, else the config media type
  int64_t size = 0;                 // manifest bytes + every referenced blob
  std::string content;              // the manifest bytes
  std::string annotations_json;     // the manifest's annotations object, serialized; "" = none
  std::string config_digest;        // the config blob's digest; "" for an index
  std::optional<std::string> extra_attrs;  // an image's, serialized, when stored at push time
  int64_t pushed_at = 0;
  int64_t pulled_at = 0;  // 0 = never
};

struct TagRecord {
  int64_t id = 0;
  int64_t repository_id = 0;
  int64_t artifact_id = 0;
  std::string name;
  int64_t pushed_at = 0;
  int64_t pulled_at = 0;  // 0 = never
};

// An index child as stored (the platform is in the parent's manifest bytes).
struct ChildRecord {
  Digest digest;
  int64_t id = 0;    // 0 when the child is not in the repository (cannot happen after a put)
  int64_t size = 0;  // the child artifact's size
};

struct LabelRecord {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::string color;
  std::string scope = "g";  // "g" global, "p" project
  int64_t project_id = 0;   // 0 for global labels
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// One batch entry of pulls recorded from /v2 manifest GETs.
struct PullRecord {
  std::string repository;
  Digest digest;
  std::string tag;  // empty when pulled by digest
  int64_t at = 0;   // the latest pull time
  int64_t count = 0;
};

}  // namespace berth::store
