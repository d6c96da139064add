// SQLite implementation of store/webhook_store.h (tables webhook_policies, webhook_executions,
// webhook_attempts; see migrations/sqlite/0008_webhooks.sql). Delivery jobs go into the durable
// job queue (store/sqlite/job_queue.h) in the same transaction as their executions.
// Thread-safe (Db serializes writes; reads use pooled connections).
#pragma once
#include "store/sqlite/db.h"
#include "store/webhook_store.h"

namespace berth::store::sqlite {

class SqliteWebhookStore final : public WebhookStore {
 public:
  explicit SqliteWebhookStore(Db& db) : db_(db) {}

  Result<int64_t> CreatePolicy(const PolicyRecord& policy) override;
  Result<std::optional<PolicyRecord>> FindPolicy(int64_t project_id, int64_t id) override;
  Result<bool> UpdatePolicy(const PolicyRecord& policy) override;
  Result<bool> DeletePolicy(int64_t project_id, int64_t id) override;
  Result<Listing<PolicyRecord>> ListPolicies(int64_t project_id, const PolicyFilter& filter, Paging paging) override;
  Result<std::vector<PolicyRecord>> MatchingPolicies(int64_t project_id, std::string_view event_type) override;
  Result<bool> AnySubscribed(int64_t project_id, std::string_view event_type) override;

  Result<std::vector<int64_t>> RecordDispatch(int64_t event_id, const std::vector<NewExecution>& executions,
                                              const DeliveryJobOptions& job, const JobFinish* finish) override;
  Result<std::optional<int64_t>> Redeliver(int64_t policy_id, int64_t execution_id,
                                           const DeliveryJobOptions& job) override;
  Result<std::optional<ExecutionRecord>> FindExecution(int64_t id) override;
  Result<Listing<ExecutionRecord>> ListExecutions(int64_t policy_id, Paging paging) override;
  Result<bool> RecordAttempt(const AttemptRecord& attempt, std::string_view status,
                             std::string_view status_message, const JobFinish* finish) override;
  Result<std::vector<AttemptRecord>> Attempts(int64_t execution_id) override;
  Result<std::vector<LastTrigger>> LastTriggers(int64_t project_id) override;

 private:
  Db& db_;
};

}  // namespace berth::store::sqlite
