#include "api/v2_0/security.h"

#include "auth/basic_credentials.h"
#include "http/cookies.h"

namespace berth::api::v2_0 {

namespace {

bool Unsafe(http::Verb v) { return v != http::Verb::get && v != http::Verb::head && v != http::Verb::options; }

// A console session from the sid cookie. Unknown or expired sessions are anonymous (a stale
// cookie in a browser is not an attack); unsafe methods must echo the session's CSRF token.
Result<auth::Principal> FromSession(RestContext& ctx, const http::Exchange& ex, std::string_view sid) {
  auto active = ctx.sessions.Resume(sid);
  if (!active) return std::unexpected(active.error());
  if (!*active) return auth::Principal{};
  if (Unsafe(ex.method()) && !auth::SessionService::CsrfMatches((*active)->csrf, ex.Header(kCsrfHeader)))
    return Fail(Errc::kForbidden, "CSRF token not found or invalid: send X-Harbor-CSRF-Token");
  auto user = ctx.users.FindById((*active)->user_id);
  if (!user) return std::unexpected(user.error());
  if (!*user) return auth::Principal{};
  return ctx.authn.ForUser((*user)->username);
}

}  // namespace

Result<auth::Principal> Authenticate(RestContext& ctx, const http::Exchange& ex) {
  std::string_view header = ex.Header("Authorization");
  if (header.empty()) {
    std::string_view sid = http::CookieValue(ex.Header("Cookie"), kSessionCookie);
    if (!sid.empty()) return FromSession(ctx, ex, sid);
    return auth::Principal{};
  }
  auto cred = auth::ParseBasicAuthorization(header);
  if (!cred) return Fail(Errc::kUnauthorized, "unsupported or malformed authorization");
  return ctx.authn.Login(cred->username, cred->password, ex.RemoteAddress());
}

Error Refusal(const auth::Principal& who) {
  if (!who.authenticated()) return Error(Errc::kUnauthorized, "authentication required");
  return Error(Errc::kForbidden, "the caller is not allowed to do this");
}

}  // namespace berth::api::v2_0
