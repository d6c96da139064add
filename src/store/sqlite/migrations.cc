#include "store/sqlite/migrations.h"

#include "base/clock.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations_sql.h"

namespace berth::store::sqlite {

Result<void> ApplyMigrations(Conn& conn) {
  conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  int64_t current = 0;
  {
    auto s = conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (s.Step()) current = s.Int(0);
  }
  for (const auto& m : kMigrations) {
    if (m.version <= current) continue;
    conn.Exec("BEGIN IMMEDIATE");
    try {
      conn.Exec(m.sql);
      conn.Prepare("INSERT INTO schema_migrations(version, applied_at) VALUES(?, ?)")
          .Bind(1, static_cast<int64_t>(m.version))
          .Bind(2, NowUnixSeconds())
          .Run();
      conn.Exec("COMMIT");
    } catch (const SqliteError& e) {
      conn.Exec("ROLLBACK");
      return Fail(Errc::kInternal, "migration " + std::to_string(m.version) + ": " + e.what());
    }
  }
  return {};
}

}  // namespace berth::store::sqlite
