"""The emulator's in-memory state: one ``State`` per emulated Harbor, guarded by one lock.

Every handler takes ``state.lock`` while it reads or changes state. Stored objects are plain dicts in Harbor's own
field names; secrets are stored in clear (as Harbor stores them decrypted in memory) and redacted by the handlers.
"""
import itertools
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone

from . import rbac

GIT_SHA = "080b0220"


def parse_version(text):
    parts = text.lstrip("v").split("-")[0].split(".")
    return tuple(int(p) for p in (parts + ["0", "0"])[:3])


def now():
    """Harbor's timestamps: RFC 3339 in UTC with milliseconds."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


ZERO_TIME = "0001-01-01T00:00:00.000Z"


def automation_robot():
    """The built-in system robot ``automation`` (id 1, secret ``Robot12345``, never expires, created by the admin): every
    system permission and every project permission on all projects (``*``), what Harbor's UI grants with "select all"."""
    rows = [{"scope": rbac.SYSTEM_SCOPE, "resource": r, "action": a, "effect": "allow"} for r, a in sorted(rbac.SYSTEM_POLICIES)]
    rows += [{"scope": rbac.ALL_PROJECTS_SCOPE, "resource": r, "action": a, "effect": "allow"} for r, a in sorted(rbac.PROJECT_POLICIES)]
    stamp = now()
    return {"id": 1, "name": "automation", "description": "", "secret": "Robot12345", "duration": -1, "project_id": 0,
            "expires_at": -1, "disabled": False, "visible": True, "creator_ref": 1, "creator_type": "local",
            "creation_time": stamp, "update_time": stamp, "created": time.time(), "policies": rows}


class State:
    def __init__(self, version="2.15.2", admin_password="Harbor12345", robot_prefix="robot$"):
        self.lock = threading.RLock()
        self.version_text = version.lstrip("v")
        self.version = parse_version(version)
        self.external_url = ""          # set by the server once its address is known
        self.users = {
            "admin": {"user_id": 1, "password": admin_password, "sysadmin": True},
            "developer": {"user_id": 2, "password": "Developer12345", "sysadmin": False},
        }
        self.robot_prefix = robot_prefix    # the robot_name_prefix system setting (Harbor's default robot$)
        self.robots = {1: automation_robot()}   # id -> stored robot (handler/robot.py)
        self.registries = {}            # id -> stored registry (handler/registry.py)
        self.projects = {}              # id -> stored project (handler/project.py)
        self.quotas = {}                # id -> quota (handler/quota.py)
        self.policies = {}              # id -> stored replication policy (handler/replication.py)
        self.executions = {}            # id -> replication execution (handler/replication.py)
        self.tasks = {}                 # id -> replication task (handler/replication.py)
        self.extensions = {}            # per-feature state owned by one handler module, keyed by its name
        self._ids = defaultdict(lambda: itertools.count(1))
        self._ids["robot"] = itertools.count(2)

    def next_id(self, kind):
        return next(self._ids[kind])

    def version_at_least(self, text):
        return self.version >= parse_version(text)

    @property
    def harbor_version(self):
        return "v%s-%s" % (self.version_text, GIT_SHA)
