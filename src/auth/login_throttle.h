// LoginThrottle: refuses further password attempts for an account from a source address after
// too many failures, and for a source address after too many failures across accounts, until a
// lockout period has passed. A refused attempt is not even checked, so a correct password during
// the lockout is refused too (otherwise guessing would go on). Counters live in memory: a restart
// clears them, which is acceptable for a brake on online guessing.
//
// Thread-safe: guarded by mu_. Bounded: at most max_entries keys; the oldest are dropped.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace berth::auth {

class LoginThrottle {
 public:
  struct Options {
    int max_failures_per_account = 10;   // per (account, source) within `window`
    int max_failures_per_source = 50;    // per source, all accounts, within `window`
    std::chrono::seconds window{300};
    std::chrono::seconds lockout{60};
    size_t max_entries = 100000;
  };
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(Options opt) : opt_(opt) {}

  // Seconds until attempts for (account, source) are allowed again; 0 = allowed now.
  int64_t RetryAfter(std::string_view account, std::string_view source, Clock::time_point now = Clock::now());
  void Failed(std::string_view account, std::string_view source, Clock::time_point now = Clock::now());
  // A success clears the account's counter for that source (not the source's overall count).
  void Succeeded(std::string_view account, std::string_view source);

 private:
  struct Counter {
    int failures = 0;
    Clock::time_point window_start;
    Clock::time_point locked_until;
  };
  int64_t Check(Counter* c, Clock::time_point now) const;
  void Count(const std::string& key, int limit, Clock::time_point now);
  void Trim();

  Options opt_;
  std::mutex mu_;
  std::unordered_map<std::string, Counter> counters_;  // "a\0<account>\0<source>" and "s\0<source>"
};

}  // namespace berth::auth
