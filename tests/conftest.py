"""Fixtures shared by every test: Harbor targets (emulated, or a real Harbor when HARBOR_URL is set).

- ``harbor``: one Harbor. By default a fresh in-process emulator; with ``HARBOR_URL``/``HARBOR_USERNAME``/
  ``HARBOR_PASSWORD`` (``HARBOR_CA_PATH``) set, that real Harbor behind a recording proxy (tests/support/harbor.py).
- ``harbor_pair``: ``(connected, disconnected)``, two emulators (air-gap replication); with a real Harbor, the ones
  given by ``HARBOR_URL...`` and ``HARBOR2_URL``/``HARBOR2_USERNAME``/``HARBOR2_PASSWORD`` (skipped without the second).
- ``harbor_factory(**kwargs)``: the Harbors under test one by one: an emulator (``Emulator(**kwargs)``), or the next
  real Harbor (the first call HARBOR_URL, the second HARBOR2_URL; the keyword arguments shape emulators only).
- ``emulator_factory(**kwargs)``: more emulators (``version="2.13.0"``, ``tls=True``, ``users={...}``), also beside a
  real Harbor (as an upstream or a replication peer it can reach on loopback).
- ``registry_factory(name, users=, tls=)``: real ``docker-registry`` processes on 127.0.0.1 under the test's tmp_path
  (tools/dataplane/registry.py), closed at teardown; skipped without the data plane's Debian packages.

Against a real Harbor every object a test makes carries the test process's unique suffix (tests/support/names.py) and
the fixtures delete those objects before and after each test. A test that needs the emulator's controls (faults,
replication failures, seeds with labels, clocks, its state, its request log of a peer) carries
``@pytest.mark.emulator_only("reason")`` and is skipped against a real Harbor with that reason.

Every answer an emulator gives under /api/v2.0 during a test is checked against Harbor's swagger.yaml at teardown
(tests/support/contract.py); a violation fails the test. The helpers behind these fixtures (``Target``, ``ADMIN``,
``start_emulator``, the request log) live in tests/support/harbor.py, which scripts import too.
"""
import os
import resource
import time

import pytest
from flask import g as flask_g, request as flask_request

from tests.dataplane.conftest import need_binaries
from tests.support import contract
from tests.support.harbor import real_harbor, real_mode, start_emulator
from tests.support.names import SUFFIX
from tools.dataplane.registry import Registry

REAL_KEY = "real_harbor"      # user property of a test that ran against a real Harbor (counted in the summary)
REAL_FIXTURES = {"harbor", "harbor_pair", "harbor_factory", "data_harbors"}
OPT_IN_DIRECTORIES = ("integration", "molecule")   # every test there runs against a real Harbor or says why not


def opt_in(item):
    parts = item.nodeid.split("/")
    return len(parts) > 1 and parts[0] == "tests" and parts[1] in OPT_IN_DIRECTORIES


def emulator_only_reason(marker):
    return (marker.args[0] if marker.args else marker.kwargs.get("reason")) or ""


def pytest_collection_modifyitems(config, items):
    """Every ``emulator_only`` marker gives its reason; against a real Harbor those tests are skipped with it. Then the
    CI slice (``ci_slice``, below) unless TEST_FULL=1 or the run is against a real Harbor (HARBOR_URL: every case that can
    run there does, the ``[real]`` cases of a matrix and the ``full`` scenarios included)."""
    real = real_mode()
    for item in items:
        if SUFFIX in item.nodeid:
            raise pytest.UsageError("%s: a test id holds the process's unique name suffix, so pytest-xdist workers would "
                                    "collect different tests; give the parametrization ids=" % item.nodeid)
        marker = item.get_closest_marker("emulator_only")
        if marker is None:
            if opt_in(item) and "emulator_factory" in item.fixturenames and not REAL_FIXTURES & set(item.fixturenames):
                raise pytest.UsageError("%s starts emulators only: run it against the harbor/harbor_pair/harbor_factory "
                                        "fixtures or mark it @pytest.mark.emulator_only(reason)" % item.nodeid)
            continue
        reason = emulator_only_reason(marker)
        if not reason:
            raise pytest.UsageError("%s: @pytest.mark.emulator_only needs a reason string" % item.nodeid)
        if real:
            item.add_marker(pytest.mark.skip(reason="emulator only: " + reason))
    if not FULL and not real:
        kept, dropped = ci_slice(items)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept


def pytest_addoption(parser):
    parser.addoption("--cpu-profile", type=int, default=0, metavar="N",
                     help="list the N tests that used the most CPU (the test process's own and that of the processes it "
                          "ran, e.g. ansible-playbook, from set-up to teardown) and the CPU of each test file: CPU "
                          "seconds do not depend on the machine's load, unlike --durations")


CPU_KEY = "cpu_seconds"       # user property: (CPU seconds, wall seconds) of a test, set-up to teardown (--cpu-profile)


def cpu_now():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    if item.config.getoption("cpu_profile"):
        item.stash[CPU_STASH] = cpu_now()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield
    start = item.stash.get(CPU_STASH, None)
    if start is not None:
        end = cpu_now()
        item.user_properties.append((CPU_KEY, (round(end[0] - start[0], 2), round(end[1] - start[1], 2))))


CPU_STASH = pytest.StashKey()


def cpu_profile_summary(terminalreporter, count):
    """The ``--cpu-profile N`` report: the N costliest tests by CPU, the files by CPU, the total."""
    tests, files = [], {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if key == CPU_KEY and getattr(report, "when", "") == "teardown":
                    tests.append((value[0], value[1], report.nodeid))
                    path = report.nodeid.split("::", 1)[0]
                    files[path] = [a + b for a, b in zip(files.get(path, (0, 0, 0)), (value[0], value[1], 1))]
    if not tests:
        return
    write = terminalreporter.write_line
    write("CPU seconds (test process + the processes it ran), wall seconds; %.0f CPU s in %d tests" % (
        sum(t[0] for t in tests), len(tests)))
    for cpu, wall, nodeid in sorted(tests, reverse=True)[:count]:
        write("%8.1f %8.1f  %s" % (cpu, wall, nodeid))
    write("by file:")
    for path, (cpu, wall, number) in sorted(files.items(), key=lambda kv: -kv[1][0])[:count]:
        write("%8.1f %8.1f  %s (%d tests)" % (cpu, wall, path, number))


def pytest_terminal_summary(terminalreporter):
    count = terminalreporter.config.getoption("cpu_profile")
    if count:
        cpu_profile_summary(terminalreporter, count)
    if not real_mode():
        return
    counts = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when == "call" or outcome in ("error", "skipped"):
                if any(key == REAL_KEY for key, _value in getattr(report, "user_properties", ())):
                    counts[outcome] = counts.get(outcome, 0) + 1
    terminalreporter.write_line("against the real Harbor: %s" % (
        ", ".join("%d %s" % (n, outcome) for outcome, n in sorted(counts.items())) or "no test"))


# CI time (``bash scripts/test``, what CI runs): the matrices whose every case costs an ansible-playbook or molecule run
# (parametrized tests under SLICED) run a representative slice in CI, the first case and every EVERY-th one after it;
# ``bash scripts/test --full`` (TEST_FULL=1) runs every case. Cheap matrices (unit, emulator) always run whole.
FULL = os.environ.get("TEST_FULL") == "1"
SLICED = ("tests/integration/", "tests/molecule/")
EVERY = 4


def ci_slice(items):
    """(kept, deselected): each parametrized test under SLICED keeps its cases 0, EVERY, 2*EVERY... (collection order);
    a test marked ``full`` (a long scenario whose ground a test in CI covers too) runs only with TEST_FULL=1."""
    kept, dropped, position = [], [], {}
    for item in items:
        if item.get_closest_marker("full") is not None:
            dropped.append(item)
            continue
        function = item.nodeid.split("[", 1)[0]
        if getattr(item, "callspec", None) is None or not function.startswith(SLICED):
            kept.append(item)
            continue
        index = position[function] = position.get(function, -1) + 1
        (kept if index % EVERY == 0 else dropped).append(item)
    return kept, dropped


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


class RealHarbors:
    """The real Harbors of one test: each swept (its objects of this process deleted) before first use and at the end."""

    def __init__(self, request):
        self.request = request
        self.used = []

    def get(self, index):
        target = real_harbor(index)
        if target is None:
            pytest.skip("needs a second real Harbor: set HARBOR%d_URL, HARBOR%d_USERNAME, HARBOR%d_PASSWORD" % ((index,) * 3))
        if target.upstream not in [t.upstream for t in self.used]:
            target.sweep()
            self.used.append(target)
            self.request.node.user_properties.append((REAL_KEY, target.upstream))
        target.clear_log()
        return target

    def sweep(self):
        problems = []
        for target in self.used:
            try:
                target.sweep()
            except Exception as exc:        # every Harbor is swept even when one fails
                problems.append(str(exc))
        if problems:
            raise AssertionError("; ".join(problems))


@pytest.fixture
def real_harbors(request):
    """None with the emulator; else the test's ``RealHarbors``, swept at teardown (also after a failure)."""
    if not real_mode():
        yield None
        return
    harbors = RealHarbors(request)
    yield harbors
    harbors.sweep()


@pytest.fixture
def harbor(emulator_factory, real_harbors):
    return real_harbors.get(1) if real_harbors else emulator_factory()


@pytest.fixture
def harbor_pair(emulator_factory, real_harbors):
    if real_harbors:
        return real_harbors.get(1), real_harbors.get(2)
    return emulator_factory(), emulator_factory()


@pytest.fixture
def harbor_factory(emulator_factory, real_harbors):
    """``harbor_factory(**kwargs)``: an emulator, or the next real Harbor (1, then 2; a third skips the test)."""
    count = [0]

    def make(**kwargs):
        if not real_harbors:
            return emulator_factory(**kwargs)
        count[0] += 1
        if count[0] > 2:
            pytest.skip("needs %d Harbors; two real ones at most (HARBOR_URL, HARBOR2_URL)" % count[0])
        return real_harbors.get(count[0])

    return make


@pytest.fixture
def registry_factory(tmp_path):
    """``registry_factory(name="r", users=None, tls=False, ca=None)`` -> a started Registry under tmp_path."""
    need_binaries()
    started = []

    def start(name="registry", **kwargs):
        registry = Registry(name=name, workdir=str(tmp_path / ("%s-%d" % (name, len(started)))), **kwargs)
        started.append(registry)
        return registry.start()

    yield start
    for registry in started:
        registry.close()
