#include "base/clock.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {

namespace {

void Insert(Conn& c, const AuditRecord& a, int64_t now) {
  c.Prepare("INSERT INTO audit_log(project_id, username, resource, resource_type, operation, event_type, "
            "description, success, op_time) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, a.project_id).Bind(2, a.username).Bind(3, a.resource).Bind(4, a.resource_type).Bind(5, a.operation)
      .Bind(6, a.event_type).Bind(7, a.description).Bind(8, int64_t{a.success}).Bind(9, a.op_time ? a.op_time : now)
      .Run();
}

}  // namespace

Result<int64_t> SqliteAuditStore::Append(const AuditRecord& a) {
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    Insert(c, a, NowUnixSeconds());
    return c.LastInsertId();
  });
}

Result<void> SqliteAuditStore::AppendBatch(const std::vector<AuditRecord>& records) {
  if (records.empty()) return {};
  int64_t now = NowUnixSeconds();
  auto r = db_.Write([&](Conn& c) -> Result<int64_t> {
    for (const auto& a : records) Insert(c, a, now);
    return static_cast<int64_t>(records.size());
  });
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<Listing<AuditRecord>> SqliteAuditStore::List(const AuditFilter& f, Paging paging) {
  static const char* kWhere =
      "WHERE (?1 < 0 OR project_id = ?1) AND (?2 = '' OR username = ?2) AND (?3 = '' OR instr(resource, ?3) > 0) "
      "AND (?4 = '' OR operation = ?4) AND op_time >= ?5 AND op_time <= ?6 AND (?9 = '' OR resource_type = ?9) "
      "AND (?10 = '' OR event_type = ?10) ";
  static const std::string count_sql = std::string("SELECT count(*) FROM audit_log ") + kWhere;
  static const std::string list_sql =
      std::string("SELECT id, project_id, username, resource, resource_type, operation, event_type, description, "
                  "success, op_time FROM audit_log ") + kWhere + "ORDER BY op_time DESC, id DESC LIMIT ?7 OFFSET ?8";
  int64_t project = f.project_id.value_or(-1);
  int64_t from = f.from_time.value_or(0), to = f.to_time.value_or(INT64_MAX);
  return db_.Read([&](Conn& c) -> Result<Listing<AuditRecord>> {
    auto bind = [&](Stmt& s) {
      s.Bind(1, project).Bind(2, f.username).Bind(3, f.resource_part).Bind(4, f.operation).Bind(5, from).Bind(6, to);
      s.Bind(9, f.resource_type).Bind(10, f.event_type);
    };
    return CountAndPage<AuditRecord>(c, count_sql, list_sql, 7, paging, bind, [](const Stmt& s) {
      AuditRecord a;
      a.id = s.Int(0);
      a.project_id = s.Int(1);
      a.username = s.Text(2);
      a.resource = s.Text(3);
      a.resource_type = s.Text(4);
      a.operation = s.Text(5);
      a.event_type = s.Text(6);
      a.description = s.Text(7);
      a.success = s.Int(8) != 0;
      a.op_time = s.Int(9);
      return a;
    });
  });
}

}  // namespace berth::store::sqlite
