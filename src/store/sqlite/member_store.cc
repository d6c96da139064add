#include "base/clock.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT m.id, m.project_id, m.entity_type, m.entity_id, "
    "COALESCE(CASE m.entity_type WHEN 'u' THEN u.username ELSE g.name END, ''), m.role FROM members m "
    "LEFT JOIN users u ON m.entity_type = 'u' AND u.id = m.entity_id "
    "LEFT JOIN user_groups g ON m.entity_type = 'g' AND g.id = m.entity_id ";

MemberRecord RowToMember(const Stmt& s) {
  MemberRecord m;
  m.id = s.Int(0);
  m.project_id = s.Int(1);
  m.entity_type = s.Text(2).empty() ? 'u' : s.Text(2)[0];
  m.entity_id = s.Int(3);
  m.entity_name = s.Text(4);
  m.role = static_cast<int>(s.Int(5));
  return m;
}

}  // namespace

Result<int64_t> SqliteMemberStore::Add(const MemberRecord& m) {
  if (m.role < 1 || m.role > 5) return Fail(Errc::kBadRequest, "role_id must be between 1 and 5");
  std::string type(1, m.entity_type);
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    {
      auto s = c.Prepare("SELECT 1 FROM members WHERE project_id = ? AND entity_type = ? AND entity_id = ?");
      s.Bind(1, m.project_id).Bind(2, type).Bind(3, m.entity_id);
      if (s.Step()) return Fail(Errc::kConflict, "the member already exists in the project");
    }
    c.Prepare("INSERT INTO members(project_id, entity_type, entity_id, role, created_at, updated_at) "
              "VALUES(?, ?, ?, ?, ?, ?)")
        .Bind(1, m.project_id).Bind(2, type).Bind(3, m.entity_id).Bind(4, int64_t{m.role}).Bind(5, now).Bind(6, now)
        .Run();
    return c.LastInsertId();
  });
}

Result<std::optional<MemberRecord>> SqliteMemberStore::Find(int64_t project_id, int64_t member_id) {
  static const std::string sql = std::string(kSelect) + "WHERE m.project_id = ? AND m.id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<MemberRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, project_id).Bind(2, member_id);
    if (!s.Step()) return std::nullopt;
    return RowToMember(s);
  });
}

Result<bool> SqliteMemberStore::UpdateRole(int64_t project_id, int64_t member_id, int role) {
  if (role < 1 || role > 5) return Fail(Errc::kBadRequest, "role_id must be between 1 and 5");
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE members SET role = ?, updated_at = ? WHERE project_id = ? AND id = ?")
        .Bind(1, int64_t{role}).Bind(2, NowUnixSeconds()).Bind(3, project_id).Bind(4, member_id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteMemberStore::Remove(int64_t project_id, int64_t member_id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM members WHERE project_id = ? AND id = ?").Bind(1, project_id).Bind(2, member_id).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<MemberRecord>> SqliteMemberStore::List(int64_t project_id, std::string_view name_part, Paging paging) {
  static const std::string where =
      "WHERE m.project_id = ?1 AND (?2 = '' OR instr(COALESCE(CASE m.entity_type WHEN 'u' THEN u.username ELSE "
      "g.name END, ''), ?2) > 0) ";
  static const std::string count_sql =
      "SELECT count(*) FROM members m LEFT JOIN users u ON m.entity_type = 'u' AND u.id = m.entity_id "
      "LEFT JOIN user_groups g ON m.entity_type = 'g' AND g.id = m.entity_id " + where;
  static const std::string list_sql = std::string(kSelect) + where + "ORDER BY m.id LIMIT ?3 OFFSET ?4";
  return db_.Read([&](Conn& c) -> Result<Listing<MemberRecord>> {
    return CountAndPage<MemberRecord>(c, count_sql, list_sql, 3, paging,
                                      [&](Stmt& s) { s.Bind(1, project_id).Bind(2, name_part); }, RowToMember);
  });
}

Result<std::map<int64_t, std::vector<int>>> SqliteMemberStore::RolesOf(int64_t user_id,
                                                                       const std::vector<int64_t>& group_ids) {
  std::string groups = ",";
  for (auto g : group_ids) groups += std::to_string(g) + ",";
  return db_.Read([&](Conn& c) -> Result<std::map<int64_t, std::vector<int>>> {
    std::map<int64_t, std::vector<int>> out;
    auto s = c.Prepare(
        "SELECT project_id, role FROM members WHERE (entity_type = 'u' AND entity_id = ?1) "
        "OR (entity_type = 'g' AND (instr(?2, ',' || entity_id || ',') > 0 OR "
        "entity_id IN (SELECT group_id FROM user_group_members WHERE user_id = ?1)))");
    s.Bind(1, user_id).Bind(2, groups);
    while (s.Step()) out[s.Int(0)].push_back(static_cast<int>(s.Int(1)));
    return out;
  });
}

}  // namespace berth::store::sqlite
