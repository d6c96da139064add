"""Shared helpers for Berth's end-to-end tests.

Everything here talks to a registry over plain HTTP on 127.0.0.1, builds images in pure Python
(tarfile + gzip), and drives the real clients (skopeo, podman, buildah) in an isolated
environment. conftest.py turns these into pytest fixtures; test modules import this file directly
(`from e2e_lib import ...`), which works because pytest puts this directory on sys.path.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import urljoin, urlsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]

# ---- media types -------------------------------------------------------------------------------
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
ALL_MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST]

EMPTY_JSON = b"{}"

MiB = 1024 * 1024


# ---- digests and blobs -------------------------------------------------------------------------
def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def random_bytes(size: int, rng: random.Random | None = None) -> bytes:
    if rng is None:
        return os.urandom(size)
    return rng.randbytes(size)


def random_blob(size: int = 1024, rng: random.Random | None = None) -> tuple[bytes, str]:
    data = random_bytes(size, rng)
    return data, sha256(data)


def unique(prefix: str = "r") -> str:
    """A fresh lower-case name component."""
    return f"{prefix}{os.urandom(5).hex()}"


def descriptor(media_type: str, data: bytes, **extra) -> dict:
    d = {"mediaType": media_type, "digest": sha256(data), "size": len(data)}
    d.update(extra)
    return d


def canonical(obj) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=False).encode()


# ---- images built in Python --------------------------------------------------------------------
def make_layer(files: dict[str, bytes], mtime: int = 1700000000) -> tuple[bytes, str]:
    """Returns (tar.gz bytes, diff_id) for a layer containing `files` (path -> content)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs_done = set()
        for path in sorted(files):
            parts = path.strip("/").split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in dirs_done:
                    dirs_done.add(d)
                    ti = tarfile.TarInfo(d)
                    ti.type = tarfile.DIRTYPE
                    ti.mode = 0o755
                    ti.mtime = mtime
                    tar.addfile(ti)
            content = files[path]
            ti = tarfile.TarInfo(path.strip("/"))
            ti.size = len(content)
            ti.mode = 0o644
            ti.mtime = mtime
            tar.addfile(ti, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), sha256(tar_bytes)


def read_layer(targz: bytes) -> dict[str, bytes]:
    out = {}
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(targz)), mode="r") as tar:
        for m in tar.getmembers():
            if m.isfile():
                out[m.name] = tar.extractfile(m).read()
    return out


@dataclass
class Image:
    """A manifest (image, artifact or index) plus every blob it needs in the same repository."""
    manifest: bytes
    media_type: str
    blobs: dict[str, bytes] = field(default_factory=dict)      # digest -> content
    children: list["Image"] = field(default_factory=list)      # for indexes
    config: bytes | None = None
    layers: list[bytes] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return sha256(self.manifest)

    @property
    def json(self) -> dict:
        return json.loads(self.manifest)

    def desc(self, **extra) -> dict:
        return descriptor(self.media_type, self.manifest, **extra)

    def all_blobs(self) -> dict[str, bytes]:
        out = dict(self.blobs)
        for c in self.children:
            out.update(c.all_blobs())
        return out


def make_image(arch: str = "amd64", n_layers: int = 2, files: list[dict[str, bytes]] | None = None,
               fmt: str = "oci", subject: dict | None = None, artifact_type: str | None = None,
               annotations: dict | None = None, layer_size: int = 256,
               rng: random.Random | None = None) -> Image:
    """A runnable-looking image: real tar+gzip layers and a config whose diff_ids match."""
    if files is None:
        files = [{f"layer{i}/data.bin": random_bytes(layer_size, rng),
                  f"layer{i}/id.txt": os.urandom(8).hex().encode()} for i in range(n_layers)]
    layers, diff_ids = [], []
    for f in files:
        gz, diff_id = make_layer(f)
        layers.append(gz)
        diff_ids.append(diff_id)
    config = canonical({
        "architecture": arch, "os": "linux",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Labels": {"nonce": os.urandom(8).hex()}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "berth e2e"} for _ in layers],
    })
    if fmt == "oci":
        m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
             "config": descriptor(OCI_CONFIG, config),
             "layers": [descriptor(OCI_LAYER, l) for l in layers]}
        mt = OCI_MANIFEST
        if artifact_type:
            m["artifactType"] = artifact_type
        if subject:
            m["subject"] = subject
        if annotations:
            m["annotations"] = annotations
    elif fmt == "docker":
        m = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
             "config": descriptor(DOCKER_CONFIG, config),
             "layers": [descriptor(DOCKER_LAYER, l) for l in layers]}
        mt = DOCKER_MANIFEST
    else:
        raise ValueError(fmt)
    blobs = {sha256(config): config}
    for l in layers:
        blobs[sha256(l)] = l
    return Image(manifest=canonical(m), media_type=mt, blobs=blobs, config=config, layers=layers)


def make_artifact(subject: dict | None, artifact_type: str | None = "application/vnd.example.sbom",
                  config_media_type: str = OCI_EMPTY, payload: bytes | None = None,
                  annotations: dict | None = None) -> Image:
    """An OCI 1.1 artifact manifest (empty config, one payload layer), optionally with a subject."""
    payload = payload if payload is not None else os.urandom(64)
    cfg = EMPTY_JSON
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST}
    if artifact_type:
        m["artifactType"] = artifact_type
    m["config"] = descriptor(config_media_type, cfg)
    m["layers"] = [descriptor("application/octet-stream", payload)]
    if subject:
        m["subject"] = subject
    if annotations:
        m["annotations"] = annotations
    return Image(manifest=canonical(m), media_type=OCI_MANIFEST,
                 blobs={sha256(cfg): cfg, sha256(payload): payload}, config=cfg, layers=[payload])


def make_index(children: list[Image], fmt: str = "oci", subject: dict | None = None,
               artifact_type: str | None = None, annotations: dict | None = None) -> Image:
    entries = []
    for c in children:
        arch = json.loads(c.config)["architecture"] if c.config and c.config != EMPTY_JSON else "amd64"
        entries.append(c.desc(platform={"architecture": arch, "os": "linux"}))
    if fmt == "oci":
        m = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
        if artifact_type:
            m["artifactType"] = artifact_type
        if subject:
            m["subject"] = subject
        if annotations:
            m["annotations"] = annotations
        mt = OCI_INDEX
    else:
        m = {"schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": entries}
        mt = DOCKER_LIST
    return Image(manifest=canonical(m), media_type=mt, children=list(children))


def write_oci_layout(directory: Path | str, images: dict[str, Image]) -> Path:
    """Writes an OCI image layout: oci-layout, index.json (one entry per tag), blobs/sha256/*."""
    d = Path(directory)
    (d / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (d / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))

    def put(data: bytes):
        p = d / "blobs" / "sha256" / sha256(data).split(":", 1)[1]
        if not p.exists():
            p.write_bytes(data)

    def put_image(img: Image):
        for b in img.blobs.values():
            put(b)
        for c in img.children:
            put_image(c)
        put(img.manifest)

    entries = []
    for tag, img in images.items():
        put_image(img)
        entries.append(img.desc(annotations={"org.opencontainers.image.ref.name": tag}))
    (d / "index.json").write_text(json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                                              "manifests": entries}))
    return d


def read_oci_layout(directory: Path | str) -> dict[str, dict]:
    """tag -> descriptor from index.json of an OCI layout."""
    idx = json.loads((Path(directory) / "index.json").read_text())
    out = {}
    for m in idx["manifests"]:
        out[m.get("annotations", {}).get("org.opencontainers.image.ref.name", "")] = m
    return out


def layout_blob(directory: Path | str, digest: str) -> bytes:
    return (Path(directory) / "blobs" / "sha256" / digest.split(":", 1)[1]).read_bytes()


# ---- HTTP client --------------------------------------------------------------------------------
class Registry:
    """Raw-HTTP client for one registry (Berth or the reference). `auth` is the single place where
    credentials live: None today, (user, password) once Berth has authentication."""

    def __init__(self, base_url: str, auth=None):
        self.base = base_url.rstrip("/")
        self.auth = auth
        self.http = requests.Session()
        self.http.auth = auth
        u = urlsplit(self.base)
        self.host, self.port = u.hostname, u.port

    # -- plumbing
    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return self.base + path

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 30)
        kw.setdefault("allow_redirects", False)
        return self.http.request(method, self.url(path), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def location(self, resp: requests.Response) -> str:
        loc = resp.headers.get("Location")
        assert loc, f"no Location header in {resp.status_code} response: {dict(resp.headers)}"
        return urljoin(self.base + "/", loc)

    @staticmethod
    def with_query(url: str, query: str) -> str:
        return url + ("&" if "?" in url else "?") + query

    def auth_headers(self) -> dict:
        """Headers to add to hand-made (socket / http.client) requests."""
        if self.auth is None:
            return {}
        import base64
        tok = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        return {"Authorization": f"Basic {tok}"}

    def alive(self) -> bool:
        try:
            return self.get("/v2/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    # -- blobs
    def start_upload(self, repo: str) -> requests.Response:
        return self.post(f"/v2/{repo}/blobs/uploads/")

    def upload_blob(self, repo: str, data: bytes, method: str = "post-put", chunk: int = 0) -> str:
        """Uploads one blob and asserts success; returns its digest.
        method: monolithic (single POST ?digest=), post-put (POST then PUT with body),
                stream (PATCH without Content-Range, then empty PUT),
                chunked (PATCHes with Content-Range, last part in the PUT)."""
        d = sha256(data)
        octet = {"Content-Type": "application/octet-stream"}
        if method == "monolithic":
            r = self.post(f"/v2/{repo}/blobs/uploads/?digest={d}", data=data, headers=octet)
            assert r.status_code == 201, (r.status_code, r.text)
            return d
        r = self.start_upload(repo)
        assert r.status_code == 202, (r.status_code, r.text)
        loc = self.location(r)
        if method == "post-put":
            r = self.put(self.with_query(loc, f"digest={d}"), data=data, headers=octet)
        elif method == "stream":
            r = self.patch(loc, data=data, headers=octet)
            assert r.status_code == 202, (r.status_code, r.text)
            r = self.put(self.with_query(self.location(r), f"digest={d}"))
        elif method == "chunked":
            size = chunk or max(1, len(data) // 3)
            off = 0
            while len(data) - off > size:
                part = data[off:off + size]
                r = self.patch(loc, data=part, headers={
                    **octet, "Content-Range": f"{off}-{off + len(part) - 1}"})
                assert r.status_code == 202, (r.status_code, r.text)
                loc = self.location(r)
                off += len(part)
            r = self.put(self.with_query(loc, f"digest={d}"), data=data[off:], headers=octet)
        else:
            raise ValueError(method)
        assert r.status_code == 201, (r.status_code, r.text)
        return d

    def blob_exists(self, repo: str, digest: str) -> bool:
        r = self.head(f"/v2/{repo}/blobs/{digest}")
        assert r.status_code in (200, 404), r.status_code
        return r.status_code == 200

    def get_blob(self, repo: str, digest: str) -> requests.Response:
        return self.get(f"/v2/{repo}/blobs/{digest}")

    # -- manifests
    def put_manifest(self, repo: str, ref: str, body: bytes, media_type: str) -> requests.Response:
        return self.put(f"/v2/{repo}/manifests/{ref}", data=body,
                        headers={"Content-Type": media_type})

    def get_manifest(self, repo: str, ref: str, accept: Iterable[str] | str | None = None,
                     method: str = "GET") -> requests.Response:
        if accept is None:
            accept = ALL_MANIFEST_TYPES
        if not isinstance(accept, str):
            accept = ", ".join(accept)
        return self.request(method, f"/v2/{repo}/manifests/{ref}", headers={"Accept": accept})

    def push_image(self, repo: str, tag: str | None, img: Image, method: str = "post-put",
                   skip_existing: bool = True) -> requests.Response:
        """Pushes blobs, children and the manifest (by tag, or by digest when tag is None)."""
        for c in img.children:
            self.push_image(repo, None, c, method)
        for d, b in img.blobs.items():
            if skip_existing and self.blob_exists(repo, d):
                continue
            self.upload_blob(repo, b, method)
        r = self.put_manifest(repo, tag or img.digest, img.manifest, img.media_type)
        assert r.status_code == 201, (r.status_code, r.text)
        return r

    def paged(self, path: str, key: str, n: int = 100) -> list[str]:
        """All entries of a paginated list (tags/list, _catalog), following Link headers."""
        import re
        url, out = self.with_query(path, f"n={n}"), []
        for _ in range(100000):
            r = self.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:200])
            out += r.json().get(key) or []
            link = r.headers.get("Link")
            if not link:
                return out
            m = re.match(r'\s*<([^>]+)>', link)
            assert m, f"malformed Link header {link!r}"
            url = m.group(1)
        raise AssertionError("pagination does not end")

    def catalog(self) -> list[str]:
        return self.paged("/v2/_catalog", "repositories")

    def tags(self, repo: str) -> list[str]:
        r = self.get(f"/v2/{repo}/tags/list")
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json().get("tags") or []


def error_codes(resp) -> list[str]:
    """The OCI error codes in a response body (asserts the body is OCI error JSON)."""
    try:
        if isinstance(resp, dict):
            body = resp
        elif isinstance(resp, (bytes, str)):
            body = json.loads(resp)
        else:
            body = resp.json()
    except ValueError:
        raise AssertionError(f"error body is not JSON: {getattr(resp, 'text', resp)!r}")
    assert isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"], \
        f"not an OCI error body: {body!r}"
    for e in body["errors"]:
        assert isinstance(e.get("code"), str), f"error entry without code: {e!r}"
        assert "message" in e, f"error entry without message: {e!r}"
    return [e["code"] for e in body["errors"]]


def harbor_error(r, status, code) -> str:
    """Asserts Harbor's REST error shape {"errors":[{"code","message"}]} with one error of `code`
    and HTTP `status`; returns its message."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"errors"}, body
    assert isinstance(body["errors"], list) and len(body["errors"]) == 1, body
    assert body["errors"][0]["code"] == code, body
    assert body["errors"][0]["message"], body
    return body["errors"][0]["message"]


def assert_error(resp, status, code) -> None:
    statuses = status if isinstance(status, (tuple, list, set)) else (status,)
    codes = code if isinstance(code, (tuple, list, set)) else (code,)
    assert resp.status_code in statuses, \
        f"{resp.request.method} {resp.request.url}: expected {statuses} {codes}, " \
        f"got {resp.status_code} {resp.text[:300]!r}"
    got = error_codes(resp)
    assert any(c in codes for c in got), f"expected error code {codes}, got {got}"


# ---- raw sockets ---------------------------------------------------------------------------------
def raw_exchange(host: str, port: int, data: bytes, timeout: float = 5.0,
                 read: bool = True) -> bytes:
    """Sends exactly `data` on a fresh connection; returns whatever comes back until close/timeout."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(data)
        if not read:
            return b""
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)
    finally:
        s.close()


def abort_socket(s: socket.socket) -> None:
    """Closes with RST instead of FIN (a client that vanishes)."""
    import struct
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def http_raw(host: str, port: int, method: str, path: str, headers: list[tuple[str, str]] | None = None,
             body: bytes | None = None, timeout: float = 10) -> tuple[int, dict, bytes, list]:
    """A request whose path is sent verbatim (no dot-segment normalisation) and whose headers may
    repeat. Returns (status, lower-cased headers, body, raw header list)."""
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        for k, v in headers or []:
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        data = r.read() if method != "HEAD" else b""
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        return r.status, hdrs, data, r.getheaders()
    finally:
        c.close()


# ---- servers --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def berth_binary() -> Path:
    env = os.environ.get("BERTH_BIN")
    return Path(env) if env else REPO_ROOT / "build" / "berth"


class ServerProcess:
    """A registry process on 127.0.0.1:port with a data dir; restart() keeps both."""

    kind = "server"
    ready_timeout = 15.0

    def __init__(self, workdir: Path, env: dict | None = None, auth=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.extra_env = dict(env or {})
        self.auth = auth
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / f"{self.kind}.log"
        self.expect_dead = False
        self.starts = 0

    # subclasses define command() and data_dir
    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict:
        env = dict(os.environ)
        env.update(self.extra_env)
        return env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self) -> Registry:
        return Registry(self.url, auth=self.auth)

    @property
    def api(self) -> Registry:
        """A shared HTTP client (the port survives restart(), so it stays valid)."""
        if getattr(self, "_api", None) is None:
            self._api = self.client()
        return self._api

    def start(self) -> "ServerProcess":
        log = open(self.log_path, "ab")
        log.write(f"\n===== start #{self.starts} {' '.join(self.command())}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                     env=self.environment(), cwd=self.workdir)
        log.close()
        self.starts += 1
        self.expect_dead = False
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode} during startup:\n"
                                   + self.log_tail())
            try:
                r = requests.get(self.url + "/v2/", auth=self.auth, timeout=1)
                # 401: up, but started with other credentials than the suite's (a test's own choice)
                if r.status_code in (200, 401):
                    return
                last = r.status_code
            except requests.RequestException as e:
                last = e
            time.sleep(0.02)
        raise RuntimeError(f"{self.kind} not ready after {self.ready_timeout}s (last: {last}):\n"
                           + self.log_tail())

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10) -> int | None:
        if self.proc is None:
            return None
        self.expect_dead = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill9(self) -> None:
        self.expect_dead = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self) -> "ServerProcess":
        self.stop()
        return self.start()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n: int = 20000) -> str:
        t = self.log_text()
        return t[-n:]


class Berth(ServerProcess):
    kind = "berth"

    def __init__(self, workdir: Path, env: dict | None = None, fsync: bool = False,
                 config: dict | None = None, auth=None):
        base_env = {"BERTH_LOG_LEVEL": "warn"}
        if not fsync:
            base_env["BERTH_STORAGE_FSYNC"] = "false"
        if auth is not None:
            base_env["BERTH_ADMIN_PASSWORD"] = auth[1]
        base_env.update(env or {})
        super().__init__(workdir, base_env, auth)
        self.data_dir = self.workdir / "data"
        self.data_dir.mkdir(exist_ok=True)
        self.config_path = None
        if config is not None:
            import yaml
            self.config_path = self.workdir / "berth.yaml"
            self.config_path.write_text(yaml.safe_dump(config))
        self.binary = berth_binary()

    # Every repository lives in a project: the suites push under these first path components.
    PROJECTS = ("a", "alive", "back", "bad", "be", "buildah", "busy", "cat", "crash", "disc", "localhost", "mgmt",
                "mirror", "podman", "pull", "push", "resume", "skopeo", "tags", "x", "zeta", "library", "test", "alpha",
                "m", "ok")

    def wait_ready(self) -> None:
        super().wait_ready()
        if self.auth is None or self.extra_env.get("BERTH_ADMIN_PASSWORD") != self.auth[1]:
            return
        for name in self.PROJECTS:  # idempotent: 409 when a restart finds them already there
            r = requests.post(self.url + "/api/v2.0/projects", auth=self.auth, json={"project_name": name}, timeout=5)
            assert r.status_code in (201, 409), r.text

    def command(self) -> list[str]:
        cmd = [str(self.binary), "serve", "--listen", self.hostport, "--data-dir", str(self.data_dir)]
        if self.config_path:
            cmd += ["--config", str(self.config_path)]
        return cmd


class ReferenceRegistry(ServerProcess):
    """Debian's CNCF distribution 2.8.2 (`docker-registry serve CONFIG`)."""
    kind = "docker-registry"

    def __init__(self, workdir: Path, auth=None):
        super().__init__(workdir, {}, auth)
        self.data_dir = self.workdir / "data"
        self.data_dir.mkdir(exist_ok=True)
        self.config_path = self.workdir / "registry.yml"

    def command(self) -> list[str]:
        import yaml
        self.config_path.write_text(yaml.safe_dump({
            "version": 0.1,
            "log": {"level": "error", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(self.data_dir)},
                        "delete": {"enabled": True},
                        "maintenance": {"uploadpurging": {"enabled": False}}},
            "http": {"addr": self.hostport},
        }))
        return ["docker-registry", "serve", str(self.config_path)]


# ---- container clients ----------------------------------------------------------------------------
class Clients:
    """skopeo / podman / buildah with no access to the machine's own configuration or storage."""

    def __init__(self, insecure: list[str], auth=None):
        # runroot must be <= 50 characters: keep everything in a short /tmp dir.
        self.dir = Path(tempfile.mkdtemp(prefix="be", dir="/tmp"))
        self.root = self.dir / "root"
        self.runroot = self.dir / "run"
        self.tmp = self.dir / "tmp"
        for p in (self.root, self.runroot, self.tmp, self.dir / "registries.d"):
            p.mkdir()
        self.policy = self.dir / "policy.json"
        self.policy.write_text(json.dumps({"default": [{"type": "insecureAcceptAnything"}]}))
        self.registries_d = self.dir / "registries.d"
        self.auth_file = self.dir / "auth.json"
        self.auth_file.write_text('{"auths":{}}')
        self.registries_conf = self.dir / "registries.conf"
        self.set_insecure(insecure)
        (self.dir / "containers.conf").write_text(
            '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
            f'tmp_dir = "{self.tmp}"\n')
        (self.dir / "storage.conf").write_text(
            f'[storage]\ndriver = "vfs"\nrunroot = "{self.runroot}"\ngraphroot = "{self.root}"\n')
        self.auth = auth

    def set_insecure(self, hostports: list[str]) -> None:
        text = 'unqualified-search-registries = []\nshort-name-mode = "disabled"\n'
        for hp in hostports:
            text += f'\n[[registry]]\nlocation = "{hp}"\ninsecure = true\n'
        self.registries_conf.write_text(text)

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CONTAINERS_", "REGISTRY_AUTH", "XDG_RUNTIME", "BUILDAH_"))}
        env.update({
            "REGISTRY_AUTH_FILE": str(self.auth_file),
            "CONTAINERS_REGISTRIES_CONF": str(self.registries_conf),
            "CONTAINERS_CONF": str(self.dir / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(self.dir / "storage.conf"),
            "TMPDIR": str(self.tmp),
            "HOME": str(self.dir),
        })
        return env

    def run(self, argv: list[str], check: bool = True, timeout: float = 120,
            input: bytes | None = None) -> subprocess.CompletedProcess:
        p = subprocess.run(argv, env=self.env(), capture_output=True, timeout=timeout, input=input)
        if check and p.returncode != 0:
            raise AssertionError(f"command failed ({p.returncode}): {' '.join(argv)}\n"
                                 f"stdout: {p.stdout.decode(errors='replace')[-4000:]}\n"
                                 f"stderr: {p.stderr.decode(errors='replace')[-4000:]}")
        return p

    def creds(self) -> list[str]:
        return [] if self.auth is None else [f"--creds={self.auth[0]}:{self.auth[1]}"]

    def creds_src(self) -> list[str]:
        return [] if self.auth is None else [f"--src-creds={self.auth[0]}:{self.auth[1]}"]

    def creds_dest(self) -> list[str]:
        return [] if self.auth is None else [f"--dest-creds={self.auth[0]}:{self.auth[1]}"]

    def skopeo(self, cmd: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        base = ["skopeo", "--policy", str(self.policy), "--registries.d", str(self.registries_d),
                "--tmpdir", str(self.tmp), cmd]
        return self.run(base + list(args), check=check)

    def podman(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        base = ["podman", "--root", str(self.root), "--runroot", str(self.runroot),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                "--tmpdir", str(self.tmp)]
        return self.run(base + list(args), check=check)

    def buildah(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        base = ["buildah", "--root", str(self.root), "--runroot", str(self.runroot),
                "--storage-driver", "vfs", "--registries-conf", str(self.registries_conf)]
        return self.run(base + list(args), check=check)

    def cleanup(self) -> None:
        # vfs layers may carry read-only dirs; buildah/podman own them, so just force-remove.
        subprocess.run(["chmod", "-R", "u+rwX", str(self.dir)], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- Harbor REST API helpers ----------------------------------------------------------------------
def api_url(srv, path: str) -> str:
    """Absolute URL of a /api/v2.0 path on a running server."""
    return f"{srv.url}/api/v2.0{path}"


# A write made behind the server's back (sqlite3 CLI on its database) reaches a Basic-authenticated
# caller once the authenticator's kept principal expires (auth: principal_ttl, 1 s); in-process
# writes take effect at once.
EXTERNAL_WRITE_SETTLE_SECONDS = 1.2


def settle_external_write() -> None:
    time.sleep(EXTERNAL_WRITE_SETTLE_SECONDS)
