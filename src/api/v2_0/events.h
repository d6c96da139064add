// Which REST changes leave webhook events: artifact deletes, repository deletes and artifact
// copies (with their quota events) pass the returned EventContext to their store write, so the events commit with the
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
// subscribes to `event_type`, or always with `quota` (a write that charges storage records its rare
// QUOTA_WARNING / QUOTA_EXCEED whatever the subscriptions; the dispatcher drops unwanted ones);
// nullptr otherwise. storage's flags say which of them to record.
const store::EventContext* EventsFor(RestContext& ctx, const http::Exchange& ex, const RepoScope& scope,
                                     std::string_view event_type, store::EventContext& storage, bool quota = false);
// After a write that recorded events: wake the job runner.
void EventsCommitted(RestContext& ctx, const store::EventContext* events);

}  // namespace berth::api::v2_0
