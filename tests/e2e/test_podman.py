"""podman 4.3 against Berth: load/pull an image locally, push it, remove it, pull it back."""

import json

import pytest

from e2e_lib import DOCKER_MANIFEST, OCI_MANIFEST, make_image, sha256, write_oci_layout


def image_id(clients, ref):
    return clients.podman("image", "inspect", "--format", "{{.Id}}", ref).stdout.decode().strip()


def repo_digests(clients, ref):
    out = clients.podman("image", "inspect", "--format", "{{json .RepoDigests}}", ref).stdout
    return json.loads(out)


def tls(clients):
    return ["--tls-verify=false", *clients.creds()]


@pytest.mark.parametrize("fmt", ["oci", "v2s2"])
def test_push_rmi_pull(registry, clients, tmp_path, fmt):
    img = make_image(n_layers=2, layer_size=20_000)
    layout = write_oci_layout(tmp_path / "layout", {"v1": img})
    clients.podman("pull", f"oci:{layout}:v1")
    local = clients.podman("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.decode().split()
    assert len(local) == 1, local
    local_ref = local[0]
    iid = image_id(clients, local_ref)
    assert "sha256:" + iid == sha256(img.config) or iid == sha256(img.config).split(":")[1]

    remote = f"{registry.hostport}/podman/app:{fmt}"
    digestfile = tmp_path / "digest"
    clients.podman("push", *tls(clients), "--format", fmt, "--digestfile", str(digestfile),
                   local_ref, f"docker://{remote}")
    pushed_digest = digestfile.read_text().strip()

    r = registry.api.get_manifest("podman/app", fmt)
    assert r.status_code == 200
    assert r.headers["Docker-Content-Digest"] == pushed_digest == sha256(r.content)
    want_type = OCI_MANIFEST if fmt == "oci" else DOCKER_MANIFEST
    assert r.headers["Content-Type"] == want_type
    man = json.loads(r.content)
    assert man["config"]["digest"] == sha256(img.config)
    for desc in [man["config"]] + man["layers"]:
        b = registry.api.get_blob("podman/app", desc["digest"])
        assert b.status_code == 200 and sha256(b.content) == desc["digest"]

    clients.podman("rmi", "-a", "-f")
    assert clients.podman("images", "-q").stdout.strip() == b""

    clients.podman("pull", *tls(clients), remote)
    assert image_id(clients, remote) == iid
    assert f"{registry.hostport}/podman/app@{pushed_digest}" in repo_digests(clients, remote)

    # Pull by digest too.
    clients.podman("rmi", "-a", "-f")
    clients.podman("pull", *tls(clients), f"{registry.hostport}/podman/app@{pushed_digest}")
    assert image_id(clients, f"{registry.hostport}/podman/app@{pushed_digest}") == iid


def test_save_load_docker_archive_push(registry, clients, tmp_path):
    """podman load of a docker-archive, then push/pull through Berth keeps the image id."""
    img = make_image(n_layers=1)
    layout = write_oci_layout(tmp_path / "layout", {"v1": img})
    clients.podman("pull", f"oci:{layout}:v1")
    local_ref = clients.podman("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.decode().split()[0]
    iid = image_id(clients, local_ref)
    archive = tmp_path / "img.tar"
    clients.podman("save", "--format", "docker-archive", "-o", str(archive), local_ref)
    clients.podman("rmi", "-a", "-f")
    out = clients.podman("load", "-i", str(archive)).stdout.decode()
    assert iid[:12] in out or local_ref in out, out
    remote = f"{registry.hostport}/podman/loaded:1"
    clients.podman("push", *tls(clients), local_ref, f"docker://{remote}")
    clients.podman("rmi", "-a", "-f")
    clients.podman("pull", *tls(clients), remote)
    assert image_id(clients, remote) == iid
    tags = registry.api.tags("podman/loaded")
    assert tags == ["1"]
