#include "auth/rbac.h"

#include <algorithm>
#include <initializer_list>
#include <set>

namespace berth::auth {

const ProjectRoles::Map& ProjectRoles::map() const {
  static const Map kEmpty;
  return map_ ? *map_ : kEmpty;
}

ProjectRoles::Map& ProjectRoles::Mutable() {
  if (!map_) map_ = std::make_shared<Map>();
  else if (map_.use_count() > 1) map_ = std::make_shared<Map>(*map_);
  return *map_;
}
namespace {

struct Grant {
  std::string_view resource;
  std::initializer_list<std::string_view> actions;
};

using Table = std::initializer_list<Grant>;

// Harbor's role table (../shared/spec/harbor-reference.md §3), resource by resource.
const Table kProjectAdmin = {
    {"project", {"read", "update", "delete"}},
    {"metadata", {"create", "update", "delete", "read", "list"}},
    {"member", {"create", "update", "delete", "read", "list"}},
    {"log", {"list"}},
    {"label", {"create", "update", "delete", "read", "list"}},
    {"quota", {"read"}},
    {"configuration", {"read"}},
    {"repository", {"create", "pull", "push", "list", "read", "update", "delete"}},
    {"artifact", {"create", "read", "list", "delete"}},
    {"tag", {"create", "list", "delete"}},
    {"accessory", {"list"}},
    {"artifact-addition", {"read"}},
    {"artifact-label", {"create", "delete"}},
    {"scan", {"create", "stop", "read"}},
    {"sbom", {"create", "stop", "read"}},
    {"scanner", {"create", "read"}},
    {"robot", {"create", "update", "delete", "read", "list"}},
    {"notification-policy", {"create", "update", "delete", "read", "list"}},
    {"immutable-tag", {"create", "update", "delete", "list"}},
    {"tag-retention", {"create", "update", "delete", "read", "list", "operate"}},
    {"export-cve", {"create", "read"}},
    {"preheat-policy", {"create", "update", "delete", "read", "list"}},
    {"helm-chart", {"read", "create", "delete"}},
    {"helm-chart-version", {"read", "create", "delete", "list"}},
    {"helm-chart-version-label", {"create", "delete"}},
};

const Table kMaintainer = {
    {"project", {"read"}},
    {"metadata", {"read", "list"}},
    {"member", {"read", "list"}},
    {"label", {"create", "update", "delete", "read", "list"}},
    {"quota", {"read"}},
    {"configuration", {"read"}},
    {"repository", {"create", "pull", "push", "list", "read", "update", "delete"}},
    {"artifact", {"create", "read", "list", "delete"}},
    {"tag", {"create", "list", "delete"}},
    {"accessory", {"list"}},
    {"artifact-addition", {"read"}},
    {"artifact-label", {"create", "delete"}},
    {"scan", {"create", "stop", "read"}},
    {"sbom", {"create", "stop", "read"}},
    {"scanner", {"read"}},
    {"robot", {"read", "list"}},
    {"notification-policy", {"read", "list"}},
    {"immutable-tag", {"create", "update", "delete", "list"}},
    {"tag-retention", {"create", "update", "delete", "read", "list", "operate"}},
    {"export-cve", {"create", "read"}},
    {"helm-chart", {"read", "create", "delete"}},
    {"helm-chart-version", {"read", "create", "delete", "list"}},
    {"helm-chart-version-label", {"create", "delete"}},
};

const Table kDeveloper = {
    {"project", {"read"}},
    {"metadata", {"read", "list"}},
    {"member", {"read", "list"}},
    {"label", {"read", "list"}},
    {"quota", {"read"}},
    {"configuration", {"read"}},
    {"repository", {"create", "pull", "push", "list", "read", "update"}},
    {"artifact", {"create", "read", "list"}},
    {"tag", {"create", "list"}},
    {"accessory", {"list"}},
    {"artifact-addition", {"read"}},
    {"artifact-label", {"create", "delete"}},
    {"scan", {"read"}},
    {"sbom", {"read"}},
    {"scanner", {"read"}},
    {"robot", {"read", "list"}},
    {"tag-retention", {"create", "update", "delete", "read", "list", "operate"}},
    {"export-cve", {"create", "read"}},
    {"helm-chart", {"read", "create"}},
    {"helm-chart-version", {"read", "create", "list"}},
};

const Table kGuest = {
    {"project", {"read"}},
    {"metadata", {"read", "list"}},
    {"member", {"read", "list"}},
    {"label", {"read", "list"}},
    {"quota", {"read"}},
    {"configuration", {"read"}},
    {"repository", {"pull", "list", "read"}},
    {"artifact", {"read", "list"}},
    {"tag", {"list"}},
    {"accessory", {"list"}},
    {"artifact-addition", {"read"}},
    {"scan", {"read"}},
    {"sbom", {"read"}},
    {"scanner", {"read"}},
    {"robot", {"read", "list"}},
    {"helm-chart", {"read"}},
    {"helm-chart-version", {"read", "list"}},
};

const Table kLimitedGuest = {
    {"project", {"read"}},
    {"metadata", {"read", "list"}},
    {"quota", {"read"}},
    {"configuration", {"read"}},
    {"repository", {"pull", "list", "read"}},
    {"artifact", {"read", "list"}},
    {"tag", {"list"}},
    {"accessory", {"list"}},
    {"artifact-addition", {"read"}},
    {"scan", {"read"}},
    {"sbom", {"read"}},
    {"scanner", {"read"}},
    {"helm-chart", {"read"}},
    {"helm-chart-version", {"read", "list"}},
};

// What everyone (anonymous included) may do in a public project.
const Table kPublic = {
    {"project", {"read"}},
    {"repository", {"pull", "list", "read"}},
    {"artifact", {"read", "list"}},
    {"tag", {"list"}},
    {"accessory", {"list"}},
    {"artifact-addition", {"read"}},
    {"scan", {"read"}},
    {"sbom", {"read"}},
    {"scanner", {"read"}},
    {"label", {"read", "list"}},
    {"helm-chart", {"read"}},
    {"helm-chart-version", {"read", "list"}},
};

const Table kSystemCatalog = {
    {"audit-log", {"list"}},
    {"preheat-instance", {"create", "read", "update", "delete", "list"}},
    {"project", {"create", "list"}},
    {"registry", {"create", "read", "update", "delete", "list"}},
    {"replication", {"create", "read", "list"}},
    {"replication-policy", {"create", "read", "update", "delete", "list"}},
    {"scan-all", {"create", "read", "update", "stop"}},
    {"scanner", {"create", "read", "update", "delete", "list"}},
    {"garbage-collection", {"create", "read", "update", "stop", "list"}},
    {"purge-audit", {"create", "read", "update", "stop", "list"}},
    {"label", {"create", "read", "update", "delete"}},
    {"user", {"create", "read", "update", "delete", "list"}},
    {"user-group", {"create", "read", "update", "delete", "list"}},
    {"ldap-user", {"create", "list"}},
    {"quota", {"read", "update", "list"}},
    {"robot", {"create", "read", "update", "delete", "list"}},
    {"configuration", {"read", "update"}},
    {"security-hub", {"read", "list"}},
    {"catalog", {"read"}},
};

bool InTable(const Table& table, std::string_view resource, std::string_view action) {
  for (const auto& g : table) {
    if (g.resource != resource) continue;
    return std::find(g.actions.begin(), g.actions.end(), action) != g.actions.end();
  }
  return false;
}

const Table& TableFor(Role role) {
  switch (role) {
    case Role::kProjectAdmin: return kProjectAdmin;
    case Role::kMaintainer: return kMaintainer;
    case Role::kDeveloper: return kDeveloper;
    case Role::kGuest: return kGuest;
    case Role::kLimitedGuest: return kLimitedGuest;
  }
  return kLimitedGuest;
}

bool RobotHolds(const Principal& who, std::string_view ns, std::string_view resource, std::string_view action) {
  for (const auto& p : who.robot_permissions) {
    bool ns_ok = p.ns == ns || (p.ns == "*" && ns != "/");
    if (ns_ok && p.resource == resource && (p.action == action || p.action == "*")) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> Flatten(const Table& table) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& g : table)
    for (auto a : g.actions) out.emplace_back(std::string(g.resource), std::string(a));
  return out;
}

}  // namespace

bool Allowed(const Principal& who, const ProjectRef& project, std::string_view resource, std::string_view action) {
  if (who.sysadmin) return true;
  if (project.is_public && InTable(kPublic, resource, action)) return true;
  switch (who.kind) {
    case Principal::Kind::kAnonymous:
      return false;
    case Principal::Kind::kRobot:
      return RobotHolds(who, project.name, resource, action);
    case Principal::Kind::kUser: {
      auto it = who.project_roles.find(project.id);
      if (it == who.project_roles.end()) return false;
      for (Role r : it->second)
        if (InTable(TableFor(r), resource, action)) return true;
      return false;
    }
  }
  return false;
}

bool AllowedSystem(const Principal& who, std::string_view resource, std::string_view action) {
  if (who.sysadmin) return true;
  if (who.kind == Principal::Kind::kRobot) return RobotHolds(who, "/", resource, action);
  return false;
}

std::vector<std::pair<std::string, std::string>> RolePermissions(Role role) { return Flatten(TableFor(role)); }
std::vector<std::pair<std::string, std::string>> ProjectPermissionCatalog() { return Flatten(kProjectAdmin); }
std::vector<std::pair<std::string, std::string>> SystemPermissionCatalog() { return Flatten(kSystemCatalog); }

}  // namespace berth::auth
