"""Per-key project metadata (mirrors src/server/v2.0/handler/project_metadata.go).

Unlike POST/PUT /projects, these endpoints check one key/value pair and normalise it: booleans the way Go's
strconv.ParseBool reads them, severity as a lower-case CVSS v3 rating (``negligible`` -> ``none``), ints as int32.
"""
from flask import Blueprint, current_app, jsonify

from ..errors import bad_request, conflict
from . import project as projects
from .base import ok
from .binding import binding_error, json_body

bp = Blueprint("project_metadata", __name__)

METADATAS = projects.PROJECT + "/metadatas/"
METADATA = projects.PROJECT + "/metadatas/<meta_name>"

BOOL_KEYS = ("public", "enable_content_trust", "enable_content_trust_cosign", "auto_sbom_generation", "prevent_vul", "auto_scan",
             "reuse_sys_cve_allowlist", "proxy_cache_local_on_not_found")
INT32_KEYS = ("proxy_speed_kb", "max_upstream_conn")
GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def validate(metas):
    """The handler's validate(): exactly one known key; its value normalised, or 400."""
    if len(metas) != 1:
        raise bad_request("only allow one key/value pair")
    (key, value), = metas.items()
    if key not in projects.known_metadata_keys() or key == "retention_id":
        raise bad_request("invalid key: %s" % key)
    if key in BOOL_KEYS:
        if value not in GO_TRUE + GO_FALSE:
            raise bad_request("invalid value: %s" % value)
        return {key: "true" if value in GO_TRUE else "false"}
    if key == "severity":
        severity = value.lower()
        severity = "none" if severity == "negligible" else severity
        if severity not in projects.CVSS3_SEVERITIES:
            raise bad_request("invalid value: %s" % value)
        return {key: severity}
    if projects.parse_int32_error(value):
        raise bad_request("invalid value: %s" % value)
    return {key: str(int(value))}


def bind_metadata():
    """The ``metadata`` body: a map of strings."""
    data = json_body("metadata")
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise binding_error('parsing metadata body from "" failed, because json: cannot unmarshal into Go value of type map[string]string')
    return data


def state():
    return current_app.config["state"]


@bp.get(METADATAS)
def list_metadatas(project_name_or_id):
    st = state()
    with st.lock:
        project = projects.load(st, projects.project_ref(project_name_or_id), "list", "metadata")
        return jsonify(dict(project["metadata"]))


def checked_write(st, project_name_or_id, action, pick):
    """Binding, RBAC, validation and lookup in the handler's order: (the project, the normalised {key: value})."""
    body = bind_metadata()
    ref = projects.project_ref(project_name_or_id)
    projects.require_access(st, ref, action, "metadata")
    metadata = validate(pick(body))
    return projects.load(st, ref, action, "metadata"), metadata


@bp.post(METADATAS)
def add_metadatas(project_name_or_id):
    st = state()
    with st.lock:
        project, metadata = checked_write(st, project_name_or_id, "create", lambda body: body)
        (key, value), = metadata.items()
        if key in project["metadata"]:
            raise conflict("metadata %s already exists for project %d" % (key, project["project_id"]))
        project["metadata"][key] = value
    return ok()


@bp.get(METADATA)
def get_metadata(project_name_or_id, meta_name):
    st = state()
    with st.lock:
        project = projects.load(st, projects.project_ref(project_name_or_id), "read", "metadata")
        value = project["metadata"].get(meta_name)
        return jsonify({} if value is None else {meta_name: value})


@bp.put(METADATA)
def update_metadata(project_name_or_id, meta_name):
    st = state()
    with st.lock:
        project, metadata = checked_write(st, project_name_or_id, "update", lambda body: {meta_name: body.get(meta_name, "")})
        if meta_name in project["metadata"]:            # updating a key the project lacks changes nothing
            project["metadata"].update(metadata)
    return ok()


@bp.delete(METADATA)
def delete_metadata(project_name_or_id, meta_name):
    st = state()
    with st.lock:
        project = projects.load(st, projects.project_ref(project_name_or_id), "delete", "metadata")
        project["metadata"].pop(meta_name, None)
    return ok()
