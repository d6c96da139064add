// ProjectLookup: the project-by-name reads of authorization (the /v2 gate, the token service's
// iat check), kept in memory. An entry (found or missing) is reused while the store's write
// generation is unchanged and for at most `max_age` (writes by other processes are seen within
// that time), so a stream of requests against one project costs a hash lookup, not a query.
// Thread-safe: the map is guarded by mu_; returned records are immutable and shared.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.h"
#include "store/identity_store.h"

namespace berth::auth {

class ProjectLookup {
 public:
  // `generation` counts committed writes (Db::generation); null means entries live `max_age`.
  ProjectLookup(store::ProjectStore& projects, std::function<uint64_t()> generation,
                std::chrono::milliseconds max_age = std::chrono::milliseconds(2000))
      : projects_(projects), generation_(std::move(generation)), max_age_(max_age) {}

  // The project named `name`, or null when there is none.
  Result<std::shared_ptr<const store::ProjectRecord>> FindByName(std::string_view name);

 private:
  struct Entry {
    std::shared_ptr<const store::ProjectRecord> project;  // null: no such project
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point until;
  };
  store::ProjectStore& projects_;
  std::function<uint64_t()> generation_;
  std::chrono::milliseconds max_age_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mu_
};

}  // namespace berth::auth
