-- Harbor's artifact model over the registry core (an artifact is a manifests row, its id the
-- artifact id): repository description and pull count, tag ids and pull times, labels and their
-- attachment to artifacts. Nothing here duplicates what 0001 stores.
ALTER TABLE repositories ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE repositories ADD COLUMN pull_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tags ADD COLUMN pulled_at INTEGER;
-- Tag ids (Harbor shows them): existing tags are numbered once; every new tag row gets the next
-- id from a trigger, whichever code path inserts it (a /v2 push, a REST tag create, a copy).
-- Re-pointing a tag updates its row and keeps its id.
ALTER TABLE tags ADD COLUMN id INTEGER;
UPDATE tags SET id = n.rn
  FROM (SELECT repository_id, name, row_number() OVER (ORDER BY pushed_at, repository_id, name) AS rn FROM tags) AS n
  WHERE n.repository_id = tags.repository_id AND n.name = tags.name;
CREATE UNIQUE INDEX tags_id ON tags(id);
CREATE TRIGGER tags_assign_id AFTER INSERT ON tags WHEN NEW.id IS NULL BEGIN
  UPDATE tags SET id = (SELECT COALESCE(MAX(id), 0) + 1 FROM tags)
    WHERE repository_id = NEW.repository_id AND name = NEW.name;
END;
-- Labels: scope 'g' (global, project_id NULL) or 'p' (of one project, deleted with it).
CREATE TABLE labels(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  color TEXT NOT NULL DEFAULT '',
  scope TEXT NOT NULL CHECK(scope IN ('g', 'p')),
  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK((scope = 'g') = (project_id IS NULL))
);
CREATE UNIQUE INDEX labels_name ON labels(scope, COALESCE(project_id, 0), name);
CREATE INDEX labels_project ON labels(project_id);
CREATE TABLE artifact_labels(
  manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
  label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(manifest_id, label_id)
) WITHOUT ROWID;
CREATE INDEX artifact_labels_label ON artifact_labels(label_id);
