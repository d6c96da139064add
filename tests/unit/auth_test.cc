#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>

#include "auth/password.h"
#include "auth/rbac.h"
#include "auth/token_signer.h"
#include "base/base64.h"
#include "base/clock.h"

namespace berth::auth {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/berth-auth-XXXXXX";
  return mkdtemp(tmpl);
}

}  // namespace

TEST(Base64, RoundTrips) {
  for (const std::string& s : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"), std::string("foob"),
                               std::string("fooba"), std::string("foobar"), std::string("\xff\x00\xfe", 3)}) {
    EXPECT_EQ(base64::Decode(base64::Encode(s)).value(), s);
    EXPECT_EQ(base64::DecodeUrl(base64::EncodeUrl(s)).value(), s);
  }
  EXPECT_EQ(base64::Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::Encode("fo"), "Zm8=");
  EXPECT_EQ(base64::EncodeUrl(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_FALSE(base64::Decode("a"));
  EXPECT_FALSE(base64::Decode("ab$c"));
}

TEST(Password, Rule) {
  EXPECT_TRUE(CheckPasswordRule("Harbor12345"));
  EXPECT_FALSE(CheckPasswordRule("short1A"));
  EXPECT_FALSE(CheckPasswordRule("alllowercase1"));
  EXPECT_FALSE(CheckPasswordRule("ALLUPPERCASE1"));
  EXPECT_FALSE(CheckPasswordRule("NoDigitsHere"));
  EXPECT_FALSE(CheckPasswordRule(std::string(120, 'a') + "BBBB1234x"));
  EXPECT_TRUE(CheckPasswordRule(GenerateSecret()));
}

TEST(Password, HashAndVerify) {
  auto h = HashPassword("Harbor12345");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*h, "Harbor12345"));
  EXPECT_FALSE(VerifyPassword(*h, "Harbor12346"));
  EXPECT_FALSE(VerifyPassword("not a hash", "Harbor12345"));
  auto h2 = HashPassword("Harbor12345");
  EXPECT_NE(*h, *h2);  // salted
}

TEST(TokenSigner, SignsVerifiesAndPersistsItsKey) {
  std::string dir = TempDir();
  std::string key = dir + "/token.key";
  auto signer = TokenSigner::LoadOrCreate(key);
  ASSERT_TRUE(signer);
  struct stat st{};
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ((*signer)->kid().size(), 59u);  // 12 groups of 4 and 11 colons

  int64_t now = NowUnixSeconds();
  nlohmann::json claims = {{"sub", "alice"}, {"exp", now + 60}, {"nbf", now}, {"iat", now}};
  std::string token = (*signer)->Sign(claims);
  auto verified = (*signer)->Verify(token, now, 0);
  ASSERT_TRUE(verified) << verified.error().Message();
  EXPECT_EQ((*verified)["sub"], "alice");

  // The same key is loaded again after a restart.
  auto again = TokenSigner::LoadOrCreate(key);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->kid(), (*signer)->kid());
  EXPECT_TRUE((*again)->Verify(token, now, 0));

  // Expired, tampered and foreign tokens fail.
  EXPECT_FALSE((*signer)->Verify(token, now + 120, 30));
  EXPECT_TRUE((*signer)->Verify(token, now + 80, 30));
  std::string tampered = token;
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_FALSE((*signer)->Verify(tampered, now, 0));
  auto other = TokenSigner::LoadOrCreate(TempDir() + "/k");
  EXPECT_FALSE((*other)->Verify(token, now, 0));
  EXPECT_FALSE((*signer)->Verify("a.b", now, 0));
  std::filesystem::remove_all(dir);
}

// Copies of a principal share their role map (a cached login is copied per request); writing
// through one copy leaves the others as they were.
TEST(Rbac, PrincipalCopiesShareRolesUntilOneIsWritten) {
  Principal a;
  a.kind = Principal::Kind::kUser;
  a.project_roles[7] = {Role::kGuest};
  Principal b = a;
  ASSERT_NE(b.project_roles.find(7), b.project_roles.end());
  EXPECT_EQ(&*a.project_roles.find(7), &*b.project_roles.find(7));  // one map, not two
  b.project_roles[7].push_back(Role::kDeveloper);
  b.project_roles[8] = {Role::kProjectAdmin};
  EXPECT_EQ(a.project_roles.find(7)->second, std::vector<Role>{Role::kGuest});
  EXPECT_EQ(a.project_roles.find(8), a.project_roles.end());
  EXPECT_EQ(b.project_roles.size(), 2u);
  ProjectRef p7{7, "p7", false};
  EXPECT_FALSE(Allowed(a, p7, "repository", "push"));
  EXPECT_TRUE(Allowed(b, p7, "repository", "push"));
  Principal none;
  EXPECT_TRUE(none.project_roles.empty());
  EXPECT_EQ(none.project_roles.find(1), none.project_roles.end());
}

TEST(Rbac, RolesFollowHarborsTable) {
  ProjectRef priv{7, "team", false};
  auto user = [](Role r) {
    Principal p;
    p.kind = Principal::Kind::kUser;
    p.project_roles[7] = {r};
    return p;
  };
  struct Row {
    const char* resource;
    const char* action;
    bool admin, maintainer, developer, guest, limited;
  };
  const Row rows[] = {
      {"repository", "pull", true, true, true, true, true},
      {"repository", "push", true, true, true, false, false},
      {"repository", "delete", true, true, false, false, false},
      {"artifact", "delete", true, true, false, false, false},
      {"artifact", "create", true, true, true, false, false},
      {"tag", "create", true, true, true, false, false},
      {"tag", "delete", true, true, false, false, false},
      {"member", "create", true, false, false, false, false},
      {"member", "list", true, true, true, true, false},
      {"robot", "create", true, false, false, false, false},
      {"robot", "list", true, true, true, true, false},
      {"notification-policy", "create", true, false, false, false, false},
      {"notification-policy", "list", true, true, false, false, false},
      {"log", "list", true, false, false, false, false},
      {"project", "delete", true, false, false, false, false},
      {"scanner", "create", true, false, false, false, false},
      {"scan", "create", true, true, false, false, false},
      {"immutable-tag", "create", true, true, false, false, false},
      {"tag-retention", "operate", true, true, true, false, false},
      {"quota", "read", true, true, true, true, true},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(Allowed(user(Role::kProjectAdmin), priv, r.resource, r.action), r.admin) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kMaintainer), priv, r.resource, r.action), r.maintainer) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kDeveloper), priv, r.resource, r.action), r.developer) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kGuest), priv, r.resource, r.action), r.guest) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kLimitedGuest), priv, r.resource, r.action), r.limited) << r.resource << ":" << r.action;
  }
}

TEST(Rbac, AnonymousPublicSysadminAndRobots) {
  ProjectRef pub{1, "library", true}, priv{2, "team", false};
  Principal anon;
  EXPECT_TRUE(Allowed(anon, pub, "repository", "pull"));
  EXPECT_FALSE(Allowed(anon, pub, "repository", "push"));
  EXPECT_FALSE(Allowed(anon, priv, "repository", "pull"));
  EXPECT_FALSE(AllowedSystem(anon, "catalog", "read"));

  Principal stranger;
  stranger.kind = Principal::Kind::kUser;
  stranger.project_roles[1] = {Role::kDeveloper};
  EXPECT_FALSE(Allowed(stranger, priv, "repository", "pull"));  // a role elsewhere grants nothing here

  Principal admin;
  admin.kind = Principal::Kind::kUser;
  admin.sysadmin = true;
  EXPECT_TRUE(Allowed(admin, priv, "project", "delete"));
  EXPECT_TRUE(AllowedSystem(admin, "garbage-collection", "create"));

  Principal robot;
  robot.kind = Principal::Kind::kRobot;
  robot.robot_permissions = {{"team", "repository", "pull"}, {"team", "repository", "push"}, {"/", "project", "list"}};
  EXPECT_TRUE(Allowed(robot, priv, "repository", "push"));
  EXPECT_FALSE(Allowed(robot, priv, "repository", "delete"));
  EXPECT_FALSE(Allowed(robot, ProjectRef{3, "other", false}, "repository", "pull"));
  EXPECT_TRUE(Allowed(robot, pub, "repository", "pull"));  // public read
  EXPECT_TRUE(AllowedSystem(robot, "project", "list"));
  EXPECT_FALSE(AllowedSystem(robot, "user", "list"));

  Principal wildcard;
  wildcard.kind = Principal::Kind::kRobot;
  wildcard.robot_permissions = {{"*", "repository", "*"}};
  EXPECT_TRUE(Allowed(wildcard, ProjectRef{9, "anything", false}, "repository", "delete"));
  EXPECT_FALSE(AllowedSystem(wildcard, "repository", "delete"));
}

}  // namespace berth::auth
