// SessionStore: durable web-console sessions, keyed by the hash of the cookie token (the token
// itself is never stored). A backend implements it next to its other stores;
// tests/unit/session_store_conformance_test.cc runs against each backend.
// Every method is thread-safe and atomic.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::store {

struct SessionRecord {
  std::string token_hash;  // raw SHA-256 bytes
  int64_t user_id = 0;
  int64_t credential_version = 0;
  std::string csrf_token;
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Result<void> Create(const SessionRecord& session) = 0;
  // nullopt when absent or expired at `now`.
  virtual Result<std::optional<SessionRecord>> Find(std::string_view token_hash, int64_t now) = 0;
  virtual Result<void> Extend(std::string_view token_hash, int64_t expires_at) = 0;
  virtual Result<void> Delete(std::string_view token_hash) = 0;
  // Removes sessions that expired before `now`; returns how many.
  virtual Result<int64_t> DeleteExpired(int64_t now) = 0;
};

}  // namespace berth::store
