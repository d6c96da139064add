#include "store/sqlite/chart_store.h"

#include "base/clock.h"
#include "store/sqlite/outbox.h"
#include "store/sqlite/sqlite_stores.h"

namespace berth::store::sqlite {

Result<std::vector<ChartArtifactRow>> SqliteChartStore::ListChartArtifacts(std::string_view project) {
  std::string lo = std::string(project) + "/";
  std::string hi = std::string(project) + "0";  // '0' follows '/': the range is "<project>/…"
  return db_.Read([&](Conn& c) -> Result<std::vector<ChartArtifactRow>> {
    auto s = c.Prepare(
        "SELECT r.name, t.name, m.id, m.digest, m.content, t.pushed_at "
        "FROM repositories r JOIN manifests m ON m.repository_id = r.id JOIN tags t ON t.manifest_id = m.id "
        "WHERE r.name >= ? AND r.name < ? AND instr(substr(r.name, ?), '/') = 0 AND m.artifact_type = ? "
        "ORDER BY r.name, t.name");
    s.Bind(1, lo).Bind(2, hi).Bind(3, static_cast<int64_t>(lo.size() + 1)).Bind(4, kHelmConfigType);
    std::vector<ChartArtifactRow> out;
    while (s.Step()) {
      ChartArtifactRow r;
      r.repository = s.Text(0);
      r.tag = s.Text(1);
      r.manifest_id = s.Int(2);
      r.digest = s.Text(3);
      r.content = s.Text(4);
      r.pushed_at = s.Int(5);
      out.push_back(std::move(r));
    }
    return out;
  });
}

Result<int64_t> SqliteChartStore::ChangeSeq(std::string_view project) {
  return db_.Read([&](Conn& c) -> Result<int64_t> {
    auto s = c.Prepare("SELECT seq FROM project_changes WHERE project = ?");
    s.Bind(1, project);
    return s.Step() ? s.Int(0) : int64_t{0};
  });
}

Result<int> SqliteChartStore::DeleteArtifacts(std::string_view repository,
                                              const std::vector<std::pair<std::string, std::string>>& digests_and_tags,
                                              const EventContext* events) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<int> {
    auto repo = RepositoryId(c, repository);
    if (!repo) return 0;
    int deleted = 0;
    for (const auto& [digest, tag] : digests_and_tags) {
      auto id = ManifestId(c, *repo, digest);
      if (!id) continue;
      if (events)
        InsertArtifactEvent(c, *events, events->type.empty() ? "DELETE_ARTIFACT" : events->type, repository, digest,
                            tag);
      auto done = DeleteManifestRow(c, *repo, *id, digest, now);
      if (!done) return std::unexpected(done.error());
      ++deleted;
    }
    return deleted;
  });
}

}  // namespace berth::store::sqlite
