// ConfigAttrsCache: the extra_attrs of image artifacts (architecture, os, created, author,
// config) as serialized JSON, keyed by the digest of their config blob. A config is content-addressed, so an entry
// never goes stale; the map is bounded and drops the least recently used entry when full.
// Thread-safe: guarded by mu_.
#pragma once
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>


namespace berth::api::v2_0 {

class ConfigAttrsCache {
 public:
  explicit ConfigAttrsCache(size_t capacity = 4096) : capacity_(capacity) {}

  std::optional<std::string> Get(const std::string& config_digest);
  void Put(const std::string& config_digest, std::string attrs);

 private:
  using Order = std::list<std::pair<std::string, std::string>>;  // most recently used first
  size_t capacity_;
  std::mutex mu_;
  Order order_;                                                // guarded by mu_
  std::unordered_map<std::string, Order::iterator> index_;     // guarded by mu_
};

}  // namespace berth::api::v2_0
