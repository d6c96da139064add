#include "auth/login_throttle.h"

#include <gtest/gtest.h>

namespace berth::auth {
namespace {

using namespace std::chrono_literals;

LoginThrottle::Options Small() {
  LoginThrottle::Options o;
  o.max_failures_per_account = 3;
  o.max_failures_per_source = 5;
  o.window = 60s;
  o.lockout = 30s;
  return o;
}

TEST(LoginThrottle, LocksAnAccountAfterTooManyFailuresFromOneSource) {
  LoginThrottle t(Small());
  auto now = LoginThrottle::Clock::now();
  t.Failed("alice", "10.0.0.1", now);
  t.Failed("alice", "10.0.0.1", now);
  EXPECT_EQ(t.RetryAfter("alice", "10.0.0.1", now), 0);
  t.Failed("alice", "10.0.0.1", now);
  EXPECT_EQ(t.RetryAfter("alice", "10.0.0.1", now), 30);
  EXPECT_EQ(t.RetryAfter("alice", "10.0.0.2", now), 0) << "another source is not locked out";
  EXPECT_EQ(t.RetryAfter("bob", "10.0.0.1", now), 0) << "another account is not locked out";
  EXPECT_EQ(t.RetryAfter("alice", "10.0.0.1", now + 31s), 0) << "the lockout ends";
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotAddUp) {
  LoginThrottle t(Small());
  auto now = LoginThrottle::Clock::now();
  t.Failed("alice", "s", now);
  t.Failed("alice", "s", now);
  t.Failed("alice", "s", now + 61s);
  EXPECT_EQ(t.RetryAfter("alice", "s", now + 61s), 0);
}

TEST(LoginThrottle, SuccessClearsTheAccountCounter) {
  LoginThrottle t(Small());
  auto now = LoginThrottle::Clock::now();
  t.Failed("alice", "s", now);
  t.Failed("alice", "s", now);
  t.Succeeded("alice", "s");
  t.Failed("alice", "s", now);
  EXPECT_EQ(t.RetryAfter("alice", "s", now), 0);
}

TEST(LoginThrottle, LocksASourceGuessingManyAccounts) {
  LoginThrottle t(Small());
  auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 5; ++i) t.Failed("user" + std::to_string(i), "10.0.0.9", now);
  EXPECT_GT(t.RetryAfter("someone-else", "10.0.0.9", now), 0);
  EXPECT_EQ(t.RetryAfter("someone-else", "10.0.0.8", now), 0);
}

TEST(LoginThrottle, StaysBounded) {
  auto o = Small();
  o.max_entries = 100;
  LoginThrottle t(o);
  auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 1000; ++i) t.Failed("u" + std::to_string(i), "s" + std::to_string(i), now);
  EXPECT_EQ(t.RetryAfter("u999", "s999", now), 0);
}

}  // namespace
}  // namespace berth::auth
