"""Garbage collection (issue 7) against the real binary: space comes back for exactly the
unreferenced blobs, everything referenced still pulls (skopeo), a dry run frees nothing and reports
what the real run then frees, the schedule runs it by itself, a run killed with -9 is finished after
a restart, pushes racing repeated GC keep their images, only system admins reach the API, and
`berth fsck` agrees."""
from __future__ import annotations

import os
import subprocess
import threading
import time

import requests

from e2e_lib import api_url, make_image, make_layer, sha256, unique, write_oci_layout

ADMIN = ("admin", "Harbor12345")
# Zero grace window, no default schedule (tests start runs themselves unless they test the schedule).
GC0 = {"gc": {"grace_seconds": 0, "schedule": ""}}


def blob_bytes(srv, sub: str = "blobs") -> int:
    return sum(p.stat().st_size for p in (srv.data_dir / sub).rglob("*") if p.is_file())


def wait_trash_empty(srv, timeout: float = 30) -> None:
    """Deleted files go to the trash first; the run's job then gives their space back."""
    deadline = time.time() + timeout
    while blob_bytes(srv, "trash") and time.time() < deadline:
        time.sleep(0.1)
    assert blob_bytes(srv, "trash") == 0, "the trash was not emptied"


def start_gc(srv, auth=ADMIN, **params) -> int:
    r = requests.post(api_url(srv, "/system/gc/schedule"), auth=auth,
                      json={"schedule": {"type": "Manual"}, "parameters": params}, timeout=10)
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def wait_run(srv, run_id: int, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = requests.get(api_url(srv, f"/system/gc/{run_id}"), auth=ADMIN, timeout=10)
        assert r.status_code == 200, r.text
        if r.json()["job_status"] in ("Success", "Error", "Stopped"):
            return r.json()
        time.sleep(0.2)
    raise AssertionError(f"gc run {run_id} did not finish: {r.text}")


def run_gc(srv, **params) -> dict:
    for _ in range(100):  # a scheduled run may hold the slot for a moment
        r = requests.post(api_url(srv, "/system/gc/schedule"), auth=ADMIN,
                          json={"schedule": {"type": "Manual"}, "parameters": params}, timeout=10)
        if r.status_code == 201:
            return wait_run(srv, int(r.headers["Location"].rsplit("/", 1)[1]))
        assert r.status_code == 409, r.text
        time.sleep(0.2)
    raise AssertionError("no GC slot")


def fsck(srv, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([str(srv.binary), "fsck", "--data-dir", str(srv.data_dir), *extra],
                          capture_output=True, text=True, timeout=120)


def delete_manifest(srv, repo, digest):
    r = srv.api.delete(f"/v2/{repo}/manifests/{digest}")
    assert r.status_code == 202, r.text


def test_gc_frees_exactly_the_unreferenced_blobs_and_dry_run_matches(berth_factory, clients, tmp_path):
    srv = berth_factory(config=GC0)
    keep = make_image(n_layers=2, layer_size=4096)
    src = write_oci_layout(tmp_path / "src", {"v1": keep})
    clients.skopeo("copy", "--dest-tls-verify=false", *clients.creds_dest(), f"oci:{src}:v1",
                   f"docker://{srv.hostport}/skopeo/keep:v1")
    gone = make_image(n_layers=3, layer_size=8192)
    srv.api.push_image("test/gone", "v1", gone)
    delete_manifest(srv, "test/gone", gone.digest)
    freeable = sum(len(b) for d, b in gone.blobs.items() if d not in keep.blobs)
    time.sleep(1.1)  # past the zero grace window (second resolution)
    before = blob_bytes(srv)

    dry = run_gc(srv, dry_run=True)
    assert dry["job_status"] == "Success" and dry["dry_run"] is True
    assert blob_bytes(srv) == before, "a dry run freed space"
    assert dry["bytes_freed"] == freeable
    assert dry["blobs_deleted"] == len(gone.blobs)

    real = run_gc(srv)
    assert real["job_status"] == "Success", real
    assert (real["blobs_deleted"], real["bytes_freed"]) == (dry["blobs_deleted"], dry["bytes_freed"])
    assert before - blob_bytes(srv) == freeable
    wait_trash_empty(srv)  # and the disk space is back, not just hidden
    reclaimed = f"reclaim: gave {freeable} bytes of {len(gone.blobs)} deleted files back"
    for _ in range(50):
        log = requests.get(api_url(srv, f"/system/gc/{real['id']}/log"), auth=ADMIN, timeout=10)
        if reclaimed in log.text:
            break
        time.sleep(0.1)
    assert log.status_code == 200 and log.headers["Content-Type"].startswith("text/plain")
    assert all(f"delete blob {d}" in log.text for d in gone.blobs), log.text
    assert reclaimed in log.text, log.text

    out = tmp_path / "out"
    clients.skopeo("copy", "--src-tls-verify=false", *clients.creds_src(),
                   f"docker://{srv.hostport}/skopeo/keep:v1", f"oci:{out}:v1")
    for d, data in keep.blobs.items():
        assert srv.api.get_blob("skopeo/keep", d).content == data
    assert srv.api.get_blob("test/gone", next(iter(gone.blobs))).status_code == 404
    hist = requests.get(api_url(srv, "/system/gc"), auth=ADMIN, params={"page_size": 1}, timeout=10)
    assert hist.status_code == 200 and hist.headers["X-Total-Count"] == "2"
    assert hist.json()[0]["id"] == real["id"] and hist.json()[0]["job_name"] == "GARBAGE_COLLECTION"
    r = fsck(srv)
    assert r.returncode == 0, r.stdout + r.stderr


def test_delete_untagged_and_schedule_runs_by_itself(berth_factory):
    srv = berth_factory(config={"gc": {"grace_seconds": 0, "schedule": "*/2 * * * * *"}})
    sched = requests.get(api_url(srv, "/system/gc/schedule"), auth=ADMIN, timeout=10).json()
    assert sched["schedule"]["type"] == "Custom" and sched["schedule"]["cron"] == "*/2 * * * * *"
    old = make_image(layer_size=2048)
    new = make_image(layer_size=2048)
    srv.api.push_image("test/app", "latest", old)
    srv.api.push_image("test/app", "latest", new)  # old is untagged now
    r = requests.put(api_url(srv, "/system/gc/schedule"), auth=ADMIN,
                     json={"schedule": {"type": "Custom", "cron": "*/2 * * * * *"},
                           "parameters": {"delete_untagged": True, "workers": 2}}, timeout=10)
    assert r.status_code == 200, r.text
    deadline = time.time() + 30
    while time.time() < deadline:
        if srv.api.get_manifest("test/app", old.digest).status_code == 404:
            break
        time.sleep(0.5)
    assert srv.api.get_manifest("test/app", old.digest).status_code == 404, "the schedule did not collect"
    runs = requests.get(api_url(srv, "/system/gc"), auth=ADMIN, timeout=10).json()
    assert any(r["job_kind"] == "SCHEDULE" for r in runs)
    assert srv.api.get_manifest("test/app", "latest").status_code == 200
    for d, data in new.blobs.items():
        assert srv.api.get_blob("test/app", d).content == data
    bad = requests.put(api_url(srv, "/system/gc/schedule"), auth=ADMIN,
                       json={"schedule": {"type": "Daily"}, "parameters": {"workers": 11}}, timeout=10)
    assert bad.status_code == 400
    bad = requests.put(api_url(srv, "/system/gc/schedule"), auth=ADMIN,
                       json={"schedule": {"type": "Custom", "cron": "not a cron"}}, timeout=10)
    assert bad.status_code == 400
    r = requests.put(api_url(srv, "/system/gc/schedule"), auth=ADMIN, json={"schedule": {"type": "None"}}, timeout=10)
    assert r.status_code == 200
    assert requests.get(api_url(srv, "/system/gc/schedule"), auth=ADMIN, timeout=10).json()["schedule"]["type"] == "None"


def test_only_system_admins_reach_the_gc_api(berth_factory):
    srv = berth_factory(config=GC0)
    name = unique("gcuser")
    r = requests.post(api_url(srv, "/users"), auth=ADMIN, timeout=10,
                      json={"username": name, "email": f"{name}@example.com", "realname": name,
                            "password": "Passw0rdV"})
    assert r.status_code == 201, r.text
    run_id = start_gc(srv)
    calls = [("GET", "/system/gc", None), ("GET", f"/system/gc/{run_id}", None),
             ("PUT", f"/system/gc/{run_id}", None), ("GET", f"/system/gc/{run_id}/log", None),
             ("GET", "/system/gc/schedule", None),
             ("POST", "/system/gc/schedule", {"schedule": {"type": "Manual"}}),
             ("PUT", "/system/gc/schedule", {"schedule": {"type": "Daily"}})]
    for method, path, body in calls:
        r = requests.request(method, api_url(srv, path), auth=(name, "Passw0rdV"), json=body, timeout=10)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
        assert r.json()["errors"][0]["code"] == "FORBIDDEN"
        r = requests.request(method, api_url(srv, path), json=body, timeout=10)
        assert r.status_code == 401, (method, path, r.status_code)
    assert requests.get(api_url(srv, "/system/gc/999999"), auth=ADMIN, timeout=10).status_code == 404
    assert wait_run(srv, run_id)["job_status"] == "Success"


def test_kill9_during_gc_then_restart_finishes_consistently(berth_factory):
    cfg = {"gc": {"grace_seconds": 0, "schedule": "", "batch_size": 2}, "jobs": {"lease_seconds": 1}}
    srv = berth_factory(config=cfg)
    keep = make_image(layer_size=1024)
    srv.api.push_image("test/keep", "v1", keep)
    for i in range(150):
        srv.api.upload_blob("test/loose", f"loose-{i}".encode() * 100)
    time.sleep(1.1)
    before = blob_bytes(srv)
    run_id = start_gc(srv)
    time.sleep(0.3)
    srv.kill9()
    srv.start()
    run = wait_run(srv, run_id, timeout=90)  # the lease runs out and the run carries on
    assert run["job_status"] == "Success", run
    again = run_gc(srv)
    assert again["job_status"] == "Success"
    freed = before - blob_bytes(srv)
    assert freed == sum(len(f"loose-{i}".encode() * 100) for i in range(150))
    for d, data in keep.blobs.items():
        assert srv.api.get_blob("test/keep", d).content == data
    r = fsck(srv)
    assert r.returncode == 0, r.stdout


def test_pushes_racing_repeated_gc_keep_every_pushed_image(berth_factory):
    srv = berth_factory(config=GC0)
    # Two layers every image shares (make_layer is deterministic: same files, same digest).
    shared_files = [{f"shared{j}/data.bin": os.urandom(4096)} for j in range(2)]
    shared = {sha256(l): l for l in (make_layer(f)[0] for f in shared_files)}
    stop = threading.Event()
    errors: list[str] = []

    def collector():
        while not stop.is_set():
            try:
                run_gc(srv)
            except AssertionError as e:
                errors.append(str(e))

    pushed: dict[str, object] = {}

    def pusher(k):
        for i in range(8):
            own = [{f"own{j}/data.bin": os.urandom(2048)} for j in range(2)]
            img = make_image(files=shared_files + own)
            assert set(shared) <= set(img.blobs)
            repo = f"test/race{k}"
            for attempt in range(5):
                try:
                    # The shared layers go first, then (on the first attempt) a pause, so some are
                    # unreferenced past the zero grace window when a run starts: the manifest PUT
                    # then either wins (the layers stay) or fails with MANIFEST_BLOB_UNKNOWN.
                    for d, b in shared.items():
                        if not srv.api.blob_exists(repo, d):
                            srv.api.upload_blob(repo, b)
                    if attempt == 0:
                        time.sleep(0.4 * (i % 4))
                    srv.api.push_image(repo, f"t{i}", img)
                    pushed[f"{repo}:t{i}"] = img
                    break
                except AssertionError:
                    continue  # a sweep took a layer before the manifest referenced it: push again
            if pulls := pushed.copy():
                for ref, im in list(pulls.items())[-2:]:
                    r = srv.api.get_manifest(ref.split(":")[0], ref.split(":")[1])
                    if r.status_code != 200:
                        errors.append(f"pull {ref}: {r.status_code}")

    t = threading.Thread(target=collector)
    t.start()
    pushers = [threading.Thread(target=pusher, args=(k,)) for k in range(3)]
    for p in pushers:
        p.start()
    for p in pushers:
        p.join()
    stop.set()
    t.join()
    assert not errors, errors
    assert len(pushed) >= 12
    for ref, img in pushed.items():
        repo, tag = ref.split(":")
        assert srv.api.get_manifest(repo, tag).status_code == 200, ref
        for d, data in img.blobs.items():
            r = srv.api.get_blob(repo, d)
            assert r.status_code == 200 and r.content == data, (ref, d, r.status_code)
    r = fsck(srv)
    assert r.returncode == 0, r.stdout
