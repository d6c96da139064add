#include "registry/manifest_cache.h"

namespace berth::registry {

ManifestCache::ManifestCache(std::function<uint64_t()> generation, Options opt)
    : generation_(std::move(generation)), opt_(opt) {}

std::shared_ptr<const store::ManifestRecord> ManifestCache::Get(const std::string& key) {
  uint64_t gen = generation_();
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  if (it->second->generation != gen || it->second->until <= now) {
    EraseLocked(it->second);
    return nullptr;
  }
  order_.splice(order_.begin(), order_, it->second);
  return it->second->manifest;
}

void ManifestCache::Put(const std::string& key, uint64_t generation,
                        std::shared_ptr<const store::ManifestRecord> m) {
  if (!m || m->content.size() > opt_.max_entry_bytes) return;
  auto until = std::chrono::steady_clock::now() + opt_.max_age;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) EraseLocked(it->second);
  bytes_ += m->content.size();
  order_.push_front(Entry{key, std::move(m), generation, until});
  index_[key] = order_.begin();
  while (bytes_ > opt_.max_bytes && !order_.empty()) EraseLocked(std::prev(order_.end()));
}

size_t ManifestCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

void ManifestCache::EraseLocked(Order::iterator it) {
  bytes_ -= it->manifest->content.size();
  index_.erase(it->key);
  order_.erase(it);
}

}  // namespace berth::registry
