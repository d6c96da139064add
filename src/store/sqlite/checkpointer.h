// Checkpointer: copies the write-ahead log back into the database file on its own thread and its
// own connection, so that no committing request pays for a checkpoint. SQLite's automatic
// checkpoint runs inside whichever COMMIT pushes the WAL past its threshold — with synchronous
// NORMAL or FULL that is two fsyncs of a dirty database file, tens of milliseconds on a real disk,
// landing on a random push (and, while garbage collection deletes rows by the thousand, on many).
// The writer's WAL hook calls Nudge() after each commit; once the WAL holds `threshold_pages`
// pages the thread runs a PASSIVE checkpoint, which never blocks writers or readers and never
// waits for them. SQLite restarts the WAL from the top at the next write once all of it is in the
// database and no reader needs it. Thread-safe: Nudge() may be called from any thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class Checkpointer {
 public:
  // `conn` is a read-write connection to the same database, used by this object's thread only.
  Checkpointer(std::unique_ptr<Conn> conn, int threshold_pages);
  ~Checkpointer();  // stops the thread; the WAL left over is checkpointed when the database closes
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // The WAL now holds `wal_pages` pages (the count SQLite passes to a WAL hook).
  void Nudge(int wal_pages);
  // Checkpoints run so far (for tests and diagnostics).
  uint64_t runs() const { return runs_.load(std::memory_order_acquire); }

  // For sqlite3_wal_hook: `arg` is a Checkpointer*.
  static int WalHook(void* arg, sqlite3* db, const char* schema, int wal_pages);

 private:
  void Loop();

  std::unique_ptr<Conn> conn_;  // used by thread_ only
  const int threshold_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool due_ = false;    // guarded by mu_
  bool stop_ = false;   // guarded by mu_
  std::atomic<uint64_t> runs_{0};
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace berth::store::sqlite
