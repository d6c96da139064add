-- An image's extra_attrs (architecture, author, config, created, os of its config blob), as
-- Harbor keeps them in its artifact table: stored at push time, so an artifact list reads no
-- config blobs (at 100,000 artifacts, reading them was 40% of a list's CPU). NULL = not stored
-- (pushed before this migration, or the config was unreadable at push): such rows are read from
-- the config blob when listed, as before.
ALTER TABLE manifests ADD COLUMN extra_attrs TEXT;
