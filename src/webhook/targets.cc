#include "webhook/targets.h"

#include "webhook/payloads.h"

namespace berth::webhook {
namespace {

bool IsSlack(const nlohmann::json& target) { return target.value("type", "http") == "slack"; }
bool IsCloudEvents(const nlohmann::json& target) {
  return !IsSlack(target) && target.value("payload_format", "Default") == "CloudEvents";
}

}  // namespace

TargetBody RenderFor(const Event& e, const nlohmann::json& target, std::string_view delivery_id, int64_t project_id,
                     int64_t policy_id) {
  if (IsSlack(target)) return {"SLACK", SlackBody(e)};
  if (IsCloudEvents(target)) return {"WEBHOOK", CloudEventsBody(e, delivery_id, project_id, policy_id)};
  return {"WEBHOOK", DefaultBody(e)};
}

PostRequest RequestFor(const nlohmann::json& target, std::string body, std::string_view delivery_id,
                       std::string_view event_type, std::chrono::milliseconds timeout) {
  PostRequest req;
  req.url = target.value("address", "");
  req.timeout = timeout;
  req.skip_cert_verify = target.value("skip_cert_verify", false);
  req.headers.emplace_back("Content-Type", IsCloudEvents(target) ? "application/cloudevents+json" : "application/json");
  if (!IsSlack(target)) {
    if (auto auth = target.value("auth_header", ""); !auth.empty()) req.headers.emplace_back("Authorization", auth);
    if (auto secret = target.value("signing_secret", ""); !secret.empty())
      req.headers.emplace_back("X-Berth-Signature", Signature(secret, body));
  }
  req.headers.emplace_back("X-Berth-Event-Id", std::string(delivery_id));
  req.headers.emplace_back("X-Berth-Event-Type", std::string(event_type));
  req.body = std::move(body);
  return req;
}

}  // namespace berth::webhook
