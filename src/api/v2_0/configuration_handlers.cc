// GET/PUT /api/v2.0/configurations (system admins): Harbor's system settings as
// {"key": {"value": ..., "editable": bool}} and flat partial updates. Secrets are write-only.
// Registered by RegisterLdapRoutes (ldap_handlers.cc), the area that owns the settings.
#include <string>

#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

// Harbor: the auth mode may change only while no user other than the built-in admin exists.
Result<bool> AuthModeEditable(RestContext& ctx) {
  auto n = ctx.users.Count();
  if (!n) return std::unexpected(n.error());
  return *n <= 1;
}

http::Task<void> GetConfigurations(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!auth::AllowedSystem(*who, "configuration", "read")) co_return co_await SendError(ex, Refusal(*who));
  auto editable = AuthModeEditable(ctx);
  if (!editable) co_return co_await SendError(ex, editable.error());
  Json body = Json::object();
  for (const auto& [key, value] : ctx.settings->Public()) {
    Json item;
    item["value"] = Json(value);
    item["editable"] = key == "auth_mode" ? *editable : true;
    body[key] = std::move(item);
  }
  co_await SendJson(ex, 200, body);
}

http::Task<void> PutConfigurations(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!auth::AllowedSystem(*who, "configuration", "update")) co_return co_await SendError(ex, Refusal(*who));
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  nlohmann::json changes(*body);
  auto parsed = ctx.settings->Parse(changes);
  if (!parsed) co_return co_await SendError(ex, parsed.error());
  if (auto mode = parsed->find("auth_mode");
      mode != parsed->end() && mode->second.get<std::string>() != ctx.settings->String("auth_mode")) {
    auto editable = AuthModeEditable(ctx);
    if (!editable) co_return co_await SendError(ex, editable.error());
    if (!*editable)
      co_return co_await SendError(
          ex, Error(Errc::kBadRequest, "the auth mode cannot be modified as new users have been inserted into database"));
  }
  if (auto r = ctx.settings->Apply(*parsed); !r) co_return co_await SendError(ex, r.error());
  std::string keys;
  bool identity_changed = false;
  for (const auto& [key, value] : *parsed) {
    keys += (keys.empty() ? "" : ",") + key;
    if (key == "auth_mode" || key.starts_with("ldap_")) identity_changed = true;
  }
  // Cached logins were verified under the old identity settings.
  if (identity_changed) ctx.authn.ClearCache();
  if (!parsed->empty()) RecordAudit(ctx, *who, 0, keys, "configuration", "update");
  co_await SendOk(ex);
}

}  // namespace

void RegisterConfigurationRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/configurations", GetConfigurations},
      {Verb::put, "/api/v2.0/configurations", PutConfigurations},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
