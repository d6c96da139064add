// The chart repository's routes. The management API answers under both /api/chartrepo (what
// helm cm-push and Harbor ≤ 2.7 clients call) and /api/v2.0/chartrepo.
#include "api/chartrepo/handlers.h"
#include "api/v2_0/render.h"

namespace berth::api::chartrepo {
namespace {

using Fn = http::Task<void> (*)(ChartRepoContext&, http::Exchange&);

struct ChartRoute {
  http::Verb method;
  const char* pattern;  // below the API prefix
  Fn handler;
};

const ChartRoute kApiRoutes[] = {
    {http::Verb::get, "/health", Health},
    {http::Verb::post, "/charts", UploadChart},
    {http::Verb::post, "/{project}/charts", UploadChart},
    {http::Verb::post, "/{project}/prov", UploadProvenance},
    {http::Verb::get, "/{project}/charts", ListCharts},
    {http::Verb::get, "/{project}/charts/{name}", ListVersions},
    {http::Verb::delete_, "/{project}/charts/{name}", DeleteChart},
    {http::Verb::get, "/{project}/charts/{name}/{version}", GetVersion},
    {http::Verb::delete_, "/{project}/charts/{name}/{version}", DeleteVersion},
    {http::Verb::get, "/{project}/charts/{name}/{version}/labels", ListVersionLabels},
    {http::Verb::post, "/{project}/charts/{name}/{version}/labels", AddVersionLabel},
    {http::Verb::delete_, "/{project}/charts/{name}/{version}/labels/{id}", RemoveVersionLabel},
};

const ChartRoute kRepoRoutes[] = {
    {http::Verb::get, "/chartrepo/index.yaml", GetMergedIndex},
    {http::Verb::get, "/chartrepo/{project}/index.yaml", GetIndex},
    {http::Verb::get, "/chartrepo/{project}/charts/{file}", DownloadChart},
    {http::Verb::head, "/chartrepo/{project}/charts/{file}", DownloadChart},
};

void Add(http::Router& router, ChartRepoContext& ctx, const std::string& prefix, const ChartRoute& r) {
  Fn fn = r.handler;
  router.Add(r.method, prefix + r.pattern, [&ctx, fn](http::Exchange& ex) { return fn(ctx, ex); });
}

}  // namespace

void RegisterRoutes(http::Router& router, ChartRepoContext& ctx) {
  for (const char* prefix : {"/api/chartrepo", "/api/v2.0/chartrepo"})
    for (const auto& r : kApiRoutes) Add(router, ctx, prefix, r);
  for (const auto& r : kRepoRoutes) Add(router, ctx, "", r);
  router.SetErrorRenderer("/chartrepo", v2_0::SendError);
}

}  // namespace berth::api::chartrepo
