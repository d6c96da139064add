#include <charconv>

#include "api/v2_0/handlers.h"
#include "api/v2_0/harbor_query.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"
#include "api/v2_0/views.h"
#include "auth/password.h"

namespace berth::api::v2_0 {
namespace {

using auth::Principal;
using store::UserRecord;

bool ValidUsername(std::string_view n) {
  if (n.empty() || n.size() > 255) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

std::string Field(const Json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The user named by {user_id}, and whether the caller is that user or a system admin.
struct Target {
  Principal who;
  UserRecord user;
  bool self = false;
};

Result<Target> LoadTarget(RestContext& ctx, const http::Exchange& ex, bool self_allowed) {
  auto who = Authenticate(ctx, ex);
  if (!who) return std::unexpected(who.error());
  if (!who->authenticated()) return std::unexpected(Refusal(*who));
  const std::string& key = ex.Param("user_id");
  int64_t id = 0;
  auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (ec != std::errc() || p != key.data() + key.size()) return Fail(Errc::kBadRequest, "user_id must be an integer");
  bool self = who->kind == Principal::Kind::kUser && who->id == id;
  if (!auth::AllowedSystem(*who, "user", "read") && !(self_allowed && self)) return std::unexpected(Refusal(*who));
  auto user = ctx.users.FindById(id);
  if (!user) return std::unexpected(user.error());
  if (!*user) return Fail(Errc::kNotFound, "user " + key + " not found");
  return Target{std::move(*who), std::move(**user), self};
}

}  // namespace

http::Task<void> ListUsers(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!auth::AllowedSystem(*who, "user", "list")) co_return co_await SendError(ex, Refusal(*who));
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  // q=username=~part (fuzzy) or q=username=part; `username` as a plain parameter works too.
  std::string part = ex.query().Get("username").value_or("");
  auto terms = ParseHarborQuery(ex.query().Get("q").value_or(""));
  if (!terms) co_return co_await SendError(ex, terms.error());
  if (auto ok = OnlyKeys(*terms, {"username"}); !ok) co_return co_await SendError(ex, ok.error());
  if (const QueryTerm* t = FindTerm(*terms, "username")) {
    if (t->values.size() != 1) co_return co_await SendError(ex, Error(Errc::kBadRequest, "q: username takes a single value"));
    part = t->values[0];
  }
  auto list = ctx.users.List(part, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& u : list->items) items.push_back(UserJson(u));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> SearchUsers(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->authenticated()) co_return co_await SendError(ex, Refusal(*who));
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto name = ex.query().Get("username");
  if (!name || name->empty()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "username is required"));
  auto list = ctx.users.List(*name, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& u : list->items) items.push_back(Json{{"user_id", u.id}, {"username", u.username}});
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> CreateUser(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!auth::AllowedSystem(*who, "user", "create")) co_return co_await SendError(ex, Refusal(*who));
  if (ctx.settings && ctx.settings->LdapAuth())  // users come from the directory, as in Harbor
    co_return co_await SendError(ex, Error(Errc::kForbidden, "users can only be created in db_auth mode"));
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  UserRecord u;
  u.username = Field(*body, "username");
  u.email = Field(*body, "email");
  u.realname = Field(*body, "realname");
  u.comment = Field(*body, "comment");
  if (!ValidUsername(u.username))
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "username must be 1-255 letters, digits or . _ - @"));
  std::string password = Field(*body, "password");
  if (auto rule = auth::CheckPasswordRule(password); !rule) co_return co_await SendError(ex, rule.error());
  auto hash = auth::HashPassword(password);
  if (!hash) co_return co_await SendError(ex, hash.error());
  u.password_hash = *hash;
  auto id = ctx.users.Create(u);
  if (!id) co_return co_await SendError(ex, id.error());
  RecordAudit(ctx, *who, 0, u.username, "user", "create");
  co_await SendCreated(ex, "/api/v2.0/users/" + std::to_string(*id));
}

http::Task<void> GetUser(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadTarget(ctx, ex, true);
  if (!t) co_return co_await SendError(ex, t.error());
  co_await SendJson(ex, 200, UserJson(t->user));
}

http::Task<void> UpdateUser(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadTarget(ctx, ex, true);
  if (!t) co_return co_await SendError(ex, t.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  UserRecord u = t->user;
  if (body->contains("email")) u.email = Field(*body, "email");
  if (body->contains("realname")) u.realname = Field(*body, "realname");
  if (body->contains("comment")) u.comment = Field(*body, "comment");
  auto done = ctx.users.UpdateProfile(u);
  if (!done) co_return co_await SendError(ex, done.error());
  RecordAudit(ctx, t->who, 0, u.username, "user", "update");
  co_await SendOk(ex);
}

http::Task<void> DeleteUser(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadTarget(ctx, ex, false);
  if (!t) co_return co_await SendError(ex, t.error());
  if (!auth::AllowedSystem(t->who, "user", "delete")) co_return co_await SendError(ex, Refusal(t->who));
  if (t->self) co_return co_await SendError(ex, Error(Errc::kForbidden, "you cannot delete yourself"));
  auto done = ctx.users.Delete(t->user.id);
  if (!done) co_return co_await SendError(ex, done.error());
  RecordAudit(ctx, t->who, 0, t->user.username, "user", "delete");
  co_await SendOk(ex);
}

http::Task<void> ChangePassword(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadTarget(ctx, ex, true);
  if (!t) co_return co_await SendError(ex, t.error());
  if (t->user.source != "db")
    co_return co_await SendError(ex, Error(Errc::kForbidden, "the password of a directory (LDAP) user is changed in the directory"));
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (!body->is_object()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be a JSON object"));
  std::string old_password = Field(*body, "old_password"), new_password = Field(*body, "new_password");
  if (t->self) {  // changing one's own password needs the current one, even for admins
    if (!auth::VerifyPassword(t->user.password_hash, old_password))
      co_return co_await SendError(ex, Error(Errc::kForbidden, "the old password is wrong"));
    if (old_password == new_password)
      co_return co_await SendError(ex, Error(Errc::kBadRequest, "the new password is the same as the old one"));
  }
  if (auto rule = auth::CheckPasswordRule(new_password); !rule) co_return co_await SendError(ex, rule.error());
  auto hash = auth::HashPassword(new_password);
  if (!hash) co_return co_await SendError(ex, hash.error());
  auto done = ctx.users.SetPassword(t->user.id, *hash);
  if (!done) co_return co_await SendError(ex, done.error());
  RecordAudit(ctx, t->who, 0, t->user.username, "user", "update");
  co_await SendOk(ex);
}

http::Task<void> SetSysadmin(RestContext& ctx, http::Exchange& ex) {
  auto t = LoadTarget(ctx, ex, false);
  if (!t) co_return co_await SendError(ex, t.error());
  if (!auth::AllowedSystem(t->who, "user", "update")) co_return co_await SendError(ex, Refusal(t->who));
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto flag = body->is_object() ? body->find("sysadmin_flag") : body->end();
  if (!body->is_object() || flag == body->end() || !flag->is_boolean())
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "sysadmin_flag must be a boolean"));
  auto done = ctx.users.SetSysadmin(t->user.id, flag->get<bool>());
  if (!done) co_return co_await SendError(ex, done.error());
  RecordAudit(ctx, t->who, 0, t->user.username, "user", "update");
  co_await SendOk(ex);
}

void RegisterUserRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  // Fixed paths before /users/{user_id}.
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/users/current", CurrentUser},
      {Verb::get, "/api/v2.0/users/search", SearchUsers},
      {Verb::get, "/api/v2.0/users", ListUsers},
      {Verb::post, "/api/v2.0/users", CreateUser},
      {Verb::get, "/api/v2.0/users/{user_id}", GetUser},
      {Verb::put, "/api/v2.0/users/{user_id}", UpdateUser},
      {Verb::delete_, "/api/v2.0/users/{user_id}", DeleteUser},
      {Verb::put, "/api/v2.0/users/{user_id}/password", ChangePassword},
      {Verb::put, "/api/v2.0/users/{user_id}/sysadmin", SetSysadmin},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
