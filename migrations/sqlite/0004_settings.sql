-- System configuration (GET/PUT /api/v2.0/configurations). Only values that were set are stored;
-- defaults live in code (auth/system_config.cc). Values are JSON texts ("ldap_auth", 2, true).
CREATE TABLE settings(
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
