"""Webhook (notification) policies over real HTTP against the real binary (spec: webhooks.md §6).

/api/v2.0/projects/{p}/webhook/: policies CRUD with every validation rule (400), duplicate names
(409), foreign or missing ids (404), paging headers and q/sort, RBAC per role and robot (users,
members and robots created through the REST API), isolation between projects, the events list,
lasttrigger, jobs and executions.

Deliveries are made by the event pipeline, which is not part of this suite; until then a
delivery record ("execution") is written into the running server's database with the sqlite3 CLI,
standing in for the dispatcher, so the executions/tasks/log/redeliver answers and the 412 rule can
be observed over HTTP.
"""
from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import time

import pytest
import requests
from e2e_lib import api_url, harbor_error, unique

ADMIN = ("admin", "Harbor12345")
PASSWORD = "Passw0rdWh1"
HARBOR_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
EVENT_TYPES = ["PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT", "UPLOAD_CHART", "DOWNLOAD_CHART",
               "DELETE_CHART", "QUOTA_EXCEED", "QUOTA_WARNING", "REPLICATION", "SCANNING_FAILED",
               "SCANNING_COMPLETED", "SCANNING_STOPPED", "TAG_RETENTION"]

# The policies' target: a loopback port that takes connections and never answers. Nothing leaves
# the machine, and a delivery the server makes meanwhile stays in flight (until its timeout)
# instead of failing at once, so an execution's attempts are what each test put there.
_SILENT = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
_SILENT.bind(("127.0.0.1", 0))
_SILENT.listen(4096)
HOOK = f"https://127.0.0.1:{_SILENT.getsockname()[1]}/hook"
POLICY_KEYS = ["id", "name", "description", "project_id", "targets", "event_types", "creator",
               "creation_time", "update_time", "enabled"]


@pytest.fixture(scope="module")
def srv(module_registry):
    assert module_registry.auth == ADMIN
    return module_registry


def api(srv, path):
    return api_url(srv, path)


def new_project(srv, public=False):
    name = unique("wh")
    r = requests.post(api(srv, "/projects"), auth=ADMIN,
                      json={"project_name": name, "metadata": {"public": str(public).lower()}})
    assert r.status_code == 201, r.text
    return name, int(r.headers["Location"].rsplit("/", 1)[1])


def new_user(srv, sysadmin=False):
    name = unique("whu")
    r = requests.post(api(srv, "/users"), auth=ADMIN,
                      json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
    assert r.status_code == 201, r.text
    uid = int(r.headers["Location"].rsplit("/", 1)[1])
    if sysadmin:
        r = requests.put(api(srv, f"/users/{uid}/sysadmin"), auth=ADMIN, json={"sysadmin_flag": True})
        assert r.status_code == 200, r.text
    return (name, PASSWORD)


def add_member(srv, project, username, role_id):
    r = requests.post(api(srv, f"/projects/{project}/members"), auth=ADMIN,
                      json={"role_id": role_id, "member_user": {"username": username}})
    assert r.status_code == 201, r.text


def new_robot(srv, project, actions, resource="notification-policy"):
    r = requests.post(api(srv, "/robots"), auth=ADMIN, json={
        "name": unique("whr"), "level": "project", "duration": -1,
        "permissions": [{"kind": "project", "namespace": project,
                         "access": [{"resource": resource, "action": a, "effect": "allow"} for a in actions]}]})
    assert r.status_code == 201, r.text
    return (r.json()["name"], r.json()["secret"])


def target(address=HOOK, **extra):
    return {"type": "http", "address": address, **extra}


def policy_body(name=None, **over):
    body = {"name": name or unique("hook"), "description": "notify CI", "targets": [target()],
            "event_types": ["PUSH_ARTIFACT"], "enabled": True}
    body.update(over)
    return body


def policies_path(project):
    return f"/projects/{project}/webhook/policies"


def create(srv, project, body=None, auth=ADMIN, **kw):
    return requests.post(api(srv, policies_path(project)), auth=auth, json=body or policy_body(), **kw)


def create_ok(srv, project, body=None):
    r = create(srv, project, body)
    assert r.status_code == 201, r.text
    assert r.text == ""
    return int(r.headers["Location"].rsplit("/", 1)[1])


def get_policy(srv, project, pid, auth=ADMIN):
    return requests.get(api(srv, f"{policies_path(project)}/{pid}"), auth=auth)


def list_policies(srv, project, auth=ADMIN, **params):
    return requests.get(api(srv, policies_path(project)), auth=auth, params=params)


def db_path(srv):
    return str(srv.data_dir / "berth.db")


def sql(srv, statement):
    """A write behind the server's back (sqlite3 CLI), as the event dispatcher would make it."""
    subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db_path(srv), statement], check=True, capture_output=True,
                   timeout=30)


def seed_execution(srv, project_id, policy_id, *, status="Pending", auth_header="Bearer s3cr3t-token",
                   payload=None, event_type="PUSH_ARTIFACT", attempts=()):
    """Records one delivery of `policy_id` as the dispatcher does (an event's execution, with its
    attempts); returns (id, payload, delivery id)."""
    payload = payload or json.dumps({"type": event_type, "occur_at": 1700000000, "operator": "admin",
                                     "event_data": {"repository": {"name": "app", "namespace": "x"}}},
                                    separators=(",", ":"))
    tgt = json.dumps({"type": "http", "address": HOOK, "auth_header": auth_header,
                      "skip_cert_verify": False, "payload_format": "Default", "signing_secret": "hmac-key-123"})
    delivery = unique("dlv")
    event_id = int(time.time() * 1e6) % 2_000_000_000
    now = int(time.time() * 1000)
    con = sqlite3.connect(db_path(srv), timeout=10)
    try:
        with con:
            cur = con.execute(
                "INSERT INTO webhook_executions(policy_id, project_id, event_id, target_index, vendor_type, "
                "event_type, target, payload, delivery_id, status, run_count, created_at, start_at, updated_at) "
                "VALUES(?, ?, ?, 0, 'WEBHOOK', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (policy_id, project_id, event_id, event_type, tgt, payload, delivery, status, len(attempts), now,
                 now if attempts else 0, now))
            eid = cur.lastrowid
            for n, (code, error, response) in enumerate(attempts, 1):
                con.execute("INSERT INTO webhook_attempts(execution_id, attempt, at, status_code, duration_ms, "
                            "error, response) VALUES(?, ?, ?, ?, ?, ?, ?)",
                            (eid, n, now + n * 1000, code, 7 * n, error, response))
    finally:
        con.close()
    return eid, payload, delivery


def set_status(srv, eid, status):
    sql(srv, f"UPDATE webhook_executions SET status = '{status}' WHERE id = {int(eid)}")


# ---- CRUD --------------------------------------------------------------------------------------
def test_create_get_update_delete_round_trip(srv):
    project, project_id = new_project(srv)
    body = {"name": "ci-hook", "description": "notify CI", "project_id": 999, "creator": "ci-bot",
            "targets": [{"type": "http", "address": HOOK, "auth_header": "Bearer s3cr3t",
                         "skip_cert_verify": False, "payload_format": "Default"}],
            "event_types": ["PUSH_ARTIFACT", "SCANNING_COMPLETED"], "enabled": True}
    r = create(srv, project, body)
    assert r.status_code == 201, r.text
    loc = r.headers["Location"]
    assert re.fullmatch(rf"/api/v2\.0/projects/{project}/webhook/policies/\d+", loc), loc
    pid = int(loc.rsplit("/", 1)[1])

    got = get_policy(srv, project, pid)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("application/json")
    p = got.json()
    assert list(p) == POLICY_KEYS, list(p)
    assert HARBOR_TIME.match(p["creation_time"]) and p["update_time"] == p["creation_time"], p
    assert {k: v for k, v in p.items() if not k.endswith("_time")} == {
        "id": pid, "name": "ci-hook", "description": "notify CI", "project_id": project_id,
        "targets": [{"type": "http", "address": HOOK, "auth_header": "Bearer s3cr3t",
                     "payload_format": "Default"}],  # false skip_cert_verify left out, as Harbor does
        "event_types": ["PUSH_ARTIFACT", "SCANNING_COMPLETED"], "creator": "ci-bot", "enabled": True}
    # By id and by name with X-Is-Resource-Name.
    assert get_policy(srv, project_id, pid).json() == p
    r = requests.get(api(srv, f"{policies_path(project)}/{pid}"), auth=ADMIN, headers={"X-Is-Resource-Name": "true"})
    assert r.json() == p

    # PUT is a full replacement: omitted enabled and description go, the creator stays.
    time.sleep(0.01)
    r = requests.put(api(srv, f"{policies_path(project)}/{pid}"), auth=ADMIN, json={
        "name": "ci-hook-2", "targets": [{"type": "slack", "address": "https://hooks.slack.com/services/T/B/X"},
                                         target("http://10.0.0.5:8080/h", skip_cert_verify=True,
                                                payload_format="CloudEvents", signing_secret="k3y")],
        "event_types": ["DELETE_ARTIFACT"]})
    assert r.status_code == 200 and r.text == "", r.text
    q = get_policy(srv, project, pid).json()
    assert list(q) == ["id", "name", "project_id", "targets", "event_types", "creator", "creation_time",
                       "update_time", "enabled"], q
    assert q["name"] == "ci-hook-2" and q["enabled"] is False and q["creator"] == "ci-bot"
    assert q["targets"] == [{"type": "slack", "address": "https://hooks.slack.com/services/T/B/X"},
                            {"type": "http", "address": "http://10.0.0.5:8080/h", "skip_cert_verify": True,
                             "payload_format": "CloudEvents", "signing_secret": "k3y"}]
    assert q["event_types"] == ["DELETE_ARTIFACT"]
    assert q["creation_time"] == p["creation_time"] and q["update_time"] > p["update_time"]

    r = requests.delete(api(srv, f"{policies_path(project)}/{pid}"), auth=ADMIN)
    assert r.status_code == 200, r.text
    harbor_error(get_policy(srv, project, pid), 404, "NOT_FOUND")
    harbor_error(requests.delete(api(srv, f"{policies_path(project)}/{pid}"), auth=ADMIN), 404, "NOT_FOUND")
    harbor_error(requests.put(api(srv, f"{policies_path(project)}/{pid}"), auth=ADMIN, json=policy_body()),
                 404, "NOT_FOUND")

    # The three changes are in the project's audit log.
    logs = requests.get(api(srv, f"/projects/{project}/logs"), auth=ADMIN,
                        params={"q": "resource_type=notification_policy", "page_size": 10}).json()
    assert sorted((l["operation"], l["resource"]) for l in logs) == [
        ("create", "ci-hook"), ("delete", "ci-hook-2"), ("update", "ci-hook-2")], logs


def test_defaults_enabled_false_creator_caller_and_deduplicated_event_types(srv):
    project, _ = new_project(srv)
    pid = create_ok(srv, project, {"name": "defaults", "targets": [target("  http://h.example/x/  ")],
                                   "event_types": ["PULL_ARTIFACT", "PUSH_ARTIFACT", "PULL_ARTIFACT", "UPLOAD_CHART"]})
    p = get_policy(srv, project, pid).json()
    assert p["enabled"] is False  # omitted on create
    assert p["creator"] == "admin"  # the caller when not given
    assert "description" not in p
    assert p["event_types"] == ["PULL_ARTIFACT", "PUSH_ARTIFACT", "UPLOAD_CHART"]
    assert p["targets"] == [{"type": "http", "address": "http://h.example/x/", "payload_format": "Default"}]


# ---- validation --------------------------------------------------------------------------------
BAD_BODIES = [
    ({"event_types": []}, "empty event type"),
    ({"event_types": None}, "empty event type"),
    ({"event_types": ["PUSH_ARTIFACT", "push_artifact"]}, "unsupported event type push_artifact"),
    ({"event_types": ["CREATE_TAG"]}, "unsupported event type CREATE_TAG"),
    ({"event_types": "PUSH_ARTIFACT"}, "event_types must be an array of strings"),
    ({"event_types": [1]}, "event_types must be an array of strings"),
    ({"targets": []}, "empty notify target"),
    ({"targets": None}, "empty notify target"),
    ({"targets": {"type": "http"}}, "targets must be an array of objects"),
    ({"targets": ["http://x"]}, "a target must be a JSON object"),
    ({"targets": [target("ftp://files.example.com/in")]}, "invalid scheme: ftp"),
    ({"targets": [target("HTTPX://files.example.com/in")]}, "invalid scheme: httpx"),
    ({"targets": [target("ci.example.com/hook")]}, None),
    ({"targets": [target("")]}, "empty target address"),
    ({"targets": [target("   /")]}, "empty target address"),
    ({"targets": [target("http://")]}, None),
    ({"targets": [target("http://:8080/x")]}, None),
    ({"targets": [target("http://host:99999/x")]}, None),
    ({"targets": [target("http://ho st/x")]}, None),
    ({"targets": [{"type": "email", "address": "http://x.example"}]}, "unsupported target type email"),
    ({"targets": [{"address": "http://x.example"}]}, "target type is required (http or slack)"),
    ({"targets": [target(payload_format="Slack")]}, None),
    ({"targets": [target(payload_format="default")]}, None),
    ({"targets": [{"type": "slack", "address": "https://hooks.slack.com/x", "payload_format": "Default"}]}, None),
    ({"targets": [target(skip_cert_verify="yes")]}, "skip_cert_verify must be a boolean"),
    ({"targets": [target(auth_header=5)]}, "auth_header must be a string"),
    ({"targets": [target(header="x")]}, "unknown field header in a target"),
    ({"name": ""}, "name is required"),
    ({"name": "   "}, "name is required"),
    ({"name": "x" * 257}, None),
    ({"name": 7}, "name must be a string"),
    ({"enabled": "true"}, "enabled must be a boolean"),
    ({"surprise": 1}, "unknown field surprise in the policy"),
]


@pytest.mark.parametrize("change,message", BAD_BODIES, ids=[str(i) for i in range(len(BAD_BODIES))])
def test_invalid_policies_are_400_and_change_nothing(srv, change, message):
    project, _ = new_project(srv)
    keep = create_ok(srv, project, policy_body("keep"))
    before = get_policy(srv, project, keep).json()
    got = harbor_error(create(srv, project, {**policy_body("new"), **change}), 400, "BAD_REQUEST")
    if message is not None:
        assert got == message, got
    r = requests.put(api(srv, f"{policies_path(project)}/{keep}"), auth=ADMIN, json={**policy_body("keep"), **change})
    assert harbor_error(r, 400, "BAD_REQUEST") == got
    assert list_policies(srv, project).headers["X-Total-Count"] == "1"
    assert get_policy(srv, project, keep).json() == before


def test_bodies_that_are_not_policies_are_400(srv):
    project, _ = new_project(srv)
    for data in ("{not json", "[]", '"text"', "null"):
        r = requests.post(api(srv, policies_path(project)), auth=ADMIN, data=data,
                          headers={"Content-Type": "application/json"})
        harbor_error(r, 400, "BAD_REQUEST")
    assert list_policies(srv, project).json() == []


def test_both_schemes_and_hosts_are_accepted(srv):
    project, _ = new_project(srv)
    for addr in ("http://127.0.0.1:9000/hook", "https://[::1]:8443/x?token=1", "HTTPS://Example.COM",
                 "http://user:pw@example.com/", "https://example.com:443"):
        create_ok(srv, project, policy_body(targets=[target(addr)]))
    assert list_policies(srv, project).headers["X-Total-Count"] == "5"


def test_duplicate_names_are_409_within_a_project_only(srv):
    project, _ = new_project(srv)
    other, _ = new_project(srv)
    create_ok(srv, project, policy_body("dup"))
    second = create_ok(srv, project, policy_body("second"))
    msg = harbor_error(create(srv, project, policy_body("dup")), 409, "CONFLICT")
    assert msg == "notification policy named dup already exists"
    create_ok(srv, other, policy_body("dup"))  # another project may use the name
    r = requests.put(api(srv, f"{policies_path(project)}/{second}"), auth=ADMIN, json=policy_body("dup"))
    harbor_error(r, 409, "CONFLICT")
    assert get_policy(srv, project, second).json()["name"] == "second"
    # Re-stating one's own name is fine.
    r = requests.put(api(srv, f"{policies_path(project)}/{second}"), auth=ADMIN, json=policy_body("second"))
    assert r.status_code == 200, r.text


# ---- lists, paging, isolation ------------------------------------------------------------------
def test_list_pages_filters_and_sorts(srv):
    project, _ = new_project(srv)
    names = [f"hook-{i:02d}" for i in range(12)] + ["other-a", "other-b"]
    for n in names:
        create_ok(srv, project, policy_body(n))
    r = list_policies(srv, project, page_size=5)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "14"
    assert [p["name"] for p in r.json()] == names[::-1][:5]  # newest first by default
    assert r.headers["Link"] == f'</api/v2.0/projects/{project}/webhook/policies?page=2&page_size=5>; rel="next"'
    r = list_policies(srv, project, page=3, page_size=5)
    assert [p["name"] for p in r.json()] == names[::-1][10:]
    assert r.headers["Link"] == f'</api/v2.0/projects/{project}/webhook/policies?page=2&page_size=5>; rel="prev"'
    r = list_policies(srv, project, q="name=~HOOK-0", sort="name", page_size=3, page=2)
    assert r.headers["X-Total-Count"] == "10"
    assert [p["name"] for p in r.json()] == ["hook-03", "hook-04", "hook-05"]
    assert "q=name%3D~HOOK-0" in r.headers["Link"] or "q=name=~HOOK-0" in r.headers["Link"], r.headers["Link"]
    r = list_policies(srv, project, q="name=other-b")
    assert [p["name"] for p in r.json()] == ["other-b"] and r.headers["X-Total-Count"] == "1"
    assert [p["name"] for p in list_policies(srv, project, sort="-name", page_size=2).json()] == ["other-b", "other-a"]
    assert [p["name"] for p in list_policies(srv, project, sort="creation_time", page_size=2).json()] == names[:2]
    for bad in ({"sort": "description"}, {"q": "enabled=true"}, {"q": "name=[a~b]"}, {"page_size": 101},
                {"page": 0}, {"page_size": "x"}):
        harbor_error(list_policies(srv, project, **bad), 400, "BAD_REQUEST")
    r = list_policies(srv, project, page=9)
    assert r.json() == [] and r.headers["X-Total-Count"] == "14"


def test_a_project_never_shows_another_projects_policy(srv):
    mine, _ = new_project(srv)
    theirs, _ = new_project(srv)
    secret = create_ok(srv, theirs, policy_body("theirs", targets=[target(auth_header="Bearer theirs")]))
    create_ok(srv, mine, policy_body("mine"))
    harbor_error(get_policy(srv, mine, secret), 404, "NOT_FOUND")
    harbor_error(requests.put(api(srv, f"{policies_path(mine)}/{secret}"), auth=ADMIN, json=policy_body("x")),
                 404, "NOT_FOUND")
    harbor_error(requests.delete(api(srv, f"{policies_path(mine)}/{secret}"), auth=ADMIN), 404, "NOT_FOUND")
    harbor_error(requests.get(api(srv, f"{policies_path(mine)}/{secret}/executions"), auth=ADMIN), 404, "NOT_FOUND")
    harbor_error(requests.get(api(srv, f"/projects/{mine}/webhook/jobs"), auth=ADMIN, params={"policy_id": secret}),
                 404, "NOT_FOUND")
    assert [p["name"] for p in list_policies(srv, mine).json()] == ["mine"]
    assert {t["policy_name"] for t in
            requests.get(api(srv, f"/projects/{mine}/webhook/lasttrigger"), auth=ADMIN).json()} == {"mine"}
    assert get_policy(srv, theirs, secret).json()["name"] == "theirs"  # untouched
    # Unknown projects and ids, and ids that are not numbers.
    harbor_error(list_policies(srv, "nosuchproject"), 404, "NOT_FOUND")
    harbor_error(get_policy(srv, mine, 999999), 404, "NOT_FOUND")
    harbor_error(get_policy(srv, mine, "abc"), 400, "BAD_REQUEST")


def test_events_lists_every_type_target_and_format(srv):
    project, _ = new_project(srv)
    r = requests.get(api(srv, f"/projects/{project}/webhook/events"), auth=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json() == {"event_type": EVENT_TYPES, "notify_type": ["http", "slack"],
                        "payload_formats": [{"notify_type": "http", "formats": ["Default", "CloudEvents"]}]}
    # Every listed type is accepted by a policy.
    create_ok(srv, project, policy_body(event_types=EVENT_TYPES))


def test_lasttrigger_has_one_row_per_policy_and_event_type(srv):
    project, project_id = new_project(srv)
    a = create_ok(srv, project, policy_body("a", event_types=["PUSH_ARTIFACT", "PULL_ARTIFACT"]))
    create_ok(srv, project, policy_body("b", event_types=["DELETE_ARTIFACT"], enabled=False))
    r = requests.get(api(srv, f"/projects/{project}/webhook/lasttrigger"), auth=ADMIN)
    assert r.status_code == 200, r.text
    rows = r.json()
    created = {p["name"]: p["creation_time"] for p in list_policies(srv, project).json()}
    assert rows == [
        {"policy_name": "a", "event_type": "PUSH_ARTIFACT", "enabled": True, "creation_time": created["a"]},
        {"policy_name": "a", "event_type": "PULL_ARTIFACT", "enabled": True, "creation_time": created["a"]},
        {"policy_name": "b", "event_type": "DELETE_ARTIFACT", "enabled": False, "creation_time": created["b"]},
    ]
    seed_execution(srv, project_id, a, status="Success", event_type="PULL_ARTIFACT")
    rows = requests.get(api(srv, f"/projects/{project}/webhook/lasttrigger"), auth=ADMIN).json()
    assert "last_trigger_time" not in rows[0]
    assert HARBOR_TIME.match(rows[1]["last_trigger_time"]), rows[1]
    assert "last_trigger_time" not in rows[2]


def test_a_new_policy_has_no_executions_or_jobs(srv):
    project, _ = new_project(srv)
    pid = create_ok(srv, project)
    r = requests.get(api(srv, f"{policies_path(project)}/{pid}/executions"), auth=ADMIN)
    assert r.status_code == 200 and r.json() == [] and r.headers["X-Total-Count"] == "0"
    assert "Link" not in r.headers
    r = requests.get(api(srv, f"/projects/{project}/webhook/jobs"), auth=ADMIN, params={"policy_id": pid})
    assert r.status_code == 200 and r.json() == [] and r.headers["X-Total-Count"] == "0"
    harbor_error(requests.get(api(srv, f"/projects/{project}/webhook/jobs"), auth=ADMIN), 400, "BAD_REQUEST")
    harbor_error(requests.get(api(srv, f"/projects/{project}/webhook/jobs"), auth=ADMIN,
                              params={"policy_id": "x"}), 400, "BAD_REQUEST")
    harbor_error(requests.get(api(srv, f"{policies_path(project)}/{pid}/executions/1/tasks"), auth=ADMIN),
                 404, "NOT_FOUND")
    harbor_error(requests.post(api(srv, f"{policies_path(project)}/{pid}/executions/1/redeliver"), auth=ADMIN),
                 404, "NOT_FOUND")


# ---- deliveries (recorded behind the server's back, as the dispatcher does) ----------------------
def test_executions_tasks_logs_and_the_412_rule(srv):
    project, project_id = new_project(srv)
    pid = create_ok(srv, project)
    other = create_ok(srv, project)
    eid, payload, delivery = seed_execution(
        srv, project_id, pid, status="Pending",
        attempts=[(500, "abnormal response code: 500", "echo: Authorization: Bearer s3cr3t-token"),
                  (0, "dial tcp: connection refused", "")])
    base = f"{policies_path(project)}/{pid}"

    r = requests.get(api(srv, f"{base}/executions"), auth=ADMIN)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "1", r.text
    (e,) = r.json()
    assert HARBOR_TIME.match(e.pop("start_time")), e
    assert e == {"id": eid, "vendor_type": "WEBHOOK", "vendor_id": pid, "status": "Pending",
                 "metrics": {"task_count": 1, "success_task_count": 0, "error_task_count": 0,
                             "pending_task_count": 1, "running_task_count": 0, "scheduled_task_count": 0,
                             "stopped_task_count": 0},
                 "trigger": "EVENT", "extra_attrs": {"event_type": "PUSH_ARTIFACT", "payload": payload}}

    r = requests.get(api(srv, f"{base}/executions/{eid}/tasks"), auth=ADMIN)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "1", r.text
    (t,) = r.json()
    assert t["id"] == eid and t["execution_id"] == eid and t["status"] == "Pending" and t["run_count"] == 2
    assert t["extra_attrs"]["delivery_id"] == delivery
    assert [(a["attempt"], a.get("status_code"), a["duration_ms"], a["error"]) for a in t["extra_attrs"]["attempts"]] \
        == [(1, 500, 7, "abnormal response code: 500"), (2, None, 14, "dial tcp: connection refused")]
    assert all(HARBOR_TIME.match(t[k]) for k in ("creation_time", "update_time", "start_time")), t
    assert "s3cr3t" not in r.text and "hmac-key" not in r.text

    r = requests.get(api(srv, f"{base}/executions/{eid}/tasks/{eid}/log"), auth=ADMIN)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain"), r.text
    log = r.text
    assert log.count(payload) == 2 and "attempt 1: HTTP 500 in 7 ms" in log and "attempt 2: no HTTP answer" in log
    assert "abnormal response code: 500" in log and "connection refused" in log
    # No request header is logged; what the receiver echoed of the credentials is blanked.
    assert "s3cr3t" not in log and "hmac-key-123" not in log, log
    assert "response: echo: Authorization: [redacted]" in log, log

    # The execution belongs to `pid` only; the task id is the execution id.
    harbor_error(requests.get(api(srv, f"{policies_path(project)}/{other}/executions/{eid}/tasks"), auth=ADMIN),
                 404, "NOT_FOUND")
    harbor_error(requests.get(api(srv, f"{base}/executions/{eid}/tasks/{eid + 1}/log"), auth=ADMIN), 404, "NOT_FOUND")
    harbor_error(requests.get(api(srv, f"{base}/executions/{eid + 1000}/tasks"), auth=ADMIN), 404, "NOT_FOUND")

    # The legacy jobs view.
    r = requests.get(api(srv, f"/projects/{project}/webhook/jobs"), auth=ADMIN, params={"policy_id": pid})
    (j,) = r.json()
    assert {k: j[k] for k in ("id", "policy_id", "event_type", "notify_type", "status", "job_detail")} == {
        "id": eid, "policy_id": pid, "event_type": "PUSH_ARTIFACT", "notify_type": "http", "status": "Pending",
        "job_detail": payload}

    # 412 while a delivery is Pending or Running; allowed once it is final.
    for status in ("Pending", "Running"):
        set_status(srv, eid, status)
        harbor_error(requests.delete(api(srv, base), auth=ADMIN), 412, "PRECONDITION")
        assert get_policy(srv, project, pid).status_code == 200
    set_status(srv, eid, "Error")
    assert requests.delete(api(srv, base), auth=ADMIN).status_code == 200
    harbor_error(requests.get(api(srv, f"{base}/executions"), auth=ADMIN), 404, "NOT_FOUND")


def test_redeliver_records_a_new_execution_of_the_same_payload(srv):
    project, project_id = new_project(srv)
    pid = create_ok(srv, project)
    other = create_ok(srv, project)
    eid, payload, delivery = seed_execution(srv, project_id, pid, status="Error",
                                            attempts=[(503, "abnormal response code: 503", "")])
    base = f"{policies_path(project)}/{pid}"
    r = requests.post(api(srv, f"{base}/executions/{eid}/redeliver"), auth=ADMIN)
    assert r.status_code == 201 and r.text == "", r.text
    loc = r.headers["Location"]
    assert re.fullmatch(rf"/api/v2\.0/projects/{project}/webhook/policies/{pid}/executions/\d+", loc), loc
    new = int(loc.rsplit("/", 1)[1])
    assert new != eid
    listed = requests.get(api(srv, f"{base}/executions"), auth=ADMIN).json()
    assert [e["id"] for e in listed] == [new, eid]  # newest first
    # Queued, or already leased by a worker (its first attempt still in flight): both are "not yet".
    assert listed[0]["status"] in ("Pending", "Running") and listed[0]["trigger"] == "MANUAL"
    assert listed[0]["extra_attrs"] == {"event_type": "PUSH_ARTIFACT", "payload": payload}
    assert listed[1]["status"] == "Error"
    task = requests.get(api(srv, f"{base}/executions/{new}/tasks"), auth=ADMIN).json()[0]
    assert task["extra_attrs"] == {"delivery_id": delivery, "redelivery_of": eid, "attempts": []}
    assert "run_count" not in task and "start_time" not in task
    log = requests.get(api(srv, f"{base}/executions/{new}/tasks/{new}/log"), auth=ADMIN).text
    assert re.match(r"no delivery attempt yet \(status (Pending|Running)\)", log) and payload in log, log
    # Another policy's execution, or one that does not exist: 404 and nothing recorded.
    harbor_error(requests.post(api(srv, f"{policies_path(project)}/{other}/executions/{eid}/redeliver"), auth=ADMIN),
                 404, "NOT_FOUND")
    harbor_error(requests.post(api(srv, f"{base}/executions/999999/redeliver"), auth=ADMIN), 404, "NOT_FOUND")
    assert requests.get(api(srv, f"{base}/executions"), auth=ADMIN).headers["X-Total-Count"] == "2"
    assert requests.get(api(srv, f"{policies_path(project)}/{other}/executions"), auth=ADMIN).json() == []


# ---- RBAC ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rbac(srv):
    """A private project with one user per role, a sysadmin, a non-member, robots, and a policy with
    one recorded delivery."""
    w = type("World", (), {})()
    w.project, w.project_id = new_project(srv)
    w.creds = {"sysadmin": new_user(srv, sysadmin=True), "nonMember": new_user(srv), "anonymous": None}
    for role, role_id in (("projectAdmin", 1), ("developer", 2), ("guest", 3), ("maintainer", 4),
                          ("limitedGuest", 5)):
        w.creds[role] = new_user(srv)
        add_member(srv, w.project, w.creds[role][0], role_id)
    w.creds["robotRead"] = new_robot(srv, w.project, ["read", "list"])
    w.creds["robotManage"] = new_robot(srv, w.project, ["create", "update", "delete", "read", "list"])
    w.creds["robotPull"] = new_robot(srv, w.project, ["pull"], resource="repository")
    w.policy = create_ok(srv, w.project, policy_body("rbac-fixed"))
    w.execution, _, _ = seed_execution(srv, w.project_id, w.policy, status="Success")
    return w


ALL_ACTIONS = {"create", "update", "delete", "read", "list"}
GRANTS = {"sysadmin": ALL_ACTIONS, "projectAdmin": ALL_ACTIONS, "maintainer": {"read", "list"},
          "developer": set(), "guest": set(), "limitedGuest": set(), "nonMember": set(), "anonymous": set(),
          "robotRead": {"read", "list"}, "robotManage": ALL_ACTIONS, "robotPull": set()}


def _op_requests(w, srv):
    """(name, action, ok status, call(auth) -> response, check(allowed))."""
    p, base = w.project, f"{policies_path(w.project)}"
    fixed = f"{base}/{w.policy}"
    e = w.execution

    def fresh():
        return create_ok(srv, p, policy_body(unique("rb")))

    ops = []

    def op(name, action, ok):
        def deco(fn):
            ops.append((name, action, ok, fn))
            return fn
        return deco

    @op("list", "list", 200)
    def _(auth):
        return requests.get(api(srv, base), auth=auth), None

    @op("create", "create", 201)
    def _(auth):
        name = unique("rc")
        r = requests.post(api(srv, base), auth=auth, json=policy_body(name))
        return r, lambda allowed: (name in {x["name"] for x in list_policies(srv, p, q=f"name={name}").json()}) == allowed

    @op("get", "read", 200)
    def _(auth):
        return requests.get(api(srv, fixed), auth=auth), None

    @op("update", "update", 200)
    def _(auth):
        pid = fresh()
        r = requests.put(api(srv, f"{base}/{pid}"), auth=auth, json=policy_body("renamed-" + str(pid)))
        return r, lambda allowed: (get_policy(srv, p, pid).json()["name"] == f"renamed-{pid}") == allowed

    @op("delete", "delete", 200)
    def _(auth):
        pid = fresh()
        r = requests.delete(api(srv, f"{base}/{pid}"), auth=auth)
        return r, lambda allowed: (get_policy(srv, p, pid).status_code == 404) == allowed

    @op("executions", "read", 200)
    def _(auth):
        return requests.get(api(srv, f"{fixed}/executions"), auth=auth), None

    @op("tasks", "read", 200)
    def _(auth):
        return requests.get(api(srv, f"{fixed}/executions/{e}/tasks"), auth=auth), None

    @op("log", "read", 200)
    def _(auth):
        return requests.get(api(srv, f"{fixed}/executions/{e}/tasks/{e}/log"), auth=auth), None

    @op("redeliver", "update", 201)
    def _(auth):
        before = int(requests.get(api(srv, f"{fixed}/executions"), auth=ADMIN).headers["X-Total-Count"])
        r = requests.post(api(srv, f"{fixed}/executions/{e}/redeliver"), auth=auth)
        after = lambda allowed: int(requests.get(api(srv, f"{fixed}/executions"), auth=ADMIN)  # noqa: E731
                                    .headers["X-Total-Count"]) == before + (1 if allowed else 0)
        return r, after

    @op("lasttrigger", "read", 200)
    def _(auth):
        return requests.get(api(srv, f"/projects/{p}/webhook/lasttrigger"), auth=auth), None

    @op("jobs", "list", 200)
    def _(auth):
        return requests.get(api(srv, f"/projects/{p}/webhook/jobs"), auth=auth, params={"policy_id": w.policy}), None

    @op("events", "read", 200)
    def _(auth):
        return requests.get(api(srv, f"/projects/{p}/webhook/events"), auth=auth), None

    return ops


OP_NAMES = ["list", "create", "get", "update", "delete", "executions", "tasks", "log", "redeliver", "lasttrigger",
            "jobs", "events"]


@pytest.mark.parametrize("who", list(GRANTS))
@pytest.mark.parametrize("op_name", OP_NAMES)
def test_rbac(srv, rbac, who, op_name):
    ops = {name: (action, ok, fn) for name, action, ok, fn in _op_requests(rbac, srv)}
    action, ok, fn = ops[op_name]
    allowed = action in GRANTS[who]
    r, after = fn(rbac.creds[who])
    if allowed:
        assert r.status_code == ok, (who, op_name, r.status_code, r.text[:300])
    elif who == "anonymous":
        harbor_error(r, 401, "UNAUTHORIZED")
    else:
        harbor_error(r, 403, "FORBIDDEN")
    if after is not None:
        assert after(allowed), (who, op_name)


def test_public_projects_grant_no_webhook_access(srv):
    """The public-project rule covers reads of repositories, not policies."""
    project, _ = new_project(srv, public=True)
    pid = create_ok(srv, project)
    outsider = new_user(srv)
    harbor_error(list_policies(srv, project, auth=None), 401, "UNAUTHORIZED")
    harbor_error(get_policy(srv, project, pid, auth=outsider), 403, "FORBIDDEN")
    harbor_error(requests.get(api(srv, f"/projects/{project}/webhook/events"), auth=outsider), 403, "FORBIDDEN")
