#include <cctype>

#include "base/clock.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {
namespace {

constexpr int kLdapGroup = 1;

GroupRecord RowToGroup(const Stmt& s) { return GroupRecord{s.Int(0), s.Text(1), static_cast<int>(s.Int(2)), s.Text(3)}; }

// LDAP DNs compare case-insensitively; Harbor stores them trimmed and lower-cased.
std::string NormalizeDn(std::string_view dn) {
  size_t b = 0, e = dn.size();
  while (b < e && std::isspace(static_cast<unsigned char>(dn[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(dn[e - 1]))) --e;
  std::string out(dn.substr(b, e - b));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<int64_t> SqliteGroupStore::Create(const GroupRecord& g) {
  std::string dn = NormalizeDn(g.ldap_group_dn);
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    {
      auto s = c.Prepare("SELECT 1 FROM user_groups WHERE group_type = ? AND name = ?");
      s.Bind(1, int64_t{g.group_type}).Bind(2, g.name);
      if (s.Step())
        return Fail(Errc::kConflict, "duplicate user group, group name: " + g.name +
                                         ", group type: " + std::to_string(g.group_type));
    }
    if (g.group_type == kLdapGroup && !dn.empty()) {
      auto s = c.Prepare("SELECT 1 FROM user_groups WHERE group_type = ? AND ldap_group_dn = ?");
      s.Bind(1, int64_t{g.group_type}).Bind(2, dn);
      if (s.Step()) return Fail(Errc::kConflict, "duplicate user group, ldap group DN: " + dn);
    }
    c.Prepare("INSERT INTO user_groups(name, group_type, ldap_group_dn, created_at) VALUES(?, ?, ?, ?)")
        .Bind(1, g.name).Bind(2, int64_t{g.group_type}).Bind(3, dn).Bind(4, NowUnixSeconds()).Run();
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

Result<std::optional<GroupRecord>> SqliteGroupStore::FindByDn(std::string_view raw_dn) {
  std::string dn = NormalizeDn(raw_dn);
  return db_.Read([&](Conn& c) -> Result<std::optional<GroupRecord>> {
    auto s = c.Prepare(
        "SELECT id, name, group_type, ldap_group_dn FROM user_groups WHERE ldap_group_dn = ? AND ldap_group_dn <> '' "
        "ORDER BY id");
    s.Bind(1, dn);
    if (!s.Step()) return std::nullopt;
    return RowToGroup(s);
  });
}

Result<std::optional<GroupRecord>> SqliteGroupStore::FindByName(int group_type, std::string_view name) {
  return db_.Read([&](Conn& c) -> Result<std::optional<GroupRecord>> {
    auto s = c.Prepare(
        "SELECT id, name, group_type, ldap_group_dn FROM user_groups WHERE group_type = ? AND name = ? ORDER BY id");
    s.Bind(1, int64_t{group_type}).Bind(2, name);
    if (!s.Step()) return std::nullopt;
    return RowToGroup(s);
  });
}

Result<bool> SqliteGroupStore::Rename(int64_t id, std::string_view name) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare(
          "SELECT 1 FROM user_groups o JOIN user_groups g ON g.id = ? "
          "WHERE o.group_type = g.group_type AND o.name = ? AND o.id <> g.id");
      s.Bind(1, id).Bind(2, name);
      if (s.Step()) return Fail(Errc::kConflict, "duplicate user group name: " + std::string(name));
    }
    c.Prepare("UPDATE user_groups SET name = ? WHERE id = ?").Bind(1, name).Bind(2, id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteGroupStore::Delete(int64_t id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM members WHERE entity_type = 'g' AND entity_id = ?").Bind(1, id).Run();
    // user_group_members rows go by ON DELETE CASCADE.
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

Result<bool> SqliteGroupStore::SetUserGroups(int64_t user_id, const std::vector<int64_t>& group_ids) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare("SELECT 1 FROM users WHERE id = ?");
      s.Bind(1, user_id);
      if (!s.Step()) return false;
    }
    c.Prepare("DELETE FROM user_group_members WHERE user_id = ?").Bind(1, user_id).Run();
    for (int64_t g : group_ids)
      c.Prepare("INSERT OR IGNORE INTO user_group_members(user_id, group_id) SELECT ?, id FROM user_groups WHERE id = ?")
          .Bind(1, user_id).Bind(2, g).Run();
    return true;
  });
}

Result<std::vector<int64_t>> SqliteGroupStore::GroupsOf(int64_t user_id) {
  return db_.Read([&](Conn& c) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> out;
    auto s = c.Prepare("SELECT group_id FROM user_group_members WHERE user_id = ? ORDER BY group_id");
    s.Bind(1, user_id);
    while (s.Step()) out.push_back(s.Int(0));
    return out;
  });
}

}  // namespace berth::store::sqlite
