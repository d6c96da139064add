#!/usr/bin/python3
"""Helm index.yaml throughput (issue 5): GET /chartrepo/<project>/index.yaml for a project holding
1,000 charts x 10 versions, as helm fetches it (HTTP Basic, Accept-Encoding: gzip), and the
uncompressed form for comparison.

Starts one Berth (fsync off) on a fresh data dir, uploads the charts through the chartrepo API
(raw .tgz bodies, 8 connections), checks the index (10,000 entries, digests), then alternates
wrk runs `wrk -t2 -c64 --latency` between the two variants (A B B A ...) and quotes the median
req/s and p99 of each. Writes its section into bench/RESULTS.md between the chart-bench markers.

    /usr/bin/python3 bench/chart_bench.py                 # 1000 x 10, 3 rounds of 10 s
    /usr/bin/python3 bench/chart_bench.py --charts 100 --versions 5 --rounds 1 --duration 5

Only loopback is targeted. Needs wrk and a built build/berth (or BERTH_BIN).
"""
from __future__ import annotations

import argparse
import base64
import concurrent.futures
import gzip
import hashlib
import http.client
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as v2bench  # noqa: E402  (free_port, parse_wrk, KEEP_MARK)
from server_proc import BenchError, ServerProcess, build_info  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
USER, PASSWORD = "admin", "Harbor12345"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
PROJECT = "charts"
MARK_BEGIN = "<!-- chart-bench:begin -->"
MARK_END = "<!-- chart-bench:end -->"


def chart_tgz(name: str, version: str) -> bytes:
    files = {
        f"{name}/Chart.yaml": (f"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\n"
                               f"description: Benchmark chart {name}\ntype: application\n").encode(),
        f"{name}/values.yaml": b"replicaCount: 1\n",
        f"{name}/templates/deployment.yaml": b"kind: Deployment\n",
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, data in files.items():
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            ti.mtime = 1700000000
            tar.addfile(ti, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)


class Berth(ServerProcess):
    def __init__(self, binary, data_dir, log_path):
        super().__init__("berth", v2bench.free_port(), log_path)
        self.binary = binary
        self.data_dir = data_dir

    def start(self):
        env = dict(os.environ)
        env.update({"BERTH_LOG_LEVEL": "warn", "BERTH_ADMIN_PASSWORD": PASSWORD, "BERTH_STORAGE_FSYNC": "false"})
        self.launch([self.binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir], env)
        self.wait_ready(AUTH, timeout=60)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        h = {"Authorization": AUTH}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        conn.close()


def seed(port, charts, versions, workers=8):
    st, body, _ = request(port, "POST", "/api/v2.0/projects", body=b'{"project_name":"%s"}' % PROJECT.encode(),
                          headers={"Content-Type": "application/json"})
    if st not in (201, 409):
        raise BenchError(f"project create: {st} {body[:200]!r}")
    jobs = [(f"chart{c:04d}", f"1.{v}.0") for c in range(charts) for v in range(versions)]
    digests = {}
    lock = threading.Lock()
    local = threading.local()

    def upload(job):
        name, version = job
        tgz = chart_tgz(name, version)
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local.conn.request("POST", f"/api/chartrepo/{PROJECT}/charts", body=tgz,
                           headers={"Authorization": AUTH, "Content-Type": "application/gzip"})
        r = local.conn.getresponse()
        data = r.read()
        if r.status != 201:
            raise BenchError(f"upload {name}-{version}: {r.status} {data[:200]!r}")
        with lock:
            digests[(name, version)] = hashlib.sha256(tgz).hexdigest()

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        list(ex.map(upload, jobs))
    return digests, time.time() - t0


def verify(port, digests):
    import yaml  # python3-yaml (scripts/setup.sh)
    st, body, _ = request(port, "GET", f"/chartrepo/{PROJECT}/index.yaml")
    if st != 200:
        raise BenchError(f"index.yaml: {st}")
    doc = yaml.safe_load(body)
    n = sum(len(v) for v in doc["entries"].values())
    if n != len(digests):
        raise BenchError(f"index.yaml lists {n} versions, {len(digests)} were uploaded")
    for (name, version), d in list(digests.items())[:: max(1, len(digests) // 50)]:
        e = [x for x in doc["entries"][name] if x["version"] == version][0]
        if e["digest"] != d:
            raise BenchError(f"{name}-{version}: digest {e['digest']} != {d}")
    st, gz, headers = request(port, "GET", f"/chartrepo/{PROJECT}/index.yaml", headers={"Accept-Encoding": "gzip"})
    if headers.get("Content-Encoding") != "gzip" or gzip.decompress(gz) != body:
        raise BenchError("the gzip index differs from the plain one")
    return len(body), len(gz)


def run_wrk(port, gzip_on, duration, threads, connections):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
           "-H", f"Authorization: {AUTH}"]
    if gzip_on:
        cmd += ["-H", "Accept-Encoding: gzip"]
    cmd.append(f"http://127.0.0.1:{port}/chartrepo/{PROJECT}/index.yaml")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    r = v2bench.parse_wrk(p.stdout)
    if r["non2xx"] or r["socket_errors"]:
        raise BenchError(f"wrk: {r['non2xx']} non-2xx, {r['socket_errors']} socket errors")
    return r


def write_section(path, section):
    old = open(path).read() if os.path.exists(path) else ""
    block = f"{MARK_BEGIN}\n{section.rstrip()}\n{MARK_END}"
    if MARK_BEGIN in old and MARK_END in old:
        head, rest = old.split(MARK_BEGIN, 1)
        new = head + block + rest.split(MARK_END, 1)[1]
    else:
        keep = "" if v2bench.KEEP_MARK in old else v2bench.KEEP_MARK + "\n\n"
        new = (old.rstrip() + "\n\n" if old else "") + keep + block + "\n"
    with open(path, "w") as f:
        f.write(new)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--charts", type=int, default=1000)
    p.add_argument("--versions", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3, help="A B B A rounds (each variant runs twice per round)")
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--out", help="default bench/RESULTS.md (quick: bench/out/RESULTS-quick.md)")
    p.add_argument("--quick", action="store_true", help="100 charts x 5 versions, 1 round of 5 s")
    a = p.parse_args(argv)
    if a.quick:
        a.charts, a.versions, a.rounds, a.duration = min(a.charts, 100), min(a.versions, 5), 1, 5
    a.out = a.out or (os.path.join(BENCH_DIR, "out", "RESULTS-quick.md") if a.quick else
                      os.path.join(BENCH_DIR, "RESULTS.md"))
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    if not shutil.which("wrk"):
        sys.exit("wrk not found (scripts/setup.sh installs it)")
    binary = os.environ.get("BERTH_BIN", os.path.join(REPO_ROOT, "build", "berth"))
    work = tempfile.mkdtemp(prefix="berth-chart-bench-")
    srv = Berth(binary, os.path.join(work, "data"), os.path.join(work, "berth.log"))
    try:
        srv.start()
        digests, seed_s = seed(srv.port, a.charts, a.versions)
        plain_bytes, gz_bytes = verify(srv.port, digests)
        run_wrk(srv.port, True, 2, a.threads, a.connections)  # warm-up
        runs = {True: [], False: []}
        load_before = os.getloadavg()[0]
        for _ in range(a.rounds):
            for variant in (True, False, False, True):
                runs[variant].append(run_wrk(srv.port, variant, a.duration, a.threads, a.connections))
                print(f"gzip={variant}: {runs[variant][-1]['rps']:.0f} req/s p99 {runs[variant][-1].get('p99_ms')} ms",
                      file=sys.stderr)
        rss = srv.peak_rss_mib()
        load_after = os.getloadavg()[0]
    finally:
        srv.stop()
        shutil.rmtree(work, ignore_errors=True)

    def med(variant, key):
        return statistics.median(r[key] for r in runs[variant])

    n = len(digests)
    L = ["## Helm index.yaml (issue 5)", "",
         f"`bench/chart_bench.py`: one project with {a.charts} charts x {a.versions} versions ({n} entries), "
         f"uploaded through `POST /api/chartrepo/{{project}}/charts` in {seed_s:.0f} s (8 connections). Load: "
         f"`wrk -t{a.threads} -c{a.connections} -d{a.duration}s --latency` on `GET /chartrepo/{PROJECT}/index.yaml` "
         f"with HTTP Basic; {a.rounds} rounds alternating A B B A, median of {2 * a.rounds} runs per variant. "
         f"Berth {build_info(binary, REPO_ROOT)}, fsync off, {os.cpu_count()} cores shared with wrk.", "",
         "| variant | body | req/s | p50 ms | p99 ms |", "|---|---|---|---|---|",
         f"| A: `Accept-Encoding: gzip` (what helm sends) | {gz_bytes / 1024:.0f} KiB | {med(True, 'rps'):.0f} | "
         f"{med(True, 'p50_ms'):.2f} | {med(True, 'p99_ms'):.2f} |",
         f"| B: identity | {plain_bytes / 1024:.0f} KiB | {med(False, 'rps'):.0f} | {med(False, 'p50_ms'):.2f} | "
         f"{med(False, 'p99_ms'):.2f} |", "",
         "The index is rendered once per change of the project's charts (and gzip-compressed then); requests in "
         "between check an in-memory write generation and, when anything was written anywhere, one indexed "
         "counter row (`project_changes`, maintained by triggers on tags and repositories), then send the cached "
         "bytes from a memfd with sendfile(2). Goal: >= 2,000 req/s with helm's gzip."
         + (f" Peak RSS {rss:.0f} MiB." if rss else "")
         + f" Load average (1 min) before/after the timed runs: {load_before:.1f}/{load_after:.1f} on "
           f"{os.cpu_count()} cores (other processes included).", ""]
    write_section(a.out, "\n".join(L))
    print("\n".join(L))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
