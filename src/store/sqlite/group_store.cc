#include "base/clock.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/paging.h"

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
  static const std::string where = " FROM user_groups WHERE (?1 = '' OR instr(name, ?1) > 0)";
  static const std::string count_sql = "SELECT count(*)" + where;
  static const std::string page_sql =
      "SELECT id, name, group_type, ldap_group_dn" + where + " ORDER BY id LIMIT ?2 OFFSET ?3";
  return db_.Read([&](Conn& c) -> Result<Listing<GroupRecord>> {
    return CountAndPage<GroupRecord>(c, count_sql, page_sql, 2, paging, [&](Stmt& s) { s.Bind(1, name_part); },
                                     RowToGroup);
  });
}

}  // namespace berth::store::sqlite
