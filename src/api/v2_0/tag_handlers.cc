// Tags of one artifact: GET/POST .../artifacts/{reference}/tags, DELETE .../tags/{tag}. The API
// never re-points a tag: a name already used in the repository is a conflict.
#include "api/v2_0/artifact_access.h"
#include "api/v2_0/artifact_handlers.h"
#include "api/v2_0/harbor_query.h"
#include "api/v2_0/artifact_views.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "oci/reference.h"

namespace berth::api::v2_0 {

http::Task<void> ListTags(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "tag", "list");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  std::string name_part;
  if (auto q = ex.query().Get("q"); q && !q->empty()) {
    auto terms = ParseHarborQuery(*q);
    if (!terms) co_return co_await SendError(ex, terms.error());
    for (const auto& t : *terms) {
      if (t.key != "name" || (t.kind != QueryTerm::Kind::kFuzzy && t.kind != QueryTerm::Kind::kExact))
        co_return co_await SendError(ex, Error(Errc::kBadRequest, "tags can be filtered by name=~<part> only"));
      name_part = t.values.front();
    }
  }
  std::string sort = ex.query().Get("sort").value_or("");
  sort = sort.substr(0, sort.find(','));
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  auto list = ctx.artifacts.ListTags(artifact->id, name_part, sort, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  JsonWriter w(256 * list->items.size() + 2);
  w.BeginArray();
  for (const auto& t : list->items) WriteTag(w, t);
  w.EndArray();
  co_await SendListText(ex, *page, list->total, w.Take());
}

http::Task<void> CreateTag(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "tag", "create");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto name = body->is_object() ? body->find("name") : body->end();
  if (!body->is_object() || name == body->end() || !name->is_string() || !oci::IsValidTag(name->get<std::string>()))
    co_return co_await SendError(
        ex, Error(Errc::kBadRequest, "name must be a tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}"));
  std::string tag = name->get<std::string>();
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  auto done = ctx.artifacts.CreateTag(artifact->id, tag);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the artifact no longer exists"));
  RecordAudit(ctx, scope->who, scope->project.id, scope->repository + ":" + tag, "tag", "create");
  std::string location = std::string(ex.path()) + "/" + tag;
  co_await SendCreated(ex, location);
}

http::Task<void> DeleteTag(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "tag", "delete");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  const std::string& tag = ex.Param("tag");
  auto done = ctx.artifacts.DeleteTag(artifact->id, tag);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done)
    co_return co_await SendError(ex, Error(Errc::kNotFound, "tag " + tag + " not found on artifact " + artifact->digest.str()));
  RecordAudit(ctx, scope->who, scope->project.id, scope->repository + ":" + tag, "tag", "delete");
  co_await SendOk(ex);
}

}  // namespace berth::api::v2_0
