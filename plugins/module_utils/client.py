# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one Harbor API client of the collection. FOR INTERNAL COLLECTION USE ONLY.

Every module talks to Harbor through ``HarborClient``; nothing else builds URLs or calls ``requests``.
Harbor's behaviour that shapes this code is described in ../shared/harbor-api/NOTES.md (section 0).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import traceback
import uuid
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote as _quote, urljoin, urlsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import disable_warnings
    from urllib3.exceptions import InsecureRequestWarning
    from urllib3.util.retry import Retry
    HAS_REQUESTS = True
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "registryops.harbor/%s (Ansible collection)" % COLLECTION_VERSION
API_PATH = "/api/v2.0"
PAGE_SIZE = 100
RETRY_STATUSES = (429, 502, 503, 504)
RETRY_METHODS = ("GET", "HEAD", "PUT", "DELETE")

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")

HINTS = {
    401: "Harbor did not accept the credentials: check harbor_username/harbor_password"
         " (robot accounts are written robot$name).",
    403: "The user is not allowed to do this: it needs a Harbor system administrator"
         " (or a system robot account with this permission).",
    404: "Harbor has no such object.",
    409: "An object with this name already exists.",
    412: "Harbor refused because the object is still in use.",
    429: "Harbor is rate limiting requests: try again later or lower the request rate.",
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


def parse_version(text):
    """``v2.15.2-080b0220`` -> (2, 15, 2); None when there is no version."""
    match = _VERSION.match(text or "")
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


class HarborError(Exception):
    """Any problem talking to Harbor: an HTTP error answer or a transport failure (``status`` None)."""

    def __init__(self, message, status=None, code=None, method=None, path=None, request_id=None, hint=None, errors=None):
        super(HarborError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path
        self.request_id = request_id
        self.hint = hint if hint is not None else HINTS.get(status)
        self.errors = errors or []

    def __str__(self):
        where = "%s %s" % (self.method, self.path) if self.method else ""
        parts = []
        if self.status:
            parts.append("%s failed with HTTP %s%s: %s" % (where, self.status, " %s" % self.code if self.code else "", self.message))
        elif where:
            parts.append("%s failed: %s" % (where, self.message))
        else:
            parts.append(self.message)
        if self.hint:
            parts.append(self.hint)
        if self.request_id:
            parts.append("(X-Request-Id %s)" % self.request_id)
        return " ".join(parts)

    def to_dict(self):
        return dict(status=self.status, code=self.code, message=self.message, method=self.method, path=self.path,
                    request_id=self.request_id)


class HarborClient(object):
    """A requests.Session bound to one Harbor: basic auth, no cookie jar, retries for idempotent methods."""

    BY_NAME = {"X-Is-Resource-Name": "true"}

    def __init__(self, url, username=None, password=None, validate_certs=True, ca_path=None, timeout=30,
                 retries=3, backoff_factor=0.5):
        if not HAS_REQUESTS:
            raise HarborError("the Python library 'requests' is required")
        self.url = base_url(url)
        if not re.match(r"^https?://[^/]+", self.url):
            raise HarborError("harbor_url must start with http:// or https:// and name a host, got %r" % url)
        self.api = self.url + API_PATH
        self.timeout = timeout
        self.writes = 0                 # writes Harbor accepted: a module that fails after one has changed something
        self.session = requests.Session()
        # No cookie jar: a 'sid' cookie would switch Harbor to CSRF checks (NOTES section 0).
        self.session.cookies.set_policy(_RejectAllCookies())
        if username:
            self.session.auth = (username, password or "")
        # Passed with every request: a session-level value loses against REQUESTS_CA_BUNDLE in the environment.
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        if not validate_certs:
            disable_warnings(InsecureRequestWarning)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, other=0,
                      allowed_methods=frozenset(RETRY_METHODS), status_forcelist=RETRY_STATUSES,
                      backoff_factor=backoff_factor, respect_retry_after_header=True, raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._systeminfo = None

    # -- login and version -------------------------------------------------------------------------------------------
    def systeminfo(self):
        """GET /systeminfo once; authenticated callers get ``harbor_version``, anonymous ones do not."""
        if self._systeminfo is None:
            info = self.get("/systeminfo")
            if not isinstance(info, dict) or not info.get("harbor_version"):
                raise HarborError("Harbor at %s did not accept the credentials (GET /systeminfo answered as for an anonymous"
                                  " caller)" % self.url, status=401, method="GET", path=API_PATH + "/systeminfo")
            self._systeminfo = info
        return self._systeminfo

    @property
    def version(self):
        return parse_version(self.systeminfo().get("harbor_version"))

    def version_at_least(self, text):
        version = self.version
        return version is None or version >= parse_version(text)

    # -- HTTP --------------------------------------------------------------------------------------------------------
    def request(self, method, path, body=None, params=None, headers=None):
        """Send one request; return the ``requests.Response`` of a 2xx answer, raise ``HarborError`` otherwise."""
        url = path if path.startswith(("http://", "https://")) else self._absolute(path)
        req_headers = {"X-Request-Id": str(uuid.uuid4())}
        req_headers.update(headers or {})
        shown = urlsplit(url).path
        try:
            resp = self.session.request(method, url, json=body, params=params, headers=req_headers,
                                        timeout=self.timeout, verify=self.verify)
        except requests.exceptions.SSLError as exc:
            raise HarborError("TLS verification of %s failed (%s). Set ca_path to the CA that signed Harbor's certificate,"
                              " or validate_certs=false for a test instance." % (self.url, _short(exc)),
                              method=method, path=shown, hint="")
        except requests.exceptions.ConnectionError as exc:
            raise HarborError("cannot connect to Harbor at %s (%s). Check harbor_url, DNS and firewalls."
                              % (self.url, _short(exc)), method=method, path=shown, hint="")
        except requests.exceptions.Timeout:
            raise HarborError("no answer from Harbor at %s within %s seconds (request_timeout)." % (self.url, self.timeout),
                              method=method, path=shown, hint="")
        except requests.exceptions.RequestException as exc:
            raise HarborError("request to Harbor at %s failed: %s" % (self.url, _short(exc)), method=method, path=shown, hint="")
        if resp.status_code >= 400:
            raise self._error(resp, method, shown)
        return resp

    def _absolute(self, path):
        if path.startswith(API_PATH + "/") or path == API_PATH:
            return self.url + path
        return self.api + ("" if path.startswith("/") else "/") + path

    @staticmethod
    def _error(resp, method, path):
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
            message = resp.text.strip()[:300]
        hint = None
        if resp.status_code >= 500:
            hint = ("Harbor hides the cause of a %d (the real error is in Harbor core's log); a frequent cause is a reference"
                    " to something that does not exist or a remote registry that cannot be reached." % resp.status_code)
        return HarborError(message, status=resp.status_code, code=code, method=method, path=path,
                           request_id=request_id, hint=hint, errors=errors)

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
    def list(self, path, params=None, headers=None):
        """Every item of a paged list: page_size=100, following ``Link: <...>; rel="next"`` (relative), or the page
        number while ``X-Total-Count`` says there is more (for answers without a Link header)."""
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
        return items

    def find(self, path, name, key="name", params=None, headers=None):
        """The object whose ``key`` equals ``name`` exactly, or None.

        Harbor ignores unknown ``q`` keys and the ``name`` parameter is fuzzy, so the answer is re-checked here.
        """
        query = dict(params or {})
        value = q_value(name)
        if value is not None:
            query["q"] = "%s=%s" % (key, value)
        for item in self.list(path, params=query, headers=headers):
            if isinstance(item, dict) and item.get(key) == name:
                return item
        return None

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
        return dict((item[key], item) for item in self.list(path, params=params, headers=headers)
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


def _short(exc):
    text = str(exc)
    reason = re.search(r"\] ([^'\"\)]+)", text)
    return (reason.group(1) if reason else text)[:200]


class _RejectAllCookies(DefaultCookiePolicy):
    """Keep no cookie at all (see HarborClient)."""

    def set_ok(self, cookie, request):
        return False
