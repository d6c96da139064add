"""The RBAC matrix: every principal × capability × project cell of the spec's §3 table, checked with
real HTTP requests against the real binary — on /v2 (Basic directly, and Bearer tokens from
/service/token fetched and used with curl; skopeo and podman logins) and on /api/v2.0.

The expected matrix is DATA transcribed from /work/shared/spec/harbor-reference.md §3 (the role
table, the public-project rule, the robot model) and §4 (/v2 authentication) — never derived from
src/auth/rbac.cc. Each cell is one test id, e.g. `test_api[developer-tag:create-P]`, so a failure
names the cell.

Principals: a system administrator (a user given the sysadmin flag), one user per project role
(member of the private project P and of the public project Q with that role, added through
POST /projects/{p}/members), a signed-in user who is a member of neither, anonymous, a project
robot of P holding repository:pull, one of P holding pull+push, and a system robot covering every
project ("*") with a few repository/artifact/tag permissions.

Choices where the spec leaves room (each also noted at the data below):
- A private project read by a non-member: Harbor answers 403 or 404; Berth answers 403 (the name
  does not leak differently from a denied member), asserted everywhere.
- /v2 with valid Basic credentials but no right: the spec (§4.2) has 401 + `Basic realm="harbor"`;
  Berth deliberately answers 403 DENIED (README "How /v2 is guarded", docs/architecture.md), and
  its other suites assert that. V2_DENIED below encodes Berth's documented choice.
- Robots on a public project get the public-project reads ("Anonymous/any user on a public
  project", §3) — Harbor's robot evaluator adds the public policies as well.
- Project audit log: the 2.16 column (project admin only), not the ≤2.12 one.
- Reading one repository is guarded by repository:list: the public rule grants "repository list"
  (not read) yet everyone may see a public project's repositories; Harbor's handler does the same.
- Rows whose endpoints Berth does not have yet skip with the missing endpoint named: immutable tag
  rules, the project scanner, scan.
- Quota limits and the list of all quotas are system permissions, checked for every principal by
  test_quota_limits_and_the_quota_list_are_for_system_administrators.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable

import pytest
import requests

from e2e_lib import Clients, api_url, make_image, unique, write_oci_layout
from rbac_lib import (ADMIN, OCI_MANIFEST, PASSWORD, Principal, admin_push, curl_status, delete_manifest,
                      error_code, get_manifest, granted, push, token)

# ==== the spec's §3 table, transcribed =============================================================
PA, MA, DE, GU, LG = "projectAdmin", "maintainer", "developer", "guest", "limitedGuest"
ROLES = (PA, MA, DE, GU, LG)
ROLE_IDS = {PA: 1, DE: 2, GU: 3, MA: 4, LG: 5}  # §1 "Member": role ids
ALL = {PA, MA, DE, GU, LG}

# (spec row, the (resource, action) pairs it names, the roles with ✓). One line per table row.
SPEC_ROWS: list[tuple[str, list[tuple[str, str]], set[str]]] = [
    ("Pull", [("repository", "pull")], ALL),
    ("Push", [("repository", "push")], {PA, MA, DE}),
    ("List/read repos, artifacts, tags, accessories, additions, scan reports",
     [("repository", "list"), ("repository", "read"), ("artifact", "read"), ("artifact", "list"), ("tag", "list"),
      ("accessory", "list"), ("artifact-addition", "read"), ("scan", "read")], ALL),
    ("Edit repo description", [("repository", "update")], {PA, MA, DE}),
    ("Delete repository / registry DELETE manifest", [("repository", "delete")], {PA, MA}),
    ("Delete artifact", [("artifact", "delete")], {PA, MA}),
    ("Copy artifact into project", [("artifact", "create")], {PA, MA, DE}),
    ("Create tag", [("tag", "create")], {PA, MA, DE}),
    ("Delete tag", [("tag", "delete")], {PA, MA}),
    ("Attach/detach label", [("artifact-label", "create"), ("artifact-label", "delete")], {PA, MA, DE}),
    ("Manage project labels", [("label", "create"), ("label", "update"), ("label", "delete")], {PA, MA}),
    ("Scan / stop scan / generate SBOM",
     [("scan", "create"), ("scan", "stop"), ("sbom", "create"), ("sbom", "stop")], {PA, MA}),
    ("Choose project scanner", [("scanner", "create")], {PA}),
    ("View members", [("member", "list"), ("member", "read")], {PA, MA, DE, GU}),
    ("Manage members", [("member", "create"), ("member", "update"), ("member", "delete")], {PA}),
    ("Manage webhooks (c/u/d)", [("notification-policy", a) for a in ("create", "update", "delete")], {PA}),
    ("Manage webhooks: maintainer read/list", [("notification-policy", a) for a in ("read", "list")], {PA, MA}),
    ("Tag retention", [("tag-retention", a) for a in ("create", "update", "delete", "operate")], {PA, MA, DE}),
    ("Immutable rules", [("immutable-tag", a) for a in ("create", "update", "delete", "list")], {PA, MA}),
    ("Robots: create/update/delete", [("robot", a) for a in ("create", "update", "delete")], {PA}),
    ("Robots: list/read", [("robot", "list"), ("robot", "read")], {PA, MA, DE, GU}),
    # 2.16 column; the ≤2.12 column also ticks maintainer, developer and guest.
    ("Project audit log (log:list)", [("log", "list")], {PA}),
    ("Edit project settings/metadata, delete project",
     [("project", "update"), ("project", "delete"), ("metadata", "create"), ("metadata", "update"),
      ("metadata", "delete")], {PA}),
    # Reading the project itself, and its metadata (its settings), sits with "view project
    # configuration" (every role).
    ("View project configuration, quota",
     [("project", "read"), ("configuration", "read"), ("quota", "read"), ("metadata", "read"), ("metadata", "list")],
     ALL),
    ("CVE export", [("export-cve", "create"), ("export-cve", "read")], {PA, MA, DE}),
    ("Preheat policies", [("preheat-policy", a) for a in ("create", "update", "delete", "read", "list")], {PA}),
]
ROLE_TABLE: dict[tuple[str, str], set[str]] = {}
for _row, _pairs, _roles in SPEC_ROWS:
    for _pair in _pairs:
        ROLE_TABLE.setdefault(_pair, set()).update(_roles)

# "Anonymous/any user on a public project gets: project read, repository list+pull, artifact
# read/list, tag list, accessory list, artifact-addition read, scan/scanner read, label read/list."
PUBLIC_PROJECT = {("project", "read"), ("repository", "list"), ("repository", "pull"), ("artifact", "read"),
                  ("artifact", "list"), ("tag", "list"), ("accessory", "list"), ("artifact-addition", "read"),
                  ("scan", "read"), ("scanner", "read"), ("label", "read"), ("label", "list")}

PUBLIC = {"P": False, "Q": True}
PROJECTS = ("P", "Q")

# ==== the principals ===============================================================================
SYSTEM_ROBOT_ACCESS = {("repository", "pull"), ("repository", "push"), ("repository", "list"), ("artifact", "read"),
                       ("artifact", "list"), ("tag", "list"), ("tag", "create")}
PRINCIPAL_LIST = [
    Principal("sysadmin", "sysadmin"),
    *[Principal(role, "user", role) for role in ROLES],
    Principal("nonMember", "user", None),
    Principal("anonymous", "anonymous"),
    Principal("robotPull", "robot", robot_access={"P": {("repository", "pull")}}),
    Principal("robotPush", "robot", robot_access={"P": {("repository", "pull"), ("repository", "push")}}),
    Principal("robotSystem", "robot", robot_access={"*": SYSTEM_ROBOT_ACCESS}),
]
PRINCIPALS = {p.name: p for p in PRINCIPAL_LIST}


def holds_one(p: Principal, project: str, pair: tuple[str, str]) -> bool:
    if p.kind == "sysadmin":  # "Sysadmins pass every check."
        return True
    if PUBLIC[project] and pair in PUBLIC_PROJECT:
        return True
    if p.kind == "user":
        return p.role is not None and p.role in ROLE_TABLE.get(pair, set())
    if p.kind == "robot":
        return pair in p.robot_access.get(project, set()) | p.robot_access.get("*", set())
    return False


def holds(p: Principal, project: str, pairs) -> bool:
    return all(holds_one(p, project, pair) for pair in pairs)


# /v2 refusal for a caller whose Basic credentials are valid but who lacks the right. Spec §4.2:
# 401 + `Www-Authenticate: Basic realm="harbor"`. Berth's documented choice (README, architecture):
# 403 DENIED. Asserted as Berth documents it; reported to the lead as a deviation from §4.2.
V2_DENIED = (403, "DENIED")


# ==== the shared server and its setup ============================================================
class World:
    def __init__(self, srv):
        self.srv = srv
        self.url = srv.url
        self.names: dict[str, str] = {}
        self.ids: dict[str, int] = {}
        self.creds: dict[str, tuple[str, str] | None] = {}
        self.probes: dict[str, int] = {}

    def api(self, method: str, path: str, auth=None, **kw) -> requests.Response:
        if auth is not None:
            kw["auth"] = auth
        return requests.request(method, api_url(self.srv, path), timeout=30, **kw)

    def admin(self, method: str, path: str, expect: int, **kw) -> requests.Response:
        r = self.api(method, path, ADMIN, **kw)
        assert r.status_code == expect, (method, path, r.status_code, r.text[:300])
        return r

    def repo(self, k: str, repo: str = "app", suffix: str = "") -> str:
        return f"/projects/{self.names[k]}/repositories/{repo}{suffix}"

    def new_user(self, name: str) -> int:
        r = self.admin("POST", "/users", 201, json={"username": name, "email": f"{name}@example.com",
                                                    "realname": name, "password": PASSWORD})
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def new_webhook_policy(self, k: str) -> int:
        r = self.admin("POST", f"/projects/{self.names[k]}/webhook/policies", 201, json={
            "name": unique("wh"), "event_types": ["PUSH_ARTIFACT"], "enabled": True,
            "targets": [{"type": "http", "address": "http://127.0.0.1:9/hook"}]})
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def webhook_policy_names(self, k: str) -> set[str]:
        return {p["name"] for p in self.admin("GET", f"/projects/{self.names[k]}/webhook/policies", 200,
                                              params={"page_size": 100}).json()}

    def new_label(self, k: str) -> int:
        r = self.admin("POST", "/labels", 201, json={"name": unique("lbl"), "scope": "p", "project_id": self.ids[k]})
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def require(self, method: str, path: str, what: str) -> None:
        """Skips the cell when the endpoint is not implemented (404 for the system admin)."""
        key = f"{method} {path}"
        if key not in self.probes:
            self.probes[key] = self.api(method, path, ADMIN, json={}).status_code
        if self.probes[key] == 404:
            pytest.skip(f"endpoint missing: {what} (404 for the system admin)")


@pytest.fixture(scope="module")
def world(module_registry):
    srv = module_registry
    assert srv.auth == ADMIN
    w = World(srv)
    for k in PROJECTS:
        name = unique(f"rbac{k.lower()}")
        r = w.admin("POST", "/projects", 201, json={"project_name": name,
                                                     "metadata": {"public": str(PUBLIC[k]).lower()}})
        w.names[k], w.ids[k] = name, int(r.headers["Location"].rsplit("/", 1)[1])
    for p in PRINCIPAL_LIST:
        if p.kind in ("sysadmin", "user"):
            uname = unique(p.name.lower()[:8])
            uid = w.new_user(uname)
            w.creds[p.name] = (uname, PASSWORD)
            if p.kind == "sysadmin":
                w.admin("PUT", f"/users/{uid}/sysadmin", 200, json={"sysadmin_flag": True})
            if p.role is not None:
                for k in PROJECTS:
                    w.admin("POST", f"/projects/{w.names[k]}/members", 201,
                            json={"role_id": ROLE_IDS[p.role], "member_user": {"username": uname}})
        elif p.kind == "anonymous":
            w.creds[p.name] = None
        else:
            perms = []
            for ns, access in p.robot_access.items():
                perms.append({"kind": "project", "namespace": "*" if ns == "*" else w.names[ns],
                              "access": [{"resource": res, "action": act, "effect": "allow"}
                                         for res, act in sorted(access)]})
            level = "system" if "*" in p.robot_access else "project"
            r = w.admin("POST", "/robots", 201, json={"name": unique("rb"), "description": p.name, "level": level,
                                                      "duration": -1, "disable": False, "permissions": perms})
            w.creds[p.name] = (r.json()["name"], r.json()["secret"])
    # The /v2 and REST cells read <project>/app:v1; delete cells push their own artifacts.
    for k in PROJECTS:
        admin_push(w.url, f"{w.names[k]}/app", "v1")
    # Sanity: the roles are what the members API says (the matrix is meaningless otherwise).
    for k in PROJECTS:
        got = {m["entity_name"]: m["role_id"]
               for m in w.admin("GET", f"/projects/{w.names[k]}/members", 200, params={"page_size": 100}).json()}
        for p in PRINCIPAL_LIST:
            if p.role is not None:
                assert got.get(w.creds[p.name][0]) == ROLE_IDS[p.role], (k, p.name, got)
    return w


# ==== /api/v2.0 rows ===============================================================================
@dataclass
class Row:
    name: str
    pairs: list[tuple[str, str]]  # what the spec says the caller must hold
    ok: int  # status when allowed
    run: Callable  # (world, project key, auth) -> (response, after(allowed) or None)
    probe: tuple[str, str, str] | None = None  # (method, path with {P}, what) for endpoints that may be missing


API_ROWS: dict[str, Row] = {}


def row(name, pairs, ok, probe=None):
    def deco(fn):
        API_ROWS[name] = Row(name, pairs, ok, fn, probe)
        return fn
    return deco


@row("project:read", [("project", "read")], 200)
def _project_read(w, k, auth):
    return w.api("GET", f"/projects/{w.names[k]}", auth), None


# Harbor's summary handler requires project read; the quota it carries is the "View ... quota" row.
@row("summary:read", [("project", "read")], 200)
def _summary(w, k, auth):
    return w.api("GET", f"/projects/{w.names[k]}/summary", auth), None


@row("quota:read", [("quota", "read")], 200, probe=("GET", "/quotas?reference=project&reference_id={id}", "GET /quotas"))
def _quota(w, k, auth):
    return w.api("GET", "/quotas", auth, params={"reference": "project", "reference_id": w.ids[k]}), None


@row("repository:list", [("repository", "list")], 200)
def _repo_list(w, k, auth):
    r = w.api("GET", f"/projects/{w.names[k]}/repositories", auth)
    if r.status_code == 200:
        assert f"{w.names[k]}/app" in [x["name"] for x in r.json()], r.text
    return r, None


# Reading one repository: the spec's public rule grants "repository list" (not read) yet lets
# everyone see a public project's repositories, so GET repository is guarded by repository:list
# (as in Harbor's handler).
@row("repository:read", [("repository", "list")], 200)
def _repo_read(w, k, auth):
    return w.api("GET", w.repo(k), auth), None


@row("repository:update", [("repository", "update")], 200)
def _repo_update(w, k, auth):
    text = unique("desc")
    r = w.api("PUT", w.repo(k), auth, json={"description": text})

    def after(allowed):
        got = w.admin("GET", w.repo(k), 200).json()["description"]
        assert (got == text) == allowed, got
    return r, after


@row("repository:delete", [("repository", "delete")], 200)
def _repo_delete(w, k, auth):
    repo = unique("rd")
    admin_push(w.url, f"{w.names[k]}/{repo}", "v1")
    r = w.api("DELETE", w.repo(k, repo), auth)

    def after(allowed):
        assert w.api("GET", w.repo(k, repo), ADMIN).status_code == (404 if allowed else 200)
    return r, after


@row("artifact:list", [("artifact", "list")], 200)
def _artifact_list(w, k, auth):
    return w.api("GET", w.repo(k, suffix="/artifacts"), auth), None


@row("artifact:read", [("artifact", "read")], 200)
def _artifact_read(w, k, auth):
    return w.api("GET", w.repo(k, suffix="/artifacts/v1"), auth), None


@row("artifact-addition:read", [("artifact-addition", "read")], 200)
def _addition_read(w, k, auth):
    return w.api("GET", w.repo(k, suffix="/artifacts/v1/additions/build_history"), auth), None


@row("artifact:delete", [("artifact", "delete")], 200)
def _artifact_delete(w, k, auth):
    tag = unique("ad")
    digest = admin_push(w.url, f"{w.names[k]}/app", tag)
    r = w.api("DELETE", w.repo(k, suffix=f"/artifacts/{digest}"), auth)

    def after(allowed):
        assert w.api("GET", w.repo(k, suffix=f"/artifacts/{digest}"), ADMIN).status_code == (404 if allowed else 200)
    return r, after


# §2.4: a copy needs artifact create on the target and read (pull) on the source (here: the same project).
@row("artifact:create", [("artifact", "create"), ("repository", "pull")], 201)
def _artifact_copy(w, k, auth):
    repo = unique("cp")
    r = w.api("POST", w.repo(k, repo, "/artifacts"), auth, params={"from": f"{w.names[k]}/app:v1"})

    def after(allowed):
        assert w.api("GET", w.repo(k, repo), ADMIN).status_code == (200 if allowed else 404)
    return r, after


@row("tag:list", [("tag", "list")], 200)
def _tag_list(w, k, auth):
    return w.api("GET", w.repo(k, suffix="/artifacts/v1/tags"), auth), None


def _tag_names(w, k):
    return {t["name"] for t in w.admin("GET", w.repo(k, suffix="/artifacts/v1/tags"), 200,
                                       params={"page_size": 100, "q": "name=~t"}).json()}


@row("tag:create", [("tag", "create")], 201)
def _tag_create(w, k, auth):
    tag = unique("tc")
    r = w.api("POST", w.repo(k, suffix="/artifacts/v1/tags"), auth, json={"name": tag})

    def after(allowed):
        assert (tag in _tag_names(w, k)) == allowed
    return r, after


@row("tag:delete", [("tag", "delete")], 200)
def _tag_delete(w, k, auth):
    tag = unique("td")
    w.admin("POST", w.repo(k, suffix="/artifacts/v1/tags"), 201, json={"name": tag})
    r = w.api("DELETE", w.repo(k, suffix=f"/artifacts/v1/tags/{tag}"), auth)

    def after(allowed):
        assert (tag in _tag_names(w, k)) != allowed
    return r, after


def _label_ids(w, k):
    art = w.admin("GET", w.repo(k, suffix="/artifacts/v1"), 200, params={"with_label": "true"}).json()
    return {l["id"] for l in art.get("labels") or []}


@row("artifact-label:create", [("artifact-label", "create")], 200)
def _label_attach(w, k, auth):
    label = w.new_label(k)
    r = w.api("POST", w.repo(k, suffix="/artifacts/v1/labels"), auth, json={"id": label})

    def after(allowed):
        assert (label in _label_ids(w, k)) == allowed
    return r, after


@row("artifact-label:delete", [("artifact-label", "delete")], 200)
def _label_detach(w, k, auth):
    label = w.new_label(k)
    w.admin("POST", w.repo(k, suffix="/artifacts/v1/labels"), 200, json={"id": label})
    r = w.api("DELETE", w.repo(k, suffix=f"/artifacts/v1/labels/{label}"), auth)

    def after(allowed):
        assert (label in _label_ids(w, k)) != allowed
    return r, after


@row("label:create", [("label", "create")], 201)
def _label_create(w, k, auth):
    name = unique("lc")
    r = w.api("POST", "/labels", auth, json={"name": name, "scope": "p", "project_id": w.ids[k]})

    def after(allowed):
        got = w.admin("GET", "/labels", 200, params={"scope": "p", "project_id": w.ids[k], "name": name,
                                                      "page_size": 100}).json()
        assert (name in [l["name"] for l in got]) == allowed, got
    return r, after


@row("member:list", [("member", "list")], 200)
def _member_list(w, k, auth):
    return w.api("GET", f"/projects/{w.names[k]}/members", auth), None


@row("member:create", [("member", "create")], 201)
def _member_create(w, k, auth):
    uname = unique("mc")
    w.new_user(uname)
    r = w.api("POST", f"/projects/{w.names[k]}/members", auth, json={"role_id": 3, "member_user": {"username": uname}})

    def after(allowed):
        got = w.admin("GET", f"/projects/{w.names[k]}/members", 200, params={"entityname": uname}).json()
        assert (uname in [m["entity_name"] for m in got]) == allowed, got
    return r, after


@row("robot:list", [("robot", "list")], 200)
def _robot_list(w, k, auth):
    return w.api("GET", "/robots", auth, params={"q": f"Level=project,ProjectID={w.ids[k]}"}), None


@row("robot:create", [("robot", "create")], 201)
def _robot_create(w, k, auth):
    body = {"name": unique("nr"), "level": "project", "duration": -1, "disable": False,
            "permissions": [{"kind": "project", "namespace": w.names[k],
                             "access": [{"resource": "repository", "action": "pull", "effect": "allow"}]}]}
    return w.api("POST", "/robots", auth, json=body), None


@row("log:list", [("log", "list")], 200)
def _logs(w, k, auth):
    return w.api("GET", f"/projects/{w.names[k]}/logs", auth), None


@row("project:update", [("project", "update")], 200)
def _project_update(w, k, auth):
    # Re-states the project's own visibility: an allowed update changes nothing the matrix relies on.
    return w.api("PUT", f"/projects/{w.names[k]}", auth,
                 json={"metadata": {"public": str(PUBLIC[k]).lower()}}), None


def _metadata(w, k):
    return w.admin("GET", f"/projects/{w.names[k]}/metadatas/", 200).json()


@row("metadata:list", [("metadata", "list")], 200)
def _metadata_list(w, k, auth):
    r = w.api("GET", f"/projects/{w.names[k]}/metadatas/", auth)
    if r.status_code == 200:
        assert r.json()["public"] == str(PUBLIC[k]).lower(), r.text
    return r, None


@row("metadata:read", [("metadata", "read")], 200)
def _metadata_read(w, k, auth):
    r = w.api("GET", f"/projects/{w.names[k]}/metadatas/public", auth)
    if r.status_code == 200:
        assert r.json() == {"public": str(PUBLIC[k]).lower()}, r.text
    return r, None


# The metadata writes never touch "public": the matrix relies on P private and Q public.
@row("metadata:create", [("metadata", "create")], 200)
def _metadata_create(w, k, auth):
    w.admin("DELETE", f"/projects/{w.names[k]}/metadatas/prevent_vul", 200)
    r = w.api("POST", f"/projects/{w.names[k]}/metadatas/", auth, json={"prevent_vul": "true"})

    def after(allowed):
        got = _metadata(w, k)
        assert (got.get("prevent_vul") == "true") == allowed, got
    return r, after


@row("metadata:update", [("metadata", "update")], 200)
def _metadata_update(w, k, auth):
    w.admin("PUT", f"/projects/{w.names[k]}/metadatas/auto_scan", 200, json={"auto_scan": "false"})
    r = w.api("PUT", f"/projects/{w.names[k]}/metadatas/auto_scan", auth, json={"auto_scan": "true"})

    def after(allowed):
        got = _metadata(w, k)
        assert got["auto_scan"] == ("true" if allowed else "false"), got
    return r, after


@row("metadata:delete", [("metadata", "delete")], 200)
def _metadata_delete(w, k, auth):
    w.admin("PUT", f"/projects/{w.names[k]}/metadatas/auto_sbom_generation", 200,
            json={"auto_sbom_generation": "true"})
    r = w.api("DELETE", f"/projects/{w.names[k]}/metadatas/auto_sbom_generation", auth)

    def after(allowed):
        got = _metadata(w, k)
        assert ("auto_sbom_generation" not in got) == allowed, got
    return r, after


# An allowed DELETE reaches the store and gets 412 (the project still holds repositories), so the
# authorization decision is observable without deleting P or Q.
@row("project:delete", [("project", "delete")], 412)
def _project_delete(w, k, auth):
    r = w.api("DELETE", f"/projects/{w.names[k]}", auth)

    def after(allowed):
        w.admin("GET", f"/projects/{w.names[k]}", 200)
    return r, after


@row("notification-policy:list", [("notification-policy", "list")], 200)
def _webhooks(w, k, auth):
    return w.api("GET", f"/projects/{w.names[k]}/webhook/policies", auth), None


@row("notification-policy:read", [("notification-policy", "read")], 200)
def _webhook_read(w, k, auth):
    pid = w.new_webhook_policy(k)
    return w.api("GET", f"/projects/{w.names[k]}/webhook/policies/{pid}", auth), None


@row("notification-policy:create", [("notification-policy", "create")], 201)
def _webhook_create(w, k, auth):
    name = unique("whc")
    r = w.api("POST", f"/projects/{w.names[k]}/webhook/policies", auth, json={
        "name": name, "event_types": ["PULL_ARTIFACT"], "targets": [{"type": "http", "address": "http://127.0.0.1:9/"}]})

    def after(allowed):
        assert (name in w.webhook_policy_names(k)) == allowed
    return r, after


@row("notification-policy:update", [("notification-policy", "update")], 200)
def _webhook_update(w, k, auth):
    pid = w.new_webhook_policy(k)
    name = unique("whu")
    r = w.api("PUT", f"/projects/{w.names[k]}/webhook/policies/{pid}", auth, json={
        "name": name, "event_types": ["PULL_ARTIFACT"], "targets": [{"type": "http", "address": "http://127.0.0.1:9/"}]})

    def after(allowed):
        assert (name in w.webhook_policy_names(k)) == allowed
    return r, after


@row("notification-policy:delete", [("notification-policy", "delete")], 200)
def _webhook_delete(w, k, auth):
    pid = w.new_webhook_policy(k)
    r = w.api("DELETE", f"/projects/{w.names[k]}/webhook/policies/{pid}", auth)

    def after(allowed):
        status = w.api("GET", f"/projects/{w.names[k]}/webhook/policies/{pid}", ADMIN).status_code
        assert status == (404 if allowed else 200)
    return r, after


@row("immutable-tag:list", [("immutable-tag", "list")], 200,
     probe=("GET", "/projects/{P}/immutabletagrules", "GET /projects/{p}/immutabletagrules"))
def _immutable(w, k, auth):
    return w.api("GET", f"/projects/{w.names[k]}/immutabletagrules", auth), None


@row("scanner:read", [("scanner", "read")], 200,
     probe=("GET", "/projects/{P}/scanner", "GET /projects/{p}/scanner"))
def _scanner(w, k, auth):
    return w.api("GET", f"/projects/{w.names[k]}/scanner", auth), None


@row("scan:create", [("scan", "create")], 202,
     probe=("POST", "/projects/{P}/repositories/app/artifacts/v1/scan", "POST …/artifacts/{ref}/scan"))
def _scan(w, k, auth):
    return w.api("POST", w.repo(k, suffix="/artifacts/v1/scan"), auth, json={"scan_type": "vulnerability"}), None


# Garbage collection (/system/gc) is a system-level API: Harbor gives it to system administrators
# only (spec §11), so its pairs are in no role's row, the public-project rule, or any robot's access;
# the project key of a cell does not matter. The run and stop cells work on the newest run.
GC_PATHS = "/system/gc"


def _gc_idle(w):
    """Waits (as the admin) until no GC run is Pending or Running, so a Manual start is not a 409."""
    deadline = time.time() + 60
    while time.time() < deadline:
        runs = w.admin("GET", GC_PATHS, 200, params={"page_size": 10}).json()
        if not any(r["job_status"] in ("Pending", "Running") for r in runs):
            return
        time.sleep(0.2)
    raise AssertionError("a GC run is still in progress after 60 s")


def _gc_runs(w):
    return w.admin("GET", GC_PATHS, 200, params={"page_size": 100}).json()


def _gc_run_id(w):
    """The newest run; the admin starts a dry run when there is none."""
    runs = _gc_runs(w)
    if runs:
        return runs[0]["id"]
    _gc_idle(w)
    r = w.admin("POST", f"{GC_PATHS}/schedule", 201,
                json={"schedule": {"type": "Manual"}, "parameters": {"dry_run": True}})
    return int(r.headers["Location"].rsplit("/", 1)[1])


@row("gc:list", [("garbage-collection", "list")], 200)
def _gc_list(w, k, auth):
    return w.api("GET", GC_PATHS, auth), None


@row("gc:read", [("garbage-collection", "read")], 200)
def _gc_read(w, k, auth):
    return w.api("GET", f"{GC_PATHS}/{_gc_run_id(w)}", auth), None


@row("gc:read-log", [("garbage-collection", "read")], 200)
def _gc_log(w, k, auth):
    return w.api("GET", f"{GC_PATHS}/{_gc_run_id(w)}/log", auth), None


@row("gc:schedule-read", [("garbage-collection", "read")], 200)
def _gc_schedule_read(w, k, auth):
    return w.api("GET", f"{GC_PATHS}/schedule", auth), None


@row("gc:create", [("garbage-collection", "create")], 201)
def _gc_create(w, k, auth):
    _gc_idle(w)
    before = {r["id"] for r in _gc_runs(w)}
    r = w.api("POST", f"{GC_PATHS}/schedule", auth,
              json={"schedule": {"type": "Manual"}, "parameters": {"dry_run": True}})

    def after(allowed):
        new = [x for x in _gc_runs(w) if x["id"] not in before]
        assert len(new) == (1 if allowed else 0), new
        _gc_idle(w)
    return r, after


@row("gc:schedule-update", [("garbage-collection", "update")], 200)
def _gc_schedule_update(w, k, auth):
    current = w.admin("GET", f"{GC_PATHS}/schedule", 200).json()
    body = {"schedule": {"type": current["schedule"]["type"], "cron": current["schedule"]["cron"]},
            "parameters": current["parameters"]}
    r = w.api("PUT", f"{GC_PATHS}/schedule", auth, json=body)

    def after(allowed):
        now = w.admin("GET", f"{GC_PATHS}/schedule", 200).json()
        assert (now["schedule"]["type"], now["schedule"]["cron"]) == (body["schedule"]["type"],
                                                                      body["schedule"]["cron"]), now
    return r, after


@row("gc:stop", [("garbage-collection", "stop")], 200)
def _gc_stop(w, k, auth):
    _gc_idle(w)  # stopping a finished run changes nothing but must still be authorized
    return w.api("PUT", f"{GC_PATHS}/{_gc_run_id(w)}", auth), None


API_CELLS = [pytest.param(who, name, k, id=f"{who}-{name}-{k}")
             for name in API_ROWS for who in PRINCIPALS for k in PROJECTS]


@pytest.mark.parametrize("who,row_name,k", API_CELLS)
def test_api(world, who, row_name, k):
    spec_row = API_ROWS[row_name]
    if spec_row.probe:
        method, path, what = spec_row.probe
        world.require(method, path.replace("{P}", world.names["P"]).replace("{id}", str(world.ids["P"])), what)
    p = PRINCIPALS[who]
    allowed = holds(p, k, spec_row.pairs)
    r, after = spec_row.run(world, k, world.creds[who])
    if allowed:
        assert r.status_code == spec_row.ok, \
            f"{who} may {row_name} in {k} (spec §3): expected {spec_row.ok}, got {r.status_code} {r.text[:300]}"
    elif p.anonymous:
        assert r.status_code == 401, f"anonymous may not {row_name} in {k}: expected 401, got {r.status_code} {r.text[:300]}"
        assert error_code(r) == "UNAUTHORIZED"
    else:
        assert r.status_code == 403, f"{who} may not {row_name} in {k}: expected 403, got {r.status_code} {r.text[:300]}"
        assert error_code(r) == "FORBIDDEN"
    if after is not None:
        after(allowed)


def test_matrix_shape():
    """The table covers every role, and the matrix every principal kind the issue names."""
    assert {r for _, _, roles in SPEC_ROWS for r in roles} == set(ROLES)
    assert {p.kind for p in PRINCIPAL_LIST} == {"sysadmin", "user", "anonymous", "robot"}
    assert len(API_CELLS) == len(API_ROWS) * len(PRINCIPALS) * len(PROJECTS)


# ==== /v2 ========================================================================================
V2_ACTIONS = ("pull", "push", "delete")
V2_OK = {"pull": 200, "push": 201, "delete": 202}
V2_CELLS = [pytest.param(who, action, mode, k, id=f"{who}-repository:{action}-{mode}-{k}")
            for who in PRINCIPALS for k in PROJECTS for action in V2_ACTIONS for mode in ("direct", "token")]


def _v2_request(w, k, action, auth, bearer):
    """Does `action` on /v2 in project k; returns (response status, response or None, after(allowed))."""
    project = w.names[k]
    if action == "pull":
        if bearer is not None:  # the token flow, driven with curl
            status = curl_status(["-H", f"Authorization: Bearer {bearer}", "-H", f"Accept: {OCI_MANIFEST}",
                                  f"{w.url}/v2/{project}/app/manifests/v1"])
            return status, None, None
        r = get_manifest(w.url, f"{project}/app", "v1", auth)
        return r.status_code, r, None
    if action == "push":
        tag = unique("pu")
        r, _ = push(w.url, f"{project}/app", tag, auth, bearer)

        def after(allowed):
            assert get_manifest(w.url, f"{project}/app", tag, ADMIN).status_code == (200 if allowed else 404)
        return r.status_code, r, after
    digest = admin_push(w.url, f"{project}/app", unique("de"))  # a fresh artifact in the token's repository
    r = delete_manifest(w.url, f"{project}/app", digest, auth, bearer)

    def after(allowed):
        assert get_manifest(w.url, f"{project}/app", digest, ADMIN).status_code == (404 if allowed else 200)
    return r.status_code, r, after


@pytest.mark.parametrize("who,action,mode,k", V2_CELLS)
def test_v2(world, who, action, mode, k):
    p = PRINCIPALS[who]
    auth = world.creds[who]
    repo = f"{world.names[k]}/app"
    bearer = token(world.url, f"repository:{repo}:pull,push,delete", auth) if mode == "token" else None
    allowed = holds(p, k, [("repository", action)])
    status, r, after = _v2_request(world, k, action, None if mode == "token" else auth, bearer)
    if mode == "direct" and p.anonymous:
        # §4.2: without an Authorization header the answer is always the Bearer challenge, even
        # for a pull from a public project.
        allowed = False
        assert status == 401, (status, r.text[:300])
        challenge = r.headers.get("WWW-Authenticate", "")
        assert challenge.startswith("Bearer realm=") and 'service="harbor-registry"' in challenge, challenge
        assert "scope=\"repository:" in challenge, challenge
    elif allowed:
        assert status == V2_OK[action], f"{who} may {action} in {k}: got {status} {r.text[:300] if r is not None else ''}"
    elif mode == "token":
        # The token does not grant the action: the registry asks for a better token.
        assert status == 401, f"{who}'s token must not allow {action} in {k}: got {status}"
        if r is not None:
            assert r.headers.get("WWW-Authenticate", "").startswith("Bearer realm="), r.headers
    else:
        assert (status, error_code(r)) == V2_DENIED, f"{who} may not {action} in {k}: got {status} {r.text[:300]}"
    if after is not None:
        after(allowed)


TOKEN_CELLS = [pytest.param(who, k, id=f"{who}-{k}") for who in PRINCIPALS for k in PROJECTS]


@pytest.mark.parametrize("who,k", TOKEN_CELLS)
def test_token_grants(world, who, k):
    """§4.3: granted actions = requested ∩ what the caller holds."""
    p = PRINCIPALS[who]
    repo = f"{world.names[k]}/app"
    tok = token(world.url, f"repository:{repo}:pull,push,delete", world.creds[who])
    want = {a for a in V2_ACTIONS if holds(p, k, [("repository", a)])}
    assert granted(tok).get(f"repository:{repo}", set()) == want


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_v2_catalog(world, who):
    """/v2/_catalog and the registry:catalog:* scope are for system administrators only."""
    p = PRINCIPALS[who]
    auth = world.creds[who]
    r = requests.get(f"{world.url}/v2/_catalog", auth=auth, timeout=30)
    if p.kind == "sysadmin":
        assert r.status_code == 200 and f"{world.names['P']}/app" in r.json()["repositories"], r.text
    elif p.anonymous:
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer realm="), r.text
    else:
        assert (r.status_code, error_code(r)) == V2_DENIED, r.text
    tok = token(world.url, "registry:catalog:*", auth)
    assert bool(granted(tok).get("registry:catalog")) == (p.kind == "sysadmin"), granted(tok)
    status = curl_status(["-H", f"Authorization: Bearer {tok}", f"{world.url}/v2/_catalog"])
    assert status == (200 if p.kind == "sysadmin" else 401)


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_quota_limits_and_the_quota_list_are_for_system_administrators(world, who):
    """Changing a project's storage limit (PUT /quotas/{id}) and listing every quota are system
    permissions ("quota" update/list of the system catalog): system admins only — a project admin
    of P may read P's quota (the quota:read rows above) but not change it."""
    p = PRINCIPALS[who]
    auth = world.creds[who]
    q = world.admin("GET", "/quotas", 200, params={"reference": "project", "reference_id": world.ids["P"]}).json()[0]
    hard = q["hard"]["storage"]
    new = 1 << 40 if hard != 1 << 40 else (1 << 40) - 1
    r = world.api("PUT", f"/quotas/{q['id']}", auth, json={"hard": {"storage": new}})
    listing = world.api("GET", "/quotas", auth)
    if p.kind == "sysadmin":
        assert r.status_code == 200, r.text
        assert listing.status_code == 200 and int(listing.headers["X-Total-Count"]) >= 2, listing.text
        world.admin("PUT", f"/quotas/{q['id']}", 200, json={"hard": {"storage": hard}})
        return
    want = (401, "UNAUTHORIZED") if p.anonymous else (403, "FORBIDDEN")
    assert (r.status_code, error_code(r)) == want, r.text
    assert (listing.status_code, error_code(listing)) == want, listing.text
    after = world.admin("GET", f"/quotas/{q['id']}", 200).json()
    assert after["hard"]["storage"] == hard


# ==== real clients =================================================================================
@pytest.fixture(scope="module")
def images(world, tmp_path_factory):
    """A real image (layers, config) pushed by the admin as <P>/img:v1 and <Q>/img:v1 with skopeo."""
    tmp = tmp_path_factory.mktemp("rbac-layouts")
    img = make_image(n_layers=1)
    layout = write_oci_layout(tmp / "layout", {"v1": img})
    c = Clients(insecure=[world.srv.hostport], auth=ADMIN)
    try:
        for k in PROJECTS:
            c.skopeo("copy", "--dest-tls-verify=false", *c.creds_dest(), f"oci:{layout}:v1",
                     f"docker://{world.srv.hostport}/{world.names[k]}/img:v1")
    finally:
        c.cleanup()
    return img, layout


@pytest.fixture
def anon_clients(world):
    """skopeo/podman with an empty auth file: credentials come only from `login` in the test."""
    c = Clients(insecure=[world.srv.hostport], auth=None)
    yield c
    c.cleanup()


def _login(c: Clients, tool: str, world, auth):
    if tool == "skopeo":
        c.skopeo("login", "--tls-verify=false", "-u", auth[0], "-p", auth[1], world.srv.hostport)
    else:
        c.podman("login", "--tls-verify=false", "-u", auth[0], "-p", auth[1], world.srv.hostport)
    assert world.srv.hostport in json.loads(c.auth_file.read_text())["auths"]


def test_skopeo_developer_pushes_and_pulls_in_P(world, images, anon_clients, tmp_path):
    img, layout = images
    _login(anon_clients, "skopeo", world, world.creds[DE])
    ref = f"docker://{world.srv.hostport}/{world.names['P']}/skopeo-dev:1"
    anon_clients.skopeo("copy", "--dest-tls-verify=false", f"oci:{layout}:v1", ref)
    out = tmp_path / "out"
    anon_clients.skopeo("copy", "--src-tls-verify=false", ref, f"oci:{out}:back")
    idx = json.loads((out / "index.json").read_text())
    assert idx["manifests"][0]["digest"] == img.digest
    assert get_manifest(world.url, f"{world.names['P']}/skopeo-dev", "1", ADMIN).status_code == 200


def test_skopeo_guest_pulls_but_cannot_push_in_P(world, images, anon_clients, tmp_path):
    img, layout = images
    _login(anon_clients, "skopeo", world, world.creds[GU])
    src = f"docker://{world.srv.hostport}/{world.names['P']}/img:v1"
    out = tmp_path / "out"
    anon_clients.skopeo("copy", "--src-tls-verify=false", src, f"oci:{out}:back")
    assert json.loads((out / "index.json").read_text())["manifests"][0]["digest"] == img.digest
    dest = f"docker://{world.srv.hostport}/{world.names['P']}/skopeo-guest:1"
    p = anon_clients.skopeo("copy", "--dest-tls-verify=false", f"oci:{layout}:v1", dest, check=False)
    assert p.returncode != 0, p.stdout
    err = p.stderr.decode(errors="replace").lower()
    assert "denied" in err or "unauthorized" in err, err
    assert get_manifest(world.url, f"{world.names['P']}/skopeo-guest", "1", ADMIN).status_code == 404


def _image_id(c: Clients, ref: str) -> str:
    return c.podman("image", "inspect", "--format", "{{.Id}}", ref).stdout.decode().strip()


def test_podman_guest_logs_in_and_pulls_from_P(world, images, anon_clients):
    img, _ = images
    ref = f"{world.srv.hostport}/{world.names['P']}/img:v1"
    p = anon_clients.podman("pull", "--tls-verify=false", ref, check=False)
    assert p.returncode != 0, "an anonymous podman pull from private P must fail"
    _login(anon_clients, "podman", world, world.creds[GU])
    anon_clients.podman("pull", "--tls-verify=false", ref)
    assert _image_id(anon_clients, ref) in (img.json["config"]["digest"].split(":")[1], img.json["config"]["digest"])


def test_podman_anonymous_pull_from_public_Q(world, images, anon_clients):
    img, _ = images
    ref = f"{world.srv.hostport}/{world.names['Q']}/img:v1"
    anon_clients.podman("pull", "--tls-verify=false", ref)
    assert _image_id(anon_clients, ref) in (img.json["config"]["digest"].split(":")[1], img.json["config"]["digest"])
    assert json.loads(anon_clients.auth_file.read_text())["auths"] == {}
