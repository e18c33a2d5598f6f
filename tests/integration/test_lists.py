"""Many objects in one module call: ``registries:``, ``projects:`` and ``rules:`` (issue 11), with ansible-playbook
against the emulator.

Each list converges in ONE module run; the unchanged re-run sends no write and at most one GET per object plus one
per call (counted from the emulator's request log); a bad element fails naming ``<list>[i].<option>`` before any
write; check mode and diff are per object; an element's secret is never shown, even with -vvv.
"""
import pytest

from tests.integration.test_harbor_registry import NGC_KEY, Upstream
from tests.support.names import unique as u

REGISTRY = "registryops.harbor.harbor_registry"
PROJECT = "registryops.harbor.harbor_project"
RULE = "registryops.harbor.harbor_replication_rule"
N = 4


@pytest.fixture
def ngc():
    upstream = Upstream("$oauthtoken", NGC_KEY)
    yield upstream
    upstream.close()


def endpoint(upstream, name, **extra):
    return dict(dict(name=name, provider="docker-registry", url=upstream.url, access_key="$oauthtoken", access_secret=NGC_KEY), **extra)


def writes(target):
    return [(w["method"], w["path"]) for w in target.writes()]


def gets(target):
    return [e["path"] for e in target.requests_log() if e["method"] == "GET"]


def api_paths(entries):
    return [p for p in entries if "/api/v2.0/" in p]


@pytest.mark.core_matrix
def test_registries_converge_in_one_call_and_the_rerun_only_reads(run_play, harbor, ngc):
    names = [u("ep-%d" % i) for i in range(N)]
    tasks = [{"name": "endpoints", REGISTRY: {"registries": [endpoint(ngc, n, description="endpoint %s" % n) for n in names]}}]
    harbor.clear_log()
    first = run_play(tasks, verbosity=3)
    assert first.rc == 0, first.output
    result = first.result("endpoints")
    assert result["changed"] is True
    assert [r["name"] for r in result["results"]] == names
    assert all(r["changed"] and r["registry"]["credential"]["access_secret"] == "*****" for r in result["results"])
    assert all(r["secret_sent"] for r in result["results"])
    assert [m for m, p in writes(harbor)] == ["POST"] * N
    assert api_paths(gets(harbor)).count("/api/v2.0/systeminfo") <= 1          # at most one login check for the whole list
    assert NGC_KEY not in first.output

    harbor.clear_log()
    again = run_play(tasks, verbosity=3)
    assert again.rc == 0, again.output
    assert again.result("endpoints")["changed"] is False
    assert [r["changed"] for r in again.result("endpoints")["results"]] == [False] * N
    assert writes(harbor) == []
    assert len(api_paths(gets(harbor))) <= N + 1
    assert again.changed == 0
    assert NGC_KEY not in again.output


def test_projects_check_mode_and_diff_are_per_object(run_play, harbor):
    run = run_play([{"name": "seed", PROJECT: {"projects": [dict(name=u("same"), public=True), dict(name=u("other"), public=False)]}}])
    assert run.rc == 0, run.output
    harbor.clear_log()
    wanted = [dict(name=u("fresh"), storage_quota="10GiB"), dict(name=u("same"), public=True), dict(name=u("other"), public=True),
              dict(name=u("gone"), state="absent")]
    check = run_play([{"name": "plan", PROJECT: {"projects": wanted}}], check=True, diff=True)
    assert check.rc == 0, check.output
    results = check.result("plan")["results"]
    assert [(r["name"], r["changed"]) for r in results] == [(u("fresh"), True), (u("same"), False), (u("other"), True), (u("gone"), False)]
    assert results[0]["diff"]["after"]["storage_quota"] == "10 GiB" and results[0]["before"] is None
    assert (results[2]["diff"]["before"]["public"], results[2]["diff"]["after"]["public"]) == (False, True)
    assert check.result("plan")["changed"] is True
    # --diff shows the call's changed elements, each under its own header
    assert [d["before_header"] for d in check.result("plan")["diff"]] == ["projects[0] " + u("fresh"), "projects[2] " + u("other")]
    assert "after: projects[2] " + u("other") in check.output and "projects[1] " + u("same") not in check.output
    assert writes(harbor) == []

    real = run_play([{"name": "apply", PROJECT: {"projects": wanted}}])
    assert real.rc == 0, real.output
    assert [r["changed"] for r in real.result("apply")["results"]] == [True, False, True, False]
    harbor.clear_log()
    again = run_play([{"name": "apply", PROJECT: {"projects": wanted}}])
    assert again.rc == 0 and again.changed == 0, again.output
    assert writes(harbor) == []
    assert len(api_paths(gets(harbor))) <= len(wanted) + 1


def test_rules_converge_in_one_call_and_the_rerun_only_reads(run_play, harbor, ngc):
    rules = [dict(name=u("pull-%d" % i), mode="pull", registry=u("upstream"), filters={"name": "team%d/**" % i},
                  dest_namespace=u("mirror")) for i in range(N)]
    tasks = [{"name": "endpoint", REGISTRY: endpoint(ngc, u("upstream"))},
             {"name": "project", PROJECT: {"name": u("mirror")}},
             {"name": "rules", RULE: {"rules": rules}}]
    first = run_play(tasks)
    assert first.rc == 0, first.output
    assert [(r["name"], r["changed"]) for r in first.result("rules")["results"]] == [(r["name"], True) for r in rules]
    harbor.clear_log()
    again = run_play(tasks[2:])
    assert again.rc == 0 and again.changed == 0, again.output
    assert writes(harbor) == []
    assert len(api_paths(gets(harbor))) <= N + 1


@pytest.mark.parametrize("task, message", [
    ({REGISTRY: {"registries": [{"name": u("ok-1"), "provider": "docker-registry", "url": "https://ok.example"},
                                {"name": u("bad"), "provider": "docker-registry", "url": "ftp://x"}]}}, "registries[1].url:"),
    ({PROJECT: {"projects": [{"name": u("fine")}, {"name": u("fine-too")}, {"name": u("big"), "storage_quota": "lots"}]}},
     "projects[2].storage_quota:"),
    ({RULE: {"rules": [{"name": u("r1"), "mode": "pull", "registry": u("x"), "cron": "nope", "trigger": "scheduled"}]}}, "rules[0].cron:"),
    ({PROJECT: {"projects": [{"name": u("twice")}, {"name": u("twice")}]}}, "projects[1].name:"),
    # issue 20: a dict option given text inside an element names the element and the option (not only ansible-core's
    # "dictionary requested, could not parse JSON or key=value")
    ({RULE: {"rules": [{"name": u("r1"), "mode": "push", "registry": u("x"), "filters": "library/**"}]}},
     "rules[0].filters: expected a dictionary with the keys label_decoration, labels, name, resource, tag, tag_decoration"),
    ({RULE: {"rules": [{"name": u("r1"), "mode": "push", "registry": u("x"), "filters": 5}]}}, "rules[0].filters: expected a dictionary"),
])
def test_a_bad_element_fails_naming_it_before_any_write(run_play, harbor, task, message):
    harbor.clear_log()
    run = run_play([dict(task, name="bad")])
    assert run.rc != 0
    assert message in run.result("bad")["msg"], run.result("bad")["msg"]
    assert writes(harbor) == []


@pytest.mark.core_matrix
def test_a_text_element_keeps_every_other_elements_secret_hidden_at_vvv(run_play, harbor):
    """Issue 20, defect 2: one text element in ``registries`` made the module swap the list's spec to ``type=raw``, which
    dropped the suboptions' no_log: the other elements' access_secret appeared in ``invocation.module_args`` at -vvv. The
    harbor_password beside them too, because ansible-core's own no_log scan stops at the text element."""
    harbor.need_emulator()
    harbor.clear_log()
    secrets = {"token_a": "Elem-S3cret-one-4b1", "token_b": "Elem-S3cret-two-9c2", "pw": harbor.password}
    run = run_play([{"name": "bad", REGISTRY: {"harbor_password": "{{ pw }}", "registries": [
        endpoint_for("https://a.example", "a", "{{ token_a }}"), "this is not a mapping",
        endpoint_for("https://b.example", "b", "{{ token_b }}")]}}], verbosity=3, extra_vars=secrets)
    result = run.result("bad")
    assert run.rc != 0
    assert result["msg"].startswith("registries[1]: expected a dictionary with the keys access_key, access_secret"), result["msg"]
    assert "invocation" in run.output                       # -vvv shows the arguments: the secrets must be masked there
    for secret in secrets.values():
        assert secret not in run.output and secret not in str(run.results)
    assert writes(harbor) == []


def endpoint_for(url, name, secret):
    return dict(name=name, provider="docker-registry", url=url, access_key="robot", access_secret=secret)


def test_list_and_single_forms_are_mutually_exclusive(run_play, harbor):
    harbor.clear_log()
    run = run_play([{"name": "both", PROJECT: {"name": u("one"), "projects": [{"name": u("two")}]}},
                    {"name": "neither", PROJECT: {"public": True}, "ignore_errors": True}])
    assert run.rc != 0
    assert "mutually exclusive" in run.result("both")["msg"] and "projects" in run.result("both")["msg"]
    harbor.clear_log()
    neither = run_play([{"name": "neither", PROJECT: {"public": True}}])
    assert "one of the following is required: name, projects" in neither.result("neither")["msg"]
    assert writes(harbor) == []


def test_a_failure_midway_names_what_was_done(run_play, harbor, ngc):
    """Element 1 cannot be deleted (a proxy-cache project uses it) after element 0 was created: the error names the
    element, says element 0 was done (changed) and which were not attempted; changed is true."""
    setup = run_play([{"name": "used", REGISTRY: endpoint(ngc, u("used"))},
                      {"name": "cache", PROJECT: {"name": u("cache"), "proxy_cache_registry": u("used")}}])
    assert setup.rc == 0, setup.output
    registries = [endpoint(ngc, u("new-one")), dict(name=u("used"), state="absent"), endpoint(ngc, u("never"))]
    run = run_play([{"name": "mixed", REGISTRY: {"registries": registries}}], verbosity=3)
    assert run.rc != 0
    result = run.result("mixed")
    assert result["changed"] is True
    assert result["msg"].startswith("registries[1] (name %s): cannot delete" % u("used")), result["msg"]
    assert "Done before this error: %s (changed). Not attempted: %s." % (u("new-one"), u("never")) in result["msg"]
    assert [(r["name"], r["changed"]) for r in result["results"]] == [(u("new-one"), True)]
    assert NGC_KEY not in run.output


# -- what an unchanged object costs (issue 11: <= 1 GET per object + 1 per module call, no /quotas without a quota) ----
def test_an_unchanged_object_costs_one_get_plus_the_login_check(run_play, harbor, ngc):
    """The login is checked lazily (client.request): an endpoint or a rule, which anonymous callers cannot read (401),
    costs its one lookup; a project, which GET /projects shows anonymous callers when public, costs /systeminfo first.
    A listing that finds what it looked for is not re-checked (client.check_login)."""
    tasks = [{"name": "endpoint", REGISTRY: endpoint(ngc, u("upstream"))},
             {"name": "plain", PROJECT: {"name": u("plain"), "public": False, "auto_scan": True}},
             {"name": "mirror", PROJECT: {"name": u("mirror")}},
             {"name": "rule", RULE: dict(name=u("pull"), mode="pull", registry=u("upstream"), filters={"name": "team/**"},
                                         dest_namespace=u("mirror"),
                                         trigger="scheduled", cron="0 0 * * * *")}]
    first = run_play(tasks)
    assert first.rc == 0, first.output
    for one in tasks:
        harbor.clear_log()
        again = run_play([one])
        assert again.rc == 0 and again.changed == 0, again.output
        assert writes(harbor) == []
        paths = api_paths(gets(harbor))
        expected = {"endpoint": ["/api/v2.0/registries"], "rule": ["/api/v2.0/replication/policies"]}.get(
            one["name"], ["/api/v2.0/systeminfo", "/api/v2.0/projects"])
        assert paths == expected, (one["name"], paths)


def test_the_quota_is_read_only_when_storage_quota_is_set(run_play, harbor):
    assert run_play([{"name": "q", PROJECT: {"projects": [dict(name=u("a"), storage_quota="1GiB"), dict(name=u("b"))]}}]).rc == 0
    harbor.clear_log()
    again = run_play([{"name": "q", PROJECT: {"projects": [dict(name=u("a"), storage_quota="1GiB"), dict(name=u("b"))]}}])
    assert again.rc == 0 and again.changed == 0, again.output
    assert writes(harbor) == []
    paths = api_paths(gets(harbor))
    assert paths.count("/api/v2.0/quotas") == 1 and len(paths) <= 3, paths
    results = again.result("q")["results"]
    assert results[0]["project"]["quota"]["hard"] == 1024 ** 3 and results[0]["before"]["storage_quota"] == 1024 ** 3


def test_rules_list_the_endpoints_once_per_call(run_play, harbor, ngc):
    """Every rule of a ``rules:`` call finds its endpoint in one listing of /registries (module_utils/endpoints.py),
    in check mode (a missing endpoint is predicted with a warning) and in a real run (a missing one fails listing those
    that exist, before any write)."""
    setup = run_play([{"name": "a", REGISTRY: endpoint(ngc, u("upstream-a"))}, {"name": "b", REGISTRY: endpoint(ngc, u("upstream-b"))}])
    assert setup.rc == 0, setup.output
    rules = [dict(name=u("push-%d" % i), mode="push", registry=u("upstream-%s" % "ab"[i % 2]), filters={"name": "team%d/**" % i})
             for i in range(N)]

    def endpoint_reads():
        return [p for p in api_paths(gets(harbor)) if p.startswith("/api/v2.0/registries")]

    harbor.clear_log()
    check = run_play([{"name": "plan", RULE: {"rules": rules + [dict(rules[0], name=u("later"), registry=u("made-later"))]}}], check=True)
    assert check.rc == 0, check.output
    assert [r["changed"] for r in check.result("plan")["results"]] == [True] * (N + 1)
    assert "no registry endpoint named '%s' exists yet" % u("made-later") in " ".join(check.output.split())
    assert endpoint_reads() == ["/api/v2.0/registries"]
    assert writes(harbor) == []

    harbor.clear_log()
    real = run_play([{"name": "rules", RULE: {"rules": rules}}])
    assert real.rc == 0, real.output
    assert [r["changed"] for r in real.result("rules")["results"]] == [True] * N
    assert endpoint_reads() == ["/api/v2.0/registries"]
    assert [m for m, p in writes(harbor)] == ["POST"] * N

    harbor.clear_log()
    missing = run_play([{"name": "missing", RULE: {"rules": [dict(rules[0], name=u("new-a")), dict(rules[1], name=u("new-b"), registry=u("nope"))]}}])
    assert missing.rc != 0
    msg = missing.result("missing")["msg"]
    assert "registry: no registry endpoint named '%s'; existing endpoints: " % u("nope") in msg, msg
    assert u("upstream-a") in msg and u("upstream-b") in msg
    assert endpoint_reads() == ["/api/v2.0/registries"]
    assert writes(harbor) == []
