#include "api/v2_0/member_views.h"

namespace berth::api::v2_0 {

std::string_view RoleName(int role_id) {
  switch (role_id) {
    case 1: return "projectAdmin";
    case 2: return "developer";
    case 3: return "guest";
    case 4: return "maintainer";
    case 5: return "limitedGuest";
  }
  return "";
}

bool ValidRole(int64_t role_id) { return role_id >= 1 && role_id <= 5; }

Json MemberJson(const store::MemberRecord& m) {
  Json j;
  j["id"] = m.id;
  j["project_id"] = m.project_id;
  j["entity_name"] = m.entity_name;
  j["role_name"] = RoleName(m.role);
  j["role_id"] = m.role;
  j["entity_id"] = m.entity_id;
  j["entity_type"] = std::string(1, m.entity_type);
  return j;
}

Json GroupJson(const store::GroupRecord& g) {
  Json j;
  j["id"] = g.id;
  j["group_name"] = g.name;
  j["group_type"] = g.group_type;
  j["ldap_group_dn"] = g.ldap_group_dn;
  return j;
}

Json GroupSearchJson(const store::GroupRecord& g) {
  Json j;
  j["id"] = g.id;
  j["group_name"] = g.name;
  j["group_type"] = g.group_type;
  return j;
}

}  // namespace berth::api::v2_0
