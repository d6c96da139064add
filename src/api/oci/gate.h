// The /v2 gate: authenticates every registry request and authorizes it the way Harbor does.
//
// Method → action: GET/HEAD pull, POST/PUT/PATCH push, DELETE delete; a cross-repository mount
// also needs pull on its source; /v2/ needs only authentication; /v2/_catalog needs a system
// admin. Credentials: a Bearer token from /service/token, or Basic (users and robots) directly.
// Refusals: no credentials → 401 with a Bearer challenge naming the token realm and scope;
// bad credentials → 401; authenticated but not allowed → 403 DENIED; a push into a project that
// does not exist → 404 NAME_UNKNOWN. Stateless; runs on the connection's coroutine.
#pragma once
#include "api/oci/context.h"
#include "http/exchange.h"

namespace berth::api::oci {

enum class Access { kPing, kCatalog, kPull, kPush, kDelete };

// The route parameter in which an admitted request carries the caller's name ("" = anonymous).
inline constexpr const char* kPrincipalParam = "berth.principal";

// true: proceed with the handler. false: the refusal has been sent.
http::Task<bool> Admit(OciContext& ctx, http::Exchange& ex, Access access);

}  // namespace berth::api::oci
