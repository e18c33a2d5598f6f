"""playbooks/site.yml and its roles over inventories of emulated Harbors (a host is one Harbor): check mode plans a
fresh set-up without writing, the verify step names what a failed replication left out, a pull rule into a proxy-cache
project is refused before any write, the argument specs refuse bad role input, and one run converges a fleet of Harbors.
(The converge + idempotence run of inventories/demo itself is test_site_demo.py.)"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools.dataplane.registry import missing_binaries
from tests.support.ansible import ansible_playbook
from tests.support.names import unique

REPO = Path(__file__).resolve().parents[2]
NGC_KEY = "site-test-ngc-key"
ROBOT_SECRET = "Site-Robot-Secret-1"      # the robot accounts the replication role keeps on the other Harbor
# the objects the air-gap inventory makes (unique per test process: the Harbors may be shared real ones)
NVIDIA, NVAIE, APPCO, MIRROR = unique("NVIDIA"), unique("nvaie"), unique("appco"), unique("mirror")
PUSH_RULE, PULL_RULE = unique("nvaie-to-disconnected"), unique("application-collection-from-connected")
TO_DISCONNECTED, TO_CONNECTED, AC = unique("disconnected-harbor"), unique("connected-harbor"), unique("application-collection")
NVIDIAIO, NGC_RULE = unique("nvidiaio"), unique("ngc-cache-to-disconnected")
RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout
        self.recap = {host: {"ok": int(ok), "changed": int(changed), "failed": int(failed)}
                      for host, ok, changed, _, failed in RECAP.findall(proc.stdout)}


def host(target, **role_vars):
    tls = {"harbor_ca_path": target.ca_path} if target.ca_path else {}
    return dict(harbor_url=target.url, harbor_username=target.username, harbor_password=target.password, **tls, **role_vars)


def run_site(tmp_path, connected=None, disconnected=None, playbook="site.yml", args=(), forks=None):
    """Write an inventory (``{name: host vars}`` per group) and run a playbook of the checkout with it."""
    groups = {"harbor_connected": {"hosts": connected or {}}, "harbor_disconnected": {"hosts": disconnected or {}}}
    inventory = {"harbor": {"children": groups,
                            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    cmd = [ansible_playbook(), str(REPO / "playbooks" / playbook), "-i", str(tmp_path / "hosts.yml")] + list(args)
    if forks:
        cmd += ["--forks", str(forks)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "ANSIBLE_"))}
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    proc = subprocess.run(cmd, cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=900, check=False)
    return Run(proc)


def air_gap(harbor_factory, emulator_factory, tls=False, storage="registry"):
    """upstream (NGC, an emulator), connected and disconnected Harbors (emulators, or the real ones given by HARBOR_URL
    and HARBOR2_URL), seeded with curated images, a push rule to the air gap and a pull rule from the connected Harbor
    (``tls``: the disconnected emulator serves HTTPS with a self-signed CA, given as harbor_ca_path). The emulators keep
    their images in registries of their own (real digests, real copies), or in memory (``storage``, and on a machine
    without the data plane's Debian packages)."""
    storage = "memory" if missing_binaries() else storage
    upstream = emulator_factory(users={"$oauthtoken": NGC_KEY}, storage=storage)
    upstream.seed(project="nvaie", repository="vllm", tags=["latest"])
    upstream.api("PUT", "/projects/nvaie", json={"metadata": {"public": "true"}}, headers={"X-Is-Resource-Name": "true"})
    connected, disconnected = harbor_factory(storage=storage), harbor_factory(tls=tls, storage=storage)
    connected.seed(project=NVAIE, repository="nvidia/cuda", tags=["12.4.1-base", "12.4.1-runtime"])
    connected.seed(project=NVAIE, repository="nvidia/tritonserver", tags=["24.05-py3"])
    connected.seed(project=NVAIE, repository="nvidia/scratch", tags=["dev"])
    connected.seed(project=APPCO, repository="containers/etcd", tags=["3.5.14-7.7"])
    connected_vars = {
        "proxy_cache_upstreams": [{"name": NVIDIA, "preset": "ngc", "url": upstream.url, "verify_remote_cert": False,
                                   "access_secret": NGC_KEY, "test_reference": "nvaie/vllm:latest", "project": NVIDIAIO}],
        "replication_endpoints": [{"name": TO_DISCONNECTED, "host": "harbor-disconnected", "robot_secret": ROBOT_SECRET}],
        "replication_projects": [{"name": NVAIE, "storage_quota": "500GiB"}],
        "replication_rules": [{"name": PUSH_RULE, "mode": "push", "endpoint": TO_DISCONNECTED,
                               "filters": {"name": NVAIE + "/nvidia/**", "tag": "{2*,1*}"}, "dest_namespace": NVAIE,
                               "flattening": 1, "dest_project": {"public": False, "storage_quota": "500GiB"}}],
    }
    disconnected_vars = {
        "replication_endpoints": [{"name": TO_CONNECTED, "host": "harbor-connected", "robot_secret": ROBOT_SECRET}],
        "replication_rules": [{"name": PULL_RULE, "mode": "pull", "endpoint": TO_CONNECTED,
                               "filters": {"name": APPCO + "/**", "tag": "**"}, "dest_namespace": AC,
                               "flattening": 1, "dest_project": {"public": True}}],
    }
    inventory = dict(connected={"harbor-connected": host(connected, **connected_vars)},
                     disconnected={"harbor-disconnected": host(disconnected, **disconnected_vars)})
    return (upstream, connected, disconnected), inventory


def no_writes(*targets):
    return {target.url: target.writes() for target in targets if target.writes()}


@pytest.mark.core_matrix
def test_check_diff_on_fresh_harbors_shows_the_plan_and_writes_nothing(harbor_factory, emulator_factory, tmp_path):
    emulators, inventory = air_gap(harbor_factory, emulator_factory, storage="memory")      # a plan moves no byte: the fast storage
    for target in emulators:
        target.clear_log()
    # a push rule whose source is the NGC proxy cache, which this run creates (and reads nvaie/vllm:latest through)
    connected_vars = inventory["connected"]["harbor-connected"]
    connected_vars["replication_rules"].append({"name": NGC_RULE, "endpoint": TO_DISCONNECTED,
                                                "filters": {"name": NVIDIAIO + "/**"}, "dest_namespace": NVIDIAIO, "dest_project": {}})
    run = run_site(tmp_path, args=["--check", "--diff"], **inventory)
    assert no_writes(*emulators) == {}
    assert run.rc == 0, run.output[-6000:]
    out = run.output
    # --diff shows each object the list calls would create, under its element's header; sizes as written (500GiB)
    for header in (r"registries\[0\] " + NVIDIA, r"registries\[0\] " + TO_DISCONNECTED, r"registries\[0\] " + TO_CONNECTED,
                   r"projects\[0\] " + NVIDIAIO, r"projects\[0\] " + NVAIE, r"rules\[0\] " + PUSH_RULE,
                   r"rules\[1\] " + NGC_RULE, r"rules\[0\] " + PULL_RULE):
        assert re.search(r"after: " + header, out), header
    assert '"storage_quota": "500 GiB"' in out and "536870912 kB" not in out
    # the destination projects, per Harbor that receives
    assert "(item=harbor-disconnected: %s, %s)" % (NVAIE, NVIDIAIO) in out
    assert "(item=harbor-disconnected: %s)" % AC in out
    # the executions that would start, and why
    assert ("replication rule '%s': 3 reference(s) expected at the destination, 3 missing before. would start"
            " an execution of replication rule %s once it exists" % (PUSH_RULE, PUSH_RULE)) in out
    assert ("replication rule '%s': 0 reference(s) expected at the destination, 0 missing before. Would"
            " start: its source project %s on harbor-connected does not exist yet (this run creates it, a proxy cache of"
            " proxy_cache_upstreams), so what it will hold is not known before the run. would start an execution of replication"
            " rule %s once it exists" % (NGC_RULE, NVIDIAIO, NGC_RULE)) in out
    assert "replication rule '%s': 1 reference(s) expected at the destination, 1 missing" % PULL_RULE in out
    assert "In sync" not in out
    assert run.recap["harbor-connected"]["changed"] > 0 and run.recap["harbor-disconnected"]["changed"] > 0
    assert NGC_KEY not in out


@pytest.mark.emulator_only("the emulator's replication control fails chosen tasks")
def test_verify_fails_naming_every_missing_artifact(harbor_factory, emulator_factory, tmp_path):
    """Also: the disconnected Harbor has a self-signed CA (the controller and the connected Harbor's endpoint use it)."""
    emulators, inventory = air_gap(harbor_factory, emulator_factory, tls=True)
    connected = emulators[1]
    connected.replication(fail={"pattern": NVAIE + "/nvidia/cuda"})
    run = run_site(tmp_path, playbook="replication.yml", args=["-vvv"], **inventory)
    assert run.rc != 0
    assert "Harbor12345" not in run.output                                     # no secret, even with -vvv
    assert run.recap["harbor-connected"]["failed"] == 1 and run.recap["harbor-disconnected"]["failed"] == 0
    message = [line for line in run.output.splitlines() if "missing at the destination after the replication" in line]
    assert message, run.output[-5000:]
    assert "replication rule '%s': 2 artifact(s) missing" % PUSH_RULE in message[0]
    assert NVAIE + "/nvidia/cuda:12.4.1-base@sha256:" in message[0] and NVAIE + "/nvidia/cuda:12.4.1-runtime@sha256:" in message[0]
    assert "tritonserver" not in message[0]                                    # it arrived (over TLS, checked with the CA)
    assert emulators[2].url.startswith("https://")
    assert "1 of 2 tasks failed" in message[0] or "Failed" in message[0]


def test_a_pull_rule_into_a_proxy_cache_project_is_refused_before_any_write(harbor, emulator_factory, tmp_path):
    upstream = emulator_factory()
    harbor.api("POST", "/registries", json={"name": APPCO, "type": "docker-registry", "url": upstream.url})
    registry_id = harbor.api("GET", "/registries", params={"q": "name=" + APPCO}).json()[0]["id"]
    harbor.api("POST", "/projects", json={"project_name": AC, "registry_id": registry_id})
    harbor.clear_log()
    rules = [{"name": unique("appco-mirror"), "mode": "pull", "endpoint": APPCO, "filters": {"name": "containers/**"},
              "dest_namespace": AC}]
    endpoints = [{"name": APPCO, "provider": "docker-registry", "url": upstream.url}]
    run = run_site(tmp_path, playbook="replication.yml",
                   disconnected={"airgap": host(harbor, replication_endpoints=endpoints, replication_rules=rules)})
    assert run.rc != 0
    assert ("replication_rules[0].dest_namespace (name %s): the destination project '%s' on airgap"
            " is a proxy-cache project" % (unique("appco-mirror"), AC)) in " ".join(run.output.split())
    assert "Fix: give the rule a normal project as destination" in run.output
    assert harbor.writes() == []


def test_argument_specs_refuse_bad_role_input_before_any_task(harbor, tmp_path):
    """Types and choices: Ansible's own check of the argument specs (the values: test_site_day2.py)."""
    harbor.clear_log()
    bad_cache = [{"name": "ngc", "preset": "nvcr", "storage_quota": "1TB"}]
    bad_rules = [{"name": "to-airgap", "mode": "sideways", "filters": {"name": "a/**", "colour": "blue"}}]
    cache = run_site(tmp_path, playbook="proxy_cache.yml", connected={"cache": host(harbor, proxy_cache_upstreams=bad_cache)})
    assert cache.rc != 0
    assert "value of preset must be one of: ngc, suse-application-collection, docker-hub, ghcr, quay, registry-k8s-io," \
           " generic, got: nvcr found in proxy_cache_upstreams" in " ".join(cache.output.split())
    run = run_site(tmp_path, playbook="replication.yml",
                   disconnected={"airgap": host(harbor, replication_rules=bad_rules, replication_sync="maybe")})
    assert run.rc != 0
    out = " ".join(run.output.split())
    assert "value of mode must be one of: push, pull, got: sideways found in replication_rules" in out
    assert "colour" in out
    assert "replication_sync" in out
    assert harbor.requests_log() == []                                          # refused before any task ran


@pytest.mark.core_matrix     # ansible-core 2.16 templates a dependency's vars to text: role_input reads the vars lookup
def test_a_number_given_to_a_dict_variable_is_named_before_ansible_cores_check_fails_on_it(harbor, tmp_path):
    """ansible-core's check of a role's variables crashes on a number or a boolean where a dictionary belongs ("argument
    of type 'int' is not iterable", ansible/ansible#81631); the roles' dependency role_input names the variable first."""
    harbor.clear_log()
    upstreams = [{"name": "hub", "preset": "docker-hub"}]
    cache = run_site(tmp_path, playbook="proxy_cache.yml",
                     connected={"cache": host(harbor, proxy_cache_upstreams=upstreams, proxy_cache_pull_robot=0)})
    out = " ".join(cache.output.split())
    assert cache.rc != 0
    assert "registryops.harbor.role_input : The dictionary variables hold dictionaries (role proxy_cache)" in out
    assert ("proxy_cache_pull_robot: expected a dictionary with the keys description, name, secret, state (YAML mapping,"
            " JSON or key=value text), got a number") in out
    rules = [{"name": "ok", "endpoint": "peer", "filters": {"name": "a/**"}}, {"name": "bad", "endpoint": "peer", "filters": True}]
    run = run_site(tmp_path, playbook="replication.yml", disconnected={"airgap": host(harbor, replication_rules=rules)})
    out += " " + " ".join(run.output.split())
    assert run.rc != 0
    assert "replication_rules[1].filters: expected a dictionary with the keys label_decoration, labels, name, resource," \
           " tag, tag_decoration (YAML mapping, JSON or key=value text), got a boolean True" in out
    assert "not iterable" not in out
    assert harbor.requests_log() == []                                          # refused before any task of the roles


@pytest.mark.full         # CI: the demo and test_site_demo.py converge site.yml over two Harbors; scripts/fleet.py times fleets
@pytest.mark.emulator_only("six Harbors (a real run has two)")
def test_one_run_converges_a_fleet_of_harbors(emulator_factory, tmp_path):
    """Three connected Harbors, each with a proxy cache of the same upstream checked through the cache and a push rule to
    its own disconnected peer (6 Harbors): one run with forks converges all of them (scripts/fleet.py measures the wall
    time of 1 against 6 pairs for docs/fleet.md)."""
    upstream = emulator_factory()
    upstream.seed(project="library", repository="alpine", tags=["3.20"])
    connected, disconnected = {}, {}
    for index in range(3):
        source, peer = emulator_factory(), emulator_factory()
        source.seed(project="mirror", repository="tools/kubectl", tags=["1.31"])
        connected["harbor-%d" % index] = host(
            source, proxy_cache_upstreams=[{"name": "upstream", "url": upstream.url, "provider": "docker-registry",
                                            "project": "cache", "test_reference": "library/alpine:3.20"}],
            replication_endpoints=[{"name": "peer", "host": "airgap-%d" % index, "robot_secret": ROBOT_SECRET}],
            replication_rules=[{"name": "mirror", "endpoint": "peer", "filters": {"name": "mirror/**"},
                                "dest_namespace": "mirror", "dest_project": {}}])
        disconnected["airgap-%d" % index] = host(peer)
    run = run_site(tmp_path, connected=connected, disconnected=disconnected, forks=6)
    assert run.rc == 0, run.output[-5000:]
    assert sorted(run.recap) == sorted(list(connected) + list(disconnected))
    assert all(stats["failed"] == 0 for stats in run.recap.values())
    assert run.output.count("Served through the cache: /v2/cache/library/alpine/manifests/3.20") == 3
    assert run.output.count("replication rule 'mirror' is in sync") == 3


def test_example_inventory_decrypts_and_fits_the_role_argument_specs(tmp_path):
    """inventories/example: the vaulted placeholders decrypt with the documented password, every host's role variables
    pass the roles' argument specs, and site.yml accepts the inventory (syntax check)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    (tmp_path / "vault-pass").write_text("example-only\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "ANSIBLE_"))}
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_HOME=str(tmp_path / "home"))
    inventory = ["-i", str(REPO / "inventories" / "example"), "--vault-password-file", str(tmp_path / "vault-pass")]
    listing = subprocess.run([str(Path(ansible_playbook()).with_name("ansible-inventory"))] + inventory + ["--list"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    assert listing.returncode == 0, listing.stdout
    assert "[WARNING]" not in listing.stdout, listing.stdout
    hostvars = yaml.safe_load(listing.stdout[listing.stdout.index("{"):])["_meta"]["hostvars"]
    assert sorted(hostvars) == ["harbor.airgap.example.com", "harbor.example.com"]
    decrypted = subprocess.run([str(Path(ansible_playbook()).with_name("ansible")), "harbor.example.com"] + inventory + [
        "-m", "ansible.builtin.debug", "-a", '{"msg": "{{ vault_ngc_api_key }} {{ harbor_password }}"}'],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    assert "placeholder-ngc-api-key placeholder-connected-admin-password" in decrypted.stdout, decrypted.stdout
    for role in ("proxy_cache", "replication"):
        spec = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
        for name, variables in hostvars.items():
            given = {key: value for key, value in variables.items() if key in spec}
            result = ArgumentSpecValidator(spec).validate(given)
            assert not result.error_messages, (role, name, result.error_messages)
    presets = [u.get("preset") for u in hostvars["harbor.example.com"]["proxy_cache_upstreams"]]
    assert presets == ["ngc", "suse-application-collection"]
    check = subprocess.run([ansible_playbook(), str(REPO / "playbooks" / "site.yml"), "--syntax-check"] + inventory, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    assert check.returncode == 0, check.stdout


def test_a_pull_from_a_registry_that_cannot_be_listed_is_checked_against_expect(harbor, emulator_factory, tmp_path):
    """A pull rule from a plain registry (docker-registry endpoint): the role cannot list the source, so ``expect``
    names what must arrive; the run replicates and then fails naming the expected reference that did not arrive."""
    upstream = emulator_factory(storage="memory" if missing_binaries() else "registry")
    upstream.seed(project="library", repository="alpine", tags=["3.20", "3.19"])
    endpoints = [{"name": unique("upstream"), "provider": "docker-registry", "url": upstream.url, "access_key": "admin",
                  "access_secret": upstream.password}]
    rules = [{"name": unique("alpine"), "mode": "pull", "endpoint": unique("upstream"), "filters": {"name": "library/alpine", "tag": "3.*"},
              "dest_namespace": MIRROR, "dest_project": {}, "expect": [MIRROR + "/alpine:3.20", MIRROR + "/alpine:9.99"]}]
    run = run_site(tmp_path, playbook="replication.yml",
                   disconnected={"airgap": host(harbor, replication_endpoints=endpoints, replication_rules=rules)})
    assert run.rc != 0
    out = " ".join(run.output.split())
    assert "2 reference(s) expected at the destination, 2 missing before. started execution" in out
    assert "replication rule '%s': 1 artifact(s) missing at the destination after the replication: %s/alpine:9.99." % (
        unique("alpine"), MIRROR) in out
    tags = harbor.api("GET", "/projects/%s/repositories/alpine/artifacts" % MIRROR).json()
    assert sorted(t["name"] for art in tags for t in art.get("tags") or []) == ["3.19", "3.20"]


@pytest.mark.emulator_only("seeds chosen digests (the emulator's seed control)")
def test_a_tag_with_another_digest_at_the_destination_is_missing_and_replicated_again(emulator_factory, tmp_path):
    """The role compares digests, not only names and tags: the destination holds nvaie/app:1.0 with another digest (an
    older build), so it is missing; the execution overwrites it (override) and the run ends in sync, digests equal."""
    connected, disconnected = emulator_factory(), emulator_factory()
    source = connected.seed(project="nvaie", repository="app", tags=["1.0"], digest="sha256:" + "a" * 64)["digest"]
    disconnected.seed(project="nvaie", repository="app", tags=["1.0"], digest="sha256:" + "b" * 64)
    rules = [{"name": "nvaie-to-disconnected", "endpoint": "disconnected-harbor", "filters": {"name": "nvaie/**"},
              "dest_namespace": "nvaie", "flattening": 1}]
    run = run_site(tmp_path, playbook="replication.yml",
                   connected={"harbor-connected": host(connected, replication_rules=rules, replication_endpoints=[
                       {"name": "disconnected-harbor", "host": "harbor-disconnected", "robot_secret": ROBOT_SECRET}])},
                   disconnected={"harbor-disconnected": host(disconnected)})
    assert run.rc == 0, run.output[-5000:]
    out = " ".join(run.output.split())
    assert "1 reference(s) expected at the destination, 1 missing before. started execution" in out
    assert ("replication rule 'nvaie-to-disconnected' is in sync: 1 reference(s) at the destination with the same digests"
            " as the source") in out
    arts = disconnected.api("GET", "/projects/nvaie/repositories/app/artifacts").json()
    tagged = {t["name"]: art["digest"] for art in arts for t in art.get("tags") or []}
    assert tagged == {"1.0": source}                # the tag moved to the source's digest (the old build stays, untagged)
