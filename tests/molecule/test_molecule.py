"""The molecule scenarios of extensions/molecule (default driver, emulated Harbors), each run as `molecule test -s X`.

Each scenario starts its own emulators on free loopback ports (create), converges the roles, re-runs them
(idempotence: changed=0), checks the objects through the _info modules (verify) and stops the emulators (destroy).
With HARBOR_URL (and HARBOR2_URL for the two-Harbor scenarios) the Harbor hosts are those real Harbors instead (their
upstream stand-ins stay emulators), every name carries this process's unique suffix and destroy deletes what the
scenario made there.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ansible import collections_root
from tests.support.harbor import reaches, real_harbor, real_settings
from tests.support.names import SUFFIX

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCENARIOS = sorted(p.parent.name for p in (REPO / "extensions" / "molecule").glob("*/molecule.yml"))
TWO_HARBORS = ("air_gap_push", "pull_replication")
PULLS = {"pull_replication": (2, 1)}       # scenario: (the Harbor that pulls, the one it pulls from)


def real_harbor_env():
    """MOLECULE_HARBOR_* (and MOLECULE_HARBOR2_*) for the real Harbors given by HARBOR_URL... (extensions/molecule/config.yml)."""
    env = {}
    for index, prefix in ((1, "MOLECULE_HARBOR_"), (2, "MOLECULE_HARBOR2_")):
        settings = real_settings(index)
        if settings:
            env.update({prefix + "URL": settings[0], prefix + "USERNAME": settings[1], prefix + "PASSWORD": settings[2]})
    if env:
        env["MOLECULE_NAME_SUFFIX"] = "-" + SUFFIX
    return env


def molecule(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR", "ANSIBLE_", "MOLECULE_"))}
    env.update(PATH="%s%s%s" % (BIN, os.pathsep, env.get("PATH", "")), NO_COLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.update(real_harbor_env())
    return subprocess.run([str(BIN / "molecule")] + list(args), cwd=str(REPO), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900, check=False)


def test_every_scenario_is_collected():
    assert SCENARIOS == ["air_gap_push", "proxy_cache", "pull_replication"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario, request):
    if not (BIN / "molecule").exists():
        pytest.skip("molecule is not installed in %s" % BIN)
    if real_settings(1) and scenario in TWO_HARBORS and not real_settings(2):
        pytest.skip("needs a second real Harbor: set HARBOR2_URL, HARBOR2_USERNAME, HARBOR2_PASSWORD")
    if real_settings(1) and real_settings(1)[3]:
        pytest.skip("the scenarios' Harbor hosts verify TLS with the system's CAs; HARBOR_CA_PATH is not passed on")
    if real_settings(1) and scenario in PULLS:
        puller, source = (real_harbor(index, record=False) for index in PULLS[scenario])
        reached, why = reaches(puller, source)
        if not reached:
            pytest.skip("a pull replication needs its Harbor to reach the other one: " + why)
    if real_settings(1):
        request.node.user_properties.append(("real_harbor", real_settings(1)[0]))     # counted in the run's summary
    collections_root()                      # ANSIBLE_COLLECTIONS_PATH of extensions/molecule/config.yml
    proc = molecule("test", "-s", scenario)
    if proc.returncode != 0:
        molecule("destroy", "-s", scenario)  # stop the emulators even when a step failed before destroy
    assert proc.returncode == 0, proc.stdout[-8000:]
    for step in ("create", "converge", "idempotence", "verify", "destroy"):
        assert re.search(r"%s (>|➜) %s: Executed: Successful" % (scenario, step), proc.stdout), step
