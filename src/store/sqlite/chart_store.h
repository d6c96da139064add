// SQLite ChartStore (store/chart_store.h) over the registry tables and migration 0009's
// project_changes counter. Thread-safe (Db serializes writes; reads use pooled connections).
#pragma once
#include "store/chart_store.h"
#include "store/sqlite/db.h"

namespace berth::store::sqlite {

class SqliteChartStore final : public ChartStore {
 public:
  explicit SqliteChartStore(Db& db) : db_(db) {}
  Result<std::vector<ChartArtifactRow>> ListChartArtifacts(std::string_view project) override;
  Result<int64_t> ChangeSeq(std::string_view project) override;
  Result<int> DeleteArtifacts(std::string_view repository,
                              const std::vector<std::pair<std::string, std::string>>& digests_and_tags,
                              const EventContext* events) override;

 private:
  Db& db_;
};

}  // namespace berth::store::sqlite
