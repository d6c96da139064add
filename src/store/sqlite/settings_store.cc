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

Result<void> SqliteUserGroupLinkStore::SetUserGroups(int64_t user_id, const std::vector<int64_t>& group_ids) {
  return db_.Write([&](Conn& c) -> Result<void> {
    c.Prepare("DELETE FROM user_group_links WHERE user_id = ?").Bind(1, user_id).Run();
    for (int64_t g : group_ids)
      c.Prepare("INSERT OR IGNORE INTO user_group_links(user_id, group_id) VALUES(?, ?)")
          .Bind(1, user_id).Bind(2, g).Run();
    return {};
  });
}

Result<std::vector<int64_t>> SqliteUserGroupLinkStore::GroupsOfUser(int64_t user_id) {
  return db_.Read([&](Conn& c) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> out;
    auto s = c.Prepare("SELECT group_id FROM user_group_links WHERE user_id = ? ORDER BY group_id");
    s.Bind(1, user_id);
    while (s.Step()) out.push_back(s.Int(0));
    return out;
  });
}

}  // namespace berth::store::sqlite
