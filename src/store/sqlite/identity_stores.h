// SQLite implementations of the identity and tenancy stores, sharing one Db.
// Thread-safe (Db serializes writes; reads use pooled connections).
#pragma once
#include "store/identity_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteUserStore final : public UserStore {
 public:
  explicit SqliteUserStore(Db& db) : db_(db) {}
  Result<int64_t> Create(const UserRecord& user) override;
  Result<std::optional<UserRecord>> FindById(int64_t id) override;
  Result<std::optional<UserRecord>> FindByName(std::string_view username) override;
  Result<bool> UpdateProfile(const UserRecord& user) override;
  Result<bool> SetPassword(int64_t id, std::string_view password_hash) override;
  Result<bool> SetSysadmin(int64_t id, bool sysadmin) override;
  Result<bool> Delete(int64_t id) override;
  Result<Listing<UserRecord>> List(std::string_view name_part, Paging paging) override;
  Result<int64_t> Count() override;

 private:
  Db& db_;
};

class SqliteGroupStore final : public GroupStore {
 public:
  explicit SqliteGroupStore(Db& db) : db_(db) {}
  Result<int64_t> Create(const GroupRecord& group) override;
  Result<std::optional<GroupRecord>> FindById(int64_t id) override;
  Result<std::optional<GroupRecord>> FindByDn(std::string_view ldap_group_dn) override;
  Result<std::optional<GroupRecord>> FindByName(int group_type, std::string_view name) override;
  Result<bool> Rename(int64_t id, std::string_view name) override;
  Result<bool> Delete(int64_t id) override;
  Result<Listing<GroupRecord>> List(std::string_view name_part, Paging paging) override;
  Result<bool> SetUserGroups(int64_t user_id, const std::vector<int64_t>& group_ids) override;
  Result<std::vector<int64_t>> GroupsOf(int64_t user_id) override;

 private:
  Db& db_;
};

class SqliteProjectStore final : public ProjectStore {
 public:
  explicit SqliteProjectStore(Db& db) : db_(db) {}
  Result<int64_t> Create(const ProjectRecord& project) override;
  Result<std::optional<ProjectRecord>> FindById(int64_t id) override;
  Result<std::optional<ProjectRecord>> FindByName(std::string_view name) override;
  Result<bool> Update(const ProjectRecord& project) override;
  Result<bool> Delete(int64_t id) override;
  Result<Listing<ProjectRecord>> List(const ProjectFilter& filter, Paging paging) override;

 private:
  Db& db_;
};

class SqliteMemberStore final : public MemberStore {
 public:
  explicit SqliteMemberStore(Db& db) : db_(db) {}
  Result<int64_t> Add(const MemberRecord& member) override;
  Result<std::optional<MemberRecord>> Find(int64_t project_id, int64_t member_id) override;
  Result<bool> UpdateRole(int64_t project_id, int64_t member_id, int role) override;
  Result<bool> Remove(int64_t project_id, int64_t member_id) override;
  Result<Listing<MemberRecord>> List(int64_t project_id, std::string_view name_part, Paging paging) override;
  Result<std::map<int64_t, std::vector<int>>> RolesOf(int64_t user_id, const std::vector<int64_t>& group_ids) override;

 private:
  Db& db_;
};

class SqliteRobotStore final : public RobotStore {
 public:
  explicit SqliteRobotStore(Db& db) : db_(db) {}
  Result<int64_t> Create(const RobotRecord& robot) override;
  Result<std::optional<RobotRecord>> FindById(int64_t id) override;
  Result<std::optional<RobotRecord>> FindByName(std::string_view name) override;
  Result<bool> Update(const RobotRecord& robot) override;
  Result<bool> SetSecret(int64_t id, std::string_view secret_hash) override;
  Result<bool> Delete(int64_t id) override;
  Result<Listing<RobotRecord>> List(const RobotFilter& filter, Paging paging) override;

 private:
  Db& db_;
};

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(Db& db) : db_(db) {}
  Result<int64_t> Append(const AuditRecord& record) override;
  Result<void> AppendBatch(const std::vector<AuditRecord>& records) override;
  Result<Listing<AuditRecord>> List(const AuditFilter& filter, Paging paging) override;

 private:
  Db& db_;
};

}  // namespace berth::store::sqlite
