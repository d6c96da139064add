// Robot accounts end to end below HTTP: the authenticator's cache honours disable, expiry, secret
// refresh and permission edits at once; the token service grants a robot only its permissions;
// the robot store bumps credential_version exactly when it must. Real SQLite stores.
#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "auth/password.h"
#include "auth/token_service.h"
#include "base/clock.h"
#include "store/sqlite/identity_stores.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using unit::IsErr;
using unit::IsOk;

constexpr const char* kPullOnly =
    R"([{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"pull"}]}])";
constexpr const char* kPullPush =
    R"([{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"pull"},)"
    R"({"resource":"repository","action":"push"}]}])";

class RobotAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*store::sqlite::Db::Open(dir_.Sub("id.db"), false));
    users_ = std::make_unique<store::sqlite::SqliteUserStore>(*db_);
    robots_ = std::make_unique<store::sqlite::SqliteRobotStore>(*db_);
    members_ = std::make_unique<store::sqlite::SqliteMemberStore>(*db_);
    projects_ = std::make_unique<store::sqlite::SqliteProjectStore>(*db_);
    auth_ = std::make_unique<Authenticator>(*users_, *robots_, *members_, *projects_, Authenticator::Options{});
    store::UserRecord u;
    u.username = "owner";
    u.password_hash = *HashPassword("Owner12345");
    owner_ = *users_->Create(u);
    team_ = AddProject("team");
    other_ = AddProject("other");
    signer_ = std::move(*TokenSigner::LoadOrCreate(dir_.Sub("token.key")));
    lookup_ = std::make_unique<ProjectLookup>(*projects_, [this] { return db_->generation(); });
    tokens_ = std::make_unique<TokenService>(*signer_, *lookup_, TokenService::Options{});
  }
  int64_t AddProject(const std::string& name) {
    store::ProjectRecord p;
    p.name = name;
    p.owner_id = owner_;
    return *projects_->Create(p);
  }
  int64_t AddRobot(const std::string& name, const std::string& level, int64_t project, const std::string& perms) {
    store::RobotRecord r;
    r.name = name;
    r.level = level;
    r.project_id = project;
    r.secret_hash = *HashPassword("Secret12345");
    r.permissions_json = perms;
    return *robots_->Create(r);
  }
  std::vector<std::string> Granted(const Principal& who, const std::string& scope) {
    auto g = tokens_->Grant(who, ParseScopes(scope));
    EXPECT_TRUE(IsOk(g));
    return g && !g->empty() ? (*g)[0].actions : std::vector<std::string>{};
  }

  unit::TempDir dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteUserStore> users_;
  std::unique_ptr<store::sqlite::SqliteRobotStore> robots_;
  std::unique_ptr<store::sqlite::SqliteMemberStore> members_;
  std::unique_ptr<store::sqlite::SqliteProjectStore> projects_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<TokenSigner> signer_;
  std::unique_ptr<ProjectLookup> lookup_;
  std::unique_ptr<TokenService> tokens_;
  int64_t owner_ = 0, team_ = 0, other_ = 0;
};

TEST_F(RobotAuthTest, StoreBumpsTheCredentialVersionOnlyWhenDisableChanges) {
  int64_t id = AddRobot("robot$team+ci", "project", team_, kPullOnly);
  auto r = **robots_->FindById(id);
  int64_t v = r.credential_version;
  r.description = "changed";
  r.permissions_json = kPullPush;
  ASSERT_TRUE(*robots_->Update(r));
  EXPECT_EQ((**robots_->FindById(id)).credential_version, v);
  r.disabled = true;
  ASSERT_TRUE(*robots_->Update(r));
  EXPECT_EQ((**robots_->FindById(id)).credential_version, v + 1);
  EXPECT_TRUE((**robots_->FindById(id)).disabled);
  ASSERT_TRUE(*robots_->Update(r));  // disabled again: no change
  EXPECT_EQ((**robots_->FindById(id)).credential_version, v + 1);
  ASSERT_TRUE(*robots_->SetSecret(id, *HashPassword("Other12345")));
  EXPECT_EQ((**robots_->FindById(id)).credential_version, v + 2);
}

TEST_F(RobotAuthTest, CachedRobotIsRefusedAtOnceWhenDisabledAndAcceptedWhenReEnabled) {
  int64_t id = AddRobot("robot$team+ci", "project", team_, kPullOnly);
  ASSERT_TRUE(IsOk(auth_->Basic("robot$team+ci", "Secret12345")));
  ASSERT_EQ(auth_->cached_entries(), 1u);
  auto r = **robots_->FindById(id);
  r.disabled = true;
  ASSERT_TRUE(*robots_->Update(r));
  EXPECT_TRUE(IsErr(auth_->Basic("robot$team+ci", "Secret12345"), Errc::kUnauthorized));
  EXPECT_TRUE(IsErr(auth_->Basic("robot$team+ci", "Secret12345"), Errc::kUnauthorized));  // still, uncached
  r.disabled = false;
  ASSERT_TRUE(*robots_->Update(r));
  EXPECT_TRUE(IsOk(auth_->Basic("robot$team+ci", "Secret12345")));
}

TEST_F(RobotAuthTest, RefreshedSecretReplacesTheOldOneEvenWhenCached) {
  int64_t id = AddRobot("robot$team+ci", "project", team_, kPullOnly);
  ASSERT_TRUE(IsOk(auth_->Basic("robot$team+ci", "Secret12345")));
  ASSERT_TRUE(*robots_->SetSecret(id, *HashPassword("Fresh12345")));
  EXPECT_TRUE(IsErr(auth_->Basic("robot$team+ci", "Secret12345"), Errc::kUnauthorized));
  EXPECT_TRUE(IsOk(auth_->Basic("robot$team+ci", "Fresh12345")));
}

TEST_F(RobotAuthTest, ExpiryAndPermissionEditsApplyToCachedCredentials) {
  int64_t id = AddRobot("robot$team+ci", "project", team_, kPullOnly);
  auto first = auth_->Basic("robot$team+ci", "Secret12345");
  ASSERT_TRUE(IsOk(first));
  ProjectRef team{team_, "team", false};
  EXPECT_FALSE(Allowed(*first, team, "repository", "push"));

  auto r = **robots_->FindById(id);
  r.permissions_json = kPullPush;  // no credential change: the cached verification stays valid...
  ASSERT_TRUE(*robots_->Update(r));
  auto second = auth_->Basic("robot$team+ci", "Secret12345");
  ASSERT_TRUE(IsOk(second));
  EXPECT_TRUE(Allowed(*second, team, "repository", "push"));  // ...but the new permissions apply

  r.expires_at = NowUnixSeconds() - 1;
  ASSERT_TRUE(*robots_->Update(r));
  EXPECT_TRUE(IsErr(auth_->Basic("robot$team+ci", "Secret12345"), Errc::kUnauthorized));
  r.expires_at = NowUnixSeconds() + 3600;
  ASSERT_TRUE(*robots_->Update(r));
  EXPECT_TRUE(IsOk(auth_->Basic("robot$team+ci", "Secret12345")));
}

TEST_F(RobotAuthTest, TokensGrantARobotOnlyItsOwnPermissions) {
  AddRobot("robot$team+puller", "project", team_, kPullOnly);
  auto puller = *auth_->Basic("robot$team+puller", "Secret12345");
  EXPECT_EQ(Granted(puller, "repository:team/app:pull,push"), std::vector<std::string>{"pull"});
  EXPECT_TRUE(Granted(puller, "repository:other/app:pull,push").empty());
  EXPECT_TRUE(Granted(puller, "registry:catalog:*").empty());

  AddRobot("robot$team+pusher", "project", team_, kPullPush);
  auto pusher = *auth_->Basic("robot$team+pusher", "Secret12345");
  EXPECT_EQ(Granted(pusher, "repository:team/app:pull,push,delete"), (std::vector<std::string>{"pull", "push"}));
  EXPECT_TRUE(Granted(pusher, "repository:other/app:pull").empty());
}

TEST_F(RobotAuthTest, SystemRobotWithEveryProjectCoversProjectsCreatedLater) {
  AddRobot("robot$all", "system", 0,
           R"([{"kind":"project","namespace":"*","access":[{"resource":"repository","action":"pull"},)"
           R"({"resource":"repository","action":"push"}]},)"
           R"({"kind":"system","namespace":"/","access":[{"resource":"catalog","action":"read"}]}])");
  auto all = *auth_->Basic("robot$all", "Secret12345");
  int64_t later = AddProject("later");
  EXPECT_TRUE(Allowed(all, ProjectRef{later, "later", false}, "repository", "push"));
  EXPECT_FALSE(Allowed(all, ProjectRef{later, "later", false}, "repository", "delete"));
  EXPECT_EQ(Granted(all, "repository:later/app:pull,push"), (std::vector<std::string>{"pull", "push"}));
  EXPECT_EQ(Granted(all, "registry:catalog:*"), std::vector<std::string>{"*"});
  EXPECT_FALSE(AllowedSystem(all, "user", "create"));
}

}  // namespace
}  // namespace berth::auth
