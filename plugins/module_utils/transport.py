# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP under the one client (client.py): the standard library's http.client. FOR INTERNAL COLLECTION USE ONLY.

One keep-alive connection per module call, TLS verification, the proxy from the environment (``https_proxy``,
``http_proxy``, ``all_proxy``, ``no_proxy``, as requests and curl read them) and retries with back-off and
``Retry-After``. No third-party library: a module process starts ~45 ms faster than with ``requests``, which is what
a loop of modules pays per item (docs/performance.md).

Retries, as urllib3's ``Retry`` made them before: a connection that could not be opened is retried for every method
(nothing was sent); a lost answer (reset, timeout) and the statuses in ``retry_statuses`` only for ``retry_methods``
(idempotent ones). Back-off is 0 before the first retry, then ``backoff_factor * 2 ** (retry - 1)``; ``Retry-After``
(seconds or an HTTP date) is honoured on 413, 429 and 503. Every wait is capped (``budget['cap']``), waits add up to
at most ``budget['limit']``, and none runs past ``budget['deadline']`` (a ``time.monotonic()`` value or None).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import http.client
import json
import os
import re
import select
import socket
import ssl
import time
from base64 import b64encode
from email.utils import mktime_tz, parsedate_tz
from urllib.parse import unquote, urlencode, urlsplit

RETRY_AFTER_STATUSES = (413, 429, 503)


class TransportError(Exception):
    """No HTTP answer. ``sent`` is False when the connection could not be opened (nothing reached the server) and True
    when the request went out and its answer was lost; ``cause`` is the exception that said so."""

    def __init__(self, cause, sent):
        super(TransportError, self).__init__(str(cause))
        self.cause = cause
        self.sent = sent

    @property
    def timeout(self):
        return isinstance(self.cause, (socket.timeout, TimeoutError))

    @property
    def tls(self):
        return isinstance(self.cause, (ssl.SSLError, ssl.CertificateError))


class Response(object):
    """An answer: ``status_code``, ``reason``, ``headers`` (case-insensitive ``get``), ``content`` (bytes)."""

    def __init__(self, status_code, reason, headers, content):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content

    @property
    def text(self):
        charset = re.search(r"charset=([\w.-]+)", self.headers.get("Content-Type", ""), re.I)
        try:
            return self.content.decode(charset.group(1) if charset else "utf-8", "replace")
        except LookupError:
            return self.content.decode("utf-8", "replace")

    def json(self):
        """The body as JSON; ``ValueError`` when it is not."""
        return json.loads(self.text)


def basic_auth(username, password):
    return "Basic " + b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")


def tls_context(verify, ca_path=None):
    """Verification against ``ca_path``, else the system's CA store (``SSL_CERT_FILE``/``SSL_CERT_DIR`` too), or none."""
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=ca_path or None)


def proxy_for(url, environ=None):
    """``(scheme, host, port, proxy_authorization)`` of the proxy that ``url`` goes through, or None: ``<scheme>_proxy``
    or ``all_proxy`` (lower case first, as curl and requests), unless ``no_proxy`` names the host (``*``, a name or
    domain suffix, ``host:port``, or an IP network such as ``10.0.0.0/8``)."""
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    proxy = next((env[key] for key in ("%s_proxy" % scheme, "%s_PROXY" % scheme.upper(), "all_proxy", "ALL_PROXY")
                  if env.get(key)), None)
    if not proxy or _bypassed(parts.hostname or "", parts.port, env.get("no_proxy") or env.get("NO_PROXY") or ""):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy
    info = urlsplit(proxy)
    if info.scheme.lower() != "http" or not info.hostname:
        raise ValueError("the proxy in %s_proxy/all_proxy must be an http:// URL (host and port), e.g."
                         " http://proxy.example.com:3128" % scheme)
    auth = basic_auth(unquote(info.username), unquote(info.password or "")) if info.username else None
    return "http", info.hostname, info.port or 80, auth


def _bypassed(host, port, no_proxy):
    host = host.lower().strip("[]")
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        if "/" in entry:
            import ipaddress                    # only for a no_proxy with a network in it
            try:
                if ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        name, _sep, entry_port = entry.partition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and str(port) != entry_port:
            continue
        name = name.lstrip(".").strip("[]")
        if host == name or host.endswith("." + name):
            return True
    return False


class Transport(object):
    """Requests to one server over one keep-alive connection (reopened when the server closed it)."""

    def __init__(self, headers=None, context=None, retries=3, backoff_factor=0.5, retry_methods=(), retry_statuses=(),
                 budget=None):
        self.headers = dict(headers or {})
        self.context = context
        self.retries = retries
        self.backoff_factor = backoff_factor
        self.retry_methods = retry_methods
        self.retry_statuses = retry_statuses
        self.budget = budget if budget is not None else dict(spent=0.0, limit=120.0, cap=60.0, attempts=1, deadline=None)
        self._conn = None
        self._key = None

    def request(self, method, url, body=None, params=None, headers=None, timeout=30):
        """Send ``method url`` (``body`` as JSON, ``params`` as the query), retrying as the module docstring says; return
        the ``Response`` (an error status too, once retries are spent) or raise ``TransportError``."""
        params = [(key, value) for key, value in (params or {}).items() if value is not None]
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        data = None
        sent_headers = dict(self.headers)
        if body is not None:
            data = json.dumps(body, allow_nan=False).encode("utf-8")
            sent_headers["Content-Type"] = "application/json"
        sent_headers.update(headers or {})
        retry = 0
        while True:
            try:
                resp = self._send(method, url, data, sent_headers, timeout)
            except TransportError as exc:
                if (exc.sent and method not in self.retry_methods) or exc.tls or not self._may_retry(retry):
                    raise
                retry += 1
                self._wait(self._backoff(retry))
                continue
            if resp.status_code in self.retry_statuses and method in self.retry_methods and self._may_retry(retry):
                retry += 1
                wait = _retry_after(resp) if resp.status_code in RETRY_AFTER_STATUSES else None
                self._wait(self._backoff(retry) if not wait else wait)
                continue
            return resp

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- one attempt -------------------------------------------------------------------------------------------------
    def _send(self, method, url, data, headers, timeout):
        parts = urlsplit(url)
        conn, target, proxy_headers = self._connection(parts, timeout)
        if conn.sock is None:
            try:
                conn.connect()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise TransportError(exc, sent=False)
        conn.sock.settimeout(timeout)
        if proxy_headers:
            headers = dict(headers, **proxy_headers)
        try:
            conn.request(method, target, body=data, headers=headers)
            answer = conn.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise TransportError(exc, sent=True)
        if answer.will_close:
            self.close()
        return Response(answer.status, answer.reason, answer.msg, content)

    def _connection(self, parts, timeout):
        """The open connection to ``parts``' server (a new one when there is none, it is for another server, or the
        server closed it while idle), the request target (the whole URL through a plain-HTTP proxy) and the headers
        that proxy needs."""
        key = (parts.scheme.lower(), parts.hostname, parts.port)
        if self._conn is not None and (self._key != key or _dropped(self._conn.sock)):
            self.close()
        https = key[0] == "https"
        port = parts.port or (443 if https else 80)
        proxy = proxy_for(parts.geturl())
        auth = {"Proxy-Authorization": proxy[3]} if proxy and proxy[3] else None
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        if self._conn is None:
            if proxy and https:
                self._conn = http.client.HTTPSConnection(proxy[1], proxy[2], timeout=timeout, context=self.context)
                self._conn.set_tunnel(parts.hostname, port, headers=auth)
            elif proxy:
                self._conn = http.client.HTTPConnection(proxy[1], proxy[2], timeout=timeout)
            elif https:
                self._conn = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=self.context)
            else:
                self._conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
            self._key = key
        self._conn.timeout = timeout
        if proxy and not https:
            return self._conn, parts.geturl(), auth
        return self._conn, target, None

    # -- retries -----------------------------------------------------------------------------------------------------
    def _may_retry(self, retry):
        budget = self.budget
        if retry >= self.retries or budget["spent"] >= budget["limit"]:
            return False
        if budget["deadline"] is not None and time.monotonic() >= budget["deadline"]:
            return False
        budget["attempts"] += 1
        return True

    def _backoff(self, retry):
        return 0.0 if retry <= 1 else min(self.backoff_factor * (2 ** (retry - 1)), 120.0)

    def _wait(self, wait):
        budget = self.budget
        wait = min(float(wait), budget["cap"], budget["limit"] - budget["spent"])
        if budget["deadline"] is not None:
            wait = min(wait, budget["deadline"] - time.monotonic())
        wait = max(wait, 0.0)
        budget["spent"] += wait
        if wait > 0:
            time.sleep(wait)


def _retry_after(resp):
    """Seconds that ``Retry-After`` asks for (a number or an HTTP date), or None when it is missing or invalid."""
    value = (resp.headers.get("Retry-After") or "").strip()
    if re.match(r"^[0-9]+$", value):
        return float(value)
    date = parsedate_tz(value) if value else None
    if date is None:
        return None
    return max(mktime_tz(date) - time.time(), 0.0)


def _dropped(sock):
    """True when an idle keep-alive socket is gone or readable (the server closed it, or sent what nobody asked for)."""
    if sock is None:
        return True
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True
