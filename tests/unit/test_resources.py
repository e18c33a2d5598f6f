"""Each resource's option <-> Harbor mapping, table-driven: options -> the request body its hooks build -> the object
as Harbor returns it -> ``to_options`` gives the same options back (and a re-run sends no write).

This layer is the HTTP mapping, so the bodies go to a Harbor: the in-process emulator (Harbor's own answers: the
stored URL form, metadata strings, the allowlist, the quota, the flattening count...), through the real client.
A second test checks that every resource declares exactly its module's argument spec.
"""
import importlib
import sys

import pytest
import trustme

from tests.support.ansible import collections_root
from tests.integration import test_harbor_registry
from tests.unit.test_reconcile import Module

sys.path.insert(0, str(collections_root()))

from ansible_collections.registryops.harbor.plugins.module_utils.client import HarborClient  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.module import CONNECTION_SPEC  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.project import Project  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import single  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.registry import Registry  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.replication_rule import ReplicationRule  # noqa: E402
from ansible_collections.registryops.harbor.plugins.module_utils.robot import Robot  # noqa: E402

NGC_KEY = test_harbor_registry.NGC_KEY
ngc = test_harbor_registry.ngc          # the fixture: an upstream registry that takes NGC's key
CA_PEM = trustme.CA().cert_pem.bytes().decode()


class Connected(Module):
    def __init__(self, target):
        super(Connected, self).__init__(params=dict(harbor_username=target.username))
        self.client = HarborClient(target.url, target.username, target.password, ca_path=target.ca_path)
        self.no_log_values = set()


@pytest.fixture
def emulator(harbor):
    harbor.need_emulator()      # the upstreams and endpoints are loopback servers a real Harbor cannot reach
    return harbor


def round_trip(target, resource_class, steps):
    """Converge each step's options on one object; after each, Harbor's object reads back as the options given, and
    the same options again write nothing."""
    module = Connected(target)
    for options in steps:
        item = dict(options, name="round-trip", state="present")
        resource = resource_class(module)
        assert single(resource, item)["changed"] is True
        reader = resource_class(module)
        wanted = reader.normalize(item)
        current = reader.to_options(reader.read(["round-trip"], [wanted])["round-trip"])
        assert dict((k, current[k]) for k in wanted) == wanted
        writes = module.client.writes
        assert single(resource_class(module), item)["changed"] is False
        assert module.client.writes == writes


def endpoint(target, name, url):
    module = Connected(target)
    single(Registry(module), dict(name=name, state="present", provider="docker-registry", url=url))


@pytest.mark.parametrize("steps", [
    [dict(provider="docker-registry", url="URL/")],
    [dict(provider="docker-registry", url="URL", description="NGC", access_key="$oauthtoken", access_secret=NGC_KEY,
          credential_type="basic", verify_remote_cert=False),
     dict(description="", verify_remote_cert=True, access_key="$oauthtoken", access_secret=NGC_KEY)],
    [dict(provider="registry", url="URL", ca_certificate=CA_PEM.replace("\n", "\r\n"))],
], ids=["minimal", "credentials-then-update", "ca-certificate"])
def test_registry_options_round_trip(emulator, ngc, steps):
    round_trip(emulator, Registry, [dict((k, ngc.url + v[3:] if v in ("URL", "URL/") else v) for k, v in step.items())
                                    for step in steps])


@pytest.mark.parametrize("steps", [
    [dict(public=True, severity="high", auto_scan=True, prevent_vulnerable_images=True)],
    [dict(storage_quota="10GiB"), dict(storage_quota="500 MB"), dict(storage_quota="unlimited")],
    [dict(cve_allowlist=dict(cves=["cve-2024-3094", "CVE-2023-44487"], expires_at=4102444800), reuse_system_cve_allowlist=False),
     dict(cve_allowlist=dict(cves=[]))],
    [dict(content_trust=False, auto_sbom_generation=True, severity="negligible", public=False)],
    [dict(proxy_cache_registry="hub", proxy_speed_kb=1024, max_upstream_connections=5, proxy_cache_local_on_not_found=True),
     dict(proxy_speed_kb=-1, max_upstream_connections=0)],
], ids=["metadata", "quota", "allowlist", "more-metadata", "proxy-cache"])
def test_project_options_round_trip(emulator, ngc, steps):
    endpoint(emulator, "hub", ngc.url)
    round_trip(emulator, Project, steps)


@pytest.mark.parametrize("steps", [
    [dict(mode="push", registry="remote", filters=dict(name="library/**", tag=["v1*", "v2*"]), dest_namespace="mirror",
          flattening="all", trigger="manual")],
    [dict(mode="pull", registry="remote", filters=dict(name="nvidia/cuda", tag="12.*", tag_decoration="excludes", resource="image"),
          dest_namespace="mirror/nvidia", flattening=1, trigger="scheduled", cron="0  0 2 * * *", bandwidth="10MiB/s"),
     dict(trigger="manual", bandwidth="unlimited", enabled=False, override=False, description="paused")],
    [dict(mode="push", registry="remote", trigger="event_based", replicate_deletion=True, copy_by_chunk=True, flattening="none"),
     dict(trigger="scheduled", cron="0 30 1 * * 1", single_active_replication=True)],
], ids=["push", "pull-scheduled-then-manual", "event-then-scheduled"])
def test_replication_rule_options_round_trip(emulator, ngc, steps):
    endpoint(emulator, "remote", ngc.url)
    round_trip(emulator, ReplicationRule, steps)


@pytest.mark.parametrize("steps", [
    [dict(description="ci", duration=30, permissions=[dict(kind="system", access=dict(registry=["read", "list"])),
                                                      dict(namespace="*", access=dict(repository="pull"))]),
     dict(disabled=True, duration="never", permissions=[dict(namespace="library", access=dict(repository=["push", "pull"]))]),
     dict(disabled=False, description="", secret="Round-Trip-1")],
], ids=["system-robot"])
def test_robot_options_round_trip(harbor, steps):
    round_trip(harbor, Robot, steps)


@pytest.mark.parametrize("module_name, resource_class", [
    ("harbor_registry", Registry), ("harbor_project", Project), ("harbor_replication_rule", ReplicationRule),
    ("harbor_robot_account", Robot),
])
def test_a_resource_declares_exactly_its_modules_options(module_name, resource_class):
    spec = importlib.import_module("ansible_collections.registryops.harbor.plugins.modules." + module_name).SPEC
    declared = (list(resource_class.options) + list(resource_class.secret_options) + list(resource_class.control_options)
                + [resource_class.key, "state"])
    assert len(declared) == len(set(declared)), "an option is declared twice: %s" % declared
    assert set(declared) == set(spec) - set(CONNECTION_SPEC)
    assert set(resource_class.normalizers) <= set(resource_class.options)
