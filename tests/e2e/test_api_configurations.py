"""Harbor-compatible REST API: GET/PUT /api/v2.0/configurations (system settings) and the
project_creation_restriction they control. Real binary, real HTTP."""
import sqlite3
import subprocess

import pytest
import requests
from e2e_lib import api_url

ADMIN = ("admin", "Harbor12345")
api = api_url

DEFAULTS = {
    "auth_mode": "db_auth", "ldap_url": "", "ldap_search_dn": "", "ldap_base_dn": "", "ldap_filter": "",
    "ldap_uid": "cn", "ldap_scope": 2, "ldap_timeout": 5, "ldap_verify_cert": True, "ldap_group_base_dn": "",
    "ldap_group_search_filter": "", "ldap_group_attribute_name": "", "ldap_group_admin_dn": "",
    "ldap_group_membership_attribute": "memberof", "ldap_group_search_scope": 2,
    "project_creation_restriction": "everyone", "self_registration": False, "token_expiration": 30,
    "robot_token_duration": 30, "robot_name_prefix": "robot$", "storage_per_project": -1,
    "notification_enable": True, "read_only": False, "session_timeout": 60, "audit_log_forward_endpoint": "",
    "skip_audit_log_database": False,
}


@pytest.fixture(scope="module")
def srv(module_registry):
    assert module_registry.auth == ADMIN
    return module_registry


def code(r):
    return r.json()["errors"][0]["code"]


def get_cfg(srv, auth=ADMIN):
    r = requests.get(api(srv, "/configurations"), auth=auth)
    assert r.status_code == 200, r.text
    return r.json()


def put_cfg(srv, body, auth=ADMIN):
    return requests.put(api(srv, "/configurations"), json=body, auth=auth)


def create_user(srv, name, password="Passw0rdX"):
    r = requests.post(api(srv, "/users"), auth=ADMIN,
                      json={"username": name, "email": f"{name}@example.com", "password": password})
    assert r.status_code == 201, r.text


def test_get_lists_every_key_with_value_and_editable(berth_factory):
    s = berth_factory()
    cfg = get_cfg(s)
    for key, want in DEFAULTS.items():
        assert key in cfg, key
        assert cfg[key] == {"value": want, "editable": True}, (key, cfg[key])
    assert "ldap_search_password" not in cfg
    assert not any("password" in k for k in cfg)


@pytest.mark.parametrize("body, why", [
    ({"no_such_key": 1}, "unknown key"),
    ({"auth_mode": "oidc_auth"}, "auth mode Berth does not offer"),
    ({"auth_mode": True}, "wrong type"),
    ({"ldap_scope": 3}, "scope out of range"),
    ({"ldap_scope": "subtree"}, "not an integer"),
    ({"ldap_scope": 1.5}, "not an integer"),
    ({"ldap_timeout": 0}, "timeout must be positive"),
    ({"ldap_verify_cert": "maybe"}, "not a boolean"),
    ({"ldap_url": 389}, "not a string"),
    ({"ldap_url": "http://directory.example.com"}, "not an LDAP URL"),
    ({"ldap_uid": ""}, "empty uid attribute"),
    ({"ldap_filter": "(objectClass=person"}, "unbalanced filter"),
    ({"project_creation_restriction": "nobody"}, "not everyone/adminonly"),
    ({"token_expiration": -5}, "not positive"),
    ({"storage_per_project": 0}, "quota neither -1 nor positive"),
    ({"skip_audit_log_database": True}, "skipping the database needs a forward endpoint"),
    ({"ldap_scope": 1, "read_only": "sometimes"}, "one bad key spoils the update"),
    ([{"ldap_scope": 1}], "not an object"),
    ("ldap_scope=1", "not an object"),
])
def test_invalid_updates_are_400_and_change_nothing(srv, body, why):
    before = get_cfg(srv)
    r = put_cfg(srv, body)
    assert r.status_code == 400, (why, r.status_code, r.text)
    assert code(r) == "BAD_REQUEST"
    assert get_cfg(srv) == before, why


def test_malformed_json_is_400(srv):
    r = requests.put(api(srv, "/configurations"), data=b"{ldap_scope: 1", auth=ADMIN,
                     headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and code(r) == "BAD_REQUEST"


def test_updates_are_partial_typed_and_survive_a_restart(berth_factory):
    s = berth_factory()
    r = put_cfg(s, {"token_expiration": "45", "ldap_url": "ldaps://ldap.example.com:636", "ldap_scope": 1,
                    "ldap_verify_cert": False, "audit_log_forward_endpoint": "syslog.example.com:514",
                    "skip_audit_log_database": True})
    assert r.status_code == 200, r.text
    cfg = get_cfg(s)
    assert cfg["token_expiration"]["value"] == 45  # given as a string (Harbor accepts both), stored as a number
    assert cfg["ldap_url"]["value"] == "ldaps://ldap.example.com:636"
    assert cfg["ldap_scope"]["value"] == 1 and cfg["ldap_verify_cert"]["value"] is False
    assert cfg["ldap_uid"]["value"] == "cn"  # untouched keys keep their values
    s.restart()
    again = get_cfg(s)
    assert again == cfg
    # The rule between the two audit keys holds against the stored values too.
    r = put_cfg(s, {"audit_log_forward_endpoint": ""})
    assert r.status_code == 400 and code(r) == "BAD_REQUEST"
    assert put_cfg(s, {"skip_audit_log_database": False, "audit_log_forward_endpoint": ""}).status_code == 200


def test_search_password_is_write_only_and_never_logged(berth_factory):
    s = berth_factory(env={"BERTH_LOG_LEVEL": "debug"})
    secret = "Sup3r-Secret-Bind-Pw"
    assert put_cfg(s, {"ldap_search_password": secret, "ldap_search_dn": "cn=reader,dc=example,dc=org"}).status_code == 200
    r = requests.get(api(s, "/configurations"), auth=ADMIN)
    assert secret not in r.text and "ldap_search_password" not in r.json()
    assert r.json()["ldap_search_dn"]["value"] == "cn=reader,dc=example,dc=org"
    # A ping with the stored password exercises it (the directory is unreachable); still not echoed.
    p = requests.post(api(s, "/ldap/ping"), auth=ADMIN, json={"ldap_url": "ldap://127.0.0.1:1"})
    assert p.status_code == 200 and p.json()["success"] is False and secret not in p.text
    s.restart()
    assert secret not in requests.get(api(s, "/configurations"), auth=ADMIN).text
    assert secret not in s.log_text()
    # At rest it is sealed (libsodium secretbox under <data_dir>/secret.key, mode 0600), not plaintext.
    raw = subprocess.run(["sqlite3", "-readonly", str(s.data_dir / "berth.db"),
                          "SELECT value FROM settings WHERE key = 'ldap_search_password'"],
                         capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    assert raw.startswith("enc:v1:") and secret not in raw, raw
    assert oct((s.data_dir / "secret.key").stat().st_mode & 0o777) == "0o600"
    # The audit log records which keys changed, never their values.
    with sqlite3.connect(f"file:{s.data_dir}/berth.db?mode=ro", uri=True) as db:
        rows = db.execute("SELECT username, resource, event_type FROM audit_log "
                          "WHERE event_type = 'update_configuration'").fetchall()
    assert rows and all(u == "admin" for u, _, _ in rows)
    assert any("ldap_search_password" in res for _, res, _ in rows)
    assert not any(secret in res for _, res, _ in rows)


def test_only_system_admins_read_or_change_settings(srv):
    create_user(srv, "cfguser")
    user = ("cfguser", "Passw0rdX")
    for method in ("GET", "PUT"):
        body = {"json": {"read_only": True}} if method == "PUT" else {}
        r = requests.request(method, api(srv, "/configurations"), auth=user, **body)
        assert r.status_code == 403 and code(r) == "FORBIDDEN", method
        r = requests.request(method, api(srv, "/configurations"), **body)
        assert r.status_code == 401 and code(r) == "UNAUTHORIZED", method
        r = requests.request(method, api(srv, "/configurations"), auth=("admin", "wrong"), **body)
        assert r.status_code == 401, method
    assert get_cfg(srv)["read_only"]["value"] is False


def test_adminonly_project_creation(srv):
    create_user(srv, "maker")
    maker = ("maker", "Passw0rdX")
    assert requests.post(api(srv, "/projects"), auth=maker, json={"project_name": "by-maker-1"}).status_code == 201
    assert put_cfg(srv, {"project_creation_restriction": "adminonly"}).status_code == 200
    try:
        info = requests.get(api(srv, "/systeminfo"), auth=maker).json()
        assert info["project_creation_restriction"] == "adminonly"
        r = requests.post(api(srv, "/projects"), auth=maker, json={"project_name": "by-maker-2"})
        assert r.status_code == 403 and code(r) == "FORBIDDEN"
        assert requests.head(api(srv, "/projects?project_name=by-maker-2"), auth=ADMIN).status_code == 404
        r = requests.post(api(srv, "/projects"), json={"project_name": "by-anon"})
        assert r.status_code == 401
        assert requests.post(api(srv, "/projects"), auth=ADMIN, json={"project_name": "by-admin"}).status_code == 201
    finally:
        assert put_cfg(srv, {"project_creation_restriction": "everyone"}).status_code == 200
    assert requests.post(api(srv, "/projects"), auth=maker, json={"project_name": "by-maker-3"}).status_code == 201


def test_auth_mode_is_locked_once_users_exist(berth_factory):
    s = berth_factory()
    assert put_cfg(s, {"auth_mode": "ldap_auth"}).status_code == 200
    assert get_cfg(s)["auth_mode"] == {"value": "ldap_auth", "editable": True}
    assert requests.get(api(s, "/systeminfo")).json()["auth_mode"] == "ldap_auth"
    assert put_cfg(s, {"auth_mode": "db_auth"}).status_code == 200
    create_user(s, "early")
    cfg = get_cfg(s)
    assert cfg["auth_mode"] == {"value": "db_auth", "editable": False}
    assert cfg["ldap_url"]["editable"] is True
    r = put_cfg(s, {"auth_mode": "ldap_auth", "ldap_scope": 1})
    assert r.status_code == 400 and code(r) == "BAD_REQUEST"
    assert "auth mode cannot be modified" in r.json()["errors"][0]["message"]
    assert get_cfg(s)["ldap_scope"]["value"] == 2  # nothing of the refused update was applied
    # Restating the current mode is not a change.
    assert put_cfg(s, {"auth_mode": "db_auth", "ldap_scope": 1}).status_code == 200
    assert requests.get(api(s, "/users/current"), auth=("early", "Passw0rdX")).status_code == 200


def test_notification_enable_is_reported_by_systeminfo_and_kept(berth_factory):
    s = berth_factory()
    info = lambda: requests.get(api(s, "/systeminfo"), auth=ADMIN).json()["notification_enable"]
    assert info() is True
    create_user(s, "cfg-notif-user")
    r = put_cfg(s, {"notification_enable": False}, auth=("cfg-notif-user", "Passw0rdX"))
    assert r.status_code == 403 and code(r) == "FORBIDDEN", r.text
    assert info() is True, "a refused update changes nothing"
    assert put_cfg(s, {"notification_enable": "false"}).status_code == 200  # Harbor accepts "false" too
    assert info() is False and get_cfg(s)["notification_enable"]["value"] is False
    s.restart()
    assert info() is False
    assert put_cfg(s, {"notification_enable": True}).status_code == 200
    assert info() is True
