// Deliverer: the handler of "webhook.deliver" jobs. One attempt per call: POSTs the execution's
// recorded body to its target (Content-Type by format, the target's auth_header as Authorization
// for http targets, X-Berth-Event-Id, and X-Berth-Signature when the target has a signing
// secret; both secrets are opened from their sealed form just before the request and never
// logged), records the attempt (status code, duration, error, first bytes of the answer), and
// returns Done on a 2xx, Retry otherwise (the runner's backoff; the last attempt ends the
// execution as Error, a dead letter that can be redelivered). A target whose secrets do not open
// (secret.key replaced) is not sent at all: the attempt records why and the execution ends Error.
// At most `per_target` deliveries run at once to one address; workers beyond that wait their turn.
// Deliveries already queued go out even while notification_enable is off (see dispatcher.h).
// Thread-safe: the per-address counters are guarded by mu_.
#pragma once
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "jobs/job_runner.h"
#include "store/webhook_store.h"
#include "webhook/target_secrets.h"

namespace berth::webhook {

struct DeliveryOptions {
  std::chrono::milliseconds timeout{3000};  // the whole exchange
  int per_target = 4;                        // concurrent deliveries to one address
};

class Deliverer {
 public:
  // `secrets` opens the target's auth_header and signing_secret; it must outlive this object.
  Deliverer(store::WebhookStore& webhooks, const TargetSecrets& secrets, DeliveryOptions opt)
      : webhooks_(webhooks), secrets_(secrets), opt_(opt) {}

  jobs::Outcome Handle(const store::JobRecord& job, const jobs::JobContext& ctx);

 private:
  // Holds one of the `per_target` slots of an address while alive.
  class Slot {
   public:
    Slot(Deliverer& d, std::string address);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    Deliverer& d_;
    std::string address_;
  };

  store::WebhookStore& webhooks_;
  const TargetSecrets& secrets_;
  DeliveryOptions opt_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::map<std::string, int> running_;  // address → deliveries in flight; guarded by mu_
};

}  // namespace berth::webhook
