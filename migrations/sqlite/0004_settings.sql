-- System configuration (GET/PUT /api/v2.0/configurations). Only values that were set are stored;
-- defaults live in code (auth/system_config.cc). Values are JSON texts ("ldap_auth", 2, true).
CREATE TABLE settings(
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
-- The user groups an externally authenticated (LDAP) user belonged to at their last login; project
-- memberships of these groups (members.entity_type = 'g') grant the user roles.
CREATE TABLE user_group_links(
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_id INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
  PRIMARY KEY(user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX user_group_links_group ON user_group_links(group_id);
