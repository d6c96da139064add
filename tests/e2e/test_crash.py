"""Crash safety: kill -9 Berth (fsync on, the default) in the middle of concurrent pushes, restart,
and check that everything acknowledged is intact and nothing unacknowledged is half-visible.

Reproduce a run with BERTH_CRASH_SEED=<seed printed on failure>.
"""

import hashlib
import json
import os
import random
import re
import sqlite3
import threading
import time
from pathlib import Path

import requests

from e2e_lib import OCI_INDEX, Registry, make_image, make_index, sha256

ROUNDS = 8
PUSHERS = 4
TIME_BUDGET = 60.0         # seconds for the whole test; fewer rounds if verification gets slow
MIN_ROUNDS = 4
UPLOAD_METHODS = ["monolithic", "post-put", "stream", "chunked"]


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked_images = []       # (repo, tag, Image)   manifest PUT answered 201
        self.attempted_images = []   # (repo, tag, Image)   manifest PUT sent
        self.acked_blobs = []        # (repo, digest, data) blob upload answered 201
        self.errors = []             # (monotonic time, description)

    def add(self, lst, item):
        with self.lock:
            getattr(self, lst).append(item)


def pusher(url, auth, tid, round_no, rng, ledger: Ledger, stop: threading.Event):
    api = Registry(url, auth=auth)
    repo = f"crash/p{tid}"
    recent = []
    n = 0
    while not stop.is_set():
        n += 1
        try:
            if len(recent) >= 2 and n % 4 == 0:
                img = make_index(recent[-2:])
            else:
                img = make_image(n_layers=rng.randint(1, 3), layer_size=rng.randint(1_000, 200_000),
                                 arch=rng.choice(["amd64", "arm64"]), rng=rng)
                for d, data in img.blobs.items():
                    method = rng.choice(UPLOAD_METHODS)
                    api.upload_blob(repo, data, method, chunk=rng.randint(4_000, 64_000))
                    ledger.add("acked_blobs", (repo, d, data))
            tag = f"r{round_no}-t{tid}-{n}"
            ledger.add("attempted_images", (repo, tag, img))
            r = api.put(f"/v2/{repo}/manifests/{tag}", data=img.manifest,
                        headers={"Content-Type": img.media_type}, timeout=10)
            if r.status_code == 201:
                ledger.add("acked_images", (repo, tag, img))
                if img.media_type != OCI_INDEX:
                    recent.append(img)
            else:
                ledger.add("errors", (time.monotonic(), f"manifest PUT {tag}: {r.status_code} {r.text[:200]}"))
                return
        except (requests.RequestException, AssertionError, OSError) as e:
            ledger.add("errors", (time.monotonic(), f"{type(e).__name__}: {str(e)[:300]}"))
            return


def fetch_manifest(api, repo, ref):
    r = api.get(f"/v2/{repo}/manifests/{ref}",
                headers={"Accept": ", ".join([
                    "application/vnd.oci.image.manifest.v1+json", OCI_INDEX,
                    "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json"])})
    assert r.status_code in (200, 404), (repo, ref, r.status_code, r.text[:200])
    return r


def check_image(api, repo, ref, img, must_exist: bool) -> bool:
    r = fetch_manifest(api, repo, ref)
    if r.status_code == 404:
        assert not must_exist, f"acknowledged manifest {repo}:{ref} ({img.digest}) lost after crash"
        return False
    assert r.content == img.manifest, f"{repo}:{ref} does not serve the pushed bytes"
    assert r.headers.get("Docker-Content-Digest") == img.digest
    by_digest = fetch_manifest(api, repo, img.digest)
    assert by_digest.status_code == 200 and by_digest.content == img.manifest, \
        f"{repo}:{ref} visible by tag but not by digest {img.digest}"
    for c in img.children:
        cr = fetch_manifest(api, repo, c.digest)
        assert cr.status_code == 200 and cr.content == c.manifest, \
            f"index {repo}:{ref} visible but child {c.digest} is not"
    for d, data in img.all_blobs().items():
        b = api.get(f"/v2/{repo}/blobs/{d}")
        assert b.status_code == 200, f"manifest {repo}:{ref} visible but blob {d} is {b.status_code}"
        assert b.content == data, f"blob {d} in {repo} is corrupt ({len(b.content)} vs {len(data)} bytes)"
    return True


def check_listed_tags(api):
    """Every tag the registry lists resolves to a manifest whose blobs and children all exist."""
    checked = 0
    for repo in api.catalog():
        if not repo.startswith("crash/"):
            continue
        if api.get(f"/v2/{repo}/tags/list").status_code == 404:
            continue   # a repository holding only blobs (no tag yet)
        for tag in api.paged(f"/v2/{repo}/tags/list", "tags"):
            m = fetch_manifest(api, repo, tag)
            assert m.status_code == 200, f"{repo}:{tag} is listed but its manifest is missing"
            man = json.loads(m.content)
            assert sha256(m.content) == m.headers["Docker-Content-Digest"]
            for child in man.get("manifests", []):
                assert fetch_manifest(api, repo, child["digest"]).status_code == 200, \
                    f"{repo}:{tag} lists child {child['digest']} that is missing"
            for desc in ([man["config"]] if "config" in man else []) + man.get("layers", []):
                h = api.head(f"/v2/{repo}/blobs/{desc['digest']}")
                assert h.status_code == 200, f"{repo}:{tag} references missing blob {desc['digest']}"
                assert int(h.headers["Content-Length"]) == desc["size"]
            checked += 1
    return checked


def check_blob_files(data_dir: Path) -> int:
    root = data_dir / "blobs" / "sha256"
    n = 0
    if not root.exists():
        return 0
    for p in root.rglob("*"):
        if p.is_dir():
            continue
        rel = p.relative_to(root).parts
        assert len(rel) == 2 and re.fullmatch(r"[0-9a-f]{64}", rel[1]) and rel[0] == rel[1][:2], \
            f"unexpected file in the blob store: {p}"
        h = hashlib.sha256(p.read_bytes()).hexdigest()
        assert h == rel[1], f"blob file {p} holds content with digest {h} (torn write?)"
        n += 1
    return n


def check_sqlite(db: Path) -> None:
    assert db.exists(), f"{db} missing"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        res = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
    finally:
        con.close()
    assert res == ["ok"], f"sqlite integrity_check: {res[:20]}"


def verify(srv, ledger: Ledger) -> None:
    api = srv.api
    for repo, tag, img in ledger.acked_images:
        check_image(api, repo, tag, img, must_exist=True)
    for repo, d, data in ledger.acked_blobs:
        b = api.get(f"/v2/{repo}/blobs/{d}")
        assert b.status_code == 200, f"acknowledged blob {d} in {repo} lost after crash"
        assert b.content == data, f"acknowledged blob {d} in {repo} corrupt"
    acked = {(r, t) for r, t, _ in ledger.acked_images}
    for repo, tag, img in ledger.attempted_images:
        if (repo, tag) not in acked:
            check_image(api, repo, tag, img, must_exist=False)
    check_listed_tags(api)
    check_blob_files(srv.data_dir)
    check_sqlite(srv.data_dir / "berth.db")


def test_kill9_during_concurrent_pushes(berth_factory):
    seed = int(os.environ.get("BERTH_CRASH_SEED", random.randrange(1 << 30)))
    print(f"BERTH_CRASH_SEED={seed}")
    rng = random.Random(seed)
    srv = berth_factory(fsync=True, start=False)
    ledger = Ledger()
    t0 = time.monotonic()
    rounds_done = 0
    stats = []
    for round_no in range(ROUNDS):
        srv.start()
        verify(srv, ledger)   # state after the previous crash (and restart recovery)
        stop = threading.Event()
        threads = [threading.Thread(target=pusher, daemon=True,
                                    args=(srv.url, srv.auth, tid, round_no,
                                          random.Random(rng.random()), ledger, stop))
                   for tid in range(PUSHERS)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.2))
        kill_at = time.monotonic()
        rc = srv.proc.poll()
        assert rc is None, (f"berth died by itself (exit status {rc}, negative = signal) during "
                            f"round {round_no} with concurrent pushes:\n{srv.log_tail(4000)}")
        srv.kill9()
        stop.set()
        for t in threads:
            t.join(30)
            assert not t.is_alive(), "pusher thread hung after the server was killed"
        real_errors = [e for ts, e in ledger.errors if ts < kill_at]
        assert not real_errors, f"push failed while the server was up: {real_errors[:5]}"
        ledger.errors.clear()
        rounds_done += 1
        stats.append((len(ledger.acked_images), len(ledger.attempted_images)))
        if time.monotonic() - t0 > TIME_BUDGET * 0.75 and rounds_done >= MIN_ROUNDS:
            break
    srv.start()
    verify(srv, ledger)
    assert len(ledger.acked_images) > rounds_done, \
        f"too few pushes succeeded to prove anything: {stats}"
    print(f"rounds={rounds_done} acked/attempted per round={stats} "
          f"blobs={len(ledger.acked_blobs)} elapsed={time.monotonic() - t0:.1f}s")
    srv.stop()
    check_sqlite(srv.data_dir / "berth.db")


def test_upload_session_survives_kill9(berth_factory):
    """Acknowledged PATCHes of an upload survive kill -9; the upload resumes where it stood."""
    srv = berth_factory(fsync=True)
    api = srv.api
    data = os.urandom(300_000)
    d = sha256(data)
    r = api.post("/v2/crash/resume/blobs/uploads/")
    assert r.status_code == 202
    loc = api.location(r)
    r = api.patch(loc, data=data[:120_000], headers={"Content-Type": "application/octet-stream",
                                                      "Content-Range": "0-119999"})
    assert r.status_code == 202, r.text
    loc = api.location(r)
    srv.kill9()
    srv.start()
    s = api.get(loc)
    assert s.status_code == 204, s.text
    assert s.headers["Range"].replace("bytes=", "") == "0-119999"
    r = api.patch(loc, data=data[120_000:], headers={"Content-Type": "application/octet-stream",
                                                      "Content-Range": f"120000-{len(data) - 1}"})
    assert r.status_code == 202, r.text
    r = api.put(api.with_query(api.location(r), f"digest={d}"))
    assert r.status_code == 201, r.text
    assert api.get(f"/v2/crash/resume/blobs/{d}").content == data
    check_blob_files(srv.data_dir)
