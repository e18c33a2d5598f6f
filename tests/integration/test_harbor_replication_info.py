"""harbor_replication_rule_info and harbor_replication_execution_info with ansible-playbook."""
import pytest

from tests.integration.test_harbor_replication_rule import AC_RULE, APPCO, DISCONNECTED, PUSH_RULE, add_endpoints, rule_task
from tests.support.names import SUFFIX, ours, unique

RULE = "registryops.harbor.harbor_replication_rule"
RULE_INFO = "registryops.harbor.harbor_replication_rule_info"
EXECUTION = "registryops.harbor.harbor_replication_execution"
EXECUTION_INFO = "registryops.harbor.harbor_replication_execution_info"
RULE_NAME = PUSH_RULE["name"]


@pytest.fixture
def connected(harbor_pair, run_play):
    connected, disconnected = harbor_pair
    add_endpoints(connected, disconnected)
    connected.replication(task_seconds=0.05)
    play = run_play([rule_task("push", PUSH_RULE), rule_task("pull", AC_RULE)], target=connected)
    assert play.rc == 0, play.output
    return connected


def test_rule_info_in_the_option_shape(run_play, connected):
    play = run_play([{"name": "all", RULE_INFO: {}},
                     {"name": "one", RULE_INFO: {"name": RULE_NAME}},
                     {"name": "pull names", RULE_INFO: {"query": "[?mode=='pull'].name"}},
                     {"name": "missing", RULE_INFO: {"name": unique("nope")}}], target=connected)
    assert play.rc == 0, play.output
    rules = play.result("all")["rules"]
    assert ours([r["name"] for r in rules]) == [APPCO, RULE_NAME]
    push = play.result("one")["rules"]
    assert push == [{
        "name": RULE_NAME, "description": "Nightly copy to the air gap", "enabled": True, "mode": "push",
        "registry": DISCONNECTED, "filters": {"name": "library/**", "tag": "v*", "tag_decoration": "matches"},
        "dest_namespace": "mirror", "flattening": "none", "trigger": "scheduled", "cron": "0 0 2 * * *", "bandwidth": 81920,
        "override": True, "replicate_deletion": False, "copy_by_chunk": False, "single_active_replication": False,
    }]
    assert ours(play.result("pull names")["rules"]) == [APPCO]
    assert play.result("missing")["rules"] == []


FED_BACK_FIELDS = ["name", "description", "enabled", "mode", "registry", "filters", "dest_namespace", "flattening", "trigger",
                   "cron", "bandwidth", "override", "replicate_deletion", "copy_by_chunk", "single_active_replication"]


@pytest.mark.parametrize("apply", [
    "{{ item }}",                                                   # the whole rule as it was read
    pytest.param({f: "{{ item.%s }}" % f for f in FED_BACK_FIELDS},  # the module's EXAMPLE: option by option (a null
                 marks=pytest.mark.core_matrix),                    # cron renders as "" on ansible-core < 2.19)
], ids=["whole", "option-by-option"])
def test_rule_info_feeds_back_without_change(run_play, connected, apply):
    tasks = [
        {"name": "read", RULE_INFO: {"query": "[?contains(name, '%s')]" % SUFFIX}, "register": "found"},
        {"name": "apply", RULE: apply, "loop": "{{ found.rules }}"},
    ]
    connected.clear_log()
    play = run_play(tasks, target=connected)
    assert play.rc == 0, play.output
    assert play.stats["changed"] == 0
    assert connected.writes() == []


def test_bad_query_names_the_option(run_play, connected):
    play = run_play([{"name": "bad", RULE_INFO: {"query": "[?mode=="}, "ignore_errors": True},
                     {"name": "bad executions", EXECUTION_INFO: {"rule": RULE_NAME, "query": "[0"}, "ignore_errors": True}],
                    target=connected)
    assert "query: '[?mode==' is not a valid JMESPath expression" in play.result("bad")["msg"]
    assert "query: '[0' is not a valid JMESPath expression" in play.result("bad executions")["msg"]


@pytest.mark.emulator_only("the emulator's replication control fails chosen tasks")
def test_execution_info_with_tasks_and_logs(run_play, connected):
    connected.seed(project="library", repository="nginx", tags=["v1.25"])        # PUSH_RULE's source (emulator only)
    connected.seed(project="library", repository="bad-image", tags=["v1.0"])
    connected.replication(task_seconds=0.05, fail={"pattern": "library/bad*", "log": "copy failed: 429 Too Many Requests"})
    run_play([{"name": "run", EXECUTION: {"rule": RULE_NAME, "wait_sleep": 0.2, "fail_on_error": False}},
              {"name": "run again", EXECUTION: {"rule": RULE_NAME, "wait_sleep": 0.2, "force": True, "fail_on_error": False}}],
             target=connected)
    connected.clear_log()
    play = run_play([
        {"name": "latest", EXECUTION_INFO: {"rule": RULE_NAME, "limit": 1, "logs": True}},
        {"name": "all", EXECUTION_INFO: {"rule": RULE_NAME, "tasks": False}},
        {"name": "failed logs", EXECUTION_INFO: {"rule": RULE_NAME, "limit": 1, "logs": True,
                                                 "query": "[0].tasks[?status=='Failed'].log"}},
    ], target=connected)
    assert play.rc == 0, play.output
    assert connected.writes() == []
    latest = play.result("latest")["executions"]
    assert len(latest) == 1
    assert latest[0]["status"] == "Failed" and latest[0]["total"] == 2
    assert {t["status"] for t in latest[0]["tasks"]} == {"Succeed", "Failed"}
    failed = [t for t in latest[0]["tasks"] if t["status"] == "Failed"]
    assert failed[0]["src_resource"].startswith("library/bad-image")
    assert "429 Too Many Requests" in failed[0]["log"]
    everything = play.result("all")["executions"]
    assert len(everything) == 2
    assert everything[0]["id"] > everything[1]["id"]
    assert "tasks" not in everything[0]
    logs = play.result("failed logs")["executions"]
    assert len(logs) == 1 and "429 Too Many Requests" in logs[0]

    one = run_play([{"name": "by id", EXECUTION_INFO: {"rule": RULE_NAME, "id": everything[1]["id"], "tasks": False}}],
                   target=connected)
    assert [e["id"] for e in one.result("by id")["executions"]] == [everything[1]["id"]]


def test_execution_info_of_an_unknown_rule(run_play, connected):
    play = run_play([{"name": "info", EXECUTION_INFO: {"rule": unique("nope")}}], target=connected)
    assert "no replication rule named '%s'" % unique("nope") in play.result("info")["msg"]
