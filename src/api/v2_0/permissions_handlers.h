// The permission endpoints that go with robot accounts: GET /api/v2.0/permissions (what a robot may
// be given) and GET /api/v2.0/users/current/permissions (what the caller holds in a scope).
// Registered by RegisterRobotRoutes. Stateless.
#pragma once
#include "api/v2_0/context.h"
#include "http/router.h"

namespace berth::api::v2_0 {

void RegisterPermissionRoutes(http::Router& router, RestContext& ctx);

}  // namespace berth::api::v2_0
