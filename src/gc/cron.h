// Cron: Harbor's schedule expressions — six fields "sec min hour day-of-month month day-of-week"
// (five fields get second 0), each *, N, A-B, */S, A-B/S or a comma list of those; day-of-week
// 0-7 (0 and 7 are Sunday). Times are UTC. A value type; thread-safe.
#pragma once
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"

namespace berth::gc {

class Cron {
 public:
  // kBadRequest naming the problem.
  static Result<Cron> Parse(const std::string& expr);
  bool Matches(int64_t unix_seconds) const;
  // The first matching second strictly after `unix_seconds`, within about a year; nullopt if none.
  std::optional<int64_t> Next(int64_t unix_seconds) const;

 private:
  std::bitset<60> sec_, min_;
  std::bitset<24> hour_;
  std::bitset<32> dom_;
  std::bitset<13> mon_;
  std::bitset<8> dow_;
  bool dom_any_ = true, dow_any_ = true;
  bool DayMatches(int mday, int mon, int wday) const;
};

}  // namespace berth::gc
