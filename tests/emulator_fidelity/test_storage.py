"""The emulator's storage interface (tests/harbor_emulator/storage.py): the same behaviour in memory and in a real
registry process. What Harbor records for a pushed manifest is decided by src/controller/artifact/abstractor.go
(size, media types), src/controller/artifact/processor/{image,chart}/*.go and processor/default.go (type); what the
registry accepts by distribution's manifest handlers (referenced blobs and child manifests must exist)."""
import json
import threading

import pytest

from tools.dataplane import oci
from tools.dataplane.registry import missing_binaries
from tests.harbor_emulator.handler import project as projects
from tests.harbor_emulator.state import State
from tests.harbor_emulator.storage import ContentError, MemoryStorage, RegistryStorage, abstract, artifact_type, storage_of


def new_storage(kind):
    """A storage of ``kind`` for a fresh State with a public project ``library``."""
    if kind == "registry" and missing_binaries():
        pytest.skip("needs %s (Debian docker-registry, skopeo, apache2-utils; scripts/lib.sh installs them)"
                    % ", ".join(missing_binaries()))
    state = State()
    with state.lock:
        projects.create_project(state, "library", projects.first_sysadmin_id(state), {"public": "true"})
    return storage_of(state, kind)


@pytest.fixture(params=["memory", "registry"])
def storage(request):
    storage = new_storage(request.param)
    yield storage
    storage.close()


def push(storage, repository, tag, manifest):
    for blob in manifest.all_blobs():
        assert storage.put_blob("library", repository, blob.data) == blob.digest
    for child in manifest.children:
        storage.push_manifest("library", repository, child.digest, child.media_type, child.data)
    return storage.push_manifest("library", repository, tag, manifest.media_type, manifest.data)


def test_a_pushed_image_is_recorded_with_the_manifests_digest_media_types_and_size(storage):
    image = oci.image("busybox", "1.36")
    art = push(storage, "busybox", "1.36", image)
    config, layer = image.blobs
    assert (art["digest"], art["type"], art["manifest_media_type"], art["media_type"]) == (
        image.digest, "IMAGE", oci.OCI_MANIFEST, oci.OCI_CONFIG)
    assert art["size"] == image.size + config.size + layer.size  # abstractor.go: manifest + config + layers
    assert [tag["name"] for tag in art["tags"]] == ["1.36"]
    assert storage.get("library", "busybox", "1.36")["digest"] == image.digest
    assert storage.get_manifest("library", "busybox", "1.36") == (oci.OCI_MANIFEST, image.data, image.digest)
    assert storage.get_blob("library", "busybox", layer.digest) == layer.data
    assert storage.blob_size("library", "busybox", config.digest) == config.size
    assert storage.get_blob("library", "other", layer.digest) is None  # blobs are linked per repository


def test_an_index_is_recorded_with_its_children_sizes_and_references(storage):
    index = oci.image_index("etcd", "3.5.14-7.7")
    art = push(storage, "etcd", "3.5.14-7.7", index)
    children = {child.digest: storage.get("library", "etcd", child.digest) for child in index.children}
    assert (art["type"], art["media_type"], art["manifest_media_type"]) == ("IMAGE", oci.OCI_INDEX, oci.OCI_INDEX)
    assert art["size"] == index.size + sum(child["size"] for child in children.values())
    assert [(ref["child_digest"], ref["child_id"], ref["parent_id"], ref["platform"]) for ref in art["references"]] == [
        (child.digest, children[child.digest]["id"], art["id"], child.platform) for child in index.children]
    assert all(child["tags"] == [] for child in children.values())
    assert storage.get_manifest("library", "etcd", "3.5.14-7.7")[2] == index.digest


def test_a_helm_chart_is_a_chart_artifact(storage):
    chart = oci.helm_chart("etcd", "10.2.3", "3.5.14-7.7")
    art = push(storage, "charts/etcd", "10.2.3", chart)
    assert (art["type"], art["media_type"], art["digest"]) == ("CHART", oci.HELM_CONFIG, chart.digest)
    assert storage.repository("library", "charts/etcd")["artifact_count"] == 1


def test_a_manifest_whose_blobs_or_children_are_missing_is_refused_and_not_recorded(storage):
    image = oci.image("app", "1")
    storage.put_blob("library", "app", image.blobs[0].data)  # the config, not the layer
    with pytest.raises(ContentError) as error:
        storage.push_manifest("library", "app", "1", image.media_type, image.data)
    assert (error.value.status, error.value.code) == (400, "MANIFEST_BLOB_UNKNOWN")
    index = oci.image_index("app", "2")
    with pytest.raises(ContentError) as error:
        storage.push_manifest("library", "app", "2", index.media_type, index.data)
    assert (error.value.status, error.value.code) == (400, "MANIFEST_BLOB_UNKNOWN")
    assert storage.artifacts("library", "app") == [] and storage.get_manifest("library", "app", "1") is None


def test_a_blob_or_manifest_with_a_wrong_digest_is_refused(storage):
    with pytest.raises(ContentError) as error:
        storage.put_blob("library", "app", b"data", digest="sha256:" + "0" * 64)
    assert error.value.code == "DIGEST_INVALID"
    image = oci.image("app", "1")
    for blob in image.all_blobs():
        storage.put_blob("library", "app", blob.data)
    with pytest.raises(ContentError) as error:
        storage.push_manifest("library", "app", "sha256:" + "0" * 64, image.media_type, image.data)
    assert error.value.code == "DIGEST_INVALID"


def test_a_second_push_of_a_tag_moves_it_and_a_deleted_artifact_is_gone_with_its_tags(storage):
    first, second = oci.image("app", "1"), oci.image("app", "2")
    push(storage, "app", "latest", first)
    push(storage, "app", "latest", second)
    assert storage.get("library", "app", "latest")["digest"] == second.digest
    assert storage.get("library", "app", first.digest)["tags"] == []
    assert storage.get_manifest("library", "app", "latest")[2] == second.digest
    assert storage.delete_artifact("library", "app", second.digest)
    assert storage.get("library", "app", "latest") is None
    assert storage.get_manifest("library", "app", "latest") is None
    assert storage.get_manifest("library", "app", second.digest) is None
    assert storage.get_manifest("library", "app", first.digest)[2] == first.digest


def test_deleting_an_index_deletes_its_untagged_children_unless_another_artifact_references_them(storage):
    """src/controller/artifact/controller.go deleteDeeply: a child goes with its index unless it has a tag of its own or
    another index references it."""
    platforms = [("linux", "amd64"), ("linux", "arm64"), ("linux", "s390x")]
    index = oci.image_index("etcd", "3.5", platforms=platforms)
    push(storage, "etcd", "3.5", index)
    amd64, arm64, s390x = index.children
    storage.push_manifest("library", "etcd", "amd64", amd64.media_type, amd64.data)     # a tag of its own
    other = oci.Manifest(oci.OCI_INDEX, {"schemaVersion": 2, "mediaType": oci.OCI_INDEX, "annotations": {"only": "s390x"},
                                         "manifests": [s390x.descriptor(platform=s390x.platform)]}, children=[s390x])
    storage.push_manifest("library", "etcd", "s390x-only", other.media_type, other.data)  # references s390x too
    storage.delete_artifact("library", "etcd", index.digest)
    left = {art["digest"] for art in storage.artifacts("library", "etcd")}
    assert left == {amd64.digest, s390x.digest, other.digest}
    assert storage.get_manifest("library", "etcd", arm64.digest) is None


def test_seeding(storage):
    art = storage.seed("library", "nginx", tags=["1.25"], labels=["prod"])
    assert [tag["name"] for tag in art["tags"]] == ["1.25"] and [label["name"] for label in art["labels"]] == ["prod"]
    content = storage.get_manifest("library", "nginx", "1.25")
    if isinstance(storage, MemoryStorage):  # a record without content, any digest (today's fast seed)
        assert content is None
    else:  # a real artifact: what the registry holds is what is recorded
        assert content[2] == art["digest"] and art["size"] > len(content[1])
        chart = storage.seed("library", "charts/etcd", tags=["10.2.3"], type="chart")
        assert chart["type"] == "CHART" and json.loads(storage.get_manifest("library", "charts/etcd", "10.2.3")[1])[
            "config"]["mediaType"] == oci.HELM_CONFIG
        with pytest.raises(ValueError):
            storage.seed("library", "nginx", digest="sha256:" + "1" * 64)


def test_a_registry_storage_runs_its_own_registry_until_closed():
    storage = new_storage("registry")
    assert isinstance(storage, RegistryStorage)
    registry = storage.registry
    assert registry.running and registry.url.startswith("http://127.0.0.1:")
    storage.close()
    assert not registry.running


def test_one_storage_per_state_memory_unless_asked():
    state = State()
    storage = storage_of(state)
    assert isinstance(storage, MemoryStorage) and storage_of(state) is storage and storage_of(state, "memory") is storage
    with pytest.raises(ValueError, match="memory storage"):
        storage_of(state, "registry")


def test_registry_storage_serves_several_threads_each_with_its_own_client():
    storage = new_storage("registry")
    images = [oci.image("app", str(n)) for n in range(4)]
    errors, clients = [], []

    def work(image):
        try:
            push(storage, "app", image.platform["architecture"] + image.digest[7:15], image)
            clients.append(storage.client)  # kept alive, so their ids cannot be reused
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(image,)) for image in images]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == [] and len({id(client) for client in clients}) == 4
        assert sorted(art["digest"] for art in storage.artifacts("library", "app")) == sorted(image.digest for image in images)
    finally:
        storage.close()


def test_artifact_types_follow_harbors_processors():
    """processor/image (image config, index), processor/chart, then processor/default.go's media type pattern."""
    assert artifact_type(oci.OCI_CONFIG) == "IMAGE"
    assert artifact_type("application/vnd.docker.container.image.v1+json") == "IMAGE"
    assert artifact_type(oci.OCI_INDEX) == "IMAGE"
    assert artifact_type(oci.HELM_CONFIG) == "CHART"
    assert artifact_type("application/vnd.cncf.openpolicyagent.config.v1+json") == "OPENPOLICYAGENT"
    assert artifact_type("application/json") == "UNKNOWN"


def test_abstract_refuses_what_harbor_does_not_support():
    with pytest.raises(ContentError) as error:
        abstract("application/vnd.example+json", b"{}", lambda digest: 0)
    assert error.value.code == "MANIFEST_INVALID" and "unsupported manifest media type" in error.value.message
    body = json.dumps({"schemaVersion": 2, "config": {"mediaType": oci.OCI_CONFIG, "digest": "sha256:" + "1" * 64, "size": 0},
                       "layers": [], "artifactType": "application/vnd.cncf.helm.config.v1+json"}).encode()
    assert abstract(oci.OCI_MANIFEST, body, None)["type"] == "CHART"  # artifactType wins over the config media type
