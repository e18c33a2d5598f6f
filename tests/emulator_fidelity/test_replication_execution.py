"""Replication executions and tasks (NOTES.md section 5), the filters and flattening Harbor applies, and real copies between
two emulators (push and pull, harbor and docker-registry endpoints)."""
import json
import re
import time

import pytest
import requests

from tools.dataplane import oci
from tools.dataplane.distribution import DistributionClient
from tests.emulator_fidelity.test_replication_policy import add_registry, create, error, wait_status
from tests.harbor_emulator.replication.filter import PatternError, filter_artifacts, filter_repositories, match
from tests.harbor_emulator.replication.flow import FlowError, replace_namespace

ZERO = "0001-01-01T00:00:00.000Z"


@pytest.fixture
def pair(harbor_pair):
    connected, disconnected = harbor_pair
    connected.replication(task_seconds=0.05)
    return connected, disconnected, add_registry(connected, disconnected)


def start(harbor, policy_id, status=201):
    resp = harbor.api("POST", "/replication/executions", json={"policy_id": policy_id})
    assert resp.status_code == status, resp.text
    assert resp.text == ""
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def push_policy(harbor, registry_id, **fields):
    return create(harbor, **dict({"name": "push", "dest_registry": {"id": registry_id}, "enabled": True}, **fields))


def tasks(harbor, execution_id, **params):
    resp = harbor.api("GET", "/replication/executions/%d/tasks" % execution_id, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def wait_tasks(harbor, execution_id, **params):
    """Poll until the execution has tasks (matching ``params``); the flow creates them after fetching the candidates."""
    for _ in range(250):
        found = tasks(harbor, execution_id, **params)
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("execution %d has no tasks %s" % (execution_id, params))


def artifacts(target, project, repository):
    resp = target.api("GET", "/projects/%s/repositories/%s/artifacts" % (project, repository.replace("/", "%252F")))
    return resp.json() if resp.status_code == 200 else []


# ----- pure rules: doublestar patterns, filters, flattening

@pytest.mark.parametrize("pattern, text, expected", [
    ("library/**", "library/a/b", True), ("library/*", "library/a/b", False), ("**", "a/b/c", True),
    ("**/nginx", "nginx", True), ("a/**/b", "a/x/y/b", True), ("{library,infra}/ng*", "infra/nginx", True),
    ("1.2?", "1.25", True), ("1.[0-4]*", "1.5", False), ("v{1,2}.*", "v3.0", False), ("", "anything", True),
])
def test_doublestar_patterns(pattern, text, expected):
    assert match(pattern, text) is expected


def test_a_broken_pattern_is_an_error():
    with pytest.raises(PatternError):
        match("library/{a,b", "library/a")


def test_name_tag_and_label_filters():
    arts = [{"digest": "d1", "type": "IMAGE", "tags": ["1.0", "latest"], "labels": ["prod"]},
            {"digest": "d2", "type": "IMAGE", "tags": [], "labels": []}]
    assert filter_repositories(["library/nginx", "infra/nginx"], [{"type": "name", "value": "library/**"}]) == ["library/nginx"]
    assert filter_artifacts(arts, [{"type": "tag", "value": "1.*"}]) == [dict(arts[0], tags=["1.0"])]
    assert filter_artifacts(arts, [{"type": "tag", "value": "latest", "decoration": "excludes"}]) == [dict(arts[0], tags=["1.0"]), arts[1]]
    assert filter_artifacts(arts, [{"type": "label", "value": ["prod"]}]) == [arts[0]]
    assert filter_artifacts(arts, [{"type": "label", "value": ["prod"], "decoration": "excludes"}]) == [arts[1]]
    assert filter_artifacts(arts, [{"type": "resource", "value": "image"}]) == arts


@pytest.mark.parametrize("count, expected", [(-1, "n/image"), (0, "n/a/b/c/image"), (1, "n/b/c/image"), (3, "n/image")])
def test_replace_namespace(count, expected):
    assert replace_namespace("a/b/c/image", "n", count) == expected
    assert replace_namespace("a/b/c/image", "", count) == "a/b/c/image"


def test_replace_namespace_deeper_than_the_path_fails():
    with pytest.raises(FlowError, match=r"contains only 3 path components \[a b c\] excepting the last one, .* level is 4"):
        replace_namespace("a/b/c/image", "n", 4)


# ----- executions

def test_start_answers_201_reads_in_progress_then_succeed_with_counters(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25", "1.26"])
    harbor.seed(project="library", repository="redis", tags=["7.2"])
    resp = harbor.api("POST", "/replication/executions", json={"policy_id": push_policy(harbor, registry_id)})
    assert resp.status_code == 201 and resp.headers["Location"].startswith("/api/v2.0/replication/executions/")
    execution_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    first = harbor.api("GET", "/replication/executions/%d" % execution_id).json()
    assert (first["status"], first["end_time"], first["trigger"]) == ("InProgress", ZERO, "manual")
    done = wait_status(harbor, execution_id, "Succeed")
    assert (done.get("total", 0), done.get("succeed", 0), done.get("failed", 0), done.get("in_progress", 0), done.get("stopped", 0)) == (2, 2, 0, 0, 0)
    assert done["end_time"] != ZERO and done.get("status_text", "") == ""


def test_start_of_an_unknown_policy_is_404(harbor):
    harbor.need_emulator()
    error(harbor.api("POST", "/replication/executions", json={"policy_id": 99}), 404, "NOT_FOUND", "replication policy 99 not found")


def test_start_of_a_disabled_policy_is_412(pair):
    harbor, _, registry_id = pair
    policy_id = push_policy(harbor, registry_id, enabled=False)
    error(harbor.api("POST", "/replication/executions", json={"policy_id": policy_id}), 412, "PRECONDITION",
          "the policy %d is disabled" % policy_id)


def test_nothing_matched_is_succeed_without_tasks(pair):
    harbor, _, registry_id = pair
    execution_id = start(harbor, push_policy(harbor, registry_id, filters=[{"type": "name", "value": "nothing/**"}]))
    done = wait_status(harbor, execution_id, "Succeed")
    assert (done.get("total", 0), done.get("status_text", "")) == (0, "no resources need to be replicated")


def test_get_of_a_missing_execution_is_404(harbor):
    harbor.need_emulator()
    error(harbor.api("GET", "/replication/executions/5"), 404, "NOT_FOUND", "replication execution 5 not found")
    error(harbor.api("PUT", "/replication/executions/5"), 404, "NOT_FOUND", "replication execution 5 not found")
    error(harbor.api("GET", "/replication/executions/5/tasks"), 404, "NOT_FOUND", "replication execution 5 not found")


def test_list_filters_by_policy_status_and_trigger_newest_first(pair):
    harbor, _, registry_id = pair
    first, second = push_policy(harbor, registry_id), push_policy(harbor, registry_id, name="other")
    runs = [start(harbor, first), start(harbor, second), start(harbor, first)]
    for execution_id in runs:
        wait_status(harbor, execution_id, "Succeed")
    listed = harbor.api("GET", "/replication/executions", params={"policy_id": first})
    assert [e["id"] for e in listed.json()] == [runs[2], runs[0]]
    assert listed.headers["X-Total-Count"] == "2"
    latest = harbor.api("GET", "/replication/executions", params={"policy_id": first, "page_size": 1})
    assert [e["id"] for e in latest.json()] == [runs[2]]
    assert 'rel="next"' in latest.headers["Link"]
    assert harbor.api("GET", "/replication/executions", params={"status": "Failed"}).json() == []
    assert len(harbor.api("GET", "/replication/executions", params={"trigger": "manual"}).json()) == 3
    assert harbor.api("GET", "/replication/executions", params={"trigger": "scheduled"}).json() == []


def test_status_and_trigger_filters_match_harbors_stored_names_too(pair):
    """ListReplicationExecutions maps InProgress/Succeed/Failed/Stopped back to the stored Running/Success/Error/Stopped
    and passes any other value through, so the stored names match as well (exactly, case included); the trigger likewise
    (manual -> MANUAL). Tasks: InProgress is Scheduled or Running."""
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    done = start(harbor, push_policy(harbor, registry_id))
    wait_status(harbor, done, "Succeed")
    harbor.replication(task_seconds=0, hang="library/nginx")
    running = start(harbor, push_policy(harbor, registry_id, name="other"))
    wait_tasks(harbor, running)

    def listed(**params):
        resp = harbor.api("GET", "/replication/executions", params=params)
        assert resp.status_code == 200, resp.text
        return [e["id"] for e in resp.json()]

    for status, expected in (("InProgress", [running]), ("Running", [running]), ("Succeed", [done]), ("Success", [done]),
                             ("running", []), ("Failed", []), ("Error", []), ("Stopped", [])):
        assert listed(status=status) == expected, status
    assert listed(trigger="MANUAL") == listed(trigger="manual") == [running, done]
    assert listed(trigger="SCHEDULE") == listed(trigger="Manual") == []
    assert len(tasks(harbor, running, status="Running")) == len(tasks(harbor, running, status="InProgress")) == 1
    assert len(tasks(harbor, done, status="Success")) == len(tasks(harbor, done, status="Succeed")) == 1
    harbor.api("PUT", "/replication/executions/%d" % running)
    wait_status(harbor, running, "Stopped")
    assert listed(status="Stopped") == [running]


def test_stop_is_asynchronous_and_ends_in_stopped(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    harbor.replication(task_seconds=0, hang="library/nginx")
    execution_id = start(harbor, push_policy(harbor, registry_id))
    wait_tasks(harbor, execution_id)
    resp = harbor.api("PUT", "/replication/executions/%d" % execution_id)
    assert (resp.status_code, resp.text) == (200, "null")
    done = wait_status(harbor, execution_id, "Stopped")
    assert (done.get("stopped", 0), done.get("in_progress", 0)) == (1, 0)
    assert tasks(harbor, execution_id)[0]["status"] == "Stopped"


def test_stop_of_a_finished_execution_changes_nothing(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    execution_id = start(harbor, push_policy(harbor, registry_id))
    wait_status(harbor, execution_id, "Succeed")
    assert harbor.api("PUT", "/replication/executions/%d" % execution_id).status_code == 200
    assert harbor.api("GET", "/replication/executions/%d" % execution_id).json()["status"] == "Succeed"


def test_failed_beats_stopped(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="bad-image", tags=["1.0"])
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    harbor.replication(task_seconds=0, hang="library/nginx", fail={"pattern": "library/bad*", "log": "pull failed: unauthorized"})
    execution_id = start(harbor, push_policy(harbor, registry_id))
    wait_tasks(harbor, execution_id, status="Failed")
    assert harbor.api("GET", "/replication/executions/%d" % execution_id).json()["status"] == "InProgress"
    harbor.api("PUT", "/replication/executions/%d" % execution_id)
    done = wait_status(harbor, execution_id, "Failed")
    assert (done.get("failed", 0), done.get("stopped", 0), done.get("succeed", 0)) == (1, 1, 0)


def test_single_active_replication_skips_a_start_while_one_runs(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    harbor.replication(task_seconds=0, hang="library/*")
    policy_id = push_policy(harbor, registry_id, single_active_replication=True)
    running = start(harbor, policy_id)
    skipped = harbor.api("GET", "/replication/executions/%d" % start(harbor, policy_id)).json()
    assert (skipped["status"], skipped.get("status_text", ""), skipped.get("total", 0)) == \
        ("Failed", "Execution skipped: active replication still in progress.", 0)
    assert skipped["end_time"] != ZERO
    harbor.api("PUT", "/replication/executions/%d" % running)


def test_tasks_one_per_repository_with_filters_and_log(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25", "1.26"])
    harbor.seed(project="library", repository="bad-image", tags=["2.0"])
    harbor.replication(task_seconds=0, fail={"pattern": "library/bad*", "log": "pull failed: unauthorized: authentication required"})
    execution_id = start(harbor, push_policy(harbor, registry_id))
    done = wait_status(harbor, execution_id, "Failed")
    assert (done.get("total", 0), done.get("succeed", 0), done.get("failed", 0)) == (2, 1, 1)
    failed = tasks(harbor, execution_id, status="Failed")
    assert [(t["src_resource"], t["dst_resource"], t["operation"], t["resource_type"]) for t in failed] == \
        [("library/bad-image [1 item(s) in total]", "library/bad-image [1 item(s) in total]", "copy", "artifact")]
    assert [t["src_resource"] for t in tasks(harbor, execution_id, status="Succeed")] == ["library/nginx [2 item(s) in total]"]
    assert tasks(harbor, execution_id, resource_type="image") == []
    log = harbor.api("GET", "/replication/executions/%d/tasks/%d/log" % (execution_id, failed[0]["id"]))
    assert log.status_code == 200 and log.headers["Content-Type"].startswith("text/plain")
    assert "pull failed: unauthorized: authentication required" in log.text


def test_task_log_of_a_task_of_another_execution_is_404(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    policy_id = push_policy(harbor, registry_id)
    first, second = start(harbor, policy_id), start(harbor, policy_id)
    task_id = tasks(harbor, wait_status(harbor, first, "Succeed")["id"])[0]["id"]
    wait_status(harbor, second, "Succeed")
    error(harbor.api("GET", "/replication/executions/%d/tasks/%d/log" % (second, task_id)), 404, "NOT_FOUND",
          "execution %d contains no task with ID %d" % (second, task_id))
    error(harbor.api("GET", "/replication/executions/%d/tasks/999/log" % second), 404, "NOT_FOUND", "replication task 999 not found")


@pytest.mark.parametrize("accept, encoded", [
    (None, False), ("*/*", False), ("text/plain", False), ("application/json, text/plain", False),
    ("application/json", True), ("application/json, */*", True), ("application/*", True),
    ("application/json;q=0.9, text/plain;q=0.1", True),
])
def test_task_log_is_json_encoded_for_a_client_that_prefers_json(pair, accept, encoded):
    """Harbor v2.15.2 (real answers): the handler labels the log text/plain and go-openapi's negotiation over
    [text/plain application/json] picks the producer, so ``Accept: application/json`` gets a JSON string (with a
    trailing newline) under ``Content-Type: text/plain``; an Accept neither admits is refused with 422 before the auth
    check (src/server/v2.0/handler/replication.go GetReplicationLog; go-openapi runtime NegotiateContentType)."""
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    execution_id = start(harbor, push_policy(harbor, registry_id))
    task_id = tasks(harbor, wait_status(harbor, execution_id, "Succeed")["id"])[0]["id"]
    path = "/replication/executions/%d/tasks/%d/log" % (execution_id, task_id)
    plain = harbor.api("GET", path, headers={"Accept": "text/plain"}).text
    resp = harbor.api("GET", path, headers={"Accept": accept} if accept else {"Accept": None})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/plain"
    assert resp.text == (json.dumps(plain, ensure_ascii=False) + "\n" if encoded else plain)
    assert plain.startswith("20") and plain.endswith("\n")


def test_task_log_refuses_an_accept_it_cannot_produce_before_the_auth_check(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    execution_id = start(harbor, push_policy(harbor, registry_id))
    task_id = tasks(harbor, wait_status(harbor, execution_id, "Succeed")["id"])[0]["id"]
    resp = requests.get("%s/api/v2.0/replication/executions/%d/tasks/%d/log" % (harbor.url, execution_id, task_id),
                        headers={"Accept": "text/html"}, timeout=10)
    error(resp, 422, "UNPROCESSABLE_ENTITY",
          "validation failure list:\nunsupported media type requested, only [text/plain application/json] are available")


LOG_LINE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[(?P<level>[A-Z]+)\] \[/controller/replication/transfer/image/transfer\.go:(?P<line>\d+)\]: (?P<text>.*)"


def log_lines(harbor, execution_id, task_id):
    text = harbor.api("GET", "/replication/executions/%d/tasks/%d/log" % (execution_id, task_id), headers={"Accept": "text/plain"}).text
    found = [re.fullmatch(LOG_LINE, line) for line in text.splitlines()]
    assert all(found), text
    return [(m.group("level"), int(m.group("line")), m.group("text")) for m in found]


def test_a_task_log_reads_as_harbors_transfer_log(pair):
    """Real Harbor v2.15.2 log of a push of one image to another Harbor (whole-second times, the level, the Go file
    below src and its line, the text): the clients, the repository, the artifact, its manifest, each blob, the push
    (src/controller/replication/transfer/image/transfer.go, src/lib/log/logger.go line(), textformatter.go)."""
    harbor, remote, registry_id = pair
    harbor.seed(project="library", repository="app", tags=["1.0"])
    execution_id = start(harbor, push_policy(harbor, registry_id))
    task, = tasks(harbor, wait_status(harbor, execution_id, "Succeed")["id"])
    lines = log_lines(harbor, execution_id, task["id"])
    assert lines[:2] == [("INFO", 140, "client for source registry [type: harbor, URL: http://core:8080, insecure: true] created"),
                         ("INFO", 150, "client for destination registry [type: harbor, URL: %s, insecure: false] created" % remote.url)]
    assert [(level, line) for level, line, _text in lines[2:]] == [
        ("INFO", 183), ("INFO", 211), ("INFO", 465), ("INFO", 471), ("INFO", 494), ("INFO", 506), ("INFO", 254), ("INFO", 205)]
    assert [text for _level, _line, text in lines[2:]] == [
        "copying library/app:[1.0](source registry) to library/app:[1.0](destination registry)...",
        "copying library/app:1.0(source registry) to library/app:1.0(destination registry)...",
        "pulling the manifest of artifact library/app:1.0 ...", "the manifest of artifact library/app:1.0 pulled",
        "pushing the manifest of artifact library/app:1.0 ...", "the manifest of artifact library/app:1.0 pushed",
        "copy library/app:1.0(source registry) to library/app:1.0(destination registry) completed",
        "copy library/app:[1.0](source registry) to library/app:[1.0](destination registry) completed"]
    execution_id = start(harbor, push_policy(harbor, registry_id, name="again"))
    task, = tasks(harbor, wait_status(harbor, execution_id, "Succeed")["id"])
    assert ("INFO", 227, "the artifact library/app:1.0 already exists on the destination registry, skip") in log_lines(
        harbor, execution_id, task["id"])


def test_a_copy_to_a_closed_port_fails_with_gos_error_text_and_the_closing_line(emulator_factory):
    """Real Harbor v2.15.2, an endpoint whose registry went away: the existence check on the destination fails with Go's
    *url.Error text, logged by exist() (line 479), again by copy() (195), then copy()'s closing line (201)."""
    harbor, gone = emulator_factory(), emulator_factory()
    harbor.replication(task_seconds=0)
    harbor.seed(project="library", repository="app", tags=["1.0"])
    registry_id = add_registry(harbor, gone, kind="docker-registry")
    port = int(gone.url.rsplit(":", 1)[1])
    gone.emulator.stop()
    execution_id = start(harbor, push_policy(harbor, registry_id))
    task, = tasks(harbor, wait_status(harbor, execution_id, "Failed")["id"])
    refused = 'Get "http://127.0.0.1:%d/v2/": dial tcp 127.0.0.1:%d: connect: connection refused' % (port, port)
    assert log_lines(harbor, execution_id, task["id"])[-5:] == [
        ("INFO", 465, "pulling the manifest of artifact library/app:1.0 ..."),
        ("INFO", 471, "the manifest of artifact library/app:1.0 pulled"),
        ("ERROR", 479, "failed to check the existence of the manifest of artifact library/app:1.0 on the destination"
                       " registry: " + refused),
        ("ERROR", 195, refused),
        ("ERROR", 201, "got error during the whole transfer period, mark the job failure")]


def test_transient_failed_reads_failed_once_then_succeed(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    harbor.replication(task_seconds=0, transient_failed=True)
    execution_id = start(harbor, push_policy(harbor, registry_id))
    transient = wait_status(harbor, execution_id, "Failed")
    assert (transient.get("failed", 0), transient.get("succeed", 0)) == (1, 0)
    again = harbor.api("GET", "/replication/executions/%d" % execution_id).json()
    assert (again["status"], again.get("failed", 0), again.get("succeed", 0)) == ("Succeed", 0, 1)


def test_flattening_deeper_than_a_path_fails_the_execution(pair):
    harbor, _, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    execution_id = start(harbor, push_policy(harbor, registry_id, dest_namespace="mirror", dest_namespace_replace_count=2))
    done = wait_status(harbor, execution_id, "Failed")
    assert done.get("total", 0) == 0
    assert done["status_text"] == ('the source repository "library/nginx" contains only 1 path components [library] excepting the last one,'
                                   ' but the destination namespace flattening level is 2')


def test_control_validates_and_resets(harbor):
    harbor.need_emulator()
    assert harbor.replication(task_seconds=1, hang="x/*") == {"task_seconds": 1, "fail": None, "hang": "x/*", "transient_failed": False,
                                                              "chunk_size": 10 * 1024 * 1024}
    assert harbor.replication() == {"task_seconds": 0.2, "fail": None, "hang": None, "transient_failed": False, "chunk_size": 10 * 1024 * 1024}
    for bad in ({"task_seconds": -1}, {"chunk_size": 0}, {"chunk_size": "1k"}):
        resp = requests.post(harbor.url + "/_emulator/replication", json=bad, timeout=10)
        assert resp.status_code == 400


# ----- copies between two emulators

def test_push_to_a_harbor_endpoint_creates_the_project_and_the_artifacts(pair):
    harbor, remote, registry_id = pair
    seeded = harbor.seed(project="library", repository="nginx", tags=["1.25", "1.26"], labels=["prod"])
    harbor.seed(project="library", repository="nginx", tags=["old"])
    harbor.seed(project="infra", repository="tools/etcd", tags=["3.5"], type="chart")
    policy_id = push_policy(harbor, registry_id, dest_namespace="mirror", dest_namespace_replace_count=0,
                            filters=[{"type": "name", "value": "{library,infra}/**"}, {"type": "tag", "value": "old", "decoration": "excludes"}])
    wait_status(harbor, start(harbor, policy_id), "Succeed")
    copied = artifacts(remote, "mirror", "library/nginx")
    assert [(a["digest"], sorted(t["name"] for t in a["tags"])) for a in copied] == [(seeded["digest"], ["1.25", "1.26"])]
    assert [a["type"] for a in artifacts(remote, "mirror", "infra/tools/etcd")] == ["CHART"]
    assert remote.api("GET", "/projects/mirror").json()["metadata"]["public"] == "true"


def test_push_to_a_docker_registry_endpoint_uses_v2_only(harbor_pair):
    harbor, remote = harbor_pair
    harbor.replication(task_seconds=0)
    remote.seed(project="mirror", repository="placeholder")
    registry_id = add_registry(harbor, remote, name="plain", kind="docker-registry")
    harbor.seed(project="library", repository="redis", tags=["7.2"])
    wait_status(harbor, start(harbor, push_policy(harbor, registry_id, dest_namespace="mirror")), "Succeed")
    assert [t["name"] for a in artifacts(remote, "mirror", "redis") for t in a["tags"]] == ["7.2"]
    assert not [entry for entry in remote.requests_log() if entry["path"].startswith("/api/v2.0/projects") and entry["method"] == "POST"]


def test_pull_from_a_harbor_endpoint_creates_the_local_project(pair):
    harbor, remote, registry_id = pair
    remote.seed(project="containers", repository="etcd", tags=["3.5.14"], labels=["approved"])
    remote.seed(project="containers", repository="other", tags=["1"])
    policy_id = create(harbor, name="pull", src_registry={"id": registry_id}, enabled=True,
                       filters=[{"type": "label", "value": ["approved"]}])
    execution_id = start(harbor, policy_id)
    wait_status(harbor, execution_id, "Succeed")
    assert [t["name"] for a in artifacts(harbor, "containers", "etcd") for t in a["tags"]] == ["3.5.14"]
    assert artifacts(harbor, "containers", "other") == []
    assert tasks(harbor, execution_id)[0]["resource_type"] == "artifact"


def test_a_docker_registry_endpoint_on_a_harbor_cannot_list_its_catalog_but_pulls_named_repositories(harbor_pair):
    """Harbor v2.15.2 (tests against it): the native adapter follows the Bearer challenge, and Harbor refuses a token on
    /v2/_catalog (src/common/security/v2token/context.go Can: repositories only; v2auth/auth.go "unauthorized to list
    catalog"), so a wildcard pull fails fetching the artifacts; a name without wildcards needs no catalog and replicates."""
    harbor, remote = harbor_pair
    harbor.replication(task_seconds=0)
    registry_id = add_registry(harbor, remote, name="plain", kind="docker-registry")
    remote.seed(project="containers", repository="etcd", tags=["3.5", "3.4"])
    remote.clear_log()
    listed = start(harbor, create(harbor, name="all", src_registry={"id": registry_id}, enabled=True, dest_namespace="upstream",
                                  filters=[{"type": "tag", "value": "3.5"}]))
    failed = wait_status(harbor, listed, "Failed")
    reason = "unauthorized to list catalog"
    assert failed["status_text"] == ('failed to fetch artifacts: http status code: 401, body: {"errors":[{"code":"UNAUTHORIZED",'
                                     '"message":"%s: %s"}]}\n' % (reason, reason))
    log = [(entry["method"], entry["path"], entry["status"]) for entry in remote.requests_log()]
    assert log[:3] == [("GET", "/v2/", 401), ("GET", "/service/token", 200), ("GET", "/v2/_catalog", 401)]
    execution_id = start(harbor, create(harbor, name="named", src_registry={"id": registry_id}, enabled=True,
                                        dest_namespace="upstream", filters=[{"type": "name", "value": "containers/etcd"},
                                                                            {"type": "tag", "value": "3.5"}]))
    wait_status(harbor, execution_id, "Succeed")
    assert [t["name"] for a in artifacts(harbor, "upstream", "etcd") for t in a["tags"]] == ["3.5"]
    assert [(t["resource_type"], t["src_resource"]) for t in tasks(harbor, execution_id)] == [("image", "containers/etcd [1 item(s) in total]")]


def test_a_bearer_challenge_gets_one_token_per_scope_and_no_basic_auth_on_v2(harbor_pair):
    harbor, remote = harbor_pair
    harbor.replication(task_seconds=0)
    remote.seed(project="mirror", repository="placeholder")
    registry_id = add_registry(harbor, remote, name="plain", kind="docker-registry")
    harbor.seed(project="library", repository="redis", tags=["7.2", "7.4"])
    remote.clear_log()
    wait_status(harbor, start(harbor, push_policy(harbor, registry_id, dest_namespace="mirror")), "Succeed")
    log = remote.requests_log()
    tokens = [entry["query"] for entry in log if entry["path"] == "/service/token"]
    assert len(tokens) == 2 and all("service=harbor-registry" in query for query in tokens)
    assert not [entry for entry in log if entry["path"].startswith("/v2/mirror/") and entry["status"] >= 400 and entry["method"] == "PUT"]


def test_an_unreachable_source_fails_the_execution_with_a_status_text(pair):
    """Real Harbor v2.15.2: the harbor adapter's factory asks /api/version first, so the flow fails while it creates the
    adapters, with Go's error text (src/controller/replication/flow/stage.go initialize, src/pkg/reg/adapter/harbor/adaper.go)."""
    harbor, remote, registry_id = pair
    policy_id = create(harbor, name="pull", src_registry={"id": registry_id}, enabled=True)
    port = int(remote.url.rsplit(":", 1)[1])
    remote.emulator.stop()
    done = wait_status(harbor, start(harbor, policy_id), "Failed")
    assert done.get("status_text") == ('failed to create adapter for source registry %s: Get "%s/api/version": dial tcp 127.0.0.1:%d:'
                                       ' connect: connection refused' % (remote.url, remote.url, port))
    assert done.get("total", 0) == 0


def test_override_decides_whether_an_existing_tag_is_replaced(pair):
    harbor, remote, registry_id = pair
    remote.seed(project="library", repository="nginx", tags=["1.25"], digest="sha256:" + "a" * 64)
    source = harbor.seed(project="library", repository="nginx", tags=["1.25"])
    wait_status(harbor, start(harbor, push_policy(harbor, registry_id, override=False)), "Succeed")
    assert [a["digest"] for a in artifacts(remote, "library", "nginx")] == ["sha256:" + "a" * 64]
    wait_status(harbor, start(harbor, push_policy(harbor, registry_id, name="forced", override=True)), "Succeed")
    tagged = [a["digest"] for a in artifacts(remote, "library", "nginx") if a.get("tags")]
    assert tagged == [source["digest"]]


# ----- the /v2/ data plane replication uses

def v2(target, method, path, auth="admin", **kwargs):
    return requests.request(method, target.url + "/v2/" + path, auth=target.auth if auth == "admin" else auth, timeout=10,
                            verify=target.ca_path or True, **kwargs)


def test_v2_serves_tags_and_manifests_and_refuses_like_harbor(harbor):
    harbor.need_emulator()
    art = harbor.seed(project="library", repository="nginx", tags=["1.25"])
    harbor.seed(project="private", repository="app", tags=["1"])
    assert v2(harbor, "GET", "library/nginx/tags/list").json() == {"name": "library/nginx", "tags": ["1.25"]}
    head = v2(harbor, "HEAD", "library/nginx/manifests/1.25")
    assert (head.status_code, head.headers["Docker-Content-Digest"]) == (200, art["digest"])
    refused = v2(harbor, "GET", "private/app/tags/list", auth=None)
    assert refused.status_code == 401
    assert refused.headers["Www-Authenticate"].endswith(',service="harbor-registry",scope="repository:private/app:pull"')
    catalog = v2(harbor, "GET", "_catalog", auth=("developer", "Developer12345"))
    assert (catalog.status_code, catalog.headers["Www-Authenticate"]) == (401, 'Basic realm="harbor"')
    assert catalog.json()["errors"][0]["message"] == "unauthorized to list catalog: unauthorized to list catalog"
    assert v2(harbor, "GET", "_catalog").json() == {"repositories": ["library/nginx", "private/app"]}
    assert v2(harbor, "GET", "library/nginx/manifests/2.0").json()["errors"][0] == {
        "code": "NOT_FOUND", "message": "artifact library/nginx:2.0 not found"}


def test_v2_push_of_a_manifest_makes_an_artifact(harbor):
    harbor.need_emulator()
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    body = v2(harbor, "GET", "library/nginx/manifests/1.25").content
    pushed = v2(harbor, "PUT", "library/copy/manifests/latest", data=body,
                headers={"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
    assert pushed.status_code == 201
    assert [t["name"] for a in artifacts(harbor, "library", "copy") for t in a["tags"]] == ["latest"]
    wrong = v2(harbor, "PUT", "library/copy/manifests/sha256:" + "0" * 64, data=body)
    assert (wrong.status_code, wrong.json()["errors"][0]["code"]) == (400, "DIGEST_INVALID")
    missing = v2(harbor, "PUT", "nowhere/copy/manifests/latest", data=body)     # as Harbor v2.15.2: v2auth's project lookup
    assert (missing.status_code, missing.json()["errors"][0]["message"]) == (401, "project nowhere not found: project nowhere not found")


# ----- event-based triggers (src/controller/event/handler/replication/replication.go, event/handler.go)

def executions_of(harbor, policy_id):
    return harbor.api("GET", "/replication/executions", params={"policy_id": policy_id}).json()


def wait_executions(harbor, policy_id, count):
    for _ in range(250):
        found = executions_of(harbor, policy_id)
        if len(found) >= count and all(e["status"] not in ("InProgress", "Pending") for e in found):
            return found
        time.sleep(0.02)
    raise AssertionError("policy %d has not %d finished executions: %s" % (policy_id, count, executions_of(harbor, policy_id)))


def test_a_push_and_a_deletion_start_the_event_based_policies_they_concern(pair):
    harbor, remote, registry_id = pair
    image = oci.image("app", "1.0")
    event = {"type": "event_based"}
    mirror = push_policy(harbor, registry_id, name="mirror", trigger=event, deletion=True, replicate_deletion=True,
                         filters=[{"type": "name", "value": "library/**"}], dest_namespace="mirror")
    keep = push_policy(harbor, registry_id, name="keep", trigger=event, filters=[{"type": "name", "value": "library/**"}],
                       dest_namespace="keep")
    other = push_policy(harbor, registry_id, name="other", trigger=event, deletion=True, filters=[{"type": "tag", "value": "2.*"}])
    manual = push_policy(harbor, registry_id, name="manual", deletion=True)
    off = push_policy(harbor, registry_id, name="off", trigger=event, deletion=True, enabled=False)

    DistributionClient(harbor.url, auth=harbor.auth).push("library/app", "1.0", image)
    [pushed] = wait_executions(harbor, mirror, 1)
    assert (pushed["trigger"], pushed["status"]) == ("event_based", "Succeed")
    assert [t["operation"] for t in tasks(harbor, pushed["id"])] == ["copy"]
    wait_executions(harbor, keep, 1)
    assert [a["digest"] for a in artifacts(remote, "mirror", "app")] == [image.digest]
    assert [a["digest"] for a in artifacts(remote, "keep", "app")] == [image.digest]

    assert harbor.api("DELETE", "/projects/library/repositories/app/artifacts/1.0").status_code == 200
    deletion = wait_executions(harbor, mirror, 2)[0]                           # newest first
    assert (deletion["trigger"], deletion["status"]) == ("event_based", "Succeed")
    [task] = tasks(harbor, deletion["id"])
    assert (task["operation"], task["src_resource"], task["dst_resource"]) == (
        "deletion", "library/app [1 item(s) in total]", "mirror/app [1 item(s) in total]")
    log = harbor.api("GET", "/replication/executions/%d/tasks/%d/log" % (deletion["id"], task["id"])).text
    assert "the manifest of artifact mirror/app:1.0 is deleted" in log
    assert artifacts(remote, "mirror", "app") == []
    assert [a["digest"] for a in artifacts(remote, "keep", "app")] == [image.digest]   # keep does not replicate deletions
    assert len(executions_of(harbor, keep)) == 1
    for policy_id in (other, manual, off):                                     # tag filter, manual trigger, disabled
        assert executions_of(harbor, policy_id) == []


def test_an_artifact_pulled_by_a_replication_is_a_push_that_starts_event_based_rules(pair):
    """Harbor's pull replication pushes through its own /v2/, so Artifact.Ensure (src/controller/artifact/controller.go)
    fires the push event that starts the event-based rules it concerns."""
    harbor, remote, registry_id = pair
    seeded = remote.seed(project="src", repository="app", tags=["1.0"])
    chained = push_policy(harbor, registry_id, name="chained", trigger={"type": "event_based"},
                          filters=[{"type": "name", "value": "pulled/**"}], dest_namespace="back")
    pull = create(harbor, name="pull", src_registry={"id": registry_id}, enabled=True,
                  filters=[{"type": "name", "value": "src/**"}], dest_namespace="pulled")
    wait_status(harbor, start(harbor, pull), "Succeed")
    [execution] = wait_executions(harbor, chained, 1)
    assert (execution["trigger"], execution["status"]) == ("event_based", "Succeed")
    assert [a["digest"] for a in artifacts(remote, "back", "app")] == [seeded["digest"]]


def test_a_rule_with_a_speed_says_so_in_its_task_log(pair):
    """transfer.go copy: "limit network speed at <speed> kb/s" when speed > 0; the blobs are read through
    lib.NewReader (src/lib/iothrottler.go; its arithmetic: test_iothrottler.py, an observable limit:
    tests/integration/test_replication_dataplane.py). A blob within the 1000 KiB burst is not slowed."""
    harbor, remote, registry_id = pair
    image = oci.image("app", "1.0")
    DistributionClient(harbor.url, auth=harbor.auth).push("library/app", "1.0", image)
    policy_id = push_policy(harbor, registry_id, speed=8, filters=[{"type": "name", "value": "library/**"}])
    execution_id = start(harbor, policy_id)
    wait_status(harbor, execution_id, "Succeed")
    [task] = tasks(harbor, execution_id)
    log = harbor.api("GET", "/replication/executions/%d/tasks/%d/log" % (execution_id, task["id"])).text
    assert "limit network speed at 8 kb/s" in log
    assert [a["digest"] for a in artifacts(remote, "library", "app")] == [image.digest]
