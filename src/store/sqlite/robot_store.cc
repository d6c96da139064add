#include "base/clock.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT id, name, description, level, COALESCE(project_id, 0), secret_hash, credential_version, disabled, "
    "duration, expires_at, permissions, creator, created_at, updated_at FROM robots ";

RobotRecord RowToRobot(const Stmt& s) {
  RobotRecord r;
  r.id = s.Int(0);
  r.name = s.Text(1);
  r.description = s.Text(2);
  r.level = s.Text(3);
  r.project_id = s.Int(4);
  r.secret_hash = s.Text(5);
  r.credential_version = s.Int(6);
  r.disabled = s.Int(7) != 0;
  r.duration = s.Int(8);
  r.expires_at = s.Int(9);
  r.permissions_json = s.Text(10);
  r.creator = s.Text(11);
  r.created_at = s.Int(12);
  r.updated_at = s.Int(13);
  return r;
}

}  // namespace

Result<int64_t> SqliteRobotStore::Create(const RobotRecord& r) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    {
      auto s = c.Prepare("SELECT 1 FROM robots WHERE name = ?");
      s.Bind(1, r.name);
      if (s.Step()) return Fail(Errc::kConflict, "the robot account " + r.name + " already exists");
    }
    auto ins = c.Prepare(
        "INSERT INTO robots(name, description, level, project_id, secret_hash, disabled, duration, expires_at, "
        "permissions, creator, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ins.Bind(1, r.name).Bind(2, r.description).Bind(3, r.level).Bind(5, r.secret_hash).Bind(6, int64_t{r.disabled})
        .Bind(7, r.duration).Bind(8, r.expires_at).Bind(9, r.permissions_json).Bind(10, r.creator).Bind(11, now)
        .Bind(12, now);
    if (r.project_id) ins.Bind(4, r.project_id);
    else ins.BindNull(4);
    ins.Run();
    return c.LastInsertId();
  });
}

Result<std::optional<RobotRecord>> SqliteRobotStore::FindById(int64_t id) {
  static const std::string sql = std::string(kSelect) + "WHERE id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<RobotRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return RowToRobot(s);
  });
}

Result<std::optional<RobotRecord>> SqliteRobotStore::FindByName(std::string_view name) {
  static const std::string sql = std::string(kSelect) + "WHERE name = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<RobotRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, name);
    if (!s.Step()) return std::nullopt;
    return RowToRobot(s);
  });
}

Result<bool> SqliteRobotStore::Update(const RobotRecord& r) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE robots SET description = ?, duration = ?, expires_at = ?, permissions = ?, updated_at = ?, "
              "credential_version = credential_version + (disabled <> ?), disabled = ? WHERE id = ?")
        .Bind(1, r.description).Bind(2, r.duration).Bind(3, r.expires_at).Bind(4, r.permissions_json)
        .Bind(5, NowUnixSeconds()).Bind(6, int64_t{r.disabled}).Bind(7, int64_t{r.disabled}).Bind(8, r.id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteRobotStore::SetSecret(int64_t id, std::string_view hash) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE robots SET secret_hash = ?, credential_version = credential_version + 1, updated_at = ? "
              "WHERE id = ?")
        .Bind(1, hash).Bind(2, NowUnixSeconds()).Bind(3, id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteRobotStore::Delete(int64_t id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM robots WHERE id = ?").Bind(1, id).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<RobotRecord>> SqliteRobotStore::List(const RobotFilter& f, Paging paging) {
  static const char* kWhere =
      "WHERE (?1 = '' OR level = ?1) AND (?2 = 0 OR project_id = ?2) AND (?3 = '' OR instr(name, ?3) > 0) ";
  static const std::string count_sql = std::string("SELECT count(*) FROM robots ") + kWhere;
  static const std::string list_sql = std::string(kSelect) + kWhere + "ORDER BY id LIMIT ?4 OFFSET ?5";
  std::string level = f.level.value_or("");
  int64_t project = f.project_id.value_or(0);
  return db_.Read([&](Conn& c) -> Result<Listing<RobotRecord>> {
    return CountAndPage<RobotRecord>(c, count_sql, list_sql, 4, paging,
                                     [&](Stmt& s) { s.Bind(1, level).Bind(2, project).Bind(3, f.name_part); },
                                     RowToRobot);
  });
}

}  // namespace berth::store::sqlite
