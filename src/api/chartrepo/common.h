// Helpers shared by the chart repository handlers: authorization on a project named in the path
// (chartrepo URLs carry names, never ids), the webhook event context of a change, and the audit
// entry of an upload or delete. Stateless.
#pragma once
#include <string>
#include <string_view>
#include <utility>

#include "api/chartrepo/context.h"
#include "auth/rbac.h"
#include "http/exchange.h"
#include "store/outbox.h"

namespace berth::api::chartrepo {

// Authenticates (Basic, session or anonymous), loads project `name` (404) and checks
// (resource, action): 401 for anonymous callers, 403 for others.
Result<std::pair<auth::Principal, store::ProjectRecord>> Authorize(ChartRepoContext& ctx, const http::Exchange& ex,
                                                                   const std::string& project, std::string_view resource,
                                                                   std::string_view action);

// &storage filled with the caller when the project subscribes to `event_type`; nullptr otherwise.
const store::EventContext* EventsFor(ChartRepoContext& ctx, const http::Exchange& ex, const auth::Principal& who,
                                     int64_t project_id, std::string_view event_type, store::EventContext& storage);

// Audit entry "<project>/<name>:<version>" of type artifact (operation create or delete).
void AuditChart(ChartRepoContext& ctx, const auth::Principal& who, const store::ProjectRecord& project,
                const std::string& name, const std::string& version, std::string_view operation);

}  // namespace berth::api::chartrepo
