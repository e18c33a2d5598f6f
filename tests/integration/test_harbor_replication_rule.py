"""harbor_replication_rule with ansible-playbook against two emulators: the connected Harbor and a disconnected one.

The scenarios are those of the guides in docs/docsite/rst/: push to a disconnected Harbor (guide_air_gap) and pull from
SUSE Application Collection (guide_application_collection). Endpoints are created through the API so that these
tests depend on no other module.
"""
import pytest
import requests

from tests.support.names import unique

MODULE = "registryops.harbor.harbor_replication_rule"
RULE, DISCONNECTED, APPCO, AC_PROXY = (unique("to-disconnected"), unique("disconnected-harbor"), unique("application-collection"),
                                       unique("ac-proxy"))

# Scenario B: a push rule to the disconnected Harbor (tag filter, namespace, nightly schedule, bandwidth limit).
PUSH_RULE = dict(name=RULE, description="Nightly copy to the air gap", mode="push", registry=DISCONNECTED,
                 filters={"name": "library/**", "tag": "v*"}, dest_namespace="mirror", flattening="none",
                 trigger="scheduled", cron="0 0 2 * * *", bandwidth="10MiB/s")
# Scenario D: pull everything of SUSE Application Collection into the application-collection namespace.
AC_RULE = dict(name=APPCO, mode="pull", registry=APPCO,
               filters={"name": "**", "tag": "**"}, dest_namespace=APPCO, flattening="none", trigger="manual")


def api(target, method, path, params=None, json=None):
    """A direct API call (set-up and checks), outside the modules under test."""
    resp = requests.request(method, target.url.rstrip("/") + "/api/v2.0" + path, params=params, json=json,
                            auth=(target.username, target.password), verify=getattr(target, "ca_path", None) or True, timeout=30)
    resp.raise_for_status()
    return resp.json() if resp.content and resp.headers.get("Content-Type", "").startswith("application/json") else resp


def add_endpoints(connected, disconnected):
    """On ``connected``: the disconnected Harbor (scenario B) and an Application-Collection-like registry (scenario D)."""
    credential = {"type": "basic", "access_key": disconnected.username, "access_secret": disconnected.password}
    for name, kind in ((DISCONNECTED, "harbor"), (APPCO, "docker-registry")):
        api(connected, "POST", "/registries",
            json={"name": name, "type": kind, "url": disconnected.url, "insecure": True, "credential": credential})


def policy(target, name):
    found = [p for p in api(target, "GET", "/replication/policies", params={"q": "name=%s" % name}) if p["name"] == name]
    return found[0] if found else None


def failed(result):
    """A task result that failed (the recording callback marks it with status=failed)."""
    return result.get("failed") is True or result.get("status") == "failed"


def rule_task(name, args, module=MODULE):
    return {"name": name, module: dict(args)}


pytestmark = pytest.mark.usefixtures("endpoints")


@pytest.fixture
def endpoints(harbor_pair):
    connected, disconnected = harbor_pair
    add_endpoints(connected, disconnected)
    return connected, disconnected


@pytest.fixture
def connected(endpoints):
    endpoints[0].clear_log()
    return endpoints[0]


@pytest.mark.core_matrix
def test_push_rule_to_disconnected_harbor(run_play, connected):
    play = run_play([rule_task("push rule", PUSH_RULE)], target=connected)
    assert play.rc == 0, play.output
    result = play.result("push rule")
    assert result["changed"] is True
    assert result["after"]["registry"] == DISCONNECTED

    stored = policy(connected, RULE)
    endpoint_id = api(connected, "GET", "/registries", params={"q": "name=" + DISCONNECTED})[0]["id"]
    assert stored["dest_registry"]["id"] == endpoint_id
    assert stored["src_registry"]["id"] == 0
    assert stored["trigger"] == {"type": "scheduled", "trigger_settings": {"cron": "0 0 2 * * *"}}
    assert stored["speed"] == 81920          # 10 MiB/s in Harbor's unit (1024 bit/s = 128 B/s, src/lib/iothrottler.go)
    assert stored["dest_namespace"] == "mirror"
    assert stored["dest_namespace_replace_count"] == 0
    assert stored.get("enabled") is True
    assert sorted((f["type"], f["value"], f.get("decoration") or "") for f in stored["filters"]) == [
        ("name", "library/**", ""), ("tag", "v*", "matches")]

    connected.clear_log()
    again = run_play([rule_task("push rule", PUSH_RULE)], target=connected)
    assert again.rc == 0, again.output
    assert again.result("push rule")["changed"] is False
    assert connected.writes() == []


@pytest.mark.core_matrix
def test_pull_rule_from_application_collection(run_play, connected):
    play = run_play([rule_task("pull rule", AC_RULE)], target=connected)
    assert play.rc == 0, play.output
    stored = policy(connected, APPCO)
    endpoint_id = api(connected, "GET", "/registries", params={"q": "name=" + APPCO})[0]["id"]
    assert stored["src_registry"]["id"] == endpoint_id
    assert stored["dest_registry"]["id"] == 0
    assert stored["dest_namespace"] == APPCO
    assert stored["dest_namespace_replace_count"] == 0
    assert stored["trigger"]["type"] == "manual"
    assert {f["type"]: f["value"] for f in stored["filters"]} == {"name": "**", "tag": "**"}
    assert play.result("pull rule")["after"]["flattening"] == "none"

    connected.clear_log()
    again = run_play([rule_task("pull rule", AC_RULE)], target=connected)
    assert again.result("pull rule")["changed"] is False
    assert connected.writes() == []


def test_filters_compare_in_any_order(run_play, connected):
    """Filters, and the labels of a label filter, stored in another order (as the UI might save them) are not a change."""
    rule = dict(PUSH_RULE, filters=dict(PUSH_RULE["filters"], labels=["approved", "release"]))
    run_play([rule_task("create", rule)], target=connected)
    stored = policy(connected, RULE)
    stored["filters"] = [dict(f, value=list(reversed(f["value"]))) if f["type"] == "label" else f for f in reversed(stored["filters"])]
    stored["deletion"] = stored.get("replicate_deletion", False)   # false booleans are left out of Harbor's answers
    api(connected, "PUT", "/replication/policies/%s" % stored["id"], json=stored)
    connected.clear_log()
    again = run_play([rule_task("again", rule)], target=connected)
    assert again.result("again")["changed"] is False
    assert connected.writes() == []


def test_speed_minus_one_is_unlimited(run_play, connected):
    rule = dict(AC_RULE, bandwidth=-1)
    run_play([rule_task("create", rule)], target=connected)
    assert policy(connected, APPCO)["speed"] == 0
    connected.clear_log()
    for value in (-1, 0, "unlimited"):
        again = run_play([rule_task("again", dict(AC_RULE, bandwidth=value))], target=connected)
        assert again.result("again")["changed"] is False, value
    assert connected.writes() == []


# The rule the change test starts from: every boolean away from Harbor's zero value, so that a PUT that dropped an
# option the user did not give (Harbor resets it to false / -1 / 0) shows up as a change of that field.
CHANGE_BASE = dict(PUSH_RULE, replicate_deletion=True, copy_by_chunk=True, single_active_replication=True, override=True)

CHANGES = [
    ("description", "Weekly copy"),
    ("enabled", False),
    ("mode", "pull"),
    ("registry", APPCO),
    ("filters", {"name": "library/nginx", "tag": "1.*", "tag_decoration": "excludes"}),
    ("filters", {"name": "library/**", "labels": ["approved", "release"], "label_decoration": "excludes", "resource": "image"}),
    ("dest_namespace", "backup"),
    ("flattening", 1),
    ("flattening", "all"),
    ("trigger", "manual"),
    ("cron", "0 30 3 * * 1"),
    ("bandwidth", "512KB/s"),
    ("override", False),
    ("replicate_deletion", False),
    ("copy_by_chunk", False),
    ("single_active_replication", False),
]

# Harbor field -> the options that may change it
FIELDS = {"description": ("description",), "enabled": ("enabled",), "dest_namespace": ("dest_namespace",),
          "dest_namespace_replace_count": ("flattening",), "speed": ("bandwidth",), "override": ("override",),
          "deletion": ("replicate_deletion",), "replicate_deletion": ("replicate_deletion",), "copy_by_chunk": ("copy_by_chunk",),
          "single_active_replication": ("single_active_replication",), "trigger": ("trigger", "cron"), "filters": ("filters",),
          "src_registry": ("mode", "registry"), "dest_registry": ("mode", "registry")}


def comparable(stored, field):
    value = stored.get(field)
    if field.endswith("_registry"):
        return (value or {}).get("id", 0)
    if field == "filters":
        return sorted(map(str, value or []))
    return value


@pytest.mark.parametrize("option,value", CHANGES, ids=["%s-%s" % (o, i) for i, (o, _) in enumerate(CHANGES)])
def test_change_of_each_option_keeps_the_others(run_play, connected, option, value):
    create = run_play([rule_task("create", CHANGE_BASE)], target=connected)
    assert create.rc == 0, create.output
    before = policy(connected, RULE)
    assert before["deletion"] is True and before["copy_by_chunk"] is True and before["single_active_replication"] is True
    play = run_play([rule_task("change", {"name": RULE, option: value})], target=connected, diff=True)
    assert play.rc == 0, play.output
    result = play.result("change")
    assert result["changed"] is True
    assert result["diff"]["before"][option] != result["diff"]["after"][option]
    after = policy(connected, RULE)
    # Harbor's PUT replaces everything: the options that were not given keep their values.
    for field, options in FIELDS.items():
        if option not in options:
            assert comparable(after, field) == comparable(before, field), field
        if option == "trigger":
            assert comparable(after, "trigger")["type"] == "manual"
    if option == "replicate_deletion":
        assert after.get("deletion", False) is False and after.get("replicate_deletion", False) is False
    if option == "mode":
        assert (comparable(after, "src_registry"), comparable(after, "dest_registry")) == (comparable(before, "dest_registry"), 0)

    connected.clear_log()
    again = run_play([rule_task("change", {"name": RULE, option: value})], target=connected)
    assert again.result("change")["changed"] is False
    assert connected.writes() == []


def test_switch_to_event_based_push_and_back(run_play, connected):
    run_play([rule_task("create", PUSH_RULE)], target=connected)
    play = run_play([rule_task("event", {"name": RULE, "trigger": "event_based"})], target=connected)
    assert play.rc == 0, play.output
    assert policy(connected, RULE)["trigger"]["type"] == "event_based"
    assert play.result("event")["after"]["cron"] is None
    back = run_play([rule_task("back", {"name": RULE, "trigger": "scheduled", "cron": "0 0 4 * * *"})], target=connected)
    assert back.rc == 0, back.output
    assert policy(connected, RULE)["trigger"]["trigger_settings"]["cron"] == "0 0 4 * * *"


def test_check_mode_creates_nothing_and_predicts(run_play, connected):
    play = run_play([rule_task("push rule", PUSH_RULE)], target=connected, check=True, diff=True)
    assert play.rc == 0, play.output
    result = play.result("push rule")
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["bandwidth"] == "10 MiB/s"
    assert result["after"]["bandwidth"] == 81920
    assert connected.writes() == []
    assert policy(connected, RULE) is None

    # The prediction is the whole rule that the real run creates, defaults included.
    create = run_play([rule_task("create", PUSH_RULE)], target=connected, diff=True)
    assert create.result("create")["after"] == result["after"]
    assert create.result("create")["diff"]["after"] == result["diff"]["after"]
    connected.clear_log()
    change = run_play([rule_task("change", {"name": RULE, "enabled": False})], target=connected, check=True)
    assert change.result("change")["changed"] is True
    assert change.result("change")["after"] == dict(create.result("create")["after"], enabled=False)
    assert connected.writes() == []
    assert policy(connected, RULE).get("enabled") is True


def test_empty_cron_is_no_cron(run_play, connected):
    """``cron: ""`` is what a null cron of harbor_replication_rule_info renders as in ansible-core < 2.19."""
    run_play([rule_task("create", AC_RULE)], target=connected)
    connected.clear_log()
    play = run_play([rule_task("again", dict(AC_RULE, cron=""))], target=connected)
    assert play.rc == 0, play.output
    assert play.result("again")["changed"] is False
    assert connected.writes() == []


def test_delete(run_play, connected):
    run_play([rule_task("create", PUSH_RULE)], target=connected)
    check = run_play([rule_task("delete", {"name": RULE, "state": "absent"})], target=connected, check=True)
    assert check.result("delete")["changed"] is True
    assert policy(connected, RULE) is not None
    play = run_play([rule_task("delete", {"name": RULE, "state": "absent"})], target=connected)
    assert play.result("delete")["changed"] is True
    assert play.result("delete")["after"] is None
    assert policy(connected, RULE) is None
    connected.clear_log()
    again = run_play([rule_task("delete", {"name": RULE, "state": "absent"})], target=connected)
    assert again.result("delete")["changed"] is False
    assert connected.writes() == []


@pytest.mark.emulator_only("injects a 412 answer to the delete (fault control)")
def test_delete_still_refused_after_stopping_is_explained(run_play, connected):
    """Harbor answers 412 although stop_running stopped what ran (an execution outlived stop_timeout): say so."""
    run_play([rule_task("create", PUSH_RULE)], target=connected)
    connected.fault(method="DELETE", path="/api/v2.0/replication/policies/*", status=412,
                    message="contains executions that aren't in final status, stop the execution first")
    play = run_play([rule_task("delete", {"name": RULE, "state": "absent", "stop_running": True, "stop_timeout": 5})],
                    target=connected)
    result = play.result("delete")
    assert failed(result)
    assert "still has an execution that is not finished" in result["msg"]
    assert "up to 5 seconds (stop_timeout)" in result["msg"]
    assert "set stop_running=true" not in result["msg"]
    assert policy(connected, RULE) is not None


BAD = [
    ({"cron": "0 0 2 * *"}, "cron: Harbor needs 6 fields"),
    ({"cron": "30 0 2 * * *"}, "cron: the first field (seconds) must be 0"),
    ({"cron": "0 * 2 * * *"}, "cron: the minutes field must not be *"),
    ({"trigger": "scheduled", "cron": None}, "trigger is scheduled but all of the following are missing: cron"),
    ({"trigger": "manual"}, "cron: only used with trigger=scheduled"),
    ({"mode": "pull", "trigger": "event_based", "cron": None}, "trigger: event_based works only for mode=push"),
    ({"trigger": "event_based", "cron": None, "single_active_replication": True}, "single_active_replication: cannot be true"),
    ({"filters": {"name": "library/**", "labels": "approved"}}, "filters.labels: must be a list"),
    ({"filters": {"name": "library/nginx"}, "flattening": 2}, "flattening: 2 levels is deeper"),
    ({"flattening": "some"}, "flattening: expected none (0), 1, 2, 3"),
    # issue 21: what Harbor refuses with an opaque 422 or 500 is refused before any request, naming the option
    ({"flattening": 999}, "flattening: expected none (0), 1, 2, 3... (the number of leading path levels to remove, at most 127"),
    ({"name": "r" * 300}, "name: must be 1 to 256 characters"),
    ({"dest_namespace": "m" * 257}, "dest_namespace: must be at most 256 characters"),
    ({"filters": {"name": ["library/" + "n" * 90 + str(i) for i in range(12)]}}, "filters: Harbor stores a rule's filters as JSON in at most 1024"),
    # issue 20: digits str.isdigit() takes and int() refuses, fractions of a Kbps that round to unlimited, odd names
    ({"flattening": "\u00b2"}, "flattening: expected none (0)"),
    ({"bandwidth": "\u00b2"}, "bandwidth: expected a rate with a unit"),
    ({"trigger": "scheduled", "cron": "0 \u00b2 * * * *"}, "cron: the minutes field"),
    ({"trigger": "scheduled", "cron": "0 \u0661 * * * *"}, "cron: the minutes field"),
    ({"bandwidth": "0.4"}, "bandwidth: '0.4' Kbps rounds to 0, which Harbor reads as unlimited"),
    ({"name": "   "}, "name: the name of a replication rule must not be empty or blank"),
    ({"name": "to\u202edisconnected"}, "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ({"bandwidth": "fast"}, "bandwidth: expected a rate with a unit"),
    ({"bandwidth": "10M"}, "bandwidth: expected a rate with a unit"),
    ({"dest_namespace": "Bad Namespace"}, "dest_namespace:"),
]


@pytest.mark.parametrize("change,message", BAD, ids=[m.split(":")[0] + "-%d" % i for i, (_, m) in enumerate(BAD)])
def test_bad_input_is_rejected_before_any_request(run_play, connected, change, message):
    connected.clear_log()
    rule = {k: v for k, v in dict(PUSH_RULE, **change).items() if v is not None}
    play = run_play([rule_task("bad", rule)], target=connected)
    result = play.result("bad")
    assert failed(result)
    assert message in result["msg"]
    assert connected.writes() == []
    assert [r["path"] for r in connected.requests_log()] in ([], ["/api/v2.0/systeminfo"])


def test_negative_stop_timeout_is_rejected_before_any_request(run_play, connected):
    play = run_play([rule_task("bad", {"name": RULE, "state": "absent", "stop_running": True, "stop_timeout": -1})],
                    target=connected)
    assert failed(play.result("bad"))
    assert "stop_timeout: must be 0 or more" in play.result("bad")["msg"]
    assert connected.requests_log() == []


def test_unknown_endpoint_lists_the_existing_ones(run_play, connected):
    play = run_play([rule_task("bad", dict(PUSH_RULE, registry=unique("nope")))], target=connected)
    result = play.result("bad")
    assert failed(result)
    assert "registry: no registry endpoint named '%s'" % unique("nope") in result["msg"]
    assert APPCO in result["msg"] and DISCONNECTED in result["msg"]
    assert connected.writes() == []


def test_create_needs_mode_and_registry(run_play, connected):
    play = run_play([rule_task("bad", {"name": unique("incomplete"), "description": "x"})], target=connected)
    assert "mode and registry: required to create replication rule %s" % unique("incomplete") in play.result("bad")["msg"]
    assert connected.writes() == []


def test_event_based_on_an_existing_pull_rule_is_rejected(run_play, connected):
    run_play([rule_task("create", AC_RULE)], target=connected)
    connected.clear_log()
    play = run_play([rule_task("bad", {"name": APPCO, "trigger": "event_based"})], target=connected)
    assert "trigger: event_based works only for mode=push" in play.result("bad")["msg"]
    assert connected.writes() == []


GATES = [
    ("2.13.0", "single_active_replication", True, "2.14.0"),
    ("2.6.0", "copy_by_chunk", True, "2.7.0"),
    ("2.3.0", "bandwidth", "1MB/s", "2.4.0"),
    ("2.2.0", "flattening", "none", "2.3.0"),
]


@pytest.mark.emulator_only("emulators of older Harbor versions (version control)")
@pytest.mark.parametrize("version,option,value,needed", GATES, ids=[g[1] for g in GATES])
def test_fields_newer_than_the_server_are_refused(run_play, emulator_factory, harbor_pair, version, option, value, needed):
    old = emulator_factory(version=version)
    add_endpoints(old, harbor_pair[1])
    old.clear_log()
    rule = {k: v for k, v in AC_RULE.items() if k != "flattening"}
    play = run_play([rule_task("new field", dict(rule, **{option: value}))], target=old)
    result = play.result("new field")
    assert failed(result)
    assert "%s: needs Harbor %s or later; this Harbor is v%s" % (option, needed, version) in result["msg"]
    assert old.writes() == []
    # Without the option the rule is created as check mode predicts, and the option's "off" value reads back unchanged.
    check = run_play([rule_task("fine", rule)], target=old, check=True)
    off = {"single_active_replication": False, "copy_by_chunk": False, "bandwidth": "unlimited", "flattening": "all"}[option]
    fine = run_play([rule_task("fine", rule), rule_task("again", dict(rule, **{option: off}))], target=old)
    assert fine.rc == 0, fine.output
    assert fine.result("fine")["changed"] is True
    assert fine.result("fine")["after"] == check.result("fine")["after"]
    assert fine.result("again")["changed"] is False


def test_secrets_never_in_output(run_play, connected):
    play = run_play([rule_task("push rule", PUSH_RULE)], target=connected, verbosity=3, diff=True)
    assert play.rc == 0
    assert connected.password not in play.output
    assert "access_secret" not in play.output


# -- issue 10 -------------------------------------------------------------------------------------------------------
def test_lists_of_name_and_tag_patterns_become_harbors_alternatives(run_play, connected):
    """Defect 5: a list was stored as the text "['v1*', 'v2*']", which fails every execution."""
    rule = dict(PUSH_RULE, filters={"name": ["library/nginx", "library/redis"], "tag": ["v1*", "v2*"]})
    play = run_play([rule_task("lists", rule)], target=connected)
    assert play.rc == 0, play.output
    stored = {f["type"]: f["value"] for f in policy(connected, RULE)["filters"]}
    assert (stored["name"], stored["tag"]) == ("{library/nginx,library/redis}", "{v1*,v2*}")
    connected.clear_log()
    again = run_play([rule_task("lists", rule)], target=connected)
    assert again.rc == 0 and again.result("lists")["changed"] is False, again.output
    assert connected.writes() == []

    bad = run_play([rule_task("bad", dict(PUSH_RULE, filters={"tag": ["v1*", 2]}))], target=connected)
    assert bad.rc != 0
    assert "filters.tag: a list must hold non-empty patterns" in bad.result("bad")["msg"]
    assert connected.writes() == []


@pytest.mark.parametrize("rule", [
    dict(AC_RULE, dest_namespace=AC_PROXY),
    dict(AC_RULE, dest_namespace="", filters={"name": AC_PROXY + "/**"}),
], ids=["dest_namespace", "source-path"])
def test_pull_into_a_proxy_cache_project_is_refused_before_any_write(run_play, connected, rule):
    """Defect 6: Harbor refuses every push into a proxy-cache project (NOTES.md section 3)."""
    endpoint = [r for r in api(connected, "GET", "/registries", params={"q": "name=" + APPCO}) if r["name"] == APPCO][0]
    api(connected, "POST", "/projects", json={"project_name": AC_PROXY, "registry_id": endpoint["id"], "metadata": {"public": "true"}})
    connected.clear_log()
    play = run_play([rule_task("pull", rule)], target=connected)
    assert play.rc != 0
    msg = play.result("pull")["msg"]
    assert "would pull into project %s" % AC_PROXY in msg and "proxy-cache project" in msg and "set dest_namespace to another project" in msg
    assert connected.writes() == []
    assert policy(connected, APPCO) is None


@pytest.mark.parametrize("value, speed", [
    ("10MiB/s", 81920), ("10MB/s", 78125), ("512kB/s", 4000), ("100Mbit/s", 97656), ("4096", 4096),
])
def test_one_unit_rule_for_bandwidth(run_play, connected, value, speed):
    """Issue 10, defect 11: k/M/G are powers of 1000 and Ki/Mi/Gi powers of 1024, as for storage_quota; a bare number is
    Harbor's unit (Kbps: 1024 bit/s = 128 bytes/s, src/lib/iothrottler.go); the diff shows the human form."""
    play = run_play([rule_task("bw", dict(AC_RULE, bandwidth=value))], target=connected, diff=True)
    assert play.rc == 0, play.output
    assert policy(connected, APPCO)["speed"] == speed
    assert play.result("bw")["diff"]["after"]["bandwidth"].endswith("/s")
