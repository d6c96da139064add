"""Robot accounts (Harbor's v2 model) over real HTTP against the real binary.

The REST API at /api/v2.0/robots (create, list, get, update, refresh, delete, every validation
error), /permissions and /users/current/permissions, and the robots at work: HTTP Basic on /v2,
/service/token and /api, skopeo login/copy/inspect with robot credentials, disable, secret refresh,
expiry and a system robot covering every project.
"""
import base64
import json
import sqlite3
import time

import pytest
import requests
from e2e_lib import Registry, api_url, harbor_error, make_image, settle_external_write, unique, write_oci_layout

ADMIN = ("admin", "Harbor12345")
DAY = 86400


@pytest.fixture(scope="module")
def srv(module_registry):
    assert module_registry.auth == ADMIN
    return module_registry


def api(srv, path):
    return api_url(srv, path)


# ---- fixtures made through the API --------------------------------------------------------------
def new_user(srv):
    name, password = unique("u"), "Passw0rd" + unique("x")[-4:]
    r = requests.post(api(srv, "/users"), auth=ADMIN, json={"username": name, "password": password})
    assert r.status_code == 201, r.text
    return (name, password), int(r.headers["Location"].rsplit("/", 1)[1])


def new_project(srv, owner=ADMIN, public=False):
    name = unique("p")
    r = requests.post(api(srv, "/projects"), auth=owner,
                      json={"project_name": name, "metadata": {"public": str(public).lower()}})
    assert r.status_code == 201, r.text
    return name, int(r.headers["Location"].rsplit("/", 1)[1])


def access(*pairs):
    return [{"resource": res, "action": act, "effect": "allow"} for res, act in pairs]


PULL = (("repository", "pull"),)
PULL_PUSH = (("repository", "pull"), ("repository", "push"))


def project_body(project, name=None, pairs=PULL, duration=-1, **extra):
    body = {"name": unique("r") if name is None else name, "description": "e2e", "level": "project", "duration": duration,
            "disable": False,
            "permissions": [{"kind": "project", "namespace": project, "access": access(*pairs)}]}
    body.update(extra)
    return body


def system_body(permissions, name=None, duration=-1, **extra):
    body = {"name": unique("s") if name is None else name, "level": "system", "duration": duration, "permissions": permissions}
    body.update(extra)
    return body


def create(srv, body, auth=ADMIN):
    return requests.post(api(srv, "/robots"), auth=auth, json=body)


def created(srv, body, auth=ADMIN):
    """Creates a robot and returns (id, login name, secret)."""
    r = create(srv, body, auth)
    assert r.status_code == 201, r.text
    j = r.json()
    return j["id"], j["name"], j["secret"]


def robot_count(srv, project_id=None):
    q = "Level=system" if project_id is None else f"Level=project,ProjectID={project_id}"
    r = requests.get(api(srv, "/robots"), auth=ADMIN, params={"q": q})
    assert r.status_code == 200, r.text
    return int(r.headers["X-Total-Count"])


def sql(srv, statement, args=()):
    """Runs one statement on the test server's SQLite database (committed) and returns its rows."""
    c = sqlite3.connect(str(srv.data_dir / "berth.db"), timeout=10)
    try:
        with c:
            rows = c.execute(statement, args).fetchall()
    finally:
        c.close()
    if not statement.lstrip().upper().startswith("SELECT"):
        settle_external_write()
    return rows


def add_member(srv, project_id, user_id, role):
    r = requests.post(api(srv, f"/projects/{project_id}/members"), auth=ADMIN,
                      json={"role_id": role, "member_user": {"user_id": user_id}})
    assert r.status_code == 201, r.text


def audit_events(srv, resource):
    return [r[0] for r in sql(srv, "SELECT event_type FROM audit_log WHERE resource = ? ORDER BY id", (resource,))]


# ---- the wire protocol with robot credentials ---------------------------------------------------
def v2(srv, path, creds):
    return requests.get(f"{srv.url}/v2/{path}", auth=creds)


def token(srv, scope, creds):
    return requests.get(f"{srv.url}/service/token", params={"service": "harbor-registry", "scope": scope},
                        auth=creds)


def granted(srv, scope, creds):
    r = token(srv, scope, creds)
    assert r.status_code == 200, r.text
    payload = r.json()["token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return [a for entry in claims["access"] for a in entry["actions"]]


def push_via_api(srv, repo, creds, tag="v1"):
    Registry(srv.url, auth=creds).push_image(repo, tag, make_image(n_layers=1))


# ---- /permissions and /users/current/permissions --------------------------------------------------
def test_permission_catalog_for_admins_only(srv):
    r = requests.get(api(srv, "/permissions"), auth=ADMIN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"resource": "repository", "action": "push"} in body["project"]
    assert {"resource": "repository", "action": "pull"} in body["project"]
    assert {"resource": "user", "action": "create"} in body["system"]
    assert all(set(p) == {"resource", "action"} for p in body["project"] + body["system"])

    owner, _ = new_user(srv)
    new_project(srv, owner)  # its creator becomes its project admin
    r = requests.get(api(srv, "/permissions"), auth=owner)
    assert r.status_code == 200, r.text
    assert "system" not in r.json() and r.json()["project"] == body["project"]

    nobody, _ = new_user(srv)
    harbor_error(requests.get(api(srv, "/permissions"), auth=nobody), 403, "FORBIDDEN")
    harbor_error(requests.get(api(srv, "/permissions")), 401, "UNAUTHORIZED")


def test_current_user_permissions_in_a_project_scope(srv):
    owner, _ = new_user(srv)
    mine, mine_id = new_project(srv, owner)
    _, theirs_id = new_project(srv)
    rel = requests.get(api(srv, "/users/current/permissions"), auth=owner,
                       params={"scope": f"/project/{mine_id}", "relative": "true"})
    assert rel.status_code == 200, rel.text
    assert {"resource": "repository", "action": "push"} in rel.json()
    assert {"resource": "robot", "action": "create"} in rel.json()
    absolute = requests.get(api(srv, "/users/current/permissions"), auth=owner,
                            params={"scope": f"/project/{mine_id}"}).json()
    assert {"resource": f"/project/{mine_id}/repository", "action": "push"} in absolute
    assert len(absolute) == len(rel.json())
    # Nothing in someone else's private project, nor in a scope that is not a project.
    for scope in (f"/project/{theirs_id}", "/project/999999", "/nowhere", ""):
        r = requests.get(api(srv, "/users/current/permissions"), auth=owner, params={"scope": scope})
        assert r.status_code == 200 and r.json() == [], (scope, r.text)
    # A robot sees what it holds.
    _, name, secret = created(srv, project_body(mine, pairs=PULL), auth=owner)
    held = requests.get(api(srv, "/users/current/permissions"), auth=(name, secret),
                        params={"scope": f"/project/{mine_id}", "relative": "true"}).json()
    assert held == [{"resource": "repository", "action": "pull"}]
    harbor_error(requests.get(api(srv, "/users/current/permissions"), params={"scope": f"/project/{mine_id}"}),
                 401, "UNAUTHORIZED")
    harbor_error(requests.get(api(srv, "/users/current/permissions"), auth=owner,
                              params={"scope": f"/project/{mine_id}", "relative": "maybe"}), 400, "BAD_REQUEST")


# ---- create, get, list ------------------------------------------------------------------------------
def test_create_project_robot_then_get_and_list_without_secret(srv):
    project, project_id = new_project(srv)
    before = time.time()
    r = create(srv, project_body(project, name="ci", pairs=PULL_PUSH, duration=30, description="builds"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "name", "secret", "creation_time", "expires_at"}
    assert body["name"] == f"robot${project}+ci"
    assert r.headers["Location"] == f"/api/v2.0/robots/{body['id']}"
    assert abs(body["expires_at"] - (before + 30 * DAY)) < 5
    assert len(body["secret"]) >= 8
    assert body["creation_time"].endswith("Z")

    got = requests.get(api(srv, f"/robots/{body['id']}"), auth=ADMIN)
    assert got.status_code == 200, got.text
    g = got.json()
    assert "secret" not in g and body["secret"] not in got.text
    assert g["name"] == body["name"] and g["level"] == "project" and g["duration"] == 30
    assert g["description"] == "builds" and g["disable"] is False and g["editable"] is True
    assert g["expires_at"] == body["expires_at"]
    assert g["permissions"] == [{"kind": "project", "namespace": project, "access": access(*PULL_PUSH)}]
    assert g["creator_type"] == "local" and g["creator_ref"] == 1

    listed = requests.get(api(srv, "/robots"), auth=ADMIN, params={"q": f"Level=project,ProjectID={project_id}"})
    assert listed.status_code == 200, listed.text
    assert listed.headers["X-Total-Count"] == "1"
    assert [x["name"] for x in listed.json()] == [body["name"]]
    assert "secret" not in listed.json()[0] and body["secret"] not in listed.text
    assert audit_events(srv, body["name"]) == ["create_robot"]

    # The robot works at once on /api, /v2 and /service/token.
    creds = (body["name"], body["secret"])
    assert requests.get(api(srv, "/projects"), auth=creds).status_code == 200
    assert v2(srv, "", creds).status_code == 200
    assert granted(srv, f"repository:{project}/app:pull,push", creds) == ["pull", "push"]


def test_create_system_robot_with_custom_secret_and_list_paging(srv):
    project, _ = new_project(srv)
    perms = [{"kind": "system", "namespace": "/", "access": access(("project", "create"))},
             {"kind": "project", "namespace": project, "access": access(*PULL)}]
    short = unique("sys")
    r = create(srv, system_body(perms, name=short, secret="Chosen12345"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == f"robot${short}"
    assert body["expires_at"] == -1 and body["secret"] == "Chosen12345"
    assert requests.get(api(srv, "/projects"), auth=(body["name"], "Chosen12345")).status_code == 200
    # The system permission works: the robot may create projects.
    r = requests.post(api(srv, "/projects"), auth=(body["name"], "Chosen12345"), json={"project_name": unique("bysys")})
    assert r.status_code == 201, r.text

    for _ in range(2):
        created(srv, system_body([{"kind": "project", "namespace": "*", "access": access(*PULL)}]))
    total = robot_count(srv)
    assert total >= 3
    first = requests.get(api(srv, "/robots"), auth=ADMIN, params={"q": "Level=system", "page": 1, "page_size": 2})
    assert first.status_code == 200 and len(first.json()) == 2
    assert first.headers["X-Total-Count"] == str(total)
    assert 'rel="next"' in first.headers["Link"] and "q=Level" in first.headers["Link"]
    # Without q the list is the system robots, as in Harbor; a project robot is not among them.
    plain = requests.get(api(srv, "/robots"), auth=ADMIN, params={"page_size": 100})
    assert plain.headers["X-Total-Count"] == str(total)
    assert all(x["level"] == "system" for x in plain.json())
    assert all("secret" not in x for x in plain.json())
    fuzzy = requests.get(api(srv, "/robots"), auth=ADMIN, params={"q": f"Level=system,name=~{short}"})
    assert [x["name"] for x in fuzzy.json()] == [body["name"]]


INVALID_BODIES = {
    "name upper case": lambda p: project_body(p, name="CI"),
    "name with plus": lambda p: project_body(p, name="a+b"),
    "name with dollar": lambda p: project_body(p, name="a$b"),
    "name empty": lambda p: project_body(p, name=""),
    "name leading dash": lambda p: project_body(p, name="-ci"),
    "duration zero": lambda p: project_body(p, duration=0),
    "duration -2": lambda p: project_body(p, duration=-2),
    "duration string": lambda p: project_body(p, duration="30"),
    "duration missing": lambda p: {k: v for k, v in project_body(p).items() if k != "duration"},
    "level unknown": lambda p: project_body(p, level="global"),
    "level missing": lambda p: {k: v for k, v in project_body(p).items() if k != "level"},
    "no permissions": lambda p: project_body(p, permissions=[]),
    "empty access": lambda p: project_body(p, permissions=[{"kind": "project", "namespace": p, "access": []}]),
    "unknown action": lambda p: project_body(p, pairs=(("repository", "fly"),)),
    "unknown resource": lambda p: project_body(p, pairs=(("spaceship", "pull"),)),
    "system resource in project": lambda p: project_body(p, pairs=(("user", "create"),)),
    "bad effect": lambda p: project_body(p, permissions=[{"kind": "project", "namespace": p, "access": [
        {"resource": "repository", "action": "pull", "effect": "perhaps"}]}]),
    "two project permissions": lambda p: project_body(p, permissions=[
        {"kind": "project", "namespace": p, "access": access(*PULL)},
        {"kind": "project", "namespace": p, "access": access(*PULL)}]),
    "project robot with system kind": lambda p: project_body(p, permissions=[
        {"kind": "system", "namespace": "/", "access": access(("project", "create"))}]),
    "project robot on every project": lambda p: project_body(p, permissions=[
        {"kind": "project", "namespace": "*", "access": access(*PULL)}]),
    "unknown kind": lambda p: project_body(p, permissions=[{"kind": "team", "namespace": p, "access": access(*PULL)}]),
    "system kind wrong namespace": lambda p: system_body([
        {"kind": "system", "namespace": p, "access": access(("project", "create"))}]),
    "project resource in system kind": lambda p: system_body([
        {"kind": "system", "namespace": "/", "access": access(*PULL)}]),
    "weak secret": lambda p: project_body(p, secret="password"),
    "secret too long": lambda p: project_body(p, secret="Aa1" + "x" * 130),
    "disable not boolean": lambda p: project_body(p, disable="yes"),
    "not an object": lambda p: [project_body(p)],
}


@pytest.mark.parametrize("case", sorted(INVALID_BODIES))
def test_create_rejects_invalid_bodies_and_changes_nothing(srv, case):
    project, project_id = new_project(srv)
    system_before = robot_count(srv)
    harbor_error(create(srv, INVALID_BODIES[case](project)), 400, "BAD_REQUEST")
    assert robot_count(srv, project_id) == 0
    assert robot_count(srv) == system_before


def test_create_rejects_malformed_json_duplicates_and_missing_projects(srv):
    project, project_id = new_project(srv)
    r = requests.post(api(srv, "/robots"), auth=ADMIN, data=b"{not json", headers={"Content-Type": "application/json"})
    harbor_error(r, 400, "BAD_REQUEST")
    created(srv, project_body(project, name="dup"))
    harbor_error(create(srv, project_body(project, name="dup")), 409, "CONFLICT")
    assert robot_count(srv, project_id) == 1
    # The same short name in another project, or as a system robot, is another robot.
    other, _ = new_project(srv)
    created(srv, project_body(other, name="dup"))
    sys_name = unique("dup")
    created(srv, system_body([{"kind": "project", "namespace": "*", "access": access(*PULL)}], name=sys_name))
    harbor_error(create(srv, system_body([{"kind": "project", "namespace": "*", "access": access(*PULL)}],
                                         name=sys_name)), 409, "CONFLICT")
    # Namespaces must be existing projects.
    harbor_error(create(srv, project_body("no-such-project")), 404, "NOT_FOUND")
    harbor_error(create(srv, system_body([{"kind": "project", "namespace": "no-such-project",
                                           "access": access(*PULL)}])), 404, "NOT_FOUND")
    harbor_error(create(srv, project_body(project), auth=None), 401, "UNAUTHORIZED")


# ---- who may manage which robots -----------------------------------------------------------------
def test_project_admins_manage_their_own_project_robots_only(srv):
    alice, _ = new_user(srv)
    bob, _ = new_user(srv)
    a_name, a_id = new_project(srv, alice)
    b_name, b_id = new_project(srv, bob)
    a_robot, _, _ = created(srv, project_body(a_name), auth=alice)
    b_robot, _, _ = created(srv, project_body(b_name), auth=bob)
    sys_robot, _, _ = created(srv, system_body([{"kind": "project", "namespace": "*", "access": access(*PULL)}]))

    # alice in her own project: everything.
    r = requests.get(api(srv, "/robots"), auth=alice, params={"q": f"Level=project,ProjectID={a_id}"})
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [a_robot]
    assert requests.get(api(srv, f"/robots/{a_robot}"), auth=alice).status_code == 200

    # ... and nothing in bob's, nor at system level; nothing about bob's robot leaks.
    harbor_error(create(srv, project_body(b_name), auth=alice), 403, "FORBIDDEN")
    harbor_error(create(srv, project_body("no-such-project"), auth=alice), 403, "FORBIDDEN")
    harbor_error(create(srv, system_body([{"kind": "project", "namespace": a_name, "access": access(*PULL)}]),
                        auth=alice), 403, "FORBIDDEN")
    for rid in (b_robot, sys_robot):
        for method, kw in (("GET", {}), ("PUT", {"json": project_body(b_name)}), ("PATCH", {"json": {}}),
                           ("DELETE", {})):
            r = requests.request(method, api(srv, f"/robots/{rid}"), auth=alice, **kw)
            harbor_error(r, 403, "FORBIDDEN")
            assert "permissions" not in r.text and "robot$" not in r.text
    harbor_error(requests.get(api(srv, "/robots"), auth=alice, params={"q": f"Level=project,ProjectID={b_id}"}),
                 403, "FORBIDDEN")
    harbor_error(requests.get(api(srv, "/robots"), auth=alice, params={"q": "Level=project,ProjectID=999999"}),
                 403, "FORBIDDEN")
    harbor_error(requests.get(api(srv, "/robots"), auth=alice), 403, "FORBIDDEN")
    harbor_error(requests.get(api(srv, "/robots/999999"), auth=alice), 404, "NOT_FOUND")
    assert requests.get(api(srv, f"/robots/{b_robot}"), auth=bob).status_code == 200

    # A guest of alice's project may list and read its robots but not manage them.
    guest_auth, guest_id = new_user(srv)
    add_member(srv, a_id, guest_id, 3)
    r = requests.get(api(srv, "/robots"), auth=guest_auth, params={"q": f"Level=project,ProjectID={a_id}"})
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [a_robot]
    assert requests.get(api(srv, f"/robots/{a_robot}"), auth=guest_auth).status_code == 200
    harbor_error(create(srv, project_body(a_name), auth=guest_auth), 403, "FORBIDDEN")
    harbor_error(requests.patch(api(srv, f"/robots/{a_robot}"), auth=guest_auth, json={}), 403, "FORBIDDEN")
    harbor_error(requests.delete(api(srv, f"/robots/{a_robot}"), auth=guest_auth), 403, "FORBIDDEN")

    # Anonymous callers are asked to authenticate.
    harbor_error(requests.get(api(srv, "/robots")), 401, "UNAUTHORIZED")
    harbor_error(requests.get(api(srv, f"/robots/{a_robot}")), 401, "UNAUTHORIZED")


def test_list_query_errors(srv):
    for q in ("Level=global", "Level=project", "Level=project,ProjectID=abc", "Level=project,ProjectID=0",
              "Color=red", "Level"):
        harbor_error(requests.get(api(srv, "/robots"), auth=ADMIN, params={"q": q}), 400, "BAD_REQUEST")
    harbor_error(requests.get(api(srv, "/robots"), auth=ADMIN, params={"q": "Level=project,ProjectID=999999"}),
                 404, "NOT_FOUND")
    harbor_error(requests.get(api(srv, "/robots"), auth=ADMIN, params={"page_size": 101}), 400, "BAD_REQUEST")
    harbor_error(requests.get(api(srv, "/robots/abc"), auth=ADMIN), 400, "BAD_REQUEST")
    harbor_error(requests.get(api(srv, "/robots/999999"), auth=ADMIN), 404, "NOT_FOUND")


def test_robots_managing_robots_cannot_escalate(srv):
    project, project_id = new_project(srv)
    _, name, secret = created(srv, project_body(project, pairs=PULL + (("robot", "create"), ("robot", "list"))))
    creds = (name, secret)
    r = requests.get(api(srv, "/robots"), auth=creds, params={"q": f"Level=project,ProjectID={project_id}"})
    assert r.status_code == 200 and len(r.json()) == 1
    ok = create(srv, project_body(project, pairs=PULL), auth=creds)
    assert ok.status_code == 201, ok.text
    assert ok.json()["name"].startswith(f"robot${project}+")
    harbor_error(create(srv, project_body(project, pairs=PULL_PUSH), auth=creds), 403, "FORBIDDEN")
    other, _ = new_project(srv)
    harbor_error(create(srv, project_body(other, pairs=PULL), auth=creds), 403, "FORBIDDEN")
    assert robot_count(srv, project_id) == 2


# ---- update, refresh, delete ---------------------------------------------------------------------
def test_update_description_disable_duration_and_permissions(srv):
    project, _ = new_project(srv)
    rid, name, secret = created(srv, project_body(project, name="upd", pairs=PULL, duration=10))
    g = requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN).json()
    created_at = g["expires_at"] - 10 * DAY

    g.update(description="changed", duration=2,
             permissions=[{"kind": "project", "namespace": project, "access": access(*PULL_PUSH)}])
    r = requests.put(api(srv, f"/robots/{rid}"), auth=ADMIN, json=g)
    assert r.status_code == 200, r.text
    after = requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN).json()
    assert after["description"] == "changed" and after["duration"] == 2
    assert after["expires_at"] == created_at + 2 * DAY
    assert after["permissions"][0]["access"] == access(*PULL_PUSH)
    assert granted(srv, f"repository:{project}/app:pull,push", (name, secret)) == ["pull", "push"]
    assert audit_events(srv, name) == ["create_robot", "update_robot"]

    # The short name is accepted too; duration -1 means never.
    short = dict(after, name="upd", duration=-1)
    assert requests.put(api(srv, f"/robots/{rid}"), auth=ADMIN, json=short).status_code == 200
    assert requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN).json()["expires_at"] == -1

    bad = {
        "renamed": dict(after, name="other"),
        "renamed full": dict(after, name=f"robot${project}+other"),
        "level changed": dict(after, level="system"),
        "moved project": dict(after, permissions=[{"kind": "project", "namespace": new_project(srv)[0],
                                                   "access": access(*PULL)}]),
        "duration zero": dict(after, duration=0),
        "unknown action": dict(after, permissions=[{"kind": "project", "namespace": project,
                                                    "access": access(("repository", "fly"))}]),
        "no permissions": dict(after, permissions=[]),
    }
    for case, body in bad.items():
        harbor_error(requests.put(api(srv, f"/robots/{rid}"), auth=ADMIN, json=body), 400, "BAD_REQUEST")
    final = requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN).json()
    assert final["name"] == name and final["level"] == "project" and final["expires_at"] == -1
    assert final["permissions"][0]["access"] == access(*PULL_PUSH)


def test_refresh_secret_generated_and_custom(srv):
    project, _ = new_project(srv)
    rid, name, old = created(srv, project_body(project))
    assert requests.get(api(srv, "/projects"), auth=(name, old)).status_code == 200  # cached now
    r = requests.patch(api(srv, f"/robots/{rid}"), auth=ADMIN, json={})
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new and new != old
    harbor_error(requests.get(api(srv, "/projects"), auth=(name, old)), 401, "UNAUTHORIZED")
    assert requests.get(api(srv, "/projects"), auth=(name, new)).status_code == 200

    r = requests.patch(api(srv, f"/robots/{rid}"), auth=ADMIN, json={"secret": "Custom12345"})
    assert r.status_code == 200 and "secret" not in r.json() and "Custom12345" not in r.text
    assert requests.get(api(srv, "/projects"), auth=(name, "Custom12345")).status_code == 200
    harbor_error(requests.get(api(srv, "/projects"), auth=(name, new)), 401, "UNAUTHORIZED")
    for bad in ({"secret": "weak"}, {"secret": "alllowercase1"}, {"secret": 12345678}):
        harbor_error(requests.patch(api(srv, f"/robots/{rid}"), auth=ADMIN, json=bad), 400, "BAD_REQUEST")
    assert requests.get(api(srv, "/projects"), auth=(name, "Custom12345")).status_code == 200
    harbor_error(requests.patch(api(srv, "/robots/999999"), auth=ADMIN, json={}), 404, "NOT_FOUND")


def test_delete_robot(srv):
    project, project_id = new_project(srv)
    rid, name, secret = created(srv, project_body(project))
    assert v2(srv, "", (name, secret)).status_code == 200
    assert requests.delete(api(srv, f"/robots/{rid}"), auth=ADMIN).status_code == 200
    harbor_error(requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN), 404, "NOT_FOUND")
    harbor_error(requests.delete(api(srv, f"/robots/{rid}"), auth=ADMIN), 404, "NOT_FOUND")
    assert v2(srv, "", (name, secret)).status_code == 401
    assert token(srv, f"repository:{project}/app:pull", (name, secret)).status_code == 401
    assert robot_count(srv, project_id) == 0
    assert audit_events(srv, name) == ["create_robot", "delete_robot"]


# ---- robots at work: /v2, /service/token, skopeo --------------------------------------------------
def skopeo_copy_to(clients, layout, ref, creds, check=True):
    return clients.skopeo("copy", "--dest-tls-verify=false", f"--dest-creds={creds[0]}:{creds[1]}",
                          f"oci:{layout}:v1", ref, check=check)


def skopeo_inspect(clients, ref, creds, check=True):
    return clients.skopeo("inspect", "--tls-verify=false", f"--creds={creds[0]}:{creds[1]}", ref, check=check)


def output(p):
    return (p.stdout + p.stderr).decode(errors="replace").lower()


@pytest.fixture
def layout(tmp_path):
    return write_oci_layout(tmp_path / "layout", {"v1": make_image(n_layers=2)})


def test_skopeo_login_and_push_with_a_push_robot(srv, clients, layout, tmp_path):
    project, _ = new_project(srv)
    _, name, secret = created(srv, project_body(project, pairs=PULL_PUSH))
    clients.skopeo("login", "--tls-verify=false", "-u", name, "-p", secret, srv.hostport)
    ref = f"docker://{srv.hostport}/{project}/app:v1"
    # Logged in: no credentials on the command line, they come from the auth file.
    clients.skopeo("copy", "--dest-tls-verify=false", f"oci:{layout}:v1", ref)
    info = json.loads(clients.skopeo("inspect", "--tls-verify=false", ref).stdout)
    assert info["Name"].endswith(f"{project}/app")
    out = tmp_path / "out"
    clients.skopeo("copy", "--src-tls-verify=false", ref, f"oci:{out}:v1")
    assert requests.get(f"{srv.url}/v2/{project}/app/tags/list", auth=ADMIN).json()["tags"] == ["v1"]
    r = clients.skopeo("login", "--tls-verify=false", "-u", name, "-p", "Wrong12345", srv.hostport, check=False)
    assert r.returncode != 0


def test_pull_only_robot_pulls_but_cannot_push(srv, clients, layout, tmp_path):
    project, _ = new_project(srv)
    push_via_api(srv, f"{project}/app", ADMIN)
    _, name, secret = created(srv, project_body(project, pairs=PULL))
    creds = (name, secret)
    r = skopeo_copy_to(clients, layout, f"docker://{srv.hostport}/{project}/new:v1", creds, check=False)
    assert r.returncode != 0 and ("denied" in output(r) or "unauthorized" in output(r)), output(r)
    assert requests.get(f"{srv.url}/v2/{project}/new/tags/list", auth=ADMIN).status_code == 404
    clients.skopeo("copy", "--src-tls-verify=false", f"--src-creds={name}:{secret}",
                   f"docker://{srv.hostport}/{project}/app:v1", f"oci:{tmp_path / 'out'}:v1")
    # On the wire: Basic pull works, Basic push is DENIED, and tokens carry pull only.
    assert v2(srv, f"{project}/app/tags/list", creds).status_code == 200
    r = requests.post(f"{srv.url}/v2/{project}/app/blobs/uploads/", auth=creds)
    harbor_error(r, 403, "DENIED")
    assert granted(srv, f"repository:{project}/app:pull,push,delete", creds) == ["pull"]


def test_project_robot_cannot_reach_another_private_project(srv, clients):
    a, _ = new_project(srv)
    b, _ = new_project(srv)
    push_via_api(srv, f"{b}/secret", ADMIN)
    _, name, secret = created(srv, project_body(a, pairs=PULL_PUSH))
    creds = (name, secret)
    r = skopeo_inspect(clients, f"docker://{srv.hostport}/{b}/secret:v1", creds, check=False)
    assert r.returncode != 0
    harbor_error(v2(srv, f"{b}/secret/tags/list", creds), 403, "DENIED")
    assert granted(srv, f"repository:{b}/secret:pull,push", creds) == []
    # A public project is readable by everyone, robots included, but not writable.
    pub, _ = new_project(srv, public=True)
    push_via_api(srv, f"{pub}/app", ADMIN)
    assert v2(srv, f"{pub}/app/tags/list", creds).status_code == 200
    assert granted(srv, f"repository:{pub}/app:pull,push", creds) == ["pull"]


def test_disabled_robot_is_refused_at_once(srv, clients, layout):
    project, _ = new_project(srv)
    rid, name, secret = created(srv, project_body(project, pairs=PULL_PUSH))
    creds = (name, secret)
    skopeo_copy_to(clients, layout, f"docker://{srv.hostport}/{project}/app:v1", creds)
    assert v2(srv, f"{project}/app/tags/list", creds).status_code == 200  # verified and cached
    body = requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN).json()
    body["disable"] = True
    assert requests.put(api(srv, f"/robots/{rid}"), auth=ADMIN, json=body).status_code == 200
    assert requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN).json()["disable"] is True
    assert v2(srv, f"{project}/app/tags/list", creds).status_code == 401
    harbor_error(token(srv, f"repository:{project}/app:pull", creds), 401, "UNAUTHORIZED")
    harbor_error(requests.get(api(srv, "/projects"), auth=creds), 401, "UNAUTHORIZED")
    r = skopeo_inspect(clients, f"docker://{srv.hostport}/{project}/app:v1", creds, check=False)
    assert r.returncode != 0 and "unauthorized" in output(r), output(r)
    # Enabled again, the same secret works again.
    body["disable"] = False
    assert requests.put(api(srv, f"/robots/{rid}"), auth=ADMIN, json=body).status_code == 200
    skopeo_inspect(clients, f"docker://{srv.hostport}/{project}/app:v1", creds)


def test_refreshed_secret_replaces_the_old_one_for_clients(srv, clients, layout):
    project, _ = new_project(srv)
    rid, name, old = created(srv, project_body(project, pairs=PULL_PUSH))
    skopeo_copy_to(clients, layout, f"docker://{srv.hostport}/{project}/app:v1", (name, old))
    new = requests.patch(api(srv, f"/robots/{rid}"), auth=ADMIN, json={}).json()["secret"]
    assert v2(srv, f"{project}/app/tags/list", (name, old)).status_code == 401
    assert token(srv, f"repository:{project}/app:pull", (name, old)).status_code == 401
    r = skopeo_inspect(clients, f"docker://{srv.hostport}/{project}/app:v1", (name, old), check=False)
    assert r.returncode != 0
    skopeo_inspect(clients, f"docker://{srv.hostport}/{project}/app:v1", (name, new))
    assert v2(srv, f"{project}/app/tags/list", (name, new)).status_code == 200


def test_expired_robot_is_refused(srv, clients, layout):
    project, _ = new_project(srv)
    rid, name, secret = created(srv, project_body(project, pairs=PULL_PUSH, duration=1))
    creds = (name, secret)
    skopeo_copy_to(clients, layout, f"docker://{srv.hostport}/{project}/app:v1", creds)
    assert v2(srv, f"{project}/app/tags/list", creds).status_code == 200  # verified and cached
    # One day is too long to wait: the expiry moves into the past (sqlite3: the API only sets durations from now).
    sql(srv, "UPDATE robots SET expires_at = ? WHERE id = ?", (int(time.time()) - 10, rid))
    assert requests.get(api(srv, f"/robots/{rid}"), auth=ADMIN).json()["expires_at"] < time.time()
    assert v2(srv, f"{project}/app/tags/list", creds).status_code == 401
    harbor_error(token(srv, f"repository:{project}/app:pull", creds), 401, "UNAUTHORIZED")
    harbor_error(requests.get(api(srv, "/projects"), auth=creds), 401, "UNAUTHORIZED")
    r = skopeo_inspect(clients, f"docker://{srv.hostport}/{project}/app:v1", creds, check=False)
    assert r.returncode != 0 and "unauthorized" in output(r), output(r)


def test_system_robot_for_every_project_covers_projects_created_later(srv, clients, layout, tmp_path):
    _, name, secret = created(srv, system_body([
        {"kind": "project", "namespace": "*", "access": access(*PULL_PUSH)}]))
    creds = (name, secret)
    later, _ = new_project(srv)  # created after the robot
    ref = f"docker://{srv.hostport}/{later}/app:v1"
    skopeo_copy_to(clients, layout, ref, creds)
    skopeo_inspect(clients, ref, creds)
    clients.skopeo("copy", "--src-tls-verify=false", f"--src-creds={name}:{secret}", ref, f"oci:{tmp_path / 'o'}:v1")
    assert granted(srv, f"repository:{later}/app:pull,push,delete", creds) == ["pull", "push"]
    # Project permissions only: no delete, no catalog, no system API.
    harbor_error(requests.delete(f"{srv.url}/v2/{later}/app/manifests/v1", auth=creds), 403, "DENIED")
    harbor_error(requests.get(f"{srv.url}/v2/_catalog", auth=creds), 403, "DENIED")
    harbor_error(requests.get(api(srv, "/users"), auth=creds), 403, "FORBIDDEN")
