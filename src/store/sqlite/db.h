// Db: one SQLite database in WAL mode with a single writer connection and a pool of readers.
// Thread-safe: Write() serializes writers on a mutex (one BEGIN IMMEDIATE transaction at a time);
// Read() borrows a pooled read-only connection, so reads never wait for writes. Checkpoints run
// on a Checkpointer thread of their own, never inside a Write()'s COMMIT.
// SQLite failures inside Read/Write callbacks are thrown as SqliteError and come back as kInternal.
#pragma once
#include <atomic>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "base/error.h"
#include "base/worker_thread.h"

namespace berth::store::sqlite {

class Checkpointer;

struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A prepared statement borrowed from a connection's cache; reset when it goes out of scope.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view v);  // bound as TEXT without copying; keep it alive
  Stmt& BindBlob(int i, std::string_view v);
  Stmt& BindNull(int i);
  // Steps once: true when a row is available.
  bool Step();
  // Steps to completion (for statements without rows).
  void Run();
  int64_t Int(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;

 private:
  sqlite3_stmt* s_;
};

class Conn {
 public:
  Conn(sqlite3* db) : db_(db) {}
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Prepared statements are cached per connection, keyed by the address of `sql` and checked
  // against its text, so pass a literal or a static string (a temporary's text is re-prepared
  // every time).
  Stmt Prepare(const char* sql);
  void Exec(const char* sql);
  // BEGIN / COMMIT of a read transaction (prepared once); EndReadQuietly ends one after a failure.
  void BeginRead();
  void EndRead();
  void EndReadQuietly() noexcept;
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* raw() const { return db_; }

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

class Db {
 public:
  // durable: synchronous=FULL (survives power loss); otherwise NORMAL (survives process crashes).
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool durable);
  ~Db();

  // Runs f(Conn&) inside BEGIN IMMEDIATE ... COMMIT. f returns Result<T>; an error result or an
  // exception rolls the transaction back.
  // A thread that lowered its priority (a niced job thread, base/worker_thread.h) does not hold
  // the writer itself: the transaction runs on the Db's normal-priority thread while it waits, so
  // a request never waits for a writer the scheduler keeps off the CPU.
  // A background transaction (from such a thread, or from one marked as background work, e.g.
  // the GC's batches) also lets requests already waiting for the writer go first, for at most
  // 20 ms, so background work fills the gaps between pushes instead of queueing in front of them.
  template <class F>
  auto Write(F&& f) -> std::invoke_result_t<F, Conn&> {
    if (ThisThreadIsLowPriority() && normal_) {
      std::optional<std::invoke_result_t<F, Conn&>> out;
      normal_->Call([&] {
        YieldToWaitingWriters();
        out.emplace(WriteHere(f));
      });
      return std::move(*out);
    }
    if (ThisThreadIsBackground()) {
      YieldToWaitingWriters();
      return WriteHere(f);
    }
    waiting_.fetch_add(1, std::memory_order_acq_rel);
    return WriteHere(f, &waiting_);
  }

  // Checkpoints the background thread has run (tests).
  uint64_t checkpoints() const;

  // Counts committed Write() transactions (in this process). Caches of data derived from the
  // store compare it to tell whether anything may have changed since they were filled.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // A private, writable copy of the database as it is now, for working out "what would happen"
  // by doing it (the GC dry run). Made with the SQLite online-backup API from a fresh read-only
  // connection in one step: in WAL mode that reads one consistent snapshot and never takes the
  // write lock, so concurrent Write() transactions proceed while it copies and afterwards. The
  // copy is a temporary database (pages in memory, spilling to an anonymous temp file when it
  // outgrows the cache; deleted when the connection closes), with foreign keys on like the writer.
  // Nothing done on it reaches this Db, and it does not count in generation(). The returned
  // connection belongs to the caller and must be used by one thread at a time.
  Result<std::unique_ptr<Conn>> Snapshot();

  // Runs f(Conn&) on a read connection, in one read transaction: every statement of f sees the
  // same snapshot (a count and its page agree), and the snapshot is taken once per call instead of
  // once per statement (each costs file-lock syscalls and a WAL read mark). Keep f short: the
  // snapshot holds back checkpoints while it lasts.
  template <class F>
  auto Read(F&& f) -> std::invoke_result_t<F, Conn&> {
    auto conn = Borrow();
    try {
      conn->BeginRead();
      auto r = f(*conn);
      conn->EndRead();
      Return(std::move(conn));
      return r;
    } catch (const SqliteError& e) {
      conn->EndReadQuietly();
      Return(std::move(conn));
      return Fail(Errc::kInternal, std::string("database: ") + e.what());
    }
  }

 private:
  explicit Db(std::string path);
  // `waiting`, when given, is decremented once the writer is ours.
  template <class F>
  auto WriteHere(F& f, std::atomic<int>* waiting = nullptr) -> std::invoke_result_t<F, Conn&> {
    std::lock_guard lock(write_mu_);
    if (waiting) waiting->fetch_sub(1, std::memory_order_acq_rel);
    try {
      writer_->Exec("BEGIN IMMEDIATE");
      auto r = f(*writer_);
      if (r) {
        writer_->Exec("COMMIT");
        generation_.fetch_add(1, std::memory_order_acq_rel);
      } else {
        writer_->Exec("ROLLBACK");
      }
      return r;
    } catch (const SqliteError& e) {
      RollbackQuietly();
      return Fail(Errc::kInternal, std::string("database: ") + e.what());
    }
  }
  void YieldToWaitingWriters();
  std::unique_ptr<Conn> OpenConn(bool readonly);
  std::unique_ptr<Conn> Borrow();
  void Return(std::unique_ptr<Conn> c);
  void RollbackQuietly();

  std::string path_;
  std::unique_ptr<Checkpointer> checkpointer_;  // outlives writer_, whose WAL hook points at it
  std::unique_ptr<WorkerThread> normal_;        // built by Open: the priority of the opening thread
  std::mutex write_mu_;
  std::atomic<int> waiting_{0};  // foreground Write() calls waiting for or about to take write_mu_
  std::atomic<uint64_t> generation_{0};
  std::unique_ptr<Conn> writer_;  // guarded by write_mu_
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Conn>> readers_;  // guarded by pool_mu_
};

}  // namespace berth::store::sqlite
