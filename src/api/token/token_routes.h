// GET /service/token: the registry token endpoint (Docker token flow), Harbor-compatible.
// Basic credentials (users, robots) or none (anonymous); one or more `scope` parameters; the token
// grants the intersection of the request and what RBAC allows. Stateless.
#pragma once
#include "auth/authenticator.h"
#include "auth/token_service.h"
#include "http/router.h"

namespace berth::api::token {

struct TokenContext {
  auth::Authenticator& authn;
  auth::TokenService& tokens;
};

void RegisterRoutes(http::Router& router, TokenContext& ctx);

}  // namespace berth::api::token
