// Placeholder: the ldap area of /api/v2.0 registers no routes yet.
#include "api/v2_0/route_table.h"

namespace berth::api::v2_0 {

void RegisterLdapRoutes(http::Router&, RestContext&) {}

}  // namespace berth::api::v2_0
