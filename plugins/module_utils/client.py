# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one Harbor API client of the collection. FOR INTERNAL COLLECTION USE ONLY.

Every module talks to Harbor through ``HarborClient``; nothing else builds URLs or sends requests (transport.py carries
them: the standard library's http.client, no third-party HTTP library).
Harbor's behaviour that shapes this code is described in ../shared/harbor-api/NOTES.md (section 0).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import http.client
import os
import re
import socket
import ssl
import time
from urllib.parse import quote as _quote, urljoin, urlsplit

from ansible_collections.registryops.harbor.plugins.module_utils.transport import (
    Transport, TransportError, basic_auth, proxy_for, tls_context,
)

COLLECTION_VERSION = "0.1.0"     # = galaxy.yml version, the source of truth (tests/packaging/test_version.py)
USER_AGENT = "registryops.harbor/%s (Ansible collection)" % COLLECTION_VERSION
API_PATH = "/api/v2.0"
MIN_VERSION = (2, 0, 0)         # the first Harbor with /api/v2.0
# GETs (other than /systeminfo, the check itself) that an anonymous caller gets answered (200, reduced data) instead of
# refused with 401: the login is checked before the first of them (NOTES sections 0 and 1).
_ANONYMOUS_READS = re.compile(r"^/(?:ping|health|projects|repositories|search|labels|statistics|icons)(?:/|$)")
PAGE_SIZE = 100
RETRY_STATUSES = (429, 502, 503, 504)
RETRY_METHODS = ("GET", "HEAD", "PUT", "DELETE")
MAX_RETRIES = 10                # request_retries: 0 to MAX_RETRIES
RETRY_AFTER_MAX = 60.0          # seconds: a longer Retry-After is cut to this
RETRY_WAIT_BUDGET = 120.0       # seconds of waits between retries in one module call, all requests together

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")

LOGIN_HINT = ("Check harbor_username/harbor_password (robot accounts are written robot$name); after a failed login Harbor"
              " refuses that user for about 1.5 seconds. Nothing was changed.")
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


def quote(value):
    """Quote one path segment (no '/' kept)."""
    return _quote(str(value), safe="")


def quote_repository(name):
    """Harbor's repository names go into paths URL-encoded twice (``a/b`` -> ``a%252Fb``)."""
    return quote(quote(name))


def base_url(url):
    """Accept ``https://h``, ``https://h/`` or ``https://h/api/v2.0[/]`` and return ``https://h``."""
    url = (url or "").strip().rstrip("/")
    if url.endswith(API_PATH):
        url = url[:-len(API_PATH)]
    return url.rstrip("/")


def userinfo(url):
    """The ``user:password`` part of ``url`` ('' when there is none), found without trusting the URL to parse."""
    match = re.match(r"^\s*[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)@", str(url or ""))
    return match.group(1) if match else ""


def redact_url(url):
    """``url`` with any user info replaced by ``***`` (for messages)."""
    info = userinfo(url)
    return str(url).replace(info + "@", "***@", 1) if info else url


def check_url(url, option, example="https://harbor.example.com", base=False):
    """Raise ``ValueError`` with a message naming ``option`` unless ``url`` is ``http(s)://host[:port]`` (a path too,
    unless ``base``); the message never repeats user info."""
    text = str(url or "").strip()
    shown = redact_url(text)
    if userinfo(text):
        raise ValueError("%s: must not carry a user name or password (user:password@host); give them in the credential"
                         " options instead, e.g. %s" % (option, example))
    if "://" not in text:
        raise ValueError("%s: %r has no scheme; write it with https:// (or http:// for a plain-HTTP server), e.g. %s"
                         % (option, shown, example))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError("%s: %r is not a valid URL (%s); e.g. %s" % (option, shown, exc, example))
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("%s: %r is not an http:// or https:// URL with a host name; e.g. %s" % (option, shown, example))
    del port
    if base:
        path = parts.path.rstrip("/")
        if path.endswith(API_PATH):
            path = path[:-len(API_PATH)]
        if path or parts.query or parts.fragment:
            raise ValueError("%s: %r has a path, query or fragment; give Harbor's base URL only, here %s://%s (a trailing"
                             " /api/v2.0 is accepted)" % (option, shown, parts.scheme.lower(), parts.netloc))
    return text


def parse_version(text):
    """``v2.15.2-080b0220`` -> (2, 15, 2); None when there is no version."""
    match = _VERSION.match(text or "")
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


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


class HarborClient(object):
    """One Harbor over one keep-alive connection: basic auth, no cookies, retries for idempotent methods."""

    BY_NAME = {"X-Is-Resource-Name": "true"}

    def __init__(self, url, username=None, password=None, validate_certs=True, ca_path=None, timeout=30,
                 retries=3, backoff_factor=0.5, retry_after_max=RETRY_AFTER_MAX, retry_budget=RETRY_WAIT_BUDGET):
        try:
            check_url(url, "harbor_url", base=True)
        except ValueError as exc:
            raise HarborError(str(exc), hint="")
        self.url = base_url(url)
        self.api = self.url + API_PATH
        self.timeout = timeout
        self.username = username
        self.retries = retries
        self.backoff_factor = backoff_factor
        # Shared by every request of this client (one module call): waits are capped each and in total.
        self.budget = dict(spent=0.0, limit=retry_budget, cap=retry_after_max, attempts=1, deadline=None)
        self.writes = 0                 # writes Harbor accepted: a module that fails after one has changed something
        try:
            proxy_for(self.url)
        except ValueError as exc:
            raise HarborError(str(exc), hint="")
        # No cookies are kept: a 'sid' cookie would switch Harbor to CSRF checks (NOTES section 0).
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if username:
            headers["Authorization"] = basic_auth(username, password or "")
        self.transport = Transport(headers=headers, context=tls_context(validate_certs, ca_path) if self.url.startswith(
            "https:") else None, retries=retries, backoff_factor=backoff_factor, retry_methods=RETRY_METHODS,
            retry_statuses=RETRY_STATUSES, budget=self.budget)
        self._systeminfo = None
        self.login_checked = False      # True once GET /systeminfo showed an authenticated caller (see request())

    @property
    def deadline(self):
        """``time.monotonic()`` value after which no request waits for an answer or a retry (None: no deadline)."""
        return self.budget["deadline"]

    @deadline.setter
    def deadline(self, value):
        self.budget["deadline"] = value

    # -- login and version -------------------------------------------------------------------------------------------
    # The login is checked lazily (NOTES section 0): bad basic-auth credentials make a request anonymous, and Harbor
    # answers 401 on everything an anonymous caller may not read (registries, policies, quotas, every write), which
    # ``_error`` words as a refused login. Only the reads that anonymous callers get in a reduced form instead (GET
    # /projects, repositories, /systeminfo...) need GET /systeminfo first, and a version gate needs its version: so an
    # unchanged registry endpoint or rule costs one GET, not two.
    def systeminfo(self):
        """GET /systeminfo once; authenticated callers get ``harbor_version``, anonymous ones do not."""
        if self._systeminfo is None:
            info = self.get("/systeminfo")
            if not isinstance(info, dict) or not info.get("harbor_version"):
                raise HarborError("Harbor at %s did not accept the credentials of %r (GET /systeminfo answered as for an"
                                  " anonymous caller)" % (self.url, self.username or ""), status=401, method="GET",
                                  path=API_PATH + "/systeminfo", hint=LOGIN_HINT)
            self._systeminfo = info
            self.login_checked = True
        return self._systeminfo

    @property
    def version(self):
        return parse_version(self.systeminfo().get("harbor_version"))

    def version_at_least(self, text):
        """True when Harbor is ``text`` or later. Anything up to 2.0.0 is true without asking: a Harbor that serves
        /api/v2.0 is 2.0 or later."""
        wanted = parse_version(text)
        if wanted is not None and wanted <= MIN_VERSION:
            return True
        version = self.version
        return version is None or version >= wanted

    # -- HTTP --------------------------------------------------------------------------------------------------------
    def request(self, method, path, body=None, params=None, headers=None):
        """Send one request; return the ``transport.Response`` of a 2xx answer, raise ``HarborError`` otherwise."""
        url = path if path.startswith(("http://", "https://")) else self._absolute(path)
        if method == "GET" and not self.login_checked and _anonymous_read(url):
            self.systeminfo()
        req_headers = {"X-Request-Id": request_id()}
        req_headers.update(headers or {})
        shown = urlsplit(url).path
        self.budget["attempts"] = 1
        timeout = self.timeout
        if self.deadline is not None:
            # A poll with a deadline: no answer is awaited, nor any retry wait made, past it.
            timeout = min(timeout, max(self.deadline - time.monotonic(), 0.5))
        try:
            resp = self.transport.request(method, url, body=body, params=params, headers=req_headers, timeout=timeout)
        except TransportError as exc:
            raise self._transport_error(exc, method, shown, timeout)
        if 300 <= resp.status_code < 400:
            raise self._redirect_error(resp, method, shown)
        if resp.status_code >= 400:
            raise self._error(resp, method, shown)
        return resp

    def post_safe(self, path, body=None):
        """A POST that changes nothing (a ping): retried like a GET on a connection failure or 429/502/503/504."""
        attempt = 0
        while True:
            try:
                return self.request("POST", path, body=body)
            except HarborError as exc:
                budget = self.budget
                if attempt >= self.retries or (exc.status is not None and exc.status not in RETRY_STATUSES) \
                        or budget["spent"] >= budget["limit"]:
                    exc.attempts = attempt + 1
                    raise
                attempt += 1
                wait = min(self.backoff_factor * (2 ** attempt), budget["cap"], budget["limit"] - budget["spent"])
                budget["spent"] += max(wait, 0)
                if wait > 0:
                    time.sleep(wait)

    def _transport_error(self, exc, method, path, timeout=None):
        """A failure without an HTTP answer -> what happened, whether the request may have been applied, and the fix."""
        cause = exc.cause
        text = _short(cause)
        maybe = (" Harbor may have received and applied this %s before the connection failed; re-running the task reads the"
                 " state again before changing anything." % method) if exc.sent and method not in ("GET", "HEAD") else ""
        closed = isinstance(cause, (http.client.RemoteDisconnected, http.client.BadStatusLine, http.client.IncompleteRead,
                                    ConnectionResetError, ConnectionAbortedError, BrokenPipeError))
        if exc.tls:
            if re.search(r"WRONG_VERSION_NUMBER|record layer|wrong version|unknown protocol|packet length too long", text, re.I):
                message = ("%s does not answer with TLS (it looks like a plain-HTTP server): use http:// in harbor_url if Harbor"
                           " serves plain HTTP, or check the port" % self.url)
            else:
                message = tls_failure_message(self.url, cause, text)
        elif proxy_for(self.url) and not exc.sent and not exc.timeout:
            message = proxy_failure_message(self.url, proxy_for(self.url), cause, text)
        elif exc.timeout:
            message = "no answer from Harbor at %s within %s seconds (%s)" % (
                self.url, round(timeout or self.timeout, 1), "request_timeout" if (timeout or self.timeout) >= self.timeout
                else "what was left of the wait")
        elif closed and urlsplit(self.url).scheme == "http":
            message = ("Harbor at %s closed the connection without an HTTP answer (%s); if it serves https, use https:// in"
                       " harbor_url" % (self.url, text))
        elif isinstance(cause, socket.gaierror):
            message = "cannot resolve the host name of harbor_url %s (DNS): check the name" % self.url
        elif isinstance(cause, ConnectionRefusedError):
            message = "cannot connect to Harbor at %s: the connection was refused (nothing listens there; check harbor_url and the port)" % self.url
        elif closed:
            message = "Harbor at %s closed the connection without an answer (%s)" % (self.url, text)
        else:
            message = ("cannot connect to Harbor at %s (%s). Check harbor_url, DNS and firewalls" % (self.url, text))
        return HarborError(message + "." + maybe, method=method, path=path, hint="", attempts=self.budget["attempts"])

    def _redirect_error(self, resp, method, path):
        """Harbor's API never redirects: a redirect comes from something in front of it (http:// to https://, another
        host name), and following it would resend the credentials elsewhere, so the fix is a different harbor_url."""
        location = redact_url(resp.headers.get("Location") or "")
        moved = urlsplit(urljoin(self.url + "/", location)) if location else None
        where = "%s://%s" % (moved.scheme, moved.netloc) if moved and moved.netloc else ""
        return HarborError("Harbor at %s answered with a redirect%s instead of an API answer" % (
            self.url, " to %s" % location if location else ""), status=resp.status_code, method=method, path=path,
            request_id=resp.headers.get("X-Request-Id"), attempts=self.budget["attempts"],
            hint=("Use harbor_url: %s (the credentials are not sent after a redirect)." % where) if where and where != self.url
            else "Check that harbor_url is Harbor's base URL.")

    def _absolute(self, path):
        if path.startswith(API_PATH + "/") or path == API_PATH:
            return self.url + path
        return self.api + ("" if path.startswith("/") else "/") + path

    def _error(self, resp, method, path):
        request_id = resp.headers.get("X-Request-Id")
        errors, code, message = [], None, resp.reason or "error"
        try:
            data = resp.json()
            errors = data.get("errors") or [] if isinstance(data, dict) else []
        except ValueError:
            data = None
        if errors:
            code = errors[0].get("code")
            message = "; ".join(e.get("message", "") for e in errors if isinstance(e, dict)) or message
        elif resp.text:
            message = _plain(resp)
        hint = None
        if resp.status_code == 500:
            hint = ("Harbor hides the cause of a 500 (the real error is in Harbor core's log); a frequent cause is a reference"
                    " to something that does not exist.")
        if resp.status_code == 401:
            # The login is checked lazily: a 401 anywhere means Harbor ran the request as anonymous (NOTES section 0).
            hint = "Harbor refused the login of %r: c%s" % (self.username or "", LOGIN_HINT[1:])
        if resp.status_code == 403 and self.username and message.strip() == self.username:
            message = "user %r is not allowed to do this" % self.username
        if resp.status_code == 404 and not errors:
            hint = ("This server has no Harbor API under %s: check that harbor_url is Harbor's base URL (e.g."
                    " https://harbor.example.com)." % self.api)
        if method not in ("GET", "HEAD") and resp.status_code in (502, 504):
            hint = (HINTS[resp.status_code] + " A proxy answered, so Harbor may have applied this %s; re-running the task"
                    " reads the state again before changing anything." % method)
        return HarborError(message, status=resp.status_code, code=code, method=method, path=path,
                           request_id=request_id, hint=hint, errors=errors, attempts=self.budget["attempts"])

    @staticmethod
    def _decode(resp):
        if not resp.content:
            return None
        if "json" in resp.headers.get("Content-Type", "") or resp.content[:1] in (b"{", b"["):
            try:
                return resp.json()
            except ValueError:
                pass
        return resp.text

    def get(self, path, params=None, headers=None):
        return self._decode(self.request("GET", path, params=params, headers=headers))

    def get_or_none(self, path, params=None, headers=None):
        try:
            return self.get(path, params=params, headers=headers)
        except HarborError as exc:
            if exc.status == 404:
                return None
            raise

    # post/put/delete are the writes: each one Harbor accepted is counted in ``writes`` (a ping goes through request()).
    def post(self, path, body=None, headers=None):
        """POST and return the new object's id from ``Location`` (int when numeric, else the last segment)."""
        resp = self._write("POST", path, body, headers)
        return location_id(resp.headers.get("Location"))

    def put(self, path, body=None, headers=None):
        return self._decode(self._write("PUT", path, body, headers))

    def delete(self, path, headers=None):
        return self._decode(self._write("DELETE", path, None, headers))

    def _write(self, method, path, body, headers):
        resp = self.request(method, path, body=body, headers=headers)
        self.writes += 1
        return resp

    # -- lists and lookups -------------------------------------------------------------------------------------------
    def list(self, path, params=None, headers=None, complete=None):
        """Every item of a paged list: page_size=100, following ``Link: <...>; rel="next"`` (relative), or the page
        number while ``X-Total-Count`` says there is more (for answers without a Link header).

        A list that anonymous callers get in a reduced form (public projects only) is trusted when it holds a private
        object, or when ``complete(items)`` says it holds everything the caller looks for; otherwise the login is
        checked again (``check_login``)."""
        query = dict(params or {})
        query.setdefault("page_size", PAGE_SIZE)
        query.setdefault("page", 1)
        resp = self.request("GET", path, params=query, headers=headers)
        items = list(self._decode(resp) or [])
        while True:
            next_url = _next_link(resp.headers.get("Link"))
            if next_url:
                resp = self.request("GET", urljoin(self.url + "/", next_url), headers=headers)
            elif _more_by_count(resp, len(items)):
                query["page"] = int(query["page"]) + 1
                resp = self.request("GET", path, params=query, headers=headers)
            else:
                break
            page = self._decode(resp) or []
            if not page:
                break
            items.extend(page)
        if _shrinks_for_anonymous(path) and not any(_private(item) for item in items) \
                and not (complete is not None and complete(items)):
            self.check_login("GET %s" % urlsplit(self._absolute(path)).path)
        return items

    def check_login(self, what):
        """Raise when Harbor now answers this client as an anonymous caller (NOTES section 0: bad credentials, or a user
        name frozen for about 1.5 s after someone's failed login, run as anonymous). Used after a read that an anonymous
        caller gets in a reduced form (GET /projects lists public projects only), so that a lookup fails instead of
        shrinking."""
        info = self.get("/systeminfo")
        if isinstance(info, dict) and info.get("harbor_version"):
            self._systeminfo = self._systeminfo or info
            return
        raise HarborError("Harbor answered %s as for an anonymous caller: the login of %r was not accepted at that moment, so"
                          " the answer may lack private objects and is not trusted" % (what, self.username or ""),
                          status=401, method="GET", path=API_PATH + "/systeminfo",
                          hint="Harbor refuses a user name for about 1.5 seconds after a failed login with it (someone's wrong"
                               " password, another job); run the task again, and check harbor_username/harbor_password."
                               " Nothing was changed by this request.")

    def find(self, path, name, key="name", params=None, headers=None):
        """The object whose ``key`` equals ``name`` exactly, or None.

        Harbor ignores unknown ``q`` keys and the ``name`` parameter is fuzzy, so the answer is re-checked here.
        """
        query = dict(params or {})
        value = q_value(name)
        if value is not None:
            query["q"] = "%s=%s" % (key, value)
        found = [item for item in self.list(path, params=query, headers=headers, complete=lambda items: _has(items, key, [name]))
                 if isinstance(item, dict) and item.get(key) == name]
        return found[0] if found else None

    def find_all(self, path, name=None, key="name"):
        """The object named ``name`` as a one-item list (empty when missing), or every object when ``name`` is None."""
        if name:
            found = self.find(path, name, key=key)
            return [found] if found else []
        return self.list(path)

    def list_named(self, path, names, key="name", params=None, headers=None):
        """``{name: object}`` for the wanted names: one lookup for a single name, one full listing for several."""
        names = [n for n in dict.fromkeys(names) if n]
        if len(names) == 1:
            found = self.find(path, names[0], key=key, params=params, headers=headers)
            return {names[0]: found} if found else {}
        if not names:
            return {}
        wanted = set(names)
        return dict((item[key], item) for item in self.list(path, params=params, headers=headers,
                                                            complete=lambda items: _has(items, key, wanted))
                    if isinstance(item, dict) and item.get(key) in wanted)


def request_id():
    """A random (version 4) UUID for X-Request-Id, made without importing ``uuid`` (one import less per module call)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    text = raw.hex()
    return "%s-%s-%s-%s-%s" % (text[:8], text[8:12], text[12:16], text[16:20], text[20:])


def q_value(value):
    """``value`` as an exact match inside Harbor's ``q`` (src/lib/q), or None when ``q`` cannot carry it.

    Harbor unescapes ``q`` once more after the query string (so ``+`` and ``%XX`` must be percent-encoded), reads a
    leading ``~ [ { (`` as an operator unless a backslash escapes it, and splits on ``,`` even when it was encoded:
    a name with a comma is looked up in the full listing instead.
    """
    value = str(value)
    if "," in value:
        return None
    if value[:1] in ("~", "[", "{", "(", "\\"):
        value = "\\" + value
    return _quote(value, safe="")


def _anonymous_read(url):
    """True for a GET that anonymous callers get answered instead of refused (their answer is reduced)."""
    path = urlsplit(url).path
    path = path[len(API_PATH):] if path.startswith(API_PATH) else path
    return bool(_ANONYMOUS_READS.match(path))


def _has(items, key, names):
    """True when ``items`` hold an object for each of ``names`` (a lookup that found everything is complete)."""
    seen = set(item.get(key) for item in items if isinstance(item, dict))
    return all(name in seen for name in names)


def _shrinks_for_anonymous(path):
    """Lists that an anonymous caller gets in a reduced form instead of a 401 (public projects only)."""
    path = urlsplit(path).path
    if path.startswith(API_PATH):
        path = path[len(API_PATH):]
    return path.rstrip("/") == "/projects"


def _private(item):
    """True for an object an anonymous caller never sees (a private project)."""
    metadata = item.get("metadata") if isinstance(item, dict) else None
    return isinstance(metadata, dict) and str(metadata.get("public", "")).lower() == "false"


def location_id(location):
    if not location:
        raise HarborError("Harbor answered 201 without a Location header")
    last = location.rstrip("/").rsplit("/", 1)[-1]
    return int(last) if last.isdigit() else last


def _more_by_count(resp, seen):
    """True when the answer's ``X-Total-Count`` is a number above the items read so far."""
    try:
        return int(resp.headers.get("X-Total-Count", "")) > seen
    except ValueError:
        return False


def _next_link(header):
    if not header:
        return None
    match = _LINK_NEXT.search(header)
    return match.group(1) if match else None


def _plain(resp):
    """A non-JSON error body in a few words: an HTML page's title (or its text), never the whole page."""
    text = resp.text.strip()
    if "html" in resp.headers.get("Content-Type", "").lower() or text[:1] == "<":
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S) or re.search(r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S)
        text = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
        text = "an HTML page: " + " ".join(text.split())
    return text[:200]


# OpenSSL's verification codes (X509_V_ERR_*) whose fix is not a CA: the certificate itself is wrong for this use.
_CERT_EXPIRED, _CERT_NOT_YET_VALID, _HOSTNAME_MISMATCH, _IP_MISMATCH = 10, 9, 62, 64


def tls_failure_message(url, cause, text):
    """What failed in the verification of Harbor's certificate and the fix that can help: an expired certificate or
    one for another host name needs a new certificate (or another harbor_url), not ca_path; an unknown CA needs ca_path.
    ``cause``: the ``ssl.SSLCertVerificationError`` (or any TLS error), ``text``: its short form."""
    code = getattr(cause, "verify_code", None)
    host = urlsplit(url).hostname
    if code in (_CERT_EXPIRED, _CERT_NOT_YET_VALID):
        when = "has expired" if code == _CERT_EXPIRED else "is not valid yet"
        return ("TLS verification of %s failed (%s): Harbor's certificate %s. Renew Harbor's certificate (or check this"
                " machine's clock); ca_path cannot help, and validate_certs=false is only for a test instance" % (url, text, when))
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
        return ("TLS verification of %s failed (%s): Harbor's certificate is not issued for %s. Use the host name the certificate"
                " holds in harbor_url, or give Harbor a certificate for %s; ca_path cannot help" % (url, text, host, host))
    return ("TLS verification of %s failed (%s). Set ca_path to the CA that signed Harbor's certificate, or validate_certs=false"
            " for a test instance" % (url, text))


def proxy_failure_message(url, proxy, cause, text):
    """A connection that failed at the HTTP proxy (from https_proxy, http_proxy or all_proxy) before reaching Harbor:
    say so, rather than that nothing listens at Harbor's address. ``proxy``: ``(scheme, host, port, auth)``."""
    where = "the HTTP proxy %s:%s (from the environment: %s_proxy or all_proxy, upper or lower case)" % (
        proxy[1], proxy[2], urlsplit(url).scheme)
    if isinstance(cause, ConnectionRefusedError):
        what = "refused the connection (nothing listens at the proxy's address)"
    elif isinstance(cause, socket.gaierror):
        what = "has a host name that cannot be resolved (DNS)"
    elif "tunnel" in text.lower():
        what = "refused to open a tunnel to Harbor (%s; check the proxy's credentials and rules)" % text
    else:
        what = "could not be used (%s)" % text
    return ("cannot reach Harbor at %s: %s %s. Fix the proxy setting, or add Harbor's host to no_proxy to connect directly"
            % (url, where, what))


def _short(exc):
    """An exception in a few words: an OpenSSL verification failure as OpenSSL says it, the rest without its errno."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return ("certificate verify failed: %s" % exc.verify_message)[:200]
    if isinstance(exc, http.client.RemoteDisconnected) or not str(exc):
        return (str(exc) or type(exc).__name__)[:200]
    text = getattr(exc, "strerror", None) or str(exc)
    reason = re.search(r"\] ([^'\"\)]+)", text)
    return (reason.group(1).replace(" (_ssl.c", "").strip() if reason else text)[:200]
