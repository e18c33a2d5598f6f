"""The reliability suites' pytest hooks: items that share a batch (one set of ansible-playbook runs) carry the same
``xdist_group``, so that ``scripts/reliability.py`` (``--dist loadgroup``) runs each batch on one worker while the
batches spread over the workers. Under pytest's default distribution the groups are ignored and harness.shared_batch
still runs each batch once."""
import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" not in str(item.fspath).replace("\\", "/"):
            continue
        group = item.module.__name__.rsplit(".", 1)[-1]
        callspec = getattr(item, "callspec", None)
        if group == "test_faults" and callspec and "cell" in callspec.params:
            group = item.module.chunk_of(callspec.params["cell"])
        elif group == "test_faults" and callspec and "case" in callspec.params:
            group = "faults-retry-after"
        elif group == "test_secrets":
            group = "secrets-%s" % (item.module.SECRETS[callspec.params["name"]][0] if callspec else getattr(item.function, "scenario", "main"))
        elif group == "test_sweep" and callspec:
            group = "sweep-%s" % callspec.params["family"]
        elif group == "test_races" and callspec:
            group = "race-%s-%s" % (callspec.params["state"], callspec.params["racers"])
        item.add_marker(pytest.mark.xdist_group(group))
