// Project members (/api/v2.0/projects/{project}/members): list, add a user or a group, read,
// change the role, remove. Viewing needs member:list/read (every role but limited guest), changing
// needs member:create/update/delete (project admins); robots per their permission list.
#include "api/v2_0/member_views.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/request_fields.h"
#include "api/v2_0/route_table.h"

namespace berth::api::v2_0 {
namespace {

using store::GroupRecord;
using store::MemberRecord;

constexpr int kLdapGroup = 1, kHttpGroup = 2, kOidcGroup = 3;

Result<int> ReadRole(const Json& body) {
  auto role = IntField(body, "role_id");
  if (!role) return std::unexpected(role.error());
  if (!*role || !ValidRole(**role))
    return Fail(Errc::kBadRequest,
                "role_id must be 1 (projectAdmin), 2 (developer), 3 (guest), 4 (maintainer) or 5 (limitedGuest)");
  return static_cast<int>(**role);
}

bool Given(const Json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && !it->is_null();
}

// member_user {user_id | username}: the user must exist (404 otherwise).
Result<MemberRecord> UserEntity(RestContext& ctx, const Json& spec) {
  if (auto ok = OnlyFields(spec, "member_user", {"user_id", "username"}); !ok) return std::unexpected(ok.error());
  auto id = IntField(spec, "user_id");
  if (!id) return std::unexpected(id.error());
  auto name = StringField(spec, "username");
  if (!name) return std::unexpected(name.error());
  std::optional<store::UserRecord> user;
  std::string key;
  if (*id && **id > 0) {
    auto found = ctx.users.FindById(**id);
    if (!found) return std::unexpected(found.error());
    user = std::move(*found);
    key = std::to_string(**id);
  } else if (*name && !(*name)->empty()) {
    auto found = ctx.users.FindByName(**name);
    if (!found) return std::unexpected(found.error());
    user = std::move(*found);
    key = **name;
  } else {
    return Fail(Errc::kBadRequest, "member_user needs a user_id or a username");
  }
  if (!user) return Fail(Errc::kNotFound, "user " + key + " not found");
  MemberRecord m;
  m.entity_type = 'u';
  m.entity_id = user->id;
  m.entity_name = user->username;
  return m;
}

// member_group {id} names an existing group (404 otherwise); {ldap_group_dn[, group_name]} an LDAP
// group and {group_name, group_type 2|3} an HTTP or OIDC group, created when not known yet (as
// Harbor onboards groups on first use).
Result<MemberRecord> GroupEntity(RestContext& ctx, const Json& spec) {
  if (auto ok = OnlyFields(spec, "member_group", {"id", "group_name", "group_type", "ldap_group_dn"}); !ok)
    return std::unexpected(ok.error());
  auto id = IntField(spec, "id");
  if (!id) return std::unexpected(id.error());
  auto name = StringField(spec, "group_name");
  if (!name) return std::unexpected(name.error());
  auto type = IntField(spec, "group_type");
  if (!type) return std::unexpected(type.error());
  auto dn = StringField(spec, "ldap_group_dn");
  if (!dn) return std::unexpected(dn.error());

  std::optional<GroupRecord> group;
  if (*id && **id > 0) {
    auto found = ctx.groups.FindById(**id);
    if (!found) return std::unexpected(found.error());
    if (!*found) return Fail(Errc::kNotFound, "user group " + std::to_string(**id) + " not found");
    group = std::move(*found);
  } else {
    GroupRecord wanted;
    wanted.name = name->value_or("");
    wanted.ldap_group_dn = dn->value_or("");
    wanted.group_type = static_cast<int>(type->value_or(0));
    if (!wanted.ldap_group_dn.empty()) {
      if (*type && **type != kLdapGroup)
        return Fail(Errc::kBadRequest, "ldap_group_dn is only for LDAP groups (group_type 1)");
      wanted.group_type = kLdapGroup;
      auto found = ctx.groups.FindByDn(wanted.ldap_group_dn);
      if (!found) return std::unexpected(found.error());
      group = std::move(*found);
      if (wanted.name.empty()) wanted.name = wanted.ldap_group_dn;
    } else if (!wanted.name.empty()) {
      if (wanted.group_type == kLdapGroup) return Fail(Errc::kBadRequest, "an LDAP group needs its ldap_group_dn");
      if (wanted.group_type != kHttpGroup && wanted.group_type != kOidcGroup)
        return Fail(Errc::kBadRequest, "group_type must be 1 (LDAP), 2 (HTTP) or 3 (OIDC)");
      auto found = ctx.groups.FindByName(wanted.group_type, wanted.name);
      if (!found) return std::unexpected(found.error());
      group = std::move(*found);
    } else {
      return Fail(Errc::kBadRequest, "member_group needs an id, a group_name or an ldap_group_dn");
    }
    if (!group) {
      auto created = ctx.groups.Create(wanted);
      if (!created && created.error().code == Errc::kConflict && wanted.group_type == kLdapGroup &&
          wanted.name != wanted.ldap_group_dn) {
        wanted.name = wanted.ldap_group_dn;  // the name is taken by another DN: name it after its DN
        created = ctx.groups.Create(wanted);
      }
      if (!created) return std::unexpected(created.error());
      wanted.id = *created;
      group = std::move(wanted);
    }
  }
  MemberRecord m;
  m.entity_type = 'g';
  m.entity_id = group->id;
  m.entity_name = group->name;
  return m;
}

// The member named by {mid} in the project of the request (404 when it belongs to another project).
Result<MemberRecord> LoadMember(RestContext& ctx, const http::Exchange& ex, int64_t project_id) {
  auto mid = PositiveId(ex.Param("mid"), "the member id");
  if (!mid) return std::unexpected(mid.error());
  auto found = ctx.members.Find(project_id, *mid);
  if (!found) return std::unexpected(found.error());
  if (!*found) return Fail(Errc::kNotFound, "member " + ex.Param("mid") + " not found in the project");
  return std::move(**found);
}

http::Task<void> ListMembers(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "member", "list");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  std::string name = ex.query().Get("entityname").value_or("");
  auto list = ctx.members.List(ok->second.id, name, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& m : list->items) items.push_back(MemberJson(m));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> CreateMember(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "member", "create");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (auto fields = OnlyFields(*body, "the project member", {"role_id", "member_user", "member_group"}); !fields)
    co_return co_await SendError(ex, fields.error());
  auto role = ReadRole(*body);
  if (!role) co_return co_await SendError(ex, role.error());
  bool by_user = Given(*body, "member_user"), by_group = Given(*body, "member_group");
  if (by_user == by_group)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "give exactly one of member_user and member_group"));
  auto entity = by_user ? UserEntity(ctx, (*body)["member_user"]) : GroupEntity(ctx, (*body)["member_group"]);
  if (!entity) co_return co_await SendError(ex, entity.error());
  MemberRecord m = std::move(*entity);
  m.project_id = ok->second.id;
  m.role = *role;
  auto id = ctx.members.Add(m);
  if (!id) co_return co_await SendError(ex, id.error());
  RecordAudit(ctx, ok->first, m.project_id, m.entity_name, "member", "create");
  co_await SendCreated(ex, "/api/v2.0/projects/" + std::to_string(m.project_id) + "/members/" + std::to_string(*id));
}

http::Task<void> GetMember(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "member", "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto m = LoadMember(ctx, ex, ok->second.id);
  if (!m) co_return co_await SendError(ex, m.error());
  co_await SendJson(ex, 200, MemberJson(*m));
}

http::Task<void> UpdateMember(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "member", "update");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto m = LoadMember(ctx, ex, ok->second.id);
  if (!m) co_return co_await SendError(ex, m.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  if (auto fields = OnlyFields(*body, "the role", {"role_id"}); !fields) co_return co_await SendError(ex, fields.error());
  auto role = ReadRole(*body);
  if (!role) co_return co_await SendError(ex, role.error());
  auto done = ctx.members.UpdateRole(m->project_id, m->id, *role);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the member is gone"));
  RecordAudit(ctx, ok->first, m->project_id, m->entity_name, "member", "update");
  co_await SendOk(ex);
}

http::Task<void> DeleteMember(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "member", "delete");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto m = LoadMember(ctx, ex, ok->second.id);
  if (!m) co_return co_await SendError(ex, m.error());
  auto done = ctx.members.Remove(m->project_id, m->id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the member is gone"));
  RecordAudit(ctx, ok->first, m->project_id, m->entity_name, "member", "delete");
  co_await SendOk(ex);
}

}  // namespace

void RegisterMemberRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/projects/{project}/members", ListMembers},
      {Verb::post, "/api/v2.0/projects/{project}/members", CreateMember},
      {Verb::get, "/api/v2.0/projects/{project}/members/{mid}", GetMember},
      {Verb::put, "/api/v2.0/projects/{project}/members/{mid}", UpdateMember},
      {Verb::delete_, "/api/v2.0/projects/{project}/members/{mid}", DeleteMember},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
