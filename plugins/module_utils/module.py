# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AnsibleModule with Harbor's connection options, the client and the error edge. FOR INTERNAL COLLECTION USE ONLY.

The options here and ``plugins/doc_fragments/connection.py`` are kept in step (validate-modules checks it).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import math
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.registryops.harbor.plugins.module_utils.client import (
    HAS_REQUESTS, MAX_RETRIES, REQUESTS_IMPORT_ERROR, HarborClient, check_url, userinfo,
)
from ansible_collections.registryops.harbor.plugins.module_utils.errors import (
    HarborError, HarborPartialError, HarborValidationError, element_message,
)
from ansible_collections.registryops.harbor.plugins.module_utils.validation import check_ca_file, defuse, given_problem, secret_values


CONNECTION_SPEC = dict(
    harbor_url=dict(type="str", required=True, fallback=(env_fallback, ["HARBOR_URL"])),
    harbor_username=dict(type="str", required=True, fallback=(env_fallback, ["HARBOR_USERNAME"])),
    harbor_password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["HARBOR_PASSWORD"])),
    validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["HARBOR_VALIDATE_CERTS"])),
    ca_path=dict(type="path", fallback=(env_fallback, ["HARBOR_CA_PATH"])),
    client_cert=dict(type="path", fallback=(env_fallback, ["HARBOR_CLIENT_CERT"])),
    client_key=dict(type="path", no_log=False, fallback=(env_fallback, ["HARBOR_CLIENT_KEY"])),
    request_timeout=dict(type="float", default=30),
    request_retries=dict(type="int", default=3),
)
REQUEST_TIMEOUT_MAX = 86400.0           # seconds: a socket timeout beyond the platform's time_t overflows


def object_or_list(spec, list_option, key="name", required_if=None):
    """The keyword arguments of ``HarborModule`` for a resource module that manages one object (``spec``, its options
    at the top level) or a list of them (``list_option``, each element with the same options, validation and
    defaults: one source of truth). The two forms are mutually exclusive. ``required_if`` (ansible-core's) applies to
    the top-level options and to every element."""
    top = copy.deepcopy(spec)
    top[key] = dict(top[key], required=False)
    top[list_option] = dict(type="list", elements="dict", options=copy.deepcopy(spec))
    kwargs = dict(argument_spec=top, mutually_exclusive=[(list_option, option) for option in sorted(spec)],
                  required_one_of=[(key, list_option)])
    if required_if:
        kwargs["required_if"] = list(required_if)
        top[list_option]["required_if"] = list(required_if)
    return kwargs


def url_secrets(params):
    """User info in a URL option (``https://user:pw@host``: ``harbor_url``, ``url`` and the ``url`` of list elements) is
    a secret: never shown (invocation, messages, -vvv)."""
    values = [params.get("harbor_url"), params.get("url")]
    for elements in params.values():
        if isinstance(elements, list):
            values.extend(element.get("url") for element in elements if isinstance(element, dict))
    found = set()
    for value in values:
        info = userinfo(value) if isinstance(value, str) else ""
        if info:
            found.add(info)
            if info.partition(":")[2]:
                found.add(info.partition(":")[2])
    return found


class CallCache(object):
    """The per-call caches of one module call (the endpoint listing of ``Endpoints.of``...), owned by ``HarborModule``:
    ``get(key, make)`` makes a value once, ``clear()`` forgets every one. ``HarborModule.run`` clears them before the
    result goes out: ``exit_json`` copies the whole result (no_log scan) and encodes it, which is where the module process
    of a list call reaches its peak memory."""

    def __init__(self):
        self._values = {}

    def get(self, key, make):
        if key not in self._values:
            self._values[key] = make()
        return self._values[key]

    def clear(self):
        self._values.clear()


class HarborModule(AnsibleModule):
    """``HarborModule(argument_spec=...)``: adds the connection options and check mode; ``run(fn)`` is the error edge."""

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = dict(CONNECTION_SPEC)
        spec.update(argument_spec)
        self._given_problem, self._given_secrets = None, set()
        self._checking_arguments = True         # ansible-core's own validation: see fail_json
        super(HarborModule, self).__init__(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self._checking_arguments = False
        self.no_log_values.update(self._given_secrets | url_secrets(self.params))     # also HARBOR_URL's user info
        try:
            if self._given_problem:
                raise HarborValidationError(self._given_problem)
            self._check_connection_options()
        except HarborValidationError as exc:
            self.fail_json(msg="%s. Nothing was sent to Harbor." % str(exc).rstrip("."))
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._jmespath = None
        if self.params.get("query"):
            # imported only for a call with ``query``: most calls do not pay for it
            try:
                import jmespath
            except ImportError:
                self.fail_json(msg=missing_required_lib("jmespath"), exception=traceback.format_exc())
            self._jmespath = jmespath
        if self.params.get("ca_path") and not self.params["validate_certs"]:
            self.warn("ca_path is ignored because validate_certs is false: Harbor's certificate is not verified at all")
        self._client = None
        self.cache = CallCache()

    # The parameters as the task gave them are read once, when ansible-core first sets ``params`` (before it converts
    # them to the spec's types): ``given_problem`` and ``secret_values`` look at them there. Nothing else is kept.
    @property
    def params(self):
        return self.__dict__["params"]

    @params.setter
    def params(self, value):
        if "params" not in self.__dict__ and getattr(self, "_checking_arguments", False) and isinstance(value, dict):
            self._given_problem = given_problem(self.argument_spec, value)
            self._given_secrets = secret_values(self.argument_spec, value) | url_secrets(value)
            if self._given_problem:
                defuse(self.argument_spec, value)
        self.__dict__["params"] = value

    def fail_json(self, msg, **kwargs):
        """While ansible-core checks the arguments against the spec (``AnsibleModule.__init__``), its failure is made
        clearer and safer: every secret given is hidden even when ansible-core could not collect them (one element of
        a list of dicts that is not a dict stops its no_log scan), and the problem ``given_problem`` found, which names
        the option and the element, replaces ansible-core's message (e.g. "dictionary requested, could not parse JSON
        or key=value")."""
        if getattr(self, "_checking_arguments", False):
            self._checking_arguments = False
            self.no_log_values.update(self._given_secrets | url_secrets(self.params))
            if self._given_problem:
                msg = "%s. Nothing was sent to Harbor." % self._given_problem.rstrip(".")
        super(HarborModule, self).fail_json(msg, **kwargs)

    def _check_connection_options(self):
        p = self.params
        timeout = p["request_timeout"]
        if not (math.isfinite(timeout) and 0 < timeout <= REQUEST_TIMEOUT_MAX):
            raise HarborValidationError("request_timeout: must be a number of seconds greater than 0 and at most %d, got %s"
                                        % (REQUEST_TIMEOUT_MAX, timeout))
        if not 0 <= p["request_retries"] <= MAX_RETRIES:
            raise HarborValidationError("request_retries: must be 0 to %d, got %s" % (MAX_RETRIES, p["request_retries"]))
        try:
            check_url(p["harbor_url"], "harbor_url", base=True)
        except ValueError as exc:
            raise HarborValidationError(str(exc))
        if p.get("ca_path") and p["validate_certs"]:
            check_ca_file(p["ca_path"], "ca_path")

    @property
    def client(self):
        """The client of this call. It checks the login lazily (GET /systeminfo before the first read that anonymous
        callers may do, or for a version gate; a 401 anywhere is a refused login): see ``HarborClient.request``."""
        if self._client is None:
            self._client = self.client_as(self.params["harbor_username"], self.params["harbor_password"])
        return self._client

    def client_as(self, username, password):
        """A client of this call's Harbor with its connection settings (TLS, client certificate, timeout, retries),
        logged in as ``username``: the call's own client, or a robot account's whose secret is checked (those requests
        are not this call's writes)."""
        p = self.params
        return HarborClient(p["harbor_url"], username, password, validate_certs=p["validate_certs"], ca_path=p["ca_path"],
                            timeout=p["request_timeout"], retries=p["request_retries"],
                            client_cert=p["client_cert"], client_key=p["client_key"])

    def run(self, fn):
        """Call ``fn()`` for the result dict and exit with it: the one place where errors become ``fail_json``.

        ``HarborValidationError`` (bad input, or ``HarborRefused``) and ``HarborError`` (HTTP, with its details in
        ``error``) fail with their message (prefixed with the element of a list call); ``HarborPartialError`` also
        reports its partial result. ``changed`` says whether a write went through before the error."""
        try:
            result = fn()
        except HarborPartialError as exc:
            details = dict(exc.result)
            if isinstance(exc.cause, HarborError):
                details["error"] = exc.cause.to_dict()
            self.fail_json(msg=str(exc), changed=self._wrote() if exc.changed is None else exc.changed, **details)
        except HarborValidationError as exc:
            self.fail_json(msg=element_message(exc), changed=self._wrote())
        except HarborError as exc:
            self.fail_json(msg=element_message(exc), changed=self._wrote(), error=exc.to_dict())
        self.cache.clear()
        self.exit_json(**result)

    def _wrote(self):
        """True when Harbor accepted a write before the failure (e.g. the first of several objects was created)."""
        return bool(self._client is not None and self._client.writes)

    def select(self, data):
        """Apply the ``query`` option (JMESPath) of an ``_info`` module to ``data``; without it, ``data`` itself."""
        expression = self.params.get("query")
        if not expression:
            return data
        jmespath = self._jmespath
        try:
            return jmespath.search(expression, data)
        except jmespath.exceptions.JMESPathError as exc:
            raise HarborValidationError("query: %r is not a valid JMESPath expression (%s)" % (expression, exc))
