"""A registry-backed emulator (``Emulator(storage="registry")``) serves ``/v2/`` like Harbor: a standard OCI client
pushes and pulls through it with Harbor's token auth, and the repositories/artifacts API reads digests, sizes and
media types from the registry (Harbor: src/server/registry/route.go, src/controller/artifact/abstractor.go,
src/server/middleware/repoproxy/proxy.go for the push refusal into a proxy-cache project)."""
import hashlib
import json

import requests

from tools.dataplane import oci
from .conftest import need_binaries, skopeo
from tools.dataplane.distribution import DistributionClient


def emulator_args(target, role=None):
    prefix = "--%s-" % role if role else "--"
    return [prefix + "tls-verify=false", prefix + "creds=%s:%s" % target.auth]


def reference(target, repository, tag):
    return "docker://%s/%s:%s" % (target.url.split("://", 1)[1], repository, tag)


def raw_digest(target, repository, tag):
    raw = skopeo("inspect", "--raw", *emulator_args(target), reference(target, repository, tag)).stdout
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def registry_emulator(emulator_factory):
    need_binaries()
    return emulator_factory(storage="registry")


def test_skopeo_pushes_and_pulls_through_the_emulator_and_the_api_reads_the_registry(emulator_factory, tmp_path):
    harbor = registry_emulator(emulator_factory)
    image, index, chart = oci.image("vllm", "latest"), oci.image_index("busybox", "1.36"), oci.helm_chart("etcd", "10.2.3", "3.5")
    layout = oci.write_layout(str(tmp_path / "layout"), {"latest": image, "1.36": index, "10.2.3": chart})
    skopeo("copy", "oci:%s:latest" % layout, *emulator_args(harbor, "dest"), reference(harbor, "library/vllm", "latest"))
    skopeo("copy", "--all", "oci:%s:1.36" % layout, *emulator_args(harbor, "dest"), reference(harbor, "library/busybox", "1.36"))
    skopeo("copy", "oci:%s:10.2.3" % layout, *emulator_args(harbor, "dest"), reference(harbor, "library/charts/etcd", "10.2.3"))
    assert raw_digest(harbor, "library/vllm", "latest") == image.digest
    assert raw_digest(harbor, "library/busybox", "1.36") == index.digest
    assert raw_digest(harbor, "library/charts/etcd", "10.2.3") == chart.digest
    info = json.loads(skopeo("inspect", *emulator_args(harbor), reference(harbor, "library/vllm", "latest")).stdout)
    assert (info["Digest"], info["Architecture"]) == (image.digest, "amd64")

    art = harbor.api("GET", "/projects/library/repositories/vllm/artifacts/latest").json()
    config, layer = image.blobs
    assert (art["digest"], art["type"], art["manifest_media_type"], art["media_type"], art["size"]) == (
        image.digest, "IMAGE", oci.OCI_MANIFEST, oci.OCI_CONFIG, image.size + config.size + layer.size)
    art = harbor.api("GET", "/projects/library/repositories/charts%252Fetcd/artifacts/10.2.3").json()
    assert (art["digest"], art["type"], art["media_type"]) == (chart.digest, "CHART", oci.HELM_CONFIG)
    art = harbor.api("GET", "/projects/library/repositories/busybox/artifacts/1.36").json()
    assert (art["digest"], art["manifest_media_type"]) == (index.digest, oci.OCI_INDEX)
    assert sorted(ref["child_digest"] for ref in art["references"]) == sorted(child.digest for child in index.children)
    assert art["size"] == index.size + sum(child.size + sum(blob.size for blob in child.blobs) for child in index.children)


def test_pulls_need_pull_permission_and_blobs_are_served_with_their_digest(emulator_factory):
    harbor = registry_emulator(emulator_factory)
    image = oci.image("app", "1.0")
    client = DistributionClient(harbor.url, auth=harbor.auth)
    assert client.push("library/app", "1.0", image) == image.digest         # Harbor's /service/token handshake
    anonymous = DistributionClient(harbor.url)                                 # library is public: anonymous pulls work
    assert anonymous.get_manifest("library/app", "1.0")[2] == image.digest
    for blob in image.blobs:
        assert anonymous.get_blob("library/app", blob.digest) == blob.data
    harbor.api("POST", "/projects", json={"project_name": "private", "metadata": {"public": "false"}})
    client.push("private/app", "1.0", image)
    resp = requests.get(harbor.url + "/v2/private/app/manifests/1.0", timeout=10)
    assert resp.status_code == 401 and resp.headers["Www-Authenticate"].startswith("Bearer ")
    resp = requests.get(harbor.url + "/v2/library/app/blobs/sha256:" + "0" * 64, auth=harbor.auth, timeout=10)
    assert resp.status_code == 404 and resp.json()["errors"][0]["code"] == "BLOB_UNKNOWN"


def test_a_manifest_whose_blobs_are_missing_is_refused_and_deleting_removes_the_content(emulator_factory):
    harbor = registry_emulator(emulator_factory)
    image = oci.image("app", "1.0")
    resp = requests.put(harbor.url + "/v2/library/app/manifests/1.0", data=image.data, auth=harbor.auth, timeout=10,
                        headers={"Content-Type": image.media_type})
    assert resp.status_code == 400 and resp.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
    client = DistributionClient(harbor.url, auth=harbor.auth)
    client.push("library/app", "1.0", image)
    assert harbor.api("DELETE", "/projects/library/repositories/app/artifacts/1.0").status_code == 200
    resp = requests.get(harbor.url + "/v2/library/app/manifests/" + image.digest, auth=harbor.auth, timeout=10)
    assert resp.status_code == 404


def test_nothing_is_pushed_into_a_proxy_cache_project(emulator_factory, registry_factory):
    harbor = registry_emulator(emulator_factory)
    upstream = registry_factory("upstream")
    registry = harbor.api("POST", "/registries", json={"name": "hub", "type": "docker-registry", "url": upstream.url})
    assert registry.status_code == 201, registry.text
    registry_id = int(registry.headers["Location"].rsplit("/", 1)[1])
    resp = harbor.api("POST", "/projects", json={"project_name": "proxy", "registry_id": registry_id, "metadata": {"public": "true"}})
    assert resp.status_code == 201, resp.text
    client = DistributionClient(harbor.url, auth=harbor.auth)
    resp = client.request("POST", "/v2/proxy/app/blobs/uploads/", scope="repository:proxy/app:pull,push")
    assert resp.status_code == 403
    assert resp.json()["errors"][0] == {"code": "DENIED", "message": "can not push artifact to a proxy project: proxy"}
    image = oci.image("app", "1.0")
    resp = client.request("PUT", "/v2/proxy/app/manifests/1.0", scope="repository:proxy/app:pull,push", data=image.data,
                          headers={"Content-Type": image.media_type})
    assert resp.status_code == 403 and resp.json()["errors"][0]["code"] == "DENIED"
