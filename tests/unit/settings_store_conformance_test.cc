// Conformance suite for store/settings_store.h (SettingsStore and UserGroupLinkStore). Each
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
  virtual UserGroupLinkStore& links() = 0;
  virtual UserStore& users() = 0;
  virtual GroupStore& groups() = 0;
  // Closes and reopens the backend on the same data (a restart).
  virtual void Reopen() = 0;
};

class SqliteSettings final : public SettingsBackend {
 public:
  explicit SqliteSettings(std::string dir) : dir_(std::move(dir)) { Open(); }
  SettingsStore& settings() override { return *settings_; }
  UserGroupLinkStore& links() override { return *links_; }
  UserStore& users() override { return *users_; }
  GroupStore& groups() override { return *groups_; }
  void Reopen() override {
    settings_.reset();
    links_.reset();
    users_.reset();
    groups_.reset();
    db_.reset();
    Open();
  }

 private:
  void Open() {
    auto db = sqlite::Db::Open(dir_ + "/settings.db", false);
    if (!db) throw std::runtime_error(std::string(db.error().Message()));
    db_ = std::move(*db);
    settings_ = std::make_unique<sqlite::SqliteSettingsStore>(*db_);
    links_ = std::make_unique<sqlite::SqliteUserGroupLinkStore>(*db_);
    users_ = std::make_unique<sqlite::SqliteUserStore>(*db_);
    groups_ = std::make_unique<sqlite::SqliteGroupStore>(*db_);
  }
  std::string dir_;
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteSettingsStore> settings_;
  std::unique_ptr<sqlite::SqliteUserGroupLinkStore> links_;
  std::unique_ptr<sqlite::SqliteUserStore> users_;
  std::unique_ptr<sqlite::SqliteGroupStore> groups_;
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
  int64_t MakeUser(const std::string& name) {
    UserRecord u;
    u.username = name;
    u.source = "ldap";
    auto id = b_->users().Create(u);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }
  int64_t MakeGroup(const std::string& name) {
    GroupRecord g;
    g.name = name;
    g.group_type = 1;
    g.ldap_group_dn = "cn=" + name + ",ou=groups,dc=example,dc=org";
    auto id = b_->groups().Create(g);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }
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

TEST_P(SettingsConformance, UserGroupsAreReplacedAsAWhole) {
  int64_t u = MakeUser("carol");
  int64_t g1 = MakeGroup("devs"), g2 = MakeGroup("ops"), g3 = MakeGroup("qa");
  EXPECT_TRUE(b_->links().GroupsOfUser(u)->empty());
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(u, {g2, g1, g1})));
  EXPECT_EQ(*b_->links().GroupsOfUser(u), (std::vector<int64_t>{g1, g2}));
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(u, {g3})));
  EXPECT_EQ(*b_->links().GroupsOfUser(u), (std::vector<int64_t>{g3}));
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(u, {})));
  EXPECT_TRUE(b_->links().GroupsOfUser(u)->empty());
  EXPECT_TRUE(b_->links().GroupsOfUser(999999)->empty());
}

TEST_P(SettingsConformance, UserGroupsOfOneUserDoNotTouchAnother) {
  int64_t a = MakeUser("a"), b = MakeUser("b");
  int64_t g1 = MakeGroup("g1"), g2 = MakeGroup("g2");
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(a, {g1})));
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(b, {g2})));
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(a, {})));
  EXPECT_EQ(*b_->links().GroupsOfUser(b), (std::vector<int64_t>{g2}));
}

TEST_P(SettingsConformance, AnUnknownGroupFailsTheWholeReplacement) {
  int64_t u = MakeUser("dave");
  int64_t g1 = MakeGroup("g1");
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(u, {g1})));
  EXPECT_FALSE(b_->links().SetUserGroups(u, {g1, 424242}).has_value());
  EXPECT_EQ(*b_->links().GroupsOfUser(u), (std::vector<int64_t>{g1}));  // unchanged
}

TEST_P(SettingsConformance, DeletingAUserOrAGroupDropsTheLinks) {
  int64_t u = MakeUser("erin"), v = MakeUser("frank");
  int64_t g1 = MakeGroup("g1"), g2 = MakeGroup("g2");
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(u, {g1, g2})));
  ASSERT_TRUE(IsOk(b_->links().SetUserGroups(v, {g1})));
  ASSERT_TRUE(*b_->groups().Delete(g1));
  EXPECT_EQ(*b_->links().GroupsOfUser(u), (std::vector<int64_t>{g2}));
  EXPECT_TRUE(b_->links().GroupsOfUser(v)->empty());
  ASSERT_TRUE(*b_->users().Delete(u));
  EXPECT_TRUE(b_->links().GroupsOfUser(u)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, SettingsConformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
