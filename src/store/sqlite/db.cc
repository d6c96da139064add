#include "store/sqlite/db.h"

#include <chrono>
#include <cstring>
#include <thread>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/migrations.h"

namespace berth::store::sqlite {
namespace {

[[noreturn]] void Throw(sqlite3* db, std::string_view what) {
  throw SqliteError(std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Stmt::~Stmt() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

Stmt& Stmt::Bind(int i, int64_t v) {
  if (sqlite3_bind_int64(s_, i, v) != SQLITE_OK) Throw(sqlite3_db_handle(s_), "bind");
  return *this;
}

Stmt& Stmt::Bind(int i, std::string_view v) {
  if (sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK)
    Throw(sqlite3_db_handle(s_), "bind");
  return *this;
}

Stmt& Stmt::BindBlob(int i, std::string_view v) {
  if (sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK)
    Throw(sqlite3_db_handle(s_), "bind");
  return *this;
}

Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

bool Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Throw(sqlite3_db_handle(s_), "step");
}

void Stmt::Run() {
  while (Step()) {
  }
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(s_, col); }

std::string Stmt::Text(int col) const {
  auto p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Conn::~Conn() {
  for (auto& [k, s] : cache_) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

Stmt Conn::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  // The address is the fast key; the text decides. A hit whose text differs is a different query
  // whose string now lives where a freed one did: prepare it afresh in that slot.
  if (it != cache_.end() && std::strcmp(sqlite3_sql(it->second), sql) == 0) return Stmt(it->second);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
    Throw(db_, std::string("prepare ") + sql);
  if (it != cache_.end()) {
    sqlite3_finalize(it->second);
    it->second = s;
  } else {
    cache_.emplace(sql, s);
  }
  return Stmt(s);
}

namespace {
constexpr const char kBeginRead[] = "BEGIN";
constexpr const char kEndRead[] = "COMMIT";
}  // namespace

void Conn::BeginRead() { Prepare(kBeginRead).Run(); }

void Conn::EndRead() { Prepare(kEndRead).Run(); }

void Conn::EndReadQuietly() noexcept {
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Conn::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "exec failed";
    sqlite3_free(err);
    throw SqliteError(msg);
  }
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool durable) {
  std::unique_ptr<Db> db(new Db(path));
  try {
    db->writer_ = db->OpenConn(false);
    db->normal_ = std::make_unique<WorkerThread>();
    db->writer_->Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    // A WAL that a big batch (a GC run) grew is cut back to 64 MiB when it starts over.
    db->writer_->Exec("PRAGMA journal_size_limit=67108864");
    if (auto r = ApplyMigrations(*db->writer_); !r) return std::unexpected(r.error());
    // A WAL hook replaces SQLite's automatic checkpoint (which is itself a WAL hook): commits only
    // tell the checkpointer how long the WAL is. 1000 pages is SQLite's own default threshold.
    auto ckpt = db->OpenConn(false);
    ckpt->Exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    db->checkpointer_ = std::make_unique<Checkpointer>(std::move(ckpt), 1000);
    sqlite3_wal_hook(db->writer_->raw(), &Checkpointer::WalHook, db->checkpointer_.get());
  } catch (const SqliteError& e) {
    return Fail(Errc::kInternal, "open database " + path + ": " + e.what());
  }
  return db;
}

Db::Db(std::string path) : path_(std::move(path)) {}

Db::~Db() {
  if (writer_) sqlite3_wal_hook(writer_->raw(), nullptr, nullptr);
}

uint64_t Db::checkpoints() const { return checkpointer_ ? checkpointer_->runs() : 0; }

std::unique_ptr<Conn> Db::OpenConn(bool readonly) {
  sqlite3* raw = nullptr;
  int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close_v2(raw);
    throw SqliteError("open " + path_ + ": " + msg);
  }
  auto conn = std::make_unique<Conn>(raw);
  sqlite3_busy_timeout(raw, 10000);
  if (!readonly) {
    conn->Exec("PRAGMA journal_mode=WAL");
    conn->Exec("PRAGMA foreign_keys=ON");
  }
  conn->Exec("PRAGMA cache_size=-16000");
  // Pages are read through a shared memory map of the file instead of a pread into each
  // connection's own cache: no syscall and no copy per page, one copy in the OS page cache for all
  // connections. At 100,000 artifacts (a 270 MB database) preads were 12% of a list's CPU. The
  // mapped pages are file-backed (counted in RSS, given back under memory pressure). Beyond 1 GiB
  // the rest of the file is read as before.
  conn->Exec("PRAGMA mmap_size=1073741824");
  return conn;
}

std::unique_ptr<Conn> Db::Borrow() {
  {
    std::lock_guard lock(pool_mu_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
  }
  return OpenConn(true);
}

void Db::Return(std::unique_ptr<Conn> c) {
  std::lock_guard lock(pool_mu_);
  if (readers_.size() < 64) readers_.push_back(std::move(c));
}

Result<std::unique_ptr<Conn>> Db::Snapshot() {
  try {
    auto src = OpenConn(true);
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2("", &raw, flags, nullptr) != SQLITE_OK) {  // "": a private temp database
      std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
      sqlite3_close_v2(raw);
      throw SqliteError("open snapshot: " + msg);
    }
    auto copy = std::make_unique<Conn>(raw);
    copy->Exec("PRAGMA cache_size=-65536");  // 64 MiB in memory before spilling to the temp file
    sqlite3_backup* b = sqlite3_backup_init(raw, "main", src->raw(), "main");
    if (!b) Throw(raw, "snapshot backup");
    int rc = sqlite3_backup_step(b, -1);  // all pages in one step: one read transaction, one snapshot
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) Throw(raw, "snapshot backup step");
    copy->Exec("PRAGMA journal_mode=MEMORY");
    copy->Exec("PRAGMA synchronous=OFF");
    copy->Exec("PRAGMA foreign_keys=ON");
    return copy;
  } catch (const SqliteError& e) {
    return Fail(Errc::kInternal, std::string("database: ") + e.what());
  }
}

// Polls: a condition variable would cost every foreground Write() a notify; this costs the
// background writer a few sleeps, and only while requests queue for the writer.
void Db::YieldToWaitingWriters() {
  constexpr auto kYieldLimit = std::chrono::milliseconds(20);
  auto until = std::chrono::steady_clock::now() + kYieldLimit;
  while (waiting_.load(std::memory_order_acquire) > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

void Db::RollbackQuietly() {
  sqlite3_exec(writer_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace berth::store::sqlite
