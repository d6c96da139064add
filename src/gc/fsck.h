// Fsck: `berth fsck` — checks that the metadata store and the content store agree:
//   - every blob row has its file, with the row's size and a matching digest (the bytes re-hashed);
//   - every blob a manifest references has a row (a dangling reference is data loss: reported);
//   - every ref_count equals the manifests referencing the blob;
//   - no blob file lacks a row (orphan) and no upload file lacks its session.
// With repair: ref counts are recomputed; unreferenced rows whose file is missing or corrupt are
// deleted (with the corrupt file); orphans and stray upload files older than the grace window /
// upload expiry are deleted. What cannot be repaired safely (a referenced blob missing or
// corrupt, a dangling reference) is only reported. Safe to run while the server runs.
// Not thread-safe (one call at a time); the stores it uses are.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "blob/driver.h"
#include "store/gc_store.h"

namespace berth::gc {

struct FsckOptions {
  std::string root;  // the data directory (blobs/, uploads/)
  bool repair = false;
  int64_t grace_seconds = 3600;
  int64_t upload_expiry_seconds = 86400;
};

struct FsckReport {
  int64_t blobs_checked = 0;
  int64_t problems = 0;  // found and not repaired
  int64_t repaired = 0;
};

FsckReport Fsck(store::GcStore& store, blob::BlobDriver& driver, const FsckOptions& opt, std::ostream& out);

}  // namespace berth::gc
