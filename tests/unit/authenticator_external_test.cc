// The Authenticator's external identity hook (auth_mode ldap_auth) over real SQLite stores, with a
// scripted ExternalVerifier standing in for the directory: which users go to it, how its
// successes are cached, and how groups and admin-by-group reach the principal.
#include <gtest/gtest.h>

#include <atomic>

#include "auth/authenticator.h"
#include "auth/password.h"
#include "store/sqlite/identity_stores.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using unit::IsErr;
using unit::IsOk;

// Accepts exactly one (username, password) pair and reports a fixed login for it.
class ScriptedDirectory final : public ExternalVerifier {
 public:
  bool Enabled() override { return enabled; }
  Result<Login> Verify(std::string_view username, std::string_view password) override {
    ++calls;
    if (username != user || password != pass) return Fail(Errc::kUnauthorized, "invalid username or password");
    return login;
  }
  Result<std::vector<int64_t>> GroupsOf(int64_t) override { return login.group_ids; }

  std::atomic<bool> enabled{true};
  std::atomic<int> calls{0};
  std::string user, pass;
  Login login;
};

class ExternalAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*store::sqlite::Db::Open(dir_.Sub("id.db"), false));
    users_ = std::make_unique<store::sqlite::SqliteUserStore>(*db_);
    robots_ = std::make_unique<store::sqlite::SqliteRobotStore>(*db_);
    members_ = std::make_unique<store::sqlite::SqliteMemberStore>(*db_);
    projects_ = std::make_unique<store::sqlite::SqliteProjectStore>(*db_);
    groups_ = std::make_unique<store::sqlite::SqliteGroupStore>(*db_);
    auth_ = std::make_unique<Authenticator>(*users_, *robots_, *members_, *projects_, Authenticator::Options{});
    auth_->SetExternal(&dir_verifier_);
    store::UserRecord admin;  // id 1, as the bootstrap makes it
    admin.username = "admin";
    admin.sysadmin = true;
    admin.password_hash = *HashPassword("Harbor12345");
    ASSERT_EQ(*users_->Create(admin), 1);
  }
  int64_t AddUser(const std::string& name, const std::string& source, const std::string& password = "") {
    store::UserRecord u;
    u.username = name;
    u.source = source;
    if (!password.empty()) u.password_hash = *HashPassword(password);
    return *users_->Create(u);
  }
  unit::TempDir dir_;
  ScriptedDirectory dir_verifier_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteUserStore> users_;
  std::unique_ptr<store::sqlite::SqliteRobotStore> robots_;
  std::unique_ptr<store::sqlite::SqliteMemberStore> members_;
  std::unique_ptr<store::sqlite::SqliteProjectStore> projects_;
  std::unique_ptr<store::sqlite::SqliteGroupStore> groups_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(ExternalAuthTest, TheBuiltInAdminAlwaysLogsInLocally) {
  auto ok = auth_->Basic("admin", "Harbor12345");
  ASSERT_TRUE(IsOk(ok));
  EXPECT_TRUE(ok->sysadmin);
  EXPECT_EQ(dir_verifier_.calls, 0);
}

TEST_F(ExternalAuthTest, OtherUsersGoToTheDirectoryNotTheirLocalPassword) {
  AddUser("local", "db", "Local12345");
  EXPECT_TRUE(IsErr(auth_->Basic("local", "Local12345"), Errc::kUnauthorized));
  EXPECT_EQ(dir_verifier_.calls, 1);
  dir_verifier_.enabled = false;  // db_auth again: the local password works
  EXPECT_TRUE(IsOk(auth_->Basic("local", "Local12345")));
}

TEST_F(ExternalAuthTest, GroupsGrantRolesAndAdminByGroupIsForTheLoginOnly) {
  int64_t carol = AddUser("carol", "ldap");
  int64_t owner = AddUser("owner", "db", "Owner12345");
  store::GroupRecord g;
  g.name = "devs";
  g.ldap_group_dn = "cn=devs,ou=groups,dc=example,dc=org";
  int64_t devs = *groups_->Create(g);
  store::ProjectRecord p;
  p.name = "team";
  p.owner_id = owner;
  int64_t team = *projects_->Create(p);
  store::MemberRecord m;
  m.project_id = team;
  m.entity_type = 'g';
  m.entity_id = devs;
  m.role = 2;
  ASSERT_TRUE(IsOk(members_->Add(m)));

  dir_verifier_.user = "carol";
  dir_verifier_.pass = "Carol12345";
  dir_verifier_.login = {carol, {devs}, true};
  auto ok = auth_->Basic("carol", "Carol12345");
  ASSERT_TRUE(IsOk(ok));
  EXPECT_EQ(ok->id, carol);
  EXPECT_TRUE(ok->sysadmin);
  EXPECT_TRUE(Allowed(*ok, ProjectRef{team, "team", false}, "repository", "push"));
  EXPECT_FALSE((*users_->FindById(carol))->sysadmin);  // nothing stored

  auto via_token = auth_->ForUser("carol");  // groups recorded at login; admin-by-group is not
  ASSERT_TRUE(IsOk(via_token));
  EXPECT_FALSE(via_token->sysadmin);
  EXPECT_TRUE(Allowed(*via_token, ProjectRef{team, "team", false}, "repository", "push"));
}

TEST_F(ExternalAuthTest, SuccessesAreCachedButWrongPasswordsNeverHitTheCache) {
  int64_t carol = AddUser("carol", "ldap");
  dir_verifier_.user = "carol";
  dir_verifier_.pass = "Carol12345";
  dir_verifier_.login = {carol, {}, false};
  ASSERT_TRUE(IsOk(auth_->Basic("carol", "Carol12345")));
  ASSERT_TRUE(IsOk(auth_->Basic("carol", "Carol12345")));
  EXPECT_EQ(dir_verifier_.calls, 1);  // the second came from the cache
  EXPECT_TRUE(IsErr(auth_->Basic("carol", "Carol12346"), Errc::kUnauthorized));
  EXPECT_EQ(dir_verifier_.calls, 2);

  dir_verifier_.enabled = false;  // switching back to db_auth drops the directory's logins
  EXPECT_TRUE(IsErr(auth_->Basic("carol", "Carol12345"), Errc::kUnauthorized));
  dir_verifier_.enabled = true;
  auth_->ClearCache();
  ASSERT_TRUE(IsOk(auth_->Basic("carol", "Carol12345")));
  EXPECT_EQ(dir_verifier_.calls, 3);
}

TEST_F(ExternalAuthTest, CachedLoginsExpire) {
  Authenticator::Options opt;
  opt.cache_ttl = std::chrono::seconds(0);
  Authenticator short_lived(*users_, *robots_, *members_, *projects_, opt);
  short_lived.SetExternal(&dir_verifier_);
  int64_t carol = AddUser("carol", "ldap");
  dir_verifier_.user = "carol";
  dir_verifier_.pass = "Carol12345";
  dir_verifier_.login = {carol, {}, false};
  ASSERT_TRUE(IsOk(short_lived.Basic("carol", "Carol12345")));
  dir_verifier_.pass = "gone";  // the directory no longer knows this password
  EXPECT_TRUE(IsErr(short_lived.Basic("carol", "Carol12345"), Errc::kUnauthorized));
}

}  // namespace
}  // namespace berth::auth
