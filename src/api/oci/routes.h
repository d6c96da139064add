// Registers the OCI distribution routes (/v2/...) on a router.
#pragma once
#include "api/oci/context.h"
#include "http/router.h"

namespace berth::api::oci {

void RegisterRoutes(http::Router& router, OciContext& ctx);

}  // namespace berth::api::oci
