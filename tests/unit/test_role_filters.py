"""The roles' filter plugins (plugins/filter/), called as plain functions: role variables and inventory in, the module
lists, the refusals, what prune removes and the replication comparison out. They are pure (no request), so no Harbor here;
the roles' end-to-end behaviour is tests/integration/test_site*.py and test_roles_lists.py."""
import re
import sys
from pathlib import Path

import pytest
import trustme
import yaml

from tests.support.ansible import collections_root
from tests.support.paths import set_path

sys.path.insert(0, str(collections_root()))

from ansible.errors import AnsibleFilterError  # noqa: E402

from ansible_collections.registryops.harbor.plugins.filter import preflight as preflight_mod  # noqa: E402
from ansible_collections.registryops.harbor.plugins.filter import proxy_cache_plan as proxy_mod  # noqa: E402
from ansible_collections.registryops.harbor.plugins.filter import replication_plan as replication_mod  # noqa: E402
from ansible_collections.registryops.harbor.plugins.filter.replication_registries import replication_registries  # noqa: E402
from ansible_collections.registryops.harbor.plugins.filter import replication_sync as sync_mod  # noqa: E402
from ansible_collections.registryops.harbor.plugins.filter.role_input import role_input  # noqa: E402
from ansible_collections.registryops.harbor.plugins.plugin_utils.role_plan import mark, marked, role_spec  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-never-shown"
SINCE = "2026-05-01T10:00:00.000000Z"
MARK_PC, MARK_RP = "[managed by registryops.harbor.proxy_cache]", "[managed by registryops.harbor.replication]"
ROBOT_SECRET = "Robot-Secret-2026"

proxy_cache_plan = proxy_mod.plan
replication_plan = replication_mod.plan
preflight = preflight_mod.preflight
replication_sync = sync_mod.replication_sync


def problems(plan):
    """The problem lines of a refusal (its first line is the heading)."""
    assert plan["errors"], plan
    assert "nothing was written to Harbor" in plan["errors"][0]
    return plan["errors"][1:]


def refused_exactly(plan, expected):
    """Each line of the refusal starts with one of ``expected``, in that order, and none is left over."""
    found = problems(plan)
    for fragment in expected:
        assert any(line.startswith("- " + fragment) for line in found), (fragment, found)
    assert len(found) == len(expected), found
    assert SECRET not in "\n".join(plan["errors"])


def hostvars(**hosts):
    return dict((name, dict(harbor_url="https://%s.example.com" % name, harbor_username="admin", harbor_password=SECRET, **extra))
                for name, extra in hosts.items())


# -- the defaults live in the argument specs only -------------------------------------------------------------------
@pytest.mark.parametrize("role", ["proxy_cache", "replication"])
def test_defaults_main_agrees_with_the_argument_spec_and_vars_main_is_gone(role):
    """defaults/main.yml (Ansible's place for a role variable's default) holds the spec's top-level defaults, nothing else;
    the entries' defaults are only in the spec (there is no vars/main.yml any more)."""
    defaults = yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text())
    spec = role_spec(role)
    with_default = dict((name, option["default"]) for name, option in spec.items() if "default" in option)
    assert defaults == with_default
    assert not (REPO / "roles" / role / "vars").exists()


# -- proxy_cache_plan -----------------------------------------------------------------------------------------------
def test_proxy_cache_plan_fills_presets_and_spec_defaults_and_marks_the_endpoints():
    plan = proxy_cache_plan({"proxy_cache_upstreams": [
        {"name": "NVIDIA", "preset": "ngc", "access_secret": SECRET, "storage_quota": "2TiB", "test_reference": "nvaie/vllm:latest"},
        {"name": "dockerhub", "preset": "docker-hub", "test_reference": "busybox:1.36", "local_on_not_found": True},
        {"name": "internal", "provider": "harbor", "url": "https://corp.example.com", "project": "corp-cache",
         "description": "corp", "public": False}]}, harbor_url="https://harbor.example.com:8443")
    assert plan["errors"] == []
    ngc, hub, internal = plan["registries"]
    assert ngc == dict(name="NVIDIA", provider="docker-registry", url="https://nvcr.io", access_key="$oauthtoken", access_secret=SECRET,
                       description="NVIDIA NGC (nvcr.io) " + MARK_PC, update_password="on_create", verify_remote_cert=True,
                       test_connection=False)
    assert "access_key" not in hub and "access_secret" not in hub
    assert internal["description"] == "corp " + MARK_PC
    assert plan["projects"] == [
        dict(name="nvidiaio", proxy_cache_registry="NVIDIA", public=True, storage_quota="2TiB"),
        dict(name="dockerhub", proxy_cache_registry="dockerhub", public=True, storage_quota="unlimited",
             proxy_cache_local_on_not_found=True),
        dict(name="corp-cache", proxy_cache_registry="internal", public=False, storage_quota="unlimited")]
    # Docker Hub's official images are under library/
    assert plan["checks"] == [dict(name="NVIDIA", path="/v2/nvidiaio/nvaie/vllm/manifests/latest"),
                              dict(name="dockerhub", path="/v2/dockerhub/library/busybox/manifests/1.36")]
    assert [c["test_reference"] for c in plan["caches"]] == ["nvidiaio/nvaie/vllm:latest", "dockerhub/library/busybox:1.36", None]
    assert "  docker pull harbor.example.com:8443/nvidiaio/nvaie/<image>:<tag>" in plan["hints"]
    assert SECRET not in repr(dict(plan, registries=None))       # only the endpoints' elements hold the secret
    assert plan["remove_projects"] == plan["remove_registries"] == []


def test_proxy_cache_plan_absent_entries_need_only_their_name_and_purge_follows_the_role_wide_switch():
    plan = proxy_cache_plan({"proxy_cache_upstreams": [
        {"name": "old-cache", "state": "absent"}, {"name": "NVIDIA", "preset": "ngc", "state": "absent", "purge": False},
        {"name": "quay-old", "project": "quay-cache", "state": "absent", "purge": True}], "proxy_cache_purge": True})
    assert plan["errors"] == [] and plan["registries"] == plan["projects"] == []
    assert plan["remove_projects"] == [dict(name="old-cache", state="absent", purge=True),
                                       dict(name="nvidiaio", state="absent", purge=False),
                                       dict(name="quay-cache", state="absent", purge=True)]
    assert plan["remove_registries"] == [dict(name=n, state="absent") for n in ("old-cache", "NVIDIA", "quay-old")]
    assert plan["listed"] == dict(registries=["old-cache", "NVIDIA", "quay-old"], projects=["old-cache", "nvidiaio", "quay-cache"])


def test_proxy_cache_plan_refuses_every_bad_entry_at_once_naming_the_role_variable():
    plan = proxy_cache_plan({"proxy_cache_upstreams": [
        {"name": "ok", "preset": "ngc", "access_secret": SECRET},
        {"name": "DockerHub2", "preset": "docker-hub", "project": "DockerHub2"},
        {"name": "lots", "provider": "docker-registry", "url": "https://r.example.com", "storage_quota": "lots",
         "max_upstream_connections": 2 ** 40, "test_reference": "Bad/Name:1"},
        {"name": "generic"},
        {"name": "creds", "provider": "docker-registry", "url": "https://user:" + SECRET + "@r.example.com", "access_secret": SECRET},
        {"name": "ok", "preset": "ghcr"}]})
    refused_exactly(plan, [
        "proxy_cache_upstreams[1].project (name DockerHub2): 'DockerHub2' is not a Harbor project name",
        "proxy_cache_upstreams[2].storage_quota (name lots): expected a size such as 10GiB",
        "proxy_cache_upstreams[2].max_upstream_connections (name lots): 1099511627776 is larger than Harbor's maximum",
        "proxy_cache_upstreams[2].test_reference (name lots): 'Bad/Name' is not a repository path",
        "proxy_cache_upstreams[3] (name generic): needs provider and url (preset 'generic' sets neither). Fix: use one of the presets",
        "proxy_cache_upstreams[4].url (name creds): must not carry a user name or password",
        "proxy_cache_upstreams[4].access_key (name creds): access_secret is given without access_key",
        "proxy_cache_upstreams[5].name (name ok): 'ok' is also proxy_cache_upstreams[0]; each endpoint name may appear once",
    ])
    assert plan["registries"] == plan["projects"] == []            # nothing to write


def test_proxy_cache_plan_takes_a_ca_certificate_file_and_refuses_a_bad_one(tmp_path):
    pem = tmp_path / "ca.pem"
    pem.write_bytes(trustme.CA().cert_pem.bytes())
    good = proxy_cache_plan({"proxy_cache_upstreams": [{"name": "x", "provider": "docker-registry", "url": "https://x.example.com",
                                                        "ca_certificate": str(pem)}]})
    assert good["errors"] == [] and good["registries"][0]["ca_certificate"] == str(pem)
    bad = proxy_cache_plan({"proxy_cache_upstreams": [{"name": "x", "provider": "docker-registry", "url": "https://x.example.com",
                                                       "ca_certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}]})
    assert problems(bad)[0].startswith("- proxy_cache_upstreams[0].ca_certificate (name x): the PEM text holds no valid certificate")


def test_proxy_cache_plan_refuses_what_is_not_the_role_variables():
    with pytest.raises(AnsibleFilterError):
        proxy_cache_plan(["not", "a", "dict"])


# -- replication_plan -----------------------------------------------------------------------------------------------
def connected_inventory(ca_path=None):
    cache = proxy_cache_plan({"proxy_cache_upstreams": [{"name": "NVIDIA", "preset": "ngc", "access_secret": "k",
                                                         "test_reference": "nvaie/vllm:latest"}]})
    return hostvars(connected=dict(proxy_cache_plan=cache),
                    disconnected=dict(harbor_validate_certs=False, **({"harbor_ca_path": ca_path} if ca_path else {})))


def test_replication_plan_takes_the_peer_harbor_from_the_inventory_and_plans_every_kind(tmp_path):
    ca_path = tmp_path / "ca.pem"
    ca_path.write_bytes(trustme.CA().cert_pem.bytes())
    inventory = connected_inventory(ca_path=str(ca_path))
    plan = replication_plan({
        "replication_endpoints": [{"name": "airgap", "host": "disconnected", "access_key": "robot$replicator",
                                   "access_secret": "robot-secret", "ca_certificate": None}],
        "replication_projects": [{"name": "nvaie", "storage_quota": "1TiB"}, {"name": "old", "state": "absent"}],
        "replication_rules": [
            {"name": "nvaie-to-airgap", "endpoint": "airgap", "filters": {"name": "nvaie/**", "tag": "v*"}, "dest_namespace": "nvaie",
             "dest_project": {"storage_quota": "1TiB"}, "trigger": "scheduled", "cron": "0 0 2 * * *", "bandwidth": "50MiB/s"},
            {"name": "cache-to-airgap", "registry": "airgap", "filters": {"name": "nvidiaio/**"}, "dest_namespace": "nvidiaio",
             "dest_project": {}},
            {"name": "gone", "state": "absent"}]},
        hostvars=inventory, inventory_hostname="connected")
    assert plan["errors"] == []
    endpoint, = plan["registries"]
    assert endpoint == dict(name="airgap", provider="harbor", url="https://disconnected.example.com", access_key="robot$replicator",
                            access_secret="robot-secret", update_password="on_create", verify_remote_cert=False,
                            ca_certificate=str(ca_path), test_connection=False, description=MARK_RP)
    assert plan["projects"] == [dict(name="nvaie", public=False, storage_quota="1TiB")]
    assert plan["remove_projects"] == [dict(name="old", state="absent")]
    first, second = plan["rules"]
    assert first["registry"] == second["registry"] == "airgap"           # endpoint and its alias registry
    assert first["description"] == MARK_RP and first["cron"] == "0 0 2 * * *" and first["bandwidth"] == "50MiB/s"
    assert first["filters"] == {"name": "nvaie/**", "tag": "v*", "tag_decoration": "matches", "label_decoration": "matches"}
    assert plan["remove_rules"] == [dict(name="gone", state="absent", stop_running=True)]
    assert plan["dest_projects"] == [dict(harbor="disconnected", projects=[
        dict(name="nvaie", public=False, storage_quota="1TiB"), dict(name="nvidiaio", public=False)])]
    assert plan["dest_checks"] == [dict(harbor="disconnected", projects=["nvaie", "nvidiaio"])]
    assert [(r["rule"], r["harbor"], r["project"], r["repository"], r.get("tag")) for r in plan["source_reads"]] == [
        ("nvaie-to-airgap", "connected", "nvaie", "**", "v*"), ("cache-to-airgap", "connected", "nvidiaio", "**", None)]
    nvaie, cache = plan["sync"]
    assert (nvaie["src_harbor"], nvaie["dest_harbor"], nvaie["replace_count"], nvaie["source_cache"]) == (
        "connected", "disconnected", 1, None)
    # the rule's source is a proxy cache of this Harbor (its proxy_cache_plan): check mode must say what it cannot know
    assert cache["source_cache"] == dict(project="nvidiaio", name="NVIDIA", test_reference="nvidiaio/nvaie/vllm:latest")
    assert plan["listed"] == dict(registries=["airgap"], rules=["nvaie-to-airgap", "cache-to-airgap", "gone"])
    assert (plan["prune"], plan["wait_timeout"]) == (False, 3600)


class Lazy(dict):
    """Stands in for ansible-core 2.19's lazy template containers, which template their elements again on every deep
    copy (a minute for 50 rules when the argument spec validation copied them)."""

    def __deepcopy__(self, memo):
        raise AssertionError("a role's variables were deep-copied as given; the plan must read them once (role_plan.plain)")


class LazyList(list):
    __deepcopy__ = Lazy.__deepcopy__


@pytest.mark.parametrize("role", ["proxy_cache", "replication"])
def test_the_plans_read_the_role_variables_once_instead_of_copying_ansibles_lazy_containers(role):
    if role == "proxy_cache":
        plan = proxy_cache_plan(Lazy(proxy_cache_upstreams=LazyList(
            Lazy(name="u%d" % i, preset="docker-hub", project="p%d" % i) for i in range(3))))
        assert plan["errors"] == [] and [e["name"] for e in plan["registries"]] == ["u0", "u1", "u2"]
        return
    plan = replication_plan(Lazy(
        replication_endpoints=LazyList([Lazy(name="airgap", url="https://airgap.example.com")]),
        replication_rules=LazyList(Lazy(name="r%d" % i, endpoint="airgap", filters=Lazy(name="p%d/**" % i)) for i in range(3))),
        hostvars=connected_inventory(), inventory_hostname="connected")
    assert plan["errors"] == [] and [r["name"] for r in plan["rules"]] == ["r0", "r1", "r2"]


def dict_paths(spec, prefix=""):
    """The paths of the options of type dict with options in ``spec`` (``replication_rules[0].filters``)."""
    for name, opts in sorted(spec.items()):
        path = prefix + name + ("[0]" if opts.get("type") == "list" else "")
        if opts.get("options"):
            if opts.get("type") == "dict":
                yield path
            yield from dict_paths(opts["options"], path + ".")


def put(path, value):
    """The role variables with ``value`` at ``path`` (``replication_rules[0].filters``: in a rule of its own)."""
    return set_path({"replication_rules": [{"name": "entry"}]} if path.startswith("replication_rules[0]") else {}, path, value)


ROLE_DICT_PATHS = [(role, path) for role in ("proxy_cache", "replication") for path in dict_paths(role_spec(role))]


def test_the_roles_have_dict_variables_to_check():
    assert ROLE_DICT_PATHS == [("proxy_cache", "proxy_cache_pull_robot"), ("replication", "replication_rules[0].dest_project"),
                               ("replication", "replication_rules[0].filters")]


@pytest.mark.parametrize("role, path", ROLE_DICT_PATHS)
@pytest.mark.parametrize("value", [0, -3, 1.5, True, False])
def test_role_input_names_a_number_or_boolean_given_to_a_dict_which_ansible_core_validation_crashes_on(role, path, value):
    """ansible-core's argument validation (the task it puts before a role's first) raises on these instead of refusing
    (ansible/ansible#81631): role_input, the roles' dependency, runs before it and names the variable."""
    problem = role_input(put(path, value), role=role)
    assert problem.startswith(path + ": expected a dictionary with the keys "), problem
    assert "boolean" in problem if isinstance(value, bool) else "a number" in problem


@pytest.mark.parametrize("role, path", ROLE_DICT_PATHS)
@pytest.mark.parametrize("value", [None, "", {}, {"name": "x"}, "text", ["a"], "name=x"])
def test_role_input_leaves_every_other_value_to_ansible_core_and_the_role(role, path, value):
    assert role_input(put(path, value), role=role) == ""


def test_role_input_never_shows_a_secret_and_reports_the_first_problem_as_the_plan_would():
    # a secret option with a problem of its own before the dict variable's: named, never shown
    problem = role_input({"harbor_password": [SECRET], "proxy_cache_pull_robot": 5}, role="proxy_cache")
    assert problem.startswith("harbor_password: expected text, got a list") and SECRET not in problem, problem
    rules = [{"name": "ok", "filters": {"name": "a/**"}}, {"name": ["bad"], "filters": True}]
    assert role_input({"replication_rules": rules}, role="replication") == (
        "replication_rules[1].name: expected text, got a list (['bad']); give one value as text")


def test_role_input_wants_a_dict_and_a_role():
    with pytest.raises(AnsibleFilterError, match="dictionary"):
        role_input([1], role="proxy_cache")
    with pytest.raises(AnsibleFilterError, match="proxy_cache, replication"):
        role_input({}, role="nope")


@pytest.mark.parametrize("role", ["proxy_cache", "replication"])
def test_each_role_depends_on_role_input_with_every_variable_that_holds_a_dict(role):
    meta = yaml.safe_load((REPO / "roles" / role / "meta" / "main.yml").read_text())
    assert meta["dependencies"] == [{"role": "registryops.harbor.role_input", "vars": {
        "role_input_role": role, "role_input_variables": sorted(set(re.split(r"[.\[]", path)[0] for r, path in ROLE_DICT_PATHS if r == role))}}]


def test_replication_plan_refuses_every_bad_entry_at_once_naming_the_role_variable():
    inventory = connected_inventory()
    plan = replication_plan({
        "replication_wait_timeout": -5,
        "replication_endpoints": [{"name": "airgap", "host": "nowhere"}, {"name": "upstream", "access_secret": SECRET},
                                  {"name": "self", "host": "connected"}, {"name": "retired", "url": "https://r.example.com",
                                                                          "state": "absent"}],
        "replication_projects": [{"name": "nvidiaio"}, {"name": "Big", "storage_quota": "lots"}],
        "replication_rules": [
            {"name": "ok", "endpoint": "airgap", "filters": {"name": "a/**"}},
            {"name": "no-endpoint", "filters": {"name": "a/**"}},
            {"name": "bad", "endpoint": "airgap", "trigger": "scheduled", "cron": "0 * * * * *", "bandwidth": "fast",
             "flattening": "some", "dest_namespace": "Bad Path", "filters": {"name": "a/[b"}, "expect": ["alpine"],
             "dest_project": {"name": "Bad", "storage_quota": "x"}},
            {"name": "event-pull", "endpoint": "airgap", "mode": "pull", "trigger": "event_based"},
            {"name": "to-retired", "endpoint": "retired"},
            {"name": "ok", "endpoint": "airgap"},
            {"name": "both", "endpoint": "airgap", "registry": "other"}]},
        hostvars=inventory, inventory_hostname="connected")
    refused_exactly(plan, [
        "replication_wait_timeout: -5 seconds",
        "replication_endpoints[0].host (name airgap): 'nowhere' is not a host of the inventory with a harbor_url (hosts: connected,"
        " disconnected)",
        "replication_endpoints[1].url (name upstream): required",
        "replication_endpoints[1].access_key (name upstream): access_secret is given without access_key",
        "replication_endpoints[2].host (name self): 'connected' is this Harbor itself",
        "replication_projects[0].name (name nvidiaio): project 'nvidiaio' is a proxy-cache project of proxy_cache_upstreams",
        "replication_projects[1].name (name Big): 'Big' is not a Harbor project name",
        "replication_projects[1].storage_quota (name Big): expected a size",
        "replication_rules[1].endpoint (name no-endpoint): required for a rule to be present",
        "replication_rules[2].filters.name (name bad): 'a/[b' is not a valid pattern",
        "replication_rules[2].flattening (name bad): expected none (0), 1, 2, 3",
        "replication_rules[2].cron (name bad): the minutes field must not be *",
        "replication_rules[2].bandwidth (name bad): expected a rate with a unit",
        "replication_rules[2].dest_namespace (name bad): 'Bad Path' is not a repository path",
        "replication_rules[2].dest_project.name (name bad): 'Bad' is not a Harbor project name",
        "replication_rules[2].dest_project.storage_quota (name bad): expected a size",
        "replication_rules[2].expect (name bad): 'alpine' is not a reference as named at the destination",
        "replication_rules[3].trigger (name event-pull): event_based works only for mode=push",
        "replication_rules[4].endpoint (name to-retired): 'retired' is an entry of replication_endpoints with state absent",
        "replication_rules[5].name (name ok): 'ok' is also replication_rules[0]; each rule may appear once",
        "replication_rules[6].registry (name both): 'other', and endpoint 'airgap' (registry is its alias); give one of the two",
    ])


@pytest.mark.parametrize("rule, expected", [
    ({"name": "   ", "endpoint": "airgap"}, "replication_rules[0].name: the name of a replication rule must not be empty or blank"),
    ({"name": "n" * 257, "endpoint": "airgap"}, "replication_rules[0].name (name %s...): must be 1 to 256 characters" % ("n" * 61)),
    ({"name": "x", "endpoint": "air\u202egap"},
     "replication_rules[0].endpoint (name x): the name of a registry endpoint must not hold U+202E"),
    ({"name": "x", "endpoint": "airgap", "registry": ""}, "replication_rules[0].registry (name x): '', and endpoint 'airgap'"),
    ({"name": "x", "endpoint": "airgap", "dest_namespace": "m" * 257},
     "replication_rules[0].dest_namespace (name x): must be at most 256 characters"),
    ({"name": "x", "endpoint": "airgap", "filters": {"name": "p" * 1100}},
     "replication_rules[0].filters (name x): Harbor stores a rule's filters as JSON in at most 1024 characters"),
])
def test_replication_plan_refuses_what_harbor_would_refuse_or_cannot_store(rule, expected):
    plan = replication_plan({"replication_endpoints": [{"name": "airgap", "url": "https://a.example.com"}],
                             "replication_rules": [rule]}, hostvars=connected_inventory(), inventory_hostname="connected")
    assert problems(plan)[0].startswith("- " + expected), problems(plan)


@pytest.mark.parametrize("variables, expected", [
    # what ansible-core would convert without a word (a list to the text "['x']", other digits to a number) or crash on
    ({"proxy_cache_upstreams": [{"name": ["x"], "preset": "ngc"}]},
     "proxy_cache_upstreams[0].name: expected text, got a list (['x']); give one value as text"),
    ({"proxy_cache_upstreams": [{"name": "x", "preset": "ngc", "max_upstream_connections": "\u0661\u0662"}]},
     "proxy_cache_upstreams[0].max_upstream_connections: expected a whole number written with ASCII digits (0-9), got '\u0661\u0662'"),
    ({"proxy_cache_upstreams": [{"name": "a\x00b", "preset": "ngc"}]}, "proxy_cache_upstreams[0].name: must not hold U+0000"),
    ({"proxy_cache_upstreams": [{"name": "x", "preset": "ngc", "access_secret": ["s3cr3t-never-shown"]}]},
     "proxy_cache_upstreams[0].access_secret: expected text, got a list; give one value as text"),
    ({"proxy_cache_upstreams": {"name": "x"}},
     "proxy_cache_upstreams: expected a list of dictionaries (each with the keys access_key, access_secret,"),
])
def test_a_role_variable_of_the_wrong_kind_is_named_alone_and_nothing_else_is_read(variables, expected):
    found = problems(proxy_cache_plan(variables))
    assert len(found) == 1 and found[0].startswith("- " + expected), found
    assert SECRET not in repr(found)


def test_the_role_refuses_an_access_key_or_secret_longer_than_harbor_stores_without_showing_them():
    plan = proxy_cache_plan({"proxy_cache_upstreams": [{"name": "x", "provider": "docker-registry", "url": "https://r.example.com",
                                                        "access_key": "k" * 256, "access_secret": SECRET * 200}]})
    refused_exactly(plan, ["proxy_cache_upstreams[0].access_key (name x): must be at most 255 characters (what Harbor stores), got 256",
                           "proxy_cache_upstreams[0].access_secret (name x): must be at most 3050 bytes in UTF-8 (what Harbor stores),"
                           " got %d" % (len(SECRET) * 200)])


def test_replication_plan_refuses_a_rule_into_a_planned_proxy_cache_and_conflicting_destination_projects():
    inventory = connected_inventory()
    plan = replication_plan({
        "replication_endpoints": [{"name": "connected", "host": "connected", "robot_secret": ROBOT_SECRET}],
        "replication_projects": [{"name": "mirror", "public": True}],
        "replication_rules": [
            {"name": "into-cache", "endpoint": "connected", "mode": "pull", "filters": {"name": "x/**"}, "dest_namespace": "nvidiaio"},
            {"name": "a", "endpoint": "connected", "mode": "pull", "filters": {"name": "a/**"}, "dest_namespace": "mirror",
             "dest_project": {"public": False}},
            {"name": "b", "endpoint": "connected", "mode": "pull", "filters": {"name": "b/**"}, "dest_namespace": "mirror",
             "dest_project": {"public": True}}]},
        hostvars=dict(inventory, disconnected=dict(inventory["disconnected"], proxy_cache_plan=inventory["connected"]["proxy_cache_plan"])),
        inventory_hostname="disconnected")
    found = problems(plan)
    assert found[0].startswith("- replication_rules[0].dest_namespace (name into-cache): the destination project 'nvidiaio' on"
                               " disconnected is a proxy-cache project") and "Fix: give the rule a normal project" in found[0]
    assert found[1].startswith("- replication_rules[2].dest_project (name b): project mirror on the Harbor that receives is also"
                               " the destination project of an earlier rule, with other settings (public=True against public=False)")
    assert found[2].startswith("- replication_projects: project mirror is also the dest_project of a pull rule")
    assert len(found) == 3


def test_replication_plan_gives_a_host_endpoint_a_robot_with_exactly_what_its_rules_need():
    inventory = connected_inventory()
    inventory["disconnected"]["harbor_robot_name_prefix"] = "svc@"
    plan = replication_plan({
        "replication_endpoints": [{"name": "Air Gap", "host": "disconnected", "robot_secret": ROBOT_SECRET},
                                  {"name": "admin", "host": "disconnected", "robot": False}],
        "replication_rules": [
            {"name": "push", "endpoint": "Air Gap", "filters": {"name": "nvaie/**"}, "dest_namespace": "mirror"},
            {"name": "push-more", "endpoint": "Air Gap", "filters": {"name": "nvaie/x/**"}, "dest_namespace": "mirror/x",
             "replicate_deletion": True, "trigger": "event_based"},
            {"name": "pull", "endpoint": "Air Gap", "mode": "pull", "filters": {"name": "appco/**"}, "dest_namespace": "appco"},
            {"name": "anything", "endpoint": "Air Gap", "filters": {"name": "**"}},
            {"name": "by-admin", "endpoint": "admin", "filters": {"name": "a/**"}, "dest_namespace": "a"}]},
        hostvars=inventory, inventory_hostname="connected")
    assert plan["errors"] == []
    robot_endpoint, admin_endpoint = plan["registries"]
    assert (robot_endpoint["access_key"], robot_endpoint["access_secret"]) == ("svc@replication-connected-air-gap", ROBOT_SECRET)
    assert (admin_endpoint["access_key"], admin_endpoint["access_secret"]) == ("admin", SECRET)       # explicit: the admin
    assert plan["robots"] == [dict(harbor="disconnected", robots=[dict(
        name="replication-connected-air-gap", secret=ROBOT_SECRET, update_password="always",
        description="replication endpoint Air Gap of connected " + MARK_RP,
        permissions=[dict(namespace="*", access=dict(repository=["pull", "push"])),
                     dict(namespace="appco", access=dict(repository=["list", "pull"], artifact=["list", "read"])),
                     dict(namespace="mirror", access=dict(repository=["delete", "pull", "push"]))])])]
    assert plan["endpoint_robots"] == {"Air Gap": dict(harbor="disconnected", name="replication-connected-air-gap",
                                                       login="svc@replication-connected-air-gap")}
    # the robot cannot create projects: the push rules' destination project is created there first (the admin's rule not)
    assert plan["dest_projects"] == [dict(harbor="disconnected", projects=[dict(name="mirror", public=False)])]
    assert SECRET not in str(plan["endpoint_robots"])


def test_replication_plan_refuses_a_robot_without_a_valid_secret_name_or_rule():
    inventory = connected_inventory()
    variables = {
        "replication_endpoints": [{"name": "a", "host": "disconnected"},
                                  {"name": "b", "host": "disconnected", "robot_secret": "weak", "robot_name": "Bad Name"},
                                  {"name": "unused", "host": "disconnected", "robot_secret": ROBOT_SECRET}],
        "replication_rules": [{"name": "r", "endpoint": "a", "filters": {"name": "x/**"}},
                              {"name": "s", "endpoint": "b", "filters": {"name": "x/**"}}]}
    plan = replication_plan(variables, hostvars=inventory, inventory_hostname="connected")
    refused_exactly(plan, [
        "replication_endpoints[0].robot_secret (name a): required: the endpoint logs in to disconnected as robot account"
        " robot$replication-connected-a",
        "replication_endpoints[1].robot_name (name b): 'Bad Name' is not a Harbor robot name",
        "replication_endpoints[1].robot_secret (name b): Harbor takes a robot secret of 8 to 128 characters",
        "replication_endpoints[2].robot (name unused): no rule of replication_rules uses this endpoint",
    ])
    assert "weak" not in " ".join(plan["errors"])


def test_replication_registries_sends_a_new_robot_secret_to_its_endpoint_only_in_that_run():
    plan = replication_plan({"replication_endpoints": [{"name": "airgap", "host": "disconnected", "robot_secret": ROBOT_SECRET},
                                                       {"name": "other", "url": "https://o.example.com"}],
                             "replication_rules": [{"name": "r", "endpoint": "airgap", "filters": {"name": "x/**"}}]},
                            hostvars=connected_inventory(), inventory_hostname="connected")
    renewed = {"results": [{"item": "disconnected", "results": [{"name": "replication-connected-airgap", "secret_sent": "new robot account"}]}]}
    assert [r["update_password"] for r in replication_registries(plan, runs=renewed)] == ["always", "on_create"]
    unchanged = {"results": [{"item": "disconnected", "results": [{"name": "replication-connected-airgap"}]}]}
    assert [r["update_password"] for r in replication_registries(plan, runs=unchanged)] == ["on_create", "on_create"]
    assert replication_registries(plan, runs={"results": [], "skipped": True}) == plan["registries"]


def test_proxy_cache_pull_robot_pulls_in_every_cache_and_the_hints_show_its_login():
    upstreams = [{"name": "NVIDIA", "preset": "ngc", "access_secret": "k"}, {"name": "hub", "preset": "docker-hub"},
                 {"name": "gone", "preset": "ghcr", "state": "absent"}]
    plan = proxy_cache_plan({"proxy_cache_upstreams": upstreams, "proxy_cache_pull_robot": {"name": "nodes", "secret": ROBOT_SECRET}},
                            harbor_url="https://harbor.example.com", robot_name_prefix="robot$")
    assert plan["errors"] == []
    assert plan["pull_robots"] == [dict(name="nodes", secret=ROBOT_SECRET, update_password="always",
                                        description="pulls through the proxy caches " + MARK_PC,
                                        permissions=[dict(namespace="dockerhub", access=dict(repository=["pull"])),
                                                     dict(namespace="nvidiaio", access=dict(repository=["pull"]))])]
    login = [line for line in plan["hints"] if "robot$nodes" in line]
    assert login[0].startswith("Nodes log in as robot$nodes") and "docker login harbor.example.com -u 'robot$nodes'" in login[1]
    assert ROBOT_SECRET not in " ".join(plan["hints"])
    absent = {"name": "nodes", "state": "absent", "secret": ROBOT_SECRET}
    gone = proxy_cache_plan({"proxy_cache_upstreams": upstreams, "proxy_cache_pull_robot": absent})
    assert gone["pull_robots"] == [dict(name="nodes", state="absent")]
    assert proxy_cache_plan({"proxy_cache_upstreams": upstreams})["pull_robots"] == []
    weak = proxy_cache_plan({"proxy_cache_upstreams": upstreams[2:], "proxy_cache_pull_robot": {"secret": "weak"}})
    refused_exactly(weak, ["proxy_cache_pull_robot.secret: Harbor takes a robot secret of",
                           "proxy_cache_pull_robot: no upstream of proxy_cache_upstreams is present"])


def test_replication_plan_needs_hostvars_and_the_host():
    with pytest.raises(AnsibleFilterError):
        replication_plan({}, hostvars=None, inventory_hostname="x")


# -- preflight: the proxy-cache check against the Harbors, and prune ------------------------------------------------
def test_preflight_prunes_only_marked_endpoints_and_their_caches_that_the_variables_no_longer_list():
    plan = proxy_cache_plan({"proxy_cache_upstreams": [{"name": "kept", "provider": "docker-registry", "url": "https://k.example.com"}],
                             "proxy_cache_prune": True, "proxy_cache_purge": True})
    registries = [dict(name="kept", description=mark("", "proxy_cache")), dict(name="dropped", description=mark("x", "proxy_cache")),
                  dict(name="by-hand", description="made in the UI"), dict(name="repl", description=mark("", "replication"))]
    projects = [dict(name="kept", proxy_cache_registry="kept", repo_count=3), dict(name="dropped-cache", proxy_cache_registry="dropped",
                                                                                   repo_count=2),
                dict(name="hand-cache", proxy_cache_registry="by-hand", repo_count=1)]
    result = preflight(plan, role="proxy_cache", registries=registries, projects=projects)
    assert result["errors"] == []
    assert result["remove_registries"] == [dict(name="dropped", state="absent")]
    assert result["remove_projects"] == [dict(name="dropped-cache", state="absent", purge=True)]
    assert result["lines"] == [
        "prune: proxy-cache project dropped-cache of endpoint dropped, with its 2 repositories (proxy_cache_purge)",
        "prune: endpoint dropped (marked [managed by registryops.harbor.proxy_cache], no longer in proxy_cache_upstreams)"]
    # prune off: nothing, whatever is marked
    plan["prune"] = False
    assert preflight(plan, role="proxy_cache", registries=registries, projects=projects)["remove_registries"] == []


def test_preflight_prunes_marked_rules_and_endpoints_and_refuses_an_endpoint_a_rule_still_uses():
    inventory = connected_inventory()
    plan = replication_plan({"replication_endpoints": [{"name": "airgap", "host": "disconnected", "robot_secret": ROBOT_SECRET}],
                             "replication_rules": [{"name": "kept", "endpoint": "airgap"}, {"name": "retired", "state": "absent"}],
                             "replication_prune": True}, hostvars=inventory, inventory_hostname="connected")
    registries = [dict(name="airgap", description=MARK_RP), dict(name="old-peer", description="x " + MARK_RP),
                  dict(name="used", description=MARK_RP), dict(name="hand", description="by hand")]
    rules = [dict(name="kept", description=MARK_RP, registry="airgap"), dict(name="old-rule", description=MARK_RP, registry="old-peer"),
             dict(name="retired", description=MARK_RP, registry="old-peer"), dict(name="hand-rule", description="", registry="used"),
             dict(name="hand-rule-2", description="", registry="hand")]
    result = preflight(plan, role="replication", registries=registries, rules=rules, proxy_projects=[])
    assert result["remove_rules"] == [dict(name="old-rule", state="absent", stop_running=True)]
    assert result["remove_registries"] == [dict(name="old-peer", state="absent")]     # its rules both go in this run
    assert result["lines"] == [
        "prune: replication rule old-rule (marked [managed by registryops.harbor.replication], no longer in replication_rules)",
        "prune: endpoint old-peer (marked [managed by registryops.harbor.replication], no longer in replication_endpoints)"]
    found = problems(result)
    assert found == ["- replication_endpoints: endpoint used is marked [managed by registryops.harbor.replication] and no longer"
                     " listed, so prune would remove it, but replication rule(s) hand-rule still use it. Fix: remove those rules"
                     " too (state: absent, or drop them from replication_rules if the role made them), or list the endpoint again"]


def test_preflight_refuses_a_rule_into_a_proxy_cache_project_that_exists_on_the_harbor_that_receives():
    inventory = connected_inventory()
    plan = replication_plan({"replication_endpoints": [{"name": "airgap", "host": "disconnected", "robot_secret": ROBOT_SECRET}],
                             "replication_rules": [{"name": "push", "endpoint": "airgap", "filters": {"name": "nvaie/**"}},
                                                   {"name": "fine", "endpoint": "airgap", "filters": {"name": "x/**"},
                                                    "dest_namespace": "mirror"}]},
                            hostvars=inventory, inventory_hostname="connected")
    reads = [{"item": {"harbor": "disconnected", "projects": ["nvaie", "mirror"]}, "projects": ["nvaie"]}]
    found = problems(preflight(plan, role="replication", proxy_projects=reads))
    assert found == ["- replication_rules[0].filters.name (name push): the destination project 'nvaie' on disconnected is a"
                     " proxy-cache project; Harbor refuses pushes into proxy-cache projects, so every task of the rule would fail."
                     " Fix: give the rule a normal project as destination (dest_namespace, e.g. 'nvaie-mirror'), or use the"
                     " proxy cache instead of the rule"]


def test_preflight_refuses_a_rule_whose_endpoint_is_neither_listed_nor_on_this_harbor():
    plan = replication_plan({"replication_endpoints": [{"name": "airgap", "url": "https://a.example.com"}],
                             "replication_rules": [{"name": "listed", "endpoint": "airgap"}, {"name": "existing", "registry": "peer"},
                                                   {"name": "nowhere", "endpoint": "nope"}]},
                            hostvars=connected_inventory(), inventory_hostname="connected")
    assert [c["endpoint"] for c in plan["endpoint_checks"]] == ["peer", "nope"]
    found = problems(preflight(plan, role="replication", registries=[dict(name="peer", description="")], proxy_projects=[]))
    assert found == ["- replication_rules[2].endpoint (name nowhere): no registry endpoint named 'nope' on this Harbor, and"
                     " replication_endpoints does not list it. Fix: add the endpoint to replication_endpoints, or name one of this"
                     " Harbor's endpoints (peer)"]


# -- preflight: adoption (an object that exists without the role's mark) -------------------------------------------
def descriptions(elements):
    return dict((e["name"], e["description"]) for e in elements)


def test_preflight_leaves_an_adopted_endpoint_unmarked_while_prune_is_off():
    """A missing mark alone is no difference: an endpoint made by hand (or exported) that the variables list keeps its
    description when the rest of it equals the entry's (another role's mark included), gets the entry's without the
    mark when it differs, and only a new endpoint or one the role made gets (keeps) the mark."""
    upstreams = [dict(name=name, provider="docker-registry", url="https://%s.example.com" % name, description=text)
                 for name, text in (("same", "NGC images"), ("other-role", "shared"), ("edited", "new text"), ("empty", None),
                                    ("ours", "ours"), ("new", "fresh"))]
    plan = proxy_cache_plan({"proxy_cache_upstreams": upstreams})
    registries = [dict(name="same", description="NGC images"), dict(name="other-role", description="shared " + MARK_RP),
                  dict(name="edited", description="old text"), dict(name="empty", description=""),
                  dict(name="ours", description="old " + MARK_PC), dict(name="unlisted", description="by hand")]
    result = preflight(plan, role="proxy_cache", registries=registries)
    assert descriptions(result["registries"]) == {
        "same": "NGC images", "other-role": "shared " + MARK_RP, "edited": "new text", "empty": "",
        "ours": "ours " + MARK_PC, "new": "fresh " + MARK_PC}
    assert result["lines"] == [] and result["remove_registries"] == []
    # nothing but the description differs from the plan's elements (the secrets and options are the plan's)
    assert [dict(r, description=None) for r in result["registries"]] == [dict(r, description=None) for r in plan["registries"]]
    # nothing read (no endpoint on the Harbor): the plan's elements as they are
    assert preflight(plan, role="proxy_cache", registries=[])["registries"] == plan["registries"]


def test_preflight_with_prune_marks_the_adopted_objects_it_lists_and_never_prunes_an_unmarked_one():
    plan = proxy_cache_plan({"proxy_cache_upstreams": [{"name": "adopted", "provider": "docker-registry",
                                                        "url": "https://a.example.com", "description": "NGC images"}],
                             "proxy_cache_prune": True})
    registries = [dict(name="adopted", description="NGC images"), dict(name="unlisted", description="by hand")]
    projects = [dict(name="hand-cache", proxy_cache_registry="unlisted", repo_count=0)]
    result = preflight(plan, role="proxy_cache", registries=registries, projects=projects)
    assert descriptions(result["registries"]) == {"adopted": "NGC images " + MARK_PC}
    assert result["remove_registries"] == [] and result["remove_projects"] == []
    assert result["lines"] == ["prune: endpoint adopted gets the mark %s (listed in proxy_cache_upstreams: prune removes it once"
                               " no longer listed)" % MARK_PC]
    # the next run finds it marked: nothing to say, nothing to change
    registries[0]["description"] = "NGC images " + MARK_PC
    again = preflight(plan, role="proxy_cache", registries=registries, projects=projects)
    assert again["lines"] == [] and again["registries"] == plan["registries"]


def test_preflight_adopts_replication_endpoints_and_rules_the_same_way():
    endpoints = [{"name": "peer", "url": "https://p.example.com", "access_key": "u", "access_secret": SECRET},
                 {"name": "new-peer", "url": "https://n.example.com", "access_key": "u", "access_secret": SECRET}]
    rules = [{"name": "adopted", "endpoint": "peer", "description": "nightly"}, {"name": "edited", "endpoint": "peer"},
             {"name": "new", "endpoint": "new-peer"}]
    variables = {"replication_endpoints": endpoints, "replication_rules": rules}
    current_registries = [dict(name="peer", description="")]
    current_rules = [dict(name="adopted", description="nightly", registry="peer"),
                     dict(name="edited", description="by hand", registry="peer"),
                     dict(name="hand-rule", description="", registry="peer")]
    plan = replication_plan(variables, hostvars=connected_inventory(), inventory_hostname="connected")
    result = preflight(plan, role="replication", registries=current_registries, rules=current_rules, proxy_projects=[])
    assert result["errors"] == [] and result["lines"] == []
    assert descriptions(result["registries"]) == {"peer": "", "new-peer": MARK_RP}
    assert descriptions(result["rules"]) == {"adopted": "nightly", "edited": "", "new": MARK_RP}
    assert [r["update_password"] for r in replication_registries(plan, preflight=result)] == ["on_create", "on_create"]
    assert replication_registries(plan, preflight=result) == result["registries"]
    # prune on: every listed object without the mark gets it, and the rule made by hand that no entry lists stays
    plan = replication_plan(dict(variables, replication_prune=True), hostvars=connected_inventory(), inventory_hostname="connected")
    result = preflight(plan, role="replication", registries=current_registries, rules=current_rules, proxy_projects=[])
    assert result["errors"] == [] and result["remove_rules"] == [] and result["remove_registries"] == []
    assert descriptions(result["registries"]) == {"peer": MARK_RP, "new-peer": MARK_RP}
    assert descriptions(result["rules"]) == {"adopted": "nightly " + MARK_RP, "edited": MARK_RP, "new": MARK_RP}
    assert result["lines"] == [
        "prune: endpoint peer gets the mark %s (listed in replication_endpoints: prune removes it once no longer listed)" % MARK_RP,
        "prune: replication rule adopted gets the mark %s (listed in replication_rules: prune removes it once no longer listed)"
        % MARK_RP,
        "prune: replication rule edited gets the mark %s (listed in replication_rules: prune removes it once no longer listed)"
        % MARK_RP]
    assert SECRET not in " ".join(result["lines"])


def test_preflight_wants_a_role_and_its_plan():
    with pytest.raises(AnsibleFilterError):
        preflight({}, role="proxy_cache")
    with pytest.raises(AnsibleFilterError):
        preflight({"listed": {}}, role="other")


def test_the_mark_is_added_once():
    assert mark("NGC", "proxy_cache") == "NGC " + MARK_PC == mark("NGC " + MARK_PC, "proxy_cache")
    assert mark(None, "replication") == MARK_RP
    assert marked("x " + MARK_RP, "replication") and not marked("x " + MARK_RP, "proxy_cache") and not marked(None, "replication")


# -- replication_sync: the comparison ---------------------------------------------------------------------------------
@pytest.mark.parametrize("reference, namespace, count, expected", [
    ("nvaie/nvidia/cuda:12.4@sha256:a", "nvaie", 1, "nvaie/nvidia/cuda:12.4@sha256:a"),
    ("nvaie/nvidia/cuda:12.4@sha256:a", "mirror", 2, "mirror/cuda:12.4@sha256:a"),
    ("nvaie/nvidia/cuda@sha256:a", "flat", -1, "flat/cuda@sha256:a"),
    ("nvaie/nvidia/cuda:1", "ns/deep", 0, "ns/deep/nvaie/nvidia/cuda:1"),
    ("appco/containers/etcd:3.5", "", 1, "appco/containers/etcd:3.5"),
])
def test_dest_reference(reference, namespace, count, expected):
    assert sync_mod.dest_reference(reference, namespace, count) == expected


def sync_plan(**rule):
    inventory = connected_inventory()
    base = {"name": "push", "endpoint": "airgap", "filters": {"name": "nvaie/**"}, "dest_namespace": "mirror", "flattening": 1}
    plan = replication_plan({"replication_endpoints": [{"name": "airgap", "host": "disconnected", "robot_secret": ROBOT_SECRET}],
                             "replication_rules": [dict(base, **rule)]}, hostvars=inventory, inventory_hostname="connected")
    assert plan["errors"] == []
    return plan


def read(references, exists=True, **item):
    return dict(item=item, references=references, project_exists=exists)


def test_replication_sync_starts_what_is_missing_and_reports_it_in_sync_afterwards():
    plan = sync_plan(expect=["mirror/extra:1"])
    sources = [read(["nvaie/a:1@sha256:1", "nvaie/b:2@sha256:2"], rule="push")]
    assert replication_sync(plan, "reads", sources=sources) == [dict(harbor="disconnected", project="mirror")]
    before = [read(["mirror/a:1@sha256:1", "mirror/b:2@sha256:old"], harbor="disconnected", project="mirror")]
    compared = replication_sync(plan, "compare", sources=sources, destinations=before, since=SINCE)
    # not "already succeeded since the rule changed": an execution started since the comparison began (another run's)
    assert compared["executions"] == [dict(rule="push", force=False, wait=True, fail_on_error=False, since=SINCE)]
    assert compared["rules"][0]["missing_before"] == ["mirror/b:2@sha256:2", "mirror/extra:1"]     # another digest is missing
    assert compared["verify_reads"] == [dict(harbor="disconnected", project="mirror")]
    after = [read(["mirror/a:1@sha256:1", "mirror/b:2@sha256:2", "mirror/extra:1@sha256:3"], harbor="disconnected", project="mirror")]
    runs = [dict(name="push", msg="started execution 7 of replication rule push: Succeed", execution=dict(status="Succeed"))]
    report = replication_sync(plan, "report", sources=sources, destinations=before, runs=runs, after=after)
    assert report == dict(failures=[], lines=[
        "replication rule 'push': 3 reference(s) expected at the destination, 2 missing before. started execution 7 of replication"
        " rule push: Succeed",
        "replication rule 'push' is in sync: 3 reference(s) at the destination with the same digests as the source"])
    failed = replication_sync(plan, "report", sources=sources, destinations=before, runs=runs, after=before)
    assert failed["failures"] == ["replication rule 'push': 2 artifact(s) missing at the destination after the replication:"
                                  " mirror/b:2@sha256:2, mirror/extra:1. started execution 7 of replication rule push: Succeed"]


def test_replication_sync_in_sync_starts_nothing():
    plan = sync_plan()
    sources = [read(["nvaie/a:1@sha256:1"], rule="push")]
    held = [read(["mirror/a:1@sha256:1"], harbor="disconnected", project="mirror")]
    compared = replication_sync(plan, "compare", sources=sources, destinations=held)
    assert compared["executions"] == [] and compared["verify_reads"] == []
    report = replication_sync(plan, "report", sources=sources, destinations=held, runs=[], after=[])
    assert report["lines"] == ["replication rule 'push': 1 reference(s) expected at the destination, 0 missing before. In sync:"
                               " no execution started."]


def test_replication_sync_check_mode_says_why_a_rule_would_start_on_fresh_harbors():
    """A source project that does not exist yet (the run creates it), or a proxy cache whose test read the run makes first:
    check mode says the rule would start and why; a real run with no source project has nothing to replicate."""
    plan = sync_plan(filters={"name": "nvidiaio/**"}, dest_namespace="nvidiaio")
    missing_source = [read([], exists=False, rule="push")]
    compared = replication_sync(plan, "compare", sources=missing_source, destinations=[], check_mode=True, since=SINCE)
    assert compared["executions"] == [dict(rule="push", force=False, wait=True, fail_on_error=False, since=SINCE)]
    assert compared["verify_reads"] == []
    line, = replication_sync(plan, "report", sources=missing_source, destinations=[], runs=[
        dict(name="push", msg="would start an execution of replication rule push once it exists")], after=[], check_mode=True)["lines"]
    assert line == ("replication rule 'push': 0 reference(s) expected at the destination, 0 missing before. Would start: its source"
                    " project nvidiaio on connected does not exist yet (this run creates it, a proxy cache of proxy_cache_upstreams),"
                    " so what it will hold is not known before the run. would start an execution of replication rule push once it"
                    " exists")
    real = replication_sync(plan, "compare", sources=missing_source, destinations=[], check_mode=False)
    assert real["executions"] == [] and "does not exist: nothing to replicate" in real["rules"][0]["why"]
    # the cache exists and holds other images, but not the test reference the run reads through it first
    cached = [read(["nvidiaio/nvaie/other:1@sha256:9"], rule="push")]
    held = [read(["nvidiaio/nvaie/other:1@sha256:9"], harbor="disconnected", project="nvidiaio")]
    check = replication_sync(plan, "compare", sources=cached, destinations=held, check_mode=True)
    assert check["executions"] and "the real run first reads nvidiaio/nvaie/vllm:latest through it" in check["rules"][0]["why"]
    assert replication_sync(plan, "compare", sources=cached, destinations=held, check_mode=False)["executions"] == []
    # once the test reference is cached and replicated, check mode says in sync
    done = [read(["nvidiaio/nvaie/vllm:latest@sha256:5"], rule="push")]
    there = [read(["nvidiaio/nvaie/vllm:latest@sha256:5"], harbor="disconnected", project="nvidiaio")]
    assert replication_sync(plan, "compare", sources=done, destinations=there, check_mode=True)["executions"] == []


def test_replication_sync_a_rule_that_cannot_be_compared_runs_and_must_succeed():
    inventory = connected_inventory()
    plan = replication_plan({"replication_endpoints": [{"name": "ngc", "provider": "docker-registry", "url": "https://nvcr.io"}],
                             "replication_rules": [{"name": "pull", "mode": "pull", "endpoint": "ngc", "filters": {"name": "nvaie/**"}}]},
                            hostvars=inventory, inventory_hostname="connected")
    assert plan["source_reads"] == []
    compared = replication_sync(plan, "compare", sources=[], destinations=[], since=SINCE)
    # the module's own criterion: started unless it already succeeded since the rule last changed
    assert compared["executions"] == [dict(rule="pull", force=False, wait=True, fail_on_error=False)]
    runs = [dict(name="pull", msg="execution 3 of replication rule pull ended Failed: 1 of 1 tasks failed", execution=dict(status="Failed"))]
    report = replication_sync(plan, "report", sources=[], destinations=[], runs=runs, after=[])
    assert report["lines"][0].startswith("replication rule 'pull': Not compared")
    assert report["failures"] == ["replication rule 'pull': execution 3 of replication rule pull ended Failed: 1 of 1 tasks failed"]


def test_replication_sync_wants_a_known_step():
    with pytest.raises(AnsibleFilterError):
        replication_sync(sync_plan(), "guess")
