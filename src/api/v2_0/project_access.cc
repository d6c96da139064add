#include "api/v2_0/project_access.h"

#include <charconv>

#include "api/v2_0/security.h"
#include "base/log.h"

namespace berth::api::v2_0 {

auth::ProjectRef Ref(const store::ProjectRecord& p) { return {p.id, p.name, p.is_public}; }

Result<store::ProjectRecord> LoadProject(RestContext& ctx, const http::Exchange& ex) {
  const std::string& key = ex.Param("project");
  bool by_name = ex.Header("X-Is-Resource-Name") == "true";
  int64_t id = 0;
  auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  bool is_id = !by_name && ec == std::errc() && p == key.data() + key.size();
  if (!is_id && ctx.project_lookup) {
    auto cached = ctx.project_lookup->FindByName(key);
    if (!cached) return std::unexpected(cached.error());
    if (!*cached) return Fail(Errc::kNotFound, "project " + key + " not found");
    return **cached;
  }
  auto found = is_id ? ctx.projects.FindById(id) : ctx.projects.FindByName(key);
  if (!found) return std::unexpected(found.error());
  if (!*found) return Fail(Errc::kNotFound, "project " + key + " not found");
  return std::move(**found);
}

Result<std::pair<auth::Principal, store::ProjectRecord>> Authorized(RestContext& ctx, const http::Exchange& ex,
                                                                    std::string_view resource,
                                                                    std::string_view action) {
  auto who = Authenticate(ctx, ex);
  if (!who) return std::unexpected(who.error());
  auto project = LoadProject(ctx, ex);
  if (!project) return std::unexpected(project.error());
  if (!auth::Allowed(*who, Ref(*project), resource, action)) return std::unexpected(Refusal(*who));
  return std::make_pair(std::move(*who), std::move(*project));
}

void RecordAudit(RestContext& ctx, const auth::Principal& who, int64_t project_id, std::string_view resource,
                 std::string_view resource_type, std::string_view operation) {
  store::AuditRecord a;
  a.project_id = project_id;
  a.username = who.name;
  a.resource = std::string(resource);
  a.resource_type = std::string(resource_type);
  a.operation = std::string(operation);
  a.event_type = std::string(operation) + "_" + std::string(resource_type);
  if (auto r = ctx.audit.Append(a); !r) spdlog::warn("audit write failed error={}", r.error().Message());
}

}  // namespace berth::api::v2_0
