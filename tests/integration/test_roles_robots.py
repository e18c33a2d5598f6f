"""The roles' robot accounts, with playbooks/site.yml over inventories of emulated Harbors (whose permission model for
robots follows Harbor's, on the API and on /v2/):

- the replication role keeps, on the other Harbor of a ``host:`` endpoint, a robot account with exactly what the rules
  through the endpoint need, and the endpoint logs in as that robot, never as the other Harbor's administrator (which
  stays possible with ``robot: false``); a new Vault secret is set on the robot and sent to the endpoint in one run
  (one test runs check mode, the first run, an unchanged second run and the rotation on the same Harbors);
- check mode writes nothing, and the robots' secrets appear in no output (-vvv, diff);
- the proxy_cache role's pull robot pulls through the caches and nothing else, and the pull hints show its login.

Against the real Harbors of HARBOR_URL and HARBOR2_URL too: every object carries this test process's unique name
(tests/support/names.py); the pull test needs the second Harbor to reach the first and is skipped with the reason when
it cannot.
"""
import pytest

from tools.dataplane import oci
from tools.dataplane.distribution import DistributionClient, DistributionError
from tests.integration.test_site import host, run_site
from tests.support.harbor import reaches
from tests.support.names import is_test_name, unique

SECRET = "Replicator-Secret-1"
NEW_SECRET = "Replicator-Secret-2"
PULL_SECRET = "Cluster-Pull-Secret-1"
ENDPOINT, RULE, NVAIE, MIRROR, OTHER = (unique("disconnected-harbor"), unique("nvaie-to-disconnected"), unique("nvaie"),
                                        unique("mirror"), unique("other"))
ROBOT = "robot$replication-harbor-connected-" + ENDPOINT


def endpoint_named(target, name):
    return next(r for r in target.api("GET", "/registries", params={"q": "name=%s" % name}).json() if r["name"] == name)


def artifact_tags(target, project, repository):
    path = "/projects/%s/repositories/%s/artifacts" % (project, repository.replace("/", "%252F"))
    return [t["name"] for a in target.api("GET", path).json() for t in a.get("tags") or []]


def logs_in(target, name, secret):
    return "harbor_version" in target.api("GET", "/systeminfo", auth=(name, secret)).json()


def system_robot(target, full_name):
    return next((r for r in target.api("GET", "/robots").json() if r["name"] == full_name), None)


def push_inventory(connected, disconnected, secret=SECRET, **endpoint):
    rules = [{"name": RULE, "endpoint": ENDPOINT, "filters": {"name": NVAIE + "/**"},
              "dest_namespace": MIRROR, "flattening": 1, "replicate_deletion": True, "trigger": "event_based"}]
    if disconnected.real:           # the real Harbor's own URL: its replication traffic stays out of the request log
        endpoint.setdefault("url", disconnected.upstream)
    entry = dict({"name": ENDPOINT, "host": "harbor-disconnected", "robot_secret": secret}, **endpoint)
    return dict(connected={"harbor-connected": host(connected, replication_rules=rules, replication_endpoints=[entry])},
                disconnected={"harbor-disconnected": host(disconnected)})


def test_push_endpoint_logs_in_as_a_robot_with_exactly_the_rules_permissions_and_takes_a_new_secret(harbor_pair, tmp_path):
    connected, disconnected = harbor_pair
    connected.seed(project=NVAIE, repository="app", tags=["1.0"])
    disconnected.api("POST", "/projects", json={"project_name": OTHER, "metadata": {"public": "false"}})
    # check mode first: nothing is written on either Harbor (the robot's project does not exist yet: a warning)
    for target in (connected, disconnected):
        target.clear_log()
    check = run_site(tmp_path, playbook="replication.yml", args=["--check", "--diff", "-vvv"], **push_inventory(connected, disconnected))
    assert check.rc == 0 and check.recap["harbor-connected"]["changed"] > 0, check.output[-5000:]
    assert SECRET not in check.output and connected.writes() == [] and disconnected.writes() == []
    assert system_robot(disconnected, ROBOT) is None
    run = run_site(tmp_path, playbook="replication.yml", args=["--diff", "-vvv"], **push_inventory(connected, disconnected))
    assert run.rc == 0, run.output[-5000:]
    assert SECRET not in run.output                                       # no_log: not in -vvv, diff or results
    endpoint = endpoint_named(connected, ENDPOINT)
    assert endpoint["credential"]["access_key"] == ROBOT                  # not the other Harbor's admin
    robot = system_robot(disconnected, ROBOT)
    assert robot["permissions"] == [{"kind": "project", "namespace": MIRROR, "access": [
        {"resource": "repository", "action": action, "effect": "allow"} for action in ("delete", "pull", "push")]}]
    assert "replication endpoint %s of harbor-connected" % ENDPOINT in robot["description"]
    assert artifact_tags(disconnected, MIRROR, "app") == ["1.0"]          # replicated with the robot's credentials
    # least privilege: the robot is no administrator and pushes into its destination project only
    assert disconnected.api("GET", "/registries", auth=(ROBOT, SECRET)).status_code == 403
    client = DistributionClient(disconnected.url, auth=(ROBOT, SECRET))
    with pytest.raises(DistributionError) as refused:
        client.push(OTHER + "/app", "1", oci.image("app", "1"))
    assert refused.value.status == 401
    # a second run: nothing changes on either Harbor (the robot's secret is checked by a login, a read)
    for target in (connected, disconnected):
        target.clear_log()
    again = run_site(tmp_path, playbook="replication.yml", **push_inventory(connected, disconnected))
    assert again.rc == 0 and again.recap["harbor-connected"]["changed"] == 0, again.output[-4000:]
    assert connected.writes() == [] and disconnected.writes() == []
    # a new Vault secret: set on the robot and sent to the endpoint in the same run, and nothing else is written
    rotated = run_site(tmp_path, playbook="replication.yml", **push_inventory(connected, disconnected, secret=NEW_SECRET))
    assert rotated.rc == 0 and NEW_SECRET not in rotated.output, rotated.output[-5000:]
    assert [(w["method"], w["path"]) for w in disconnected.writes()] == [("PATCH", "/api/v2.0/robots/%d" % robot["id"])]
    assert [(w["method"], w["path"]) for w in connected.writes()] == [("PUT", "/api/v2.0/registries/%d" % endpoint["id"])]
    assert logs_in(disconnected, ROBOT, NEW_SECRET) and not logs_in(disconnected, ROBOT, SECRET)
    if connected.emulator is not None:                                    # the endpoint holds the new secret
        with connected.emulator.state.lock:
            assert connected.emulator.state.registries[endpoint["id"]]["credential"]["access_secret"] == NEW_SECRET


def test_the_administrator_stays_possible_explicitly(harbor_pair, tmp_path):
    connected, disconnected = harbor_pair
    connected.seed(project=NVAIE, repository="app", tags=["1.0"])
    run = run_site(tmp_path, playbook="replication.yml", **push_inventory(connected, disconnected, secret=None, robot=False))
    assert run.rc == 0, run.output[-5000:]
    assert endpoint_named(connected, ENDPOINT)["credential"]["access_key"] == disconnected.username
    assert [r["name"] for r in disconnected.api("GET", "/robots").json() if is_test_name(r["name"])] == []


def test_a_host_endpoint_without_robot_secret_is_refused_before_any_write(harbor_pair, tmp_path):
    connected, disconnected = harbor_pair
    for target in (connected, disconnected):
        target.clear_log()
    run = run_site(tmp_path, playbook="replication.yml", **push_inventory(connected, disconnected, secret=None))
    assert run.rc != 0
    assert ("replication_endpoints[0].robot_secret (name %s): required: the endpoint logs in to"
            " harbor-disconnected as robot account %s" % (ENDPOINT, ROBOT)) in " ".join(run.output.split())
    assert connected.writes() == [] and disconnected.writes() == []


def test_pull_endpoint_robot_lists_and_pulls_the_source_project(harbor_pair, tmp_path):
    connected, disconnected = harbor_pair
    if disconnected.real:
        reached, why = reaches(disconnected, connected)
        if not reached:
            pytest.skip("a pull replication needs its Harbor to reach the other one: " + why)
    appco, collection, endpoint, puller = unique("appco"), unique("application-collection"), unique("connected-harbor"), unique("airgap-pull")
    connected.seed(project=appco, repository="containers/etcd", tags=["3.5"])
    rules = [{"name": unique("appco-from-connected"), "mode": "pull", "endpoint": endpoint, "filters": {"name": appco + "/**"},
              "dest_namespace": collection, "flattening": 1, "dest_project": {"public": True}}]
    inventory = dict(connected={"harbor-connected": host(connected)}, disconnected={"harbor-disconnected": host(
        disconnected, replication_rules=rules, replication_endpoints=[
            {"name": endpoint, "host": "harbor-connected", "robot_name": puller, "robot_secret": SECRET}])})
    run = run_site(tmp_path, playbook="replication.yml", **inventory)
    assert run.rc == 0, run.output[-5000:]
    robot = system_robot(connected, "robot$" + puller)
    assert robot["permissions"] == [{"kind": "project", "namespace": appco, "access": [
        {"resource": "artifact", "action": "list", "effect": "allow"}, {"resource": "artifact", "action": "read", "effect": "allow"},
        {"resource": "repository", "action": "list", "effect": "allow"},
        {"resource": "repository", "action": "pull", "effect": "allow"}]}]
    assert artifact_tags(disconnected, collection, "containers/etcd") == ["3.5"]
    assert connected.api("GET", "/registries", auth=("robot$" + puller, SECRET)).status_code == 403


def test_proxy_cache_pull_robot_pulls_through_the_caches_only(harbor, emulator_factory, tmp_path):
    """The upstream is an emulator (a real Harbor in front of it reaches it on loopback)."""
    upstream = emulator_factory()
    cache, private, nodes = unique("cache"), unique("private"), unique("cluster-nodes")
    upstream.seed(project="library", repository="alpine", tags=["3.20"])
    upstream.api("PUT", "/projects/library", json={"metadata": {"public": "true"}}, headers={"X-Is-Resource-Name": "true"})
    harbor.seed(project=private, repository="app", tags=["1"])
    upstreams = [{"name": unique("upstream"), "url": upstream.url, "provider": "docker-registry", "project": cache, "public": False,
                  "test_reference": "library/alpine:3.20"}]
    inventory = {"harbor-connected": host(harbor, proxy_cache_upstreams=upstreams,
                                          proxy_cache_pull_robot={"name": nodes, "secret": PULL_SECRET})}
    run = run_site(tmp_path, playbook="proxy_cache.yml", connected=inventory)
    assert run.rc == 0, run.output[-5000:]
    assert PULL_SECRET not in run.output
    out = " ".join(run.output.split())
    assert "Nodes log in as robot$%s with the secret of proxy_cache_pull_robot" % nodes in out
    assert "docker login %s -u 'robot$%s'" % (harbor.url.split("://", 1)[1], nodes) in out
    robot = system_robot(harbor, "robot$" + nodes)
    assert robot["permissions"] == [{"kind": "project", "namespace": cache, "access": [
        {"resource": "repository", "action": "pull", "effect": "allow"}]}]
    node = DistributionClient(harbor.url, auth=("robot$" + nodes, PULL_SECRET))
    assert node.request("GET", "/v2/%s/library/alpine/manifests/3.20" % cache,
                        scope="repository:%s/library/alpine:pull" % cache).status_code == 200    # through the private cache
    assert node.request("GET", "/v2/%s/app/manifests/1" % private, scope="repository:%s/app:pull" % private).status_code == 401
    harbor.clear_log()
    again = run_site(tmp_path, playbook="proxy_cache.yml", connected=inventory)
    assert again.rc == 0 and again.recap["harbor-connected"]["changed"] == 0
    assert [w for w in harbor.writes()] == []
