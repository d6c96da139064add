#include "store/sqlite/sqlite_stores.h"

namespace berth::store::sqlite {

Result<void> SqliteUploadStore::Create(const UploadRecord& rec) {
  return db_.Write([&](Conn& c) -> Result<void> {
    c.Prepare("INSERT INTO uploads(id, repository, created_at, updated_at) VALUES(?, ?, ?, ?)")
        .Bind(1, rec.id).Bind(2, rec.repository).Bind(3, rec.created_at).Bind(4, rec.updated_at).Run();
    return {};
  });
}

Result<std::optional<UploadRecord>> SqliteUploadStore::Find(std::string_view id) {
  return db_.Read([&](Conn& c) -> Result<std::optional<UploadRecord>> {
    auto s = c.Prepare("SELECT id, repository, created_at, updated_at FROM uploads WHERE id = ?");
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return UploadRecord{s.Text(0), s.Text(1), s.Int(2), s.Int(3)};
  });
}

Result<void> SqliteUploadStore::Touch(std::string_view id, int64_t now) {
  return db_.Write([&](Conn& c) -> Result<void> {
    c.Prepare("UPDATE uploads SET updated_at = ? WHERE id = ?").Bind(1, now).Bind(2, id).Run();
    return {};
  });
}

Result<void> SqliteUploadStore::Remove(std::string_view id) {
  return db_.Write([&](Conn& c) -> Result<void> {
    c.Prepare("DELETE FROM uploads WHERE id = ?").Bind(1, id).Run();
    return {};
  });
}

}  // namespace berth::store::sqlite
