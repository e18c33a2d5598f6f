"""harbor_replication_execution with ansible-playbook: start and wait, failures, timeouts, stop, idempotency.

The connected emulator replicates to the disconnected one (scenario B); the emulator's replication controls make
tasks fail, hang, or report a transient Failed first (Harbor issue #14986).
"""
import pytest

from tests.integration.test_harbor_replication_rule import AC_RULE, APPCO, DISCONNECTED, add_endpoints, api, failed, policy, rule_task
from tests.support.names import unique

EXECUTION = "registryops.harbor.harbor_replication_execution"
RULE = "registryops.harbor.harbor_replication_rule"
RULE_NAME, LIBRARY, CONTAINERS = unique("to-disconnected"), unique("library"), unique("containers")

PUSH = dict(name=RULE_NAME, mode="push", registry=DISCONNECTED, filters={"name": LIBRARY + "/**"}, trigger="manual")


@pytest.fixture
def pair(harbor_pair):
    connected, disconnected = harbor_pair
    add_endpoints(connected, disconnected)
    connected.replication(task_seconds=0.05)
    return connected, disconnected


@pytest.fixture
def connected(pair):
    return pair[0]


def run_task(name, args):
    return {"name": name, EXECUTION: dict({"wait_sleep": 0.2}, **args)}


def create_rule(run_play, target, rule=None):
    play = run_play([rule_task("rule", rule or PUSH, module=RULE)], target=target)
    assert play.rc == 0, play.output
    return policy(target, (rule or PUSH)["name"])


def executions_of(target, rule_id):
    return api(target, "GET", "/replication/executions", params={"policy_id": rule_id})


@pytest.mark.core_matrix
def test_start_waits_until_succeed_and_the_artifacts_arrive(run_play, pair):
    connected, disconnected = pair
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25", "1.26"])
    connected.seed(project=LIBRARY, repository="redis", tags=["7.2"])
    create_rule(run_play, connected)

    play = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected, verbosity=3)
    assert play.rc == 0, play.output
    assert connected.password not in play.output
    result = play.result("replicate")
    assert result["changed"] is True
    execution = result["execution"]
    assert execution["status"] == "Succeed"
    assert execution["trigger"] == "manual"
    assert (execution["total"], execution["succeed"], execution["failed"]) == (2, 2, 0)   # one task per repository
    assert execution["duration"] is not None and execution["end_time"]
    assert execution["failed_tasks"] == []

    repositories = {r["name"] for r in api(disconnected, "GET", "/projects/%s/repositories" % LIBRARY)}
    assert {LIBRARY + "/nginx", LIBRARY + "/redis"} <= repositories
    tags = {t["name"] for a in api(disconnected, "GET", "/projects/%s/repositories/nginx/artifacts" % LIBRARY, params={"with_tag": "true"})
            for t in a.get("tags") or []}
    assert {"1.25", "1.26"} <= tags


def test_rerun_without_force_changes_nothing(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    rule = create_rule(run_play, connected)
    first = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected)
    first_id = first.result("replicate")["execution"]["id"]

    connected.clear_log()
    check = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected, check=True)
    assert check.result("replicate")["changed"] is False
    again = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected)
    assert again.rc == 0, again.output
    assert again.result("replicate")["changed"] is False
    assert again.result("replicate")["execution"]["id"] == first_id
    assert "already succeeded" in again.result("replicate")["msg"]
    assert connected.writes() == []
    assert len(executions_of(connected, rule["id"])) == 1

    forced = run_play([run_task("replicate", {"rule": RULE_NAME, "force": True})], target=connected)
    assert forced.result("replicate")["changed"] is True
    assert forced.result("replicate")["execution"]["id"] != first_id
    assert len(executions_of(connected, rule["id"])) == 2


def test_a_rule_change_makes_the_next_run_start(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    create_rule(run_play, connected)
    run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected)
    run_play([rule_task("change", {"name": RULE_NAME, "dest_namespace": unique("mirror")}, module=RULE)], target=connected)
    again = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected)
    assert again.result("replicate")["changed"] is True


def test_check_mode_says_it_would_start_and_starts_nothing(run_play, connected):
    rule = create_rule(run_play, connected)
    connected.clear_log()
    play = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected, check=True)
    assert play.rc == 0, play.output
    result = play.result("replicate")
    assert result["changed"] is True
    assert result["execution"] is None
    assert "would start" in result["msg"]
    assert connected.writes() == []
    assert executions_of(connected, rule["id"]) == []


@pytest.mark.emulator_only("the emulator's replication control fails chosen tasks")
def test_failed_tasks_are_summarised_with_their_log(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    connected.seed(project=LIBRARY, repository="bad-image", tags=["1.0", "2.0"])
    connected.replication(task_seconds=0.05, fail={"pattern": LIBRARY + "/bad*", "log": "pull failed: unauthorized: authentication required"})
    create_rule(run_play, connected)

    play = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected)
    result = play.result("replicate")
    assert failed(result)
    assert result["changed"] is True
    assert "ended Failed: 1 of 2 tasks failed: %s/bad-image [2 item(s) in total] → %s/bad-image" % (LIBRARY, LIBRARY) in result["msg"]
    assert "unauthorized: authentication required" in result["msg"]
    assert " → " in result["msg"]
    execution = result["execution"]
    assert (execution["status"], execution["failed"], execution["succeed"]) == ("Failed", 1, 1)
    assert len(execution["failed_tasks"]) == 1
    task = execution["failed_tasks"][0]
    assert task["src_resource"].startswith(LIBRARY + "/bad-image")
    assert task["resource_type"]
    assert "unauthorized" in task["log_excerpt"]

    lenient = run_play([run_task("replicate", {"rule": RULE_NAME, "force": True, "fail_on_error": False})], target=connected)
    assert lenient.rc == 0, lenient.output
    assert lenient.result("replicate")["execution"]["status"] == "Failed"
    assert "1 of 2 tasks failed" in lenient.result("replicate")["msg"]


@pytest.mark.emulator_only("the emulator's replication control reports a transient Failed")
def test_transient_failed_is_reported_as_succeed(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    connected.replication(task_seconds=0.05, transient_failed=True)
    create_rule(run_play, connected)
    play = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected)
    assert play.rc == 0, play.output
    assert play.result("replicate")["execution"]["status"] == "Succeed"
    assert play.result("replicate")["execution"]["failed"] == 0


@pytest.mark.emulator_only("the emulator's replication control hangs a task")
def test_timeout_leaves_it_running_then_stop(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    connected.replication(task_seconds=0.05, hang=LIBRARY + "/nginx*")
    rule = create_rule(run_play, connected)

    play = run_play([run_task("replicate", {"rule": RULE_NAME, "wait_timeout": 2})], target=connected)
    result = play.result("replicate")
    assert failed(result)
    execution_id = result["execution"]["id"]
    assert "execution %s of replication rule %s did not finish within 2 seconds" % (execution_id, RULE_NAME) in result["msg"]
    assert "1 tasks: 0 succeeded, 0 failed, 1 in progress" in result["msg"]
    assert "still running" in result["msg"]
    assert api(connected, "GET", "/replication/executions/%s" % execution_id)["status"] == "InProgress"
    assert [w for w in connected.writes() if w["path"].startswith("/api/v2.0/replication/executions/")] == []

    # A re-run without force follows the running execution rather than starting a second one.
    follow = run_play([run_task("replicate", {"rule": RULE_NAME, "wait": False})], target=connected)
    assert follow.result("replicate")["changed"] is False
    assert follow.result("replicate")["execution"]["id"] == execution_id

    check = run_play([run_task("stop", {"rule": RULE_NAME, "state": "stopped"})], target=connected, check=True)
    assert check.result("stop")["changed"] is True
    assert api(connected, "GET", "/replication/executions/%s" % execution_id)["status"] == "InProgress"

    stop = run_play([run_task("stop", {"rule": RULE_NAME, "state": "stopped"})], target=connected)
    assert stop.rc == 0, stop.output
    assert stop.result("stop")["changed"] is True
    assert [e["status"] for e in stop.result("stop")["executions"]] == ["Stopped"]
    assert api(connected, "GET", "/replication/executions/%s" % execution_id)["status"] == "Stopped"

    connected.clear_log()
    again = run_play([run_task("stop", {"rule": RULE_NAME, "state": "stopped"})], target=connected)
    assert again.result("stop")["changed"] is False
    assert connected.writes() == []
    assert len(executions_of(connected, rule["id"])) == 1


@pytest.mark.emulator_only("the emulator's replication control hangs a task")
def test_force_follows_a_running_execution_one_execution_at_a_time(run_play, connected):
    """force=true starts again after a success, but never beside a running execution of the rule."""
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    connected.replication(task_seconds=0.05, hang=LIBRARY + "/nginx*")
    rule = create_rule(run_play, connected)
    first = run_play([run_task("replicate", {"rule": RULE_NAME, "wait": False})], target=connected).result("replicate")
    connected.clear_log()
    forced = run_play([run_task("replicate", {"rule": RULE_NAME, "force": True, "wait": False})], target=connected)
    assert forced.result("replicate")["changed"] is False
    assert forced.result("replicate")["execution"]["id"] == first["execution"]["id"]
    assert "execution %s was already running" % first["execution"]["id"] in forced.result("replicate")["msg"]
    assert connected.writes() == []
    assert len(executions_of(connected, rule["id"])) == 1


def test_since_counts_an_execution_that_another_run_started_after_it(run_play, connected):
    """since: the time a caller decided to replicate (the replication role: when its comparison began). An execution of
    the rule started since then covers what the caller found missing: reported, nothing started; one started before it
    does not count."""
    from datetime import datetime, timedelta, timezone

    def iso(moment):
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    rule = create_rule(run_play, connected)
    decided = iso(datetime.now(timezone.utc) - timedelta(seconds=1))
    first = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected).result("replicate")
    assert first["execution"]["status"] == "Succeed"
    connected.clear_log()
    covered = run_play([run_task("replicate", {"rule": RULE_NAME, "since": decided})], target=connected).result("replicate")
    assert covered["changed"] is False and covered["execution"]["id"] == first["execution"]["id"]
    assert ("replication rule %s already succeeded with execution %s, its latest since %s (since)"
            % (RULE_NAME, first["execution"]["id"], decided)) in covered["msg"]
    assert connected.writes() == []
    later = run_play([run_task("replicate", {"rule": RULE_NAME, "since": iso(datetime.now(timezone.utc))})],
                     target=connected).result("replicate")
    assert later["changed"] is True and later["execution"]["id"] != first["execution"]["id"]
    assert len(executions_of(connected, rule["id"])) == 2
    bad = run_play([run_task("replicate", {"rule": RULE_NAME, "since": "yesterday"})], target=connected).result("replicate")
    assert failed(bad) and "since: expected a time in ISO 8601 with a zone" in bad["msg"]


@pytest.mark.emulator_only("the emulator's barrier fault holds two starts until both arrived")
def test_two_starts_at_the_same_moment_end_with_one_execution(run_play, connected):
    """Both runs read "nothing running" and both POST (the emulator's barrier holds the two starts until both arrived):
    right after its start each run sees the other's execution; the one whose execution is newer stops it at once, and
    both follow the older one."""
    import threading

    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    rule = create_rule(run_play, connected)
    connected.replication(task_seconds=2)
    connected.fault(method="POST", path="/api/v2.0/replication/executions", barrier=2, barrier_timeout=60)
    plays = [None, None]

    def one(index):
        plays[index] = run_play([run_task("replicate", {"rule": RULE_NAME, "force": True})], target=connected)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    results = [play.result("replicate") for play in plays]
    for play in plays:
        assert play.rc == 0, play.output[-3000:]
    found = sorted(executions_of(connected, rule["id"]), key=lambda e: e["id"])
    assert [e["status"] for e in found] == ["Succeed", "Stopped"], found           # both POSTs went through
    assert [r["execution"]["id"] for r in results] == [found[0]["id"]] * 2         # both runs followed the older one
    assert [r["execution"]["status"] for r in results] == ["Succeed"] * 2
    loser = [r for r in results if "was started by another run at the same moment" in r["msg"]]
    assert len(loser) == 1 and "this run's execution %s was stopped at once" % found[1]["id"] in loser[0]["msg"]


@pytest.mark.emulator_only("the emulator's replication control hangs a task")
def test_stop_on_timeout(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    connected.replication(task_seconds=0.05, hang=LIBRARY + "/nginx*")
    create_rule(run_play, connected)
    connected.clear_log()
    play = run_play([run_task("replicate", {"rule": RULE_NAME, "wait_timeout": 1, "stop_on_timeout": True})], target=connected)
    result = play.result("replicate")
    assert failed(result)
    assert "it was asked to stop" in result["msg"]
    execution_id = result["execution"]["id"]
    stops = [w for w in connected.writes() if w["method"] == "PUT"]
    assert [w["path"] for w in stops] == ["/api/v2.0/replication/executions/%s" % execution_id]
    execution = api(connected, "GET", "/replication/executions/%s" % execution_id)
    assert execution["status"] in ("InProgress", "Stopped")


@pytest.mark.emulator_only("the emulator's replication control hangs a task")
def test_delete_a_running_rule(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    connected.replication(task_seconds=0.05, hang=LIBRARY + "/nginx*")
    create_rule(run_play, connected)
    run_play([run_task("replicate", {"rule": RULE_NAME, "wait": False})], target=connected)

    refused = run_play([rule_task("delete", {"name": RULE_NAME, "state": "absent"}, module=RULE)], target=connected)
    assert failed(refused.result("delete"))
    assert "has an execution in progress" in refused.result("delete")["msg"]
    assert "stop_running=true" in refused.result("delete")["msg"]
    assert policy(connected, RULE_NAME) is not None

    deleted = run_play([rule_task("delete", {"name": RULE_NAME, "state": "absent", "stop_running": True}, module=RULE)],
                       target=connected)
    assert deleted.rc == 0, deleted.output
    assert deleted.result("delete")["changed"] is True
    assert policy(connected, RULE_NAME) is None


def test_disabled_rule_is_explained(run_play, connected):
    create_rule(run_play, connected, dict(PUSH, enabled=False))
    connected.clear_log()
    play = run_play([run_task("replicate", {"rule": RULE_NAME})], target=connected)
    result = play.result("replicate")
    assert failed(result)
    assert "replication rule %s is disabled" % RULE_NAME in result["msg"]
    assert connected.writes() == []


def test_unknown_rule_lists_the_existing_ones(run_play, connected):
    create_rule(run_play, connected)
    play = run_play([run_task("replicate", {"rule": unique("nope")})], target=connected)
    msg = play.result("replicate")["msg"]
    assert "rule: no replication rule named '%s'; existing rules: " % unique("nope") in msg
    if connected.emulator is not None:
        assert RULE_NAME in msg
    else:                           # a shared Harbor has others: the first ten names in order, then how many more
        listed = msg.split("existing rules: ", 1)[1].split(" and ")[0].split(", ")
        assert listed == sorted(listed) and 1 <= len(listed) <= 10, msg


def test_bad_wait_options_are_rejected_before_any_request(run_play, connected):
    connected.clear_log()
    play = run_play([run_task("replicate", {"rule": RULE_NAME, "wait_sleep": 0})], target=connected)
    assert "wait_sleep: must be a number of seconds greater than 0" in play.result("replicate")["msg"]
    assert connected.requests_log() == []


def test_pull_from_application_collection(run_play, pair):
    """Scenario D: the disconnected emulator plays dp.apps.rancher.io; the pull lands under application-collection/."""
    connected, upstream = pair
    upstream.seed(project=CONTAINERS, repository="etcd", tags=["3.5.14-7.7"])
    api(connected, "POST", "/projects", json={"project_name": APPCO, "metadata": {"public": "false"}})
    # a name without wildcards: a docker-registry endpoint on a Harbor cannot list its catalog (Harbor refuses tokens
    # there, tests/emulator_fidelity/test_replication_execution.py), so only named repositories are pulled from it
    create_rule(run_play, connected, dict(AC_RULE, filters={"name": CONTAINERS + "/etcd", "tag": "**"}))
    play = run_play([run_task("pull", {"rule": APPCO})], target=connected)
    assert play.rc == 0, play.output
    assert play.result("pull")["execution"]["status"] == "Succeed"
    repositories = {r["name"] for r in api(connected, "GET", "/projects/%s/repositories" % APPCO)}
    assert APPCO + "/" + CONTAINERS + "/etcd" in repositories


def test_check_mode_plans_a_fresh_set_up(run_play, pair):
    """Issue 10, defect 4: in --check, the endpoint and the rule that earlier tasks would create are predicted, not
    missing: the run completes with warnings and writes nothing."""
    connected, disconnected = pair
    tasks = [
        {"name": "endpoint", "registryops.harbor.harbor_registry": {
            "name": unique("new-target"), "provider": "harbor", "url": disconnected.url, "access_key": disconnected.username,
            "access_secret": disconnected.password}},
        rule_task("rule", dict(PUSH, name=unique("fresh-rule"), registry=unique("new-target")), module=RULE),
        run_task("start", {"rule": unique("fresh-rule")}),
    ]
    connected.clear_log()
    play = run_play(tasks, target=connected, check=True)
    assert play.rc == 0, play.output
    assert [play.result(t)["changed"] for t in ("endpoint", "rule", "start")] == [True, True, True]
    assert "no registry endpoint named '%s' exists yet" % unique("new-target") in play.output
    assert "no replication rule named '%s' exists yet" % unique("fresh-rule") in play.output
    assert connected.writes() == []


# -- issue 10, defect 7 ---------------------------------------------------------------------------------------------
@pytest.mark.emulator_only("the emulator's replication control and state")
def test_a_transient_failed_read_before_starting_does_not_start_another(run_play, connected):
    """The start check confirms a Failed state too (Harbor issue #14986), instead of starting a second run."""
    import time

    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    rule = create_rule(run_play, connected)
    connected.replication(task_seconds=0.05, transient_failed=True)
    first = run_play([run_task("start", {"rule": RULE_NAME, "wait": False})], target=connected)
    assert first.rc == 0, first.output
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and connected.emulator is not None:
        with connected.emulator.state.lock:
            if all(t["status"] in ("Succeed", "Failed") for t in connected.emulator.state.tasks.values()) \
                    and connected.emulator.state.tasks:
                break
        time.sleep(0.05)
    again = run_play([run_task("start", {"rule": RULE_NAME})], target=connected)
    assert again.rc == 0, again.output
    assert again.result("start")["changed"] is False
    assert len(executions_of(connected, rule["id"])) == 1


@pytest.mark.emulator_only("the emulator's replication control fails chosen tasks")
def test_a_failed_run_after_a_success_is_not_already_succeeded(run_play, connected):
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    rule = create_rule(run_play, connected)
    assert run_play([run_task("ok", {"rule": RULE_NAME})], target=connected).rc == 0
    connected.replication(task_seconds=0.05, fail={"pattern": LIBRARY + "/*", "log": "denied"})
    bad = run_play([run_task("bad", {"rule": RULE_NAME, "force": True, "fail_on_error": False})], target=connected)
    assert bad.result("bad")["execution"]["status"] == "Failed"
    connected.replication(task_seconds=0.05)
    again = run_play([run_task("again", {"rule": RULE_NAME})], target=connected)
    assert again.rc == 0, again.output
    assert again.result("again")["changed"] is True
    assert again.result("again")["execution"]["status"] == "Succeed"
    assert len(executions_of(connected, rule["id"])) == 3


@pytest.mark.emulator_only("a delay fault on the start")
def test_a_start_whose_answer_is_lost_says_it_may_have_started(run_play, connected):
    import time

    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    rule = create_rule(run_play, connected)
    connected.fault(method="POST", path="/api/v2.0/replication/executions", delay=3, count=1)
    play = run_play([run_task("start", {"rule": RULE_NAME, "request_timeout": 1})], target=connected)
    assert play.rc != 0
    msg = play.result("start")["msg"]
    assert "Harbor may still have started one" in msg and "re-running the task looks" in msg, msg
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not executions_of(connected, rule["id"]):
        time.sleep(0.1)
    time.sleep(1)
    again = run_play([run_task("start", {"rule": RULE_NAME})], target=connected)
    assert again.rc == 0, again.output
    assert len(executions_of(connected, rule["id"])) == 1          # followed or found done, not started twice


@pytest.mark.emulator_only("delay faults on the polls and a hanging task")
def test_wait_timeout_bounds_a_slow_poll(run_play, connected):
    """Defect 10: a poll that Harbor answers slowly does not stretch wait_timeout (2 s took 11 s before)."""
    connected.seed(project=LIBRARY, repository="nginx", tags=["1.25"])
    create_rule(run_play, connected)
    connected.replication(task_seconds=0.05, hang=LIBRARY + "/*")
    # every poll is answered after request_timeout (30 s): before the fix the task failed on that, after waiting it out
    connected.fault(method="GET", path="/api/v2.0/replication/executions/*", delay=45, count=2)
    play = run_play([run_task("start", {"rule": RULE_NAME, "wait_timeout": 2, "stop_on_timeout": False})],
                    target=connected)
    assert play.rc != 0
    msg = play.result("start")["msg"]
    assert "did not finish within 2 seconds" in msg and "no answer from Harbor" not in msg, msg
    connected.clear_faults()
