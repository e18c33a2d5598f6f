"""Who is calling (mirrors src/server/middleware/security).

Basic auth with a known user or an enabled system robot gives a security context; anything else, bad
credentials included, runs as anonymous, exactly like Harbor (no error at this stage).
"""
import base64
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
        user = state.users.get(username)
        if user and user["password"] == password:
            g.security = Context(username=username, sysadmin=user["sysadmin"])


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
