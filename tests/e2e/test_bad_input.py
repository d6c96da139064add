"""Hostile and broken input never crashes Berth, and never leaves partial content visible.

After every case the server must still answer (GET /v2/ and a real upload), and whatever the
case tried to create (blob, manifest, tag, repository) must not be visible.
"""

import json
import re
import socket
import time
from urllib.parse import urlsplit

import pytest

from e2e_lib import (MiB, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, abort_socket, assert_error,
                     canonical, descriptor, error_codes, http_raw, make_image, random_blob,
                     raw_exchange, sha256, unique)

OCTET = {"Content-Type": "application/octet-stream"}
NAME_RE = re.compile(r"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$")


@pytest.fixture
def srv(module_registry):
    """The shared server; after each test it must be alive and still do real work."""
    yield module_registry
    alive = module_registry.running() and module_registry.api.alive()
    works = False
    if alive:
        data, d = random_blob(300)
        repo = f"alive/{unique()}"
        try:
            module_registry.api.upload_blob(repo, data)
            works = module_registry.api.get_blob(repo, d).content == data
        except Exception:
            works = False
    if not (alive and works):
        log = module_registry.log_tail(6000)
        if not module_registry.running():
            module_registry.start()   # keep the rest of the module meaningful
        pytest.fail(f"server not healthy after the test (alive={alive}, works={works}):\n{log}",
                    pytrace=False)


def repo_name():
    return f"bad/{unique()}"


def path_of(url: str) -> str:
    u = urlsplit(url)
    return u.path + (f"?{u.query}" if u.query else "")


def wait_alive(server, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.api.alive():
            return True
        time.sleep(0.05)
    return False


def prepared_manifest(api, repo):
    """Uploads a config and a layer; returns a valid manifest dict using them."""
    img = make_image(n_layers=1)
    for b in img.blobs.values():
        api.upload_blob(repo, b)
    return img.json, img


# ---- malformed manifests --------------------------------------------------------------------------
def _bad_bodies(valid: dict) -> dict[str, bytes]:
    good = json.dumps(valid).encode()
    with_bad_utf8 = json.dumps({**valid, "annotations": {"k": "VALUE"}}).encode().replace(
        b"VALUE", b"\xff\xfe\xc3\x28 \xed\xa0\x80")
    bad_layer = dict(valid)
    return {
        "invalid-utf8": with_bad_utf8,
        "invalid-utf8-key": good.replace(b'"schemaVersion"', b'"schema\xc0\xafVersion"'),
        "nul-byte": good[:20] + b"\x00" + good[20:],
        "trailing-garbage": good + b"}}}garbage",
        "truncated": good[: len(good) // 2],
        "deep-nesting": b"[" * 200_000 + b"]" * 200_000,
        "deep-object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "huge-number": good.replace(b'"schemaVersion": 2', b'"schemaVersion": 1e999999'),
        "negative-size": json.dumps({**valid, "config": {**valid["config"], "size": -1}}).encode(),
        "string-size": json.dumps({**valid, "config": {**valid["config"], "size": "12"}}).encode(),
        "layers-not-list": json.dumps({**valid, "layers": {"a": 1}}).encode(),
        "null": b"null",
        "number": b"42",
        "bom": b"\xef\xbb\xbf" + good[:-1],
        "bad-layer-digest": json.dumps({**bad_layer, "layers": [
            {**valid["layers"][0], "digest": "sha256:xyz"}]}).encode(),
        "md5-layer-digest": json.dumps({**bad_layer, "layers": [
            {**valid["layers"][0], "digest": "md5:d41d8cd98f00b204e9800998ecf8427e"}]}).encode(),
    }


BAD_BODY_IDS = list(_bad_bodies({"config": {}, "layers": [{}]}).keys())


@pytest.mark.parametrize("case", BAD_BODY_IDS)
def test_malformed_manifest(srv, case):
    api, repo = srv.api, repo_name()
    valid, img = prepared_manifest(api, repo)
    body = _bad_bodies(valid)[case]
    r = api.put_manifest(repo, "bad", body, OCI_MANIFEST)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    codes = error_codes(r)
    assert set(codes) & {"MANIFEST_INVALID", "DIGEST_INVALID"}, codes
    assert_error(api.get_manifest(repo, "bad"), 404, "MANIFEST_UNKNOWN")
    assert_error(api.get_manifest(repo, sha256(body)), 404, "MANIFEST_UNKNOWN")
    tl = api.get(f"/v2/{repo}/tags/list")
    if tl.status_code == 200:
        assert "bad" not in (tl.json().get("tags") or [])
    # The same PUT by digest is refused as well.
    r = api.put_manifest(repo, sha256(body), body, OCI_MANIFEST)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert_error(api.get_manifest(repo, sha256(body)), 404, "MANIFEST_UNKNOWN")


# ---- wrong and malformed digests ------------------------------------------------------------------
BAD_DIGESTS = {
    "md5": "md5:d41d8cd98f00b204e9800998ecf8427e",
    "short-hex": "sha256:" + "a" * 63,
    "long-hex": "sha256:" + "a" * 65,
    "upper-hex": "sha256:" + "A" * 64,
    "non-hex": "sha256:" + "z" * 64,
    "no-hex": "sha256:",
    "no-algo": ":" + "a" * 64,
    "no-colon": "sha256" + "a" * 64,
    "garbage": "!!!",
}


@pytest.mark.parametrize("case", list(BAD_DIGESTS))
def test_bad_digest_in_blob_paths(srv, case):
    api, repo = srv.api, repo_name()
    api.upload_blob(repo, b"exists")
    d = BAD_DIGESTS[case]
    if case in ("no-colon", "garbage"):
        # Not digest-shaped at all: refused either as an invalid digest or as an unknown blob.
        r = api.get(f"/v2/{repo}/blobs/{d}")
        assert r.status_code in (400, 404), r.status_code
        assert set(error_codes(r)) & {"DIGEST_INVALID", "BLOB_UNKNOWN"}
    else:
        assert_error(api.get(f"/v2/{repo}/blobs/{d}"), 400, "DIGEST_INVALID")
        assert api.head(f"/v2/{repo}/blobs/{d}").status_code == 400
        assert_error(api.delete(f"/v2/{repo}/blobs/{d}"), 400, "DIGEST_INVALID")


@pytest.mark.parametrize("case", list(BAD_DIGESTS))
def test_bad_digest_on_upload(srv, case):
    api, repo = srv.api, repo_name()
    data = b"payload for a bad digest " + case.encode()
    d = BAD_DIGESTS[case]
    # Monolithic.
    r = api.post(f"/v2/{repo}/blobs/uploads/?digest={d}", data=data, headers=OCTET)
    assert_error(r, 400, "DIGEST_INVALID")
    # Session + PUT.
    r = api.start_upload(repo)
    assert r.status_code == 202
    loc = api.location(r)
    r = api.put(api.with_query(loc, f"digest={d}"), data=data, headers=OCTET)
    assert_error(r, 400, "DIGEST_INVALID")
    assert not api.blob_exists(repo, sha256(data))


@pytest.mark.parametrize("case", ["md5", "short-hex", "upper-hex", "non-hex"])
def test_bad_digest_on_mount_manifest_referrers(srv, case):
    api, repo = srv.api, repo_name()
    img = make_image(n_layers=1)
    api.push_image(repo, "ok", img)
    d = BAD_DIGESTS[case]
    r = api.post(f"/v2/{repo}/blobs/uploads/?mount={d}&from={repo}")
    # A bad mount digest either fails or degrades to a plain upload session; never a 201.
    assert r.status_code in (202, 400), r.status_code
    if r.status_code == 400:
        assert_error(r, 400, "DIGEST_INVALID")
    assert_error(api.get_manifest(repo, d), 400, "DIGEST_INVALID")
    assert_error(api.put_manifest(repo, d, img.manifest, OCI_MANIFEST), 400, "DIGEST_INVALID")
    assert_error(api.delete(f"/v2/{repo}/manifests/{d}"), 400, "DIGEST_INVALID")
    assert_error(api.get(f"/v2/{repo}/referrers/{d}"), 400, "DIGEST_INVALID")
    assert api.tags(repo) == ["ok"]


# ---- repository names -----------------------------------------------------------------------------
BAD_NAMES = {
    "dotdot-middle": "a/../b",
    "dotdot-end": "a/..",
    "dot-component": "a/./b",
    "double-slash": "a//b",
    "upper-first": "Upper/case",
    "upper-second": "a/UPPER",
    "long-component": "x" * 129,
    "long-second": "a/" + "y" * 129,
    "encoded-dotdot": "a/%2e%2e/b",
    "leading-dash": "-a/b",
    "trailing-sep": "a-/b",
}


@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_invalid_repository_name(srv, case):
    api, name = srv.api, BAD_NAMES[case]
    img = make_image(n_layers=1)
    hdr = list(api.auth_headers().items())
    port = srv.port
    checks = [
        ("GET", f"/v2/{name}/tags/list", None, []),
        ("GET", f"/v2/{name}/manifests/latest", None, []),
        ("GET", f"/v2/{name}/blobs/{sha256(img.config)}", None, []),
        ("POST", f"/v2/{name}/blobs/uploads/", b"", []),
        ("POST", f"/v2/{name}/blobs/uploads/?digest={sha256(img.config)}", img.config,
         [("Content-Type", "application/octet-stream")]),
        ("PUT", f"/v2/{name}/manifests/latest", img.manifest, [("Content-Type", OCI_MANIFEST)]),
        ("GET", f"/v2/{name}/referrers/{img.digest}", None, []),
    ]
    for method, path, body, extra in checks:
        status, h, resp, _ = http_raw("127.0.0.1", port, method, path, hdr + extra, body)
        assert status == 400, (method, path, status, resp[:300])
        codes = error_codes(json.loads(resp))
        assert "NAME_INVALID" in codes, (method, path, codes)
    # Nothing was created: every repository in the catalog has a valid name.
    for repo in api.catalog():
        assert NAME_RE.match(repo) and all(len(c) <= 128 for c in repo.split("/")), repo


def test_longest_valid_component_accepted(srv):
    api = srv.api
    repo = "ok/" + "x" * 128
    img = make_image(n_layers=1)
    api.push_image(repo, "t", img)
    assert api.get_manifest(repo, "t").content == img.manifest


@pytest.mark.parametrize("tag", ["-lead", ".dot", "x" * 129, "a:b", "sp ace"])
def test_invalid_tag(srv, tag):
    api, repo = srv.api, repo_name()
    img = make_image(n_layers=1)
    api.push_image(repo, "good", img)
    from urllib.parse import quote
    r = api.put_manifest(repo, quote(tag, safe=""), img.manifest, OCI_MANIFEST)
    # Refused (the route may not even match an invalid tag), with an OCI error body.
    assert r.status_code in (400, 404), (tag, r.status_code, r.text)
    error_codes(r)
    assert api.tags(repo) == ["good"]


# ---- Content-Range abuse --------------------------------------------------------------------------
@pytest.mark.parametrize("content_range,body_len,statuses", [
    ("200-299", 100, (416,)),          # gap
    ("50-149", 100, (400, 416)),       # overlap
    ("0-99", 100, (400, 416)),         # full overlap (replay of the first chunk)
    ("100-199", 50, (400, 416)),       # range longer than the body
    ("100-149", 100, (400, 416)),      # body longer than the range
    ("150-100", 0, (400, 416)),        # reversed
    ("abc", 10, (400, 416)),           # malformed
    ("100-", 10, (400, 416)),          # open ended
    ("-5", 10, (400, 416)),
    ("100-99999999999999999999999", 10, (400, 416)),   # overflow
])
def test_content_range_abuse(srv, content_range, body_len, statuses):
    api, repo = srv.api, repo_name()
    data, d = random_blob(300)
    loc = api.location(api.start_upload(repo))
    r = api.patch(loc, data=data[:100], headers={**OCTET, "Content-Range": "0-99"})
    assert r.status_code == 202
    loc = api.location(r)
    r = api.patch(loc, data=b"\xee" * body_len, headers={**OCTET, "Content-Range": content_range})
    assert r.status_code in statuses, (content_range, r.status_code, r.text)
    assert "BLOB_UPLOAD_INVALID" in error_codes(r)
    # Upload state unchanged: the remaining bytes complete the exact blob.
    s = api.get(loc)
    assert s.status_code == 204
    assert s.headers["Range"].replace("bytes=", "") == "0-99"
    r = api.put(api.with_query(loc, f"digest={d}"), data=data[100:], headers=OCTET)
    assert r.status_code == 201, r.text
    assert api.get_blob(repo, d).content == data


# ---- truncated bodies and vanished clients ---------------------------------------------------------
def _send_partial(port, head: str, payload: bytes, how: str):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(head.encode() + payload)
    time.sleep(0.15)
    if how == "fin":
        s.shutdown(socket.SHUT_WR)
        try:
            s.settimeout(3)
            s.recv(65536)   # server may answer 400 or just close
        except OSError:
            pass
        s.close()
    else:
        abort_socket(s)
    time.sleep(0.1)


def _head(srv, method, path, length, ctype="application/octet-stream", extra=""):
    h = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\nContent-Type: {ctype}\r\n" \
        f"Content-Length: {length}\r\n{extra}"
    for k, v in srv.api.auth_headers().items():
        h += f"{k}: {v}\r\n"
    return h + "\r\n"


def _check_session_consistent(api, loc, data, d, repo):
    """Whatever the session claims to hold must be a prefix of what was sent; finishing from there
    yields exactly the blob."""
    s = api.get(loc)
    if s.status_code == 404:
        return  # session dropped: acceptable, as long as nothing is visible
    assert s.status_code == 204, s.text
    rng = s.headers.get("Range", "0-0").replace("bytes=", "")
    start, end = (int(x) for x in rng.split("-"))
    assert start == 0, rng
    have = 0 if end == 0 else end + 1   # "0-0" is what an empty session reports
    r = api.put(api.with_query(loc, f"digest={d}"), data=data[have:], headers=OCTET)
    assert r.status_code == 201, (have, r.status_code, r.text)
    assert api.get_blob(repo, d).content == data


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_truncated_patch(srv, how):
    api, repo = srv.api, repo_name()
    data, d = random_blob(256 * 1024)
    loc = api.location(api.start_upload(repo))
    _send_partial(srv.port, _head(srv, "PATCH", path_of(loc), len(data)), data[:100_000], how)
    assert wait_alive(srv)
    assert not api.blob_exists(repo, d)
    assert not api.blob_exists(repo, sha256(data[:100_000]))
    _check_session_consistent(api, loc, data, d, repo)


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_truncated_chunked_transfer(srv, how):
    api, repo = srv.api, repo_name()
    data, d = random_blob(64 * 1024)
    loc = api.location(api.start_upload(repo))
    head = (f"PATCH {path_of(loc)} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
            f"Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n")
    for k, v in api.auth_headers().items():
        head += f"{k}: {v}\r\n"
    head += "\r\n"
    payload = b"%x\r\n" % 40000 + data[:40000] + b"\r\n" + b"%x\r\n" % 20000 + data[40000:50000]
    _send_partial(srv.port, head, payload, how)
    assert wait_alive(srv)
    assert not api.blob_exists(repo, d)
    _check_session_consistent(api, loc, data, d, repo)


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_truncated_monolithic_post(srv, how):
    api, repo = srv.api, repo_name()
    data, d = random_blob(200_000)
    path = f"/v2/{repo}/blobs/uploads/?digest={d}"
    _send_partial(srv.port, _head(srv, "POST", path, len(data)), data[:50_000], how)
    assert wait_alive(srv)
    assert not api.blob_exists(repo, d)
    assert not api.blob_exists(repo, sha256(data[:50_000]))


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_truncated_put(srv, how):
    api, repo = srv.api, repo_name()
    data, d = random_blob(200_000)
    loc = api.location(api.start_upload(repo))
    path = path_of(api.with_query(loc, f"digest={d}"))
    _send_partial(srv.port, _head(srv, "PUT", path, len(data)), data[:120_000], how)
    assert wait_alive(srv)
    assert not api.blob_exists(repo, d)
    _check_session_consistent(api, loc, data, d, repo)


@pytest.mark.parametrize("how", ["fin", "rst"])
def test_truncated_manifest_put(srv, how):
    api, repo = srv.api, repo_name()
    valid, img = prepared_manifest(api, repo)
    body = img.manifest
    _send_partial(srv.port, _head(srv, "PUT", f"/v2/{repo}/manifests/cut", len(body), OCI_MANIFEST),
                  body[: len(body) - 10], how)
    assert wait_alive(srv)
    assert_error(api.get_manifest(repo, "cut"), 404, ("MANIFEST_UNKNOWN", "NAME_UNKNOWN"))
    assert_error(api.get_manifest(repo, img.digest), 404, ("MANIFEST_UNKNOWN", "NAME_UNKNOWN"))
    # The complete PUT still works afterwards.
    assert api.put_manifest(repo, "cut", body, OCI_MANIFEST).status_code == 201


def test_disconnect_releases_upload_slot(berth_factory):
    """A client vanishing mid-stream must not keep an upload slot forever."""
    srv = berth_factory(env={"BERTH_HTTP_MAX_CONCURRENT_UPLOADS": "1"})
    api, repo = srv.api, repo_name()
    data, d = random_blob(MiB)
    for _ in range(3):
        loc = api.location(api.start_upload(repo))
        _send_partial(srv.port, _head(srv, "PATCH", path_of(loc), len(data)), data[:300_000], "rst")
    deadline = time.monotonic() + 5
    while True:
        r = api.post(f"/v2/{repo}/blobs/uploads/?digest={d}", data=data, headers=OCTET)
        if r.status_code != 429 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.status_code == 201, (r.status_code, r.text)
    assert api.get_blob(repo, d).content == data


# ---- garbage on the wire --------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,        # a TLS ClientHello
    b"GET /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"GET /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /v2/a/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    b"GET /v2/" + b"a/" * 50_000 + b"tags/list HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v2/a\x00b/tags/list HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v2/%ff%fe/tags/list HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v2/a/manifests/%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PATCH /v2/a/blobs/uploads/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    b"GET /v2/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /v2/ HTTP/9.9\r\n\r\n",
    b"\r\n" * 10000,
], ids=["garbage", "tls", "cl-abc", "cl-negative", "cl-huge", "big-header", "long-path", "nul-path",
        "bad-pct", "nul-ref", "traversal", "bad-chunk", "bad-version", "crlf-flood"])
def test_garbage_requests(srv, raw):
    resp = raw_exchange("127.0.0.1", srv.port, raw, timeout=3)
    if resp:
        assert resp.startswith(b"HTTP/1."), resp[:100]
        status = int(resp.split(b" ", 2)[1])
        assert status < 500 or status in (501, 505), resp[:300]
    assert wait_alive(srv)


def test_many_aborted_connections(srv):
    for i in range(50):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(b"PUT /v2/x/manifests/t HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        abort_socket(s)
    assert wait_alive(srv)
    assert_error(srv.api.get_manifest("x", "t"), 404, ("MANIFEST_UNKNOWN", "NAME_UNKNOWN"))
