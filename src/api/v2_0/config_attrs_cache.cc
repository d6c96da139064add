#include "api/v2_0/config_attrs_cache.h"

namespace berth::api::v2_0 {

std::optional<std::string> ConfigAttrsCache::Get(const std::string& config_digest) {
  std::lock_guard lock(mu_);
  auto it = index_.find(config_digest);
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void ConfigAttrsCache::Put(const std::string& config_digest, std::string attrs) {
  std::lock_guard lock(mu_);
  if (auto it = index_.find(config_digest); it != index_.end()) {
    it->second->second = std::move(attrs);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(config_digest, std::move(attrs));
  index_[config_digest] = order_.begin();
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

}  // namespace berth::api::v2_0
