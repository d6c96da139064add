#include "auth/robot_spec.h"

#include <algorithm>

#include "auth/password.h"
#include "oci/reference.h"

namespace berth::auth {
namespace {

using Json = nlohmann::json;

constexpr int64_t kMaxDuration = 2147483646;  // Harbor: below MaxInt32


bool InCatalog(const std::vector<std::pair<std::string, std::string>>& catalog, const RobotAccess& a) {
  return std::find(catalog.begin(), catalog.end(), std::make_pair(a.resource, a.action)) != catalog.end();
}

std::unexpected<Error> Bad(std::string msg) { return Fail(Errc::kBadRequest, std::move(msg)); }

Result<RobotPermissionEntry> ParseEntry(const Json& p) {
  if (!p.is_object()) return Bad("bad request permission: each permission must be an object");
  RobotPermissionEntry e;
  auto kind = p.find("kind");
  if (kind == p.end() || !kind->is_string() || (*kind != "system" && *kind != "project"))
    return Bad("bad request permission level: " + (kind != p.end() && kind->is_string() ? kind->get<std::string>()
                                                                                        : std::string("(none)")));
  e.kind = kind->get<std::string>();
  auto ns = p.find("namespace");
  if (ns == p.end() || !ns->is_string() || ns->get<std::string>().empty())
    return Bad("bad request permission: namespace is required");
  e.ns = ns->get<std::string>();
  if (e.kind == "system" && e.ns != "/") return Bad("bad request permission: a system permission has namespace \"/\"");
  if (e.kind == "project" && e.ns == "/") return Bad("bad request permission: \"/\" is not a project");
  auto access = p.find("access");
  if (access == p.end() || !access->is_array() || access->empty()) return Bad("bad request empty access");
  const auto catalog = e.kind == "system" ? SystemPermissionCatalog() : ProjectPermissionCatalog();
  for (const auto& a : *access) {
    if (!a.is_object()) return Bad("bad request permission: each access must be an object");
    RobotAccess acc;
    auto res = a.find("resource"), act = a.find("action"), eff = a.find("effect");
    if (res == a.end() || !res->is_string() || act == a.end() || !act->is_string())
      return Bad("bad request permission: access needs a resource and an action");
    acc.resource = res->get<std::string>();
    acc.action = act->get<std::string>();
    if (eff != a.end() && !eff->is_null()) {
      if (!eff->is_string() || (*eff != "allow" && *eff != "deny" && *eff != ""))
        return Bad("bad request permission: effect must be \"allow\" or \"deny\"");
      if (*eff == "deny") acc.effect = "deny";
    }
    if (!InCatalog(catalog, acc)) return Bad("bad request permission: " + acc.resource + ":" + acc.action);
    e.access.push_back(std::move(acc));
  }
  return e;
}

}  // namespace

Result<RobotSpec> ParseRobotSpec(const Json& body, RobotSpecMode mode) {
  if (!body.is_object()) return Bad("the body must be a JSON object");
  RobotSpec s;

  auto name = body.find("name");
  if (name != body.end() && !name->is_null()) {
    if (!name->is_string()) return Bad("robot name is not in lower case or contains illegal characters");
    s.name = name->get<std::string>();
  }
  // On update the name may come back in its full login form; the handler compares it.
  if (mode == RobotSpecMode::kCreate && !oci::IsValidHarborName(s.name))
    return Bad("robot name is not in lower case or contains illegal characters");

  auto duration = body.find("duration");
  if (duration != body.end() && !duration->is_null()) {
    if (!duration->is_number_integer()) return Bad("bad request error duration input: duration must be an integer");
    int64_t d = duration->get<int64_t>();
    if (d != -1 && (d < 1 || d > kMaxDuration))
      return Bad("bad request error duration input: " + std::to_string(d) +
                 ", duration must be either -1(Never) or a positive integer");
    s.duration = d;
  } else if (mode == RobotSpecMode::kCreate) {
    return Bad("bad request error duration input: duration must be either -1(Never) or a positive integer");
  }

  auto level = body.find("level");
  if (level == body.end() || !level->is_string() || (*level != "system" && *level != "project"))
    return Bad("bad request error level input: " +
               (level != body.end() && level->is_string() ? level->get<std::string>() : std::string("(none)")));
  s.level = level->get<std::string>();

  auto perms = body.find("permissions");
  if (perms == body.end() || !perms->is_array() || perms->empty()) return Bad("bad request empty permission");
  for (const auto& p : *perms) {
    auto e = ParseEntry(p);
    if (!e) return std::unexpected(e.error());
    s.permissions.push_back(std::move(*e));
  }
  if (s.level == "project") {
    if (s.permissions.size() != 1) return Bad("bad request permission: a project robot has exactly one permission");
    if (s.permissions[0].kind != "project" || s.permissions[0].ns == "*")
      return Bad("bad request permission: a project robot's permission is of kind project and names its project");
  }

  if (auto d = body.find("description"); d != body.end() && !d->is_null()) {
    if (!d->is_string()) return Bad("description must be a string");
    s.description = d->get<std::string>();
  }
  if (auto d = body.find("disable"); d != body.end() && !d->is_null()) {
    if (!d->is_boolean()) return Bad("disable must be a boolean");
    s.disable = d->get<bool>();
  }
  if (mode == RobotSpecMode::kCreate) {
    if (auto sec = body.find("secret"); sec != body.end() && !sec->is_null()) {
      if (!sec->is_string()) return Bad("secret must be a string");
      if (!sec->get<std::string>().empty()) {
        if (auto rule = CheckPasswordRule(sec->get<std::string>()); !rule)
          return Bad("the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 "
                     "lowercase letter and 1 number");
        s.secret = sec->get<std::string>();
      }
    }
  }
  return s;
}

std::string RobotLoginName(std::string_view prefix, std::string_view level, std::string_view project,
                           std::string_view name) {
  std::string out(prefix);
  if (level == "project") out.append(project).push_back('+');
  out.append(name);
  return out;
}

int64_t RobotExpiry(int64_t created_at, int64_t duration) {
  return duration == -1 ? -1 : created_at + duration * 86400;
}

Json RobotPermissionsToJson(const std::vector<RobotPermissionEntry>& permissions) {
  Json out = Json::array();
  for (const auto& p : permissions) {
    Json access = Json::array();
    for (const auto& a : p.access)
      access.push_back(Json{{"resource", a.resource}, {"action", a.action}, {"effect", a.effect}});
    out.push_back(Json{{"kind", p.kind}, {"namespace", p.ns}, {"access", std::move(access)}});
  }
  return out;
}

bool HoldsAll(const Principal& who, const std::vector<RobotPermissionEntry>& permissions) {
  for (const auto& p : permissions)
    for (const auto& a : p.access) {
      if (a.effect == "deny") continue;
      bool held = p.ns == "/" ? AllowedSystem(who, a.resource, a.action)
                              : Allowed(who, ProjectRef{0, p.ns, false}, a.resource, a.action);
      if (!held) return false;
    }
  return true;
}

}  // namespace berth::auth
