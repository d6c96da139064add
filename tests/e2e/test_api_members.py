"""Harbor-compatible REST API: project members (users and groups) and user groups.

Real binary, real HTTP. Role effects are observed through real requests: the REST API, /v2 with
Basic credentials, and tokens from /service/token used with curl. A user's membership in a group
is what LDAP/OIDC login records; there is no API for it (as in Harbor), so the group tests write
that one row with the sqlite3 CLI into the running server's database.
"""
import base64
import hashlib
import json
import sqlite3
import subprocess

import pytest
import requests
from e2e_lib import api_url, settle_external_write

ADMIN = ("admin", "Harbor12345")
PASSWORD = "Passw0rdX"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEMBER_KEYS = {"id", "project_id", "entity_name", "role_name", "role_id", "entity_id", "entity_type"}

api = api_url


@pytest.fixture(scope="module")
def srv(module_registry):
    """The suite's shared server: its admin password is ADMIN's (conftest.AUTH)."""
    assert module_registry.auth == ADMIN
    return module_registry


# ---- helpers ------------------------------------------------------------------------------------
def error_code(r):
    body = r.json()
    assert set(body) == {"errors"} and body["errors"] and body["errors"][0]["message"], body
    return body["errors"][0]["code"]


def create_user(srv, name):
    r = requests.post(api(srv, "/users"), auth=ADMIN,
                      json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def create_project(srv, name, public=False):
    r = requests.post(api(srv, "/projects"), auth=ADMIN,
                      json={"project_name": name, "metadata": {"public": str(public).lower()}})
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def add_member(srv, project, role, auth=ADMIN, **entity):
    return requests.post(api(srv, f"/projects/{project}/members"), auth=auth, json={"role_id": role, **entity})


def add_user_member(srv, project, username, role):
    r = add_member(srv, project, role, member_user={"username": username})
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def members(srv, project, auth=ADMIN, **params):
    r = requests.get(api(srv, f"/projects/{project}/members"), auth=auth, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def push_tiny(srv, repo, tag, auth=None, headers=None):
    blob = json.dumps({"repo": repo, "tag": tag}).encode()
    d = "sha256:" + hashlib.sha256(blob).hexdigest()
    r = requests.post(f"{srv.url}/v2/{repo}/blobs/uploads/?digest={d}", data=blob, auth=auth,
                      headers={"Content-Type": "application/octet-stream", **(headers or {})})
    if r.status_code != 201:
        return r
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {
        "mediaType": "application/vnd.oci.image.config.v1+json", "digest": d, "size": len(blob)}, "layers": []})
    return requests.put(f"{srv.url}/v2/{repo}/manifests/{tag}", data=manifest, auth=auth,
                        headers={"Content-Type": OCI_MANIFEST, **(headers or {})})


def token(srv, scope, auth):
    r = requests.get(f"{srv.url}/service/token", params={"service": "harbor-registry", "scope": scope}, auth=auth)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def granted(tok):
    payload = tok.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims["access"][0]["actions"]


def curl_pull(srv, repo, tag, tok):
    """Status of a manifest GET by curl with a Bearer token."""
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                          "-H", f"Authorization: Bearer {tok}", "-H", f"Accept: {OCI_MANIFEST}",
                          f"{srv.url}/v2/{repo}/manifests/{tag}"], capture_output=True, check=True, timeout=30)
    return int(out.stdout)


def basic_pull(srv, repo, tag, auth):
    return requests.get(f"{srv.url}/v2/{repo}/manifests/{tag}", auth=auth, headers={"Accept": OCI_MANIFEST}).status_code


def db_path(srv):
    return str(srv.data_dir / "berth.db")


def record_user_groups(srv, user_id, *group_ids):
    """What an LDAP/OIDC login does: record the user's groups (sqlite3 CLI, server running)."""
    # sqlite3 on purpose: Harbor has no API for a user's group membership (user_group_members).
    sql = f"DELETE FROM user_group_members WHERE user_id = {int(user_id)};" + "".join(
        f"INSERT INTO user_group_members(user_id, group_id) VALUES({int(user_id)}, {int(g)});" for g in group_ids)
    subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db_path(srv), sql], check=True, capture_output=True, timeout=30)
    settle_external_write()


def audit_events(srv, project_id):
    con = sqlite3.connect(f"file:{db_path(srv)}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute("SELECT event_type, resource_type, resource, username FROM audit_log "
                           "WHERE project_id = ? AND resource_type = 'member' ORDER BY id", (project_id,)).fetchall()
    finally:
        con.close()


# ---- members: users ----------------------------------------------------------------------------
def test_add_list_update_and_remove_user_members(srv):
    alice, bob = create_user(srv, "m_alice"), create_user(srv, "m_bob")
    pid = create_project(srv, "mcrud")
    owner = members(srv, pid)
    assert [(m["entity_name"], m["role_id"], m["role_name"], m["entity_type"]) for m in owner] == [
        ("admin", 1, "projectAdmin", "u")]

    r = add_member(srv, pid, 2, member_user={"username": "m_alice"})
    assert r.status_code == 201 and r.text == ""
    loc = r.headers["Location"]
    mid = int(loc.rsplit("/", 1)[1])
    assert loc == f"/api/v2.0/projects/{pid}/members/{mid}"
    m = requests.get(srv.url + loc, auth=ADMIN).json()
    assert m == {"id": mid, "project_id": pid, "entity_name": "m_alice", "role_name": "developer", "role_id": 2,
                 "entity_id": alice, "entity_type": "u"}

    # by user id, through the project's name: the Location still names the project by id
    r = add_member(srv, "mcrud", 3, member_user={"user_id": bob})
    assert r.status_code == 201, r.text
    bob_mid = int(r.headers["Location"].rsplit("/", 1)[1])
    assert r.headers["Location"] == f"/api/v2.0/projects/{pid}/members/{bob_mid}"
    assert requests.get(api(srv, f"/projects/mcrud/members/{bob_mid}"), auth=ADMIN).json()["role_name"] == "guest"

    r = add_member(srv, pid, 4, member_user={"username": "m_alice"})
    assert r.status_code == 409 and error_code(r) == "CONFLICT"
    r = add_member(srv, pid, 4, member_user={"user_id": alice})
    assert r.status_code == 409 and error_code(r) == "CONFLICT"

    listed = members(srv, pid)
    assert all(set(x) == MEMBER_KEYS for x in listed)
    assert sorted((x["entity_name"], x["role_name"]) for x in listed) == [
        ("admin", "projectAdmin"), ("m_alice", "developer"), ("m_bob", "guest")]
    assert [x["entity_name"] for x in members(srv, pid, entityname="alic")] == ["m_alice"]
    assert members(srv, pid, entityname="nobody") == []

    for role, name in ((4, "maintainer"), (5, "limitedGuest"), (1, "projectAdmin"), (2, "developer")):
        r = requests.put(api(srv, f"/projects/{pid}/members/{mid}"), auth=ADMIN, json={"role_id": role})
        assert r.status_code == 200, r.text
        got = requests.get(api(srv, f"/projects/{pid}/members/{mid}"), auth=ADMIN).json()
        assert (got["role_id"], got["role_name"]) == (role, name)

    assert requests.delete(api(srv, f"/projects/{pid}/members/{mid}"), auth=ADMIN).status_code == 200
    r = requests.get(api(srv, f"/projects/{pid}/members/{mid}"), auth=ADMIN)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    r = requests.delete(api(srv, f"/projects/{pid}/members/{mid}"), auth=ADMIN)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    assert sorted(x["entity_name"] for x in members(srv, pid)) == ["admin", "m_bob"]

    events = audit_events(srv, pid)
    assert [e[0] for e in events] == ["create_member", "create_member"] + ["update_member"] * 4 + ["delete_member"]
    assert events[0] == ("create_member", "member", "m_alice", "admin")
    assert events[-1] == ("delete_member", "member", "m_alice", "admin")


def test_member_requests_that_are_refused(srv):
    create_user(srv, "e_carl")
    pid = create_project(srv, "merr")
    other = create_project(srv, "merrother")
    other_mid = add_user_member(srv, other, "e_carl", 2)
    mid = add_user_member(srv, pid, "e_carl", 3)
    before = members(srv, pid)
    group_count = requests.get(api(srv, "/usergroups"), auth=ADMIN).headers["X-Total-Count"]

    bad = [
        ({"role_id": 0, "member_user": {"username": "admin"}}, 400),
        ({"role_id": 6, "member_user": {"username": "admin"}}, 400),
        ({"role_id": "2", "member_user": {"username": "admin"}}, 400),
        ({"role_id": 2.5, "member_user": {"username": "admin"}}, 400),
        ({"member_user": {"username": "admin"}}, 400),
        ({"role_id": 2}, 400),
        ({"role_id": 2, "member_user": {"username": "admin"}, "member_group": {"id": 1}}, 400),
        ({"role_id": 2, "member_user": {"username": "admin"}, "extra": 1}, 400),
        ({"role_id": 2, "member_user": {"username": "admin", "email": "x"}}, 400),
        ({"role_id": 2, "member_user": {}}, 400),
        ({"role_id": 2, "member_user": {"username": 7}}, 400),
        ({"role_id": 2, "member_user": "admin"}, 400),
        ({"role_id": 2, "member_group": {"group_name": "nogroup"}}, 400),       # no type
        ({"role_id": 2, "member_group": {"group_name": "x", "group_type": 1}}, 400),  # LDAP needs a DN
        ({"role_id": 2, "member_group": {"group_name": "x", "group_type": 9}}, 400),
        ({"role_id": 2, "member_group": {"ldap_group_dn": "cn=x,dc=example,dc=com", "group_type": 3}}, 400),
        ({"role_id": 2, "member_group": {"group_name": "x", "group_type": 3, "members": []}}, 400),
        ({"role_id": 2, "member_group": {}}, 400),
        ({"role_id": 2, "member_user": {"username": "nobody_here"}}, 404),
        ({"role_id": 2, "member_user": {"user_id": 987654}}, 404),
        ({"role_id": 2, "member_group": {"id": 987654}}, 404),
        ([], 400),
    ]
    for body, status in bad:
        r = requests.post(api(srv, f"/projects/{pid}/members"), auth=ADMIN, json=body)
        assert r.status_code == status, (body, r.text)
        assert error_code(r) == ("BAD_REQUEST" if status == 400 else "NOT_FOUND"), body
    r = requests.post(api(srv, f"/projects/{pid}/members"), auth=ADMIN, data="{not json",
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and error_code(r) == "BAD_REQUEST"

    r = add_member(srv, "no-such-project", 2, member_user={"username": "admin"})
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    r = requests.get(api(srv, "/projects/424242/members"), auth=ADMIN)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"

    # a member id of another project is not found here, whatever the method
    for method, body in (("GET", None), ("PUT", {"role_id": 1}), ("DELETE", None)):
        r = requests.request(method, api(srv, f"/projects/{pid}/members/{other_mid}"), auth=ADMIN, json=body)
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", method
        r = requests.request(method, api(srv, f"/projects/{pid}/members/abc"), auth=ADMIN, json=body)
        assert r.status_code == 400 and error_code(r) == "BAD_REQUEST", method
    assert requests.get(api(srv, f"/projects/{other}/members/{other_mid}"), auth=ADMIN).json()["role_id"] == 2

    for body in ({"role_id": 9}, {"role_id": "1"}, {}, {"role_id": 1, "entity_name": "x"}, [1]):
        r = requests.put(api(srv, f"/projects/{pid}/members/{mid}"), auth=ADMIN, json=body)
        assert r.status_code == 400 and error_code(r) == "BAD_REQUEST", body
    r = requests.put(api(srv, f"/projects/{pid}/members/999999"), auth=ADMIN, json={"role_id": 1})
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"

    # nothing changed by any of it
    assert members(srv, pid) == before
    assert requests.get(api(srv, "/usergroups"), auth=ADMIN).headers["X-Total-Count"] == group_count

    # anonymous callers: 401, also on a public project (member lists are not public)
    pub = create_project(srv, "merrpub", public=True)
    for path in (f"/projects/{pid}/members", f"/projects/{pub}/members", f"/projects/{pid}/members/{mid}"):
        r = requests.get(api(srv, path))
        assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED", path
    r = requests.post(api(srv, f"/projects/{pub}/members"), json={"role_id": 2, "member_user": {"username": "e_carl"}})
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"
    # a plain user of nowhere cannot see the members of a public project either
    r = requests.get(api(srv, f"/projects/{pub}/members"), auth=("e_carl", PASSWORD))
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    r = requests.get(api(srv, f"/projects/{pid}/members"), auth=("e_carl", "Wrong0000"))
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"


def test_member_list_paging(srv):
    pid = create_project(srv, "mpage")
    for i in range(12):
        create_user(srv, f"pg_user{i:02d}")
        add_user_member(srv, pid, f"pg_user{i:02d}", 3)
    path = f"/api/v2.0/projects/{pid}/members"
    r = requests.get(api(srv, f"/projects/{pid}/members"), auth=ADMIN, params={"page": 2, "page_size": 5})
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "13"
    assert [m["entity_name"] for m in r.json()] == [f"pg_user{i:02d}" for i in range(4, 9)]
    link = r.headers["Link"]
    assert f'<{path}?page=1&page_size=5>; rel="prev"' in link and f'<{path}?page=3&page_size=5>; rel="next"' in link
    r = requests.get(api(srv, f"/projects/{pid}/members"), auth=ADMIN, params={"page": 3, "page_size": 5})
    assert len(r.json()) == 3 and 'rel="next"' not in r.headers["Link"] and 'rel="prev"' in r.headers["Link"]
    r = requests.get(api(srv, f"/projects/{pid}/members"), auth=ADMIN, params={"entityname": "user1"})
    assert r.headers["X-Total-Count"] == "2" and [m["entity_name"] for m in r.json()] == ["pg_user10", "pg_user11"]
    assert "Link" not in r.headers
    r = requests.get(api(srv, f"/projects/{pid}/members"), auth=ADMIN, params={"page_size": 500})
    assert r.status_code == 400 and error_code(r) == "BAD_REQUEST"


# ---- roles, observed ----------------------------------------------------------------------------
def test_roles_take_effect_and_removal_revokes_at_once(srv):
    for name in ("r_guest", "r_dev", "r_lim", "r_out"):
        create_user(srv, name)
    pid = create_project(srv, "mroles")
    assert push_tiny(srv, "mroles/app", "v1", ADMIN).status_code == 201
    guest, dev, lim, out = (("r_guest", PASSWORD), ("r_dev", PASSWORD), ("r_lim", PASSWORD), ("r_out", PASSWORD))
    gid = add_user_member(srv, pid, "r_guest", 3)
    did = add_user_member(srv, pid, "r_dev", 2)
    add_user_member(srv, pid, "r_lim", 5)

    # an outsider sees nothing of the private project
    assert requests.get(api(srv, f"/projects/{pid}"), auth=out).status_code == 403
    assert requests.get(api(srv, f"/projects/{pid}/members"), auth=out).status_code == 403
    assert basic_pull(srv, "mroles/app", "v1", out) == 403
    assert granted(token(srv, "repository:mroles/app:pull", out)) == []

    # guest: reads the project and its members, pulls, but cannot add members or push
    assert requests.get(api(srv, f"/projects/{pid}"), auth=guest).json()["name"] == "mroles"
    assert {m["entity_name"] for m in members(srv, pid, auth=guest)} == {"admin", "r_guest", "r_dev", "r_lim"}
    assert requests.get(api(srv, f"/projects/{pid}/members/{did}"), auth=guest).status_code == 200
    r = add_member(srv, pid, 3, auth=guest, member_user={"username": "r_out"})
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    r = requests.put(api(srv, f"/projects/{pid}/members/{gid}"), auth=guest, json={"role_id": 1})
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    r = requests.delete(api(srv, f"/projects/{pid}/members/{did}"), auth=guest)
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    assert basic_pull(srv, "mroles/app", "v1", guest) == 200
    assert push_tiny(srv, "mroles/app", "g1", guest).status_code == 403
    tok = token(srv, "repository:mroles/app:pull,push", guest)
    assert granted(tok) == ["pull"] and curl_pull(srv, "mroles/app", "v1", tok) == 200

    # developer: gets a push token, and the push with it works
    tok = token(srv, "repository:mroles/app:pull,push", dev)
    assert granted(tok) == ["pull", "push"]
    assert push_tiny(srv, "mroles/app", "d1", headers={"Authorization": f"Bearer {tok}"}).status_code == 201
    r = add_member(srv, pid, 3, auth=dev, member_user={"username": "r_out"})
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"

    # limited guest: pulls and reads the project, but may not list members
    assert requests.get(api(srv, f"/projects/{pid}"), auth=lim).status_code == 200
    r = requests.get(api(srv, f"/projects/{pid}/members"), auth=lim)
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    assert requests.get(api(srv, f"/projects/{pid}/members/{did}"), auth=lim).status_code == 403
    assert basic_pull(srv, "mroles/app", "v1", lim) == 200

    # a project admin (not a system admin) manages members
    r = requests.put(api(srv, f"/projects/{pid}/members/{gid}"), auth=ADMIN, json={"role_id": 1})
    assert r.status_code == 200
    r = add_member(srv, pid, 3, auth=guest, member_user={"username": "r_out"})
    assert r.status_code == 201, r.text
    out_mid = int(r.headers["Location"].rsplit("/", 1)[1])
    assert basic_pull(srv, "mroles/app", "v1", out) == 200
    assert requests.delete(api(srv, f"/projects/{pid}/members/{out_mid}"), auth=guest).status_code == 200
    assert audit_events(srv, pid)[-1] == ("delete_member", "member", "r_out", "r_guest")

    # removal and demotion take effect on the next request, although the credentials are cached
    assert basic_pull(srv, "mroles/app", "v1", out) == 403
    assert requests.get(api(srv, f"/projects/{pid}"), auth=out).status_code == 403
    assert granted(token(srv, "repository:mroles/app:pull", out)) == []
    assert requests.put(api(srv, f"/projects/{pid}/members/{did}"), auth=ADMIN, json={"role_id": 3}).status_code == 200
    assert granted(token(srv, "repository:mroles/app:pull,push", dev)) == ["pull"]
    assert push_tiny(srv, "mroles/app", "d2", dev).status_code == 403
    assert requests.delete(api(srv, f"/projects/{pid}/members/{did}"), auth=ADMIN).status_code == 200
    assert basic_pull(srv, "mroles/app", "v1", dev) == 403
    assert requests.get(api(srv, f"/projects/{pid}/members"), auth=dev).status_code == 403
    listed = requests.get(api(srv, "/projects"), auth=dev).json()
    assert "mroles" not in [p["name"] for p in listed]


# ---- members: groups ----------------------------------------------------------------------------
def test_group_members_by_id_name_and_dn(srv):
    pid = create_project(srv, "mgroups")
    r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json={"group_name": "mg_web", "group_type": 2})
    assert r.status_code == 201
    web = int(r.headers["Location"].rsplit("/", 1)[1])

    r = add_member(srv, pid, 2, member_group={"id": web})
    assert r.status_code == 201, r.text
    web_mid = int(r.headers["Location"].rsplit("/", 1)[1])
    m = requests.get(api(srv, f"/projects/{pid}/members/{web_mid}"), auth=ADMIN).json()
    assert m == {"id": web_mid, "project_id": pid, "entity_name": "mg_web", "role_name": "developer", "role_id": 2,
                 "entity_id": web, "entity_type": "g"}
    r = add_member(srv, pid, 3, member_group={"group_name": "mg_web", "group_type": 2})  # the same group by name
    assert r.status_code == 409 and error_code(r) == "CONFLICT"

    # unknown groups given by name (OIDC) or DN (LDAP) are created on the way, as Harbor onboards them
    r = add_member(srv, pid, 3, member_group={"group_name": "mg_oidc", "group_type": 3})
    assert r.status_code == 201, r.text
    found = requests.get(api(srv, "/usergroups"), auth=ADMIN, params={"group_name": "mg_oidc"}).json()
    assert [(g["group_name"], g["group_type"], g["ldap_group_dn"]) for g in found] == [("mg_oidc", 3, "")]
    r = add_member(srv, pid, 4, member_group={"ldap_group_dn": "CN=MG-Ops,OU=Groups,DC=Example,DC=Com",
                                              "group_name": "mg_ops"})
    assert r.status_code == 201, r.text
    ops = requests.get(api(srv, "/usergroups"), auth=ADMIN, params={"group_name": "mg_ops"}).json()
    assert [(g["group_type"], g["ldap_group_dn"]) for g in ops] == [(1, "cn=mg-ops,ou=groups,dc=example,dc=com")]
    # the DN finds the same group again, whatever its case
    r = add_member(srv, pid, 4, member_group={"ldap_group_dn": "cn=mg-ops,ou=groups,dc=example,dc=com"})
    assert r.status_code == 409 and error_code(r) == "CONFLICT"
    # without a name an LDAP group is named after its DN
    r = add_member(srv, pid, 5, member_group={"ldap_group_dn": "cn=mg-nameless,dc=example,dc=com"})
    assert r.status_code == 201, r.text

    got = {(m["entity_name"], m["entity_type"], m["role_name"]) for m in members(srv, pid)}
    assert got == {("admin", "u", "projectAdmin"), ("mg_web", "g", "developer"), ("mg_oidc", "g", "guest"),
                   ("mg_ops", "g", "maintainer"), ("cn=mg-nameless,dc=example,dc=com", "g", "limitedGuest")}
    assert [m["entity_name"] for m in members(srv, pid, entityname="mg_o")] == ["mg_oidc", "mg_ops"]

    # a group and a user may share a name: they are different members
    create_user(srv, "mg_web")
    r = add_member(srv, pid, 3, member_user={"username": "mg_web"})
    assert r.status_code == 201, r.text
    assert sorted(m["entity_type"] for m in members(srv, pid, entityname="mg_web")) == ["g", "u"]

    # deleting the group removes its memberships
    assert requests.delete(api(srv, f"/usergroups/{web}"), auth=ADMIN).status_code == 200
    assert requests.get(api(srv, f"/projects/{pid}/members/{web_mid}"), auth=ADMIN).status_code == 404
    assert [m["entity_type"] for m in members(srv, pid, entityname="mg_web")] == ["u"]


def test_group_membership_grants_the_groups_role(srv):
    uid = create_user(srv, "gr_gina")
    gina = ("gr_gina", PASSWORD)
    pid = create_project(srv, "mgrpaccess")
    assert push_tiny(srv, "mgrpaccess/app", "v1", ADMIN).status_code == 201
    r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json={"group_name": "gr_analysts", "group_type": 3})
    group = int(r.headers["Location"].rsplit("/", 1)[1])
    r = add_member(srv, pid, 3, member_group={"id": group})
    assert r.status_code == 201
    gmid = int(r.headers["Location"].rsplit("/", 1)[1])

    # not in the group yet (and her credentials are now in the verification cache)
    assert requests.get(api(srv, f"/projects/{pid}"), auth=gina).status_code == 403
    assert granted(token(srv, "repository:mgrpaccess/app:pull", gina)) == []

    record_user_groups(srv, uid, group)  # what her next LDAP/OIDC login would record
    assert requests.get(api(srv, f"/projects/{pid}"), auth=gina).status_code == 200
    assert "mgrpaccess" in [p["name"] for p in requests.get(api(srv, "/projects"), auth=gina).json()]
    assert members(srv, pid, auth=gina)  # guests see the members
    assert basic_pull(srv, "mgrpaccess/app", "v1", gina) == 200
    tok = token(srv, "repository:mgrpaccess/app:pull,push", gina)
    assert granted(tok) == ["pull"]
    assert curl_pull(srv, "mgrpaccess/app", "v1", tok) == 200
    assert push_tiny(srv, "mgrpaccess/app", "g1", headers={"Authorization": f"Bearer {tok}"}).status_code == 401

    # the group's role changes, so does hers
    assert requests.put(api(srv, f"/projects/{pid}/members/{gmid}"), auth=ADMIN, json={"role_id": 2}).status_code == 200
    tok = token(srv, "repository:mgrpaccess/app:pull,push", gina)
    assert granted(tok) == ["pull", "push"]
    assert push_tiny(srv, "mgrpaccess/app", "g2", headers={"Authorization": f"Bearer {tok}"}).status_code == 201

    # out of the group: out of the project, at once
    record_user_groups(srv, uid)
    assert requests.get(api(srv, f"/projects/{pid}"), auth=gina).status_code == 403
    assert granted(token(srv, "repository:mgrpaccess/app:pull", gina)) == []
    record_user_groups(srv, uid, group)
    assert basic_pull(srv, "mgrpaccess/app", "v1", gina) == 200
    # the group deleted: its membership and her access go with it
    assert requests.delete(api(srv, f"/usergroups/{group}"), auth=ADMIN).status_code == 200
    assert basic_pull(srv, "mgrpaccess/app", "v1", gina) == 403
    assert "mgrpaccess" not in [p["name"] for p in requests.get(api(srv, "/projects"), auth=gina).json()]


# ---- user groups --------------------------------------------------------------------------------
def test_usergroups_create_read_rename_delete(srv):
    r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json={"group_name": "ug_one", "group_type": 2})
    assert r.status_code == 201 and r.text == ""
    loc = r.headers["Location"]
    gid = int(loc.rsplit("/", 1)[1])
    assert loc == f"/api/v2.0/usergroups/{gid}"
    assert requests.get(srv.url + loc, auth=ADMIN).json() == {
        "id": gid, "group_name": "ug_one", "group_type": 2, "ldap_group_dn": ""}

    r = requests.post(api(srv, "/usergroups"), auth=ADMIN,
                      json={"group_name": "ug_ldap", "group_type": 1, "ldap_group_dn": "cn=UG,dc=example,dc=com"})
    assert r.status_code == 201
    ldap = int(r.headers["Location"].rsplit("/", 1)[1])
    assert requests.get(api(srv, f"/usergroups/{ldap}"), auth=ADMIN).json()["ldap_group_dn"] == "cn=ug,dc=example,dc=com"

    conflicts = [{"group_name": "ug_one", "group_type": 2},  # same name and type
                 {"group_name": "ug_other", "group_type": 1, "ldap_group_dn": "CN=ug,dc=example,dc=com"}]  # same DN
    for body in conflicts:
        r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json=body)
        assert r.status_code == 409 and error_code(r) == "CONFLICT", body
    r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json={"group_name": "ug_one", "group_type": 3})
    assert r.status_code == 201  # the same name with another type is another group

    invalid = [{"group_name": "x", "group_type": 0}, {"group_name": "x", "group_type": 4},
               {"group_name": "x", "group_type": "2"}, {"group_name": "x"}, {"group_type": 2},
               {"group_name": "", "group_type": 2}, {"group_name": "x", "group_type": 1},
               {"group_name": "x", "group_type": 2, "members": ["a"]}, {"group_name": 5, "group_type": 2}, []]
    for body in invalid:
        r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json=body)
        assert r.status_code == 400 and error_code(r) == "BAD_REQUEST", body

    r = requests.put(api(srv, f"/usergroups/{gid}"), auth=ADMIN, json={"group_name": "ug_renamed"})
    assert r.status_code == 200
    assert requests.get(api(srv, f"/usergroups/{gid}"), auth=ADMIN).json()["group_name"] == "ug_renamed"
    for body, status in (({"group_name": ""}, 400), ({}, 400), ({"group_name": "y", "color": "red"}, 400)):
        r = requests.put(api(srv, f"/usergroups/{gid}"), auth=ADMIN, json=body)
        assert r.status_code == status and error_code(r) == "BAD_REQUEST", body
    r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json={"group_name": "ug_two", "group_type": 2})
    r = requests.put(api(srv, f"/usergroups/{gid}"), auth=ADMIN, json={"group_name": "ug_two"})
    assert r.status_code == 409 and error_code(r) == "CONFLICT"
    r = requests.put(api(srv, "/usergroups/999999"), auth=ADMIN, json={"group_name": "z"})
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"

    assert requests.delete(api(srv, f"/usergroups/{gid}"), auth=ADMIN).status_code == 200
    for method in ("GET", "DELETE"):
        r = requests.request(method, api(srv, f"/usergroups/{gid}"), auth=ADMIN)
        assert r.status_code == 404 and error_code(r) == "NOT_FOUND", method
        r = requests.request(method, api(srv, "/usergroups/abc"), auth=ADMIN)
        assert r.status_code == 400 and error_code(r) == "BAD_REQUEST", method
        r = requests.request(method, api(srv, "/usergroups/0"), auth=ADMIN)
        assert r.status_code == 400 and error_code(r) == "BAD_REQUEST", method


def test_usergroups_list_paging_and_search(srv):
    ids = []
    for i in range(7):
        r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json={"group_name": f"ls_team{i}", "group_type": 3})
        ids.append(int(r.headers["Location"].rsplit("/", 1)[1]))
    r = requests.get(api(srv, "/usergroups"), auth=ADMIN, params={"group_name": "ls_team", "page": 2, "page_size": 3})
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "7"
    assert [g["id"] for g in r.json()] == ids[3:6]
    assert all(set(g) == {"id", "group_name", "group_type", "ldap_group_dn"} for g in r.json())
    assert 'rel="prev"' in r.headers["Link"] and 'rel="next"' in r.headers["Link"]
    assert "/api/v2.0/usergroups?group_name=ls_team&page=3&page_size=3" in r.headers["Link"]
    r = requests.get(api(srv, "/usergroups"), auth=ADMIN, params={"group_name": "ls_team6"})
    assert [g["group_name"] for g in r.json()] == ["ls_team6"]

    create_user(srv, "ls_plain")
    plain = ("ls_plain", PASSWORD)
    r = requests.get(api(srv, "/usergroups/search"), auth=plain, params={"groupname": "ls_team"})
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "7"
    assert r.json()[0] == {"id": ids[0], "group_name": "ls_team0", "group_type": 3}
    assert len(r.json()) == 7 and all(set(g) == {"id", "group_name", "group_type"} for g in r.json())
    r = requests.get(api(srv, "/usergroups/search"), auth=plain, params={"groupname": "ls_team", "page_size": 2})
    assert len(r.json()) == 2 and 'rel="next"' in r.headers["Link"]
    r = requests.get(api(srv, "/usergroups/search"), auth=plain)
    assert r.status_code == 400 and error_code(r) == "BAD_REQUEST"
    r = requests.get(api(srv, "/usergroups/search"), params={"groupname": "ls_team"})
    assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED"


def test_usergroups_are_for_system_admins(srv):
    create_user(srv, "ua_user")
    user = ("ua_user", PASSWORD)
    r = requests.post(api(srv, "/usergroups"), auth=ADMIN, json={"group_name": "ua_group", "group_type": 2})
    gid = int(r.headers["Location"].rsplit("/", 1)[1])
    # a project admin is still no system admin
    create_project(srv, "uaproj")
    add_user_member(srv, "uaproj", "ua_user", 1)
    calls = [("GET", "/usergroups", None), ("POST", "/usergroups", {"group_name": "ua_x", "group_type": 2}),
             ("GET", f"/usergroups/{gid}", None), ("PUT", f"/usergroups/{gid}", {"group_name": "ua_y"}),
             ("DELETE", f"/usergroups/{gid}", None)]
    for method, path, body in calls:
        r = requests.request(method, api(srv, path), auth=user, json=body)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (method, path)
        r = requests.request(method, api(srv, path), json=body)
        assert r.status_code == 401 and error_code(r) == "UNAUTHORIZED", (method, path)
    assert requests.get(api(srv, f"/usergroups/{gid}"), auth=ADMIN).json()["group_name"] == "ua_group"
    assert requests.get(api(srv, "/usergroups"), auth=ADMIN, params={"group_name": "ua_x"}).json() == []
