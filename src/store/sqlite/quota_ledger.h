// The in-transaction half of project quotas (store/quota_store.h DESIGN): per-project reference
// counts of digests, the running usage, the limit check, the warning state and the quota events.
// Every function except RecordQuotaExceeded runs on the caller's Db::Write transaction; none keeps
// a statement open across calls. Stateless.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "store/outbox.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

// The project a repository row belongs to; 0 when none (such repositories are charged nowhere).
int64_t ProjectOfRepository(Conn& c, int64_t repo);

// Called by InsertManifest after it inserted manifest `manifest_id` (and its blob references), and
// by DeleteManifestRow before it deletes one: each digest the manifest references (itself
// included) gains or loses one reference in the project; a first reference adds its size to the
// project's usage, a last one subtracts it. Usage falling below the warning threshold clears the
// warning state.
void ChargeManifestRefs(Conn& c, int64_t repo, int64_t manifest_id, int64_t now);
void ReleaseManifestRefs(Conn& c, int64_t repo, int64_t manifest_id, int64_t now);

// A request refused for overflow: it would add `adding` bytes to `used`, over `hard`.
struct QuotaRefusal {
  int64_t project_id = 0;
  int64_t adding = 0;
  int64_t used = 0;
  int64_t hard = -1;
  std::string Details() const;  // custom_attributes.Details of QUOTA_EXCEED
  Error ToError() const;        // kDenied with Harbor's message
};

// The project's usage now (within the transaction); nullopt when it has no quota.
std::optional<int64_t> QuotaUsed(Conn& c, int64_t project_id);

// At the end of a write that may have charged the project (a manifest put or a copy) and that
// began when usage was `used_before`: when usage grew and is now over the limit, returns the
// refusal (the caller must roll back). Otherwise, when usage is at or above 85% of the limit and
// no warning was issued since it last was below, marks the warning issued and — when `events`
// asks for QUOTA_WARNING — inserts the event (resources from digest/tag when not empty).
std::optional<QuotaRefusal> SettleCharge(Conn& c, int64_t project_id, int64_t used_before, const EventContext* events,
                                         std::string_view repository, std::string_view digest, std::string_view tag);

// For blob upload completion and mounts: a refusal when `digest` is not yet referenced in the
// project and usage + size would exceed the limit. Charges nothing.
std::optional<QuotaRefusal> CheckNewBlob(Conn& c, int64_t project_id, const std::string& digest, int64_t size);

// After a refused write rolled back: QUOTA_EXCEED in a transaction of its own, when `events` asks
// for it. Failures are logged, never returned (the refusal stands either way).
void RecordQuotaExceeded(Db& db, const EventContext* events, std::string_view repository, std::string_view digest,
                         std::string_view tag, const QuotaRefusal& refusal);

}  // namespace berth::store::sqlite
