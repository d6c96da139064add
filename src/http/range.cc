#include "http/range.h"

#include <charconv>

namespace berth::http {
namespace {
bool ParseU64(std::string_view s, uint64_t& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

RangeResult ParseRange(std::string_view header, uint64_t size, ByteRange& out) {
  if (!header.starts_with("bytes=")) return RangeResult::kNone;
  std::string_view spec = header.substr(6);
  if (spec.find(',') != std::string_view::npos) return RangeResult::kNone;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::kNone;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix: last N bytes
    if (!ParseU64(b, last)) return RangeResult::kNone;
    if (last == 0 || size == 0) return RangeResult::kUnsatisfiable;
    out.first = last >= size ? 0 : size - last;
    out.last = size - 1;
    return RangeResult::kOk;
  }
  if (!ParseU64(a, first)) return RangeResult::kNone;
  if (b.empty()) last = size ? size - 1 : 0;
  else if (!ParseU64(b, last) || last < first) return RangeResult::kNone;
  if (first >= size) return RangeResult::kUnsatisfiable;
  out.first = first;
  out.last = last >= size ? size - 1 : last;
  return RangeResult::kOk;
}

}  // namespace berth::http
