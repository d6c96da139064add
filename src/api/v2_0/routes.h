// Registers the Harbor-compatible REST routes (/api/v2.0/...) on a router.
#pragma once
#include "api/v2_0/context.h"
#include "http/router.h"

namespace berth::api::v2_0 {

void RegisterRoutes(http::Router& router, RestContext& ctx);

}  // namespace berth::api::v2_0
