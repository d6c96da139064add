"""Harbor-compatible REST API: users (admin management, self service) and what a plain user may
do with projects. Real binary, real HTTP."""
import pytest
import requests
from e2e_lib import api_url

ADMIN = ("admin", "Harbor12345")


@pytest.fixture(scope="module")
def srv(module_registry):
    """The suite's shared server: its admin password is ADMIN's (conftest.AUTH)."""
    assert module_registry.auth == ADMIN
    return module_registry


api = api_url


def code(r):
    return r.json()["errors"][0]["code"]


def create_user(srv, name, password="Passw0rdX"):
    r = requests.post(api(srv, "/users"), auth=ADMIN,
                      json={"username": name, "email": f"{name}@example.com", "realname": name.title(),
                            "password": password, "comment": "e2e"})
    assert r.status_code == 201, r.text
    return int(r.headers["Location"].rsplit("/", 1)[1])


def test_admin_creates_lists_and_deletes_users(srv):
    uid = create_user(srv, "carol")
    r = requests.get(api(srv, f"/users/{uid}"), auth=ADMIN)
    u = r.json()
    assert u["username"] == "carol" and u["email"] == "carol@example.com" and u["sysadmin_flag"] is False
    assert "Passw0rdX" not in r.text and "argon2" not in r.text and not any("password" in k for k in u)

    r = requests.post(api(srv, "/users"), auth=ADMIN, json={"username": "carol", "password": "Passw0rdX"})
    assert r.status_code == 409 and code(r) == "CONFLICT"
    for body in ({"username": "weak", "password": "short"}, {"username": "bad name", "password": "Passw0rdX"},
                 {"username": "", "password": "Passw0rdX"}):
        r = requests.post(api(srv, "/users"), auth=ADMIN, json=body)
        assert r.status_code == 400, body

    lst = requests.get(api(srv, "/users?q=username%3D~car"), auth=ADMIN)
    assert lst.status_code == 200 and [x["username"] for x in lst.json()] == ["carol"]
    assert lst.headers["X-Total-Count"] == "1"

    assert requests.delete(api(srv, f"/users/{uid}"), auth=ADMIN).status_code == 200
    assert requests.get(api(srv, f"/users/{uid}"), auth=ADMIN).status_code == 404
    assert requests.get(api(srv, "/users/current"), auth=("carol", "Passw0rdX")).status_code == 401


def test_plain_users_manage_only_themselves(srv):
    uid = create_user(srv, "dave")
    other = create_user(srv, "erin")
    dave = ("dave", "Passw0rdX")
    assert requests.get(api(srv, "/users"), auth=dave).status_code == 403
    assert requests.post(api(srv, "/users"), auth=dave, json={"username": "x", "password": "Passw0rdX"}).status_code == 403
    assert requests.get(api(srv, f"/users/{other}"), auth=dave).status_code == 403
    assert requests.get(api(srv, f"/users/{uid}"), auth=dave).status_code == 200
    assert requests.put(api(srv, f"/users/{uid}"), auth=dave, json={"realname": "Dave D."}).status_code == 200
    assert requests.get(api(srv, f"/users/{uid}"), auth=dave).json()["realname"] == "Dave D."
    assert requests.put(api(srv, f"/users/{uid}/sysadmin"), auth=dave, json={"sysadmin_flag": True}).status_code == 403
    assert requests.delete(api(srv, f"/users/{other}"), auth=dave).status_code == 403

    found = requests.get(api(srv, "/users/search?username=eri"), auth=dave).json()
    assert found == [{"user_id": other, "username": "erin"}]
    assert requests.get(api(srv, "/users/search?username=eri")).status_code == 401


def test_password_change_rules_and_immediate_effect(srv):
    uid = create_user(srv, "frank")
    old = ("frank", "Passw0rdX")
    assert requests.get(api(srv, "/users/current"), auth=old).status_code == 200  # now cached
    r = requests.put(api(srv, f"/users/{uid}/password"), auth=old,
                     json={"old_password": "Wrong0000", "new_password": "NewPassw0rd"})
    assert r.status_code == 403
    r = requests.put(api(srv, f"/users/{uid}/password"), auth=old,
                     json={"old_password": "Passw0rdX", "new_password": "Passw0rdX"})
    assert r.status_code == 400
    r = requests.put(api(srv, f"/users/{uid}/password"), auth=old,
                     json={"old_password": "Passw0rdX", "new_password": "weak"})
    assert r.status_code == 400
    r = requests.put(api(srv, f"/users/{uid}/password"), auth=old,
                     json={"old_password": "Passw0rdX", "new_password": "NewPassw0rd"})
    assert r.status_code == 200
    assert requests.get(api(srv, "/users/current"), auth=old).status_code == 401  # cache did not outlive it
    assert requests.get(api(srv, "/users/current"), auth=("frank", "NewPassw0rd")).status_code == 200
    # an admin resets without the old password
    r = requests.put(api(srv, f"/users/{uid}/password"), auth=ADMIN, json={"new_password": "Reset0000A"})
    assert r.status_code == 200
    assert requests.get(api(srv, "/users/current"), auth=("frank", "Reset0000A")).status_code == 200


def test_sysadmin_flag_grants_admin_rights(srv):
    uid = create_user(srv, "gina")
    gina = ("gina", "Passw0rdX")
    assert requests.get(api(srv, "/users"), auth=gina).status_code == 403
    assert requests.put(api(srv, f"/users/{uid}/sysadmin"), auth=ADMIN, json={"sysadmin_flag": True}).status_code == 200
    assert requests.get(api(srv, "/users"), auth=gina).status_code == 200
    assert requests.put(api(srv, f"/users/{uid}/sysadmin"), auth=ADMIN, json={"sysadmin_flag": "yes"}).status_code == 400


def test_projects_as_seen_by_plain_users(srv):
    create_user(srv, "hank")
    create_user(srv, "ivy")
    hank, ivy = ("hank", "Passw0rdX"), ("ivy", "Passw0rdX")
    r = requests.post(api(srv, "/projects"), auth=hank, json={"project_name": "hanks"})
    assert r.status_code == 201, r.text
    mine = requests.get(api(srv, "/projects/hanks"), auth=hank).json()
    assert mine["owner_name"] == "hank" and mine["current_user_role_id"] == 1

    # another user neither sees nor changes a private project
    assert requests.get(api(srv, "/projects/hanks"), auth=ivy).status_code == 403
    assert "hanks" not in [p["name"] for p in requests.get(api(srv, "/projects?page_size=100"), auth=ivy).json()]
    assert requests.delete(api(srv, "/projects/hanks"), auth=ivy).status_code == 403
    assert requests.put(api(srv, "/projects/hanks"), auth=ivy, json={"metadata": {"public": "true"}}).status_code == 403

    # made public, everyone reads it but only its admin changes it
    assert requests.put(api(srv, "/projects/hanks"), auth=hank, json={"metadata": {"public": "true"}}).status_code == 200
    assert requests.get(api(srv, "/projects/hanks"), auth=ivy).status_code == 200
    assert requests.delete(api(srv, "/projects/hanks"), auth=ivy).status_code == 403
    assert requests.delete(api(srv, "/projects/hanks"), auth=hank).status_code == 200


def test_deleting_a_user_keeps_the_projects_they_own(srv):
    uid = create_user(srv, "founder")
    r = requests.post(api(srv, "/projects"), auth=("founder", "Passw0rdX"), json={"project_name": "founded"})
    assert r.status_code == 201, r.text
    assert requests.delete(api(srv, f"/users/{uid}"), auth=ADMIN).status_code == 200
    p = requests.get(api(srv, "/projects/founded"), auth=ADMIN, headers={"X-Is-Resource-Name": "true"})
    assert p.status_code == 200 and p.json()["owner_name"] == "admin"
