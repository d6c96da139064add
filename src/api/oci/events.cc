#include "api/oci/events.h"

#include "api/oci/gate.h"
#include "auth/project_lookup.h"
#include "base/clock.h"
#include "webhook/pull_events.h"
#include "webhook/subscriptions.h"

namespace berth::api::oci {

const store::EventContext* EventsFor(OciContext& ctx, const http::Exchange& ex, std::string_view repository,
                                     std::string_view event_type, store::EventContext& storage, bool quota) {
  if (ctx.subscriptions == nullptr) return nullptr;
  // Quota events are rare (a refusal, or one warning per crossing): they are always recorded and
  // the dispatcher drops those no policy wants, so a blob upload costs no subscription lookups.
  storage.quota_warning = storage.quota_exceed = quota;
  storage.artifact = false;
  if (!event_type.empty()) {
    auto project = ctx.projects.FindByName(repository.substr(0, repository.find('/')));
    if (project && *project == nullptr) return nullptr;  // (a failed lookup still records: see Subscriptions)
    storage.artifact = !project || ctx.subscriptions->Wants((*project)->id, event_type);
  }
  if (!storage.artifact && !quota) return nullptr;
  storage.operator_name = ex.Param(kPrincipalParam);
  storage.request_id = std::string(ex.Header("X-Request-Id"));
  return &storage;
}

void PublishPull(OciContext& ctx, const http::Exchange& ex, const std::string& repository, const Digest& digest,
                 std::string_view tag) {
  if (ctx.pull_events == nullptr || ex.Header("User-Agent").starts_with("harbor-registry-client")) return;
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, repository, "PULL_ARTIFACT", storage);
  if (events == nullptr) return;
  store::ArtifactEventRecord e;
  e.type = "PULL_ARTIFACT";
  e.occur_at = NowUnixSeconds();
  e.operator_name = events->operator_name;
  e.request_id = events->request_id;
  e.repository = repository;
  e.digest = digest.str();
  e.tag = std::string(tag);
  ctx.pull_events->Publish(std::move(e));
}

}  // namespace berth::api::oci
