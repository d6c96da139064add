// Who is calling the REST API: HTTP Basic (users and robot accounts), a console session cookie
// (unsafe methods then need the CSRF header), or nobody (anonymous).
// Stateless over a thread-safe Authenticator.
#pragma once
#include "api/v2_0/context.h"
#include "auth/rbac.h"
#include "http/exchange.h"

namespace berth::api::v2_0 {

inline constexpr const char* kSessionCookie = "sid";
inline constexpr const char* kCsrfCookie = "__csrf";
inline constexpr const char* kCsrfHeader = "X-Harbor-CSRF-Token";

// No Authorization header → anonymous. A Basic header that does not verify → kUnauthorized
// (a wrong password never silently degrades to anonymous). Other schemes → kUnauthorized.
Result<auth::Principal> Authenticate(RestContext& ctx, const http::Exchange& ex);

// kUnauthorized for anonymous callers, kForbidden for authenticated ones.
Error Refusal(const auth::Principal& who);

}  // namespace berth::api::v2_0
