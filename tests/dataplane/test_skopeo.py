"""A standard OCI client (Debian's skopeo) sees the seeded upstreams as the builder made them, and copies between the
registries keep every digest (a multi-arch index whole with ``--all``, a Helm chart as it is)."""
import hashlib
import json

from tools.dataplane import oci
from .conftest import skopeo
from tools.dataplane.distribution import DistributionClient


def raw_digest(registry, repository, reference):
    raw = skopeo("inspect", "--raw", *registry.skopeo_args(), registry.reference(repository, reference)).stdout
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def test_skopeo_inspects_each_upstream_with_its_credentials_and_ca(seeded_upstreams):
    for flavour, (registry, pushed) in seeded_upstreams.items():
        for ref, manifest in pushed.items():
            repository, tag = ref.split(":")
            assert raw_digest(registry, repository, tag) == manifest.digest, (flavour, ref)
    registry, pushed = seeded_upstreams["ngc"]
    info = json.loads(skopeo("inspect", *registry.skopeo_args(), registry.reference("nvaie/vllm", "latest")).stdout)
    assert info["Digest"] == pushed["nvaie/vllm:latest"].digest
    assert (info["Os"], info["Architecture"], info["RepoTags"]) == ("linux", "amd64", ["latest"])


def test_skopeo_is_refused_without_the_key_or_the_ca(seeded_upstreams):
    ngc = seeded_upstreams["ngc"][0]
    result = skopeo("inspect", "--tls-verify=false", ngc.reference("nvaie/vllm", "latest"), check=False)
    assert result.returncode != 0 and "authentication required" in result.stderr
    result = skopeo("inspect", "--tls-verify=false", "--creds=$oauthtoken:wrong", ngc.reference("nvaie/vllm", "latest"), check=False)
    assert result.returncode != 0 and "authentication required" in result.stderr
    appco = seeded_upstreams["application_collection"][0]
    result = skopeo("inspect", "--creds=collector:appco-token", appco.reference("charts/etcd", "10.2.3"), check=False)
    assert result.returncode != 0 and "x509" in result.stderr  # the system trust store does not know its CA


def test_a_copy_from_an_anonymous_upstream_into_a_tls_registry_with_auth_keeps_the_digest(seeded_upstreams, registry_factory):
    hub, pushed = seeded_upstreams["docker_hub"]
    mirror = registry_factory("mirror", tls=True, users={"admin": "mirror-pass"})
    index = pushed["library/busybox:1.36"]
    skopeo("copy", "--all", *hub.skopeo_args("src"), *mirror.skopeo_args("dest"),
           hub.reference("library/busybox", "1.36"), mirror.reference("dockerhub/library/busybox", "1.36"))
    assert raw_digest(mirror, "dockerhub/library/busybox", "1.36") == index.digest
    client = DistributionClient(mirror.url, auth=mirror.auth, verify=mirror.verify)
    for child in index.children:  # the whole index came along: every platform manifest and blob
        assert client.get_manifest("dockerhub/library/busybox", child.digest)[2] == child.digest
    for blob in index.all_blobs():
        assert client.get_blob("dockerhub/library/busybox", blob.digest) == blob.data


def test_a_multi_arch_index_and_a_helm_chart_copied_from_the_tls_upstream_keep_their_digests(seeded_upstreams, registry_factory):
    appco, pushed = seeded_upstreams["application_collection"]
    target = registry_factory("target")
    for repository, tag in (("containers/etcd", "3.5.14-7.7"), ("charts/etcd", "10.2.3")):
        skopeo("copy", "--all", *appco.skopeo_args("src"), *target.skopeo_args("dest"),
               appco.reference(repository, tag), target.reference("application-collection/" + repository, tag))
        assert raw_digest(target, "application-collection/" + repository, tag) == pushed["%s:%s" % (repository, tag)].digest
    media_type, body, _ = DistributionClient(target.url).get_manifest("application-collection/charts/etcd", "10.2.3")
    assert media_type == oci.OCI_MANIFEST and json.loads(body)["config"]["mediaType"] == oci.HELM_CONFIG


def test_without_all_skopeo_copies_one_platform_so_the_digest_changes(seeded_upstreams, registry_factory):
    """Why replication of an index must copy it whole: a plain copy picks this machine's platform image."""
    hub, pushed = seeded_upstreams["docker_hub"]
    target = registry_factory("target")
    skopeo("copy", "--override-arch=arm64", *hub.skopeo_args("src"), *target.skopeo_args("dest"),
           hub.reference("library/busybox", "1.36"), target.reference("library/busybox", "1.36"))
    arm64 = pushed["library/busybox:1.36"].children[1]
    assert arm64.platform == {"os": "linux", "architecture": "arm64"}
    assert raw_digest(target, "library/busybox", "1.36") == arm64.digest


def test_an_oci_layout_written_by_the_builder_is_pushed_by_skopeo_with_the_builders_digests(tmp_path, registry_factory):
    target = registry_factory("target", users={"$oauthtoken": "nvapi-key"})
    image, index = oci.image("vllm", "latest"), oci.image_index("busybox", "1.36")
    layout = oci.write_layout(str(tmp_path / "layout"), {"latest": image, "1.36": index})
    skopeo("copy", "oci:%s:latest" % layout, *target.skopeo_args("dest"), target.reference("nvaie/vllm", "latest"))
    skopeo("copy", "--all", "oci:%s:1.36" % layout, *target.skopeo_args("dest"), target.reference("library/busybox", "1.36"))
    assert raw_digest(target, "nvaie/vllm", "latest") == image.digest
    assert raw_digest(target, "library/busybox", "1.36") == index.digest
