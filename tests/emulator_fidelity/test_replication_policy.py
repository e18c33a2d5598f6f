"""Replication policies (NOTES.md section 4): validation, the GET representation, full replacement on PUT, delete guard."""
import time

import pytest

PUSH_TRIGGER = {"type": "scheduled", "trigger_settings": {"cron": "0 0 2 * * *"}}
LOCAL = {"id": 0, "url": "http://core:8080", "name": "Local", "credential": {"type": "secret", "access_secret": "*****"},
         "type": "harbor", "insecure": True, "status": "healthy", "creation_time": "0001-01-01T00:00:00.000Z", "update_time": "0001-01-01T00:00:00.000Z"}


def error(resp, status, code, message):
    assert resp.status_code == status, resp.text
    assert resp.json() == {"errors": [{"code": code, "message": message}]}


def add_registry(target, remote, name="remote", kind="harbor"):
    resp = target.api("POST", "/registries", json={"name": name, "type": kind, "url": remote.url,
                                                   "credential": {"type": "basic", "access_key": remote.username,
                                                                  "access_secret": remote.password}})
    assert resp.status_code == 201, resp.text
    return int(resp.headers["Location"].rsplit("/", 1)[1])


@pytest.fixture
def pair(harbor_pair):
    connected, disconnected = harbor_pair
    return connected, add_registry(connected, disconnected)


def create(target, **fields):
    resp = target.api("POST", "/replication/policies", json=fields)
    assert resp.status_code == 201, resp.text
    assert resp.headers["Location"].startswith("/api/v2.0/replication/policies/")
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def get(target, policy_id):
    resp = target.api("GET", "/replication/policies/%d" % policy_id)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_create_answers_201_and_get_shows_both_sides_with_the_local_one_as_id_0(pair):
    harbor, registry_id = pair
    policy = get(harbor, create(harbor, name="push", dest_registry={"id": registry_id}))
    assert policy["src_registry"] == LOCAL
    assert policy["dest_registry"]["id"] == registry_id
    assert policy["dest_registry"]["credential"]["access_secret"] == "*****"
    assert (policy["dest_namespace_replace_count"], policy["speed"], policy["copy_by_chunk"], policy["single_active_replication"]) \
        == (-1, 0, False, False)
    assert "trigger" not in policy and not policy.get("enabled") and not policy.get("deletion")


def test_pull_policy_has_the_local_side_as_destination(pair):
    harbor, registry_id = pair
    policy = get(harbor, create(harbor, name="pull", src_registry={"id": registry_id}, dest_registry=None))
    assert policy["src_registry"]["id"] == registry_id
    assert policy["dest_registry"] == LOCAL


def test_name_is_required(pair):
    harbor, registry_id = pair
    error(harbor.api("POST", "/replication/policies", json={"dest_registry": {"id": registry_id}}), 400, "BAD_REQUEST", "empty name")


def test_name_is_unique(pair):
    harbor, registry_id = pair
    create(harbor, name="push", dest_registry={"id": registry_id})
    error(harbor.api("POST", "/replication/policies", json={"name": "push", "dest_registry": {"id": registry_id}}),
          409, "CONFLICT", "replication policy push already exists")


@pytest.mark.parametrize("sides", [{}, {"src_registry": {"id": 0}, "dest_registry": {"id": 0}}, "both"])
def test_exactly_one_side_must_be_remote(pair, sides):
    harbor, registry_id = pair
    if sides == "both":
        sides = {"src_registry": {"id": registry_id}, "dest_registry": {"id": registry_id}}
    error(harbor.api("POST", "/replication/policies", json=dict(sides, name="p")), 400, "BAD_REQUEST",
          "either src_registry or dest_registry should be empty and the other one shouldn't be empty")


def test_unknown_registry_is_404(harbor):
    harbor.need_emulator()
    error(harbor.api("POST", "/replication/policies", json={"name": "p", "dest_registry": {"id": 99}}), 404, "NOT_FOUND",
          "registry 99 not found")


@pytest.mark.parametrize("item, message", [
    ({"type": "repository", "value": "x"}, "invalid filter type"),
    ({"type": "name", "value": "library/**", "decoration": "matches"}, "only tag and label filter support decoration"),
    ({"type": "name", "value": ["library/**"]}, "the type of filter value isn't string"),
    ({"type": "tag", "value": 1}, "the type of filter value isn't string"),
    ({"type": "tag", "value": "1.*", "decoration": "include"}, "invalid filter decoration, :include"),
    ({"type": "label", "value": "prod"}, "the type of label filter value isn't string slice"),
    ({"type": "label", "value": ["prod", 1]}, "the type of label filter value isn't string slice"),
    ({"type": "resource", "value": "chart"}, "invalid resource filter: chart"),
    ({"type": "resource", "value": "image", "decoration": "excludes"}, "only tag and label filter support decoration"),
])
def test_filters_are_validated(pair, item, message):
    harbor, registry_id = pair
    error(harbor.api("POST", "/replication/policies", json={"name": "p", "dest_registry": {"id": registry_id}, "filters": [item]}),
          400, "BAD_REQUEST", message)


def test_valid_filters_come_back_in_order(pair):
    harbor, registry_id = pair
    filters = [{"type": "name", "value": "library/**"}, {"type": "tag", "value": "1.*", "decoration": "excludes"},
               {"type": "label", "value": ["prod"], "decoration": "matches"}, {"type": "resource", "value": "image"}]
    assert get(harbor, create(harbor, name="p", dest_registry={"id": registry_id}, filters=filters))["filters"] == filters


@pytest.mark.parametrize("namespace", ["Mirror", "mirror/", "a//b", "-x", "mirror\n"])
def test_dest_namespace_must_be_a_repository_name(pair, namespace):
    """src/controller/replication/model/model.go: lib.RepositoryNameRe, whose ``$`` (Go) is the end of the text."""
    harbor, registry_id = pair
    error(harbor.api("POST", "/replication/policies", json={"name": "p", "dest_registry": {"id": registry_id}, "dest_namespace": namespace}),
          400, "BAD_REQUEST", "invalid destination namespace: %s" % namespace)


@pytest.mark.parametrize("trigger, message", [
    ({"type": "hourly"}, "invalid trigger type"),
    ({"type": "scheduled"}, "the cron string cannot be empty when the trigger type is scheduled"),
    ({"type": "scheduled", "trigger_settings": {"cron": "0 2 * * *"}}, "invalid cron string for scheduled trigger: 0 2 * * *"),
    ({"type": "scheduled", "trigger_settings": {"cron": "0 0 25 * * *"}}, "invalid cron string for scheduled trigger: 0 0 25 * * *"),
    ({"type": "scheduled", "trigger_settings": {"cron": "30 0 2 * * *"}},
     "the 1st field (indicating Seconds of time) of the cron setting must be 0"),
    ({"type": "scheduled", "trigger_settings": {"cron": "0 * 2 * * *"}},
     "* is not allowed for the Minutes field of the cron setting of replication policy"),
])
def test_trigger_and_cron_rules(pair, trigger, message):
    harbor, registry_id = pair
    error(harbor.api("POST", "/replication/policies", json={"name": "p", "dest_registry": {"id": registry_id}, "trigger": trigger}),
          400, "BAD_REQUEST", message)


def test_valid_triggers_are_stored(pair):
    harbor, registry_id = pair
    scheduled = {"type": "scheduled", "trigger_settings": {"cron": "0 */15 1-5 * JAN-JUN MON,FRI"}}
    assert get(harbor, create(harbor, name="s", dest_registry={"id": registry_id}, trigger=scheduled))["trigger"] == scheduled
    assert get(harbor, create(harbor, name="e", dest_registry={"id": registry_id}, trigger={"type": "event_based"}))["trigger"] \
        == {"type": "event_based"}


def test_deletion_is_read_and_replicate_deletion_ignored_on_input(pair):
    harbor, registry_id = pair
    ignored = get(harbor, create(harbor, name="a", dest_registry={"id": registry_id}, replicate_deletion=True))
    assert not ignored.get("deletion") and not ignored.get("replicate_deletion")
    read = get(harbor, create(harbor, name="b", dest_registry={"id": registry_id}, deletion=True))
    assert (read["deletion"], read["replicate_deletion"]) == (True, True)


def test_negative_speed_is_clamped_to_zero(pair):
    harbor, registry_id = pair
    assert get(harbor, create(harbor, name="p", dest_registry={"id": registry_id}, speed=-1))["speed"] == 0
    assert get(harbor, create(harbor, name="q", dest_registry={"id": registry_id}, speed=1024))["speed"] == 1024


def test_single_active_replication_with_event_based_trigger_is_an_opaque_500(pair):
    harbor, registry_id = pair
    body = {"name": "p", "dest_registry": {"id": registry_id}, "trigger": {"type": "event_based"}, "single_active_replication": True}
    error(harbor.api("POST", "/replication/policies", json=body), 500, "UNKNOWN", "internal server error")


def test_before_2_14_single_active_replication_is_dropped(emulator_factory):
    old, remote = emulator_factory(version="2.13.0"), emulator_factory()
    registry_id = add_registry(old, remote)
    policy = get(old, create(old, name="p", dest_registry={"id": registry_id}, single_active_replication=True, copy_by_chunk=True))
    assert "single_active_replication" not in policy
    assert policy["copy_by_chunk"] is True


def test_before_2_7_copy_by_chunk_and_before_2_4_speed_are_dropped(emulator_factory):
    old, remote = emulator_factory(version="2.3.0"), emulator_factory()
    registry_id = add_registry(old, remote)
    policy = get(old, create(old, name="p", dest_registry={"id": registry_id}, copy_by_chunk=True, speed=100))
    assert "copy_by_chunk" not in policy and "speed" not in policy
    assert policy["dest_namespace_replace_count"] == -1


def test_put_replaces_the_whole_policy(pair):
    harbor, registry_id = pair
    policy_id = create(harbor, name="p", description="d", dest_registry={"id": registry_id}, enabled=True, deletion=True,
                       override=True, speed=10, dest_namespace="mirror", dest_namespace_replace_count=1, trigger=PUSH_TRIGGER,
                       filters=[{"type": "name", "value": "library/**"}])
    resp = harbor.api("PUT", "/replication/policies/%d" % policy_id, json={"name": "p2", "dest_registry": {"id": registry_id}})
    assert (resp.status_code, resp.text) == (200, "")
    policy = get(harbor, policy_id)
    assert policy["name"] == "p2"
    assert (policy["dest_namespace_replace_count"], policy["speed"]) == (-1, 0)
    for gone in ("description", "enabled", "deletion", "replicate_deletion", "override", "dest_namespace", "trigger"):
        assert gone not in policy
    assert policy["filters"] is None            # an array: null, not omitted


def test_put_validates_then_finds_the_policy(pair):
    harbor, registry_id = pair
    error(harbor.api("PUT", "/replication/policies/42", json={"dest_registry": {"id": registry_id}}), 400, "BAD_REQUEST", "empty name")
    error(harbor.api("PUT", "/replication/policies/42", json={"name": "p", "dest_registry": {"id": registry_id}}), 404, "NOT_FOUND",
          "replication policy 42 not found")


def test_put_refuses_a_name_of_another_policy(pair):
    harbor, registry_id = pair
    create(harbor, name="a", dest_registry={"id": registry_id})
    second = create(harbor, name="b", dest_registry={"id": registry_id})
    error(harbor.api("PUT", "/replication/policies/%d" % second, json={"name": "a", "dest_registry": {"id": registry_id}}),
          409, "CONFLICT", "replication policy a already exists")


def test_get_and_delete_of_a_missing_policy_are_404(harbor):
    harbor.need_emulator()
    error(harbor.api("GET", "/replication/policies/7"), 404, "NOT_FOUND", "replication policy 7 not found")
    error(harbor.api("DELETE", "/replication/policies/7"), 404, "NOT_FOUND", "replication policy 7 not found")


def test_delete_is_refused_while_an_execution_runs_and_removes_the_executions(pair):
    harbor, registry_id = pair
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    harbor.replication(task_seconds=0, hang="library/*")
    policy_id = create(harbor, name="p", dest_registry={"id": registry_id}, enabled=True)
    started = harbor.api("POST", "/replication/executions", json={"policy_id": policy_id})
    execution = started.headers["Location"].rsplit("/", 1)[1]
    error(harbor.api("DELETE", "/replication/policies/%d" % policy_id), 412, "PRECONDITION",
          "contains executions that aren't in final status, stop the execution first")
    assert harbor.api("PUT", "/replication/executions/" + execution).status_code == 200
    wait_status(harbor, execution, "Stopped")
    assert harbor.api("DELETE", "/replication/policies/%d" % policy_id).status_code == 200
    assert harbor.api("GET", "/replication/executions/" + execution).status_code == 404


def wait_status(harbor, execution, status, tries=250):
    """Poll the execution until it reads ``status``; returns it."""
    for _ in range(tries):
        found = harbor.api("GET", "/replication/executions/%s" % execution).json()
        if found["status"] == status:
            return found
        time.sleep(0.02)
    raise AssertionError("execution %s never reached %s: %s" % (execution, status, found))


def test_list_filters_by_q_and_fuzzy_name_newest_first_with_paging_headers(pair):
    harbor, registry_id = pair
    for name in ("alpha", "beta", "alphabet"):
        create(harbor, name=name, dest_registry={"id": registry_id})
    everything = harbor.api("GET", "/replication/policies")
    assert [p["name"] for p in everything.json()] == ["alphabet", "beta", "alpha"]
    assert harbor.api("GET", "/replication/policies", params={"q": "name=alpha"}).json()[0]["name"] == "alpha"
    assert len(harbor.api("GET", "/replication/policies", params={"q": "name=alpha"}).json()) == 1
    assert [p["name"] for p in harbor.api("GET", "/replication/policies", params={"name": "alpha"}).json()] == ["alphabet", "alpha"]
    assert len(harbor.api("GET", "/replication/policies", params={"q": "nmae=alpha"}).json()) == 3
    page = harbor.api("GET", "/replication/policies", params={"page": 1, "page_size": 2})
    assert page.headers["X-Total-Count"] == "3"
    assert page.headers["Link"] == '</api/v2.0/replication/policies?page=2&page_size=2>; rel="next"'


def test_policies_need_a_system_admin(pair):
    harbor, _ = pair
    error(harbor.api("GET", "/replication/policies", auth=None), 401, "UNAUTHORIZED", "unauthorized")
    error(harbor.api("GET", "/replication/policies", auth=("developer", "Developer12345")), 403, "FORBIDDEN", "developer")
    assert harbor.api("GET", "/replication/policies", auth=("robot$automation", "Robot12345")).status_code == 200


def test_binding_refuses_wrong_types_with_422(pair):
    harbor, registry_id = pair
    resp = harbor.api("POST", "/replication/policies", json={"name": "p", "dest_registry": {"id": registry_id}, "enabled": "yes"})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["code"] == "UNPROCESSABLE_ENTITY"
