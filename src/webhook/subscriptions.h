// Subscriptions: whether a project has an enabled webhook policy for an event type. Pushes, pulls
// and deletes ask before they record an event, so a project without webhooks pays nothing. An
// answer is reused while the store's write generation is unchanged, for at most `max_age`
// (policies changed by another process are seen within that time). A failed lookup answers yes:
// an event too many is dropped by the dispatcher, an event too few is lost.
// Thread-safe: the map is guarded by mu_.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "store/webhook_store.h"

namespace berth::webhook {

class Subscriptions {
 public:
  Subscriptions(store::WebhookStore& store, std::function<uint64_t()> generation,
                std::chrono::milliseconds max_age = std::chrono::seconds(5))
      : store_(store), generation_(std::move(generation)), max_age_(max_age) {}

  bool Wants(int64_t project_id, std::string_view event_type);

 private:
  struct Entry {
    bool wants = false;
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point until;
  };
  store::WebhookStore& store_;
  std::function<uint64_t()> generation_;
  std::chrono::milliseconds max_age_;
  std::mutex mu_;
  std::map<std::pair<int64_t, std::string>, Entry, std::less<>> cache_;  // guarded by mu_
};

}  // namespace berth::webhook
