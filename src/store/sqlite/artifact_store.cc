// SqliteArtifactStore: the read side (repositories, artifacts, tags, statistics) and the small
// writes (description, tags, pulls). Copies and repository deletes are in artifact_writes.cc.
#include <algorithm>
#include <array>
#include <string_view>

#include "base/clock.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/id_lists.h"
#include "store/sqlite/paging.h"
#include "store/sqlite/sqlite_stores.h"

namespace berth::store::sqlite {

namespace {

// ---- repositories ----

// A top-level ("base") artifact: tagged, or not the child of another manifest in its repository.
#define BERTH_BASE_ARTIFACT                                                                        \
  "(EXISTS (SELECT 1 FROM tags bt WHERE bt.manifest_id = m.id) OR NOT EXISTS (SELECT 1 FROM "      \
  "manifest_children bmc WHERE bmc.repository_id = m.repository_id AND bmc.child_digest = m.digest))"

constexpr const char* kRepoSelect =
    "SELECT r.id, r.project_id, COALESCE(p.name, ''), COALESCE(p.public, 0), r.name, r.description, "
    "(SELECT count(*) FROM manifests m WHERE m.repository_id = r.id AND " BERTH_BASE_ARTIFACT "), "
    "r.pull_count, r.created_at, r.updated_at FROM repositories r LEFT JOIN projects p ON p.id = r.project_id ";

constexpr const char* kRepoWhere =
    "WHERE EXISTS (SELECT 1 FROM manifests em WHERE em.repository_id = r.id) AND (?1 < 0 OR r.project_id = ?1) "
    "AND (?2 = '' OR r.name = ?2) AND (?3 = '' OR instr(lower(r.name), lower(?3)) > 0) "
    "AND (?4 = 1 OR p.public = 1 OR instr(?5, ',' || r.project_id || ',') > 0) ";

RepositoryRecord RowToRepository(const Stmt& s) {
  RepositoryRecord r;
  r.id = s.Int(0);
  r.project_id = s.Int(1);
  r.project_name = s.Text(2);
  r.project_public = s.Int(3) != 0;
  r.name = s.Text(4);
  r.description = s.Text(5);
  r.artifact_count = s.Int(6);
  r.pull_count = s.Int(7);
  r.created_at = s.Int(8);
  r.updated_at = s.Int(9);
  return r;
}

struct SortOption {
  std::string_view key;
  const char* order;
};

const SortOption kRepoSorts[] = {
    {"name", "r.name, r.id"},
    {"-name", "r.name DESC, r.id DESC"},
    {"creation_time", "r.created_at, r.id"},
    {"-creation_time", "r.created_at DESC, r.id DESC"},
    {"update_time", "r.updated_at, r.id"},
    {"-update_time", "r.updated_at DESC, r.id DESC"},
    {"pull_count", "r.pull_count, r.id"},
    {"-pull_count", "r.pull_count DESC, r.id DESC"},
    {"id", "r.id"},
    {"-id", "r.id DESC"},
};

// ---- artifacts ----

// An artifact's size: its manifest, its blobs and its index children's (blob_bytes,
// config_media_type and config_digest are stored at push time, migration 0013).
#define BERTH_ARTIFACT_SIZE                                                                              \
  "(m.size + m.blob_bytes + (SELECT COALESCE(sum(c.size + c.blob_bytes), 0) FROM manifest_children mc " \
  "JOIN manifests c ON c.repository_id = m.repository_id AND c.digest = mc.child_digest WHERE mc.parent_id = m.id))"

constexpr const char* kArtifactSelect =
    "SELECT m.id, m.repository_id, r.project_id, r.name, m.digest, m.media_type, m.config_media_type, "
    "m.artifact_type, " BERTH_ARTIFACT_SIZE ", m.content, m.annotations, m.pushed_at, COALESCE(m.pulled_at, 0), "
    "m.config_digest, m.extra_attrs "
    "FROM manifests m JOIN repositories r ON r.id = m.repository_id ";

constexpr const char* kArtifactWhere =
    "WHERE r.name = ?1 "
    "AND (?2 = 0 OR (?2 = 1) = EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id)) "
    "AND (?3 = '' OR EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id AND t.name = ?3)) "
    "AND (?4 = '' OR EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id AND instr(lower(t.name), lower(?4)) > 0)) "
    "AND (?5 = '' OR m.digest = ?5) "
    "AND (?6 = '' OR (instr(?6, char(10) || m.config_media_type || char(10)) > 0) <> ?7) "
    "AND (?8 = 0 OR (SELECT count(*) FROM artifact_labels al WHERE al.manifest_id = m.id "
    "AND instr(?9, ',' || al.label_id || ',') > 0) = ?8) "
    "AND (?10 = 1 OR ?5 <> '' OR " BERTH_BASE_ARTIFACT ") ";

const SortOption kArtifactSorts[] = {
    {"push_time", "m.pushed_at, m.id"},
    {"-push_time", "m.pushed_at DESC, m.id DESC"},
    {"pull_time", "COALESCE(m.pulled_at, 0), m.id"},
    {"-pull_time", "COALESCE(m.pulled_at, 0) DESC, m.id DESC"},
    {"id", "m.id"},
    {"-id", "m.id DESC"},
};

ArtifactRecord RowToArtifact(const Stmt& s) {
  ArtifactRecord a;
  a.id = s.Int(0);
  a.repository_id = s.Int(1);
  a.project_id = s.Int(2);
  a.repository_name = s.Text(3);
  a.digest = *Digest::Parse(s.Text(4));
  a.manifest_media_type = s.Text(5);
  a.media_type = s.Text(6);
  a.artifact_type = s.Text(7);
  a.size = s.Int(8);
  a.content = s.Text(9);
  a.annotations_json = s.Text(10);
  a.pushed_at = s.Int(11);
  a.pulled_at = s.Int(12);
  a.config_digest = s.Text(13);
  if (!s.IsNull(14)) a.extra_attrs = s.Text(14);
  return a;
}

// ---- tags ----

constexpr const char* kTagSelect =
    "SELECT COALESCE(t.id, 0), t.repository_id, t.manifest_id, t.name, t.pushed_at, COALESCE(t.pulled_at, 0) "
    "FROM tags t ";
constexpr const char* kTagWhere = "WHERE t.manifest_id = ?1 AND (?2 = '' OR instr(lower(t.name), lower(?2)) > 0) ";

const SortOption kTagSorts[] = {
    {"push_time", "t.pushed_at, t.id"}, {"-push_time", "t.pushed_at DESC, t.id DESC"},
    {"name", "t.name"},                 {"-name", "t.name DESC"},
    {"id", "t.id"},                     {"-id", "t.id DESC"},
};

TagRecord RowToTag(const Stmt& s) {
  TagRecord t;
  t.id = s.Int(0);
  t.repository_id = s.Int(1);
  t.artifact_id = s.Int(2);
  t.name = s.Text(3);
  t.pushed_at = s.Int(4);
  t.pulled_at = s.Int(5);
  return t;
}

// One page statement per sort key, built once (statements are cached by their text's address).
template <size_t N>
std::array<std::string, N> BuildPageSqls(const char* select, const char* where, const SortOption (&sorts)[N],
                                         int limit_param) {
  std::array<std::string, N> out;
  for (size_t i = 0; i < N; ++i)
    out[i] = std::string(select) + where + "ORDER BY " + sorts[i].order + " LIMIT ?" + std::to_string(limit_param) +
             " OFFSET ?" + std::to_string(limit_param + 1);
  return out;
}

template <size_t N>
Result<const std::string*> Choose(const SortOption (&sorts)[N], const std::array<std::string, N>& sqls,
                                  std::string_view key, std::string_view fallback) {
  if (key.empty()) key = fallback;
  for (size_t i = 0; i < N; ++i)
    if (sorts[i].key == key) return &sqls[i];
  return Fail(Errc::kBadRequest, "unsupported sort key: " + std::string(key));
}

}  // namespace

// ---- repositories ----

Result<Listing<RepositoryRecord>> SqliteArtifactStore::ListRepositories(const RepositoryFilter& f, Paging paging) {
  static const std::string count_sql =
      std::string("SELECT count(*) FROM repositories r LEFT JOIN projects p ON p.id = r.project_id ") + kRepoWhere;
  static const auto page_sqls = BuildPageSqls(kRepoSelect, kRepoWhere, kRepoSorts, 6);
  auto page_sql = Choose(kRepoSorts, page_sqls, f.sort, "-creation_time");
  if (!page_sql) return std::unexpected(page_sql.error());
  int64_t project = f.project_id.value_or(-1);
  std::string ids = IdList(f.visibility.project_ids);
  return db_.Read([&](Conn& c) -> Result<Listing<RepositoryRecord>> {
    auto bind = [&](Stmt& s) {
      s.Bind(1, project).Bind(2, f.name).Bind(3, f.name_part).Bind(4, int64_t{f.visibility.all}).Bind(5, ids);
    };
    return CountAndPage<RepositoryRecord>(c, count_sql, **page_sql, 6, paging, bind, RowToRepository);
  });
}

Result<std::optional<RepositoryRecord>> SqliteArtifactStore::FindRepository(std::string_view name) {
  static const std::string sql = std::string(kRepoSelect) +
                                 "WHERE r.name = ? AND EXISTS (SELECT 1 FROM manifests em WHERE em.repository_id = r.id)";
  return db_.Read([&](Conn& c) -> Result<std::optional<RepositoryRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, name);
    if (!s.Step()) return std::nullopt;
    return RowToRepository(s);
  });
}

Result<bool> SqliteArtifactStore::SetRepositoryDescription(std::string_view name, std::string_view description) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE repositories SET description = ?, updated_at = ? WHERE name = ? "
              "AND EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = repositories.id)")
        .Bind(1, description).Bind(2, now).Bind(3, name).Run();
    return c.Changes() > 0;
  });
}

// ---- artifacts ----

Result<Listing<ArtifactRecord>> SqliteArtifactStore::ListArtifacts(std::string_view repository,
                                                                   const ArtifactFilter& f, Paging paging) {
  static const std::string count_sql =
      std::string("SELECT count(*) FROM manifests m JOIN repositories r ON r.id = m.repository_id ") + kArtifactWhere;
  static const auto page_sqls = BuildPageSqls(kArtifactSelect, kArtifactWhere, kArtifactSorts, 11);
  auto page_sql = Choose(kArtifactSorts, page_sqls, f.sort, "-push_time");
  if (!page_sql) return std::unexpected(page_sql.error());
  int64_t tagged = f.tagged == ArtifactFilter::Tagged::kAny ? 0 : f.tagged == ArtifactFilter::Tagged::kTagged ? 1 : 2;
  std::string media;
  if (!f.media_types.empty()) {
    media = "\n";
    for (const auto& t : f.media_types) media += t + "\n";
  }
  std::vector<int64_t> labels = f.label_ids;
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::string label_list = IdList(labels);
  return db_.Read([&](Conn& c) -> Result<Listing<ArtifactRecord>> {
    auto bind = [&](Stmt& s) {
      s.Bind(1, repository).Bind(2, tagged).Bind(3, f.tag).Bind(4, f.tag_part).Bind(5, f.digest).Bind(6, media)
          .Bind(7, int64_t{f.media_types_negate}).Bind(8, static_cast<int64_t>(labels.size())).Bind(9, label_list)
          .Bind(10, int64_t{f.all});
    };
    return CountAndPage<ArtifactRecord>(c, count_sql, **page_sql, 11, paging, bind, RowToArtifact);
  });
}

Result<std::optional<ArtifactRecord>> SqliteArtifactStore::FindByDigest(std::string_view repository,
                                                                        const Digest& digest) {
  static const std::string sql = std::string(kArtifactSelect) + "WHERE r.name = ? AND m.digest = ?";
  std::string d = digest.str();
  return db_.Read([&](Conn& c) -> Result<std::optional<ArtifactRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, repository).Bind(2, d);
    if (!s.Step()) return std::nullopt;
    return RowToArtifact(s);
  });
}

Result<std::optional<ArtifactRecord>> SqliteArtifactStore::FindByTag(std::string_view repository,
                                                                     std::string_view tag) {
  static const std::string sql =
      std::string(kArtifactSelect) + "JOIN tags ft ON ft.manifest_id = m.id WHERE r.name = ? AND ft.name = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<ArtifactRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, repository).Bind(2, tag);
    if (!s.Step()) return std::nullopt;
    return RowToArtifact(s);
  });
}

Result<std::vector<ChildRecord>> SqliteArtifactStore::Children(int64_t artifact_id) {
  return db_.Read([&](Conn& c) -> Result<std::vector<ChildRecord>> {
    auto s = c.Prepare(
        "SELECT mc.child_digest, COALESCE(c.id, 0), COALESCE(c.size + c.blob_bytes, 0) "
        "FROM manifest_children mc JOIN manifests p ON p.id = mc.parent_id "
        "LEFT JOIN manifests c ON c.repository_id = p.repository_id AND c.digest = mc.child_digest "
        "WHERE mc.parent_id = ? ORDER BY mc.child_digest");
    s.Bind(1, artifact_id);
    std::vector<ChildRecord> out;
    while (s.Step()) out.push_back(ChildRecord{*Digest::Parse(s.Text(0)), s.Int(1), s.Int(2)});
    return out;
  });
}

// ---- tags ----

Result<Listing<TagRecord>> SqliteArtifactStore::ListTags(int64_t artifact_id, std::string_view name_part,
                                                         std::string_view sort, Paging paging) {
  static const std::string count_sql = std::string("SELECT count(*) FROM tags t ") + kTagWhere;
  static const auto page_sqls = BuildPageSqls(kTagSelect, kTagWhere, kTagSorts, 3);
  auto page_sql = Choose(kTagSorts, page_sqls, sort, "-push_time");
  if (!page_sql) return std::unexpected(page_sql.error());
  return db_.Read([&](Conn& c) -> Result<Listing<TagRecord>> {
    auto bind = [&](Stmt& s) { s.Bind(1, artifact_id).Bind(2, name_part); };
    return CountAndPage<TagRecord>(c, count_sql, **page_sql, 3, paging, bind, RowToTag);
  });
}

Result<std::map<int64_t, std::vector<TagRecord>>> SqliteArtifactStore::TagsOf(const std::vector<int64_t>& artifact_ids) {
  static const std::string sql = std::string(kTagSelect) +
                                 "WHERE t.manifest_id IN (SELECT value FROM json_each(?1)) "
                                 "ORDER BY t.manifest_id, t.pushed_at DESC, t.id DESC";
  std::map<int64_t, std::vector<TagRecord>> out;
  if (artifact_ids.empty()) return out;
  std::string ids = JsonIdArray(artifact_ids);
  return db_.Read([&](Conn& c) -> Result<std::map<int64_t, std::vector<TagRecord>>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, ids);
    while (s.Step()) {
      TagRecord t = RowToTag(s);
      out[t.artifact_id].push_back(std::move(t));
    }
    return out;
  });
}

Result<bool> SqliteArtifactStore::CreateTag(int64_t artifact_id, std::string_view name) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    int64_t repo = 0;
    {
      auto s = c.Prepare("SELECT repository_id FROM manifests WHERE id = ?");
      s.Bind(1, artifact_id);
      if (!s.Step()) return false;
      repo = s.Int(0);
    }
    {
      auto s = c.Prepare("SELECT 1 FROM tags WHERE repository_id = ? AND name = ?");
      s.Bind(1, repo).Bind(2, name);
      if (s.Step()) return Fail(Errc::kConflict, "the tag " + std::string(name) + " already exists in the repository");
    }
    c.Prepare("INSERT INTO tags(repository_id, name, manifest_id, pushed_at) VALUES(?, ?, ?, ?)")
        .Bind(1, repo).Bind(2, name).Bind(3, artifact_id).Bind(4, now).Run();
    c.Prepare("UPDATE repositories SET updated_at = ? WHERE id = ?").Bind(1, now).Bind(2, repo).Run();
    return true;
  });
}

Result<bool> SqliteArtifactStore::DeleteTag(int64_t artifact_id, std::string_view name) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM tags WHERE manifest_id = ? AND name = ?").Bind(1, artifact_id).Bind(2, name).Run();
    return c.Changes() > 0;
  });
}

// ---- pulls and statistics ----

Result<void> SqliteArtifactStore::RecordPulls(const std::vector<PullRecord>& pulls) {
  if (pulls.empty()) return {};
  return db_.Write([&](Conn& c) -> Result<void> {
    for (const auto& p : pulls) {
      auto repo = RepositoryId(c, p.repository);
      if (!repo) continue;
      std::string d = p.digest.str();
      c.Prepare("UPDATE repositories SET pull_count = pull_count + ? WHERE id = ?").Bind(1, p.count).Bind(2, *repo).Run();
      c.Prepare("UPDATE manifests SET pulled_at = max(COALESCE(pulled_at, 0), ?) WHERE repository_id = ? AND digest = ?")
          .Bind(1, p.at).Bind(2, *repo).Bind(3, d).Run();
      if (!p.tag.empty())
        c.Prepare("UPDATE tags SET pulled_at = max(COALESCE(pulled_at, 0), ?) WHERE repository_id = ? AND name = ?")
            .Bind(1, p.at).Bind(2, *repo).Bind(3, p.tag).Run();
    }
    return {};
  });
}

Result<StatisticsRecord> SqliteArtifactStore::Statistics(const Visibility& v) {
  std::string ids = IdList(v.project_ids);
  int64_t all = v.all;
  return db_.Read([&](Conn& c) -> Result<StatisticsRecord> {
    StatisticsRecord out;
    {
      auto s = c.Prepare(
          "SELECT COALESCE(sum(public = 1), 0), COALESCE(sum(public = 0), 0) FROM projects "
          "WHERE public = 1 OR ?1 = 1 OR instr(?2, ',' || id || ',') > 0");
      s.Bind(1, all).Bind(2, ids);
      if (s.Step()) {
        out.public_projects = s.Int(0);
        out.private_projects = s.Int(1);
      }
    }
    {
      auto s = c.Prepare(
          "SELECT COALESCE(sum(p.public = 1), 0), COALESCE(sum(p.public = 0), 0) FROM repositories r "
          "JOIN projects p ON p.id = r.project_id WHERE EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id) "
          "AND (p.public = 1 OR ?1 = 1 OR instr(?2, ',' || p.id || ',') > 0)");
      s.Bind(1, all).Bind(2, ids);
      if (s.Step()) {
        out.public_repositories = s.Int(0);
        out.private_repositories = s.Int(1);
      }
    }
    {
      auto s = c.Prepare(
          "SELECT (SELECT COALESCE(sum(size), 0) FROM blobs WHERE ref_count > 0) + "
          "(SELECT COALESCE(sum(size), 0) FROM manifests)");
      if (s.Step()) out.storage_bytes = s.Int(0);
    }
    return out;
  });
}

#undef BERTH_BASE_ARTIFACT
#undef BERTH_ARTIFACT_SIZE

}  // namespace berth::store::sqlite
