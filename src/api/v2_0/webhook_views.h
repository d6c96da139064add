// JSON (and text) views of webhook policies and their deliveries in Harbor's shapes
// (../shared/spec/webhooks.md §6): WebhookPolicy, Execution, Task, the legacy WebhookJob and
// WebhookLastTrigger, and the task log. Pure; thread-safe.
#pragma once
#include <string>
#include <vector>

#include "api/v2_0/render.h"
#include "store/webhook_store.h"

namespace berth::api::v2_0 {

// Harbor's WebhookPolicy: empty and false fields are left out, except `enabled`. Targets carry
// auth_header (and Berth's signing_secret) as `p` holds them: the caller opens the sealed values
// first (webhook/target_secrets.h), so they show in plain text, as Harbor returns auth_header.
Json PolicyJson(const store::PolicyRecord& p);

// Harbor's Execution (vendor WEBHOOK or SLACK, one task): metrics, trigger, extra_attrs
// {event_type, payload}.
Json ExecutionJson(const store::ExecutionRecord& e);

// Harbor's Task of an execution (same id); extra_attrs carries the delivery id and the attempts.
Json TaskJson(const store::ExecutionRecord& e, const std::vector<store::AttemptRecord>& attempts);

// The deprecated GET …/webhook/jobs row of an execution.
Json WebhookJobJson(const store::ExecutionRecord& e);

Json LastTriggerJson(const store::LastTrigger& l);

// The task log (text/plain): one block per attempt with its time, number, HTTP status or error,
// duration, the answer's first bytes and the request body. Never any request header; the
// target's auth_header and signing_secret (as e.target_json holds them: the caller opens sealed
// values first) are blanked wherever they would appear.
std::string TaskLogText(const store::ExecutionRecord& e, const std::vector<store::AttemptRecord>& attempts);

}  // namespace berth::api::v2_0
