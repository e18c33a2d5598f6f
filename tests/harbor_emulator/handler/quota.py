"""Storage quotas of projects (mirrors src/server/v2.0/handler/quota.go and src/controller/quota).

Stored quota (``state.quotas[id]``): ``id``, ``reference`` (``project``), ``reference_id`` (the project id as text),
``hard`` (``{"storage": N}``), ``creation_time``, ``update_time``. ``used.storage`` is computed from the artifact store.
"""
from flask import Blueprint, current_app, jsonify, request

from .. import security
from ..errors import bad_request, not_found
from ..state import now
from ..store import artifact_store
from .base import ok, page, paged, path_id, sort_by_query
from .binding import expect, json_body

bp = Blueprint("quota", __name__)

QUOTAS = "/api/v2.0/quotas"
UNLIMITED = -1
MAX_LIMITED_VALUE = 1125899906842624          # 1024 TB in bytes
RESOURCES = ("storage",)


def limit_error(value):
    """lib.ValidateQuotaLimit: the error text for a bad storage limit, or None."""
    if value <= 0 and value != UNLIMITED:
        return "invalid non-positive value for quota limit, value=%d" % value
    if value > MAX_LIMITED_VALUE:
        return "exceeded 1024TB, which is 1125899906842624 Bytes, value=%d" % value
    return None


def create(st, project_id, storage):
    quota_id = st.next_id("quota")
    stamp = now()
    st.quotas[quota_id] = {"id": quota_id, "reference": "project", "reference_id": str(project_id), "hard": {"storage": storage},
                           "creation_time": stamp, "update_time": stamp}
    return st.quotas[quota_id]


def of_project(st, project_id):
    return next((q for q in st.quotas.values() if q["reference"] == "project" and q["reference_id"] == str(project_id)), None)


def delete_of_project(st, project_id):
    stored = of_project(st, project_id)
    if stored:
        del st.quotas[stored["id"]]


def used(st, stored):
    project = st.projects.get(int(stored["reference_id"]))
    return {"storage": artifact_store(st).used_storage(project["name"]) if project else 0}


def render(st, stored):
    project = st.projects.get(int(stored["reference_id"]))
    ref = {"id": project["project_id"], "name": project["name"], "owner_name": owner_name(st, project)} if project else None
    return {"id": stored["id"], "ref": ref, "hard": dict(stored["hard"]), "used": used(st, stored),
            "creation_time": stored["creation_time"], "update_time": stored["update_time"]}


def owner_name(st, project):
    return next((name for name, user in st.users.items() if user["user_id"] == project["owner_id"]), "")


@bp.get(QUOTAS)
def list_quotas():
    page()                                          # go-swagger binds page/page_size before the handler checks the caller
    security.require_system("list", "quota")
    st = current_app.config["state"]
    reference, reference_id = request.args.get("reference", ""), request.args.get("reference_id", "")
    with st.lock:
        quotas = [q for q in st.quotas.values() if (not reference or q["reference"] == reference)
                  and (not reference_id or q["reference_id"] == reference_id)]
        rendered = [render(st, q) for q in quotas]
    return paged(sort_quotas(rendered))


def quantity(value):
    """castQuantity: -1 (unlimited) sorts as the largest int64."""
    return 2 ** 63 - 1 if value == UNLIMITED else value


QUOTA_SORTS = {"creation_time": lambda q: q["creation_time"], "update_time": lambda q: q["update_time"]}
QUOTA_SORTS.update({"%s.%s" % (part, name): (lambda q, part=part, name=name: quantity(q[part].get(name, 0)))
                    for part in ("hard", "used") for name in RESOURCES})


def sort_quotas(quotas):
    """src/pkg/quota/dao/util.go listOrderBy: creation_time, update_time, hard.<resource>, used.<resource>
    (``-`` descending); other keys are ignored; no usable key -> creation_time desc."""
    return sort_by_query(quotas, QUOTA_SORTS, [(lambda q: (q["creation_time"], q["id"]), True)])


def find(st, raw_id):
    stored = st.quotas.get(path_id(raw_id))
    if stored is None:
        raise not_found("quota %d not found" % path_id(raw_id))
    return stored


@bp.get(QUOTAS + "/<quota_id>")
def get_quota(quota_id):
    path_id(quota_id)
    security.require_system("read", "quota")
    st = current_app.config["state"]
    with st.lock:
        return jsonify(render(st, find(st, quota_id)))


@bp.put(QUOTAS + "/<quota_id>")
def update_quota(quota_id):
    path_id(quota_id)
    body = bind_body()                          # go-swagger binds the body before the handler checks the caller
    security.require_system("update", "quota")
    st = current_app.config["state"]
    hard = required_hard(body)
    with st.lock:
        stored = find(st, quota_id)
        error = validate_hard(hard)
        if error:
            raise bad_request(error)
        stored["hard"] = dict(hard)
        stored["update_time"] = now()
    return ok()


def bind_body():
    """The ``QuotaUpdateReq`` body: ``hard`` is a ResourceList (name -> int64)."""
    data = json_body("hard")
    hard = data.get("hard") if isinstance(data, dict) else None
    if isinstance(hard, dict):
        for value in hard.values():
            expect(value, (int,), "hard", "QuotaUpdateReq", "hard", "int64")
    return hard


def required_hard(hard):
    """The handler refuses a missing or empty ``hard``."""
    if not hard:
        raise bad_request("hard required in body")
    return hard


def validate_hard(hard):
    """The project driver's Validate: only ``storage``, which must be present and a valid limit."""
    for name, value in hard.items():
        if name not in RESOURCES:
            return "resource %s not support" % name
        error = limit_error(value)
        if error:
            return error
    missing = [name for name in RESOURCES if name not in hard]
    return "resource %s not found" % missing[0] if missing else None
