// Loading the {project_name_or_id} of a request and authorizing the caller on it, shared by every
// project-scoped handler (projects, members, robots, repositories, artifacts, logs). Stateless.
#pragma once
#include <string_view>
#include <utility>

#include "api/v2_0/context.h"
#include "auth/rbac.h"
#include "http/exchange.h"
#include "store/identity_records.h"

namespace berth::api::v2_0 {

auth::ProjectRef Ref(const store::ProjectRecord& p);

// {project}: numeric means an id unless the request says X-Is-Resource-Name: true. 404 when absent.
Result<store::ProjectRecord> LoadProject(RestContext& ctx, const http::Exchange& ex);

// Authenticates, loads the project and checks `action` on `resource`. Callers that may not act get
// 401 (anonymous) or 403 (authenticated).
Result<std::pair<auth::Principal, store::ProjectRecord>> Authorized(RestContext& ctx, const http::Exchange& ex,
                                                                    std::string_view resource,
                                                                    std::string_view action);

// Appends an audit record for an operation by `who`; failures to write the log are logged, never
// fail the request. `project_id` 0 = not project-scoped.
void RecordAudit(RestContext& ctx, const auth::Principal& who, int64_t project_id, std::string_view resource,
                 std::string_view resource_type, std::string_view operation);

}  // namespace berth::api::v2_0
