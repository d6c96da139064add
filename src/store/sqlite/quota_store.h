// SqliteQuotaStore: store::QuotaStore over the quotas, projects and project_usage of one Db.
// Thread-safe (Db serializes writes; reads use pooled connections).
#pragma once
#include "store/quota_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteQuotaStore final : public QuotaStore {
 public:
  explicit SqliteQuotaStore(Db& db) : db_(db) {}
  Result<Listing<QuotaRecord>> List(const QuotaFilter& filter, Paging paging) override;
  Result<std::optional<QuotaRecord>> Find(int64_t id) override;
  Result<std::optional<QuotaRecord>> FindByProject(int64_t project_id) override;
  Result<bool> SetHard(int64_t id, int64_t hard) override;
  Result<std::vector<QuotaDrift>> Verify() override;

 private:
  Db& db_;
};

}  // namespace berth::store::sqlite
