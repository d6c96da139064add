// Numbered schema migrations for SQLite (the SQL lives in migrations/sqlite/NNNN_*.sql and is
// compiled in). Not thread-safe: run once at start-up on the writer connection.
#pragma once
#include "base/error.h"

namespace berth::store::sqlite {

class Conn;
Result<void> ApplyMigrations(Conn& conn);

}  // namespace berth::store::sqlite
