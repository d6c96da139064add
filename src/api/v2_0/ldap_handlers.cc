// /api/v2.0/ldap/* (system admins): test an LDAP configuration, search and import directory users,
// search directory groups. Each request opens its own directory session (blocking; see
// auth/ldap_client.h). This area also registers /configurations (configuration_handlers.cc).
#include <string>
#include <vector>

#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"
#include "auth/ldap_client.h"

namespace berth::api::v2_0 {

void RegisterConfigurationRoutes(http::Router& router, RestContext& ctx);  // configuration_handlers.cc

namespace {

Result<auth::Principal> RequireSystem(RestContext& ctx, const http::Exchange& ex, std::string_view resource,
                                      std::string_view action) {
  auto who = Authenticate(ctx, ex);
  if (!who) return std::unexpected(who.error());
  if (!auth::AllowedSystem(*who, resource, action)) return std::unexpected(Refusal(*who));
  return who;
}

// An optional JSON object body: empty means {}.
http::Task<Result<nlohmann::json>> ReadOptionalObject(http::Exchange& ex) {
  auto raw = co_await ex.ReadAll(1 << 20);
  if (!raw) co_return std::unexpected(raw.error());
  if (raw->find_first_not_of(" \t\r\n") == std::string::npos) co_return nlohmann::json::object();
  nlohmann::json doc = nlohmann::json::parse(*raw, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) co_return Fail(Errc::kBadRequest, "the body must be a JSON object");
  co_return doc;
}

http::Task<void> PingLdap(RestContext& ctx, http::Exchange& ex) {
  auto who = RequireSystem(ctx, ex, "configuration", "read");
  if (!who) co_return co_await SendError(ex, who.error());
  auto body = co_await ReadOptionalObject(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  // Only the ldap_* keys of the body count (Harbor's LdapConf); each is validated like a PUT
  // /configurations value. Keys not given, the password included, come from the settings.
  nlohmann::json ldap_keys = nlohmann::json::object();
  for (const auto& [k, v] : body->items())
    if (k.starts_with("ldap_") && !v.is_null()) ldap_keys[k] = v;
  auto overrides = ctx.settings->Parse(ldap_keys);
  if (!overrides) co_return co_await SendError(ex, overrides.error());
  if (auto pw = overrides->find("ldap_search_password"); pw != overrides->end() && pw->second == "")
    overrides->erase(pw);
  auto session = auth::LdapSession::Open(ctx.ldap->Config(*overrides));
  // Harbor answers 200 either way and says in the body whether the directory accepted.
  Json result;
  result["success"] = session.has_value();
  result["message"] = session ? std::string() : "error: " + std::string(session.error().Message());
  co_await SendJson(ex, 200, result);
}

http::Task<void> SearchLdapUsers(RestContext& ctx, http::Exchange& ex) {
  auto who = RequireSystem(ctx, ex, "ldap-user", "list");
  if (!who) co_return co_await SendError(ex, who.error());
  std::string username = ex.query().Get("username").value_or("");
  auto session = auth::LdapSession::Open(ctx.ldap->Config());
  if (!session) co_return co_await SendError(ex, session.error());
  auto users = (*session)->SearchUsers(username);
  if (!users) co_return co_await SendError(ex, users.error());
  Json items = Json::array();
  for (const auto& u : *users) {
    Json j;
    j["username"] = u.username;
    j["realname"] = u.realname;
    j["email"] = u.email;
    items.push_back(std::move(j));
  }
  co_await SendJson(ex, 200, items);
}

http::Task<void> ImportLdapUsers(RestContext& ctx, http::Exchange& ex) {
  auto who = RequireSystem(ctx, ex, "ldap-user", "create");
  if (!who) co_return co_await SendError(ex, who.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto list = body->is_object() ? body->find("ldap_uid_list") : body->end();
  if (list == body->end() || !list->is_array())
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "ldap_uid_list must be an array of strings"));
  std::vector<std::string> uids;
  for (const auto& v : *list) {
    if (!v.is_string()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "ldap_uid_list must be an array of strings"));
    uids.push_back(v.get<std::string>());
  }
  auto failed = ctx.ldap->Import(uids);
  if (!failed) co_return co_await SendError(ex, failed.error());
  if (failed->empty()) co_return co_await SendOk(ex);
  Json items = Json::array();
  for (const auto& f : *failed) {
    Json j;
    j["uid"] = f.uid;
    j["error"] = f.error;
    items.push_back(std::move(j));
  }
  co_await SendJson(ex, 404, items);
}

http::Task<void> SearchLdapGroups(RestContext& ctx, http::Exchange& ex) {
  auto who = RequireSystem(ctx, ex, "ldap-user", "list");
  if (!who) co_return co_await SendError(ex, who.error());
  std::string name = ex.query().Get("groupname").value_or("");
  std::string dn = ex.query().Get("groupdn").value_or("");
  std::vector<auth::LdapGroup> groups;
  if (!name.empty() || !dn.empty()) {
    auto session = auth::LdapSession::Open(ctx.ldap->Config());
    if (!session) co_return co_await SendError(ex, session.error());
    auto found = !name.empty() ? (*session)->SearchGroupsByName(name) : (*session)->SearchGroupsByDn(dn);
    if (!found) co_return co_await SendError(ex, found.error());
    groups = std::move(*found);
  }
  if (groups.empty())
    co_return co_await SendError(ex, Error(Errc::kNotFound, "no LDAP group found for group name \"" + name +
                                                                "\", group DN \"" + dn + "\""));
  Json items = Json::array();
  for (const auto& g : groups) {
    Json j;
    j["group_name"] = g.name;
    j["group_type"] = 1;
    j["ldap_group_dn"] = g.dn;
    items.push_back(std::move(j));
  }
  co_await SendJson(ex, 200, items);
}

}  // namespace

void RegisterLdapRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::post, "/api/v2.0/ldap/ping", PingLdap},
      {Verb::get, "/api/v2.0/ldap/users/search", SearchLdapUsers},
      {Verb::post, "/api/v2.0/ldap/users/import", ImportLdapUsers},
      {Verb::get, "/api/v2.0/ldap/groups/search", SearchLdapGroups},
  };
  AddRoutes(router, ctx, kRoutes);
  RegisterConfigurationRoutes(router, ctx);
}

}  // namespace berth::api::v2_0
