"""Fixtures shared by every test: Harbor targets (emulated, or a real Harbor when HARBOR_URL is set).

- ``harbor``: one Harbor. By default a fresh in-process emulator; with ``HARBOR_URL``/``HARBOR_USERNAME``/
  ``HARBOR_PASSWORD`` set, that real Harbor (tests that need the emulator's test controls then skip).
- ``harbor_pair``: ``(connected, disconnected)``, two emulators (air-gap replication).
- ``emulator_factory(**kwargs)``: more emulators (``version="2.13.0"``, ``tls=True``, ``users={...}``).

Every answer an emulator gives under /api/v2.0 during a test is checked against Harbor's swagger.yaml at teardown
(tests/support/contract.py); a violation fails the test. The helpers behind these fixtures (``Target``, ``ADMIN``,
``start_emulator``, the request log) live in tests/support/harbor.py, which scripts import too.
"""
import os

import pytest
from flask import g as flask_g, request as flask_request

from tests.support import contract
from tests.support.harbor import real_harbor, start_emulator


# CI time (``bash scripts/test``, what CI runs): the matrices whose every case costs an ansible-playbook or molecule run
# (parametrized tests under SLICED) run a representative slice in CI, the first case and every EVERY-th one after it;
# ``bash scripts/test --full`` (TEST_FULL=1) runs every case. Cheap matrices (unit, emulator) always run whole.
FULL = os.environ.get("TEST_FULL") == "1"
SLICED = ("tests/integration/", "tests/molecule/")
EVERY = 4


def ci_slice(items):
    """(kept, deselected): each parametrized test under SLICED keeps its cases 0, EVERY, 2*EVERY... (collection order)."""
    kept, dropped, position = [], [], {}
    for item in items:
        function = item.nodeid.split("[", 1)[0]
        if getattr(item, "callspec", None) is None or not function.startswith(SLICED):
            kept.append(item)
            continue
        index = position[function] = position.get(function, -1) + 1
        (kept if index % EVERY == 0 else dropped).append(item)
    return kept, dropped


def pytest_collection_modifyitems(config, items):
    if FULL:
        return
    kept, dropped = ci_slice(items)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


class ContractRecorder:
    """Records (method, path, status, content type, body) of every /api/v2.0 answer of the emulators of one test."""

    def __init__(self):
        self.seen = []

    def attach(self, emulator):
        @emulator.app.after_request
        def remember(resp):
            if flask_request.path.startswith("/api/v2.0") and not flask_g.get("emulator_fault"):
                self.seen.append((flask_request.method, flask_request.path, resp.status_code, resp.content_type,
                                  resp.get_data(as_text=True) if not resp.direct_passthrough else ""))
            return resp

    def violations(self):
        checker = contract.load()
        if checker is None:
            return []
        problems = []
        for method, path, status, content_type, body in self.seen:
            problems.extend(checker.check(method, path, status, content_type, body))
        return sorted(set(problems))


@pytest.fixture
def contract_recorder():
    recorder = ContractRecorder()
    yield recorder
    problems = recorder.violations()
    if problems:
        pytest.fail("emulator answers that break swagger.yaml:\n" + "\n".join(problems[:30]), pytrace=False)


@pytest.fixture
def emulator_factory(contract_recorder):
    started = []

    def start(**kwargs):
        target = start_emulator(prepare=contract_recorder.attach, **kwargs)
        started.append(target.emulator)
        return target

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def harbor(emulator_factory):
    return real_harbor() or emulator_factory()


@pytest.fixture
def harbor_pair(emulator_factory):
    return emulator_factory(), emulator_factory()
