#!/usr/bin/python3
"""Berth vs. the reference registry (CNCF distribution, Debian `docker-registry`), side by side.

Every run starts a fresh server process on a fresh data dir on 127.0.0.1, runs the selected
workloads against it, records its peak RSS and stops it. Runs alternate A B B A within a round
(with the fsync-on Berth variant in the middle: A B C C B A), and the tables quote the median of
all runs of each server. Machine limits (SHA-256 speed, loopback download/upload through a
trivial server, disk write + fsync) are measured in the same invocation.

    /usr/bin/python3 bench/run.py            # full run, ~15 min, writes bench/RESULTS.md
    /usr/bin/python3 bench/run.py --quick    # ~3 min smoke, writes bench/out/RESULTS-quick.md
    /usr/bin/python3 bench/run.py --workloads manifest,head --servers berth,registry --rounds 1

Only loopback is ever targeted. Needs: wrk, ab, curl, openssl, docker-registry, and the two
tools from bench/CMakeLists.txt (built by the top-level build into build/bench/, or built here
into bench/out/build if missing).
"""
from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_proc import BenchError, ServerProcess, build_info  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
OUT_DIR = os.path.join(BENCH_DIR, "out")  # gitignored

MIB = 1 << 20
GIB = 1 << 30
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"

# Berth requires credentials on every /v2 request and every repository to live in an existing project
# (its first path component). The harness starts Berth with BERTH_ADMIN_PASSWORD, creates PROJECT
# through the REST API, and sends HTTP Basic on every request to every server (the reference registry
# has no auth configured and ignores the header, so both see the same requests). Every repository the
# workloads use is PROJECT/<something>.
BENCH_USER = "admin"
BENCH_PASSWORD = "Harbor12345"
PROJECT = "bench"
AUTH_HEADER = "Basic " + base64.b64encode(f"{BENCH_USER}:{BENCH_PASSWORD}".encode()).decode()

WORKLOADS = ["push", "chunked", "pull", "manifest", "head", "manifest_bearer", "head_bearer", "pushes", "tags"]
WORKLOAD_TITLES = {
    "push": "1. Blob push, monolithic (POST, then one PUT ?digest= with the whole body)",
    "chunked": "2. Blob push, chunked (POST, 64 MiB PATCHes with Content-Range, PUT ?digest=)",
    "pull": "3. Blob pull (GET, body discarded)",
    "manifest": "4. Manifest GET by tag (wrk -t2 -c64, Accept: OCI manifest)",
    "head": "5. Blob HEAD (ab -i -k -c64)",
    "manifest_bearer": "4b. Manifest GET by tag with a Bearer token from /service/token (wrk -t2 -c64)",
    "head_bearer": "5b. Blob HEAD with a Bearer token from /service/token (ab -i -k -c64)",
    "pushes": "6. Concurrent small-image pushes (berth_bench_push, libcurl multi)",
    "tags": "7. tags/list of a repository with many tags",
    "rss": "8. Peak RSS (VmHWM at the end of each run)",
}
# Workloads whose speed depends on Berth's fsync setting: these also run in the fsync-on variant.
FSYNC_WORKLOADS = {"push", "chunked", "pushes", "tags"}

LOG = sys.stderr

# RESULTS.md: run.py rewrites everything above this line and keeps everything below it (the sections of
# bench/api_bench.py and hand-written analyses of later issues).
KEEP_MARK = "<!-- run.py keeps everything below this line when it rewrites this file -->"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=LOG, flush=True)


# --------------------------------------------------------------------------------------------
# helpers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def run_cmd(cmd, timeout, check=True, env=None):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"{cmd[0]} timed out after {timeout}s") from e
    if check and p.returncode != 0:
        raise BenchError(f"{' '.join(cmd[:3])}... exited {p.returncode}: {(p.stderr or p.stdout)[-500:]}")
    return p


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(4 * MIB)
            if not b:
                break
            h.update(b)
    return "sha256:" + h.hexdigest()


def cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return sum(v[:8]), idle


def background_busy(seconds=1.0):
    """Share of the machine's CPU time that was busy over `seconds` while this harness ran nothing:
    other people's work on the shared machine."""
    try:
        t0, i0 = cpu_times()
        time.sleep(seconds)
        t1, i1 = cpu_times()
        return 100.0 * (1 - (i1 - i0) / max(1, t1 - t0))
    except (OSError, ValueError, IndexError):
        return None


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


# --------------------------------------------------------------------------------------------
# HTTP client (http.client, keep-alive, bodies streamed from disk with sendfile(2))


class Client:
    def __init__(self, port: int, timeout: float = 300, auth: str | None = AUTH_HEADER):
        self.port = port
        self.timeout = timeout
        self.auth = auth  # Authorization header value sent on every request (None: none)
        self.conn = None

    def _c(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=b"", headers=None):
        """Small request with an in-memory body; returns (status, headers, body bytes)."""
        c = self._c()
        h = dict(headers or {})
        h.setdefault("Content-Length", str(len(body)))
        if self.auth:
            h.setdefault("Authorization", self.auth)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if r.will_close:
            self.close()
        return r.status, r.headers, data

    def send_file(self, method, path, f, offset, count, headers):
        """Request whose body is bytes [offset, offset+count) of file f, sent with sendfile."""
        c = self._c()
        try:
            c.putrequest(method, path, skip_accept_encoding=True)
            c.putheader("Content-Length", str(count))
            if self.auth and "Authorization" not in headers:
                c.putheader("Authorization", self.auth)
            for k, v in headers.items():
                c.putheader(k, v)
            c.endheaders()
            if count:
                try:
                    c.sock.sendfile(f, offset, count)
                except OSError as e:
                    # The server answered (and closed) before taking the whole body: report its answer.
                    try:
                        r = c.getresponse()
                        raise BenchError(f"{method}: connection closed after {e.strerror} mid-body; "
                                         f"server said HTTP {r.status} {r.read()[:200]!r}") from e
                    except (OSError, http.client.HTTPException):
                        raise e from None
            r = c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException, BenchError):
            self.close()
            raise
        if r.will_close:
            self.close()
        return r.status, r.headers, data


def location_path(loc: str) -> str:
    if not loc:
        raise BenchError("upload response has no Location header")
    u = urllib.parse.urlsplit(loc)
    return u.path + ("?" + u.query if u.query else "")


def add_query(path: str, key: str, value: str) -> str:
    return path + ("&" if "?" in path else "?") + f"{key}={value}"


def expect(status, want, what, body=b""):
    if status not in want:
        raise BenchError(f"{what}: HTTP {status} (want {want}) {body[:200]!r}")


def push_monolithic(port, repo, path, size, digest) -> float:
    """POST, then PUT ?digest= with the whole file. Returns seconds."""
    cl = Client(port)
    with open(path, "rb") as f:
        t0 = time.perf_counter()
        st, h, b = cl.request("POST", f"/v2/{repo}/blobs/uploads/")
        expect(st, (202,), "POST upload", b)
        put = add_query(location_path(h.get("Location")), "digest", digest)
        st, h, b = cl.send_file("PUT", put, f, 0, size, {"Content-Type": "application/octet-stream"})
        dt = time.perf_counter() - t0
    expect(st, (201,), "PUT ?digest= (monolithic)", b)
    verify_blob(cl, repo, digest, size)
    cl.close()
    return dt


def push_chunked(port, repo, path, size, digest, chunk) -> float:
    """POST, PATCH chunk by chunk with Content-Range, PUT ?digest= with no body. Returns seconds."""
    cl = Client(port)
    with open(path, "rb") as f:
        t0 = time.perf_counter()
        st, h, b = cl.request("POST", f"/v2/{repo}/blobs/uploads/")
        expect(st, (202,), "POST upload", b)
        loc = location_path(h.get("Location"))
        off = 0
        while off < size:
            n = min(chunk, size - off)
            st, h, b = cl.send_file("PATCH", loc, f, off, n, {
                "Content-Type": "application/octet-stream",
                "Content-Range": f"{off}-{off + n - 1}",
            })
            expect(st, (202,), f"PATCH {off}-{off + n - 1}", b)
            loc = location_path(h.get("Location"))
            off += n
        st, h, b = cl.request("PUT", add_query(loc, "digest", digest),
                              headers={"Content-Type": "application/octet-stream"})
        dt = time.perf_counter() - t0
    expect(st, (201,), "PUT ?digest= (chunked)", b)
    verify_blob(cl, repo, digest, size)
    cl.close()
    return dt


def verify_blob(cl, repo, digest, size):
    st, h, _ = cl.request("HEAD", f"/v2/{repo}/blobs/{digest}")
    expect(st, (200,), "HEAD after push")
    if int(h.get("Content-Length", -1)) != size:
        raise BenchError(f"HEAD after push: Content-Length {h.get('Content-Length')} != {size}")


def push_small_image(port, repo, tag):
    """Pushes a tiny image with Python (setup only). Returns (layer digest, manifest bytes)."""
    cl = Client(port)
    layer = os.urandom(4096)
    ld = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
    cd = "sha256:" + hashlib.sha256(config).hexdigest()
    for data, dg in ((layer, ld), (config, cd)):
        st, h, b = cl.request("POST", f"/v2/{repo}/blobs/uploads/")
        expect(st, (202,), "POST upload", b)
        st, h, b = cl.request("PUT", add_query(location_path(h.get("Location")), "digest", dg), body=data,
                              headers={"Content-Type": "application/octet-stream"})
        expect(st, (201,), "PUT blob", b)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": len(layer)}],
    }).encode()
    st, h, b = cl.request("PUT", f"/v2/{repo}/manifests/{tag}", body=manifest,
                          headers={"Content-Type": MANIFEST_TYPE})
    expect(st, (201,), "PUT manifest", b)
    st, h, b = cl.request("GET", f"/v2/{repo}/manifests/{tag}", headers={"Accept": MANIFEST_TYPE})
    expect(st, (200,), "GET manifest", b)
    if b != manifest:
        raise BenchError("GET manifest returned different bytes than were PUT")
    cl.close()
    return ld, manifest


# --------------------------------------------------------------------------------------------
# tool output parsing


def parse_duration_ms(s: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m|h)$", s.strip())
    if not m:
        raise BenchError(f"cannot parse wrk duration {s!r}")
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}[u]


def parse_wrk(out: str) -> dict:
    res = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m:
        raise BenchError(f"wrk output has no Requests/sec: {out[-500:]}")
    res["rps"] = float(m.group(1))
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if m:
            res[f"p{pct}_ms"] = parse_duration_ms(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    res["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    return res


def parse_ab(out: str) -> dict:
    res = {}
    m = re.search(r"Requests per second:\s+([\d.]+)", out)
    if not m:
        raise BenchError(f"ab output has no 'Requests per second': {out[-500:]}")
    res["rps"] = float(m.group(1))
    for key, pat in (("requests", r"Complete requests:\s+(\d+)"), ("failed", r"Failed requests:\s+(\d+)"),
                     ("non2xx", r"Non-2xx responses:\s+(\d+)"), ("keepalive", r"Keep-Alive requests:\s+(\d+)")):
        m = re.search(pat, out)
        res[key] = int(m.group(1)) if m else 0
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\d+)", out, re.M)
        if m:
            res[f"p{pct}_ms"] = float(m.group(1))
    return res


# --------------------------------------------------------------------------------------------
# servers


class Server(ServerProcess):
    """One server process on a fresh data dir (process handling in server_proc.ServerProcess)."""

    def __init__(self, kind: str, ctx):
        self.kind = kind  # berth | berth-fsync | berth-base | registry
        self.ctx = ctx
        self.on_tmpfs = ctx.data_root_for(kind) != ctx.workdir
        self.dir = tempfile.mkdtemp(prefix=f"run-{kind}-", dir=ctx.data_root_for(kind))
        self.data = os.path.join(self.dir, "data")
        os.mkdir(self.data)
        super().__init__(kind, free_port(), os.path.join(self.dir, "server.log"))

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ)
        if self.kind.startswith("berth"):
            env["BERTH_LOG_LEVEL"] = "warn"
            env["BERTH_ADMIN_PASSWORD"] = BENCH_PASSWORD  # creates user admin on this fresh data dir
            if self.kind in ("berth", "berth-base"):
                env["BERTH_STORAGE_FSYNC"] = "false"
            else:
                env.pop("BERTH_STORAGE_FSYNC", None)  # Berth's default: fsync on
            binary = self.ctx.base_bin if self.kind == "berth-base" else self.ctx.berth_bin
            cmd = [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data]
        else:
            cfg = os.path.join(self.dir, "config.yml")
            with open(cfg, "w") as f:
                f.write(
                    "version: 0.1\n"
                    "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                    f"storage:\n  filesystem:\n    rootdirectory: {self.data}\n  delete:\n    enabled: true\n"
                    "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                    f"http:\n  addr: 127.0.0.1:{self.port}\n"
                )
            cmd = [self.ctx.registry_bin, "serve", cfg]
        self.launch(cmd, env)
        self.ctx.live.add(self)
        # A 401 after 10 s from Berth: the admin password was not taken (the registry ignores auth).
        self.wait_ready(AUTH_HEADER, timeout=60, reject_401_after=10 if self.kind.startswith("berth") else None)
        if self.kind.startswith("berth"):
            self.create_project(PROJECT)

    def create_project(self, name):
        """Berth only accepts repositories inside an existing project: create it (untimed setup)."""
        body = json.dumps({"project_name": name}).encode()
        st, _, b = Client(self.port, timeout=10).request("POST", "/api/v2.0/projects", body=body,
                                                         headers={"Content-Type": "application/json"})
        # A baseline build from before the REST API (--base-bin) has no projects: it answers 404.
        expect(st, (201, 409, 404) if self.kind == "berth-base" else (201, 409), f"create project {name!r}", b)

    def stop(self):
        super().stop(timeout=15)
        self.ctx.live.discard(self)
        keep = os.path.join(OUT_DIR, "logs", os.path.basename(self.ctx.workdir))
        os.makedirs(keep, exist_ok=True)
        try:
            shutil.copy(self.log_path, os.path.join(keep, os.path.basename(self.dir) + ".log"))
        except OSError:
            pass
        if self.on_tmpfs:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            discard_run_dir(self.dir, self.ctx.trash)


def discard_run_dir(path, trash):
    """Unlinks the big files of a run now (cheap, keeps disk use bounded) and moves the rest to the
    trash, removed at the end: on this machine's disk, deleting the tens of thousands of small
    files and directories of a 10k-tag registry run takes tens of seconds."""
    for root, _, files in os.walk(path):
        for name in files:
            p = os.path.join(root, name)
            try:
                if os.lstat(p).st_size >= MIB:
                    os.unlink(p)
            except OSError:
                pass
    os.makedirs(trash, exist_ok=True)
    try:
        os.rename(path, os.path.join(trash, os.path.basename(path)))
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# workloads: each returns a dict of metrics for one run


def wl_push(ctx, srv, state):
    dt = push_monolithic(srv.port, f"{PROJECT}/big", ctx.blob_a, ctx.blob_size, ctx.digest_a)
    state["blob_a"] = True
    return {"mbps": ctx.blob_size / dt / 1e6, "seconds": dt}


def wl_chunked(ctx, srv, state):
    dt = push_chunked(srv.port, f"{PROJECT}/chunked", ctx.blob_b, ctx.blob_size, ctx.digest_b, ctx.args.chunk_mib * MIB)
    return {"mbps": ctx.blob_size / dt / 1e6, "seconds": dt}


def curl_get_discard(url, expect_size, timeout=300):
    p = run_cmd(["curl", "-s", "-H", f"Authorization: {AUTH_HEADER}", "-o", "/dev/null",
                 "-w", "%{http_code} %{size_download} %{time_total}", url], timeout=timeout)
    code, size, t = p.stdout.split()
    if code != "200" or int(size) != expect_size:
        raise BenchError(f"GET {url}: HTTP {code}, {size} bytes (want 200, {expect_size})")
    return float(t)


def wl_pull(ctx, srv, state):
    if not state.get("blob_a"):
        push_monolithic(srv.port, f"{PROJECT}/big", ctx.blob_a, ctx.blob_size, ctx.digest_a)
        state["blob_a"] = True
    url = f"{srv.base}/v2/{PROJECT}/big/blobs/{ctx.digest_a}"
    times = [curl_get_discard(url, ctx.blob_size) for _ in range(ctx.args.pull_reps)]
    t = median(times)
    return {"mbps": ctx.blob_size / t / 1e6, "seconds": t}


def ensure_small_image(srv, state):
    """Untimed setup for workloads 4-5; retried (and the failures noted) so that a flaky push does not
    hide the read-path figures."""
    if "small" not in state:
        for attempt in range(3):
            try:
                state["small"] = push_small_image(srv.port, f"{PROJECT}/manifest", "latest")
                break
            except (BenchError, OSError, http.client.HTTPException) as e:
                state.setdefault("setup_failures", []).append(str(e))
                if attempt == 2:
                    raise
    return state["small"]


def setup_note(state):
    f = state.get("setup_failures")
    return f"setup push failed {len(f)}× before succeeding: {f[0][:200]}" if f else None


def bearer_header(ctx, srv, state):
    """Authorization value with a Bearer token for pull on PROJECT/manifest. Berth issues it through
    GET /service/token (with Basic); the reference registry has no auth configured and ignores the
    header, so it gets a placeholder of the same length (both servers receive equally long requests)."""
    if "bearer" not in state:
        cl = Client(srv.port, timeout=10)
        st, _, b = cl.request("GET", f"/service/token?service=harbor-registry&scope=repository:{PROJECT}/manifest:pull")
        cl.close()
        if srv.kind.startswith("berth") and not (srv.kind == "berth-base" and st == 404):
            expect(st, (200,), "GET /service/token", b)
            state["bearer"] = "Bearer " + json.loads(b)["token"]
            ctx.bearer_len = len(state["bearer"])
        else:
            state["bearer"] = "Bearer " + "x" * max(getattr(ctx, "bearer_len", 567) - 7, 1)
    return state["bearer"]


def wl_manifest(ctx, srv, state, auth=AUTH_HEADER):
    ensure_small_image(srv, state)
    url = f"{srv.base}/v2/{PROJECT}/manifest/manifests/latest"
    d = ctx.args.wrk_duration
    p = run_cmd(["wrk", "-t2", "-c64", f"-d{d}s", "--timeout", "10s", "--latency",
                 "-H", f"Accept: {MANIFEST_TYPE}", "-H", f"Authorization: {auth}", url], timeout=d + 60)
    r = parse_wrk(p.stdout)
    r["note"] = setup_note(state)
    if r["non2xx"] or r["socket_errors"]:
        r["error"] = f"wrk: {r['non2xx']} non-2xx, {r['socket_errors']} socket errors"
    return r


def wl_head(ctx, srv, state, auth=AUTH_HEADER):
    ld, _ = ensure_small_image(srv, state)
    url = f"{srv.base}/v2/{PROJECT}/manifest/blobs/{ld}"
    d = ctx.args.head_duration
    # -t before -n: -t implies -n 50000, a later -n raises the cap so the time limit governs.
    p = run_cmd(["ab", "-q", "-i", "-k", "-r", "-c64", "-t", str(d), "-n", "5000000", "-s", "10",
                 "-H", f"Authorization: {auth}", url],
                timeout=d + 60, check=False)
    try:
        r = parse_ab(p.stdout)
    except BenchError:
        raise BenchError(f"ab exited {p.returncode} without a summary: {p.stderr.strip()[-300:]}")
    if p.returncode != 0:
        r["error"] = f"ab exited {p.returncode}: {p.stderr[-300:]}"
    elif r["failed"] or r["non2xx"]:
        r["error"] = f"ab: {r['failed']} failed, {r['non2xx']} non-2xx"
    r["note"] = setup_note(state)
    if r["requests"] and r["keepalive"] == 0:
        r["note"] = "no keep-alive: the server did not answer ab's HTTP/1.0 keep-alive"
    return r


def run_push_tool(ctx, args, timeout):
    p = run_cmd([ctx.push_tool] + args + ["--user", f"{BENCH_USER}:{BENCH_PASSWORD}"], timeout=timeout, check=False)
    try:
        r = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as e:
        raise BenchError(f"berth_bench_push: no JSON (exit {p.returncode}): {p.stderr[-500:]}") from e
    if r.get("failures"):
        r["error"] = f"{r['failures']} failed: {'; '.join(r.get('errors', []))[:400]}"
    return r


def wl_pushes(ctx, srv, state):
    a = ctx.args
    r = run_push_tool(ctx, ["push", "--url", srv.base, "--count", str(a.pushes), "--concurrency", str(a.pushes),
                            "--threads", str(a.push_threads), "--repos", str(a.push_repos),
                            "--prefix", f"{PROJECT}/push"], timeout=300)
    return {"wall_s": r.get("wall_s"), "per_s": r.get("per_s"), "p99_ms": r.get("job_p99_ms"),
            "post_201": r.get("post_201"), "post_202_put": r.get("post_202_put"), "error": r.get("error")}


def wl_tags(ctx, srv, state):
    a = ctx.args
    r = run_push_tool(ctx, ["tags", "--url", srv.base, "--repo", f"{PROJECT}/tags", "--count", str(a.tags),
                            "--concurrency", str(a.tag_concurrency), "--threads", "1"], timeout=900)
    res = {"seed_s": r.get("wall_s"), "seed_per_s": r.get("per_s"), "error": r.get("error")}
    if srv.kind == "berth-fsync" or res["error"]:
        return res
    # Full list: Berth may paginate, so ask for all of them with ?n=; distribution 2.8 returns all.
    path = f"/v2/{PROJECT}/tags/tags/list" + (f"?n={a.tags}" if srv.kind.startswith("berth") else "")
    cl = Client(srv.port)
    times = []
    for i in range(a.list_reps + 1):
        t0 = time.perf_counter()
        st, h, body = cl.request("GET", path)
        dt = time.perf_counter() - t0
        expect(st, (200,), "GET tags/list", body)
        if i == 0:
            res["list_first_ms"] = dt * 1e3
            n = len(json.loads(body).get("tags") or [])
            if n != a.tags:
                res["error"] = f"tags/list returned {n} tags, want {a.tags}"
            res["list_bytes"] = len(body)
        else:
            times.append(dt)
    cl.close()
    res["list_ms"] = median(times) * 1e3
    return res


def wl_manifest_bearer(ctx, srv, state):
    return wl_manifest(ctx, srv, state, auth=bearer_header(ctx, srv, state))


def wl_head_bearer(ctx, srv, state):
    return wl_head(ctx, srv, state, auth=bearer_header(ctx, srv, state))


WORKLOAD_FUNCS = {"push": wl_push, "chunked": wl_chunked, "pull": wl_pull, "manifest": wl_manifest,
                  "head": wl_head, "manifest_bearer": wl_manifest_bearer, "head_bearer": wl_head_bearer,
                  "pushes": wl_pushes, "tags": wl_tags}


def one_run(ctx, kind, rnd):
    wls = [w for w in ctx.workloads if kind != "berth-fsync" or w in FSYNC_WORKLOADS]
    srv = Server(kind, ctx)
    busy = background_busy()
    deadline = time.time() + ctx.args.wait_idle
    while busy is not None and busy > 20 and time.time() < deadline:
        log(f"  waiting for the machine to calm down: {busy:.0f}% busy with other work")
        busy = background_busy(2.0)
    result = {"kind": kind, "round": rnd, "metrics": {}, "errors": {}, "load_start": loadavg(),
              "background_busy_pct": busy}
    try:
        srv.start()
        state = {}
        for w in wls:
            t0 = time.time()
            try:
                m = WORKLOAD_FUNCS[w](ctx, srv, state)
                if m.get("error"):
                    result["errors"][w] = m["error"]
                result["metrics"][w] = m
            except (BenchError, OSError, http.client.HTTPException, ValueError) as e:
                result["errors"][w] = str(e)
                log(f"  {kind} {w}: ERROR {e}")
            log(f"  {kind:11s} {w:8s} {time.time() - t0:5.1f}s {summarize(w, result['metrics'].get(w))}")
            if not srv.alive():
                result["errors"]["server"] = f"exited {srv.proc.returncode}: {srv.log_tail()}"
                log(f"  {kind}: server died: {srv.log_tail()}")
                break
        if srv.alive():
            result["metrics"]["rss"] = {"peak_mib": srv.peak_rss_mib(), "cpu_s": srv.cpu_seconds()}
    except BenchError as e:
        result["errors"]["server"] = str(e)
        log(f"  {kind}: {e}")
    finally:
        srv.stop()
    return result


def summarize(w, m):
    if not m:
        return ""
    if w in ("push", "chunked", "pull"):
        return f"{m['mbps']:.0f} MB/s"
    if w in ("manifest", "head", "manifest_bearer", "head_bearer"):
        return f"{m['rps']:.0f} req/s p99 {m.get('p99_ms', float('nan')):.1f} ms"
    if w == "pushes":
        return f"{m.get('wall_s') or 0:.2f} s ({m.get('per_s') or 0:.0f}/s)"
    if w == "tags":
        s = f"seed {m.get('seed_s') or 0:.1f} s"
        if m.get("list_ms") is not None:
            s += f", list {m['list_ms']:.1f} ms"
        return s
    return ""


# --------------------------------------------------------------------------------------------
# machine limits


def machine_limits(ctx):
    lim = {}
    a = ctx.args
    # SHA-256, one core, 16 KiB blocks.
    try:
        p = run_cmd(["openssl", "speed", "-mr", "-evp", "sha256", "-bytes", "16384", "-seconds",
                     str(a.openssl_seconds)], timeout=60)
        m = re.search(r"^\+F:\d+:sha256:([\d.]+)", p.stdout, re.M)
        lim["sha256_mbps"] = float(m.group(1)) / 1e6 if m else None
    except BenchError as e:
        lim["sha256_error"] = str(e)
    # Loopback download: curl (the client workload 3 uses) from berth_bench_static, in both of its
    # send modes; the faster one is the limit that "pull at the loopback limit" is judged against.
    for mode, chunk in (("sendfile", 256 * 1024), ("copy", MIB)):
        port = free_port()
        sp = subprocess.Popen([ctx.static_tool, "--port", str(port), "--file", ctx.blob_a, "--mode", mode,
                               "--chunk", str(chunk)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
        try:
            wait_port(port)
            url = f"http://127.0.0.1:{port}/blob"
            times = [curl_get_discard(url, ctx.blob_size) for _ in range(a.limit_reps)]
            lim[f"loopback_get_{mode}_mbps"] = ctx.blob_size / median(times) / 1e6
            if mode == "sendfile":
                # Loopback upload: the Python sendfile client workloads 1-2 use, into a server that
                # reads and discards.
                ups = []
                cl = Client(port)
                with open(ctx.blob_a, "rb") as f:
                    for _ in range(a.limit_reps):
                        t0 = time.perf_counter()
                        st, _, _ = cl.send_file("PUT", "/up", f, 0, ctx.blob_size,
                                                {"Content-Type": "application/octet-stream"})
                        ups.append(time.perf_counter() - t0)
                        expect(st, (201,), "static PUT")
                cl.close()
                lim["loopback_put_mbps"] = ctx.blob_size / median(ups) / 1e6
        except BenchError as e:
            lim[f"loopback_{mode}_error"] = str(e)
        finally:
            sp.terminate()
            sp.wait(timeout=10)
    ok = [lim.get(k) for k in ("loopback_get_sendfile_mbps", "loopback_get_copy_mbps") if lim.get(k)]
    lim["loopback_get_mbps"] = max(ok) if ok else None
    # Disk: write the blob size with dd and fdatasync at the end (what an fsyncing push pays).
    target = os.path.join(ctx.workdir, "dd-test.bin")
    try:
        t0 = time.perf_counter()
        run_cmd(["dd", f"if={ctx.blob_a}", f"of={target}", "bs=4M", "conv=fdatasync", "status=none"], timeout=300)
        lim["disk_write_fsync_mbps"] = ctx.blob_size / (time.perf_counter() - t0) / 1e6
    except BenchError as e:
        lim["disk_error"] = str(e)
    finally:
        try:
            os.unlink(target)
        except OSError:
            pass
    return lim


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"nothing listening on 127.0.0.1:{port}")


# --------------------------------------------------------------------------------------------
# report


def fmt(v, nd=0):
    if v is None:
        return "—"
    if nd == 0:
        return f"{v:,.0f}"
    return f"{v:,.{nd}f}"


def collect(runs, kind, w, key):
    return [r["metrics"][w].get(key) for r in runs
            if r["kind"] == kind and w in r["metrics"] and r["metrics"][w].get(key) is not None
            and w not in r["errors"]]


def cell(xs, nd):
    if not xs:
        return "—"
    m = median(xs)
    if len(xs) == 1:
        return fmt(m, nd)
    return f"{fmt(m, nd)} ({fmt(min(xs), nd)}–{fmt(max(xs), nd)})"


def build_tables(ctx, runs, limits):
    """Returns markdown lines of one table per workload."""
    lines = []
    loop = limits.get("loopback_get_mbps")
    # (workload, metric key, label, decimals, higher_is_better, target text, target predicate)
    spec = {
        "push": [("mbps", "MB/s", 0, True, "≥ 800 MB/s (fsync off)", lambda v: v >= 800)],
        "chunked": [("mbps", "MB/s", 0, True, "≥ 800 MB/s (fsync off)", lambda v: v >= 800)],
        "pull": [("mbps", "MB/s", 0, True,
                  f"≥ 90% of loopback limit ({fmt(loop)} MB/s)" if loop else "loopback limit",
                  (lambda v: v >= 0.9 * loop) if loop else None)],
        "manifest": [("rps", "req/s", 0, True, "≥ 15,000 req/s", lambda v: v >= 15000),
                     ("p99_ms", "p99 ms", 2, False, "< 10 ms", lambda v: v < 10),
                     ("p50_ms", "p50 ms", 2, False, "", None)],
        "head": [("rps", "req/s", 0, True, "≥ 15,000 req/s", lambda v: v >= 15000),
                 ("p99_ms", "p99 ms (ab, whole ms)", 0, False, "< 10 ms", lambda v: v < 10)],
    }
    spec["manifest_bearer"] = spec["manifest"]
    spec["head_bearer"] = spec["head"]
    spec |= {
        "pushes": [("wall_s", f"wall s for {ctx.args.pushes}", 2, False,
                    "< 1.5 s" if ctx.args.pushes == 200 else "", (lambda v: v < 1.5) if ctx.args.pushes == 200 else None),
                   ("per_s", "pushes/s", 0, True, "", None),
                   ("p99_ms", "p99 ms per push", 0, False, "", None)],
        "tags": [("seed_s", f"seed {ctx.args.tags:,} tags, s", 1, False, "", None),
                 ("list_ms", "full list GET, ms (median)", 1, False, "", None),
                 ("list_first_ms", "first list GET, ms", 1, False, "", None)],
        "rss": [("peak_mib", "peak RSS MiB", 1, False, "≤ 64 MiB", lambda v: v <= 64)],
    }
    kinds_berth = [k for k in ("berth", "berth-fsync", "berth-base") if k in ctx.kinds]
    for w in ctx.workloads + ["rss"]:
        lines.append(f"### {WORKLOAD_TITLES[w]}")
        lines.append("")
        lines.append("| metric | Berth variant | Berth median (min–max) | registry median (min–max) | Berth/registry "
                     "| target | met? |")
        lines.append("|---|---|---|---|---|---|---|")
        for key, label, nd, hib, ttext, pred in spec[w]:
            reg = collect(runs, "registry", w, key)
            for kb in kinds_berth or [None]:
                if kb == "berth-fsync" and w not in FSYNC_WORKLOADS and w != "rss":
                    continue
                if kb == "berth-fsync" and w == "tags" and key != "seed_s":
                    continue
                b = collect(runs, kb, w, key) if kb else []
                if not b and not reg:
                    continue
                ratio = "—"
                if b and reg and median(reg):
                    ratio = f"{median(b) / median(reg):.2f}×"
                variant = {"berth": "fsync off", "berth-fsync": "fsync on (default)",
                           "berth-base": "baseline build, fsync off", None: "not run"}[kb]
                if kb == "berth-fsync" and w == "rss":
                    variant = "fsync on, push workloads only"
                is_target = kb == "berth" and pred is not None
                met = "—"
                if is_target:
                    met = ("yes" if pred(median(b)) else "**no**") if b else "**n/a**"
                lines.append(f"| {label} | {variant} | {cell(b, nd)} | {cell(reg, nd)} | {ratio} | "
                             f"{ttext if kb == 'berth' else ''} | {met} |")
        errs = [(r["kind"], r["round"], r["errors"][w]) for r in runs if w in r["errors"]]
        notes = [(r["kind"], r["round"], r["metrics"][w]["note"]) for r in runs
                 if w in r["metrics"] and r["metrics"][w].get("note")]
        extra = []
        if w == "pushes":
            fb = collect(runs, "registry", w, "post_202_put")
            bfb = collect(runs, "berth", w, "post_202_put")
            extra.append(f"Monolithic POST ?digest= answered 202 (client fell back to PUT ?digest=): "
                         f"registry {fmt(median(fb))} of {2 * ctx.args.pushes} blobs, "
                         f"Berth {fmt(median(bfb))} of {2 * ctx.args.pushes}.")
        if w in ("head", "head_bearer"):
            ka = collect(runs, "berth", w, "keepalive")
            kr = collect(runs, "registry", w, "keepalive")
            rq = collect(runs, "berth", w, "requests")
            if ka and rq:
                extra.append(f"Keep-alive requests (ab): Berth {fmt(median(ka))} of {fmt(median(rq))}, "
                             f"registry {fmt(median(kr))} of {fmt(median(collect(runs, 'registry', w, 'requests')))}.")
        lines.append("")
        for e in extra:
            lines.append(e)
            lines.append("")
        for kind, rnd, e in errs:
            lines.append(f"- ERROR {kind} round {rnd}: {e}")
        for kind, rnd, n in notes:
            lines.append(f"- note {kind} round {rnd}: {n}")
        if errs or notes:
            lines.append("")
    return lines


def render(ctx, runs, limits, started, elapsed):
    a = ctx.args
    L = []
    L.append("# Berth benchmark results" + (" (quick smoke run)" if a.quick else ""))
    L.append("")
    L.append(f"Generated by `bench/run.py` on {started:%Y-%m-%d %H:%M %Z}, took {elapsed / 60:.1f} min. "
             f"Command: `{' '.join(['bench/run.py'] + sys.argv[1:])}`.")
    L.append("")
    L.append(f"- Berth: `{ctx.berth_bin}` {ctx.berth_info}" if ctx.berth_bin else "- Berth: not run")
    if ctx.base_bin:
        L.append(f"- Baseline Berth (`berth-base`): `{ctx.base_bin}` {ctx.base_info}; runs like Berth with fsync off; "
                 "when it has no REST API or token service it gets no project and the Bearer workloads send it "
                 "a placeholder token (it does not check credentials)")
    L.append(f"- Reference: `{ctx.registry_bin}` ({ctx.registry_version})")
    n_runs = {k: sum(1 for r in runs if r["kind"] == k) for k in ctx.kinds}
    L.append(f"- Rounds: {ctx.rounds_done} of {a.rounds} requested"
             + (f" (stopped by the {a.budget_min:g}-minute budget)" if ctx.budget_stop else "")
             + f"; order per round: {' '.join(ctx.order)} (a fresh process and data dir per run); runs: "
             + ", ".join(f"{k} {n}" for k, n in n_runs.items())
             + ". Tables give the median over runs and the (min–max) spread.")
    L.append(f"- Blob size {ctx.blob_size / MIB:,.0f} MiB (random bytes, read from the page cache); "
             f"chunk {a.chunk_mib} MiB; wrk {a.wrk_duration} s; ab {a.head_duration} s; "
             f"{a.pushes} pushes ({a.push_threads} client threads, {a.push_repos} repositories); "
             f"{a.tags:,} tags (seeded with {a.tag_concurrency} concurrent PUTs).")
    L.append(f"- Data dirs: {ctx.data_root_text}.")
    L.append("- MB = 10^6 bytes. Berth/registry > 1 is better for throughput rows, < 1 for time/latency/RSS rows.")
    L.append("")
    L.append("## Machine (measured in this run)")
    L.append("")
    loads = [float(r["load_start"].split()[0]) for r in runs if r.get("load_start", "?") != "?"]
    busy = [r["background_busy_pct"] for r in runs if r.get("background_busy_pct") is not None]
    L.append(f"- {ctx.machine['cpu']}, {os.cpu_count()} CPUs, {ctx.machine['mem_gib']:.0f} GiB RAM, "
             f"Linux {platform.release()}; load average at start {ctx.machine['load_start']}, "
             f"at end {loadavg()}"
             + (f"; CPU busy with other work in the idle second before each run: median "
                f"{median(busy):.0f}% (range {min(busy):.0f}–{max(busy):.0f}%) of both cores" if busy else "")
             + ".")
    if ctx.machine.get("busy_before_limits") is not None:
        L.append(f"- CPU busy with other work just before the limits below were measured: "
                 f"{ctx.machine['busy_before_limits']:.0f}%.")
    L.append(f"- SHA-256 (`openssl speed -evp sha256`, 16 KiB blocks, one core): "
             f"**{fmt(limits.get('sha256_mbps'))} MB/s**.")
    L.append(f"- Loopback download of the {ctx.blob_size / MIB:,.0f} MiB blob from `berth_bench_static` "
             f"(bench/tools/static_server.cc, no registry logic) with `curl -o /dev/null`, the client of "
             f"workload 3: sendfile(2) in 256 KiB calls {fmt(limits.get('loopback_get_sendfile_mbps'))} MB/s, "
             f"pread+send in 1 MiB calls {fmt(limits.get('loopback_get_copy_mbps'))} MB/s; "
             f"limit taken as the faster, **{fmt(limits.get('loopback_get_mbps'))} MB/s**.")
    L.append(f"- Loopback upload of the blob into the same server (reads and discards) with the Python "
             f"sendfile client of workloads 1–2: **{fmt(limits.get('loopback_put_mbps'))} MB/s**.")
    L.append(f"- Disk: `dd bs=4M conv=fdatasync` of the blob into the work dir: "
             f"**{fmt(limits.get('disk_write_fsync_mbps'))} MB/s**.")
    for k, v in limits.items():
        if k.endswith("_error"):
            L.append(f"- ERROR {k}: {v}")
    L.append("")
    L.append("## Noise")
    L.append("")
    L.append("The machine is shared and virtualized (2 cores); the load generators (curl, Python, wrk, ab, "
             "berth_bench_push) run on the same two cores as the server under test, so no figure is a pure "
             "server figure and single runs vary by tens of percent (see the min–max spread; the loopback "
             "download alone varied between ~1.0 and ~3.3 GB/s while this harness was developed). "
             "Compare medians, and treat differences under ~20% as noise.")
    if busy and median(busy) > 15:
        L.append("")
        L.append(f"**Warning: the machine was busy with other work during this run**: in the idle second before "
                 f"each run, {median(busy):.0f}% (median; up to {max(busy):.0f}%) of the two cores was busy with "
                 "processes that are not part of this benchmark. "
                 "Every figure, the machine limits included, is depressed by an unknown and varying amount; "
                 "rerun on an idle machine before quoting absolute numbers. Ratios between servers measured in "
                 "alternating runs are the more robust figures.")
    L.append("")
    L.append("The disk is mounted with `discard`: freeing each data block costs ~3 ms, so deleting the "
             "~70,000 directories of a 10k-tag registry data dir takes minutes. That is why, by default, the "
             "servers that never fsync run on tmpfs (their writes only reach the page cache during a run "
             "either way), and only the fsync-on Berth variant runs on the real disk.")
    L.append("")
    L.append("## Results")
    L.append("")
    srv_errs = [(r["kind"], r["round"], r["errors"]["server"]) for r in runs if "server" in r["errors"]]
    if srv_errs:
        L.append("Server failures (runs cut short):")
        L.append("")
        for kind, rnd, e in srv_errs:
            L.append(f"- {kind} round {rnd}: {e[:600]}")
        L.append("")
    L += build_tables(ctx, runs, limits)
    L.append("## How each figure is measured")
    L.append("")
    L.append(f"Every request to either server carries HTTP Basic credentials (`Authorization: Basic` for "
             f"`{BENCH_USER}`, the admin Berth creates on first start from `BERTH_ADMIN_PASSWORD`); the reference "
             "registry has no auth configured and ignores the header, so both servers get the same requests. "
             f"Every repository is inside the project `{PROJECT}`, created through Berth's REST API "
             "(`POST /api/v2.0/projects`) right after start-up, before any workload (untimed).")
    L.append("")
    L.append("1–2. Python `http.client` on one keep-alive connection; bodies go from the page cache with "
             "`socket.sendfile`; timed from the POST to the 201 of the final PUT (then a HEAD checks the size). "
             "Monolithic and chunked pushes use two different random files so neither is a re-upload.")
    L.append("3. `curl -s -o /dev/null` of the blob pushed in 1, median of "
             f"{a.pull_reps} GETs per run.")
    L.append("4. `wrk -t2 -c64 --latency -H 'Accept: application/vnd.oci.image.manifest.v1+json' "
             "-H 'Authorization: Basic ...'` on "
             f"`/v2/{PROJECT}/manifest/manifests/latest`.")
    L.append("5. `ab -i -k -r -c64 -t DURATION -H 'Authorization: Basic ...'` on the small layer blob of that image.")
    L.append("4b, 5b. As 4 and 5 with `Authorization: Bearer <token>`: Berth's token comes from "
             f"`GET /service/token?service=harbor-registry&scope=repository:{PROJECT}/manifest:pull` (with Basic, "
             "untimed); the registry, which has no auth configured, gets a placeholder of the same length.")
    L.append("6. `berth_bench_push push` (bench/tools/push_client.cc): all pushes in flight at once over "
             "libcurl multi handles with keep-alive; per push: layer and config via `POST ?digest=` with the "
             "body (a 202 answer is followed by the `PUT <Location>?digest=` the OCI spec prescribes), then "
             "the manifest PUT by tag. Payloads are generated before the clock starts.")
    L.append("7. `berth_bench_push tags` PUTs one manifest under N tags (seed time), then Python GETs the "
             f"whole list {a.list_reps + 1} times on a keep-alive connection (first GET reported separately, "
             "and checked to hold all N tags); Berth is asked `?n=N`, the registry returns everything unpaged.")
    L.append("8. VmHWM of the server process from /proc/PID/status just before it is stopped; the fsync-off "
             "Berth run and the registry run have executed every selected workload by then.")
    L.append("")
    return "\n".join(L)


# --------------------------------------------------------------------------------------------
# setup


def find_tools(ctx):
    names = ("berth_bench_push", "berth_bench_static")
    cands = []
    if os.environ.get("BERTH_BENCH_TOOLS"):
        cands.append(os.environ["BERTH_BENCH_TOOLS"])
    if ctx.berth_bin:
        cands.append(os.path.join(os.path.dirname(ctx.berth_bin), "bench"))
    cands += [os.path.join(REPO_ROOT, "build", "bench"), os.path.join(REPO_ROOT, "build"),
              os.path.join(OUT_DIR, "build")]
    # Each tool must be newer than its own source (one changed tool must not make the other look stale).
    srcs = {"berth_bench_push": "push_client.cc", "berth_bench_static": "static_server.cc"}
    src_mtime = {n: os.path.getmtime(os.path.join(BENCH_DIR, "tools", srcs[n])) for n in names}
    for d in cands:
        paths = [os.path.join(d, n) for n in names]
        if all(os.access(p, os.X_OK) and os.path.getmtime(p) >= src_mtime[n] for p, n in zip(paths, names)):
            return paths
    bd = os.path.join(OUT_DIR, "build")
    log(f"building bench tools into {bd}")
    run_cmd(["cmake", "-S", BENCH_DIR, "-B", bd, "-DCMAKE_BUILD_TYPE=Release"], timeout=300)
    run_cmd(["cmake", "--build", bd, "-j2"], timeout=600)
    return [os.path.join(bd, n) for n in names]


def make_blob(ctx, name):
    path = os.path.join(ctx.blob_dir, f"{name}-{ctx.blob_size}.bin")
    dpath = path + ".sha256"
    if os.path.exists(path) and os.path.getsize(path) == ctx.blob_size and os.path.exists(dpath):
        with open(dpath) as f:
            digest = f.read().strip()
        # Warm the page cache (and re-check the digest cheaply enough: ~1 s per GiB).
        if sha256_file(path) == digest:
            return path, digest
    log(f"generating {ctx.blob_size / MIB:.0f} MiB of random bytes: {path}")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        left = ctx.blob_size
        while left:
            n = min(16 * MIB, left)
            f.write(os.urandom(n))
            left -= n
    os.replace(tmp, path)
    digest = sha256_file(path)
    with open(dpath, "w") as f:
        f.write(digest + "\n")
    return path, digest


class Ctx:
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="~3 min smoke: 1 round, 256 MiB blobs, 5 s wrk/ab, 2,000 tags (and api_bench --quick)")
    p.add_argument("--suites", default="v2,api,chart",
                   help="v2: this side-by-side /v2 benchmark; api: bench/api_bench.py (Berth's REST API on a "
                        "seeded registry, Berth only); chart: bench/chart_bench.py (Helm index.yaml); default all")
    p.add_argument("--api-args", default="",
                   help="extra arguments for bench/api_bench.py, one string (e.g. '--scale 0.1 --reps 1')")
    p.add_argument("--chart-args", default="", help="extra arguments for bench/chart_bench.py, one string")
    p.add_argument("--rounds", type=int, help="rounds of A B (C C) B A (default 3, quick 1)")
    p.add_argument("--workloads", default=",".join(WORKLOADS),
                   help=f"comma list from {','.join(WORKLOADS)} (default all); peak RSS is always reported")
    p.add_argument("--servers", default="berth,registry,berth-fsync",
                   help="comma list from berth (fsync off), registry, berth-fsync (default all three), and "
                        "berth-base (a baseline Berth binary, --base-bin, fsync off: regression checks)")
    p.add_argument("--base-bin", help="berth binary of an earlier commit for --servers ...,berth-base")
    p.add_argument("--base-label", default="", help="how to name the baseline in the report (e.g. its commit)")
    p.add_argument("--blob-mib", type=int, help="blob size for workloads 1-3 (default 1024, quick 256)")
    p.add_argument("--chunk-mib", type=int, default=64)
    p.add_argument("--wrk-duration", type=int, help="seconds (default 10, quick 5)")
    p.add_argument("--head-duration", type=int, help="seconds (default 10, quick 5)")
    p.add_argument("--pushes", type=int, default=200)
    p.add_argument("--push-threads", type=int, default=2)
    p.add_argument("--push-repos", type=int, default=20)
    p.add_argument("--tags", type=int, help="tags to seed (default 10000, quick 2000)")
    p.add_argument("--tag-concurrency", type=int, default=16)
    p.add_argument("--list-reps", type=int, default=7)
    p.add_argument("--pull-reps", type=int, default=3)
    p.add_argument("--limit-reps", type=int, default=3)
    p.add_argument("--openssl-seconds", type=int, default=3)
    p.add_argument("--workdir", default=os.environ.get("BERTH_BENCH_WORKDIR", "/tmp/berth-bench"),
                   help="blobs are cached here between invocations; per-run data dirs are removed")
    p.add_argument("--data-root", default="auto", choices=("auto", "tmpfs", "disk"),
                   help="where per-run data dirs live: auto = tmpfs (/dev/shm) for the servers that do not "
                        "fsync (berth fsync off, registry) and the work dir on disk for berth-fsync (default)")
    p.add_argument("--results", help="markdown output (default bench/RESULTS.md; quick: bench/out/RESULTS-quick.md)")
    p.add_argument("--budget-min", type=float,
                   help="start no further round once the next would end past this many minutes "
                        "(default 15, quick 4)")
    p.add_argument("--wait-idle", type=float, default=0,
                   help="before each run, wait up to this many seconds for other processes to use < 20%% "
                        "of the CPU (default 0: measure and report it, do not wait)")
    p.add_argument("--skip-limits", action="store_true", help="do not measure the machine limits")
    a = p.parse_args(argv)
    q = a.quick
    a.rounds = a.rounds or (1 if q else 3)
    a.blob_mib = a.blob_mib or (256 if q else 1024)
    a.wrk_duration = a.wrk_duration or (5 if q else 10)
    a.head_duration = a.head_duration or (5 if q else 10)
    a.tags = a.tags or (2000 if q else 10000)
    a.budget_min = a.budget_min or (4 if q else 15)
    if q:
        a.openssl_seconds = min(a.openssl_seconds, 1)
        a.limit_reps = min(a.limit_reps, 2)
        a.list_reps = min(a.list_reps, 5)
    a.results = a.results or (os.path.join(OUT_DIR, "RESULTS-quick.md") if q else os.path.join(BENCH_DIR, "RESULTS.md"))
    return a


def main(argv):
    a = parse_args(argv)
    suites = [x.strip() for x in a.suites.split(",") if x.strip()]
    if not suites or any(x not in ("v2", "api", "chart") for x in suites):
        sys.exit(f"--suites takes a comma list of v2, api, chart, not {a.suites!r}")
    rc = 0
    if "v2" in suites:
        rc = main_v2(a, argv)
    if "api" in suites and "berth" in a.servers.split(","):
        rc = run_suite("api_bench.py", a.api_args, a.quick) or rc
    if "chart" in suites and "berth" in a.servers.split(","):
        rc = run_suite("chart_bench.py", a.chart_args, a.quick) or rc
    return rc


def run_suite(script, extra_args, quick):
    """Runs another suite (bench/api_bench.py, bench/chart_bench.py) as its own process: they
    import this module's helpers, so this module does not import them back."""
    import shlex
    argv = shlex.split(extra_args) + (["--quick"] if quick else [])
    log(f"bench/{script} {' '.join(argv)}")
    return subprocess.call([sys.executable, os.path.join(BENCH_DIR, script), *argv])


def main_v2(a, argv):
    ctx = Ctx()
    ctx.args = a
    ctx.rounds_done = 0
    ctx.budget_stop = False
    ctx.live = set()
    ctx.workloads = [w.strip() for w in a.workloads.split(",") if w.strip()]
    bad = [w for w in ctx.workloads if w not in WORKLOADS]
    ctx.kinds = [k.strip() for k in a.servers.split(",") if k.strip()]
    badk = [k for k in ctx.kinds if k not in ("berth", "registry", "berth-fsync", "berth-base")]
    if bad or badk or not ctx.workloads or not ctx.kinds:
        sys.exit(f"unknown workloads {bad} or servers {badk}")
    if "berth-fsync" in ctx.kinds and not FSYNC_WORKLOADS.intersection(ctx.workloads):
        ctx.kinds.remove("berth-fsync")
    # Order within a round: A B [C C] B A.
    first = [k for k in ("berth", "registry") if k in ctx.kinds]
    mid = [k for k in ("berth-fsync", "berth-base") if k in ctx.kinds for _ in (0, 1)]
    ctx.order = first + list(reversed(first)) if not mid else first + mid + list(reversed(first))
    if len(first) == 0:
        ctx.order = mid

    ctx.berth_bin = None
    ctx.berth_info = ""
    if any(k.startswith("berth") for k in ctx.kinds):
        ctx.berth_bin = os.path.abspath(os.environ.get("BERTH_BIN", os.path.join(REPO_ROOT, "build", "berth")))
        if not os.access(ctx.berth_bin, os.X_OK):
            sys.exit(f"berth binary not found at {ctx.berth_bin} (build it, set BERTH_BIN, or use --servers registry)")
        ctx.berth_info = build_info(ctx.berth_bin, REPO_ROOT)
    ctx.base_bin = None
    ctx.base_info = ""
    if "berth-base" in ctx.kinds:
        if not a.base_bin or not os.access(a.base_bin, os.X_OK):
            sys.exit("--servers berth-base needs --base-bin PATH (an executable berth built from an earlier commit)")
        ctx.base_bin = os.path.abspath(a.base_bin)
        st = os.stat(ctx.base_bin)
        ctx.base_info = f"(built {datetime.datetime.fromtimestamp(st.st_mtime):%Y-%m-%d %H:%M})"
        if a.base_label:
            ctx.base_info += f", {a.base_label}"
    ctx.registry_bin = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    try:
        ctx.registry_version = run_cmd([ctx.registry_bin, "--version"], timeout=10).stdout.strip()
    except (BenchError, OSError):
        ctx.registry_version = "?"
        if "registry" in ctx.kinds:
            sys.exit("docker-registry not found (apt-get install docker-registry)")
    for tool in ("curl", "wrk", "ab", "openssl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (scripts/setup.sh installs it)")

    os.makedirs(a.workdir, exist_ok=True)
    os.makedirs(OUT_DIR, exist_ok=True)
    for stale in os.listdir(a.workdir):  # left by an interrupted invocation
        if stale.startswith("session-"):
            log(f"removing stale {stale}")
            shutil.rmtree(os.path.join(a.workdir, stale), ignore_errors=True)
    ctx.workdir = tempfile.mkdtemp(prefix="session-", dir=a.workdir)
    ctx.trash = os.path.join(ctx.workdir, "trash")
    ctx.shm_dir = None
    if a.data_root != "disk":
        if not os.path.isdir("/dev/shm"):
            sys.exit("/dev/shm is missing: use --data-root disk")
        ctx.shm_dir = tempfile.mkdtemp(prefix="berth-bench-", dir="/dev/shm")

    def data_root_for(kind):
        if a.data_root == "disk" or ctx.shm_dir is None:
            return ctx.workdir
        if a.data_root == "auto" and kind == "berth-fsync":
            return ctx.workdir
        return ctx.shm_dir

    ctx.data_root_for = data_root_for
    disk_txt = f"the work dir `{a.workdir}` on disk"
    ctx.data_root_text = {
        "disk": f"all on {disk_txt}",
        "tmpfs": "all on tmpfs (`/dev/shm`), so Berth's fsync is a no-op even in the fsync-on variant",
        "auto": ("tmpfs (`/dev/shm`) for the servers that never fsync (Berth with fsync off, the registry), "
                 f"{disk_txt} for Berth with fsync on (its rows compare disk against the registry on tmpfs); "
                 "see the note on the disk below"),
    }[a.data_root]
    ctx.blob_dir = a.workdir
    ctx.blob_size = a.blob_mib * MIB
    started = datetime.datetime.now().astimezone()
    t_start = time.time()
    ctx.machine = {"load_start": loadavg(), "cpu": "?", "mem_gib": 0}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            ctx.machine["cpu"] = m.group(1).strip() if m else "?"
        ctx.machine["mem_gib"] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    except (OSError, ValueError):
        pass

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    runs = []
    limits = {}
    try:
        ctx.push_tool, ctx.static_tool = find_tools(ctx)
        ctx.blob_a, ctx.digest_a = make_blob(ctx, "blob-a")
        ctx.blob_b, ctx.digest_b = make_blob(ctx, "blob-b")
        if not a.skip_limits:
            ctx.machine["busy_before_limits"] = background_busy()
            log("measuring machine limits")
            limits = machine_limits(ctx)
            log("  " + ", ".join(f"{k}={v:.0f}" if isinstance(v, float) else f"{k}={v}" for k, v in limits.items()))
        ctx.rounds_done = 0
        for rnd in range(1, a.rounds + 1):
            t_round = time.time()
            for kind in ctx.order:
                log(f"round {rnd}/{a.rounds}: {kind}")
                runs.append(one_run(ctx, kind, rnd))
            ctx.rounds_done = rnd
            took = time.time() - t_round
            if rnd < a.rounds and time.time() - t_start + took > a.budget_min * 60:
                log(f"stopping after {rnd} round(s): another {took:.0f} s round would pass --budget-min {a.budget_min}")
                ctx.budget_stop = True
                break
    except KeyboardInterrupt:
        log("interrupted: reporting what was measured")
    finally:
        for s in list(ctx.live):
            s.stop()
    elapsed = time.time() - t_start
    md = render(ctx, runs, limits, started, elapsed)
    print(md)
    os.makedirs(os.path.dirname(os.path.abspath(a.results)), exist_ok=True)
    kept = ""
    try:
        with open(a.results) as f:
            old = f.read()
        if KEEP_MARK in old:
            kept = "\n" + KEEP_MARK + old.split(KEEP_MARK, 1)[1]
    except OSError:
        pass
    with open(a.results, "w") as f:
        f.write(md.rstrip() + "\n" + kept)
    raw = os.path.join(OUT_DIR, f"results-{started:%Y%m%d-%H%M%S}.json")
    with open(raw, "w") as f:
        json.dump({"args": vars(a), "limits": limits, "runs": runs, "machine": ctx.machine}, f, indent=1)
    log(f"wrote {a.results} and {raw} ({elapsed / 60:.1f} min)")
    t0 = time.time()
    if ctx.shm_dir:
        shutil.rmtree(ctx.shm_dir, ignore_errors=True)
    shutil.rmtree(ctx.workdir, ignore_errors=True)
    log(f"removed the run data dirs in {time.time() - t0:.0f} s")
    failed = any(r["errors"] for r in runs)
    return 1 if failed or not runs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
