// DigestLocks: striped mutexes keyed by blob digest, shared by the upload service (placing a
// blob's file and then recording its row) and the garbage collector (re-checking that a blob has
// no row and then deleting its file), so the two never interleave on one digest: a file is never
// deleted under a row being created. In-process only (one server per data directory): the
// server's components share Process(). Thread-safe.
#pragma once
#include <algorithm>
#include <array>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "base/digest.h"

namespace berth::blob {

class DigestLocks {
 public:
  static DigestLocks& Process() {
    static DigestLocks locks;
    return locks;
  }
  std::mutex& For(const Digest& digest) { return stripes_[StripeOf(digest)]; }

  // Holds the locks of every digest in `digests` (each stripe once, in stripe order, so two
  // holders of overlapping sets cannot deadlock; the upload service holds one at a time).
  class Many {
   public:
    Many(DigestLocks& locks, const std::vector<Digest>& digests) {
      std::vector<size_t> idx;
      idx.reserve(digests.size());
      for (const auto& d : digests) idx.push_back(StripeOf(d));
      std::sort(idx.begin(), idx.end());
      idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
      held_.reserve(idx.size());
      for (size_t i : idx) held_.emplace_back(locks.stripes_[i]);
    }

   private:
    std::vector<std::unique_lock<std::mutex>> held_;
  };

 private:
  static size_t StripeOf(const Digest& d) { return std::hash<std::string>{}(d.str()) % kStripes; }
  static constexpr size_t kStripes = 256;
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace berth::blob
