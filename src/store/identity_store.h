// Store interfaces for identity and tenancy: users, groups, projects, members, robot accounts and
// the audit log. A backend (sqlite/, later postgres/) implements all of them;
// tests/unit/identity_store_conformance_test.cc runs one suite against each backend.
//
// Every method is thread-safe and atomic. Unique-name violations are kConflict; operations on a
// missing id return false (or nullopt) rather than an error, so callers choose the 404.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/identity_records.h"

namespace berth::store {

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual Result<int64_t> Create(const UserRecord& user) = 0;
  virtual Result<std::optional<UserRecord>> FindById(int64_t id) = 0;
  virtual Result<std::optional<UserRecord>> FindByName(std::string_view username) = 0;
  // Updates email, realname and comment.
  virtual Result<bool> UpdateProfile(const UserRecord& user) = 0;
  // Replaces the password hash and bumps credential_version.
  virtual Result<bool> SetPassword(int64_t id, std::string_view password_hash) = 0;
  virtual Result<bool> SetSysadmin(int64_t id, bool sysadmin) = 0;
  // Deletes the user and their memberships; projects they own pass to the built-in admin (id 1).
  virtual Result<bool> Delete(int64_t id) = 0;
  // Users whose name contains `name_part` (all when empty), by id.
  virtual Result<Listing<UserRecord>> List(std::string_view name_part, Paging paging) = 0;
  virtual Result<int64_t> Count() = 0;
};

// LDAP group DNs are stored trimmed and lower-cased (as Harbor does) and looked up the same way.
class GroupStore {
 public:
  virtual ~GroupStore() = default;
  // kConflict when a group of the same type has the same name, or (LDAP) the same DN.
  virtual Result<int64_t> Create(const GroupRecord& group) = 0;
  virtual Result<std::optional<GroupRecord>> FindById(int64_t id) = 0;
  virtual Result<std::optional<GroupRecord>> FindByDn(std::string_view ldap_group_dn) = 0;
  virtual Result<std::optional<GroupRecord>> FindByName(int group_type, std::string_view name) = 0;
  // kConflict when another group of the same type already has the name.
  virtual Result<bool> Rename(int64_t id, std::string_view name) = 0;
  // Deletes the group, its project memberships and its user list.
  virtual Result<bool> Delete(int64_t id) = 0;
  virtual Result<Listing<GroupRecord>> List(std::string_view name_part, Paging paging) = 0;
  // Replaces the groups `user_id` belongs to (LDAP/OIDC login records them here); ids of groups
  // that do not exist are skipped; false when the user does not exist. MemberStore::RolesOf and
  // ProjectFilter::visible_to honour the recorded groups.
  virtual Result<bool> SetUserGroups(int64_t user_id, const std::vector<int64_t>& group_ids) = 0;
  virtual Result<std::vector<int64_t>> GroupsOf(int64_t user_id) = 0;
};

struct ProjectFilter {
  std::string name_part;              // substring match; empty = all
  std::optional<bool> is_public;      // only public / only private
  std::optional<int64_t> visible_to;  // user id: public projects plus those the user is a member of
                                      // (directly or through a group recorded by SetUserGroups)
  std::vector<int64_t> via_groups;    // with visible_to: further group ids of the user
};

class ProjectStore {
 public:
  virtual ~ProjectStore() = default;
  // Creates the project and makes its owner a project admin, in one transaction.
  virtual Result<int64_t> Create(const ProjectRecord& project) = 0;
  virtual Result<std::optional<ProjectRecord>> FindById(int64_t id) = 0;
  virtual Result<std::optional<ProjectRecord>> FindByName(std::string_view name) = 0;
  // Sets visibility and merges metadata (an empty value removes the key). The storage limit is
  // changed only through QuotaStore::SetHard, so an update never undoes a concurrent limit change.
  virtual Result<bool> Update(const ProjectRecord& project) = 0;
  // kPreconditionFailed while repositories exist in the project.
  virtual Result<bool> Delete(int64_t id) = 0;
  virtual Result<Listing<ProjectRecord>> List(const ProjectFilter& filter, Paging paging) = 0;
};

class MemberStore {
 public:
  virtual ~MemberStore() = default;
  virtual Result<int64_t> Add(const MemberRecord& member) = 0;  // kConflict when already a member
  virtual Result<std::optional<MemberRecord>> Find(int64_t project_id, int64_t member_id) = 0;
  virtual Result<bool> UpdateRole(int64_t project_id, int64_t member_id, int role) = 0;
  virtual Result<bool> Remove(int64_t project_id, int64_t member_id) = 0;
  virtual Result<Listing<MemberRecord>> List(int64_t project_id, std::string_view name_part, Paging paging) = 0;
  // Roles per project for a user: direct, through the groups recorded for the user
  // (GroupStore::SetUserGroups) and through any of `group_ids`.
  virtual Result<std::map<int64_t, std::vector<int>>> RolesOf(int64_t user_id, const std::vector<int64_t>& group_ids) = 0;
};

struct RobotFilter {
  std::optional<std::string> level;
  std::optional<int64_t> project_id;
  std::string name_part;
};

class RobotStore {
 public:
  virtual ~RobotStore() = default;
  virtual Result<int64_t> Create(const RobotRecord& robot) = 0;
  virtual Result<std::optional<RobotRecord>> FindById(int64_t id) = 0;
  virtual Result<std::optional<RobotRecord>> FindByName(std::string_view name) = 0;
  // Updates description, disabled, duration, expires_at and permissions (bumps credential_version
  // when disabled changes).
  virtual Result<bool> Update(const RobotRecord& robot) = 0;
  virtual Result<bool> SetSecret(int64_t id, std::string_view secret_hash) = 0;
  virtual Result<bool> Delete(int64_t id) = 0;
  virtual Result<Listing<RobotRecord>> List(const RobotFilter& filter, Paging paging) = 0;
};

struct AuditFilter {
  std::optional<int64_t> project_id;
  std::string username;
  std::string resource_part;
  std::string operation;
  std::string resource_type;
  std::string event_type;
  std::optional<int64_t> from_time;
  std::optional<int64_t> to_time;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual Result<int64_t> Append(const AuditRecord& record) = 0;
  // All records in one transaction (op_time 0 = now).
  virtual Result<void> AppendBatch(const std::vector<AuditRecord>& records) = 0;
  // Newest first.
  virtual Result<Listing<AuditRecord>> List(const AuditFilter& filter, Paging paging) = 0;
};

}  // namespace berth::store
