// Plain records of the identity and tenancy stores. Value types; no behaviour.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace berth::store {

struct UserRecord {
  int64_t id = 0;
  std::string username;
  std::string email;
  std::string realname;
  std::string comment;
  std::string password_hash;  // argon2id; empty for LDAP users
  bool sysadmin = false;
  std::string source = "db";  // "db" or "ldap"
  std::string ldap_dn;
  int64_t credential_version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct ProjectRecord {
  int64_t id = 0;
  std::string name;
  int64_t owner_id = 0;
  std::string owner_name;  // read only
  bool is_public = false;
  int64_t storage_limit = -1;
  std::map<std::string, std::string> metadata;  // Harbor's string-valued project metadata
  int64_t repo_count = 0;                       // read only
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct GroupRecord {
  int64_t id = 0;
  std::string name;
  int group_type = 1;  // 1 LDAP, 2 HTTP auth proxy, 3 OIDC
  std::string ldap_group_dn;
};

struct MemberRecord {
  int64_t id = 0;
  int64_t project_id = 0;
  char entity_type = 'u';  // 'u' user, 'g' group
  int64_t entity_id = 0;
  std::string entity_name;  // read only: username or group name
  int role = 0;             // 1 admin, 2 developer, 3 guest, 4 maintainer, 5 limited guest
};

struct RobotRecord {
  int64_t id = 0;
  std::string name;  // full login name, e.g. robot$team+ci
  std::string description;
  std::string level;  // "system" or "project"
  int64_t project_id = 0;
  std::string secret_hash;
  int64_t credential_version = 1;
  bool disabled = false;
  int64_t duration = -1;    // days, -1 = never expires
  int64_t expires_at = -1;  // unix seconds, -1 = never
  std::string permissions_json;
  std::string creator;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct AuditRecord {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string username;
  std::string resource;
  std::string resource_type;
  std::string operation;
  std::string event_type;
  std::string description;
  bool success = true;
  int64_t op_time = 0;
};

// Offset paging for the REST lists (Harbor pages by number).
struct Paging {
  int64_t offset = 0;
  int64_t limit = 10;
};

template <class T>
struct Listing {
  std::vector<T> items;
  int64_t total = 0;
};

}  // namespace berth::store
