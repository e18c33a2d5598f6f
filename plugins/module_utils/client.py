# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one Harbor API client of the collection. FOR INTERNAL COLLECTION USE ONLY.

Every module talks to Harbor through ``HarborClient``; nothing else builds URLs or sends requests. HTTP is a
``requests.Session`` (keep-alive, TLS, proxies and CA bundles from the environment as requests reads them) whose
adapter retries with a urllib3 ``Retry`` bounded by the call's wait budget and the poll deadline (``_BoundedRetry``).
Harbor's behaviour that shapes this code is described in docs/harbor-api.md (section 0).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import http.client
import json
import os
import re
import socket
import ssl
import time
import uuid
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote as _quote, urljoin, urlsplit

from ansible_collections.registryops.harbor.plugins.module_utils.errors import HINTS, HarborError

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import exceptions as urllib3_errors
    from urllib3.util.retry import Retry
except ImportError:                     # HarborModule fails with missing_required_lib("requests")
    import traceback
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

COLLECTION_VERSION = "0.1.0"     # = galaxy.yml version, the source of truth (tests/packaging/test_version.py)
USER_AGENT = "registryops.harbor/%s (Ansible collection)" % COLLECTION_VERSION
API_PATH = "/api/v2.0"
MIN_VERSION = (2, 0, 0)         # the first Harbor with /api/v2.0
# GETs (other than /systeminfo, the check itself) that an anonymous caller gets answered (200, reduced data) instead of
# refused with 401: the login is checked before the first of them (docs/harbor-api.md sections 0 and 1).
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
    if any(c.isspace() or not c.isprintable() for c in parts.netloc):
        # Go's url.Parse refuses them in a host (Harbor's lib.ValidateHTTPURL, src/lib/endpoint.go, goharbor/harbor v2.15.2)
        raise ValueError("%s: %r is not a valid URL: its host holds a space or a control character; e.g. %s" % (option, shown, example))
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


class HarborClient(object):
    """One Harbor through one ``requests.Session``: basic auth, no cookies, keep-alive, bounded retries."""

    BY_NAME = {"X-Is-Resource-Name": "true"}

    def __init__(self, url, username=None, password=None, validate_certs=True, ca_path=None, timeout=30,
                 retries=3, backoff_factor=0.5, retry_after_max=RETRY_AFTER_MAX, retry_budget=RETRY_WAIT_BUDGET,
                 client_cert=None, client_key=None):
        if not HAS_REQUESTS:
            raise HarborError("the Python library 'requests' is required (pip install requests)", hint="")
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
        self.session = requests.Session()
        # No cookies are kept: a 'sid' cookie would switch Harbor to CSRF checks (docs/harbor-api.md section 0).
        self.session.cookies.set_policy(_RejectAllCookies())
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if username:
            self.session.auth = (username, password or "")
        # Passed with every request, because requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's
        # ``verify``: ca_path wins over them, and they win over requests' own bundle (certifi).
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        if not validate_certs:
            # validate_certs=false is the user's explicit choice (documented): no warning on every request's stderr
            _quiet_insecure_requests()
        self.cert = client_certificate(client_cert, client_key)
        retry = _BoundedRetry(total=retries, connect=retries, read=retries, status=retries, other=0, redirect=0,
                              allowed_methods=frozenset(RETRY_METHODS), status_forcelist=RETRY_STATUSES,
                              backoff_factor=backoff_factor, respect_retry_after_header=True, raise_on_status=False)
        retry.budget = self.budget
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=1)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
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
    # The login is checked lazily (docs/harbor-api.md section 0): bad basic-auth credentials make a request anonymous, and Harbor
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

    def accepts_login(self):
        """True when Harbor answers this client as an authenticated caller (GET /systeminfo with ``harbor_version``),
        False when it runs it as anonymous (wrong credentials, a disabled or expired robot account). A read, never a
        write: how a robot's secret is checked."""
        info = self.get("/systeminfo")
        return isinstance(info, dict) and bool(info.get("harbor_version"))

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
        """Send one request; return the ``requests.Response`` of a 2xx answer, raise ``HarborError`` otherwise.

        Retries (``_BoundedRetry``): a connection that could not be opened, for every method (nothing was sent); a lost
        answer and 429/502/503/504 only for GET, HEAD, PUT and DELETE, so a POST that went out is never sent again.
        A redirect is never followed (``_redirect_error``)."""
        url = path if path.startswith(("http://", "https://")) else self._absolute(path)
        if method == "GET" and not self.login_checked and _anonymous_read(url):
            self.systeminfo()
        req_headers = {"X-Request-Id": str(uuid.uuid4())}
        req_headers.update(headers or {})
        shown = urlsplit(url).path
        self.budget["attempts"] = 1
        timeout = self.timeout
        if self.deadline is not None:
            # A poll with a deadline: no answer is awaited, nor any retry wait made, past it.
            timeout = min(timeout, max(self.deadline - time.monotonic(), 0.5))
        try:
            resp = self.session.request(method, url, json=body, params=params, headers=req_headers, timeout=timeout,
                                        verify=self.verify, cert=self.cert, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
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
        """A failure without an HTTP answer -> what happened, whether the request may have been applied, and the fix.

        Told apart by the exception types that requests and urllib3 raise and wrap (``_causes``), never by their texts."""
        causes = _causes(exc)
        text = _short(causes)
        not_sent = _first(causes, _NOT_SENT) is not None
        proxy = isinstance(exc, requests.exceptions.ProxyError) or _first(causes, urllib3_errors.ProxyError) is not None
        tls = _first(causes, ssl.SSLError) or (exc if isinstance(exc, requests.exceptions.SSLError) else None)
        maybe = (" Harbor may have received and applied this %s before the connection failed; re-running the task reads the"
                 " state again before changing anything." % method) if method not in ("GET", "HEAD") and not (
                     not_sent or proxy or tls is not None) else ""
        if proxy:
            message = ("cannot reach Harbor at %s through the proxy %s (%s); check https_proxy, http_proxy, all_proxy and"
                       " no_proxy, and the proxy's user and password" % (self.url, self._proxy_shown(), text))
        elif tls is not None:
            message = self._tls_message(tls, text)
        elif _first(causes, _TIMEOUTS) is not None and _first(causes, urllib3_errors.NewConnectionError) is None:
            message = "no answer from Harbor at %s within %s seconds (%s)" % (
                self.url, round(timeout or self.timeout, 1), "request_timeout" if (timeout or self.timeout) >= self.timeout
                else "what was left of the wait")
        elif _first(causes, _CLOSED) is not None and urlsplit(self.url).scheme == "http":
            message = ("Harbor at %s closed the connection without an HTTP answer (%s); if it serves https, use https:// in"
                       " harbor_url" % (self.url, text))
        elif _first(causes, _NAME_ERRORS) is not None:
            message = "cannot resolve the host name of harbor_url %s (DNS): check the name" % self.url
        elif _first(causes, ConnectionRefusedError) is not None:
            message = "cannot connect to Harbor at %s: the connection was refused (nothing listens there; check harbor_url and the port)" % self.url
        elif _first(causes, _CLOSED) is not None:
            message = "Harbor at %s closed the connection without an answer (%s)" % (self.url, text)
        else:
            message = ("cannot connect to Harbor at %s (%s). Check harbor_url, DNS and firewalls" % (self.url, text))
        return HarborError(message + "." + maybe, method=method, path=path, hint="", attempts=self.budget["attempts"])

    def _tls_message(self, error, text):
        """A TLS failure: a plain-HTTP server, a certificate that does not verify, or a refused client certificate (by
        OpenSSL's reason code, ``ssl.SSLError.reason``)."""
        reason = getattr(error, "reason", None) or ""
        if reason in _NOT_TLS:
            message = ("%s does not answer with TLS (it looks like a plain-HTTP server): use http:// in harbor_url if Harbor"
                       " serves plain HTTP, or check the port" % self.url)
        elif reason in _CLIENT_CERT_REFUSED:
            message = ("Harbor at %s (or the proxy in front of it) refused the TLS connection (%s): it wants a client"
                       " certificate that it trusts; set client_cert and client_key (HARBOR_CLIENT_CERT, HARBOR_CLIENT_KEY)"
                       % (self.url, text))
        elif isinstance(error, ssl.SSLCertVerificationError) and error.verify_code in (_CERT_EXPIRED, _CERT_NOT_YET_VALID):
            # the certificate itself is wrong for now: no CA can fix it
            message = ("TLS verification of %s failed (%s): Harbor's certificate %s. Renew Harbor's certificate (or check this"
                       " machine's clock); ca_path cannot help, and validate_certs=false is only for a test instance"
                       % (self.url, text, "has expired" if error.verify_code == _CERT_EXPIRED else "is not valid yet"))
        elif isinstance(error, ssl.SSLCertVerificationError) and error.verify_code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
            host = urlsplit(self.url).hostname
            message = ("TLS verification of %s failed (%s): Harbor's certificate is not issued for %s. Use the host name the"
                       " certificate holds in harbor_url, or give Harbor a certificate for %s; ca_path cannot help"
                       % (self.url, text, host, host))
        elif isinstance(error, ssl.SSLCertVerificationError):
            message = ("TLS verification of %s failed (%s). Set ca_path to the CA that signed Harbor's certificate,"
                       " or validate_certs=false for a test instance" % (self.url, text))
        elif self.cert:
            message = "the TLS connection to %s failed (%s). Check harbor_url and ca_path, and that Harbor trusts client_cert" % (
                self.url, text)
        else:
            message = ("the TLS connection to %s failed (%s). Check harbor_url and ca_path; if Harbor (or the proxy in front"
                       " of it) wants a client certificate, set client_cert and client_key (HARBOR_CLIENT_CERT,"
                       " HARBOR_CLIENT_KEY)" % (self.url, text))
        return message

    def _proxy_shown(self):
        """The proxy requests picked for Harbor's URL, without its user and password."""
        proxies = requests.utils.get_environ_proxies(self.url)
        return redact_url(requests.utils.select_proxy(self.url, proxies) or "from the environment")

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
            data = _json(resp)
            errors = data.get("errors") or [] if isinstance(data, dict) else []
        except ValueError:
            data = None
        if errors:
            code = errors[0].get("code")
            message = "; ".join(e.get("message", "") for e in errors if isinstance(e, dict)) or message
        elif resp.content:
            message = _plain(resp)
        hint = None
        if resp.status_code == 500:
            hint = ("Harbor hides the cause of a 500 (the real error is in Harbor core's log); a frequent cause is a reference"
                    " to something that does not exist.")
        if resp.status_code == 401:
            # The login is checked lazily: a 401 anywhere means Harbor ran the request as anonymous (docs/harbor-api.md section 0).
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
                return _json(resp)
            except ValueError:
                pass
        return _text(resp)

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

    def post_answer(self, path, body=None, headers=None):
        """POST and return Harbor's decoded answer (``POST /robots`` answers with the new robot and its secret)."""
        return self._decode(self._write("POST", path, body, headers))

    def put(self, path, body=None, headers=None):
        return self._decode(self._write("PUT", path, body, headers))

    def patch(self, path, body=None, headers=None):
        return self._decode(self._write("PATCH", path, body, headers))

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
        """Raise when Harbor now answers this client as an anonymous caller (docs/harbor-api.md section 0: bad credentials, or a user
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
    text = _text(resp).strip()
    if "html" in resp.headers.get("Content-Type", "").lower() or text[:1] == "<":
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S) or re.search(r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S)
        text = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
        text = "an HTML page: " + " ".join(text.split())
    return text[:200]


def client_certificate(client_cert, client_key):
    """requests' ``cert``: None, the path of a PEM file holding the certificate and its key, or (certificate, key).
    Files that are missing, that OpenSSL cannot load, or a key without a certificate, are refused before any request."""
    if client_key and not client_cert:
        raise HarborError("client_key: given without client_cert; give the client certificate too (client_cert, or"
                          " HARBOR_CLIENT_CERT)", hint="")
    if not client_cert:
        return None
    for option, path, env in (("client_cert", client_cert, "HARBOR_CLIENT_CERT"), ("client_key", client_key, "HARBOR_CLIENT_KEY")):
        if path and not os.path.isfile(path):
            raise HarborError("%s: %s is not a file; give the path of a PEM file (%s sets it too)" % (option, path, env),
                              hint="")
    try:
        ssl.create_default_context().load_cert_chain(client_cert, client_key or None)
    except ssl.SSLError as exc:
        raise HarborError("client_cert/client_key: OpenSSL cannot load the client certificate %s%s (%s); give PEM files"
                          " of a certificate and its matching key (a key protected by a passphrase is not supported), or"
                          " one file holding both in client_cert" % (client_cert, " with the key %s" % client_key if client_key
                                                                     else "", exc.reason or exc), hint="")
    return (client_cert, client_key) if client_key else client_cert


def _text(resp):
    """The body as text: the charset the answer names, else UTF-8 (requests would guess, or say ISO-8859-1 for text/*)."""
    charset = re.search(r"charset=([\w.-]+)", resp.headers.get("Content-Type", ""), re.I)
    try:
        return resp.content.decode(charset.group(1) if charset else "utf-8", "replace")
    except LookupError:
        return resp.content.decode("utf-8", "replace")


def _json(resp):
    """The body as JSON; ``ValueError`` when it is not."""
    return json.loads(_text(resp))


# What a failure without an answer is, by the types requests and urllib3 raise and wrap (see _causes). OpenSSL's reason
# codes for a server that answers a TLS hello in plain HTTP, and for a server that refuses the client's certificate.
_NOT_TLS = frozenset(("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG",
                      "HTTP_REQUEST", "HTTPS_PROXY_REQUEST"))
# OpenSSL's verification codes (X509_V_ERR_*) whose fix is not a CA: the certificate is wrong for now, or for this name.
_CERT_NOT_YET_VALID, _CERT_EXPIRED, _HOSTNAME_MISMATCH, _IP_MISMATCH = 9, 10, 62, 64
_CLIENT_CERT_REFUSED = frozenset(("TLSV13_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_HANDSHAKE_FAILURE",
                                  "SSLV3_ALERT_BAD_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "TLSV1_ALERT_UNKNOWN_CA",
                                  "SSLV3_ALERT_CERTIFICATE_EXPIRED", "TLSV1_ALERT_ACCESS_DENIED"))
_CLOSED = (http.client.RemoteDisconnected, http.client.BadStatusLine, http.client.IncompleteRead, ConnectionResetError,
           ConnectionAbortedError, BrokenPipeError) + ((urllib3_errors.ProtocolError,) if HAS_REQUESTS else ())
_TIMEOUTS = (socket.timeout,) + ((urllib3_errors.TimeoutError,) if HAS_REQUESTS else ())
_NAME_ERRORS = (socket.gaierror,) + ((getattr(urllib3_errors, "NameResolutionError", socket.gaierror),) if HAS_REQUESTS else ())
# connection never opened: nothing reached Harbor (urllib3's NewConnectionError is a ConnectTimeoutError)
_NOT_SENT = (socket.gaierror, ConnectionRefusedError) + ((urllib3_errors.ConnectTimeoutError,) if HAS_REQUESTS else ())


def _causes(exc):
    """``exc`` and every exception it wraps, outermost first: requests' wrapper, urllib3's MaxRetryError (``reason``),
    ProxyError (``original_error``), ProtocolError (its arguments), and each one's ``__cause__``/``__context__``."""
    found, queue = [], [exc]
    while queue:
        error = queue.pop(0)
        if not isinstance(error, BaseException) or any(error is seen for seen in found):
            continue
        found.append(error)
        wrapped = [getattr(error, "reason", None), getattr(error, "original_error", None), error.__cause__, error.__context__]
        queue.extend([arg for arg in error.args if isinstance(arg, BaseException)] + wrapped)
    return found


def _first(causes, kinds):
    return next((error for error in causes if isinstance(error, kinds)), None)


def _short(causes):
    """The innermost cause in a few words: an OpenSSL verification failure as OpenSSL says it, the rest without errno."""
    wrappers = (requests.exceptions.RequestException, urllib3_errors.HTTPError) if HAS_REQUESTS else ()
    inner = [error for error in causes if not isinstance(error, wrappers)]
    exc = inner[0] if inner else causes[-1]
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return ("certificate verify failed: %s" % exc.verify_message)[:200]
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return exc.reason.replace("_", " ").lower()[:200]
    if isinstance(exc, http.client.RemoteDisconnected) or not str(exc):
        return (str(exc) or type(exc).__name__)[:200]
    text = getattr(exc, "strerror", None) or str(exc)
    return re.sub(r" \(_ssl\.c:\d+\)", "", text)[:200]


def _quiet_insecure_requests():
    import warnings
    warnings.simplefilter("ignore", urllib3_errors.InsecureRequestWarning)


class _RejectAllCookies(DefaultCookiePolicy):
    """Keep no cookie at all (see HarborClient)."""

    def set_ok(self, cookie, request):
        return False


if HAS_REQUESTS:
    class _BoundedRetry(Retry):
        """urllib3's Retry with every wait capped (``RETRY_AFTER_MAX``), a total shared by the module call
        (``RETRY_WAIT_BUDGET``) and the poll deadline: an exhausted budget or a passed deadline stops retrying. The
        statuses of ``status_forcelist`` only are retried; ``Retry-After`` (seconds or an HTTP date) is honoured on 413,
        429 and 503, and an invalid one falls back to back-off. ``budget['attempts']`` counts the requests sent."""

        budget = None

        def new(self, **kw):
            retry = super(_BoundedRetry, self).new(**kw)
            retry.budget = self.budget
            return retry

        def increment(self, *args, **kwargs):
            retry = super(_BoundedRetry, self).increment(*args, **kwargs)
            if self.budget is not None:
                self.budget["attempts"] += 1
            return retry

        def is_retry(self, method, status_code, has_retry_after=False):
            return bool(self._is_method_retryable(method) and status_code in (self.status_forcelist or ()))

        def is_exhausted(self):
            if super(_BoundedRetry, self).is_exhausted():
                return True
            budget = self.budget
            if not budget:
                return False
            passed = budget["deadline"] is not None and time.monotonic() >= budget["deadline"]
            return budget["spent"] >= budget["limit"] or passed

        def get_retry_after(self, response):
            if response.status not in self.RETRY_AFTER_STATUS_CODES:
                return None
            try:
                return super(_BoundedRetry, self).get_retry_after(response)
            except urllib3_errors.InvalidHeader:     # neither a number nor an HTTP date: back-off instead
                return None

        def sleep(self, response=None):
            wait = self.get_retry_after(response) if response is not None else None
            if not wait:
                wait = self.get_backoff_time()
            budget = self.budget or dict(spent=0.0, limit=RETRY_WAIT_BUDGET, cap=RETRY_AFTER_MAX, deadline=None)
            wait = min(float(wait), budget["cap"], budget["limit"] - budget["spent"])
            if budget["deadline"] is not None:
                wait = min(wait, budget["deadline"] - time.monotonic())
            wait = max(wait, 0.0)
            budget["spent"] += wait
            if wait > 0:
                time.sleep(wait)
