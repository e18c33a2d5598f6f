"""extensions/awx/execution-environment.yml: ansible-builder makes a build context from it, offline.

``ansible-builder build`` needs podman or docker (not on CI machines); ``create`` writes the same Containerfile and
_build/ folder that ``build`` would hand to the engine. The galaxy stage of that Containerfile is then replayed on the
host: install the context's requirements.yml (the tarball) and run the context's own introspect.py over it, which is
what gives the image its Python dependencies.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EE_FILE = REPO / "extensions" / "awx" / "execution-environment.yml"


def run(cmd, cwd):
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, "%s failed (rc=%s):\n%s" % (" ".join(map(str, cmd)), proc.returncode, proc.stdout[-4000:])
    return proc.stdout


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    if not (BIN / "ansible-builder").exists():
        pytest.skip("ansible-builder is not installed in %s" % BIN)
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(EE_FILE, work / EE_FILE.name)
    run([BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", work, REPO], cwd=work)
    run([BIN / "ansible-builder", "create", "-f", EE_FILE.name, "-c", "context", "--output-filename", "Containerfile", "-v3"], cwd=work)
    return work / "context"


def test_tarball_named_in_the_ee_file_is_the_one_galaxy_yml_builds():
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    tarball = "registryops-harbor-%s.tar.gz" % version
    definition = yaml.safe_load(EE_FILE.read_text())
    assert definition["version"] == 3
    assert [f["src"] for f in definition["additional_build_files"]] == [tarball]
    assert definition["dependencies"]["galaxy"]["collections"] == [{"name": "/build/collections/" + tarball, "type": "file"}]


def test_create_writes_a_build_context_with_the_collection(context):
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    assert (context / "_build" / "collections" / ("registryops-harbor-%s.tar.gz" % version)).is_file()
    containerfile = (context / "Containerfile").read_text()
    assert "COPY _build /build" in containerfile
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert 'ANSIBLE_INSTALL_REFS="ansible-core>=2.16,<2.20 ansible-runner"' in containerfile


def test_galaxy_stage_installs_the_collection_and_its_python_dependencies(context, tmp_path):
    """The Containerfile's galaxy and builder stages, on the host: /build is the context's _build folder."""
    build = context / "_build"
    requirements = yaml.safe_load((build / "requirements.yml").read_text())
    for entry in requirements["collections"]:
        entry["name"] = entry["name"].replace("/build/", str(build) + "/", 1)
    (tmp_path / "requirements.yml").write_text(yaml.safe_dump(requirements))
    collections = tmp_path / "collections"
    run([BIN / "ansible-galaxy", "collection", "install", "-r", tmp_path / "requirements.yml", "--collections-path", collections],
        cwd=tmp_path)
    installed = collections / "ansible_collections" / "registryops" / "harbor"
    assert (installed / "plugins" / "modules" / "harbor_registry.py").is_file()
    assert (installed / "extensions" / "awx" / "credential_type.yml").is_file()
    out = run([sys.executable, build / "scripts" / "introspect.py", "introspect", collections], cwd=tmp_path)
    assert "requests>=2.31" in out and "jmespath>=1.0" in out, out
