-- Identity and tenancy: users, groups, projects (with metadata), members, robot accounts, audit log.
-- Secrets are stored only as argon2id hashes. credential_version bumps on every password or secret
-- change and on disable, so cached verifications can be dropped.
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL DEFAULT '',
  realname TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',
  sysadmin INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT 'db',
  ldap_dn TEXT NOT NULL DEFAULT '',
  credential_version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email ON users(email) WHERE email <> '';
CREATE TABLE user_groups(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  group_type INTEGER NOT NULL,
  ldap_group_dn TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE(group_type, name, ldap_group_dn)
);
CREATE TABLE projects(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  public INTEGER NOT NULL DEFAULT 0,
  storage_limit INTEGER NOT NULL DEFAULT -1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE project_metadata(
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(project_id, name)
) WITHOUT ROWID;
CREATE TABLE members(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  entity_type TEXT NOT NULL CHECK(entity_type IN ('u', 'g')),
  entity_id INTEGER NOT NULL,
  role INTEGER NOT NULL CHECK(role BETWEEN 1 AND 5),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE(project_id, entity_type, entity_id)
);
CREATE INDEX members_entity ON members(entity_type, entity_id);
CREATE TABLE robots(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL CHECK(level IN ('system', 'project')),
  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL,
  credential_version INTEGER NOT NULL DEFAULT 1,
  disabled INTEGER NOT NULL DEFAULT 0,
  duration INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  permissions TEXT NOT NULL,
  creator TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX robots_project ON robots(project_id);
CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL DEFAULT 0,
  username TEXT NOT NULL,
  resource TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  operation TEXT NOT NULL,
  event_type TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  success INTEGER NOT NULL DEFAULT 1,
  op_time INTEGER NOT NULL
);
CREATE INDEX audit_log_project ON audit_log(project_id, op_time);
CREATE INDEX audit_log_time ON audit_log(op_time);
-- Every repository lives in the project named by its first path component.
ALTER TABLE repositories ADD COLUMN project_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX repositories_project ON repositories(project_id, name);
