"""Authentication and authorization on /v2 and the token endpoint, as Docker clients see them.

Real binary; requests for the wire protocol, skopeo for the full token flow of a real client."""
import base64
import re
import hashlib
import json

import pytest
import requests

ADMIN = ("admin", "Harbor12345")
USER = ("uma", "Passw0rdU")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    from conftest import ServerFactory
    f = ServerFactory(tmp_path_factory, "regauth")
    s = f(env={"BERTH_ADMIN_PASSWORD": ADMIN[1]})
    api = f"{s.url}/api/v2.0"
    requests.post(f"{api}/users", auth=ADMIN, json={"username": USER[0], "password": USER[1]}).raise_for_status()
    for name, public, owner in (("open", True, ADMIN), ("closed", False, ADMIN), ("umas", False, USER)):
        r = requests.post(f"{api}/projects", auth=owner, json={"project_name": name, "metadata": {"public": str(public).lower()}})
        assert r.status_code == 201, r.text
    for repo in ("open/app", "closed/app"):
        push_tiny(s, repo, "v1", ADMIN)
    yield s
    f.finish()


def push_tiny(srv, repo, tag, auth=None, headers=None):
    blob = json.dumps({"repo": repo}).encode()
    d = "sha256:" + hashlib.sha256(blob).hexdigest()
    r = requests.post(f"{srv.url}/v2/{repo}/blobs/uploads/?digest={d}", data=blob, auth=auth, headers={
        "Content-Type": "application/octet-stream", **(headers or {})})
    if r.status_code != 201:
        return r
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {
        "mediaType": "application/vnd.oci.image.config.v1+json", "digest": d, "size": len(blob)}, "layers": []})
    return requests.put(f"{srv.url}/v2/{repo}/manifests/{tag}", data=manifest, auth=auth,
                        headers={"Content-Type": OCI_MANIFEST, **(headers or {})})


def challenge(r):
    h = r.headers.get("WWW-Authenticate", "")
    assert h.startswith("Bearer "), h
    return dict(re.findall(r'(\w+)="([^"]*)"', h))


def token(srv, scope=None, auth=None, service="harbor-registry"):
    params = {"service": service}
    if scope:
        params["scope"] = scope
    return requests.get(f"{srv.url}/service/token", params=params, auth=auth)


def claims(tok):
    payload = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_anonymous_requests_get_the_bearer_challenge(srv):
    r = requests.get(f"{srv.url}/v2/")
    assert r.status_code == 401
    c = challenge(r)
    assert c["realm"] == f"http://127.0.0.1:{srv.port}/service/token" and c["service"] == "harbor-registry"
    assert r.headers["Docker-Distribution-API-Version"] == "registry/2.0"
    assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"
    # even public repositories challenge first (docker needs it); the scope says what to ask for
    r = requests.get(f"{srv.url}/v2/open/app/manifests/v1")
    assert r.status_code == 401 and challenge(r)["scope"] == "repository:open/app:pull"
    r = requests.put(f"{srv.url}/v2/open/app/manifests/v2", data=b"{}")
    assert r.status_code == 401 and challenge(r)["scope"] == "repository:open/app:pull,push"
    r = requests.delete(f"{srv.url}/v2/open/app/manifests/v1")
    assert challenge(r)["scope"] == "repository:open/app:delete"


def test_token_grants_the_intersection_of_request_and_rights(srv):
    anon = token(srv, "repository:open/app:pull,push")
    assert anon.status_code == 200
    body = anon.json()
    assert set(body) >= {"token", "access_token", "expires_in", "issued_at"}
    c = claims(body["token"])
    assert c["iss"] == "harbor-token-issuer" and c["aud"] == "harbor-registry" and c["sub"] == ""
    assert c["access"] == [{"type": "repository", "name": "open/app", "actions": ["pull"]}]
    assert claims(token(srv, "repository:closed/app:pull").json()["token"])["access"][0]["actions"] == []
    admin = claims(token(srv, "repository:closed/app:pull,push,delete", ADMIN).json()["token"])
    assert admin["sub"] == "admin" and admin["access"][0]["actions"] == ["pull", "push", "delete"]
    user = claims(token(srv, "repository:closed/app:pull", USER).json()["token"])
    assert user["access"][0]["actions"] == []
    catalog = claims(token(srv, "registry:catalog:*", ADMIN).json()["token"])
    assert catalog["access"] == [{"type": "registry", "name": "catalog", "actions": ["*"]}]
    assert token(srv, "repository:open/app:pull", ("admin", "Wrong0000")).status_code == 401
    assert token(srv).status_code == 401  # neither credentials nor scope
    assert token(srv, "repository:open/app:pull", service="elsewhere").status_code == 400


def test_bearer_tokens_open_exactly_their_scope(srv):
    anon = token(srv, "repository:open/app:pull").json()["token"]
    hdr = {"Authorization": f"Bearer {anon}"}
    r = requests.get(f"{srv.url}/v2/open/app/manifests/v1", headers={**hdr, "Accept": OCI_MANIFEST})
    assert r.status_code == 200  # anonymous pull of a public project, through the token flow
    assert requests.get(f"{srv.url}/v2/closed/app/manifests/v1", headers=hdr).status_code == 401
    assert push_tiny(srv, "open/app", "anon", headers=hdr).status_code == 401
    tampered = anon[:-4] + ("AAAA" if not anon.endswith("AAAA") else "BBBB")
    assert requests.get(f"{srv.url}/v2/open/app/manifests/v1", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    adm = token(srv, "repository:closed/app:pull,push", ADMIN).json()["token"]
    assert push_tiny(srv, "closed/app", "v2", headers={"Authorization": f"Bearer {adm}"}).status_code == 201


def test_basic_auth_rbac_on_v2(srv):
    assert requests.get(f"{srv.url}/v2/", auth=USER).status_code == 200
    r = push_tiny(srv, "closed/app", "x", USER)
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "DENIED"
    assert requests.get(f"{srv.url}/v2/closed/app/tags/list", auth=USER).status_code == 403
    assert requests.get(f"{srv.url}/v2/open/app/tags/list", auth=USER).status_code == 200  # public read
    assert push_tiny(srv, "open/app", "x", USER).status_code == 403  # but no write
    assert push_tiny(srv, "umas/app", "v1", USER).status_code == 201  # own project
    r = push_tiny(srv, "nowhere/app", "v1", ADMIN)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "NAME_UNKNOWN"
    r = requests.get(f"{srv.url}/v2/UPPER/app/tags/list", auth=USER)
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "NAME_INVALID"
    assert requests.get(f"{srv.url}/v2/", auth=("uma", "nope")).status_code == 401
    assert requests.get(f"{srv.url}/v2/_catalog", auth=ADMIN).status_code == 200
    r = requests.get(f"{srv.url}/v2/_catalog", auth=USER)
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "DENIED"


def test_skopeo_logs_in_through_the_token_flow(srv, clients, tmp_path):
    from e2e_lib import make_image, write_oci_layout
    layout = tmp_path / "layout"
    write_oci_layout(layout, {"v1": make_image()})
    dest = f"docker://{srv.hostport}/umas/tool:v1"
    creds = f"{USER[0]}:{USER[1]}"
    clients.skopeo("copy", "--dest-tls-verify=false", f"--dest-creds={creds}", f"oci:{layout}:v1", dest)
    clients.skopeo("inspect", "--tls-verify=false", f"--creds={creds}", dest)
    r = clients.skopeo("inspect", "--tls-verify=false", "--no-creds", dest, check=False)
    assert r.returncode != 0 and b"unauthorized" in (r.stderr + r.stdout).lower()
    r = clients.skopeo("copy", "--dest-tls-verify=false", f"--dest-creds={creds}", f"oci:{layout}:v1",
                       f"docker://{srv.hostport}/closed/tool:v1", check=False)
    assert r.returncode != 0
