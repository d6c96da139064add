// JSON views of project members and user groups in Harbor's shapes, and Harbor's project role
// names. Pure; thread-safe.
#pragma once
#include <string_view>

#include "api/v2_0/render.h"
#include "store/identity_records.h"

namespace berth::api::v2_0 {

// 1 projectAdmin, 2 developer, 3 guest, 4 maintainer, 5 limitedGuest; "" for anything else.
std::string_view RoleName(int role_id);
bool ValidRole(int64_t role_id);

// {id, project_id, entity_name, role_name, role_id, entity_id, entity_type "u"|"g"}
Json MemberJson(const store::MemberRecord& m);
// {id, group_name, group_type, ldap_group_dn}
Json GroupJson(const store::GroupRecord& g);
// {id, group_name, group_type} (the search result of any authenticated user)
Json GroupSearchJson(const store::GroupRecord& g);

}  // namespace berth::api::v2_0
