// Project storage quotas (issue 6): the quota records Harbor's /api/v2.0/quotas shows, the limit
// update, the drift check, and the texts of quota refusals and events.
//
// DESIGN: usage is charged inside the store's own write transactions, never by HTTP middleware.
// Every manifest insert and delete (ManifestStore::Put/Delete, ArtifactStore::Copy/Delete*) moves
// a per-project reference count of each digest it references (the manifest included); a digest's
// first reference adds its size to the project's usage and its last one removes it. A write that
// raised usage checks the limit before it commits and rolls back with kDenied when over it, so a
// check and its charge are one SQLite write transaction and concurrent pushers cannot overshoot.
// Blob upload completion and cross-repository mounts check (a blob new to the project must fit)
// but charge nothing: a blob counts only once a manifest references it. The refusal's QUOTA_EXCEED
// event commits in a small transaction of its own (the change itself rolled back); QUOTA_WARNING
// commits with the change that first takes usage to 85% or more of the limit, once per crossing.
// The definition of usage is one SQL view (migrations/sqlite/0010_quotas.sql); Verify() compares it
// with the running totals.
//
// Every method is thread-safe and atomic.
#pragma once
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "store/identity_records.h"

namespace berth::store {

inline constexpr int64_t kMaxStorageLimit = int64_t{1} << 50;  // 1 PiB, Harbor's maximum
inline constexpr int kQuotaWarningPercent = 85;

struct QuotaRecord {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string project_name;
  std::string owner_name;
  int64_t hard = -1;  // bytes, -1 unlimited
  int64_t used = 0;   // bytes
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct QuotaFilter {
  std::optional<int64_t> project_id;
  // "hard.storage", "used.storage", "id", "creation_time", "update_time", optionally "-" prefixed;
  // empty = by id. Unknown keys are kBadRequest.
  std::string sort;
};

// One project's recorded usage next to the recomputed one.
struct QuotaDrift {
  int64_t project_id = 0;
  std::string project_name;
  int64_t recorded = 0;  // quotas.used
  int64_t actual = 0;    // the project_usage view
};

class QuotaStore {
 public:
  virtual ~QuotaStore() = default;
  virtual Result<Listing<QuotaRecord>> List(const QuotaFilter& filter, Paging paging) = 0;
  virtual Result<std::optional<QuotaRecord>> Find(int64_t id) = 0;
  virtual Result<std::optional<QuotaRecord>> FindByProject(int64_t project_id) = 0;
  // Sets the project's hard limit (-1 or 1..kMaxStorageLimit, checked by the caller) and clears the
  // warning state when usage is now below the threshold. false when the quota does not exist.
  virtual Result<bool> SetHard(int64_t id, int64_t hard) = 0;
  // Every project's recorded and recomputed usage, read in one snapshot, by project id.
  virtual Result<std::vector<QuotaDrift>> Verify() = 0;
};

// Harbor's storage size text: "<n> B" below 1024, else one decimal and KiB … EiB.
inline std::string FormatStorage(int64_t bytes) {
  constexpr int64_t kUnit = 1024;
  char buf[48];
  if (bytes < kUnit) {
    std::snprintf(buf, sizeof buf, "%" PRId64 " B", bytes);
    return buf;
  }
  int64_t div = kUnit;
  int exp = 0;
  for (int64_t n = bytes / kUnit; n >= kUnit; n /= kUnit) {
    div *= kUnit;
    ++exp;
  }
  std::snprintf(buf, sizeof buf, "%.1f %ciB", static_cast<double>(bytes) / static_cast<double>(div), "KMGTPE"[exp]);
  return buf;
}

// custom_attributes.Details of QUOTA_EXCEED; the /v2 and REST refusal message is
// "Quota exceeded when processing the request of " + this.
inline std::string QuotaExceededDetails(int64_t adding, int64_t used, int64_t hard) {
  return "adding " + FormatStorage(adding) + " of storage resource, which when updated to current usage of " +
         FormatStorage(used) + " will exceed the configured upper limit of " + FormatStorage(hard) + ".";
}
inline std::string QuotaExceededMessage(const std::string& details) {
  return "Quota exceeded when processing the request of " + details;
}
// custom_attributes.Details of QUOTA_WARNING.
inline std::string QuotaWarningDetails(int64_t used, int64_t hard) {
  return "quota usage reach " + std::to_string(kQuotaWarningPercent) + "%: resource storage used " +
         FormatStorage(used) + " of " + FormatStorage(hard);
}
// used·100 ≥ hard·85 (never for an unlimited quota).
inline bool QuotaAtWarning(int64_t used, int64_t hard) {
  return hard >= 0 && used * 100 >= hard * kQuotaWarningPercent;
}

}  // namespace berth::store
