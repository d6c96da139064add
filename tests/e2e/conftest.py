"""pytest fixtures for Berth's end-to-end tests.

Run:  cd /work/main && /usr/bin/python3 -m pytest -q tests/e2e
Env:  BERTH_BIN=/path/to/berth     binary under test (default: build/berth at the repo root)
      BERTH_E2E_TARGET=reference   run the `registry` fixtures against Debian's docker-registry
                                   instead (only to debug the tests themselves; Berth-only features
                                   such as referrers or paging fail there, as expected)

Fixtures:
  registry          function-scoped Berth on a free loopback port in a fresh data dir
  module_registry   the same, shared by a module (faster; tests must use unique repo names)
  berth_factory     start extra Berth instances with custom env / config / fsync
  peer              the reference registry (docker-registry serve CONFIG) on another port
  clients           skopeo / podman / buildah in an isolated environment
  AUTH              the credentials every client uses (Berth's first admin)
Each server object has .api (a e2e_lib.Registry HTTP client), .url, .port, .data_dir,
.restart() (same port, same data dir), .kill9(), .stop(), .log_text().
"""

from __future__ import annotations

import os

import pytest

from e2e_lib import Berth, Clients, ReferenceRegistry, ServerProcess, berth_binary

# The one place credentials are configured: every HTTP helper and CLI invocation derives its auth
# from the server's .auth, which comes from here.
AUTH = ("admin", "Harbor12345")


def _target_reference() -> bool:
    return os.environ.get("BERTH_E2E_TARGET", "") == "reference"


class ServerFactory:
    def __init__(self, tmp_path_factory, name: str):
        self.tmp_path_factory = tmp_path_factory
        self.name = name
        self.servers: list[ServerProcess] = []

    def __call__(self, env: dict | None = None, fsync: bool = False, config: dict | None = None,
                 start: bool = True) -> ServerProcess:
        workdir = self.tmp_path_factory.mktemp(self.name)
        if _target_reference():
            srv = ReferenceRegistry(workdir, auth=AUTH)
        else:
            binary = berth_binary()
            if not binary.exists():
                pytest.fail(f"berth binary not found at {binary} (build it, or set BERTH_BIN)")
            srv = Berth(workdir, env=env, fsync=fsync, config=config, auth=AUTH)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def finish(self) -> None:
        died = []
        for s in self.servers:
            if s.proc is not None and not s.expect_dead and s.proc.poll() is not None:
                died.append(f"{s.kind} on port {s.port} exited unexpectedly with code "
                            f"{s.proc.returncode}:\n{s.log_tail(6000)}")
            s.stop()
        if died:
            pytest.fail("\n\n".join(died), pytrace=False)


@pytest.fixture
def berth_factory(tmp_path_factory):
    f = ServerFactory(tmp_path_factory, "berth")
    yield f
    f.finish()


@pytest.fixture
def registry(berth_factory):
    return berth_factory()


@pytest.fixture(scope="module")
def module_registry(tmp_path_factory):
    f = ServerFactory(tmp_path_factory, "berthmod")
    srv = f()
    yield srv
    f.finish()


@pytest.fixture
def peer(tmp_path_factory):
    srv = ReferenceRegistry(tmp_path_factory.mktemp("peer"), auth=AUTH)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def clients():
    c = Clients(insecure=[], auth=AUTH)
    yield c
    c.cleanup()


@pytest.fixture
def module_clients():
    c = Clients(insecure=[], auth=AUTH)
    yield c
    c.cleanup()


# ---- print server logs when a test fails ---------------------------------------------------------
def _servers_of(item) -> list[ServerProcess]:
    out = []
    for v in getattr(item, "funcargs", {}).values():
        if isinstance(v, ServerProcess):
            out.append(v)
        elif isinstance(v, ServerFactory):
            out.extend(v.servers)
    seen, uniq = set(), []
    for s in out:
        if id(s) not in seen:
            seen.add(id(s))
            uniq.append(s)
    return uniq


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for s in _servers_of(item):
            report.sections.append((f"{s.kind} log (port {s.port}, {s.log_path})",
                                    s.log_tail(12000) or "(empty)"))
