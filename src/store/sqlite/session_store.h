// SQLite SessionStore (table sessions, migration 0005). Thread-safe via Db.
#pragma once
#include "store/session_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(Db& db) : db_(db) {}
  Result<void> Create(const SessionRecord& session) override;
  Result<std::optional<SessionRecord>> Find(std::string_view token_hash, int64_t now) override;
  Result<void> Extend(std::string_view token_hash, int64_t expires_at) override;
  Result<void> Delete(std::string_view token_hash) override;
  Result<int64_t> DeleteExpired(int64_t now) override;

 private:
  Db& db_;
};

}  // namespace berth::store::sqlite
