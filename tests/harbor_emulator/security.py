"""Who is calling (mirrors src/server/middleware/security) and what the caller may do (rbac.py).

Basic auth with a known user or a robot gives a security context; anything else, bad credentials included, runs as
anonymous, exactly like Harbor (no error at this stage). A robot logs in with its full name: the robot name prefix
(the ``robot_name_prefix`` system setting, ``robot$`` by default; ``state.robot_prefix``) and the name Harbor stores
(``<name>`` for a system robot, ``<project>+<name>`` for a project robot), found like security/robot.go does: by the
stored name, then the salted secret, then not disabled, then not expired (``expires_at`` -1 never expires).

Login freeze (src/core/auth/authenticator.go ``Login``, ``frozenTime`` 1.5 s; src/core/auth/lock.go ``UserLock``): a
failed basic-auth login of a user (not a robot) locks that user name and sleeps for the freeze time; while the name is
locked, every login with it, a correct one included, runs as anonymous. ``state.login_freeze`` (seconds; the
``Emulator(login_freeze=...)`` argument) sets the time; 0, the emulator's default, turns it off because many tests reuse
a user name right after a bad login on purpose.
"""
import base64
import time
from dataclasses import dataclass

from flask import current_app, g, request

from . import rbac
from .errors import forbidden, unauthorized


@dataclass(frozen=True)
class Context:
    username: str = ""
    sysadmin: bool = False
    robot: bool = False
    robot_id: int = 0           # the robot's id in state.robots (a robot caller)
    access: object = None       # a /v2/ bearer token's {project name: {actions}} (v2token.New); None otherwise

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
        if username.startswith(state.robot_prefix):
            robot = robot_of(state, username)
            if robot and robot["secret"] == password and usable(robot):
                g.security = robot_context(state, robot)
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


def robot_of(state, username):
    """The stored robot a login name stands for (the first by name, as the robot generator takes robots[0]), or None."""
    if not username.startswith(state.robot_prefix):
        return None
    stored = username[len(state.robot_prefix):]
    found = sorted((r for r in state.robots.values() if r["name"] == stored), key=lambda r: r["id"])
    return found[0] if found else None


def usable(robot):
    """Not disabled and not expired (security/robot.go)."""
    return not robot["disabled"] and (robot["expires_at"] == -1 or robot["expires_at"] > time.time())


def robot_context(state, robot):
    return Context(username=state.robot_prefix + robot["name"], robot=True, robot_id=robot["id"])


def current():
    return g.get("security", ANONYMOUS)


def current_robot(state):
    """The stored robot of the caller, or None (a user, an anonymous caller, a robot deleted meanwhile)."""
    ctx = current()
    return state.robots.get(ctx.robot_id) if ctx.robot else None


def can_system(action, resource):
    """secCtx.Can(action, /system/<resource>): a system administrator may do anything, a robot what its system
    policies allow, anyone else nothing (the emulator's users have no system-level roles)."""
    ctx = current()
    if ctx.access is not None:
        return False                    # a /v2/ token's context knows repositories only
    if ctx.sysadmin:
        return True
    state = current_app.config["state"]
    with state.lock:
        robot = current_robot(state)
        return robot is not None and rbac.robot_can_system(robot, action, resource)


def require_authenticated():
    if not current().authenticated:
        raise unauthorized()


def require_system(action, resource):
    """System-level RBAC (BaseAPI.RequireSystemAccess): 401 for anonymous callers; 403 for callers without the
    permission, with the caller's username as the message (``ForbiddenError(nil).WithMessage(GetUsername())``)."""
    require_authenticated()
    if not can_system(action, resource):
        raise forbidden(current().username)
