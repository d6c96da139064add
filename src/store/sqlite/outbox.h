// The SQLite side of the outbox rule (store/outbox.h): artifact and quota events inserted as "event" jobs
// on the caller's write transaction. Call only inside Db::Write.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "store/outbox.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

void InsertArtifactEvent(Conn& c, const EventContext& ctx, std::string_view type, std::string_view repository,
                         std::string_view digest, std::string_view tag);

// A QUOTA_WARNING or QUOTA_EXCEED (the caller checked ctx's flag); digest and tag may be "".
void InsertQuotaEvent(Conn& c, const EventContext& ctx, std::string_view type, std::string_view repository,
                      std::string_view digest, std::string_view tag, std::string_view details);

// The tag an event names for an artifact: its oldest tag (push time, then id), or "".
std::string FirstTag(Conn& c, int64_t manifest_id);

}  // namespace berth::store::sqlite
