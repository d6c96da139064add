"""OCI distribution-spec workflow 2: push (blob uploads in every style, mounts, manifests)."""

import json
import socket
import time
import uuid
from urllib.parse import urlsplit

import pytest

from e2e_lib import (DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED, MiB,
                     OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, assert_error, canonical,
                     descriptor, make_artifact, make_image, make_index, random_blob, sha256, unique)

OCTET = {"Content-Type": "application/octet-stream"}


def repo_name(prefix="push"):
    return f"{prefix}/{unique()}"


def parse_range(value: str) -> tuple[int, int]:
    assert value is not None, "missing Range header"
    v = value.replace("bytes=", "")
    a, b = v.split("-")
    return int(a), int(b)


# ---- blob uploads ---------------------------------------------------------------------------------
def test_monolithic_post_with_digest(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(5000)
    r = api.post(f"/v2/{repo}/blobs/uploads/?digest={d}", data=data, headers=OCTET)
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == d
    loc = api.location(r)
    g = api.get(loc)
    assert g.status_code == 200 and g.content == data
    assert api.get_blob(repo, d).content == data


def test_post_then_put_with_body(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(3000)
    r = api.start_upload(repo)
    assert r.status_code == 202, r.text
    assert r.headers.get("Location")
    assert r.headers.get("Docker-Upload-UUID")
    assert "Range" in r.headers
    loc = api.location(r)
    r = api.put(api.with_query(loc, f"digest={d}"), data=data, headers=OCTET)
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == d
    assert api.get(api.location(r)).content == data
    h = api.head(f"/v2/{repo}/blobs/{d}")
    assert h.status_code == 200 and int(h.headers["Content-Length"]) == len(data)


def test_streamed_patch_then_put(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(70000)
    r = api.start_upload(repo)
    loc, upload_id = api.location(r), r.headers["Docker-Upload-UUID"]
    r = api.patch(loc, data=data[:30000], headers=OCTET)
    assert r.status_code == 202, r.text
    assert parse_range(r.headers["Range"]) == (0, 29999)
    assert r.headers["Docker-Upload-UUID"] == upload_id
    loc = api.location(r)
    r = api.patch(loc, data=data[30000:], headers=OCTET)
    assert r.status_code == 202, r.text
    assert parse_range(r.headers["Range"]) == (0, len(data) - 1)
    loc = api.location(r)
    r = api.put(api.with_query(loc, f"digest={d}"))
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == d
    assert r.headers.get("Location")
    assert api.get_blob(repo, d).content == data


def test_chunked_upload_with_content_range_and_status(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(10000)
    r = api.start_upload(repo)
    loc, upload_id = api.location(r), r.headers["Docker-Upload-UUID"]
    for start, end in ((0, 3999), (4000, 7999)):
        r = api.patch(loc, data=data[start:end + 1],
                      headers={**OCTET, "Content-Range": f"{start}-{end}"})
        assert r.status_code == 202, r.text
        assert parse_range(r.headers["Range"]) == (0, end)
        assert r.headers["Docker-Upload-UUID"] == upload_id
        loc = api.location(r)
        s = api.get(loc)
        assert s.status_code == 204, s.text
        assert parse_range(s.headers["Range"]) == (0, end)
        assert s.content == b""
    # Final chunk carried by the PUT itself.
    r = api.put(api.with_query(loc, f"digest={d}"), data=data[8000:], headers=OCTET)
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == d
    assert api.get_blob(repo, d).content == data
    # The session is gone once completed.
    assert_error(api.get(loc), 404, "BLOB_UPLOAD_UNKNOWN")


def test_zero_length_patch(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(1000)
    loc = api.location(api.start_upload(repo))
    r = api.patch(loc, data=b"", headers=OCTET)
    assert r.status_code == 202, r.text
    loc = api.location(r)
    r = api.patch(loc, data=data[:600], headers={**OCTET, "Content-Range": "0-599"})
    assert r.status_code == 202
    loc = api.location(r)
    r = api.patch(loc, data=b"", headers=OCTET)
    assert r.status_code == 202, r.text
    assert parse_range(r.headers["Range"]) == (0, 599)
    loc = api.location(r)
    r = api.put(api.with_query(loc, f"digest={d}"), data=data[600:], headers=OCTET)
    assert r.status_code == 201
    assert api.get_blob(repo, d).content == data


def test_empty_blob(module_registry):
    api, repo = module_registry.api, repo_name()
    d = sha256(b"")
    loc = api.location(api.start_upload(repo))
    r = api.put(api.with_query(loc, f"digest={d}"))
    assert r.status_code == 201, r.text
    g = api.get_blob(repo, d)
    assert g.status_code == 200 and g.content == b""
    assert int(g.headers["Content-Length"]) == 0


def test_out_of_order_chunk(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(3000)
    loc = api.location(api.start_upload(repo))
    r = api.patch(loc, data=data[:1000], headers={**OCTET, "Content-Range": "0-999"})
    assert r.status_code == 202
    loc = api.location(r)
    r = api.patch(loc, data=data[2000:], headers={**OCTET, "Content-Range": "2000-2999"})
    assert_error(r, 416, "BLOB_UPLOAD_INVALID")
    s = api.get(loc)
    assert s.status_code == 204 and parse_range(s.headers["Range"]) == (0, 999)
    # The upload is still usable from where it really is.
    r = api.patch(loc, data=data[1000:2000], headers={**OCTET, "Content-Range": "1000-1999"})
    assert r.status_code == 202, r.text
    r = api.put(api.with_query(api.location(r), f"digest={d}"), data=data[2000:], headers=OCTET)
    assert r.status_code == 201
    assert api.get_blob(repo, d).content == data


def test_first_chunk_not_at_zero(module_registry):
    api, repo = module_registry.api, repo_name()
    loc = api.location(api.start_upload(repo))
    r = api.patch(loc, data=b"x" * 10, headers={**OCTET, "Content-Range": "5-14"})
    assert_error(r, 416, "BLOB_UPLOAD_INVALID")


def test_put_digest_mismatch(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(500)
    wrong = sha256(b"something else")
    loc = api.location(api.start_upload(repo))
    r = api.put(api.with_query(loc, f"digest={wrong}"), data=data, headers=OCTET)
    assert_error(r, 400, "DIGEST_INVALID")
    assert not api.blob_exists(repo, wrong)
    assert not api.blob_exists(repo, d)


def test_monolithic_post_digest_mismatch(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(500)
    wrong = sha256(b"other")
    r = api.post(f"/v2/{repo}/blobs/uploads/?digest={wrong}", data=data, headers=OCTET)
    assert_error(r, 400, "DIGEST_INVALID")
    assert not api.blob_exists(repo, wrong)
    assert not api.blob_exists(repo, d)


def test_put_without_digest(module_registry):
    api, repo = module_registry.api, repo_name()
    loc = api.location(api.start_upload(repo))
    r = api.put(loc, data=b"abc", headers=OCTET)
    assert_error(r, 400, ("DIGEST_INVALID", "BLOB_UPLOAD_INVALID"))
    assert not api.blob_exists(repo, sha256(b"abc"))


def test_cancel_upload(module_registry):
    api, repo = module_registry.api, repo_name()
    data, d = random_blob(800)
    loc = api.location(api.start_upload(repo))
    r = api.patch(loc, data=data, headers=OCTET)
    loc = api.location(r)
    r = api.delete(loc)
    assert r.status_code == 204, r.text
    assert_error(api.get(loc), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(api.patch(loc, data=b"more", headers=OCTET), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(api.put(api.with_query(loc, f"digest={d}")), 404, "BLOB_UPLOAD_UNKNOWN")
    assert not api.blob_exists(repo, d)


def test_unknown_upload_session(module_registry):
    api, repo = module_registry.api, repo_name()
    path = f"/v2/{repo}/blobs/uploads/{uuid.uuid4()}"
    assert_error(api.get(path), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(api.patch(path, data=b"abc", headers=OCTET), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(api.put(f"{path}?digest={sha256(b'abc')}", data=b"abc", headers=OCTET),
                 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(api.delete(path), 404, "BLOB_UPLOAD_UNKNOWN")


def test_upload_session_belongs_to_its_repository(module_registry):
    api, repo, other = module_registry.api, repo_name(), repo_name()
    loc = api.location(api.start_upload(repo))
    upload_path = urlsplit(loc).path
    foreign = upload_path.replace(f"/v2/{repo}/", f"/v2/{other}/")
    assert foreign != upload_path
    assert_error(api.get(foreign), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(api.patch(foreign, data=b"zz", headers=OCTET), 404, "BLOB_UPLOAD_UNKNOWN")


def test_upload_resumes_after_restart(registry):
    api, repo = registry.api, repo_name()
    data, d = random_blob(200_000)
    r = api.start_upload(repo)
    upload_id = r.headers["Docker-Upload-UUID"]
    loc = api.location(r)
    r = api.patch(loc, data=data[:80_000], headers={**OCTET, "Content-Range": "0-79999"})
    assert r.status_code == 202
    loc = api.location(r)
    registry.restart()
    s = api.get(loc)
    assert s.status_code == 204, s.text
    assert parse_range(s.headers["Range"]) == (0, 79_999)
    assert s.headers.get("Docker-Upload-UUID") == upload_id
    r = api.patch(loc, data=data[80_000:150_000], headers={**OCTET, "Content-Range": "80000-149999"})
    assert r.status_code == 202, r.text
    assert parse_range(r.headers["Range"]) == (0, 149_999)
    loc = api.location(r)
    registry.restart()
    # A streamed PATCH (no Content-Range) appends too.
    r = api.patch(loc, data=data[150_000:], headers=OCTET)
    assert r.status_code == 202, r.text
    r = api.put(api.with_query(api.location(r), f"digest={d}"))
    assert r.status_code == 201, r.text
    assert api.get_blob(repo, d).content == data


# ---- cross-repository mount -----------------------------------------------------------------------
def test_cross_repo_mount(module_registry):
    api, src, dst = module_registry.api, repo_name(), repo_name()
    data, d = random_blob(4000)
    api.upload_blob(src, data)
    assert not api.blob_exists(dst, d)
    r = api.post(f"/v2/{dst}/blobs/uploads/?mount={d}&from={src}")
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == d
    assert api.get(api.location(r)).content == data
    assert api.get_blob(dst, d).content == data


@pytest.mark.parametrize("source", ["exists-without-blob", "missing-repo"])
def test_cross_repo_mount_falls_back_to_upload(module_registry, source):
    api, src, dst = module_registry.api, repo_name(), repo_name()
    if source == "exists-without-blob":
        api.upload_blob(src, b"unrelated content")
    data, d = random_blob(1234)
    r = api.post(f"/v2/{dst}/blobs/uploads/?mount={d}&from={src}")
    assert r.status_code == 202, r.text
    assert r.headers.get("Docker-Upload-UUID")
    loc = api.location(r)
    assert not api.blob_exists(dst, d)
    r = api.put(api.with_query(loc, f"digest={d}"), data=data, headers=OCTET)
    assert r.status_code == 201
    assert api.get_blob(dst, d).content == data


# ---- concurrency limit ----------------------------------------------------------------------------
def _upload_while_another_streams(srv):
    """Starts one large PATCH that keeps streaming, sends a second upload meanwhile, finishes the
    first. Returns the second response; checks the first upload completes intact."""
    api, repo = srv.api, repo_name()
    data, d = random_blob(2 * MiB)
    loc1 = api.location(api.start_upload(repo))
    loc2 = api.location(api.start_upload(repo))
    u = urlsplit(loc1)
    path = u.path + (f"?{u.query}" if u.query else "")
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        head = (f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Length: {len(data)}\r\n")
        for k, v in api.auth_headers().items():
            head += f"{k}: {v}\r\n"
        s.sendall(head.encode() + b"\r\n" + data[:MiB])
        time.sleep(0.3)  # the first upload is now streaming
        second = api.patch(loc2, data=b"second upload", headers=OCTET)
        s.sendall(data[MiB:])
        resp = b""
        while b"\r\n\r\n" not in resp:
            chunk = s.recv(65536)
            if not chunk:
                break
            resp += chunk
        assert resp.startswith(b"HTTP/1.1 202"), resp[:200]
    finally:
        s.close()
    r = api.put(api.with_query(loc1, f"digest={d}"))
    assert r.status_code == 201, r.text
    assert api.get_blob(repo, d).content == data
    return second, loc2


def test_too_many_concurrent_uploads(berth_factory):
    srv = berth_factory(env={"BERTH_HTTP_MAX_CONCURRENT_UPLOADS": "1"})
    second, loc2 = _upload_while_another_streams(srv)
    assert_error(second, 429, "TOOMANYREQUESTS")
    # The slot is free again once the first upload is done.
    deadline = time.monotonic() + 3
    while True:
        r = srv.api.patch(loc2, data=b"second upload", headers=OCTET)
        if r.status_code != 429 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert r.status_code == 202, r.text


def test_upload_limit_from_config_file_and_env_override(berth_factory):
    cfg = {"http": {"max_concurrent_uploads": 1}}
    srv = berth_factory(config=cfg)
    second, _ = _upload_while_another_streams(srv)
    assert_error(second, 429, "TOOMANYREQUESTS")
    srv = berth_factory(config=cfg, env={"BERTH_HTTP_MAX_CONCURRENT_UPLOADS": "4"})
    second, _ = _upload_while_another_streams(srv)
    assert second.status_code == 202, (second.status_code, second.text)


# ---- manifests ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["monolithic", "post-put", "stream", "chunked"])
def test_push_image_by_tag(module_registry, method):
    api, repo = module_registry.api, repo_name()
    img = make_image()
    for b in img.blobs.values():
        api.upload_blob(repo, b, method)
    r = api.put_manifest(repo, "v1", img.manifest, OCI_MANIFEST)
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == img.digest
    g = api.get(api.location(r), headers={"Accept": OCI_MANIFEST})
    assert g.status_code == 200 and g.content == img.manifest
    assert "OCI-Subject" not in r.headers
    assert api.get_manifest(repo, "v1").content == img.manifest
    assert api.get_manifest(repo, img.digest).content == img.manifest


def test_push_manifest_by_digest(module_registry):
    api, repo = module_registry.api, repo_name()
    img = make_image()
    r = api.push_image(repo, None, img)
    assert r.headers["Docker-Content-Digest"] == img.digest
    assert api.get(api.location(r), headers={"Accept": OCI_MANIFEST}).content == img.manifest
    assert api.get_manifest(repo, img.digest).content == img.manifest


def test_push_manifest_digest_mismatch(module_registry):
    api, repo = module_registry.api, repo_name()
    img = make_image()
    for b in img.blobs.values():
        api.upload_blob(repo, b)
    wrong = sha256(img.manifest + b" ")
    r = api.put_manifest(repo, wrong, img.manifest, OCI_MANIFEST)
    assert_error(r, 400, "DIGEST_INVALID")
    assert_error(api.get_manifest(repo, wrong), 404, "MANIFEST_UNKNOWN")
    assert_error(api.get_manifest(repo, img.digest), 404, "MANIFEST_UNKNOWN")


@pytest.mark.parametrize("kind", ["oci-index", "docker-manifest", "docker-list"])
def test_push_other_manifest_types(module_registry, kind):
    api, repo = module_registry.api, repo_name()
    if kind == "oci-index":
        m = make_index([make_image(arch="amd64"), make_image(arch="arm64")])
    elif kind == "docker-manifest":
        m = make_image(fmt="docker")
    else:
        m = make_index([make_image(fmt="docker", arch="amd64"),
                        make_image(fmt="docker", arch="arm64")], fmt="docker")
    r = api.push_image(repo, "t", m)
    assert r.headers["Docker-Content-Digest"] == m.digest
    g = api.get_manifest(repo, "t")
    assert g.status_code == 200 and g.content == m.manifest
    assert g.headers["Content-Type"] == m.media_type


def test_manifest_without_media_type_field(module_registry):
    """OCI makes the mediaType field optional; the Content-Type header says what it is."""
    api, repo = module_registry.api, repo_name()
    img = make_image()
    m = img.json
    del m["mediaType"]
    body = canonical(m)
    for b in img.blobs.values():
        api.upload_blob(repo, b)
    r = api.put_manifest(repo, "nomt", body, OCI_MANIFEST)
    assert r.status_code == 201, r.text
    g = api.get_manifest(repo, "nomt")
    assert g.content == body and g.headers["Content-Type"] == OCI_MANIFEST


def test_manifest_with_subject_returns_oci_subject(module_registry):
    api, repo = module_registry.api, repo_name()
    subject = make_image()
    api.push_image(repo, "base", subject)
    art = make_artifact(subject.desc())
    r = api.push_image(repo, None, art)
    assert r.headers.get("OCI-Subject") == subject.digest
    # A subject that does not exist (yet) is allowed.
    ghost = {"mediaType": OCI_MANIFEST, "digest": sha256(b"ghost"), "size": 5}
    art2 = make_artifact(ghost)
    r = api.push_image(repo, None, art2)
    assert r.headers.get("OCI-Subject") == ghost["digest"]


def test_manifest_tag_overwrite(module_registry):
    api, repo = module_registry.api, repo_name()
    a, b = make_image(), make_image()
    api.push_image(repo, "moving", a)
    api.push_image(repo, "moving", b)
    assert api.get_manifest(repo, "moving").content == b.manifest
    assert api.get_manifest(repo, a.digest).content == a.manifest


@pytest.mark.parametrize("missing", ["layer", "config"])
def test_manifest_blob_unknown(module_registry, missing):
    api, repo = module_registry.api, repo_name()
    img = make_image()
    skip = sha256(img.layers[-1]) if missing == "layer" else sha256(img.config)
    for d, b in img.blobs.items():
        if d != skip:
            api.upload_blob(repo, b)
    r = api.put_manifest(repo, "broken", img.manifest, OCI_MANIFEST)
    assert_error(r, 400, "MANIFEST_BLOB_UNKNOWN")
    assert_error(api.get_manifest(repo, "broken"), 404, ("MANIFEST_UNKNOWN", "NAME_UNKNOWN"))
    assert_error(api.get_manifest(repo, img.digest), 404, ("MANIFEST_UNKNOWN", "NAME_UNKNOWN"))


def test_manifest_blob_in_other_repository_only(module_registry):
    api, repo, other = module_registry.api, repo_name(), repo_name()
    img = make_image()
    for b in img.blobs.values():
        api.upload_blob(other, b)
    r = api.put_manifest(repo, "t", img.manifest, OCI_MANIFEST)
    assert_error(r, 400, "MANIFEST_BLOB_UNKNOWN")


@pytest.mark.parametrize("fmt", ["oci", "docker"])
def test_index_child_unknown(module_registry, fmt):
    api, repo = module_registry.api, repo_name()
    present, absent = make_image(fmt=fmt), make_image(fmt=fmt, arch="arm64")
    api.push_image(repo, None, present)
    for b in absent.blobs.values():
        api.upload_blob(repo, b)          # blobs there, child manifest itself not pushed
    idx = make_index([present, absent], fmt=fmt)
    r = api.put_manifest(repo, "idx", idx.manifest, idx.media_type)
    assert_error(r, 400, "MANIFEST_BLOB_UNKNOWN")
    assert_error(api.get_manifest(repo, "idx"), 404, "MANIFEST_UNKNOWN")


def _padded_manifest(api, repo, total: int) -> tuple[bytes, str]:
    """An otherwise valid OCI manifest padded (annotation) to exactly `total` bytes."""
    cfg = b"{}"
    layer, _ = random_blob(10)
    api.upload_blob(repo, cfg)
    api.upload_blob(repo, layer)
    base = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": descriptor(OCI_CONFIG, cfg), "layers": [descriptor(OCI_LAYER, layer)],
            "annotations": {"pad": ""}}
    size0 = len(json.dumps(base).encode())
    base["annotations"]["pad"] = "x" * (total - size0)
    body = json.dumps(base).encode()
    assert len(body) == total
    return body, sha256(body)


def test_manifest_size_limit(module_registry):
    api, repo = module_registry.api, repo_name()
    body, d = _padded_manifest(api, repo, 4 * MiB + 1)
    r = api.put_manifest(repo, "huge", body, OCI_MANIFEST)
    assert_error(r, 413, "SIZE_INVALID")
    assert_error(api.get_manifest(repo, "huge"), 404, "MANIFEST_UNKNOWN")
    assert module_registry.api.alive()
    body, d = _padded_manifest(api, repo, 4 * MiB - 4096)
    r = api.put_manifest(repo, "big", body, OCI_MANIFEST)
    assert r.status_code == 201, r.text[:300]
    assert api.get_manifest(repo, "big").content == body


@pytest.mark.parametrize("body", [
    b"{not json", b"", b"[]", b'{"schemaVersion": 2, "mediaType": "%s"}' % OCI_MANIFEST.encode(),
    b'{"schemaVersion": 3, "config": {}, "layers": []}',
    b'{"schemaVersion": 2, "mediaType": "%s", "config": "x", "layers": {}}' % OCI_MANIFEST.encode(),
], ids=["truncated", "empty", "array", "no-config", "schema3", "wrong-types"])
def test_manifest_invalid(module_registry, body):
    api, repo = module_registry.api, repo_name()
    r = api.put_manifest(repo, "bad", body, OCI_MANIFEST)
    assert_error(r, 400, "MANIFEST_INVALID")
    assert_error(api.get_manifest(repo, "bad"), 404, ("MANIFEST_UNKNOWN", "NAME_UNKNOWN"))


@pytest.mark.parametrize("media_type", [DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED])
def test_docker_schema1_unsupported(module_registry, media_type):
    api, repo = module_registry.api, repo_name()
    body = json.dumps({"schemaVersion": 1, "name": repo, "tag": "old", "architecture": "amd64",
                       "fsLayers": [{"blobSum": sha256(b"")}],
                       "history": [{"v1Compatibility": "{}"}]}).encode()
    api.upload_blob(repo, b"")
    r = api.put_manifest(repo, "old", body, media_type)
    assert_error(r, 400, "UNSUPPORTED")
    assert_error(api.get_manifest(repo, "old"), 404, "MANIFEST_UNKNOWN")


def test_manifest_descriptor_size_mismatch(module_registry):
    """A descriptor whose size disagrees with the stored blob is refused, and nothing is stored."""
    api, repo = module_registry.api, repo_name()
    img = make_image()
    for b in img.blobs.values():
        api.upload_blob(repo, b)
    m = img.json
    m["layers"][0]["size"] += 1
    body = canonical(m)
    r = api.put_manifest(repo, "lying", body, OCI_MANIFEST)
    assert_error(r, 400, ("SIZE_INVALID", "MANIFEST_INVALID"))
    assert_error(api.get_manifest(repo, "lying"), 404, "MANIFEST_UNKNOWN")


# ---- on-disk layout -------------------------------------------------------------------------------
def _upload_bytes(data_dir) -> int:
    root = data_dir / "uploads"
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def test_data_dir_layout(registry):
    api, repo = registry.api, repo_name()
    assert (registry.data_dir / "berth.db").is_file()
    data, d = random_blob(300_000)
    base = _upload_bytes(registry.data_dir)
    loc = api.location(api.start_upload(repo))
    r = api.patch(loc, data=data[:200_000], headers=OCTET)
    assert r.status_code == 202
    assert _upload_bytes(registry.data_dir) >= base + 200_000, "upload data not under DIR/uploads/"
    r = api.put(api.with_query(api.location(r), f"digest={d}"), data=data[200_000:], headers=OCTET)
    assert r.status_code == 201
    hexd = d.split(":", 1)[1]
    path = registry.data_dir / "blobs" / "sha256" / hexd[:2] / hexd
    assert path.is_file() and path.read_bytes() == data
    assert _upload_bytes(registry.data_dir) < base + 100_000, "temp file left behind after PUT"
    # A cancelled upload leaves no data behind either.
    loc = api.location(api.start_upload(repo))
    api.patch(loc, data=data, headers=OCTET)
    assert api.delete(loc).status_code == 204
    assert _upload_bytes(registry.data_dir) < base + 100_000, "temp file left behind after cancel"
