#include "api/v2_0/handlers.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"
#include "api/v2_0/views.h"
#include "base/clock.h"

namespace berth::api::v2_0 {

http::Task<void> Health(RestContext& ctx, http::Exchange& ex) {
  // The database answers if a trivial read works; the registry is this process.
  bool db_ok = ctx.users.Count().has_value();
  Json components = Json::array();
  auto add = [&](const char* name, bool ok) {
    Json c;
    c["name"] = name;
    c["status"] = ok ? "healthy" : "unhealthy";
    components.push_back(std::move(c));
  };
  add("core", true);
  add("database", db_ok);
  add("registry", true);
  Json body;
  body["status"] = db_ok ? "healthy" : "unhealthy";
  body["components"] = std::move(components);
  co_await SendJson(ex, 200, body);
}

http::Task<void> Ping(RestContext&, http::Exchange& ex) {
  http::Response r;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.body = "Pong";
  co_await ex.Send(std::move(r));
}

http::Task<void> SystemInfo(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  Json body;
  body["auth_mode"] = ctx.settings ? ctx.settings->String("auth_mode") : "db_auth";
  body["primary_auth_mode"] = false;
  body["self_registration"] = ctx.settings && ctx.settings->Bool("self_registration");
  body["banner_message"] = "";
  if (who->authenticated()) {
    std::string host = ctx.external_url.substr(ctx.external_url.find("://") == std::string::npos
                                                   ? 0
                                                   : ctx.external_url.find("://") + 3);
    body["harbor_version"] = "berth-0.1.0";
    body["external_url"] = ctx.external_url;
    body["registry_url"] = host;
    body["project_creation_restriction"] = ctx.settings ? ctx.settings->String("project_creation_restriction") : "everyone";
    body["read_only"] = ctx.settings && ctx.settings->Bool("read_only");
    body["has_ca_root"] = false;
    body["registry_storage_provider_name"] = "filesystem";
    body["notification_enable"] = !ctx.settings || ctx.settings->Bool("notification_enable");
    body["current_time"] = HarborTime(NowUnixSeconds());
  }
  co_await SendJson(ex, 200, body);
}

http::Task<void> CurrentUser(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (who->kind != auth::Principal::Kind::kUser) {
    Error err = who->authenticated() ? Error(Errc::kPreconditionFailed, "the caller is not a user")
                                     : Error(Errc::kUnauthorized, "authentication required");
    co_return co_await SendError(ex, err);
  }
  auto user = ctx.users.FindById(who->id);
  if (!user) co_return co_await SendError(ex, user.error());
  if (!*user) co_return co_await SendError(ex, Error(Errc::kUnauthorized));
  Json body = UserJson(**user);
  body["admin_role_in_auth"] = who->sysadmin && !(*user)->sysadmin;  // admin through an LDAP group
  co_await SendJson(ex, 200, body);
}

void RegisterSystemRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/health", Health},
      {Verb::get, "/api/v2.0/ping", Ping},
      {Verb::get, "/api/v2.0/systeminfo", SystemInfo},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
