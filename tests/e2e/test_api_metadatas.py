"""Project metadata sub-resource: GET/POST /projects/{p}/metadatas/ and GET/PUT/DELETE
/projects/{p}/metadatas/{meta_name}, against the real binary over real HTTP.

Checks what a Harbor client observes: every operation's answer and its effect (read back through
the metadata API and GET /projects/{p}), the 400/404/409 cases with nothing changed afterwards,
"public" switching what anonymous callers see, the role table (project admin writes; every member
reads; non-members, public-project visitors and anonymous callers are refused), and the audit trail.
"""
import pytest
import requests
from e2e_lib import api_url, make_image, unique

ADMIN = ("admin", "Harbor12345")
PASSWORD = "Passw0rdMeta1"
ROLE_IDS = {"projectAdmin": 1, "developer": 2, "guest": 3, "maintainer": 4, "limitedGuest": 5}


@pytest.fixture(scope="module")
def srv(module_registry):
    assert module_registry.auth == ADMIN
    return module_registry


def call(srv, method, path, auth=ADMIN, **kw):
    return requests.request(method, api_url(srv, path), auth=auth, timeout=30, **kw)


def error_code(r):
    body = r.json()
    assert set(body) == {"errors"} and body["errors"] and body["errors"][0]["message"], body
    return body["errors"][0]["code"]


def expect(r, status, code=None):
    assert r.status_code == status, f"{r.request.method} {r.request.url}: expected {status}, got {r.status_code} {r.text[:300]}"
    if code is not None:
        assert error_code(r) == code, r.text
    if 200 <= status < 300 and r.request.method != "GET" and "/metadatas/" in r.request.url:
        assert r.content == b"", r.content  # Harbor's metadata writes answer with an empty body


def create_project(srv, metadata):
    name = unique("meta")
    r = call(srv, "POST", "/projects", json={"project_name": name, "metadata": metadata})
    expect(r, 201)
    return name, int(r.headers["Location"].rsplit("/", 1)[1])


def meta(srv, project, auth=ADMIN):
    r = call(srv, "GET", f"/projects/{project}/metadatas/", auth=auth)
    expect(r, 200)
    return r.json()


def project_meta(srv, project):
    """The same metadata as GET /projects/{p} shows it."""
    r = call(srv, "GET", f"/projects/{project}")
    expect(r, 200)
    return r.json()["metadata"]


def create_user(srv):
    name = unique("mu")
    r = call(srv, "POST", "/users", json={"username": name, "password": PASSWORD, "email": f"{name}@example.org",
                                          "realname": name})
    expect(r, 201)
    return (name, PASSWORD)


def add_member(srv, project, user, role):
    r = call(srv, "POST", f"/projects/{project}/members",
             json={"role_id": ROLE_IDS[role], "member_user": {"username": user[0]}})
    expect(r, 201)


# ---- reads -----------------------------------------------------------------------------------------
def test_list_and_get_show_the_projects_metadata(srv):
    name, pid = create_project(srv, {"public": "false", "auto_scan": "true", "severity": "high"})
    want = {"public": "false", "auto_scan": "true", "severity": "high"}
    assert meta(srv, name) == want
    assert meta(srv, str(pid)) == want
    assert project_meta(srv, name) == want
    r = call(srv, "GET", f"/projects/{name}/metadatas/auto_scan")
    expect(r, 200)
    assert r.json() == {"auto_scan": "true"} and r.headers["Content-Type"].startswith("application/json")
    assert call(srv, "GET", f"/projects/{pid}/metadatas/severity").json() == {"severity": "high"}
    assert call(srv, "GET", f"/projects/{name}/metadatas/public").json() == {"public": "false"}
    # A name made of digits is a project name with X-Is-Resource-Name.
    digits = str(900000 + pid)
    expect(call(srv, "POST", "/projects", json={"project_name": digits}), 201)
    r = call(srv, "GET", f"/projects/{digits}/metadatas/", headers={"X-Is-Resource-Name": "true"})
    expect(r, 200)
    assert r.json() == {"public": "false"}


def test_reads_of_what_does_not_exist_are_404(srv):
    name, _ = create_project(srv, {"public": "false"})
    expect(call(srv, "GET", f"/projects/{name}/metadatas/prevent_vul"), 404, "NOT_FOUND")  # a key it lacks
    expect(call(srv, "GET", f"/projects/{name}/metadatas/no_such_key"), 404, "NOT_FOUND")
    expect(call(srv, "GET", "/projects/nosuchproject/metadatas/"), 404, "NOT_FOUND")
    expect(call(srv, "GET", "/projects/nosuchproject/metadatas/public"), 404, "NOT_FOUND")
    expect(call(srv, "GET", "/projects/999999/metadatas/public"), 404, "NOT_FOUND")


# ---- POST --------------------------------------------------------------------------------------------
def test_post_adds_one_key(srv):
    name, _ = create_project(srv, {"public": "false"})
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", json={"prevent_vul": "true"}), 200)
    assert call(srv, "GET", f"/projects/{name}/metadatas/prevent_vul").json() == {"prevent_vul": "true"}
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", json={"auto_sbom_generation": False}), 200)
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", json={"severity": "critical"}), 200)
    want = {"public": "false", "prevent_vul": "true", "auto_sbom_generation": "false", "severity": "critical"}
    assert meta(srv, name) == want
    assert project_meta(srv, name) == want


def test_post_of_a_key_the_project_has_is_a_conflict(srv):
    name, _ = create_project(srv, {"public": "false", "auto_scan": "true"})
    before = meta(srv, name)
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", json={"auto_scan": "false"}), 409, "CONFLICT")
    # "public" always exists (as in Harbor): it changes through PUT.
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", json={"public": "true"}), 409, "CONFLICT")
    assert meta(srv, name) == before


BAD_POST_BODIES = [
    {},
    {"prevent_vul": "true", "auto_scan": "true"},
    {"no_such_key": "true"},
    {"prevent_vul": "yes"},
    {"prevent_vul": ""},
    {"severity": ""},
    {"prevent_vul": 1},
    {"prevent_vul": None},
    ["prevent_vul"],
    "prevent_vul",
]


def test_bad_post_bodies_are_400_and_change_nothing(srv):
    name, _ = create_project(srv, {"public": "false", "severity": "low"})
    before = meta(srv, name)
    for body in BAD_POST_BODIES:
        expect(call(srv, "POST", f"/projects/{name}/metadatas/", json=body), 400, "BAD_REQUEST")
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", data="{not json",
                headers={"Content-Type": "application/json"}), 400, "BAD_REQUEST")
    expect(call(srv, "POST", f"/projects/{name}/metadatas/"), 400, "BAD_REQUEST")  # no body
    assert meta(srv, name) == before
    assert project_meta(srv, name) == before
    expect(call(srv, "POST", "/projects/nosuchproject/metadatas/", json={"prevent_vul": "true"}), 404, "NOT_FOUND")


# ---- PUT ---------------------------------------------------------------------------------------------
def test_put_sets_one_key(srv):
    name, pid = create_project(srv, {"public": "false", "severity": "high"})
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/severity", json={"severity": "low"}), 200)
    assert call(srv, "GET", f"/projects/{name}/metadatas/severity").json() == {"severity": "low"}
    # A key the project did not have yet is added.
    expect(call(srv, "PUT", f"/projects/{pid}/metadatas/enable_content_trust", json={"enable_content_trust": True}),
           200)
    want = {"public": "false", "severity": "low", "enable_content_trust": "true"}
    assert meta(srv, name) == want
    assert project_meta(srv, name) == want


def test_bad_puts_are_400_or_404_and_change_nothing(srv):
    name, _ = create_project(srv, {"public": "false", "severity": "high", "auto_scan": "true"})
    before = meta(srv, name)
    for body in ({"auto_scan": "false"},                         # another key than the path's
                 {"severity": "low", "auto_scan": "false"},      # more than that key
                 {}, {"severity": ""}, {"severity": 5}, ["severity"]):
        expect(call(srv, "PUT", f"/projects/{name}/metadatas/severity", json=body), 400, "BAD_REQUEST")
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/auto_scan", json={"auto_scan": "maybe"}), 400, "BAD_REQUEST")
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/public", json={"public": "yes"}), 400, "BAD_REQUEST")
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/severity", data="{not json",
                headers={"Content-Type": "application/json"}), 400, "BAD_REQUEST")
    # A name that is not a metadata key, or a project that does not exist.
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/no_such_key", json={"no_such_key": "true"}), 404,
           "NOT_FOUND")
    expect(call(srv, "PUT", "/projects/nosuchproject/metadatas/severity", json={"severity": "low"}), 404,
           "NOT_FOUND")
    assert meta(srv, name) == before
    assert project_meta(srv, name) == before


# ---- DELETE ------------------------------------------------------------------------------------------
def test_delete_removes_a_key(srv):
    name, _ = create_project(srv, {"public": "false", "severity": "high", "auto_scan": "true"})
    expect(call(srv, "DELETE", f"/projects/{name}/metadatas/severity"), 200)
    expect(call(srv, "GET", f"/projects/{name}/metadatas/severity"), 404, "NOT_FOUND")
    assert meta(srv, name) == {"public": "false", "auto_scan": "true"}
    assert project_meta(srv, name) == {"public": "false", "auto_scan": "true"}
    # Harbor answers 200 for a key the project does not have.
    expect(call(srv, "DELETE", f"/projects/{name}/metadatas/severity"), 200)
    expect(call(srv, "DELETE", f"/projects/{name}/metadatas/no_such_key"), 404, "NOT_FOUND")
    expect(call(srv, "DELETE", "/projects/nosuchproject/metadatas/auto_scan"), 404, "NOT_FOUND")
    assert meta(srv, name) == {"public": "false", "auto_scan": "true"}
    # The key can be added again afterwards.
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", json={"severity": "medium"}), 200)
    assert meta(srv, name)["severity"] == "medium"


# ---- "public" is the project's visibility ---------------------------------------------------------
def anonymous_sees(srv, name):
    """(the project is in the anonymous project list, its repository list answers 200)."""
    r = requests.get(api_url(srv, "/projects"), params={"name": name, "page_size": 100}, timeout=30)
    expect(r, 200)
    listed = name in [p["name"] for p in r.json()]
    repos = requests.get(api_url(srv, f"/projects/{name}/repositories"), timeout=30)
    assert repos.status_code in (200, 401), repos.text
    if repos.status_code == 200:
        assert [x["name"] for x in repos.json()] == [f"{name}/app"], repos.text
    return listed, repos.status_code == 200


def test_public_switches_what_anonymous_callers_see(srv):
    name, _ = create_project(srv, {"public": "false"})
    assert srv.api.push_image(f"{name}/app", "v1", make_image()).status_code == 201
    assert anonymous_sees(srv, name) == (False, False)

    expect(call(srv, "PUT", f"/projects/{name}/metadatas/public", json={"public": "true"}), 200)
    assert anonymous_sees(srv, name) == (True, True)
    assert call(srv, "GET", f"/projects/{name}").json()["metadata"]["public"] == "true"
    r = requests.get(api_url(srv, "/projects"), params={"public": "true", "page_size": 100}, timeout=30)
    assert name in [p["name"] for p in r.json()]

    expect(call(srv, "PUT", f"/projects/{name}/metadatas/public", json={"public": False}), 200)
    assert anonymous_sees(srv, name) == (False, False)
    assert meta(srv, name) == {"public": "false"}

    expect(call(srv, "PUT", f"/projects/{name}/metadatas/public", json={"public": "true"}), 200)
    assert anonymous_sees(srv, name) == (True, True)
    # Removing "public" makes the project private again (a missing "public" reads as false).
    expect(call(srv, "DELETE", f"/projects/{name}/metadatas/public"), 200)
    assert anonymous_sees(srv, name) == (False, False)
    assert meta(srv, name) == {"public": "false"}

    # A refused or invalid change leaves the visibility alone.
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/public", json={"public": "1"}), 400, "BAD_REQUEST")
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/public", json={"public": "true"}, auth=None), 401,
           "UNAUTHORIZED")
    assert anonymous_sees(srv, name) == (False, False)


# ---- RBAC --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def people(srv):
    """A private and a public project; a user per role (member of both), a non-member, a sysadmin."""
    w = {"private": create_project(srv, {"public": "false", "auto_scan": "true"})[0],
         "public": create_project(srv, {"public": "true", "auto_scan": "true"})[0]}
    for role in ROLE_IDS:
        w[role] = create_user(srv)
        for k in ("private", "public"):
            add_member(srv, w[k], w[role], role)
    w["nonMember"] = create_user(srv)
    w["sysadmin"] = create_user(srv)
    r = call(srv, "GET", "/users", params={"q": f"username={w['sysadmin'][0]}"})
    uid = r.json()[0]["user_id"]
    expect(call(srv, "PUT", f"/users/{uid}/sysadmin", json={"sysadmin_flag": True}), 200)
    w["anonymous"] = None
    return w


READERS = ("projectAdmin", "maintainer", "developer", "guest", "limitedGuest", "sysadmin")
WRITERS = ("projectAdmin", "sysadmin")
EVERYONE = (*ROLE_IDS, "nonMember", "sysadmin", "anonymous")


def refusal(who):
    return (401, "UNAUTHORIZED") if who == "anonymous" else (403, "FORBIDDEN")


@pytest.mark.parametrize("which", ["private", "public"])
@pytest.mark.parametrize("who", EVERYONE)
def test_reads_are_for_members(srv, people, who, which):
    """Every role reads and lists; a public project gives its visitors no metadata (Harbor's public
    policies do not include it), so non-members get 403 there too and anonymous callers 401."""
    project, auth = people[which], people[who]
    for path in (f"/projects/{project}/metadatas/", f"/projects/{project}/metadatas/auto_scan"):
        r = call(srv, "GET", path, auth=auth)
        if who in READERS:
            expect(r, 200)
            assert r.json()["auto_scan"] == "true"
        else:
            expect(r, *refusal(who))


@pytest.mark.parametrize("which", ["private", "public"])
@pytest.mark.parametrize("who", EVERYONE)
def test_writes_are_for_project_admins(srv, people, who, which):
    project, auth = people[which], people[who]
    visibility = "true" if which == "public" else "false"
    # Each write starts from a known state set by the admin.
    expect(call(srv, "DELETE", f"/projects/{project}/metadatas/prevent_vul"), 200)
    expect(call(srv, "PUT", f"/projects/{project}/metadatas/severity", json={"severity": "low"}), 200)
    expect(call(srv, "PUT", f"/projects/{project}/metadatas/auto_sbom_generation",
                json={"auto_sbom_generation": "true"}), 200)

    writes = [call(srv, "POST", f"/projects/{project}/metadatas/", auth=auth, json={"prevent_vul": "true"}),
              call(srv, "PUT", f"/projects/{project}/metadatas/severity", auth=auth, json={"severity": "high"}),
              call(srv, "DELETE", f"/projects/{project}/metadatas/auto_sbom_generation", auth=auth),
              # The visibility itself, re-stated: allowed or not, it stays what it was.
              call(srv, "PUT", f"/projects/{project}/metadatas/public", auth=auth, json={"public": visibility})]
    got = meta(srv, project)
    if who in WRITERS:
        for r in writes:
            expect(r, 200)
        assert got == {"public": visibility, "auto_scan": "true", "prevent_vul": "true", "severity": "high"}
    else:
        for r in writes:
            expect(r, *refusal(who))
        assert got == {"public": visibility, "auto_scan": "true", "severity": "low", "auto_sbom_generation": "true"}


def test_wrong_credentials_are_401(srv, people):
    r = call(srv, "GET", f"/projects/{people['private']}/metadatas/", auth=(people["guest"][0], "Wrong0ne1"))
    expect(r, 401, "UNAUTHORIZED")


def test_a_robot_holds_exactly_the_metadata_actions_it_was_given(srv, people):
    project = people["private"]
    r = call(srv, "POST", "/robots", json={
        "name": unique("mbot"), "level": "project", "duration": -1,
        "permissions": [{"kind": "project", "namespace": project,
                         "access": [{"resource": "metadata", "action": "read"},
                                    {"resource": "metadata", "action": "list"}]}]})
    assert r.status_code == 201, r.text
    robot = (r.json()["name"], r.json()["secret"])
    assert call(srv, "GET", f"/projects/{project}/metadatas/", auth=robot).json()["auto_scan"] == "true"
    assert call(srv, "GET", f"/projects/{project}/metadatas/auto_scan", auth=robot).json() == {"auto_scan": "true"}
    expect(call(srv, "PUT", f"/projects/{project}/metadatas/auto_scan", auth=robot, json={"auto_scan": "false"}),
           403, "FORBIDDEN")
    expect(call(srv, "GET", f"/projects/{people['public']}/metadatas/", auth=robot), 403, "FORBIDDEN")
    assert meta(srv, project)["auto_scan"] == "true"


# ---- audit -------------------------------------------------------------------------------------------
def test_changes_are_audited_and_reads_are_not(srv):
    name, pid = create_project(srv, {"public": "false"})

    def updates():
        r = call(srv, "GET", f"/projects/{pid}/logs", params={"q": "operation=update", "page_size": 100})
        expect(r, 200)
        return [(e["username"], e["resource"], e["resource_type"]) for e in r.json()]

    assert updates() == []
    expect(call(srv, "POST", f"/projects/{name}/metadatas/", json={"prevent_vul": "true"}), 200)
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/prevent_vul", json={"prevent_vul": "false"}), 200)
    expect(call(srv, "DELETE", f"/projects/{name}/metadatas/prevent_vul"), 200)
    meta(srv, name)
    call(srv, "GET", f"/projects/{name}/metadatas/public")
    expect(call(srv, "PUT", f"/projects/{name}/metadatas/public", json={"public": "maybe"}), 400)
    assert updates() == [("admin", name, "project")] * 3
