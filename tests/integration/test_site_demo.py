"""The main job: scripts/demo.py starts the data plane (three upstream stand-ins on real docker-registry processes and
two registry-backed Harbor emulators), runs playbooks/site.yml -i inventories/demo twice (the second run must change
nothing and send no write request), then pulls an image index and a Helm chart through the proxy cache and from the
disconnected Harbor with skopeo: the digests are the upstream's on both sides."""
import re
import subprocess
import sys
from pathlib import Path


from tests.dataplane.conftest import need_binaries

REPO = Path(__file__).resolve().parents[2]
DIGEST = r"sha256:[0-9a-f]{64}"


def test_site_playbook_demo_caches_replicates_with_the_same_digests_and_is_idempotent():
    need_binaries()
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "demo.py")], cwd=str(REPO), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900, check=False)
    out = proc.stdout
    assert proc.returncode == 0, out[-6000:]
    assert re.search(r"data plane set up in [0-9.]+ s", out)
    assert re.search(r"second run: changed=0, 0 write requests in the request logs of connected, disconnected", out)
    assert "second run changed nothing" in out
    # Proxy cache: each test reference was fetched from its upstream through the cache, with the digest Harbor served.
    served = dict(re.findall(r"(/v2/\S+/manifests/\S+) digest (%s)" % DIGEST, out))
    assert set(served) == {"/v2/nvidiaio/nvaie/vllm/manifests/latest", "/v2/application-collection/charts/etcd/manifests/10.2.3",
                           "/v2/dockerhub/library/busybox/manifests/1.36"}, served
    # Push to the air gap: one rule per cache, replicated once, then in sync with the same digests; second run: nothing.
    for rule in ("nvidia-to-disconnected", "application-collection-to-disconnected", "dockerhub-to-disconnected"):
        assert re.search(r"started execution \d+ of replication rule %s: Succeed" % rule, out), rule
        assert out.count("replication rule '%s' is in sync: 1 reference(s) at the destination with the same digests as the"
                         " source" % rule) == 1, rule
    assert out.count("1 reference(s) expected at the destination, 0 missing before. In sync: no execution started.") == 3
    # The API of both Harbors: the same artifacts with the same digests (and the upstream's, as served by the cache).
    listed = {}
    for side, hint, kind, digest in re.findall(r"^    (connected|disconnected) +((?:docker|helm) pull .+?) +(IMAGE|CHART) (%s)$"
                                               % DIGEST, out, re.M):
        listed.setdefault(side, {})[re.sub(r"127\.0\.0\.1:\d+", "H", hint)] = (kind, digest)
    assert listed["connected"] == listed["disconnected"], listed
    assert listed["connected"] == {
        "docker pull H/nvidiaio/nvaie/vllm:latest": ("IMAGE", served["/v2/nvidiaio/nvaie/vllm/manifests/latest"]),
        "docker pull H/dockerhub/library/busybox:1.36": ("IMAGE", served["/v2/dockerhub/library/busybox/manifests/1.36"]),
        "helm pull oci://H/application-collection/charts/etcd --version 10.2.3": (
            "CHART", served["/v2/application-collection/charts/etcd/manifests/10.2.3"]),
    }, listed
    # skopeo pulls (the index with --all) through the cache and from the air gap: the upstream's digests everywhere.
    same = re.findall(r"^    same digest upstream, connected, disconnected: (\S+)@(%s)$" % DIGEST, out, re.M)
    assert dict(same) == {"dockerhub/library/busybox:1.36": served["/v2/dockerhub/library/busybox/manifests/1.36"],
                          "nvidiaio/nvaie/vllm:latest": served["/v2/nvidiaio/nvaie/vllm/manifests/latest"],
                          "application-collection/charts/etcd:10.2.3": served["/v2/application-collection/charts/etcd/manifests/10.2.3"]}
    assert re.search(r"skopeo copy --all .*/dockerhub/library/busybox:1\.36 oci:", out)
    assert "pulled through the cache and from the air gap: the same digests as upstream" in out
    # The air gap's endpoint logs in as the robot the replication role keeps there (push/pull in the destinations), and
    # the nodes' pull robot pulls through the caches; the pull hints say how a node logs in.
    assert re.search(r"^    connected +endpoint disconnected-harbor logs in as robot\$replicator$", out, re.M), out[-4000:]
    replicator = re.search(r"^    disconnected +robot account robot\$replicator: (.+)$", out, re.M).group(1).split(", ")
    assert sorted(replicator) == sorted("%s repository in %s" % (action, project) for action in ("pull", "push")
                                        for project in ("application-collection", "dockerhub", "nvidiaio"))
    nodes = re.search(r"^    connected +robot account robot\$cluster-nodes: (.+)$", out, re.M).group(1).split(", ")
    assert sorted(nodes) == ["pull repository in application-collection", "pull repository in dockerhub", "pull repository in nvidiaio"]
    assert "Nodes log in as robot$cluster-nodes with the secret of proxy_cache_pull_robot" in out
    for secret in ("demo-ngc-api-key", "demo-appco-token", "Harbor12345", "Demo-Replicator-1", "Demo-Cluster-Pull-1"):
        assert secret not in out, secret                                                  # no secret in any output
