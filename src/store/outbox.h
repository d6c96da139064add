// Events committed with the change that caused them (the outbox rule). A store write given an
// EventContext inserts one "event" job per artifact event into the durable job queue inside its
// own transaction, so a committed push or delete always has its event and a rolled-back one never
// does; the event dispatcher (webhook/) turns each into deliveries. Value types; no behaviour
// beyond the JSON form of an artifact event.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace berth::store {

// Job kind of an event waiting to be dispatched.
inline constexpr std::string_view kEventJobKind = "event";

// Who caused a write (Harbor's `operator`, "" for anonymous) and the X-Request-Id it came with.
// Which kinds the write records follow the project's subscriptions: artifact events (PUSH/
// DELETE_ARTIFACT; the default, for callers that predate the quota events) and the quota events.
struct EventContext {
  std::string operator_name;
  std::string request_id;
  bool artifact = true;
  bool quota_warning = false;
  bool quota_exceed = false;
  // Overrides for writes on behalf of another API (the chart repository: UPLOAD_CHART with the
  // chart version as tag); empty = the store's own type and tag.
  std::string type;
  std::string tag;
};

// An artifact or quota event as it waits in the queue; the dispatcher builds Harbor's payload
// from it. Quota events carry `details` (custom_attributes.Details) and name a digest (and tag)
// only when a manifest PUT or a copy caused them.
struct ArtifactEventRecord {
  std::string type;        // PUSH_ARTIFACT, PULL_ARTIFACT, DELETE_ARTIFACT, *_CHART, QUOTA_WARNING, QUOTA_EXCEED
  int64_t occur_at = 0;    // unix seconds
  std::string operator_name;
  std::string request_id;
  std::string repository;  // project/path
  std::string digest;
  std::string tag;         // "" when the event is by digest
  std::string details;     // quota events only
};

inline bool IsQuotaEventType(std::string_view type) { return type == "QUOTA_WARNING" || type == "QUOTA_EXCEED"; }

inline std::string ToJson(const ArtifactEventRecord& e) {
  nlohmann::ordered_json j;
  j["type"] = e.type;
  j["occur_at"] = e.occur_at;
  j["operator"] = e.operator_name;
  j["request_id"] = e.request_id;
  j["repository"] = e.repository;
  j["digest"] = e.digest;
  j["tag"] = e.tag;
  if (!e.details.empty()) j["details"] = e.details;
  return j.dump();
}

inline std::optional<ArtifactEventRecord> ParseArtifactEvent(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) return std::nullopt;
  ArtifactEventRecord e;
  e.type = j.value("type", "");
  e.occur_at = j.value("occur_at", int64_t{0});
  e.operator_name = j.value("operator", "");
  e.request_id = j.value("request_id", "");
  e.repository = j.value("repository", "");
  e.digest = j.value("digest", "");
  e.tag = j.value("tag", "");
  e.details = j.value("details", "");
  if (e.repository.empty() || (e.digest.empty() && !IsQuotaEventType(e.type))) return std::nullopt;
  return e;
}

}  // namespace berth::store
