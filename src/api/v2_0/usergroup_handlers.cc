// Placeholder: the usergroup area of /api/v2.0 registers no routes yet.
#include "api/v2_0/route_table.h"

namespace berth::api::v2_0 {

void RegisterUserGroupRoutes(http::Router&, RestContext&) {}

}  // namespace berth::api::v2_0
