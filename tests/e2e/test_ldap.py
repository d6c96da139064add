"""LDAP authentication (auth_mode ldap_auth) against a real OpenLDAP server (slapd from Debian on a
loopback port, see ldap_server.py): /ldap/ping, user search and import, logins that onboard users,
filter injection, LDAP groups as project members (skopeo push), the group admin DN, and accounts
removed from the directory. Real binaries, real HTTP, no mocks."""
import time

import pytest
import requests
from e2e_lib import Berth, Clients, api_url, make_image, unique, write_oci_layout
from ldap_server import GROUPS, PASSWORDS, Slapd, group_dn, user_dn

ADMIN = ("admin", "Harbor12345")
CACHE_TTL = 2  # seconds a verified login is reused (BERTH_AUTH_CACHE_TTL_SECONDS of the server)
api = api_url


def creds(uid):
    return (uid, PASSWORDS[uid])


def code(r):
    return r.json()["errors"][0]["code"]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    d = Slapd(tmp_path_factory.mktemp("slapd"))
    d.start()
    yield d
    d.cleanup()


def start_berth(tmp_path_factory, directory, **extra):
    srv = Berth(tmp_path_factory.mktemp("berthldap"), env={"BERTH_AUTH_CACHE_TTL_SECONDS": str(CACHE_TTL)},
                auth=ADMIN)
    srv.start()
    r = requests.put(api(srv, "/configurations"), auth=ADMIN,
                     json={"auth_mode": "ldap_auth", **directory.settings(**extra)})
    assert r.status_code == 200, r.text
    return srv


@pytest.fixture(scope="module")
def srv(tmp_path_factory, directory):
    s = start_berth(tmp_path_factory, directory)
    yield s
    s.stop()


def configure(srv, **settings):
    r = requests.put(api(srv, "/configurations"), auth=ADMIN, json=settings)
    assert r.status_code == 200, r.text


def current(srv, auth):
    return requests.get(api(srv, "/users/current"), auth=auth)


def local_usernames(srv):
    r = requests.get(api(srv, "/users?page_size=100"), auth=ADMIN)
    assert r.status_code == 200, r.text
    return {u["username"] for u in r.json()}


# ---- /ldap/ping ---------------------------------------------------------------------------------
def test_ping_uses_the_settings_or_the_given_overrides(srv, directory):
    ping = lambda body=None: requests.post(api(srv, "/ldap/ping"), auth=ADMIN, json=body)
    r = requests.post(api(srv, "/ldap/ping"), auth=ADMIN)  # no body: the stored settings
    assert r.status_code == 200 and r.json()["success"] is True, r.text
    assert ping({}).json()["success"] is True

    # Harbor answers 200 and reports the failure in the body.
    r = ping({"ldap_search_password": "not-the-password"})
    assert r.status_code == 200 and r.json()["success"] is False
    assert "error" in r.json()["message"].lower() and "not-the-password" not in r.text
    r = ping({"ldap_search_dn": "cn=nobody,dc=example,dc=org"})
    assert r.json()["success"] is False
    r = ping({"ldap_url": "ldap://127.0.0.1:1", "ldap_timeout": 2})
    assert r.status_code == 200 and r.json()["success"] is False
    # LDAPS with slapd's self-signed certificate: refused when verified, accepted when not.
    assert ping({"ldap_url": directory.ldaps_url, "ldap_verify_cert": True}).json()["success"] is False
    assert ping({"ldap_url": directory.ldaps_url, "ldap_verify_cert": False}).json()["success"] is True

    r = ping({"ldap_scope": 9})
    assert r.status_code == 400 and code(r) == "BAD_REQUEST"
    assert requests.post(api(srv, "/ldap/ping")).status_code == 401
    assert requests.post(api(srv, "/ldap/ping"), auth=creds("alice")).status_code == 403


# ---- search and import --------------------------------------------------------------------------
def test_user_search(srv):
    r = requests.get(api(srv, "/ldap/users/search?username=alice"), auth=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json() == [{"username": "alice", "realname": "Alice Liddell", "email": "alice@example.org"}]
    r = requests.get(api(srv, "/ldap/users/search?username=carol"), auth=ADMIN)
    assert r.json()[0]["realname"] == "carol"  # no displayName: cn
    everyone = requests.get(api(srv, "/ldap/users/search"), auth=ADMIN).json()
    assert {u["username"] for u in everyone} == {"alice", "bob", "carol", "dave"}  # ldap_filter keeps printer out
    for probe in ("*", "ali*", "alice)(uid=*", "nosuch"):
        r = requests.get(api(srv, "/ldap/users/search"), params={"username": probe}, auth=ADMIN)
        assert r.status_code == 200 and r.json() == [], probe
    assert requests.get(api(srv, "/ldap/users/search?username=alice")).status_code == 401
    assert requests.get(api(srv, "/ldap/users/search?username=alice"), auth=creds("alice")).status_code == 403


def test_import_onboards_found_users_and_lists_the_rest(srv):
    r = requests.post(api(srv, "/ldap/users/import"), auth=ADMIN, json={"ldap_uid_list": ["bob", "nosuch", ""]})
    assert r.status_code == 404, r.text
    assert sorted(r.json(), key=lambda f: f["uid"]) == [{"uid": "", "error": "empty_uid"},
                                                         {"uid": "nosuch", "error": "unknown_user"}]
    users = requests.get(api(srv, "/users?username=bob"), auth=ADMIN).json()
    assert [(u["username"], u["email"], u["realname"]) for u in users] == [("bob", "bob@example.org", "Bob Builder")]
    assert "nosuch" not in local_usernames(srv)
    assert requests.post(api(srv, "/ldap/users/import"), auth=ADMIN, json={"ldap_uid_list": ["bob"]}).status_code == 200
    for bad in ({}, {"ldap_uid_list": "bob"}, {"ldap_uid_list": [1]}, ["bob"]):
        r = requests.post(api(srv, "/ldap/users/import"), auth=ADMIN, json=bad)
        assert r.status_code == 400 and code(r) == "BAD_REQUEST", bad
    assert requests.post(api(srv, "/ldap/users/import"), json={"ldap_uid_list": ["bob"]}).status_code == 401
    assert requests.post(api(srv, "/ldap/users/import"), auth=creds("alice"),
                         json={"ldap_uid_list": ["bob"]}).status_code == 403


def test_group_search(srv):
    r = requests.get(api(srv, "/ldap/groups/search?groupname=devs"), auth=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json() == [{"group_name": "devs", "group_type": 1, "ldap_group_dn": group_dn("devs")}]
    r = requests.get(api(srv, "/ldap/groups/search"), params={"groupdn": group_dn("admins")}, auth=ADMIN)
    assert r.status_code == 200 and r.json()[0]["group_name"] == "admins"
    for params in ({"groupname": "nosuch"}, {"groupname": "*"}, {}, {"groupdn": f"cn=nosuch,{GROUPS}"}):
        r = requests.get(api(srv, "/ldap/groups/search"), params=params, auth=ADMIN)
        assert r.status_code == 404 and code(r) == "NOT_FOUND", params
    r = requests.get(api(srv, "/ldap/groups/search"), params={"groupdn": "not a dn"}, auth=ADMIN)
    assert r.status_code == 400
    assert requests.get(api(srv, "/ldap/groups/search?groupname=devs"), auth=creds("alice")).status_code == 403


# ---- logins -------------------------------------------------------------------------------------
def test_login_onboards_the_user(srv):
    assert "carol" not in local_usernames(srv)
    r = current(srv, creds("carol"))
    assert r.status_code == 200, r.text
    me = r.json()
    assert (me["username"], me["email"], me["realname"]) == ("carol", "carol@example.org", "carol")
    assert me["sysadmin_flag"] is False and me["admin_role_in_auth"] is False
    assert "carol" in local_usernames(srv)
    assert current(srv, creds("carol")).json()["user_id"] == me["user_id"]  # same user, not a second one
    # The admin logs in locally in ldap_auth mode, as in Harbor.
    assert current(srv, ADMIN).status_code == 200


def test_directory_users_are_not_managed_locally(srv):
    me = current(srv, creds("carol")).json()
    # No local accounts in ldap_auth mode, and a directory user's password lives in the directory.
    r = requests.post(f"{srv.url}/api/v2.0/users", auth=ADMIN,
                      json={"username": "localguy", "email": "l@example.org", "password": "Passw0rdX"})
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "FORBIDDEN"
    r = requests.put(f"{srv.url}/api/v2.0/users/{me['user_id']}/password", auth=ADMIN,
                     json={"new_password": "Passw0rdX"})
    assert r.status_code == 403 and "directory" in r.text
    assert current(srv, creds("carol")).status_code == 200  # nothing changed


@pytest.mark.parametrize("username, password", [
    ("carol", "CarolPass2"),        # wrong password
    ("carol", ""),                   # empty password: never an anonymous bind
    ("nosuch", "CarolPass1"),        # not in the directory
    ("printer", "PrinterPass1"),     # in the directory but outside ldap_filter
    ("admin", PASSWORDS["carol"]),   # the local admin is never looked up in the directory
])
def test_bad_logins_are_401(srv, username, password):
    r = current(srv, (username, password))
    assert r.status_code == 401 and code(r) == "UNAUTHORIZED"


@pytest.mark.parametrize("username", ["ali*", "*", "alice)(uid=*", "alice)(|(uid=*", "alice\\", "(uid=alice)"])
def test_filter_metacharacters_cannot_inject(srv, username):
    # Each of these would match alice's entry if it were pasted into the filter unescaped.
    assert current(srv, (username, PASSWORDS["alice"])).status_code == 401
    assert username not in local_usernames(srv)


# ---- groups -------------------------------------------------------------------------------------
def add_group_member(srv, project_id, dn, role=2):
    """The LDAP group as a project member, through the REST API: POST /usergroups, then
    POST /projects/{p}/members naming the group by id."""
    r = requests.post(api(srv, "/usergroups"), auth=ADMIN,
                      json={"group_name": dn.split(",")[0][3:], "group_type": 1, "ldap_group_dn": dn})
    assert r.status_code == 201, r.text
    gid = int(r.headers["Location"].rsplit("/", 1)[1])
    r = requests.post(api(srv, f"/projects/{project_id}/members"), auth=ADMIN,
                      json={"role_id": role, "member_group": {"id": gid}})
    assert r.status_code == 201, r.text
    return gid


@pytest.fixture(scope="module")
def team(srv):
    """A private project whose only member is the LDAP group devs (developer)."""
    name = unique("team")
    r = requests.post(api(srv, "/projects"), auth=ADMIN, json={"project_name": name, "metadata": {"public": "false"}})
    assert r.status_code == 201, r.text
    pid = int(r.headers["Location"].rsplit("/", 1)[1])
    # Stored with other case and spacing than the directory uses: DNs compare normalized.
    add_group_member(srv, pid, "CN=Devs, OU=Groups,dc=example,dc=org")
    # Logins verified before the group row existed carry no group until their cache entry expires.
    time.sleep(CACHE_TTL + 0.5)
    return name


def project_status(srv, name, uid):
    return requests.get(api(srv, f"/projects/{name}"), auth=creds(uid)).status_code


def test_ldap_group_members_push_with_skopeo(srv, team, tmp_path):
    img = make_image(n_layers=1)
    src = write_oci_layout(tmp_path / "src", {"v1": img})
    ref = f"docker://{srv.hostport}/{team}/app:v1"
    alice = Clients(insecure=[])
    carol = Clients(insecure=[])
    try:
        alice.skopeo("login", "--tls-verify=false", "-u", "alice", "-p", PASSWORDS["alice"], srv.hostport)
        alice.skopeo("copy", "--dest-tls-verify=false", f"oci:{src}:v1", ref)
        r = requests.get(f"{srv.url}/v2/{team}/app/manifests/v1", auth=ADMIN,
                         headers={"Accept": img.media_type})
        assert r.status_code == 200 and r.content == img.manifest
        me = requests.get(api(srv, f"/projects/{team}"), auth=creds("alice")).json()
        assert me["current_user_role_id"] == 2  # developer, through the group

        # carol is in no group: she can log in, but neither see nor push into the project.
        carol.skopeo("login", "--tls-verify=false", "-u", "carol", "-p", PASSWORDS["carol"], srv.hostport)
        p = carol.skopeo("copy", "--dest-tls-verify=false", f"oci:{src}:v1", f"docker://{srv.hostport}/{team}/app:v2",
                         check=False)
        assert p.returncode != 0
        assert project_status(srv, team, "carol") == 403
        assert requests.get(f"{srv.url}/v2/{team}/app/tags/list", auth=ADMIN).json()["tags"] == ["v1"]
    finally:
        alice.cleanup()
        carol.cleanup()


def test_group_membership_via_memberof_or_group_search(srv, team):
    assert project_status(srv, team, "alice") == 200
    try:
        # memberOf only (no group search base)
        configure(srv, ldap_group_base_dn="", ldap_group_membership_attribute="memberof")
        assert project_status(srv, team, "alice") == 200
        # group search only (no membership attribute)
        configure(srv, ldap_group_base_dn=GROUPS, ldap_group_membership_attribute="")
        assert project_status(srv, team, "alice") == 200
        # neither: alice is in no known group
        configure(srv, ldap_group_base_dn="", ldap_group_membership_attribute="")
        assert project_status(srv, team, "alice") == 403
    finally:
        configure(srv, ldap_group_base_dn=GROUPS, ldap_group_membership_attribute="memberof")
    assert project_status(srv, team, "alice") == 200


def test_leaving_the_group_in_the_directory_removes_the_role(srv, directory, team):
    assert project_status(srv, team, "alice") == 200
    leave = f"dn: {group_dn('devs')}\nchangetype: modify\ndelete: member\nmember: {user_dn('alice')}\n"
    join = f"dn: {group_dn('devs')}\nchangetype: modify\nadd: member\nmember: {user_dn('alice')}\n"
    directory.modify("ldapmodify", leave)
    try:
        time.sleep(CACHE_TTL + 0.5)  # the verified login is reused until then
        assert project_status(srv, team, "alice") == 403
    finally:
        directory.modify("ldapmodify", join)
    time.sleep(CACHE_TTL + 0.5)
    assert project_status(srv, team, "alice") == 200


def test_group_admin_dn_makes_a_system_admin_for_the_login(srv):
    configure(srv, ldap_group_admin_dn=group_dn("admins").upper())
    try:
        assert requests.get(api(srv, "/configurations"), auth=creds("bob")).status_code == 200
        me = current(srv, creds("bob")).json()
        assert me["admin_role_in_auth"] is True and me["sysadmin_flag"] is False
        assert requests.get(api(srv, "/configurations"), auth=creds("alice")).status_code == 403
        listed = requests.get(api(srv, "/users?username=bob"), auth=ADMIN).json()
        assert listed[0]["sysadmin_flag"] is False  # never stored
    finally:
        configure(srv, ldap_group_admin_dn="")
    assert requests.get(api(srv, "/configurations"), auth=creds("bob")).status_code == 403


def test_removed_directory_entry_stops_working_after_the_cache_ttl(srv, directory):
    assert current(srv, creds("dave")).status_code == 200
    assert current(srv, ("dave", "DavePass2")).status_code == 401  # a wrong password never hits the cache
    directory.delete(user_dn("dave"))
    time.sleep(CACHE_TTL + 0.5)
    r = current(srv, creds("dave"))
    assert r.status_code == 401 and code(r) == "UNAUTHORIZED"
    assert "dave" in local_usernames(srv)  # the onboarded row stays, as in Harbor


def test_auth_mode_is_locked_once_an_ldap_user_logged_in(tmp_path_factory, directory):
    s = start_berth(tmp_path_factory, directory)
    try:
        cfg = requests.get(api(s, "/configurations"), auth=ADMIN).json()
        assert cfg["auth_mode"] == {"value": "ldap_auth", "editable": True}
        assert requests.get(api(s, "/systeminfo")).json()["auth_mode"] == "ldap_auth"
        assert current(s, creds("alice")).status_code == 200
        cfg = requests.get(api(s, "/configurations"), auth=ADMIN).json()
        assert cfg["auth_mode"] == {"value": "ldap_auth", "editable": False}
        r = requests.put(api(s, "/configurations"), auth=ADMIN, json={"auth_mode": "db_auth"})
        assert r.status_code == 400 and code(r) == "BAD_REQUEST"
        # Settings survive a restart, and so does LDAP login.
        s.restart()
        assert current(s, creds("alice")).status_code == 200
    finally:
        s.stop()
