// Wall-clock helpers. Stateless, thread-safe.
#pragma once
#include <cstdint>
#include <string>

namespace berth {

int64_t NowUnixSeconds();
int64_t NowUnixMillis();
// RFC 3339 UTC with seconds precision, e.g. "2026-11-29T13:51:28Z".
std::string FormatRfc3339(int64_t unix_seconds);

}  // namespace berth
