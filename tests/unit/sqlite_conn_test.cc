// Conn::Prepare's statement cache: keyed by the SQL text's address, decided by the text. A query
// whose text comes to live where another's freed text lived (a temporary std::string) must run as
// itself, not as the query cached under that address. And the WAL is checkpointed by the Db's own
// thread, not inside commits.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "base/worker_thread.h"
#include "store/sqlite/db.h"
#include "test_util.h"

namespace berth::store::sqlite {
namespace {

int64_t One(Conn& c, const char* sql) {
  auto s = c.Prepare(sql);
  EXPECT_TRUE(s.Step());
  return s.Int(0);
}

TEST(SqliteConn, SameAddressOtherTextIsPreparedAfresh) {
  unit::TempDir dir;
  auto db = Db::Open(dir.Sub("berth.db"), false);
  ASSERT_TRUE(db.has_value());
  auto r = (*db)->Read([](Conn& c) -> Result<void> {
    char buf[64];
    std::strcpy(buf, "SELECT 1");
    EXPECT_EQ(One(c, buf), 1);
    EXPECT_EQ(One(c, buf), 1);  // the cached statement
    std::strcpy(buf, "SELECT 2 + ?1");  // another query at the same address, with a parameter
    auto s = c.Prepare(buf);
    s.Bind(1, int64_t{40});
    EXPECT_TRUE(s.Step());
    EXPECT_EQ(s.Int(0), 42);
    return {};
  });
  EXPECT_TRUE(r.has_value());
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

// Commits never checkpoint (no COMMIT pays for copying the WAL and its fsyncs): the background
// thread does, so the database file grows while the Db is open.
TEST(SqliteDb, TheWalIsCheckpointedInTheBackground) {
  unit::TempDir dir;
  std::string path = dir.Sub("berth.db");
  auto db = Db::Open(path, false);
  ASSERT_TRUE(db.has_value());
  auto& d = **db;
  ASSERT_TRUE(d.Write([](Conn& c) -> Result<void> {
    c.Exec("CREATE TABLE filler(x BLOB)");
    return {};
  }));
  int64_t db_before = FileSize(path);
  std::string chunk(256 * 1024, 'x');
  for (int i = 0; i < 64; ++i) {  // 16 MiB in 64 commits: ~4,000 pages, 4 x the threshold
    ASSERT_TRUE(d.Write([&](Conn& c) -> Result<void> {
      c.Prepare("INSERT INTO filler(x) VALUES(?)").BindBlob(1, chunk).Run();
      return {};
    }));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (d.checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(d.checkpoints(), 0u);
  EXPECT_GT(FileSize(path), db_before + 8 * 1024 * 1024) << "the data reached the database file while open";
}

// A niced background thread never holds the writer itself: its transaction runs on the Db's
// normal-priority thread (built when the Db was opened) while it waits; others write in place.
TEST(SqliteDb, ALowPriorityThreadsTransactionRunsOnTheNormalPriorityThread) {
  unit::TempDir dir;
  auto db = Db::Open(dir.Sub("berth.db"), false);
  ASSERT_TRUE(db.has_value());
  auto& d = **db;
  auto writer_tid = [&] {
    auto r = d.Write([](Conn& c) -> Result<pid_t> {
      c.Exec("CREATE TABLE IF NOT EXISTS t(x)");
      c.Exec("INSERT INTO t VALUES(1)");
      return gettid();
    });
    EXPECT_TRUE(r.has_value());
    return r.value_or(0);
  };
  EXPECT_EQ(writer_tid(), gettid());
  pid_t caller = 0, ran_on = 0;
  std::thread low([&] {
    MarkThisThreadLowPriority();
    caller = gettid();
    ran_on = writer_tid();
    // Errors come back the same way: a failed statement rolls back and reports kInternal.
    auto bad = d.Write([](Conn& c) -> Result<void> {
      c.Exec("INSERT INTO no_such_table VALUES(1)");
      return {};
    });
    EXPECT_FALSE(bad.has_value());
  });
  low.join();
  EXPECT_NE(ran_on, 0);
  EXPECT_NE(ran_on, caller);
  EXPECT_NE(ran_on, gettid());
  auto rows = d.Read([](Conn& c) -> Result<int64_t> { return One(c, "SELECT count(*) FROM t"); });
  EXPECT_EQ(rows.value_or(0), 2);
}

}  // namespace
}  // namespace berth::store::sqlite
