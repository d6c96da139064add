// Conn::Prepare's statement cache: keyed by the SQL text's address, decided by the text. A query
// whose text comes to live where another's freed text lived (a temporary std::string) must run as
// itself, not as the query cached under that address.
#include <gtest/gtest.h>

#include <cstring>

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

}  // namespace
}  // namespace berth::store::sqlite
