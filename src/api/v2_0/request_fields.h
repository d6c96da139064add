// Strict reading of JSON request bodies for the /api/v2.0 handlers: objects may carry only known
// fields, and typed fields are checked (a string where a number belongs is a 400, not a zero).
// Pure; thread-safe.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/v2_0/render.h"
#include "base/error.h"

namespace berth::api::v2_0 {

// kBadRequest unless `v` is an object whose keys are all in `allowed`; `what` names it in messages.
Result<void> OnlyFields(const Json& v, std::string_view what, std::initializer_list<std::string_view> allowed);
// Absent or null → nullopt; an integer → its value; anything else → kBadRequest.
Result<std::optional<int64_t>> IntField(const Json& obj, const char* key);
// Absent or null → nullopt; a string → its value; anything else → kBadRequest.
Result<std::optional<std::string>> StringField(const Json& obj, const char* key);
// A positive integer path parameter (ids); kBadRequest otherwise.
Result<int64_t> PositiveId(std::string_view text, std::string_view what);

}  // namespace berth::api::v2_0
