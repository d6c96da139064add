#include "base/clock.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kColumns =
    "id, username, email, realname, comment, password_hash, sysadmin, source, ldap_dn, credential_version, "
    "created_at, updated_at";

UserRecord RowToUser(const Stmt& s) {
  UserRecord u;
  u.id = s.Int(0);
  u.username = s.Text(1);
  u.email = s.Text(2);
  u.realname = s.Text(3);
  u.comment = s.Text(4);
  u.password_hash = s.Text(5);
  u.sysadmin = s.Int(6) != 0;
  u.source = s.Text(7);
  u.ldap_dn = s.Text(8);
  u.credential_version = s.Int(9);
  u.created_at = s.Int(10);
  u.updated_at = s.Int(11);
  return u;
}

}  // namespace

Result<int64_t> SqliteUserStore::Create(const UserRecord& u) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    {
      auto s = c.Prepare("SELECT 1 FROM users WHERE username = ? OR (email <> '' AND email = ?)");
      s.Bind(1, u.username).Bind(2, u.email);
      if (s.Step()) return Fail(Errc::kConflict, "a user with this name or email already exists");
    }
    c.Prepare("INSERT INTO users(username, email, realname, comment, password_hash, sysadmin, source, ldap_dn, "
              "created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .Bind(1, u.username).Bind(2, u.email).Bind(3, u.realname).Bind(4, u.comment).Bind(5, u.password_hash)
        .Bind(6, int64_t{u.sysadmin}).Bind(7, u.source).Bind(8, u.ldap_dn).Bind(9, now).Bind(10, now).Run();
    return c.LastInsertId();
  });
}

Result<std::optional<UserRecord>> SqliteUserStore::FindById(int64_t id) {
  return db_.Read([&](Conn& c) -> Result<std::optional<UserRecord>> {
    static const std::string sql = std::string("SELECT ") + kColumns + " FROM users WHERE id = ?";
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return RowToUser(s);
  });
}

Result<std::optional<UserRecord>> SqliteUserStore::FindByName(std::string_view username) {
  return db_.Read([&](Conn& c) -> Result<std::optional<UserRecord>> {
    static const std::string sql = std::string("SELECT ") + kColumns + " FROM users WHERE username = ?";
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, username);
    if (!s.Step()) return std::nullopt;
    return RowToUser(s);
  });
}

Result<bool> SqliteUserStore::UpdateProfile(const UserRecord& u) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare("SELECT 1 FROM users WHERE email <> '' AND email = ? AND id <> ?");
      s.Bind(1, u.email).Bind(2, u.id);
      if (s.Step()) return Fail(Errc::kConflict, "another user has this email");
    }
    c.Prepare("UPDATE users SET email = ?, realname = ?, comment = ?, updated_at = ? WHERE id = ?")
        .Bind(1, u.email).Bind(2, u.realname).Bind(3, u.comment).Bind(4, NowUnixSeconds()).Bind(5, u.id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteUserStore::SetPassword(int64_t id, std::string_view hash) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE users SET password_hash = ?, credential_version = credential_version + 1, updated_at = ? "
              "WHERE id = ?")
        .Bind(1, hash).Bind(2, NowUnixSeconds()).Bind(3, id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteUserStore::SetSysadmin(int64_t id, bool sysadmin) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE users SET sysadmin = ?, updated_at = ? WHERE id = ?")
        .Bind(1, int64_t{sysadmin}).Bind(2, NowUnixSeconds()).Bind(3, id).Run();
    return c.Changes() > 0;
  });
}

Result<bool> SqliteUserStore::Delete(int64_t id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM members WHERE entity_type = 'u' AND entity_id = ?").Bind(1, id).Run();
    // Projects outlive their creator: ownership passes to the built-in administrator.
    c.Prepare("UPDATE projects SET owner_id = 1 WHERE owner_id = ?1 AND ?1 <> 1").Bind(1, id).Run();
    c.Prepare("DELETE FROM users WHERE id = ?").Bind(1, id).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<UserRecord>> SqliteUserStore::List(std::string_view name_part, Paging paging) {
  static const std::string where = " FROM users WHERE (?1 = '' OR instr(username, ?1) > 0)";
  static const std::string count_sql = "SELECT count(*)" + where;
  static const std::string page_sql = std::string("SELECT ") + kColumns + where + " ORDER BY id LIMIT ?2 OFFSET ?3";
  return db_.Read([&](Conn& c) -> Result<Listing<UserRecord>> {
    return CountAndPage<UserRecord>(c, count_sql, page_sql, 2, paging, [&](Stmt& s) { s.Bind(1, name_part); },
                                    RowToUser);
  });
}

Result<int64_t> SqliteUserStore::Count() {
  return db_.Read([&](Conn& c) -> Result<int64_t> {
    auto s = c.Prepare("SELECT count(*) FROM users");
    s.Step();
    return s.Int(0);
  });
}

}  // namespace berth::store::sqlite
