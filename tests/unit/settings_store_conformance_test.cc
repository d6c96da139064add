// Conformance suite for store/settings_store.h (SettingsStore). Each
// backend is one SettingsFactory; the SQLite one runs on a real database file in a temp directory
// and can be reopened to check durability.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/identity_store.h"
#include "store/settings_store.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/settings_stores.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsErr;
using unit::IsOk;

class SettingsBackend {
 public:
  virtual ~SettingsBackend() = default;
  virtual SettingsStore& settings() = 0;
  // Closes and reopens the backend on the same data (a restart).
  virtual void Reopen() = 0;
};

class SqliteSettings final : public SettingsBackend {
 public:
  explicit SqliteSettings(std::string dir) : dir_(std::move(dir)) { Open(); }
  SettingsStore& settings() override { return *settings_; }
  void Reopen() override {
    settings_.reset();
    db_.reset();
    Open();
  }

 private:
  void Open() {
    auto db = sqlite::Db::Open(dir_ + "/settings.db", false);
    if (!db) throw std::runtime_error(std::string(db.error().Message()));
    db_ = std::move(*db);
    settings_ = std::make_unique<sqlite::SqliteSettingsStore>(*db_);
  }
  std::string dir_;
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteSettingsStore> settings_;
};

struct SettingsFactory {
  std::string name;
  std::function<std::unique_ptr<SettingsBackend>(const std::string&)> make;
};
void PrintTo(const SettingsFactory& f, std::ostream* os) { *os << f.name; }

const SettingsFactory kBackends[] = {
    {"Sqlite", [](const std::string& dir) { return std::make_unique<SqliteSettings>(dir); }},
};

class SettingsConformance : public ::testing::TestWithParam<SettingsFactory> {
 protected:
  void SetUp() override { b_ = GetParam().make(dir_.path()); }
  unit::TempDir dir_;
  std::unique_ptr<SettingsBackend> b_;
};

TEST_P(SettingsConformance, StartsEmpty) {
  auto all = b_->settings().LoadAll();
  ASSERT_TRUE(IsOk(all));
  EXPECT_TRUE(all->empty());
}

TEST_P(SettingsConformance, SaveInsertsAndReplaces) {
  ASSERT_TRUE(IsOk(b_->settings().Save({{"auth_mode", "\"db_auth\""}, {"ldap_scope", "2"}})));
  ASSERT_TRUE(IsOk(b_->settings().Save({{"auth_mode", "\"ldap_auth\""}, {"ldap_url", "\"ldap://h\""}})));
  auto all = b_->settings().LoadAll();
  ASSERT_TRUE(IsOk(all));
  std::map<std::string, std::string> want = {
      {"auth_mode", "\"ldap_auth\""}, {"ldap_scope", "2"}, {"ldap_url", "\"ldap://h\""}};
  EXPECT_EQ(*all, want);
}

TEST_P(SettingsConformance, EmptySaveChangesNothing) {
  ASSERT_TRUE(IsOk(b_->settings().Save({{"a", "1"}})));
  ASSERT_TRUE(IsOk(b_->settings().Save({})));
  EXPECT_EQ(b_->settings().LoadAll()->size(), 1u);
}

TEST_P(SettingsConformance, ValuesAreStoredVerbatim) {
  std::string odd = "line1\nline2 'quoted' \"dq\" \xe2\x9c\x93 \\u0000 %_ tail";
  ASSERT_TRUE(IsOk(b_->settings().Save({{"k", odd}, {"empty", ""}, {"k'; DROP TABLE settings; --", "x"}})));
  auto all = b_->settings().LoadAll();
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->at("k"), odd);
  EXPECT_EQ(all->at("empty"), "");
  EXPECT_EQ(all->at("k'; DROP TABLE settings; --"), "x");
}

TEST_P(SettingsConformance, ValuesSurviveARestart) {
  ASSERT_TRUE(IsOk(b_->settings().Save({{"token_expiration", "45"}, {"ldap_search_password", "\"s3cret\""}})));
  b_->Reopen();
  auto all = b_->settings().LoadAll();
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->at("token_expiration"), "45");
  EXPECT_EQ(all->at("ldap_search_password"), "\"s3cret\"");
}

INSTANTIATE_TEST_SUITE_P(Backends, SettingsConformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
