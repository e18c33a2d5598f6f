"""The OCI artifact builder: deterministic bytes, well-formed images, indexes, Helm charts and OCI layouts.

No process needed: these check the artifacts themselves (the registry round trips are in test_distribution.py and
test_skopeo.py)."""
import gzip
import hashlib
import io
import json
import os
import tarfile

from tools.dataplane import oci


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_the_same_call_gives_the_same_digests_and_another_tag_others():
    assert oci.image("vllm", "latest").digest == oci.image("vllm", "latest").digest
    assert oci.image_index("etcd", "3.5.14-7.7").digest == oci.image_index("etcd", "3.5.14-7.7").digest
    assert oci.helm_chart("etcd", "10.2.3", "3.5.14").digest == oci.helm_chart("etcd", "10.2.3", "3.5.14").digest
    assert oci.image("vllm", "latest").digest != oci.image("vllm", "0.6").digest
    assert oci.helm_chart("etcd", "10.2.3", "3.5.14").digest != oci.helm_chart("etcd", "10.2.4", "3.5.14").digest


def test_an_image_manifest_references_its_config_and_layer_and_the_config_its_uncompressed_layer():
    image = oci.image("busybox", "1.36", arch="arm64")
    body = json.loads(image.data)
    assert image.digest == sha(image.data) and image.size == len(image.data)
    assert body["mediaType"] == oci.OCI_MANIFEST and body["schemaVersion"] == 2
    config_blob, layer_blob = image.blobs
    assert body["config"] == {"mediaType": oci.OCI_CONFIG, "digest": sha(config_blob.data), "size": len(config_blob.data)}
    assert body["layers"] == [{"mediaType": oci.OCI_LAYER, "digest": sha(layer_blob.data), "size": len(layer_blob.data)}]
    config = json.loads(config_blob.data)
    assert (config["os"], config["architecture"]) == ("linux", "arm64")
    tar = gzip.decompress(layer_blob.data)
    assert config["rootfs"] == {"type": "layers", "diff_ids": [sha(tar)]}
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        release = archive.extractfile("etc/busybox-release").read().decode()
        assert {member.mtime for member in archive.getmembers()} == {0}
    assert "VERSION=1.36" in release and "PLATFORM=linux/arm64" in release


def test_an_index_lists_one_manifest_per_platform_with_its_digest_and_size():
    index = oci.image_index("etcd", "3.5.14-7.7")
    body = json.loads(index.data)
    assert body["mediaType"] == oci.OCI_INDEX
    assert [entry["platform"] for entry in body["manifests"]] == [
        {"os": "linux", "architecture": "amd64"}, {"os": "linux", "architecture": "arm64"}]
    assert [(e["digest"], e["size"], e["mediaType"]) for e in body["manifests"]] == [
        (child.digest, child.size, oci.OCI_MANIFEST) for child in index.children]
    assert len({child.digest for child in index.children}) == 2
    assert len(index.all_blobs()) == 4  # a config and a layer per platform


def test_a_helm_chart_has_helms_media_types_and_a_chart_tgz_helm_can_read():
    chart = oci.helm_chart("etcd", "10.2.3", "3.5.14-7.7")
    body = json.loads(chart.data)
    assert chart.media_type == oci.OCI_MANIFEST and chart.artifact_type == "CHART"
    assert body["config"]["mediaType"] == "application/vnd.cncf.helm.config.v1+json"
    assert [layer["mediaType"] for layer in body["layers"]] == ["application/vnd.cncf.helm.chart.content.v1.tar+gzip"]
    config = json.loads(chart.config.data)
    assert (config["name"], config["version"], config["apiVersion"]) == ("etcd", "10.2.3", "v2")
    with tarfile.open(fileobj=io.BytesIO(chart.blobs[1].data), mode="r:gz") as archive:
        names = archive.getnames()
        chart_yaml = archive.extractfile("etcd/Chart.yaml").read().decode()
    assert {"etcd/Chart.yaml", "etcd/values.yaml", "etcd/templates/configmap.yaml"} <= set(names)
    assert "name: etcd\nversion: 10.2.3\n" in chart_yaml


def test_an_oci_layout_holds_every_blob_under_its_digest_and_names_each_reference(tmp_path):
    image, index = oci.image("vllm", "latest"), oci.image_index("busybox", "1.36")
    oci.write_layout(str(tmp_path), {"latest": image})
    oci.write_layout(str(tmp_path), {"1.36": index})  # adds to the layout
    layout = json.loads((tmp_path / "index.json").read_text())
    assert json.loads((tmp_path / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    assert [(m["annotations"][oci.REF_NAME], m["digest"], m["mediaType"]) for m in layout["manifests"]] == [
        ("latest", image.digest, oci.OCI_MANIFEST), ("1.36", index.digest, oci.OCI_INDEX)]
    blobs = tmp_path / "blobs" / "sha256"
    expected = [image, index] + index.children + image.all_blobs() + index.all_blobs()
    assert sorted(os.listdir(blobs)) == sorted({blob.digest.split(":")[1] for blob in expected})
    for name in os.listdir(blobs):
        assert sha((blobs / name).read_bytes()) == "sha256:" + name


def test_a_large_image_has_an_incompressible_layer_and_is_reproducible():
    image = oci.large_image("big", "1.0", 300 * 1024)
    layer = image.blobs[1]
    assert layer.size >= 300 * 1024                    # gzip could not shrink it: a bandwidth limit sees every byte
    assert oci.large_image("big", "1.0", 300 * 1024).digest == image.digest
    assert oci.large_image("big", "1.1", 300 * 1024).blobs[1].digest != layer.digest
