-- Which user belongs to which user group. Harbor learns a user's groups from LDAP or OIDC at
-- login; Berth records them here (GroupStore::SetUserGroups) so that a group's project roles reach
-- its users on every later request, Basic or token. Rows go with their user or group.
CREATE TABLE user_group_members(
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_id INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
  PRIMARY KEY(user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX user_group_members_group ON user_group_members(group_id, user_id);
