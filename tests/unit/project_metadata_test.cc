// Project metadata: the key set and value rules shared by /projects and /projects/{p}/metadatas,
// and the "metadata" rows of the role table (every role reads and lists; only the project admin
// writes; a public project gives its visitors nothing of it).
#include "api/v2_0/project_metadata.h"

#include <gtest/gtest.h>

#include "auth/rbac.h"

namespace berth {
namespace {

using api::v2_0::IsProjectMetadataKey;
using api::v2_0::Json;
using api::v2_0::ReadMetadata;

TEST(ProjectMetadata, KnowsHarborsKeysOnly) {
  for (const char* k : {"public", "enable_content_trust", "enable_content_trust_cosign", "prevent_vul", "severity",
                        "auto_scan", "auto_sbom_generation", "reuse_sys_cve_allowlist"})
    EXPECT_TRUE(IsProjectMetadataKey(k)) << k;
  for (const char* k : {"", "Public", "retention_id", "no_such_key", "public "}) EXPECT_FALSE(IsProjectMetadataKey(k)) << k;
}

TEST(ProjectMetadata, ReadsStringsAndBooleans) {
  std::map<std::string, std::string> out;
  ASSERT_TRUE(ReadMetadata(Json{{"public", true}, {"auto_scan", "false"}, {"severity", "high"}}, out));
  EXPECT_EQ(out, (std::map<std::string, std::string>{{"public", "true"}, {"auto_scan", "false"}, {"severity", "high"}}));
}

TEST(ProjectMetadata, RefusesWhatIsNotAValidValue) {
  for (const Json& bad : {Json::array(), Json("x"), Json{{"nope", "true"}}, Json{{"public", "yes"}},
                          Json{{"public", ""}}, Json{{"auto_scan", 1}}, Json{{"severity", nullptr}}}) {
    std::map<std::string, std::string> out;
    auto r = ReadMetadata(bad, out);
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_EQ(r.error().code, Errc::kBadRequest) << bad.dump();
  }
}

auth::Principal UserWith(int64_t project, auth::Role r) {
  auth::Principal p;
  p.kind = auth::Principal::Kind::kUser;
  p.id = 42;
  p.project_roles[project] = {r};
  return p;
}

TEST(ProjectMetadataRbac, EveryRoleReadsOnlyTheProjectAdminWrites) {
  using auth::Role;
  auth::ProjectRef team{7, "team", false};
  for (Role r : {Role::kProjectAdmin, Role::kMaintainer, Role::kDeveloper, Role::kGuest, Role::kLimitedGuest}) {
    auto who = UserWith(7, r);
    for (const char* a : {"read", "list"}) EXPECT_TRUE(auth::Allowed(who, team, "metadata", a)) << int(r) << a;
    for (const char* a : {"create", "update", "delete"})
      EXPECT_EQ(auth::Allowed(who, team, "metadata", a), r == Role::kProjectAdmin) << int(r) << a;
    EXPECT_FALSE(auth::Allowed(UserWith(8, r), team, "metadata", "read"));
  }
}

TEST(ProjectMetadataRbac, PublicProjectsDoNotShowMetadata) {
  auth::ProjectRef library{1, "library", true};
  auth::Principal anon;
  EXPECT_FALSE(auth::Allowed(anon, library, "metadata", "read"));
  auth::Principal outsider;
  outsider.kind = auth::Principal::Kind::kUser;
  outsider.id = 5;
  EXPECT_FALSE(auth::Allowed(outsider, library, "metadata", "list"));
  auth::Principal admin;
  admin.kind = auth::Principal::Kind::kUser;
  admin.sysadmin = true;
  EXPECT_TRUE(auth::Allowed(admin, library, "metadata", "delete"));
}

}  // namespace
}  // namespace berth
