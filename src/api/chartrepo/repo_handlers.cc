// The Helm repository side: index.yaml (one project, or all of them for system admins), chart and
// provenance downloads, uploads (helm cm-push's multipart form, or a raw .tgz), provenance
// uploads, and the health probe.
#include "api/chartrepo/common.h"
#include "api/chartrepo/handlers.h"
#include "api/chartrepo/staging.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"
#include "base/clock.h"
#include "chart/index_yaml.h"
#include "webhook/pull_events.h"

namespace berth::api::chartrepo {
namespace {

using v2_0::Json;
using v2_0::SendError;

bool AcceptsGzip(const http::Exchange& ex) {
  for (auto item : ex.HeaderList("Accept-Encoding")) {
    item = item.substr(0, item.find(';'));
    if (item == "gzip" || item == "x-gzip") return true;
  }
  return false;
}

// The body from the snapshot's memory file with sendfile(2) when there is one (large indexes),
// else copied.
http::Task<void> SendIndex(http::Exchange& ex, const std::string& yaml, const std::string* gzip,
                           const std::string& etag, const chart::ProjectCharts* snapshot) {
  http::Response r;
  r.status = 200;
  r.Set("Content-Type", "application/x-yaml");
  if (!etag.empty()) {
    r.Set("ETag", etag);
    if (ex.Header("If-None-Match") == etag) {
      r.status = 304;
      co_return co_await ex.Send(std::move(r));
    }
  }
  r.Set("Vary", "Accept-Encoding");
  bool zipped = gzip != nullptr && AcceptsGzip(ex);
  if (zipped) r.Set("Content-Encoding", "gzip");
  const chart::MemFile* file = nullptr;
  if (snapshot != nullptr) file = zipped ? snapshot->index_gzip_file.get() : snapshot->index_yaml_file.get();
  if (file != nullptr && ex.method() == http::Verb::get)
    co_return co_await ex.SendFile(std::move(r), file->fd(), 0, file->size());
  r.body = zipped ? *gzip : yaml;
  co_await ex.Send(std::move(r));
}

http::Task<void> SendSaved(http::Exchange& ex) {
  Json body;
  body["saved"] = true;
  co_await v2_0::SendJson(ex, 201, body);
}

}  // namespace

http::Task<void> GetIndex(ChartRepoContext& ctx, http::Exchange& ex) {
  const std::string& project = ex.Param("project");
  auto auth = Authorize(ctx, ex, project, "helm-chart", "read");
  if (!auth) co_return co_await SendError(ex, auth.error());
  auto charts = ctx.charts.Charts(auth->second.name);
  if (!charts) co_return co_await SendError(ex, charts.error());
  co_await SendIndex(ex, (*charts)->index_yaml, &(*charts)->index_gzip, (*charts)->etag, charts->get());
}

// Every project's charts in one index, names and URLs prefixed with the project (as Harbor
// merged them); system administrators only.
http::Task<void> GetMergedIndex(ChartRepoContext& ctx, http::Exchange& ex) {
  auto who = v2_0::Authenticate(ctx.rest, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->sysadmin) co_return co_await SendError(ex, v2_0::Refusal(*who));
  std::vector<std::shared_ptr<const chart::ProjectCharts>> all;
  for (int64_t offset = 0;; offset += 100) {
    auto page = ctx.rest.projects.List(store::ProjectFilter{}, store::Paging{offset, 100});
    if (!page) co_return co_await SendError(ex, page.error());
    for (const auto& p : page->items) {
      auto charts = ctx.charts.Charts(p.name);
      if (!charts) co_return co_await SendError(ex, charts.error());
      if (!(*charts)->charts.empty()) all.push_back(std::move(*charts));
    }
    if (page->items.size() < 100) break;
  }
  std::vector<std::pair<std::string, std::vector<chart::IndexEntry>>> groups;
  for (const auto& pc : all) {
    for (const auto& [name, versions] : pc->charts) {
      std::vector<chart::IndexEntry> entries;
      for (const auto& v : versions)
        entries.push_back({&v.metadata, pc->project + "/charts/" + v.name + "-" + v.version + ".tgz",
                           v.chart_digest.hex(), v.created});
      groups.emplace_back(pc->project + "/" + name, std::move(entries));
    }
  }
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string yaml = chart::RenderIndexYaml(groups, NowUnixSeconds());
  const std::string no_etag;
  co_await SendIndex(ex, yaml, nullptr, no_etag, nullptr);
}

http::Task<void> DownloadChart(ChartRepoContext& ctx, http::Exchange& ex) {
  const std::string& project = ex.Param("project");
  const std::string& file = ex.Param("file");
  auto auth = Authorize(ctx, ex, project, "helm-chart-version", "read");
  if (!auth) co_return co_await SendError(ex, auth.error());
  bool prov = file.ends_with(".tgz.prov");
  if (!prov && !file.ends_with(".tgz"))
    co_return co_await SendError(ex, Error(Errc::kNotFound, "charts are served as <name>-<version>.tgz(.prov)"));
  auto charts = ctx.charts.Charts(auth->second.name);
  if (!charts) co_return co_await SendError(ex, charts.error());
  std::string_view stem = std::string_view(file).substr(0, file.size() - (prov ? 9 : 4));
  const chart::ChartVersion* v = chart::ChartService::ResolveFileName(**charts, stem);
  if (!v) co_return co_await SendError(ex, Error(Errc::kNotFound, "chart " + file + " not found"));
  if (prov && !v->prov_digest)
    co_return co_await SendError(ex, Error(Errc::kNotFound, "chart " + std::string(stem) + " has no provenance file"));
  auto reader = ctx.rest.blobs.Open(v->repository, prov ? *v->prov_digest : v->chart_digest);
  if (!reader) co_return co_await SendError(ex, reader.error());
  http::Response head;
  head.status = 200;
  head.Set("Content-Type", prov ? "application/pgp-signature" : "application/x-tar");
  head.Set("Content-Disposition", "attachment; filename=" + file);
  if (ex.method() == http::Verb::head) {
    head.head_length = static_cast<uint64_t>((*reader)->size());
    co_return co_await ex.Send(std::move(head));
  }
  if (!prov && ctx.pull_events != nullptr) {
    store::EventContext storage;
    if (const auto* events = EventsFor(ctx, ex, auth->first, auth->second.id, "DOWNLOAD_CHART", storage)) {
      store::ArtifactEventRecord e;
      e.type = "DOWNLOAD_CHART";
      e.occur_at = NowUnixSeconds();
      e.operator_name = events->operator_name;
      e.request_id = events->request_id;
      e.repository = v->repository;
      e.digest = v->manifest_digest.str();
      e.tag = v->version;
      ctx.pull_events->Publish(std::move(e));
    }
  }
  uint64_t size = static_cast<uint64_t>((*reader)->size());
  co_await ex.SendFile(std::move(head), (*reader)->fd(), 0, size);
}

// POST /api/chartrepo/{project}/charts, /api/chartrepo/charts (project "library").
http::Task<void> UploadChart(ChartRepoContext& ctx, http::Exchange& ex) {
  std::string project = ex.Param("project").empty() ? std::string("library") : ex.Param("project");
  auto auth = Authorize(ctx, ex, project, "helm-chart-version", "create");
  if (!auth) co_return co_await SendError(ex, auth.error());
  auto body = co_await StageBody(ex, ctx.staging_dir, ctx.charts.options().max_upload_bytes, "chart");
  if (!body) co_return co_await SendError(ex, body.error());
  const StagingFile* chart = body->Get("chart");
  if (chart == nullptr)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the form has no 'chart' field with the .tgz"));
  std::optional<chart::StagedFile> prov;
  if (const StagingFile* p = body->Get("prov")) prov = p->Staged();
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, auth->first, auth->second.id, "UPLOAD_CHART", storage);
  auto saved = ctx.charts.Upload(auth->second.name, chart->Staged(), prov, events);
  if (!saved) co_return co_await SendError(ex, saved.error());
  if (events && ctx.rest.wake_jobs) ctx.rest.wake_jobs();
  AuditChart(ctx, auth->first, auth->second, saved->name, saved->version, "create");
  co_await SendSaved(ex);
}

// POST /api/chartrepo/{project}/prov: form field `prov` (or a raw body).
http::Task<void> UploadProvenance(ChartRepoContext& ctx, http::Exchange& ex) {
  auto auth = Authorize(ctx, ex, ex.Param("project"), "helm-chart-version", "create");
  if (!auth) co_return co_await SendError(ex, auth.error());
  auto body = co_await StageBody(ex, ctx.staging_dir, ctx.charts.options().max_upload_bytes, "prov");
  if (!body) co_return co_await SendError(ex, body.error());
  const StagingFile* prov = body->Get("prov");
  if (prov == nullptr)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the form has no 'prov' field with the provenance file"));
  auto saved = ctx.charts.AttachProvenance(auth->second.name, prov->Staged(), prov->filename);
  if (!saved) co_return co_await SendError(ex, saved.error());
  AuditChart(ctx, auth->first, auth->second, saved->name, saved->version, "create");
  co_await SendSaved(ex);
}

http::Task<void> Health(ChartRepoContext& ctx, http::Exchange& ex) {
  auto who = v2_0::Authenticate(ctx.rest, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->authenticated()) co_return co_await SendError(ex, v2_0::Refusal(*who));
  Json body;
  body["healthy"] = true;
  co_await v2_0::SendJson(ex, 200, body);
}

}  // namespace berth::api::chartrepo
