"""Fixtures for the data plane: registries started per test (``registry_factory``, in tests/conftest.py: every test
directory uses it) or per test process when only read (``seeded_upstreams``), closed at teardown.

Tests that need a registry process skip with the reason when the Debian packages are missing (``bash scripts/test``
installs them through scripts/lib.sh, so in CI they run).
"""
import subprocess

import pytest

from tools.dataplane import upstreams
from tools.dataplane.registry import missing_binaries


def need_binaries():
    missing = missing_binaries()
    if missing:
        pytest.skip("needs %s (Debian docker-registry, skopeo, apache2-utils; scripts/lib.sh installs them)"
                    % ", ".join(missing))


@pytest.fixture(scope="session")
def seeded_upstreams():
    """{"docker_hub"|"ngc"|"application_collection": (Registry, {"repo:tag": Manifest})}, started and seeded once per
    test process; tests only read from them."""
    need_binaries()
    registries = {
        "docker_hub": upstreams.docker_hub_like(),
        "ngc": upstreams.ngc_like(key="nvapi-upstream-key"),
        "application_collection": upstreams.application_collection_like(users={"collector": "appco-token"}),
    }
    try:
        yield {flavour: (registry.start(), upstreams.seed(registry, flavour)) for flavour, registry in registries.items()}
    finally:
        for registry in registries.values():
            registry.close()


def skopeo(*args, check=True):
    """Run skopeo (bounded in time); returns the CompletedProcess."""
    result = subprocess.run(["skopeo"] + list(args), capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, "skopeo %s failed: %s" % (" ".join(args), result.stderr)
    return result
