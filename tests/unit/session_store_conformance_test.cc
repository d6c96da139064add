// Conformance suite for store::SessionStore, one factory per backend (SQLite on a real file).
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/session_store.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/session_store.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsOk;

struct SessionBackend {
  virtual ~SessionBackend() = default;
  virtual SessionStore& sessions() = 0;
  virtual int64_t MakeUser(const std::string& name) = 0;
};

class SqliteSessions final : public SessionBackend {
 public:
  explicit SqliteSessions(const std::string& dir) {
    auto db = sqlite::Db::Open(dir + "/sessions.db", false);
    if (!db) throw std::runtime_error(std::string(db.error().Message()));
    db_ = std::move(*db);
    users_ = std::make_unique<sqlite::SqliteUserStore>(*db_);
    sessions_ = std::make_unique<sqlite::SqliteSessionStore>(*db_);
  }
  SessionStore& sessions() override { return *sessions_; }
  int64_t MakeUser(const std::string& name) override {
    UserRecord u;
    u.username = name;
    u.email = name + "@example.com";
    return users_->Create(u).value_or(0);
  }
  UserStore& users() { return *users_; }

 private:
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteUserStore> users_;
  std::unique_ptr<sqlite::SqliteSessionStore> sessions_;
};

struct SessionFactory {
  std::string name;
  std::function<std::unique_ptr<SessionBackend>(const std::string&)> make;
};
void PrintTo(const SessionFactory& f, std::ostream* os) { *os << f.name; }

const SessionFactory kBackends[] = {
    {"Sqlite", [](const std::string& dir) { return std::make_unique<SqliteSessions>(dir); }},
};

class SessionConformance : public ::testing::TestWithParam<SessionFactory> {
 protected:
  void SetUp() override { b_ = GetParam().make(dir_.path()); }
  SessionRecord Make(std::string hash, int64_t user, int64_t expires) {
    return SessionRecord{std::move(hash), user, 1, "csrf-" + std::to_string(user), 100, expires};
  }
  unit::TempDir dir_;
  std::unique_ptr<SessionBackend> b_;
};

TEST_P(SessionConformance, FindsUnexpiredSessionsByHash) {
  int64_t u = b_->MakeUser("alice");
  std::string hash("\x00\x01\xff" "binary", 9);
  ASSERT_TRUE(IsOk(b_->sessions().Create(Make(hash, u, 1000))));
  auto found = b_->sessions().Find(hash, 999);
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->user_id, u);
  EXPECT_EQ((*found)->csrf_token, "csrf-" + std::to_string(u));
  EXPECT_FALSE(b_->sessions().Find(hash, 1000)->has_value()) << "expired at expires_at";
  EXPECT_FALSE(b_->sessions().Find(std::string("\x00\x01\xff", 3), 999)->has_value());
}

TEST_P(SessionConformance, ExtendDeleteAndExpire) {
  int64_t u = b_->MakeUser("bob");
  ASSERT_TRUE(IsOk(b_->sessions().Create(Make("a", u, 1000))));
  ASSERT_TRUE(IsOk(b_->sessions().Create(Make("b", u, 2000))));
  ASSERT_TRUE(IsOk(b_->sessions().Extend("a", 3000)));
  EXPECT_TRUE(b_->sessions().Find("a", 2500)->has_value());
  auto removed = b_->sessions().DeleteExpired(2500);
  ASSERT_TRUE(IsOk(removed));
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(b_->sessions().Find("b", 0)->has_value());
  ASSERT_TRUE(IsOk(b_->sessions().Delete("a")));
  EXPECT_FALSE(b_->sessions().Find("a", 0)->has_value());
  EXPECT_TRUE(IsOk(b_->sessions().Delete("never-existed")));
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionConformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
