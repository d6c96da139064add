// The chart management API (ChartMuseum's, as Harbor ≤ 2.7 served it under /api/chartrepo and
// /api/v2.0/chartrepo): chart and version lists, version details (metadata, dependencies, values,
// files, signature, labels), deletes, and labels on chart versions (the artifact's labels).
#include <charconv>

#include "api/chartrepo/common.h"
#include "api/chartrepo/handlers.h"
#include "api/v2_0/artifact_views.h"
#include "api/v2_0/render.h"
#include "chart/chart_archive.h"

namespace berth::api::chartrepo {
namespace {

using v2_0::Json;
using v2_0::SendError;

struct Scope {
  auth::Principal who;
  store::ProjectRecord project;
  std::shared_ptr<const chart::ProjectCharts> charts;
};

Result<Scope> Load(ChartRepoContext& ctx, const http::Exchange& ex, std::string_view resource, std::string_view action) {
  auto auth = Authorize(ctx, ex, ex.Param("project"), resource, action);
  if (!auth) return std::unexpected(auth.error());
  auto charts = ctx.charts.Charts(auth->second.name);
  if (!charts) return std::unexpected(charts.error());
  return Scope{std::move(auth->first), std::move(auth->second), std::move(*charts)};
}

Result<const chart::ChartVersion*> FindVersion(const Scope& s, const http::Exchange& ex) {
  const auto* v = s.charts->Find(ex.Param("name"), ex.Param("version"));
  if (!v) return Fail(Errc::kNotFound, "chart " + ex.Param("name") + " version " + ex.Param("version") + " not found");
  return v;
}

Json LabelsJson(ChartRepoContext& ctx, int64_t artifact_id) {
  Json out = Json::array();
  auto labels = ctx.rest.labels.LabelsOf({artifact_id});
  if (labels)
    if (auto it = labels->find(artifact_id); it != labels->end())
      for (const auto& l : it->second) out.push_back(v2_0::LabelJson(l));
  return out;
}

// A version as ChartMuseum lists it: Chart.yaml's fields, then urls, created and digest.
Json VersionJson(const chart::ChartVersion& v) {
  Json j = v.metadata;
  j["urls"] = Json::array({"charts/" + v.name + "-" + v.version + ".tgz"});
  j["created"] = v2_0::HarborTime(v.created);
  j["digest"] = v.chart_digest.hex();
  return j;
}

// values.yaml flattened to "a.b.c": value, as Harbor's detail view shows it.
void Flatten(const Json& node, const std::string& prefix, Json& out) {
  if (node.is_object() && !node.empty()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      Flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    return;
  }
  if (!prefix.empty()) out[prefix] = node;
}

Json Dependencies(const chart::ChartVersion& v, const chart::ChartPackage& pkg) {
  Json deps = Json::array();
  Json source = v.metadata.contains("dependencies") ? v.metadata["dependencies"] : Json();
  if (!source.is_array() && !pkg.requirements_yaml.empty()) {
    try {
      auto req = chart::YamlToJson(pkg.requirements_yaml);
      if (req.is_object() && req.contains("dependencies")) source = req["dependencies"];
    } catch (...) {
    }
  }
  if (source.is_array())
    for (const auto& d : source) {
      if (!d.is_object()) continue;
      Json o;
      o["name"] = d.value("name", "");
      o["version"] = d.is_object() && d.contains("version") && d["version"].is_string() ? d["version"].get<std::string>() : "";
      o["repository"] = d.value("repository", "");
      deps.push_back(std::move(o));
    }
  return deps;
}

}  // namespace

http::Task<void> ListCharts(ChartRepoContext& ctx, http::Exchange& ex) {
  auto s = Load(ctx, ex, "helm-chart", "read");
  if (!s) co_return co_await SendError(ex, s.error());
  Json out = Json::array();
  for (const auto& [name, versions] : s->charts->charts) {
    if (versions.empty()) continue;
    const auto& latest = versions.front();
    int64_t created = latest.created, updated = latest.created;
    for (const auto& v : versions) {
      created = std::min(created, v.created);
      updated = std::max(updated, v.created);
    }
    Json c;
    c["name"] = name;
    c["total_versions"] = versions.size();
    c["latest_version"] = latest.version;
    c["created"] = v2_0::HarborTime(created);
    c["updated"] = v2_0::HarborTime(updated);
    c["icon"] = latest.metadata.value("icon", "");
    c["home"] = latest.metadata.value("home", "");
    c["deprecated"] = latest.metadata.value("deprecated", false);
    out.push_back(std::move(c));
  }
  co_await v2_0::SendJson(ex, 200, out);
}

http::Task<void> ListVersions(ChartRepoContext& ctx, http::Exchange& ex) {
  auto s = Load(ctx, ex, "helm-chart-version", "list");
  if (!s) co_return co_await SendError(ex, s.error());
  const auto* versions = s->charts->Find(ex.Param("name"));
  if (!versions) co_return co_await SendError(ex, Error(Errc::kNotFound, "chart " + ex.Param("name") + " not found"));
  Json out = Json::array();
  for (const auto& v : *versions) {
    Json j = VersionJson(v);
    j["labels"] = LabelsJson(ctx, v.manifest_id);
    out.push_back(std::move(j));
  }
  co_await v2_0::SendJson(ex, 200, out);
}

http::Task<void> GetVersion(ChartRepoContext& ctx, http::Exchange& ex) {
  auto s = Load(ctx, ex, "helm-chart-version", "read");
  if (!s) co_return co_await SendError(ex, s.error());
  auto v = FindVersion(*s, ex);
  if (!v) co_return co_await SendError(ex, v.error());
  auto pkg = ctx.charts.ReadPackage(**v);
  if (!pkg) co_return co_await SendError(ex, pkg.error());
  Json values = Json::object();
  if (!pkg->values_yaml.empty()) {
    try {
      Flatten(chart::YamlToJson(pkg->values_yaml), "", values);
    } catch (...) {
    }
  }
  Json files = Json::object();
  if (!pkg->values_yaml.empty()) files["values.yaml"] = pkg->values_yaml;
  if (!pkg->readme.empty()) files["README.md"] = pkg->readme;
  Json signature;
  signature["signed"] = (*v)->prov_digest.has_value();
  signature["prov_file"] =
      (*v)->prov_digest ? "chartrepo/" + s->project.name + "/charts/" + (*v)->name + "-" + (*v)->version + ".tgz.prov"
                        : std::string();
  Json body;
  body["metadata"] = VersionJson(**v);
  body["dependencies"] = Dependencies(**v, *pkg);
  body["values"] = std::move(values);
  body["files"] = std::move(files);
  body["security"] = Json{{"signature", std::move(signature)}};
  body["labels"] = LabelsJson(ctx, (*v)->manifest_id);
  co_await v2_0::SendJson(ex, 200, body);
}

http::Task<void> DeleteChart(ChartRepoContext& ctx, http::Exchange& ex) {
  auto auth = Authorize(ctx, ex, ex.Param("project"), "helm-chart", "delete");
  if (!auth) co_return co_await SendError(ex, auth.error());
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, auth->first, auth->second.id, "DELETE_CHART", storage);
  auto done = ctx.charts.DeleteChart(auth->second.name, ex.Param("name"), events);
  if (!done) co_return co_await SendError(ex, done.error());
  if (events && ctx.rest.wake_jobs) ctx.rest.wake_jobs();
  AuditChart(ctx, auth->first, auth->second, ex.Param("name"), "*", "delete");
  Json body;
  body["deleted"] = true;
  co_await v2_0::SendJson(ex, 200, body);
}

http::Task<void> DeleteVersion(ChartRepoContext& ctx, http::Exchange& ex) {
  auto auth = Authorize(ctx, ex, ex.Param("project"), "helm-chart-version", "delete");
  if (!auth) co_return co_await SendError(ex, auth.error());
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, auth->first, auth->second.id, "DELETE_CHART", storage);
  auto done = ctx.charts.DeleteVersion(auth->second.name, ex.Param("name"), ex.Param("version"), events);
  if (!done) co_return co_await SendError(ex, done.error());
  if (events && ctx.rest.wake_jobs) ctx.rest.wake_jobs();
  AuditChart(ctx, auth->first, auth->second, ex.Param("name"), ex.Param("version"), "delete");
  Json body;
  body["deleted"] = true;
  co_await v2_0::SendJson(ex, 200, body);
}

http::Task<void> ListVersionLabels(ChartRepoContext& ctx, http::Exchange& ex) {
  auto s = Load(ctx, ex, "helm-chart-version", "read");
  if (!s) co_return co_await SendError(ex, s.error());
  auto v = FindVersion(*s, ex);
  if (!v) co_return co_await SendError(ex, v.error());
  Json labels = LabelsJson(ctx, (*v)->manifest_id);
  co_await v2_0::SendJson(ex, 200, labels);
}

http::Task<void> AddVersionLabel(ChartRepoContext& ctx, http::Exchange& ex) {
  auto s = Load(ctx, ex, "helm-chart-version-label", "create");
  if (!s) co_return co_await SendError(ex, s.error());
  auto body = co_await v2_0::ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto idj = body->is_object() ? body->find("id") : body->end();
  if (!body->is_object() || idj == body->end() || !idj->is_number_integer() || idj->get<int64_t>() <= 0)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be {\"id\": <label id>}"));
  int64_t label_id = idj->get<int64_t>();
  auto v = FindVersion(*s, ex);
  if (!v) co_return co_await SendError(ex, v.error());
  auto label = ctx.rest.labels.Find(label_id);
  if (!label) co_return co_await SendError(ex, label.error());
  if (!*label) co_return co_await SendError(ex, Error(Errc::kNotFound, "label " + std::to_string(label_id) + " not found"));
  if ((*label)->scope == "p" && (*label)->project_id != s->project.id)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the label belongs to another project"));
  auto done = ctx.rest.labels.Attach((*v)->manifest_id, label_id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kConflict, "the label is already on this chart version"));
  co_await v2_0::SendOk(ex);
}

http::Task<void> RemoveVersionLabel(ChartRepoContext& ctx, http::Exchange& ex) {
  auto s = Load(ctx, ex, "helm-chart-version-label", "delete");
  if (!s) co_return co_await SendError(ex, s.error());
  const std::string& id_text = ex.Param("id");
  int64_t label_id = 0;
  auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), label_id);
  if (ec != std::errc() || p != id_text.data() + id_text.size() || label_id <= 0)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the label id must be a positive integer"));
  auto v = FindVersion(*s, ex);
  if (!v) co_return co_await SendError(ex, v.error());
  auto done = ctx.rest.labels.Detach((*v)->manifest_id, label_id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the label is not on this chart version"));
  co_await v2_0::SendOk(ex);
}

}  // namespace berth::api::chartrepo
