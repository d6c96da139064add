#include "store/sqlite/migrations.h"

#include <set>

#include "base/clock.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations_sql.h"

namespace berth::store::sqlite {

Result<void> ApplyMigrations(Conn& conn) {
  conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  // Each migration is recorded on its own, so one that lands after a higher-numbered one (work
  // merged out of order) is still applied.
  std::set<int64_t> applied;
  {
    auto s = conn.Prepare("SELECT version FROM schema_migrations");
    while (s.Step()) applied.insert(s.Int(0));
  }
  for (const auto& m : kMigrations) {
    if (applied.contains(static_cast<int64_t>(m.version))) continue;
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
