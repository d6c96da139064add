// The RBAC grants the repository, artifact, tag and label endpoints rely on (Harbor's role table,
// ../shared/spec/harbor-reference.md §3), role by role, plus what a public project gives anyone.
#include <gtest/gtest.h>

#include "auth/rbac.h"

namespace berth::auth {
namespace {

TEST(ArtifactRbac, RolesFollowHarborsTable) {
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
      {"repository", "list", true, true, true, true, true},
      {"repository", "read", true, true, true, true, true},
      {"repository", "pull", true, true, true, true, true},
      {"repository", "update", true, true, true, false, false},
      {"repository", "delete", true, true, false, false, false},
      {"artifact", "list", true, true, true, true, true},
      {"artifact", "read", true, true, true, true, true},
      {"artifact", "create", true, true, true, false, false},
      {"artifact", "delete", true, true, false, false, false},
      {"artifact-addition", "read", true, true, true, true, true},
      {"tag", "list", true, true, true, true, true},
      {"tag", "create", true, true, true, false, false},
      {"tag", "delete", true, true, false, false, false},
      {"artifact-label", "create", true, true, true, false, false},
      {"artifact-label", "delete", true, true, true, false, false},
      {"label", "list", true, true, true, true, false},
      {"label", "read", true, true, true, true, false},
      {"label", "create", true, true, false, false, false},
      {"label", "update", true, true, false, false, false},
      {"label", "delete", true, true, false, false, false},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(Allowed(user(Role::kProjectAdmin), priv, r.resource, r.action), r.admin) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kMaintainer), priv, r.resource, r.action), r.maintainer) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kDeveloper), priv, r.resource, r.action), r.developer) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kGuest), priv, r.resource, r.action), r.guest) << r.resource << ":" << r.action;
    EXPECT_EQ(Allowed(user(Role::kLimitedGuest), priv, r.resource, r.action), r.limited) << r.resource << ":" << r.action;
  }
}

TEST(ArtifactRbac, PublicProjectsGiveEveryoneReadOnly) {
  ProjectRef pub{1, "library", true};
  Principal anon;
  for (auto [res, act] : {std::pair{"repository", "list"}, {"repository", "read"}, {"artifact", "list"},
                          {"artifact", "read"}, {"tag", "list"}, {"label", "list"}, {"label", "read"},
                          {"artifact-addition", "read"}})
    EXPECT_TRUE(Allowed(anon, pub, res, act)) << res << ":" << act;
  for (auto [res, act] : {std::pair{"repository", "update"}, {"repository", "delete"}, {"artifact", "create"},
                          {"artifact", "delete"}, {"tag", "create"}, {"tag", "delete"}, {"artifact-label", "create"},
                          {"label", "create"}})
    EXPECT_FALSE(Allowed(anon, pub, res, act)) << res << ":" << act;
  // Global labels are system resources: only system admins (and system robots granted them).
  Principal user;
  user.kind = Principal::Kind::kUser;
  EXPECT_FALSE(AllowedSystem(user, "label", "create"));
  user.sysadmin = true;
  EXPECT_TRUE(AllowedSystem(user, "label", "create"));
}

// GET /projects/{p}/repositories/{r} is guarded by repository:list (as in Harbor): the permission
// robots are given and public projects grant. A robot holding only list must not need read.
TEST(ArtifactRbac, ReadingOneRepositoryNeedsOnlyList) {
  Principal robot;
  robot.kind = Principal::Kind::kRobot;
  robot.robot_permissions = {{"*", "repository", "list"}};
  ProjectRef priv{7, "team", false};
  EXPECT_TRUE(Allowed(robot, priv, "repository", "list"));
  EXPECT_FALSE(Allowed(robot, priv, "repository", "read"));  // so the handler must not ask for read
  Principal anon;
  EXPECT_TRUE(Allowed(anon, ProjectRef{1, "library", true}, "repository", "list"));
}

}  // namespace
}  // namespace berth::auth
