// HTTP byte ranges (RFC 9110 "Range: bytes=..."), single range only. Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace berth::http {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};

enum class RangeResult { kNone, kOk, kUnsatisfiable };

// header: the Range header value (empty when absent). size: the representation's length.
// Multi-range and malformed headers are treated as absent (the whole body is sent), as RFC 9110
// allows.
RangeResult ParseRange(std::string_view header, uint64_t size, ByteRange& out);

}  // namespace berth::http
