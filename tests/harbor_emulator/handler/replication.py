"""Replication policies, executions, tasks and task logs (mirrors src/server/v2.0/handler/replication.go,
src/controller/replication/policy.go and model/model.go ``Validate``, src/pkg/reg/model/policy.go ``Filter.Validate``).

Stored policy (``state.policies[id]``): Harbor's model with the remote side as ids, ``src_registry_id`` and
``dest_registry_id`` (ints, 0 = this Harbor; the registry delete guard reads them), ``deletion`` (what Harbor stores as
``replicate_deletion``), ``filters`` as sent, ``trigger`` (None when omitted) and the version-gated ``speed``,
``copy_by_chunk``, ``single_active_replication`` and ``dest_namespace_replace_count``.
GET renders both registries, this Harbor as ``LOCAL_REGISTRY``. PUT replaces the whole policy. Executions and tasks
live in ``state.executions``/``state.tasks`` and run in ``replication/flow.py``.

Test control ``POST /_emulator/replication``: ``{"task_seconds": 0.2, "fail": {"pattern": "library/bad*", "log": "..."},
"hang": "<pattern>", "transient_failed": true}`` (see ``flow.configure``); ``{}`` restores the defaults. Answers the
settings now in force.
"""
import json
import re

from flask import Blueprint, Response, current_app, jsonify, request

from .. import security
from ..errors import bad_request, conflict, internal, not_found, precondition
from ..replication import flow
from ..replication.flow import INTERNAL_CORE_URL
from ..state import ZERO_TIME, now
from .base import created, filter_by_query, int_param, ok, omit_empty, page, paged, path_id
from .binding import binding_error, expect, json_body, negotiate

bp = Blueprint("replication", __name__)

POLICIES = "/api/v2.0/replication/policies"
EXECUTIONS = "/api/v2.0/replication/executions"
EXECUTION = EXECUTIONS + "/<execution_id>"
LOG_PRODUCES = ("text/plain", "application/json")      # the operation's produces, then the API's (swagger.yaml)

LOCAL_REGISTRY = {"id": 0, "url": INTERNAL_CORE_URL, "name": "Local", "credential": {"type": "secret", "access_secret": "*****"},
                  "type": "harbor", "insecure": True, "status": "healthy", "creation_time": ZERO_TIME, "update_time": ZERO_TIME}
TRIGGER_TYPES = ("manual", "scheduled", "event_based")
RESOURCE_TYPES = ("image", "artifact")
DECORATIONS = ("matches", "excludes")
INT8 = (-128, 127)
NAME_COLUMN = 256
INT32 = (-2 ** 31, 2 ** 31 - 1)
# field -> first Harbor version that reads and returns it (older ones drop it silently)
POLICY_FIELD_SINCE = {"dest_namespace_replace_count": "2.3.0", "replicate_deletion": "2.3.0", "speed": "2.4.0",
                      "copy_by_chunk": "2.7.0", "single_active_replication": "2.14.0"}
POLICY_FILTERABLE = ("id", "name", "description", "creator", "src_registry_id", "dest_registry_id", "dest_namespace",
                     "enabled", "override", "replicate_deletion")

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
REPOSITORY_NAME = re.compile(r"^(?:%s(?:\.%s)*(?::[0-9]+)?/)?%s(?:/%s)*\Z" % (_DOMAIN_PART, _DOMAIN_PART, _COMPONENT, _COMPONENT))

# The status and trigger filters compare Harbor's stored values (src/pkg/task, jobservice statuses) exactly; the handler
# first maps the API names it answers with back to them and passes any other value through unchanged.
STORED = {"InProgress": "Running", "Succeed": "Success", "Failed": "Error", "Stopped": "Stopped", "Pending": "Pending",
          "manual": "MANUAL", "scheduled": "SCHEDULE", "event_based": "EVENT_BASED"}
EXECUTION_STATUS_QUERY = {"InProgress": ("Running",), "Succeed": ("Success",), "Failed": ("Error",)}
TASK_STATUS_QUERY = {"InProgress": ("Scheduled", "Running"), "Succeed": ("Success",), "Failed": ("Error",)}
TRIGGER_QUERY = {"manual": ("MANUAL",), "scheduled": ("SCHEDULE",), "event_based": ("EVENT_BASED",)}

# cron fields: (low, high, names)
CRON_FIELDS = ((0, 59, None), (0, 59, None), (0, 23, None), (1, 31, None),
               (1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
               (0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")))


def state():
    return current_app.config["state"]


def since(st, field):
    return st.version_at_least(POLICY_FIELD_SINCE[field])


# ----- binding (go-swagger) and the handler's own reading of the body

def bind_policy(data):
    """The ReplicationPolicy body as the handler reads it (types checked like go-swagger's binding -> 422)."""
    if not isinstance(data, dict):
        raise binding_error("parsing policy body from \"\" failed, because json: cannot unmarshal %s into Go value of type"
                            " models.ReplicationPolicy" % type(data).__name__)
    fields = {"name": ((str,), "string"), "description": ((str,), "string"), "dest_namespace": ((str,), "string"),
              "deletion": ((bool,), "bool"), "override": ((bool,), "bool"), "enabled": ((bool,), "bool"),
              "copy_by_chunk": ((bool,), "bool"), "single_active_replication": ((bool,), "bool"),
              "src_registry": ((dict,), "models.Registry"), "dest_registry": ((dict,), "models.Registry"),
              "trigger": ((dict,), "models.ReplicationTrigger"), "filters": ((list,), "[]*models.ReplicationFilter"),
              "speed": ((int,), "int32"), "dest_namespace_replace_count": ((int,), "int8")}
    bound = {field: expect(data.get(field), kinds, "policy", "ReplicationPolicy", field, go_type)
             for field, (kinds, go_type) in fields.items()}
    for field, (low, high) in (("speed", INT32), ("dest_namespace_replace_count", INT8)):
        if bound[field] is not None and not low <= bound[field] <= high:
            raise binding_error('parsing policy body from "" failed, because json: cannot unmarshal number %d into Go struct'
                                ' field ReplicationPolicy.%s of type %s' % (bound[field], field, fields[field][1]))
    for side in ("src_registry", "dest_registry"):
        if bound[side] is not None:
            expect(bound[side].get("id"), (int,), "policy", "Registry", "id", "int64")
    for item in bound["filters"] or []:
        expect(item, (dict,), "policy", "ReplicationPolicy", "filters", "models.ReplicationFilter")
        expect(item.get("type"), (str,), "policy", "ReplicationFilter", "type", "string")
        expect(item.get("decoration"), (str,), "policy", "ReplicationFilter", "decoration", "string")
    trigger = bound["trigger"]
    if trigger is not None:
        expect(trigger.get("type"), (str,), "policy", "ReplicationTrigger", "type", "string")
        settings = expect(trigger.get("trigger_settings"), (dict,), "policy", "ReplicationTrigger", "trigger_settings",
                          "models.ReplicationTriggerSettings")
        expect((settings or {}).get("cron"), (str,), "policy", "ReplicationTriggerSettings", "cron", "string")
    return bound


def policy_from_body(st, bound):
    """The policy the handler builds from the body alone (no merge with a stored one), clamps and version gates applied."""
    if bound["single_active_replication"] and (bound["trigger"] or {}).get("type") == "event_based" \
            and since(st, "single_active_replication"):
        raise internal("single active replication is not allowed for event_based triggers")
    replace_count = bound["dest_namespace_replace_count"]
    policy = {
        "name": bound["name"] or "", "description": bound["description"] or "", "creator": security.current().username,
        "src_registry_id": (bound["src_registry"] or {}).get("id") or 0,
        "dest_registry_id": (bound["dest_registry"] or {}).get("id") or 0,
        "dest_namespace": bound["dest_namespace"] or "",
        "dest_namespace_replace_count": replace_count if replace_count is not None and since(st, "dest_namespace_replace_count") else -1,
        "filters": [{"type": f.get("type") or "", "value": f.get("value"), "decoration": f.get("decoration") or ""}
                    for f in bound["filters"] or []],
        "trigger": bound_trigger(bound["trigger"]),
        "deletion": bool(bound["deletion"]), "override": bool(bound["override"]), "enabled": bool(bound["enabled"]),
        "speed": max(bound["speed"] or 0, 0) if since(st, "speed") else 0,
        "copy_by_chunk": bool(bound["copy_by_chunk"]) and since(st, "copy_by_chunk"),
        "single_active_replication": bool(bound["single_active_replication"]) and since(st, "single_active_replication"),
    }
    return policy


def bound_trigger(trigger):
    if trigger is None:
        return None
    out = {"type": trigger.get("type") or ""}
    if trigger.get("trigger_settings") is not None:
        out["trigger_settings"] = {"cron": trigger["trigger_settings"].get("cron") or ""}
    return out


# ----- model.go Validate, policy.go validatePolicy

def check_name_column(policy):
    """replication_policy.name is varchar(256): a longer name fails the INSERT/UPDATE with a plain error (opaque 500)."""
    if len(policy["name"]) > NAME_COLUMN:
        raise internal("pq: value too long for type character varying(256)")


def validate_policy(st, policy):
    if not policy["name"]:
        raise bad_request("empty name")
    if (policy["src_registry_id"] == 0) == (policy["dest_registry_id"] == 0):
        raise bad_request("either src_registry or dest_registry should be empty and the other one shouldn't be empty")
    for item in policy["filters"]:
        validate_filter(item)
    if policy["dest_namespace"] and not REPOSITORY_NAME.match(policy["dest_namespace"]):
        raise bad_request("invalid destination namespace: %s" % policy["dest_namespace"])
    if policy["trigger"] is not None:
        validate_trigger(policy["trigger"])
    for registry_id in (policy["src_registry_id"], policy["dest_registry_id"]):
        if registry_id and registry_id not in st.registries:
            raise not_found("registry %d not found" % registry_id)


def validate_filter(item):
    kind, value, decoration = item["type"], item["value"], item["decoration"]
    if kind in ("resource", "name", "tag"):
        if not isinstance(value, str):
            raise bad_request("the type of filter value isn't string")
        if kind == "resource" and value not in RESOURCE_TYPES:
            raise bad_request("invalid resource filter: %s" % value)
        if kind in ("name", "resource") and decoration:
            raise bad_request("only tag and label filter support decoration")
    elif kind == "label":
        if not isinstance(value, list) or not all(isinstance(label, str) for label in value):
            raise bad_request("the type of label filter value isn't string slice")
    else:
        raise bad_request("invalid filter type")
    if decoration and decoration not in DECORATIONS:
        raise bad_request("invalid filter decoration, :%s" % decoration)


def validate_trigger(trigger):
    kind = trigger["type"]
    if kind in ("manual", "event_based"):
        return
    if kind != "scheduled":
        raise bad_request("invalid trigger type")
    cron = (trigger.get("trigger_settings") or {}).get("cron") or ""
    if not cron:
        raise bad_request("the cron string cannot be empty when the trigger type is scheduled")
    if not valid_cron(cron):
        raise bad_request("invalid cron string for scheduled trigger: %s" % cron)
    parts = cron.split(" ")
    if parts[0] != "0":
        raise bad_request("the 1st field (indicating Seconds of time) of the cron setting must be 0")
    if parts[1] == "*":
        raise bad_request("* is not allowed for the Minutes field of the cron setting of replication policy")


def valid_cron(cron):
    """robfig/cron's parser with seconds (6 fields, no descriptors): lists of ``*``/``?``/values/ranges, each with ``/step``."""
    fields = cron.split()
    return len(fields) == 6 and all(valid_cron_field(field, *spec) for field, spec in zip(fields, CRON_FIELDS))


def valid_cron_field(field, low, high, names):
    def number(text):
        if names and text.upper() in names:
            return names.index(text.upper()) + low
        return int(text) if text.isdigit() else None

    for part in field.split(","):
        span, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            return False
        if span in ("*", "?"):
            continue
        first, _, last = span.partition("-")
        start, end = number(first), number(last) if last else number(first)
        if start is None or end is None or not low <= start <= end <= high:
            return False
    return True


# ----- rendering

def render_registry(st, registry_id):
    """convertRegistry: this Harbor for id 0, else the stored registry with its secret redacted."""
    if not registry_id:
        return dict(LOCAL_REGISTRY, credential=dict(LOCAL_REGISTRY["credential"]))
    reg = st.registries[registry_id]
    out = {"id": reg["id"], "url": reg["url"], "name": reg["name"], "type": reg["type"], "status": reg.get("status", "healthy"),
           "creation_time": reg["creation_time"], "update_time": reg["update_time"]}
    # fromDaoModel always sets a Credential (empty when no access key is stored): go-swagger renders it as {}
    credential = reg.get("credential") or {}
    out["credential"] = {key: value for key, value in (("type", credential.get("type")), ("access_key", credential.get("access_key")))
                         if value}
    if credential.get("access_secret"):
        out["credential"]["access_secret"] = "*****"
    for key in ("insecure", "description", "ca_certificate"):
        if reg.get(key):
            out[key] = reg[key]
    return out


def render_policy(st, policy):
    """convertReplicationPolicy: empty strings and false booleans are omitted (go-swagger omitempty); an empty filter list
    is ``null`` (go-swagger renders arrays without omitempty)."""
    out = {"id": policy["id"], "name": policy["name"], "description": policy["description"],
           "src_registry": render_registry(st, policy["src_registry_id"]),
           "dest_registry": render_registry(st, policy["dest_registry_id"]),
           "dest_namespace": policy["dest_namespace"], "dest_namespace_replace_count": policy["dest_namespace_replace_count"],
           "trigger": render_trigger(policy["trigger"]), "filters": [render_filter(f) for f in policy["filters"]] or None,
           "replicate_deletion": policy["deletion"], "deletion": policy["deletion"], "override": policy["override"],
           "enabled": policy["enabled"], "creation_time": policy["creation_time"], "update_time": policy["update_time"],
           "speed": policy["speed"], "copy_by_chunk": policy["copy_by_chunk"],
           "single_active_replication": policy["single_active_replication"]}
    always = [field for field in POLICY_FIELD_SINCE if field != "replicate_deletion"] + ["filters"]     # arrays: null, never omitted
    return {key: value for key, value in out.items()
            if (key not in POLICY_FIELD_SINCE or since(st, key)) and (key in always or value not in ("", False, None, []))}


def render_trigger(trigger):
    if trigger is None:
        return None
    out = {"type": trigger["type"]} if trigger["type"] else {}
    if "trigger_settings" in trigger:
        out["trigger_settings"] = {"cron": trigger["trigger_settings"]["cron"]} if trigger["trigger_settings"]["cron"] else {}
    return out


def render_filter(item):
    return {key: item[key] for key in ("type", "value", "decoration") if item[key] not in ("", None)}


def find_policy(st, policy_id):
    policy = st.policies.get(policy_id)
    if policy is None:
        raise not_found("replication policy %d not found" % policy_id)
    return policy


def name_taken(st, name, policy_id=None):
    return any(p["name"] == name and p["id"] != policy_id for p in st.policies.values())


def query_matches(value, query, reverse):
    """Whether an answered ``value`` (API name) passes the ``status``/``trigger`` query parameter ``query`` (None = no filter)."""
    return query is None or STORED[value] in reverse.get(query, (query,))


def sort_items(items, default):
    """``sort=field,-field``: ascending, ``-`` for descending; unknown fields are ignored (Harbor's ORM does the same).

    ``items`` come newest first, so equal keys keep that order."""
    if not items:
        return items
    keys = [key.strip() for key in (request.args.get("sort") or "").split(",") if key.strip().lstrip("-") in items[0]]
    for key in reversed(keys or default.split(",")):
        field = key.lstrip("-")
        if field in items[0]:
            items.sort(key=lambda item: (item[field] is None, item[field]), reverse=key.startswith("-"))
    return items


# ----- policies

@bp.get(POLICIES)
def list_policies():
    st = state()
    page()                                          # go-swagger binds page/page_size before the handler checks the caller
    security.require_system("list", "replication-policy")
    with st.lock:
        policies = sorted(st.policies.values(), key=lambda p: p["id"], reverse=True)
        policies = filter_by_query(policies, {key: (lambda p, key=key: p[key if key != "replicate_deletion" else "deletion"])
                                              for key in POLICY_FILTERABLE})
        if request.args.get("name"):               # deprecated name parameter: q.FuzzyMatchValue (case-insensitive)
            policies = [p for p in policies if request.args["name"].upper() in p["name"].upper()]
        policies = sort_items(list(policies), "-creation_time")
        return paged([render_policy(st, p) for p in policies])


@bp.post(POLICIES)
def create_policy():
    st = state()
    bound = bind_policy(json_body("policy"))       # go-swagger binds the body before the handler checks the caller
    security.require_system("create", "replication-policy")
    with st.lock:
        policy = policy_from_body(st, bound)
        validate_policy(st, policy)
        check_name_column(policy)
        if name_taken(st, policy["name"]):
            raise conflict("replication policy %s already exists" % policy["name"])
        policy_id = st.next_id("policy")
        stamp = now()
        st.policies[policy_id] = dict(policy, id=policy_id, creation_time=stamp, update_time=stamp)
    return created(policy_id)


@bp.get(POLICIES + "/<policy_id>")
def get_policy(policy_id):
    st = state()
    policy_id = path_id(policy_id)
    security.require_system("read", "replication-policy")
    with st.lock:
        return jsonify(render_policy(st, find_policy(st, policy_id)))


@bp.put(POLICIES + "/<policy_id>")
def update_policy(policy_id):
    st = state()
    policy_id = path_id(policy_id)
    bound = bind_policy(json_body("policy"))
    security.require_system("update", "replication-policy")
    with st.lock:
        policy = policy_from_body(st, bound)
        validate_policy(st, policy)
        check_name_column(policy)
        if name_taken(st, policy["name"], policy_id):
            raise conflict("replication policy %s already exists" % policy["name"])
        stored = find_policy(st, policy_id)
        policy.update(id=policy_id, creation_time=stored["creation_time"], update_time=now())
        st.policies[policy_id] = policy
    return ok()


@bp.delete(POLICIES + "/<policy_id>")
def delete_policy(policy_id):
    st = state()
    policy_id = path_id(policy_id)
    security.require_system("delete", "replication-policy")
    with st.lock:
        find_policy(st, policy_id)
        if flow.running(st, policy_id):
            raise precondition("contains executions that aren't in final status, stop the execution first")
        flow.delete_executions(st, policy_id)
        del st.policies[policy_id]
    return ok()


# ----- executions

@bp.post(EXECUTIONS)
def start_execution():
    st = state()
    data = json_body("execution")                   # go-swagger binds the body before the handler checks the caller
    policy_id = expect(data.get("policy_id") if isinstance(data, dict) else None, (int,), "execution", "StartReplicationExecution",
                       "policy_id", "int64") or 0
    security.require_system("create", "replication")
    trigger = "scheduled" if request.args.get("trigger") == "scheduled" else "manual"
    with st.lock:
        policy = find_policy(st, policy_id)
        if not policy["enabled"]:
            raise precondition("the policy %d is disabled" % policy_id)
        sides = [st.registries.get(policy[key]) if policy[key] else None for key in ("src_registry_id", "dest_registry_id")]
        execution_id = flow.start(st, policy, sides[0], sides[1], trigger)
    return created(execution_id)


# x-omitempty: false in swagger's ReplicationExecution: zero counts and an empty status_text are sent
EXECUTION_ALWAYS_SENT = ("status_text", "total", "failed", "succeed", "in_progress", "stopped")


@bp.get(EXECUTIONS)
def list_executions():
    st = state()
    page()                                          # go-swagger binds page/page_size before the handler checks the caller
    policy_id = int_param("policy_id", None)
    security.require_system("list", "replication")
    status, trigger = request.args.get("status"), request.args.get("trigger")
    with st.lock:
        executions = [flow.render_execution(st, e) for e in sorted(st.executions.values(), key=lambda e: e["id"], reverse=True)
                      if policy_id is None or e["policy_id"] == policy_id]
    executions = [e for e in executions if query_matches(e["status"], status, EXECUTION_STATUS_QUERY)
                  and query_matches(e["trigger"], trigger, TRIGGER_QUERY)]
    return paged([omit_empty(e, keep=EXECUTION_ALWAYS_SENT) for e in sort_items(executions, "-start_time")])


def find_execution(st, raw_id):
    execution_id = path_id(raw_id)
    execution = st.executions.get(execution_id)
    if execution is None:
        raise not_found("replication execution %d not found" % execution_id)
    return execution


@bp.get(EXECUTION)
def get_execution(execution_id):
    st = state()
    path_id(execution_id)
    security.require_system("read", "replication")
    with st.lock:
        return jsonify(omit_empty(flow.render_execution(st, find_execution(st, execution_id)), keep=EXECUTION_ALWAYS_SENT))


@bp.put(EXECUTION)
def stop_execution(execution_id):
    st = state()
    path_id(execution_id)
    security.require_system("create", "replication")
    with st.lock:
        flow.stop(st, find_execution(st, execution_id)["id"])
    return Response("null", status=200, content_type="application/json")


@bp.get(EXECUTION + "/tasks")
def list_tasks(execution_id):
    st = state()
    page()                                          # go-swagger binds page/page_size before the handler checks the caller
    path_id(execution_id)
    security.require_system("list", "replication")
    status, resource_type = request.args.get("status"), request.args.get("resource_type")
    with st.lock:
        tasks = [flow.render_task(t) for t in flow.tasks_of(st, find_execution(st, execution_id)["id"])]
    tasks = [t for t in tasks if query_matches(t["status"], status, TASK_STATUS_QUERY)
             and (resource_type is None or t.get("resource_type") == resource_type)]
    return paged(sort_items(tasks, "-start_time,-id"))       # Task.GetDefaultSorts (src/pkg/task/dao/model.go)


@bp.get(EXECUTION + "/tasks/<task_id>/log")
def task_log(execution_id, task_id):
    """The task's log as text/plain; a client that prefers ``application/json`` (``Accept: application/json``) gets it
    JSON-encoded, still labelled text/plain: the handler sets the content type, go-openapi's negotiation picks the
    JSON producer (src/server/v2.0/handler/replication.go GetReplicationLog, produces [text/plain application/json])."""
    st = state()
    media_type = negotiate(LOG_PRODUCES)
    path_id(execution_id)
    path_id(task_id, "task_id")
    security.require_system("read", "replication")
    with st.lock:
        execution = find_execution(st, execution_id)
        task = st.tasks.get(path_id(task_id, "task_id"))
        if task is None:
            raise not_found("replication task %s not found" % task_id)
        if task["execution_id"] != execution["id"]:
            raise not_found("execution %d contains no task with ID %d" % (execution["id"], task["id"]))
        text = "\n".join(task["_log"]) + "\n"
    if media_type == "application/json":            # go-openapi's JSONProducer: no HTML escaping, a trailing newline
        text = json.dumps(text, ensure_ascii=False) + "\n"
    return Response(text, status=200, content_type="text/plain")


# ----- test control

@bp.post("/_emulator/replication")
def control():
    st = state()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise bad_request("the replication control needs a JSON object")
    try:
        settings = flow.configure(st, data)
    except ValueError as exc:
        raise bad_request(str(exc))
    return jsonify(settings)
