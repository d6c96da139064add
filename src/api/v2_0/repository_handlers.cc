// Repositories: GET /repositories, GET /projects/{p}/repositories, GET/PUT/DELETE
// /projects/{p}/repositories/{repository}.
#include "api/v2_0/artifact_access.h"
#include "api/v2_0/artifact_handlers.h"
#include "api/v2_0/harbor_query.h"
#include "api/v2_0/artifact_views.h"
#include "api/v2_0/events.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

// The first key of ?sort=k1,-k2 (the store sorts by one key, then by id).
std::string FirstSortKey(const http::Exchange& ex) {
  std::string sort = ex.query().Get("sort").value_or("");
  return sort.substr(0, sort.find(','));
}

// q=name=<full name> | name=~<part>; sort.
Result<void> ApplyRepositoryQuery(const http::Exchange& ex, store::RepositoryFilter& f) {
  if (auto q = ex.query().Get("q"); q && !q->empty()) {
    auto terms = ParseHarborQuery(*q);
    if (!terms) return std::unexpected(terms.error());
    for (const auto& t : *terms) {
      if (t.key != "name") return Fail(Errc::kBadRequest, "unsupported query key for repositories: " + t.key);
      if (t.kind == QueryTerm::Kind::kExact) f.name = t.values.front();
      else if (t.kind == QueryTerm::Kind::kFuzzy) f.name_part = t.values.front();
      else return Fail(Errc::kBadRequest, "name supports exact (name=v) and fuzzy (name=~v) matches only");
    }
  }
  f.sort = FirstSortKey(ex);
  return {};
}

http::Task<void> SendRepositories(RestContext& ctx, http::Exchange& ex, const store::RepositoryFilter& f,
                                  const PageRequest& page) {
  auto list = ctx.artifacts.ListRepositories(f, page.paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& r : list->items) items.push_back(RepositoryJson(r));
  co_await SendList(ex, page, list->total, items);
}

}  // namespace

http::Task<void> ListAllRepositories(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  store::RepositoryFilter f;
  f.visibility = VisibilityOf(ctx, *who);
  if (auto r = ApplyRepositoryQuery(ex, f); !r) co_return co_await SendError(ex, r.error());
  co_await SendRepositories(ctx, ex, f, *page);
}

http::Task<void> ListProjectRepositories(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "repository", "list");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  store::RepositoryFilter f;
  f.project_id = ok->second.id;
  if (auto r = ApplyRepositoryQuery(ex, f); !r) co_return co_await SendError(ex, r.error());
  co_await SendRepositories(ctx, ex, f, *page);
}

// Harbor guards reading one repository with repository:list, the permission public projects give
// everyone and robots are granted, not repository:read.
http::Task<void> GetRepository(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "repository", "list");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto repo = ctx.artifacts.FindRepository(scope->repository);
  if (!repo) co_return co_await SendError(ex, repo.error());
  if (!*repo) co_return co_await SendError(ex, Error(Errc::kNotFound, "repository " + scope->repository + " not found"));
  Json body = RepositoryJson(**repo);
  co_await SendJson(ex, 200, body);
}

http::Task<void> UpdateRepository(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "repository", "update");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  std::string description;
  if (auto d = body->find("description"); d != body->end() && !d->is_null()) {
    if (!d->is_string()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "description must be a string"));
    description = d->get<std::string>();
  }
  auto done = ctx.artifacts.SetRepositoryDescription(scope->repository, description);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "repository " + scope->repository + " not found"));
  co_await SendOk(ex);
}

http::Task<void> DeleteRepository(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "repository", "delete");
  if (!scope) co_return co_await SendError(ex, scope.error());
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, *scope, "DELETE_ARTIFACT", storage);
  auto done = ctx.artifacts.DeleteRepository(scope->repository, events);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "repository " + scope->repository + " not found"));
  EventsCommitted(ctx, events);
  RecordAudit(ctx, scope->who, scope->project.id, scope->repository, "repository", "delete");
  co_await SendOk(ex);
}

}  // namespace berth::api::v2_0
