"""collections/requirements.yml, the file an AWX/AAP project sync installs collections from."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def git(*args):
    return subprocess.run(["git", "-C", str(REPO)] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False, timeout=60)


def test_requirements_point_at_the_collection_repository():
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    entries = yaml.safe_load((REPO / "collections" / "requirements.yml").read_text())["collections"]
    assert entries == [{"name": galaxy["repository"] + ".git", "type": "git", "version": "main"}]


def test_the_git_entry_installs_the_collection(tmp_path):
    """The same entry with this checkout's committed HEAD as the git source (offline): galaxy.yml at the repository
    root makes a git URL installable."""
    if shutil.which("git") is None or git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout")
    entry = yaml.safe_load((REPO / "collections" / "requirements.yml").read_text())["collections"][0]
    entry = dict(entry, name="file://%s" % REPO, version=git("rev-parse", "HEAD").stdout.strip())
    (tmp_path / "requirements.yml").write_text(yaml.safe_dump({"collections": [entry]}))
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-r", "requirements.yml", "-p", "collections"],
                          cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    installed = tmp_path / "collections" / "ansible_collections" / "registryops" / "harbor"
    assert (installed / "plugins" / "modules" / "harbor_project.py").is_file()
    assert (installed / "extensions" / "awx" / "credential_type.yml").is_file()
    assert not (installed / "tests" / "harbor_emulator").exists()
    assert not (installed / "extensions" / "molecule").exists()       # needs the emulator of a checkout
