"""Robot accounts: the /robots API and what a robot may do on the API and on /v2/ (handler/robot.py, rbac.py).

Each test names the Harbor v2.15.2 file that decides the behaviour (goharbor/harbor): src/server/v2.0/handler/robot.go
(the handler), src/controller/robot/controller.go (create, secrets, scopes), src/server/middleware/security/robot.go
(the login), src/common/security/robot/context.go (the robot's permissions), src/core/service/token/creator.go and
src/server/middleware/v2auth/auth.go (/v2/).
"""
import time

import pytest
import requests

from tools.dataplane import oci
from tools.dataplane.distribution import DistributionClient, DistributionError

DEVELOPER = ("developer", "Developer12345")
SECRET = "Given-Secret-123"


def errors(code, message):
    return {"errors": [{"code": code, "message": message}]}


def access(*pairs, effect=None):
    return [dict(resource=r, action=a, **({"effect": effect} if effect else {})) for r, a in pairs]


def system_robot(name="ci", duration=-1, permissions=None, **extra):
    return dict(name=name, level="system", duration=duration, permissions=permissions or [
        {"kind": "system", "namespace": "/", "access": access(("registry", "list"), ("registry", "read"))}], **extra)


def project_robot(project, name="puller", actions=("pull",), duration=-1, **extra):
    return dict(name=name, level="project", duration=duration, permissions=[
        {"kind": "project", "namespace": project, "access": access(*[("repository", a) for a in actions])}], **extra)


def create(harbor, body, status=201, auth="admin"):
    resp = harbor.api("POST", "/robots", json=body, auth=auth)
    assert resp.status_code == status, resp.text
    return resp


def new_project(harbor, name, public=False, auth="admin"):
    resp = harbor.api("POST", "/projects", json={"project_name": name, "metadata": {"public": str(public).lower()}}, auth=auth)
    assert resp.status_code == 201, resp.text


def robot_auth(created):
    return (created.json()["name"], created.json()["secret"])


def logged_in(harbor, auth):
    """security/robot.go: a robot that is not accepted runs as anonymous, so /systeminfo has no harbor_version."""
    return "harbor_version" in harbor.api("GET", "/systeminfo", auth=auth).json()


# ----- create (handler/robot.go CreateRobot, controller/robot/controller.go Create)

def test_create_system_robot_returns_the_secret_once(harbor):
    resp = create(harbor, system_robot(description="ci pipelines"))
    body = resp.json()
    assert body["name"] == "robot$ci" and body["expires_at"] == -1
    assert len(body["secret"]) == 32 and body["id"] and body["creation_time"]
    assert resp.headers["Location"] == "/api/v2.0/robots/%d" % body["id"]
    shown = harbor.api("GET", "/robots/%d" % body["id"]).json()
    assert "secret" not in shown
    assert shown["name"] == "robot$ci" and shown["level"] == "system" and shown["description"] == "ci pipelines"
    assert (shown["duration"], shown["expires_at"], shown["disable"], shown["editable"]) == (-1, -1, False, True)
    assert shown["creator_type"] == "local"
    assert shown["permissions"] == [{"kind": "system", "namespace": "/", "access": access(("registry", "list"), ("registry", "read"))}]
    assert logged_in(harbor, robot_auth(resp))


def test_project_robot_is_named_after_its_project(harbor):
    new_project(harbor, "team")
    resp = create(harbor, project_robot("team"))
    assert resp.json()["name"] == "robot$team+puller"
    shown = harbor.api("GET", "/robots/%d" % resp.json()["id"]).json()
    assert shown["level"] == "project"
    assert shown["permissions"] == [{"kind": "project", "namespace": "team", "access": access(("repository", "pull"))}]
    assert logged_in(harbor, robot_auth(resp))


def test_create_ignores_secret_and_disable_of_the_body(harbor):
    """controller.Create builds the robot from name, description, duration and permissions only: a new robot is enabled
    and its secret is generated."""
    resp = create(harbor, system_robot(secret=SECRET, disable=True))
    assert resp.json()["secret"] != SECRET
    assert harbor.api("GET", "/robots/%d" % resp.json()["id"]).json()["disable"] is False
    assert not logged_in(harbor, ("robot$ci", SECRET))


def test_duration_sets_expires_at_in_days(harbor):
    before = int(time.time())
    body = create(harbor, system_robot(duration=30)).json()
    assert before + 30 * 86400 <= body["expires_at"] <= int(time.time()) + 30 * 86400


@pytest.mark.parametrize("name", ["CI", "ci+x", "robot$ci", "-ci", "ci_", ""])
def test_name_must_be_lower_case_without_plus(harbor, name):
    """handler/robot.go validateName: ^[a-z0-9]+(?:[._-][a-z0-9]+)*$."""
    resp = create(harbor, system_robot(name=name), status=400)
    assert resp.json() == errors("BAD_REQUEST", "robot name is not in lower case or contains illegal characters")


@pytest.mark.parametrize("change, message", [
    (dict(duration=0), "bad request error duration input: 0, duration must be either -1(Never) or a positive integer"),
    (dict(duration=-2), "bad request error duration input: -2, duration must be either -1(Never) or a positive integer"),
    (dict(level="global"), "bad request error level input: global"),
    (dict(permissions=[]), "bad request empty permission"),
    (dict(permissions=[{"kind": "system", "namespace": "/", "access": []}]), "bad request empty access"),
    (dict(permissions=[{"kind": "system", "namespace": "/", "access": access(("registry", "pull"))}]),
     "bad request permission: registry:pull"),
    (dict(permissions=[{"kind": "system", "namespace": "/", "access": access(("repository", "pull"))}]),
     "bad request permission: repository:pull"),
    (dict(permissions=[{"kind": "global", "namespace": "/", "access": access(("registry", "list"))}]),
     "bad request permission level: global"),
    (dict(permissions=[{"kind": "system", "namespace": "x", "access": access(("registry", "list"))}]), "unknown namespace"),
])
def test_validation_before_anything_is_stored(harbor, change, message):
    """handler/robot.go validate (duration, level, permissions against rbac.GetPermissionProvider) and
    controller.toScope (a system permission's namespace is /)."""
    body = dict(system_robot(), **change)
    resp = create(harbor, body, status=400)
    assert resp.json() == errors("BAD_REQUEST", message)
    assert [r["name"] for r in harbor.api("GET", "/robots").json()] in ([], ["robot$automation"])


def test_project_robot_takes_one_permission_of_its_project(harbor):
    new_project(harbor, "team")
    body = project_robot("team")
    body["permissions"].append({"kind": "project", "namespace": "library", "access": access(("repository", "pull"))})
    assert create(harbor, body, status=400).json() == errors("BAD_REQUEST", "bad request permission")
    resp = create(harbor, project_robot("nothere"), status=404)
    assert resp.json() == errors("NOT_FOUND", "project nothere not found")


def test_system_robot_may_cover_all_projects_or_named_ones(harbor):
    new_project(harbor, "team")
    body = system_robot(permissions=[
        {"kind": "system", "namespace": "/", "access": access(("project", "create"))},
        {"kind": "project", "namespace": "*", "access": access(("repository", "pull"))},
        {"kind": "project", "namespace": "team", "access": access(("repository", "push"), ("repository", "pull"))}])
    shown = harbor.api("GET", "/robots/%d" % create(harbor, body).json()["id"]).json()
    assert shown["permissions"] == body["permissions"]
    body["permissions"][1]["namespace"] = "missing"
    assert create(harbor, dict(body, name="other"), status=404).json() == errors("NOT_FOUND", "project missing not found")


def test_same_name_twice_is_a_conflict(harbor):
    create(harbor, system_robot())
    assert create(harbor, system_robot(), status=409).json() == errors("CONFLICT", "robot account 0:ci already exists")
    new_project(harbor, "team")
    create(harbor, project_robot("team", name="ci"))         # another project_id: allowed


def test_bad_body_types_are_422(harbor):
    resp = create(harbor, dict(system_robot(), duration="never"), status=422)
    assert resp.json()["errors"][0]["code"] == "UNPROCESSABLE_ENTITY"


# ----- who may create (handler/robot.go requireAccess, isValidPermissionScope)

def test_anonymous_and_non_admin_callers_cannot_create_system_robots(harbor):
    harbor.need_emulator()
    assert create(harbor, system_robot(), status=401, auth=None).json() == errors("UNAUTHORIZED", "unauthorized")
    assert create(harbor, system_robot(), status=403, auth=DEVELOPER).json() == errors("FORBIDDEN", "developer")


def test_project_member_creates_robots_of_its_own_project_only(harbor):
    harbor.need_emulator()
    new_project(harbor, "devs", auth=DEVELOPER)                 # the developer owns it (project admin)
    assert create(harbor, project_robot("devs"), auth=DEVELOPER).json()["name"] == "robot$devs+puller"
    assert create(harbor, project_robot("library"), status=403, auth=DEVELOPER).json() == errors("FORBIDDEN", "forbidden")


def test_robot_creates_robots_within_its_own_permissions(harbor):
    harbor.need_emulator()
    new_project(harbor, "team")
    maker = create(harbor, system_robot(name="maker", permissions=[
        {"kind": "system", "namespace": "/", "access": access(("robot", "create"), effect="allow")},
        {"kind": "project", "namespace": "*", "access": access(("robot", "create"), ("repository", "pull"), effect="allow")}]))
    auth = robot_auth(maker)
    child = project_robot("team")
    child["permissions"][0]["access"][0]["effect"] = "allow"
    made = create(harbor, child, auth=auth)
    assert harbor.api("GET", "/robots/%d" % made.json()["id"]).json()["creator_type"] == "robot"
    wider = project_robot("team", name="pusher", actions=("push",))
    wider["permissions"][0]["access"][0]["effect"] = "allow"
    resp = create(harbor, wider, status=403, auth=auth)
    assert resp.json() == errors("DENIED", "permission scope is invalid. It must be equal to or more restrictive than the creator"
                                           " robot's permissions: robot$maker")
    # the effect is compared as given: "" is not "allow"
    assert create(harbor, project_robot("team", name="noeffect"), status=403, auth=auth).json()["errors"][0]["code"] == "DENIED"


def test_only_system_robots_create_projects(harbor):
    """handler/project.go CreateProject: a project robot gets 403 whatever its permissions."""
    harbor.need_emulator()
    new_project(harbor, "team")
    robot = create(harbor, project_robot("team"))
    resp = harbor.api("POST", "/projects", json={"project_name": "more"}, auth=robot_auth(robot))
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "Only system level robot can create project"))
    creator = create(harbor, system_robot(name="creator", permissions=[
        {"kind": "system", "namespace": "/", "access": access(("project", "create"))}]))
    assert harbor.api("POST", "/projects", json={"project_name": "more"}, auth=robot_auth(creator)).status_code == 201


# ----- list and get (handler/robot.go ListRobot, GetRobotByID; pkg/robot/dao)

def test_list_system_robots_by_default_sorted_by_name(harbor):
    harbor.need_emulator()
    new_project(harbor, "team")
    for name in ("zeta", "alpha"):
        create(harbor, system_robot(name=name))
    create(harbor, project_robot("team"))
    resp = harbor.api("GET", "/robots")
    assert [r["name"] for r in resp.json()] == ["robot$alpha", "robot$automation", "robot$zeta"]
    assert resp.headers["X-Total-Count"] == "3"
    assert harbor.api("GET", "/robots", params={"q": "Level=system"}).json() == resp.json()


def test_list_project_robots_needs_the_project_id(harbor):
    new_project(harbor, "team")
    create(harbor, project_robot("team"))
    project_id = harbor.api("GET", "/projects/team", headers={"X-Is-Resource-Name": "true"}).json()["project_id"]
    found = harbor.api("GET", "/robots", params={"q": "Level=project,ProjectID=%d" % project_id}).json()
    assert [r["name"] for r in found] == ["robot$team+puller"]
    resp = harbor.api("GET", "/robots", params={"q": "Level=project"})
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", "must with project ID when to query project robots"))
    resp = harbor.api("GET", "/robots", params={"q": "Level=project,ProjectID=0"})
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", "ProjectID must be a positive integer"))
    resp = harbor.api("GET", "/robots", params={"q": "Level=all"})
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", "bad request error level input"))


def test_q_name_is_the_stored_name_without_prefix(harbor):
    new_project(harbor, "team")
    create(harbor, system_robot())
    create(harbor, project_robot("team"))
    assert [r["name"] for r in harbor.api("GET", "/robots", params={"q": "name=ci"}).json()] == ["robot$ci"]
    assert harbor.api("GET", "/robots", params={"q": "name=robot$ci"}).json() == []
    project_id = harbor.api("GET", "/projects/team", headers={"X-Is-Resource-Name": "true"}).json()["project_id"]
    query = "Level=project,ProjectID=%d,name=team%%2Bpuller" % project_id      # q is unescaped once more: + is a space
    assert [r["name"] for r in harbor.api("GET", "/robots", params={"q": query}).json()] == ["robot$team+puller"]
    assert harbor.api("GET", "/robots", params={"q": query.replace("%2B", "+")}).json() == []


def test_unknown_robot_is_404_and_bad_id_422(harbor):
    assert harbor.api("GET", "/robots/999").json() == errors("NOT_FOUND", "robot 999 not found")
    assert harbor.api("GET", "/robots/x").status_code == 422


def test_robot_reads_robots_only_with_permission(harbor):
    harbor.need_emulator()
    robot = create(harbor, system_robot())
    resp = harbor.api("GET", "/robots", auth=robot_auth(robot))
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "robot$ci"))


# ----- secret refresh (handler/robot.go RefreshSec, controller/robot IsValidSec)

def test_refresh_to_a_given_secret(harbor):
    robot = create(harbor, system_robot())
    resp = harbor.api("PATCH", "/robots/%d" % robot.json()["id"], json={"secret": SECRET})
    assert (resp.status_code, resp.json()) == (200, {})
    assert logged_in(harbor, ("robot$ci", SECRET))
    assert not logged_in(harbor, robot_auth(robot))


def test_refresh_without_a_secret_generates_one(harbor):
    robot = create(harbor, system_robot())
    resp = harbor.api("PATCH", "/robots/%d" % robot.json()["id"], json={})
    assert resp.status_code == 200 and len(resp.json()["secret"]) == 32
    assert logged_in(harbor, ("robot$ci", resp.json()["secret"]))


@pytest.mark.parametrize("secret", ["Short1a", "alllowercase123", "ALLUPPER123", "NoDigitsHere", "A1a" * 43])
def test_refresh_refuses_weak_secrets(harbor, secret):
    robot = create(harbor, system_robot())
    resp = harbor.api("PATCH", "/robots/%d" % robot.json()["id"], json={"secret": secret})
    assert (resp.status_code, resp.json()) == (400, errors(
        "BAD_REQUEST", "the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase"
                       " letter and 1 number"))
    assert logged_in(harbor, robot_auth(robot))


def test_no_robot_may_refresh_or_update_robots(harbor):
    """requireAccess(update): robot update is no permission a robot can be given (NolimitProvider)."""
    harbor.need_emulator()
    robot = create(harbor, system_robot())
    resp = harbor.api("PATCH", "/robots/1", json={"secret": SECRET}, auth=("robot$automation", "Robot12345"))
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "robot$automation"))
    shown = harbor.api("GET", "/robots/%d" % robot.json()["id"]).json()
    resp = harbor.api("PUT", "/robots/%d" % robot.json()["id"], json=shown, auth=("robot$automation", "Robot12345"))
    assert resp.status_code == 403


def test_project_update_on_every_project_covers_their_robots(harbor):
    """casbin_match.go keyMatch2: a robot's "project update" on namespace * is the pattern /project/*, which matches
    /project/<id>/robot as well, so such a robot may refresh project robots' secrets (not system robots')."""
    harbor.need_emulator()
    new_project(harbor, "team")
    nodes = create(harbor, project_robot("team"))
    admin = create(harbor, system_robot(name="admin", permissions=[
        {"kind": "project", "namespace": "*", "access": access(("project", "update"))}]))
    resp = harbor.api("PATCH", "/robots/%d" % nodes.json()["id"], json={"secret": SECRET}, auth=robot_auth(admin))
    assert (resp.status_code, resp.json()) == (200, {})
    resp = harbor.api("PATCH", "/robots/%d" % admin.json()["id"], json={"secret": SECRET}, auth=robot_auth(admin))
    assert resp.status_code == 403


# ----- update (handler/robot.go UpdateRobot/updateV2Robot)

def test_update_replaces_description_disable_duration_and_permissions(harbor):
    robot = create(harbor, system_robot(description="old"))
    robot_id = robot.json()["id"]
    shown = harbor.api("GET", "/robots/%d" % robot_id).json()
    body = dict(shown, description="new", disable=True, duration=10,
                permissions=[{"kind": "system", "namespace": "/", "access": access(("registry", "list"))}])
    resp = harbor.api("PUT", "/robots/%d" % robot_id, json=body)
    assert (resp.status_code, resp.text) == (200, "")
    after = harbor.api("GET", "/robots/%d" % robot_id).json()
    assert (after["description"], after["disable"], after["duration"]) == ("new", True, 10)
    assert after["permissions"] == body["permissions"]
    assert after["expires_at"] >= int(time.time()) + 10 * 86400 - 5
    assert not logged_in(harbor, robot_auth(robot))         # disabled: anonymous
    del body["description"], body["disable"]                 # not pointers: left out means "" and false
    harbor.api("PUT", "/robots/%d" % robot_id, json=body)
    after = harbor.api("GET", "/robots/%d" % robot_id).json()
    assert "description" not in after and after["disable"] is False
    assert logged_in(harbor, robot_auth(robot))


def test_update_keeps_name_level_and_project(harbor):
    new_project(harbor, "team")
    new_project(harbor, "other")
    robot = create(harbor, project_robot("team"))
    robot_id = robot.json()["id"]
    shown = harbor.api("GET", "/robots/%d" % robot_id).json()
    for change, message in ((dict(name="team+puller"), "cannot update the level or name of robot"),
                            (dict(permissions=[dict(shown["permissions"][0], namespace="other")]), "cannot update the project id of robot")):
        resp = harbor.api("PUT", "/robots/%d" % robot_id, json=dict(shown, **change))
        assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", message))
    assert harbor.api("PUT", "/robots/%d" % robot_id, json=dict(shown, duration=None)).status_code == 200


def test_delete(harbor):
    robot = create(harbor, system_robot())
    assert harbor.api("DELETE", "/robots/%d" % robot.json()["id"]).status_code == 200
    assert harbor.api("GET", "/robots/%d" % robot.json()["id"]).status_code == 404
    assert not logged_in(harbor, robot_auth(robot))


def test_deleting_a_project_deletes_its_robots_and_scopes(harbor):
    """project.go DeleteProject deletes the project's robots; controller populatePermissions skips scopes of
    projects that are gone."""
    new_project(harbor, "gone")
    project_robot_id = create(harbor, project_robot("gone")).json()["id"]
    system_id = create(harbor, system_robot(permissions=[
        {"kind": "system", "namespace": "/", "access": access(("registry", "list"))},
        {"kind": "project", "namespace": "gone", "access": access(("repository", "pull"))}])).json()["id"]
    assert harbor.api("DELETE", "/projects/gone", headers={"X-Is-Resource-Name": "true"}).status_code == 200
    assert harbor.api("GET", "/robots/%d" % project_robot_id).status_code == 404
    assert [p["namespace"] for p in harbor.api("GET", "/robots/%d" % system_id).json()["permissions"]] == ["/"]


# ----- login and permissions (security/robot.go, common/security/robot/context.go)

def test_expired_robot_runs_as_anonymous(harbor):
    harbor.need_emulator()
    robot = create(harbor, system_robot(duration=1))
    assert logged_in(harbor, robot_auth(robot))
    with harbor.emulator.state.lock:
        harbor.emulator.state.robots[robot.json()["id"]]["expires_at"] = int(time.time()) - 1
    assert not logged_in(harbor, robot_auth(robot))


def test_system_permissions_are_enforced_on_the_api(harbor):
    harbor.need_emulator()
    auth = robot_auth(create(harbor, system_robot()))
    assert harbor.api("GET", "/registries", auth=auth).status_code == 200
    resp = harbor.api("POST", "/registries", json={"name": "x", "type": "docker-hub", "url": "https://hub.docker.com"}, auth=auth)
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "robot$ci"))
    assert harbor.api("GET", "/replication/policies", auth=auth).status_code == 403


def test_project_robot_has_no_system_permissions(harbor):
    harbor.need_emulator()
    new_project(harbor, "team")
    auth = robot_auth(create(harbor, project_robot("team", actions=("pull", "push"))))
    assert harbor.api("GET", "/registries", auth=auth).status_code == 403
    assert harbor.api("GET", "/projects/team", headers={"X-Is-Resource-Name": "true"}, auth=auth).status_code == 403
    assert harbor.api("GET", "/projects/team/repositories", headers={"X-Is-Resource-Name": "true"}, auth=auth).status_code == 403


def test_robot_lists_its_projects_and_public_ones(harbor):
    """handler/project.go ListProjects: a robot sees the projects its permissions name (all with *) and public ones."""
    harbor.need_emulator()
    for name in ("team", "hidden"):
        new_project(harbor, name)
    auth = robot_auth(create(harbor, project_robot("team")))
    assert sorted(p["name"] for p in harbor.api("GET", "/projects", auth=auth).json()) == ["library", "team"]
    assert sorted(p["name"] for p in harbor.api("GET", "/projects", auth=("robot$automation", "Robot12345")).json()) == [
        "hidden", "library", "team"]


def test_custom_robot_name_prefix(emulator_factory):
    """robot_name_prefix (lib/config/metadata/metadatalist.go): names and logins use it; the stored name has none."""
    target = emulator_factory(robot_prefix="bot@")
    robot = create(target, system_robot())
    assert robot.json()["name"] == "bot@ci"
    assert logged_in(target, ("bot@ci", robot.json()["secret"]))
    assert not logged_in(target, ("robot$ci", robot.json()["secret"]))
    assert [r["name"] for r in target.api("GET", "/robots", params={"q": "name=ci"}).json()] == ["bot@ci"]


# ----- /v2/ (core/service/token/creator.go, server/middleware/v2auth/auth.go, security/v2token)

def pusher(harbor, auth):
    return DistributionClient(harbor.url, auth=auth, verify=harbor.ca_path or True)


def pulled(client, repository, tag):
    """The digest Harbor serves for a tag (the in-memory storage serves a stand-in body with the pushed digest)."""
    resp = client.request("GET", "/v2/%s/manifests/%s" % (repository, tag), scope="repository:%s:pull" % repository)
    assert resp.status_code == 200, resp.text
    return resp.headers["Docker-Content-Digest"]


def test_pull_only_robot_cannot_push(harbor):
    harbor.need_emulator()
    new_project(harbor, "team")
    image = oci.image("app", "1")
    pusher(harbor, harbor.auth).push("team/app", "1", image)
    auth = robot_auth(create(harbor, project_robot("team")))
    client = pusher(harbor, auth)
    assert pulled(client, "team/app", "1") == image.digest
    with pytest.raises(DistributionError) as refused:
        client.push("team/app", "2", oci.image("app", "2"))
    assert refused.value.status == 401
    basic = harbor.url + "/v2/team/app/manifests/3"
    resp = requests.put(basic, data=image.data, headers={"Content-Type": image.media_type}, auth=auth,
                        verify=harbor.ca_path or True, timeout=10)
    assert (resp.status_code, resp.headers["Www-Authenticate"]) == (401, 'Basic realm="harbor"')


def test_push_robot_pushes_and_pulls_its_project_only(harbor):
    harbor.need_emulator()
    for name in ("team", "other"):
        new_project(harbor, name)
    auth = robot_auth(create(harbor, project_robot("team", name="pusher", actions=("push",))))
    client = pusher(harbor, auth)
    image = oci.image("app", "1")
    assert client.push("team/app", "1", image) == image.digest
    assert pulled(client, "team/app", "1") == image.digest                # push grants pull to a project robot
    with pytest.raises(DistributionError) as refused:
        pusher(harbor, auth).push("other/app", "1", image)
    assert refused.value.status == 401


def test_token_carries_only_the_robots_actions(harbor):
    """creator.go repositoryFilter: a token asked for pull,push gets what the caller may do; the request with it is
    checked against that (v2token.Can)."""
    harbor.need_emulator()
    new_project(harbor, "team")
    auth = robot_auth(create(harbor, project_robot("team")))
    resp = requests.get(harbor.url + "/service/token", params={
        "service": "harbor-registry", "scope": "repository:team/app:pull,push"}, auth=auth, verify=harbor.ca_path or True, timeout=10)
    token = resp.json()["token"]
    state = harbor.emulator.state
    assert state.extensions["tokens"][token] == {"username": "robot$team+puller", "access": {"team": {"pull"}}}
