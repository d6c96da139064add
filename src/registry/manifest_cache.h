// ManifestCache: manifests recently read by GET/HEAD /v2/<name>/manifests/<reference>, so a stream
// of pulls of the same images costs a hash lookup instead of a read transaction. An entry is
// served only while the store's write generation (Db::generation: every committed write in this
// process) is the one read before the entry was filled, and for at most `max_age` (a write by
// another process is seen within that time). Any write anywhere drops every entry's validity,
// which is coarse but cannot serve a tag that was moved or deleted. Bounded by `max_bytes` of
// manifest content (least recently used entries go first); larger manifests are not kept.
// Thread-safe: the map and the list are guarded by mu_; entries are immutable and shared.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/records.h"

namespace berth::registry {

class ManifestCache {
 public:
  struct Options {
    size_t max_bytes = 8 << 20;
    size_t max_entry_bytes = 64 << 10;
    std::chrono::milliseconds max_age{2000};
  };
  ManifestCache(std::function<uint64_t()> generation, Options opt);

  // The generation to pass to Put for a store read that starts now.
  uint64_t Generation() const { return generation_(); }
  // The entry for `key` when it is still valid; null otherwise.
  std::shared_ptr<const store::ManifestRecord> Get(const std::string& key);
  // Keeps `m`, read from the store after Generation() returned `generation`.
  void Put(const std::string& key, uint64_t generation, std::shared_ptr<const store::ManifestRecord> m);

  size_t bytes() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const store::ManifestRecord> manifest;
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point until;
  };
  using Order = std::list<Entry>;  // most recently used first
  void EraseLocked(Order::iterator it);

  std::function<uint64_t()> generation_;
  Options opt_;
  mutable std::mutex mu_;
  Order order_;                                            // guarded by mu_
  std::unordered_map<std::string, Order::iterator> index_;  // guarded by mu_
  size_t bytes_ = 0;                                       // guarded by mu_
};

}  // namespace berth::registry
