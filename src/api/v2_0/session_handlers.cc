// Console sign-in and sign-out, as Harbor's UI does it: POST /c/login with a form body
// (principal, password) sets the HttpOnly `sid` cookie and hands out the CSRF token (header and
// readable `__csrf` cookie); GET /c/log_out ends the session. Logins pass the failed-login brake
// and are audited (login_user / logout_user).
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"
#include "http/cookies.h"
#include "http/query.h"

namespace berth::api::v2_0 {
namespace {

std::string CookieAttributes(const RestContext& ctx) {
  std::string a = "; Path=/; SameSite=Lax";
  if (ctx.external_url.starts_with("https://")) a += "; Secure";
  return a;
}

http::Task<void> Login(RestContext& ctx, http::Exchange& ex) {
  auto body = co_await ex.ReadAll(64 * 1024);
  if (!body) co_return co_await SendError(ex, body.error());
  // application/x-www-form-urlencoded: '+' is a space.
  for (char& c : *body)
    if (c == '+') c = ' ';
  auto form = http::Query::Parse(*body);
  std::string principal = form.Get("principal").value_or("");
  std::string password = form.Get("password").value_or("");
  if (principal.empty() || password.empty())
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "principal and password are required"));
  auto who = ctx.authn.Login(principal, password, ex.RemoteAddress());
  if (!who) co_return co_await SendError(ex, who.error());
  if (who->kind != auth::Principal::Kind::kUser)
    co_return co_await SendError(ex, Error(Errc::kUnauthorized, "robot accounts cannot sign in to the console"));
  auto user = ctx.users.FindById(who->id);
  if (!user) co_return co_await SendError(ex, user.error());
  if (!*user) co_return co_await SendError(ex, Error(Errc::kUnauthorized, "invalid username or password"));
  auto started = ctx.sessions.Start(**user);
  if (!started) co_return co_await SendError(ex, started.error());
  RecordAudit(ctx, *who, 0, who->name, "user", "login");
  http::Response r;
  r.status = 200;
  std::string attrs = CookieAttributes(ctx);
  r.Set("Set-Cookie", std::string(kSessionCookie) + "=" + started->token + attrs + "; HttpOnly");
  r.Set("Set-Cookie", std::string(kCsrfCookie) + "=" + started->csrf + attrs);
  r.Set(kCsrfHeader, started->csrf);
  co_await ex.Send(std::move(r));
}

http::Task<void> Logout(RestContext& ctx, http::Exchange& ex) {
  std::string_view sid = http::CookieValue(ex.Header("Cookie"), kSessionCookie);
  if (!sid.empty()) {
    auto active = ctx.sessions.Resume(sid);
    if (active && *active) {
      if (auto user = ctx.users.FindById((*active)->user_id); user && *user) {
        auth::Principal who;
        who.kind = auth::Principal::Kind::kUser;
        who.id = (*user)->id;
        who.name = (*user)->username;
        RecordAudit(ctx, who, 0, who.name, "user", "logout");
      }
    }
    if (auto r = ctx.sessions.End(sid); !r) co_return co_await SendError(ex, r.error());
  }
  http::Response r;
  r.status = 200;
  std::string attrs = CookieAttributes(ctx) + "; Max-Age=0";
  r.Set("Set-Cookie", std::string(kSessionCookie) + "=" + attrs + "; HttpOnly");
  r.Set("Set-Cookie", std::string(kCsrfCookie) + "=" + attrs);
  co_await ex.Send(std::move(r));
}

}  // namespace

void RegisterSessionRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::post, "/c/login", Login},
      {Verb::get, "/c/log_out", Logout},
  };
  AddRoutes(router, ctx, kRoutes);
  router.SetErrorRenderer("/c", SendError);
}

}  // namespace berth::api::v2_0
