"""Audit log: records written for /v2 pushes, pulls and deletes and for REST changes, read back
through /audit-logs, /projects/{p}/logs and /auditlog-exts with Harbor's q filters and RBAC."""
import time

import pytest
import requests
from e2e_lib import api_url, make_image

ADMIN = ("admin", "Harbor12345")


@pytest.fixture(scope="module")
def srv(module_registry):
    assert module_registry.auth == ADMIN
    return module_registry


def logs(srv, path, q=None, auth=ADMIN, want=1, **params):
    """Polls a log endpoint until it lists `want` records (the /v2 trail is written in batches)."""
    if q is not None:
        params["q"] = q
    deadline = time.time() + 5
    while True:
        r = requests.get(api_url(srv, path), params=params, auth=auth)
        if r.status_code != 200 or len(r.json()) >= want or time.time() > deadline:
            return r
        time.sleep(0.1)


def create_project(srv, name, public=False):
    r = requests.post(api_url(srv, "/projects"), auth=ADMIN,
                      json={"project_name": name, "metadata": {"public": str(public).lower()}})
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def test_push_pull_and_delete_are_recorded_with_the_caller(srv):
    pid = create_project(srv, "audited")
    reg = srv.client()
    img = make_image()
    assert reg.push_image("audited/app", "v1", img).status_code == 201
    assert reg.get_manifest("audited/app", "v1").status_code == 200
    assert reg.head("/v2/audited/app/manifests/v1").status_code == 200  # HEAD is not a pull
    assert reg.delete(f"/v2/audited/app/manifests/{img.digest}").status_code == 202

    r = logs(srv, "/audit-logs", q="resource=~audited/app", want=3)
    assert r.status_code == 200, r.text
    entries = r.json()
    ops = sorted((e["operation"], e["resource"]) for e in entries)
    assert ops == [("create", "audited/app:v1"), ("delete", f"audited/app@{img.digest}"),
                   ("pull", "audited/app:v1")], entries
    assert all(e["username"] == "admin" and e["resource_type"] == "artifact" for e in entries)
    assert entries[0]["op_time"].endswith("Z") and r.headers["X-Total-Count"] == "3"
    assert entries[0]["op_time"] >= entries[-1]["op_time"]  # newest first

    only_pulls = logs(srv, "/audit-logs", q="operation=pull,resource=~audited/")
    assert [e["operation"] for e in only_pulls.json()] == ["pull"]

    project = logs(srv, f"/projects/{pid}/logs", want=4)  # create_project + three artifact records
    assert {e["resource_type"] for e in project.json()} == {"project", "artifact"}
    ext = requests.get(api_url(srv, "/projects/audited/auditlog-exts"), params={"q": "event_type=pull_artifact"},
                       auth=ADMIN, headers={"X-Is-Resource-Name": "true"})
    assert ext.status_code == 200, ext.text
    (e,) = ext.json()
    assert e["event_type"] == "pull_artifact" and e["resource"] == "audited/app:v1"
    assert e["project_id"] == pid and e["operation_result"] is True and e["operation_description"]


def test_rest_changes_are_recorded(srv):
    pid = create_project(srv, "audited-rest")
    requests.put(api_url(srv, f"/projects/{pid}"), auth=ADMIN, json={"metadata": {"public": "true"}})
    assert requests.delete(api_url(srv, f"/projects/{pid}"), auth=ADMIN).status_code == 200
    r = requests.get(api_url(srv, "/auditlog-exts"), params={"q": "resource=audited-rest"}, auth=ADMIN)
    assert r.status_code == 200
    assert [e["event_type"] for e in r.json()] == ["delete_project", "update_project", "create_project"]


def test_time_range_and_bad_queries(srv):
    create_project(srv, "audited-time")
    now = int(time.time())
    inside = requests.get(api_url(srv, "/audit-logs"), auth=ADMIN,
                          params={"q": f"resource=audited-time,op_time=[{now - 60}~{now + 60}]"})
    assert inside.status_code == 200 and len(inside.json()) == 1
    outside = requests.get(api_url(srv, "/audit-logs"), auth=ADMIN,
                           params={"q": "resource=audited-time,op_time=[2001-01-01 00:00:00~2001-12-31 23:59:59]"})
    assert outside.status_code == 200 and outside.json() == []
    for q in ("op_time=[yesterday~today]", "nonsense", "colour=red", "operation={a b}",
              "username='; DROP TABLE audit_log; --,resource=~x", "username=x; DROP TABLE audit_log; --"):
        r = requests.get(api_url(srv, "/audit-logs"), auth=ADMIN, params={"q": q})
        if q.startswith("username=x"):
            assert r.status_code == 200 and r.json() == [], q  # just a value that matches nothing
        else:
            assert r.status_code == 400 and r.json()["errors"][0]["code"] == "BAD_REQUEST", q
    assert requests.get(api_url(srv, "/audit-logs"), auth=ADMIN).status_code == 200  # the table survived


def test_who_may_read_the_log(srv):
    create_project(srv, "audited-rbac")
    r = requests.post(api_url(srv, "/users"), auth=ADMIN,
                      json={"username": "auditee", "email": "a@example.com", "password": "Passw0rdX"})
    assert r.status_code == 201
    user = ("auditee", "Passw0rdX")
    assert requests.get(api_url(srv, "/audit-logs")).status_code == 401
    assert requests.get(api_url(srv, "/audit-logs"), auth=user).status_code == 403
    assert requests.get(api_url(srv, "/auditlog-exts"), auth=user).status_code == 403
    assert requests.get(api_url(srv, "/projects/audited-rbac/logs"), auth=user,
                        headers={"X-Is-Resource-Name": "true"}).status_code == 403
    ev = requests.get(api_url(srv, "/auditlog-exts/events"), auth=user)
    assert ev.status_code == 200 and {"event_type": "pull_artifact"} in ev.json()
    assert requests.get(api_url(srv, "/auditlog-exts/events")).status_code == 401
