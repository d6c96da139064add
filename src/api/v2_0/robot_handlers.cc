// Robot accounts (Harbor's v2 model) at /api/v2.0/robots: create, list, get, update, refresh the
// secret, delete. Validation of the body lives in auth/robot_spec.h; this file resolves projects,
// authorizes, stores and renders. System robots are managed by system admins (or robots holding
// the system robot permissions), project robots by the admins of their project. A robot that
// manages robots may never hand out permissions it does not hold itself.
#include <charconv>

#include "api/v2_0/harbor_query.h"
#include "api/v2_0/permissions_handlers.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/robot_views.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"
#include "auth/password.h"
#include "auth/robot_spec.h"
#include "base/clock.h"

namespace berth::api::v2_0 {
namespace {

using auth::Principal;
using auth::RobotSpec;
using store::ProjectRecord;
using store::RobotRecord;

Result<int64_t> PositiveId(std::string_view text, const char* what) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id < 1)
    return Fail(Errc::kBadRequest, std::string(what) + " must be a positive integer");
  return id;
}

Result<Principal> Caller(RestContext& ctx, const http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) return std::unexpected(who.error());
  if (!who->authenticated()) return std::unexpected(Refusal(*who));
  return who;
}

// A project that a caller names: 404 for system admins, who may see every project; 403 for anyone
// else, so that project names do not leak.
Result<ProjectRecord> NamedProject(RestContext& ctx, const Principal& who, std::optional<std::string> name,
                                   std::optional<int64_t> id) {
  auto found = name ? ctx.projects.FindByName(*name) : ctx.projects.FindById(*id);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    if (!who.sysadmin) return std::unexpected(Refusal(who));
    return Fail(Errc::kNotFound, "project " + (name ? *name : std::to_string(*id)) + " not found");
  }
  return std::move(**found);
}

// Every project named by a system robot's permissions must exist ("*" stands for all of them).
Result<void> CheckNamespaces(RestContext& ctx, const Principal& who, const RobotSpec& spec) {
  for (const auto& p : spec.permissions) {
    if (p.kind != "project" || p.ns == "*") continue;
    auto project = NamedProject(ctx, who, p.ns, std::nullopt);
    if (!project) return std::unexpected(project.error());
  }
  return {};
}

// May `who` do `action` on robots at this robot's level (and in its project)?
bool MayManage(const Principal& who, const RobotRecord& robot, const std::optional<ProjectRecord>& project,
               std::string_view action) {
  if (robot.level == "system") return auth::AllowedSystem(who, "robot", action);
  return project && auth::Allowed(who, Ref(*project), "robot", action);
}

struct Target {
  Principal who;
  RobotRecord robot;
  std::optional<ProjectRecord> project;  // project robots only
};

// Authenticates, loads {robot_id} (404) and checks `action` on it (403).
Result<Target> LoadRobot(RestContext& ctx, const http::Exchange& ex, std::string_view action) {
  auto who = Caller(ctx, ex);
  if (!who) return std::unexpected(who.error());
  auto id = PositiveId(ex.Param("robot_id"), "robot_id");
  if (!id) return std::unexpected(id.error());
  auto robot = ctx.robots.FindById(*id);
  if (!robot) return std::unexpected(robot.error());
  if (!*robot) return Fail(Errc::kNotFound, "robot " + std::to_string(*id) + " not found");
  Target t{std::move(*who), std::move(**robot), std::nullopt};
  if (t.robot.level == "project") {
    auto project = ctx.projects.FindById(t.robot.project_id);
    if (!project) return std::unexpected(project.error());
    t.project = std::move(*project);
  }
  if (!MayManage(t.who, t.robot, t.project, action)) return std::unexpected(Refusal(t.who));
  return t;
}

Result<void> CheckGrantable(const Principal& who, const RobotSpec& spec) {
  if (who.kind == Principal::Kind::kRobot && !auth::HoldsAll(who, spec.permissions))
    return Fail(Errc::kForbidden, "a robot account cannot grant permissions it does not hold");
  return {};
}

std::string PermissionsText(const RobotSpec& spec) { return auth::RobotPermissionsToJson(spec.permissions).dump(); }

http::Task<void> SendCreatedJson(http::Exchange& ex, const std::string& location, const Json& body) {
  http::Response r;
  r.status = 201;
  r.Set("Location", location);
  r.Set("Content-Type", "application/json");
  r.body = body.dump();
  co_await ex.Send(std::move(r));
}

// q=Level=system | q=Level=project,ProjectID=N (+ name=part or name=~part).
struct RobotQuery {
  std::string level = "system";
  std::optional<int64_t> project_id;
  std::string name_part;
};

Result<RobotQuery> ParseRobotQuery(const http::Exchange& ex) {
  RobotQuery out;
  auto q = ex.query().Get("q");
  if (!q || q->empty()) return out;
  auto terms = ParseHarborQuery(*q);
  if (!terms) return std::unexpected(terms.error());
  if (auto ok = OnlyKeys(*terms, {"Level", "ProjectID", "name"}); !ok) return std::unexpected(ok.error());
  bool level_given = false;
  std::optional<std::string> project_text;
  for (const auto& t : *terms) {
    bool fuzzy_name = t.key == "name" && t.kind == QueryTerm::Kind::kFuzzy;
    if ((t.kind != QueryTerm::Kind::kExact && !fuzzy_name) || t.values.size() != 1)
      return Fail(Errc::kBadRequest, "q: " + t.key + " takes a single value");
    const std::string& value = t.values[0];
    if (t.key == "Level") {
      if (value != "system" && value != "project") return Fail(Errc::kBadRequest, "bad request error level input");
      out.level = value;
      level_given = true;
    } else if (t.key == "ProjectID") {
      project_text = value;
    } else {
      out.name_part = value;
    }
  }
  if (level_given && out.level == "project") {
    if (!project_text) return Fail(Errc::kBadRequest, "must with project ID when to query project robots");
    auto id = PositiveId(*project_text, "ProjectID");
    if (!id) return std::unexpected(id.error());
    out.project_id = *id;
  }
  return out;
}

http::Task<void> CreateRobot(RestContext& ctx, http::Exchange& ex) {
  auto who = Caller(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto spec = auth::ParseRobotSpec(*body, auth::RobotSpecMode::kCreate);
  if (!spec) co_return co_await SendError(ex, spec.error());

  RobotRecord r;
  r.level = spec->level;
  std::string project_name;
  if (spec->level == "system") {
    if (!auth::AllowedSystem(*who, "robot", "create")) co_return co_await SendError(ex, Refusal(*who));
    if (auto ok = CheckNamespaces(ctx, *who, *spec); !ok) co_return co_await SendError(ex, ok.error());
  } else {
    auto project = NamedProject(ctx, *who, spec->permissions[0].ns, std::nullopt);
    if (!project) co_return co_await SendError(ex, project.error());
    if (!auth::Allowed(*who, Ref(*project), "robot", "create")) co_return co_await SendError(ex, Refusal(*who));
    r.project_id = project->id;
    project_name = project->name;
  }
  if (auto ok = CheckGrantable(*who, *spec); !ok) co_return co_await SendError(ex, ok.error());

  std::string secret = spec->secret ? *spec->secret : auth::GenerateSecret();
  auto hash = auth::HashPassword(secret);
  if (!hash) co_return co_await SendError(ex, hash.error());
  int64_t now = NowUnixSeconds();
  r.name = auth::RobotLoginName(ctx.authn.robot_prefix(), spec->level, project_name, spec->name);
  r.description = spec->description.value_or("");
  r.secret_hash = *hash;
  r.disabled = spec->disable.value_or(false);
  r.duration = *spec->duration;
  r.expires_at = auth::RobotExpiry(now, r.duration);
  r.permissions_json = PermissionsText(*spec);
  r.creator = RobotCreator(who->kind == Principal::Kind::kRobot, who->id);
  auto id = ctx.robots.Create(r);
  if (!id) co_return co_await SendError(ex, id.error());
  RecordAudit(ctx, *who, r.project_id, r.name, "robot", "create");

  Json out;
  out["id"] = *id;
  out["name"] = r.name;
  out["secret"] = secret;
  out["creation_time"] = HarborTime(now);
  out["expires_at"] = r.expires_at;
  std::string location = "/api/v2.0/robots/" + std::to_string(*id);
  co_await SendCreatedJson(ex, location, out);
}

http::Task<void> ListRobots(RestContext& ctx, http::Exchange& ex) {
  auto who = Caller(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto q = ParseRobotQuery(ex);
  if (!q) co_return co_await SendError(ex, q.error());
  store::RobotFilter f;
  f.level = q->level;
  f.name_part = q->name_part;
  if (q->level == "system") {
    if (!auth::AllowedSystem(*who, "robot", "list")) co_return co_await SendError(ex, Refusal(*who));
  } else {
    auto project = NamedProject(ctx, *who, std::nullopt, q->project_id);
    if (!project) co_return co_await SendError(ex, project.error());
    if (!auth::Allowed(*who, Ref(*project), "robot", "list")) co_return co_await SendError(ex, Refusal(*who));
    f.project_id = project->id;
  }
  auto list = ctx.robots.List(f, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& r : list->items) items.push_back(RobotJson(r));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> GetRobot(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadRobot(ctx, ex, "read");
  if (!t) co_return co_await SendError(ex, t.error());
  Json out = RobotJson(t->robot);
  co_await SendJson(ex, 200, out);
}

http::Task<void> UpdateRobot(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadRobot(ctx, ex, "update");
  if (!t) co_return co_await SendError(ex, t.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto spec = auth::ParseRobotSpec(*body, auth::RobotSpecMode::kUpdate);
  if (!spec) co_return co_await SendError(ex, spec.error());
  RobotRecord r = t->robot;
  std::string project_name = t->project ? t->project->name : std::string();
  bool same_name = spec->name.empty() || spec->name == r.name ||
                   auth::RobotLoginName(ctx.authn.robot_prefix(), r.level, project_name, spec->name) == r.name;
  if (!same_name || spec->level != r.level)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "cannot update the level or name of robot"));
  if (r.level == "project") {
    if (spec->permissions[0].ns != project_name)
      co_return co_await SendError(ex, Error(Errc::kBadRequest, "cannot update the project id of robot"));
  } else if (auto ok = CheckNamespaces(ctx, t->who, *spec); !ok) {
    co_return co_await SendError(ex, ok.error());
  }
  if (auto ok = CheckGrantable(t->who, *spec); !ok) co_return co_await SendError(ex, ok.error());

  if (spec->description) r.description = *spec->description;
  if (spec->disable) r.disabled = *spec->disable;
  if (spec->duration && *spec->duration != r.duration) {
    r.duration = *spec->duration;
    r.expires_at = auth::RobotExpiry(r.created_at, r.duration);
  }
  r.permissions_json = PermissionsText(*spec);
  auto done = ctx.robots.Update(r);  // bumps the credential version when `disable` changes
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "robot " + std::to_string(r.id) + " not found"));
  RecordAudit(ctx, t->who, r.project_id, r.name, "robot", "update");
  co_await SendOk(ex);
}

http::Task<void> RefreshRobotSecret(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadRobot(ctx, ex, "update");
  if (!t) co_return co_await SendError(ex, t.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  std::string secret;
  if (auto s = body->find("secret"); s != body->end() && !s->is_null()) {
    if (!s->is_string()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "secret must be a string"));
    secret = s->get<std::string>();
  }
  bool generated = secret.empty();
  if (generated) {
    secret = auth::GenerateSecret();
  } else if (!auth::CheckPasswordRule(secret)) {
    co_return co_await SendError(ex, Error(Errc::kBadRequest,
                                           "the secret must be 8-128, inclusively, characters long with at least 1 "
                                           "uppercase letter, 1 lowercase letter and 1 number"));
  }
  auto hash = auth::HashPassword(secret);
  if (!hash) co_return co_await SendError(ex, hash.error());
  auto done = ctx.robots.SetSecret(t->robot.id, *hash);  // bumps the credential version
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "robot " + std::to_string(t->robot.id) + " not found"));
  RecordAudit(ctx, t->who, t->robot.project_id, t->robot.name, "robot", "update");
  Json out = Json::object();
  if (generated) out["secret"] = secret;  // a secret the caller chose is never echoed
  co_await SendJson(ex, 200, out);
}

http::Task<void> DeleteRobot(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadRobot(ctx, ex, "delete");
  if (!t) co_return co_await SendError(ex, t.error());
  auto done = ctx.robots.Delete(t->robot.id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "robot " + std::to_string(t->robot.id) + " not found"));
  RecordAudit(ctx, t->who, t->robot.project_id, t->robot.name, "robot", "delete");
  co_await SendOk(ex);
}

}  // namespace

void RegisterRobotRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/robots", ListRobots},
      {Verb::post, "/api/v2.0/robots", CreateRobot},
      {Verb::get, "/api/v2.0/robots/{robot_id}", GetRobot},
      {Verb::put, "/api/v2.0/robots/{robot_id}", UpdateRobot},
      {Verb::patch, "/api/v2.0/robots/{robot_id}", RefreshRobotSecret},
      {Verb::delete_, "/api/v2.0/robots/{robot_id}", DeleteRobot},
  };
  AddRoutes(router, ctx, kRoutes);
  RegisterPermissionRoutes(router, ctx);
}

}  // namespace berth::api::v2_0
