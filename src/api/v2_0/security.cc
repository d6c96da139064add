#include "api/v2_0/security.h"

#include "base/base64.h"

namespace berth::api::v2_0 {

Result<auth::Principal> Authenticate(RestContext& ctx, const http::Exchange& ex) {
  std::string_view header = ex.Header("Authorization");
  if (header.empty()) return auth::Principal{};
  if (header.size() < 6 || (header.substr(0, 6) != "Basic " && header.substr(0, 6) != "basic "))
    return Fail(Errc::kUnauthorized, "unsupported authorization scheme");
  auto decoded = base64::Decode(header.substr(6));
  if (!decoded) return Fail(Errc::kUnauthorized, "malformed basic credentials");
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return Fail(Errc::kUnauthorized, "malformed basic credentials");
  return ctx.authn.Basic(std::string_view(*decoded).substr(0, colon), std::string_view(*decoded).substr(colon + 1));
}

Error Refusal(const auth::Principal& who) {
  if (!who.authenticated()) return Error(Errc::kUnauthorized, "authentication required");
  return Error(Errc::kForbidden, "the caller is not allowed to do this");
}

}  // namespace berth::api::v2_0
