"""The collection as users get it: build the tarball, install it, render every module's docs, run ansible-test sanity.

Runs with the ansible-core of the current venv (2.19 in the main run, 2.16 in scripts/test's 2.16 leg).
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("harbor_*.py"))
FILTERS = sorted(p.stem for p in (REPO / "plugins" / "filter").glob("*.py") if p.stem != "__init__")

pytestmark = pytest.mark.core_matrix


def run(cmd, cwd, env=None, timeout=900):
    full_env = dict(os.environ, ANSIBLE_NOCOLOR="1", **(env or {}))
    proc = subprocess.run(cmd, cwd=str(cwd), env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                          timeout=timeout)
    if proc.returncode != 0:
        errors = "\n".join(line for line in proc.stdout.splitlines() if "ERROR" in line or "FATAL" in line)
        pytest.fail("%s failed (rc=%s):\n%s\n--- last output ---\n%s" % (
            " ".join(map(str, cmd)), proc.returncode, errors[-8000:], proc.stdout[-3000:]), pytrace=False)
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build the tarball from the working tree and install it into a temporary collections path."""
    work = tmp_path_factory.mktemp("collection")
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    run([BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", work, REPO], cwd=work)
    tarball = work / ("registryops-harbor-%s.tar.gz" % version)
    assert tarball.exists()
    root = work / "collections"
    run([BIN / "ansible-galaxy", "collection", "install", "--force", "-p", root, tarball], cwd=work)
    return root / "ansible_collections" / "registryops" / "harbor"


def test_tarball_leaves_out_dev_files(installed):
    assert (installed / "plugins" / "module_utils" / "client.py").exists()
    assert (installed / "inventories" / "example" / "hosts.yml").exists()
    assert (installed / "plugins" / "filter" / "replication_plan.py").exists()
    for dev_only in ("tests/harbor_emulator", "tests/dataplane", "tools", ".ci", "scripts", "requirements-dev.txt", ".venv",
                     "inventories/demo"):
        assert not (installed / dev_only).exists(), dev_only


def test_every_module_is_in_the_action_group():
    group = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())["action_groups"]["harbor"]
    assert sorted(group) == MODULES


def rendered(installed, kind, names):
    """``{name: text}``: ansible-doc renders every plugin of ``names`` in one process (one start-up, not one per plugin);
    its output is split at each plugin's header line (``> MODULE registryops.harbor.x`` in 2.19, ``> REGISTRYOPS.HARBOR.X``
    in 2.16)."""
    out = run([BIN / "ansible-doc", "-t", kind] + ["registryops.harbor.%s" % name for name in names], cwd=installed,
              env={"ANSIBLE_COLLECTIONS_PATH": str(installed.parents[2])})
    parts = re.split(r"(?m)^> (?:[A-Z]+ )?registryops\.harbor\.([a-z_]+)\b.*$", out, flags=re.I)
    return {name.lower(): text for name, text in zip(parts[1::2], parts[2::2])}


def test_ansible_doc_renders_every_module(installed):
    docs = rendered(installed, "module", MODULES)
    assert sorted(docs) == MODULES
    for module, text in docs.items():
        assert "EXAMPLES" in text and "RETURN VALUES" in text and "harbor_url" in text, module


def test_filter_docs_render(installed):
    """The roles' filter plugins, documented as ansible-core documents its own filters."""
    docs = rendered(installed, "filter", FILTERS)
    assert sorted(docs) == FILTERS
    for name, text in docs.items():
        assert "EXAMPLES" in text and "RETURN VALUES" in text and "_input" in text, name


def test_ansible_test_sanity(installed, tmp_path):
    """ansible-test sanity in a real ansible_collections/registryops/harbor folder (the installed tarball)."""
    if shutil.which("ansible-test", path=str(BIN)) is None:
        pytest.skip("ansible-test not installed in %s" % BIN)
    out = run([BIN / "ansible-test", "sanity", "--venv", "--python", "%d.%d" % sys.version_info[:2], "--color", "no"],
              cwd=installed, timeout=1500)
    assert "ERROR" not in out, out[-6000:]


def test_installed_site_playbook_runs_by_its_collection_name(installed, emulator_factory, tmp_path):
    """``ansible-playbook registryops.harbor.site`` from the installed tarball converges an inventory of Harbors."""
    assert not (installed / "playbooks" / "collections").exists()       # the checkout's link back is not shipped
    upstream, harbor = emulator_factory(), emulator_factory()
    upstream.seed(project="library", repository="alpine", tags=["3.20"])
    upstream.api("PUT", "/projects/library", json={"metadata": {"public": "true"}}, headers={"X-Is-Resource-Name": "true"})
    inventory = {"harbor_connected": {"hosts": {"harbor": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "harbor_url": harbor.url, "harbor_username": harbor.username, "harbor_password": harbor.password,
        "proxy_cache_upstreams": [{"name": "hub", "url": upstream.url, "provider": "docker-registry", "project": "cache",
                                   "test_reference": "library/alpine:3.20"}]}}}}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory))
    out = run([BIN / "ansible-playbook", "registryops.harbor.site", "-i", tmp_path / "hosts.yml"], cwd=tmp_path,
              env={"ANSIBLE_COLLECTIONS_PATH": str(installed.parents[2]), "ANSIBLE_HOME": str(tmp_path / "home")})
    assert "Served through the cache: /v2/cache/library/alpine/manifests/3.20" in out
    assert "failed=0" in out
    project = harbor.api("GET", "/projects/cache", headers={"X-Is-Resource-Name": "true"}).json()
    assert project["registry_id"] > 0
