#include "webhook/dispatcher.h"

#include <nlohmann/json.hpp>

#include "store/outbox.h"
#include "webhook/event.h"
#include "webhook/payloads.h"
#include "webhook/targets.h"

namespace berth::webhook {

jobs::Outcome Dispatcher::Handle(const store::JobRecord& job, const jobs::JobContext& ctx) {
  auto record = store::ParseArtifactEvent(job.payload);
  if (!record) return jobs::Outcome::Fail("malformed event payload");
  if (opt_.enabled && !opt_.enabled()) return jobs::Outcome::Done();  // notifications are off
  std::string project_name = record->repository.substr(0, record->repository.find('/'));
  auto project = projects_.FindByName(project_name);
  if (!project) return jobs::Outcome::Retry(std::string(project.error().Message()));
  if (!*project) return jobs::Outcome::Done();  // the project is gone, and its policies with it
  auto policies = webhooks_.MatchingPolicies((*project)->id, record->type);
  if (!policies) return jobs::Outcome::Retry(std::string(policies.error().Message()));
  if (policies->empty()) return jobs::Outcome::Done();

  Event e;
  if (IsChartEventType(record->type)) {  // repository = <project>/<chart>, tag = the chart version
    e = ChartEvent(record->type, record->occur_at, record->operator_name, opt_.external_url, project_name,
                   (*project)->is_public, record->repository.substr(project_name.size() + 1), record->tag);
  } else if (store::IsQuotaEventType(record->type)) {
    e = QuotaEvent(record->type, record->occur_at, record->operator_name, project_name, (*project)->is_public,
                   record->repository, record->digest, record->tag, record->details);
  } else {
    int64_t repo_created = 0;
    if (auto repo = artifacts_.FindRepository(record->repository); repo && *repo) repo_created = (*repo)->created_at;
    e = ArtifactEvent(record->type, record->occur_at, record->operator_name, ExternalHost(opt_.external_url),
                      project_name, (*project)->is_public, record->repository, repo_created, record->digest,
                      record->tag);
  }
  e.request_id = record->request_id;

  std::vector<store::NewExecution> executions;
  for (const auto& policy : *policies) {
    auto targets = nlohmann::json::parse(policy.targets_json, nullptr, false);
    if (!targets.is_array()) continue;
    for (size_t i = 0; i < targets.size(); ++i) {
      const auto& t = targets[i];
      if (!t.is_object()) continue;
      store::NewExecution x;
      x.policy_id = policy.id;
      x.target_index = static_cast<int>(i);
      x.event_type = record->type;
      x.target_json = t.dump();
      x.delivery_id = NewEventId();
      auto body = RenderFor(e, t, x.delivery_id, (*project)->id, policy.id);
      x.vendor_type = std::move(body.vendor_type);
      x.payload = std::move(body.payload);
      executions.push_back(std::move(x));
    }
  }
  store::DeliveryJobOptions opts;
  opts.max_attempts = opt_.max_attempts;
  // The event job ends in the transaction that records its deliveries.
  store::JobFinish done = ctx.FinishFor(job, jobs::Outcome::Done());
  auto recorded = webhooks_.RecordDispatch(job.id, executions, opts, &done);
  if (!recorded) return jobs::Outcome::Retry(std::string(recorded.error().Message()));
  if (!recorded->empty() && wake_) wake_();
  return jobs::Outcome::Recorded(std::move(done));
}

}  // namespace berth::webhook
