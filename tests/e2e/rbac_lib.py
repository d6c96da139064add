"""HTTP helpers for the RBAC matrix (tests/e2e/test_rbac_matrix.py): principals, tiny image pushes
over /v2 with Basic or Bearer credentials, tokens from /service/token, and REST calls. Nothing here
knows what is allowed — the expected matrix lives in the test module, transcribed from the spec.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field

import requests

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
ADMIN = ("admin", "Harbor12345")
PASSWORD = "Passw0rdRbac1"


@dataclass
class Principal:
    """Who makes a request. kind: sysadmin | user | anonymous | robot.
    role: the project role name a user holds in both P and Q (None = member of neither).
    robot_access: namespace ("P"/"Q" key or "*") -> set of (resource, action) a robot holds."""
    name: str
    kind: str
    role: str | None = None
    robot_access: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    auth: tuple[str, str] | None = None  # filled in by the fixture

    @property
    def anonymous(self) -> bool:
        return self.kind == "anonymous"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tiny_image() -> tuple[bytes, bytes]:
    """(config, manifest) of a unique, layer-less OCI image with a valid image config."""
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Labels": {"nonce": os.urandom(8).hex()}},
                         "rootfs": {"type": "layers", "diff_ids": []},
                         "history": [{"created_by": "rbac matrix"}]}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
                           "layers": []}).encode()
    return config, manifest


def auth_kwargs(auth=None, bearer: str | None = None) -> dict:
    """requests keyword arguments for Basic credentials, a Bearer token, or nothing (anonymous)."""
    if bearer is not None:
        return {"headers": {"Authorization": f"Bearer {bearer}"}}
    return {"auth": auth} if auth is not None else {}


def push(url: str, repo: str, tag: str, auth=None, bearer: str | None = None) -> tuple[requests.Response, str]:
    """Monolithic blob upload + manifest PUT. Returns (the first refused response or the manifest
    PUT's response, the manifest digest)."""
    config, manifest = tiny_image()
    kw = auth_kwargs(auth, bearer)
    hdrs = dict(kw.pop("headers", {}))
    r = requests.post(f"{url}/v2/{repo}/blobs/uploads/", params={"digest": sha256(config)}, data=config,
                      headers={**hdrs, "Content-Type": "application/octet-stream"}, timeout=30, **kw)
    if r.status_code != 201:
        return r, sha256(manifest)
    r = requests.put(f"{url}/v2/{repo}/manifests/{tag}", data=manifest,
                     headers={**hdrs, "Content-Type": OCI_MANIFEST}, timeout=30, **kw)
    return r, sha256(manifest)


def admin_push(url: str, repo: str, tag: str) -> str:
    r, digest = push(url, repo, tag, ADMIN)
    assert r.status_code == 201, (repo, tag, r.status_code, r.text)
    return digest


def get_manifest(url: str, repo: str, ref: str, auth=None, bearer: str | None = None) -> requests.Response:
    kw = auth_kwargs(auth, bearer)
    hdrs = dict(kw.pop("headers", {}))
    return requests.get(f"{url}/v2/{repo}/manifests/{ref}", headers={**hdrs, "Accept": OCI_MANIFEST},
                        timeout=30, **kw)


def delete_manifest(url: str, repo: str, digest: str, auth=None, bearer: str | None = None) -> requests.Response:
    return requests.delete(f"{url}/v2/{repo}/manifests/{digest}", timeout=30, **auth_kwargs(auth, bearer))


def curl_status(args: list[str]) -> int:
    """Runs curl with `args` and returns the HTTP status it saw."""
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *args],
                         capture_output=True, check=True, timeout=30)
    return int(out.stdout)


def token(url: str, scope: str, auth=None) -> str:
    """A token from /service/token (Basic credentials, or anonymous), fetched with curl."""
    args = ["-s", "-G", f"{url}/service/token", "--data-urlencode", "service=harbor-registry",
            "--data-urlencode", f"scope={scope}"]
    if auth is not None:
        args += ["-u", f"{auth[0]}:{auth[1]}"]
    out = subprocess.run(["curl", "-w", "\n%{http_code}", *args], capture_output=True, check=True, timeout=30)
    body, status = out.stdout.decode().rsplit("\n", 1)
    assert status == "200", (scope, status, body)
    return json.loads(body)["token"]


def granted(tok: str) -> dict[str, set[str]]:
    """The token's access claim: "type:name" -> actions."""
    payload = tok.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {f"{a['type']}:{a['name']}": set(a["actions"]) for a in claims.get("access", [])}


def error_code(r: requests.Response) -> str:
    body = r.json()
    assert isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"], body
    assert body["errors"][0].get("message"), body
    return body["errors"][0]["code"]
