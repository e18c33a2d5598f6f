"""Robot accounts (mirrors src/server/v2.0/handler/robot.go, src/controller/robot/controller.go and model.go,
src/pkg/robot/dao/dao.go, src/server/v2.0/handler/model/robot.go).

Stored robot (``state.robots[id]``): ``id``, ``name`` as Harbor stores it (``<name>`` for a system robot,
``<project>+<name>`` for a project robot; answers add the robot name prefix, ``state.robot_prefix``), ``description``,
``secret`` (in clear: the emulator does not salt and hash), ``duration`` (days, -1 never), ``project_id`` (0 for a
system robot: the level follows from it), ``expires_at`` (Unix seconds, -1 never), ``disabled``, ``visible``,
``creator_ref``/``creator_type`` (``local`` user id or ``robot`` id), ``creation_time``/``update_time``, ``created``
(epoch seconds, for the expiry after a duration change) and ``policies``: the rbac rows ``{scope, resource, action,
effect}`` with scope ``/system``, ``/project/*`` or ``/project/<id>`` (Harbor's permission_policy table). Answers group
the rows by scope again (populatePermissions) and leave out the scopes of projects deleted since.

What Harbor does and this file repeats:
- POST ignores ``secret`` and ``disable`` of the body: every new robot is enabled, with a generated 32-character secret
  returned once in ``RobotCreated``; set a chosen secret with ``PATCH /robots/{id}`` ``{"secret": ...}`` (8 to 128
  characters with an upper-case letter, a lower-case letter and a digit; the answer is then ``{}``) and disable it
  with PUT. GET never returns a secret.
- Who may do what (requireAccess): a system robot needs system ``robot`` permissions, a project robot ``robot``
  permissions in its project (project administrators and robots with them); a robot creating a robot may give it only
  permissions it has itself (isValidPermissionScope, 403 DENIED). PUT and PATCH need the ``update`` action, which no
  robot can be given: only administrators (and project administrators for project robots) update robots.
- PUT replaces description, disable, duration (``expires_at`` then counts from the creation time) and permissions,
  and must repeat the robot's full name and level (400 otherwise); the project of a project robot cannot change.
- ``GET /robots`` lists system robots, or with ``q=Level=project,ProjectID=<id>`` one project's robots, sorted by name;
  ``q=name=<stored name>`` finds one (without the prefix).
- Deleting a project deletes its robots (project.py).
"""
import re
import secrets
import string
import time

from flask import Blueprint, current_app, jsonify, request

from .. import rbac, security
from ..errors import HarborAPIError, bad_request, conflict, forbidden, internal, not_found, unauthorized
from ..state import now
from . import project as projects
from .base import filter_by_query, ok, page, paged, path_id, query_terms, sort_by_query
from .binding import binding_error, expect, go_type_of, json_body

bp = Blueprint("robot", __name__)

ROBOTS = "/api/v2.0/robots"
ROBOT = ROBOTS + "/<raw_id>"
LEVELS = ("system", "project")
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
SECRET_RULE = ("the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase letter"
               " and 1 number")
SECRET_CHARS = string.ascii_lowercase + string.ascii_uppercase + string.digits
DAY = 86400

STRING, BOOL, INT64 = ((str,), "string"), ((bool,), "bool"), ((int,), "int64")
BODY_FIELDS = {
    "RobotCreate": {"name": STRING, "description": STRING, "secret": STRING, "level": STRING, "disable": BOOL,
                    "duration": INT64},
    "Robot": {"id": INT64, "name": STRING, "description": STRING, "secret": STRING, "level": STRING, "duration": INT64,
              "editable": BOOL, "disable": BOOL, "expires_at": INT64, "creator_type": STRING, "creator_ref": INT64,
              "creation_time": STRING, "update_time": STRING},
}
PERMISSION_FIELDS = {"kind": STRING, "namespace": STRING}
ACCESS_FIELDS = {"resource": STRING, "action": STRING, "effect": STRING}
# src/pkg/robot/model/model.go: the Go field and column names lib/orm accepts in q and sort (secret and salt are
# filter:"false")
COLUMNS = {"ID": "id", "Name": "name", "Description": "description", "Duration": "duration", "ProjectID": "project_id",
           "ExpiresAt": "expires_at", "Disabled": "disabled", "Visible": "visible", "CreatorRef": "creator_ref",
           "CreatorType": "creator_type", "CreationTime": "creation_time", "UpdateTime": "update_time"}
COLUMN_NAMES = {"expiresat": "expires_at"}


def state():
    return current_app.config["state"]


# ----- request bodies

def bind(struct, param):
    """The body decoded into ``struct`` (go-swagger: wrong JSON types are a 422 before the handler runs)."""
    data = json_body(param)
    if not isinstance(data, dict):
        raise binding_error('parsing %s body from "" failed, because json: cannot unmarshal %s into Go value of type models.%s'
                            % (param, go_type_of(data), struct))
    out = {key: expect(data.get(key), kinds, param, struct, key, go_type) for key, (kinds, go_type) in BODY_FIELDS[struct].items()}
    permissions = expect(data.get("permissions"), (list,), param, struct, "permissions", "[]*models.RobotPermission") or []
    out["permissions"] = [bind_permission(item, param) for item in permissions]
    return out


def bind_permission(item, param):
    if item is None:
        return None                     # a nil *RobotPermission: the handler dereferences it (a panic, opaque 500)
    item = expect(item, (dict,), param, "RobotPermission", "permissions", "models.RobotPermission")
    out = {key: expect(item.get(key), kinds, param, "RobotPermission", "permissions." + key, go_type) or ""
           for key, (kinds, go_type) in PERMISSION_FIELDS.items()}
    access = expect(item.get("access"), (list,), param, "RobotPermission", "permissions.access", "[]*models.Access") or []
    out["access"] = []
    for entry in access:
        entry = expect(entry, (dict,), param, "Access", "permissions.access", "models.Access")
        if entry is None:
            raise internal("nil access")
        out["access"].append({key: expect(entry.get(key), kinds, param, "Access", "permissions.access." + key, go_type) or ""
                              for key, (kinds, go_type) in ACCESS_FIELDS.items()})
    return out


# ----- validation (handler/robot.go validateName, validate)

def validate_name(name):
    if not NAME_PATTERN.match(name or ""):
        raise bad_request("robot name is not in lower case or contains illegal characters")


def valid_duration(duration):
    return duration == -1 or 0 < duration < 2 ** 31 - 1


def validate(duration, level, permissions):
    if not valid_duration(duration):
        raise bad_request("bad request error duration input: %d, duration must be either -1(Never) or a positive integer" % duration)
    if level not in LEVELS:
        raise bad_request("bad request error level input: %s" % level)
    if not permissions:
        raise bad_request("bad request empty permission")
    if any(perm is None for perm in permissions):
        raise internal("nil permission")
    for perm in permissions:
        if not perm["access"]:
            raise bad_request("bad request empty access")
    if level == "project" and len(permissions) > 1:
        raise bad_request("bad request permission")
    for perm in permissions:
        if perm["kind"] not in LEVELS:
            raise bad_request("bad request permission level: %s" % perm["kind"])
        for access in perm["access"]:
            if not rbac.valid_access(perm["kind"], access["resource"], access["action"]):
                raise bad_request("bad request permission: %s:%s" % (access["resource"], access["action"]))


def require_access(st, level, namespace, action):
    """robotAPI.requireAccess: system ``robot`` permission for a system robot, ``robot`` permission in the project (by
    name, or id) for a project robot; an unknown project grants nothing but to an administrator."""
    if level == "system":
        security.require_system(action, "robot")
        return
    with st.lock:
        unnamed = isinstance(namespace, str) and " " in namespace      # GetByName finds nothing: no permission
        allowed = projects.can(st, None if unnamed else projects.find(st, namespace), action, "robot")
    if not allowed:
        raise unauthorized() if not security.current().authenticated else forbidden()


def project_of(st, namespace):
    """project.Get by the permission's namespace (a name): 400 for a name with a space, 404 when it does not exist."""
    found = projects.find(st, namespace)
    if found is None:
        raise not_found("project %s not found" % namespace)
    return found


def policy_rows(st, permissions):
    """controller.createPermission/toScope: the rbac rows of the permissions (400/404 before anything is stored)."""
    rows = []
    for perm in permissions:
        if perm["kind"] == "system":
            if perm["namespace"] != "/":
                raise bad_request("unknown namespace")
            scope = rbac.SYSTEM_SCOPE
        elif perm["namespace"] == "*":
            scope = rbac.ALL_PROJECTS_SCOPE
        else:
            scope = rbac.PROJECT_SCOPE % project_of(st, perm["namespace"])["project_id"]
        rows.extend({"scope": scope, "resource": a["resource"], "action": a["action"], "effect": a["effect"]}
                    for a in perm["access"])
    return rows


def within_creator(permissions, creator):
    """isValidPermissionScope: every permission of the new robot is in the creator robot's permissions of the same kind
    and namespace (or of ``project`` ``*``), access by access with resource, action and effect as given."""
    granted = {}
    for perm in render_permissions(state(), creator):
        granted.setdefault("%s:%s" % (perm["kind"], perm["namespace"]), set()).update(
            "%s:%s:%s" % (a["resource"], a["action"], a.get("effect", "")) for a in perm["access"])
    for perm in permissions:
        have = granted.get("%s:%s" % (perm["kind"], perm["namespace"]))
        if have is None:
            have = granted.get("%s:*" % perm["kind"])
            if have is None:
                return False
        if any("%s:%s:%s" % (a["resource"], a["action"], a["effect"]) not in have for a in perm["access"]):
            return False
    return True


def valid_secret(secret):
    """robot.IsValidSec."""
    return (8 <= len(secret) <= 128 and re.search(r"[a-z]", secret) is not None and re.search(r"[A-Z]", secret) is not None
            and re.search(r"\d", secret) is not None)


def generate_secret():
    """CreateSec: utils.GenerateRandomString (32 letters and digits) until IsValidSec holds."""
    while True:
        secret = "".join(secrets.choice(SECRET_CHARS) for _ in range(32))
        if valid_secret(secret):
            return secret


def expiry(created, duration):
    return -1 if duration == -1 else int(created) + duration * DAY


# ----- rendering (model.Robot.ToSwagger)

def level_of(robot):
    return "project" if robot["project_id"] else "system"


def namespace_of(st, scope):
    """convertScope: ``/system`` -> ``/``, ``/project/*`` -> ``*``, ``/project/<id>`` -> the project's name (None: gone)."""
    if scope == rbac.SYSTEM_SCOPE:
        return "/"
    if scope == rbac.ALL_PROJECTS_SCOPE:
        return "*"
    found = st.projects.get(rbac.namespace_project_id(scope))
    return found["name"] if found else None


def render_permissions(st, robot):
    grouped = {}
    for row in robot["policies"]:
        grouped.setdefault(row["scope"], []).append({key: row[key] for key in ("resource", "action", "effect") if row[key]})
    out = []
    for scope, access in grouped.items():
        namespace = namespace_of(st, scope)
        if namespace is not None:
            out.append({"kind": "system" if scope == rbac.SYSTEM_SCOPE else "project", "namespace": namespace, "access": access})
    return out


def render(st, robot):
    out = {"id": robot["id"], "name": st.robot_prefix + robot["name"]}
    if robot["description"]:
        out["description"] = robot["description"]
    if robot["expires_at"]:
        out["expires_at"] = robot["expires_at"]
    out.update(duration=robot["duration"], level=level_of(robot), disable=robot["disabled"], editable=True)
    if robot["creator_type"]:
        out["creator_type"] = robot["creator_type"]
    if robot["creator_ref"]:
        out["creator_ref"] = robot["creator_ref"]
    out.update(creation_time=robot["creation_time"], update_time=robot["update_time"], permissions=render_permissions(st, robot))
    return out


def get_stored(st, robot_id):
    robot = st.robots.get(robot_id)
    if robot is None:
        raise not_found("robot %d not found" % robot_id)
    return robot


def access_of(robot):
    """requireAccess of an existing robot: (level, its project id or None)."""
    return level_of(robot), robot["project_id"] or None


# ----- endpoints

@bp.post(ROBOTS)
def create_robot():
    st = state()
    data = bind("RobotCreate", "robot")
    validate_name(data["name"])
    duration, level, permissions = data["duration"] or 0, data["level"] or "", data["permissions"]
    validate(duration, level, permissions)
    require_access(st, level, permissions[0]["namespace"], "create")
    ctx = security.current()
    with st.lock:
        creator = security.current_robot(st)
        if ctx.robot:
            if creator is None:
                raise internal("invalid security context: empty robot account")
            if not within_creator(permissions, creator):
                raise HarborAPIError("DENIED", "permission scope is invalid. It must be equal to or more restrictive than the"
                                               " creator robot's permissions: %s" % ctx.username)
            creator_type, creator_ref = "robot", creator["id"]
        else:
            creator_type, creator_ref = "local", projects.caller_user_id(st)
        project = project_of(st, permissions[0]["namespace"]) if level == "project" else None
        name = "%s+%s" % (project["name"], data["name"]) if project else data["name"]
        project_id = project["project_id"] if project else 0
        if any(r["name"] == name and r["project_id"] == project_id for r in st.robots.values()):
            raise conflict("robot account %d:%s already exists" % (project_id, name))
        rows = policy_rows(st, permissions)
        created, stamp = time.time(), now()
        secret = generate_secret()
        robot = {"id": st.next_id("robot"), "name": name, "description": data["description"] or "", "secret": secret,
                 "duration": duration, "project_id": project_id, "expires_at": expiry(created, duration), "disabled": False,
                 "visible": True, "creator_ref": creator_ref, "creator_type": creator_type, "creation_time": stamp,
                 "update_time": stamp, "created": created, "policies": rows}
        st.robots[robot["id"]] = robot
        answer = {"id": robot["id"], "name": st.robot_prefix + name, "secret": secret, "creation_time": stamp,
                  "expires_at": robot["expires_at"]}
    resp = jsonify(answer)
    resp.status_code = 201
    resp.headers["Location"] = "%s/%d" % (request.path.rstrip("/"), robot["id"])
    return resp


@bp.get(ROBOTS)
def list_robots():
    page()
    security.require_authenticated()
    st = state()
    terms = query_terms()
    level, project_id = "system", 0
    if "Level" in terms:
        kind, value = terms["Level"]
        if kind != "exact" or not isinstance(value, str):
            raise internal("Level is not a string")
        if value not in LEVELS:
            raise bad_request("bad request error level input")
        level = value
        if level == "project":
            if "ProjectID" not in terms:
                raise bad_request("must with project ID when to query project robots")
            kind, value = terms["ProjectID"]
            if kind != "exact" or not isinstance(value, str):
                raise internal("ProjectID is not a string")
            if not re.fullmatch(r"[+-]?\d+", value) or int(value) <= 0 or int(value) >= 2 ** 63:
                raise bad_request("ProjectID must be a positive integer")
            project_id = int(value)
    if level == "system":
        security.require_system("list", "robot")
    else:
        require_access(st, "project", project_id, "list")
    with st.lock:
        stored = [dict(r) for r in st.robots.values() if r["visible"] and r["project_id"] == project_id]
    getters = {}
    for field, column in COLUMNS.items():
        getters[field] = getters[column] = (lambda r, column=column: r[column])
    getters.update((alias, getters[column]) for alias, column in COLUMN_NAMES.items())
    filterable = {key: getter for key, getter in getters.items() if key not in ("ProjectID", "project_id", "Visible", "visible")}
    stored = filter_by_query(stored, filterable)
    stored = sort_by_query(stored, getters, default=[(getters["name"], False)])
    with st.lock:
        return paged([render(st, r) for r in stored])


@bp.get(ROBOT)
def get_robot(raw_id):
    robot_id = path_id(raw_id, "robot_id")
    security.require_authenticated()
    st = state()
    with st.lock:
        robot = dict(get_stored(st, robot_id))
    require_access(st, *access_of(robot), action="read")
    with st.lock:
        return jsonify(render(st, robot))


@bp.put(ROBOT)
def update_robot(raw_id):
    st = state()
    robot_id = path_id(raw_id, "robot_id")
    data = bind("Robot", "robot")
    security.require_authenticated()
    with st.lock:
        robot = dict(get_stored(st, robot_id))
    duration = robot["duration"] if data["duration"] is None else data["duration"]
    permissions = data["permissions"]
    validate(duration, data["level"] or "", permissions)
    namespace = permissions[0]["namespace"]
    if level_of(robot) != "system":
        with st.lock:
            if project_of(st, namespace)["project_id"] != robot["project_id"]:
                raise bad_request("cannot update the project id of robot")
    require_access(st, level_of(robot), namespace, "update")
    if data["level"] != level_of(robot) or data["name"] != st.robot_prefix + robot["name"]:
        raise bad_request("cannot update the level or name of robot")
    with st.lock:
        rows = policy_rows(st, permissions)
        stored = get_stored(st, robot_id)
        if stored["duration"] != duration:
            stored["duration"] = duration
            stored["expires_at"] = expiry(stored["created"], duration)
        stored.update(description=data["description"] or "", disabled=bool(data["disable"]), policies=rows, update_time=now())
    return ok()


@bp.patch(ROBOT)
def refresh_secret(raw_id):
    st = state()
    robot_id = path_id(raw_id, "robot_id")
    data = json_body("robotSec")
    if not isinstance(data, dict):
        raise binding_error('parsing robotSec body from "" failed, because json: cannot unmarshal %s into Go value of type'
                            ' models.RobotSec' % go_type_of(data))
    given = expect(data.get("secret"), (str,), "robotSec", "RobotSec", "secret", "string") or ""
    security.require_authenticated()
    with st.lock:
        robot = dict(get_stored(st, robot_id))
    require_access(st, *access_of(robot), action="update")
    answer = {}
    if given:
        if not valid_secret(given):
            raise bad_request(SECRET_RULE)
        secret = given
    else:
        secret = answer["secret"] = generate_secret()
    with st.lock:
        get_stored(st, robot_id).update(secret=secret, update_time=now())
    return jsonify(answer)


@bp.delete(ROBOT)
def delete_robot(raw_id):
    st = state()
    robot_id = path_id(raw_id, "robot_id")
    security.require_authenticated()
    with st.lock:
        robot = dict(get_stored(st, robot_id))
    require_access(st, *access_of(robot), action="delete")
    with st.lock:
        get_stored(st, robot_id)
        del st.robots[robot_id]
    return ok()
