// Conformance suite for the identity and tenancy stores (store/identity_store.h). Each backend is
// one IdentityFactory; the SQLite one runs on a real database file in a temp directory.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/identity_store.h"
#include "store/registry_store.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsErr;
using unit::IsOk;

class IdentityBackend {
 public:
  virtual ~IdentityBackend() = default;
  virtual UserStore& users() = 0;
  virtual GroupStore& groups() = 0;
  virtual ProjectStore& projects() = 0;
  virtual MemberStore& members() = 0;
  virtual RobotStore& robots() = 0;
  virtual AuditStore& audit() = 0;
  virtual ManifestStore& manifests() = 0;
  virtual BlobIndex& blobs() = 0;
};

class SqliteIdentity final : public IdentityBackend {
 public:
  explicit SqliteIdentity(const std::string& dir) {
    auto db = sqlite::Db::Open(dir + "/identity.db", false);
    if (!db) throw std::runtime_error(std::string(db.error().Message()));
    db_ = std::move(*db);
    users_ = std::make_unique<sqlite::SqliteUserStore>(*db_);
    groups_ = std::make_unique<sqlite::SqliteGroupStore>(*db_);
    projects_ = std::make_unique<sqlite::SqliteProjectStore>(*db_);
    members_ = std::make_unique<sqlite::SqliteMemberStore>(*db_);
    robots_ = std::make_unique<sqlite::SqliteRobotStore>(*db_);
    audit_ = std::make_unique<sqlite::SqliteAuditStore>(*db_);
    manifests_ = std::make_unique<sqlite::SqliteManifestStore>(*db_);
    blobs_ = std::make_unique<sqlite::SqliteBlobIndex>(*db_);
  }
  UserStore& users() override { return *users_; }
  GroupStore& groups() override { return *groups_; }
  ProjectStore& projects() override { return *projects_; }
  MemberStore& members() override { return *members_; }
  RobotStore& robots() override { return *robots_; }
  AuditStore& audit() override { return *audit_; }
  ManifestStore& manifests() override { return *manifests_; }
  BlobIndex& blobs() override { return *blobs_; }

 private:
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteUserStore> users_;
  std::unique_ptr<sqlite::SqliteGroupStore> groups_;
  std::unique_ptr<sqlite::SqliteProjectStore> projects_;
  std::unique_ptr<sqlite::SqliteMemberStore> members_;
  std::unique_ptr<sqlite::SqliteRobotStore> robots_;
  std::unique_ptr<sqlite::SqliteAuditStore> audit_;
  std::unique_ptr<sqlite::SqliteManifestStore> manifests_;
  std::unique_ptr<sqlite::SqliteBlobIndex> blobs_;
};

struct IdentityFactory {
  std::string name;
  std::function<std::unique_ptr<IdentityBackend>(const std::string&)> make;
};
void PrintTo(const IdentityFactory& f, std::ostream* os) { *os << f.name; }

const IdentityFactory kBackends[] = {
    {"Sqlite", [](const std::string& dir) { return std::make_unique<SqliteIdentity>(dir); }},
};

class IdentityConformance : public ::testing::TestWithParam<IdentityFactory> {
 protected:
  void SetUp() override { b_ = GetParam().make(dir_.path()); }
  int64_t MakeUser(const std::string& name, bool admin = false) {
    UserRecord u;
    u.username = name;
    u.email = name + "@example.com";
    u.password_hash = "$argon2id$fake";
    u.sysadmin = admin;
    auto id = b_->users().Create(u);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }
  int64_t MakeProject(const std::string& name, int64_t owner, bool is_public = false) {
    ProjectRecord p;
    p.name = name;
    p.owner_id = owner;
    p.is_public = is_public;
    auto id = b_->projects().Create(p);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }
  unit::TempDir dir_;
  std::unique_ptr<IdentityBackend> b_;
};

TEST_P(IdentityConformance, UsersAreUniqueAndUpdatable) {
  int64_t alice = MakeUser("alice");
  UserRecord dup;
  dup.username = "alice";
  EXPECT_TRUE(IsErr(b_->users().Create(dup), Errc::kConflict));
  UserRecord same_mail;
  same_mail.username = "bob";
  same_mail.email = "alice@example.com";
  EXPECT_TRUE(IsErr(b_->users().Create(same_mail), Errc::kConflict));

  auto found = b_->users().FindByName("alice");
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, alice);
  int64_t version = (*found)->credential_version;

  EXPECT_TRUE(*b_->users().SetPassword(alice, "$argon2id$new"));
  auto after = *b_->users().FindById(alice);
  EXPECT_EQ(after->password_hash, "$argon2id$new");
  EXPECT_EQ(after->credential_version, version + 1);

  UserRecord profile = *after;
  profile.realname = "Alice A.";
  EXPECT_TRUE(*b_->users().UpdateProfile(profile));
  EXPECT_EQ((*b_->users().FindById(alice))->realname, "Alice A.");
  EXPECT_TRUE(*b_->users().SetSysadmin(alice, true));
  EXPECT_TRUE((*b_->users().FindById(alice))->sysadmin);
  EXPECT_FALSE(*b_->users().SetSysadmin(9999, true));
  EXPECT_FALSE(b_->users().FindById(9999)->has_value());
}

TEST_P(IdentityConformance, UserListPagesAndFilters) {
  for (auto n : {"ann", "bob", "bobby", "carl"}) MakeUser(n);
  auto all = b_->users().List("", Paging{0, 2});
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->total, 4);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].username, "ann");
  auto bobs = b_->users().List("bob", Paging{0, 10});
  EXPECT_EQ(bobs->total, 2);
  auto sql = b_->users().List("' OR 1=1 --", Paging{0, 10});  // metacharacters are data
  ASSERT_TRUE(IsOk(sql));
  EXPECT_EQ(sql->total, 0);
  EXPECT_EQ(*b_->users().Count(), 4);
}

TEST_P(IdentityConformance, ProjectCreationMakesTheOwnerAdmin) {
  int64_t alice = MakeUser("alice");
  int64_t team = MakeProject("team", alice);
  ProjectRecord again;
  again.name = "team";
  again.owner_id = alice;
  EXPECT_TRUE(IsErr(b_->projects().Create(again), Errc::kConflict));

  auto roles = b_->members().RolesOf(alice, {});
  ASSERT_TRUE(IsOk(roles));
  ASSERT_EQ(roles->count(team), 1u);
  EXPECT_EQ(roles->at(team), std::vector<int>{1});

  auto p = *b_->projects().FindByName("team");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->owner_name, "alice");
  EXPECT_EQ(p->metadata.at("public"), "false");
}

TEST_P(IdentityConformance, ProjectMetadataMergesAndVisibilityFilters) {
  int64_t alice = MakeUser("alice"), bob = MakeUser("bob");
  int64_t priv = MakeProject("private-one", alice);
  MakeProject("public-one", alice, true);
  MakeProject("bobs", bob);

  auto p = **b_->projects().FindById(priv);
  p.metadata["auto_scan"] = "true";
  p.metadata["severity"] = "high";
  ASSERT_TRUE(*b_->projects().Update(p));
  p.metadata = {{"severity", ""}};  // an empty value removes the key
  p.is_public = false;
  ASSERT_TRUE(*b_->projects().Update(p));
  auto reread = **b_->projects().FindById(priv);
  EXPECT_EQ(reread.metadata.at("auto_scan"), "true");
  EXPECT_EQ(reread.metadata.count("severity"), 0u);

  ProjectFilter for_bob;
  for_bob.visible_to = bob;
  auto seen = b_->projects().List(for_bob, Paging{0, 10});
  ASSERT_TRUE(IsOk(seen));
  std::vector<std::string> names;
  for (auto& x : seen->items) names.push_back(x.name);
  EXPECT_EQ(names, (std::vector<std::string>{"bobs", "public-one"}));
  EXPECT_EQ(seen->total, 2);

  ProjectFilter only_public;
  only_public.is_public = true;
  EXPECT_EQ(b_->projects().List(only_public, Paging{0, 10})->total, 1);
  ProjectFilter by_name;
  by_name.name_part = "one";
  EXPECT_EQ(b_->projects().List(by_name, Paging{0, 10})->total, 2);
}

TEST_P(IdentityConformance, GroupMembershipGrantsRoles) {
  int64_t alice = MakeUser("alice"), bob = MakeUser("bob");
  int64_t team = MakeProject("team", alice);
  GroupRecord g;
  g.name = "devs";
  g.ldap_group_dn = "cn=devs,ou=groups,dc=example,dc=com";
  auto gid = b_->groups().Create(g);
  ASSERT_TRUE(IsOk(gid));
  EXPECT_TRUE(IsErr(b_->groups().Create(g), Errc::kConflict));
  EXPECT_EQ((*b_->groups().FindByDn(g.ldap_group_dn))->id, *gid);

  MemberRecord m;
  m.project_id = team;
  m.entity_type = 'g';
  m.entity_id = *gid;
  m.role = 2;
  auto mid = b_->members().Add(m);
  ASSERT_TRUE(IsOk(mid));
  EXPECT_TRUE(IsErr(b_->members().Add(m), Errc::kConflict));

  EXPECT_TRUE(b_->members().RolesOf(bob, {})->empty());
  auto via = *b_->members().RolesOf(bob, {*gid});
  EXPECT_EQ(via.at(team), std::vector<int>{2});

  ProjectFilter for_bob;
  for_bob.visible_to = bob;
  for_bob.via_groups = {*gid};
  EXPECT_EQ(b_->projects().List(for_bob, Paging{0, 10})->total, 1);

  auto listed = *b_->members().List(team, "", Paging{0, 10});
  EXPECT_EQ(listed.total, 2);
  auto only = *b_->members().List(team, "dev", Paging{0, 10});
  ASSERT_EQ(only.items.size(), 1u);
  EXPECT_EQ(only.items[0].entity_name, "devs");
  EXPECT_EQ(only.items[0].entity_type, 'g');

  EXPECT_TRUE(*b_->members().UpdateRole(team, *mid, 4));
  EXPECT_EQ((*b_->members().Find(team, *mid))->role, 4);
  EXPECT_TRUE(IsErr(b_->members().UpdateRole(team, *mid, 9), Errc::kBadRequest));
  EXPECT_FALSE(*b_->members().Remove(team + 1, *mid));  // another project's member id
  EXPECT_TRUE(*b_->members().Remove(team, *mid));
  EXPECT_TRUE(*b_->groups().Delete(*gid));
}

TEST_P(IdentityConformance, GroupsAreUniquePerTypeByNameAndDn) {
  GroupRecord ldap;
  ldap.name = "ops";
  ldap.group_type = 1;
  ldap.ldap_group_dn = "  CN=Ops,OU=Groups,DC=Example,DC=Com ";
  auto ops = b_->groups().Create(ldap);
  ASSERT_TRUE(IsOk(ops));
  EXPECT_EQ((*b_->groups().FindById(*ops))->ldap_group_dn, "cn=ops,ou=groups,dc=example,dc=com");
  EXPECT_EQ((*b_->groups().FindByDn("cn=OPS,ou=groups,dc=example,dc=com"))->id, *ops);

  GroupRecord same_name = ldap;  // same type and name, another DN
  same_name.ldap_group_dn = "cn=other,dc=example,dc=com";
  EXPECT_TRUE(IsErr(b_->groups().Create(same_name), Errc::kConflict));
  GroupRecord same_dn = ldap;  // same type and DN, another name
  same_dn.name = "ops2";
  EXPECT_TRUE(IsErr(b_->groups().Create(same_dn), Errc::kConflict));

  GroupRecord oidc;  // the same name is fine for another group type
  oidc.name = "ops";
  oidc.group_type = 3;
  auto ops_oidc = b_->groups().Create(oidc);
  ASSERT_TRUE(IsOk(ops_oidc));
  EXPECT_EQ((*b_->groups().FindByName(3, "ops"))->id, *ops_oidc);
  EXPECT_EQ((*b_->groups().FindByName(1, "ops"))->id, *ops);
  EXPECT_FALSE(b_->groups().FindByName(2, "ops")->has_value());

  GroupRecord http;
  http.name = "web";
  http.group_type = 2;
  auto web = b_->groups().Create(http);
  ASSERT_TRUE(IsOk(web));
  EXPECT_TRUE(IsOk(b_->groups().Rename(*web, "web")));  // its own name
  EXPECT_TRUE(*b_->groups().Rename(*web, "www"));
  EXPECT_TRUE(IsOk(b_->groups().Rename(*ops_oidc, "ops")));
  GroupRecord http2;
  http2.name = "api";
  http2.group_type = 2;
  auto api = b_->groups().Create(http2);
  ASSERT_TRUE(IsOk(api));
  EXPECT_TRUE(IsErr(b_->groups().Rename(*api, "www"), Errc::kConflict));
  EXPECT_FALSE(*b_->groups().Rename(99999, "nothing"));

  auto listed = *b_->groups().List("w", Paging{0, 10});
  ASSERT_EQ(listed.total, 1);
  EXPECT_EQ(listed.items[0].name, "www");
  EXPECT_EQ(b_->groups().List("", Paging{0, 2})->total, 4);
  EXPECT_EQ(b_->groups().List("", Paging{2, 2})->items.size(), 2u);
}

TEST_P(IdentityConformance, RecordedGroupMembershipGrantsRolesAndVisibility) {
  int64_t alice = MakeUser("alice"), bob = MakeUser("bob");
  int64_t team = MakeProject("team", alice);
  GroupRecord g;
  g.name = "devs";
  g.group_type = 3;
  auto gid = b_->groups().Create(g);
  ASSERT_TRUE(IsOk(gid));
  MemberRecord m;
  m.project_id = team;
  m.entity_type = 'g';
  m.entity_id = *gid;
  m.role = 3;
  ASSERT_TRUE(IsOk(b_->members().Add(m)));
  ProjectFilter for_bob;
  for_bob.visible_to = bob;

  EXPECT_TRUE(b_->members().RolesOf(bob, {})->empty());
  EXPECT_EQ(b_->projects().List(for_bob, Paging{0, 10})->total, 0);

  ASSERT_TRUE(*b_->groups().SetUserGroups(bob, {*gid, 424242}));  // unknown ids are skipped
  EXPECT_EQ(*b_->groups().GroupsOf(bob), std::vector<int64_t>{*gid});
  EXPECT_EQ(b_->members().RolesOf(bob, {})->at(team), std::vector<int>{3});
  EXPECT_EQ(b_->projects().List(for_bob, Paging{0, 10})->total, 1);
  EXPECT_FALSE(*b_->groups().SetUserGroups(777777, {*gid}));

  ASSERT_TRUE(*b_->groups().SetUserGroups(bob, {}));  // replaced, not merged
  EXPECT_TRUE(b_->groups().GroupsOf(bob)->empty());
  EXPECT_TRUE(b_->members().RolesOf(bob, {})->empty());

  ASSERT_TRUE(*b_->groups().SetUserGroups(bob, {*gid}));
  EXPECT_TRUE(*b_->groups().Delete(*gid));  // takes its project memberships and user list along
  EXPECT_TRUE(b_->groups().GroupsOf(bob)->empty());
  EXPECT_TRUE(b_->members().RolesOf(bob, {})->empty());
  EXPECT_EQ(b_->members().List(team, "", Paging{0, 10})->total, 1);  // the owner only
  EXPECT_FALSE(*b_->groups().Delete(*gid));

  auto again = b_->groups().Create(g);
  ASSERT_TRUE(IsOk(again));
  ASSERT_TRUE(*b_->groups().SetUserGroups(bob, {*again}));
  EXPECT_TRUE(*b_->users().Delete(bob));  // a deleted user leaves no group rows behind
  int64_t bob2 = MakeUser("bob");
  EXPECT_TRUE(b_->groups().GroupsOf(bob)->empty());
  EXPECT_TRUE(b_->groups().GroupsOf(bob2)->empty());
}

TEST_P(IdentityConformance, DeletingAUserRemovesTheirMemberships) {
  int64_t alice = MakeUser("alice"), bob = MakeUser("bob");
  int64_t team = MakeProject("team", alice);
  MemberRecord m;
  m.project_id = team;
  m.entity_id = bob;
  m.role = 3;
  ASSERT_TRUE(IsOk(b_->members().Add(m)));
  EXPECT_TRUE(*b_->users().Delete(bob));
  EXPECT_EQ(b_->members().List(team, "", Paging{0, 10})->total, 1);
  EXPECT_FALSE(*b_->users().Delete(bob));
}

TEST_P(IdentityConformance, ProjectWithRepositoriesCannotBeDeleted) {
  int64_t alice = MakeUser("alice");
  int64_t team = MakeProject("team", alice);
  // A manifest in team/app makes the project non-empty.
  std::string config = "{}";
  Digest cd = Sha256Of(config);
  ASSERT_TRUE(IsOk(b_->blobs().Commit("team/app", cd, 2)));
  ManifestRecord m;
  m.repository = "team/app";
  m.content = R"({"schemaVersion":2})";
  m.digest = Sha256Of(m.content);
  m.media_type = "application/vnd.oci.image.manifest.v1+json";
  m.size = static_cast<int64_t>(m.content.size());
  m.blobs = {{cd, 2}};
  ASSERT_TRUE(IsOk(b_->manifests().Put(m, std::string("v1"))));
  EXPECT_EQ((*b_->projects().FindById(team))->repo_count, 1);
  EXPECT_TRUE(IsErr(b_->projects().Delete(team), Errc::kPreconditionFailed));
  // A project created after its repositories adopts them.
  ASSERT_TRUE(IsOk(b_->blobs().Commit("late/app", cd, 2)));
  m.repository = "late/app";
  ASSERT_TRUE(IsOk(b_->manifests().Put(m, std::string("v1"))));
  int64_t late = MakeProject("late", alice);
  EXPECT_EQ((*b_->projects().FindById(late))->repo_count, 1);
  EXPECT_TRUE(IsErr(b_->projects().Delete(late), Errc::kPreconditionFailed));
  // Once its only manifest is gone, the project can go.
  ASSERT_TRUE(IsOk(b_->manifests().Delete("late/app", m.digest)));
  EXPECT_TRUE(*b_->projects().Delete(late));
  EXPECT_FALSE(b_->projects().FindById(late)->has_value());
}

TEST_P(IdentityConformance, RobotsStoreHashedSecretsAndVersions) {
  int64_t alice = MakeUser("alice");
  int64_t team = MakeProject("team", alice);
  RobotRecord r;
  r.name = "robot$team+ci";
  r.level = "project";
  r.project_id = team;
  r.secret_hash = "$argon2id$one";
  r.duration = 30;
  r.expires_at = 12345;
  r.permissions_json = R"([{"kind":"project","namespace":"team","access":[]}])";
  auto id = b_->robots().Create(r);
  ASSERT_TRUE(IsOk(id));
  EXPECT_TRUE(IsErr(b_->robots().Create(r), Errc::kConflict));

  auto got = **b_->robots().FindByName("robot$team+ci");
  EXPECT_EQ(got.project_id, team);
  EXPECT_EQ(got.permissions_json, r.permissions_json);
  int64_t v = got.credential_version;

  got.disabled = true;
  got.description = "ci pushes";
  ASSERT_TRUE(*b_->robots().Update(got));
  auto disabled = **b_->robots().FindById(*id);
  EXPECT_TRUE(disabled.disabled);
  EXPECT_EQ(disabled.credential_version, v + 1);
  ASSERT_TRUE(*b_->robots().Update(disabled));  // unchanged flag: no bump
  EXPECT_EQ((**b_->robots().FindById(*id)).credential_version, v + 1);
  ASSERT_TRUE(*b_->robots().SetSecret(*id, "$argon2id$two"));
  EXPECT_EQ((**b_->robots().FindById(*id)).credential_version, v + 2);

  RobotRecord sys;
  sys.name = "robot$ops";
  sys.level = "system";
  sys.secret_hash = "$argon2id$x";
  sys.permissions_json = "[]";
  ASSERT_TRUE(IsOk(b_->robots().Create(sys)));
  RobotFilter project_only;
  project_only.level = "project";
  project_only.project_id = team;
  EXPECT_EQ(b_->robots().List(project_only, Paging{0, 10})->total, 1);
  EXPECT_EQ(b_->robots().List(RobotFilter{}, Paging{0, 10})->total, 2);

  // Deleting the project deletes its robots.
  ASSERT_TRUE(*b_->projects().Delete(team));
  EXPECT_FALSE(b_->robots().FindById(*id)->has_value());
}

TEST_P(IdentityConformance, AuditLogListsNewestFirstWithFilters) {
  for (int i = 0; i < 5; ++i) {
    AuditRecord a;
    a.project_id = i % 2 ? 1 : 2;
    a.username = i < 3 ? "alice" : "bob";
    a.resource = "team/app:v" + std::to_string(i);
    a.resource_type = "artifact";
    a.operation = i == 4 ? "delete" : "create";
    a.op_time = 1000 + i;
    ASSERT_TRUE(IsOk(b_->audit().Append(a)));
  }
  auto all = *b_->audit().List(AuditFilter{}, Paging{0, 3});
  EXPECT_EQ(all.total, 5);
  ASSERT_EQ(all.items.size(), 3u);
  EXPECT_EQ(all.items[0].resource, "team/app:v4");
  AuditFilter f;
  f.project_id = 1;
  EXPECT_EQ(b_->audit().List(f, Paging{0, 10})->total, 2);
  AuditFilter by_user;
  by_user.username = "bob";
  by_user.operation = "delete";
  EXPECT_EQ(b_->audit().List(by_user, Paging{0, 10})->total, 1);
  AuditFilter window;
  window.from_time = 1001;
  window.to_time = 1002;
  EXPECT_EQ(b_->audit().List(window, Paging{0, 10})->total, 2);
}

TEST_P(IdentityConformance, ProjectsOutliveTheirDeletedOwner) {
  int64_t admin = MakeUser("admin", true);
  ASSERT_EQ(admin, 1);
  int64_t founder = MakeUser("founder");
  int64_t pid = MakeProject("founded", founder);
  ASSERT_TRUE(IsOk(b_->users().Delete(founder)));
  auto p = b_->projects().FindById(pid);
  ASSERT_TRUE(IsOk(p));
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->owner_id, admin);
}

TEST_P(IdentityConformance, AuditBatchesCommitTogetherAndFilterByType) {
  std::vector<AuditRecord> batch(3);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].username = "carol";
    batch[i].resource = "p/r:" + std::to_string(i);
    batch[i].resource_type = i == 0 ? "project" : "artifact";
    batch[i].operation = "pull";
    batch[i].event_type = i == 0 ? "create_project" : "pull_artifact";
  }
  ASSERT_TRUE(IsOk(b_->audit().AppendBatch(batch)));
  ASSERT_TRUE(IsOk(b_->audit().AppendBatch({})));
  AuditFilter f;
  f.username = "carol";
  auto all = b_->audit().List(f, Paging{0, 10});
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->total, 3);
  EXPECT_GT(all->items[0].op_time, 0) << "op_time 0 means now";
  f.resource_type = "artifact";
  EXPECT_EQ(b_->audit().List(f, Paging{0, 10})->total, 2);
  f.resource_type.clear();
  f.event_type = "create_project";
  EXPECT_EQ(b_->audit().List(f, Paging{0, 10})->total, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityConformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
