// Authenticator and admin bootstrap over real SQLite identity stores.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "auth/authenticator.h"
#include "auth/bootstrap.h"
#include "auth/password.h"
#include "auth/token_service.h"
#include "base/clock.h"

#include <atomic>
#include <chrono>
#include <thread>
#include "base/fileio.h"
#include "store/sqlite/identity_stores.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using unit::IsErr;
using unit::IsOk;

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*store::sqlite::Db::Open(dir_.Sub("id.db"), false));
    users_ = std::make_unique<store::sqlite::SqliteUserStore>(*db_);
    robots_ = std::make_unique<store::sqlite::SqliteRobotStore>(*db_);
    members_ = std::make_unique<store::sqlite::SqliteMemberStore>(*db_);
    projects_ = std::make_unique<store::sqlite::SqliteProjectStore>(*db_);
    auth_ = std::make_unique<Authenticator>(*users_, *robots_, *members_, *projects_, Authenticator::Options{});
  }
  int64_t AddUser(const std::string& name, const std::string& password) {
    store::UserRecord u;
    u.username = name;
    u.password_hash = *HashPassword(password);
    return *users_->Create(u);
  }
  unit::TempDir dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteUserStore> users_;
  std::unique_ptr<store::sqlite::SqliteRobotStore> robots_;
  std::unique_ptr<store::sqlite::SqliteMemberStore> members_;
  std::unique_ptr<store::sqlite::SqliteProjectStore> projects_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, UsersGetTheirRolesAndWrongPasswordsFail) {
  int64_t alice = AddUser("alice", "Alice12345");
  store::ProjectRecord p;
  p.name = "team";
  p.owner_id = alice;
  int64_t team = *projects_->Create(p);

  auto ok = auth_->Basic("alice", "Alice12345");
  ASSERT_TRUE(IsOk(ok));
  EXPECT_EQ(ok->kind, Principal::Kind::kUser);
  EXPECT_TRUE(Allowed(*ok, ProjectRef{team, "team", false}, "repository", "push"));
  EXPECT_TRUE(IsErr(auth_->Basic("alice", "Alice12346"), Errc::kUnauthorized));
  EXPECT_TRUE(IsErr(auth_->Basic("nobody", "Alice12345"), Errc::kUnauthorized));
  EXPECT_TRUE(IsErr(auth_->Basic("alice", ""), Errc::kUnauthorized));
}

TEST_F(AuthenticatorTest, CacheHitsAreDroppedWhenThePasswordChanges) {
  int64_t alice = AddUser("alice", "Alice12345");
  ASSERT_TRUE(IsOk(auth_->Basic("alice", "Alice12345")));
  EXPECT_EQ(auth_->cached_entries(), 1u);
  ASSERT_TRUE(IsOk(auth_->Basic("alice", "Alice12345")));  // served from the cache
  ASSERT_TRUE(*users_->SetPassword(alice, *HashPassword("Changed12345")));
  EXPECT_TRUE(IsErr(auth_->Basic("alice", "Alice12345"), Errc::kUnauthorized));
  EXPECT_TRUE(IsOk(auth_->Basic("alice", "Changed12345")));
}

TEST_F(AuthenticatorTest, RobotsAreScopedToTheirProjectAndStopWhenDisabledOrExpired) {
  int64_t alice = AddUser("alice", "Alice12345");
  store::ProjectRecord p;
  p.name = "team";
  p.owner_id = alice;
  int64_t team = *projects_->Create(p);

  store::RobotRecord r;
  r.name = "robot$team+ci";
  r.level = "project";
  r.project_id = team;
  r.secret_hash = *HashPassword("Secret12345");
  r.permissions_json =
      R"([{"kind":"project","namespace":"other","access":[{"resource":"repository","action":"push"},)"
      R"({"resource":"repository","action":"pull"}]}])";
  int64_t id = *robots_->Create(r);

  auto ok = auth_->Basic("robot$team+ci", "Secret12345");
  ASSERT_TRUE(IsOk(ok));
  EXPECT_EQ(ok->kind, Principal::Kind::kRobot);
  EXPECT_TRUE(Allowed(*ok, ProjectRef{team, "team", false}, "repository", "push"));
  EXPECT_FALSE(Allowed(*ok, ProjectRef{99, "other", false}, "repository", "push"));

  auto stored = **robots_->FindById(id);
  stored.disabled = true;
  ASSERT_TRUE(*robots_->Update(stored));
  EXPECT_TRUE(IsErr(auth_->Basic("robot$team+ci", "Secret12345"), Errc::kUnauthorized));

  stored.disabled = false;
  stored.expires_at = NowUnixSeconds() - 1;
  ASSERT_TRUE(*robots_->Update(stored));
  EXPECT_TRUE(IsErr(auth_->Basic("robot$team+ci", "Secret12345"), Errc::kUnauthorized));
}

TEST_F(AuthenticatorTest, TokensGrantTheIntersectionAndVerifyFromTheCache) {
  int64_t alice = AddUser("alice", "Alice12345");
  store::ProjectRecord p;
  p.name = "team";
  p.owner_id = alice;
  ASSERT_TRUE(IsOk(projects_->Create(p)));
  p.name = "open";
  p.is_public = true;
  ASSERT_TRUE(IsOk(projects_->Create(p)));
  auto signer = TokenSigner::LoadOrCreate(dir_.Sub("token.key"));
  ASSERT_TRUE(IsOk(signer));
  ProjectLookup lookup(*projects_, [this] { return db_->generation(); });
  TokenService tokens(**signer, lookup, TokenService::Options{});

  auto scopes = ParseScopes("repository:team/app:pull,push repository:open/x:pull,push,delete registry:catalog:* bad");
  ASSERT_EQ(scopes.size(), 3u);
  Principal anon;
  auto granted = tokens.Grant(anon, scopes);
  ASSERT_TRUE(IsOk(granted));
  EXPECT_TRUE((*granted)[0].actions.empty());
  EXPECT_EQ((*granted)[1].actions, std::vector<std::string>{"pull"});
  EXPECT_TRUE((*granted)[2].actions.empty());

  auto who = *auth_->ForUser("alice");
  auto mine = *tokens.Grant(who, scopes);
  EXPECT_EQ(mine[0].actions, (std::vector<std::string>{"pull", "push"}));
  std::string token = tokens.Issue(who, mine)["token"];
  for (int i = 0; i < 2; ++i) {  // the second round is served from the verified-token cache
    EXPECT_TRUE(*tokens.Permits(token, "repository", "team/app", "push"));
    EXPECT_FALSE(*tokens.Permits(token, "repository", "team/app", "delete"));
    EXPECT_FALSE(*tokens.Permits(token, "repository", "other/app", "pull"));
  }
  std::string tampered = token;
  tampered[tampered.find('.') + 5] ^= 1;  // inside the claims: the signature no longer matches
  EXPECT_TRUE(IsErr(tokens.Permits(tampered, "repository", "team/app", "pull"), Errc::kUnauthorized));
  EXPECT_TRUE(IsErr(tokens.Permits("not.a.token", "repository", "team/app", "pull"), Errc::kUnauthorized));
}

TEST_F(AuthenticatorTest, ATokenDoesNotOpenAProjectRecreatedAfterItWasIssued) {
  int64_t alice = AddUser("alice", "Alice12345");
  store::ProjectRecord p;
  p.name = "team";
  p.owner_id = alice;
  auto id = projects_->Create(p);
  ASSERT_TRUE(IsOk(id));
  auto signer = TokenSigner::LoadOrCreate(dir_.Sub("token.key"));
  ASSERT_TRUE(IsOk(signer));
  // Cached project reads, dropped on every committed write (as the app wires it).
  ProjectLookup lookup(*projects_, [this] { return db_->generation(); }, std::chrono::hours(1));
  TokenService tokens(**signer, lookup, TokenService::Options{});
  auto who = *auth_->ForUser("alice");
  std::string token = tokens.Issue(who, *tokens.Grant(who, ParseScopes("repository:team/app:pull")))["token"];
  EXPECT_TRUE(*tokens.Permits(token, "repository", "team/app", "pull"));
  // The project is deleted and someone creates another of the same name later.
  ASSERT_TRUE(*projects_->Delete(*id));
  EXPECT_FALSE(*tokens.Permits(token, "repository", "team/app", "pull")) << "no project, no access";
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // creation times have 1 s resolution
  ASSERT_TRUE(IsOk(projects_->Create(p)));
  EXPECT_FALSE(*tokens.Permits(token, "repository", "team/app", "pull"));
}

TEST(RobotPermissions, ParsesHarborsShape) {
  auto perms = ParseRobotPermissions(
      R"([{"kind":"system","namespace":"/","access":[{"resource":"project","action":"list"}]},)"
      R"({"kind":"project","namespace":"*","access":[{"resource":"repository","action":"pull","effect":"allow"},)"
      R"({"resource":"repository","action":"delete","effect":"deny"}]}])");
  ASSERT_EQ(perms.size(), 2u);
  EXPECT_EQ(perms[0].ns, "/");
  EXPECT_EQ(perms[1].ns, "*");
  EXPECT_EQ(perms[1].action, "pull");
  EXPECT_TRUE(ParseRobotPermissions("not json").empty());
}

TEST(Bootstrap, CreatesTheAdminOnceWithAGeneratedOrConfiguredPassword) {
  unit::TempDir dir;
  auto db = std::move(*store::sqlite::Db::Open(dir.Sub("a.db"), false));
  store::sqlite::SqliteUserStore users(*db);
  auto first = EnsureAdmin(users, dir.path(), "");
  ASSERT_TRUE(IsOk(first));
  EXPECT_TRUE(first->created);
  EXPECT_TRUE(first->generated);
  struct stat st{};
  ASSERT_EQ(stat(first->password_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string password = *fileio::ReadFile(first->password_file);
  password.pop_back();  // newline
  auto admin = **users.FindByName("admin");
  EXPECT_TRUE(admin.sysadmin);
  EXPECT_TRUE(VerifyPassword(admin.password_hash, password));

  auto again = EnsureAdmin(users, dir.path(), "Other12345");
  ASSERT_TRUE(IsOk(again));
  EXPECT_FALSE(again->created);  // never touches an existing installation

  unit::TempDir dir2;
  auto db2 = std::move(*store::sqlite::Db::Open(dir2.Sub("b.db"), false));
  store::sqlite::SqliteUserStore users2(*db2);
  EXPECT_TRUE(IsErr(EnsureAdmin(users2, dir2.path(), "weak"), Errc::kBadRequest));
  auto configured = EnsureAdmin(users2, dir2.path(), "Harbor12345");
  ASSERT_TRUE(IsOk(configured));
  EXPECT_FALSE(configured->generated);
  EXPECT_TRUE(VerifyPassword((**users2.FindByName("admin")).password_hash, "Harbor12345"));
}

}  // namespace
}  // namespace berth::auth

namespace berth::auth {
namespace {

TEST_F(AuthenticatorTest, PrincipalsAreKeptUntilTheStoreGenerationMoves) {
  std::atomic<uint64_t> generation{1};
  Authenticator::Options opt;
  opt.generation = [&generation] { return generation.load(); };
  opt.principal_ttl = std::chrono::hours(1);
  Authenticator authn(*users_, *robots_, *members_, *projects_, opt);
  int64_t alice = AddUser("alice", "Alice12345");
  int64_t bob = AddUser("bob", "Bob1234567");
  store::ProjectRecord p;
  p.name = "team";
  p.owner_id = alice;
  int64_t team = *projects_->Create(p);
  ProjectRef ref{team, "team", false};

  ASSERT_TRUE(IsOk(authn.Basic("bob", "Bob1234567")));
  auto before = authn.Basic("bob", "Bob1234567");  // kept principal
  ASSERT_TRUE(IsOk(before));
  EXPECT_FALSE(Allowed(*before, ref, "repository", "pull"));
  store::MemberRecord m;
  m.project_id = team;
  m.entity_type = 'u';
  m.entity_id = bob;
  m.role = static_cast<int>(Role::kGuest);
  ASSERT_TRUE(IsOk(members_->Add(m)));
  // The counter this authenticator watches has not moved: the kept principal is served.
  EXPECT_FALSE(Allowed(*authn.Basic("bob", "Bob1234567"), ref, "repository", "pull"));
  ++generation;  // what every committed write does to the real store's counter
  EXPECT_TRUE(Allowed(*authn.Basic("bob", "Bob1234567"), ref, "repository", "pull"));
  // A wrong password never hits a kept principal.
  EXPECT_TRUE(IsErr(authn.Basic("bob", "Bob1234568"), Errc::kUnauthorized));
}

TEST_F(AuthenticatorTest, TheRealStoreGenerationMovesWithEveryCommittedWrite) {
  uint64_t g0 = db_->generation();
  AddUser("carol", "Carol12345");
  EXPECT_GT(db_->generation(), g0);
  uint64_t g1 = db_->generation();
  store::UserRecord dup;
  dup.username = "carol";
  EXPECT_FALSE(users_->Create(dup).has_value());  // rolled back: no change, no bump
  EXPECT_EQ(db_->generation(), g1);
}

}  // namespace
}  // namespace berth::auth
