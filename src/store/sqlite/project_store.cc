#include "base/clock.h"
#include "store/sqlite/id_lists.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/paging.h"

namespace berth::store::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT p.id, p.name, p.owner_id, COALESCE(u.username, ''), p.public, p.storage_limit, p.created_at, "
    "p.updated_at, (SELECT count(*) FROM repositories r WHERE r.project_id = p.id) "
    "FROM projects p LEFT JOIN users u ON u.id = p.owner_id ";

ProjectRecord RowToProject(const Stmt& s) {
  ProjectRecord p;
  p.id = s.Int(0);
  p.name = s.Text(1);
  p.owner_id = s.Int(2);
  p.owner_name = s.Text(3);
  p.is_public = s.Int(4) != 0;
  p.storage_limit = s.Int(5);
  p.created_at = s.Int(6);
  p.updated_at = s.Int(7);
  p.repo_count = s.Int(8);
  return p;
}

// Fills the metadata of every project of a page with one statement.
void LoadMetadata(Conn& c, std::vector<ProjectRecord>& projects) {
  if (projects.empty()) return;
  std::map<int64_t, ProjectRecord*> by_id;
  std::vector<int64_t> ids;
  for (auto& p : projects) {
    by_id[p.id] = &p;
    ids.push_back(p.id);
  }
  std::string list = JsonIdArray(ids);
  auto s = c.Prepare("SELECT project_id, name, value FROM project_metadata "
                     "WHERE project_id IN (SELECT value FROM json_each(?1))");
  s.Bind(1, list);
  while (s.Step())
    if (auto it = by_id.find(s.Int(0)); it != by_id.end()) it->second->metadata[s.Text(1)] = s.Text(2);
  for (auto& p : projects) p.metadata["public"] = p.is_public ? "true" : "false";
}

void SaveMetadata(Conn& c, int64_t id, const std::map<std::string, std::string>& metadata) {
  for (const auto& [k, v] : metadata) {
    if (k == "public") continue;  // kept in its own column
    if (v.empty()) {
      c.Prepare("DELETE FROM project_metadata WHERE project_id = ? AND name = ?").Bind(1, id).Bind(2, k).Run();
    } else {
      c.Prepare("INSERT INTO project_metadata(project_id, name, value) VALUES(?, ?, ?) "
                "ON CONFLICT(project_id, name) DO UPDATE SET value = excluded.value")
          .Bind(1, id).Bind(2, k).Bind(3, v).Run();
    }
  }
}

std::optional<ProjectRecord> FindWhere(Conn& c, const char* sql, auto bind) {
  auto s = c.Prepare(sql);
  bind(s);
  if (!s.Step()) return std::nullopt;
  std::vector<ProjectRecord> one{RowToProject(s)};
  LoadMetadata(c, one);
  return std::move(one.front());
}

}  // namespace

Result<int64_t> SqliteProjectStore::Create(const ProjectRecord& p) {
  int64_t now = NowUnixSeconds();
  return db_.Write([&](Conn& c) -> Result<int64_t> {
    {
      auto s = c.Prepare("SELECT 1 FROM projects WHERE name = ?");
      s.Bind(1, p.name);
      if (s.Step()) return Fail(Errc::kConflict, "the project " + p.name + " already exists");
    }
    c.Prepare("INSERT INTO projects(name, owner_id, public, storage_limit, created_at, updated_at) "
              "VALUES(?, ?, ?, ?, ?, ?)")
        .Bind(1, p.name).Bind(2, p.owner_id).Bind(3, int64_t{p.is_public}).Bind(4, p.storage_limit).Bind(5, now)
        .Bind(6, now).Run();
    int64_t id = c.LastInsertId();
    SaveMetadata(c, id, p.metadata);
    c.Prepare("INSERT INTO members(project_id, entity_type, entity_id, role, created_at, updated_at) "
              "VALUES(?, 'u', ?, 1, ?, ?)")
        .Bind(1, id).Bind(2, p.owner_id).Bind(3, now).Bind(4, now).Run();
    // Repositories pushed before the project existed (or by name) join it.
    c.Prepare("UPDATE repositories SET project_id = ? WHERE name = ? OR substr(name, 1, ?) = ?")
        .Bind(1, id).Bind(2, p.name).Bind(3, static_cast<int64_t>(p.name.size() + 1)).Bind(4, p.name + "/").Run();
    return id;
  });
}

Result<std::optional<ProjectRecord>> SqliteProjectStore::FindById(int64_t id) {
  static const std::string sql = std::string(kSelect) + "WHERE p.id = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<ProjectRecord>> {
    return FindWhere(c, sql.c_str(), [&](Stmt& s) { s.Bind(1, id); });
  });
}

Result<std::optional<ProjectRecord>> SqliteProjectStore::FindByName(std::string_view name) {
  static const std::string sql = std::string(kSelect) + "WHERE p.name = ?";
  return db_.Read([&](Conn& c) -> Result<std::optional<ProjectRecord>> {
    return FindWhere(c, sql.c_str(), [&](Stmt& s) { s.Bind(1, name); });
  });
}

Result<bool> SqliteProjectStore::Update(const ProjectRecord& p) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    c.Prepare("UPDATE projects SET public = ?, updated_at = ? WHERE id = ?")
        .Bind(1, int64_t{p.is_public}).Bind(2, NowUnixSeconds()).Bind(3, p.id).Run();
    if (c.Changes() == 0) return false;
    SaveMetadata(c, p.id, p.metadata);
    return true;
  });
}

Result<bool> SqliteProjectStore::Delete(int64_t id) {
  return db_.Write([&](Conn& c) -> Result<bool> {
    {
      auto s = c.Prepare(
          "SELECT 1 FROM repositories r WHERE r.project_id = ? "
          "AND EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)");
      s.Bind(1, id);
      if (s.Step()) return Fail(Errc::kPreconditionFailed, "the project contains repositories and cannot be deleted");
    }
    // Repositories without manifests (blobs uploaded, nothing pushed) go with the project.
    c.Prepare("DELETE FROM repositories WHERE project_id = ?").Bind(1, id).Run();
    c.Prepare("DELETE FROM projects WHERE id = ?").Bind(1, id).Run();
    return c.Changes() > 0;
  });
}

Result<Listing<ProjectRecord>> SqliteProjectStore::List(const ProjectFilter& f, Paging paging) {
  // Group ids are few; they are matched with instr() over a ",id,id," list to keep one statement.
  std::string groups = ",";
  for (auto g : f.via_groups) groups += std::to_string(g) + ",";
  int64_t pub = f.is_public ? (*f.is_public ? 1 : 0) : -1;
  int64_t viewer = f.visible_to.value_or(0);
  bool restrict = f.visible_to.has_value();
  static const char* kWhere =
      "WHERE (?1 = '' OR instr(p.name, ?1) > 0) AND (?2 < 0 OR p.public = ?2) AND (?3 = 0 OR p.public = 1 OR "
      "EXISTS (SELECT 1 FROM members m WHERE m.project_id = p.id AND ((m.entity_type = 'u' AND m.entity_id = ?4) "
      "OR (m.entity_type = 'g' AND (instr(?5, ',' || m.entity_id || ',') > 0 OR "
      "m.entity_id IN (SELECT group_id FROM user_group_members WHERE user_id = ?4)))))) ";
  static const std::string count_sql = std::string("SELECT count(*) FROM projects p ") + kWhere;
  static const std::string list_sql = std::string(kSelect) + kWhere + "ORDER BY p.name LIMIT ?6 OFFSET ?7";
  return db_.Read([&](Conn& c) -> Result<Listing<ProjectRecord>> {
    auto bind = [&](Stmt& s) {
      s.Bind(1, f.name_part).Bind(2, pub).Bind(3, int64_t{restrict}).Bind(4, viewer).Bind(5, groups);
    };
    auto out = CountAndPage<ProjectRecord>(c, count_sql, list_sql, 6, paging, bind, RowToProject);
    LoadMetadata(c, out.items);
    return out;
  });
}

}  // namespace berth::store::sqlite
