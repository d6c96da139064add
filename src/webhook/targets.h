// How an event goes to one target of a policy (Harbor's `targets[i]` JSON object): the body in the
// target's format (Default, CloudEvents or Slack) and the HTTP request that carries it. Shared by
// the dispatcher (bodies are recorded when an event is dispatched), the deliverer and the test
// endpoint. Pure functions; thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/event.h"
#include "webhook/http_poster.h"

namespace berth::webhook {

struct TargetBody {
  std::string vendor_type;  // "WEBHOOK" or "SLACK"
  std::string payload;      // the exact body
};

// `delivery_id` becomes the CloudEvents id; project and policy ids its source.
TargetBody RenderFor(const Event& e, const nlohmann::json& target, std::string_view delivery_id, int64_t project_id,
                     int64_t policy_id);

// POST to the target's address: Content-Type by format, Authorization from auth_header (http
// targets only), X-Berth-Event-Id and X-Berth-Event-Type, and X-Berth-Signature (HMAC-SHA256 of
// the body) when the target has a signing_secret.
PostRequest RequestFor(const nlohmann::json& target, std::string body, std::string_view delivery_id,
                       std::string_view event_type, std::chrono::milliseconds timeout);

}  // namespace berth::webhook
