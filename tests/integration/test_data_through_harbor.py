"""Data through a Harbor, configured by the collection's modules with real ansible-playbook (issue 18 item 3): the same
test bodies run against registry-backed emulators (``[emulator]``, always) and against real Harbors (``[real]``, when
HARBOR_URL and, for two Harbors, HARBOR2_URL are set; see the ``data_harbors`` fixture).

- a proxy-cache project in front of a ``docker-registry`` upstream with credentials (NGC-like: ``$oauthtoken`` + an API
  key), and one in front of an upstream over TLS with its own CA (Application-Collection-like), trusted by the
  endpoint's ``ca_certificate`` or by ``verify_remote_cert: false``: skopeo pulls through the cache get the upstream's
  digests, and the artifacts end up cached in the project (Harbor caches in the background once the client has pulled
  the blobs: src/controller/proxy/controller.go, manifestcache.go);
- a push replication from the first Harbor into the second, digests compared on both sides (``/v2/`` and
  harbor_repository_info's references);
- an execution that fails (the destination endpoint's registry is gone: a closed loopback port), read back by
  harbor_replication_execution and harbor_replication_execution_info (status, the failed task, its log excerpt).

The upstreams are real ``docker-registry`` processes on 127.0.0.1 (tools/dataplane), which a real Harbor on this
machine reaches; every object name carries the test process's suffix (tests/support/names.py).
"""
import hashlib
import re
import time

import pytest

from tests.dataplane.conftest import skopeo
from tests.integration.test_harbor_replication_rule import failed
from tests.support.ansible import run_playbook
from tests.support.names import unique
from tools.dataplane import oci, upstreams
from tools.dataplane.distribution import DistributionClient

REGISTRY = "registryops.harbor.harbor_registry"
PROJECT = "registryops.harbor.harbor_project"
RULE = "registryops.harbor.harbor_replication_rule"
EXECUTION = "registryops.harbor.harbor_replication_execution"
EXECUTION_INFO = "registryops.harbor.harbor_replication_execution_info"
REPOSITORY_INFO = "registryops.harbor.harbor_repository_info"
NGC_KEY = "nvapi-realdata-key"
APPCO = ("collector", "appco-realdata-token")
CACHE_SECONDS = 120          # a real Harbor caches what a client pulled in the background (waits of 2 s, blob by blob)


def host_of(target):
    return target.upstream.split("://", 1)[1]


def pull(target, reference, layout, everything=False):
    """skopeo copy of ``<Harbor>/<reference>`` into an OCI layout (every platform of an index with ``everything``),
    then the digest of the manifest Harbor serves (``skopeo inspect --raw``), which must be the layout's too."""
    source = "docker://%s/%s" % (host_of(target), reference)
    creds = "--src-creds=%s:%s" % (target.username, target.password)
    tag = reference.rsplit(":", 1)[1]
    skopeo("copy", *((["--all"] if everything else []) + ["--src-tls-verify=false", creds, source, "oci:%s:%s" % (layout, tag)]))
    raw = skopeo("inspect", "--raw", "--tls-verify=false", "--creds=%s:%s" % (target.username, target.password), source).stdout
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def cached(target, project, repository, predicate, seconds=CACHE_SECONDS):
    """The artifacts of ``project/repository`` (every one, index children included: ``q=base=*``) once ``predicate``
    holds for them; a real Harbor stores what it proxied in the background, so this waits (bounded)."""
    path = "/projects/%s/repositories/%s/artifacts" % (project, repository.replace("/", "%252F"))
    deadline = time.monotonic() + seconds
    while True:
        resp = target.api("GET", path, params={"q": "base=*", "page_size": 100, "with_tag": "true"})
        artifacts = resp.json() if resp.status_code == 200 else []
        if predicate(artifacts) or time.monotonic() > deadline:
            return artifacts
        time.sleep(1)


def untimed(log):
    """A task log without the time stamp that starts each of its lines."""
    return re.sub(r"(?m)^\d{4}-\d\d-\d\dT[\d:.]+Z ", "", log)


def by_digest(artifacts):
    return {art["digest"]: sorted(tag["name"] for tag in art.get("tags") or []) for art in artifacts}


def converge(target, tasks):
    """Run ``tasks`` twice: the first run must succeed, the second change nothing and send no write request."""
    first = run_playbook(tasks, target=target)
    assert first.rc == 0, first.output[-4000:]
    target.clear_log()
    second = run_playbook(tasks, target=target)
    assert second.rc == 0, second.output[-4000:]
    assert second.changed == 0, second.output[-4000:]
    assert target.writes() == [], target.writes()
    return first


def proxy_cache_tasks(endpoint, project, upstream, **registry_options):
    return [
        {"name": "endpoint", REGISTRY: dict(dict(name=endpoint, provider="docker-registry", url=upstream.url), **registry_options)},
        {"name": "project", PROJECT: dict(name=project, proxy_cache_registry=endpoint, public=False)},
    ]


def test_a_proxy_cache_with_the_ngc_key_serves_the_upstream_digest_to_skopeo_and_caches_it(data_harbors, registry_factory,
                                                                                           tmp_path):
    harbor, = data_harbors(1)
    ngc = registry_factory("ngc", users={upstreams.NGC_USERNAME: NGC_KEY})
    image = upstreams.seed(ngc, "ngc")["nvaie/vllm:latest"]
    endpoint, project = unique("ngc"), unique("nvidiaio")
    first = converge(harbor, proxy_cache_tasks(endpoint, project, ngc, access_key=upstreams.NGC_USERNAME, access_secret=NGC_KEY))
    assert first.result("endpoint")["changed"] and first.result("project")["changed"]
    assert NGC_KEY not in first.output

    assert pull(harbor, "%s/nvaie/vllm:latest" % project, tmp_path / "vllm") == image.digest
    # the tag arrives a moment after the artifact on a real Harbor: wait for both
    artifacts = cached(harbor, project, "nvaie/vllm", lambda arts: by_digest(arts).get(image.digest) == ["latest"])
    assert by_digest(artifacts) == {image.digest: ["latest"]}
    assert artifacts[0]["type"] == "IMAGE"


@pytest.mark.parametrize("trust", ["ca_certificate", "insecure"])
def test_a_proxy_cache_over_tls_with_its_own_ca_serves_an_index_and_a_chart_with_the_upstream_digests(
        data_harbors, registry_factory, tmp_path, trust):
    """The upstream's certificate comes from its own CA: the endpoint trusts it through ``ca_certificate`` (the PEM
    file; Harbor 2.15 keeps it and its adapters verify with it, src/pkg/registry/client.go) or skips verification
    (``verify_remote_cert: false`` = Harbor's ``insecure``). An endpoint that does neither is refused as unhealthy."""
    harbor, = data_harbors(1)
    appco = registry_factory("appco", tls=True, users=dict([APPCO]))
    seeded = upstreams.seed(appco, "application_collection")
    index, chart = seeded["containers/etcd:3.5.14-7.7"], seeded["charts/etcd:10.2.3"]
    endpoint, project = unique("appco-" + trust.replace("_", "-")), unique("application-collection")
    trusting = {"ca_certificate": appco.ca_path} if trust == "ca_certificate" else {"verify_remote_cert": False}
    credentials = dict(access_key=APPCO[0], access_secret=APPCO[1])

    untrusted = run_playbook([{"name": "endpoint", REGISTRY: dict(name=endpoint, provider="docker-registry", url=appco.url,
                                                                  **credentials)}], target=harbor)
    assert untrusted.rc != 0 and failed(untrusted.result("endpoint"))
    assert "the registry is unhealthy" in untrusted.result("endpoint")["msg"], untrusted.result("endpoint")["msg"]

    converge(harbor, proxy_cache_tasks(endpoint, project, appco, **dict(credentials, **trusting)))
    assert pull(harbor, "%s/containers/etcd:3.5.14-7.7" % project, tmp_path / "etcd", everything=True) == index.digest
    assert pull(harbor, "%s/charts/etcd:10.2.3" % project, tmp_path / "chart") == chart.digest

    charts = cached(harbor, project, "charts/etcd", lambda arts: by_digest(arts).get(chart.digest) == ["10.2.3"])
    assert by_digest(charts) == {chart.digest: ["10.2.3"]} and charts[0]["type"] == "CHART"
    children = {child.digest for child in index.children}
    images = cached(harbor, project, "containers/etcd", lambda arts: children <= set(by_digest(arts)))
    assert children <= set(by_digest(images))             # every platform of the index came through the cache


def seed_source(harbor, project):
    """A private project on ``harbor`` holding an image index, an image and a Helm chart pushed through ``/v2/``."""
    resp = harbor.api("POST", "/projects", json={"project_name": project, "metadata": {"public": "false"}})
    assert resp.status_code == 201, resp.text
    pushed = {"busybox:1.36": oci.image_index("busybox", "1.36"), "app:1.0": oci.image("app", "1.0"),
              "charts/etcd:10.2.3": oci.helm_chart("etcd", "10.2.3", "3.5.14-7.7")}
    client = DistributionClient(harbor.url, auth=harbor.auth)
    for reference, manifest in pushed.items():
        repository, tag = reference.rsplit(":", 1)
        client.push("%s/%s" % (project, repository), tag, manifest)
    return pushed


def references(target, project):
    play = run_playbook([{"name": "read", REPOSITORY_INFO: {"project": project}, "register": "read"}], target=target)
    assert play.rc == 0, play.output[-3000:]
    return sorted(ref.split("/", 1)[1] for ref in play.result("read")["references"])


def test_a_push_replication_into_the_second_harbor_keeps_every_digest(data_harbors):
    connected, disconnected = data_harbors(2)
    source, mirror = unique("src"), unique("mirror")
    pushed = seed_source(connected, source)
    endpoint, rule = unique("air-gap"), unique("to-air-gap")
    tasks = [
        {"name": "endpoint", REGISTRY: dict(name=endpoint, provider="harbor", url=disconnected.upstream,
                                            access_key=disconnected.username, access_secret=disconnected.password)},
        {"name": "rule", RULE: dict(name=rule, mode="push", registry=endpoint, filters={"name": source + "/**", "tag": "**"},
                                    dest_namespace=mirror, flattening=1, trigger="manual")},
        {"name": "replicate", EXECUTION: dict(rule=rule, wait_sleep=1, wait_timeout=300)},
    ]
    play = converge(connected, tasks)
    execution = play.result("replicate")["execution"]
    assert (execution["status"], execution["total"], execution["succeed"], execution["failed"]) == ("Succeed", 3, 3, 0)
    assert disconnected.password not in play.output

    client = DistributionClient(disconnected.url, auth=disconnected.auth)
    for reference, manifest in pushed.items():
        repository, tag = reference.rsplit(":", 1)
        assert client.get_manifest("%s/%s" % (mirror, repository), tag)[2] == manifest.digest, reference
    for child in pushed["busybox:1.36"].children:
        assert client.get_manifest("%s/busybox" % mirror, child.digest)[2] == child.digest
    expected = sorted("%s@%s" % (reference, manifest.digest) for reference, manifest in pushed.items())
    assert references(connected, source) == references(disconnected, mirror) == expected


def test_an_execution_to_an_unreachable_destination_fails_and_the_modules_read_back_the_failed_task(
        data_harbors, registry_factory):
    harbor, = data_harbors(1)
    source = unique("src")
    seed_source(harbor, source)
    gone = registry_factory("gone")
    endpoint, rule = unique("gone"), unique("to-nowhere")
    created = run_playbook([{"name": "endpoint", REGISTRY: dict(name=endpoint, provider="docker-registry", url=gone.url)},
                            {"name": "rule", RULE: dict(name=rule, mode="push", registry=endpoint, trigger="manual",
                                                        filters={"name": source + "/app"})}], target=harbor)
    assert created.rc == 0, created.output[-3000:]
    gone.close()                                    # the endpoint now points at a closed port on 127.0.0.1

    play = run_playbook([{"name": "replicate", EXECUTION: dict(rule=rule, wait_sleep=1, wait_timeout=300), "ignore_errors": True},
                         {"name": "read back", EXECUTION_INFO: dict(rule=rule, limit=1, logs=True)}], target=harbor)
    result = play.result("replicate")
    assert failed(result), result
    execution = result["execution"]
    assert (execution["status"], execution["total"], execution["failed"]) == ("Failed", 1, 1)
    task, = execution["failed_tasks"]
    assert task["src_resource"] == "%s/app [1 item(s) in total]" % source
    assert "connection refused" in task["log_excerpt"].lower(), task["log_excerpt"]
    assert "ended Failed: 1 of 1 tasks failed: %s/app [1 item(s) in total]" % source in result["msg"], result["msg"]
    assert "connection refused" in result["msg"].lower(), result["msg"]

    read, = play.result("read back")["executions"]
    assert (read["id"], read["status"], read["failed"]) == (execution["id"], "Failed", 1)
    assert [(t["status"], t["src_resource"]) for t in read["tasks"]] == [("Failed", task["src_resource"])]
    # jobservice retries a failed task and the retry's log replaces the first one (the lines alike, their times not)
    assert untimed(task["log_excerpt"]) in untimed(read["tasks"][0]["log"])
