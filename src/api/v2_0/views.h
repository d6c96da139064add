// JSON views of stored records in Harbor's shapes, shared by the handlers. Pure; thread-safe.
#pragma once
#include "api/v2_0/render.h"
#include "auth/rbac.h"
#include "store/identity_records.h"

namespace berth::api::v2_0 {

// {user_id, username, email, realname, comment, sysadmin_flag, admin_role_in_auth, creation_time,
// update_time} — never the password hash.
Json UserJson(const store::UserRecord& u);

// Harbor's Project, with the caller's roles in it (current_user_role_id[s]).
Json ProjectJson(const store::ProjectRecord& p, const auth::Principal& who);

}  // namespace berth::api::v2_0
