"""Fixtures shared by every test: Harbor targets (emulated, or a real Harbor when HARBOR_URL is set).

- ``harbor``: one Harbor. By default a fresh in-process emulator; with ``HARBOR_URL``/``HARBOR_USERNAME``/
  ``HARBOR_PASSWORD`` set, that real Harbor (tests that need the emulator's test controls then skip).
- ``harbor_pair``: ``(connected, disconnected)``, two emulators (air-gap replication).
- ``emulator_factory(**kwargs)``: more emulators (``version="2.13.0"``, ``tls=True``, ``users={...}``).

Every answer an emulator gives under /api/v2.0 during a test is checked against Harbor's swagger.yaml at teardown
(tests/emulator/contract.py); a violation fails the test.
"""
import os

import pytest
import requests
from flask import g as flask_g, request as flask_request

from tests.emulator import contract
from tests.harbor_emulator import Emulator

ADMIN = ("admin", "Harbor12345")
READ_METHODS = ("GET", "HEAD")


class Target:
    """One Harbor to test against, with the emulator's test controls when it is an emulator."""

    def __init__(self, url, username, password, ca_path=None, emulator=None):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.ca_path = ca_path
        self.emulator = emulator

    @property
    def auth(self):
        return (self.username, self.password)

    def api(self, method, path, json=None, params=None, headers=None, auth="admin", timeout=30):
        """A request to ``/api/v2.0<path>`` (admin credentials unless ``auth`` is given; ``None`` = anonymous)."""
        auth = self.auth if auth == "admin" else auth
        return requests.request(method, self.url + "/api/v2.0" + path, json=json, params=params, headers=headers,
                                auth=auth, timeout=timeout, verify=self.ca_path or True)

    def need_emulator(self):
        if self.emulator is None:
            pytest.skip("needs the emulator's test controls; HARBOR_URL points at a real Harbor")

    def _control(self, method, path, json=None):
        self.need_emulator()
        resp = requests.request(method, self.url + "/_emulator/" + path, json=json, timeout=30,
                                verify=self.ca_path or True)
        assert resp.status_code < 300, "%s /_emulator/%s: %s %s" % (method, path, resp.status_code, resp.text)
        return resp.json() if resp.content else None

    def requests_log(self):
        return self._control("GET", "requests")

    def clear_log(self):
        self._control("DELETE", "requests")

    def writes(self):
        """The logged requests that may change something (every method but GET and HEAD)."""
        return [entry for entry in self.requests_log() if entry["method"] not in READ_METHODS]

    def fault(self, **spec):
        return self._control("POST", "faults", spec)

    def clear_faults(self):
        self._control("DELETE", "faults")

    def seed(self, **spec):
        return self._control("POST", "seed", spec)

    def replication(self, **settings):
        return self._control("POST", "replication", settings)


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
        emulator = Emulator(**kwargs)
        contract_recorder.attach(emulator)
        emulator.start()
        started.append(emulator)
        return Target(emulator.url, ADMIN[0], ADMIN[1], ca_path=emulator.ca_path, emulator=emulator)

    yield start
    for emulator in started:
        emulator.stop()


def real_harbor():
    url = os.environ.get("HARBOR_URL")
    if not url:
        return None
    return Target(url, os.environ.get("HARBOR_USERNAME", "admin"), os.environ.get("HARBOR_PASSWORD", ""),
                  ca_path=os.environ.get("HARBOR_CA_PATH"))


@pytest.fixture
def harbor(emulator_factory):
    return real_harbor() or emulator_factory()


@pytest.fixture
def harbor_pair(emulator_factory):
    return emulator_factory(), emulator_factory()
