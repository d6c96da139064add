"""skopeo (containers/image 5.23) against Berth: copy in and out of OCI layouts, inspect,
list-tags, copy to and from the reference registry, delete."""

import json

import pytest

from e2e_lib import (DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, assert_error, layout_blob,
                     make_image, make_index, read_oci_layout, sha256, unique, write_oci_layout)


def dst_flags():
    return ["--dest-tls-verify=false"]


def src_flags():
    return ["--src-tls-verify=false"]


def check_layout_image(layout, tag, want):
    """The OCI layout holds `want` byte for byte under `tag` (manifest + every blob)."""
    desc = read_oci_layout(layout)[tag]
    assert desc["digest"] == want.digest, "manifest digest changed on the round trip"
    assert layout_blob(layout, desc["digest"]) == want.manifest
    for d, data in want.all_blobs().items():
        assert layout_blob(layout, d) == data
    for c in want.children:
        assert layout_blob(layout, c.digest) == c.manifest


def test_copy_oci_layout_roundtrip(registry, clients, tmp_path):
    img = make_image(n_layers=3, layer_size=50_000)
    src = write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{registry.hostport}/skopeo/app:v1"
    clients.skopeo("copy", *dst_flags(), *clients.creds_dest(), f"oci:{src}:v1", ref)

    # What landed in Berth is exactly the image.
    api = registry.api
    r = api.get_manifest("skopeo/app", "v1")
    assert r.status_code == 200
    assert r.content == img.manifest
    assert r.headers["Docker-Content-Digest"] == img.digest
    for d, data in img.blobs.items():
        assert api.get_blob("skopeo/app", d).content == data

    out = tmp_path / "out"
    clients.skopeo("copy", *src_flags(), *clients.creds_src(), ref, f"oci:{out}:back")
    check_layout_image(out, "back", img)


def test_copy_multiarch_index_roundtrip(registry, clients, tmp_path):
    idx = make_index([make_image(arch="amd64"), make_image(arch="arm64"),
                      make_image(arch="ppc64le")])
    src = write_oci_layout(tmp_path / "src", {"multi": idx})
    ref = f"docker://{registry.hostport}/skopeo/multi:latest"
    clients.skopeo("copy", "--all", *dst_flags(), *clients.creds_dest(), f"oci:{src}:multi", ref)
    r = registry.api.get_manifest("skopeo/multi", "latest")
    assert r.status_code == 200 and r.content == idx.manifest
    assert r.headers["Content-Type"] == OCI_INDEX
    out = tmp_path / "out"
    clients.skopeo("copy", "--all", *src_flags(), *clients.creds_src(), ref, f"oci:{out}:multi")
    check_layout_image(out, "multi", idx)
    # Copying a single architecture picks the right child.
    one = tmp_path / "one"
    clients.skopeo("copy", "--override-arch", "arm64", *src_flags(), *clients.creds_src(), ref,
                   f"oci:{one}:arm")
    check_layout_image(one, "arm", idx.children[1])


def test_inspect_and_list_tags(registry, clients, tmp_path):
    img = make_image(n_layers=2)
    src = write_oci_layout(tmp_path / "src", {"v1": img})
    repo = f"skopeo/{unique()}"
    for tag in ("v1", "latest", "1.0"):
        clients.skopeo("copy", *dst_flags(), *clients.creds_dest(), f"oci:{src}:v1",
                       f"docker://{registry.hostport}/{repo}:{tag}")
    ref = f"docker://{registry.hostport}/{repo}:v1"
    info = json.loads(clients.skopeo("inspect", "--tls-verify=false", *clients.creds(), ref).stdout)
    assert info["Digest"] == img.digest
    assert info["Layers"] == [sha256(l) for l in img.layers]
    assert info["Architecture"] == "amd64" and info["Os"] == "linux"
    assert sorted(info["RepoTags"]) == ["1.0", "latest", "v1"]
    raw = clients.skopeo("inspect", "--raw", "--tls-verify=false", *clients.creds(), ref).stdout
    assert raw == img.manifest
    cfg = clients.skopeo("inspect", "--config", "--raw", "--tls-verify=false", *clients.creds(),
                         ref).stdout
    assert cfg == img.config
    tags = json.loads(clients.skopeo("list-tags", "--tls-verify=false", *clients.creds(),
                                     f"docker://{registry.hostport}/{repo}").stdout)
    assert sorted(tags["Tags"]) == ["1.0", "latest", "v1"]
    # By digest works too.
    info2 = json.loads(clients.skopeo("inspect", "--tls-verify=false", *clients.creds(),
                                      f"docker://{registry.hostport}/{repo}@{img.digest}").stdout)
    assert info2["Digest"] == img.digest


def test_copy_converting_to_docker_schema2(registry, clients, tmp_path):
    img = make_image()
    src = write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{registry.hostport}/skopeo/docker:v2s2"
    clients.skopeo("copy", "--format", "v2s2", *dst_flags(), *clients.creds_dest(),
                   f"oci:{src}:v1", ref)
    r = registry.api.get_manifest("skopeo/docker", "v2s2")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == DOCKER_MANIFEST
    m = json.loads(r.content)
    assert m["mediaType"] == DOCKER_MANIFEST
    assert [l["digest"] for l in m["layers"]] == [sha256(l) for l in img.layers]
    out = tmp_path / "out"
    clients.skopeo("copy", *src_flags(), *clients.creds_src(), ref, f"oci:{out}:x")
    desc = read_oci_layout(out)["x"]
    back = json.loads(layout_blob(out, desc["digest"]))
    for l in back["layers"]:
        assert sha256(layout_blob(out, l["digest"])) == l["digest"]
    assert sorted(l["digest"] for l in back["layers"]) == sorted(sha256(l) for l in img.layers)


def test_copy_between_reference_registry_and_berth(registry, peer, clients, tmp_path):
    idx = make_index([make_image(arch="amd64"), make_image(arch="arm64")])
    img = make_image(n_layers=2)
    src = write_oci_layout(tmp_path / "src", {"multi": idx, "single": img})
    clients.skopeo("copy", "--all", *dst_flags(), f"oci:{src}:multi",
                   f"docker://{peer.hostport}/lib/multi:1")
    clients.skopeo("copy", *dst_flags(), f"oci:{src}:single",
                   f"docker://{peer.hostport}/lib/single:1")
    # peer -> berth
    for name, m in (("multi", idx), ("single", img)):
        clients.skopeo("copy", "--all", *src_flags(), *dst_flags(), *clients.creds_dest(),
                       f"docker://{peer.hostport}/lib/{name}:1",
                       f"docker://{registry.hostport}/mirror/{name}:1")
        r = registry.api.get_manifest(f"mirror/{name}", "1")
        assert r.status_code == 200 and r.content == m.manifest
        for c in m.children:
            assert registry.api.get_manifest(f"mirror/{name}", c.digest).content == c.manifest
        for d, data in m.all_blobs().items():
            assert registry.api.get_blob(f"mirror/{name}", d).content == data
    # berth -> peer, under a new name; the peer serves identical bytes.
    for name, m in (("multi", idx), ("single", img)):
        clients.skopeo("copy", "--all", *src_flags(), *dst_flags(), *clients.creds_src(),
                       f"docker://{registry.hostport}/mirror/{name}:1",
                       f"docker://{peer.hostport}/back/{name}:2")
        r = peer.api.get_manifest(f"back/{name}", "2")
        assert r.status_code == 200 and r.content == m.manifest
        for d, data in m.all_blobs().items():
            assert peer.api.get_blob(f"back/{name}", d).content == data


def test_delete(registry, clients, tmp_path):
    keep, drop = make_image(), make_image()
    src = write_oci_layout(tmp_path / "src", {"keep": keep, "drop": drop})
    repo = "skopeo/del"
    for tag in ("keep", "drop"):
        clients.skopeo("copy", *dst_flags(), *clients.creds_dest(), f"oci:{src}:{tag}",
                       f"docker://{registry.hostport}/{repo}:{tag}")
    clients.skopeo("delete", "--tls-verify=false", *clients.creds(),
                   f"docker://{registry.hostport}/{repo}:drop")
    assert_error(registry.api.get_manifest(repo, "drop"), 404, "MANIFEST_UNKNOWN")
    assert_error(registry.api.get_manifest(repo, drop.digest), 404, "MANIFEST_UNKNOWN")
    p = clients.skopeo("inspect", "--tls-verify=false", *clients.creds(),
                       f"docker://{registry.hostport}/{repo}:drop", check=False)
    assert p.returncode != 0
    assert registry.api.get_manifest(repo, "keep").content == keep.manifest
    # Delete by digest.
    clients.skopeo("delete", "--tls-verify=false", *clients.creds(),
                   f"docker://{registry.hostport}/{repo}@{keep.digest}")
    assert_error(registry.api.get_manifest(repo, "keep"), 404, "MANIFEST_UNKNOWN")
