// RobotSpec: a robot account as Harbor's v2 API describes it ({name, description, level, duration,
// disable, secret, permissions:[{kind, namespace, access:[{resource, action, effect}]}]}), parsed
// and validated against Harbor's rules without touching any store. The REST handlers resolve the
// project namespaces and authorize; this file owns the shape, the name pattern, the duration rule,
// the permission catalog check, login names, expiry and the stored permission JSON.
// Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/rbac.h"
#include "base/error.h"

namespace berth::auth {

struct RobotAccess {
  std::string resource;
  std::string action;
  std::string effect = "allow";  // "allow" or "deny"
};

struct RobotPermissionEntry {
  std::string kind;  // "system" (namespace "/") or "project" (a project name, or "*" = every project)
  std::string ns;
  std::vector<RobotAccess> access;
};

struct RobotSpec {
  std::string name;  // as given, without prefix or project
  std::optional<std::string> description;
  std::string level;  // "system" or "project"
  std::optional<int64_t> duration;
  std::optional<bool> disable;
  std::optional<std::string> secret;  // a caller-chosen secret (already checked against the rule)
  std::vector<RobotPermissionEntry> permissions;
};

enum class RobotSpecMode {
  kCreate,  // name and duration are required
  kUpdate,  // name and duration may be omitted (= unchanged)
};

// Validates `body` (errors: kBadRequest with Harbor's wording):
//  - name matches ^[a-z0-9]+(?:[._-][a-z0-9]+)*$ (at most 255 characters);
//  - level is "system" or "project"; duration is -1 or 1..2^31-2 days;
//  - permissions is non-empty, every entry has a non-empty access list; a project robot has exactly
//    one entry, of kind "project", naming one project; a system robot may have kind "system"
//    entries (namespace "/") and kind "project" entries (a project name or "*");
//  - every (resource, action) is in the catalog of its kind (SystemPermissionCatalog /
//    ProjectPermissionCatalog); effect, when given, is "allow" or "deny";
//  - secret, when non-empty, satisfies the password rule.
Result<RobotSpec> ParseRobotSpec(const nlohmann::json& body, RobotSpecMode mode);

// "robot$<name>" (system) or "robot$<project>+<name>" (project).
std::string RobotLoginName(std::string_view prefix, std::string_view level, std::string_view project,
                           std::string_view name);

// Unix seconds at which a robot created at `created_at` with `duration` days expires; -1 = never.
int64_t RobotExpiry(int64_t created_at, int64_t duration);

// The permission list as stored and returned: [{kind, namespace, access:[{resource, action, effect}]}].
nlohmann::json RobotPermissionsToJson(const std::vector<RobotPermissionEntry>& permissions);

// True when the robot `who` itself holds every allowed (namespace, resource, action) of
// `permissions`, so a robot that manages robots cannot hand out more than it has. (Users are
// authorized by their role instead; for them this is true only for system admins.)
bool HoldsAll(const Principal& who, const std::vector<RobotPermissionEntry>& permissions);

}  // namespace berth::auth
