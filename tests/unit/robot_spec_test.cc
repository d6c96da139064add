// Robot account requests (auth/robot_spec.h): Harbor's validation rules, login names, expiry and
// the check that a robot cannot hand out permissions it does not hold.
#include <gtest/gtest.h>

#include "auth/robot_spec.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using nlohmann::json;
using unit::IsErr;
using unit::IsOk;

json ProjectRobot() {
  return json::parse(R"({"name":"ci","description":"d","level":"project","duration":30,"disable":false,
    "permissions":[{"kind":"project","namespace":"team","access":[
      {"resource":"repository","action":"pull","effect":"allow"},{"resource":"repository","action":"push"}]}]})");
}

json SystemRobot() {
  return json::parse(R"({"name":"sys","level":"system","duration":-1,"permissions":[
    {"kind":"system","namespace":"/","access":[{"resource":"project","action":"create"}]},
    {"kind":"project","namespace":"*","access":[{"resource":"repository","action":"pull"}]},
    {"kind":"project","namespace":"team","access":[{"resource":"repository","action":"push"}]}]})");
}

Result<RobotSpec> Create(const json& j) { return ParseRobotSpec(j, RobotSpecMode::kCreate); }

TEST(RobotSpec, AcceptsHarborsShapes) {
  auto p = Create(ProjectRobot());
  ASSERT_TRUE(IsOk(p));
  EXPECT_EQ(p->name, "ci");
  EXPECT_EQ(p->level, "project");
  EXPECT_EQ(*p->duration, 30);
  EXPECT_EQ(*p->description, "d");
  EXPECT_FALSE(*p->disable);
  EXPECT_FALSE(p->secret.has_value());
  ASSERT_EQ(p->permissions.size(), 1u);
  EXPECT_EQ(p->permissions[0].ns, "team");
  ASSERT_EQ(p->permissions[0].access.size(), 2u);
  EXPECT_EQ(p->permissions[0].access[1].effect, "allow");  // the default

  auto s = Create(SystemRobot());
  ASSERT_TRUE(IsOk(s));
  EXPECT_EQ(s->permissions.size(), 3u);
  EXPECT_EQ(s->permissions[1].ns, "*");

  auto with_secret = ProjectRobot();
  with_secret["secret"] = "Given12345";
  EXPECT_EQ(*Create(with_secret)->secret, "Given12345");
  with_secret["secret"] = "";  // empty = generate
  EXPECT_FALSE(Create(with_secret)->secret.has_value());
}

TEST(RobotSpec, RejectsBadNamesDurationsAndLevels) {
  for (const char* bad : {"", "CI", "ci+x", "-ci", "ci-", "c..i", "ci$", "a b"}) {
    auto j = ProjectRobot();
    j["name"] = bad;
    EXPECT_TRUE(IsErr(Create(j), Errc::kBadRequest)) << bad;
  }
  for (const char* good : {"a", "ci.bot", "ci-bot_2", "0x"}) {
    auto j = ProjectRobot();
    j["name"] = good;
    EXPECT_TRUE(IsOk(Create(j))) << good;
  }
  for (json d : {json(0), json(-2), json(2147483647LL), json("30"), json(1.5), json(nullptr)}) {
    auto j = ProjectRobot();
    j["duration"] = d;
    EXPECT_TRUE(IsErr(Create(j), Errc::kBadRequest)) << d.dump();
  }
  auto no_duration = ProjectRobot();
  no_duration.erase("duration");
  EXPECT_TRUE(IsErr(Create(no_duration), Errc::kBadRequest));
  // ... but an update may leave it out.
  EXPECT_TRUE(IsOk(ParseRobotSpec(no_duration, RobotSpecMode::kUpdate)));

  for (json l : {json("global"), json(""), json(1)}) {
    auto j = ProjectRobot();
    j["level"] = l;
    EXPECT_TRUE(IsErr(Create(j), Errc::kBadRequest)) << l.dump();
  }
  auto weak = ProjectRobot();
  weak["secret"] = "weakweak";
  EXPECT_TRUE(IsErr(Create(weak), Errc::kBadRequest));
  EXPECT_TRUE(IsErr(Create(json::array()), Errc::kBadRequest));
}

TEST(RobotSpec, RejectsBadPermissions) {
  auto with = [](const char* perms, const char* level = "project") {
    auto j = ProjectRobot();
    j["level"] = level;
    j["permissions"] = json::parse(perms);
    return Create(j);
  };
  const char* bad_project[] = {
      "[]",
      R"([{"kind":"project","namespace":"team","access":[]}])",
      R"([{"kind":"project","namespace":"team"}])",
      R"([{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"fly"}]}])",
      R"([{"kind":"project","namespace":"team","access":[{"resource":"user","action":"create"}]}])",
      R"([{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"*"}]}])",
      R"([{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"pull","effect":"maybe"}]}])",
      R"([{"kind":"project","namespace":"a","access":[{"resource":"repository","action":"pull"}]},
          {"kind":"project","namespace":"b","access":[{"resource":"repository","action":"pull"}]}])",
      R"([{"kind":"system","namespace":"/","access":[{"resource":"project","action":"create"}]}])",
      R"([{"kind":"project","namespace":"*","access":[{"resource":"repository","action":"pull"}]}])",
      R"([{"kind":"cluster","namespace":"team","access":[{"resource":"repository","action":"pull"}]}])",
      R"([{"kind":"project","namespace":"","access":[{"resource":"repository","action":"pull"}]}])",
      R"([{"namespace":"team","access":[{"resource":"repository","action":"pull"}]}])",
  };
  for (const char* p : bad_project) EXPECT_TRUE(IsErr(with(p), Errc::kBadRequest)) << p;

  const char* bad_system[] = {
      R"([{"kind":"system","namespace":"team","access":[{"resource":"project","action":"create"}]}])",
      R"([{"kind":"system","namespace":"/","access":[{"resource":"repository","action":"pull"}]}])",
      R"([{"kind":"project","namespace":"/","access":[{"resource":"repository","action":"pull"}]}])",
  };
  for (const char* p : bad_system) EXPECT_TRUE(IsErr(with(p, "system"), Errc::kBadRequest)) << p;
  // A system robot may hold project permissions only.
  EXPECT_TRUE(IsOk(with(R"([{"kind":"project","namespace":"team","access":[{"resource":"repository","action":"pull"}]}])",
                        "system")));
}

TEST(RobotSpec, NamesExpiryAndStoredJson) {
  EXPECT_EQ(RobotLoginName("robot$", "system", "", "sys"), "robot$sys");
  EXPECT_EQ(RobotLoginName("robot$", "project", "team", "ci"), "robot$team+ci");
  EXPECT_EQ(RobotExpiry(1000, -1), -1);
  EXPECT_EQ(RobotExpiry(1000, 2), 1000 + 2 * 86400);

  auto spec = *Create(ProjectRobot());
  auto stored = RobotPermissionsToJson(spec.permissions);
  ASSERT_TRUE(stored.is_array());
  EXPECT_EQ(stored[0]["kind"], "project");
  EXPECT_EQ(stored[0]["namespace"], "team");
  EXPECT_EQ(stored[0]["access"][0]["effect"], "allow");
  EXPECT_EQ(stored[0]["access"][1]["action"], "push");
}

TEST(RobotSpec, RobotsGrantOnlyWhatTheyHold) {
  Principal robot;
  robot.kind = Principal::Kind::kRobot;
  robot.robot_permissions = {{"team", "repository", "pull"}, {"team", "robot", "create"}};
  auto pull = *Create(ProjectRobot());
  pull.permissions[0].access.resize(1);  // repository:pull only
  EXPECT_TRUE(HoldsAll(robot, pull.permissions));
  auto push = *Create(ProjectRobot());  // pull and push
  EXPECT_FALSE(HoldsAll(robot, push.permissions));
  push.permissions[0].access[1].effect = "deny";  // a denied entry grants nothing
  EXPECT_TRUE(HoldsAll(robot, push.permissions));

  auto sys = *Create(SystemRobot());
  EXPECT_FALSE(HoldsAll(robot, sys.permissions));
  Principal admin;
  admin.kind = Principal::Kind::kUser;
  admin.sysadmin = true;
  EXPECT_TRUE(HoldsAll(admin, sys.permissions));
  Principal everywhere;
  everywhere.kind = Principal::Kind::kRobot;
  everywhere.robot_permissions = {{"/", "project", "create"}, {"*", "repository", "pull"}, {"*", "repository", "push"}};
  EXPECT_TRUE(HoldsAll(everywhere, sys.permissions));
}

}  // namespace
}  // namespace berth::auth
