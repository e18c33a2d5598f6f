"""Import the collection's client the way Ansible does (ansible_collections.registryops.harbor...)."""
from tests.support.ansible import collections_root

import sys

sys.path.insert(0, str(collections_root()))

from ansible_collections.registryops.harbor.plugins.module_utils.client import (  # noqa: E402
    HarborClient, base_url, parse_version, quote_repository,
)
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError  # noqa: E402


def collection_module(name):
    """``plugins/module_utils/<name>.py`` imported as Ansible imports it."""
    import importlib
    return importlib.import_module("ansible_collections.registryops.harbor.plugins.module_utils." + name)


__all__ = ["HarborClient", "HarborError", "base_url", "collection_module", "parse_version", "quote_repository"]
