"""playbooks/site.yml (both roles) on two Harbors through the roles' public interface, an inventory written at test
time (issue 18 item 4): against registry-backed emulators (``[emulator]``) and against the real Harbors of HARBOR_URL
and HARBOR2_URL (``[real]``, skipped without them). The inventory is the demo's (inventories/demo) with names unique to
the test process and the upstream stand-ins of tools/dataplane (NGC-like with the ``$oauthtoken`` key,
Application-Collection-like over TLS with its own CA, Docker-Hub-like anonymous).

The first run configures both Harbors; skopeo then pulls the test references through the caches (a real Harbor caches
an artifact in the background once a client pulled its blobs, src/controller/proxy/controller.go); the second run
replicates what got cached to the disconnected Harbor; the third must report changed=0 and send no write request
(counted by each Harbor's request log: the emulator's, or the recording proxy in front of a real Harbor)."""
import time

import pytest

from tests.integration.test_data_through_harbor import pull
from tests.integration.test_site import ROBOT_SECRET, host, run_site
from tests.support.names import unique
from tools.dataplane import upstreams

NGC_KEY = "site-realdata-ngc-key"
APPCO = ("site-collector", "site-appco-token")
SECRETS = (NGC_KEY, APPCO[1])
# upstream flavour -> (stand-in repository:tag, pulled with --all)
REFERENCES = {"ngc": ("nvaie/vllm:latest", False), "application_collection": ("charts/etcd:10.2.3", False),
              "docker_hub": ("library/busybox:1.36", True)}


@pytest.fixture
def stand_ins(registry_factory):
    """The demo's three upstreams, started and seeded: {flavour: (Registry, {"repo:tag": Manifest})}."""
    registries = {"ngc": registry_factory("ngc", users={upstreams.NGC_USERNAME: NGC_KEY}),
                  "application_collection": registry_factory("appco", tls=True, users=dict([APPCO])),
                  "docker_hub": registry_factory("dockerhub")}
    return {flavour: (registry, upstreams.seed(registry, flavour)) for flavour, registry in registries.items()}


def inventory(connected, disconnected, stand_ins):
    """inventories/demo's host variables, with this test process's names and these Harbors and stand-ins. The Docker
    Hub stand-in is a ``docker-registry`` endpoint: Harbor's ``docker-hub`` adapter always reads registry-1.docker.io,
    whatever the endpoint's URL (src/pkg/reg/adapter/dockerhub/adapter.go), so a real Harbor refuses it offline."""
    projects = {flavour: unique(base) for flavour, base in
                (("ngc", "nvidiaio"), ("application_collection", "application-collection"), ("docker_hub", "dockerhub"))}
    ngc, appco, hub = (stand_ins[flavour][0] for flavour in ("ngc", "application_collection", "docker_hub"))
    endpoint = unique("disconnected-harbor")
    upstream_entries = [
        dict(name=unique("NVIDIA"), preset="ngc", url=ngc.url, access_secret=NGC_KEY, project=projects["ngc"],
             test_reference=REFERENCES["ngc"][0]),
        dict(name=unique("application-collection"), preset="suse-application-collection", url=appco.url,
             ca_certificate=appco.ca_path, access_key=APPCO[0], access_secret=APPCO[1],
             project=projects["application_collection"], test_reference=REFERENCES["application_collection"][0]),
        dict(name=unique("dockerhub"), preset="generic", provider="docker-registry", url=hub.url, description="Docker Hub stand-in",
             project=projects["docker_hub"], test_reference=REFERENCES["docker_hub"][0]),
    ]
    rules = [dict(name=unique(flavour.replace("_", "-") + "-to-disconnected"), endpoint=endpoint,
                  filters={"name": project + "/**", "tag": "**"}, dest_namespace=project, flattening=1,
                  dest_project={"storage_quota": "500GiB"} if flavour == "ngc" else {"public": True})
             for flavour, project in projects.items()]
    connected_vars = dict(proxy_cache_upstreams=upstream_entries,
                          replication_endpoints=[dict(name=endpoint, host="harbor-disconnected", url=disconnected.upstream,
                                                      robot_secret=ROBOT_SECRET)],
                          replication_rules=rules)
    return projects, rules, dict(connected={"harbor-connected": host(connected, **connected_vars)},
                                 disconnected={"harbor-disconnected": host(disconnected)})


def contents(target, project):
    """``{repository: {digest: [tags]}}`` of a project's artifacts as Harbor lists them (untagged ones included, the
    children of an index under it), with ``{digest: [child digests]}`` of its indexes."""
    found, children = {}, {}
    for repository in target.api("GET", "/projects/%s/repositories" % project, params={"page_size": 100}).json() or []:
        short = repository["name"].split("/", 1)[1]
        path = "/projects/%s/repositories/%s/artifacts" % (project, short.replace("/", "%252F"))
        for art in target.api("GET", path, params={"page_size": 100}).json() or []:
            found.setdefault(short, {})[art["digest"]] = sorted(tag["name"] for tag in art.get("tags") or [])
            if art.get("references"):
                children[art["digest"]] = sorted(ref["child_digest"] for ref in art["references"])
    return found, children


def wait_cached(target, project, reference, manifest, seconds=120):
    """What the cache holds once it has stored ``reference`` (the upstream's ``manifest``): a real Harbor stores it in
    the background after the pull; an index only once its children are stored, re-serialized under a digest of its own
    (src/controller/proxy/manifestcache.go)."""
    repository, _tag = reference.rsplit(":", 1)
    wanted = sorted(child.digest for child in manifest.children)
    deadline = time.monotonic() + seconds
    while True:
        found, children = contents(target, project)
        stored = found.get(repository, {})
        done = (wanted in [children.get(digest) for digest in stored]) if wanted else manifest.digest in stored
        if done or time.monotonic() > deadline:
            return found, children
        time.sleep(2)


# CI: the demo (test_site_demo.py) converges the same inventory on two registry-backed emulators, pulls through the caches and
# compares digests; against real Harbors (HARBOR_URL, HARBOR2_URL) this test runs without --full.
@pytest.mark.full
def test_site_yml_converges_on_two_harbors_and_a_last_run_sends_no_write_request(data_harbors, stand_ins, tmp_path):
    connected, disconnected = data_harbors(2)
    projects, rules, hosts = inventory(connected, disconnected, stand_ins)

    first = run_site(tmp_path, **hosts)
    assert first.rc == 0, first.output[-8000:]
    assert first.recap["harbor-connected"]["changed"] > 0, first.recap

    # Pull every test reference through its cache with skopeo: the upstream's digest, and the artifact gets cached.
    for flavour, (reference, everything) in REFERENCES.items():
        upstream_digest = stand_ins[flavour][1][reference].digest
        assert pull(connected, "%s/%s" % (projects[flavour], reference), tmp_path / flavour, everything) == upstream_digest
    cached = {flavour: wait_cached(connected, projects[flavour], reference, stand_ins[flavour][1][reference])
              for flavour, (reference, _all) in REFERENCES.items()}

    second = run_site(tmp_path, **hosts)                  # replicates what got cached to the disconnected Harbor
    assert second.rc == 0, second.output[-8000:]
    for target in (connected, disconnected):
        target.clear_log()
    third = run_site(tmp_path, **hosts)
    assert third.rc == 0, third.output[-8000:]
    assert {name: recap["changed"] for name, recap in third.recap.items()} == {"harbor-connected": 0, "harbor-disconnected": 0}
    assert connected.writes() == [] and disconnected.writes() == [], (connected.writes(), disconnected.writes())
    assert connected.requests_log() and disconnected.requests_log()          # the logs did see the third run

    for flavour, project in projects.items():            # the air gap holds what the cache holds, with the same digests
        reference, _all = REFERENCES[flavour]
        repository, tag = reference.rsplit(":", 1)
        upstream = stand_ins[flavour][1][reference]
        found, children = cached[flavour]
        assert contents(disconnected, project) == (found, children), (flavour, second.output[-6000:])
        if upstream.children:                            # an index: the upstream's platforms, under Harbor's own digest
            assert [digest for digest in found[repository] if children.get(digest) == sorted(c.digest for c in upstream.children)]
        else:                                            # a single manifest: the upstream's digest and tag
            assert found[repository] == {upstream.digest: [tag]}, (flavour, found)
    for run in (first, second, third):
        for secret in SECRETS + (connected.password,):
            assert secret not in run.output
