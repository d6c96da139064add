-- Project storage quotas (issue 6). The hard limit stays in projects.storage_limit (-1 unlimited).
--
-- project_usage is THE definition of a project's usage: the sum of the sizes of the distinct blobs
-- (layers, configs) and manifests referenced by the manifests of the project's repositories. A blob
-- shared by two artifacts of a project counts once; the same blob in two projects counts in both;
-- uploaded blobs that no manifest references count nowhere. `berth quota verify` and
-- POST /api/v2.0/quotas/verify compare it with the running total below.
CREATE VIEW project_usage AS
  SELECT project_id, SUM(size) AS used FROM (
    SELECT r.project_id AS project_id, mb.digest AS digest, b.size AS size
      FROM repositories r JOIN manifests m ON m.repository_id = r.id
      JOIN manifest_blobs mb ON mb.manifest_id = m.id JOIN blobs b ON b.digest = mb.digest
    UNION
    SELECT r.project_id, m.digest, m.size FROM repositories r JOIN manifests m ON m.repository_id = r.id)
  GROUP BY project_id;

-- The running form of that query, kept in the transaction of every manifest insert and delete
-- (InsertManifest / DeleteManifestRow): refs = how many (manifest, referenced digest) pairs of the
-- project name the digest, a manifest counting as referencing itself. A row exists while refs > 0;
-- quotas.used is the sum of its sizes.
CREATE TABLE project_blobs(
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  size INTEGER NOT NULL,
  refs INTEGER NOT NULL,
  PRIMARY KEY(project_id, digest)
) WITHOUT ROWID;

-- One quota per project (Harbor's quota id differs from the project id). warned = a QUOTA_WARNING
-- was issued for the current stay at or above 85% of the limit; cleared when usage drops below.
CREATE TABLE quotas(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL UNIQUE REFERENCES projects(id) ON DELETE CASCADE,
  used INTEGER NOT NULL DEFAULT 0,
  warned INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TRIGGER projects_create_quota AFTER INSERT ON projects BEGIN
  INSERT INTO quotas(project_id, created_at, updated_at) VALUES(NEW.id, NEW.created_at, NEW.created_at);
END;

-- Repositories pushed before their project existed join it when it is created
-- (SqliteProjectStore::Create): the project's counts are rebuilt from its references.
CREATE TRIGGER repositories_join_project AFTER UPDATE OF project_id ON repositories
WHEN NEW.project_id <> OLD.project_id AND NEW.project_id IN (SELECT id FROM projects) BEGIN
  DELETE FROM project_blobs WHERE project_id = NEW.project_id;
  INSERT INTO project_blobs(project_id, digest, size, refs)
    SELECT project_id, digest, size, COUNT(*) FROM (
      SELECT r.project_id AS project_id, mb.digest AS digest, b.size AS size
        FROM repositories r JOIN manifests m ON m.repository_id = r.id
        JOIN manifest_blobs mb ON mb.manifest_id = m.id JOIN blobs b ON b.digest = mb.digest
        WHERE r.project_id = NEW.project_id
      UNION ALL
      SELECT r.project_id, m.digest, m.size FROM repositories r JOIN manifests m ON m.repository_id = r.id
        WHERE r.project_id = NEW.project_id)
    GROUP BY project_id, digest;
  UPDATE quotas SET used = COALESCE((SELECT used FROM project_usage WHERE project_id = NEW.project_id), 0)
    WHERE project_id = NEW.project_id;
END;

-- Existing data: one quota per project, charged with what its manifests already reference.
INSERT INTO project_blobs(project_id, digest, size, refs)
  SELECT project_id, digest, size, COUNT(*) FROM (
    SELECT r.project_id AS project_id, mb.digest AS digest, b.size AS size
      FROM repositories r JOIN manifests m ON m.repository_id = r.id
      JOIN manifest_blobs mb ON mb.manifest_id = m.id JOIN blobs b ON b.digest = mb.digest
    UNION ALL
    SELECT r.project_id, m.digest, m.size FROM repositories r JOIN manifests m ON m.repository_id = r.id)
  WHERE project_id IN (SELECT id FROM projects)
  GROUP BY project_id, digest;
INSERT INTO quotas(project_id, used, created_at, updated_at)
  SELECT p.id, COALESCE((SELECT used FROM project_usage u WHERE u.project_id = p.id), 0), p.created_at, p.created_at
  FROM projects p;
