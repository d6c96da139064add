#include "store/sqlite/session_store.h"

namespace berth::store::sqlite {
namespace {

Result<void> Done(const Result<int64_t>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace

Result<void> SqliteSessionStore::Create(const SessionRecord& s) {
  return Done(db_.Write([&](Conn& c) -> Result<int64_t> {
    c.Prepare("INSERT INTO sessions(token_hash, user_id, credential_version, csrf_token, created_at, expires_at) "
              "VALUES(?, ?, ?, ?, ?, ?)")
        .BindBlob(1, s.token_hash).Bind(2, s.user_id).Bind(3, s.credential_version).Bind(4, s.csrf_token)
        .Bind(5, s.created_at).Bind(6, s.expires_at).Run();
    return c.Changes();
  }));
}

Result<std::optional<SessionRecord>> SqliteSessionStore::Find(std::string_view token_hash, int64_t now) {
  return db_.Read([&](Conn& c) -> Result<std::optional<SessionRecord>> {
    auto s = c.Prepare("SELECT user_id, credential_version, csrf_token, created_at, expires_at FROM sessions "
                       "WHERE token_hash = ? AND expires_at > ?");
    s.BindBlob(1, token_hash).Bind(2, now);
    if (!s.Step()) return std::nullopt;
    SessionRecord r;
    r.token_hash = std::string(token_hash);
    r.user_id = s.Int(0);
    r.credential_version = s.Int(1);
    r.csrf_token = s.Text(2);
    r.created_at = s.Int(3);
    r.expires_at = s.Int(4);
    return r;
  });
}

Result<void> SqliteSessionStore::Extend(std::string_view token_hash, int64_t expires_at) {
  return Done(db_.Write([&](Conn& c) -> Result<int64_t> {
    c.Prepare("UPDATE sessions SET expires_at = ? WHERE token_hash = ?").Bind(1, expires_at).BindBlob(2, token_hash).Run();
    return c.Changes();
  }));
}

Result<void> SqliteSessionStore::Delete(std::string_view token_hash) {
  return Done(db_.Write([&](Conn& c) -> Result<int64_t> {
    c.Prepare("DELETE FROM sessions WHERE token_hash = ?").BindBlob(1, token_hash).Run();
    return c.Changes();
  }));
}

Result<int64_t> SqliteSessionStore::DeleteExpired(int64_t now) {
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    c.Prepare("DELETE FROM sessions WHERE expires_at <= ?").Bind(1, now).Run();
    return c.Changes();
  });
}

}  // namespace berth::store::sqlite
