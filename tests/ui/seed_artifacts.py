#!/usr/bin/python3
"""Pushes N distinct artifacts into one repository over the registry API (one shared config and
layer, one manifest per artifact differing in an annotation, every 10th tagged), with a few
keep-alive connections in parallel. Used by tests/ui/scale.spec.mjs.

usage: seed_artifacts.py URL USER PASSWORD REPO N
"""
import hashlib
import json
import sys
import threading

import requests

url, user, password, repo, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def digest(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


def upload(s, data: bytes) -> dict:
    d = digest(data)
    r = s.post(f"{url}/v2/{repo}/blobs/uploads/?digest={d}", data=data,
               headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, (r.status_code, r.text)
    return {"digest": d, "size": len(data)}


s0 = requests.Session()
s0.auth = (user, password)
config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}).encode()
cfg = dict(upload(s0, config), mediaType="application/vnd.oci.image.config.v1+json")
layer = dict(upload(s0, b"scale layer " * 100), mediaType="application/vnd.oci.image.layer.v1.tar")
errors = []


def worker(k: int, threads: int) -> None:
    s = requests.Session()
    s.auth = (user, password)
    for i in range(k, n, threads):
        m = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cfg, "layers": [layer],
                        "annotations": {"n": str(i)}}).encode()
        ref = f"v{i}" if i % 10 == 0 else digest(m)
        r = s.put(f"{url}/v2/{repo}/manifests/{ref}", data=m, headers={"Content-Type": OCI_MANIFEST})
        if r.status_code != 201:
            errors.append(f"{ref}: {r.status_code} {r.text[:200]}")
            return


threads = [threading.Thread(target=worker, args=(k, 4)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if errors:
    sys.exit("\n".join(errors[:5]))
