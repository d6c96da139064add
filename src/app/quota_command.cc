#include "app/quota_command.h"

#include <iostream>

#include "app/config.h"
#include "store/sqlite/db.h"
#include "store/sqlite/quota_store.h"

namespace berth::app {

int QuotaVerify(const std::optional<std::string>& config_file, const std::map<std::string, std::string>& overrides) {
  auto config = LoadConfig(config_file, overrides);
  if (!config) {
    std::cerr << "berth: " << config.error().Message() << "\n";
    return 2;
  }
  auto db = store::sqlite::Db::Open(config->data_dir + "/berth.db", config->storage_fsync);
  if (!db) {
    std::cerr << "berth: " << db.error().Message() << "\n";
    return 2;
  }
  store::sqlite::SqliteQuotaStore quotas(**db);
  auto rows = quotas.Verify();
  if (!rows) {
    std::cerr << "berth: " << rows.error().Message() << "\n";
    return 2;
  }
  int drifted = 0;
  for (const auto& r : *rows) {
    std::cout << "project=" << r.project_name << " id=" << r.project_id << " used=" << r.recorded
              << " recomputed=" << r.actual << " drift=" << (r.actual - r.recorded) << "\n";
    if (r.actual != r.recorded) ++drifted;
  }
  std::cout << "checked=" << rows->size() << " drifted=" << drifted << std::endl;
  return drifted == 0 ? 0 : 1;
}

}  // namespace berth::app
