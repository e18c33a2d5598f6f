"""Races: N ansible-playbook processes converge the same objects at the same time.

The emulator's barrier fault holds each create (or delete) until all N racers have sent theirs, so every race is a real
collision: all racers read "missing" (or "present"), all write, one wins. Expected: 0 failed tasks (the losers re-read
and reconcile: issue 10 defect 3), 0 duplicates (one create answered per object, one object per name), and a
re-run that changes nothing. CI runs N=2 creating; ``scripts/reliability.py --full`` runs N=2, 4, 6 creating and deleting.
"""
import time

import pytest

from tests.reliability.harness import FULL, handled, log_writes, measure, run_ansible, shared_batch, stop_all
from tests.support.harbor import start_emulator

A = "/api/v2.0"

OBJECTS = [("registry endpoint", A + "/registries", A + "/registries/[0-9]*"),
           ("project", A + "/projects", A + "/projects/race-project"),
           ("replication rule", A + "/replication/policies", A + "/replication/policies/[0-9]*")]


def converge_tasks(state):
    endpoint = {"name": "race-endpoint", "state": state}
    project = {"name": "race-project", "state": state}
    rule = {"name": "race-rule", "state": state}
    if state == "present":
        endpoint.update(provider="docker-registry", url="{{ remote_url }}", verify_remote_cert=False)
        project.update(public=True, storage_quota="1GiB")
        rule.update(mode="push", registry="race-endpoint", filters={"name": "library/**"})
    tasks = [("endpoint", "registryops.harbor.harbor_registry", endpoint), ("project", "registryops.harbor.harbor_project", project),
             ("rule", "registryops.harbor.harbor_replication_rule", rule)]
    if state == "absent":
        tasks.reverse()
    return [{"name": name, module: dict(args, request_timeout=30), "ignore_errors": True} for name, module, args in tasks]


def race(state, racers):
    """``racers`` concurrent playbooks to ``state``; figures from their results and the request log."""
    remote = start_emulator()
    harbor = start_emulator()
    try:
        hosts = {"localhost": {"harbor_url": harbor.url, "harbor_username": harbor.username,
                               "harbor_password": harbor.password, "remote_url": remote.url}}
        if state == "absent":
            setup = run_ansible(converge_tasks("present"), hosts=hosts)
            assert not [r for r in setup.results if r.get("failed")], setup.output[-2000:]
            harbor.clear_log()
        method = "POST" if state == "present" else "DELETE"
        for _what, collection, item in OBJECTS:
            harbor.fault(method=method, path=collection if method == "POST" else item, barrier=racers, barrier_timeout=30)
        started = time.monotonic()
        runs = run_concurrently(converge_tasks(state), hosts, racers)
        seconds = time.monotonic() - started
        log = harbor.requests_log()
        harbor.clear_faults()
        harbor.clear_log()
        rerun = run_ansible(converge_tasks(state), hosts=hosts)
        failures = ["%s: %s" % (r["task"], str(r.get("msg"))[:200]) for run in runs for r in run.results if r.get("failed")]
        collisions = min(len(handled(log, method, collection if method == "POST" else item)) for _w, collection, item in OBJECTS)
        duplicates = []
        for what, collection, _item in OBJECTS:
            created = [e for e in handled(log, "POST", collection) if e["status"] == 201]
            if len(created) > 1:
                duplicates.append("%s created %d times" % (what, len(created)))
        names = [r["name"] for r in harbor.api("GET", "/registries").json()] + \
            [p["name"] for p in harbor.api("GET", "/projects").json()] + \
            [p["name"] for p in harbor.api("GET", "/replication/policies").json()]
        duplicates += ["%s exists %d times" % (n, names.count(n)) for n in set(names) if names.count(n) > 1]
        rerun_problems = [r["task"] for r in rerun.results if r.get("failed") or r.get("changed")] + \
            ["%s %s" % (e["method"], e["path"]) for e in log_writes(harbor.requests_log())]
        figures = dict(state=state, racers=racers, collisions=collisions, failures=failures, duplicates=duplicates,
                       rerun_problems=rerun_problems, seconds=round(seconds, 1))
        measure("race", **dict(figures, failures=len(failures), duplicates=len(duplicates), failure_messages=failures[:5],
                               duplicate_messages=duplicates))
        return figures
    finally:
        stop_all([remote, harbor])


def run_concurrently(tasks, hosts, racers):
    """Start ``racers`` ansible-playbook processes at once (threads around run_ansible) and wait for all."""
    import threading
    runs = [None] * racers

    def one(index):
        runs[index] = run_ansible(tasks, hosts=hosts)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    return [run for run in runs if run is not None]


def cases():
    """CI: two racers creating (the DELETE that meets 404 is in the fault matrix's slice); full: 2, 4, 6 both ways."""
    if not FULL:
        return [("present", 2)]
    return [(state, n) for n in (2, 4, 6) for state in ("present", "absent")]


@pytest.mark.parametrize("state,racers", [pytest.param(s, n, id="%s-x%d" % (s, n))
                                          for s, n in cases()])
def test_concurrent_playbooks_converge_without_failure(state, racers):
    figures = shared_batch("race-%s-%d" % (state, racers), lambda: race(state, racers))
    assert figures["collisions"] == racers, "the barrier did not make every racer write: %s" % figures
    assert not figures["failures"], "failed tasks: %s" % figures["failures"]


@pytest.mark.parametrize("state,racers", [pytest.param(s, n, id="%s-x%d" % (s, n)) for s, n in cases()])
def test_concurrent_playbooks_leave_no_duplicate_and_converge(state, racers):
    figures = shared_batch("race-%s-%d" % (state, racers), lambda: race(state, racers))
    assert figures["collisions"] == racers, "the barrier did not make every racer write: %s" % figures
    assert not figures["duplicates"], figures["duplicates"]
    assert not figures["rerun_problems"], "the re-run after the race changed or failed: %s" % figures["rerun_problems"]
