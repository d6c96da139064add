// Harbor's list query language `q`: comma-joined terms `k=v` (exact), `k=~v` (fuzzy),
// `k=[a~b]` (range), `k={a b}` (any of), `k=(a b)` (all of). Parsing only; each handler maps the
// keys it supports onto its store filter and rejects the others. Pure; thread-safe.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::api::v2_0 {

struct QTerm {
  enum class Kind { kExact, kFuzzy, kRange, kAnyOf, kAllOf };
  Kind kind = Kind::kExact;
  std::vector<std::string> values;  // one for exact/fuzzy, two for range (either may be empty)
};

using QFilter = std::map<std::string, QTerm, std::less<>>;

// kBadRequest for malformed terms, empty keys, repeated keys or more than 32 terms.
Result<QFilter> ParseQ(std::string_view q);

// kBadRequest naming the first key not in `allowed`.
Result<void> OnlyKeys(const QFilter& f, std::initializer_list<std::string_view> allowed);

}  // namespace berth::api::v2_0
