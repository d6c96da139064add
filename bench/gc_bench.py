#!/usr/bin/python3
"""Garbage-collection benchmark (issue 7): GC over 100,000 unreferenced blobs among 100,000
referenced ones on the filesystem backend (goal: under 10 s), and push p99 latency while GC runs
versus without GC (goal: within 2x).

Per round:
1. Seed. A fresh Berth (filesystem backend, data dir on the real disk under --workdir) starts, the
   project is created and one small image is pushed through the API, so the repository row and
   everything around it are Berth's own. The server is stopped and /usr/bin/python3's sqlite3 then
   adds, in one transaction, --referenced blobs held by manifests of --layers layers each (one tag
   per manifest) and --unreferenced blobs no manifest holds, and writes every blob's file at the
   path the filesystem driver uses (blobs/sha256/<2 hex>/<hex>, content hashing to the digest).
   Seeding bypasses the API for speed: 200,000 blobs through HTTP would take far longer than the
   thing measured. It is faithful because the rows are exactly the ones a push writes (blobs with
   ref_count = number of manifest_blobs rows, repository_blobs links, manifests with real OCI
   manifest content and their manifest_blobs and tags) and the files are real blob files; the only
   difference is the timestamps, back-dated by an hour so that the grace window has passed.
   The check after GC proves the seed was read as real data: exactly the unreferenced blobs go
   (rows and files), every referenced file stays, and seeded tags still pull.
2. Baseline: Berth restarted on the seeded store; --pushers threads each push images in a loop (a
   1 KiB random layer, a shared config, a manifest under a new tag: 3 requests) for --push-seconds;
   p50/p99 of whole-push latency.
3. GC: the same pushers run, a manual GC is started through the API (POST
   /api/v2.0/system/gc/schedule {"schedule":{"type":"Manual"}}) and polled (GET /system/gc/{id})
   until it ends; its duration_ms, blobs_deleted and bytes_freed are read from the API, and the
   latency of the pushes that started while it ran is compared with the baseline.

The grace window is --grace seconds (default 60, via BERTH_GC_GRACE_SECONDS; the schedule is off via
BERTH_GC_SCHEDULE=""). The seeded garbage is an hour old, so any grace under 3600 s collects all of
it; a grace of 0 would also let GC race the bench's own in-flight pushes (a layer uploaded but not
yet referenced) and the push would have to re-upload, which measures the race, not the latency.

    /usr/bin/python3 bench/gc_bench.py                    # 1 round, writes bench/out/RESULTS-gc.md
    /usr/bin/python3 bench/gc_bench.py --rounds 2 --workers 10 --workdir /var/tmp

Where the time goes: a run deletes rows in batches (500 per transaction) and moves each file into
data/trash (a rename); after the run is Success its job unlinks the trash, which is bounded by the
filesystem's unlink cost. The report gives both: the run's duration (the registry no longer has the
blobs) and the time until the trash is empty (the disk space is back).

Only loopback is used. Storage fsync is off (BERTH_STORAGE_FSYNC=false) as in the other benches.
"""

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import run as v2bench  # noqa: E402  (free_port, BENCH_USER/PASSWORD)
from server_proc import ServerProcess  # noqa: E402

AUTH = (v2bench.BENCH_USER, v2bench.BENCH_PASSWORD)
PROJECT = "gcb"
REPO = f"{PROJECT}/app"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = json.dumps({"architecture": "amd64", "os": "linux"}).encode()


class Berth(ServerProcess):
    def __init__(self, binary, data_dir, log_path, grace):
        super().__init__("berth", v2bench.free_port(), log_path)
        self.bin, self.data, self.grace = binary, data_dir, grace

    def start(self):
        env = dict(os.environ)
        env.update({"BERTH_LOG_LEVEL": "warn", "BERTH_ADMIN_PASSWORD": v2bench.BENCH_PASSWORD,
                    "BERTH_STORAGE_FSYNC": "false", "BERTH_GC_SCHEDULE": "",
                    "BERTH_GC_GRACE_SECONDS": str(self.grace)})
        self.launch([self.bin, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data], env,
                    append_log=True)
        self.wait_ready(v2bench.AUTH_HEADER, timeout=120)
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def api(srv, method, path, **kw):
    return requests.request(method, srv.url + "/api/v2.0" + path, auth=AUTH, timeout=30, **kw)


def manifest_for(config_digest, config_size, layers):
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": config_digest, "size": config_size},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s}
                                  for d, s in layers]}, separators=(",", ":")).encode()


def push_image(session, url, repo, tag, layer_size=1024):
    """One whole push: layer, config (already there after the first), manifest. Returns seconds."""
    t0 = time.perf_counter()
    layer = os.urandom(layer_size)
    for blob in (layer, CONFIG):
        d = sha256(blob)
        if blob is CONFIG and session.head(f"{url}/v2/{repo}/blobs/{d}").status_code == 200:
            continue
        r = session.post(f"{url}/v2/{repo}/blobs/uploads/?digest={d}", data=blob,
                         headers={"Content-Type": "application/octet-stream"})
        if r.status_code != 201:
            raise RuntimeError(f"blob upload: {r.status_code} {r.text[:200]}")
    m = manifest_for(sha256(CONFIG), len(CONFIG), [(sha256(layer), len(layer))])
    r = session.put(f"{url}/v2/{repo}/manifests/{tag}", data=m, headers={"Content-Type": OCI_MANIFEST})
    if r.status_code != 201:
        raise RuntimeError(f"manifest put: {r.status_code} {r.text[:200]}")
    return time.perf_counter() - t0


def write_blob_file(data_dir, content):
    d = hashlib.sha256(content).hexdigest()
    folder = os.path.join(data_dir, "blobs", "sha256", d[:2])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, d), "wb") as f:
        f.write(content)
    return "sha256:" + d


def seed(data_dir, referenced, unreferenced, layers, blob_size):
    """Adds the rows and files (see the docstring) to a stopped server's data dir."""
    t0 = time.time()
    then = int(time.time()) - 3600
    db = sqlite3.connect(os.path.join(data_dir, "berth.db"), isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    (repo_id,) = db.execute("SELECT id FROM repositories WHERE name = ?", (REPO,)).fetchone()
    db.execute("BEGIN")
    blob_rows, links = [], []
    ref_digests = []
    for i in range(referenced + unreferenced):
        content = i.to_bytes(8, "big") + os.urandom(blob_size - 8)
        d = write_blob_file(data_dir, content)
        is_ref = i < referenced
        blob_rows.append((d, blob_size, then, 1 if is_ref else 0, then))
        links.append((repo_id, d, then))
        if is_ref:
            ref_digests.append(d)
    db.executemany("INSERT INTO blobs(digest, size, created_at, ref_count, last_ref_at) VALUES(?, ?, ?, ?, ?)",
                   blob_rows)
    db.executemany("INSERT INTO repository_blobs(repository_id, digest, created_at) VALUES(?, ?, ?)", links)
    tags = []
    for m in range(0, referenced, layers):
        group = ref_digests[m:m + layers]
        content = manifest_for(group[0], blob_size, [(d, blob_size) for d in group[1:]])
        cur = db.execute("INSERT INTO manifests(repository_id, digest, media_type, size, content, pushed_at) "
                         "VALUES(?, ?, ?, ?, ?, ?)", (repo_id, sha256(content), OCI_MANIFEST, len(content),
                                                     content, then))
        mid = cur.lastrowid
        db.executemany("INSERT INTO manifest_blobs(manifest_id, digest) VALUES(?, ?)", [(mid, d) for d in group])
        tag = f"seed-{m // layers}"
        db.execute("INSERT INTO tags(repository_id, name, manifest_id, pushed_at) VALUES(?, ?, ?, ?)",
                   (repo_id, tag, mid, then))
        tags.append((tag, sha256(content)))
    db.execute("COMMIT")
    db.close()
    return tags, time.time() - t0


def count_blob_files(data_dir):
    n = 0
    for _, _, files in os.walk(os.path.join(data_dir, "blobs")):
        n += len(files)
    return n


class Pushers:
    """--pushers threads pushing images in a loop; records (start, seconds) of every push."""

    def __init__(self, srv, n, prefix):
        self.srv, self.n, self.prefix = srv, n, prefix
        self.samples, self.errors = [], []
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.threads = [threading.Thread(target=self.loop, args=(k,)) for k in range(n)]

    def loop(self, k):
        s = requests.Session()
        s.auth = AUTH
        i = 0
        while not self.stop_flag.is_set():
            start = time.time()
            try:
                sec = push_image(s, self.srv.url, REPO, f"{self.prefix}-{k}-{i}")
                with self.lock:
                    self.samples.append((start, sec))
            except Exception as e:  # noqa: BLE001 — counted and reported
                with self.lock:
                    self.errors.append(str(e))
            i += 1

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join()


def quantiles(xs):
    xs = sorted(xs)
    q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
    return {"n": len(xs), "p50_ms": q(0.50) * 1000, "p99_ms": q(0.99) * 1000, "max_ms": xs[-1] * 1000}


def run_gc(srv, workers, timeout=900):
    r = api(srv, "POST", "/system/gc/schedule", json={"schedule": {"type": "Manual"},
                                                      "parameters": {"workers": workers}})
    if r.status_code != 201:
        raise RuntimeError(f"start gc: {r.status_code} {r.text}")
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    started = time.time()
    deadline = started + timeout
    while time.time() < deadline:
        j = api(srv, "GET", f"/system/gc/{run_id}").json()
        if j["job_status"] not in ("Pending", "Running"):
            return j, started, time.time()
        time.sleep(0.05)
    raise RuntimeError(f"gc run {run_id} did not finish in {timeout} s")


def wait_trash_empty(data, since, timeout=900):
    """Seconds from `since` until the deleted files' space is back: the run moves them into
    data/trash and its job unlinks them after the run is Success."""
    trash = os.path.join(data, "trash")
    deadline = time.time() + timeout
    while time.time() < deadline:
        with os.scandir(trash) as it:
            if next(it, None) is None:
                return time.time() - since
        time.sleep(0.05)
    raise RuntimeError(f"trash not empty after {timeout} s")


def one_round(a, workdir, k):
    data = os.path.join(workdir, f"r{k}")
    os.makedirs(data)
    srv = Berth(a.berth, data, os.path.join(workdir, f"r{k}.log"), a.grace)
    srv.start()
    try:
        assert api(srv, "POST", "/projects", json={"project_name": PROJECT}).status_code == 201
        s = requests.Session()
        s.auth = AUTH
        push_image(s, srv.url, REPO, "first")
    finally:
        srv.stop()
    tags, seed_s = seed(data, a.referenced, a.unreferenced, a.layers, a.blob_size)
    files_before = count_blob_files(data)
    print(f"round {k + 1}: seeded {a.referenced} referenced + {a.unreferenced} unreferenced blobs "
          f"({files_before} files) in {seed_s:.1f} s", flush=True)
    srv.start()
    try:
        with Pushers(srv, a.pushers, "base") as p:
            time.sleep(a.push_seconds)
        base = quantiles([sec for _, sec in p.samples])
        base_errors = len(p.errors)
        with Pushers(srv, a.pushers, "gc") as p:
            time.sleep(0.5)  # pushers warmed up
            run, gc_start, gc_end = run_gc(srv, a.workers)
            space_back = wait_trash_empty(data, gc_start)
        during = [sec for start, sec in p.samples if gc_start <= start and start + sec <= gc_end]
        gc_lat = quantiles(during) if during else {"n": 0, "p50_ms": 0, "p99_ms": 0, "max_ms": 0}
        gc_errors = len(p.errors)
        # Checks: exactly the garbage went, the referenced files stayed, seeded images still resolve.
        for tag, digest in tags[:: max(1, len(tags) // 20)]:
            r = s.get(f"{srv.url}/v2/{REPO}/manifests/{tag}", headers={"Accept": OCI_MANIFEST})
            if r.status_code != 200 or sha256(r.content) != digest:
                raise RuntimeError(f"seeded tag {tag} no longer pulls: {r.status_code}")
            m = json.loads(r.content)
            d = m["layers"][-1]["digest"]
            if s.head(f"{srv.url}/v2/{REPO}/blobs/{d}").status_code != 200:
                raise RuntimeError(f"layer {d} of {tag} is gone")
    finally:
        srv.stop()
    files_after = count_blob_files(data)
    pushed = files_after - (files_before - a.unreferenced)
    result = {"duration_s": run["duration_ms"] / 1000, "wall_s": gc_end - gc_start, "space_back_s": space_back,
              "blobs_deleted": run["blobs_deleted"], "bytes_freed": run["bytes_freed"],
              "status": run["job_status"], "errors": run["errors"], "files_before": files_before,
              "files_after": files_after, "files_from_bench_pushes": pushed,
              "base": base, "during_gc": gc_lat, "push_errors": base_errors + gc_errors}
    if run["blobs_deleted"] != a.unreferenced or run["bytes_freed"] != a.unreferenced * a.blob_size:
        raise RuntimeError(f"GC freed {run['blobs_deleted']} blobs / {run['bytes_freed']} bytes, expected "
                           f"{a.unreferenced} / {a.unreferenced * a.blob_size}: {result}")
    print(f"round {k + 1}: {json.dumps(result)}", flush=True)  # before the (unlink-bound) clean-up
    shutil.rmtree(data, ignore_errors=True)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--berth", default=os.path.join(ROOT, "build", "berth"))
    ap.add_argument("--referenced", type=int, default=100_000)
    ap.add_argument("--unreferenced", type=int, default=100_000)
    ap.add_argument("--layers", type=int, default=100, help="blobs per seeded manifest")
    ap.add_argument("--blob-size", type=int, default=512)
    ap.add_argument("--pushers", type=int, default=4)
    ap.add_argument("--push-seconds", type=float, default=10)
    ap.add_argument("--grace", type=int, default=60)
    ap.add_argument("--workers", type=int, default=1, help="the GC run's workers parameter (Harbor's, 1-10)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--workdir", default="/var/tmp", help="parent of the data dirs (a real disk, not tmpfs)")
    ap.add_argument("--results", default=os.path.join(HERE, "out", "RESULTS-gc.md"))
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.results), exist_ok=True)
    t0 = time.time()
    results = []
    with tempfile.TemporaryDirectory(prefix="berth-gc-", dir=a.workdir) as wd:
        for k in range(a.rounds):
            results.append(one_round(a, wd, k))
    med = lambda key, sub=None: statistics.median([(x[key][sub] if sub else x[key]) for x in results])
    each = lambda key, sub=None, f="{:.2f}": ", ".join(f.format(x[key][sub] if sub else x[key]) for x in results)
    ratio = med("during_gc", "p99_ms") / med("base", "p99_ms")
    lines = [
        "# GC benchmark",
        "",
        f"Generated by `bench/gc_bench.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, took "
        f"{(time.time() - t0) / 60:.1f} min; {a.rounds} round(s). Binary: `{a.berth}`. "
        f"{a.unreferenced} unreferenced + {a.referenced} referenced blobs of {a.blob_size} B "
        f"({a.referenced // a.layers} tagged manifests), {a.pushers} pushers, grace {a.grace} s, "
        f"GC workers {a.workers}, data dir under `{a.workdir}`.",
        "",
        "| measure | median (per round) | goal |",
        "|---|---|---|",
        f"| GC duration (run's duration_ms) | {med('duration_s'):.2f} s ({each('duration_s')}) | < 10 s |",
        f"| GC wall time, start request → seen finished | {med('wall_s'):.2f} s ({each('wall_s')}) | |",
        f"| start request → disk space back (trash empty) | {med('space_back_s'):.2f} s ({each('space_back_s')}) | |",
        f"| blobs deleted / bytes freed | {each('blobs_deleted', f='{}')} / {each('bytes_freed', f='{}')} | "
        f"{a.unreferenced} / {a.unreferenced * a.blob_size} |",
        f"| push p50 without GC | {med('base', 'p50_ms'):.1f} ms ({each('base', 'p50_ms', '{:.1f}')}) | |",
        f"| push p99 without GC | {med('base', 'p99_ms'):.1f} ms ({each('base', 'p99_ms', '{:.1f}')}) | |",
        f"| push p50 during GC | {med('during_gc', 'p50_ms'):.1f} ms "
        f"({each('during_gc', 'p50_ms', '{:.1f}')}) | |",
        f"| push p99 during GC | {med('during_gc', 'p99_ms'):.1f} ms "
        f"({each('during_gc', 'p99_ms', '{:.1f}')}) | |",
        f"| p99 during / without | {ratio:.2f} | ≤ 2 |",
        f"| pushes sampled without / during GC | {each('base', 'n', '{}')} / {each('during_gc', 'n', '{}')} | |",
        f"| push errors | {each('push_errors', f='{}')} | 0 |",
        "",
    ]
    with open(a.results, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
