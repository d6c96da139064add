// Harbor's list query syntax `q`, for every list that takes one: q=k=v (exact),
// k=~v (fuzzy), k=[a~b] (range), k={a b} (any of), k=(a b) (all of), terms joined by ','; values
// may be quoted with " or '. Also boolean flags such as with_tag. Pure; thread-safe.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "http/exchange.h"

namespace berth::api::v2_0 {

struct QueryTerm {
  enum class Kind { kExact, kFuzzy, kRange, kAny, kAll };
  std::string key;
  Kind kind = Kind::kExact;
  std::vector<std::string> values;  // one for exact/fuzzy, two for a range, any number for lists
};

// kBadRequest with a message naming the malformed term.
Result<std::vector<QueryTerm>> ParseHarborQuery(std::string_view q);

// kBadRequest naming the first term whose key is not in `allowed`, or a key given twice.
Result<void> OnlyKeys(const std::vector<QueryTerm>& terms, std::initializer_list<std::string_view> allowed);
// The term with `key`, or nullptr.
const QueryTerm* FindTerm(const std::vector<QueryTerm>& terms, std::string_view key);

// ?name=true|false (also 1/0); `fallback` when absent. kBadRequest otherwise.
Result<bool> BoolParam(const http::Exchange& ex, const char* name, bool fallback);

}  // namespace berth::api::v2_0
