#include "api/v2_0/webhook_views.h"

namespace berth::api::v2_0 {
namespace {

// Redeliveries and test deliveries were asked for by someone; the rest come from events.
std::string_view Trigger(const store::ExecutionRecord& e) {
  return e.redelivery_of != 0 || e.event_id == 0 ? "MANUAL" : "EVENT";
}

std::string NotifyType(const store::ExecutionRecord& e) { return e.vendor_type == "SLACK" ? "slack" : "http"; }

void PutTime(Json& j, const char* key, int64_t ms) {
  if (ms > 0) j[key] = HarborTimeMs(ms);
}

Json TargetJson(const Json& t) {
  Json out = Json::object();
  auto str = [&](const char* key) {
    auto it = t.find(key);
    if (it != t.end() && it->is_string() && !it->get<std::string>().empty()) out[key] = *it;
  };
  str("type");
  str("address");
  str("auth_header");
  if (auto it = t.find("skip_cert_verify"); it != t.end() && it->is_boolean() && it->get<bool>())
    out["skip_cert_verify"] = true;
  str("payload_format");
  str("signing_secret");
  return out;
}

// Every secret of the target that must never show in a log: auth_header (and its credentials
// without the scheme) and the signing secret.
std::vector<std::string> Secrets(const std::string& target_json) {
  std::vector<std::string> out;
  Json t = Json::parse(target_json, nullptr, false);
  if (!t.is_object()) return out;
  for (const char* key : {"auth_header", "signing_secret"}) {
    auto it = t.find(key);
    if (it == t.end() || !it->is_string()) continue;
    std::string v = it->get<std::string>();
    if (v.size() >= 4) out.push_back(v);
    if (auto sp = v.find(' '); sp != std::string::npos && v.size() - sp - 1 >= 4) out.push_back(v.substr(sp + 1));
  }
  return out;
}

void Redact(std::string& text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + 10))
      text.replace(at, s.size(), "[redacted]");
  }
}

}  // namespace

Json PolicyJson(const store::PolicyRecord& p) {
  Json j;
  j["id"] = p.id;
  j["name"] = p.name;
  if (!p.description.empty()) j["description"] = p.description;
  j["project_id"] = p.project_id;
  Json targets = Json::array();
  Json stored = Json::parse(p.targets_json, nullptr, false);
  if (stored.is_array())
    for (const auto& t : stored)
      if (t.is_object()) targets.push_back(TargetJson(t));
  j["targets"] = std::move(targets);
  j["event_types"] = p.event_types;
  if (!p.creator.empty()) j["creator"] = p.creator;
  PutTime(j, "creation_time", p.created_at);
  PutTime(j, "update_time", p.updated_at);
  j["enabled"] = p.enabled;
  return j;
}

Json ExecutionJson(const store::ExecutionRecord& e) {
  Json j;
  j["id"] = e.id;
  j["vendor_type"] = e.vendor_type;
  j["vendor_id"] = e.policy_id;
  j["status"] = e.status;
  if (!e.status_message.empty()) j["status_message"] = e.status_message;
  Json m;
  m["task_count"] = 1;
  m["success_task_count"] = e.status == "Success" ? 1 : 0;
  m["error_task_count"] = e.status == "Error" ? 1 : 0;
  m["pending_task_count"] = e.status == "Pending" ? 1 : 0;
  m["running_task_count"] = e.status == "Running" ? 1 : 0;
  m["scheduled_task_count"] = 0;
  m["stopped_task_count"] = e.status == "Stopped" ? 1 : 0;
  j["metrics"] = std::move(m);
  j["trigger"] = std::string(Trigger(e));
  Json extra;
  extra["event_type"] = e.event_type;
  extra["payload"] = e.payload;
  j["extra_attrs"] = std::move(extra);
  PutTime(j, "start_time", e.created_at);
  PutTime(j, "end_time", e.end_at);
  return j;
}

Json TaskJson(const store::ExecutionRecord& e, const std::vector<store::AttemptRecord>& attempts) {
  Json j;
  j["id"] = e.id;
  j["execution_id"] = e.id;
  j["status"] = e.status;
  if (!e.status_message.empty()) j["status_message"] = e.status_message;
  if (e.run_count > 0) j["run_count"] = e.run_count;
  Json extra;
  if (!e.delivery_id.empty()) extra["delivery_id"] = e.delivery_id;
  if (e.redelivery_of != 0) extra["redelivery_of"] = e.redelivery_of;
  Json list = Json::array();
  for (const auto& a : attempts) {
    Json one;
    one["attempt"] = a.attempt;
    PutTime(one, "time", a.at);
    if (a.status_code != 0) one["status_code"] = a.status_code;
    one["duration_ms"] = a.duration_ms;
    if (!a.error.empty()) one["error"] = a.error;
    list.push_back(std::move(one));
  }
  extra["attempts"] = std::move(list);
  j["extra_attrs"] = std::move(extra);
  PutTime(j, "creation_time", e.created_at);
  PutTime(j, "update_time", e.updated_at);
  PutTime(j, "start_time", e.start_at);
  PutTime(j, "end_time", e.end_at);
  return j;
}

Json WebhookJobJson(const store::ExecutionRecord& e) {
  Json j;
  j["id"] = e.id;
  j["policy_id"] = e.policy_id;
  j["event_type"] = e.event_type;
  j["notify_type"] = NotifyType(e);
  j["status"] = e.status;
  j["job_detail"] = e.payload;
  PutTime(j, "creation_time", e.created_at);
  PutTime(j, "update_time", e.updated_at);
  return j;
}

Json LastTriggerJson(const store::LastTrigger& l) {
  Json j;
  j["policy_name"] = l.policy_name;
  j["event_type"] = l.event_type;
  j["enabled"] = l.enabled;
  PutTime(j, "creation_time", l.policy_created_at);
  PutTime(j, "last_trigger_time", l.last_trigger_at);
  return j;
}

std::string TaskLogText(const store::ExecutionRecord& e, const std::vector<store::AttemptRecord>& attempts) {
  std::string out;
  auto body = [&] {
    out += "request body (" + NotifyType(e) + ", " + e.event_type + "):\n" + e.payload + "\n";
  };
  if (attempts.empty()) {
    out += "no delivery attempt yet (status " + e.status + ")\n";
    body();
  }
  for (const auto& a : attempts) {
    if (!out.empty()) out += "\n";
    out += HarborTimeMs(a.at) + " attempt " + std::to_string(a.attempt) + ": ";
    out += a.status_code != 0 ? "HTTP " + std::to_string(a.status_code) : std::string("no HTTP answer");
    out += " in " + std::to_string(a.duration_ms) + " ms\n";
    if (!a.error.empty()) out += "error: " + a.error + "\n";
    if (!a.response.empty()) out += "response: " + a.response + "\n";
    body();
  }
  if (!e.delivery_id.empty()) out += "\ndelivery id: " + e.delivery_id + "\n";
  Redact(out, Secrets(e.target_json));
  return out;
}

}  // namespace berth::api::v2_0
