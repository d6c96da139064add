"""OCI distribution-spec workflow 3: content discovery (tags/list, _catalog, referrers)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from e2e_lib import (OCI_INDEX, OCI_MANIFEST, assert_error, make_artifact, make_image, make_index,
                     sha256, unique)

LINK_RE = re.compile(r'^\s*<([^>]+)>\s*;\s*rel="?next"?\s*$')


def next_link(resp):
    link = resp.headers.get("Link")
    if link is None:
        return None
    m = LINK_RE.match(link)
    assert m, f"malformed Link header: {link!r}"
    return m.group(1)


# ---- tags -----------------------------------------------------------------------------------------
TAGS = ["v10", "v2", "latest", "1.0", "Alpha", "alpha", "_x", "v1.0-rc1", "zz", "a.b"]


@pytest.fixture(scope="module")
def tagged(module_registry):
    api = module_registry.api
    repo = f"disc/{unique()}"
    img = make_image(n_layers=1)
    api.push_image(repo, TAGS[0], img)
    for t in TAGS[1:]:
        r = api.put_manifest(repo, t, img.manifest, img.media_type)
        assert r.status_code == 201, (t, r.text)
    return repo


def test_tags_list_sorted(module_registry, tagged):
    r = module_registry.api.get(f"/v2/{tagged}/tags/list")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["name"] == tagged
    assert body["tags"] == sorted(TAGS), "tags must be sorted lexically"
    assert "Link" not in r.headers


@pytest.mark.parametrize("n", [1, 3, 4])
def test_tags_list_paging(module_registry, tagged, n):
    api = module_registry.api
    url = f"/v2/{tagged}/tags/list?n={n}"
    seen, pages = [], 0
    while url:
        r = api.get(url)
        assert r.status_code == 200, r.text
        page = r.json()["tags"]
        assert 0 < len(page) <= n
        seen += page
        pages += 1
        link = next_link(r)
        if link:
            u = urlsplit(link)
            assert u.path == f"/v2/{tagged}/tags/list"
            q = parse_qs(u.query)
            assert q["n"] == [str(n)] and q["last"] == [page[-1]], link
        url = link
        assert pages <= len(TAGS)
    assert seen == sorted(TAGS)
    assert pages == -(-len(TAGS) // n)


def test_tags_list_no_link_when_exactly_n(module_registry, tagged):
    r = module_registry.api.get(f"/v2/{tagged}/tags/list?n={len(TAGS)}")
    assert r.status_code == 200
    assert r.json()["tags"] == sorted(TAGS)
    assert "Link" not in r.headers
    r = module_registry.api.get(f"/v2/{tagged}/tags/list?n={len(TAGS) + 5}")
    assert r.json()["tags"] == sorted(TAGS) and "Link" not in r.headers


def test_tags_list_last(module_registry, tagged):
    api = module_registry.api
    s = sorted(TAGS)
    r = api.get(f"/v2/{tagged}/tags/list?last={s[3]}")
    assert r.status_code == 200
    assert r.json()["tags"] == s[4:]
    r = api.get(f"/v2/{tagged}/tags/list?n=2&last={s[3]}")
    assert r.json()["tags"] == s[4:6]
    assert next_link(r) is not None
    # `last` need not be an existing tag: results are the tags after it in lexical order.
    r = api.get(f"/v2/{tagged}/tags/list?last=b")
    assert r.json()["tags"] == [t for t in s if t > "b"]
    r = api.get(f"/v2/{tagged}/tags/list?last={s[-1]}")
    assert r.status_code == 200 and (r.json()["tags"] or []) == []


def test_tags_list_unknown_repository(module_registry):
    r = module_registry.api.get(f"/v2/disc/{unique('nothing')}/tags/list")
    assert_error(r, 404, "NAME_UNKNOWN")


# ---- catalog --------------------------------------------------------------------------------------
def test_catalog_and_paging(registry):
    api = registry.api
    repos = sorted(["cat/b", "cat/a/deep", "alpha", "zeta/one", "m"])
    for i, repo in enumerate(repos):
        api.push_image(repo, "t", make_image(n_layers=1))
    r = api.get("/v2/_catalog")
    assert r.status_code == 200
    assert r.json()["repositories"] == repos
    assert "Link" not in r.headers
    seen, url = [], "/v2/_catalog?n=2"
    while url:
        r = api.get(url)
        assert r.status_code == 200
        page = r.json()["repositories"]
        assert 0 < len(page) <= 2
        seen += page
        url = next_link(r)
        if url:
            u = urlsplit(url)
            assert u.path == "/v2/_catalog"
            assert parse_qs(u.query) == {"n": ["2"], "last": [page[-1]]}
    assert seen == repos
    r = api.get(f"/v2/_catalog?n=10&last={repos[1]}")
    assert r.json()["repositories"] == repos[2:]
    assert "Link" not in r.headers


# ---- referrers ------------------------------------------------------------------------------------
SBOM = "application/vnd.example.sbom.v1"
SIG = "application/vnd.example.signature.v1"


@pytest.fixture(scope="module")
def referred(module_registry):
    api = module_registry.api
    repo = f"disc/{unique('ref')}"
    subject = make_image()
    api.push_image(repo, "app", subject)
    sdesc = subject.desc()
    sbom = make_artifact(sdesc, SBOM, annotations={"org.example.kind": "sbom"})
    sig = make_artifact(sdesc, SIG)
    # No artifactType: the config media type stands in for it.
    cfgtyped = make_artifact(sdesc, None, config_media_type="application/vnd.example.config.v1+json")
    # An index can be a referrer too.
    idx_child = make_image(arch="arm64")
    ref_index = make_index([idx_child], subject=sdesc, artifact_type=SBOM)
    unrelated = make_artifact(None, SBOM)
    for m in (sbom, sig, cfgtyped, ref_index, unrelated):
        api.push_image(repo, None, m)
    return {"repo": repo, "subject": subject, "sbom": sbom, "sig": sig, "cfgtyped": cfgtyped,
            "index": ref_index, "unrelated": unrelated}


def _referrers(api, repo, digest, query=""):
    r = api.get(f"/v2/{repo}/referrers/{digest}{query}")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0].strip() == OCI_INDEX
    body = r.json()
    assert body["schemaVersion"] == 2
    assert body["mediaType"] == OCI_INDEX
    return r, {m["digest"]: m for m in body["manifests"]}


def test_referrers_lists_all(module_registry, referred):
    r, got = _referrers(module_registry.api, referred["repo"], referred["subject"].digest)
    want = {k: referred[k] for k in ("sbom", "sig", "cfgtyped", "index")}
    assert set(got) == {m.digest for m in want.values()}
    for key, m in want.items():
        d = got[m.digest]
        assert d["mediaType"] == m.media_type
        assert d["size"] == len(m.manifest)
    assert got[referred["sbom"].digest]["artifactType"] == SBOM
    assert got[referred["sig"].digest]["artifactType"] == SIG
    assert got[referred["cfgtyped"].digest]["artifactType"] == "application/vnd.example.config.v1+json"
    assert got[referred["index"].digest]["artifactType"] == SBOM
    assert got[referred["sbom"].digest].get("annotations") == {"org.example.kind": "sbom"}
    assert "OCI-Filters-Applied" not in r.headers


def test_referrers_filter(module_registry, referred):
    api = module_registry.api
    r, got = _referrers(api, referred["repo"], referred["subject"].digest, f"?artifactType={SBOM}")
    assert set(got) == {referred["sbom"].digest, referred["index"].digest}
    assert r.headers.get("OCI-Filters-Applied") == "artifactType"
    r, got = _referrers(api, referred["repo"], referred["subject"].digest, f"?artifactType={SIG}")
    assert set(got) == {referred["sig"].digest}
    r, got = _referrers(api, referred["repo"], referred["subject"].digest,
                        "?artifactType=application/vnd.none")
    assert got == {}
    assert r.headers.get("OCI-Filters-Applied") == "artifactType"


def test_referrers_unknown_subject(module_registry, referred):
    r, got = _referrers(module_registry.api, referred["repo"], sha256(b"no such subject"))
    assert got == {}
    # A referrer's own referrers: none.
    r, got = _referrers(module_registry.api, referred["repo"], referred["sbom"].digest)
    assert got == {}


def test_referrers_of_missing_subject_then_subject_pushed(module_registry):
    """Referrers may be pushed before their subject; they are listed once asked."""
    api = module_registry.api
    repo = f"disc/{unique('pre')}"
    subject = make_image()
    art = make_artifact(subject.desc(), SIG)
    api.push_image(repo, None, art)
    _, got = _referrers(api, repo, subject.digest)
    assert set(got) == {art.digest}
    api.push_image(repo, "later", subject)
    _, got = _referrers(api, repo, subject.digest)
    assert set(got) == {art.digest}


def test_referrers_are_per_repository(module_registry, referred):
    api = module_registry.api
    other = f"disc/{unique('oth')}"
    api.push_image(other, "app", referred["subject"])
    _, got = _referrers(api, other, referred["subject"].digest)
    assert got == {}
