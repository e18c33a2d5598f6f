# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every kind of error a module reports, in one place. FOR INTERNAL COLLECTION USE ONLY.

- ``HarborValidationError``: the user's input is wrong (names the option and what is allowed); raised before any write.
- ``HarborRefused``: Harbor refused a write for a reason the user must fix first (409 conflict, 412 precondition: an
  endpoint still used by a rule, a project that holds repositories); carries Harbor's status and message.
- ``HarborError`` (from client.py): an HTTP or transport error, with status, code, method, path and request id.
- ``HarborPartialError``: an error after part of the work was done; carries the partial ``result`` (the per-object
  results of a list call, an execution that did not finish...) that ``HarborModule.run`` reports with the failure.

No resource calls ``fail_json``: it raises one of these, and ``HarborModule.run`` is the one place that turns them
into the module's failure.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.registryops.harbor.plugins.module_utils.client import HarborError

_OPTION_ERROR = re.compile(r"^[a-z_]+(?:\.[a-z_]+)*: ")


class HarborValidationError(Exception):
    """The user's input is wrong; raised before any write. The message names the option and what is allowed."""


class HarborRefused(HarborValidationError):
    """Harbor refused a write (409, 412) for a reason the user must fix first; the message says what and how.

    ``status`` and ``harbor_message`` keep Harbor's own answer (``cause``: the HarborError it came from)."""

    def __init__(self, msg, cause=None):
        super(HarborRefused, self).__init__(msg)
        self.cause = cause
        self.status = getattr(cause, "status", None)
        self.harbor_message = getattr(cause, "message", None)


class HarborPartialError(Exception):
    """An error after part of the work was done, like kubernetes.core's ``ResourceTimeout``.

    ``result``: the keys to report with the failure (``results`` of the objects done, ``execution``...); ``changed``:
    whether a write went through (None: ``HarborModule.run`` asks the client how many writes it made); ``cause``: the
    error that stopped the work (a HarborError's details go into the failure's ``error``)."""

    def __init__(self, msg, result=None, changed=None, cause=None):
        super(HarborPartialError, self).__init__(msg)
        self.result = dict(result or {})
        self.changed = changed
        self.cause = cause


def element_message(exc):
    """The error message with the element it belongs to: ``registries[3].url: ...`` for an option's error, else
    ``registries[3] (name NVIDIA): ...`` (``element``/``element_name`` are set by ``reconcile`` for a list call)."""
    text = str(exc)
    where = getattr(exc, "element", None)
    if not where:
        return text
    if _OPTION_ERROR.match(text):
        return "%s.%s" % (where, text)
    return "%s (name %s): %s" % (where, getattr(exc, "element_name", None), text)


__all__ = ["HarborError", "HarborValidationError", "HarborRefused", "HarborPartialError", "element_message"]
