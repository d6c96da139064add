// The webhook event model: what happened, to what, by whom — independent of any payload format.
// Owns the list of event types (Harbor's `GET /webhook/events` order plus the three chart events),
// the CloudEvents type mapping, the artifact-event builder (resource_url and the tag-holds-digest
// quirk) and the external-host helper. See shared/spec/webhooks.md §2–§3.
// Pure value types and stateless functions: thread-safe.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::webhook {

inline constexpr std::string_view kPushArtifact = "PUSH_ARTIFACT";
inline constexpr std::string_view kPullArtifact = "PULL_ARTIFACT";
inline constexpr std::string_view kDeleteArtifact = "DELETE_ARTIFACT";
inline constexpr std::string_view kUploadChart = "UPLOAD_CHART";
inline constexpr std::string_view kDownloadChart = "DOWNLOAD_CHART";
inline constexpr std::string_view kDeleteChart = "DELETE_CHART";
inline constexpr std::string_view kQuotaExceed = "QUOTA_EXCEED";
inline constexpr std::string_view kQuotaWarning = "QUOTA_WARNING";
inline constexpr std::string_view kReplication = "REPLICATION";
inline constexpr std::string_view kScanningFailed = "SCANNING_FAILED";
inline constexpr std::string_view kScanningCompleted = "SCANNING_COMPLETED";
inline constexpr std::string_view kScanningStopped = "SCANNING_STOPPED";
inline constexpr std::string_view kTagRetention = "TAG_RETENTION";

// Every event type a policy may subscribe to, in the order `GET /webhook/events` lists them.
inline constexpr std::array<std::string_view, 13> kEventTypes = {
    kPushArtifact,  kPullArtifact,       kDeleteArtifact,  kUploadChart,   kDownloadChart,
    kDeleteChart,   kQuotaExceed,        kQuotaWarning,    kReplication,   kScanningFailed,
    kScanningCompleted, kScanningStopped, kTagRetention};

bool IsEventType(std::string_view type);
// The CloudEvents `type` for an event type ("harbor.artifact.pushed", …); empty if unknown.
std::string_view CloudEventType(std::string_view type);

// One entry of event_data.resources. Empty strings are omitted from payloads. `extra` is an object
// (or null) whose members follow resource_url in declaration order, e.g. scan_overview then
// sbom_overview; members that are null or empty are omitted (Go's omitempty on maps).
struct Resource {
  std::string digest;
  std::string tag;
  std::string resource_url;
  nlohmann::ordered_json extra;
};

struct RepositoryInfo {
  int64_t date_created = 0;  // 0 = omitted
  std::string name;          // repository path after the project, may contain '/'
  std::string namespace_;    // project name
  std::string repo_full_name;
  std::string repo_type;  // "public" or "private"
};

// One event as delivered to webhooks. The nlohmann members are emitted verbatim (already shaped
// as Harbor does, keys in order) and omitted when null; custom_attributes also when empty.
struct Event {
  std::string type;
  int64_t occur_at = 0;  // unix seconds
  std::string operator_;  // always emitted, "" for anonymous
  std::vector<Resource> resources;
  std::optional<RepositoryInfo> repository;
  nlohmann::ordered_json custom_attributes;
  nlohmann::ordered_json replication;
  nlohmann::ordered_json retention;
  nlohmann::ordered_json scan;
  std::string request_id;  // X-Request-Id of the causing request (CloudEvents `requestid`)
};

// An artifact event (PUSH/PULL/DELETE_ARTIFACT) for one manifest:
//   resources[0] = {digest, tag or (if tag is empty) the digest, "<host>/<repo>:<tag>" or
//                   "<host>/<repo>@<digest>"}
//   repository   = {date_created = repo_created_at (0 = repository gone, omitted), name = the part
//                   of repo_full_name after the first '/', namespace = project_name,
//                   repo_full_name, "public"/"private"}
// external_host has no scheme (see ExternalHost).
Event ArtifactEvent(std::string_view type, int64_t occur_at, std::string_view operator_name,
                    std::string_view external_host, std::string_view project_name, bool is_public,
                    std::string_view repo_full_name, int64_t repo_created_at,
                    std::string_view digest, std::string_view tag);

// A chart event (UPLOAD/DOWNLOAD/DELETE_CHART) as Harbor ≤ 2.7 sent it for one version:
//   resources[0] = {tag = version, resource_url = "<external_endpoint>/chartrepo/<project>/charts/
//                   <name>-<version>.tgz"} (no digest)
//   repository   = {name = chart name, namespace = project, repo_full_name = "<project>/<name>",
//                   "public"/"private"} (no date_created)
// external_endpoint is the external URL as configured, scheme included (Harbor's ext_endpoint).
Event ChartEvent(std::string_view type, int64_t occur_at, std::string_view operator_name,
                 std::string_view external_endpoint, std::string_view project_name, bool is_public,
                 std::string_view chart_name, std::string_view version);
bool IsChartEventType(std::string_view type);
// A quota event (QUOTA_WARNING, QUOTA_EXCEED), shared/spec/webhooks.md §8:
//   resources         = [{digest, tag (omitted when "")}] only when `digest` is not empty (manifest
//                       PUTs and copies), never with resource_url
//   repository        = {name, namespace, repo_full_name, repo_type}, no date_created
//   custom_attributes = {"Details": details}
Event QuotaEvent(std::string_view type, int64_t occur_at, std::string_view operator_name,
                 std::string_view project_name, bool is_public, std::string_view repo_full_name,
                 std::string_view digest, std::string_view tag, std::string_view details);

// The external URL without scheme and trailing slashes: "http://10.0.0.5:8443/" → "10.0.0.5:8443".
std::string ExternalHost(std::string_view url);

}  // namespace berth::webhook
