"""buildah 1.28 against Berth: build from scratch, push, and push a multi-arch OCI index."""

import json

from e2e_lib import OCI_INDEX, OCI_MANIFEST, read_layer, sha256


def tls(clients):
    return ["--tls-verify=false", *clients.creds()]


def build(clients, tmp_path, name, arch, content: bytes):
    f = tmp_path / f"{name}.txt"
    f.write_bytes(content)
    cid = clients.buildah("from", "--name", f"ctr-{name}", "scratch").stdout.decode().strip()
    clients.buildah("copy", cid, str(f), "/hello.txt")
    clients.buildah("config", "--arch", arch, "--os", "linux", "--label", f"name={name}", cid)
    iid = clients.buildah("commit", "--format", "oci", cid, f"localhost/{name}:latest").stdout \
        .decode().strip().splitlines()[-1]
    clients.buildah("rm", cid)
    return iid


def files_of_image(api, repo, manifest: dict) -> dict:
    files = {}
    for layer in manifest["layers"]:
        blob = api.get_blob(repo, layer["digest"])
        assert blob.status_code == 200 and sha256(blob.content) == layer["digest"]
        files.update(read_layer(blob.content))
    return files


def test_build_and_push(registry, clients, tmp_path):
    content = b"hello from buildah\n"
    iid = build(clients, tmp_path, "single", "amd64", content)
    clients.buildah("push", *tls(clients), "localhost/single:latest",
                    f"docker://{registry.hostport}/buildah/single:1")
    api = registry.api
    r = api.get_manifest("buildah/single", "1")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == OCI_MANIFEST
    man = json.loads(r.content)
    assert man["config"]["digest"] == "sha256:" + iid
    cfg = api.get_blob("buildah/single", man["config"]["digest"])
    assert sha256(cfg.content) == man["config"]["digest"]
    assert json.loads(cfg.content)["architecture"] == "amd64"
    assert files_of_image(api, "buildah/single", man)["hello.txt"] == content


def test_manifest_list_push_all(registry, clients, tmp_path):
    api = registry.api
    ids = {}
    contents = {"amd64": b"amd64 payload\n", "arm64": b"arm64 payload\n"}
    for arch, content in contents.items():
        ids[arch] = build(clients, tmp_path, f"img-{arch}", arch, content)
    clients.buildah("manifest", "create", "localhost/multi:latest")
    for arch in contents:
        clients.buildah("manifest", "add", "localhost/multi:latest",
                        f"containers-storage:localhost/img-{arch}:latest")
    digestfile = tmp_path / "digest"
    clients.buildah("manifest", "push", "--all", "--format", "oci", "--digestfile",
                    str(digestfile), *tls(clients), "localhost/multi:latest",
                    f"docker://{registry.hostport}/buildah/multi:latest")
    index_digest = digestfile.read_text().strip()

    r = api.get_manifest("buildah/multi", "latest")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == OCI_INDEX
    assert r.headers["Docker-Content-Digest"] == index_digest == sha256(r.content)
    index = json.loads(r.content)
    assert index["mediaType"] == OCI_INDEX
    by_arch = {m["platform"]["architecture"]: m for m in index["manifests"]}
    assert set(by_arch) == {"amd64", "arm64"}
    for arch, desc in by_arch.items():
        c = api.get_manifest("buildah/multi", desc["digest"])
        assert c.status_code == 200
        assert c.headers["Content-Type"] == desc["mediaType"] == OCI_MANIFEST
        assert sha256(c.content) == desc["digest"] and len(c.content) == desc["size"]
        man = json.loads(c.content)
        assert man["config"]["digest"] == "sha256:" + ids[arch]
        assert files_of_image(api, "buildah/multi", man)["hello.txt"] == contents[arch]

    # Pull one child back with buildah and check it is the same image.
    clients.buildah("rmi", "-a", "-f")
    clients.buildah("pull", *tls(clients), "--arch", "arm64",
                    f"docker://{registry.hostport}/buildah/multi:latest")
    ref = f"{registry.hostport}/buildah/multi:latest"
    pulled = json.loads(clients.buildah("inspect", "--type", "image", ref).stdout)
    assert pulled["FromImageID"] == ids["arm64"]
    assert pulled["OCIv1"]["architecture"] == "arm64"
    listed = clients.buildah("images", "-q", "--no-trunc").stdout.decode().split()
    assert [i.replace("sha256:", "") for i in listed] == [ids["arm64"]]
