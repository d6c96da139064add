"""Harbor-compatible REST API: system endpoints, the first admin, and projects (issue 3, part 1).

Drives the real binary over HTTP with requests and checks what a Harbor client would see:
status codes, the {"errors":[...]} format, paging headers, visibility and permissions.
"""
import os
import stat

import pytest
import requests
from e2e_lib import api_url

ADMIN = ("admin", "Harbor12345")


@pytest.fixture(scope="module")
def srv(module_registry):
    """The suite's shared server: its admin password is ADMIN's (conftest.AUTH)."""
    assert module_registry.auth == ADMIN
    return module_registry


api = api_url


def error_code(r):
    body = r.json()
    assert set(body) == {"errors"}, body
    assert isinstance(body["errors"], list) and body["errors"], body
    assert body["errors"][0]["message"], body
    return body["errors"][0]["code"]


def test_ping_health_and_anonymous_systeminfo(srv):
    r = requests.get(api(srv, "/ping"))
    assert r.status_code == 200 and r.text == "Pong"
    h = requests.get(api(srv, "/health")).json()
    assert h["status"] == "healthy"
    assert {c["name"] for c in h["components"]} >= {"core", "database", "registry"}
    anon = requests.get(api(srv, "/systeminfo")).json()
    assert anon["auth_mode"] == "db_auth"
    assert "external_url" not in anon and "harbor_version" not in anon
    full = requests.get(api(srv, "/systeminfo"), auth=ADMIN).json()
    assert full["registry_url"] == f"127.0.0.1:{srv.port}"
    assert full["registry_storage_provider_name"] == "filesystem"


def test_admin_from_environment_and_current_user(srv):
    me = requests.get(api(srv, "/users/current"), auth=ADMIN)
    assert me.status_code == 200
    assert me.json()["username"] == "admin" and me.json()["sysadmin_flag"] is True
    r = requests.get(api(srv, "/users/current"))
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"
    r = requests.get(api(srv, "/users/current"), auth=("admin", "Wrong12345"))
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"
    r = requests.get(api(srv, "/users/current"), headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


def test_generated_admin_password_is_written_once_with_mode_0600(berth_factory):
    s = berth_factory(env={"BERTH_ADMIN_PASSWORD": ""})
    path = s.data_dir / "admin-password"
    assert path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    password = path.read_text().strip()
    assert requests.get(f"{s.url}/api/v2.0/users/current", auth=("admin", password)).status_code == 200
    assert password not in s.log_tail(100000)  # never in the log
    s.restart()
    assert path.read_text().strip() == password  # the existing admin is kept
    assert requests.get(f"{s.url}/api/v2.0/users/current", auth=("admin", password)).status_code == 200


def test_project_lifecycle(srv):
    r = requests.post(api(srv, "/projects"), json={"project_name": "lifecycle", "metadata": {"public": "true"}}, auth=ADMIN)
    assert r.status_code == 201, r.text
    loc = r.headers["Location"]
    assert loc.startswith("/api/v2.0/projects/")
    pid = int(loc.rsplit("/", 1)[1])

    assert requests.head(api(srv, "/projects?project_name=lifecycle"), auth=ADMIN).status_code == 200
    assert requests.head(api(srv, "/projects?project_name=nope"), auth=ADMIN).status_code == 404

    by_id = requests.get(api(srv, f"/projects/{pid}"), auth=ADMIN).json()
    by_name = requests.get(api(srv, "/projects/lifecycle"), auth=ADMIN).json()
    assert by_id == by_name
    assert by_id["name"] == "lifecycle" and by_id["owner_name"] == "admin"
    assert by_id["metadata"]["public"] == "true"
    assert by_id["current_user_role_id"] == 1

    r = requests.post(api(srv, "/projects"), json={"project_name": "lifecycle"}, auth=ADMIN)
    assert r.status_code == 409 and error_code(r) == "CONFLICT"

    r = requests.put(api(srv, "/projects/lifecycle"), json={"metadata": {"public": "false", "auto_scan": "true"}},
                     auth=ADMIN)
    assert r.status_code == 200, r.text
    meta = requests.get(api(srv, "/projects/lifecycle"), auth=ADMIN).json()["metadata"]
    assert meta == {"public": "false", "auto_scan": "true"}

    d = requests.get(api(srv, "/projects/lifecycle/_deletable"), auth=ADMIN).json()
    assert d["deletable"] is True
    s = requests.get(api(srv, "/projects/lifecycle/summary"), auth=ADMIN).json()
    assert s["project_admin_count"] == 1 and s["repo_count"] == 0

    assert requests.delete(api(srv, "/projects/lifecycle"), auth=ADMIN).status_code == 200
    r = requests.get(api(srv, "/projects/lifecycle"), auth=ADMIN)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"


def test_project_with_a_repository_cannot_be_deleted(srv):
    assert requests.post(api(srv, "/projects"), json={"project_name": "occupied"}, auth=ADMIN).status_code == 201
    # push one tiny image into busy/app over the registry API
    blob = b"{}"
    import hashlib
    d = "sha256:" + hashlib.sha256(blob).hexdigest()
    r = requests.post(f"{srv.url}/v2/occupied/app/blobs/uploads/?digest={d}", data=blob, auth=ADMIN,
                      headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    manifest = ('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
                f'"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{d}","size":2}},'
                '"layers":[]}')
    r = requests.put(f"{srv.url}/v2/occupied/app/manifests/v1", data=manifest, auth=ADMIN,
                     headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    assert r.status_code == 201, r.text

    p = requests.get(api(srv, "/projects/occupied"), auth=ADMIN).json()
    assert p["repo_count"] == 1
    d = requests.get(api(srv, "/projects/occupied/_deletable"), auth=ADMIN).json()
    assert d["deletable"] is False and d["message"]
    r = requests.delete(api(srv, "/projects/occupied"), auth=ADMIN)
    assert r.status_code == 412 and error_code(r) == "PRECONDITION"
    assert requests.get(api(srv, "/projects/occupied"), auth=ADMIN).status_code == 200


@pytest.mark.parametrize("body,why", [
    ({"project_name": "Upper"}, "upper case"),
    ({"project_name": "a..b"}, "double separator"),
    ({"project_name": "-a"}, "leading separator"),
    ({"project_name": "x" * 256}, "too long"),
    ({"project_name": "a'; DROP TABLE projects; --"}, "sql metacharacters"),
    ({"project_name": 42}, "not a string"),
    ({}, "missing name"),
    ({"project_name": "okname", "metadata": {"bogus": "true"}}, "unknown metadata key"),
    ({"project_name": "okname", "metadata": {"public": "yes"}}, "bad boolean"),
    ({"project_name": "okname", "storage_limit": 0}, "zero limit"),
    ({"project_name": "okname", "storage_limit": 2 ** 51}, "limit too big"),
    (["not", "an", "object"], "array body"),
])
def test_invalid_project_bodies_are_400_and_change_nothing(srv, body, why):
    r = requests.post(api(srv, "/projects"), json=body, auth=ADMIN)
    assert r.status_code == 400, (why, r.text)
    assert error_code(r) == "BAD_REQUEST"
    assert requests.head(api(srv, "/projects?project_name=okname"), auth=ADMIN).status_code == 404


def test_malformed_json_and_anonymous_create(srv):
    r = requests.post(api(srv, "/projects"), data="{not json", auth=ADMIN, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "BAD_REQUEST"
    r = requests.post(api(srv, "/projects"), json={"project_name": "anon"})
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"


def test_visibility_and_paging(srv):
    for i in range(12):
        requests.post(api(srv, "/projects"), json={"project_name": f"page{i:02d}", "metadata": {"public": str(i % 2 == 0).lower()}},
                      auth=ADMIN).raise_for_status()
    r = requests.get(api(srv, "/projects?name=page&page=1&page_size=5"), auth=ADMIN)
    assert r.status_code == 200
    assert r.headers["X-Total-Count"] == "12"
    assert [p["name"] for p in r.json()] == [f"page{i:02d}" for i in range(5)]
    assert 'rel="next"' in r.headers["Link"] and 'rel="prev"' not in r.headers["Link"]
    r3 = requests.get(api(srv, "/projects?name=page&page=3&page_size=5"), auth=ADMIN)
    assert [p["name"] for p in r3.json()] == ["page10", "page11"]
    assert 'rel="prev"' in r3.headers["Link"] and 'rel="next"' not in r3.headers["Link"]

    anon = requests.get(api(srv, "/projects?name=page&page_size=100"))
    assert anon.status_code == 200
    assert [p["name"] for p in anon.json()] == [f"page{i:02d}" for i in range(0, 12, 2)]
    assert requests.get(api(srv, "/projects?public=false&name=page")).json() == []
    r = requests.get(api(srv, "/projects/page01"))
    assert r.status_code == 401  # private: anonymous callers are asked to log in
    assert requests.get(api(srv, "/projects/page00")).status_code == 200  # public

    for bad in ("page=0", "page_size=101", "page_size=abc", "public=maybe"):
        r = requests.get(api(srv, f"/projects?{bad}"), auth=ADMIN)
        assert r.status_code == 400, bad


def test_unknown_api_path_is_harbor_json_404(srv):
    r = requests.get(api(srv, "/no/such/thing"), auth=ADMIN)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    r = requests.patch(api(srv, "/projects"), auth=ADMIN)
    assert r.status_code == 405
