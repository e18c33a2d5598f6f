"""extensions/awx/execution-environment*.yml: ansible-builder makes a build context from each, offline.

``bash scripts/ee create`` builds the collection tarball, writes the galaxy requirements naming it and runs
``ansible-builder create``, which writes the Containerfile and _build/ folder that ``build`` hands to the engine. The
tests check that context: the base image's package manager, a Python (installed or the base image's own), the tarball of
galaxy.yml's version; then the Containerfile's galaxy stage is replayed on the host (install the context's
requirements.yml, run the context's own introspect.py), which is what gives the image its Python dependencies: those the
collection declares in its own files. Where a container engine answers, the Fedora image is built and run; elsewhere
that test is skipped with the reason.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# Every `scripts/ee` call removes and rewrites build/ee/: the tests of this file share one worker (--dist loadgroup), so
# the module fixture runs once and no other worker's call removes build/ee/ while ansible-builder reads it (a CI run
# failed so: "Dependency file .../build/ee/requirements.yml does not exist").
pytestmark = pytest.mark.xdist_group("execution-environment")

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFINITIONS = sorted((REPO / "extensions" / "awx").glob("execution-environment*.yml"))
VERSION = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
TARBALL = "registryops-harbor-%s.tar.gz" % VERSION

# Base image families: the package manager they have and whether Python comes with them. Fedora 41+ has dnf and no
# Python; AAP's ee-minimal has microdnf and Python 3.11 (with ansible-core and ansible-runner); UBI minimal has
# microdnf and no Python.
BASES = [
    (re.compile(r"/fedora/fedora:|fedoraproject\.org/fedora:"), "/usr/bin/dnf", False),
    (re.compile(r"/ee-minimal-rhel\d+:"), "/usr/bin/microdnf", True),
    (re.compile(r"/ubi\d+/ubi-minimal:|/ubi\d+-minimal:"), "/usr/bin/microdnf", False),
]


def run(cmd, cwd, env=None, timeout=300):
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, check=False, env=env)
    return proc.returncode, proc.stdout


def ok(cmd, cwd, env=None, timeout=300):
    rc, out = run(cmd, cwd, env, timeout)
    assert rc == 0, "%s failed (rc=%s):\n%s" % (" ".join(map(str, cmd)), rc, out[-4000:])
    return out


def tools_env(**extra):
    return dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), **extra)


@pytest.fixture(scope="module")
def contexts():
    """{definition name: build context} made by ``bash scripts/ee create`` (build/ee/ is rewritten by each call)."""
    if not (BIN / "ansible-builder").exists():
        pytest.skip("ansible-builder is not installed in %s" % BIN)
    made = {}
    for definition in DEFINITIONS:
        ok(["bash", REPO / "scripts" / "ee", "create", "--output-filename", "Containerfile", "-v3"], cwd=REPO,
           env=tools_env(EE_DEFINITION=str(definition.relative_to(REPO))))
        keep = REPO / "build" / ("ee-" + definition.stem)
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(REPO / "build" / "ee", keep)
        made[definition.name] = keep / "context"
    return made


def build_args(containerfile):
    return dict(re.findall(r'^ARG (\w+)="([^"]*)"$', containerfile, re.M))


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda p: p.name)
def test_definition_names_no_version_and_reads_the_generated_requirements(definition):
    text = definition.read_text()
    data = yaml.safe_load(text)
    assert data["version"] == 3
    assert VERSION not in re.sub(r"(?m)^\s*#.*$", "", text), "the collection version belongs to galaxy.yml only"
    assert data["dependencies"]["galaxy"] == "../../build/ee/requirements.yml"
    assert data["additional_build_files"] == [{"src": "../../build/ee/registryops-harbor-*.tar.gz", "dest": "collections"}]


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda p: p.name)
def test_create_fails_without_the_tarball(definition, tmp_path):
    """``ansible-builder create`` straight on a definition, without scripts/ee's tarball and requirements: an error."""
    if not (BIN / "ansible-builder").exists():
        pytest.skip("ansible-builder is not installed in %s" % BIN)
    copy = tmp_path / "extensions" / "awx" / definition.name
    copy.parent.mkdir(parents=True)
    shutil.copy(definition, copy)
    rc, out = run([BIN / "ansible-builder", "create", "-f", copy, "-c", tmp_path / "context"], cwd=tmp_path)
    assert rc != 0 and "build/ee/requirements.yml does not exist" in out, out[-3000:]
    assert not (tmp_path / "context").exists()


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda p: p.name)
def test_context_has_python_a_consistent_package_manager_and_the_tarball(contexts, definition):
    context = contexts[definition.name]
    data = yaml.safe_load(definition.read_text())
    containerfile = (context / "Containerfile").read_text()
    args = build_args(containerfile)
    base = data["images"]["base_image"]["name"]
    assert args["EE_BASE_IMAGE"] == base
    family = [(manager, has_python) for pattern, manager, has_python in BASES if pattern.search(base)]
    assert family, "unknown base image family %s: add it to BASES with its package manager" % base
    manager, has_python = family[0]
    assert args["PKGMGR"] == manager, "%s has %s, the definition says %s" % (base, manager, args["PKGMGR"])
    interpreter = data["dependencies"]["python_interpreter"]
    assert args["PYCMD"] == interpreter["python_path"]
    if has_python:
        assert "PYPKG" not in args or not args["PYPKG"]
        assert "ansible_core" not in data["dependencies"], "the base image brings ansible-core"
    else:
        assert args["PYPKG"] == interpreter["package_system"] and "python3" in args["PYPKG"]
        assert "RUN $PKGMGR install $PYPKG -y" in containerfile
        assert containerfile.index("RUN $PKGMGR install $PYPKG") < containerfile.index("RUN /output/scripts/pip_install $PYCMD")
        assert "ansible-core" in args["ANSIBLE_INSTALL_REFS"] and "ansible-runner" in args["ANSIBLE_INSTALL_REFS"]
    assert (context / "_build" / "collections" / TARBALL).is_file()
    assert yaml.safe_load((context / "_build" / "requirements.yml").read_text()) == {
        "collections": [{"name": "/build/collections/" + TARBALL, "type": "file"}]}
    assert "COPY _build /build" in containerfile
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile


def declared_python_requirements():
    """The collection's Python requirements, read as ansible-builder reads them: meta/execution-environment.yml names
    the file (requirements.txt)."""
    meta = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    lines = (REPO / meta["dependencies"]["python"]).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_galaxy_stage_installs_the_collection_and_its_python_dependencies(contexts, tmp_path):
    """The Containerfile's galaxy and builder stages, on the host: /build is the context's _build folder."""
    build = contexts["execution-environment.yml"] / "_build"
    requirements = yaml.safe_load((build / "requirements.yml").read_text())
    for entry in requirements["collections"]:
        entry["name"] = entry["name"].replace("/build/", str(build) + "/", 1)
    (tmp_path / "requirements.yml").write_text(yaml.safe_dump(requirements))
    collections = tmp_path / "collections"
    ok([BIN / "ansible-galaxy", "collection", "install", "-r", tmp_path / "requirements.yml", "--collections-path", collections],
       cwd=tmp_path)
    installed = collections / "ansible_collections" / "registryops" / "harbor"
    assert (installed / "plugins" / "modules" / "harbor_registry.py").is_file()
    assert (installed / "extensions" / "awx" / "credential_type.yml").is_file()
    out = ok([sys.executable, build / "scripts" / "introspect.py", "introspect", collections], cwd=tmp_path)
    wanted = declared_python_requirements()
    assert wanted, "requirements.txt declares nothing"
    for requirement in wanted:
        assert "%s  # from collection registryops.harbor" % requirement in out, out


def engine():
    """(runtime, None) when podman or docker answers, else (None, why not)."""
    reasons = []
    for runtime in ("podman", "docker"):
        if shutil.which(runtime) is None:
            reasons.append("no %s" % runtime)
            continue
        rc, out = run([runtime, "info"], cwd=REPO, timeout=60)
        if rc == 0:
            return runtime, None
        reasons.append("%s info: %s" % (runtime, (out.strip().splitlines() or ["rc %s" % rc])[-1]))
    return None, "; ".join(reasons)


def test_build_and_run_the_image_where_an_engine_exists(contexts):
    runtime, why = engine()
    if runtime is None:
        pytest.skip("no container engine to build with (%s); the build context is checked above" % why)
    tag = "registryops-harbor-ee:test"
    ok(["bash", REPO / "scripts" / "ee", "build", "-t", tag, "--container-runtime", runtime], cwd=REPO, env=tools_env(),
       timeout=3600)
    out = ok([runtime, "run", "--rm", tag, "ansible-doc", "registryops.harbor.harbor_project"], cwd=REPO, timeout=600)
    assert "storage_quota" in out
