# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Registry endpoints by name and by id: the one home of these lookups for every resource (projects bind a proxy cache
to an endpoint, replication rules name one). FOR INTERNAL COLLECTION USE ONLY.

The endpoints are listed once per module call (``Endpoints.of(module)``) and never read again, however many objects the
call converges. Listing them needs a Harbor system administrator (or a system robot account): docs/harbor-api.md section 2.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError, HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.validation import REGISTRY_NAME_MAX_BYTES, check_name, some

REGISTRIES = "/registries"
POLICIES = "/replication/policies"          # rules name their endpoints: registry.py and replication_*.py read them


def names_of(objects, shown=10):
    """The sorted names of ``objects`` for a message: the first ``shown`` and how many more (a Harbor may have 1,000)."""
    return some(sorted(o.get("name") or "?" for o in objects), shown)


def check_endpoint_name(name, option="name"):
    """A registry endpoint's name (given, or a reference): not blank, no control or bidi characters, 1 to 64 bytes in
    UTF-8 (Go's ``len``: src/controller/registry/controller.go, goharbor/harbor v2.15.2)."""
    return check_name(name, option, "registry endpoint", max_bytes=REGISTRY_NAME_MAX_BYTES)


class Endpoints(object):
    """Every registry endpoint of one Harbor, listed once, by name and by id."""

    def __init__(self, client=None, module=None):
        self._client, self._module = client, module
        self._all = None
        self._forbidden = None

    @classmethod
    def of(cls, module):
        """The module call's one instance, kept in ``module.cache`` (a ``CallCache``): every resource of the call shares
        its listing. Nothing is sent (not even the login check) before the first lookup."""
        return module.cache.get("endpoints", lambda: cls(module=module))

    @property
    def client(self):
        return self._client if self._client is not None else self._module.client

    def all(self):
        """Every endpoint; HarborError 403 (asked once) for a caller that is not a system administrator."""
        if self._forbidden is not None:
            raise self._forbidden
        if self._all is None:
            try:
                self._all = [r for r in self.client.list(REGISTRIES) if isinstance(r, dict)]
            except HarborError as exc:
                if exc.status == 403:
                    self._forbidden = exc
                raise
        return self._all

    def find(self, name):
        """The endpoint called ``name``, or None."""
        for registry in self.all():
            if registry.get("name") == name:
                return registry
        return None

    def by_name(self, name, option):
        """The endpoint called ``name``; the error names ``option`` and lists the endpoints that exist."""
        registry = self.find(name)
        if registry is None:
            raise HarborValidationError("%s: no registry endpoint named %r; existing endpoints: %s (create it with"
                                        " registryops.harbor.harbor_registry)" % (option, name, names_of(self.all())))
        return registry

    def name_of(self, registry_id):
        for registry in self.all():
            if registry.get("id") == registry_id:
                return registry.get("name")
        return None
