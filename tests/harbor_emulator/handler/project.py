"""Projects (mirrors src/server/v2.0/handler/project.go, src/controller/project and src/pkg/project).

Stored project (``state.projects[id]``): ``project_id``, ``name``, ``owner_id``, ``registry_id`` (int, 0 for a normal
project; None for ``library``, whose row the initial SQL migration inserted before the column existed: NULL matches no
``registry_id`` filter, so the registry delete guard of id 0 does not count it), ``creation_time``, ``update_time``, ``metadata`` (``{key: str}``),
``cve_allowlist`` and ``members`` (``{user_id: role_id}``). A deleted project is removed (Harbor soft-deletes and renames
it, so it is gone for the API and its name is free again).

Project-level RBAC (``load``/``require_access``) is shared with the metadata, repository and artifact handlers.
"""
import re

from flask import Blueprint, Response, current_app, jsonify, request

from .. import rbac, security
from ..errors import bad_request, conflict, forbidden, internal, not_found, precondition, unauthorized
from ..state import ZERO_TIME, now
from ..store import artifact_store
from . import quota
from .base import created, filter_by_query, ok, page, paged
from .binding import binding_error, expect, flag, go_type_of, json_body

bp = Blueprint("project", __name__)

PROJECTS = "/api/v2.0/projects"
PROJECT = PROJECTS + "/<project_name_or_id>"

NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*\Z")      # Go's $: the end of the text, never before a final newline
NAME_MAX_LEN = 255
STORAGE_PER_PROJECT = -1                    # config storage_per_project default
PROXY_RETENTION_DAYS = 7
ROLE_PROJECT_ADMIN = 1
NOT_DELETABLE = "the project contains repositories, can not be deleted"

# swagger ProjectMetadata keys and the first Harbor version that knows each one (older servers drop the key silently)
METADATA_SINCE = {
    "public": "2.0.0", "enable_content_trust": "2.0.0", "enable_content_trust_cosign": "2.5.0", "prevent_vul": "2.0.0",
    "severity": "2.0.0", "auto_scan": "2.0.0", "auto_sbom_generation": "2.11.0", "reuse_sys_cve_allowlist": "2.0.0",
    "retention_id": "2.0.0", "proxy_speed_kb": "2.12.0", "max_upstream_conn": "2.14.1", "proxy_cache_local_on_not_found": "2.15.1",
}
PROXY_ONLY_KEYS = ("proxy_speed_kb", "max_upstream_conn")
CVSS3_SEVERITIES = ("none", "low", "medium", "high", "critical")

# installer default of PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE: type -> (first version with it, first version without it)
PROXY_CACHE_TYPES = {
    "docker-hub": ("2.1.0", None), "harbor": ("2.1.0", None), "azure-acr": ("2.2.0", None), "aws-ecr": ("2.2.0", None),
    "google-gcr": ("2.2.0", None), "quay": ("2.2.0", "2.14.0"), "docker-registry": ("2.3.0", None),
    "github-ghcr": ("2.6.0", None), "jfrog-artifactory": ("2.7.0", None), "ali-acr": ("2.12.0", None),
}

REGISTRY_SUMMARY_FIELDS = ("id", "url", "name", "type", "insecure", "ca_certificate", "description", "status", "creation_time", "update_time")


def state():
    return current_app.config["state"]


# ----- request bodies

def bind_project_req(data, param="project"):
    """Decode a ``ProjectReq`` like Go does: wrong types fail, unknown keys (and keys this version lacks) are dropped."""
    if not isinstance(data, dict):
        raise binding_error('parsing %s body from "" failed, because json: cannot unmarshal %s into Go value of type models.ProjectReq'
                            % (param, go_type_of(data)))
    req = {"project_name": expect(data.get("project_name"), (str,), param, "ProjectReq", "project_name", "string"),
           "public": expect(data.get("public"), (bool,), param, "ProjectReq", "public", "bool"),
           "storage_limit": expect(data.get("storage_limit"), (int,), param, "ProjectReq", "storage_limit", "int64"),
           "registry_id": expect(data.get("registry_id"), (int,), param, "ProjectReq", "registry_id", "int64"),
           "metadata": None, "cve_allowlist": None}
    if len(req["project_name"] or "") > NAME_MAX_LEN:
        # models.ProjectReq.Validate's composite error inside the body binding's own composite: two prefixes
        raise binding_error("validation failure list:\nproject_name in body should be at most %d chars long" % NAME_MAX_LEN)
    metadata = expect(data.get("metadata"), (dict,), param, "ProjectReq", "metadata", "models.ProjectMetadata")
    if metadata is not None:
        req["metadata"] = {}
        for key in known_metadata_keys():
            value = expect(metadata.get(key), (str,), param, "ProjectMetadata", "metadata." + key, "string")
            if value is not None and not (key == "public" and value == ""):
                req["metadata"][key] = value
    allowlist = expect(data.get("cve_allowlist"), (dict,), param, "ProjectReq", "cve_allowlist", "models.CVEAllowlist")
    if allowlist is not None:
        req["cve_allowlist"] = bind_allowlist(allowlist, param)
    return req


def bind_allowlist(data, param):
    items = expect(data.get("items"), (list,), param, "CVEAllowlist", "cve_allowlist.items", "[]*models.CVEAllowlistItem") or []
    cves = []
    for item in items:
        item = expect(item, (dict,), param, "CVEAllowlist", "cve_allowlist.items", "models.CVEAllowlistItem") or {}
        cves.append({"cve_id": expect(item.get("cve_id"), (str,), param, "CVEAllowlistItem", "cve_allowlist.items.cve_id", "string") or ""})
    return {"project_id": expect(data.get("project_id"), (int,), param, "CVEAllowlist", "cve_allowlist.project_id", "int64") or 0,
            "expires_at": expect(data.get("expires_at"), (int,), param, "CVEAllowlist", "cve_allowlist.expires_at", "int64"),
            "items": cves}


def known_metadata_keys():
    st = state()
    return [key for key, since in METADATA_SINCE.items() if st.version_at_least(since)]


# ----- lookups and project RBAC

def project_ref(raw):
    """parseProjectNameOrID: an int64 is an id unless ``X-Is-Resource-Name`` is true."""
    if flag(request.headers.get("X-Is-Resource-Name")):
        return raw
    if re.fullmatch(r"[+-]?\d+", raw) and -2 ** 63 <= int(raw) < 2 ** 63:
        return int(raw)
    return raw


def find(st, ref):
    """The stored project for an id or a name, or None."""
    if isinstance(ref, int):
        return st.projects.get(ref)
    if " " in ref:
        raise bad_request("invalid project name: '%s'" % ref)
    return next((p for p in st.projects.values() if p["name"] == ref), None)


def caller_user_id(st):
    ctx = security.current()
    user = st.users.get(ctx.username) if ctx.authenticated and not ctx.robot else None
    return user["user_id"] if user else None


def can(st, project, action, resource):
    """Project-level permission of the caller (rbac.py); a missing project grants nothing but to a system admin.

    A /v2/ bearer token grants the repository actions the token service put in it, per project name; a robot what its
    permissions say; a user everything as a member, else what anyone may do in a public project."""
    ctx = security.current()
    if ctx.access is not None:
        return project is not None and resource == "repository" and action in ctx.access.get(project["name"], ())
    if ctx.sysadmin:
        return True
    if project is None:
        return False
    robot = security.current_robot(st)
    if robot is not None:
        return rbac.robot_can_project(robot, project, action, resource)
    if ctx.robot:
        return False                    # deleted during the request
    if caller_user_id(st) in project["members"]:
        return True
    return is_public(project) and (resource, action) in rbac.PUBLIC_PROJECT_POLICIES


def require_access(st, ref, action, resource="project"):
    """RequireProjectAccess: 401 for anonymous callers, 403 for others without the permission (before any 404)."""
    if not can(st, find(st, ref), action, resource):
        raise unauthorized() if not security.current().authenticated else forbidden()


def load(st, ref, action, resource="project"):
    """Check the caller's permission, then return the stored project (404 when it does not exist)."""
    require_access(st, ref, action, resource)
    project = find(st, ref)
    if project is None:
        raise not_found("project %s not found" % ref)
    return project


def user_name(st, user_id):
    return next((name for name, user in st.users.items() if user["user_id"] == user_id), "")


def first_sysadmin_id(st):
    return min(user["user_id"] for user in st.users.values() if user["sysadmin"])


# ----- creation (shared with the seed control and the initial "library" project)

def create_project(st, name, owner_id, metadata, registry_id=0, storage_limit=STORAGE_PER_PROJECT):
    """projectCtl.Create + quota + proxy retention: validate the name, store the project, return it (lock held by caller)."""
    if not 1 <= len(name) <= NAME_MAX_LEN:
        raise bad_request("Project name %s is illegal in length. (greater than %d or less than 1)" % (name, NAME_MAX_LEN))
    if not NAME_PATTERN.match(name):
        raise bad_request("project name is not in lower case or contains illegal characters")
    if find(st, name) is not None:
        raise conflict("The project named %s already exists" % name)
    project_id = st.next_id("project")
    stamp = now()
    project = st.projects[project_id] = {
        "project_id": project_id, "name": name, "owner_id": owner_id, "registry_id": registry_id or 0,
        "creation_time": stamp, "update_time": stamp, "metadata": dict(metadata),
        "cve_allowlist": {"id": st.next_id("cve_allowlist"), "project_id": project_id, "expires_at": None, "items": []},
        "members": {owner_id: ROLE_PROJECT_ADMIN},
    }
    project["metadata"].pop("retention_id", None)
    if storage_limit is not None:
        quota.create(st, project_id, storage_limit)
    if registry_id:
        project["metadata"]["retention_id"] = str(st.next_id("retention"))
    return project


def init_state(st):
    """Harbor starts with the public project ``library`` (id 1) owned by the admin, with its quota."""
    with st.lock:
        if find(st, "library") is None:
            create_project(st, "library", first_sysadmin_id(st), {"public": "true"})["registry_id"] = None


# ----- rendering

def render_metadata(st, metadata):
    """ProjectMetadata as GET shows it: only the keys this version knows; severity as a CVSS v3 rating."""
    out = {}
    for key in known_metadata_keys():
        if key in metadata:
            out[key] = metadata[key]
    if "severity" in out:
        severity = out["severity"].lower()
        severity = "none" if severity == "negligible" else severity
        out["severity"] = severity if severity in CVSS3_SEVERITIES else "unknown"
    return out


def render_allowlist(allowlist):
    out = {"id": allowlist["id"], "project_id": allowlist["project_id"]}
    if allowlist.get("expires_at") is not None:
        out["expires_at"] = allowlist["expires_at"]
    out.update(items=[dict(item) for item in allowlist["items"]], creation_time=ZERO_TIME, update_time=ZERO_TIME)
    return out


def render(st, project, detail=True):
    """model.Project.ToSwagger (handler/model/project.go). ``current_user_role_ids`` is built by appending to a nil slice:
    ``null`` for a caller who is no member (and for robots, whose roles populateProperties never reads). Without
    ``detail`` (``with_detail=false``, controller/project assembleProjects returns early) metadata and owner are not
    loaded and the allowlist is the zero value: ``metadata`` and ``owner_name`` are omitted, the allowlist is only
    ``{"items": null}`` with zero times."""
    out = {"project_id": project["project_id"], "owner_id": project["owner_id"], "name": project["name"]}
    if project["registry_id"]:
        out["registry_id"] = project["registry_id"]
    out.update(creation_time=project["creation_time"], update_time=project["update_time"])
    if detail:
        out["owner_name"] = user_name(st, project["owner_id"])
    role = project["members"].get(caller_user_id(st))
    if role:
        out["current_user_role_id"] = role
    out["current_user_role_ids"] = [role] if role else None
    # repo_count is x-omitempty: false in swagger (models.Project): sent as 0 too
    out["repo_count"] = artifact_store(st).repository_count(project["name"])
    if detail:
        out.update(metadata=render_metadata(st, project["metadata"]), cve_allowlist=render_allowlist(project["cve_allowlist"]))
    else:
        out["cve_allowlist"] = {"items": None, "creation_time": ZERO_TIME, "update_time": ZERO_TIME}
    return out


# ----- list / head / create

@bp.route(PROJECTS, methods=["GET", "HEAD"])
def list_projects():
    if request.method == "HEAD":
        return head_project()
    page()                                          # go-swagger binds page/page_size before the handler runs
    st = state()
    ctx = security.current()
    public = flag(request.args.get("public"), None)
    if not ctx.authenticated and public is False:
        return empty_list()
    with st.lock:
        projects = sort_projects(st.projects.values())
        if not ctx.authenticated:
            public = True
        elif ctx.robot and not security.can_system("list", "project"):
            names = robot_project_names(st, security.current_robot(st))
            if names is not None:           # a robot that covers all projects (/project/*) sees them all
                projects = [p for p in projects if p["name"] in names or (public is not False and is_public(p))]
        elif not security.can_system("list", "project"):
            uid = caller_user_id(st)
            projects = [p for p in projects if uid in p["members"] or (public is not False and is_public(p))]
        if public is not None:
            projects = [p for p in projects if is_public(p) == public]
        name = request.args.get("name")
        if name:                                    # q.FuzzyMatchValue: case-insensitive
            projects = [p for p in projects if name.upper() in p["name"].upper()]
        owner = request.args.get("owner")
        if owner:
            projects = [p for p in projects if user_name(st, p["owner_id"]) == owner]
        filterable = {key: (lambda p, column=column: p[column]) for key, column in COLUMN_KEYS.items()}
        filterable.update(public=is_public, owner=lambda p: user_name(st, p["owner_id"]))     # the FilterBy methods
        projects = filter_by_query(projects, filterable)
        if not projects:
            return empty_list()
        detail = flag(request.args.get("with_detail"), True)
        return paged([render(st, p, detail) for p in projects])


# src/pkg/project/models/project.go: the keys lib/orm knows (Go field and column names) -> stored column
COLUMN_KEYS = {}
for _field, _column in (("ProjectID", "project_id"), ("OwnerID", "owner_id"), ("Name", "name"), ("CreationTime", "creation_time"),
                        ("UpdateTime", "update_time"), ("RegistryID", "registry_id")):
    COLUMN_KEYS[_field] = COLUMN_KEYS[_column] = _column
SORTABLE = tuple(COLUMN_KEYS)


def sort_projects(projects):
    """``sort=key,-key`` on the project's columns (unknown keys ignored, as Harbor does); by name when nothing applies."""
    keys = [key.strip() for key in request.args.get("sort", "").split(",") if key.strip().lstrip("-") in SORTABLE]
    projects = sorted(projects, key=lambda p: p["name"])
    for key in reversed(keys):
        column = COLUMN_KEYS[key.lstrip("-")]       # library's NULL registry_id sorts like PostgreSQL: last ascending, first descending
        projects.sort(key=lambda p: (p[column] is None, 0 if p[column] is None else p[column]), reverse=key.startswith("-"))
    return projects


def robot_project_names(st, robot):
    """ListProjects for a robot: the projects its permissions name, or None when one covers all projects (IsCoverAll)."""
    if robot is None:
        return set()
    if any(row["scope"] == rbac.ALL_PROJECTS_SCOPE for row in robot["policies"]):
        return None
    ids = {rbac.namespace_project_id(row["scope"]) for row in robot["policies"]}
    return {st.projects[i]["name"] for i in ids if i in st.projects}


def is_public(project):
    return project["metadata"].get("public") == "true"


def empty_list():
    resp = jsonify([])
    resp.headers["X-Total-Count"] = "0"
    return resp


def head_project():
    security.require_authenticated()
    st = state()
    name = request.args.get("project_name")
    if name is None:
        raise binding_error("project_name in query is required")
    with st.lock:
        if find(st, name) is None:
            raise not_found("project %s not found" % name)
    return Response(status=200)


@bp.post(PROJECTS)
def create_project_api():
    req = bind_project_req(json_body("project"))    # go-swagger binds the body before the handler checks the caller
    security.require_authenticated()
    st = state()
    ctx = security.current()
    with st.lock:
        robot = security.current_robot(st)
        if robot is not None and not rbac.is_system_level(robot):
            raise forbidden("Only system level robot can create project")
    admin = security.can_system("create", "project")   # isSysAdmin(ctx, rbac.ActionCreate)
    if req["registry_id"] is not None and not admin:
        raise forbidden("Only system admin can create proxy cache project")
    storage_limit = req["storage_limit"]
    if not storage_limit or not admin:
        storage_limit = STORAGE_PER_PROJECT
    metadata = req["metadata"] or {}
    if req["public"] is not None and "public" not in metadata:
        metadata["public"] = "true" if req["public"] else "false"
    metadata.setdefault("public", "false")
    if metadata["public"] not in ("true", "false"):
        raise bad_request("metadata.public should only be 'true' or 'false', but got: '%s'" % metadata["public"])
    if req["registry_id"] is None:
        for key in PROXY_ONLY_KEYS:
            metadata.pop(key, None)
    else:
        metadata.pop("enable_content_trust", None)
    with st.lock:
        validate_project_req(st, req, metadata, storage_limit)
        owner_id = first_sysadmin_id(st) if ctx.robot else caller_user_id(st)
        project = create_project(st, req["project_name"] or "", owner_id, metadata, req["registry_id"] or 0, storage_limit)
    if flag(request.headers.get("X-Resource-Name-In-Location")):
        return created(project["name"])
    return created(project["project_id"])


def validate_project_req(st, req, metadata, storage_limit):
    """validateProjectReq: retention_id must be empty, registry_id must name a permitted registry, quota in range."""
    if metadata.get("retention_id"):
        raise bad_request("bad request: the retention_id in the request's payload when creating a project should be omitted, "
                          "alternatively passing an empty string")
    registry_id = req["registry_id"]
    if registry_id is not None:
        if registry_id <= 0:
            raise bad_request("bad request: %d is invalid value of registry_id, it should be geater than 0" % registry_id)
        registry = st.registries.get(registry_id)
        if registry is None:
            raise internal("failed to get the registry %d: registry %d not found" % (registry_id, registry_id))
        if registry["type"] not in permitted_proxy_cache_types(st):
            raise bad_request("bad request: unsupported registry type %s" % registry["type"])
        for key, what in (("proxy_speed_kb", "should by an int32, but got:"), ("max_upstream_conn", "should be an int, but got")):
            if key in metadata:
                error = parse_int32_error(metadata[key])
                if error:
                    raise bad_request("metadata.%s %s '%s', err: %s" % (key, what, metadata[key], error))
    error = quota.limit_error(storage_limit)
    if error:
        raise bad_request("bad request: " + error)


def permitted_proxy_cache_types(st):
    return [kind for kind, (since, until) in PROXY_CACHE_TYPES.items()
            if st.version_at_least(since) and not (until and st.version_at_least(until))]


def parse_int32_error(text):
    """The error Go's strconv.ParseInt(text, 10, 32) returns, or None."""
    if not re.fullmatch(r"[+-]?\d+", text):
        return 'strconv.ParseInt: parsing "%s": invalid syntax' % text
    if not -2 ** 31 <= int(text) < 2 ** 31:
        return 'strconv.ParseInt: parsing "%s": value out of range' % text
    return None


# ----- get / update / delete

@bp.get(PROJECT)
def get_project(project_name_or_id):
    st = state()
    with st.lock:
        return jsonify(render(st, load(st, project_ref(project_name_or_id), "read")))


@bp.put(PROJECT)
def update_project(project_name_or_id):
    st = state()
    req = bind_project_req(json_body("project"))
    with st.lock:
        project = load(st, project_ref(project_name_or_id), "update")
        allowlist = req["cve_allowlist"]
        if allowlist is not None and allowlist["project_id"] not in (0, project["project_id"]):
            raise bad_request("project_id in cve_allowlist must be %d but it's %d" % (project["project_id"], allowlist["project_id"]))
        metadata = dict(req["metadata"] or {})
        drop = ("enable_content_trust",) if project["registry_id"] else PROXY_ONLY_KEYS
        for key in drop:
            metadata.pop(key, None)
        if "retention_id" in metadata and metadata["retention_id"] != project["metadata"].get("retention_id"):
            raise bad_request("the retention_id in the request's payload when updating a project should be omitted, "
                              "alternatively passing the one that has already been associated to this project")
        project["metadata"].update(metadata)           # controller.Update writes the metadata before the allowlist
        if allowlist is not None:
            error = allowlist_error(allowlist)
            if error:
                raise internal(error)
            project["cve_allowlist"].update(expires_at=allowlist["expires_at"], items=allowlist["items"])
    return ok()


def allowlist_error(allowlist):
    """pkg/allowlist/validator.go Validate: a blank (after trimming) or repeated CVE id. It returns a plain error, so the
    handler's SendError answers an opaque 500."""
    seen = set()
    for item in allowlist["items"]:
        if not item["cve_id"].strip():
            return "empty or whitespace-only CVE ID in allowlist"
        if item["cve_id"] in seen:
            return "duplicate CVE ID in allowlist: %s" % item["cve_id"]
        seen.add(item["cve_id"])
    return None


def deletable(st, project):
    if artifact_store(st).repository_count(project["name"]) > 0:
        return {"message": NOT_DELETABLE}       # go-swagger omits the false ``deletable``
    return {"deletable": True}


@bp.delete(PROJECT)
def delete_project(project_name_or_id):
    st = state()
    with st.lock:
        project = load(st, project_ref(project_name_or_id), "delete")
        if "message" in deletable(st, project):
            raise precondition("precondition failed: " + NOT_DELETABLE)
        del st.projects[project["project_id"]]
        quota.delete_of_project(st, project["project_id"])
        for robot_id in [r["id"] for r in st.robots.values() if r["project_id"] == project["project_id"]]:
            del st.robots[robot_id]         # robotMgr.DeleteByProjectID
    return ok()


@bp.get(PROJECT + "/_deletable")
def get_deletable(project_name_or_id):
    st = state()
    with st.lock:
        return jsonify(deletable(st, load(st, project_ref(project_name_or_id), "delete")))


@bp.get(PROJECT + "/summary")
def get_summary(project_name_or_id):
    st = state()
    with st.lock:
        project = load(st, project_ref(project_name_or_id), "read")
        summary = {"repo_count": artifact_store(st).repository_count(project["name"])}     # x-omitempty: false
        if can(st, project, "list", "member"):
            admins = sum(1 for role in project["members"].values() if role == ROLE_PROJECT_ADMIN)
            if admins:
                summary["project_admin_count"] = admins
        if can(st, project, "read", "quota"):
            usage = quota.of_project(st, project["project_id"])
            if usage:
                summary["quota"] = {"hard": dict(usage["hard"]), "used": quota.used(st, usage)}
        registry = st.registries.get(project["registry_id"]) if project["registry_id"] else None
        if registry:                    # copied into the swagger Registry: omitempty drops false and "" (insecure, description, CA)
            summary["registry"] = {key: registry[key] for key in REGISTRY_SUMMARY_FIELDS if registry.get(key) not in (None, False, "")}
    return jsonify(summary)
