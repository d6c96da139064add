#include "webhook/event.h"

#include <algorithm>
#include <utility>

namespace berth::webhook {

namespace {

constexpr std::pair<std::string_view, std::string_view> kCloudEventTypes[] = {
    {kPushArtifact, "harbor.artifact.pushed"},
    {kPullArtifact, "harbor.artifact.pulled"},
    {kDeleteArtifact, "harbor.artifact.deleted"},
    {kUploadChart, "harbor.chart.uploaded"},
    {kDownloadChart, "harbor.chart.downloaded"},
    {kDeleteChart, "harbor.chart.deleted"},
    {kQuotaExceed, "harbor.quota.exceeded"},
    {kQuotaWarning, "harbor.quota.warned"},
    {kReplication, "harbor.replication.status.changed"},
    {kScanningFailed, "harbor.scan.failed"},
    {kScanningCompleted, "harbor.scan.completed"},
    {kScanningStopped, "harbor.scan.stopped"},
    {kTagRetention, "harbor.tag_retention.finished"},
};

}  // namespace

bool IsEventType(std::string_view type) {
  return std::find(kEventTypes.begin(), kEventTypes.end(), type) != kEventTypes.end();
}

std::string_view CloudEventType(std::string_view type) {
  for (const auto& [t, ce] : kCloudEventTypes) {
    if (t == type) return ce;
  }
  return {};
}

Event ArtifactEvent(std::string_view type, int64_t occur_at, std::string_view operator_name,
                    std::string_view external_host, std::string_view project_name, bool is_public,
                    std::string_view repo_full_name, int64_t repo_created_at,
                    std::string_view digest, std::string_view tag) {
  Event e;
  e.type = std::string(type);
  e.occur_at = occur_at;
  e.operator_ = std::string(operator_name);

  Resource r;
  r.digest = std::string(digest);
  std::string url = std::string(external_host) + "/" + std::string(repo_full_name);
  if (tag.empty()) {
    r.tag = r.digest;  // Harbor's quirk: a by-digest reference puts the digest in `tag`
    url += "@" + r.digest;
  } else {
    r.tag = std::string(tag);
    url += ":" + r.tag;
  }
  r.resource_url = std::move(url);
  e.resources.push_back(std::move(r));

  RepositoryInfo repo;
  repo.date_created = repo_created_at;
  auto slash = repo_full_name.find('/');
  repo.name = slash == std::string_view::npos ? std::string() : std::string(repo_full_name.substr(slash + 1));
  repo.namespace_ = std::string(project_name);
  repo.repo_full_name = std::string(repo_full_name);
  repo.repo_type = is_public ? "public" : "private";
  e.repository = std::move(repo);
  return e;
}

bool IsChartEventType(std::string_view type) {
  return type == kUploadChart || type == kDownloadChart || type == kDeleteChart;
}

Event ChartEvent(std::string_view type, int64_t occur_at, std::string_view operator_name,
                 std::string_view external_endpoint, std::string_view project_name, bool is_public,
                 std::string_view chart_name, std::string_view version) {
  Event e;
  e.type = std::string(type);
  e.occur_at = occur_at;
  e.operator_ = std::string(operator_name);
  while (!external_endpoint.empty() && external_endpoint.back() == '/') external_endpoint.remove_suffix(1);
  Resource r;
  r.tag = std::string(version);
  r.resource_url = std::string(external_endpoint) + "/chartrepo/" + std::string(project_name) + "/charts/" +
                   std::string(chart_name) + "-" + std::string(version) + ".tgz";
  e.resources.push_back(std::move(r));
  RepositoryInfo repo;
  repo.name = std::string(chart_name);
  repo.namespace_ = std::string(project_name);
  repo.repo_full_name = std::string(project_name) + "/" + std::string(chart_name);
  repo.repo_type = is_public ? "public" : "private";
  e.repository = std::move(repo);
  return e;
}

Event QuotaEvent(std::string_view type, int64_t occur_at, std::string_view operator_name,
                 std::string_view project_name, bool is_public, std::string_view repo_full_name,
                 std::string_view digest, std::string_view tag, std::string_view details) {
  Event e = ArtifactEvent(type, occur_at, operator_name, "", project_name, is_public, repo_full_name, 0, digest, tag);
  e.resources.clear();
  if (!digest.empty()) {
    Resource r;
    r.digest = std::string(digest);
    r.tag = std::string(tag);
    e.resources.push_back(std::move(r));
  }
  e.custom_attributes = nlohmann::ordered_json::object();
  e.custom_attributes["Details"] = std::string(details);
  return e;
}

std::string ExternalHost(std::string_view url) {
  if (auto p = url.find("://"); p != std::string_view::npos) url.remove_prefix(p + 3);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace berth::webhook
