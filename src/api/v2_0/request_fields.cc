#include "api/v2_0/request_fields.h"

#include <algorithm>
#include <charconv>

namespace berth::api::v2_0 {

Result<void> OnlyFields(const Json& v, std::string_view what, std::initializer_list<std::string_view> allowed) {
  if (!v.is_object()) return Fail(Errc::kBadRequest, std::string(what) + " must be a JSON object");
  for (const auto& [key, value] : v.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Fail(Errc::kBadRequest, "unknown field " + key + " in " + std::string(what));
  }
  return {};
}

Result<std::optional<int64_t>> IntField(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return Fail(Errc::kBadRequest, std::string(key) + " must be an integer");
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return Fail(Errc::kBadRequest, std::string(key) + " is out of range");
  return std::optional<int64_t>(it->get<int64_t>());
}

Result<std::optional<std::string>> StringField(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Fail(Errc::kBadRequest, std::string(key) + " must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<int64_t> PositiveId(std::string_view text, std::string_view what) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
    return Fail(Errc::kBadRequest, std::string(what) + " must be a positive integer");
  return id;
}

}  // namespace berth::api::v2_0
