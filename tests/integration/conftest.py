"""Fixtures of the integration tests: real ansible-playbook runs against a Harbor target (the emulator, or the real
Harbor given by HARBOR_URL).

``run_play(tasks, check=False, diff=False, verbosity=0, target=None, extra_vars=None)`` runs ``tasks`` against the
``harbor`` target unless ``target=`` names another one, and returns a ``PlayResult``: see tests/support/ansible.py.
"""
import pytest

from tests.support.ansible import run_playbook


@pytest.fixture
def run_play(harbor):
    """``run_play(tasks, ...)`` against the ``harbor`` target unless ``target=`` names another one."""

    def run(tasks, target=None, **kwargs):
        return run_playbook(tasks, target=target or harbor, **kwargs)

    return run
