"""The Helm chart repository (issue 5) against the real binary.

Charts are built with `tar` (Chart.yaml, values.yaml, templates/) and uploaded exactly as
`helm cm-push` does (multipart field `chart`, HTTP Basic); index.yaml is parsed with PyYAML;
downloads are compared byte for byte. Also: provenance files, the management API, deletes, the
three chart webhooks at a real receiver with their exact payloads, RBAC per role, hostile and broken
uploads (nothing stored, no event), overwrite rules, and one store for both worlds: a chartrepo
upload is pullable with skopeo, an OCI chart pushed through /v2 appears in index.yaml.
(`helm` itself is not in Debian 12's archive, so it is not used here.)
"""
from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import subprocess
import tarfile
import time

import pytest
import requests
import yaml

from conftest import AUTH
from e2e_lib import harbor_error, unique
from webhook_receiver import WebhookReceiver

HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
PASSWORD = "Passw0rdChart"
CONFIG = {"webhook": {"max_attempts": 3, "backoff_ms": "500,1000", "timeout_ms": 2000},
          "chart": {"max_upload_bytes": 2 * 1024 * 1024, "max_unpacked_bytes": 8 * 1024 * 1024}}


# ---- fixtures and helpers ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def srv(berth_module):
    return berth_module


@pytest.fixture(scope="module")
def berth_module(tmp_path_factory):
    from conftest import ServerFactory
    f = ServerFactory(tmp_path_factory, "chart")
    s = f(config=CONFIG)
    yield s
    f.finish()


@pytest.fixture
def receiver():
    r = WebhookReceiver().start()
    yield r
    r.stop()


def api(srv, method, path, auth=AUTH, **kw):
    kw.setdefault("timeout", 15)
    return requests.request(method, srv.url + path, auth=auth, **kw)


def new_project(srv, public=False) -> str:
    name = unique("ch")
    r = api(srv, "POST", "/api/v2.0/projects", json={"project_name": name, "metadata": {"public": str(public).lower()}})
    assert r.status_code == 201, r.text
    return name


def build_chart(tmp_path, name, version, values="replicaCount: 1\nimage:\n  repository: nginx\n",
                app_version="1.16", extra_yaml="") -> bytes:
    """A real chart directory packed with tar -czf (as `helm package` lays it out)."""
    root = tmp_path / unique("src")
    d = root / name
    (d / "templates").mkdir(parents=True)
    (d / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: {version}\n"
                                  f"appVersion: \"{app_version}\"\ndescription: Demo chart {name}\n"
                                  f"type: application\n{extra_yaml}")
    (d / "values.yaml").write_text(values)
    (d / "README.md").write_text(f"# {name}\n")
    (d / "templates" / "deployment.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    out = root / f"{name}-{version}.tgz"
    subprocess.run(["tar", "-czf", str(out), "-C", str(root), name], check=True)
    return out.read_bytes()


def raw_tar(entries: dict[str, bytes], compress=True) -> bytes:
    """An archive with arbitrary member names (tar(1) refuses to write the hostile ones)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in entries.items():
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tar.addfile(ti, io.BytesIO(data))
    return gzip.compress(buf.getvalue()) if compress else buf.getvalue()


def cm_push(srv, project, tgz: bytes, filename="chart.tgz", prov: bytes | None = None, auth=AUTH):
    files = {"chart": (filename, tgz, "application/octet-stream")}
    if prov is not None:
        files["prov"] = (filename + ".prov", prov, "application/octet-stream")
    return api(srv, "POST", f"/api/chartrepo/{project}/charts", auth=auth, files=files)


def index(srv, project, auth=AUTH) -> dict:
    r = api(srv, "GET", f"/chartrepo/{project}/index.yaml", auth=auth)
    assert r.status_code == 200, r.text
    doc = yaml.safe_load(r.content)
    assert doc["apiVersion"] == "v1"
    return doc


def sha_hex(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def add_policy(srv, project, address, events):
    body = {"name": unique("p"), "targets": [{"type": "http", "address": address}], "event_types": events,
            "enabled": True}
    r = api(srv, "POST", f"/api/v2.0/projects/{project}/webhook/policies", json=body)
    assert r.status_code == 201, r.text


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def chart_event(srv, type_, operator, project, name, version, occur_at, public=False) -> bytes:
    return compact({"type": type_, "occur_at": occur_at, "operator": operator, "event_data": {
        "resources": [{"tag": version,
                       "resource_url": f"{srv.url}/chartrepo/{project}/charts/{name}-{version}.tgz"}],
        "repository": {"name": name, "namespace": project, "repo_full_name": f"{project}/{name}",
                       "repo_type": "public" if public else "private"}}})


# ---- upload, index, download ------------------------------------------------------------------
def test_cm_push_then_index_and_download(srv, tmp_path):
    project = new_project(srv)
    tgz = build_chart(tmp_path, "demo", "0.1.0")
    r = cm_push(srv, project, tgz, "demo-0.1.0.tgz")
    assert r.status_code == 201, r.text
    assert r.json() == {"saved": True}
    doc = index(srv, project)
    entries = doc["entries"]["demo"]
    assert len(entries) == 1
    e = entries[0]
    assert e["name"] == "demo" and e["version"] == "0.1.0" and e["appVersion"] == "1.16"
    assert e["description"] == "Demo chart demo" and e["apiVersion"] == "v2"
    assert e["digest"] == sha_hex(tgz)
    assert e["urls"] == ["charts/demo-0.1.0.tgz"]
    created = e["created"]  # a YAML timestamp (PyYAML reads it as a datetime, as Helm reads a time)
    assert isinstance(created, datetime.datetime) and created.tzinfo is not None
    assert abs(created.timestamp() - time.time()) < 120
    d = api(srv, "GET", f"/chartrepo/{project}/charts/demo-0.1.0.tgz")
    assert d.status_code == 200 and d.content == tgz
    # the index in gzip form (what Go's HTTP client asks for) is the same document
    z = requests.get(srv.url + f"/chartrepo/{project}/index.yaml", auth=AUTH, headers={"Accept-Encoding": "gzip"},
                     stream=True, timeout=10)
    assert z.headers.get("Content-Encoding") == "gzip"
    assert yaml.safe_load(gzip.decompress(z.raw.read())) == yaml.safe_load(
        api(srv, "GET", f"/chartrepo/{project}/index.yaml", headers={"Accept-Encoding": "identity"}).content)
    # unknown chart files are 404 in Harbor's error shape
    harbor_error(api(srv, "GET", f"/chartrepo/{project}/charts/demo-9.9.9.tgz"), 404, "NOT_FOUND")


def test_versions_sort_and_dashed_names(srv, tmp_path):
    project = new_project(srv)
    for v in ("1.0.0", "1.10.0", "1.2.0", "2.0.0-rc.1"):
        assert cm_push(srv, project, build_chart(tmp_path, "my-app", v)).status_code == 201
    doc = index(srv, project)
    assert [e["version"] for e in doc["entries"]["my-app"]] == ["2.0.0-rc.1", "1.10.0", "1.2.0", "1.0.0"]
    d = api(srv, "GET", f"/chartrepo/{project}/charts/my-app-2.0.0-rc.1.tgz")
    assert d.status_code == 200 and sha_hex(d.content) == doc["entries"]["my-app"][0]["digest"]


def test_raw_body_and_library_upload(srv, tmp_path):
    project = new_project(srv)
    tgz = build_chart(tmp_path, "rawchart", "0.3.0")
    r = api(srv, "POST", f"/api/chartrepo/{project}/charts", data=tgz,
            headers={"Content-Type": "application/gzip"})
    assert r.status_code == 201, r.text
    assert index(srv, project)["entries"]["rawchart"][0]["digest"] == sha_hex(tgz)
    name = unique("lib")
    lib = build_chart(tmp_path, name, "1.0.0")
    r = api(srv, "POST", "/api/chartrepo/charts", files={"chart": ("x.tgz", lib)})
    assert r.status_code == 201, r.text
    assert index(srv, "library")["entries"][name][0]["digest"] == sha_hex(lib)


def test_provenance_upload_and_download(srv, tmp_path):
    project = new_project(srv)
    tgz = build_chart(tmp_path, "signed", "0.1.0")
    prov = (b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\nname: signed\nversion: 0.1.0\n\n...\n"
            b"files:\n  signed-0.1.0.tgz: sha256:" + sha_hex(tgz).encode() + b"\n-----BEGIN PGP SIGNATURE-----\n")
    assert cm_push(srv, project, tgz, "signed-0.1.0.tgz", prov=prov).status_code == 201
    d = api(srv, "GET", f"/chartrepo/{project}/charts/signed-0.1.0.tgz.prov")
    assert d.status_code == 200 and d.content == prov
    detail = api(srv, "GET", f"/api/chartrepo/{project}/charts/signed/0.1.0").json()
    assert detail["security"]["signature"]["signed"] is True
    # a provenance file uploaded on its own attaches to the existing version
    other = build_chart(tmp_path, "later", "0.2.0")
    assert cm_push(srv, project, other).status_code == 201
    harbor_error(api(srv, "GET", f"/chartrepo/{project}/charts/later-0.2.0.tgz.prov"), 404, "NOT_FOUND")
    prov2 = b"-----BEGIN PGP SIGNED MESSAGE-----\n\nname: later\nversion: 0.2.0\n"
    r = api(srv, "POST", f"/api/chartrepo/{project}/prov", files={"prov": ("later-0.2.0.tgz.prov", prov2)})
    assert r.status_code == 201, r.text
    assert api(srv, "GET", f"/chartrepo/{project}/charts/later-0.2.0.tgz.prov").content == prov2
    assert api(srv, "GET", f"/chartrepo/{project}/charts/later-0.2.0.tgz").content == other


# ---- the management API -----------------------------------------------------------------------
def test_api_lists_details_labels_and_deletes(srv, tmp_path):
    project = new_project(srv)
    t1 = build_chart(tmp_path, "web", "0.1.0", values="replicaCount: 2\nimage:\n  tag: \"1.0\"\n  pull: true\n",
                     extra_yaml="dependencies:\n  - name: redis\n    version: 17.0.0\n    repository: https://charts.example.com\n")
    t2 = build_chart(tmp_path, "web", "0.2.0")
    for t in (t1, t2):
        assert cm_push(srv, project, t).status_code == 201
    charts = api(srv, "GET", f"/api/chartrepo/{project}/charts").json()
    assert [(c["name"], c["total_versions"], c["latest_version"]) for c in charts] == [("web", 2, "0.2.0")]
    versions = api(srv, "GET", f"/api/chartrepo/{project}/charts/web").json()
    assert [v["version"] for v in versions] == ["0.2.0", "0.1.0"]
    assert versions[1]["digest"] == sha_hex(t1) and versions[1]["urls"] == ["charts/web-0.1.0.tgz"]
    detail = api(srv, "GET", f"/api/chartrepo/{project}/charts/web/0.1.0").json()
    assert detail["metadata"]["name"] == "web" and detail["metadata"]["version"] == "0.1.0"
    assert detail["values"] == {"replicaCount": 2, "image.tag": "1.0", "image.pull": True}
    assert detail["files"]["values.yaml"].startswith("replicaCount: 2")
    assert detail["files"]["README.md"] == "# web\n"
    assert detail["dependencies"] == [{"name": "redis", "version": "17.0.0", "repository": "https://charts.example.com"}]
    assert detail["security"]["signature"]["signed"] is False
    assert detail["labels"] == []
    # the same API under /api/v2.0
    assert api(srv, "GET", f"/api/v2.0/chartrepo/{project}/charts/web/0.2.0").status_code == 200
    # labels live on the artifact
    r = api(srv, "POST", "/api/v2.0/labels", json={"name": unique("l"), "scope": "g"})
    assert r.status_code == 201, r.text
    label_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert api(srv, "POST", f"/api/chartrepo/{project}/charts/web/0.1.0/labels", json={"id": label_id}).status_code == 200
    assert [l["id"] for l in api(srv, "GET", f"/api/chartrepo/{project}/charts/web/0.1.0/labels").json()] == [label_id]
    arts = api(srv, "GET", f"/api/v2.0/projects/{project}/repositories/web/artifacts?with_label=true").json()
    labelled = [a for a in arts if any(t["name"] == "0.1.0" for t in a.get("tags") or [])]
    assert [l["id"] for l in labelled[0]["labels"]] == [label_id]
    assert api(srv, "DELETE", f"/api/chartrepo/{project}/charts/web/0.1.0/labels/{label_id}").status_code == 200
    # delete one version, then the chart
    assert api(srv, "DELETE", f"/api/chartrepo/{project}/charts/web/0.1.0").status_code == 200
    assert [e["version"] for e in index(srv, project)["entries"]["web"]] == ["0.2.0"]
    harbor_error(api(srv, "GET", f"/chartrepo/{project}/charts/web-0.1.0.tgz"), 404, "NOT_FOUND")
    harbor_error(api(srv, "DELETE", f"/api/chartrepo/{project}/charts/web/0.1.0"), 404, "NOT_FOUND")
    assert api(srv, "DELETE", f"/api/chartrepo/{project}/charts/web").status_code == 200
    assert index(srv, project)["entries"] in ({}, None)
    assert api(srv, "GET", f"/api/chartrepo/{project}/charts").json() == []
    harbor_error(api(srv, "GET", f"/api/chartrepo/{project}/charts/web"), 404, "NOT_FOUND")
    assert api(srv, "GET", "/api/chartrepo/health").json() == {"healthy": True}
    harbor_error(api(srv, "GET", "/api/chartrepo/health", auth=None), 401, "UNAUTHORIZED")


def test_merged_index_is_for_system_admins(srv, tmp_path):
    project = new_project(srv)
    tgz = build_chart(tmp_path, "merged", "1.0.0")
    assert cm_push(srv, project, tgz).status_code == 201
    r = api(srv, "GET", "/chartrepo/index.yaml")
    assert r.status_code == 200
    doc = yaml.safe_load(r.content)
    e = doc["entries"][f"{project}/merged"][0]
    assert e["urls"] == [f"{project}/charts/merged-1.0.0.tgz"] and e["digest"] == sha_hex(tgz)
    harbor_error(api(srv, "GET", "/chartrepo/index.yaml", auth=None), 401, "UNAUTHORIZED")


# ---- one store: OCI both ways -----------------------------------------------------------------
def test_chartrepo_upload_is_an_oci_artifact(srv, tmp_path, clients):
    project = new_project(srv)
    tgz = build_chart(tmp_path, "ocicheck", "1.2.3")
    assert cm_push(srv, project, tgz).status_code == 201
    out = clients.skopeo("inspect", "--raw", "--tls-verify=false", *clients.creds(),
                         f"docker://{srv.hostport}/{project}/ocicheck:1.2.3").stdout
    m = json.loads(out)
    assert m["config"]["mediaType"] == HELM_CONFIG
    assert m["layers"][0] == {"mediaType": HELM_CHART, "digest": "sha256:" + sha_hex(tgz), "size": len(tgz)}
    layout = tmp_path / "layout"
    clients.skopeo("copy", "--src-tls-verify=false", *clients.creds_src(),
                   f"docker://{srv.hostport}/{project}/ocicheck:1.2.3", f"oci:{layout}:1.2.3")
    blob = layout / "blobs" / "sha256" / sha_hex(tgz)
    assert blob.read_bytes() == tgz
    arts = api(srv, "GET", f"/api/v2.0/projects/{project}/repositories/ocicheck/artifacts").json()
    assert [a["type"] for a in arts] == ["CHART"]


def test_oci_chart_pushed_through_v2_is_in_the_index(srv, tmp_path):
    project = new_project(srv)
    tgz = build_chart(tmp_path, "pushed", "3.1.0")
    config = json.dumps({"name": "pushed", "version": "3.1.0", "apiVersion": "v2", "appVersion": "9"}).encode()
    repo = f"{project}/pushed"
    for blob in (config, tgz):  # monolithic uploads, as curl would do them
        d = "sha256:" + sha_hex(blob)
        r = api(srv, "POST", f"/v2/{repo}/blobs/uploads/?digest={d}", data=blob,
                headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 201, r.text
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": HELM_CONFIG, "digest": "sha256:" + sha_hex(config), "size": len(config)},
                           "layers": [{"mediaType": HELM_CHART, "digest": "sha256:" + sha_hex(tgz), "size": len(tgz)}]})
    r = api(srv, "PUT", f"/v2/{repo}/manifests/3.1.0", data=manifest, headers={"Content-Type": OCI_MANIFEST})
    assert r.status_code == 201, r.text
    e = index(srv, project)["entries"]["pushed"][0]
    assert e["version"] == "3.1.0" and e["appVersion"] == "9" and e["digest"] == sha_hex(tgz)
    assert api(srv, "GET", f"/chartrepo/{project}/charts/pushed-3.1.0.tgz").content == tgz
    # deleting it through /v2 takes it out of the index again
    r = api(srv, "DELETE", f"/v2/{repo}/manifests/{r.headers['Docker-Content-Digest']}")
    assert r.status_code == 202, r.text
    assert "pushed" not in (index(srv, project)["entries"] or {})


# ---- webhooks -----------------------------------------------------------------------------------
def test_three_chart_events_with_exact_payloads(srv, tmp_path, receiver):
    project = new_project(srv)
    add_policy(srv, project, receiver.url("/chart"), ["UPLOAD_CHART", "DOWNLOAD_CHART", "DELETE_CHART"])
    add_policy(srv, project, receiver.url("/artifact"), ["PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT"])
    tgz = build_chart(tmp_path, "evt", "0.4.0")
    t0 = int(time.time())
    assert cm_push(srv, project, tgz).status_code == 201
    up = receiver.wait_for(1, path="/chart")[0]
    occur = json.loads(up.body)["occur_at"]
    assert t0 <= occur <= int(time.time()) + 1
    assert up.body == chart_event(srv, "UPLOAD_CHART", "admin", project, "evt", "0.4.0", occur)
    assert api(srv, "GET", f"/chartrepo/{project}/charts/evt-0.4.0.tgz").content == tgz
    api(srv, "HEAD", f"/chartrepo/{project}/charts/evt-0.4.0.tgz")  # not a download
    api(srv, "GET", f"/chartrepo/{project}/index.yaml")              # nor is the index
    down = receiver.wait_for(2, path="/chart")[1]
    occur = json.loads(down.body)["occur_at"]
    assert down.body == chart_event(srv, "DOWNLOAD_CHART", "admin", project, "evt", "0.4.0", occur)
    assert api(srv, "DELETE", f"/api/chartrepo/{project}/charts/evt/0.4.0").status_code == 200
    gone = receiver.wait_for(3, path="/chart")[2]
    occur = json.loads(gone.body)["occur_at"]
    assert gone.body == chart_event(srv, "DELETE_CHART", "admin", project, "evt", "0.4.0", occur)
    time.sleep(1.5)
    assert len(receiver.of("/chart")) == 3
    assert receiver.of("/artifact") == []  # a chartrepo upload is UPLOAD_CHART, not PUSH_ARTIFACT
    # deleting a whole chart: one DELETE_CHART per version
    for v in ("1.0.0", "1.1.0"):
        assert cm_push(srv, project, build_chart(tmp_path, "many", v)).status_code == 201
    receiver.wait_for(5, path="/chart")
    assert api(srv, "DELETE", f"/api/chartrepo/{project}/charts/many").status_code == 200
    got = receiver.wait_for(7, path="/chart")[5:]
    assert sorted(json.loads(d.body)["event_data"]["resources"][0]["tag"] for d in got) == ["1.0.0", "1.1.0"]
    assert {json.loads(d.body)["type"] for d in got} == {"DELETE_CHART"}


# ---- bad input ----------------------------------------------------------------------------------
def test_bad_uploads_store_nothing_and_fire_nothing(srv, tmp_path, receiver):
    project = new_project(srv)
    add_policy(srv, project, receiver.url(), ["UPLOAD_CHART", "PUSH_ARTIFACT"])
    good_yaml = b"apiVersion: v2\nname: bad\nversion: 0.1.0\n"
    cases = {
        "not gzip": (raw_tar({"bad/Chart.yaml": good_yaml}, compress=False), 400, "gzip"),
        "garbage": (b"\x1f\x8b" + b"\x00" * 64, 400, "archive"),
        "no Chart.yaml": (raw_tar({"bad/values.yaml": b"a: 1\n"}), 400, "Chart.yaml"),
        "no name": (raw_tar({"bad/Chart.yaml": b"apiVersion: v2\nversion: 0.1.0\n"}), 400, "no name"),
        "path in name": (raw_tar({"bad/Chart.yaml": b"name: ../x\nversion: 0.1.0\n"}), 400, "path separators"),
        "bad version": (raw_tar({"bad/Chart.yaml": b"name: bad\nversion: \"1.0\"\n"}), 400, "SemVer"),
        "dot dot": (raw_tar({"bad/Chart.yaml": good_yaml, "bad/../../evil": b"x"}), 400, ".."),
        "absolute": (raw_tar({"bad/Chart.yaml": good_yaml, "/etc/cron.d/evil": b"x"}), 400, "absolute"),
        "outside": (raw_tar({"bad/Chart.yaml": good_yaml, "other/x": b"x"}), 400, "outside"),
        "zip bomb": (raw_tar({"bad/Chart.yaml": good_yaml, "bad/templates/z.yaml": b"\0" * (16 * 1024 * 1024)}),
                     400, "unpacks to more than"),
    }
    for what, (body, status, text) in cases.items():
        r = cm_push(srv, project, body)
        msg = harbor_error(r, status, "BAD_REQUEST")
        assert text in msg, (what, msg)
    # oversize: 413 for a multipart body and for a raw body
    big = b"\x1f\x8b" + bytes(3 * 1024 * 1024)
    harbor_error(cm_push(srv, project, big), 413, "SIZE_INVALID")
    harbor_error(api(srv, "POST", f"/api/chartrepo/{project}/charts", data=big), 413, "SIZE_INVALID")
    harbor_error(api(srv, "POST", f"/api/chartrepo/{project}/charts", files={"other": ("x", b"y")}), 400, "BAD_REQUEST")
    assert index(srv, project)["entries"] in ({}, None)
    assert api(srv, "GET", f"/api/v2.0/projects/{project}/repositories").json() == []
    time.sleep(1.5)
    assert receiver.deliveries == []


def test_overwrite_replaces_unless_disabled(srv, berth_factory, tmp_path):
    project = new_project(srv)
    a = build_chart(tmp_path, "ow", "1.0.0", values="a: 1\n")
    b = build_chart(tmp_path, "ow", "1.0.0", values="a: 2\n")
    assert cm_push(srv, project, a).status_code == 201
    assert cm_push(srv, project, b).status_code == 201
    entries = index(srv, project)["entries"]["ow"]
    assert len(entries) == 1 and entries[0]["digest"] == sha_hex(b)
    assert api(srv, "GET", f"/chartrepo/{project}/charts/ow-1.0.0.tgz").content == b
    strict = berth_factory(config={"chart": {"allow_overwrite": False}})
    p2 = new_project(strict)
    assert cm_push(strict, p2, a).status_code == 201
    harbor_error(cm_push(strict, p2, b), 409, "CONFLICT")
    assert index(strict, p2)["entries"]["ow"][0]["digest"] == sha_hex(a)


# ---- RBAC -----------------------------------------------------------------------------------------
ROLES = {"admin": 1, "developer": 2, "guest": 3, "maintainer": 4, "limited": 5}


def test_rbac_per_role(srv, tmp_path):
    project = new_project(srv)
    users = {}
    for role, role_id in ROLES.items():
        name = unique(role[:3])
        r = api(srv, "POST", "/api/v2.0/users", json={"username": name, "email": f"{name}@example.com",
                                                      "realname": name, "password": PASSWORD})
        assert r.status_code == 201, r.text
        r = api(srv, "POST", f"/api/v2.0/projects/{project}/members",
                json={"role_id": role_id, "member_user": {"username": name}})
        assert r.status_code == 201, r.text
        users[role] = (name, PASSWORD)
    base = build_chart(tmp_path, "rb", "0.0.1")
    assert cm_push(srv, project, base).status_code == 201
    for role, creds in users.items():
        # everybody reads
        assert api(srv, "GET", f"/chartrepo/{project}/index.yaml", auth=creds).status_code == 200, role
        assert api(srv, "GET", f"/chartrepo/{project}/charts/rb-0.0.1.tgz", auth=creds).content == base, role
        assert api(srv, "GET", f"/api/chartrepo/{project}/charts", auth=creds).status_code == 200, role
        assert api(srv, "GET", f"/api/chartrepo/{project}/charts/rb/0.0.1", auth=creds).status_code == 200, role
        # developer and up upload
        version = f"1.0.{ROLES[role]}"
        r = cm_push(srv, project, build_chart(tmp_path, "rb", version), auth=creds)
        if role in ("admin", "maintainer", "developer"):
            assert r.status_code == 201, (role, r.text)
        else:
            harbor_error(r, 403, "FORBIDDEN")
            continue
        # maintainer and up delete
        r = api(srv, "DELETE", f"/api/chartrepo/{project}/charts/rb/{version}", auth=creds)
        if role in ("admin", "maintainer"):
            assert r.status_code == 200, (role, r.text)
        else:
            harbor_error(r, 403, "FORBIDDEN")
    harbor_error(api(srv, "DELETE", f"/api/chartrepo/{project}/charts/rb", auth=users["developer"]), 403, "FORBIDDEN")
    # anonymous: nothing on a private project, read-only on a public one
    harbor_error(api(srv, "GET", f"/chartrepo/{project}/index.yaml", auth=None), 401, "UNAUTHORIZED")
    harbor_error(api(srv, "GET", f"/chartrepo/{project}/charts/rb-0.0.1.tgz", auth=None), 401, "UNAUTHORIZED")
    public = new_project(srv, public=True)
    assert cm_push(srv, public, base).status_code == 201
    assert api(srv, "GET", f"/chartrepo/{public}/charts/rb-0.0.1.tgz", auth=None).content == base
    assert "rb" in index(srv, public, auth=None)["entries"]
    harbor_error(cm_push(srv, public, base, auth=None), 401, "UNAUTHORIZED")
    harbor_error(api(srv, "DELETE", f"/api/chartrepo/{public}/charts/rb", auth=None), 401, "UNAUTHORIZED")
    # wrong password is 401, not anonymous
    harbor_error(api(srv, "GET", f"/chartrepo/{public}/index.yaml", auth=("admin", "wrong")), 401, "UNAUTHORIZED")
