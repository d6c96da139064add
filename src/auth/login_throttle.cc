#include "auth/login_throttle.h"

#include <algorithm>

namespace berth::auth {
namespace {

std::string AccountKey(std::string_view account, std::string_view source) {
  std::string k("a");
  k.push_back('\0');
  k.append(account).push_back('\0');
  k.append(source);
  return k;
}

std::string SourceKey(std::string_view source) {
  std::string k("s");
  k.push_back('\0');
  k.append(source);
  return k;
}

}  // namespace

int64_t LoginThrottle::Check(Counter* c, Clock::time_point now) const {
  if (!c || c->locked_until <= now) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(c->locked_until - now).count();
  return std::max<int64_t>(1, left);
}

int64_t LoginThrottle::RetryAfter(std::string_view account, std::string_view source, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (counters_.empty()) return 0;  // the common case: no failures anywhere, no keys to build
  auto find = [&](const std::string& key) -> Counter* {
    auto it = counters_.find(key);
    return it == counters_.end() ? nullptr : &it->second;
  };
  return std::max(Check(find(AccountKey(account, source)), now), Check(find(SourceKey(source)), now));
}

void LoginThrottle::Count(const std::string& key, int limit, Clock::time_point now) {
  Counter& c = counters_[key];
  if (c.failures == 0 || now - c.window_start > opt_.window) {
    c.failures = 0;
    c.window_start = now;
  }
  if (++c.failures >= limit) {
    c.locked_until = now + opt_.lockout;
    c.failures = 0;  // a new window starts after the lockout
    c.window_start = c.locked_until;
  }
}

void LoginThrottle::Failed(std::string_view account, std::string_view source, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (counters_.size() >= opt_.max_entries) Trim();
  Count(AccountKey(account, source), opt_.max_failures_per_account, now);
  Count(SourceKey(source), opt_.max_failures_per_source, now);
}

void LoginThrottle::Succeeded(std::string_view account, std::string_view source) {
  std::lock_guard lock(mu_);
  if (!counters_.empty()) counters_.erase(AccountKey(account, source));
}

void LoginThrottle::Trim() {
  auto now = Clock::now();
  std::erase_if(counters_, [&](const auto& kv) {
    return kv.second.locked_until <= now && now - kv.second.window_start > opt_.window;
  });
  if (counters_.size() >= opt_.max_entries) counters_.clear();
}

}  // namespace berth::auth
