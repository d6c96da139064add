#include <charconv>
#include <set>

#include "api/v2_0/handlers.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

using auth::Principal;
using store::ProjectRecord;

// Metadata keys a project may carry (all values are strings, as in Harbor).
const std::set<std::string, std::less<>> kMetadataKeys = {
    "public", "enable_content_trust", "enable_content_trust_cosign", "prevent_vul", "severity", "auto_scan",
    "auto_sbom_generation", "reuse_sys_cve_allowlist"};

bool ValidProjectName(std::string_view n) {
  if (n.empty() || n.size() > 255) return false;
  bool prev_sep = true;
  for (char c : n) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    bool sep = c == '.' || c == '_' || c == '-';
    if (!alnum && !sep) return false;
    if (sep && prev_sep) return false;
    prev_sep = sep;
  }
  return !prev_sep;
}

auth::ProjectRef Ref(const ProjectRecord& p) { return {p.id, p.name, p.is_public}; }

Json ProjectJson(const ProjectRecord& p, const Principal& who) {
  Json j;
  j["project_id"] = p.id;
  j["owner_id"] = p.owner_id;
  j["name"] = p.name;
  j["registry_id"] = 0;
  j["creation_time"] = HarborTime(p.created_at);
  j["update_time"] = HarborTime(p.updated_at);
  j["deleted"] = false;
  j["owner_name"] = p.owner_name;
  Json roles = Json::array();
  if (auto it = who.project_roles.find(p.id); it != who.project_roles.end())
    for (auto r : it->second) roles.push_back(static_cast<int>(r));
  j["current_user_role_id"] = roles.empty() ? 0 : roles.front().get<int>();
  j["current_user_role_ids"] = roles;
  j["repo_count"] = p.repo_count;
  Json meta = Json::object();
  for (const auto& [k, v] : p.metadata) meta[k] = v;
  j["metadata"] = meta;
  return j;
}

// {project_name_or_id}: numeric means an id unless X-Is-Resource-Name: true.
Result<ProjectRecord> LoadProject(RestContext& ctx, const http::Exchange& ex) {
  const std::string& key = ex.Param("project");
  bool by_name = ex.Header("X-Is-Resource-Name") == "true";
  int64_t id = 0;
  auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  auto found = (!by_name && ec == std::errc() && p == key.data() + key.size()) ? ctx.projects.FindById(id)
                                                                               : ctx.projects.FindByName(key);
  if (!found) return std::unexpected(found.error());
  if (!*found) return Fail(Errc::kNotFound, "project " + key + " not found");
  return std::move(**found);
}

// Loads the project and checks `action` on `resource` for the caller. A private project the
// caller may not read is reported as 401/403, never as existing-but-hidden detail.
Result<std::pair<Principal, ProjectRecord>> Authorized(RestContext& ctx, const http::Exchange& ex,
                                                       std::string_view resource, std::string_view action) {
  auto who = Authenticate(ctx, ex);
  if (!who) return std::unexpected(who.error());
  auto project = LoadProject(ctx, ex);
  if (!project) return std::unexpected(project.error());
  if (!auth::Allowed(*who, Ref(*project), resource, action)) return std::unexpected(Refusal(*who));
  return std::make_pair(std::move(*who), std::move(*project));
}

// Validates a metadata object and copies it into `out` (values as strings).
Result<void> ReadMetadata(const Json& meta, std::map<std::string, std::string>& out) {
  if (!meta.is_object()) return Fail(Errc::kBadRequest, "metadata must be an object");
  for (const auto& [k, v] : meta.items()) {
    if (!kMetadataKeys.contains(k)) return Fail(Errc::kBadRequest, "unknown project metadata key: " + k);
    if (v.is_string()) out[k] = v.get<std::string>();
    else if (v.is_boolean()) out[k] = v.get<bool>() ? "true" : "false";
    else return Fail(Errc::kBadRequest, "metadata " + k + " must be a string");
    if ((k != "severity") && out[k] != "true" && out[k] != "false")
      return Fail(Errc::kBadRequest, "metadata " + k + " must be \"true\" or \"false\"");
  }
  return {};
}

void Audit(RestContext& ctx, const Principal& who, const ProjectRecord& p, const char* op) {
  store::AuditRecord a;
  a.project_id = p.id;
  a.username = who.name;
  a.resource = p.name;
  a.resource_type = "project";
  a.operation = op;
  a.event_type = std::string(op) + "_project";
  (void)ctx.audit.Append(a);
}

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
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  ProjectRecord p;
  auto name = body->find("project_name");
  if (name == body->end() || !name->is_string() || !ValidProjectName(name->get<std::string>()))
    co_return co_await SendError(
        ex, Error(Errc::kBadRequest, "project_name must be 1-255 lower-case letters, digits and single . _ - between them"));
  p.name = name->get<std::string>();
  p.owner_id = who->kind == Principal::Kind::kUser ? who->id : 1;
  if (auto pub = body->find("public"); pub != body->end() && pub->is_boolean()) p.is_public = pub->get<bool>();
  if (auto meta = body->find("metadata"); meta != body->end() && !meta->is_null()) {
    if (auto r = ReadMetadata(*meta, p.metadata); !r) co_return co_await SendError(ex, r.error());
    if (auto it = p.metadata.find("public"); it != p.metadata.end()) p.is_public = it->second == "true";
  }
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
  Audit(ctx, *who, p, "create");
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
  Audit(ctx, ok->first, p, "update");
  co_await SendOk(ex);
}

http::Task<void> DeleteProject(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "project", "delete");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto done = ctx.projects.Delete(ok->second.id);
  if (!done) co_return co_await SendError(ex, done.error());
  Audit(ctx, ok->first, ok->second, "delete");
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
  co_await SendJson(ex, 200, body);
}

}  // namespace berth::api::v2_0
