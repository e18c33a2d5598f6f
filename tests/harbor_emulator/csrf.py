"""Sessions and CSRF (mirrors src/server/middleware/session/session.go, src/server/middleware/csrf/csrf.go and beego's
session start in src/core/main.go).

- Every answer under ``/api/``, ``/v2/`` and ``/service/`` that reaches the handlers carries ``Set-Cookie: sid=<32 hex>``
  unless the request sent back a ``sid`` this emulator issued (beego then reuses the session). Harbor's own HTTP
  clients keep no cookie jar; the emulator's adapters and health checks neither (``no_cookies``).
- A request carrying a ``sid`` cookie (any value: the session middleware only looks for the cookie) loses the CSRF skip
  of those paths: an unsafe method (not GET/HEAD/OPTIONS/TRACE, gorilla/csrf) then needs ``X-Harbor-CSRF-Token`` with a
  token this emulator handed out, else 403 ``FORBIDDEN`` ``CSRF token invalid``. This runs before the caller is
  authenticated, as in Harbor's middleware chain (src/core/middlewares/middlewares.go). With the cookie, every answer
  carries a fresh ``X-Harbor-CSRF-Token``. (Approximation: gorilla ties a token to its ``_gorilla_csrf`` cookie and
  checks the Referer over https; the emulator accepts any token it issued and checks no Referer.)
- Paths outside ``/api/``, ``/v2/``, ``/service/`` (e.g. ``/c/login``) never skip the check in Harbor; the emulator
  serves none of them but its own ``/_emulator/`` controls, which are exempt.
"""
import secrets
from http.cookiejar import DefaultCookiePolicy

from flask import g, jsonify, request

SESSION_COOKIE = "sid"
TOKEN_HEADER = "X-Harbor-CSRF-Token"
SKIPPED_PREFIXES = ("/v2/", "/api/", "/service/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
CONTROLS = "/_emulator/"


def _store(state):
    with state.lock:
        return state.extensions.setdefault("sessions", {"sids": set(), "tokens": set()})


def check(state):
    """Before the request: the 403 answer when the CSRF check applies and fails, else None."""
    if request.path.startswith(CONTROLS):
        return None
    carries_session = SESSION_COOKIE in request.cookies
    if request.path.startswith(SKIPPED_PREFIXES) and not carries_session:
        return None
    g.csrf_checked = True
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(TOKEN_HEADER, "")
    with state.lock:
        if sent and sent in _store(state)["tokens"]:
            return None
    g.csrf_refused = True
    resp = jsonify({"errors": [{"code": "FORBIDDEN", "message": "CSRF token invalid"}]})
    resp.status_code = 403
    return resp


def finish(state, resp):
    """After the request: the CSRF token header (when the check ran) and beego's session cookie."""
    if request.path.startswith(CONTROLS):
        return resp
    store = _store(state)
    if g.get("csrf_checked"):
        token = secrets.token_urlsafe(32)
        with state.lock:
            store["tokens"].add(token)
        resp.headers[TOKEN_HEADER] = token
    if g.get("csrf_refused"):
        return resp                     # answered by the middleware, before beego starts a session
    with state.lock:
        known = request.cookies.get(SESSION_COOKIE) in store["sids"]
        if not known:
            sid = secrets.token_hex(16)
            store["sids"].add(sid)
    if not known:
        resp.set_cookie(SESSION_COOKIE, sid, path="/", httponly=True, secure=request.scheme == "https")
    return resp


class RejectAllCookies(DefaultCookiePolicy):
    """Go's http.Client without a Jar: keep no cookie."""

    def set_ok(self, cookie, request):
        return False


def no_cookies(session):
    """A requests.Session that keeps no cookie, like Harbor's own HTTP clients."""
    session.cookies.set_policy(RejectAllCookies())
    return session
