// User groups (/api/v2.0/usergroups): system admins list, create, read, rename and delete them;
// any authenticated caller may search them by name (to add a group as a project member).
// Group types: 1 LDAP (needs ldap_group_dn), 2 HTTP auth proxy, 3 OIDC.
#include "api/v2_0/member_views.h"
#include "api/v2_0/render.h"
#include "api/v2_0/request_fields.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

using store::GroupRecord;

constexpr int kLdapGroup = 1, kOidcGroup = 3;

// The caller, when it holds user-group:<action> at system level (401 anonymous, 403 otherwise).
Result<auth::Principal> SystemCaller(RestContext& ctx, const http::Exchange& ex, std::string_view action) {
  auto who = Authenticate(ctx, ex);
  if (!who) return std::unexpected(who.error());
  if (!auth::AllowedSystem(*who, "user-group", action)) return std::unexpected(Refusal(*who));
  return who;
}

// The group named by {group_id}; 404 when there is none.
Result<GroupRecord> LoadGroup(RestContext& ctx, const http::Exchange& ex) {
  auto id = PositiveId(ex.Param("group_id"), "the group id");
  if (!id) return std::unexpected(id.error());
  auto found = ctx.groups.FindById(*id);
  if (!found) return std::unexpected(found.error());
  if (!*found) return Fail(Errc::kNotFound, "the user group with id " + std::to_string(*id) + " is not found");
  return std::move(**found);
}

// A new group's fields: a name, a known type, and a DN for LDAP groups.
Result<GroupRecord> ReadNewGroup(const Json& body) {
  if (auto ok = OnlyFields(body, "the user group", {"id", "group_name", "group_type", "ldap_group_dn"}); !ok)
    return std::unexpected(ok.error());
  auto name = StringField(body, "group_name");
  if (!name) return std::unexpected(name.error());
  auto type = IntField(body, "group_type");
  if (!type) return std::unexpected(type.error());
  auto dn = StringField(body, "ldap_group_dn");
  if (!dn) return std::unexpected(dn.error());
  GroupRecord g;
  g.name = name->value_or("");
  if (g.name.empty() || g.name.size() > 255) return Fail(Errc::kBadRequest, "group_name must have 1-255 characters");
  if (!*type || **type < kLdapGroup || **type > kOidcGroup)
    return Fail(Errc::kBadRequest, "group_type must be 1 (LDAP), 2 (HTTP) or 3 (OIDC)");
  g.group_type = static_cast<int>(**type);
  g.ldap_group_dn = dn->value_or("");
  if (g.group_type == kLdapGroup && g.ldap_group_dn.empty())
    return Fail(Errc::kBadRequest, "an LDAP group (group_type 1) needs its ldap_group_dn");
  return g;
}

http::Task<void> ListUserGroups(RestContext& ctx, http::Exchange& ex) {
  auto who = SystemCaller(ctx, ex, "list");
  if (!who) co_return co_await SendError(ex, who.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  std::string name = ex.query().Get("group_name").value_or("");
  auto list = ctx.groups.List(name, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& g : list->items) items.push_back(GroupJson(g));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> SearchUserGroups(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->authenticated()) co_return co_await SendError(ex, Refusal(*who));
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto name = ex.query().Get("groupname");
  if (!name || name->empty())
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "groupname is required to search user groups"));
  auto list = ctx.groups.List(*name, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& g : list->items) items.push_back(GroupSearchJson(g));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> CreateUserGroup(RestContext& ctx, http::Exchange& ex) {
  auto who = SystemCaller(ctx, ex, "create");
  if (!who) co_return co_await SendError(ex, who.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto group = ReadNewGroup(*body);
  if (!group) co_return co_await SendError(ex, group.error());
  auto id = ctx.groups.Create(*group);
  if (!id) co_return co_await SendError(ex, id.error());
  co_await SendCreated(ex, "/api/v2.0/usergroups/" + std::to_string(*id));
}

http::Task<void> GetUserGroup(RestContext& ctx, http::Exchange& ex) {
  auto who = SystemCaller(ctx, ex, "read");
  if (!who) co_return co_await SendError(ex, who.error());
  auto group = LoadGroup(ctx, ex);
  if (!group) co_return co_await SendError(ex, group.error());
  co_await SendJson(ex, 200, GroupJson(*group));
}

// Only the name changes, as in Harbor; the other fields of the group object are accepted and ignored.
http::Task<void> UpdateUserGroup(RestContext& ctx, http::Exchange& ex) {
  auto who = SystemCaller(ctx, ex, "update");
  if (!who) co_return co_await SendError(ex, who.error());
  auto group = LoadGroup(ctx, ex);
  if (!group) co_return co_await SendError(ex, group.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (auto ok = OnlyFields(*body, "the user group", {"id", "group_name", "group_type", "ldap_group_dn"}); !ok)
    co_return co_await SendError(ex, ok.error());
  auto name = StringField(*body, "group_name");
  if (!name) co_return co_await SendError(ex, name.error());
  if (!*name || (*name)->empty() || (*name)->size() > 255)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "group_name must have 1-255 characters"));
  auto done = ctx.groups.Rename(group->id, **name);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the user group is gone"));
  co_await SendOk(ex);
}

http::Task<void> DeleteUserGroup(RestContext& ctx, http::Exchange& ex) {
  auto who = SystemCaller(ctx, ex, "delete");
  if (!who) co_return co_await SendError(ex, who.error());
  auto group = LoadGroup(ctx, ex);
  if (!group) co_return co_await SendError(ex, group.error());
  auto done = ctx.groups.Delete(group->id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the user group is gone"));
  co_await SendOk(ex);
}

}  // namespace

void RegisterUserGroupRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  // The fixed /usergroups/search comes before /usergroups/{group_id}.
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/usergroups/search", SearchUserGroups},
      {Verb::get, "/api/v2.0/usergroups", ListUserGroups},
      {Verb::post, "/api/v2.0/usergroups", CreateUserGroup},
      {Verb::get, "/api/v2.0/usergroups/{group_id}", GetUserGroup},
      {Verb::put, "/api/v2.0/usergroups/{group_id}", UpdateUserGroup},
      {Verb::delete_, "/api/v2.0/usergroups/{group_id}", DeleteUserGroup},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
