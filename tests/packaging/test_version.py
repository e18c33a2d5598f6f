"""The collection version has one source of truth: galaxy.yml ``version`` (ansible-galaxy, antsibull-changelog and the
tarball name read it). The module side cannot read galaxy.yml (a module runs from an AnsiballZ payload that holds only
plugins/), so client.py keeps a copy for its User-Agent, and this test fails when the two disagree."""
import sys
from pathlib import Path

import yaml

from tests.support.ansible import collections_root

REPO = Path(__file__).resolve().parents[2]

sys.path.insert(0, str(collections_root()))
from ansible_collections.registryops.harbor.plugins.module_utils import client  # noqa: E402


def test_client_user_agent_carries_the_galaxy_yml_version():
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    assert client.COLLECTION_VERSION == version, "plugins/module_utils/client.py COLLECTION_VERSION must equal galaxy.yml version"
    assert client.USER_AGENT.startswith("registryops.harbor/%s " % version)
