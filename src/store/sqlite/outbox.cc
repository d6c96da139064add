#include "store/sqlite/outbox.h"

#include "base/clock.h"
#include "store/sqlite/job_queue.h"

namespace berth::store::sqlite {

namespace {

// One event job in the caller's transaction.
void InsertEvent(Conn& c, const EventContext& ctx, std::string_view type, std::string_view repository,
                 std::string_view digest, std::string_view tag, std::string_view details) {
  ArtifactEventRecord e;
  e.type = std::string(type);
  e.occur_at = NowUnixSeconds();
  e.operator_name = ctx.operator_name;
  e.request_id = ctx.request_id;
  e.repository = std::string(repository);
  e.digest = std::string(digest);
  e.tag = std::string(tag);
  e.details = std::string(details);
  NewJob job;
  job.kind = std::string(kEventJobKind);
  job.payload = ToJson(e);
  job.max_attempts = 10;  // dispatching only reads and writes the store
  InsertJob(c, job);
}

}  // namespace

void InsertArtifactEvent(Conn& c, const EventContext& ctx, std::string_view type, std::string_view repository,
                         std::string_view digest, std::string_view tag) {
  if (ctx.artifact) InsertEvent(c, ctx, type, repository, digest, tag, "");
}

void InsertQuotaEvent(Conn& c, const EventContext& ctx, std::string_view type, std::string_view repository,
                      std::string_view digest, std::string_view tag, std::string_view details) {
  InsertEvent(c, ctx, type, repository, digest, tag, details);
}

std::string FirstTag(Conn& c, int64_t manifest_id) {
  auto s = c.Prepare("SELECT name FROM tags WHERE manifest_id = ? ORDER BY pushed_at, id LIMIT 1");
  s.Bind(1, manifest_id);
  return s.Step() ? s.Text(0) : std::string();
}

}  // namespace berth::store::sqlite
