"""The main job: scripts/demo.py runs playbooks/site.yml -i inventories/demo twice against three emulators
(upstream, connected, disconnected Harbor); the second run must change nothing and send no write request."""
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.core_matrix
def test_site_playbook_demo_configures_replicates_and_is_idempotent():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "demo.py")], cwd=str(REPO), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900, check=False)
    out = proc.stdout
    assert proc.returncode == 0, out[-6000:]
    assert "second run: changed=0, 0 write requests in the request logs of upstream, connected, disconnected" in out
    assert "second run changed nothing" in out
    # Proxy cache: the test reference was read through the cache; the pull hints name the project.
    assert "Served through the cache: /v2/nvidiaio/nvaie/vllm/manifests/latest" in out
    assert "docker pull 127.0.0.1" in out and "/nvidiaio/nvaie/<image>:<tag>" in out
    # Push to the air gap: 3 tags of 2 repositories (scratch:dev is not selected); pull of the Application Collection.
    assert "3 reference(s) expected at the destination, 3 missing before. started execution" in out
    assert "2 reference(s) expected at the destination, 2 missing before. started execution" in out
    assert out.count("In sync: no execution started.") == 2                      # the second run
    disconnected = [line.split(None, 1)[1] for line in out.splitlines() if line.strip().startswith("disconnected ")]
    assert len(disconnected) == 5, disconnected
    for image in ("/application-collection/containers/etcd:3.5.14-7.7", "/nvaie/nvidia/cuda:12.4.1-base",
                  "/nvaie/nvidia/cuda:12.4.1-runtime", "/nvaie/nvidia/tritonserver:24.05-py3"):
        assert any(line.startswith("docker pull ") and line.endswith(image) for line in disconnected), image
    assert any(line.startswith("helm pull oci://") and line.endswith("/application-collection/charts/etcd --version 10.1.0")
               for line in disconnected)
    assert "demo-ngc-api-key" not in out and "Harbor12345" not in out           # no secret in any output
