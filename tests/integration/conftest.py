"""Fixtures of the integration tests: real ansible-playbook runs against a Harbor target (the emulator, or the real
Harbor given by HARBOR_URL).

``run_play(tasks, check=False, diff=False, verbosity=0, target=None, extra_vars=None)`` runs ``tasks`` against the
``harbor`` target unless ``target=`` names another one, and returns a ``PlayResult``: see tests/support/ansible.py.
``data_harbors(count)``: Harbors that move real bytes, parametrised by target (registry-backed emulators, or the real
Harbors of HARBOR_URL/HARBOR2_URL): the same test body runs against both.
"""
import pytest

from tests.dataplane.conftest import need_binaries
from tests.support.ansible import run_playbook
from tests.support.harbor import real_mode


@pytest.fixture
def run_play(harbor):
    """``run_play(tasks, ...)`` against the ``harbor`` target unless ``target=`` names another one."""

    def run(tasks, target=None, **kwargs):
        return run_playbook(tasks, target=target or harbor, **kwargs)

    return run


@pytest.fixture(params=["emulator", "real"])
def data_harbors(request, emulator_factory):
    """``data_harbors(count=1)`` -> ``count`` Harbors that move real bytes, by target: ``[emulator]`` registry-backed
    emulators (always run), ``[real]`` the real Harbors of HARBOR_URL and HARBOR2_URL (behind their recording proxies,
    swept before and after the test; skipped when they are not set). Both run the same test body."""
    need_binaries()
    if request.param == "emulator":
        def emulators(count=1):
            harbors = [emulator_factory(storage="registry") for _ in range(count)]
            for harbor in harbors:
                harbor.replication(task_seconds=0.05)
            return harbors
        return emulators
    if not real_mode():
        pytest.skip("real Harbor: set HARBOR_URL, HARBOR_USERNAME, HARBOR_PASSWORD (HARBOR2_* for a second one)")
    real = request.getfixturevalue("real_harbors")
    return lambda count=1: [real.get(index + 1) for index in range(count)]
