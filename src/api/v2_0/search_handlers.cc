// GET /search?q= (projects and repositories whose names contain q, among those the caller may see)
// and GET /statistics (project and repository counts the caller may see; storage for admins).
#include "api/v2_0/artifact_access.h"
#include "api/v2_0/artifact_handlers.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"
#include "api/v2_0/views.h"

namespace berth::api::v2_0 {
namespace {

// Search answers are not paged (as in Harbor); this bounds them.
constexpr int64_t kMaxSearchResults = 1000;

}  // namespace

http::Task<void> Search(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto q = ex.query().Get("q");
  if (!q) co_return co_await SendError(ex, Error(Errc::kBadRequest, "q is required"));
  store::ProjectFilter pf;
  pf.name_part = *q;
  if (!who->sysadmin) {
    if (who->kind == auth::Principal::Kind::kUser) pf.visible_to = who->id;
    else pf.is_public = true;
  }
  auto projects = ctx.projects.List(pf, store::Paging{0, kMaxSearchResults});
  if (!projects) co_return co_await SendError(ex, projects.error());
  store::RepositoryFilter rf;
  rf.name_part = *q;
  rf.visibility = VisibilityOf(ctx, *who);
  rf.sort = "name";
  auto repos = ctx.artifacts.ListRepositories(rf, store::Paging{0, kMaxSearchResults});
  if (!repos) co_return co_await SendError(ex, repos.error());
  Json body;
  body["project"] = Json::array();
  for (const auto& p : projects->items) body["project"].push_back(ProjectJson(p, *who));
  body["repository"] = Json::array();
  for (const auto& r : repos->items) {
    Json j;
    j["project_id"] = r.project_id;
    j["project_name"] = r.project_name;
    j["project_public"] = r.project_public;
    j["repository_name"] = r.name;
    j["pull_count"] = r.pull_count;
    j["artifact_count"] = r.artifact_count;
    body["repository"].push_back(std::move(j));
  }
  co_await SendJson(ex, 200, body);
}

http::Task<void> Statistics(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->authenticated()) co_return co_await SendError(ex, Refusal(*who));
  auto stats = ctx.artifacts.Statistics(VisibilityOf(ctx, *who));
  if (!stats) co_return co_await SendError(ex, stats.error());
  Json body;
  body["private_project_count"] = stats->private_projects;
  body["private_repo_count"] = stats->private_repositories;
  body["public_project_count"] = stats->public_projects;
  body["public_repo_count"] = stats->public_repositories;
  body["total_project_count"] = stats->private_projects + stats->public_projects;
  body["total_repo_count"] = stats->private_repositories + stats->public_repositories;
  if (who->sysadmin) body["total_storage_consumption"] = stats->storage_bytes;
  co_await SendJson(ex, 200, body);
}

}  // namespace berth::api::v2_0
