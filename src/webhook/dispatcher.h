// Dispatcher: the handler of "event" jobs (store/outbox.h). Turns one artifact or quota event into one
// execution per enabled matching policy × target, each with its exact body (Default, CloudEvents
// or Slack) and a delivery job, all in one transaction (WebhookStore::RecordDispatch), then wakes
// the runner. Running it twice for one event records nothing new. The payload is built here, after
// the change, as Harbor builds it: the repository's date_created is left out once it is gone.
// While notifications are off (Harbor's notification_enable, asked through `enabled` when the event
// is dispatched, normally milliseconds after it occurred) the event job ends with no execution and
// no delivery job: nothing is sent for it, then or later. Deliveries queued before the switch
// still go out (Harbor, too, checks the setting when it selects the policies for an event).
// Thread-safe: stateless over thread-safe stores.
#pragma once
#include <functional>
#include <string>

#include "jobs/job_runner.h"
#include "store/artifact_store.h"
#include "store/identity_store.h"
#include "store/job_queue.h"
#include "store/webhook_store.h"

namespace berth::webhook {

inline constexpr std::string_view kDeliverJobKind = "webhook.deliver";

struct DispatchOptions {
  std::string external_url;  // resource_url's host comes from it (scheme dropped)
  int max_attempts = 3;      // per delivery
  std::function<bool()> enabled;  // notification_enable; null = always on
};

class Dispatcher {
 public:
  Dispatcher(store::WebhookStore& webhooks, store::ProjectStore& projects, store::ArtifactStore& artifacts,
             std::function<void()> wake, DispatchOptions opt)
      : webhooks_(webhooks), projects_(projects), artifacts_(artifacts), wake_(std::move(wake)), opt_(std::move(opt)) {}

  jobs::Outcome Handle(const store::JobRecord& job, const jobs::JobContext& ctx);

 private:
  store::WebhookStore& webhooks_;
  store::ProjectStore& projects_;
  store::ArtifactStore& artifacts_;
  std::function<void()> wake_;
  DispatchOptions opt_;
};

}  // namespace berth::webhook
