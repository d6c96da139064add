// Plain records exchanged with the metadata stores. Value types; no behaviour.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"

namespace berth::store {

struct BlobRecord {
  Digest digest;
  int64_t size = 0;
  int64_t created_at = 0;
};

struct UploadRecord {
  std::string id;
  std::string repository;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// A blob a manifest references, with the size its descriptor claims.
struct BlobRef {
  Digest digest;
  int64_t size = 0;
};

struct ManifestRecord {
  std::string repository;
  Digest digest;
  std::string media_type;
  std::string artifact_type;
  int64_t size = 0;
  std::string content;                // the manifest bytes exactly as pushed
  std::optional<Digest> subject;
  std::string annotations_json;       // top-level annotations (for referrers)
  std::vector<BlobRef> blobs;         // config + layers, deduplicated (write only)
  std::vector<Digest> children;       // index children (write only)
  std::optional<std::string> extra_attrs;  // an image's extra_attrs, serialized (write only)
  int64_t pushed_at = 0;
};

struct ReferrerRecord {
  Digest digest;
  std::string media_type;
  std::string artifact_type;
  int64_t size = 0;
  std::string annotations_json;
};

struct Page {
  std::vector<std::string> items;
  bool more = false;  // another page follows the last item
};

}  // namespace berth::store
