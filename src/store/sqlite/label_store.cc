#include "base/clock.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/id_lists.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kLabelColumns =
    "SELECT l.id, l.name, l.description, l.color, l.scope, COALESCE(l.project_id, 0), l.created_at, l.updated_at ";
constexpr int kLabelColumnCount = 8;

LabelRecord RowToLabel(const Stmt& s) {
  LabelRecord l;
  l.id = s.Int(0);
  l.name = s.Text(1);
  l.description = s.Text(2);
  l.color = s.Text(3);
  l.scope = s.Text(4);
  l.project_id = s.Int(5);
  l.created_at = s.Int(6);
  l.updated_at = s.Int(7);
  return l;
}

// True when another label (not `except`) has this name in the same scope and project.
bool NameTaken(Conn& c, std::string_view scope, int64_t project_id, std::string_view name, int64_t except) {
  auto s = c.Prepare("SELECT 1 FROM labels WHERE scope = ? AND COALESCE(project_id, 0) = ? AND name = ? AND id <> ?");
  s.Bind(1, scope).Bind(2, project_id).Bind(3, name).Bind(4, except);
  return s.Step();
}

std::unexpected<Error> Duplicate(std::string_view name) {
  return Fail(Errc::kConflict, "a label named " + std::string(name) + " already exists in this scope");
}

}  // namespace

Result<int64_t> SqliteLabelStore::Create(const LabelRecord& l) {
  int64_t now = NowUnixSeconds();
  int64_t project = l.scope == "p" ? l.project_id : 0;
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    if (NameTaken(c, l.scope, project, l.name, 0)) return Duplicate(l.name);
    if (project != 0) {
      auto s = c.Prepare("SELECT 1 FROM projects WHERE id = ?");
      s.Bind(1, project);
      if (!s.Step()) return Fail(Errc::kNotFound, "project " + std::to_string(project) + " not found");
    }
    auto ins = c.Prepare(
        "INSERT INTO labels(name, description, color, scope, project_id, created_at, updated_at) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)");
    ins.Bind(1, l.name).Bind(2, l.description).Bind(3, l.color).Bind(4, l.scope).Bind(6, now).Bind(7, now);
    if (project != 0) ins.Bind(5, project);
    else ins.BindNull(5);
    ins.Run();
    return c.LastInsertId();
  });
}

Result<std::optional<LabelRecord>> SqliteLabelStore::Find(int64_t id) {
  static const std::string sql = std::string(kLabelColumns) + "FROM labels l WHERE l.id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<LabelRecord>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return RowToLabel(s);
  });
}

Result<bool> SqliteLabelStore::Update(const LabelRecord& l) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    std::string scope;
    int64_t project = 0;
    {
      auto s = c.Prepare("SELECT scope, COALESCE(project_id, 0) FROM labels WHERE id = ?");
      s.Bind(1, l.id);
      if (!s.Step()) return false;
      scope = s.Text(0);
      project = s.Int(1);
    }
    if (NameTaken(c, scope, project, l.name, l.id)) return Duplicate(l.name);
    c.Prepare("UPDATE labels SET name = ?, description = ?, color = ?, updated_at = ? WHERE id = ?")
        .Bind(1, l.name).Bind(2, l.description).Bind(3, l.color).Bind(4, now).Bind(5, l.id).Run();
    return true;
  });
}

Result<bool> SqliteLabelStore::Delete(int64_t id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM artifact_labels WHERE label_id = ?").Bind(1, id).Run();
    c.Prepare("DELETE FROM labels WHERE id = ?").Bind(1, id).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<LabelRecord>> SqliteLabelStore::List(const LabelFilter& f, Paging paging) {
  static const char* kWhere =
      "WHERE l.scope = ?1 AND COALESCE(l.project_id, 0) = ?2 AND (?3 = '' OR instr(lower(l.name), lower(?3)) > 0) ";
  static const std::string count_sql = std::string("SELECT count(*) FROM labels l ") + kWhere;
  static const std::string page_sql =
      std::string(kLabelColumns) + "FROM labels l " + kWhere + "ORDER BY l.id LIMIT ?4 OFFSET ?5";
  int64_t project = f.scope == "p" ? f.project_id : 0;
  return db_.Read([&](Conn& c) -> Result<Listing<LabelRecord>> {
    auto bind = [&](Stmt& s) { s.Bind(1, f.scope).Bind(2, project).Bind(3, f.name_part); };
    return CountAndPage<LabelRecord>(c, count_sql, page_sql, 4, paging, bind, RowToLabel);
  });
}

Result<bool> SqliteLabelStore::Attach(int64_t artifact_id, int64_t label_id) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare("SELECT (SELECT count(*) FROM manifests WHERE id = ?) + (SELECT count(*) FROM labels WHERE id = ?)");
      s.Bind(1, artifact_id).Bind(2, label_id);
      if (!s.Step() || s.Int(0) != 2) return false;
    }
    {
      auto s = c.Prepare("SELECT 1 FROM artifact_labels WHERE manifest_id = ? AND label_id = ?");
      s.Bind(1, artifact_id).Bind(2, label_id);
      if (s.Step()) return Fail(Errc::kConflict, "the label is already attached to the artifact");
    }
    c.Prepare("INSERT INTO artifact_labels(manifest_id, label_id, created_at) VALUES(?, ?, ?)")
        .Bind(1, artifact_id).Bind(2, label_id).Bind(3, now).Run();
    return true;
  });
}

Result<bool> SqliteLabelStore::Detach(int64_t artifact_id, int64_t label_id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("DELETE FROM artifact_labels WHERE manifest_id = ? AND label_id = ?")
        .Bind(1, artifact_id).Bind(2, label_id).Run();
    return c.Changes() > 0;
  });
}

Result<std::map<int64_t, std::vector<LabelRecord>>> SqliteLabelStore::LabelsOf(
    const std::vector<int64_t>& artifact_ids) {
  static const std::string sql = std::string(kLabelColumns) +
                                 ", al.manifest_id FROM artifact_labels al JOIN labels l ON l.id = al.label_id "
                                 "WHERE al.manifest_id IN (SELECT value FROM json_each(?1)) "
                                 "ORDER BY al.manifest_id, al.created_at, l.id";
  std::map<int64_t, std::vector<LabelRecord>> out;
  if (artifact_ids.empty()) return out;
  std::string ids = JsonIdArray(artifact_ids);
  return db_.Read([&](Conn& c) -> Result<std::map<int64_t, std::vector<LabelRecord>>> {
    auto s = c.Prepare(sql.c_str());
    s.Bind(1, ids);
    while (s.Step()) out[s.Int(kLabelColumnCount)].push_back(RowToLabel(s));
    return out;
  });
}

}  // namespace berth::store::sqlite
