// Semantic Versioning 2.0.0 (https://semver.org): parsing and precedence, for chart versions.
// Pure value type and functions; thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::chart {

struct SemVer {
  uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;  // pre-release identifiers ("rc", "1")
  std::string build;             // build metadata (ignored for precedence)
};

// Strict SemVer 2: MAJOR.MINOR.PATCH[-pre][+build], no leading zeros in numeric parts, no "v".
std::optional<SemVer> ParseSemVer(std::string_view text);

// <0, 0, >0 by SemVer precedence (build metadata ignored).
int Compare(const SemVer& a, const SemVer& b);

}  // namespace berth::chart
