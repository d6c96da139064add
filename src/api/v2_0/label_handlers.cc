// Labels: GET/POST /labels, GET/PUT/DELETE /labels/{id}; attaching them to artifacts:
// POST .../artifacts/{reference}/labels {id}, DELETE .../labels/{label_id}.
// Global labels (scope g) are managed by system admins and readable by every signed-in user;
// project labels (scope p) follow the project's label permissions.
#include <charconv>

#include "api/v2_0/artifact_access.h"
#include "api/v2_0/artifact_handlers.h"
#include "api/v2_0/artifact_views.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

constexpr size_t kMaxLabelName = 128;

Result<int64_t> PositiveId(std::string_view text, const char* what) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
    return Fail(Errc::kBadRequest, std::string(what) + " must be a positive integer");
  return id;
}

// May `who` do `action` on labels of `scope` ("g" or "p" with project_id)? Reading global labels
// only needs a signed-in caller. kNotFound when the project does not exist.
Result<void> AuthorizeLabels(RestContext& ctx, const auth::Principal& who, std::string_view scope, int64_t project_id,
                             std::string_view action) {
  if (scope == "g") {
    bool reading = action == "read" || action == "list";
    if (reading ? who.authenticated() : auth::AllowedSystem(who, "label", action)) return {};
    return std::unexpected(Refusal(who));
  }
  auto project = ctx.projects.FindById(project_id);
  if (!project) return std::unexpected(project.error());
  if (!*project) return Fail(Errc::kNotFound, "project " + std::to_string(project_id) + " not found");
  if (!auth::Allowed(who, Ref(**project), "label", action)) return std::unexpected(Refusal(who));
  return {};
}

// The label {label_id}, with the caller authorized for `action` on it.
Result<store::LabelRecord> LoadLabel(RestContext& ctx, const http::Exchange& ex, const auth::Principal& who,
                                     std::string_view action) {
  auto id = PositiveId(ex.Param("label_id"), "label_id");
  if (!id) return std::unexpected(id.error());
  auto label = ctx.labels.Find(*id);
  if (!label) return std::unexpected(label.error());
  if (!*label) return Fail(Errc::kNotFound, "label " + std::to_string(*id) + " not found");
  if (auto ok = AuthorizeLabels(ctx, who, (*label)->scope, (*label)->project_id, action); !ok)
    return std::unexpected(ok.error());
  return std::move(**label);
}

// Copies name, description and color from a JSON body; the name is required when `create`.
Result<void> ReadLabelFields(const Json& body, store::LabelRecord& l, bool create) {
  if (!body.is_object()) return Fail(Errc::kBadRequest, "the body must be a JSON object");
  for (const char* key : {"name", "description", "color"}) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_string()) return Fail(Errc::kBadRequest, std::string(key) + " must be a string");
    std::string v = it->get<std::string>();
    if (std::string_view(key) == "name") l.name = v;
    else if (std::string_view(key) == "description") l.description = v;
    else l.color = v;
  }
  if ((create || body.contains("name")) && (l.name.empty() || l.name.size() > kMaxLabelName))
    return Fail(Errc::kBadRequest, "name must have 1 to 128 characters");
  return {};
}

}  // namespace

http::Task<void> ListLabels(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  store::LabelFilter f;
  f.scope = ex.query().Get("scope").value_or("g");
  if (f.scope != "g" && f.scope != "p") co_return co_await SendError(ex, Error(Errc::kBadRequest, "scope must be g or p"));
  if (f.scope == "p") {
    auto id = PositiveId(ex.query().Get("project_id").value_or(""), "project_id (required with scope=p)");
    if (!id) co_return co_await SendError(ex, id.error());
    f.project_id = *id;
  }
  if (auto ok = AuthorizeLabels(ctx, *who, f.scope, f.project_id, "list"); !ok) co_return co_await SendError(ex, ok.error());
  f.name_part = ex.query().Get("name").value_or("");
  auto list = ctx.labels.List(f, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& l : list->items) items.push_back(LabelJson(l));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> CreateLabel(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  store::LabelRecord l;
  if (auto r = ReadLabelFields(*body, l, true); !r) co_return co_await SendError(ex, r.error());
  auto scope = body->find("scope");
  l.scope = scope != body->end() && scope->is_string() ? scope->get<std::string>() : std::string("g");
  if (l.scope != "g" && l.scope != "p") co_return co_await SendError(ex, Error(Errc::kBadRequest, "scope must be g or p"));
  if (l.scope == "p") {
    auto pid = body->find("project_id");
    if (pid == body->end() || !pid->is_number_integer() || pid->get<int64_t>() <= 0)
      co_return co_await SendError(ex, Error(Errc::kBadRequest, "project_id is required for a project label"));
    l.project_id = pid->get<int64_t>();
  }
  if (auto ok = AuthorizeLabels(ctx, *who, l.scope, l.project_id, "create"); !ok)
    co_return co_await SendError(ex, ok.error());
  auto id = ctx.labels.Create(l);
  if (!id) co_return co_await SendError(ex, id.error());
  co_await SendCreated(ex, "/api/v2.0/labels/" + std::to_string(*id));
}

http::Task<void> GetLabel(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto label = LoadLabel(ctx, ex, *who, "read");
  if (!label) co_return co_await SendError(ex, label.error());
  Json body = LabelJson(*label);
  co_await SendJson(ex, 200, body);
}

http::Task<void> UpdateLabel(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto label = LoadLabel(ctx, ex, *who, "update");
  if (!label) co_return co_await SendError(ex, label.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (auto r = ReadLabelFields(*body, *label, false); !r) co_return co_await SendError(ex, r.error());
  auto done = ctx.labels.Update(*label);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "label not found"));
  co_await SendOk(ex);
}

http::Task<void> DeleteLabel(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto label = LoadLabel(ctx, ex, *who, "delete");
  if (!label) co_return co_await SendError(ex, label.error());
  auto done = ctx.labels.Delete(label->id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "label not found"));
  co_await SendOk(ex);
}

http::Task<void> AttachLabel(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "artifact-label", "create");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto idj = body->is_object() ? body->find("id") : body->end();
  if (!body->is_object() || idj == body->end() || !idj->is_number_integer() || idj->get<int64_t>() <= 0)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be {\"id\": <label id>}"));
  int64_t label_id = idj->get<int64_t>();
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  auto label = ctx.labels.Find(label_id);
  if (!label) co_return co_await SendError(ex, label.error());
  if (!*label) co_return co_await SendError(ex, Error(Errc::kNotFound, "label " + std::to_string(label_id) + " not found"));
  if ((*label)->scope == "p" && (*label)->project_id != scope->project.id)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the label belongs to another project"));
  auto done = ctx.labels.Attach(artifact->id, label_id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the artifact or the label no longer exists"));
  co_await SendOk(ex);
}

http::Task<void> DetachLabel(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "artifact-label", "delete");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto label_id = PositiveId(ex.Param("label_id"), "label_id");
  if (!label_id) co_return co_await SendError(ex, label_id.error());
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  auto done = ctx.labels.Detach(artifact->id, *label_id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the label is not attached to the artifact"));
  co_await SendOk(ex);
}

}  // namespace berth::api::v2_0
