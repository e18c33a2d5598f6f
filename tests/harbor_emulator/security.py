"""Who is calling (mirrors src/server/middleware/security).

Basic auth with a known user or an enabled system robot gives a security context; anything else, bad
credentials included, runs as anonymous, exactly like Harbor (no error at this stage).

Login freeze (src/core/auth/authenticator.go ``Login``, ``frozenTime`` 1.5 s; src/core/auth/lock.go ``UserLock``): a
failed basic-auth login of a user (not a robot) locks that user name and sleeps for the freeze time; while the name is
locked, every login with it, a correct one included, runs as anonymous. ``state.login_freeze`` (seconds; the
``Emulator(login_freeze=...)`` argument) sets the time; 0, the emulator's default, turns it off because many tests reuse
a user name right after a bad login on purpose.
"""
import base64
import time
from dataclasses import dataclass

from flask import g, request

from .errors import forbidden, unauthorized

ROBOT_PREFIX = "robot$"


@dataclass(frozen=True)
class Context:
    username: str = ""
    sysadmin: bool = False
    robot: bool = False

    @property
    def authenticated(self):
        return bool(self.username)


ANONYMOUS = Context()


def basic_credentials():
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        username, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return username, password


def resolve(state):
    """Set ``g.security`` for this request from its Authorization header."""
    creds = basic_credentials()
    g.security = ANONYMOUS
    if not creds:
        return
    username, password = creds
    with state.lock:
        if username.startswith(ROBOT_PREFIX):
            robot = state.robots.get(username[len(ROBOT_PREFIX):])
            if robot and not robot["disable"] and robot["secret"] == password:
                g.security = Context(username=username, sysadmin=robot["sysadmin"], robot=True)
            return
        freeze = getattr(state, "login_freeze", 0) or 0
        failures = state.extensions.setdefault("login_failures", {})
        if freeze and time.monotonic() - failures.get(username, float("-inf")) <= freeze:
            return                      # locked after a recent failure: anonymous, even with the right password
        user = state.users.get(username)
        if user and user["password"] == password:
            g.security = Context(username=username, sysadmin=user["sysadmin"])
            return
        if freeze:
            failures[username] = time.monotonic()
    if freeze:
        time.sleep(freeze)              # Harbor sleeps frozenTime in the failed request itself


def current():
    return g.get("security", ANONYMOUS)


def require_authenticated():
    if not current().authenticated:
        raise unauthorized()


def require_sysadmin():
    """System-level RBAC (BaseAPI.RequireSystemAccess): 401 for anonymous callers; 403 for callers without the
    permission, with the caller's username as the message (``ForbiddenError(nil).WithMessage(GetUsername())``)."""
    require_authenticated()
    if not current().sysadmin:
        raise forbidden(current().username)
