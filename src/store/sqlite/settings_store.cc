#include "base/clock.h"
#include "store/sqlite/settings_stores.h"

namespace berth::store::sqlite {

Result<std::map<std::string, std::string>> SqliteSettingsStore::LoadAll() {
  return db_.Read([&](Conn& c) -> Result<std::map<std::string, std::string>> {
    std::map<std::string, std::string> out;
    auto s = c.Prepare("SELECT key, value FROM settings");
    while (s.Step()) out.emplace(s.Text(0), s.Text(1));
    return out;
  });
}

Result<void> SqliteSettingsStore::Save(const std::map<std::string, std::string>& values) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<void> {
    for (const auto& [key, value] : values)
      c.Prepare("INSERT INTO settings(key, value, updated_at) VALUES(?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
          .Bind(1, key).Bind(2, value).Bind(3, now).Run();
    return {};
  });
}

}  // namespace berth::store::sqlite
