"""Replication executions move real bytes between registry-backed emulators and real registries (issue 12): manifests
and blobs over the distribution API, digests preserved, filters, destination namespace and ``override`` respected; a
copy that fails fails its task with the real error in its log, which harbor_replication_execution surfaces; a
destination that is a proxy-cache project refuses every push (NOTES.md section 3).
Harbor: src/controller/replication/transfer/image/transfer.go, src/server/middleware/repoproxy/proxy.go, src/lib/iothrottler.go."""
import threading
import time

import pytest
import requests

from tools.dataplane import oci, upstreams
from tests.dataplane.conftest import need_binaries
from tools.dataplane.distribution import DistributionClient
from tools.dataplane.registry import Registry
from tests.harbor_emulator import iothrottler
from tests.emulator_fidelity.test_replication_policy import add_registry, create
from tests.integration.test_harbor_replication_execution import run_task
from tests.integration.test_harbor_replication_rule import failed

pytestmark = pytest.mark.emulator_only("registry-backed emulators paced and failed by the replication control, their task logs "
                                       "and limiter constants (the data-plane run against a real Harbor is issue 18 item 3)")


@pytest.fixture
def registries(tmp_path):
    """``registries(name, **kwargs)`` -> a started Registry under tmp_path, closed at teardown."""
    need_binaries()
    started = []

    def start(name, **kwargs):
        registry = Registry(name=name, workdir=str(tmp_path / name), **kwargs)
        started.append(registry)
        return registry.start()

    yield start
    for registry in started:
        registry.close()


def backed(emulator_factory):
    need_binaries()
    harbor = emulator_factory(storage="registry")
    harbor.replication(task_seconds=0.05)
    return harbor


def endpoint(harbor, name, upstream, credential=None):
    body = {"name": name, "type": "docker-registry", "url": upstream.url}
    if credential:
        body["credential"] = {"type": "basic", "access_key": credential[0], "access_secret": credential[1]}
    if upstream.ca_path:
        with open(upstream.ca_path) as handle:
            body["ca_certificate"] = handle.read()
    resp = harbor.api("POST", "/registries", json=body)
    assert resp.status_code == 201, resp.text
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def execute(harbor, policy_id, status="Succeed"):
    resp = harbor.api("POST", "/replication/executions", json={"policy_id": policy_id})
    assert resp.status_code == 201, resp.text
    execution_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    for _ in range(300):
        found = harbor.api("GET", "/replication/executions/%d" % execution_id).json()
        if found["status"] not in ("InProgress", "Pending"):
            break
        time.sleep(0.05)
    assert found["status"] == status, found
    return execution_id


def task_logs(harbor, execution_id):
    logs = {}
    for task in harbor.api("GET", "/replication/executions/%d/tasks" % execution_id).json():
        logs[task["src_resource"]] = harbor.api("GET", "/replication/executions/%d/tasks/%d/log" % (execution_id, task["id"])).text
    return logs


def digest_on(target, repository, reference):
    resp = requests.head("%s/v2/%s/manifests/%s" % (target.url, repository, reference), auth=target.auth, timeout=10,
                         headers={"Accept": ", ".join([oci.OCI_INDEX, oci.OCI_MANIFEST])})
    if resp.status_code == 401:     # the emulator wants a token: let the client do the handshake
        try:
            return DistributionClient(target.url, auth=target.auth).get_manifest(repository, reference)[2]
        except RuntimeError:
            return None
    return resp.headers.get("Docker-Content-Digest") if resp.status_code == 200 else None


def assert_whole(target, repository, manifest):
    """Every manifest and blob of ``manifest`` is on ``target`` under ``repository``, byte for byte."""
    client = DistributionClient(target.url, auth=target.auth)
    for child in manifest.children:
        assert client.get_manifest(repository, child.digest)[2] == child.digest
    for blob in manifest.all_blobs():
        assert client.get_blob(repository, blob.digest) == blob.data


def test_push_replication_between_two_registry_backed_emulators_keeps_digests_filters_namespace_and_override(emulator_factory):
    connected, disconnected = backed(emulator_factory), backed(emulator_factory)
    index, image, other, chart = (oci.image_index("busybox", "1.36"), oci.image("app", "1.0"), oci.image("app", "1.0-other"),
                                  oci.helm_chart("etcd", "10.2.3", "3.5"))
    source = DistributionClient(connected.url, auth=connected.auth)
    source.push("library/busybox", "1.36", index)
    source.push("library/app", "1.0", image)
    source.push("library/charts/etcd", "10.2.3", chart)
    disconnected.api("POST", "/projects", json={"project_name": "mirror", "metadata": {"public": "false"}})
    DistributionClient(disconnected.url, auth=disconnected.auth).push("mirror/app", "1.0", other)
    registry_id = add_registry(connected, disconnected)
    filters = [{"type": "name", "value": "library/**"}, {"type": "tag", "value": "1.*"}]
    keep = create(connected, name="keep", dest_registry={"id": registry_id}, enabled=True, filters=filters,
                  dest_namespace="mirror", dest_namespace_replace_count=1, override=False)

    execution_id = execute(connected, keep)
    assert digest_on(disconnected, "mirror/busybox", "1.36") == index.digest          # the index whole, digests kept
    assert_whole(disconnected, "mirror/busybox", index)
    assert digest_on(disconnected, "mirror/app", "1.0") == other.digest               # override off: theirs stays
    assert ('the same name artifact mirror/app:1.0 exists on the destination registry, but the "override" is set to false,'
            ' skip') in task_logs(connected, execution_id)["library/app [1 item(s) in total]"]
    assert digest_on(disconnected, "mirror/charts/etcd", "10.2.3") is None            # the tag filter left it out
    art = disconnected.api("GET", "/projects/mirror/repositories/busybox/artifacts/1.36").json()
    assert (art["digest"], art["manifest_media_type"]) == (index.digest, oci.OCI_INDEX)

    replace = create(connected, name="replace", dest_registry={"id": registry_id}, enabled=True,
                     filters=[{"type": "name", "value": "library/**"}], dest_namespace="mirror", dest_namespace_replace_count=1,
                     override=True)
    execute(connected, replace)
    assert digest_on(disconnected, "mirror/app", "1.0") == image.digest
    assert digest_on(disconnected, "mirror/charts/etcd", "10.2.3") == chart.digest
    assert_whole(disconnected, "mirror/charts/etcd", chart)


def test_pull_replication_from_the_tls_upstream_with_credentials_copies_the_index_whole(emulator_factory, registries):
    harbor = backed(emulator_factory)
    appco = registries("appco", tls=True, users={"collector": "appco-token"})
    pushed = upstreams.seed(appco, "application_collection")
    registry_id = endpoint(harbor, "application-collection", appco, credential=("collector", "appco-token"))
    policy = create(harbor, name="appco", src_registry={"id": registry_id}, enabled=True, filters=[{"type": "name", "value": "**"}],
                    dest_namespace="application-collection", dest_namespace_replace_count=0)
    execute(harbor, policy)
    index, chart = pushed["containers/etcd:3.5.14-7.7"], pushed["charts/etcd:10.2.3"]
    assert digest_on(harbor, "application-collection/containers/etcd", "3.5.14-7.7") == index.digest
    assert_whole(harbor, "application-collection/containers/etcd", index)
    assert digest_on(harbor, "application-collection/charts/etcd", "10.2.3") == chart.digest
    art = harbor.api("GET", "/projects/application-collection/repositories/charts%252Fetcd/artifacts/10.2.3").json()
    assert (art["digest"], art["type"]) == (chart.digest, "CHART")


def test_replication_into_a_proxy_cache_project_fails_every_task_as_harbor_refuses_the_push(emulator_factory, registries):
    harbor = backed(emulator_factory)
    hub = registries("dockerhub")
    upstreams.seed(hub, "docker_hub")
    registry_id = endpoint(harbor, "dockerhub", hub)
    resp = harbor.api("POST", "/projects", json={"project_name": "dockerhub", "registry_id": registry_id})
    assert resp.status_code == 201, resp.text
    policy = create(harbor, name="into-proxy", src_registry={"id": registry_id}, enabled=True,
                    filters=[{"type": "name", "value": "library/**"}], dest_namespace="dockerhub", dest_namespace_replace_count=1)
    execution_id = execute(harbor, policy, status="Failed")
    log = task_logs(harbor, execution_id)["library/busybox [1 item(s) in total]"]
    assert "can not push artifact to a proxy project: dockerhub" in log and "403" in log
    assert harbor.api("GET", "/projects/dockerhub/repositories").json() == []


def test_a_copy_that_fails_mid_run_fails_its_task_and_the_module_shows_the_log(emulator_factory, registries, run_play):
    harbor = backed(emulator_factory)
    hub = registries("dockerhub")
    upstreams.seed(hub, "docker_hub")
    registry_id = endpoint(harbor, "dockerhub", hub)
    create(harbor, name="from-hub", src_registry={"id": registry_id}, enabled=True, filters=[{"type": "name", "value": "library/**"}],
           dest_namespace="hub", dest_namespace_replace_count=0)
    harbor.replication(task_seconds=1.0)            # tasks wait a second before copying: time to stop the upstream

    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(play=run_play([run_task("replicate", {"rule": "from-hub"})],
                                                                          target=harbor)))
    runner.start()
    for _ in range(200):
        executions = harbor.api("GET", "/replication/executions").json()
        if executions and harbor.api("GET", "/replication/executions/%d/tasks" % executions[0]["id"]).json():
            break
        time.sleep(0.05)
    hub.stop()
    runner.join(timeout=120)
    result = outcome["play"].result("replicate")
    assert failed(result)
    assert "1 of 1 tasks failed: library/busybox [1 item(s) in total] → hub/library/busybox" in result["msg"]
    task = result["execution"]["failed_tasks"][0]
    assert "of artifact library/busybox:1.36" in task["log_excerpt"]           # transfer.go's words, Go's error text
    assert "connect: connection refused" in task["log_excerpt"] and "connection refused" in result["msg"]
    assert task["log_excerpt"].endswith("got error during the whole transfer period, mark the job failure")
    assert digest_on(harbor, "hub/library/busybox", "1.36") is None


def test_push_replication_to_a_plain_registry_with_htpasswd_keeps_digests(emulator_factory, registries):
    harbor = backed(emulator_factory)
    target = registries("target", users={"robot": "target-pass"})
    index, chart = oci.image_index("etcd", "3.5.14-7.7"), oci.helm_chart("etcd", "10.2.3", "3.5.14-7.7")
    source = DistributionClient(harbor.url, auth=harbor.auth)
    source.push("library/containers/etcd", "3.5.14-7.7", index)
    source.push("library/charts/etcd", "10.2.3", chart)
    registry_id = endpoint(harbor, "target", target, credential=("robot", "target-pass"))
    policy = create(harbor, name="to-registry", dest_registry={"id": registry_id}, enabled=True,
                    filters=[{"type": "name", "value": "library/**"}], dest_namespace="airgap", dest_namespace_replace_count=1)
    execute(harbor, policy)
    client = DistributionClient(target.url, auth=target.auth)
    assert client.get_manifest("airgap/containers/etcd", "3.5.14-7.7")[2] == index.digest
    assert client.get_manifest("airgap/charts/etcd", "10.2.3")[2] == chart.digest
    for blob in index.all_blobs() + chart.all_blobs():
        repository = "airgap/charts/etcd" if blob in chart.all_blobs() else "airgap/containers/etcd"
        assert client.get_blob(repository, blob.digest) == blob.data


def test_copy_by_chunk_pushes_blobs_larger_than_the_chunk_size_in_ranges(emulator_factory, registries):
    harbor = backed(emulator_factory)
    harbor.replication(task_seconds=0.05, chunk_size=100)      # Harbor's REPLICATION_CHUNK_SIZE, made small
    target = registries("target")                               # distribution checks each chunk's Content-Range
    image = oci.image("app", "1.0")
    DistributionClient(harbor.url, auth=harbor.auth).push("library/app", "1.0", image)
    registry_id = endpoint(harbor, "target", target)
    policy = create(harbor, name="chunks", dest_registry={"id": registry_id}, enabled=True, copy_by_chunk=True,
                    filters=[{"type": "name", "value": "library/**"}])
    execution_id = execute(harbor, policy)
    assert DistributionClient(target.url).get_manifest("library/app", "1.0")[2] == image.digest
    for blob in image.blobs:
        assert DistributionClient(target.url).get_blob("library/app", blob.digest) == blob.data
    log = task_logs(harbor, execution_id)["library/app [1 item(s) in total]"]
    largest = max(image.blobs, key=lambda blob: blob.size)
    assert largest.size > 100
    assert "copying the blob %s by chunk(chunkSize: 100)" % largest.digest in log
    assert "copying the blob chunk: 0-99/%d" % largest.size in log
    assert "copy the blob chunk: %d-%d/%d completed" % ((largest.size - 1) // 100 * 100, largest.size - 1, largest.size) in log


def test_the_speed_of_a_rule_limits_each_blob_copy_as_harbors_iothrottler(emulator_factory, registries):
    """speed = 8 units = 8 Kibit/s = 1 KiB/s: a blob 2 KiB beyond the 1000 KiB burst takes at least 2 s to copy
    (src/lib/iothrottler.go, transfer.go copyBlobByMonolithic). A lower bound only: a loaded machine is slower."""
    harbor = backed(emulator_factory)
    target = registries("target")
    image = oci.large_image("big", "1.0", iothrottler.BURST + 2 * 1024)     # 2 KiB beyond the burst
    DistributionClient(harbor.url, auth=harbor.auth).push("library/big", "1.0", image)
    registry_id = endpoint(harbor, "target", target)
    policy = create(harbor, name="slow", dest_registry={"id": registry_id}, enabled=True, speed=8,
                    filters=[{"type": "name", "value": "library/**"}])
    started = time.monotonic()
    execution_id = execute(harbor, policy)
    elapsed = time.monotonic() - started
    layer = max(image.blobs, key=lambda blob: blob.size)
    assert elapsed >= (layer.size - iothrottler.BURST) / (8 * iothrottler.KBRATE)
    assert DistributionClient(target.url).get_manifest("library/big", "1.0")[2] == image.digest
    assert DistributionClient(target.url).get_blob("library/big", layer.digest) == layer.data
    assert "limit network speed at 8 kb/s" in task_logs(harbor, execution_id)["library/big [1 item(s) in total]"]


def test_event_based_rules_copy_each_push_and_replicate_deletion_to_a_registry_and_a_harbor(emulator_factory, registries):
    """A push into the connected Harbor starts the event-based rules it concerns (one event per manifest: an index and
    each of its children); deleting the artifact there deletes it on the destinations whose rule has
    replicate_deletion (src/controller/event/handler/replication, flow/deletion.go, transfer.go delete), on a
    registry-backed Harbor (the index's children go with it, deleteDeeply) and on a plain registry alike; a rule
    without replicate_deletion keeps its copy."""
    connected, disconnected = backed(emulator_factory), backed(emulator_factory)
    target = registries("target", users={"robot": "target-pass"})
    harbor_id = add_registry(connected, disconnected)
    registry_id = endpoint(connected, "target", target, credential=("robot", "target-pass"))
    event = {"type": "event_based"}
    etcd, app = [{"type": "name", "value": "library/etcd"}], [{"type": "name", "value": "library/app"}]
    to_harbor = create(connected, name="to-harbor", dest_registry={"id": harbor_id}, enabled=True, trigger=event, filters=etcd,
                       deletion=True, replicate_deletion=True, dest_namespace="mirror", dest_namespace_replace_count=1)
    keep = create(connected, name="keep", dest_registry={"id": harbor_id}, enabled=True, trigger=event, filters=etcd,
                  dest_namespace="keep", dest_namespace_replace_count=1)
    to_registry = create(connected, name="to-registry", dest_registry={"id": registry_id}, enabled=True, trigger=event,
                         filters=app, deletion=True, replicate_deletion=True)
    index, image = oci.image_index("etcd", "3.5.14-7.7"), oci.image("app", "1.0")
    source = DistributionClient(connected.url, auth=connected.auth)
    source.push("library/etcd", "3.5.14-7.7", index)
    source.push("library/app", "1.0", image)
    for policy_id, count in ((to_harbor, 3), (keep, 3), (to_registry, 1)):     # the index: two children, then itself
        assert [e["trigger"] for e in finished(connected, policy_id, count)] == ["event_based"] * count
    assert_whole(disconnected, "mirror/etcd", index)
    assert digest_on(disconnected, "keep/etcd", "3.5.14-7.7") == index.digest
    assert DistributionClient(target.url, auth=target.auth).get_manifest("library/app", "1.0")[2] == image.digest

    assert connected.api("DELETE", "/projects/library/repositories/etcd/artifacts/3.5.14-7.7").status_code == 200
    assert connected.api("DELETE", "/projects/library/repositories/app/artifacts/1.0").status_code == 200
    for policy_id, count, resource in ((to_harbor, 4, "library/etcd"), (to_registry, 2, "library/app")):
        deletion = finished(connected, policy_id, count)[0]                   # one event each: the index's children go with it
        log = task_logs(connected, deletion["id"])["%s [1 item(s) in total]" % resource]
        assert "the manifest of artifact" in log and "is deleted" in log
    assert digest_on(disconnected, "mirror/etcd", "3.5.14-7.7") is None
    assert disconnected.api("GET", "/projects/mirror/repositories/etcd/artifacts", params={"q": "base=*"}).json() == []
    resp = requests.head(target.url + "/v2/library/app/manifests/" + image.digest, auth=target.auth, timeout=10,
                         headers={"Accept": oci.OCI_MANIFEST})
    assert resp.status_code == 404
    assert digest_on(disconnected, "keep/etcd", "3.5.14-7.7") == index.digest
    assert len(finished(connected, keep, 3)) == 3


def finished(harbor, policy_id, count):
    """The policy's executions, newest first, once there are ``count`` and none is running (bounded wait)."""
    for _ in range(400):
        found = harbor.api("GET", "/replication/executions", params={"policy_id": policy_id}).json()
        if len(found) >= count and all(e["status"] not in ("InProgress", "Pending") for e in found):
            break
        time.sleep(0.05)
    assert len(found) >= count and all(e["status"] == "Succeed" for e in found), [(e, task_logs(harbor, e["id"])) for e in found]
    return found
