#include <charconv>

#include "api/v2_0/handlers.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/project_metadata.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"
#include "api/v2_0/views.h"
#include "oci/reference.h"

namespace berth::api::v2_0 {
namespace {

using auth::Principal;
using store::ProjectRecord;

}  // namespace

http::Task<void> ListProjects(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  store::ProjectFilter f;
  f.name_part = ex.query().Get("name").value_or("");
  if (auto pub = ex.query().Get("public")) {
    if (*pub != "true" && *pub != "false") co_return co_await SendError(ex, Error(Errc::kBadRequest, "public must be true or false"));
    f.is_public = *pub == "true";
  }
  if (!who->sysadmin && who->kind == Principal::Kind::kUser) {
    f.visible_to = who->id;
  } else if (!who->sysadmin) {  // anonymous callers and robots list public projects only
    if (!f.is_public.value_or(true)) co_return co_await SendList(ex, *page, 0, Json::array());
    f.is_public = true;
  }
  auto list = ctx.projects.List(f, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& p : list->items) items.push_back(ProjectJson(p, *who));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> HeadProject(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto name = ex.query().Get("project_name");
  if (!name || name->empty()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "project_name is required"));
  auto found = ctx.projects.FindByName(*name);
  if (!found) co_return co_await SendError(ex, found.error());
  if (!*found) co_return co_await SendError(ex, Error(Errc::kNotFound, "project " + *name + " not found"));
  co_await SendOk(ex);
}

http::Task<void> CreateProject(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (who->kind != Principal::Kind::kUser && !auth::AllowedSystem(*who, "project", "create"))
    co_return co_await SendError(ex, Refusal(*who));
  // project_creation_restriction=adminonly: only system admins create projects (Harbor).
  if (ctx.settings && ctx.settings->AdminOnlyProjectCreation() && !who->sysadmin)
    co_return co_await SendError(ex, Error(Errc::kForbidden, "only system admins can create projects"));
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  ProjectRecord p;
  auto name = body->find("project_name");
  if (name == body->end() || !name->is_string() || !berth::oci::IsValidHarborName(name->get<std::string>()))
    co_return co_await SendError(
        ex, Error(Errc::kBadRequest, "project_name must be 1-255 lower-case letters, digits and single . _ - between them"));
  p.name = name->get<std::string>();
  p.owner_id = who->kind == Principal::Kind::kUser ? who->id : 1;
  if (auto pub = body->find("public"); pub != body->end() && pub->is_boolean()) p.is_public = pub->get<bool>();
  if (auto meta = body->find("metadata"); meta != body->end() && !meta->is_null()) {
    if (auto r = ReadMetadata(*meta, p.metadata); !r) co_return co_await SendError(ex, r.error());
    if (auto it = p.metadata.find("public"); it != p.metadata.end()) p.is_public = it->second == "true";
  }
  // Without storage_limit, the system setting storage_per_project (-1 = unlimited) applies.
  if (ctx.settings) p.storage_limit = ctx.settings->Int("storage_per_project");
  if (auto limit = body->find("storage_limit"); limit != body->end() && !limit->is_null()) {
    if (!limit->is_number_integer()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "storage_limit must be an integer"));
    int64_t n = limit->get<int64_t>();
    if (n != -1 && (n < 1 || n > (int64_t{1} << 50)))
      co_return co_await SendError(ex, Error(Errc::kBadRequest, "storage_limit must be -1 or between 1 and 2^50"));
    p.storage_limit = n;
  }
  auto id = ctx.projects.Create(p);
  if (!id) co_return co_await SendError(ex, id.error());
  p.id = *id;
  RecordAudit(ctx, *who, p.id, p.name, "project", "create");
  co_await SendCreated(ex, "/api/v2.0/projects/" + std::to_string(*id));
}

http::Task<void> GetProject(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "project", "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  co_await SendJson(ex, 200, ProjectJson(ok->second, ok->first));
}

http::Task<void> UpdateProject(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "project", "update");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  ProjectRecord p = ok->second;
  p.metadata.clear();
  if (auto meta = body->find("metadata"); meta != body->end() && !meta->is_null()) {
    if (auto r = ReadMetadata(*meta, p.metadata); !r) co_return co_await SendError(ex, r.error());
    if (auto it = p.metadata.find("public"); it != p.metadata.end()) p.is_public = it->second == "true";
  }
  if (auto r = ctx.projects.Update(p); !r) co_return co_await SendError(ex, r.error());
  RecordAudit(ctx, ok->first, p.id, p.name, "project", "update");
  co_await SendOk(ex);
}

http::Task<void> DeleteProject(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "project", "delete");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto done = ctx.projects.Delete(ok->second.id);
  if (!done) co_return co_await SendError(ex, done.error());
  RecordAudit(ctx, ok->first, ok->second.id, ok->second.name, "project", "delete");
  co_await SendOk(ex);
}

http::Task<void> ProjectDeletable(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "project", "delete");
  if (!ok) co_return co_await SendError(ex, ok.error());
  Json body;
  body["deletable"] = ok->second.repo_count == 0;
  if (ok->second.repo_count > 0) body["message"] = "the project contains repositories and cannot be deleted";
  co_await SendJson(ex, 200, body);
}

http::Task<void> ProjectSummary(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "project", "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  const auto& p = ok->second;
  auto members = ctx.members.List(p.id, "", store::Paging{0, 100000});
  if (!members) co_return co_await SendError(ex, members.error());
  int counts[6] = {0, 0, 0, 0, 0, 0};
  for (const auto& m : members->items)
    if (m.role >= 1 && m.role <= 5) ++counts[m.role];
  Json body;
  body["repo_count"] = p.repo_count;
  body["project_admin_count"] = counts[1];
  body["maintainer_count"] = counts[4];
  body["developer_count"] = counts[2];
  body["guest_count"] = counts[3];
  body["limited_guest_count"] = counts[5];
  if (ctx.quotas) {
    auto quota = ctx.quotas->FindByProject(p.id);
    if (!quota) co_return co_await SendError(ex, quota.error());
    if (*quota) body["quota"] = Json{{"hard", Json{{"storage", (*quota)->hard}}}, {"used", Json{{"storage", (*quota)->used}}}};
  }
  co_await SendJson(ex, 200, body);
}

void RegisterProjectRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  // HEAD /projects is its own route and comes before GET /projects (which would also serve HEAD).
  static const RouteRow kRoutes[] = {
      {Verb::head, "/api/v2.0/projects", HeadProject},
      {Verb::get, "/api/v2.0/projects", ListProjects},
      {Verb::post, "/api/v2.0/projects", CreateProject},
      {Verb::get, "/api/v2.0/projects/{project}", GetProject},
      {Verb::put, "/api/v2.0/projects/{project}", UpdateProject},
      {Verb::delete_, "/api/v2.0/projects/{project}", DeleteProject},
      {Verb::get, "/api/v2.0/projects/{project}/_deletable", ProjectDeletable},
      {Verb::get, "/api/v2.0/projects/{project}/summary", ProjectSummary},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
