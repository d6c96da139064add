"""The REST contract in api/openapi.yaml against the code and the running server.

1. The contract and the code agree: the (method, path) pairs of the C++ route tables
   (RouteRow arrays in src/api/v2_0/*.cc, router.Add in src/api/token/*.cc) are exactly the
   documented operations, path parameters compared by position only.
2. The document is well formed: YAML, OpenAPI 3.0, unique operationIds, every $ref resolves, path
   parameters match their templates, every schema is a valid JSON Schema, list answers declare
   X-Total-Count and Link, unsafe operations ask for the CSRF header with a session.
3. The server keeps the contract: against a real Berth (with a real slapd for the LDAP endpoints)
   the module creates a project (with metadata keys), a public project, a user, members (a user and
   a group), robots, a pushed image, an index and a nested repository, tags, labels, a copy, audit
   records, a webhook policy with a recorded delivery, then calls every documented operation as an
   admin, as an anonymous caller, as a signed-in guest, with unknown ids, with bad bodies and bad
   paging, through a console session and through the token endpoint. Every answer must have a
   status the operation documents and a body that validates against the documented schema (OpenAPI
   schemas converted to JSON Schema 2020-12: `nullable` only); list answers must carry
   X-Total-Count and the right Link relations. The last test checks that every documented
   operation answered 2xx at least once.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import requests
import time

import yaml

from conftest import AUTH as ADMIN
from e2e_lib import REPO_ROOT, make_image, make_index, unique
from webhook_receiver import WebhookReceiver
from ldap_server import Slapd

SPEC_PATH = REPO_ROOT / "api" / "openapi.yaml"
# Not src/api/ui: the web console (a router fallback serving static files for GET/HEAD of paths
# outside /api, /v2, /service, /chartrepo and /c) is no REST operation, so it is not in the contract.
ROUTE_DIRS = [REPO_ROOT / "src" / "api" / "v2_0", REPO_ROOT / "src" / "api" / "token"]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
UNSAFE = ("put", "post", "delete", "patch")
USER_PASSWORD = "Passw0rdV"
ROBOT_SECRET = "Chosen0Secret"


def load_spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def normalize(path: str) -> str:
    """/projects/{project} and /projects/{project_name_or_id} are the same route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def spec_operations(spec: dict):
    for template, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, template, item[method]


# ---- 1. the route tables ----------------------------------------------------------------------
_STRING_CONST = re.compile(r'(?:constexpr|const)\s[^=;(){}]*?\b([A-Za-z_]\w*)\s*(?:\[\])?\s*=\s*((?:"[^"]*"\s*)+);')
_DEFINE = re.compile(r"^[ \t]*#define[ \t]+([A-Za-z_]\w*)[ \t]+(.+?)[ \t]*$", re.M)
_ROW_BLOCK = re.compile(r"RouteRow\s+\w+\s*\[\]\s*=\s*\{(.*?)\n\s*\};", re.S)
_ROW = re.compile(r'\{\s*(?:http::)?Verb::(\w+)\s*,\s*((?:"[^"]*"|[A-Za-z_]\w*|\s)+?)\s*,\s*[A-Za-z_][\w:]*\s*\}')
_ROUTER_ADD = re.compile(r'\.Add\(\s*(?:http::)?Verb::(\w+)\s*,\s*"([^"]+)"')


def _expand(expr: str, names: dict, where: str) -> str:
    out = []
    for literal, name in re.findall(r'"([^"]*)"|([A-Za-z_]\w*)', expr):
        if name:
            assert name in names, f"{where}: cannot expand {name!r} in a route pattern ({expr.strip()})"
            out.append(names[name])
        else:
            out.append(literal)
    return "".join(out)


def code_routes() -> dict[tuple[str, str], str]:
    """(method, normalized path) -> 'file: pattern' for every route the REST/token code registers."""
    routes = {}
    files = sorted(p for d in ROUTE_DIRS for p in d.glob("*.cc"))
    assert files, f"no sources under {ROUTE_DIRS}"
    for path in files:
        text = path.read_text()
        names = {}
        for name, value in _STRING_CONST.findall(text):
            names[name] = _expand(value, names, path.name)
        for name, value in _DEFINE.findall(text):
            names[name] = _expand(value, names, path.name)
        rows = []
        for block in _ROW_BLOCK.findall(text):
            found = _ROW.findall(block)
            assert len(found) == block.count("Verb::"), (
                f"{path.name}: a RouteRow array has {block.count('Verb::')} rows but only {len(found)} "
                f"could be read; keep rows as {{Verb::x, \"/path\" [\"/more\"], Handler}}")
            rows += [(verb, _expand(expr, names, path.name)) for verb, expr in found]
        rows += _ROUTER_ADD.findall(text)
        for verb, pattern in rows:
            key = (verb.rstrip("_").lower(), normalize(pattern))
            routes[key] = f"{path.relative_to(REPO_ROOT)}: {verb.rstrip('_').upper()} {pattern}"
    return routes


def test_every_registered_route_is_documented_and_nothing_else():
    spec = load_spec()
    documented = {(m, normalize(t)): f"{m.upper()} {t} ({op.get('operationId')})"
                  for m, t, op in spec_operations(spec)}
    code = code_routes()
    # The parser must see the tables it is meant to see (a regex that reads nothing proves nothing).
    assert ("get", "/api/v2.0/projects/{}/repositories/{}/artifacts/{}") in code, sorted(code)
    assert ("get", "/service/token") in code and ("post", "/c/login") in code, sorted(code)
    undocumented = sorted(v for k, v in code.items() if k not in documented)
    missing = sorted(v for k, v in documented.items() if k not in code)
    problems = []
    if undocumented:
        problems.append("routes registered in the code but missing from api/openapi.yaml:\n  " + "\n  ".join(undocumented))
    if missing:
        problems.append("operations in api/openapi.yaml that the code does not register:\n  " + "\n  ".join(missing))
    assert not problems, "\n".join(problems)
    assert len(code) == len(documented)


# ---- 2. the document itself -------------------------------------------------------------------
def resolve(spec: dict, node):
    """Follows $ref (JSON pointers into this document) until a non-reference node."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are used: {ref}"
        assert ref not in seen, f"reference loop at {ref}"
        seen.add(ref)
        target = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(target, dict) and part in target, f"$ref {ref} does not resolve"
            target = target[part]
        node = target
    return node


def to_json_schema(s):
    """An OpenAPI 3.0 schema object as JSON Schema 2020-12: `nullable` becomes a null type, the
    OpenAPI-only annotations go; $ref stays (#/components/schemas/... resolves in the root)."""
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k in ("nullable", "example", "readOnly", "writeOnly", "deprecated", "xml", "externalDocs", "discriminator"):
            continue
        if k == "properties":
            out[k] = {name: to_json_schema(x) for name, x in v.items()}
        elif k in ("items", "not") or (k == "additionalProperties" and isinstance(v, dict)):
            out[k] = to_json_schema(v)
        elif k in ("allOf", "anyOf", "oneOf"):
            out[k] = [to_json_schema(x) for x in v]
        else:
            out[k] = v
    if s.get("nullable"):
        assert "type" in out, f"nullable needs a type here: {s}"
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def validator(spec: dict, schema: dict):
    root = dict(to_json_schema(schema))
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    root["components"] = {"schemas": {n: to_json_schema(s) for n, s in spec["components"]["schemas"].items()}}
    return jsonschema.Draft202012Validator(root)


def parameters_of(spec, template, method):
    item = spec["paths"][template]
    params = [resolve(spec, p) for p in item.get("parameters", [])]
    params += [resolve(spec, p) for p in item[method].get("parameters", [])]
    return params


def is_list_operation(spec, template, method) -> bool:
    return any(p["name"] == "page_size" and p["in"] == "query" for p in parameters_of(spec, template, method))


def test_the_document_is_valid_openapi_with_unique_ids_and_resolving_refs():
    spec = load_spec()
    assert str(spec["openapi"]).startswith("3.0."), spec["openapi"]
    assert spec["info"]["title"] and spec["info"]["version"]

    # Every $ref resolves.
    def walk(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                resolve(spec, node)
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")
    walk(spec, "#")

    ids = defaultdict(list)
    schemes = set(spec["components"]["securitySchemes"])
    for method, template, op in spec_operations(spec):
        where = f"{method.upper()} {template}"
        assert op.get("operationId"), f"{where} has no operationId"
        ids[op["operationId"]].append(where)
        # Path parameters are exactly the template's.
        params = parameters_of(spec, template, method)
        in_path = {p["name"] for p in params if p["in"] == "path"}
        assert in_path == set(re.findall(r"\{([^}]+)\}", template)), f"{where}: path parameters {sorted(in_path)}"
        assert all(p.get("required") for p in params if p["in"] == "path"), f"{where}: path parameters are required"
        for p in params:
            assert p.get("name") and p.get("in") in ("path", "query", "header", "cookie") and "schema" in p, \
                f"{where}: malformed parameter {p}"
        names = [(p["name"], p["in"]) for p in params]
        assert len(names) == len(set(names)), f"{where}: a parameter is declared twice"
        # Responses: a 2xx, explicit three-digit codes, a description on each.
        responses = op["responses"]
        assert any(str(c).startswith("2") for c in responses), f"{where}: no success response"
        for code, r in responses.items():
            assert code == "default" or re.fullmatch(r"[1-5]\d\d", str(code)), f"{where}: response key {code!r}"
            assert resolve(spec, r).get("description"), f"{where} {code}: no description"
        # Lists (operations with page_size) declare both paging headers on their 200, and only they do.
        ok = resolve(spec, responses.get("200", {}))
        headers = set(ok.get("headers", {}))
        if is_list_operation(spec, template, method):
            assert {"X-Total-Count", "Link"} <= headers, f"{where}: a list answer needs X-Total-Count and Link"
            schema = resolve(spec, ok["content"]["application/json"]["schema"])
            assert schema["type"] == "array", f"{where}: a list answer is an array"
        else:
            assert "X-Total-Count" not in headers, f"{where}: X-Total-Count on an operation without paging"
        # Security names known schemes; with a session cookie, unsafe methods need the CSRF header.
        security = op.get("security", spec["security"])
        for requirement in security:
            assert set(requirement) <= schemes, f"{where}: unknown security scheme in {requirement}"
            if method in UNSAFE and "session" in requirement:
                assert "csrf" in requirement, f"{where}: an unsafe method with a session needs csrf"
    duplicates = {k: v for k, v in ids.items() if len(v) > 1}
    assert not duplicates, f"operationIds used more than once: {duplicates}"

    # Every component schema is a valid JSON Schema once converted, and compiles with the others.
    for name, schema in spec["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(to_json_schema(schema))
        validator(spec, {"$ref": f"#/components/schemas/{name}"})
    # Spot checks that the schemas can fail (a schema that accepts everything validates nothing).
    err = validator(spec, {"$ref": "#/components/schemas/Error"})
    assert err.is_valid({"errors": [{"code": "NOT_FOUND", "message": "no"}]})
    assert not err.is_valid({"errors": [{"code": "NOT_FOUND", "message": "no", "extra": 1}]})
    assert not err.is_valid({"errors": []})
    art = validator(spec, {"$ref": "#/components/schemas/Tag"})
    assert not art.is_valid({"id": 1, "repository_id": 1, "artifact_id": 1, "name": "v1",
                             "push_time": "2026-01-02T03:04:05Z", "pull_time": "0001-01-01T00:00:00.000Z",
                             "immutable": False}), "push_time must be Harbor's time with milliseconds"


# ---- 3. the server keeps the contract ---------------------------------------------------------
class Operation(SimpleNamespace):
    pass


class Contract:
    """Calls the server and checks each answer against the operation it belongs to."""

    def __init__(self, spec: dict, srv):
        self.spec, self.srv = spec, srv
        self.http = requests.Session()
        self.http.trust_env = False  # no ~/.netrc credentials, no proxies
        self.ops = []
        for method, template, op in spec_operations(spec):
            rx = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$"
            self.ops.append(Operation(method=method, template=template, id=op["operationId"], spec=op,
                                      rx=re.compile(rx), params=template.count("{")))
        self.ops.sort(key=lambda o: o.params)  # /usergroups/search before /usergroups/{group_id}
        self.seen = defaultdict(set)  # operationId -> statuses validated
        self.validators = {}

    def operation(self, method: str, path: str) -> Operation:
        for o in self.ops:
            if o.method == method and o.rx.match(path):
                return o
        raise AssertionError(f"{method.upper()} {path} matches no documented operation")

    def by_id(self, op_id: str) -> Operation:
        return next(o for o in self.ops if o.id == op_id)

    def call(self, method: str, path: str, auth=ADMIN, expect=None, params=None, session=None,
             **kw) -> requests.Response:
        http = session or self.http
        r = http.request(method.upper(), self.srv.url + path, auth=auth, params=params, timeout=30,
                         allow_redirects=False, **kw)
        self.check(method, path, params or {}, r)
        if expect is not None:
            want = expect if isinstance(expect, (tuple, set, list)) else (expect,)
            assert r.status_code in want, f"{method.upper()} {path}: expected {expect}, got {r.status_code}: {r.text[:300]}"
        return r

    def _validate(self, where, schema, body):
        key = repr(schema)
        if key not in self.validators:
            self.validators[key] = validator(self.spec, schema)
        err = jsonschema.exceptions.best_match(self.validators[key].iter_errors(body))
        if err is not None:
            at = "/".join(str(p) for p in err.absolute_path) or "(top)"
            raise AssertionError(f"{where}: the body does not match the documented schema at {at}: {err.message}\n"
                                 f"body: {str(body)[:600]}")

    def check(self, method, path, query, r):
        o = self.operation(method, path)
        where = f"{method.upper()} {path} [{o.id}] -> {r.status_code}"
        assert r.status_code < 500, f"{where}: server error: {r.text[:300]}"
        responses = o.spec["responses"]
        assert str(r.status_code) in responses, \
            f"{where}: status not documented for this operation (documented: {sorted(responses)}): {r.text[:300]}"
        doc = resolve(self.spec, responses[str(r.status_code)])
        content = doc.get("content")
        ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
        if method == "head" or not content:
            assert r.content == b"", f"{where}: documented without a body, got {r.content[:200]!r}"
        else:
            assert ctype in content, f"{where}: Content-Type {ctype!r} is not documented ({sorted(content)})"
            schema = content[ctype]["schema"]
            body = r.json() if ctype == "application/json" else r.text
            self._validate(where, schema, body)
        for name, h in doc.get("headers", {}).items():
            if resolve(self.spec, h).get("required"):
                assert r.headers.get(name), f"{where}: the documented header {name} is missing"
        if "X-Total-Count" in doc.get("headers", {}):
            self._check_paging(where, path, query, r)
        self.seen[o.id].add(r.status_code)

    @staticmethod
    def _check_paging(where, path, query, r):
        total = int(r.headers["X-Total-Count"])
        page, size = int(query.get("page", 1)), int(query.get("page_size", 10))
        items = r.json()
        assert len(items) == max(0, min(size, total - (page - 1) * size)), \
            f"{where}: {len(items)} items on page {page} of size {size} with X-Total-Count {total}"
        links = dict((rel, url) for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', r.headers.get("Link", "")))
        want = ({"prev"} if page > 1 else set()) | ({"next"} if page * size < total else set())
        assert set(links) == want, f"{where}: Link relations {sorted(links)}, expected {sorted(want)}: " \
                                   f"{r.headers.get('Link')!r}"
        for rel, url in links.items():
            u = urlsplit(url)
            q = {k: v[-1] for k, v in parse_qs(u.query).items()}
            assert u.path == path and q["page_size"] == str(size), f"{where}: bad {rel} link {url}"
            assert int(q["page"]) == (page - 1 if rel == "prev" else page + 1), f"{where}: bad {rel} link {url}"
            for k, v in query.items():
                if k not in ("page", "page_size"):
                    assert q.get(k) == str(v), f"{where}: the {rel} link drops {k}: {url}"


def location_id(r) -> int:
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    d = Slapd(tmp_path_factory.mktemp("slapd-openapi"))
    d.start()
    yield d
    d.cleanup()


@pytest.fixture(scope="module")
def contract(module_registry):
    return Contract(load_spec(), module_registry)


@pytest.fixture(scope="module")
def world(module_registry, contract, directory):
    """Realistic data, every piece created through the documented API (or /v2) and checked; only a
    webhook delivery is written into the server's database (see record_webhook_delivery)."""
    c, srv, w = contract, module_registry, SimpleNamespace()
    api = "/api/v2.0"

    # A user, changed in every way the API allows.
    w.username = unique("oau")
    r = c.call("post", f"{api}/users", expect=201,
               json={"username": w.username, "password": "Passw0rdU", "email": f"{w.username}@example.org",
                     "realname": "Open Api", "comment": "made by test_openapi"})
    w.user_id = location_id(r)
    c.call("put", f"{api}/users/{w.user_id}", json={"comment": "documented"}, expect=200)
    c.call("put", f"{api}/users/{w.user_id}/password", json={"new_password": USER_PASSWORD}, expect=200)
    c.call("put", f"{api}/users/{w.user_id}/sysadmin", json={"sysadmin_flag": False}, expect=200)
    w.user_auth = (w.username, USER_PASSWORD)

    # A private and a public project.
    w.project = unique("oapriv")
    w.project_id = location_id(c.call("post", f"{api}/projects", expect=201,
                                      json={"project_name": w.project, "metadata": {"public": "false"}}))
    w.public_project = unique("oapub")
    w.public_project_id = location_id(c.call("post", f"{api}/projects", expect=201,
                                             json={"project_name": w.public_project, "metadata": {"public": True},
                                                   "storage_limit": -1}))
    c.call("put", f"{api}/projects/{w.project_id}", expect=200,
           json={"metadata": {"public": "false", "auto_scan": "true", "severity": "high"}})
    # The per-key metadata API: one key added, one changed, each a second time as Harbor answers.
    c.call("post", f"{api}/projects/{w.project_id}/metadatas/", json={"prevent_vul": "true"}, expect=200)
    c.call("post", f"{api}/projects/{w.project_id}/metadatas/", json={"prevent_vul": "false"}, expect=409)
    c.call("put", f"{api}/projects/{w.project_id}/metadatas/auto_scan", json={"auto_scan": "false"}, expect=200)
    assert c.call("get", f"{api}/projects/{w.project_id}/metadatas/", expect=200).json() == {
        "public": "false", "auto_scan": "false", "severity": "high", "prevent_vul": "true"}

    # Members: the user as developer then guest, and an HTTP group as maintainer.
    w.member_id = location_id(c.call("post", f"{api}/projects/{w.project_id}/members", expect=201,
                                     json={"role_id": 2, "member_user": {"username": w.username}}))
    c.call("put", f"{api}/projects/{w.project_id}/members/{w.member_id}", json={"role_id": 3}, expect=200)
    w.group_name = unique("oag")
    w.group_id = location_id(c.call("post", f"{api}/usergroups", json={"group_name": w.group_name, "group_type": 2},
                                    expect=201))
    w.group_name += "x"
    c.call("put", f"{api}/usergroups/{w.group_id}", json={"group_name": w.group_name}, expect=200)
    w.group_member_id = location_id(c.call("post", f"{api}/projects/{w.project_id}/members", expect=201,
                                           json={"role_id": 4, "member_group": {"id": w.group_id}}))

    # Robots: one of the project, one of the system.
    w.robot_body = {"name": unique("bot"), "level": "project", "duration": -1, "description": "ci",
                    "permissions": [{"kind": "project", "namespace": w.project,
                                     "access": [{"resource": "repository", "action": "pull"},
                                                {"resource": "artifact", "action": "read", "effect": "allow"}]}]}
    r = c.call("post", f"{api}/robots", json=w.robot_body, expect=201)
    w.robot_id, w.robot_name = r.json()["id"], r.json()["name"]
    assert r.headers["Location"].endswith(f"/robots/{w.robot_id}") and r.json()["secret"]
    r = c.call("post", f"{api}/robots", expect=201, json={
        "name": unique("sys"), "level": "system", "duration": 30,
        "permissions": [{"kind": "system", "namespace": "/", "access": [{"resource": "audit-log", "action": "list"}]},
                        {"kind": "project", "namespace": "*", "access": [{"resource": "repository", "action": "list"}]}]})
    w.system_robot_id = r.json()["id"]
    c.call("put", f"{api}/robots/{w.robot_id}", json={**w.robot_body, "description": "ci, changed"}, expect=200)
    assert c.call("patch", f"{api}/robots/{w.robot_id}", json={}, expect=200).json()["secret"]
    assert c.call("patch", f"{api}/robots/{w.robot_id}", json={"secret": ROBOT_SECRET}, expect=200).json() == {}

    # Images through /v2: an image with a tag, a multi-arch index, a nested repository, a public image.
    w.image = make_image()
    srv.api.push_image(f"{w.project}/app", "v1", w.image)
    w.index = make_index([make_image(arch="arm64"), make_image(arch="amd64")])
    srv.api.push_image(f"{w.project}/app", "multi", w.index)
    srv.api.push_image(f"{w.project}/team/tool", "v1", make_image(fmt="docker"))
    srv.api.push_image(f"{w.public_project}/app", "v1", make_image())
    c.call("put", f"{api}/projects/{w.project_id}/repositories/app", json={"description": "the app"}, expect=200)
    c.call("post", f"{api}/projects/{w.project_id}/repositories/app/artifacts/v1/tags", json={"name": "stable"},
           expect=201)

    # Labels: global, of the private project, of the public project; two attached to the image.
    w.label_id = location_id(c.call("post", f"{api}/labels", expect=201,
                                    json={"name": unique("glbl"), "color": "#00ff00", "description": "global"}))
    w.project_label_id = location_id(c.call("post", f"{api}/labels", expect=201,
                                            json={"name": unique("plbl"), "scope": "p", "project_id": w.project_id}))
    w.public_label_id = location_id(c.call("post", f"{api}/labels", expect=201,
                                           json={"name": unique("pub"), "scope": "p",
                                                 "project_id": w.public_project_id}))
    c.call("put", f"{api}/labels/{w.label_id}", json={"description": "global, changed"}, expect=200)
    for lid in (w.label_id, w.project_label_id):
        c.call("post", f"{api}/projects/{w.project_id}/repositories/app/artifacts/v1/labels", json={"id": lid},
               expect=200)

    # A copy into a new repository.
    c.call("post", f"{api}/projects/{w.project}/repositories/copy/artifacts", params={"from": f"{w.project}/app:v1"},
           expect=201)

    # The private project's quota: found by project, its limit set, usage verified.
    w.quota_id = c.call("get", f"{api}/quotas", params={"reference": "project", "reference_id": str(w.project_id)},
                        expect=200).json()[0]["id"]
    c.call("put", f"{api}/quotas/{w.quota_id}", json={"hard": {"storage": 1 << 40}}, expect=200)
    assert c.call("post", f"{api}/quotas/verify", expect=200).json()["drift"] == []

    # LDAP settings pointing at the real directory; a user imported from it.
    c.call("put", f"{api}/configurations", json=directory.settings(), expect=200)
    assert c.call("post", f"{api}/ldap/ping", json={}, expect=200).json()["success"] is True
    c.call("post", f"{api}/ldap/users/import", json={"ldap_uid_list": ["alice"]}, expect=200)
    failed = c.call("post", f"{api}/ldap/users/import", json={"ldap_uid_list": ["nosuchuid"]}, expect=404).json()
    assert failed == [{"uid": "nosuchuid", "error": "unknown_user"}], failed

    # A webhook policy, changed once, with one delivery of it re-sent. Deliveries come from the
    # event pipeline; here one is recorded in the server's database as its dispatcher would.
    w.webhook_body = {"name": unique("hook"), "description": "ci", "enabled": True,
                      "event_types": ["PUSH_ARTIFACT", "PULL_ARTIFACT"],
                      "targets": [{"type": "http", "address": "https://ci.example.com/hook",
                                   "auth_header": "Bearer t0ken", "payload_format": "CloudEvents"}]}
    w.webhook_id = location_id(c.call("post", f"{api}/projects/{w.project_id}/webhook/policies", expect=201,
                                      json=w.webhook_body))
    c.call("put", f"{api}/projects/{w.project_id}/webhook/policies/{w.webhook_id}", expect=200,
           json={**w.webhook_body, "description": "ci, changed"})
    w.execution_id = record_webhook_delivery(srv, w.project_id, w.webhook_id)
    c.call("post", f"{api}/projects/{w.project_id}/webhook/policies/{w.webhook_id}/executions/{w.execution_id}"
                   "/redeliver", expect=201)
    # The test endpoint against a real receiver on loopback.
    w.receiver = WebhookReceiver().start()
    hook = location_id(c.call("post", f"{api}/projects/{w.project_id}/webhook/policies", expect=201,
                              json={**w.webhook_body, "name": unique("hook"),
                                    "targets": [{"type": "http", "address": w.receiver.url()}]}))
    c.call("post", f"{api}/projects/{w.project_id}/webhook/policies/{hook}/test", expect=200)
    assert w.receiver.wait_for(1)[0].json()["type"] == "PUSH_ARTIFACT"

    # Garbage collection: the schedule read and set, a dry run started, waited for, its log read.
    c.call("get", f"{api}/system/gc/schedule", expect=200)
    c.call("put", f"{api}/system/gc/schedule", expect=200,
           json={"schedule": {"type": "Daily", "cron": ""}, "parameters": {"delete_untagged": False}})
    w.gc_id = location_id(c.call("post", f"{api}/system/gc/schedule", expect=201,
                                 json={"schedule": {"type": "Manual"}, "parameters": {"dry_run": True}}))
    for _ in range(100):
        if c.call("get", f"{api}/system/gc/{w.gc_id}", expect=200).json()["job_status"] not in ("Pending", "Running"):
            break
        time.sleep(0.1)
    c.call("get", f"{api}/system/gc", expect=200)
    c.call("get", f"{api}/system/gc/{w.gc_id}/log", expect=200)
    c.call("put", f"{api}/system/gc/{w.gc_id}", expect=200)
    # Path values per parameter name: the private world and the public one.
    w.values = {"project_name_or_id": str(w.project_id), "repository_name": "app", "reference": "v1",
                "tag_name": "stable", "label_id": str(w.label_id), "mid": str(w.member_id),
                "user_id": str(w.user_id), "group_id": str(w.group_id), "robot_id": str(w.robot_id),
                "meta_name": "severity", "webhook_policy_id": str(w.webhook_id),
                "execution_id": str(w.execution_id), "task_id": str(w.execution_id), "gc_id": str(w.gc_id),
                "quota_id": str(w.quota_id)}
    w.public_values = {**w.values, "project_name_or_id": str(w.public_project_id),
                       "label_id": str(w.public_label_id)}
    w.unknown_values = {"project_name_or_id": "999999", "repository_name": "nosuchrepo", "reference": "nosuchtag",
                        "tag_name": "nosuchtag", "label_id": "999999", "mid": "999999", "user_id": "999999",
                        "group_id": "999999", "robot_id": "999999", "meta_name": "no_such_key",
                        "webhook_policy_id": "999999", "execution_id": "999999", "task_id": "999999",
                        "gc_id": "999999", "quota_id": "999999"}
    # Query parameters an operation needs to be answered with data.
    w.queries = {
        "headProject": {"project_name": w.project},
        "searchUsers": {"username": w.username[:5]},
        "searchUserGroups": {"groupname": w.group_name[:5]},
        "listRobots": {"q": f"Level=project,ProjectID={w.project_id}"},
        "getCurrentUserPermissions": {"scope": f"/project/{w.project_id}", "relative": "true"},
        "listArtifacts": {"with_label": "true"},
        "getArtifact": {"with_label": "true"},
        "search": {"q": "oap"},
        "searchLdapUsers": {"username": "alice"},
        "searchLdapGroups": {"groupname": "devs"},
        "getRegistryToken": {"service": "harbor-registry", "scope": f"repository:{w.project}/app:pull"},
        "copyArtifact": {"from": f"{w.project}/app:v1"},
        "listWebhookJobs": {"policy_id": str(w.webhook_id)},
    }
    w.public_queries = {**w.queries, "headProject": {"project_name": w.public_project},
                        "listLabels": {"scope": "p", "project_id": str(w.public_project_id)},
                        "getRegistryToken": {"service": "harbor-registry",
                                             "scope": f"repository:{w.public_project}/app:pull"}}
    # A valid body for every operation that takes one (so that only the tested aspect fails).
    w.bodies = {
        "createUser": {"username": unique("oax"), "password": "Passw0rdX"},
        "updateUserProfile": {"comment": "again"},
        "updateUserPassword": {"new_password": "Passw0rdW"},
        "setUserSysAdmin": {"sysadmin_flag": False},
        "createProject": {"project_name": unique("oaz")},
        "updateProject": {"metadata": {"public": "false"}},
        "addProjectMetadatas": {"auto_sbom_generation": "true"},
        "updateProjectMetadata": {"severity": "high"},
        "createProjectMember": {"role_id": 3, "member_user": {"username": "alice"}},
        "updateProjectMember": {"role_id": 3},
        "createUserGroup": {"group_name": unique("oagx"), "group_type": 2},
        "updateUserGroup": {"group_name": w.group_name},
        "createRobot": {**w.robot_body, "name": unique("botx")},
        "updateRobot": w.robot_body,
        "refreshRobotSecret": {"secret": ROBOT_SECRET},
        "updateRepository": {"description": "the app"},
        "createTag": {"name": unique("t")},
        "addLabel": {"id": w.label_id},
        "createLabel": {"name": unique("lx")},
        "updateLabel": {"description": "same"},
        "pingLdap": {},
        "importLdapUsers": {"ldap_uid_list": ["bob"]},
        "updateConfigurations": {"read_only": False},
        "createWebhookPolicy": {**w.webhook_body, "name": unique("hookx")},
        "updateWebhookPolicy": w.webhook_body,
        "updateQuota": {"hard": {"storage": 1 << 40}},
        "login": None,
    }
    return w


def record_webhook_delivery(srv, project_id: int, policy_id: int) -> int:
    """Writes one delivery (execution) of the policy into the running server's database, with a
    failed attempt, as the event dispatcher and a delivery worker would; returns its id."""
    payload = json.dumps({"type": "PUSH_ARTIFACT", "occur_at": 1700000000, "operator": "admin"})
    target = json.dumps({"type": "http", "address": "https://ci.example.com/hook", "auth_header": "Bearer t0ken",
                         "skip_cert_verify": False, "payload_format": "CloudEvents", "signing_secret": ""})
    con = sqlite3.connect(str(srv.data_dir / "berth.db"), timeout=10)
    try:
        with con:
            eid = con.execute(
                "INSERT INTO webhook_executions(policy_id, project_id, event_id, target_index, vendor_type, event_type,"
                " target, payload, delivery_id, status, status_message, run_count, created_at, start_at, updated_at)"
                " VALUES(?, ?, 1, 0, 'WEBHOOK', 'PUSH_ARTIFACT', ?, ?, 'openapi-delivery', 'Pending',"
                " 'attempt 1 failed', 1, 1700000000000, 1700000000100, 1700000000200)",
                (policy_id, project_id, target, payload)).lastrowid
            con.execute("INSERT INTO webhook_attempts(execution_id, attempt, at, status_code, duration_ms, error,"
                        " response) VALUES(?, 1, 1700000000100, 502, 12, 'abnormal response code: 502', 'bad')",
                        (eid,))
    finally:
        con.close()
    return eid


def set_webhook_deliveries_final(srv, policy_id: int) -> None:
    con = sqlite3.connect(str(srv.data_dir / "berth.db"), timeout=10)
    try:
        with con:
            con.execute("UPDATE webhook_executions SET status = 'Error', end_at = updated_at WHERE policy_id = ?",
                        (policy_id,))
    finally:
        con.close()


def instantiate(template: str, values: dict) -> str:
    def one(m):
        assert m.group(1) in values, f"the test has no value for path parameter {m.group(1)} of {template}"
        return values[m.group(1)]
    return re.sub(r"\{([^}]+)\}", one, template)


def body_kw(w, o) -> dict:
    body = w.bodies.get(o.id)
    return {"json": body} if body is not None else {}


def anonymous_allowed(spec, o) -> bool:
    security = o.spec.get("security", spec["security"])
    return security == [] or {} in security


def test_every_read_answers_as_documented_with_realistic_data(contract, world):
    c, w = contract, world
    reads = [o for o in c.ops if o.method in ("get", "head")]
    assert len(reads) >= 40
    for o in reads:
        r = c.call(o.method, instantiate(o.template, w.values), params=w.queries.get(o.id), expect=200)
        if o.method == "get" and r.headers.get("Content-Type", "").startswith("application/json"):
            body = r.json()
            if isinstance(body, list):
                assert body, f"{o.id}: the test data should make this list non-empty"

    # Variants that reach the other shapes, filters and the paging links.
    api, p = "/api/v2.0", w.project_id
    art = c.call("get", f"{api}/projects/{p}/repositories/app/artifacts/v1", params={"with_label": "true"},
                 expect=200).json()
    assert {l["id"] for l in art["labels"]} == {w.label_id, w.project_label_id}
    assert {t["name"] for t in art["tags"]} == {"v1", "stable"} and art["references"] is None
    assert art["extra_attrs"]["architecture"] == "amd64" and "build_history" in art["addition_links"]
    idx = c.call("get", f"{api}/projects/{p}/repositories/app/artifacts/multi", params={"with_tag": "false"},
                 expect=200).json()
    assert len(idx["references"]) == 2 and idx["tags"] is None and idx["labels"] is None
    c.call("get", f"{api}/projects/{p}/repositories/team%252Ftool", expect=200)
    c.call("get", f"{api}/projects/{p}/repositories/team%252Ftool/artifacts", expect=200)
    c.call("get", f"{api}/projects/{w.project}", headers={"X-Is-Resource-Name": "true"}, expect=200)
    assert c.call("get", f"{api}/projects/{w.project}/metadatas/prevent_vul", expect=200).json() == \
        {"prevent_vul": "true"}
    c.call("get", f"{api}/projects/{p}/metadatas/enable_content_trust", expect=404)  # a key it does not have
    c.call("get", f"{api}/projects/{p}/repositories/app/artifacts", expect=200,
           params={"q": "tags=*", "sort": "-id", "page": "2", "page_size": "1"})
    c.call("get", f"{api}/projects/{p}/repositories", params={"q": "name=~ap", "sort": "name"}, expect=200)
    c.call("get", f"{api}/projects", params={"page_size": "1", "name": "oa"}, expect=200)
    c.call("get", f"{api}/users", params={"q": f"username=~{w.username[:6]}"}, expect=200)
    c.call("get", f"{api}/robots", expect=200)
    c.call("get", f"{api}/labels", params={"scope": "p", "project_id": str(p)}, expect=200)
    c.call("get", f"{api}/audit-logs", params={"q": "resource_type=project", "page": "2", "page_size": "1"},
           expect=200)
    c.call("get", f"{api}/projects/{p}/auditlog-exts", params={"q": "operation=create"}, expect=200)
    c.call("get", f"{api}/systeminfo", auth=None, expect=200)
    c.call("get", f"{api}/users/current", auth=(w.robot_name, ROBOT_SECRET), expect=412)
    c.call("get", f"{api}/permissions", auth=w.user_auth, expect=403)
    found = c.call("get", f"{api}/search", params={"q": "oap"}, expect=200).json()
    assert found["project"] and found["repository"], found
    logs = c.call("get", f"{api}/projects/{p}/auditlog-exts", params={"page_size": "100"}, expect=200).json()
    assert {"create_project", "create_member"} <= {e["event_type"] for e in logs}, logs
    c.call("head", f"{api}/projects", params={"project_name": "nosuchproject"}, expect=404)


def test_anonymous_callers_get_the_documented_answers(contract, world):
    """Operations whose security allows `{}` answer anonymous callers (public data); every other
    operation refuses them with 401; nothing in a private project is readable anonymously."""
    c, w, spec = contract, world, contract.spec
    for o in c.ops:
        if o.id == "login":
            continue
        if anonymous_allowed(spec, o):
            path = instantiate(o.template, w.public_values)
            c.call(o.method, path, auth=None, params=w.public_queries.get(o.id), expect=200)
            if "{project_name_or_id}" in o.template:
                c.call(o.method, instantiate(o.template, w.values), auth=None, params=w.queries.get(o.id),
                       expect=401)
        else:
            c.call(o.method, instantiate(o.template, w.values), auth=None, params=w.queries.get(o.id), expect=401,
                   **body_kw(w, o))


def test_a_signed_in_guest_gets_documented_answers_and_changes_nothing_it_may_not(contract, world):
    c, w = contract, world
    for o in c.ops:
        if o.id in ("login", "logout"):
            continue
        r = c.call(o.method, instantiate(o.template, w.values), auth=w.user_auth, params=w.queries.get(o.id),
                   **body_kw(w, o))
        if o.method == "delete":
            assert r.status_code == 403, f"{o.id}: a guest must not delete ({r.status_code})"
    api = "/api/v2.0"
    for path in ("/users", "/configurations", "/audit-logs", "/usergroups"):
        c.call("get", api + path, auth=w.user_auth, expect=403)


def test_unknown_ids_are_documented_404s(contract, world):
    c, w = contract, world
    checked = 0
    for o in c.ops:
        for name in re.findall(r"\{([^}]+)\}", o.template):
            if o.id == "copyArtifact" and name == "repository_name":
                continue  # copying into a repository that does not exist yet creates it
            values = {**w.values, name: w.unknown_values[name]}
            c.call(o.method, instantiate(o.template, values), params=w.queries.get(o.id), expect=404,
                   **body_kw(w, o))
            checked += 1
    assert checked >= 60


def test_bad_bodies_and_bad_paging_are_documented_400s(contract, world):
    c, w, spec = contract, world, contract.spec
    with_body = 0
    for o in c.ops:
        content = resolve(spec, o.spec.get("requestBody", {})).get("content", {})
        path = instantiate(o.template, w.values)
        if "application/json" in content:
            for bad in ("{not json", "[]", '"text"'):
                c.call(o.method, path, params=w.queries.get(o.id), data=bad,
                       headers={"Content-Type": "application/json"}, expect=400)
            with_body += 1
        if is_list_operation(spec, o.template, o.method):
            for paging in ({"page_size": "0"}, {"page_size": "101"}, {"page": "0"}, {"page": "x"}):
                c.call(o.method, path, params={**w.queries.get(o.id, {}), **paging}, expect=400)
    assert with_body >= 20
    # Field-level checks where Berth is strict about unknown fields.
    api = "/api/v2.0"
    c.call("post", f"{api}/projects/{w.project_id}/members", json={"role_id": 3, "member_user": {"username": "alice"},
                                                                  "surprise": 1}, expect=400)
    c.call("post", f"{api}/usergroups", json={"group_name": "g", "group_type": 2, "surprise": 1}, expect=400)
    c.call("put", f"{api}/configurations", json={"no_such_setting": 1}, expect=400)
    c.call("post", f"{api}/projects", json={"project_name": "Bad Name"}, expect=400)
    meta = f"{api}/projects/{w.project_id}/metadatas/"
    for bad in ({}, {"auto_sbom_generation": "true", "enable_content_trust": "true"}, {"no_such_key": "true"},
                {"auto_sbom_generation": "yes"}, {"severity": ""}):
        c.call("post", meta, json=bad, expect=400)
    for bad in ({"auto_scan": "true"}, {"severity": "high", "auto_scan": "true"}, {"severity": 3}):
        c.call("put", meta + "severity", json=bad, expect=400)
    c.call("post", f"{api}/projects/{w.project_id}/repositories/app/artifacts", params={"from": "nonsense"},
           expect=400)


def test_console_session_and_registry_token_answer_as_documented(contract, world):
    c, w = contract, world
    api = "/api/v2.0"
    s = requests.Session()
    s.trust_env = False
    r = c.call("post", "/c/login", auth=None, session=s, data={"principal": w.username, "password": USER_PASSWORD},
               expect=200)
    csrf = r.headers["X-Harbor-CSRF-Token"]
    assert s.cookies.get("sid") and s.cookies.get("__csrf") == csrf
    assert c.call("get", f"{api}/users/current", auth=None, session=s, expect=200).json()["username"] == w.username
    c.call("put", f"{api}/users/{w.user_id}", auth=None, session=s, json={"comment": "s"}, expect=403)
    c.call("put", f"{api}/users/{w.user_id}", auth=None, session=s, json={"comment": "s"},
           headers={"X-Harbor-CSRF-Token": csrf}, expect=200)
    c.call("get", "/c/log_out", auth=None, session=s, expect=200)
    c.call("get", f"{api}/users/current", auth=None, session=s, expect=401)
    c.call("post", "/c/login", auth=None, data={"principal": w.username}, expect=400)
    c.call("post", "/c/login", auth=None, data={"principal": w.username, "password": "Wrong0ne"}, expect=401)
    c.call("post", "/c/login", auth=None, data={"principal": w.robot_name, "password": ROBOT_SECRET}, expect=401)

    c.call("get", "/service/token", auth=None, expect=401)
    c.call("get", "/service/token", params={"service": "elsewhere"}, expect=400)
    c.call("get", "/service/token", auth=("admin", "Wrong0ne"), params={"scope": "registry:catalog:*"}, expect=401)
    tok = c.call("get", "/service/token", params=w.queries["getRegistryToken"], expect=200).json()
    assert tok["token"].count(".") == 2


def test_deletes_answer_as_documented(contract, world):
    c, w = contract, world
    api, p = "/api/v2.0", w.project_id
    app = f"{api}/projects/{p}/repositories/app"
    c.call("delete", f"{app}/artifacts/v1/tags/stable", expect=200)
    c.call("delete", f"{app}/artifacts/v1/labels/{w.project_label_id}", expect=200)
    c.call("delete", f"{api}/labels/{w.project_label_id}", expect=200)
    child = w.index.children[0].digest
    c.call("delete", f"{app}/artifacts/{child}", expect=412)  # listed by the index
    c.call("delete", f"{app}/artifacts/{w.index.digest}", expect=200)
    c.call("delete", f"{api}/projects/{p}/members/{w.group_member_id}", expect=200)
    c.call("delete", f"{api}/usergroups/{w.group_id}", expect=200)
    c.call("delete", f"{api}/robots/{w.robot_id}", expect=200)
    c.call("delete", f"{api}/robots/{w.system_robot_id}", expect=200)
    c.call("delete", f"{api}/projects/{p}/metadatas/prevent_vul", expect=200)
    c.call("delete", f"{api}/projects/{p}/metadatas/prevent_vul", expect=200)  # already gone: still 200
    c.call("get", f"{api}/projects/{p}/metadatas/prevent_vul", expect=404)
    c.call("delete", f"{api}/projects/{p}", expect=412)  # repositories remain
    hook = f"{api}/projects/{p}/webhook/policies/{w.webhook_id}"
    c.call("delete", hook, expect=412)  # its deliveries are still pending
    set_webhook_deliveries_final(c.srv, w.webhook_id)
    c.call("delete", hook, expect=200)
    assert c.call("get", f"{api}/projects/{p}/_deletable", expect=200).json()["deletable"] is False
    for repo in ("app", "team%252Ftool", "copy"):
        c.call("delete", f"{api}/projects/{p}/repositories/{repo}", expect=200)
    assert c.call("get", f"{api}/projects/{p}/_deletable", expect=200).json() == {"deletable": True}
    c.call("delete", f"{api}/projects/{p}/members/{w.member_id}", expect=200)
    c.call("delete", f"{api}/projects/{p}", expect=200)
    # The guest created a project of its own above (any user may); it goes before its owner.
    c.call("delete", f"{api}/projects/{w.bodies['createProject']['project_name']}", expect=200)
    c.call("delete", f"{api}/users/{w.user_id}", expect=200)
    c.call("delete", f"{api}/users/1", expect=403)  # never oneself


def test_every_documented_operation_answered_successfully(request, contract):
    """Runs last: every operation of the contract was exercised with a 2xx answer above."""
    selected = {i.name for i in request.session.items if i.module is request.module}
    defined = {n for n in dir(request.module) if n.startswith("test_")}
    if selected != defined:
        pytest.skip("needs the whole module (the other tests exercise the operations)")
    never = sorted(o.id for o in contract.ops if not any(200 <= s < 300 for s in contract.seen[o.id]))
    assert not never, f"documented operations that never answered 2xx in this module: {never}"
    validated = sum(1 for o in contract.ops if contract.seen[o.id])
    answers = sum(len(v) for v in contract.seen.values())
    assert validated == len(contract.ops)
    print(f"\nopenapi: {len(contract.ops)} operations documented, {validated} validated "
          f"({answers} distinct operation/status pairs)")
