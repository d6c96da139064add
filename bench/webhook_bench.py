#!/usr/bin/python3
"""Webhook benchmark (issue 4): event → delivery latency and the cost of webhooks on pushes.

1. Latency: one Berth (fsync off) with one webhook policy on PUSH_ARTIFACT pointing at a local
   receiver (tests/e2e/webhook_receiver.py, on 127.0.0.1). Manifest PUTs of one small image under
   new tags are fired at --rate per second for --seconds (a pool of keep-alive clients); each PUT
   fires one event. Latency = the receiver's arrival time − the moment the PUT's 201 came back.
   Reports p50/p99/max and how many events arrived.
2. Push throughput: `berth_bench_push push` (all pushes in flight at once) against a fresh Berth
   with no policy and against one with 5 policies on the project, alternating A B B A per round;
   medians of pushes/s and their ratio (goal: within 5%). The receiver here is
   `berth_bench_static` (C++, keep-alive, answers 201): on two shared cores a receiver that costs
   more CPU than Berth's delivery would measure the receiver, not Berth. Also reported: how long
   after the pushes ended the last delivery arrived (the backlog Berth drains in the background).

    /usr/bin/python3 bench/webhook_bench.py                 # writes bench/out/RESULTS-webhooks.md
    /usr/bin/python3 bench/webhook_bench.py --rounds 1 --seconds 3 --pushes 200

Only loopback is used.
"""

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import run as v2bench  # noqa: E402  (free_port, BENCH_USER/PASSWORD)
from server_proc import ServerProcess  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402

AUTH = (v2bench.BENCH_USER, v2bench.BENCH_PASSWORD)
AUTH_HEADER = v2bench.AUTH_HEADER
PROJECT = "wh"


class Berth(ServerProcess):
    def __init__(self, binary, data_dir, log_path):
        super().__init__("berth", v2bench.free_port(), log_path)
        self.bin, self.data = binary, data_dir

    def start(self):
        env = dict(os.environ)
        env.update({"BERTH_LOG_LEVEL": "warn", "BERTH_ADMIN_PASSWORD": v2bench.BENCH_PASSWORD,
                    "BERTH_STORAGE_FSYNC": "false"})
        self.launch([self.bin, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data], env)
        self.wait_ready(AUTH_HEADER, timeout=60)
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def api(srv, method, path, **kw):
    return requests.request(method, srv.url + "/api/v2.0" + path, auth=AUTH, timeout=10, **kw)


def setup_project(srv, receiver, policies):
    r = api(srv, "POST", "/projects", json={"project_name": PROJECT})
    assert r.status_code == 201, r.text
    for i in range(policies):
        r = api(srv, "POST", f"/projects/{PROJECT}/webhook/policies",
                json={"name": f"p{i}", "enabled": True, "event_types": ["PUSH_ARTIFACT"],
                      "targets": [{"type": "http", "address": receiver.url(f"/p{i}")}]})
        assert r.status_code == 201, r.text


def sha256(b):
    import hashlib
    return "sha256:" + hashlib.sha256(b).hexdigest()


def push_base_image(srv, repo):
    """Uploads one layer and config; returns the manifest bytes that reference them."""
    s = requests.Session()
    s.auth = AUTH
    layer, config = os.urandom(512), json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    for blob in (layer, config):
        r = s.post(f"{srv.url}/v2/{repo}/blobs/uploads/?digest={sha256(blob)}", data=blob,
                   headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 201, r.text
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": sha256(config), "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                       "digest": sha256(layer), "size": len(layer)}]}).encode()
    return manifest


def latency_run(binary, workdir, rate, seconds):
    receiver = WebhookReceiver().start()
    srv = Berth(binary, os.path.join(workdir, "lat"), os.path.join(workdir, "lat.log"))
    os.makedirs(srv.data, exist_ok=True)
    srv.start()
    try:
        setup_project(srv, receiver, 1)
        repo = f"{PROJECT}/app"
        manifest = push_base_image(srv, repo)
        done = {}
        lock = threading.Lock()
        local = threading.local()

        def put(tag):
            s = getattr(local, "s", None)
            if s is None:
                s = local.s = requests.Session()
                s.auth = AUTH
            r = s.put(f"{srv.url}/v2/{repo}/manifests/{tag}", data=manifest,
                      headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
            t = time.time()
            assert r.status_code == 201, r.text
            with lock:
                done[tag] = t

        total = int(rate * seconds)
        start = time.time()
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = []
            for i in range(total):
                due = start + i / rate
                delay = due - time.time()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(put, f"t{i}"))
            for f in futures:
                f.result()
        sent_s = time.time() - start
        got = receiver.wait_for(total, timeout=60 + seconds)
        lat = []
        for d in got:
            tag = d.json()["event_data"]["resources"][0]["tag"]
            if tag in done:
                lat.append((d.at - done[tag]) * 1000.0)
        lat.sort()
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
        return {"pushes": total, "offered_rate": rate, "achieved_rate": total / sent_s, "delivered": len(lat),
                "p50_ms": q(0.50), "p99_ms": q(0.99), "max_ms": lat[-1]}
    finally:
        srv.stop()
        receiver.stop()


class StaticReceiver:
    """berth_bench_static as a webhook receiver: counts the POSTs it answered."""

    def __init__(self, binary):
        self.port = v2bench.free_port()
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--file", "/etc/hostname"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                self.count()
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("berth_bench_static did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self):
        return int(requests.get(self.url("/__requests"), timeout=5).text)

    def wait_for(self, n, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.count() >= n:
                return True
            time.sleep(0.02)
        return False

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def throughput_run(binary, workdir, tag, policies, pushes, push_tool):
    receiver = StaticReceiver(os.path.join(os.path.dirname(push_tool), "berth_bench_static"))
    srv = Berth(binary, os.path.join(workdir, tag), os.path.join(workdir, tag + ".log"))
    os.makedirs(srv.data, exist_ok=True)
    srv.start()
    try:
        setup_project(srv, receiver, policies)
        p = subprocess.run([push_tool, "push", "--url", srv.url, "--count", str(pushes), "--concurrency",
                            str(pushes), "--threads", "2", "--repos", "8", "--prefix", f"{PROJECT}/push",
                            "--user", f"{AUTH[0]}:{AUTH[1]}"], capture_output=True, text=True, timeout=600)
        r = json.loads(p.stdout.strip().splitlines()[-1])
        if r.get("failures"):
            raise RuntimeError(f"push failures: {r.get('errors')}")
        pushed_at = time.time()
        delivered, drain = 0, 0.0
        if policies:
            receiver.wait_for(pushes * policies, timeout=120)
            drain = time.time() - pushed_at
            delivered = receiver.count()
        return {"per_s": r["per_s"], "delivered": delivered, "drain_s": round(drain, 2)}
    finally:
        srv.stop()
        receiver.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--berth", default=os.path.join(ROOT, "build", "berth"))
    ap.add_argument("--push-tool", default=os.path.join(ROOT, "build", "bench", "berth_bench_push"))
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--pushes", type=int, default=400)
    ap.add_argument("--policies", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--results", default=os.path.join(HERE, "out", "RESULTS-webhooks.md"))
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.results), exist_ok=True)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="berth-wh-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as wd:
        lats = [latency_run(a.berth, os.path.join(wd, f"l{i}"), a.rate, a.seconds) for i in range(a.rounds)]
        for i, l in enumerate(lats):
            print(f"latency round {i + 1}: {json.dumps(l)}", flush=True)
        none, some, drains = [], [], []
        for i in range(a.rounds):  # A B B A
            order = [("none", 0), ("hooks", a.policies), ("hooks", a.policies), ("none", 0)]
            for j, (name, n) in enumerate(order):
                r = throughput_run(a.berth, wd, f"t{i}-{j}-{name}", n, a.pushes, a.push_tool)
                (none if n == 0 else some).append(r["per_s"])
                if n:
                    drains.append(r["drain_s"])
                print(f"throughput round {i + 1} {name}: {r}", flush=True)
    med = lambda xs: statistics.median(xs)
    p50 = med([l["p50_ms"] for l in lats])
    p99 = med([l["p99_ms"] for l in lats])
    ratio = med(some) / med(none)

    def each(key, xs=lats):
        return ", ".join(f"{x[key]:.1f}" for x in xs)
    delivered = ", ".join(f"{x['delivered']}/{x['pushes']}" for x in lats)
    nones = ", ".join(f"{x:.0f}" for x in none)
    somes = ", ".join(f"{x:.0f}" for x in some)
    lines = [
        "# Webhook benchmark",
        "",
        f"Generated by `bench/webhook_bench.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"took {(time.time() - t0) / 60:.1f} min; {a.rounds} rounds. Binary: `{a.berth}`.",
        "",
        "| measure | median (per round) | goal |",
        "|---|---|---|",
        f"| event → delivery latency p50 at {a.rate:.0f} pushes/s | {p50:.1f} ms "
        f"({each('p50_ms')}) | — |",
        f"| event → delivery latency p99 | {p99:.1f} ms ({each('p99_ms')}) | — |",
        f"| events delivered / pushes | {delivered} | all |",
        f"| pushes/s, no policy | {med(none):.0f} ({nones}) | |",
        f"| pushes/s, {a.policies} policies | {med(some):.0f} ({somes}) | |",
        f"| with / without | {ratio:.3f} | ≥ 0.95 |",
        f"| last delivery after the last push | {med(drains):.2f} s "
        f"({', '.join(f'{x:.2f}' for x in drains)}) | — |",
        "",
    ]
    with open(a.results, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
