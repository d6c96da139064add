#!/usr/bin/python3
"""Quota benchmark (issue 6): what charging storage in the push transactions costs.

`berth_bench_push push` (all pushes in flight at once, 2 client threads, 8 repositories) against a
fresh Berth (fsync off) whose project is unlimited (storage_limit -1) and against one whose project
has a hard limit that every push is checked against (1 TiB: nothing is refused), alternating
A B B A per round. Reports the medians of pushes/s and their ratio, and checks after every run
that usage equals `berth quota verify`'s recomputation. With --baseline (a build without quotas,
e.g. the commit before them), that binary is measured in the same rounds too, which shows the cost
of the accounting itself (every project is charged, limited or not).

    /usr/bin/python3 bench/quota_bench.py                   # writes bench/out/RESULTS-quotas.md
    /usr/bin/python3 bench/quota_bench.py --rounds 1 --pushes 200

Only loopback is used.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import run as v2bench  # noqa: E402  (free_port, BENCH_USER/PASSWORD)
from server_proc import ServerProcess  # noqa: E402

AUTH = (v2bench.BENCH_USER, v2bench.BENCH_PASSWORD)
AUTH_HEADER = v2bench.AUTH_HEADER
PROJECT = "qb"
LIMIT = 1 << 40


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


def throughput_run(binary, workdir, tag, limit, pushes, push_tool, quotas=True):
    srv = Berth(binary, os.path.join(workdir, tag), os.path.join(workdir, tag + ".log"))
    os.makedirs(srv.data, exist_ok=True)
    srv.start()
    try:
        body = {"project_name": PROJECT}
        if quotas:
            body["storage_limit"] = limit
        r = requests.post(srv.url + "/api/v2.0/projects", auth=AUTH, timeout=10, json=body)
        assert r.status_code == 201, r.text
        pid = int(r.headers["Location"].rsplit("/", 1)[1])
        p = subprocess.run([push_tool, "push", "--url", srv.url, "--count", str(pushes), "--concurrency",
                            str(pushes), "--threads", "2", "--repos", "8", "--prefix", f"{PROJECT}/push",
                            "--user", f"{AUTH[0]}:{AUTH[1]}"], capture_output=True, text=True, timeout=600)
        res = json.loads(p.stdout.strip().splitlines()[-1])
        if res.get("failures"):
            raise RuntimeError(f"push failures: {res.get('errors')}")
        if not quotas:
            return {"per_s": res["per_s"], "used": None}
        q = requests.get(srv.url + "/api/v2.0/quotas", auth=AUTH, timeout=10,
                         params={"reference": "project", "reference_id": pid}).json()[0]
        v = subprocess.run([binary, "quota", "verify", "--data-dir", srv.data], capture_output=True, text=True,
                           timeout=60)
        if v.returncode != 0:
            raise RuntimeError(f"quota verify found drift: {v.stdout}")
        return {"per_s": res["per_s"], "used": q["used"]["storage"]}
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--berth", default=os.path.join(ROOT, "build", "berth"))
    ap.add_argument("--push-tool", default=os.path.join(ROOT, "build", "bench", "berth_bench_push"))
    ap.add_argument("--pushes", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", help="a berth binary without quotas, measured in the same rounds")
    ap.add_argument("--results", default=os.path.join(HERE, "out", "RESULTS-quotas.md"))
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.results), exist_ok=True)
    t0 = time.time()
    free, limited, base, used = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="berth-q-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as wd:
        for i in range(a.rounds):  # A B B A
            order = [("unlimited", -1), ("limited", LIMIT), ("limited", LIMIT), ("unlimited", -1)]
            if a.baseline:
                order = [("baseline", None)] + order + [("baseline", None)]
            for j, (name, limit) in enumerate(order):
                if limit is None:
                    r = throughput_run(a.baseline, wd, f"t{i}-{j}-{name}", -1, a.pushes, a.push_tool, quotas=False)
                    base.append(r["per_s"])
                else:
                    r = throughput_run(a.berth, wd, f"t{i}-{j}-{name}", limit, a.pushes, a.push_tool)
                    (free if limit < 0 else limited).append(r["per_s"])
                    used.append(r["used"])
                print(f"round {i + 1} {name}: {r}", flush=True)
    med = statistics.median
    ratio = med(limited) / med(free)
    lines = [
        "# Quota benchmark",
        "",
        f"Generated by `bench/quota_bench.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"took {(time.time() - t0) / 60:.1f} min; {a.rounds} rounds of {a.pushes} pushes. Binary: `{a.berth}`.",
        "",
        "| measure | median (per run) | goal |",
        "|---|---|---|",
        f"| pushes/s, unlimited project | {med(free):.0f} ({', '.join(f'{x:.0f}' for x in free)}) | |",
        f"| pushes/s, project with a limit (checked on every push) | {med(limited):.0f} "
        f"({', '.join(f'{x:.0f}' for x in limited)}) | |",
        f"| limited / unlimited | {ratio:.3f} | ≥ 0.95 |",
    ]
    if base:
        lines += [
            f"| pushes/s, baseline without quotas (`{a.baseline}`) | {med(base):.0f} "
            f"({', '.join(f'{x:.0f}' for x in base)}) | |",
            f"| unlimited / baseline (the accounting itself) | {med(free) / med(base):.3f} | ≥ 0.95 |",
        ]
    lines += [
        f"| usage after a run (bytes, {min(used)}–{max(used)}: random images) | equal to `berth quota verify`'s "
        f"recomputation in all {len(used)} runs | exact |",
        "",
    ]
    with open(a.results, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
