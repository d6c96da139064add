#include "webhook/subscriptions.h"

namespace berth::webhook {

bool Subscriptions::Wants(int64_t project_id, std::string_view event_type) {
  uint64_t gen = generation_ ? generation_() : 0;  // first: see ProjectLookup for why
  auto now = std::chrono::steady_clock::now();
  auto key = std::make_pair(project_id, std::string(event_type));
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end() && it->second.generation == gen && it->second.until > now)
      return it->second.wants;
  }
  auto any = store_.AnySubscribed(project_id, event_type);
  bool wants = !any || *any;
  std::lock_guard lock(mu_);
  if (cache_.size() >= 10000) cache_.clear();
  cache_[key] = Entry{wants, gen, now + max_age_};
  return wants;
}

}  // namespace berth::webhook
