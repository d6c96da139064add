#include "api/oci/params.h"

#include <charconv>

namespace berth::api::oci {
namespace {
bool ParseI64(std::string_view s, int64_t& v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Result<std::string> RepoName(const http::Exchange& ex) {
  const std::string& name = ex.Param("name");
  if (auto r = berth::oci::ValidateRepositoryName(name); !r) return std::unexpected(r.error());
  return name;
}

Result<Digest> DigestParam(std::string_view text) { return Digest::Parse(text); }

Result<berth::oci::Reference> ReferenceParam(const http::Exchange& ex) {
  return berth::oci::ParseReference(ex.Param("reference"));
}

Result<int> PageSize(const http::Exchange& ex, int fallback) {
  auto n = ex.query().Get("n");
  if (!n || n->empty()) return fallback;
  int64_t v = 0;
  if (!ParseI64(*n, v) || v < 0) return Fail(Errc::kPaginationInvalid, "n must be a non-negative integer");
  return static_cast<int>(std::min<int64_t>(v, 1 << 30));
}

Result<std::optional<registry::ContentRange>> UploadRange(const http::Exchange& ex) {
  std::string_view h = ex.Header("Content-Range");
  if (h.empty()) return std::optional<registry::ContentRange>{};
  if (h.starts_with("bytes=")) h.remove_prefix(6);
  else if (h.starts_with("bytes ")) h.remove_prefix(6);
  auto dash = h.find('-');
  int64_t a = 0, b = 0;
  if (dash == std::string_view::npos || !ParseI64(h.substr(0, dash), a) || !ParseI64(h.substr(dash + 1), b) ||
      a < 0 || b < a)
    return Fail(Errc::kRangeInvalid, "malformed Content-Range: " + std::string(h.substr(0, 100)));
  return std::optional<registry::ContentRange>(registry::ContentRange{a, b});
}

}  // namespace berth::api::oci
