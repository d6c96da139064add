#include "api/v2_0/views.h"

namespace berth::api::v2_0 {

Json UserJson(const store::UserRecord& u) {
  Json j;
  j["user_id"] = u.id;
  j["username"] = u.username;
  j["email"] = u.email;
  j["realname"] = u.realname;
  j["comment"] = u.comment;
  j["sysadmin_flag"] = u.sysadmin;
  j["admin_role_in_auth"] = false;
  j["creation_time"] = HarborTime(u.created_at);
  j["update_time"] = HarborTime(u.updated_at);
  return j;
}

Json ProjectJson(const store::ProjectRecord& p, const auth::Principal& who) {
  Json j;
  j["project_id"] = p.id;
  j["owner_id"] = p.owner_id;
  j["name"] = p.name;
  j["registry_id"] = 0;
  j["creation_time"] = HarborTime(p.created_at);
  j["update_time"] = HarborTime(p.updated_at);
  j["deleted"] = false;
  j["owner_name"] = p.owner_name;
  Json roles = Json::array();
  if (auto it = who.project_roles.find(p.id); it != who.project_roles.end())
    for (auto r : it->second) roles.push_back(static_cast<int>(r));
  j["current_user_role_id"] = roles.empty() ? 0 : roles.front().get<int>();
  j["current_user_role_ids"] = roles;
  j["repo_count"] = p.repo_count;
  Json meta = Json::object();
  for (const auto& [k, v] : p.metadata) meta[k] = v;
  j["metadata"] = meta;
  return j;
}

}  // namespace berth::api::v2_0
