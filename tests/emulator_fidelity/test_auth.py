"""Who the caller is (NOTES.md section 0 Auth, section 2 "Harbor's own /v2/"): basic auth for users and system robots,
bad credentials running as anonymous, Harbor's /v2/ challenge and its token service."""
import requests

ADMIN_ONLY = "/registries"
BAD = ("admin", "wrong-password")
DEVELOPER = ("developer", "Developer12345")
ROBOT = ("robot$automation", "Robot12345")
UNAUTHORIZED = {"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized"}]}


def v2(harbor, **kwargs):
    return requests.get(harbor.url + "/v2/", verify=harbor.ca_path or True, timeout=10, **kwargs)


def token(harbor, **kwargs):
    return requests.get(harbor.url + "/service/token", verify=harbor.ca_path or True, timeout=10, **kwargs)


# ----- /api/v2.0

def test_anonymous_caller_gets_401_on_protected_endpoints(harbor):
    resp = harbor.api("GET", ADMIN_ONLY, auth=None)
    assert (resp.status_code, resp.json()) == (401, UNAUTHORIZED)


def test_bad_credentials_run_as_anonymous(harbor):
    harbor.need_emulator()
    for auth in (BAD, ("nobody", "x"), ("robot$nobody", "x"), ("robot$automation", "wrong")):
        resp = harbor.api("GET", ADMIN_ONLY, auth=auth)
        assert (resp.status_code, resp.json()) == (401, UNAUTHORIZED)
    projects = harbor.api("GET", "/projects", auth=BAD)
    assert projects.status_code == 200                                   # anonymous-allowed: public projects only
    assert all(p["metadata"]["public"] == "true" for p in projects.json())


def test_non_admin_gets_403_with_its_username_as_message(harbor):
    """RequireSystemAccess: ForbiddenError(nil).WithMessage(secCtx.GetUsername()), on every system-level endpoint."""
    harbor.need_emulator()
    for method, path in (("GET", "/registries"), ("POST", "/registries/ping"), ("GET", "/replication/adapters"),
                         ("GET", "/replication/policies"), ("GET", "/replication/executions"), ("GET", "/quotas")):
        resp = harbor.api(method, path, json={} if method == "POST" else None, auth=DEVELOPER)
        assert (resp.status_code, resp.json()) == (403, {"errors": [{"code": "FORBIDDEN", "message": "developer"}]}), path


def test_system_robot_has_system_permissions(harbor):
    harbor.need_emulator()
    assert harbor.api("GET", ADMIN_ONLY, auth=ROBOT).status_code == 200


def test_admin_password_and_extra_users_are_configurable(emulator_factory):
    target = emulator_factory(admin_password="S3cret!", users={"$oauthtoken": "nvapi-key"})
    assert target.api("GET", ADMIN_ONLY, auth=("admin", "S3cret!")).status_code == 200
    assert target.api("GET", ADMIN_ONLY, auth=("admin", "Harbor12345")).status_code == 401
    assert target.api("GET", ADMIN_ONLY, auth=("$oauthtoken", "nvapi-key")).status_code == 403      # a user, not an admin


# ----- /v2/ and /service/token

def test_anonymous_v2_gets_the_bearer_challenge(harbor):
    resp = v2(harbor)
    assert resp.status_code == 401
    assert resp.headers["Www-Authenticate"] == 'Bearer realm="%s/service/token",service="harbor-registry"' % harbor.url
    assert resp.headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    assert resp.json() == {"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized: unauthorized"}]}


def test_realm_host_follows_the_host_header(harbor):
    harbor.need_emulator()
    resp = v2(harbor, headers={"Host": "harbor.example:8443"})
    assert resp.headers["Www-Authenticate"].startswith('Bearer realm="http://harbor.example:8443/service/token"')


def test_tls_realm_uses_https(emulator_factory):
    secure = emulator_factory(tls=True)
    assert v2(secure).headers["Www-Authenticate"].startswith('Bearer realm="https://')


def test_bad_credentials_get_the_basic_challenge(harbor):
    resp = v2(harbor, auth=BAD)
    assert resp.status_code == 401
    assert resp.headers["Www-Authenticate"] == 'Basic realm="harbor"'


def test_basic_auth_is_accepted(harbor):
    for auth in (harbor.auth, ROBOT, DEVELOPER):
        resp = v2(harbor, auth=auth)
        assert (resp.status_code, resp.json()) == (200, {})
        assert resp.headers["Docker-Distribution-Api-Version"] == "registry/2.0"


def test_anonymous_token_without_scope_is_401_empty(harbor):
    for auth in (None, BAD):
        resp = token(harbor, params={"service": "harbor-registry"}, auth=auth)
        assert resp.status_code == 401
        assert resp.text == ""


def test_token_flow(harbor):
    resp = token(harbor, params={"service": "harbor-registry"}, auth=harbor.auth)
    assert resp.status_code == 200
    data = resp.json()
    assert data["token"] and data["access_token"] == ""
    assert data["expires_in"] == 1800 and data["issued_at"]
    assert v2(harbor, headers={"Authorization": "Bearer " + data["token"]}).status_code == 200


def test_unknown_bearer_token_gets_the_basic_challenge(harbor):
    resp = v2(harbor, headers={"Authorization": "Bearer forged"})
    assert resp.status_code == 401
    assert resp.headers["Www-Authenticate"] == 'Basic realm="harbor"'


def test_anonymous_token_with_scope_does_not_authenticate(harbor):
    harbor.need_emulator()
    resp = token(harbor, params={"service": "harbor-registry", "scope": "repository:library/app:pull"})
    assert resp.status_code == 200
    assert v2(harbor, headers={"Authorization": "Bearer " + resp.json()["token"]}).status_code == 401


def test_token_of_one_emulator_is_not_valid_on_another(harbor_pair):
    first, second = harbor_pair
    issued = token(first, params={"service": "harbor-registry"}, auth=first.auth).json()["token"]
    assert v2(second, headers={"Authorization": "Bearer " + issued}).status_code == 401


def test_binding_errors_come_before_the_caller_check(harbor):
    """go-swagger binds path, query and body before any handler runs, so anonymous callers and non-admins get the same
    422 as an admin (the handler's RequireSystemAccess/RequireAuthenticated never runs)."""
    harbor.need_emulator()

    def unmarshal(param, struct, field, go_type, json_type="string"):
        return ('parsing %s body from "" failed, because json: cannot unmarshal %s into Go struct field %s.%s of type %s'
                % (param, json_type, struct, field, go_type))

    cases = [
        ("POST", "/replication/policies", {"name": "p", "enabled": "yes"}, unmarshal("policy", "ReplicationPolicy", "enabled", "bool")),
        ("PUT", "/replication/policies/1", {"name": "p", "enabled": "yes"}, unmarshal("policy", "ReplicationPolicy", "enabled", "bool")),
        ("GET", "/replication/policies/abc", None, 'id in path must be of type int64: "abc"'),
        ("GET", "/replication/executions/abc", None, 'id in path must be of type int64: "abc"'),
        ("PUT", "/quotas/1", {"hard": {"storage": "10"}}, unmarshal("hard", "QuotaUpdateReq", "hard", "int64")),
        ("POST", "/projects", {"project_name": 5}, unmarshal("project", "ProjectReq", "project_name", "string", "number")),
    ]
    for auth in (None, DEVELOPER, ("admin", "Harbor12345")):
        for method, path, body, message in cases:
            resp = harbor.api(method, path, json=body, auth=auth)
            expected = {"errors": [{"code": "UNPROCESSABLE_ENTITY", "message": "validation failure list:\n" + message}]}
            assert (resp.status_code, resp.json()) == (422, expected), (method, path, auth)


def test_list_paging_is_bound_before_the_caller_check(harbor):
    """page and page_size are go-swagger query parameters (int64, page_size at most 100): an anonymous caller or a
    non-admin with a bad one gets the same 422 as an admin, never the handler's 401/403 (nor an empty anonymous list)."""
    harbor.need_emulator()
    lists = ("/registries", "/replication/policies", "/replication/executions", "/replication/executions/1/tasks", "/quotas",
             "/projects?public=false", "/projects/library/repositories", "/projects/library/repositories/nginx/artifacts")
    cases = [({"page_size": 101}, "page_size in query should be less than or equal to 100"),
             ({"page": "x"}, 'page in query must be of type int64: "x"'),
             ({"page_size": "1.5"}, 'page_size in query must be of type int64: "1.5"')]
    for auth in (None, DEVELOPER, ("admin", "Harbor12345")):
        for path in lists:
            for params, message in cases:
                resp = harbor.api("GET", path, params=params, auth=auth)
                expected = {"errors": [{"code": "UNPROCESSABLE_ENTITY", "message": "validation failure list:\n" + message}]}
                assert (resp.status_code, resp.json()) == (422, expected), (path, params, auth)


def test_failed_login_freezes_the_user_name(emulator_factory):
    """src/core/auth/authenticator.go (Login, frozenTime) and src/core/auth/lock.go (UserLock): a failed login locks the
    user name; while locked, the right password runs as anonymous too. Robots do not go through Login."""
    import threading
    import time

    target = emulator_factory(login_freeze=1.0)
    assert target.api("GET", ADMIN_ONLY).status_code == 200
    failed = threading.Thread(target=target.api, args=("GET", ADMIN_ONLY), kwargs={"auth": BAD})
    failed.start()                       # the failed request itself sleeps for the freeze time
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and target.api("GET", "/systeminfo").json().get("harbor_version"):
        time.sleep(0.02)
    frozen_info = target.api("GET", "/systeminfo").json()
    assert "harbor_version" not in frozen_info                                   # the right password, as anonymous
    assert target.api("GET", ADMIN_ONLY).status_code == 401
    assert target.api("GET", ADMIN_ONLY, auth=ROBOT).status_code == 200          # a robot is not locked
    assert target.api("GET", ADMIN_ONLY, auth=DEVELOPER).status_code == 403      # nor another user
    failed.join()
    time.sleep(1.1)
    assert target.api("GET", ADMIN_ONLY).status_code == 200                      # the lock ends


def test_login_freeze_is_off_by_default(harbor):
    harbor.need_emulator()
    assert harbor.api("GET", ADMIN_ONLY, auth=BAD).status_code == 401
    assert harbor.api("GET", ADMIN_ONLY).status_code == 200
