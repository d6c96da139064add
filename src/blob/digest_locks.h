// DigestLocks: striped mutexes keyed by blob digest, shared by the upload service (placing a
// blob's file and then recording its row) and the garbage collector (re-checking that a blob has
// no row and then deleting its file), so the two never interleave on one digest: a file is never
// deleted under a row being created. In-process only (one server per data directory): the
// server's components share Process(). Thread-safe.
#pragma once
#include <array>
#include <functional>
#include <mutex>
#include <string>

#include "base/digest.h"

namespace berth::blob {

class DigestLocks {
 public:
  static DigestLocks& Process() {
    static DigestLocks locks;
    return locks;
  }
  std::mutex& For(const Digest& digest) { return stripes_[std::hash<std::string>{}(digest.str()) % stripes_.size()]; }

 private:
  std::array<std::mutex, 256> stripes_;
};

}  // namespace berth::blob
