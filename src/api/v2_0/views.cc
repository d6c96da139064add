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

}  // namespace berth::api::v2_0
