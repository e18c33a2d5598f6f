"""Day 2 with the roles (issue 19), through real ansible-playbook runs against Harbors (emulated, or the real ones): a bad entry is refused
before any request, a used proxy cache is removed with purge, prune removes what the inventory dropped (and only what
the role made), and executions are never doubled - two runs at once, or a re-run after a wait that timed out, end with
one execution per rule. (The honest check-mode plan on fresh Harbors is test_site.py's check test.)"""
import re
import threading

import pytest

from tests.integration.test_roles_lists import PROXY_CACHE, REPLICATION, names, role, task, upstream_entry
from tests.integration.test_site import host, run_site
from tests.support.harbor import ADMIN
from tests.support.names import unique

UPSTREAM_SECRET = "day2-upstream-secret"
# what the converging tests make (unique per test process: the Harbors may be shared real ones)
PEER_A, PEER_B, BY_HAND, BY_HAND_RULE = unique("peer-a"), unique("peer-b"), unique("by-hand"), unique("by-hand-rule")
PUSH_A, PUSH_B, PUSH_C = unique("push-a"), unique("push-b"), unique("push-c")
PUSH_RULE, TO_DISCONNECTED, NVAIE = unique("nvaie-to-disconnected"), unique("disconnected-harbor"), unique("nvaie")
CACHE_ONLY_AFTER_BLOBS = ("the role's test read fills the emulator's cache; a real Harbor v2.15.2 caches an image only once "
                          "a client pulled its blobs (the Compatibility page)")


def repositories(target, project):
    return sorted(r["name"] for r in target.api("GET", "/projects/%s/repositories" % project).json())


def executions(target, rule):
    policy, = [p for p in target.api("GET", "/replication/policies", params={"page_size": 100}).json() if p["name"] == rule]
    return target.api("GET", "/replication/executions", params={"policy_id": policy["id"]}).json()


def every_name(target, path):
    """Every name at ``path`` (a fresh emulator holds only what the test made)."""
    return sorted(item["name"] for item in target.api("GET", path, params={"page_size": 100}).json())


def one_line(output):
    return " ".join(output.split())


# -- a bad entry: nothing is written, nothing is even read ---------------------------------------------------------
@pytest.mark.core_matrix
def test_a_bad_third_entry_is_refused_before_any_request_naming_the_role_variable(harbor_factory, emulator_factory, tmp_path):
    upstream, connected, disconnected = emulator_factory(), harbor_factory(), harbor_factory()
    upstreams = [upstream_entry(upstream, "up-a", "cache-a", access_key="puller", access_secret=UPSTREAM_SECRET),
                 upstream_entry(upstream, "up-b", "cache-b", storage_quota="500GiB"),
                 dict(name="DockerHub2", preset="docker-hub", project="DockerHub2", storage_quota="lots")]
    rules = [dict(name="push-a", endpoint="disconnected-harbor", filters={"name": "a/**"}, dest_project={}),
             dict(name="push-b", endpoint="disconnected-harbor", filters={"name": "b/**"}),
             dict(name="push-c", endpoint="disconnected-harbor", filters={"name": "c/**"}, trigger="scheduled", cron="0 * 2 * * *",
                  dest_project={"storage_quota": "lots"})]
    endpoints = [dict(name="disconnected-harbor", host="harbor-disconnected", robot=False)]   # the admin (robots: test_roles_robots.py)
    inventory = dict(connected={"harbor-connected": host(connected, proxy_cache_upstreams=upstreams, replication_endpoints=endpoints,
                                                         replication_rules=rules, replication_wait_timeout=-5)},
                     disconnected={"harbor-disconnected": host(disconnected)})
    for playbook in ("proxy_cache.yml", "replication.yml"):
        for target in (connected, disconnected):
            target.clear_log()
        run = run_site(tmp_path, playbook=playbook, args=["-vvv"], **inventory)
        assert run.rc != 0 and run.recap["harbor-connected"]["failed"] == 1, run.output[-4000:]
        # refused before the first module call: no write, not even a read, on any Harbor
        assert connected.requests_log() == [] and disconnected.requests_log() == []
        out = one_line(run.output)
        assert "nothing was written to Harbor" in out
        for secret in (UPSTREAM_SECRET, ADMIN[1]):
            assert secret not in run.output                                    # not even with -vvv
    assert "proxy_cache_upstreams[2].project (name DockerHub2): 'DockerHub2' is not a Harbor project name" in one_line(
        run_site(tmp_path, playbook="proxy_cache.yml", **inventory).output)
    out = one_line(run.output)
    assert "replication: 3 problem(s) in the role's variables" in out
    assert "replication_wait_timeout: -5 seconds" in out and "Fix: give 1 or more" in out
    assert "replication_rules[2].cron (name push-c): the minutes field must not be *" in out
    assert "replication_rules[2].dest_project.storage_quota (name push-c): expected a size such as 10GiB" in out


# -- removal and prune --------------------------------------------------------------------------------------------------
@pytest.mark.emulator_only(CACHE_ONLY_AFTER_BLOBS)
def test_a_used_proxy_cache_is_removed_with_purge(run_play, emulator_factory):
    """A cache that served a pull holds repositories, and Harbor deletes only empty projects: without purge the run
    fails naming the fix (the endpoint stays); with purge, check mode lists the repositories, then the run removes the
    project with them and the endpoint, and a re-run changes and writes nothing. An absent entry needs only its name
    (and its project's)."""
    upstream, harbor = emulator_factory(), emulator_factory()
    upstream.seed(project="library", repository="alpine", tags=["3.20"])
    used = upstream_entry(upstream, "up", "cache", test_reference="library/alpine:3.20")
    first = run_play([role(PROXY_CACHE, proxy_cache_upstreams=[used])], target=harbor)
    assert first.rc == 0 and "Served through the cache: /v2/cache/library/alpine/manifests/3.20" in first.output, first.output[-4000:]
    assert repositories(harbor, "cache") == ["cache/library/alpine"]

    gone = dict(name="up", project="cache", state="absent")
    refused = run_play([role(PROXY_CACHE, proxy_cache_upstreams=[gone])], target=harbor)
    assert refused.rc != 0
    assert "project cache holds 1 repositories (library/alpine) and Harbor deletes only empty projects" in refused.output
    assert "set purge: true" in refused.output
    assert every_name(harbor, "/registries") == ["up"] and repositories(harbor, "cache") == ["cache/library/alpine"]

    harbor.clear_log()
    check = run_play([role(PROXY_CACHE, proxy_cache_upstreams=[dict(gone, purge=True)])], target=harbor, check=True, diff=True)
    assert check.rc == 0, check.output[-4000:]
    removal = task(check, PROXY_CACHE, "Remove the proxy-cache projects of removed upstreams (purge removes their repositories first)")
    assert [(r["name"], r["changed"], r["removed_repositories"]) for r in removal["results"]] == [("cache", True, ["library/alpine"])]
    assert "--- before: projects[0] cache" in check.output and "--- before: registries[0] up" in check.output
    assert harbor.writes() == []

    removed = run_play([role(PROXY_CACHE, proxy_cache_upstreams=[gone], proxy_cache_purge=True)], target=harbor)   # role-wide
    assert removed.rc == 0, removed.output[-4000:]
    assert every_name(harbor, "/registries") == [] and every_name(harbor, "/projects") == ["library"]
    harbor.clear_log()
    again = run_play([role(PROXY_CACHE, proxy_cache_upstreams=[gone], proxy_cache_purge=True)], target=harbor)
    assert again.rc == 0 and again.changed == 0 and harbor.writes() == []


@pytest.mark.emulator_only(CACHE_ONLY_AFTER_BLOBS)
def test_prune_removes_a_proxy_cache_dropped_from_the_upstreams_and_nothing_else(run_play, emulator_factory):
    upstream, harbor = emulator_factory(), emulator_factory()
    upstream.seed(project="library", repository="alpine", tags=["3.20"])
    upstreams = [upstream_entry(upstream, "up-a", "cache-a"),
                 upstream_entry(upstream, "up-b", "cache-b", test_reference="library/alpine:3.20")]
    assert run_play([role(PROXY_CACHE, proxy_cache_upstreams=upstreams)], target=harbor).rc == 0
    # an endpoint and a proxy cache made by hand, which no role variable ever named
    harbor.api("POST", "/registries", json={"name": "by-hand", "type": "docker-registry", "url": upstream.url})
    hand_id = [r["id"] for r in harbor.api("GET", "/registries").json() if r["name"] == "by-hand"][0]
    harbor.api("POST", "/projects", json={"project_name": "hand-cache", "registry_id": hand_id})

    kept = dict(proxy_cache_upstreams=upstreams[:1], proxy_cache_prune=True, proxy_cache_purge=True)
    harbor.clear_log()
    check = run_play([role(PROXY_CACHE, **kept)], target=harbor, check=True, diff=True)
    assert check.rc == 0, check.output[-4000:]
    assert harbor.writes() == []
    listed = task(check, PROXY_CACHE, "Prune (objects marked by this role that proxy_cache_upstreams no longer lists)")["msg"]
    assert listed == ["prune: proxy-cache project cache-b of endpoint up-b, with its 1 repositories (proxy_cache_purge)",
                      "prune: endpoint up-b (marked [managed by registryops.harbor.proxy_cache], no longer in proxy_cache_upstreams)"]
    assert "--- before: projects[0] cache-b" in check.output and "--- before: registries[0] up-b" in check.output

    applied = run_play([role(PROXY_CACHE, **kept)], target=harbor)
    assert applied.rc == 0, applied.output[-4000:]
    assert every_name(harbor, "/registries") == ["by-hand", "up-a"]
    assert every_name(harbor, "/projects") == ["cache-a", "hand-cache", "library"]
    harbor.clear_log()
    again = run_play([role(PROXY_CACHE, **kept)], target=harbor)
    assert again.rc == 0 and again.changed == 0 and harbor.writes() == []
    assert task(again, PROXY_CACHE, "Prune (objects marked by this role that proxy_cache_upstreams no longer lists)")["msg"] == \
        "prune: nothing to remove"


@pytest.mark.core_matrix
def test_prune_removes_a_rule_and_an_endpoint_dropped_from_the_variables(run_play, emulator_factory, harbor):
    """Check mode (and --diff) first lists both, with no write; then they go, the rule and endpoint made by hand stay; a
    re-run changes and writes nothing. A rule with state absent needs only its name."""
    peer = emulator_factory()
    endpoints = [dict(name=PEER_A, url=peer.url, access_key=ADMIN[0], access_secret=ADMIN[1]),
                 dict(name=PEER_B, url=peer.url, access_key=ADMIN[0], access_secret=ADMIN[1], description="second peer")]
    rules = [dict(name=PUSH_A, endpoint=PEER_A, filters={"name": "src-a/**"}),
             dict(name=PUSH_B, registry=PEER_B, filters={"name": "src-b/**"}, description="nightly"),
             dict(name=PUSH_C, endpoint=PEER_A, filters={"name": "src-c/**"})]
    first = run_play([role(REPLICATION, replication_endpoints=endpoints, replication_rules=rules, replication_sync=False)], target=harbor)
    assert first.rc == 0, first.output[-4000:]
    # Harbor omits an empty description (a shared Harbor may hold rules without one)
    described = dict((p["name"], p.get("description")) for p in harbor.api("GET", "/replication/policies", params={"page_size": 100}).json())
    assert described[PUSH_B] == "nightly [managed by registryops.harbor.replication]"
    harbor.api("POST", "/registries", json={"name": BY_HAND, "type": "harbor", "url": peer.url,
                                            "credential": {"access_key": ADMIN[0], "access_secret": ADMIN[1]}})
    hand_id = [r["id"] for r in harbor.api("GET", "/registries", params={"page_size": 100}).json() if r["name"] == BY_HAND][0]
    harbor.api("POST", "/replication/policies", json={"name": BY_HAND_RULE, "dest_registry": {"id": hand_id}, "enabled": True,
                                                      "filters": [{"type": "name", "value": "x/**"}], "description": "mine"})

    after = dict(replication_endpoints=endpoints[:1], replication_rules=[rules[0], dict(name=PUSH_C, state="absent")],
                 replication_sync=False, replication_prune=True)
    harbor.clear_log()
    check = run_play([role(REPLICATION, **after)], target=harbor, check=True, diff=True)
    assert check.rc == 0, check.output[-4000:]
    assert harbor.writes() == []
    assert task(check, REPLICATION, "Prune (objects marked by this role that its variables no longer list)")["msg"] == [
        "prune: replication rule %s (marked [managed by registryops.harbor.replication], no longer in replication_rules)" % PUSH_B,
        "prune: endpoint %s (marked [managed by registryops.harbor.replication], no longer in replication_endpoints)" % PEER_B]
    removal = task(check, REPLICATION, "Remove the rules that are absent or pruned (their running executions are stopped first)")
    assert [(r["name"], r["changed"]) for r in removal["results"]] == [(PUSH_C, True), (PUSH_B, True)]
    for header in ("--- before: rules[0] " + PUSH_C, "--- before: rules[1] " + PUSH_B, "--- before: registries[0] " + PEER_B):
        assert header in check.output, header

    applied = run_play([role(REPLICATION, **after)], target=harbor)
    assert applied.rc == 0, applied.output[-4000:]
    assert names(harbor, "/registries") == [BY_HAND, PEER_A]
    assert names(harbor, "/replication/policies") == [BY_HAND_RULE, PUSH_A]
    harbor.clear_log()
    again = run_play([role(REPLICATION, **after)], target=harbor)
    assert again.rc == 0 and again.changed == 0, again.output[-4000:]
    assert harbor.writes() == []


def test_objects_made_by_hand_are_adopted_unmarked_and_prune_marks_only_the_listed_ones(run_play, emulator_factory, harbor):
    """Endpoints, a proxy cache and a rule made by hand, then listed in the roles' variables: with prune off the roles
    adopt them as they are (no mark, no write); prune on marks the listed ones (shown by check mode and --diff first) and
    leaves the unlisted ones, unmarked, where they are; a re-run changes and writes nothing."""
    upstream, peer = emulator_factory(), emulator_factory()
    cache_endpoint, cache, adopted, adopted_rule = unique("hand-up"), unique("hand-cache"), unique("hand-peer"), unique("hand-rule")
    stray, stray_rule = unique("stray-peer"), unique("stray-rule")
    created = {}
    for name, kind, url, description in ((cache_endpoint, "docker-registry", upstream.url, "mirror by hand"),
                                         (adopted, "harbor", peer.url, ""), (stray, "harbor", peer.url, "not listed")):
        harbor.api("POST", "/registries", json={"name": name, "type": kind, "url": url, "description": description,
                                                "credential": {"access_key": ADMIN[0], "access_secret": ADMIN[1]}})
    for reg in harbor.api("GET", "/registries", params={"page_size": 100}).json():
        created[reg["name"]] = reg["id"]
    harbor.api("POST", "/projects", json={"project_name": cache, "registry_id": created[cache_endpoint], "storage_limit": -1,
                                          "metadata": {"public": "true"}})
    for name, endpoint, description in ((adopted_rule, adopted, "nightly"), (stray_rule, stray, "")):
        harbor.api("POST", "/replication/policies", json={
            "name": name, "description": description, "dest_registry": {"id": created[endpoint]}, "dest_namespace_replace_count": 1,
            "trigger": {"type": "manual"}, "enabled": True, "override": True, "filters": [{"type": "name", "value": "x/**"}]})
    upstreams = [upstream_entry(upstream, cache_endpoint, cache, access_key=ADMIN[0], access_secret=ADMIN[1],
                                description="mirror by hand")]
    endpoints = [dict(name=adopted, url=peer.url, access_key=ADMIN[0], access_secret=ADMIN[1])]
    rules = [dict(name=adopted_rule, endpoint=adopted, filters={"name": "x/**"}, description="nightly")]

    def both(prune):
        return [role(PROXY_CACHE, proxy_cache_upstreams=upstreams, proxy_cache_check_references=False, proxy_cache_prune=prune),
                role(REPLICATION, replication_endpoints=endpoints, replication_rules=rules, replication_sync=False,
                     replication_prune=prune)]

    def described():
        return dict([(r["name"], r.get("description") or "") for r in harbor.api("GET", "/registries", params={"page_size": 100}).json()]
                    + [(r["name"], r.get("description") or "")
                       for r in harbor.api("GET", "/replication/policies", params={"page_size": 100}).json()])

    made = described()
    harbor.clear_log()
    adopting = run_play(both(False), target=harbor)
    assert adopting.rc == 0 and adopting.changed == 0, adopting.output[-4000:]
    assert harbor.writes() == [] and described() == made

    check = run_play(both(True), target=harbor, check=True, diff=True)
    assert check.rc == 0, check.output[-4000:]
    assert harbor.writes() == []
    assert task(check, PROXY_CACHE, "Prune (objects marked by this role that proxy_cache_upstreams no longer lists)")["msg"] == [
        "prune: endpoint %s gets the mark [managed by registryops.harbor.proxy_cache] (listed in proxy_cache_upstreams: prune"
        " removes it once no longer listed)" % cache_endpoint]
    assert task(check, REPLICATION, "Prune (objects marked by this role that its variables no longer list)")["msg"] == [
        "prune: endpoint %s gets the mark [managed by registryops.harbor.replication] (listed in replication_endpoints: prune"
        " removes it once no longer listed)" % adopted,
        "prune: replication rule %s gets the mark [managed by registryops.harbor.replication] (listed in replication_rules:"
        " prune removes it once no longer listed)" % adopted_rule]
    out = check.output
    assert '+    "description": "nightly [managed by registryops.harbor.replication]"' in out, out[-6000:]     # --diff shows it
    for header in ("--- before: registries[0] " + cache_endpoint, "--- before: registries[0] " + adopted,
                   "--- before: rules[0] " + adopted_rule):
        assert header in out, header

    marking = run_play(both(True), target=harbor)
    assert marking.rc == 0 and marking.changed == 3, marking.output[-4000:]      # the two endpoint calls and the rule call
    writes = sorted((w["method"], w["path"].rsplit("/", 1)[0]) for w in harbor.writes())
    assert writes == [("PUT", "/api/v2.0/registries")] * 2 + [("PUT", "/api/v2.0/replication/policies")], writes
    assert described() == dict(made, **{cache_endpoint: "mirror by hand [managed by registryops.harbor.proxy_cache]",
                                        adopted: "[managed by registryops.harbor.replication]",
                                        adopted_rule: "nightly [managed by registryops.harbor.replication]"})
    harbor.clear_log()
    again = run_play(both(True), target=harbor)
    assert again.rc == 0 and again.changed == 0, again.output[-4000:]
    assert harbor.writes() == []
    assert {stray, stray_rule} <= set(described())                                 # unlisted and unmarked: never pruned


def test_a_rule_whose_endpoint_exists_nowhere_is_refused_before_any_write_and_an_existing_endpoint_is_used(run_play, emulator_factory):
    """An endpoint that replication_endpoints does not list must exist on the Harbor: the role reads the endpoints once,
    before its first write, and names the rule's entry."""
    peer, harbor = emulator_factory(), emulator_factory()
    by_hand, to_hand, to_nowhere, local = unique("by-hand"), unique("to-hand"), unique("to-nowhere"), unique("local")
    harbor.api("POST", "/registries", json={"name": by_hand, "type": "harbor", "url": peer.url,
                                            "credential": {"access_key": ADMIN[0], "access_secret": ADMIN[1]}})
    rules = [dict(name=to_hand, endpoint=by_hand, filters={"name": "a/**"}),
             dict(name=to_nowhere, registry="nowhere", filters={"name": "b/**"})]
    harbor.clear_log()
    refused = run_play([role(REPLICATION, replication_rules=rules, replication_projects=[dict(name=local)], replication_sync=False)],
                       target=harbor)
    assert refused.rc != 0 and harbor.writes() == [], refused.output[-4000:]
    assert ("replication_rules[1].registry (name %s): no registry endpoint named 'nowhere' on this Harbor, and"
            " replication_endpoints does not list it" % to_nowhere in one_line(refused.output)), refused.output[-4000:]
    applied = run_play([role(REPLICATION, replication_rules=rules[:1], replication_sync=False)], target=harbor)
    assert applied.rc == 0, applied.output[-4000:]
    assert names(harbor, "/replication/policies") == [to_hand]


# -- one execution at a time per rule -------------------------------------------------------------------------------
def push_inventory(connected, disconnected, **more):
    # the other Harbor's administrator, explicitly (the endpoints' robot accounts: test_roles_robots.py)
    role_vars = dict(replication_endpoints=[dict(name=TO_DISCONNECTED, host="harbor-disconnected", robot=False)],
                     replication_rules=[dict(name=PUSH_RULE, endpoint=TO_DISCONNECTED, filters={"name": NVAIE + "/**"},
                                             dest_namespace=NVAIE, dest_project={})])
    role_vars.update(more)
    return dict(connected={"harbor-connected": host(connected, **role_vars)}, disconnected={"harbor-disconnected": host(disconnected)})


def run_in(directory, **kwargs):
    directory.mkdir(parents=True, exist_ok=True)
    return run_site(directory, playbook="replication.yml", **kwargs)


def converged_pair(harbor_pair, tmp_path, task_seconds):
    connected, disconnected = harbor_pair
    connected.seed(project=NVAIE, repository="app", tags=["1.0"])
    setup = run_in(tmp_path / "setup", **push_inventory(connected, disconnected, replication_sync=False))
    assert setup.rc == 0, setup.output[-4000:]
    connected.replication(task_seconds=task_seconds)
    return connected, disconnected


def test_two_concurrent_runs_start_each_execution_once(harbor_pair, tmp_path):
    connected, disconnected = converged_pair(harbor_pair, tmp_path, task_seconds=4)
    runs = [None, None]

    def one(index):
        runs[index] = run_in(tmp_path / ("run-%d" % index), **push_inventory(connected, disconnected))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    for run in runs:
        assert run.rc == 0, run.output[-4000:]
        assert "replication rule '%s' is in sync: 1 reference(s)" % PUSH_RULE in one_line(run.output)
    found = executions(connected, PUSH_RULE)
    ran = [e for e in found if e["status"] != "Stopped"]
    assert [e["status"] for e in ran] == ["Succeed"], found
    # a second one may exist only when both runs started at the very same moment: then it was stopped at once
    assert len(found) == 1 or [e["status"] for e in found if e["id"] != ran[0]["id"]] == ["Stopped"], found
    # each run reports that execution: the one that started it, and the other one following (or finding it succeeded)
    for run in runs:
        assert re.search(r"execution %s\b" % ran[0]["id"], run.output), run.output[-3000:]


@pytest.mark.full         # CI: the concurrent-runs test above covers following another run's execution
@pytest.mark.emulator_only("the emulator's replication control hangs a task")
def test_a_rerun_after_a_timed_out_wait_follows_the_execution_instead_of_starting_another(harbor_pair, tmp_path):
    """The execution hangs: the first run times out waiting (the execution keeps running); the re-run finds the rule's
    destination still missing the artifact and follows that execution (changed=0, no second start) until its own wait
    times out too. One execution in all."""
    connected, disconnected = converged_pair(harbor_pair, tmp_path, task_seconds=0.05)
    connected.replication(task_seconds=0.05, hang=NVAIE + "/*")
    timed_out = run_in(tmp_path / "first", **push_inventory(connected, disconnected, replication_wait_timeout=1))
    assert timed_out.rc != 0
    started, = executions(connected, PUSH_RULE)
    assert "execution %s of replication rule %s did not finish within 1 seconds" % (started["id"], PUSH_RULE) in timed_out.output
    connected.clear_log()
    rerun = run_in(tmp_path / "again", **push_inventory(connected, disconnected, replication_wait_timeout=2))
    assert rerun.rc != 0
    out = one_line(rerun.output)
    assert "execution %s of replication rule %s did not finish within 2 seconds" % (started["id"], PUSH_RULE) in out, out[-3000:]
    assert "Done: %s (failed)" % PUSH_RULE in out or "Done: %s (unchanged)" % PUSH_RULE in out, out[-3000:]
    assert [w for w in connected.writes() if w["path"].startswith("/api/v2.0/replication/executions")] == []    # no second start
    assert [(e["id"], e["status"]) for e in executions(connected, PUSH_RULE)] == [(started["id"], "InProgress")]
