// Webhook request bodies, byte-exact with Harbor (shared/spec/webhooks.md §3–§5), plus the
// delivery id and the HMAC signature Berth adds beyond Harbor.
//   DefaultBody     — {"type","occur_at","operator","event_data"} compact, Go encoding/json rules;
//   CloudEventsBody — CloudEvents 1.0 structured mode (Content-Type application/cloudevents+json);
//   SlackBody       — Block Kit message with the event_data pretty-printed (tabs) in back-ticks.
// Stateless functions: thread-safe (NewEventId uses OpenSSL's thread-safe RAND_bytes).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/event.h"

namespace berth::webhook {

inline constexpr std::string_view kDefaultContentType = "application/json";
inline constexpr std::string_view kCloudEventsContentType = "application/cloudevents+json";
inline constexpr std::string_view kSignatureHeader = "X-Berth-Signature";
inline constexpr std::string_view kEventIdHeader = "X-Berth-Event-Id";

// The event_data object with Harbor's omitempty rules applied, members in Go declaration order
// (resources, repository, replication, retention, scan, custom_attributes). May be empty.
nlohmann::ordered_json EventDataJson(const Event& e);

// Harbor's "Default" payload. `operator` is always present; `event_data` only if non-empty.
std::string DefaultBody(const Event& e);

// CloudEvents 1.0 JSON: specversion, id, source (/projects/<project_id>/webhook/policies/<policy_id>),
// type (CloudEventType; the raw type if unmapped), datacontenttype, time (RFC 3339 UTC of
// occur_at), data (= EventDataJson), requestid, operator.
std::string CloudEventsBody(const Event& e, std::string_view id, int64_t project_id,
                            int64_t policy_id);

// A random UUIDv4 ("4b2f89a6-548d-4c12-9993-a1f5790b97d2"); throws std::runtime_error if the
// OpenSSL random generator fails.
std::string NewEventId();

// Slack Block Kit body: six mrkdwn sections (title, event_type, occur_at as <!date^…>, operator,
// "*event_data:*", then "```\n" + json.MarshalIndent(event_data, "", "\t") + "\n```").
// Unlike Harbor, which pastes that text between quotes with only `"` turned into `\"`, the text is
// encoded as a proper JSON string: newlines and tabs become \n and \t and backslashes are escaped
// too, so the body is strict JSON and Slack shows exactly the pretty-printed event_data. The outer
// body does not HTML-escape (`<!date^…>` stays literal, as in Harbor's template).
std::string SlackBody(const Event& e);

// "sha256=" + lower-case hex HMAC-SHA256(secret, body), for the X-Berth-Signature header.
std::string Signature(std::string_view secret, std::string_view body);

}  // namespace berth::webhook
