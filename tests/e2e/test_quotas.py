"""Project storage quotas (issue 6) end to end: the real berth binary, skopeo pushes and raw HTTP
clients, a real webhook receiver, and `berth quota verify` run against the live data directory.

What a user observes: usage = the distinct blobs and manifests a project's artifacts reference
(dedup within a project, counted again in another project); pushes succeed up to the hard limit;
the crossing of 85% fires exactly one QUOTA_WARNING; a push that would exceed is refused with 403
DENIED and Harbor's message text and fires QUOTA_EXCEED; a delete releases usage at once; 20
concurrent pushers never take usage past the limit; the quota API and its RBAC (only system admins
change limits). Payloads are compared byte for byte with shared/spec/webhooks.md §3.7 and §8."""

import json
import subprocess
import threading
import time

import pytest
import requests

from conftest import AUTH
from e2e_lib import berth_binary, make_image, sha256, unique, write_oci_layout
from webhook_receiver import WebhookReceiver

FAST = {"webhook": {"max_attempts": 3, "backoff_ms": "500,1000", "timeout_ms": 2000}}
PASSWORD = "Passw0rdX"


# ---- helpers -------------------------------------------------------------------------------------
def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def fmt_size(n: int) -> str:
    """Harbor's storage text (spec webhooks.md §8)."""
    if n < 1024:
        return f"{n} B"
    div, exp = 1024, 0
    m = n // 1024
    while m >= 1024:
        div *= 1024
        exp += 1
        m //= 1024
    return f"{n / div:.1f} {'KMGTPE'[exp]}iB"


def exceed_details(adding, used, hard) -> str:
    return (f"adding {fmt_size(adding)} of storage resource, which when updated to current usage of "
            f"{fmt_size(used)} will exceed the configured upper limit of {fmt_size(hard)}.")


def exceed_message(adding, used, hard) -> str:
    return "Quota exceeded when processing the request of " + exceed_details(adding, used, hard)


def api(srv, method, path, auth=AUTH, **kw):
    kw.setdefault("timeout", 15)
    return requests.request(method, srv.url + "/api/v2.0" + path, auth=auth, **kw)


def new_project(srv, limit=None, public=False) -> tuple[str, int]:
    name = unique("q")
    body = {"project_name": name, "metadata": {"public": str(public).lower()}}
    if limit is not None:
        body["storage_limit"] = limit
    r = api(srv, "POST", "/projects", json=body)
    assert r.status_code == 201, r.text
    return name, int(r.headers["Location"].rsplit("/", 1)[1])


def quota_of(srv, project_id) -> dict:
    r = api(srv, "GET", "/quotas", params={"reference": "project", "reference_id": project_id})
    assert r.status_code == 200, r.text
    assert r.headers["X-Total-Count"] == "1"
    return r.json()[0]


def used(srv, project_id) -> int:
    return quota_of(srv, project_id)["used"]["storage"]


def cost(img) -> int:
    """What the image adds to a project holding none of its blobs: blobs plus the manifest."""
    return sum(len(b) for b in img.all_blobs().values()) + len(img.manifest)


def add_policy(srv, project, address, events) -> None:
    body = {"name": unique("p"), "targets": [{"type": "http", "address": address}], "event_types": events,
            "enabled": True}
    r = api(srv, "POST", f"/projects/{project}/webhook/policies", json=body)
    assert r.status_code == 201, r.text


def skopeo_push(clients, srv, layout, tag, ref, check=True):
    return clients.skopeo("copy", "--dest-tls-verify=false", *clients.creds_dest(), f"oci:{layout}:{tag}",
                          f"docker://{srv.hostport}/{ref}", check=check)


def verify(srv) -> tuple[int, dict[str, tuple[int, int]]]:
    """Runs `berth quota verify` on the live data directory: exit code, project → (used, recomputed)."""
    p = subprocess.run([str(berth_binary()), "quota", "verify", "--data-dir", str(srv.data_dir)],
                       capture_output=True, text=True, timeout=60)
    rows = {}
    for line in p.stdout.splitlines():
        fields = dict(f.split("=", 1) for f in line.split())
        if "project" in fields:
            rows[fields["project"]] = (int(fields["used"]), int(fields["recomputed"]))
    assert p.stdout.strip().splitlines()[-1].startswith("checked="), p.stdout + p.stderr
    return p.returncode, rows


def repository(project, repo="app") -> dict:
    return {"name": repo, "namespace": project, "repo_full_name": f"{project}/{repo}", "repo_type": "private"}


def push_raw(srv, repo, tag, img) -> requests.Response:
    """Uploads every blob (POST then PUT) and the manifest; returns the first refusal or the PUT."""
    s = requests.Session()
    s.auth = AUTH
    for d, b in img.all_blobs().items():
        r = s.post(f"{srv.url}/v2/{repo}/blobs/uploads/", timeout=30)
        if r.status_code != 202:
            return r
        loc = r.headers["Location"]
        loc = (srv.url + loc if loc.startswith("/") else loc) + ("&" if "?" in loc else "?") + f"digest={d}"
        r = s.put(loc, data=b, headers={"Content-Type": "application/octet-stream"}, timeout=30)
        if r.status_code != 201:
            return r
    return s.put(f"{srv.url}/v2/{repo}/manifests/{tag}", data=img.manifest,
                 headers={"Content-Type": img.media_type}, timeout=30)


@pytest.fixture
def receiver():
    r = WebhookReceiver().start()
    yield r
    r.stop()


# ---- tests ---------------------------------------------------------------------------------------
def test_push_up_to_limit_warn_once_refuse_exactly_then_delete_releases(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    # Four images of about the same cost; three layers each, so that one layer always fits in the
    # headroom and the manifest PUT is the request that overflows.
    imgs = [make_image(n_layers=3, layer_size=3000) for _ in range(4)]
    costs = [cost(i) for i in imgs]
    limit = int(sum(costs[:3]) / 3 * 3.5)  # three fit, crossing 85% with the third; four do not
    assert sum(costs[:3]) * 100 >= limit * 85 and sum(costs[:2]) * 100 < limit * 85
    project, pid = new_project(srv, limit)
    add_policy(srv, project, receiver.url(), ["QUOTA_WARNING", "QUOTA_EXCEED"])
    layout = write_oci_layout(tmp_path / "l", {f"v{i}": img for i, img in enumerate(imgs)})

    skopeo_push(clients, srv, layout, "v0", f"{project}/app:v0")
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    assert used(srv, pid) == costs[0] + costs[1]
    time.sleep(1.0)
    assert receiver.deliveries == []  # below 85%: nothing

    skopeo_push(clients, srv, layout, "v2", f"{project}/app:v2")
    now_used = sum(costs[:3])
    assert used(srv, pid) == now_used
    got = receiver.wait_for(1)
    warning = got[0].json()
    assert got[0].body == compact({
        "type": "QUOTA_WARNING", "occur_at": warning["occur_at"], "operator": "admin",
        "event_data": {"resources": [{"digest": imgs[2].digest, "tag": "v2"}], "repository": repository(project),
                       "custom_attributes": {"Details": f"quota usage reach 85%: resource storage used "
                                                        f"{fmt_size(now_used)} of {fmt_size(limit)}"}}})

    # Re-pushing an image already there adds nothing and does not warn again (no storm).
    skopeo_push(clients, srv, layout, "v2", f"{project}/app:again")
    assert used(srv, pid) == now_used

    # The fourth push is refused at its manifest: skopeo fails, nothing is charged.
    p = skopeo_push(clients, srv, layout, "v3", f"{project}/app:v3", check=False)
    assert p.returncode != 0
    assert used(srv, pid) == now_used
    # The same refusal over raw HTTP: 403 with exactly Harbor's body.
    r = requests.put(f"{srv.url}/v2/{project}/app/manifests/v3", data=imgs[3].manifest, auth=AUTH,
                     headers={"Content-Type": imgs[3].media_type}, timeout=15)
    assert r.status_code == 403
    assert r.content == compact({"errors": [{"code": "DENIED",
                                             "message": exceed_message(costs[3], now_used, limit)}]})
    assert used(srv, pid) == now_used
    assert requests.get(f"{srv.url}/v2/{project}/app/manifests/v3", auth=AUTH, timeout=15).status_code == 404

    got = receiver.wait_for(3)
    time.sleep(1.0)
    assert len(receiver.deliveries) == 3, [d.body for d in receiver.deliveries]  # one warning, two refusals
    for d in got[1:]:
        e = d.json()
        assert d.body == compact({
            "type": "QUOTA_EXCEED", "occur_at": e["occur_at"], "operator": "admin",
            "event_data": {"resources": [{"digest": imgs[3].digest, "tag": "v3"}], "repository": repository(project),
                           "custom_attributes": {"Details": exceed_details(costs[3], now_used, limit)}}})

    # Deleting an artifact releases its storage at once; the next push then fits and, crossing
    # 85% again after falling below, warns again.
    r = api(srv, "DELETE", f"/projects/{project}/repositories/app/artifacts/v0")
    assert r.status_code == 200, r.text
    assert used(srv, pid) == costs[1] + costs[2]
    skopeo_push(clients, srv, layout, "v3", f"{project}/app:v3")
    assert used(srv, pid) == costs[1] + costs[2] + costs[3]
    got = receiver.wait_for(4)
    assert got[3].json()["type"] == "QUOTA_WARNING"
    assert got[3].json()["event_data"]["resources"] == [{"digest": imgs[3].digest, "tag": "v3"}]

    code, rows = verify(srv)
    assert code == 0
    assert rows[project] == (costs[1] + costs[2] + costs[3],) * 2


def test_dedup_within_a_project_and_the_same_image_in_two_projects(berth_factory, clients, tmp_path):
    srv = berth_factory()
    img = make_image(n_layers=2, layer_size=2000)
    other = make_image(n_layers=1, layer_size=1000)
    layout = write_oci_layout(tmp_path / "l", {"v1": img, "o": other})
    p1, id1 = new_project(srv)
    p2, id2 = new_project(srv, limit=10 * 1024 * 1024)
    skopeo_push(clients, srv, layout, "v1", f"{p1}/app:v1")
    assert used(srv, id1) == cost(img)
    # The same image under another tag and in another repository of the project costs nothing.
    skopeo_push(clients, srv, layout, "v1", f"{p1}/app:v2")
    skopeo_push(clients, srv, layout, "v1", f"{p1}/copy:v1")
    assert used(srv, id1) == cost(img)
    # In another project it counts again.
    skopeo_push(clients, srv, layout, "v1", f"{p2}/app:v1")
    assert used(srv, id2) == cost(img)
    assert used(srv, id1) == cost(img)
    # Deleting one of two repositories that share everything releases nothing; the last releases all.
    assert api(srv, "DELETE", f"/projects/{p1}/repositories/copy").status_code == 200
    assert used(srv, id1) == cost(img)
    skopeo_push(clients, srv, layout, "o", f"{p1}/app:o")
    assert used(srv, id1) == cost(img) + cost(other)
    assert api(srv, "DELETE", f"/projects/{p1}/repositories/app").status_code == 200
    assert used(srv, id1) == 0
    assert used(srv, id2) == cost(img)
    code, rows = verify(srv)
    assert code == 0
    assert rows[p1] == (0, 0) and rows[p2] == (cost(img), cost(img))


def test_blob_upload_mount_and_copy_are_refused_without_charging(berth_factory, receiver):
    srv = berth_factory(config=FAST)
    src, _ = new_project(srv)
    img = make_image(n_layers=1, layer_size=5000)
    assert push_raw(srv, f"{src}/app", "v1", img).status_code == 201
    small, sid = new_project(srv, limit=1000)
    add_policy(srv, small, receiver.url(), ["QUOTA_EXCEED"])
    layer = img.layers[0]
    # Upload completion of a blob that does not fit.
    r = requests.post(f"{srv.url}/v2/{small}/app/blobs/uploads/?digest={sha256(layer)}", data=layer, auth=AUTH,
                      headers={"Content-Type": "application/octet-stream"}, timeout=15)
    assert r.status_code == 403
    assert r.json() == {"errors": [{"code": "DENIED", "message": exceed_message(len(layer), 0, 1000)}]}
    assert requests.head(f"{srv.url}/v2/{small}/app/blobs/{sha256(layer)}", auth=AUTH, timeout=15).status_code == 404
    # A cross-repository mount of it.
    r = requests.post(f"{srv.url}/v2/{small}/app/blobs/uploads/?mount={sha256(layer)}&from={src}/app", auth=AUTH,
                      timeout=15)
    assert r.status_code == 403
    assert r.json()["errors"][0]["message"] == exceed_message(len(layer), 0, 1000)
    # The artifact copy API: Harbor's REST error shape.
    r = api(srv, "POST", f"/projects/{small}/repositories/app/artifacts", params={"from": f"{src}/app:v1"})
    assert r.status_code == 403
    assert r.json() == {"errors": [{"code": "DENIED", "message": exceed_message(cost(img), 0, 1000)}]}
    assert used(srv, sid) == 0
    got = receiver.wait_for(3)
    time.sleep(1.0)
    assert len(receiver.deliveries) == 3
    # Blob refusals name no resource; the copy names the artifact (Berth keeps its real repository
    # and operator, where Harbor's copy events lose them). Deliveries may arrive in any order.
    blob_events = sorted((d.body for d in got if b'"resources"' not in d.body))
    copy_events = [d.json() for d in got if b'"resources"' in d.body]
    assert len(blob_events) == 2 and len(copy_events) == 1
    for body in blob_events:
        e = json.loads(body)
        assert body == compact({"type": "QUOTA_EXCEED", "occur_at": e["occur_at"], "operator": "admin",
                                "event_data": {"repository": repository(small), "custom_attributes": {
                                    "Details": exceed_details(len(layer), 0, 1000)}}})
    assert copy_events[0]["type"] == "QUOTA_EXCEED"
    assert copy_events[0]["event_data"]["resources"] == [{"digest": img.digest, "tag": "v1"}]
    assert copy_events[0]["event_data"]["repository"] == repository(small)
    assert copy_events[0]["event_data"]["custom_attributes"] == {"Details": exceed_details(cost(img), 0, 1000)}
    assert copy_events[0]["operator"] == "admin"
    # Raised limit: the copy goes through and is charged.
    q = quota_of(srv, sid)
    assert api(srv, "PUT", f"/quotas/{q['id']}", json={"hard": {"storage": 1024 * 1024}}).status_code == 200
    r = api(srv, "POST", f"/projects/{small}/repositories/app/artifacts", params={"from": f"{src}/app:v1"})
    assert r.status_code == 201, r.text
    assert used(srv, sid) == cost(img)


def test_twenty_concurrent_pushers_never_exceed_the_limit(berth_factory):
    srv = berth_factory()
    imgs = [make_image(n_layers=3, layer_size=4000) for _ in range(20)]
    costs = [cost(i) for i in imgs]
    avg = sum(costs) / len(costs)
    assert max(costs) - min(costs) < avg * 0.05
    limit = int(avg * 7.5)  # any 7 fit, no 8 do
    project, pid = new_project(srv, limit)
    results: list[tuple[int, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(imgs))

    def pusher(i):
        start.wait()
        r = push_raw(srv, f"{project}/app{i}", "v1", imgs[i])
        with lock:
            results.append((i, r.status_code))
        if r.status_code != 201:
            assert r.status_code == 403, r.text
            assert r.json()["errors"][0]["code"] == "DENIED"

    threads = [threading.Thread(target=pusher, args=(i,)) for i in range(len(imgs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == len(imgs)
    ok = [i for i, status in results if status == 201]
    assert len(ok) == 7, results
    final = used(srv, pid)
    assert final <= limit
    assert final == sum(costs[i] for i in ok)
    code, rows = verify(srv)
    assert code == 0
    assert rows[project] == (final, final)
    r = api(srv, "POST", "/quotas/verify")
    assert r.status_code == 200, r.text
    assert r.json()["drift"] == [] and r.json()["checked"] >= 1


def test_quota_api_summary_defaults_and_rbac(berth_factory):
    srv = berth_factory()
    project, pid = new_project(srv, limit=5000)
    q = quota_of(srv, pid)
    assert set(q) == {"creation_time", "hard", "id", "ref", "update_time", "used"}
    assert list(q) == sorted(q)
    assert q["ref"] == {"id": pid, "name": project, "owner_name": "admin"}
    assert q["hard"] == {"storage": 5000} and q["used"] == {"storage": 0}
    r = api(srv, "GET", f"/quotas/{q['id']}")
    assert r.status_code == 200 and r.json() == q
    assert api(srv, "GET", "/quotas/999999").status_code == 404

    # The summary carries the quota.
    r = api(srv, "GET", f"/projects/{project}/summary")
    assert r.status_code == 200, r.text
    assert r.json()["quota"] == {"hard": {"storage": 5000}, "used": {"storage": 0}}

    # Sorting and paging over every quota (system admin).
    big, big_id = new_project(srv, limit=10 ** 12)
    r = api(srv, "GET", "/quotas", params={"sort": "-hard.storage", "page_size": 1})
    assert r.status_code == 200 and len(r.json()) == 1
    assert r.json()[0]["ref"]["id"] == big_id
    assert int(r.headers["X-Total-Count"]) >= 2
    assert api(srv, "GET", "/quotas", params={"sort": "bogus"}).status_code == 400
    assert api(srv, "GET", "/quotas", params={"reference": "user"}).status_code == 400

    # Limits: -1 or 1..2^50; unknown resources refused; nothing changes on a refusal.
    for bad in [{"hard": {"storage": 0}}, {"hard": {"storage": -2}}, {"hard": {"storage": 2 ** 50 + 1}},
                {"hard": {"count": 1}}, {"hard": {}}, {"storage": 5}, {"hard": {"storage": "10"}}]:
        r = api(srv, "PUT", f"/quotas/{q['id']}", json=bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["errors"][0]["code"] == "BAD_REQUEST"
    assert quota_of(srv, pid)["hard"]["storage"] == 5000
    assert api(srv, "PUT", f"/quotas/{q['id']}", json={"hard": {"storage": -1}}).status_code == 200
    assert quota_of(srv, pid)["hard"]["storage"] == -1

    # RBAC: members read their project's quota; only system admins list all or change limits.
    user = unique("u")
    r = api(srv, "POST", "/users", json={"username": user, "email": f"{user}@example.com", "password": PASSWORD})
    assert r.status_code == 201, r.text
    r = api(srv, "POST", f"/projects/{project}/members", json={"role_id": 1, "member_user": {"username": user}})
    assert r.status_code == 201, r.text
    member = (user, PASSWORD)
    r = api(srv, "GET", "/quotas", auth=member, params={"reference": "project", "reference_id": pid})
    assert r.status_code == 200 and r.json()[0]["id"] == q["id"]
    assert api(srv, "GET", f"/quotas/{q['id']}", auth=member).status_code == 200
    assert api(srv, "GET", f"/projects/{project}/summary", auth=member).json()["quota"]["hard"] == {"storage": -1}
    r = api(srv, "PUT", f"/quotas/{q['id']}", auth=member, json={"hard": {"storage": 100}})
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "FORBIDDEN"
    assert api(srv, "GET", "/quotas", auth=member).status_code == 403
    assert api(srv, "POST", "/quotas/verify", auth=member).status_code == 403
    assert api(srv, "GET", f"/quotas/{quota_of(srv, big_id)['id']}", auth=member).status_code == 403
    assert api(srv, "GET", "/quotas", auth=member,
               params={"reference": "project", "reference_id": big_id}).status_code == 403
    assert api(srv, "GET", "/quotas", auth=None).status_code == 401
    assert api(srv, "PUT", f"/quotas/{q['id']}", auth=None, json={"hard": {"storage": 1}}).status_code == 401
    assert quota_of(srv, pid)["hard"]["storage"] == -1

    # storage_per_project is the default limit of new projects (Harbor's system setting).
    assert api(srv, "PUT", "/configurations", json={"storage_per_project": 123456}).status_code == 200
    _, dflt = new_project(srv)
    assert quota_of(srv, dflt)["hard"]["storage"] == 123456
    _, explicit = new_project(srv, limit=-1)
    assert quota_of(srv, explicit)["hard"]["storage"] == -1
    assert api(srv, "PUT", "/configurations", json={"storage_per_project": -1}).status_code == 200


def registry_usage(srv, refs) -> int:
    """What the manifests named by refs (repo, tag) reference, each digest once: read back over /v2."""
    sizes = {}
    for repo, tag in refs:
        r = requests.get(f"{srv.url}/v2/{repo}/manifests/{tag}", auth=AUTH, timeout=15, headers={"Accept": ", ".join([
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"])})
        assert r.status_code == 200, r.text
        sizes[sha256(r.content)] = len(r.content)
        m = r.json()
        for d in [m["config"], *m["layers"]]:
            sizes[d["digest"]] = d["size"]
    return sum(sizes.values())


def test_podman_pushes_are_charged_deduplicated_and_refused_over_the_limit(berth_factory, clients, tmp_path):
    srv = berth_factory()
    img = make_image(n_layers=2, layer_size=20_000)
    layout = write_oci_layout(tmp_path / "layout", {"v1": img})
    clients.podman("pull", f"oci:{layout}:v1")
    local = clients.podman("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.decode().split()[0]
    tls = ["--tls-verify=false", *clients.creds()]
    project, pid = new_project(srv)
    clients.podman("push", *tls, local, f"docker://{srv.hostport}/{project}/app:v1")
    one = registry_usage(srv, [(f"{project}/app", "v1")])
    assert used(srv, pid) == one
    # The same local image into another repository of the project: what it shares counts once
    # (podman may or may not produce identical bytes; usage follows what was actually pushed).
    clients.podman("push", *tls, local, f"docker://{srv.hostport}/{project}/other:v1")
    both = registry_usage(srv, [(f"{project}/app", "v1"), (f"{project}/other", "v1")])
    assert both < 2 * one
    assert used(srv, pid) == both
    # A project too small for it: podman fails with Harbor's message, nothing is charged.
    small, sid = new_project(srv, limit=one - 1)
    p = clients.podman("push", *tls, local, f"docker://{srv.hostport}/{small}/app:v1", check=False)
    assert p.returncode != 0
    assert b"Quota exceeded when processing the request of adding" in p.stderr, p.stderr[-2000:]
    assert used(srv, sid) == 0
    code, rows = verify(srv)
    assert code == 0 and rows[project] == (both, both) and rows[small] == (0, 0)
