"""The main job: scripts/demo.py runs playbooks/site.yml twice against an emulated upstream + Harbor pair."""
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.core_matrix
def test_site_playbook_demo_configures_replicates_and_is_idempotent():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "demo.py")], cwd=str(REPO), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:]
    assert "second run changed nothing" in proc.stdout
    assert "2 tasks: 2 succeeded" in proc.stdout          # the two curated repositories with matching tags
    assert "demo-ngc-api-key" not in proc.stdout          # the NGC API key never shows
