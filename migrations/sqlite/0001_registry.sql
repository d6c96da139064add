-- Registry core: repositories, blobs and their links, manifests, tags, references, uploads.
-- blobs.ref_count = number of manifest_blobs rows naming the blob (all repositories); kept in the
-- same transaction as every manifest put/delete, for garbage collection and quotas.
CREATE TABLE repositories(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE blobs(
  digest TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  ref_count INTEGER NOT NULL DEFAULT 0,
  last_ref_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE repository_blobs(
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL REFERENCES blobs(digest),
  created_at INTEGER NOT NULL,
  PRIMARY KEY(repository_id, digest)
) WITHOUT ROWID;
CREATE INDEX repository_blobs_digest ON repository_blobs(digest);
CREATE TABLE manifests(
  id INTEGER PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  artifact_type TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  content BLOB NOT NULL,
  subject TEXT,
  annotations TEXT NOT NULL DEFAULT '',
  pushed_at INTEGER NOT NULL,
  pulled_at INTEGER,
  UNIQUE(repository_id, digest)
);
CREATE INDEX manifests_subject ON manifests(repository_id, subject) WHERE subject IS NOT NULL;
CREATE TABLE manifest_blobs(
  manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  PRIMARY KEY(manifest_id, digest)
) WITHOUT ROWID;
CREATE INDEX manifest_blobs_digest ON manifest_blobs(digest);
-- Primary-key columns come first in WITHOUT ROWID tables: SQLite 3.40's integrity_check misreports
-- NOT NULL columns placed between them.
CREATE TABLE manifest_children(
  parent_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
  child_digest TEXT NOT NULL,
  repository_id INTEGER NOT NULL,
  PRIMARY KEY(parent_id, child_digest)
) WITHOUT ROWID;
CREATE INDEX manifest_children_child ON manifest_children(repository_id, child_digest);
CREATE TABLE tags(
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
  pushed_at INTEGER NOT NULL,
  PRIMARY KEY(repository_id, name)
) WITHOUT ROWID;
CREATE INDEX tags_manifest ON tags(manifest_id);
CREATE TABLE uploads(
  id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
