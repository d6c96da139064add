#include "auth/project_lookup.h"

namespace berth::auth {

Result<std::shared_ptr<const store::ProjectRecord>> ProjectLookup::FindByName(std::string_view name) {
  // Read the generation first: an entry filled from data newer than this number is merely
  // dropped early, never kept too long.
  uint64_t gen = generation_ ? generation_() : 0;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(std::string(name)); it != cache_.end()) {
      if (it->second.generation == gen && it->second.until > now) return it->second.project;
    }
  }
  auto found = projects_.FindByName(name);
  if (!found) return std::unexpected(found.error());
  std::shared_ptr<const store::ProjectRecord> project;
  if (*found) project = std::make_shared<const store::ProjectRecord>(std::move(**found));
  std::lock_guard lock(mu_);
  if (cache_.size() >= 10000) cache_.clear();  // bounded; refilled on demand
  cache_[std::string(name)] = Entry{project, gen, now + max_age_};
  return project;
}

}  // namespace berth::auth
