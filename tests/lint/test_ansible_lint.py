"""ansible-lint with the production profile over the roles, playbooks and inventories (settings in .ansible-lint)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ansible import collections_root

REPO = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("ansible-lint")


def lint(*paths, cwd=REPO):
    if not LINT.exists():
        pytest.skip("ansible-lint is not installed in %s (requirements-dev.txt)" % LINT.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections_root()), NO_COLOR="1", ANSIBLE_HOME=str(REPO / "tests" / "output" / "ansible-home"))
    return subprocess.run([str(LINT), "--nocolor"] + list(paths), cwd=str(cwd), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900)


def test_roles_and_playbooks_pass_the_production_profile():
    result = lint()
    assert result.returncode == 0, result.stdout[-6000:]
    assert "Profile 'production' was required, and it passed" in result.stdout


def test_ansible_lint_does_report(tmp_path):
    """The check above can fail: a task without a name and with a short module name fails the profile."""
    (tmp_path / "galaxy.yml").write_text("")
    play = tmp_path / "bad.yml"
    play.write_text("---\n- hosts: localhost\n  tasks:\n    - command: 'true'\n")
    result = lint("--profile", "production", "--offline", str(play), cwd=tmp_path)
    assert result.returncode != 0
    assert "fqcn" in result.stdout and "name[missing]" in result.stdout
