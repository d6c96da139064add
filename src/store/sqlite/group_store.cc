#include "base/clock.h"
#include "store/sqlite/identity_stores.h"

namespace berth::store::sqlite {
namespace {
GroupRecord RowToGroup(const Stmt& s) { return GroupRecord{s.Int(0), s.Text(1), static_cast<int>(s.Int(2)), s.Text(3)}; }
}  // namespace

Result<int64_t> SqliteGroupStore::Create(const GroupRecord& g) {
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    {
      auto s = c.Prepare("SELECT 1 FROM user_groups WHERE group_type = ? AND name = ? AND ldap_group_dn = ?");
      s.Bind(1, int64_t{g.group_type}).Bind(2, g.name).Bind(3, g.ldap_group_dn);
      if (s.Step()) return Fail(Errc::kConflict, "the user group already exists");
    }
    c.Prepare("INSERT INTO user_groups(name, group_type, ldap_group_dn, created_at) VALUES(?, ?, ?, ?)")
        .Bind(1, g.name).Bind(2, int64_t{g.group_type}).Bind(3, g.ldap_group_dn).Bind(4, NowUnixSeconds()).Run();
    return c.LastInsertId();
  });
}

Result<std::optional<GroupRecord>> SqliteGroupStore::FindById(int64_t id) {
  return db_.Read([&](Conn& c) -> Result<std::optional<GroupRecord>> {
    auto s = c.Prepare("SELECT id, name, group_type, ldap_group_dn FROM user_groups WHERE id = ?");
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return RowToGroup(s);
  });
}

Result<std::optional<GroupRecord>> SqliteGroupStore::FindByDn(std::string_view dn) {
  return db_.Read([&](Conn& c) -> Result<std::optional<GroupRecord>> {
    auto s = c.Prepare("SELECT id, name, group_type, ldap_group_dn FROM user_groups WHERE ldap_group_dn = ? AND ldap_group_dn <> ''");
    s.Bind(1, dn);
    if (!s.Step()) return std::nullopt;
    return RowToGroup(s);
  });
}

Result<bool> SqliteGroupStore::Rename(int64_t id, std::string_view name) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE user_groups SET name = ? WHERE id = ?").Bind(1, name).Bind(2, id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteGroupStore::Delete(int64_t id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM members WHERE entity_type = 'g' AND entity_id = ?").Bind(1, id).Run();
    c.Prepare("DELETE FROM user_groups WHERE id = ?").Bind(1, id).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<GroupRecord>> SqliteGroupStore::List(std::string_view name_part, Paging paging) {
  return db_.Read([&](Conn& c) -> Result<Listing<GroupRecord>> {
    Listing<GroupRecord> out;
    {
      auto s = c.Prepare("SELECT count(*) FROM user_groups WHERE (? = '' OR instr(name, ?) > 0)");
      s.Bind(1, name_part).Bind(2, name_part);
      if (s.Step()) out.total = s.Int(0);
    }
    auto s = c.Prepare(
        "SELECT id, name, group_type, ldap_group_dn FROM user_groups WHERE (? = '' OR instr(name, ?) > 0) "
        "ORDER BY id LIMIT ? OFFSET ?");
    s.Bind(1, name_part).Bind(2, name_part).Bind(3, paging.limit).Bind(4, paging.offset);
    while (s.Step()) out.items.push_back(RowToGroup(s));
    return out;
  });
}

}  // namespace berth::store::sqlite
