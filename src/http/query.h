// Query strings and percent-decoding. Query is an immutable value; thread-safe.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::http {

class Query {
 public:
  Query() = default;
  // `raw` is the part after '?', still percent-encoded. Malformed pairs are skipped.
  static Query Parse(std::string_view raw);
  std::optional<std::string> Get(std::string_view key) const;
  // Every value of a repeated key, in order.
  std::vector<std::string> GetAll(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key).has_value(); }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Decodes %XX escapes once; nullopt when the escapes are malformed.
std::optional<std::string> PercentDecode(std::string_view s);
// Encodes everything but unreserved characters.
std::string PercentEncode(std::string_view s);

}  // namespace berth::http
