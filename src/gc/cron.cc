#include "gc/cron.h"

#include <charconv>
#include <ctime>
#include <sstream>
#include <vector>

namespace berth::gc {
namespace {

Result<int> Num(std::string_view s, int lo, int hi) {
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || n < lo || n > hi)
    return Fail(Errc::kBadRequest, "cron: " + std::string(s) + " is not a number in " + std::to_string(lo) + "-" +
                                       std::to_string(hi));
  return n;
}

// Sets bits lo..hi of `out` that the field selects; any = the field is "*" (or "?").
template <size_t N>
Result<void> Field(const std::string& f, int lo, int hi, std::bitset<N>& out, bool* any = nullptr) {
  if (any) *any = (f == "*" || f == "?");
  size_t start = 0;
  while (start <= f.size()) {
    size_t comma = f.find(',', start);
    std::string part = f.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int step = 1;
    if (auto slash = part.find('/'); slash != std::string::npos) {
      auto s = Num(std::string_view(part).substr(slash + 1), 1, hi);
      if (!s) return std::unexpected(s.error());
      step = *s;
      part = part.substr(0, slash);
    }
    int a = lo, b = hi;
    if (part != "*" && part != "?") {
      if (auto dash = part.find('-'); dash != std::string::npos) {
        auto x = Num(std::string_view(part).substr(0, dash), lo, hi);
        auto y = Num(std::string_view(part).substr(dash + 1), lo, hi);
        if (!x) return std::unexpected(x.error());
        if (!y) return std::unexpected(y.error());
        a = *x;
        b = *y;
        if (a > b) return Fail(Errc::kBadRequest, "cron: range " + part + " is backwards");
      } else {
        auto x = Num(part, lo, hi);
        if (!x) return std::unexpected(x.error());
        a = *x;
        b = step > 1 ? hi : *x;
      }
    }
    for (int v = a; v <= b; v += step) out.set(static_cast<size_t>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {};
}

}  // namespace

Result<Cron> Cron::Parse(const std::string& expr) {
  std::istringstream in(expr);
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  if (f.size() == 5) f.insert(f.begin(), "0");
  if (f.size() != 6) return Fail(Errc::kBadRequest, "cron: expected 6 fields (sec min hour dom month dow): " + expr);
  Cron c;
  if (auto r = Field(f[0], 0, 59, c.sec_); !r) return std::unexpected(r.error());
  if (auto r = Field(f[1], 0, 59, c.min_); !r) return std::unexpected(r.error());
  if (auto r = Field(f[2], 0, 23, c.hour_); !r) return std::unexpected(r.error());
  if (auto r = Field(f[3], 1, 31, c.dom_, &c.dom_any_); !r) return std::unexpected(r.error());
  if (auto r = Field(f[4], 1, 12, c.mon_); !r) return std::unexpected(r.error());
  if (auto r = Field(f[5], 0, 7, c.dow_, &c.dow_any_); !r) return std::unexpected(r.error());
  if (c.dow_.test(7)) c.dow_.set(0);
  return c;
}

bool Cron::DayMatches(int mday, int mon, int wday) const {
  if (!mon_.test(static_cast<size_t>(mon))) return false;
  bool d = dom_.test(static_cast<size_t>(mday)), w = dow_.test(static_cast<size_t>(wday));
  if (!dom_any_ && !dow_any_) return d || w;  // both restricted: either one (classic cron)
  return d && w;
}

bool Cron::Matches(int64_t t) const {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return sec_.test(static_cast<size_t>(tm.tm_sec)) && min_.test(static_cast<size_t>(tm.tm_min)) &&
         hour_.test(static_cast<size_t>(tm.tm_hour)) && DayMatches(tm.tm_mday, tm.tm_mon + 1, tm.tm_wday);
}

std::optional<int64_t> Cron::Next(int64_t t) const {
  // Minute by minute (about 527,000 steps for a year), then the first matching second in it.
  int64_t minute = t - ((t % 60) + 60) % 60;
  for (int64_t m = minute; m < t + 367LL * 86400; m += 60) {
    std::time_t tt = static_cast<std::time_t>(m);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    if (!min_.test(static_cast<size_t>(tm.tm_min)) || !hour_.test(static_cast<size_t>(tm.tm_hour)) ||
        !DayMatches(tm.tm_mday, tm.tm_mon + 1, tm.tm_wday))
      continue;
    for (int s = 0; s < 60; ++s)
      if (sec_.test(static_cast<size_t>(s)) && m + s > t) return m + s;
  }
  return std::nullopt;
}

}  // namespace berth::gc
