// SQLite implementations of store/settings_store.h (table settings, see
// migrations/sqlite/0004_settings.sql). Thread-safe (Db serializes writes; reads use pooled
// connections).
#pragma once
#include "store/settings_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteSettingsStore final : public SettingsStore {
 public:
  explicit SqliteSettingsStore(Db& db) : db_(db) {}
  Result<std::map<std::string, std::string>> LoadAll() override;
  Result<void> Save(const std::map<std::string, std::string>& values) override;

 private:
  Db& db_;
};


}  // namespace berth::store::sqlite
