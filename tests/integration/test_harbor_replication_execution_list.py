"""harbor_replication_execution with ``rules:`` (issue 11): several rules in one module run, with ansible-playbook
against two emulators (the connected Harbor pushes to the disconnected one).

Every execution is started first and then all are waited for together (the request log shows every start before the
first status read, and the reads of the executions interleaved); per-rule results in the order given; check mode per
element; every element checked before the first write; a failure names the rules that failed and those done.
"""
import re
import threading
import time

import pytest

from tests.integration.test_harbor_replication_execution import EXECUTION, LIBRARY, PUSH, RULE, executions_of
from tests.integration.test_harbor_replication_rule import add_endpoints, api, failed, policy
from tests.support.names import unique

NGINX, REDIS, BAD, LATER, OFF, MISSING = (unique(n) for n in ("nginx", "redis", "bad", "later", "off", "missing"))

RULES = [dict(PUSH, name=NGINX, filters={"name": LIBRARY + "/nginx"}),
         dict(PUSH, name=REDIS, filters={"name": LIBRARY + "/redis"}),
         dict(PUSH, name=BAD, filters={"name": LIBRARY + "/bad-image"})]


@pytest.fixture
def connected(harbor_pair):
    connected, disconnected = harbor_pair
    add_endpoints(connected, disconnected)
    connected.replication(task_seconds=0.2)
    for repository in ("nginx", "redis", "bad-image"):
        connected.seed(project=LIBRARY, repository=repository, tags=["1.0"])
    return connected


def create_rules(run_play, target, rules):
    play = run_play([{"name": "rules", RULE: {"rules": rules}}], target=target)
    assert play.rc == 0, play.output


def run_rules(run_play, target, rules, check=False, **call):
    play = run_play([{"name": "run", EXECUTION: dict({"wait_sleep": 0.2, "rules": rules}, **call)}], target=target, check=check)
    return play, play.result("run")


def polls(target):
    """``(method, execution id)`` of every start (POST) and status read (GET .../executions/<id>), in order."""
    seen = []
    for entry in target.requests_log():
        path = entry["path"]
        if entry["method"] == "POST" and path == "/api/v2.0/replication/executions":
            seen.append(("POST", None))
        elif entry["method"] == "GET" and path.startswith("/api/v2.0/replication/executions/") and path.count("/") == 5:
            seen.append(("GET", int(path.rsplit("/", 1)[1])))
    return seen


@pytest.mark.core_matrix
def test_rules_are_started_first_then_waited_for_together(run_play, connected):
    create_rules(run_play, connected, RULES[:2])
    connected.clear_log()
    play, result = run_rules(run_play, connected, [{"rule": REDIS}, {"rule": NGINX}])
    assert play.rc == 0, play.output
    assert result["changed"] is True
    outcome = [(r["name"], r["changed"], r["execution"]["status"]) for r in result["results"]]
    assert outcome == [(REDIS, True, "Succeed"), (NGINX, True, "Succeed")]
    seen = polls(connected)
    starts = [i for i, (method, _) in enumerate(seen) if method == "POST"]
    reads = [(i, execution) for i, (method, execution) in enumerate(seen) if method == "GET"]
    assert len(starts) == 2 and starts[-1] < reads[0][0], seen          # both started before the first status read
    ids = [r["execution"]["id"] for r in result["results"]]
    first_of, last_of = dict((e, min(i for i, x in reads if x == e)) for e in ids), dict((e, max(i for i, x in reads if x == e)) for e in ids)
    assert first_of[ids[1]] < last_of[ids[0]] and first_of[ids[0]] < last_of[ids[1]], seen   # the reads interleave
    paths = [e["path"] for e in connected.requests_log() if e["method"] == "GET"]
    assert paths.count("/api/v2.0/systeminfo") <= 1 and paths.count("/api/v2.0/replication/policies") == 1

    connected.clear_log()
    again, result = run_rules(run_play, connected, [{"rule": REDIS}, {"name": NGINX}])
    assert again.rc == 0 and again.changed == 0, again.output
    assert [(r["name"], r["changed"]) for r in result["results"]] == [(REDIS, False), (NGINX, False)]
    assert all("already succeeded" in r["msg"] for r in result["results"])
    assert connected.writes() == []


def test_check_mode_is_per_element_and_waits_for_nothing(run_play, connected):
    create_rules(run_play, connected, RULES[:2])
    assert run_rules(run_play, connected, [{"rule": NGINX}])[0].rc == 0
    connected.clear_log()
    play, result = run_rules(run_play, connected, [{"rule": NGINX}, {"rule": REDIS}, {"rule": LATER},
                                                   {"rule": BAD, "state": "stopped"}],
                             check=True)
    assert play.rc == 0, play.output
    assert [(r["name"], r["changed"]) for r in result["results"]] == [(NGINX, False), (REDIS, True), (LATER, True), (BAD, False)]
    assert result["results"][1]["execution"] is None and "would start" in result["results"][1]["msg"]
    assert "no replication rule named '%s' exists yet" % LATER in " ".join(play.output.split())
    assert result["results"][3]["executions"] == []
    assert connected.writes() == []


@pytest.mark.emulator_only("the emulator's replication control fails chosen tasks")
def test_a_failed_rule_is_named_with_the_rules_done(run_play, connected):
    connected.replication(task_seconds=0.2, fail={"pattern": LIBRARY + "/bad*", "log": "pull failed: unauthorized"})
    create_rules(run_play, connected, RULES)
    play, result = run_rules(run_play, connected, [{"rule": NGINX}, {"rule": BAD}, {"rule": REDIS}])
    assert play.rc != 0 and failed(result)
    assert result["changed"] is True
    msg = result["msg"]
    assert msg.startswith("1 of 3 rules failed: rules[1] (rule %s): execution " % BAD), msg
    assert "ended Failed: 1 of 1 tasks failed: %s/bad-image" % LIBRARY in msg and "unauthorized" in msg
    assert msg.endswith("Done: %s (changed), %s (failed), %s (changed)." % (NGINX, BAD, REDIS)), msg
    states = [(r["name"], r["failed"], r["execution"]["status"]) for r in result["results"]]
    assert states == [(NGINX, False, "Succeed"), (BAD, True, "Failed"), (REDIS, False, "Succeed")]

    lenient, result = run_rules(run_play, connected, [{"rule": BAD, "force": True, "fail_on_error": False}, {"rule": NGINX}])
    assert lenient.rc == 0, lenient.output
    outcome = [(r["name"], r["changed"], r["execution"]["status"]) for r in result["results"]]
    assert outcome == [(BAD, True, "Failed"), (NGINX, False, "Succeed")]


@pytest.mark.parametrize("rules, message", [
    ([{"rule": NGINX}, {"rule": MISSING}], "rules[1].rule: no replication rule named '%s'; existing rules: " % MISSING),
    ([{"rule": NGINX}, {"rule": OFF}], "rules[1] (name %s): replication rule %s is disabled" % (OFF, OFF)),
    ([{"rule": NGINX}, {"rule": NGINX, "state": "stopped"}], "rules[1].rule: '%s' is also element 0 of rules" % NGINX),
], ids=["missing", "disabled", "twice"])        # no unique name in an id: xdist workers (each its own suffix) must agree
def test_every_element_is_checked_before_any_write(run_play, connected, rules, message):
    create_rules(run_play, connected, [RULES[0], dict(RULES[1], name=OFF, enabled=False)])
    connected.clear_log()
    play, result = run_rules(run_play, connected, rules)
    assert play.rc != 0
    assert message in result["msg"], result["msg"]
    assert connected.writes() == []


@pytest.mark.emulator_only("the emulator's replication control hangs a task")
def test_timeout_and_stop_of_a_list(run_play, connected):
    """One wait_timeout for the call: the hung rule times out, the other one is reported done; then both are stopped in
    one call and the single form cannot be mixed with the list."""
    connected.replication(task_seconds=0.2, hang=LIBRARY + "/redis*")
    create_rules(run_play, connected, RULES[:2])
    play, result = run_rules(run_play, connected, [{"rule": NGINX}, {"rule": REDIS}], wait_timeout=3)
    assert play.rc != 0
    assert result["msg"].startswith("1 of 2 rules failed: rules[1] (rule %s): execution " % REDIS), result["msg"]
    assert "did not finish within 3 seconds" in result["msg"]
    assert [(r["name"], r["execution"]["status"]) for r in result["results"]] == [(NGINX, "Succeed"), (REDIS, "InProgress")]
    hung = result["results"][1]["execution"]["id"]

    play, result = run_rules(run_play, connected, [{"rule": REDIS, "state": "stopped"}, {"rule": NGINX, "state": "stopped"}])
    assert play.rc == 0, play.output
    outcome = [(r["name"], r["changed"], [e["id"] for e in r["executions"]]) for r in result["results"]]
    assert outcome == [(REDIS, True, [hung]), (NGINX, False, [])]
    assert result["results"][0]["executions"][0]["status"] == "Stopped"
    assert len(executions_of(connected, policy(connected, REDIS)["id"])) == 1

    both = run_play([{"name": "both", EXECUTION: {"rule": NGINX, "rules": [{"rule": REDIS}]}}], target=connected)
    assert both.rc != 0 and "mutually exclusive" in both.result("both")["msg"]
    assert api(connected, "GET", "/replication/executions/%s" % hung)["status"] == "Stopped"


def test_a_rule_deleted_while_waited_for_is_named_and_the_other_results_are_kept(run_play, connected):
    """Issue 20: a rule deleted by someone else while its execution was waited for failed the call with "GET
    .../executions/1 failed with HTTP 404", naming neither rule nor element, and the other rules' results were lost.
    Harbor deletes a rule's executions with it (src/controller/replication/policy.go); here the emulator does the same
    to a rule whose execution hangs, once the module is waiting."""
    connected.need_emulator()
    from tests.harbor_emulator.replication import flow
    connected.replication(task_seconds=0.2, hang=LIBRARY + "/redis*")
    create_rules(run_play, connected, RULES[:2])
    redis_id = policy(connected, REDIS)["id"]

    def delete_redis_once_it_runs():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not executions_of(connected, redis_id):
            time.sleep(0.1)
        time.sleep(1.0)
        st = connected.emulator.state
        with st.lock:
            flow.delete_executions(st, redis_id)
            del st.policies[redis_id]

    deleter = threading.Thread(target=delete_redis_once_it_runs)
    deleter.start()
    try:
        play, result = run_rules(run_play, connected, [{"rule": NGINX}, {"rule": REDIS}], wait_timeout=120)
    finally:
        deleter.join()
    assert play.rc != 0
    msg = result["msg"]
    assert msg.startswith("1 of 2 rules failed: rules[1] (rule %s): execution " % REDIS), msg
    assert "is gone" in msg and "deleted by someone else" in msg and msg.endswith("Done: %s (changed), %s (failed)." % (NGINX, REDIS)), msg
    assert [(r["name"], r["failed"], r["execution"]["status"]) for r in result["results"]] == [
        (NGINX, False, "Succeed"), (REDIS, True, "Gone")]


def test_an_unknown_rule_lists_ten_existing_rules_and_how_many_more(run_play, connected):
    """Issue 20: "no replication rule named 'nope'; existing rules: ..." listed all of them (1,000 on a big Harbor)."""
    names = [unique("0-r%02d" % i) for i in range(12)]       # "0-": first in order, also on a shared Harbor with other rules
    create_rules(run_play, connected, [dict(PUSH, name=name, filters={"name": "library/nginx"}) for name in names])
    play, result = run_rules(run_play, connected, [{"rule": "nope"}])
    assert play.rc != 0
    assert "no replication rule named 'nope'; existing rules: %s and " % ", ".join(names[:10]) in result["msg"], result["msg"]
    more = int(re.search(r" and (\d+) more", result["msg"]).group(1))
    assert more == 2 if connected.emulator is not None else more >= 2, result["msg"]


def test_an_empty_rule_name_is_refused_before_any_request(run_play, connected):
    """Issue 20: ``rule: ""`` reached Harbor as a bad query."""
    connected.clear_log()
    play, result = run_rules(run_play, connected, [{"rule": "nginx"}, {"rule": ""}])
    assert play.rc != 0
    assert result["msg"].startswith("rules[1].rule: the name of a replication rule must not be empty or blank"), result["msg"]
    assert [e for e in connected.requests_log() if "/api/" in e["path"]] == []
