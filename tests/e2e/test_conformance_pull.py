"""OCI distribution-spec workflow 1: pull (manifests and blobs, by tag and digest)."""

import json

import pytest

from e2e_lib import (ALL_MANIFEST_TYPES, DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST,
                     assert_error, http_raw, make_image, make_index, sha256, unique)


@pytest.fixture(scope="module")
def pushed(module_registry):
    """One repository holding an OCI image, an OCI index, a Docker image and a Docker list."""
    api = module_registry.api
    repo = f"pull/{unique()}"
    img = make_image(layer_size=4096)
    api.push_image(repo, "latest", img)
    idx = make_index([make_image(arch="amd64"), make_image(arch="arm64")])
    api.push_image(repo, "multi", idx)
    dimg = make_image(fmt="docker")
    api.push_image(repo, "docker", dimg)
    dlist = make_index([make_image(fmt="docker", arch="amd64"), make_image(fmt="docker", arch="arm64")],
                       fmt="docker")
    api.push_image(repo, "dockerlist", dlist)
    return {"repo": repo, "img": img, "idx": idx, "dimg": dimg, "dlist": dlist}


def test_base_endpoint(module_registry):
    r = module_registry.api.get("/v2/")
    assert r.status_code == 200


@pytest.mark.parametrize("ref_kind", ["tag", "digest"])
def test_get_manifest(module_registry, pushed, ref_kind):
    api, img = module_registry.api, pushed["img"]
    ref = "latest" if ref_kind == "tag" else img.digest
    r = api.get_manifest(pushed["repo"], ref)
    assert r.status_code == 200, r.text
    assert r.content == img.manifest, "manifest bytes must come back exactly as pushed"
    assert r.headers["Content-Type"] == OCI_MANIFEST
    assert r.headers["Docker-Content-Digest"] == img.digest
    assert int(r.headers["Content-Length"]) == len(img.manifest)


@pytest.mark.parametrize("ref_kind", ["tag", "digest"])
def test_head_manifest(module_registry, pushed, ref_kind):
    api, img = module_registry.api, pushed["img"]
    ref = "latest" if ref_kind == "tag" else img.digest
    r = api.get_manifest(pushed["repo"], ref, method="HEAD")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["Docker-Content-Digest"] == img.digest
    assert int(r.headers["Content-Length"]) == len(img.manifest)
    assert r.headers["Content-Type"] == OCI_MANIFEST


@pytest.mark.parametrize("key,tag,media_type", [
    ("idx", "multi", OCI_INDEX), ("dimg", "docker", DOCKER_MANIFEST),
    ("dlist", "dockerlist", DOCKER_LIST)])
def test_get_other_manifest_types(module_registry, pushed, key, tag, media_type):
    api, m = module_registry.api, pushed[key]
    for ref in (tag, m.digest):
        r = api.get_manifest(pushed["repo"], ref, accept=media_type)
        assert r.status_code == 200, (ref, r.status_code, r.text)
        assert r.content == m.manifest
        assert r.headers["Content-Type"] == media_type
        assert r.headers["Docker-Content-Digest"] == m.digest
    for child in m.children:  # children of an index are pullable by digest
        r = api.get_manifest(pushed["repo"], child.digest)
        assert r.status_code == 200
        assert r.content == child.manifest


def test_accept_negotiation(module_registry, pushed):
    api, repo = module_registry.api, pushed["repo"]
    # Only Docker types accepted, but the manifest is OCI: not found in an acceptable form.
    r = api.get_manifest(repo, "latest", accept=f"{DOCKER_MANIFEST}, {DOCKER_LIST}")
    assert_error(r, 404, "MANIFEST_UNKNOWN")
    r = api.get_manifest(repo, pushed["img"].digest, accept=DOCKER_MANIFEST)
    assert_error(r, 404, "MANIFEST_UNKNOWN")
    # An index is not acceptable when only image manifests are.
    r = api.get_manifest(repo, "multi", accept=OCI_MANIFEST)
    assert_error(r, 404, "MANIFEST_UNKNOWN")
    # Wildcards accept anything.
    for accept in ("*/*", "application/*", f"{DOCKER_MANIFEST};q=0.9, */*;q=0.1"):
        r = api.get_manifest(repo, "latest", accept=accept)
        assert r.status_code == 200, (accept, r.status_code)
        assert r.content == pushed["img"].manifest
    # Parameters (q=...) on the matching type are fine.
    r = api.get_manifest(repo, "latest", accept=f"{OCI_MANIFEST};q=0.5")
    assert r.status_code == 200
    # No Accept header at all: the stored manifest is served as is.
    r = api.request("GET", f"/v2/{repo}/manifests/latest", headers={"Accept": None})
    assert r.status_code == 200
    assert r.content == pushed["img"].manifest


def test_accept_header_repeated_lines(module_registry, pushed):
    """Go clients send one Accept line per media type; all lines must be considered."""
    hdrs = [("Accept", DOCKER_MANIFEST), ("Accept", DOCKER_LIST), ("Accept", OCI_MANIFEST),
            ("Accept", OCI_INDEX)] + list(module_registry.api.auth_headers().items())
    for tag, want in (("latest", pushed["img"]), ("dockerlist", pushed["dlist"]),
                      ("multi", pushed["idx"])):
        status, h, body, _ = http_raw("127.0.0.1", module_registry.port, "GET",
                                      f"/v2/{pushed['repo']}/manifests/{tag}", hdrs)
        assert status == 200, (tag, status, body)
        assert body == want.manifest
    # The OCI type only on the first of several lines.
    hdrs = [("Accept", OCI_MANIFEST), ("Accept", DOCKER_MANIFEST)] + list(module_registry.api.auth_headers().items())
    status, _, body, _ = http_raw("127.0.0.1", module_registry.port, "GET",
                                  f"/v2/{pushed['repo']}/manifests/latest", hdrs)
    assert status == 200 and body == pushed["img"].manifest


def test_manifest_unknown(module_registry, pushed):
    api, repo = module_registry.api, pushed["repo"]
    r = api.get_manifest(repo, "no-such-tag")
    assert_error(r, 404, "MANIFEST_UNKNOWN")
    r = api.get_manifest(repo, sha256(b"nothing here"))
    assert_error(r, 404, "MANIFEST_UNKNOWN")
    r = api.get_manifest(repo, "no-such-tag", method="HEAD")
    assert r.status_code == 404 and r.content == b""
    r = api.get_manifest(f"pull/{unique('missing')}", "latest")
    assert_error(r, 404, ("MANIFEST_UNKNOWN", "NAME_UNKNOWN"))


def test_get_blob(module_registry, pushed):
    api, img = module_registry.api, pushed["img"]
    for d, data in img.blobs.items():
        r = api.get_blob(pushed["repo"], d)
        assert r.status_code == 200
        assert r.content == data
        assert sha256(r.content) == d
        assert r.headers["Docker-Content-Digest"] == d
        assert int(r.headers["Content-Length"]) == len(data)
        assert r.headers.get("ETag"), "blob GET must carry an ETag"
        assert d.split(":", 1)[1] in r.headers["ETag"]


def test_head_blob(module_registry, pushed):
    api, img = module_registry.api, pushed["img"]
    d, data = next(iter(img.blobs.items()))
    r = api.head(f"/v2/{pushed['repo']}/blobs/{d}")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["Docker-Content-Digest"] == d
    assert int(r.headers["Content-Length"]) == len(data)


def test_blob_range(module_registry, pushed):
    api, img = module_registry.api, pushed["img"]
    d, data = max(img.blobs.items(), key=lambda kv: len(kv[1]))
    n = len(data)
    assert n > 100
    path = f"/v2/{pushed['repo']}/blobs/{d}"
    r = api.get(path, headers={"Range": "bytes=10-49"})
    assert r.status_code == 206, r.status_code
    assert r.content == data[10:50]
    assert r.headers["Content-Range"] == f"bytes 10-49/{n}"
    assert int(r.headers["Content-Length"]) == 40
    assert r.headers["Docker-Content-Digest"] == d
    r = api.get(path, headers={"Range": f"bytes={n - 7}-"})
    assert r.status_code == 206
    assert r.content == data[n - 7:]
    assert r.headers["Content-Range"] == f"bytes {n - 7}-{n - 1}/{n}"
    r = api.get(path, headers={"Range": "bytes=0-0"})
    assert r.status_code == 206 and r.content == data[:1]
    # A range running past the end is clipped to the blob.
    r = api.get(path, headers={"Range": f"bytes={n - 5}-{n + 100}"})
    assert r.status_code == 206 and r.content == data[n - 5:]
    assert r.headers["Content-Range"] == f"bytes {n - 5}-{n - 1}/{n}"


def test_blob_unknown(module_registry, pushed):
    api = module_registry.api
    missing = sha256(b"never uploaded")
    r = api.get_blob(pushed["repo"], missing)
    assert_error(r, 404, "BLOB_UNKNOWN")
    r = api.head(f"/v2/{pushed['repo']}/blobs/{missing}")
    assert r.status_code == 404 and r.content == b""


def test_blob_is_scoped_to_repository(module_registry, pushed):
    """A blob pushed to one repository is not pullable through another one."""
    api = module_registry.api
    other = f"pull/{unique('other')}"
    api.push_image(other, "x", make_image(n_layers=1))
    d = next(iter(pushed["img"].blobs))
    assert_error(api.get_blob(other, d), 404, "BLOB_UNKNOWN")
    assert_error(api.get_manifest(other, pushed["img"].digest), 404, "MANIFEST_UNKNOWN")


def test_pull_full_image_like_a_client(module_registry, pushed):
    """Walk index -> child manifest -> config + layers, checking every digest on the way."""
    api, repo = module_registry.api, pushed["repo"]
    r = api.get_manifest(repo, "multi")
    assert r.status_code == 200
    index = json.loads(r.content)
    assert sha256(r.content) == r.headers["Docker-Content-Digest"]
    archs = set()
    for entry in index["manifests"]:
        m = api.get_manifest(repo, entry["digest"], accept=entry["mediaType"])
        assert m.status_code == 200
        assert sha256(m.content) == entry["digest"] and len(m.content) == entry["size"]
        man = json.loads(m.content)
        for desc in [man["config"]] + man["layers"]:
            b = api.get_blob(repo, desc["digest"])
            assert b.status_code == 200
            assert sha256(b.content) == desc["digest"] and len(b.content) == desc["size"]
        cfg = json.loads(api.get_blob(repo, man["config"]["digest"]).content)
        archs.add(cfg["architecture"])
    assert archs == {"amd64", "arm64"}
