#include "api/v2_0/permissions_handlers.h"

#include <charconv>

#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

using auth::Principal;

Json PermissionList(const std::vector<std::pair<std::string, std::string>>& perms) {
  Json out = Json::array();
  for (const auto& [resource, action] : perms) out.push_back(Json{{"resource", resource}, {"action", action}});
  return out;
}

bool AdminOfSomeProject(const Principal& who) {
  for (const auto& [project, roles] : who.project_roles)
    for (auto r : roles)
      if (r == auth::Role::kProjectAdmin) return true;
  return false;
}

// GET /permissions: system admins see both catalogs, project admins the project one (as in
// Harbor, the system catalog is not shown to them); anyone else is refused.
http::Task<void> GetPermissions(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  bool sysadmin = who->sysadmin;
  if (!sysadmin && !(who->kind == Principal::Kind::kUser && AdminOfSomeProject(*who)))
    co_return co_await SendError(ex, Refusal(*who));
  Json body;
  if (sysadmin) body["system"] = PermissionList(auth::SystemPermissionCatalog());
  body["project"] = PermissionList(auth::ProjectPermissionCatalog());
  co_await SendJson(ex, 200, body);
}

// "/project/12" → 12; anything else → nullopt.
std::optional<int64_t> ProjectScope(std::string_view scope) {
  constexpr std::string_view kPrefix = "/project/";
  if (!scope.starts_with(kPrefix)) return std::nullopt;
  scope.remove_prefix(kPrefix.size());
  if (scope.ends_with('/')) scope.remove_suffix(1);
  int64_t id = 0;
  auto [p, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), id);
  if (ec != std::errc() || p != scope.data() + scope.size() || id < 1) return std::nullopt;
  return id;
}

// GET /users/current/permissions?scope=/project/{id}&relative=true|false: the project-level
// (resource, action) pairs the caller holds there; with relative=false (the default) each resource
// is prefixed with the scope. An unknown scope or project yields an empty list.
http::Task<void> CurrentUserPermissions(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->authenticated()) co_return co_await SendError(ex, Refusal(*who));
  std::string relative_text = ex.query().Get("relative").value_or("false");
  if (relative_text != "true" && relative_text != "false")
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "relative must be true or false"));
  bool relative = relative_text == "true";
  Json out = Json::array();
  if (auto id = ProjectScope(ex.query().Get("scope").value_or(""))) {
    auto project = ctx.projects.FindById(*id);
    if (!project) co_return co_await SendError(ex, project.error());
    if (*project) {
      std::string prefix = "/project/" + std::to_string(*id) + "/";
      for (const auto& [resource, action] : auth::ProjectPermissionCatalog()) {
        if (!auth::Allowed(*who, Ref(**project), resource, action)) continue;
        out.push_back(Json{{"resource", relative ? resource : prefix + resource}, {"action", action}});
      }
    }
  }
  co_await SendJson(ex, 200, out);
}

}  // namespace

void RegisterPermissionRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/permissions", GetPermissions},
      {Verb::get, "/api/v2.0/users/current/permissions", CurrentUserPermissions},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
