// JSON views of stored records in Harbor's shapes, shared by the handlers. Pure; thread-safe.
#pragma once
#include "api/v2_0/render.h"
#include "store/identity_records.h"

namespace berth::api::v2_0 {

// {user_id, username, email, realname, comment, sysadmin_flag, admin_role_in_auth, creation_time,
// update_time} — never the password hash.
Json UserJson(const store::UserRecord& u);

}  // namespace berth::api::v2_0
