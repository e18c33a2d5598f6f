"""Helpers shared by the tests, their conftest.py fixtures and the measuring scripts (scripts/benchmark, fleet.py,
reliability.py; tests/benchmark, tests/reliability).

- ``tests.support.ansible``: running real ``ansible-playbook`` with this collection (``collections_root``,
  ``ansible_playbook``, ``ansible_env``, ``run_playbook``, ``PlayResult``, the ``record`` callback in ``CALLBACKS``).
- ``tests.support.harbor``: Harbor targets and emulators (``Target``, ``ADMIN``, ``real_harbor``, ``start_emulator``),
  the emulator's request log (``request_log``, ``clear_log``, ``writes_of``), and for a real Harbor ``push_seed`` and
  ``sweep``; ``python -m tests.support.seed`` / ``python -m tests.support.sweep`` run those on any Harbor.
- ``tests.support.names``: names unique per test process (``unique``, ``ours``).
- ``tests.support.paths``: ``set_path``, a value at a path of nested options (``rules[1].filters.tag``).
- ``tests.support.recorder``: ``RecordingProxy``, a reverse proxy that logs a real Harbor's requests.

No fixture lives here (they stay in conftest.py) and nothing here is collected by pytest.
"""
