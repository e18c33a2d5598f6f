"""The molecule scenarios of extensions/molecule (default driver, emulated Harbors), each run as `molecule test -s X`.

Each scenario starts its own emulators on free loopback ports (create), converges the roles, re-runs them
(idempotence: changed=0), checks the objects through the _info modules (verify) and stops the emulators (destroy).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ansible import collections_root

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCENARIOS = sorted(p.parent.name for p in (REPO / "extensions" / "molecule").glob("*/molecule.yml"))


def molecule(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "ANSIBLE_", "MOLECULE_"))}
    env.update(PATH="%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")), NO_COLOR="1", ANSIBLE_FORCE_COLOR="0")
    return subprocess.run([str(BIN / "molecule")] + list(args), cwd=str(REPO), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900, check=False)


def test_every_scenario_is_collected():
    assert SCENARIOS == ["air_gap_push", "proxy_cache", "pull_replication"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario):
    if not (BIN / "molecule").exists():
        pytest.skip("molecule is not installed in %s" % BIN)
    collections_root()                      # ANSIBLE_COLLECTIONS_PATH of extensions/molecule/config.yml
    proc = molecule("test", "-s", scenario)
    if proc.returncode != 0:
        molecule("destroy", "-s", scenario)  # stop the emulators even when a step failed before destroy
    assert proc.returncode == 0, proc.stdout[-8000:]
    for step in ("create", "converge", "idempotence", "verify", "destroy"):
        assert re.search(r"%s (>|➜) %s: Executed: Successful" % (scenario, step), proc.stdout), step
