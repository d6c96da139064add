"""Webhook deliveries end to end: the real berth binary, real clients (skopeo, podman, curl), and a
real HTTP receiver on loopback that records every request. Payloads are compared byte for byte with
what Harbor sends (spec: webhooks.md §3–§5); retries, outages, kill -9, HMAC signatures,
redelivery and the test endpoint are Berth's own guarantees; so are targets' secrets sealed at rest
and the notification_enable switch."""

import calendar
import hashlib
import hmac
import json
import sqlite3
import subprocess
import time

import pytest
import requests

from conftest import AUTH
from e2e_lib import make_image, make_index, unique, write_oci_layout
from webhook_receiver import WebhookReceiver

# Fast retries for the tests: 3 attempts, 0.5 s then 1 s apart.
FAST = {"webhook": {"max_attempts": 3, "backoff_ms": "500,1000", "timeout_ms": 2000}}


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def harbor_time_to_unix(s: str) -> int:
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))


@pytest.fixture
def receiver():
    r = WebhookReceiver().start()
    yield r
    r.stop()


def api(srv, method, path, **kw):
    kw.setdefault("auth", AUTH)
    kw.setdefault("timeout", 10)
    return requests.request(method, srv.url + "/api/v2.0" + path, **kw)


def new_project(srv, public=False) -> str:
    name = unique("wh")
    r = api(srv, "POST", "/projects", json={"project_name": name, "metadata": {"public": str(public).lower()}})
    assert r.status_code == 201, r.text
    return name


def add_policy(srv, project, address, events, enabled=True, fmt=None, kind="http", name=None, **target) -> int:
    t = {"type": kind, "address": address, **target}
    if fmt:
        t["payload_format"] = fmt
    body = {"name": name or unique("p"), "targets": [t], "event_types": events, "enabled": enabled}
    r = api(srv, "POST", f"/projects/{project}/webhook/policies", json=body)
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def repo_created(srv, project, repo) -> int:
    r = api(srv, "GET", f"/projects/{project}/repositories/{repo}")
    assert r.status_code == 200, r.text
    return harbor_time_to_unix(r.json()["creation_time"])


def skopeo_push(clients, srv, layout, tag, ref):
    clients.skopeo("copy", "--dest-tls-verify=false", *clients.creds_dest(), f"oci:{layout}:{tag}",
                   f"docker://{srv.hostport}/{ref}")


def expected_artifact_event(srv, type_, operator, project, repo, digest, tag, occur_at, public=False,
                            date_created=None) -> bytes:
    full = f"{project}/{repo}"
    url = f"{srv.hostport}/{full}:{tag}" if tag != digest else f"{srv.hostport}/{full}@{digest}"
    repository = {}
    if date_created is not None:
        repository["date_created"] = date_created
    repository.update({"name": repo, "namespace": project, "repo_full_name": full,
                       "repo_type": "public" if public else "private"})
    return compact({"type": type_, "occur_at": occur_at, "operator": operator,
                    "event_data": {"resources": [{"digest": digest, "tag": tag, "resource_url": url}],
                                   "repository": repository}})


def test_skopeo_push_fires_exactly_one_push_event(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"])
    img = make_image()
    layout = write_oci_layout(tmp_path / "l", {"v1": img})
    t0 = int(time.time())
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    got = receiver.wait_for(1)
    time.sleep(1.0)  # nothing else may follow
    assert len(receiver.deliveries) == 1, [d.body for d in receiver.deliveries]
    d = got[0]
    body = d.json()
    assert t0 <= body["occur_at"] <= int(time.time())
    want = expected_artifact_event(srv, "PUSH_ARTIFACT", "admin", project, "app", img.digest, "v1",
                                   body["occur_at"], date_created=repo_created(srv, project, "app"))
    assert d.body == want
    assert d.headers["content-type"] == "application/json"
    assert "authorization" not in d.headers
    assert len(d.headers["x-berth-event-id"]) == 36


def test_podman_pull_fires_pull_and_head_fires_nothing(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    img = make_image()
    layout = write_oci_layout(tmp_path / "l", {"v1": img})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    add_policy(srv, project, receiver.url(), ["PULL_ARTIFACT"])
    # A HEAD (what docker sends when it already has the image) and a 304 are not pulls.
    url = f"{srv.url}/v2/{project}/app/manifests/v1"
    accept = {"Accept": "application/vnd.oci.image.manifest.v1+json"}
    assert requests.head(url, auth=AUTH, headers=accept, timeout=5).status_code == 200
    etag = requests.head(url, auth=AUTH, headers=accept, timeout=5).headers["ETag"]
    assert requests.get(url, auth=AUTH, headers={**accept, "If-None-Match": etag}, timeout=5).status_code == 304
    time.sleep(1.5)
    assert receiver.deliveries == []
    clients.podman("pull", "--tls-verify=false", *clients.creds(), f"{srv.hostport}/{project}/app:v1")
    d = receiver.wait_for(1)[0]
    assert d.json()["type"] == "PULL_ARTIFACT"
    want = expected_artifact_event(srv, "PULL_ARTIFACT", "admin", project, "app", img.digest, "v1",
                                   d.json()["occur_at"], date_created=repo_created(srv, project, "app"))
    assert d.body == want


def test_delete_by_digest_fires_delete_with_the_first_tag(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv, public=True)
    img = make_image()
    layout = write_oci_layout(tmp_path / "l", {"v1": img})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    created = repo_created(srv, project, "app")
    add_policy(srv, project, receiver.url(), ["DELETE_ARTIFACT"])
    clients.skopeo("delete", "--tls-verify=false", *clients.creds(), f"docker://{srv.hostport}/{project}/app@{img.digest}")
    d = receiver.wait_for(1)[0]
    # The repository is gone with its only artifact: date_created is left out, as Harbor does.
    want = expected_artifact_event(srv, "DELETE_ARTIFACT", "admin", project, "app", img.digest, "v1",
                                   d.json()["occur_at"], public=True)
    assert d.body == want, (d.body, created)


def test_by_digest_push_and_index_children_each_fire(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"])
    a, b = make_image(arch="amd64"), make_image(arch="arm64")
    idx = make_index([a, b])
    layout = write_oci_layout(tmp_path / "l", {"multi": idx})
    clients.skopeo("copy", "--all", "--dest-tls-verify=false", *clients.creds_dest(), f"oci:{layout}:multi",
                   f"docker://{srv.hostport}/{project}/app:multi")
    got = receiver.wait_for(3)
    time.sleep(0.5)
    assert len(receiver.deliveries) == 3
    by_digest = {d.json()["event_data"]["resources"][0]["digest"]: d.json()["event_data"]["resources"][0]
                 for d in got}
    assert set(by_digest) == {a.digest, b.digest, idx.digest}
    for child in (a, b):  # pushed by digest: the tag holds the digest (Harbor's quirk)
        assert by_digest[child.digest]["tag"] == child.digest
        assert by_digest[child.digest]["resource_url"] == f"{srv.hostport}/{project}/app@{child.digest}"
    assert by_digest[idx.digest]["tag"] == "multi"


def test_cloudevents_and_slack_bodies(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    pid = api(srv, "GET", f"/projects/{project}").json()["project_id"]
    ce_policy = add_policy(srv, project, receiver.url("/ce"), ["PUSH_ARTIFACT"], fmt="CloudEvents",
                           auth_header="Bearer s3cr3t")
    add_policy(srv, project, receiver.url("/slack"), ["PUSH_ARTIFACT"], kind="slack")
    img = make_image()
    layout = write_oci_layout(tmp_path / "l", {"v1": img})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    ce = receiver.wait_for(1, path="/ce")[0]
    sl = receiver.wait_for(1, path="/slack")[0]
    created = repo_created(srv, project, "app")

    body = ce.json()
    assert ce.headers["content-type"] == "application/cloudevents+json"
    assert ce.headers["authorization"] == "Bearer s3cr3t"
    assert not any(k.startswith("ce-") for k in ce.headers)
    data = {"resources": [{"digest": img.digest, "tag": "v1", "resource_url": f"{srv.hostport}/{project}/app:v1"}],
            "repository": {"date_created": created, "name": "app", "namespace": project,
                           "repo_full_name": f"{project}/app", "repo_type": "private"}}
    want = {"specversion": "1.0", "id": body["id"], "source": f"/projects/{pid}/webhook/policies/{ce_policy}",
            "type": "harbor.artifact.pushed", "datacontenttype": "application/json",
            "time": body["time"], "data": data, "requestid": "", "operator": "admin"}
    assert ce.body == compact(want)
    ce_at = calendar.timegm(time.strptime(body["time"], "%Y-%m-%dT%H:%M:%SZ"))  # RFC 3339 UTC
    assert abs(ce_at - time.time()) < 60
    assert ce.headers["x-berth-event-id"] == body["id"]

    assert sl.headers["content-type"] == "application/json"
    assert "authorization" not in sl.headers
    blocks = sl.json()["blocks"]
    texts = [b["text"]["text"] for b in blocks]
    assert all(b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in blocks)
    occur = json.loads(ce.body)["time"]
    occur_at = calendar.timegm(time.strptime(occur, "%Y-%m-%dT%H:%M:%SZ"))
    assert texts[:5] == ["*Harbor webhook events*", "*event_type:* PUSH_ARTIFACT",
                         f"*occur_at:* <!date^{occur_at}^{{date}} at {{time}}|February 18th, 2014 at 6:39 AM PST>",
                         "*operator:* admin", "*event_data:*"]
    assert texts[5].startswith("```") and texts[5].endswith("```")
    assert json.loads(texts[5].strip("`")) == data


def test_disabled_policy_gets_nothing(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    add_policy(srv, project, receiver.url("/off"), ["PUSH_ARTIFACT"], enabled=False)
    add_policy(srv, project, receiver.url("/on"), ["PUSH_ARTIFACT"])
    layout = write_oci_layout(tmp_path / "l", {"v1": make_image()})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    receiver.wait_for(1, path="/on")
    time.sleep(1.0)
    assert receiver.of("/off") == []


def executions(srv, project, policy):
    r = api(srv, "GET", f"/projects/{project}/webhook/policies/{policy}/executions")
    assert r.status_code == 200, r.text
    return r.json()


def wait_execution(srv, project, policy, status, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        ex = executions(srv, project, policy)
        if ex and ex[0]["status"] == status:
            return ex[0]
        time.sleep(0.2)
    raise AssertionError(f"no execution reached {status}: {executions(srv, project, policy)}")


def test_receiver_failing_twice_gets_the_event_on_the_third_attempt(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    policy = add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"], auth_header="Bearer top-secret")
    receiver.script = [500, 500]
    layout = write_oci_layout(tmp_path / "l", {"v1": make_image()})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    got = receiver.wait_for(3, timeout=20)
    assert len({d.body for d in got}) == 1, "every attempt sends the same body"
    assert len({d.headers["x-berth-event-id"] for d in got}) == 1, "and the same event id"
    ex = wait_execution(srv, project, policy, "Success")
    tasks = api(srv, "GET", f"/projects/{project}/webhook/policies/{policy}/executions/{ex['id']}/tasks").json()
    assert len(tasks) == 1 and tasks[0]["run_count"] == 3 and tasks[0]["status"] == "Success"
    log = api(srv, "GET", f"/projects/{project}/webhook/policies/{policy}/executions/{ex['id']}/tasks/"
                          f"{tasks[0]['id']}/log")
    assert log.status_code == 200
    assert log.text.count("500") >= 2 and "200" in log.text
    assert "top-secret" not in log.text, "the task log never shows the Authorization header"


def test_receiver_down_for_a_while_gets_every_event_when_back(berth_factory, clients, tmp_path):
    # Up to 30 attempts, a second apart after the first few: the outage below may last a while on a
    # loaded machine (three skopeo pushes, then 2 s), and no event may run out of attempts in it.
    srv = berth_factory(config={"webhook": {"max_attempts": 30, "backoff_ms": "300,600,1000", "timeout_ms": 1000}})
    project = new_project(srv)
    down = WebhookReceiver().start()
    port = down.port
    down.stop()  # the address refuses connections now
    add_policy(srv, project, f"http://127.0.0.1:{port}/hook", ["PUSH_ARTIFACT"])
    imgs = [make_image() for _ in range(3)]
    for i, img in enumerate(imgs):
        layout = write_oci_layout(tmp_path / f"l{i}", {"v1": img})
        skopeo_push(clients, srv, layout, "v1", f"{project}/app{i}:v1")
    time.sleep(2.0)
    back = WebhookReceiver(port).start()
    try:
        got = back.wait_for(3, timeout=30)
        assert {d.json()["event_data"]["resources"][0]["digest"] for d in got} == {i.digest for i in imgs}
    finally:
        back.stop()


def test_kill9_right_after_a_push_still_delivers_after_restart(berth_factory, receiver, clients, tmp_path):
    # A killed worker's leases run out after 2 s (30 s by default), then the restarted server runs them.
    srv = berth_factory(config={**FAST, "jobs": {"lease_seconds": 2}}, fsync=True)
    project = new_project(srv)
    add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"])
    receiver.script = [500] * 100  # nothing succeeds before the kill
    img = make_image()
    layout = write_oci_layout(tmp_path / "l", {"v1": img})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    srv.kill9()
    receiver.script = []
    seen_before = len(receiver.deliveries)
    srv.restart()
    got = receiver.wait_for(seen_before + 1, timeout=30)
    ok = [d for d in got[seen_before:] if d.json()["event_data"]["resources"][0]["digest"] == img.digest]
    assert ok, "the event committed with the push is delivered after the restart"


def test_hmac_signature_verifies(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"], signing_secret="k3y")
    layout = write_oci_layout(tmp_path / "l", {"v1": make_image()})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    d = receiver.wait_for(1)[0]
    want = "sha256=" + hmac.new(b"k3y", d.body, hashlib.sha256).hexdigest()
    assert d.headers["x-berth-signature"] == want
    assert hmac.compare_digest(d.headers["x-berth-signature"], want)


def test_redeliver_and_test_endpoint(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    policy = add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"])
    receiver.script = [500, 500, 500]  # all three attempts fail: a dead letter
    layout = write_oci_layout(tmp_path / "l", {"v1": make_image()})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    dead = wait_execution(srv, project, policy, "Error", timeout=20)
    assert len(receiver.deliveries) == 3
    r = api(srv, "POST", f"/projects/{project}/webhook/policies/{policy}/executions/{dead['id']}/redeliver")
    assert r.status_code == 201, r.text
    d = receiver.wait_for(4)[3]
    assert d.body == receiver.deliveries[0].body
    assert d.headers["x-berth-event-id"] == receiver.deliveries[0].headers["x-berth-event-id"]
    wait_execution(srv, project, policy, "Success")

    # The test endpoint sends a sample event to the policy's targets and says how it went.
    r = api(srv, "POST", f"/projects/{project}/webhook/policies/{policy}/test")
    assert r.status_code == 200, r.text
    sample = receiver.wait_for(5)[4]
    assert sample.json()["type"] == "PUSH_ARTIFACT"
    receiver.script = [503]
    r = api(srv, "POST", f"/projects/{project}/webhook/policies/{policy}/test")
    assert r.status_code == 400 and "503" in r.text, r.text


# ---- secrets at rest ---------------------------------------------------------------------------
def raw_db_bytes(srv) -> bytes:
    """The database as it lies on disk: the main file and its write-ahead log."""
    return b"".join((srv.data_dir / n).read_bytes() for n in ("berth.db", "berth.db-wal")
                    if (srv.data_dir / n).exists())


def stored_targets(srv, policy):
    con = sqlite3.connect(f"file:{srv.data_dir}/berth.db?mode=ro", uri=True, timeout=10)
    try:
        (targets,) = con.execute("SELECT targets FROM webhook_policies WHERE id = ?", (policy,)).fetchone()
        execs = [json.loads(t) for (t,) in con.execute("SELECT target FROM webhook_executions WHERE policy_id = ?",
                                                         (policy,))]
    finally:
        con.close()
    return json.loads(targets), execs


def test_target_secrets_are_sealed_at_rest_and_opened_only_to_deliver(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST, env={"BERTH_LOG_LEVEL": "debug"})
    project = new_project(srv)
    token = "s3cr3t-" + unique("tok")
    signing = "sig-" + unique("key")
    policy = add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"], auth_header=f"Bearer {token}",
                        signing_secret=signing)
    # Project admins read them back in plain text, as Harbor returns auth_header.
    got = api(srv, "GET", f"/projects/{project}/webhook/policies/{policy}").json()["targets"][0]
    assert got["auth_header"] == f"Bearer {token}" and got["signing_secret"] == signing
    layout = write_oci_layout(tmp_path / "l", {"v1": make_image()})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    d = receiver.wait_for(1)[0]
    assert d.headers["authorization"] == f"Bearer {token}"
    want = "sha256=" + hmac.new(signing.encode(), d.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(d.headers["x-berth-signature"], want)
    wait_execution(srv, project, policy, "Success")

    raw = raw_db_bytes(srv)
    assert token.encode() not in raw and signing.encode() not in raw, "no secret byte at rest"
    targets, execs = stored_targets(srv, policy)  # they are there, sealed (policy and delivery copy)
    assert targets[0]["auth_header"].startswith("enc:v1:") and targets[0]["signing_secret"].startswith("enc:v1:")
    assert execs and all(e["auth_header"].startswith("enc:v1:") and e["signing_secret"].startswith("enc:v1:")
                         for e in execs)
    assert token not in srv.log_text() and signing not in srv.log_text()

    # The key lives in the data directory: after a restart the secrets still open.
    srv.restart()
    assert api(srv, "POST", f"/projects/{project}/webhook/policies/{policy}/test").status_code == 200
    sample = receiver.wait_for(2)[1]
    assert sample.headers["authorization"] == f"Bearer {token}"
    assert sample.headers["x-berth-signature"] == "sha256=" + hmac.new(signing.encode(), sample.body,
                                                                       hashlib.sha256).hexdigest()


def test_a_policy_stored_in_plain_text_still_delivers_and_is_sealed_when_rewritten(berth_factory, receiver,
                                                                                     clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    policy = add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"])
    # As a Berth from before sealing stored it: plain values, written behind the server's back.
    legacy = [{"type": "http", "address": receiver.url(), "auth_header": "Bearer legacy-plain-token",
               "skip_cert_verify": False, "payload_format": "Default", "signing_secret": "legacy-plain-key"}]
    con = sqlite3.connect(str(srv.data_dir / "berth.db"), timeout=10)
    try:
        with con:
            con.execute("UPDATE webhook_policies SET targets = ? WHERE id = ?", (json.dumps(legacy), policy))
    finally:
        con.close()
    layout = write_oci_layout(tmp_path / "l", {"v1": make_image(), "v2": make_image()})
    skopeo_push(clients, srv, layout, "v1", f"{project}/app:v1")
    d = receiver.wait_for(1)[0]
    assert d.headers["authorization"] == "Bearer legacy-plain-token"
    assert d.headers["x-berth-signature"] == "sha256=" + hmac.new(b"legacy-plain-key", d.body,
                                                                  hashlib.sha256).hexdigest()
    body = api(srv, "GET", f"/projects/{project}/webhook/policies/{policy}").json()
    assert body["targets"][0]["auth_header"] == "Bearer legacy-plain-token"
    # A rewrite (PUT of what GET returned) seals them; deliveries carry the same header.
    assert api(srv, "PUT", f"/projects/{project}/webhook/policies/{policy}", json=body).status_code == 200
    targets, _ = stored_targets(srv, policy)
    assert targets[0]["auth_header"].startswith("enc:v1:") and "legacy-plain" not in json.dumps(targets)
    skopeo_push(clients, srv, layout, "v2", f"{project}/app:v2")
    d2 = receiver.wait_for(2)[1]
    assert d2.headers["authorization"] == "Bearer legacy-plain-token"
    assert d2.headers["x-berth-signature"] == "sha256=" + hmac.new(b"legacy-plain-key", d2.body,
                                                                   hashlib.sha256).hexdigest()


# ---- notification_enable -----------------------------------------------------------------------
def event_jobs(srv):
    con = sqlite3.connect(f"file:{srv.data_dir}/berth.db?mode=ro", uri=True, timeout=10)
    try:
        return dict(con.execute("SELECT state, count(*) FROM jobs WHERE kind = 'event' GROUP BY state").fetchall())
    finally:
        con.close()


def test_notification_enable_off_sends_nothing_and_on_resumes(berth_factory, receiver, clients, tmp_path):
    srv = berth_factory(config=FAST)
    project = new_project(srv)
    policy = add_policy(srv, project, receiver.url(), ["PUSH_ARTIFACT"])
    user = unique("u")
    assert api(srv, "POST", "/users", json={"username": user, "email": f"{user}@example.com",
                                            "password": "Passw0rdX"}).status_code == 201
    # Only a system admin switches it.
    r = api(srv, "PUT", "/configurations", json={"notification_enable": False}, auth=(user, "Passw0rdX"))
    assert r.status_code == 403, r.text
    assert api(srv, "GET", "/systeminfo").json()["notification_enable"] is True
    assert api(srv, "PUT", "/configurations", json={"notification_enable": False}).status_code == 200
    assert api(srv, "GET", "/systeminfo").json()["notification_enable"] is False
    assert api(srv, "GET", "/configurations").json()["notification_enable"]["value"] is False

    off_img, on_img = make_image(), make_image()
    layout = write_oci_layout(tmp_path / "l", {"off": off_img, "on": on_img})
    skopeo_push(clients, srv, layout, "off", f"{project}/app:off")
    time.sleep(3.0)
    assert receiver.deliveries == [], [x.body for x in receiver.deliveries]
    assert executions(srv, project, policy) == []
    jobs = event_jobs(srv)  # the event was recorded and handled: nothing is held back for later
    assert jobs.get("done", 0) >= 1 and not jobs.get("queued") and not jobs.get("running"), jobs
    r = api(srv, "POST", f"/projects/{project}/webhook/policies/{policy}/test")
    assert r.status_code == 412 and r.json()["errors"][0]["code"] == "PRECONDITION", r.text
    assert "notification_enable" in r.text
    assert receiver.deliveries == []

    assert api(srv, "PUT", "/configurations", json={"notification_enable": True}).status_code == 200
    assert api(srv, "GET", "/systeminfo").json()["notification_enable"] is True
    skopeo_push(clients, srv, layout, "on", f"{project}/app:on")
    got = receiver.wait_for(1)
    time.sleep(1.5)  # and nothing else: the event pushed while off stays unsent
    assert len(receiver.deliveries) == 1, [x.body for x in receiver.deliveries]
    assert got[0].json()["event_data"]["resources"][0]["digest"] == on_img.digest
    done = wait_execution(srv, project, policy, "Success")
    assert len(executions(srv, project, policy)) == 1

    # Off again: a redelivery is refused like the test endpoint.
    assert api(srv, "PUT", "/configurations", json={"notification_enable": False}).status_code == 200
    r = api(srv, "POST", f"/projects/{project}/webhook/policies/{policy}/executions/{done['id']}/redeliver")
    assert r.status_code == 412 and "notification_enable" in r.text, r.text
    time.sleep(1.0)
    assert len(receiver.deliveries) == 1
