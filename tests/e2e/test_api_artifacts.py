"""Harbor's repositories, artifacts, tags, labels, artifact copy, /search and /statistics over the
real binary: images pushed with skopeo (single images, a multi-arch index, a nested repository
name), then every endpoint as a Harbor client would drive it — double-encoded repository names,
paging headers, filters, every error status with Harbor's error body, RBAC for guest / developer /
maintainer / outsider / anonymous, a copy pulled back with skopeo, and deletes through the REST
API checked against /v2 and the blob reference counts in the database.

Members are added through POST /projects/{p}/members; the database is only read (blob reference
counts, the audit log).
"""
import re
import sqlite3
import subprocess

import pytest
import requests

from e2e_lib import (OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, Clients, api_url, make_image, make_index,
                     read_oci_layout, sha256, write_oci_layout)

# Annotations come back as pushed, whatever characters they hold.
B_ANNOTATIONS = {"org.opencontainers.image.title": "b", "z.note": "line\nbreak \"quoted\" \\ é 😀 \u0001"}

ADMIN = ("admin", "Harbor12345")
GUEST = ("gus", "Passw0rdG")
DEV = ("devi", "Passw0rdD")
MAINT = ("mara", "Passw0rdM")
OTTO = ("otto", "Passw0rdO")  # signed in, member of nothing here
ZERO_TIME = "0001-01-01T00:00:00.000Z"
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ROLE = {"admin": 1, "developer": 2, "guest": 3, "maintainer": 4}


class Env:
    """The shared server, clients, and what the fixture pushed."""

    def __init__(self, srv, clients, tmp):
        self.srv, self.clients, self.tmp = srv, clients, tmp
        self.project_ids = {}
        self.user_ids = {}
        self.images = {}

    def api(self, path):
        return api_url(self.srv, path)

    def get(self, path, auth=ADMIN, **kw):
        return requests.get(self.api(path), auth=auth, **kw)

    def sql(self, query):
        """Reads from the server's live database with the sqlite3 CLI (WAL; waits for the writer)."""
        out = subprocess.run(["sqlite3", "-readonly", "-cmd", ".timeout 10000", str(self.srv.data_dir / "berth.db"),
                              query], capture_output=True, text=True, check=True)
        return out.stdout

    def push(self, repo, tag, img, creds=ADMIN, all_=False):
        layout = write_oci_layout(self.tmp / f"layout-{sha256(img.manifest)[7:19]}", {"t": img})
        args = ["copy", "--dest-tls-verify=false", f"--dest-creds={creds[0]}:{creds[1]}"]
        if all_:
            args.append("--all")
        self.clients.skopeo(*args, f"oci:{layout}:t", f"docker://{self.srv.hostport}/{repo}:{tag}")


def error_code(r, status):
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:300]}"
    body = r.json()
    assert set(body) == {"errors"} and isinstance(body["errors"], list) and body["errors"], body
    assert body["errors"][0]["message"], body
    return body["errors"][0]["code"]


def repo_path(project, repo, suffix=""):
    """/projects/{p}/repositories/{repo with '/' sent as %252F, as Harbor clients do}."""
    return f"/projects/{project}/repositories/{repo.replace('/', '%252F')}{suffix}"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from conftest import ServerFactory
    f = ServerFactory(tmp_path_factory, "artifacts")
    srv = f(env={"BERTH_ADMIN_PASSWORD": ADMIN[1]})
    clients = Clients(insecure=[], auth=ADMIN)
    e = Env(srv, clients, tmp_path_factory.mktemp("layouts"))
    for user in (GUEST, DEV, MAINT, OTTO):
        r = requests.post(e.api("/users"), auth=ADMIN, json={"username": user[0], "password": user[1],
                                                             "email": f"{user[0]}@example.com"})
        assert r.status_code == 201, r.text
        e.user_ids[user[0]] = int(r.headers["Location"].rsplit("/", 1)[1])
    for name, public in (("art", False), ("pubart", True), ("cpy", False)):
        r = requests.post(e.api("/projects"), auth=ADMIN, json={"project_name": name,
                                                                "metadata": {"public": str(public).lower()}})
        assert r.status_code == 201, r.text
        e.project_ids[name] = int(r.headers["Location"].rsplit("/", 1)[1])
    for project in ("art", "cpy"):
        for user, role in ((GUEST, "guest"), (DEV, "developer"), (MAINT, "maintainer")):
            r = requests.post(e.api(f"/projects/{e.project_ids[project]}/members"), auth=ADMIN,
                              json={"role_id": ROLE[role], "member_user": {"user_id": e.user_ids[user[0]]}})
            assert r.status_code == 201, r.text

    # Two images sharing their first layer (same files → byte-identical layer), a multi-arch
    # index, a nested repository name and a public image — all pushed with skopeo.
    base = {"base/os-release": b"ID=berth\n"}
    e.images["a"] = make_image(files=[base, {"app/a.bin": b"A" * 300}])
    e.images["b"] = make_image(files=[base, {"app/b.bin": b"B" * 300}], annotations=B_ANNOTATIONS)
    e.images["multi"] = make_index([make_image(arch="amd64"), make_image(arch="arm64")])
    e.images["nested"] = make_image()
    e.images["pub"] = make_image()
    e.push("art/app", "v1", e.images["a"])
    e.push("art/app", "v2", e.images["b"])
    e.push("art/multi", "latest", e.images["multi"], all_=True)
    e.push("art/a/b", "v1", e.images["nested"])
    e.push("pubart/pubapp", "1.0", e.images["pub"])
    yield e
    clients.cleanup()
    f.finish()


def artifact_size(img):
    return len(img.manifest) + sum(len(b) for b in img.blobs.values())


def check_ref_counts(e):
    """Every blob's stored ref_count equals the manifests referencing it; returns digest → count."""
    db = sqlite3.connect(f"file:{e.srv.data_dir / 'berth.db'}?mode=ro", uri=True, timeout=10)
    try:
        rows = db.execute("SELECT b.digest, b.ref_count, (SELECT count(*) FROM manifest_blobs mb "
                          "WHERE mb.digest = b.digest) FROM blobs b").fetchall()
    finally:
        db.close()
    for digest, stored, counted in rows:
        assert stored == counted, f"blob {digest}: ref_count {stored}, referenced by {counted} manifests"
    return {d: c for d, c, _ in rows}


def audit_events(e):
    return e.sql("SELECT event_type || ' ' || resource || ' ' || username FROM audit_log ORDER BY id").splitlines()


# ---- repositories ---------------------------------------------------------------------------------

def test_repositories_in_a_project_with_paging_filters_and_sort(env):
    r = env.get("/projects/art/repositories?page_size=100")
    assert r.status_code == 200, r.text
    repos = {x["name"]: x for x in r.json()}
    assert {"art/app", "art/multi", "art/a/b"} <= set(repos)
    app = repos["art/app"]
    assert set(app) == {"id", "project_id", "name", "description", "artifact_count", "pull_count",
                        "creation_time", "update_time"}
    assert app["project_id"] == env.project_ids["art"] and app["artifact_count"] == 2
    assert repos["art/multi"]["artifact_count"] == 1  # the index; its children are not listed
    assert TIME_RE.match(app["creation_time"]) and TIME_RE.match(app["update_time"])

    total = int(r.headers["X-Total-Count"])
    first = env.get("/projects/art/repositories?page=1&page_size=1&sort=name")
    assert first.status_code == 200 and len(first.json()) == 1
    assert first.headers["X-Total-Count"] == str(total)
    assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    names = [x["name"] for x in env.get(f"/projects/art/repositories?sort=name&page_size={total}").json()]
    assert names == sorted(names)
    desc = [x["name"] for x in env.get(f"/projects/art/repositories?sort=-name&page_size={total}").json()]
    assert desc == sorted(names, reverse=True)
    last = env.get(f"/projects/art/repositories?page={total}&page_size=1&sort=name")
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]

    fuzzy = env.get("/projects/art/repositories", params={"q": "name=~MULT"}).json()
    assert [x["name"] for x in fuzzy] == ["art/multi"]
    exact = env.get("/projects/art/repositories", params={"q": "name=art/a/b"}).json()
    assert [x["name"] for x in exact] == ["art/a/b"]
    assert error_code(env.get("/projects/art/repositories", params={"q": "size=3"}), 400) == "BAD_REQUEST"
    assert error_code(env.get("/projects/art/repositories", params={"sort": "colour"}), 400) == "BAD_REQUEST"
    assert error_code(env.get("/projects/art/repositories?page_size=1000"), 400) == "BAD_REQUEST"
    assert error_code(env.get("/projects/nope/repositories"), 404) == "NOT_FOUND"
    assert env.get("/projects/pubart/repositories").json()[0]["name"] == "pubart/pubapp"


def test_repository_get_update_with_double_encoded_names(env):
    nested = env.get(repo_path("art", "a/b"))
    assert nested.status_code == 200, nested.text
    assert nested.json()["name"] == "art/a/b" and nested.json()["artifact_count"] == 1
    assert env.get("/projects/art/repositories/a%2Fb").json()["id"] == nested.json()["id"]  # single-encoded too
    by_id = env.get(f"/projects/{env.project_ids['art']}/repositories/app").json()
    assert by_id["name"] == "art/app"

    r = requests.put(env.api(repo_path("art", "a/b")), auth=DEV, json={"description": "nested one"})
    assert r.status_code == 200, r.text
    assert env.get(repo_path("art", "a/b")).json()["description"] == "nested one"
    assert error_code(requests.put(env.api(repo_path("art", "a/b")), auth=DEV, json={"description": 5}),
                      400) == "BAD_REQUEST"
    assert error_code(requests.put(env.api(repo_path("art", "a/b")), auth=DEV, data=b"{"), 400) == "BAD_REQUEST"
    assert error_code(requests.put(env.api(repo_path("art", "a/b")), auth=GUEST, json={"description": "x"}),
                      403) == "FORBIDDEN"
    assert env.get(repo_path("art", "a/b")).json()["description"] == "nested one"  # nothing changed

    assert error_code(env.get(repo_path("art", "nothing/here")), 404) == "NOT_FOUND"
    assert error_code(env.get(repo_path("art", "UPPER")), 400) == "BAD_REQUEST"
    assert error_code(env.get("/projects/art/repositories/a%25ZZb"), 400) == "BAD_REQUEST"


def test_all_repositories_are_scoped_to_what_the_caller_sees(env):
    def names(auth):
        r = requests.get(env.api("/repositories?page_size=100"), auth=auth)
        assert r.status_code == 200, r.text
        return {x["name"] for x in r.json()}
    everything = names(ADMIN)
    assert {"art/app", "art/multi", "art/a/b", "pubart/pubapp"} <= everything
    assert {"art/app", "pubart/pubapp"} <= names(GUEST)
    assert names(OTTO) == {n for n in everything if n.startswith("pubart/")}
    assert names(None) == names(OTTO)  # anonymous: public projects only
    assert requests.get(env.api("/repositories"), auth=("otto", "wrong")).status_code == 401


# ---- artifacts ------------------------------------------------------------------------------------

def test_artifact_list_shapes_and_filters(env):
    a, b = env.images["a"], env.images["b"]
    r = env.get(repo_path("art", "app", "/artifacts"))
    assert r.status_code == 200, r.text
    assert r.headers["X-Total-Count"] == "2"
    arts = {x["digest"]: x for x in r.json()}
    assert set(arts) == {a.digest, b.digest}
    x = arts[a.digest]
    assert x["type"] == "IMAGE" and x["media_type"] == OCI_CONFIG and x["manifest_media_type"] == OCI_MANIFEST
    assert x["artifact_type"] == OCI_CONFIG
    assert x["project_id"] == env.project_ids["art"] and x["repository_name"] == "art/app"
    assert x["size"] == artifact_size(a) and x["icon"] == ""
    assert TIME_RE.match(x["push_time"]) and x["pull_time"] == ZERO_TIME
    assert x["extra_attrs"]["architecture"] == "amd64" and x["extra_attrs"]["os"] == "linux"
    assert x["extra_attrs"]["config"]["Env"] == ["PATH=/usr/bin:/bin"]
    assert x["references"] is None and x["accessories"] is None and x["labels"] is None
    assert x["annotations"] is None and arts[b.digest]["annotations"] == B_ANNOTATIONS
    assert [t["name"] for t in x["tags"]] == ["v1"]
    tag = x["tags"][0]
    assert tag["artifact_id"] == x["id"] and tag["repository_id"] == x["repository_id"] and tag["id"] > 0
    assert tag["immutable"] is False and tag["pull_time"] == ZERO_TIME
    link = x["addition_links"]["build_history"]
    assert link == {"href": f"/api/v2.0/projects/art/repositories/app/artifacts/{a.digest}/additions/build_history",
                    "absolute": False}
    assert "vulnerabilities" in x["addition_links"]
    hist = env.get(link["href"].removeprefix("/api/v2.0"))
    assert hist.status_code == 200 and [h["created_by"] for h in hist.json()] == ["berth e2e", "berth e2e"]

    page = env.get(repo_path("art", "app", "/artifacts?page=1&page_size=1"))
    assert len(page.json()) == 1 and page.headers["X-Total-Count"] == "2" and 'rel="next"' in page.headers["Link"]
    assert env.get(repo_path("art", "app", "/artifacts?with_tag=false")).json()[0]["tags"] is None
    assert env.get(repo_path("art", "app", "/artifacts?with_label=true")).json()[0]["labels"] == []

    def q(repo, query):
        r = env.get(repo_path("art", repo, "/artifacts"), params={"q": query})
        assert r.status_code == 200, (query, r.text)
        return [x["digest"] for x in r.json()]
    assert q("app", "tags=v2") == [b.digest]
    assert sorted(q("app", "tags=~V")) == sorted([a.digest, b.digest])
    assert q("app", "tags=nil") == []
    assert sorted(q("app", "tags=*")) == sorted([a.digest, b.digest])
    assert sorted(q("app", "type=IMAGE")) == sorted([a.digest, b.digest])
    assert q("app", "type=CHART") == []
    assert sorted(q("app", f"media_type={OCI_CONFIG}")) == sorted([a.digest, b.digest])
    assert q("app", f"digest={a.digest}") == [a.digest]
    for bad in ("colour=red", "tags=[1~2]", "type=SPACESHIP", "digest=nope", "labels=(x)", "tags"):
        assert error_code(env.get(repo_path("art", "app", "/artifacts"), params={"q": bad}), 400) == "BAD_REQUEST", bad
    assert error_code(env.get(repo_path("art", "app", "/artifacts?with_tag=maybe")), 400) == "BAD_REQUEST"
    assert error_code(env.get(repo_path("art", "app", "/artifacts?sort=size")), 400) == "BAD_REQUEST"
    assert error_code(env.get(repo_path("art", "ghost", "/artifacts")), 404) == "NOT_FOUND"


def test_multi_arch_index_and_its_children(env):
    idx = env.images["multi"]
    listed = env.get(repo_path("art", "multi", "/artifacts")).json()
    assert [x["digest"] for x in listed] == [idx.digest]  # untagged children are not listed
    x = listed[0]
    assert x["type"] == "IMAGE" and x["manifest_media_type"] == OCI_INDEX and x["media_type"] == OCI_INDEX
    assert x["size"] == len(idx.manifest) + sum(artifact_size(c) for c in idx.children)
    assert x["extra_attrs"] == {} and "build_history" not in x["addition_links"]
    refs = x["references"]
    assert [r["child_digest"] for r in refs] == [c.digest for c in idx.children]
    assert [r["platform"]["architecture"] for r in refs] == ["amd64", "arm64"]
    assert all(r["parent_id"] == x["id"] and r["platform"]["os"] == "linux" for r in refs)
    child = env.get(repo_path("art", "multi", f"/artifacts/{idx.children[1].digest}"))
    assert child.status_code == 200 and child.json()["id"] == refs[1]["child_id"]
    assert child.json()["extra_attrs"]["architecture"] == "arm64" and child.json()["tags"] == []
    by_digest = env.get(repo_path("art", "multi", "/artifacts"), params={"q": f"digest={idx.children[0].digest}"})
    assert [y["digest"] for y in by_digest.json()] == [idx.children[0].digest]
    media = env.get(repo_path("art", "multi", "/artifacts"), params={"q": f"media_type={OCI_INDEX}"}).json()
    assert [y["digest"] for y in media] == [idx.digest]

    # A child still listed by its index cannot be deleted alone.
    r = requests.delete(env.api(repo_path("art", "multi", f"/artifacts/{idx.children[0].digest}")), auth=MAINT)
    assert error_code(r, 412) == "PRECONDITION"
    assert env.srv.api.get_manifest("art/multi", idx.children[0].digest).status_code == 200


def test_get_artifact_by_tag_or_digest_and_errors(env):
    a = env.images["a"]
    by_tag = env.get(repo_path("art", "app", "/artifacts/v1"))
    by_digest = env.get(repo_path("art", "app", f"/artifacts/{a.digest}"))
    assert by_tag.status_code == 200 and by_tag.json() == by_digest.json()
    assert by_tag.json()["digest"] == a.digest
    nested = env.get(repo_path("art", "a/b", "/artifacts/v1"))
    assert nested.status_code == 200 and nested.json()["repository_name"] == "art/a/b"
    assert nested.json()["addition_links"]["build_history"]["href"].startswith(
        "/api/v2.0/projects/art/repositories/a%252Fb/artifacts/")
    assert error_code(env.get(repo_path("art", "app", "/artifacts/nope")), 404) == "NOT_FOUND"
    assert error_code(env.get(repo_path("art", "app", f"/artifacts/{sha256(b'x')}")), 404) == "NOT_FOUND"
    assert error_code(env.get(repo_path("art", "app", "/artifacts/sha256:short")), 400) == "BAD_REQUEST"
    assert error_code(env.get(repo_path("art", "app", "/artifacts/-bad-tag")), 400) == "BAD_REQUEST"
    assert error_code(env.get(repo_path("art", "app", "/artifacts/v1"), auth=OTTO), 403) == "FORBIDDEN"
    assert error_code(env.get(repo_path("art", "app", "/artifacts/v1"), auth=None), 401) == "UNAUTHORIZED"
    pub = env.get(repo_path("pubart", "pubapp", "/artifacts/1.0"), auth=None)  # anonymous, public project
    assert pub.status_code == 200 and pub.json()["digest"] == env.images["pub"].digest


# ---- tags -----------------------------------------------------------------------------------------

def test_tags_create_list_delete(env):
    a, b = env.images["a"], env.images["b"]
    tags_url = env.api(repo_path("art", "app", "/artifacts/v1/tags"))
    r = requests.post(tags_url, auth=DEV, json={"name": "extra"})
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith("/artifacts/v1/tags/extra")
    assert env.srv.api.get_manifest("art/app", "extra").headers["Docker-Content-Digest"] == a.digest
    for name in ("v2", "extra"):  # a name used anywhere in the repository: the API never re-points
        assert error_code(requests.post(tags_url, auth=DEV, json={"name": name}), 409) == "CONFLICT"
    assert env.srv.api.get_manifest("art/app", "v2").headers["Docker-Content-Digest"] == b.digest
    for body in ({"name": "bad tag"}, {"name": ""}, {"name": "x" * 129}, {}, {"name": 3}, []):
        assert error_code(requests.post(tags_url, auth=DEV, json=body), 400) == "BAD_REQUEST", body
    assert error_code(requests.post(env.api(repo_path("art", "app", "/artifacts/nope/tags")), auth=DEV,
                                    json={"name": "n"}), 404) == "NOT_FOUND"
    assert error_code(requests.post(tags_url, auth=GUEST, json={"name": "g"}), 403) == "FORBIDDEN"

    listed = requests.get(tags_url, auth=GUEST)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert sorted(t["name"] for t in listed.json()) == ["extra", "v1"]
    assert [t["name"] for t in requests.get(tags_url, auth=GUEST, params={"q": "name=~xtr"}).json()] == ["extra"]
    one = requests.get(tags_url + "?page=2&page_size=1&sort=name", auth=GUEST)
    assert [t["name"] for t in one.json()] == ["v1"] and 'rel="prev"' in one.headers["Link"]

    assert error_code(requests.delete(tags_url + "/extra", auth=DEV), 403) == "FORBIDDEN"
    assert error_code(requests.delete(tags_url + "/v2", auth=MAINT), 404) == "NOT_FOUND"  # v2 is b's tag
    assert requests.delete(tags_url + "/extra", auth=MAINT).status_code == 200
    assert error_code(requests.delete(tags_url + "/extra", auth=MAINT), 404) == "NOT_FOUND"
    assert env.srv.api.get_manifest("art/app", "extra").status_code == 404
    assert env.srv.api.get_manifest("art/app", "v1").status_code == 200
    events = audit_events(env)
    assert "create_tag art/app:extra devi" in events and "delete_tag art/app:extra mara" in events


# ---- labels ---------------------------------------------------------------------------------------

def test_labels_lifecycle_and_permissions(env):
    labels = env.api("/labels")
    r = requests.post(labels, auth=ADMIN, json={"name": "prod", "description": "live", "color": "#00ff00"})
    assert r.status_code == 201, r.text
    gid = int(r.headers["Location"].rsplit("/", 1)[1])
    assert error_code(requests.post(labels, auth=ADMIN, json={"name": "prod"}), 409) == "CONFLICT"
    assert error_code(requests.post(labels, auth=MAINT, json={"name": "nope"}), 403) == "FORBIDDEN"
    assert error_code(requests.post(labels, json={"name": "nope"}), 401) == "UNAUTHORIZED"
    for body in ({"description": "no name"}, {"name": ""}, {"name": "s", "scope": "x"}, {"name": "p", "scope": "p"},
                 {"name": 1}):
        assert error_code(requests.post(labels, auth=ADMIN, json=body), 400) == "BAD_REQUEST", body

    art_id, pub_id = env.project_ids["art"], env.project_ids["pubart"]
    r = requests.post(labels, auth=MAINT, json={"name": "team", "scope": "p", "project_id": art_id})
    assert r.status_code == 201, r.text
    pid = int(r.headers["Location"].rsplit("/", 1)[1])
    assert error_code(requests.post(labels, auth=DEV, json={"name": "d", "scope": "p", "project_id": art_id}),
                      403) == "FORBIDDEN"
    assert error_code(requests.post(labels, auth=ADMIN, json={"name": "d", "scope": "p", "project_id": 99999}),
                      404) == "NOT_FOUND"
    r = requests.post(labels, auth=ADMIN, json={"name": "elsewhere", "scope": "p", "project_id": pub_id})
    foreign = int(r.headers["Location"].rsplit("/", 1)[1])

    g = requests.get(labels, auth=OTTO, params={"scope": "g"})
    assert g.status_code == 200 and [x["name"] for x in g.json()] == ["prod"]
    assert g.json()[0] == {**g.json()[0], "id": gid, "description": "live", "color": "#00ff00", "scope": "g",
                           "project_id": 0}
    assert error_code(requests.get(labels), 401) == "UNAUTHORIZED"
    p = requests.get(labels, auth=GUEST, params={"scope": "p", "project_id": art_id})
    assert p.status_code == 200 and [x["id"] for x in p.json()] == [pid] and p.headers["X-Total-Count"] == "1"
    assert error_code(requests.get(labels, auth=OTTO, params={"scope": "p", "project_id": art_id}), 403) == "FORBIDDEN"
    assert error_code(requests.get(labels, auth=ADMIN, params={"scope": "p"}), 400) == "BAD_REQUEST"
    assert error_code(requests.get(labels, auth=ADMIN, params={"scope": "q"}), 400) == "BAD_REQUEST"
    assert [x["name"] for x in requests.get(labels, auth=ADMIN, params={"scope": "g", "name": "PRO"}).json()] == ["prod"]

    one = requests.get(f"{labels}/{pid}", auth=GUEST)
    assert one.status_code == 200 and one.json()["name"] == "team" and one.json()["project_id"] == art_id
    assert error_code(requests.get(f"{labels}/{pid}", auth=OTTO), 403) == "FORBIDDEN"
    assert error_code(requests.get(f"{labels}/999999", auth=ADMIN), 404) == "NOT_FOUND"
    assert error_code(requests.get(f"{labels}/abc", auth=ADMIN), 400) == "BAD_REQUEST"
    assert requests.put(f"{labels}/{pid}", auth=MAINT, json={"name": "team2", "color": "#123456"}).status_code == 200
    assert requests.get(f"{labels}/{pid}", auth=GUEST).json()["name"] == "team2"
    assert error_code(requests.put(f"{labels}/{pid}", auth=DEV, json={"name": "x"}), 403) == "FORBIDDEN"
    requests.post(labels, auth=ADMIN, json={"name": "qa"})
    assert error_code(requests.put(f"{labels}/{gid}", auth=ADMIN, json={"name": "qa"}), 409) == "CONFLICT"
    assert error_code(requests.put(f"{labels}/{gid}", auth=ADMIN, json={"name": ""}), 400) == "BAD_REQUEST"

    # Attach to artifacts (developer may), filter by labels, detach.
    a_labels = env.api(repo_path("art", "app", "/artifacts/v1/labels"))
    assert requests.post(a_labels, auth=DEV, json={"id": gid}).status_code == 200
    assert requests.post(a_labels, auth=DEV, json={"id": pid}).status_code == 200
    assert error_code(requests.post(a_labels, auth=DEV, json={"id": gid}), 409) == "CONFLICT"
    assert error_code(requests.post(a_labels, auth=DEV, json={"id": foreign}), 400) == "BAD_REQUEST"
    assert error_code(requests.post(a_labels, auth=DEV, json={"id": 999999}), 404) == "NOT_FOUND"
    assert error_code(requests.post(a_labels, auth=DEV, json={"id": "x"}), 400) == "BAD_REQUEST"
    assert error_code(requests.post(a_labels, auth=GUEST, json={"id": gid}), 403) == "FORBIDDEN"
    b_labels = env.api(repo_path("art", "app", "/artifacts/v2/labels"))
    assert requests.post(b_labels, auth=DEV, json={"id": gid}).status_code == 200

    arts = env.get(repo_path("art", "app", "/artifacts?with_label=true")).json()
    by_digest = {x["digest"]: x for x in arts}
    assert [l["id"] for l in by_digest[env.images["a"].digest]["labels"]] == [gid, pid]
    both = env.get(repo_path("art", "app", "/artifacts"), params={"q": f"labels=({gid} {pid})"}).json()
    assert [x["digest"] for x in both] == [env.images["a"].digest]
    assert len(env.get(repo_path("art", "app", "/artifacts"), params={"q": f"labels=({gid})"}).json()) == 2

    assert error_code(requests.delete(f"{a_labels}/{pid}", auth=GUEST), 403) == "FORBIDDEN"
    assert requests.delete(f"{a_labels}/{pid}", auth=DEV).status_code == 200
    assert error_code(requests.delete(f"{a_labels}/{pid}", auth=DEV), 404) == "NOT_FOUND"
    assert error_code(requests.delete(f"{labels}/{gid}", auth=MAINT), 403) == "FORBIDDEN"
    assert requests.delete(f"{labels}/{gid}", auth=ADMIN).status_code == 200
    assert env.get(repo_path("art", "app", "/artifacts/v2?with_label=true")).json()["labels"] == []
    assert error_code(requests.get(f"{labels}/{gid}", auth=ADMIN), 404) == "NOT_FOUND"


# ---- copy -----------------------------------------------------------------------------------------

def test_copy_an_index_then_pull_the_copy(env, tmp_path):
    idx = env.images["multi"]
    before = check_ref_counts(env)
    target = env.api(repo_path("cpy", "mirror/multi", "/artifacts"))
    r = requests.post(target, auth=DEV, params={"from": "art/multi:latest"})
    assert r.status_code == 201, r.text
    loc = r.headers["Location"]
    assert loc == f"/api/v2.0/projects/cpy/repositories/mirror%252Fmulti/artifacts/{idx.digest}"
    got = requests.get(env.srv.url + loc, auth=DEV)
    assert got.status_code == 200 and got.json()["digest"] == idx.digest
    assert [t["name"] for t in got.json()["tags"]] == ["latest"]
    assert [x["child_digest"] for x in got.json()["references"]] == [c.digest for c in idx.children]

    out = tmp_path / "out"
    env.clients.skopeo("copy", "--all", "--src-tls-verify=false", f"--src-creds={DEV[0]}:{DEV[1]}",
                       f"docker://{env.srv.hostport}/cpy/mirror/multi:latest", f"oci:{out}:pulled")
    assert read_oci_layout(out)["pulled"]["digest"] == idx.digest
    for c in idx.children:
        assert (out / "blobs" / "sha256" / c.digest[7:]).read_bytes() == c.manifest
        for d, data in c.blobs.items():
            assert (out / "blobs" / "sha256" / d[7:]).read_bytes() == data
            assert env.srv.api.get_blob("cpy/mirror/multi", d).content == data
    after = check_ref_counts(env)
    for c in idx.children:
        for d in c.blobs:
            assert after[d] == before[d] + 1, d

    assert error_code(requests.post(target, auth=DEV, params={"from": "art/multi:latest"}), 409) == "CONFLICT"
    by_digest = requests.post(env.api(repo_path("cpy", "app", "/artifacts")), auth=DEV,
                              params={"from": f"art/app@{env.images['b'].digest}"})
    assert by_digest.status_code == 201, by_digest.text
    assert env.srv.api.get_manifest("cpy/app", "v2").headers["Docker-Content-Digest"] == env.images["b"].digest


def test_copy_errors_and_permissions(env):
    target = env.api(repo_path("cpy", "err", "/artifacts"))
    for bad in ("", "nonsense", "art/app", "art/app:bad tag", "art/app@sha256:zz", "app:v1", "ART/app:v1"):
        assert error_code(requests.post(target, auth=DEV, params={"from": bad}), 400) == "BAD_REQUEST", bad
    assert error_code(requests.post(target, auth=DEV, params={"from": "art/app:nope"}), 404) == "NOT_FOUND"
    assert error_code(requests.post(target, auth=DEV, params={"from": "art/ghost:v1"}), 404) == "NOT_FOUND"
    assert error_code(requests.post(target, auth=DEV, params={"from": "gone/app:v1"}), 404) == "NOT_FOUND"
    assert error_code(requests.post(target, auth=GUEST, params={"from": "art/app:v1"}), 403) == "FORBIDDEN"
    assert error_code(requests.post(target, params={"from": "art/app:v1"}), 401) == "UNAUTHORIZED"
    # Otto owns a project of his own, but may not read art: the source needs pull.
    assert requests.post(env.api("/projects"), auth=OTTO, json={"project_name": "ottos"}).status_code == 201
    mine = env.api(repo_path("ottos", "stolen", "/artifacts"))
    assert error_code(requests.post(mine, auth=OTTO, params={"from": "art/app:v1"}), 403) == "FORBIDDEN"
    assert requests.post(mine, auth=OTTO, params={"from": "pubart/pubapp:1.0"}).status_code == 201
    assert env.get(repo_path("cpy", "err")).status_code == 404  # nothing was created by the failures


# ---- deletes --------------------------------------------------------------------------------------

def test_delete_artifact_is_the_v2_delete(env, tmp_path):
    a, b = env.images["a"], env.images["b"]
    shared = sha256(a.layers[0])
    assert shared == sha256(b.layers[0])
    counts = check_ref_counts(env)
    url = env.api(repo_path("art", "app", "/artifacts/v2"))
    assert error_code(requests.delete(url, auth=DEV), 403) == "FORBIDDEN"
    assert error_code(requests.delete(url, auth=GUEST), 403) == "FORBIDDEN"
    r = requests.delete(url, auth=MAINT)
    assert r.status_code == 200, r.text
    assert env.srv.api.get_manifest("art/app", b.digest).status_code == 404
    assert env.srv.api.get_manifest("art/app", "v2").status_code == 404
    assert error_code(requests.delete(url, auth=MAINT), 404) == "NOT_FOUND"
    after = check_ref_counts(env)
    assert after[shared] == counts[shared] - 1
    assert after[sha256(b.config)] == counts[sha256(b.config)] - 1

    # The image sharing the layer still pulls completely.
    out = tmp_path / "a"
    env.clients.skopeo("copy", "--src-tls-verify=false", f"--src-creds={GUEST[0]}:{GUEST[1]}",
                       f"docker://{env.srv.hostport}/art/app:v1", f"oci:{out}:a")
    assert read_oci_layout(out)["a"]["digest"] == a.digest
    assert (out / "blobs" / "sha256" / shared[7:]).read_bytes() == a.layers[0]
    assert env.get(repo_path("art", "app")).json()["artifact_count"] == 1
    assert "delete_artifact art/app:v2 mara" in audit_events(env)

    # By digest, on an image pushed for this purpose: every tag goes with it.
    img = make_image()
    env.push("art/victim", "one", img)
    env.push("art/victim", "two", img)
    r = requests.delete(env.api(repo_path("art", "victim", f"/artifacts/{img.digest}")), auth=MAINT)
    assert r.status_code == 200
    for ref in ("one", "two", img.digest):
        assert env.srv.api.get_manifest("art/victim", ref).status_code == 404
    check_ref_counts(env)


def test_delete_index_takes_its_untagged_children_along(env):
    idx = make_index([make_image(arch="amd64"), make_image(arch="arm64")])
    env.push("art/plat", "latest", idx, all_=True)
    keep = idx.children[1]
    r = requests.post(env.api(repo_path("art", "plat", f"/artifacts/{keep.digest}/tags")), auth=DEV, json={"name": "arm"})
    assert r.status_code == 201, r.text
    counts = check_ref_counts(env)
    assert requests.delete(env.api(repo_path("art", "plat", "/artifacts/latest")), auth=MAINT).status_code == 200
    assert env.srv.api.get_manifest("art/plat", idx.digest).status_code == 404
    assert env.srv.api.get_manifest("art/plat", idx.children[0].digest).status_code == 404
    assert env.srv.api.get_manifest("art/plat", "arm").headers["Docker-Content-Digest"] == keep.digest
    assert [x["digest"] for x in env.get(repo_path("art", "plat", "/artifacts")).json()] == [keep.digest]
    after = check_ref_counts(env)
    for d in idx.children[0].blobs:
        assert after[d] == counts[d] - 1
    for d in keep.blobs:
        assert after[d] == counts[d]


def test_delete_repository_removes_everything(env):
    nested = env.images["nested"]
    url = env.api(repo_path("art", "a/b"))
    assert error_code(requests.delete(url, auth=DEV), 403) == "FORBIDDEN"
    assert error_code(requests.delete(url), 401) == "UNAUTHORIZED"
    counts = check_ref_counts(env)
    assert requests.delete(url, auth=MAINT).status_code == 200
    assert error_code(requests.get(url, auth=MAINT), 404) == "NOT_FOUND"
    assert error_code(requests.delete(url, auth=MAINT), 404) == "NOT_FOUND"
    assert env.srv.api.get_manifest("art/a/b", "v1").status_code == 404
    assert env.srv.api.get_manifest("art/a/b", nested.digest).status_code == 404
    assert env.srv.api.get("/v2/art/a/b/tags/list").status_code == 404
    assert "art/a/b" not in {x["name"] for x in env.get("/projects/art/repositories?page_size=100").json()}
    after = check_ref_counts(env)
    for d in nested.blobs:
        assert after[d] == counts[d] - 1
    assert "delete_repository art/a/b mara" in audit_events(env)

    # A repository holding an index and its children goes in one step, and can be pushed again.
    idx = make_index([make_image(arch="amd64"), make_image(arch="s390x")])
    env.push("art/gone", "x", idx, all_=True)
    assert requests.delete(env.api(repo_path("art", "gone")), auth=ADMIN).status_code == 200
    for c in idx.children:
        assert env.srv.api.get_manifest("art/gone", c.digest).status_code == 404
    check_ref_counts(env)
    env.push("art/gone", "again", make_image())
    assert env.get(repo_path("art", "gone")).json()["artifact_count"] == 1


# ---- search, statistics, pulls ---------------------------------------------------------------------

def test_search(env):
    r = env.get("/search", params={"q": "app"})
    assert r.status_code == 200, r.text
    repos = {x["repository_name"]: x for x in r.json()["repository"]}
    assert {"art/app", "pubart/pubapp"} <= set(repos)
    assert repos["art/app"] == {"project_id": env.project_ids["art"], "project_name": "art", "project_public": False,
                                "repository_name": "art/app", "pull_count": repos["art/app"]["pull_count"],
                                "artifact_count": repos["art/app"]["artifact_count"]}
    assert repos["pubart/pubapp"]["project_public"] is True
    projects = {p["name"] for p in env.get("/search", params={"q": "art"}).json()["project"]}
    assert {"art", "pubart"} <= projects
    otto = requests.get(env.api("/search"), auth=OTTO, params={"q": "app"}).json()
    assert all(not x["repository_name"].startswith("art/") for x in otto["repository"])
    assert "pubart/pubapp" in {x["repository_name"] for x in otto["repository"]}
    assert "art" not in {p["name"] for p in requests.get(env.api("/search"), auth=OTTO, params={"q": "art"}).json()["project"]}
    anon = requests.get(env.api("/search"), params={"q": "art"}).json()
    assert {p["name"] for p in anon["project"]} == {"pubart"}
    assert error_code(env.get("/search"), 400) == "BAD_REQUEST"


def test_statistics(env):
    admin = env.get("/statistics").json()
    assert admin["total_project_count"] == admin["private_project_count"] + admin["public_project_count"]
    assert admin["total_repo_count"] == admin["private_repo_count"] + admin["public_repo_count"]
    assert admin["public_project_count"] >= 1 and admin["private_project_count"] >= 2
    assert admin["total_storage_consumption"] > 0
    guest = requests.get(env.api("/statistics"), auth=GUEST).json()
    assert "total_storage_consumption" not in guest
    assert guest["private_project_count"] == 2  # art and cpy
    assert guest["public_repo_count"] == admin["public_repo_count"]
    otto = requests.get(env.api("/statistics"), auth=OTTO).json()
    assert otto["private_project_count"] == 1  # his own
    assert error_code(requests.get(env.api("/statistics")), 401) == "UNAUTHORIZED"


def test_pulls_set_pull_time_and_count(env):
    # Pull statistics are written in batches (at most every 10 s) and when the server stops: a
    # restart first writes whatever earlier tests left pending.
    env.srv.restart()
    repo_before = env.get(repo_path("pubart", "pubapp")).json()["pull_count"]
    for _ in range(3):
        assert env.srv.api.get_manifest("pubart/pubapp", "1.0").status_code == 200
    assert env.srv.api.get_manifest("pubart/pubapp", "1.0", method="HEAD").status_code == 200  # not a pull
    env.srv.restart()
    art = env.get(repo_path("pubart", "pubapp", "/artifacts/1.0")).json()
    assert art["pull_time"] != ZERO_TIME and TIME_RE.match(art["pull_time"])
    assert art["tags"][0]["pull_time"] != ZERO_TIME
    assert env.get(repo_path("pubart", "pubapp")).json()["pull_count"] == repo_before + 3
