"""harbor_robot_account and harbor_robot_account_info with ansible-playbook against the emulator (or a real Harbor).

The emulator follows Harbor's robot handler and permission model (tests/emulator_fidelity/test_robot.py): POST ignores
the secret (the module sets it with PATCH), GET never shows one, and a robot may do exactly what its permissions say,
on the API and on /v2/.
"""
import pytest

from tools.dataplane import oci
from tools.dataplane.distribution import DistributionClient, DistributionError
from tests.support.harbor import Target
from tests.support.names import is_test_name, unique

MODULE = "registryops.harbor.harbor_robot_account"
INFO = "registryops.harbor.harbor_robot_account_info"
SECRET = "Pull-Secret-123"
OTHER_SECRET = "Other-Secret-456"
# what the tests make (unique per test process: the Harbor may be a shared real one, whose sweep deletes these projects
# with their robots, and the system robots whose names carry the suffix: tests/support/harbor.py)
TEAM, OTHER, CI = unique("team"), unique("other"), unique("ci")
NODES = "robot$%s+nodes" % TEAM


def task(title, module=MODULE, **args):
    return {"name": title, module: args}


def puller(**extra):
    return dict(dict(name="nodes", project=TEAM, permissions=[{"access": {"repository": ["pull"]}}], secret=SECRET), **extra)


def writes(target):
    return [(w["method"], w["path"]) for w in target.writes()]


def make_project(harbor, name=TEAM):
    resp = harbor.api("POST", "/projects", json={"project_name": name, "metadata": {"public": "false"}})
    assert resp.status_code in (201, 409), resp.text


def robots(harbor, project=None):
    """The robots as Harbor lists them (system robots, or one project's)."""
    if project is None:
        return harbor.api("GET", "/robots").json()
    project_id = harbor.api("GET", "/projects/%s" % project, headers={"X-Is-Resource-Name": "true"}).json()["project_id"]
    return harbor.api("GET", "/robots", params={"q": "Level=project,ProjectID=%d" % project_id}).json()


def robot(harbor, full_name, project=None):
    return next((r for r in robots(harbor, project) if r["name"] == full_name), None)


def logs_in(harbor, name, secret):
    return "harbor_version" in harbor.api("GET", "/systeminfo", auth=(name, secret)).json()


# -- create, idempotency --------------------------------------------------------------------------------------------
@pytest.mark.core_matrix
def test_project_robot_create_then_unchanged_without_writes(run_play, harbor):
    make_project(harbor)
    play = run_play([task("robot", **puller())], verbosity=3)
    assert play.rc == 0, play.output
    result = play.result("robot")
    assert result["changed"] is True and result["secret_sent"] == "new robot account"
    assert result["robot"]["name"] == NODES
    assert "secret" not in result and "secret" not in result["robot"]
    assert result["after"]["permissions"] == [{"kind": "project", "namespace": TEAM, "access": {"repository": ["pull"]}}]
    assert SECRET not in play.output
    assert logs_in(harbor, NODES, SECRET)
    assert robot(harbor, NODES, TEAM)["permissions"] == [
        {"kind": "project", "namespace": TEAM, "access": [{"resource": "repository", "action": "pull", "effect": "allow"}]}]

    for update_password in ("on_create", "always"):
        harbor.clear_log()
        again = run_play([task("robot", **puller(update_password=update_password))], verbosity=3)
        assert again.rc == 0, again.output
        assert again.result("robot")["changed"] is False
        assert "secret_sent" not in again.result("robot")
        assert writes(harbor) == [], update_password
        assert SECRET not in again.output


def test_system_robot_with_system_and_all_project_permissions(run_play, harbor):
    make_project(harbor)
    args = dict(name=CI, description="pipelines", duration=30, permissions=[
        {"kind": "system", "access": {"registry": ["read", "list"], "replication-policy": "list, read"}},
        {"namespace": "*", "access": {"repository": ["pull"]}},
        {"namespace": TEAM, "access": {"repository": ["push", "pull"], "artifact": ["read"]}}], secret=SECRET)
    play = run_play([task("ci", **args)])
    assert play.rc == 0, play.output
    shown = play.result("ci")["robot"]
    assert shown["name"] == "robot$" + CI and shown["level"] == "system" and shown["duration"] == 30
    assert play.result("ci")["after"]["permissions"] == [
        {"kind": "system", "namespace": "/", "access": {"registry": ["list", "read"], "replication-policy": ["list", "read"]}},
        {"kind": "project", "namespace": "*", "access": {"repository": ["pull"]}},
        {"kind": "project", "namespace": TEAM, "access": {"artifact": ["read"], "repository": ["pull", "push"]}}]
    assert harbor.api("GET", "/registries", auth=("robot$" + CI, SECRET)).status_code == 200
    harbor.clear_log()
    again = run_play([task("ci", **args)])
    assert again.result("ci")["changed"] is False and writes(harbor) == []


def test_robot_without_secret_keeps_the_generated_one_unseen(run_play, harbor):
    make_project(harbor)
    play = run_play([task("robot", **puller(secret=None))], verbosity=3)
    assert play.rc == 0, play.output
    assert "secret" not in play.result("robot") and "secret_sent" not in play.result("robot")
    if harbor.emulator is not None:
        generated = next(r["secret"] for r in harbor.emulator.state.robots.values() if r["name"] == TEAM + "+nodes")
        assert generated not in play.output


def test_return_generated_secret_needs_no_log_and_gives_a_working_secret(run_play, harbor):
    harbor.need_emulator()
    make_project(harbor)
    harbor.clear_log()
    refused = run_play([task("robot", **puller(secret=None, return_generated_secret=True))])
    assert refused.rc != 0
    assert "return_generated_secret: set no_log: true on the task" in refused.result("robot")["msg"]
    assert writes(harbor) == []
    tasks = [dict(task("robot", **puller(secret=None, return_generated_secret=True)), no_log=True, register="made"),
             {"name": "login with it", "ansible.builtin.uri": {
                 "url": harbor.url + "/api/v2.0/systeminfo", "url_username": "{{ made.robot.name }}",
                 "url_password": "{{ made.secret }}", "force_basic_auth": True}, "register": "info"},
             {"name": "logged in", "ansible.builtin.assert": {"that": ["info.json.harbor_version is defined"]}},
             {"name": "warned", "ansible.builtin.assert": {"that": ["made.warnings | length == 1",
                                                                    "'generated' in made.warnings[0]"]}}]
    play = run_play(tasks, diff=True, verbosity=3)
    assert play.rc == 0, play.output
    generated = next(r["secret"] for r in harbor.emulator.state.robots.values() if r["name"] == TEAM + "+nodes")
    assert generated not in play.output
    assert play.result("robot").get("censored")


# -- update_password: always -----------------------------------------------------------------------------------------
def test_always_sets_the_secret_only_when_the_login_fails(run_play, harbor):
    make_project(harbor)
    assert run_play([task("robot", **puller())]).rc == 0
    robot_id = robot(harbor, NODES, TEAM)["id"]
    assert harbor.api("PATCH", "/robots/%d" % robot_id, json={"secret": OTHER_SECRET}).status_code == 200   # changed elsewhere
    harbor.clear_log()
    check = run_play([task("robot", **puller(update_password="always"))], check=True)
    assert check.result("robot")["changed"] is True
    assert check.result("robot")["secret_sent"] == "update_password=always and the robot's login with the secret given failed"
    assert writes(harbor) == []
    play = run_play([task("robot", **puller(update_password="always"))], verbosity=3)
    assert play.rc == 0, play.output
    assert play.result("robot")["changed"] is True
    assert writes(harbor) == [("PATCH", "/api/v2.0/robots/%d" % robot_id)]
    assert logs_in(harbor, NODES, SECRET) and not logs_in(harbor, NODES, OTHER_SECRET)
    assert SECRET not in play.output and OTHER_SECRET not in play.output


def test_always_leaves_a_disabled_robot_alone_and_sets_it_when_enabling(run_play, harbor):
    make_project(harbor)
    assert run_play([task("robot", **puller(disabled=True))]).rc == 0
    robot_id = robot(harbor, NODES, TEAM)["id"]
    assert robot(harbor, NODES, TEAM)["disable"] is True
    harbor.api("PATCH", "/robots/%d" % robot_id, json={"secret": OTHER_SECRET})
    harbor.clear_log()
    play = run_play([task("robot", **puller(update_password="always"))])
    assert play.rc == 0 and play.result("robot")["changed"] is False
    assert "cannot be checked" in play.result("robot")["warnings"][0]
    assert writes(harbor) == []
    play = run_play([task("robot", **puller(update_password="always", disabled=False))])
    assert play.result("robot")["changed"] is True
    assert writes(harbor) == [("PUT", "/api/v2.0/robots/%d" % robot_id), ("PATCH", "/api/v2.0/robots/%d" % robot_id)]
    assert logs_in(harbor, NODES, SECRET)


# -- updates, check mode, diff, delete -------------------------------------------------------------------------------
def test_update_sends_one_put_with_the_whole_robot(run_play, harbor):
    make_project(harbor)
    assert run_play([task("robot", **puller(description="nodes"))]).rc == 0
    robot_id = robot(harbor, NODES, TEAM)["id"]
    harbor.clear_log()
    changed = puller(permissions=[{"access": {"repository": ["pull", "push"]}}], duration=7)
    play = run_play([task("robot", **changed)], diff=True)
    assert play.rc == 0, play.output
    result = play.result("robot")
    assert result["changed"] is True and "secret_sent" not in result
    assert result["diff"]["before"]["duration"] == "never expires" and result["diff"]["after"]["duration"] == "7 days"
    assert writes(harbor) == [("PUT", "/api/v2.0/robots/%d" % robot_id)]
    stored = robot(harbor, NODES, TEAM)
    assert stored["description"] == "nodes" and stored["duration"] == 7      # description kept: not given, sent as it was
    assert {a["action"] for a in stored["permissions"][0]["access"]} == {"pull", "push"}
    assert logs_in(harbor, NODES, SECRET)
    harbor.clear_log()
    assert run_play([task("robot", **changed)]).result("robot")["changed"] is False
    assert writes(harbor) == []


def test_check_mode_and_diff_write_nothing(run_play, harbor):
    make_project(harbor)
    harbor.clear_log()
    play = run_play([task("robot", **puller())], check=True, diff=True)
    assert play.rc == 0, play.output
    result = play.result("robot")
    assert result["changed"] is True and result["diff"]["before"] == {}
    assert result["diff"]["after"]["permissions"][0]["access"] == {"repository": ["pull"]}
    assert "secret" not in result["diff"]["after"] and result["secret_sent"] == "new robot account"
    assert writes(harbor) == [] and robot(harbor, NODES, TEAM) is None
    assert run_play([task("robot", **puller())]).rc == 0
    harbor.clear_log()
    play = run_play([task("robot", **puller(disabled=True))], check=True, diff=True)
    assert play.result("robot")["diff"]["after"]["disabled"] is True and writes(harbor) == []


def test_delete_and_delete_missing(run_play, harbor):
    make_project(harbor)
    assert run_play([task("robot", **puller())]).rc == 0
    play = run_play([task("gone", name="nodes", project=TEAM, state="absent"), task("again", name="nodes", project=TEAM, state="absent")])
    assert play.rc == 0, play.output
    assert play.result("gone")["changed"] is True and play.result("gone")["robot"] is None
    assert play.result("again")["changed"] is False
    assert robot(harbor, NODES, TEAM) is None
    assert not logs_in(harbor, NODES, SECRET)


def test_disable_and_enable(run_play, harbor):
    assert run_play([task("ci", name=CI, permissions=[{"kind": "system", "access": {"registry": ["list"]}}], secret=SECRET)]).rc == 0
    assert run_play([task("off", name=CI, disabled=True)]).result("off")["changed"] is True
    assert not logs_in(harbor, "robot$" + CI, SECRET)
    assert run_play([task("on", name=CI, disabled=False)]).result("on")["changed"] is True
    assert logs_in(harbor, "robot$" + CI, SECRET)


# -- bad input --------------------------------------------------------------------------------------------------------
BAD_INPUT = [
    (dict(name="robot$ci"), "name: 'robot$ci' is not a Harbor robot name"),
    (dict(name="Team+ci"), "Give the robot's own name"),
    (dict(name=CI, secret="short"), "secret: Harbor takes a robot secret of 8 to 128 characters"),
    (dict(name=CI, update_password="always"), "update_password: always needs secret"),
    (dict(name=CI, level="project"), "project: required for a project robot"),
    (dict(name=CI, level="system", project=TEAM), "project: a system robot (level: system) belongs to no project"),
    (dict(name=CI, duration=0), "duration: a number of days (1 to 2147483646, written with the digits 0-9) or never, got 0"),
    (dict(name=CI, permissions=[{"namespace": "*", "access": {"repo": ["pull"]}}]), "permissions[0].access: 'repo' is not a project resource"),
    (dict(name=CI, permissions=[{"namespace": TEAM, "access": {"repository": ["pul"]}}]),
     "permissions[0].access.repository: pul not allowed on repository for project permissions; allowed:"),
    (dict(name=CI, permissions=[{"kind": "system", "access": {"repository": ["pull"]}}]),
     "permissions[0].access: 'repository' is not a system resource"),
    (dict(name=CI, permissions=[{"access": {"repository": ["pull"]}}]), "permissions[0].namespace: a project name, or *"),
    (dict(name=CI, project=TEAM, permissions=[{"namespace": "other", "access": {"repository": ["pull"]}}]),
     "permissions[0].namespace: a project robot has permissions in its own project %s only" % TEAM),
    (dict(name=CI, project=TEAM, permissions=[{"kind": "system", "access": {"registry": ["list"]}}]),
     "permissions[0].kind: a project robot cannot have system permissions"),
    (dict(name=CI, permissions=[{"namespace": "*", "access": {}}]), "permissions[0].access: a dictionary of resource: [actions]"),
    (dict(name=CI, project="nothere", permissions=[{"access": {"repository": ["pull"]}}]), "project: no project named 'nothere'"),
    (dict(name=CI, permissions=[{"namespace": "nothere", "access": {"repository": ["pull"]}}]),
     "permissions[0].namespace: no project named 'nothere' in Harbor"),
    (dict(name=CI, description="no permissions"), "permissions: required to create robot account %s" % CI),
]


def test_bad_input_fails_before_any_write(run_play, harbor):
    """Every case in one playbook (each task fails on its own, ignore_errors): every one refused, nothing written."""
    make_project(harbor)
    harbor.clear_log()
    play = run_play([dict(task("bad %d" % index, **args), ignore_errors=True) for index, (args, _) in enumerate(BAD_INPUT)])
    assert play.rc == 0, play.output[-4000:]
    for index, (args, message) in enumerate(BAD_INPUT):
        result = play.result("bad %d" % index)
        assert result.get("failed") is True and message in result["msg"], (args, result.get("msg"))
    assert writes(harbor) == []


def test_bad_secret_is_never_shown(run_play, harbor):
    play = run_play([task("bad", name=CI, secret="weak-secret-without-upper")], verbosity=3)
    assert play.rc != 0 and "weak-secret-without-upper" not in play.output


# -- least privilege on /v2/ ----------------------------------------------------------------------------------------
def test_pull_robot_pulls_and_cannot_push(run_play, harbor):
    harbor.need_emulator()
    make_project(harbor)
    image = oci.image("app", "1")
    DistributionClient(harbor.url, auth=harbor.auth).push(TEAM + "/app", "1", image)
    assert run_play([task("robot", **puller())]).rc == 0
    client = DistributionClient(harbor.url, auth=(NODES, SECRET))
    resp = client.request("GET", "/v2/%s/app/manifests/1" % TEAM, scope="repository:%s/app:pull" % TEAM)
    assert (resp.status_code, resp.headers["Docker-Content-Digest"]) == (200, image.digest)
    with pytest.raises(DistributionError) as refused:
        client.push(TEAM + "/app", "2", oci.image("app", "2"))
    assert refused.value.status == 401


# -- callers, prefix, list form -------------------------------------------------------------------------------------
def test_system_robot_as_the_caller_creates_robots(run_play, harbor):
    harbor.need_emulator()
    make_project(harbor)
    automation = Target(harbor.url, "robot$automation", "Robot12345", emulator=harbor.emulator)
    ci = dict(name=CI, permissions=[{"kind": "system", "access": {"registry": ["list"]}}])
    play = run_play([task("robot", **puller(secret=None)), task("ci", **ci)], target=automation)
    assert play.rc == 0, play.output
    assert robot(harbor, NODES, TEAM)["creator_type"] == "robot"
    # a robot's permission "project update" on every project (*) covers the project's robots too (keyMatch2), but no
    # permission lets a robot update a system robot: setting its secret is refused
    assert run_play([task("secret", **puller(update_password="always"))], target=automation).rc == 0
    play = run_play([task("secret", **dict(ci, secret=SECRET, update_password="always"))], target=automation)
    assert play.rc != 0
    assert "is not allowed to do this" in play.result("secret")["msg"]


def test_custom_robot_name_prefix(run_play, emulator_factory):
    target = emulator_factory(robot_prefix="svc@")
    make_project(target)
    play = run_play([task("robot", **puller()), task("ci", name=CI, permissions=[{"namespace": "*", "access": {"repository": ["pull"]}}]),
                     task("info", INFO)], target=target)
    assert play.rc == 0, play.output
    assert play.result("robot")["robot"]["name"] == "svc@%s+nodes" % TEAM
    info = play.result("info")
    assert info["robot_name_prefix"] == "svc@"
    assert [(r["name"], r["full_name"]) for r in info["robots"]] == [("automation", "svc@automation"), (CI, "svc@" + CI),
                                                                     ("nodes", "svc@%s+nodes" % TEAM)]
    target.clear_log()
    again = run_play([task("robot", **puller(update_password="always"))], target=target)
    assert again.result("robot")["changed"] is False and writes(target) == []


def test_list_form_same_name_in_two_projects(run_play, harbor):
    make_project(harbor, TEAM)
    make_project(harbor, OTHER)
    items = [puller(), puller(project=OTHER), dict(name=CI, permissions=[{"kind": "system", "access": {"registry": ["list"]}}])]
    play = run_play([task("many", robots=items)], diff=True)
    assert play.rc == 0, play.output
    assert [r["robot"]["name"] for r in play.result("many")["results"]] == [NODES, "robot$%s+nodes" % OTHER, "robot$" + CI]
    assert [d["before_header"] for d in play.result("many")["diff"]] == ["robots[0] nodes", "robots[1] nodes", "robots[2] " + CI]
    harbor.clear_log()
    again = run_play([task("many", robots=[dict(i, update_password="always") if i.get("secret") else i for i in items])])
    assert again.result("many")["changed"] is False and writes(harbor) == []
    twice = run_play([task("twice", robots=[puller(), puller()])])
    assert "robots[1].name: 'nodes' is also element 0 of robots" in twice.result("twice")["msg"]
    bad = run_play([task("bad", robots=[puller(), dict(puller(project=OTHER), secret="weak")])])
    assert bad.result("bad")["msg"].startswith("robots[1].secret:")


# -- info -------------------------------------------------------------------------------------------------------------
def test_info_lists_system_and_project_robots(run_play, harbor):
    make_project(harbor)
    ci = dict(name=CI, duration=5, permissions=[{"kind": "system", "access": {"registry": ["list"]}}])
    assert run_play([task("robot", **puller()), task("ci", **ci)]).rc == 0
    play = run_play([task("all", INFO), task("team", INFO, project=TEAM), task("one", INFO, name=CI),
                     task("query", INFO, query="[?level=='project'].full_name")])
    assert play.rc == 0, play.output
    everything = play.result("all")["robots"]
    ours = [r for r in everything if is_test_name(r["full_name"])]          # a shared Harbor may have more robots
    assert [r["full_name"] for r in ours] == ["robot$" + CI, NODES]
    nodes = ours[-1]
    assert (nodes["project"], nodes["level"], nodes["duration"], nodes["disabled"]) == (TEAM, "project", -1, False)
    assert nodes["permissions"] == [{"kind": "project", "namespace": TEAM, "access": {"repository": ["pull"]}}]
    assert "secret" not in nodes
    assert [r["full_name"] for r in play.result("team")["robots"]] == [NODES]
    assert [(r["name"], r["duration"]) for r in play.result("one")["robots"]] == [(CI, 5)]
    assert [name for name in play.result("query")["robots"] if is_test_name(name)] == [NODES]
    assert play.result("all")["robot_name_prefix"] == "robot$"


def test_info_of_a_missing_project_fails_clearly(run_play, harbor):
    play = run_play([task("none", INFO, project="nothere")])
    assert play.rc != 0 and "project: no project named 'nothere'" in play.result("none")["msg"]
