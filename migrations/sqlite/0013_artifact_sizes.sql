-- Artifact lists show each artifact's size (its manifest, its blobs and its index children's),
-- Harbor type (from the config media type) and image attributes (read from the config blob). These
-- were a sum over manifest_blobs ⋈ blobs and a parse of the manifest for every listed row. They
-- never change after the push (a blob's size is fixed by its digest, a manifest's bytes by
-- theirs), so they are stored once:
--   blob_bytes         sum of the sizes of the blobs the manifest references (not its children's)
--   config_media_type  the config's media type; for an index, the index's own media type
--   config_digest      the config's digest ('' when there is none)
-- New rows get them in InsertManifest (store/sqlite/manifest_store.cc) from the same expressions;
-- tests/unit/sqlite_upgrade_test.cc checks that both give the same listing.
ALTER TABLE manifests ADD COLUMN blob_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE manifests ADD COLUMN config_media_type TEXT NOT NULL DEFAULT '';
ALTER TABLE manifests ADD COLUMN config_digest TEXT NOT NULL DEFAULT '';
UPDATE manifests SET
  blob_bytes = (SELECT COALESCE(sum(b.size), 0) FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.digest
                WHERE mb.manifest_id = manifests.id),
  config_media_type = CASE
    WHEN media_type IN ('application/vnd.oci.image.index.v1+json',
                        'application/vnd.docker.distribution.manifest.list.v2+json') THEN media_type
    WHEN json_valid(CAST(content AS TEXT)) AND json_type(CAST(content AS TEXT), '$.config.mediaType') = 'text'
    THEN json_extract(CAST(content AS TEXT), '$.config.mediaType')
    ELSE '' END,
  config_digest = CASE
    WHEN json_valid(CAST(content AS TEXT)) AND json_type(CAST(content AS TEXT), '$.config.digest') = 'text'
    THEN json_extract(CAST(content AS TEXT), '$.config.digest')
    ELSE '' END;
