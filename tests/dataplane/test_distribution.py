"""Pushing the built artifacts over the distribution API: the registry stores them under the digests the builder
computed, with their media types, and gives every blob back byte for byte; the seeded upstreams hold the seeds."""
import json

import pytest

from tools.dataplane import oci, upstreams
from tools.dataplane.distribution import DistributionClient, DistributionError


@pytest.mark.parametrize("kind", ["image", "index", "chart"])
def test_a_pushed_artifact_has_the_digest_and_media_type_the_builder_computed(registry_factory, kind):
    registry = registry_factory("plain")
    built = {"image": oci.image("vllm", "latest"), "index": oci.image_index("busybox", "1.36"),
             "chart": oci.helm_chart("etcd", "10.2.3", "3.5.14-7.7")}[kind]
    client = DistributionClient(registry.url)
    assert client.push("ns/artifact", "v1", built) == built.digest
    media_type, body, digest = client.get_manifest("ns/artifact", "v1")
    assert (media_type, body, digest) == (built.media_type, built.data, built.digest)
    assert client.get_manifest("ns/artifact", built.digest)[2] == built.digest
    for child in built.children:
        assert client.get_manifest("ns/artifact", child.digest)[1] == child.data
    for blob in built.all_blobs():
        assert client.get_blob("ns/artifact", blob.digest) == blob.data
    assert client.tags("ns/artifact") == ["v1"]


def test_a_second_push_uploads_no_blob_again(registry_factory):
    registry = registry_factory("plain")
    client = DistributionClient(registry.url)
    built = oci.image_index("etcd", "3.5.14-7.7")
    client.push("containers/etcd", "3.5.14-7.7", built)
    sent = []
    client.session.hooks["response"].append(lambda resp, *a, **k: sent.append((resp.request.method, resp.status_code)))
    client.push("containers/etcd", "3.5.14-7.7", built)
    assert ("POST", 202) not in sent and [m for m, _ in sent].count("HEAD") == len(built.all_blobs())


def test_a_push_without_the_key_is_refused(registry_factory):
    ngc = registry_factory("ngc", users={"$oauthtoken": "nvapi-key"})
    with pytest.raises(DistributionError) as error:
        DistributionClient(ngc.url).push("nvaie/vllm", "latest", oci.image("vllm", "latest"))
    assert error.value.status == 401
    with pytest.raises(DistributionError):
        DistributionClient(ngc.url, auth=("$oauthtoken", "other")).push("nvaie/vllm", "latest", oci.image("vllm", "latest"))
    assert DistributionClient(ngc.url, auth=ngc.auth).push("nvaie/vllm", "latest", oci.image("vllm", "latest"))


def test_the_seeded_upstreams_hold_the_seeds_content(seeded_upstreams):
    expected = {
        "docker_hub": {"library/busybox:1.36": oci.OCI_INDEX},
        "ngc": {"nvaie/vllm:latest": oci.OCI_MANIFEST},
        "application_collection": {"containers/etcd:3.5.14-7.7": oci.OCI_INDEX, "charts/etcd:10.2.3": oci.OCI_MANIFEST},
    }
    for flavour, (registry, pushed) in seeded_upstreams.items():
        assert {ref: manifest.media_type for ref, manifest in pushed.items()} == expected[flavour]
        client = upstreams.client_for(registry)
        assert sorted(client.catalog()) == sorted(ref.split(":")[0] for ref in pushed)
        for ref, manifest in pushed.items():
            repository, tag = ref.split(":")
            assert client.tags(repository) == [tag]
            assert client.get_manifest(repository, tag)[2] == manifest.digest
    chart = seeded_upstreams["application_collection"][1]["charts/etcd:10.2.3"]
    assert json.loads(chart.data)["config"]["mediaType"] == oci.HELM_CONFIG


def test_seeding_twice_gives_the_same_digests(registry_factory):
    first = upstreams.seed(registry_factory("one"), "application_collection")
    second = upstreams.seed(registry_factory("two"), "application_collection")
    assert {ref: m.digest for ref, m in first.items()} == {ref: m.digest for ref, m in second.items()}


def test_a_bearer_challenge_is_answered_with_a_token_from_its_realm(emulator_factory):
    """Harbor's /v2/ asks for a bearer token (the emulator's v2auth.py); the client fetches one per scope, once."""
    harbor = emulator_factory()
    harbor.seed(project="private", repository="app", tags=["1.0"])  # a new project is private
    client = DistributionClient(harbor.url, auth=harbor.auth, verify=harbor.ca_path or True)
    sent = []
    client.session.hooks["response"].append(lambda resp, *a, **k: sent.append(
        (resp.request.method, resp.status_code, resp.request.url.split("?")[0], resp.request.headers.get("Authorization", ""))))
    assert client.tags("private/app") == ["1.0"]
    assert client.tags("private/app") == ["1.0"]
    assert [(method, status) for method, status, _, _ in sent] == [("GET", 401), ("GET", 200), ("GET", 200), ("GET", 200)]
    assert sent[1][2] == harbor.url + "/service/token" and sent[1][3].startswith("Basic ")
    assert [auth.split()[0] for _, _, _, auth in sent[2:]] == ["Bearer", "Bearer"]
    anonymous = DistributionClient(harbor.url, verify=harbor.ca_path or True)
    with pytest.raises(DistributionError) as error:
        anonymous.tags("private/app")
    assert error.value.status == 401
