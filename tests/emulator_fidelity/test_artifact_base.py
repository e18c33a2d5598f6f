"""Artifact lists and counts show Harbor's base collection (src/pkg/artifact/dao/dao.go ``setBaseQuery``): tagged
artifacts and untagged ones nothing references; the platform images of an index appear only with ``q=base=*``.
Content pushed through the storage interface (tests/harbor_emulator/storage.py) as the /v2/ routes push it."""
from tools.dataplane import oci


def push(harbor, repository, tag, manifest):
    storage = harbor.emulator.storage
    for blob in manifest.all_blobs():
        storage.put_blob("library", repository, blob.data)
    for child in manifest.children:
        storage.push_manifest("library", repository, child.digest, child.media_type, child.data)
    return storage.push_manifest("library", repository, tag, manifest.media_type, manifest.data)


def test_an_index_hides_its_untagged_children_unless_base_is_star(harbor):
    harbor.need_emulator()
    index = oci.image_index("busybox", "1.36")
    push(harbor, "busybox", "1.36", index)
    listed = harbor.api("GET", "/projects/library/repositories/busybox/artifacts").json()
    assert [art["digest"] for art in listed] == [index.digest]
    everything = harbor.api("GET", "/projects/library/repositories/busybox/artifacts", params={"q": "base=*"}).json()
    assert sorted(art["digest"] for art in everything) == sorted([index.digest] + [child.digest for child in index.children])
    assert harbor.api("GET", "/projects/library/repositories/busybox").json()["artifact_count"] == 1
    resp = harbor.api("GET", "/projects/library/repositories/busybox/artifacts", params={"q": "base=x"})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["message"] == 'the value of "base" query can only be exact match value with "*"'


def test_an_untagged_image_nothing_references_is_listed(harbor):
    harbor.need_emulator()
    image = oci.image("app", "1.0")
    push(harbor, "app", image.digest, image)
    listed = harbor.api("GET", "/projects/library/repositories/app/artifacts").json()
    assert [(art["digest"], art.get("tags")) for art in listed] == [(image.digest, None)]
