#include "api/v2_0/events.h"

#include "webhook/subscriptions.h"

namespace berth::api::v2_0 {

const store::EventContext* EventsFor(RestContext& ctx, const http::Exchange& ex, const RepoScope& scope,
                                     std::string_view event_type, store::EventContext& storage, bool quota) {
  if (ctx.subscriptions == nullptr) return nullptr;
  storage.artifact = ctx.subscriptions->Wants(scope.project.id, event_type);
  storage.quota_warning = storage.quota_exceed = quota;  // rare; the dispatcher drops unwanted ones
  if (!storage.artifact && !quota) return nullptr;
  storage.operator_name = scope.who.name;
  storage.request_id = std::string(ex.Header("X-Request-Id"));
  return &storage;
}

void EventsCommitted(RestContext& ctx, const store::EventContext* events) {
  if (events != nullptr && ctx.wake_jobs) ctx.wake_jobs();
}

}  // namespace berth::api::v2_0
