// RBAC: one pure function of (principal, project, resource, action), with Harbor's role table.
// Stateless and thread-safe. The callers (the /v2 authorizer, the REST handlers, the token service)
// look up the principal's roles and the project, then ask Allowed().
//
// Resources and actions are Harbor's strings ("repository"/"pull", "artifact"/"delete", ...), so
// robot permission lists stored from the API are checked with the same table.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace berth::auth {

enum class Role : int {
  kProjectAdmin = 1,
  kDeveloper = 2,
  kGuest = 3,
  kMaintainer = 4,
  kLimitedGuest = 5,
};

struct ProjectRef {
  int64_t id = 0;
  std::string name;
  bool is_public = false;
};

// One robot permission: namespace is a project name, "*" (every project) or "/" (system).
struct RobotPermission {
  std::string ns;
  std::string resource;
  std::string action;  // or "*"
};

// A user's roles per project id (direct and through groups). Copies share one map: a verified
// login is cached and copied into every request, and a sysadmin who owns every project would
// otherwise copy a map of all of them each time. The first write through a shared copy copies it
// first. Not thread-safe for writes; reading shared copies from several threads is.
class ProjectRoles {
 public:
  using Map = std::map<int64_t, std::vector<Role>>;
  Map::const_iterator find(int64_t project_id) const { return map().find(project_id); }
  Map::const_iterator begin() const { return map().begin(); }
  Map::const_iterator end() const { return map().end(); }
  bool empty() const { return map().empty(); }
  size_t size() const { return map().size(); }
  std::vector<Role>& operator[](int64_t project_id) { return Mutable()[project_id]; }

 private:
  const Map& map() const;
  Map& Mutable();
  std::shared_ptr<Map> map_;
};

struct Principal {
  enum class Kind { kAnonymous, kUser, kRobot };
  Kind kind = Kind::kAnonymous;
  int64_t id = 0;
  std::string name;
  bool sysadmin = false;
  ProjectRoles project_roles;                          // users: roles per project id (direct and groups)
  std::vector<RobotPermission> robot_permissions;     // robots only

  bool authenticated() const { return kind != Kind::kAnonymous; }
};

// Project-scoped check. Public projects grant read access to everyone, anonymous included.
bool Allowed(const Principal& who, const ProjectRef& project, std::string_view resource, std::string_view action);
// System-scoped check (users, configurations, GC, registries, ...): system admins, and system
// robots holding the permission in namespace "/".
bool AllowedSystem(const Principal& who, std::string_view resource, std::string_view action);

// What a role may do in its project (for GET /users/current/permissions and robot validation).
std::vector<std::pair<std::string, std::string>> RolePermissions(Role role);
// Every project-level (resource, action) pair a robot may be given.
std::vector<std::pair<std::string, std::string>> ProjectPermissionCatalog();
std::vector<std::pair<std::string, std::string>> SystemPermissionCatalog();

}  // namespace berth::auth
