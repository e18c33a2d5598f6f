"""galaxy-importer, what Galaxy and Automation Hub run on an uploaded collection, on the built tarball: zero warnings.

It runs from its own venv (.venv-importer, tests/requirements-importer.txt, made by `bash scripts/test --full`), since
its pins would downgrade the dev tools. Its containerised ansible-test stays off (no container engine); its
ansible-doc, flake8 and ansible-lint are found on PATH, so the venv's bin/ goes first (without it they are skipped with
a mere warning). Every WARNING or ERROR line fails the test: the importer itself exits 0 on lint findings.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VENV = Path(os.environ.get("GALAXY_IMPORTER_VENV", REPO / ".venv-importer"))
CONFIG = """[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_ANSIBLE_DOC = True
RUN_FLAKE8 = True
CHECK_CHANGELOG = True
"""


def findings(log):
    """The importer's WARNING and ERROR lines (lint findings, skipped linters, a missing changelog...)."""
    return [line for line in log.splitlines() if re.match(r"^(WARNING|ERROR)\b", line)]


def test_findings_are_read_from_the_log():
    log = ("Linting module harbor_project via flake8...\nWARNING: plugins/module_utils/x.py:1:1: F401 'os' imported but unused\n"
           "WARNING: ansible-lint not found, skipping lint of collection\nImporter processing completed successfully\n")
    assert len(findings(log)) == 2


# CI: the importer's checks run on their own there (ansible-lint in tests/lint, ansible-doc of every plugin, the build and
# flake8-clean sanity in tests/packaging); the importer itself runs before a release with `bash scripts/test --full`.
@pytest.mark.full
def test_galaxy_importer_on_the_tarball_has_no_finding(tmp_path):
    python = VENV / "bin" / "python"
    if not python.exists():
        message = "no galaxy-importer venv at %s (bash scripts/test --full makes it from tests/requirements-importer.txt)" % VENV
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(tmp_path), str(REPO)],
                   check=True, stdout=subprocess.DEVNULL, timeout=300)
    (tmp_path / "galaxy-importer.cfg").write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "GALAXY_IMPORTER_"))}
    env.update(PATH="%s:%s" % (VENV / "bin", env.get("PATH", "")), GALAXY_IMPORTER_CONFIG=str(tmp_path / "galaxy-importer.cfg"),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"), NO_COLOR="1")
    proc = subprocess.run([str(python), "-m", "galaxy_importer.main", "registryops-harbor-%s.tar.gz" % version], cwd=str(tmp_path),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    log = proc.stdout
    assert proc.returncode == 0 and "Importer processing completed successfully" in log, log[-6000:]
    assert not findings(log), "\n".join(findings(log))
    assert "via flake8" in log and "ansible-lint run complete" in log, log[-3000:]   # the linters really ran
    result = json.loads((tmp_path / "importer_result.json").read_text())
    documented = {c["content_name"] for c in result["docs_blob"]["contents"] if c["content_type"] == "module" and c["doc_strings"]}
    modules = {p.stem for p in (REPO / "plugins" / "modules").glob("*.py")}
    assert documented == modules, "ansible-doc found no docs for %s" % sorted(modules - documented)
    assert result["metadata"]["version"] == version
