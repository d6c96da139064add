"""OCI distribution-spec workflow 4: content management (deletes), plus UNSUPPORTED methods."""

import pytest

from e2e_lib import (OCI_INDEX, assert_error, make_artifact, make_image, make_index, random_blob,
                     sha256, unique)


def repo_name():
    return f"mgmt/{unique()}"


def test_delete_manifest_by_digest_removes_all_tags(module_registry):
    api, repo = module_registry.api, repo_name()
    doomed, keeper = make_image(), make_image()
    api.push_image(repo, "a", doomed)
    for t in ("b", "c"):
        assert api.put_manifest(repo, t, doomed.manifest, doomed.media_type).status_code == 201
    api.push_image(repo, "keep", keeper)
    r = api.delete(f"/v2/{repo}/manifests/{doomed.digest}")
    assert r.status_code == 202, r.text
    assert_error(api.get_manifest(repo, doomed.digest), 404, "MANIFEST_UNKNOWN")
    assert api.get_manifest(repo, doomed.digest, method="HEAD").status_code == 404
    for t in ("a", "b", "c"):
        assert_error(api.get_manifest(repo, t), 404, "MANIFEST_UNKNOWN")
    assert api.tags(repo) == ["keep"]
    assert api.get_manifest(repo, "keep").content == keeper.manifest
    # Deleting again: it is gone.
    assert_error(api.delete(f"/v2/{repo}/manifests/{doomed.digest}"), 404, "MANIFEST_UNKNOWN")


def test_delete_by_tag_only_untags(module_registry):
    api, repo = module_registry.api, repo_name()
    img = make_image()
    api.push_image(repo, "one", img)
    assert api.put_manifest(repo, "two", img.manifest, img.media_type).status_code == 201
    r = api.delete(f"/v2/{repo}/manifests/one")
    assert r.status_code == 202, r.text
    assert_error(api.get_manifest(repo, "one"), 404, "MANIFEST_UNKNOWN")
    assert api.get_manifest(repo, "two").content == img.manifest
    assert api.get_manifest(repo, img.digest).content == img.manifest
    assert api.tags(repo) == ["two"]
    assert_error(api.delete(f"/v2/{repo}/manifests/one"), 404, "MANIFEST_UNKNOWN")


def test_delete_unknown_manifest(module_registry):
    api, repo = module_registry.api, repo_name()
    api.push_image(repo, "x", make_image(n_layers=1))
    assert_error(api.delete(f"/v2/{repo}/manifests/{sha256(b'nope')}"), 404, "MANIFEST_UNKNOWN")
    assert_error(api.delete(f"/v2/{repo}/manifests/nope"), 404, "MANIFEST_UNKNOWN")
    assert api.tags(repo) == ["x"]


def test_repush_after_delete(module_registry):
    api, repo = module_registry.api, repo_name()
    img = make_image()
    api.push_image(repo, "t", img)
    assert api.delete(f"/v2/{repo}/manifests/{img.digest}").status_code == 202
    api.push_image(repo, "t", img)
    assert api.get_manifest(repo, "t").content == img.manifest


def test_delete_index_keeps_children(module_registry):
    api, repo = module_registry.api, repo_name()
    a, b = make_image(arch="amd64"), make_image(arch="arm64")
    idx = make_index([a, b])
    api.push_image(repo, "multi", idx)
    assert api.delete(f"/v2/{repo}/manifests/{idx.digest}").status_code == 202
    assert_error(api.get_manifest(repo, "multi", accept=OCI_INDEX), 404, "MANIFEST_UNKNOWN")
    for c in (a, b):
        assert api.get_manifest(repo, c.digest).content == c.manifest


def test_delete_referrer_updates_referrers(module_registry):
    api, repo = module_registry.api, repo_name()
    subject = make_image()
    api.push_image(repo, "s", subject)
    keep = make_artifact(subject.desc(), "application/vnd.example.a")
    drop = make_artifact(subject.desc(), "application/vnd.example.b")
    api.push_image(repo, None, keep)
    api.push_image(repo, None, drop)
    r = api.get(f"/v2/{repo}/referrers/{subject.digest}")
    assert {m["digest"] for m in r.json()["manifests"]} == {keep.digest, drop.digest}
    assert api.delete(f"/v2/{repo}/manifests/{drop.digest}").status_code == 202
    r = api.get(f"/v2/{repo}/referrers/{subject.digest}")
    assert r.status_code == 200
    assert {m["digest"] for m in r.json()["manifests"]} == {keep.digest}


def test_delete_blob(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(2048)
    api.upload_blob(repo, data)
    r = api.delete(f"/v2/{repo}/blobs/{d}")
    assert r.status_code == 202, r.text
    assert api.head(f"/v2/{repo}/blobs/{d}").status_code == 404
    assert_error(api.get_blob(repo, d), 404, "BLOB_UNKNOWN")
    assert_error(api.delete(f"/v2/{repo}/blobs/{d}"), 404, "BLOB_UNKNOWN")
    # Upload again works.
    api.upload_blob(repo, data)
    assert api.get_blob(repo, d).content == data


def test_delete_blob_is_scoped_to_repository(module_registry):
    api, a, b = module_registry.api, repo_name(), repo_name()
    data, d = random_blob(999)
    api.upload_blob(a, data)
    r = api.post(f"/v2/{b}/blobs/uploads/?mount={d}&from={a}")
    assert r.status_code == 201, r.text
    assert api.delete(f"/v2/{a}/blobs/{d}").status_code == 202
    assert not api.blob_exists(a, d)
    assert api.get_blob(b, d).content == data


def test_delete_unknown_blob(module_registry):
    api, repo = module_registry.api, repo_name()
    api.upload_blob(repo, b"present")
    assert_error(api.delete(f"/v2/{repo}/blobs/{sha256(b'absent')}"), 404, "BLOB_UNKNOWN")


def test_deletes_survive_restart(registry):
    api, repo = registry.api, repo_name()
    a, b = make_image(), make_image()
    api.push_image(repo, "a", a)
    api.push_image(repo, "b", b)
    api.push_image(repo, "b2", b)
    data, d = random_blob(100)
    api.upload_blob(repo, data)
    assert api.delete(f"/v2/{repo}/manifests/{a.digest}").status_code == 202
    assert api.delete(f"/v2/{repo}/manifests/b2").status_code == 202
    assert api.delete(f"/v2/{repo}/blobs/{d}").status_code == 202
    registry.restart()
    assert_error(api.get_manifest(repo, "a"), 404, "MANIFEST_UNKNOWN")
    assert_error(api.get_manifest(repo, a.digest), 404, "MANIFEST_UNKNOWN")
    assert_error(api.get_manifest(repo, "b2"), 404, "MANIFEST_UNKNOWN")
    assert api.get_manifest(repo, "b").content == b.manifest
    assert api.tags(repo) == ["b"]
    assert not api.blob_exists(repo, d)


@pytest.mark.parametrize("method,path", [
    ("PATCH", "/v2/{repo}/manifests/latest"),
    ("POST", "/v2/{repo}/manifests/latest"),
    ("PUT", "/v2/{repo}/blobs/{digest}"),
    ("POST", "/v2/{repo}/blobs/{digest}"),
    ("DELETE", "/v2/{repo}/tags/list"),
    ("PUT", "/v2/{repo}/tags/list"),
    ("POST", "/v2/_catalog"),
    ("PUT", "/v2/{repo}/referrers/{digest}"),
])
def test_unsupported_method(module_registry, method, path):
    api, repo = module_registry.api, repo_name()
    img = make_image(n_layers=1)
    api.push_image(repo, "latest", img)
    d = sha256(img.config)
    r = api.request(method, path.format(repo=repo, digest=d), data=b"{}",
                    headers={"Content-Type": "application/octet-stream"})
    assert_error(r, 405, "UNSUPPORTED")
    # Nothing changed.
    assert api.get_manifest(repo, "latest").content == img.manifest
    assert api.get_blob(repo, d).content == img.config


def test_startup_and_restart_are_fast(registry):
    """Ready again (GET /v2/ -> 200) soon after a restart with data to reopen, which is all there.
    Start-up reads no storage, so it takes milliseconds (a few hundred under ASan on a loaded
    machine); the bound is loose on purpose — this guards against start-up work growing with the
    data (a scan), not a benchmark."""
    api = registry.api
    for i in range(20):
        api.push_image(f"mgmt/fast{i % 4}", f"t{i}", make_image(n_layers=1, layer_size=64))
    import time
    registry.stop()
    t0 = time.monotonic()
    registry.start()
    took = time.monotonic() - t0
    assert took < 5.0, f"restart took {took:.2f} s to become ready"
    assert len(api.catalog()) >= 4
