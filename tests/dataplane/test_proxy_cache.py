"""Pulls through a proxy-cache project of a registry-backed emulator fetch from the endpoint's upstream (its
credentials, its CA), store the artifact in the project and serve later pulls from there, upstream down or not
(Harbor: src/server/middleware/repoproxy/proxy.go, src/controller/proxy/controller.go); the project's
``proxy_speed_kb`` and ``max_upstream_conn`` limit what goes to the upstream (src/controller/proxy/remote.go,
src/lib/iothrottler.go, src/pkg/proxy/connection/limit.go)."""
import hashlib
import threading
import time

import requests

from tools.dataplane import oci, upstreams
from .conftest import need_binaries, skopeo
from tools.dataplane.distribution import DistributionClient
from .test_emulator_v2 import emulator_args, reference
from tests.harbor_emulator import iothrottler


def proxy_project(harbor, name, upstream, registry_type="docker-registry", credential=None, insecure=False, **metadata):
    body = {"name": name, "type": registry_type, "url": upstream.url, "insecure": insecure}
    if credential:
        body["credential"] = {"type": "basic", "access_key": credential[0], "access_secret": credential[1]}
    if upstream.ca_path and not insecure:
        with open(upstream.ca_path) as handle:
            body["ca_certificate"] = handle.read()
    resp = harbor.api("POST", "/registries", json=body)
    assert resp.status_code == 201, resp.text
    registry_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    resp = harbor.api("POST", "/projects", json={"project_name": name, "registry_id": registry_id,
                                                 "metadata": dict(metadata, public="true")})
    assert resp.status_code == 201, resp.text


def pulled_digest(harbor, repository, tag):
    raw = skopeo("inspect", "--raw", *emulator_args(harbor), reference(harbor, repository, tag)).stdout
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def test_the_first_pull_fetches_from_docker_hub_and_later_pulls_are_served_with_the_upstream_stopped(
        emulator_factory, registry_factory, tmp_path):
    need_binaries()
    harbor = emulator_factory(storage="registry")
    hub = registry_factory("dockerhub")
    index = upstreams.seed(hub, "docker_hub")["library/busybox:1.36"]
    proxy_project(harbor, "dockerhub", hub, registry_type="docker-hub")
    assert harbor.api("GET", "/projects/dockerhub/repositories").json() == []

    # Docker Hub's library rule: dockerhub/busybox is dockerhub/library/busybox, fetched from library/busybox
    resp = requests.get(harbor.url + "/v2/dockerhub/busybox/manifests/1.36", auth=harbor.auth, allow_redirects=False, timeout=10)
    assert resp.status_code == 301 and resp.headers["Location"].endswith("/v2/dockerhub/library/busybox/manifests/1.36")
    assert pulled_digest(harbor, "dockerhub/busybox", "1.36") == index.digest
    art = harbor.api("GET", "/projects/dockerhub/repositories/library%252Fbusybox/artifacts/1.36").json()
    assert art["digest"] == index.digest                                    # stored in the project

    hub.stop()
    skopeo("copy", "--all", *emulator_args(harbor, "src"), reference(harbor, "dockerhub/library/busybox", "1.36"),
           "oci:%s:1.36" % (tmp_path / "pulled"))
    assert pulled_digest(harbor, "dockerhub/library/busybox", "1.36") == index.digest
    client = DistributionClient(harbor.url)
    for blob in index.all_blobs():                                          # every byte came from the cache
        assert client.get_blob("dockerhub/library/busybox", blob.digest) == blob.data
    # not cached and the upstream down: the local registry's 404 (Harbor's "fallback to local"), as a real Harbor answers
    resp = requests.get(harbor.url + "/v2/dockerhub/library/alpine/manifests/3.20", auth=harbor.auth, timeout=10)
    assert (resp.status_code, resp.json()["errors"][0]) == (404, {"code": "NOT_FOUND", "message": "repository dockerhub/library/alpine not found"})


def test_a_chart_comes_through_the_tls_upstream_with_credentials_and_a_missing_tag_is_not_found(
        emulator_factory, registry_factory):
    need_binaries()
    harbor = emulator_factory(storage="registry")
    appco = registry_factory("appco", tls=True, users={"collector": "appco-token"})
    chart = upstreams.seed(appco, "application_collection")["charts/etcd:10.2.3"]
    proxy_project(harbor, "application-collection", appco, credential=("collector", "appco-token"))
    assert pulled_digest(harbor, "application-collection/charts/etcd", "10.2.3") == chart.digest
    art = harbor.api("GET", "/projects/application-collection/repositories/charts%252Fetcd/artifacts/10.2.3").json()
    assert (art["digest"], art["type"]) == (chart.digest, "CHART")
    resp = requests.get(harbor.url + "/v2/application-collection/charts/etcd/manifests/0.0.1", auth=harbor.auth, timeout=10)
    assert resp.status_code == 404
    assert resp.json()["errors"][0] == {"code": "NOT_FOUND", "message": "repo application-collection/charts/etcd, tag 0.0.1 not found"}


def test_an_insecure_endpoint_reaches_a_tls_upstream_without_its_ca_with_the_ngc_key(emulator_factory, registry_factory):
    need_binaries()
    harbor = emulator_factory(storage="registry")
    ngc = registry_factory("ngc", tls=True, users={upstreams.NGC_USERNAME: "nvapi-key"})
    image = upstreams.seed(ngc, "ngc")["nvaie/vllm:latest"]
    proxy_project(harbor, "nvidiaio", ngc, credential=(upstreams.NGC_USERNAME, "nvapi-key"), insecure=True)
    assert pulled_digest(harbor, "nvidiaio/nvaie/vllm", "latest") == image.digest
    assert harbor.api("GET", "/projects/nvidiaio/repositories/nvaie%252Fvllm/artifacts/latest").json()["size"] == (
        image.size + sum(blob.size for blob in image.blobs))


def test_another_harbor_as_upstream_answers_through_its_token_service(emulator_factory):
    need_binaries()
    harbor, upstream = emulator_factory(storage="registry"), emulator_factory(storage="registry")
    upstream.api("POST", "/projects", json={"project_name": "team", "metadata": {"public": "false"}})
    image = oci.image("app", "2.0")
    DistributionClient(upstream.url, auth=upstream.auth).push("team/app", "2.0", image)
    resp = harbor.api("POST", "/registries", json={"name": "upstream-harbor", "type": "harbor", "url": upstream.url,
                                                   "credential": {"type": "basic", "access_key": "admin", "access_secret": "Harbor12345"}})
    assert resp.status_code == 201, resp.text
    registry_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    assert harbor.api("POST", "/projects", json={"project_name": "cache", "registry_id": registry_id}).status_code == 201
    assert pulled_digest(harbor, "cache/team/app", "2.0") == image.digest   # private upstream project: the endpoint's login
    assert harbor.api("GET", "/projects/cache/repositories/team%252Fapp/artifacts/2.0").json()["digest"] == image.digest


TOO_MANY = {"code": "TOO_MANY_REQUEST", "message": "too many requests to upstream registry"}


def large_upstream(registry_factory, extra=2 * 1024):
    """An anonymous upstream holding ``big/data:1.0``, an image whose layer is ``extra`` bytes beyond the limiter's burst."""
    upstream = registry_factory("upstream")
    image = oci.large_image("data", "1.0", iothrottler.BURST + extra)
    DistributionClient(upstream.url).push("big/data", "1.0", image)
    return upstream, image, max(image.blobs, key=lambda blob: blob.size)


def test_a_pull_through_the_cache_is_limited_by_proxy_speed_kb_and_max_upstream_conn(emulator_factory, registry_factory):
    """proxy_speed_kb 8 = 1 KiB/s: the layer's 2 KiB beyond the 1000 KiB burst take at least 2 s to come from the
    upstream (a lower bound only); while that pull holds the one upstream connection of max_upstream_conn 1, another
    pull of the same tag is answered 429 as proxy.go answers it. Later pulls come from the cache."""
    need_binaries()
    harbor = emulator_factory(storage="registry")
    upstream, image, layer = large_upstream(registry_factory)
    proxy_project(harbor, "cache", upstream, proxy_speed_kb="8", max_upstream_conn="1")
    url = harbor.url + "/v2/cache/big/data/manifests/1.0"
    headers = {"Accept": oci.OCI_MANIFEST}
    first = {}

    def pull():
        started = time.monotonic()
        first["resp"] = requests.get(url, auth=harbor.auth, headers=headers, timeout=60)
        first["seconds"] = time.monotonic() - started

    runner = threading.Thread(target=pull)
    runner.start()
    others = []
    while runner.is_alive() and len(others) < 200:                  # bounded: the first pull lasts 2 s at least
        others.append(requests.get(url, auth=harbor.auth, headers=headers, timeout=60))
        if others[-1].status_code == 429:
            break
        time.sleep(0.05)
    runner.join(timeout=60)
    answers = [first["resp"]] + others
    refused = [resp for resp in answers if resp.status_code == 429]
    assert refused and refused[0].json()["errors"][0] == TOO_MANY
    winner = [resp for resp in answers if resp.status_code == 200][0]
    assert winner.headers["Docker-Content-Digest"] == image.digest
    if first["resp"].status_code == 200:
        assert first["seconds"] >= (layer.size - iothrottler.BURST) / (8 * iothrottler.KBRATE)
    upstream.stop()
    assert requests.get(url, auth=harbor.auth, headers=headers, timeout=10).headers["Docker-Content-Digest"] == image.digest
    assert DistributionClient(harbor.url, auth=harbor.auth).get_blob("cache/big/data", layer.digest) == layer.data


def test_a_blob_the_cache_lacks_is_streamed_at_the_project_speed_then_served_from_the_cache(emulator_factory, registry_factory):
    """GET of a blob before its manifest: the upstream's bytes reach the client as they come (repoproxy handleBlob,
    ProxyBlob), at proxy_speed_kb, holding the upstream connection (a second GET meanwhile: 429); once read whole
    the blob is in the project and is served with the upstream stopped."""
    need_binaries()
    harbor = emulator_factory(storage="registry")
    upstream, image, layer = large_upstream(registry_factory)
    proxy_project(harbor, "cache", upstream, proxy_speed_kb="8", max_upstream_conn="1")
    url = harbor.url + "/v2/cache/big/data/blobs/" + layer.digest
    started = time.monotonic()
    streamed = requests.get(url, auth=harbor.auth, stream=True, timeout=60)
    assert streamed.status_code == 200 and streamed.headers["Content-Length"] == str(layer.size)
    first = next(streamed.iter_content(64 * 1024))                 # the first bytes arrive before the blob is whole
    busy = requests.get(url, auth=harbor.auth, timeout=60)
    assert busy.status_code == 429 and busy.json()["errors"][0] == TOO_MANY
    data = first + b"".join(streamed.iter_content(64 * 1024))
    assert time.monotonic() - started >= (layer.size - iothrottler.BURST) / (8 * iothrottler.KBRATE)
    assert data == layer.data
    upstream.stop()
    again = requests.get(url, auth=harbor.auth, timeout=10)
    assert again.status_code == 200 and again.content == layer.data
