// Which REST changes leave webhook events: artifact deletes, repository deletes and artifact
// copies pass the returned EventContext to their store write, so the events commit with the
// change. Nothing is recorded for a project without an enabled policy for the type.
// Stateless; thread-safe as RestContext's parts are.
#pragma once
#include <string_view>

#include "api/v2_0/artifact_access.h"
#include "api/v2_0/context.h"
#include "http/exchange.h"
#include "store/outbox.h"

namespace berth::api::v2_0 {

// &storage (operator = the caller, request id from X-Request-Id) when the scope's project
// subscribes to `event_type`; nullptr otherwise.
const store::EventContext* EventsFor(RestContext& ctx, const http::Exchange& ex, const RepoScope& scope,
                                     std::string_view event_type, store::EventContext& storage);
// After a write that recorded events: wake the job runner.
void EventsCommitted(RestContext& ctx, const store::EventContext* events);

}  // namespace berth::api::v2_0
