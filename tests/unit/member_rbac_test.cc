// The RBAC rows behind the members and user-group APIs: every member action for every role, what a
// public project does (not) give away, robots holding "member" permissions, and "user-group" being
// a system resource.
#include <gtest/gtest.h>

#include "auth/rbac.h"

namespace berth::auth {
namespace {

Principal UserWith(int64_t project, Role r) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = 42;
  p.project_roles[project] = {r};
  return p;
}

TEST(MemberRbac, ViewersAndManagersPerRole) {
  ProjectRef team{7, "team", false};
  // list/read: every role but limited guest; create/update/delete: project admin only.
  struct Row {
    Role role;
    bool view, manage;
  };
  const Row rows[] = {{Role::kProjectAdmin, true, true},
                      {Role::kMaintainer, true, false},
                      {Role::kDeveloper, true, false},
                      {Role::kGuest, true, false},
                      {Role::kLimitedGuest, false, false}};
  for (const auto& r : rows) {
    auto who = UserWith(7, r.role);
    for (const char* a : {"list", "read"}) EXPECT_EQ(Allowed(who, team, "member", a), r.view) << int(r.role) << a;
    for (const char* a : {"create", "update", "delete"})
      EXPECT_EQ(Allowed(who, team, "member", a), r.manage) << int(r.role) << a;
    EXPECT_FALSE(Allowed(UserWith(8, r.role), team, "member", "list"));  // a role elsewhere grants nothing
  }
  // Several roles (direct + through groups): the union counts.
  auto both = UserWith(7, Role::kLimitedGuest);
  both.project_roles[7].push_back(Role::kProjectAdmin);
  EXPECT_TRUE(Allowed(both, team, "member", "create"));
}

TEST(MemberRbac, PublicProjectsDoNotShowMembers) {
  ProjectRef library{1, "library", true};
  Principal anon;
  EXPECT_FALSE(Allowed(anon, library, "member", "list"));
  Principal outsider;
  outsider.kind = Principal::Kind::kUser;
  outsider.id = 5;
  EXPECT_FALSE(Allowed(outsider, library, "member", "list"));
  EXPECT_TRUE(Allowed(outsider, library, "project", "read"));
  Principal admin;
  admin.kind = Principal::Kind::kUser;
  admin.sysadmin = true;
  EXPECT_TRUE(Allowed(admin, library, "member", "delete"));
}

TEST(MemberRbac, RobotsFollowTheirPermissionList) {
  ProjectRef team{7, "team", false};
  Principal robot;
  robot.kind = Principal::Kind::kRobot;
  robot.robot_permissions = {{"team", "member", "list"}, {"team", "member", "read"}};
  EXPECT_TRUE(Allowed(robot, team, "member", "list"));
  EXPECT_FALSE(Allowed(robot, team, "member", "create"));
  EXPECT_FALSE(Allowed(robot, ProjectRef{8, "other", false}, "member", "list"));
  bool catalog_has_member_create = false;
  for (const auto& [res, act] : ProjectPermissionCatalog())
    catalog_has_member_create |= res == "member" && act == "create";
  EXPECT_TRUE(catalog_has_member_create);
}

TEST(MemberRbac, UserGroupsAreSystemAdminBusiness) {
  auto owner = UserWith(7, Role::kProjectAdmin);
  for (const char* a : {"list", "read", "create", "update", "delete"}) EXPECT_FALSE(AllowedSystem(owner, "user-group", a));
  Principal admin;
  admin.kind = Principal::Kind::kUser;
  admin.sysadmin = true;
  EXPECT_TRUE(AllowedSystem(admin, "user-group", "create"));
  Principal robot;
  robot.kind = Principal::Kind::kRobot;
  robot.robot_permissions = {{"/", "user-group", "list"}};
  EXPECT_TRUE(AllowedSystem(robot, "user-group", "list"));
  EXPECT_FALSE(AllowedSystem(robot, "user-group", "delete"));
}

}  // namespace
}  // namespace berth::auth
