"""The emulator's behaviour tests start from a fresh emulator (its start state, users, counts and orders), so they are
emulator only: against a real Harbor, ``python -m tests.differential`` compares these behaviours instead."""
import pytest

REASON = ("the emulator's own behaviour tests assume a fresh emulator (start state, users, counts); "
          "python -m tests.differential compares the behaviours with a real Harbor")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if "emulator_fidelity" in item.nodeid.split("/") and item.get_closest_marker("emulator_only") is None:
            item.add_marker(pytest.mark.emulator_only(REASON))
