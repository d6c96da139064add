// Reading a webhook (notification) policy from a create or update body, with the validation rules
// of Harbor's policy API (../shared/spec/webhooks.md §6), and the list of event types a policy may
// subscribe to. Pure; thread-safe.
#pragma once
#include <span>
#include <string_view>

#include "api/v2_0/render.h"
#include "base/error.h"
#include "store/webhook_store.h"

namespace berth::api::v2_0 {

// Every event type a policy may subscribe to, in the order GET …/webhook/events lists them.
// (Kept here until the event pipeline's own list, src/webhook/event.h, replaces it.)
std::span<const std::string_view> WebhookEventTypes();

// Reads a policy body — a create, or a full replacement on update — into `out`: name,
// description, targets (normalized: every key present, payload_format defaulted), event types
// (de-duplicated, order kept), enabled (false when omitted) and creator (when given). Ignores
// Harbor's read-only fields (id, project_id, creation_time, update_time). kBadRequest with a
// message naming the first problem; `out` is then unspecified.
Result<void> ReadPolicyBody(const Json& body, store::PolicyRecord& out);

}  // namespace berth::api::v2_0
