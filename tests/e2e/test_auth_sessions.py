"""Console sessions (POST /c/login → sid cookie + CSRF token), CSRF enforcement on unsafe
methods, and the failed-login brake (per account and source, and per source)."""
import subprocess
import time

import pytest
import requests
from e2e_lib import api_url

ADMIN = ("admin", "Harbor12345")


@pytest.fixture(scope="module")
def srv(module_registry):
    assert module_registry.auth == ADMIN
    return module_registry


def make_user(srv, name, password="Passw0rdX"):
    r = requests.post(api_url(srv, "/users"), auth=ADMIN,
                      json={"username": name, "email": f"{name}@example.com", "password": password})
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def login(srv, principal, password):
    s = requests.Session()
    r = s.post(f"{srv.url}/c/login", data={"principal": principal, "password": password})
    return s, r


def test_login_sets_an_httponly_session_and_a_csrf_token(srv):
    make_user(srv, "webuser")
    s, r = login(srv, "webuser", "Passw0rdX")
    assert r.status_code == 200, r.text
    cookies = r.headers.get("Set-Cookie", "")
    assert "sid=" in cookies and "HttpOnly" in cookies and "SameSite=Lax" in cookies
    csrf = r.headers["X-Harbor-CSRF-Token"]
    assert csrf and s.cookies.get("__csrf") == csrf and s.cookies.get("sid") not in ("", csrf)
    me = s.get(api_url(srv, "/users/current"))
    assert me.status_code == 200 and me.json()["username"] == "webuser"

    # Unsafe methods need the CSRF header; the cookie alone is refused and changes nothing.
    r = s.post(api_url(srv, "/projects"), json={"project_name": "from-browser"})
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "FORBIDDEN" and "CSRF" in r.text
    assert requests.head(api_url(srv, "/projects?project_name=from-browser"), auth=ADMIN).status_code == 404
    r = s.post(api_url(srv, "/projects"), json={"project_name": "from-browser"},
               headers={"X-Harbor-CSRF-Token": "wrong" + csrf[5:]})
    assert r.status_code == 403
    r = s.post(api_url(srv, "/projects"), json={"project_name": "from-browser"},
               headers={"X-Harbor-CSRF-Token": csrf})
    assert r.status_code == 201, r.text

    # The log records the sign-in.
    r = requests.get(api_url(srv, "/auditlog-exts"), auth=ADMIN,
                     params={"q": "event_type=login_user,username=webuser"})
    assert len(r.json()) == 1

    # Signing out ends the session: the same cookie is anonymous afterwards.
    sid = s.cookies.get("sid")
    assert s.get(f"{srv.url}/c/log_out").status_code == 200
    r = requests.get(api_url(srv, "/users/current"), cookies={"sid": sid})
    assert r.status_code == 401


def test_bad_logins_and_stale_sessions(srv):
    make_user(srv, "webuser2")
    _, r = login(srv, "webuser2", "wrong-Passw0rd")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert "sid=" not in r.headers.get("Set-Cookie", "")
    _, r = login(srv, "", "")
    assert r.status_code == 400
    # A forged or stale cookie is just anonymous.
    r = requests.get(api_url(srv, "/users/current"), cookies={"sid": "forged"})
    assert r.status_code == 401
    # A password change ends existing sessions.
    s, r = login(srv, "webuser2", "Passw0rdX")
    assert r.status_code == 200
    uid = s.get(api_url(srv, "/users/current")).json()["user_id"]
    r = requests.put(api_url(srv, f"/users/{uid}/password"), auth=("webuser2", "Passw0rdX"),
                     json={"old_password": "Passw0rdX", "new_password": "Passw0rdY"})
    assert r.status_code == 200, r.text
    assert s.get(api_url(srv, "/users/current")).status_code == 401


def curl_status(url, user, password, source):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--interface", source,
                          "-u", f"{user}:{password}", url], capture_output=True, text=True, timeout=30)
    return int(out.stdout)


def test_failed_logins_are_braked_per_account_and_source(berth_factory):
    srv = berth_factory(env={"BERTH_AUTH_MAX_FAILED_LOGINS": "3", "BERTH_AUTH_MAX_FAILED_LOGINS_PER_SOURCE": "6",
                             "BERTH_AUTH_LOCKOUT_SECONDS": "3"})
    make_user(srv, "victim")
    make_user(srv, "bystander")
    me = api_url(srv, "/users/current")
    for _ in range(3):
        assert curl_status(me, "victim", "guess", "127.0.0.1") == 401
    # Locked out from this source, even with the right password, on every entry point.
    assert curl_status(me, "victim", "Passw0rdX", "127.0.0.1") == 429
    assert curl_status(f"{srv.url}/v2/", "victim", "Passw0rdX", "127.0.0.1") == 429
    assert curl_status(f"{srv.url}/service/token?service=harbor-registry", "victim", "Passw0rdX", "127.0.0.1") == 429
    r = requests.get(me, auth=("victim", "Passw0rdX"))
    assert r.status_code == 429 and r.json()["errors"][0]["code"] == "TOOMANYREQUESTS"
    # Another source and another account are unaffected.
    assert curl_status(me, "victim", "Passw0rdX", "127.0.0.2") == 200
    assert curl_status(me, "bystander", "Passw0rdX", "127.0.0.1") == 200
    # The lockout ends.
    time.sleep(3.5)
    assert curl_status(me, "victim", "Passw0rdX", "127.0.0.1") == 200

    # A source guessing across many accounts is braked as a whole.
    for i in range(6):
        assert curl_status(me, f"nobody{i}", "guess", "127.0.0.3") == 401
    assert curl_status(me, "bystander", "Passw0rdX", "127.0.0.3") == 429
    assert curl_status(me, "bystander", "Passw0rdX", "127.0.0.4") == 200
