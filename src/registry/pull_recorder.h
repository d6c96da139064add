// PullRecorder: counts manifest pulls (GET /v2/<repo>/manifests/<ref>) and keeps the latest pull
// time of each artifact and tag, for Harbor's pull_count and pull_time.
//
// DESIGN: a pull must not cost a database write. Record() only updates an in-memory map; the map
// is written to the store in one transaction at most once per `interval` (by the Record() call
// that finds the interval elapsed, or when it holds `max_pending` entries) and on destruction.
// Pull times are therefore up to `interval` late, and a crash loses the pulls of the last
// interval — acceptable for statistics, never for content.
//
// Thread-safe: pending_ and last_flush_ are guarded by mu_; the store write runs outside the lock.
#pragma once
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "store/artifact_store.h"

namespace berth::registry {

class PullRecorder {
 public:
  struct Options {
    std::chrono::seconds interval{10};
    size_t max_pending = 10000;
  };
  PullRecorder(store::ArtifactStore& store, Options opt);
  ~PullRecorder();  // writes what is pending
  PullRecorder(const PullRecorder&) = delete;
  PullRecorder& operator=(const PullRecorder&) = delete;

  // One pull of `digest` in `repository`, by `tag` (empty when pulled by digest).
  void Record(std::string_view repository, const Digest& digest, std::string_view tag);
  // Writes everything pending now.
  void Flush();

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // repository, digest, tag
  void Write(std::map<Key, store::PullRecord> batch);

  store::ArtifactStore& store_;
  Options opt_;
  std::mutex mu_;
  std::map<Key, store::PullRecord> pending_;            // guarded by mu_
  std::chrono::steady_clock::time_point last_flush_;  // guarded by mu_
};

}  // namespace berth::registry
