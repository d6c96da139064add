// The garbage-collection API (/api/v2.0/system/gc*, Harbor's shapes; system admins only): run
// history, one run, its log, stopping it, and the schedule. Handlers in gc_handlers.cc.
#pragma once
#include "api/v2_0/context.h"
#include "gc/gc_service.h"
#include "http/router.h"

namespace berth::api::v2_0 {

void RegisterGcRoutes(http::Router& router, RestContext& ctx, gc::GcService& gc);

}  // namespace berth::api::v2_0
