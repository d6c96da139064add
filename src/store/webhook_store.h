// WebhookStore: Harbor's notification policies of a project, and the deliveries made for them
// ("executions"; Harbor's execution and its single task are one row here, so they share an id),
// with every delivery attempt. A backend implements it next to its other stores;
// tests/unit/webhook_store_conformance_test.cc runs against each backend.
// Every method is thread-safe and atomic. Times are unix milliseconds.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/identity_records.h"
#include "store/job_queue.h"  // JobFinish

namespace berth::store {

struct PolicyRecord {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string name;
  std::string description;
  std::string targets_json;      // Harbor's `targets` array, validated by the API layer
  std::vector<std::string> event_types;  // de-duplicated, in the order given
  std::string creator;
  bool enabled = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct PolicyFilter {
  std::string name;       // exact (q=name=x)
  std::string name_part;  // substring (q=name=~x)
  std::string sort;       // "creation_time", "-creation_time" (default), "name", "-name", "id", "-id"
};

// Status values as Harbor's: Pending, Running, Success, Error, Stopped.
struct ExecutionRecord {
  int64_t id = 0;
  int64_t policy_id = 0;
  int64_t project_id = 0;
  int64_t event_id = 0;          // the outbox job that caused it; 0 for test deliveries
  int target_index = 0;          // position of the target in the policy's `targets`
  int64_t redelivery_of = 0;     // the execution this one re-sends, or 0
  std::string vendor_type;       // "WEBHOOK" (http target) or "SLACK"
  std::string event_type;        // e.g. PUSH_ARTIFACT
  std::string target_json;       // the target as it was when the event was dispatched
  std::string payload;           // the exact body sent
  std::string delivery_id;       // X-Berth-Event-Id (and the CloudEvents id): stable across retries and redeliveries
  std::string status = "Pending";
  std::string status_message;
  int64_t run_count = 0;         // attempts made
  int64_t job_id = 0;            // the delivery job in the job queue
  int64_t created_at = 0;
  int64_t start_at = 0;          // first attempt, 0 before
  int64_t end_at = 0;            // final outcome, 0 before
  int64_t updated_at = 0;
};

struct AttemptRecord {
  int64_t execution_id = 0;
  int attempt = 0;               // 1-based
  int64_t at = 0;
  int status_code = 0;           // 0: no HTTP answer (transport error, timeout)
  int64_t duration_ms = 0;
  std::string error;             // empty on success
  std::string response;          // first bytes of the answer
};

// One execution to record when an event is dispatched.
struct NewExecution {
  int64_t policy_id = 0;
  int target_index = 0;
  std::string vendor_type;
  std::string event_type;
  std::string target_json;
  std::string payload;
  std::string delivery_id;
};

// How delivery jobs are queued (job kind "webhook.deliver", payload {"execution_id":N}).
struct DeliveryJobOptions {
  int max_attempts = 3;
  int64_t run_after_ms = 0;      // 0: now
};

struct LastTrigger {
  std::string policy_name;
  std::string event_type;
  bool enabled = false;
  int64_t policy_created_at = 0;
  int64_t last_trigger_at = 0;   // start of the newest execution of that type, 0 if none
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // ---- policies ----
  // kConflict when the project already has a policy of that name.
  virtual Result<int64_t> CreatePolicy(const PolicyRecord& policy) = 0;
  // nullopt when absent or in another project.
  virtual Result<std::optional<PolicyRecord>> FindPolicy(int64_t project_id, int64_t id) = 0;
  // Full replacement of name, description, targets, event types and enabled. kConflict on a
  // duplicate name; false when absent.
  virtual Result<bool> UpdatePolicy(const PolicyRecord& policy) = 0;
  // kPreconditionFailed while an execution of the policy is Pending or Running; otherwise deletes
  // the policy with its executions and attempts. false when absent.
  virtual Result<bool> DeletePolicy(int64_t project_id, int64_t id) = 0;
  virtual Result<Listing<PolicyRecord>> ListPolicies(int64_t project_id, const PolicyFilter& filter, Paging paging) = 0;
  // Enabled policies of the project subscribed to `event_type`.
  virtual Result<std::vector<PolicyRecord>> MatchingPolicies(int64_t project_id, std::string_view event_type) = 0;
  // Whether any enabled policy of the project is subscribed to `event_type` (cheap; for pulls).
  virtual Result<bool> AnySubscribed(int64_t project_id, std::string_view event_type) = 0;

  // ---- deliveries ----
  // Records the executions of one event and queues one delivery job for each, in one
  // transaction. An execution for the same (event_id, policy_id, target_index) already recorded
  // is skipped, so dispatching an event twice delivers it once. Keeps the newest 50 executions
  // per policy (older final ones are removed). Returns the ids of the executions it created.
  // With `finish`, the event's own job ends as it says in the same transaction (a lease lost
  // meanwhile changes nothing: the dispatch stays, and the new lease holder's finds it recorded).
  virtual Result<std::vector<int64_t>> RecordDispatch(int64_t event_id, const std::vector<NewExecution>& executions,
                                                      const DeliveryJobOptions& job, const JobFinish* finish) = 0;
  // A new execution re-sending `execution_id`'s payload to the same target (same delivery id),
  // with its delivery job. nullopt when the execution is absent or not of this policy.
  virtual Result<std::optional<int64_t>> Redeliver(int64_t policy_id, int64_t execution_id,
                                                   const DeliveryJobOptions& job) = 0;
  virtual Result<std::optional<ExecutionRecord>> FindExecution(int64_t id) = 0;
  // Newest first.
  virtual Result<Listing<ExecutionRecord>> ListExecutions(int64_t policy_id, Paging paging) = 0;
  // Records one delivery attempt (attempt.attempt = the delivery job's attempt number, attempt.at
  // its start) and the execution's new status: "Success" or "Error" end it (end_at set), "Pending"
  // means a retry is queued. The first attempt recorded sets start_at; run_count becomes the
  // highest attempt number. With `finish`, the delivery job ends as it says in the same
  // transaction, so the attempt and the job's end commit together; then false, recording nothing,
  // when that job is no longer leased by finish->owner. kNotFound for an unknown execution.
  // An execution reads as "Running" while it is Pending and its delivery job is leased.
  virtual Result<bool> RecordAttempt(const AttemptRecord& attempt, std::string_view status,
                                     std::string_view status_message, const JobFinish* finish) = 0;
  virtual Result<std::vector<AttemptRecord>> Attempts(int64_t execution_id) = 0;
  // One row per policy × subscribed event type (Harbor's /lasttrigger).
  virtual Result<std::vector<LastTrigger>> LastTriggers(int64_t project_id) = 0;
};

}  // namespace berth::store
