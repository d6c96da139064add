#include "store/sqlite/quota_store.h"

#include <map>
#include <mutex>

#include "base/clock.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT q.id, q.project_id, p.name, COALESCE(u.username, ''), p.storage_limit, q.used, q.created_at, "
    "q.updated_at FROM quotas q JOIN projects p ON p.id = q.project_id LEFT JOIN users u ON u.id = p.owner_id ";

QuotaRecord RowToQuota(const Stmt& s) {
  QuotaRecord q;
  q.id = s.Int(0);
  q.project_id = s.Int(1);
  q.project_name = s.Text(2);
  q.owner_name = s.Text(3);
  q.hard = s.Int(4);
  q.used = s.Int(5);
  q.created_at = s.Int(6);
  q.updated_at = s.Int(7);
  return q;
}

// ORDER BY clauses for the sort keys Harbor's quota list accepts (ties broken by id).
const std::map<std::string, std::string, std::less<>>& SortClauses() {
  static const std::map<std::string, std::string, std::less<>> m = {
      {"", "q.id"},
      {"id", "q.id"},
      {"-id", "q.id DESC"},
      {"hard.storage", "p.storage_limit, q.id"},
      {"-hard.storage", "p.storage_limit DESC, q.id"},
      {"used.storage", "q.used, q.id"},
      {"-used.storage", "q.used DESC, q.id"},
      {"creation_time", "q.created_at, q.id"},
      {"-creation_time", "q.created_at DESC, q.id"},
      {"update_time", "q.updated_at, q.id"},
      {"-update_time", "q.updated_at DESC, q.id"},
  };
  return m;
}

}  // namespace

Result<Listing<QuotaRecord>> SqliteQuotaStore::List(const QuotaFilter& f, Paging paging) {
  auto order = SortClauses().find(f.sort);
  if (order == SortClauses().end())
    return Fail(Errc::kBadRequest, "sort must be one of hard.storage, used.storage, id, creation_time, update_time, "
                                   "optionally prefixed with -");
  static const char* kWhere = "WHERE (?1 = 0 OR q.project_id = ?2) ";
  // One prepared statement per sort order: the texts live as long as the map's strings.
  static std::map<std::string, std::string, std::less<>> page_sql;
  static std::mutex page_mu;
  const char* sql = nullptr;
  {
    std::lock_guard lock(page_mu);
    auto& text = page_sql[order->first];
    if (text.empty()) text = std::string(kSelect) + kWhere + "ORDER BY " + order->second + " LIMIT ?3 OFFSET ?4";
    sql = text.c_str();
  }
  static const std::string count_sql = std::string("SELECT count(*) FROM quotas q ") + kWhere;
  return db_.Read([&](Conn& c) -> Result<Listing<QuotaRecord>> {
    auto bind = [&](Stmt& s) { s.Bind(1, int64_t{f.project_id.has_value()}).Bind(2, f.project_id.value_or(0)); };
    return CountAndPage<QuotaRecord>(c, count_sql, sql, 3, paging, bind, RowToQuota);
  });
}

Result<std::optional<QuotaRecord>> SqliteQuotaStore::Find(int64_t id) {
  static const std::string sql = std::string(kSelect) + "WHERE q.id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<QuotaRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return RowToQuota(s);
  });
}

Result<std::optional<QuotaRecord>> SqliteQuotaStore::FindByProject(int64_t project_id) {
  static const std::string sql = std::string(kSelect) + "WHERE q.project_id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<QuotaRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, project_id);
    if (!s.Step()) return std::nullopt;
    return RowToQuota(s);
  });
}

Result<bool> SqliteQuotaStore::SetHard(int64_t id, int64_t hard) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE projects SET storage_limit = ?2, updated_at = ?3 "
              "WHERE id = (SELECT project_id FROM quotas WHERE id = ?1)")
        .Bind(1, id).Bind(2, hard).Bind(3, now).Run();
    if (c.Changes() == 0) return false;
    c.Prepare("UPDATE quotas SET updated_at = ?2, warned = warned AND ?3 >= 0 AND used * 100 >= ?3 * 85 WHERE id = ?1")
        .Bind(1, id).Bind(2, now).Bind(3, hard).Run();
    return true;
  });
}

Result<std::vector<QuotaDrift>> SqliteQuotaStore::Verify() {
  return db_.Read([&](Conn& c) -> Result<std::vector<QuotaDrift>> {
    // One statement, so the recorded totals and the recomputation come from one snapshot.
    auto s = c.Prepare(
        "SELECT q.project_id, p.name, q.used, COALESCE(u.used, 0) FROM quotas q JOIN projects p ON p.id = q.project_id "
        "LEFT JOIN project_usage u ON u.project_id = q.project_id ORDER BY q.project_id");
    std::vector<QuotaDrift> out;
    while (s.Step()) out.push_back(QuotaDrift{s.Int(0), s.Text(1), s.Int(2), s.Int(3)});
    return out;
  });
}

}  // namespace berth::store::sqlite
