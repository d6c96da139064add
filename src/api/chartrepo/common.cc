#include "api/chartrepo/common.h"

#include "api/v2_0/project_access.h"
#include "api/v2_0/security.h"
#include "webhook/subscriptions.h"

namespace berth::api::chartrepo {

Result<std::pair<auth::Principal, store::ProjectRecord>> Authorize(ChartRepoContext& ctx, const http::Exchange& ex,
                                                                   const std::string& project, std::string_view resource,
                                                                   std::string_view action) {
  auto who = v2_0::Authenticate(ctx.rest, ex);
  if (!who) return std::unexpected(who.error());
  auto found = ctx.rest.projects.FindByName(project);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    if (!who->authenticated()) return std::unexpected(v2_0::Refusal(*who));  // do not reveal private names
    return Fail(Errc::kNotFound, "project " + project + " not found");
  }
  if (!auth::Allowed(*who, v2_0::Ref(**found), resource, action)) return std::unexpected(v2_0::Refusal(*who));
  return std::make_pair(std::move(*who), std::move(**found));
}

const store::EventContext* EventsFor(ChartRepoContext& ctx, const http::Exchange& ex, const auth::Principal& who,
                                     int64_t project_id, std::string_view event_type, store::EventContext& storage) {
  if (ctx.rest.subscriptions == nullptr || !ctx.rest.subscriptions->Wants(project_id, event_type)) return nullptr;
  storage.operator_name = who.name;
  storage.request_id = std::string(ex.Header("X-Request-Id"));
  return &storage;
}

void AuditChart(ChartRepoContext& ctx, const auth::Principal& who, const store::ProjectRecord& project,
                const std::string& name, const std::string& version, std::string_view operation) {
  v2_0::RecordAudit(ctx.rest, who, project.id, project.name + "/" + name + ":" + version, "artifact", operation);
}

}  // namespace berth::api::chartrepo
