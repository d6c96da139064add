-- Artifact lists are paged newest first (ORDER BY pushed_at DESC, id DESC within a repository).
-- Without this index SQLite computed every artifact of the repository (sizes, config media type)
-- into a temporary b-tree before taking the first page; with it, it walks the repository's
-- manifests in order and stops at the page's end. (id is the rowid: the index's last column.)
CREATE INDEX manifests_pushed ON manifests(repository_id, pushed_at);
