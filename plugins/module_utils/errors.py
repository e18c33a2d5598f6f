# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every kind of error a module reports, in one place. FOR INTERNAL COLLECTION USE ONLY.

- ``HarborValidationError``: the user's input is wrong (names the option and what is allowed); raised before any write.
- ``HarborRefused``: Harbor refused a write for a reason the user must fix first (409 conflict, 412 precondition: an
  endpoint still used by a rule, a project that holds repositories); carries Harbor's status and message.
- ``HarborError``: an HTTP error answer or a failure without an answer (connection, TLS, timeout), with status, code,
  method, path, request id and the number of attempts; raised by the client (client.py).
- ``HarborPartialError``: an error after part of the work was done; carries the partial ``result`` (the per-object
  results of a list call, an execution that did not finish...) that ``HarborModule.run`` reports with the failure.

No resource calls ``fail_json``: it raises one of these, and ``HarborModule.run`` is the one place that turns them
into the module's failure. This is the one module to import any of them from.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

_OPTION_ERROR = re.compile(r"^[a-z_]+(?:\.[a-z_]+)*: ")


HINTS = {
    401: "Harbor did not accept the credentials: check harbor_username/harbor_password"
         " (robot accounts are written robot$name).",
    403: "It needs a Harbor system administrator (or a system robot account with this permission).",
    404: "Harbor has no such object.",
    409: "An object with this name already exists.",
    412: "Harbor refused because the object is still in use.",
    429: "Harbor is rate limiting requests: try again later or lower the request rate.",
    502: "Harbor, or a proxy in front of it, is overloaded or restarting: check its health and try again.",
    503: "Harbor, or a proxy in front of it, is overloaded or restarting: check its health and try again.",
    504: "Harbor, or a proxy in front of it, is overloaded or restarting: check its health and try again.",
}


class HarborError(Exception):
    """Any problem talking to Harbor: an HTTP error answer or a transport failure (``status`` None)."""

    def __init__(self, message, status=None, code=None, method=None, path=None, request_id=None, hint=None, errors=None,
                 attempts=1):
        super(HarborError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path
        self.request_id = request_id
        self.hint = hint if hint is not None else HINTS.get(status)
        self.errors = errors or []
        self.attempts = attempts

    def __str__(self):
        where = "%s %s" % (self.method, self.path) if self.method else ""
        parts = []
        tries = " (after %d attempts)" % self.attempts if self.attempts > 1 else ""
        if self.status:
            parts.append("%s failed with HTTP %s%s%s: %s" % (where, self.status, " %s" % self.code if self.code else "", tries,
                                                             self.message))
        elif where:
            parts.append("%s failed%s: %s" % (where, tries, self.message))
        else:
            parts.append(self.message)
        if self.hint:
            parts.append(self.hint)
        if self.request_id:
            parts.append("(X-Request-Id %s)" % self.request_id)
        return " ".join(parts)

    def to_dict(self):
        return dict(status=self.status, code=self.code, message=self.message, method=self.method, path=self.path,
                    request_id=self.request_id, attempts=self.attempts)


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
