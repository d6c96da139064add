-- Chart repository (issue 5): a per-project change counter, the invalidation signal of the
-- cached index.yaml. Triggers move it on every tag insert, re-point and delete and on every
-- repository delete, whichever code path writes (/v2 push, REST copy or delete, chartrepo).
-- project = the repository name up to its first '/'.
CREATE TABLE project_changes(
  project TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER project_changes_tag_insert AFTER INSERT ON tags BEGIN
  INSERT INTO project_changes(project, seq)
    SELECT substr(name, 1, instr(name, '/') - 1), 1 FROM repositories WHERE id = NEW.repository_id
    ON CONFLICT(project) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER project_changes_tag_update AFTER UPDATE OF manifest_id, pushed_at ON tags BEGIN
  INSERT INTO project_changes(project, seq)
    SELECT substr(name, 1, instr(name, '/') - 1), 1 FROM repositories WHERE id = NEW.repository_id
    ON CONFLICT(project) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER project_changes_tag_delete AFTER DELETE ON tags BEGIN
  INSERT INTO project_changes(project, seq)
    SELECT substr(name, 1, instr(name, '/') - 1), 1 FROM repositories WHERE id = OLD.repository_id
    ON CONFLICT(project) DO UPDATE SET seq = seq + 1;
END;
CREATE TRIGGER project_changes_repository_delete BEFORE DELETE ON repositories BEGIN
  INSERT INTO project_changes(project, seq) VALUES(substr(OLD.name, 1, instr(OLD.name, '/') - 1), 1)
    ON CONFLICT(project) DO UPDATE SET seq = seq + 1;
END;
