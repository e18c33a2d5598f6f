"""Registry endpoints and adapter lists (mirrors src/server/v2.0/handler/registry.go, src/controller/registry/controller.go).

Stored registry (``state.registries[id]``): ``id``, ``name``, ``type``, ``url`` (normalised like lib.ValidateHTTPURL),
``description``, ``insecure``, ``ca_certificate``, ``credential`` ({type, access_key, access_secret in clear}; present only
when ``access_key`` is non-empty), ``status``, ``creation_time``, ``update_time``. Answers render it with
``replication.render_registry`` (convertRegistry: the secret becomes ``*****``). Every create, update and ping runs the
health check of healthcheck.py (outside the lock: it may call another server, even this one).
"""
import base64
import binascii
import json
import re
from urllib.parse import unquote, urlsplit

from cryptography import x509
from flask import Blueprint, current_app, jsonify, request

from .. import adapterinfo, security
from ..errors import bad_request, conflict, not_found, precondition
from ..healthcheck import create_adapter, harbor_labels, is_healthy, registered_types
from ..state import now
from .base import created, filter_by_query, ok, page, paged, path_id, sort_by_query
from .binding import binding_error, expect, go_type_of, json_body
from .replication import INTERNAL_CORE_URL, render_registry

bp = Blueprint("registry", __name__)

REGISTRIES = "/api/v2.0/registries"
MAX_NAME = 64
# REPLICATION_ADAPTER_WHITELIST default (make/photon/prepare/templates/core/env.jinja), applied since 2.14.0
WHITELIST = ("ali-acr", "aws-ecr", "azure-acr", "docker-hub", "docker-registry", "github-ghcr", "google-gcr", "harbor",
             "huawei-SWR", "jfrog-artifactory", "tencent-tcr", "volcengine-cr")
UPDATE_FIELDS = ("name", "description", "url", "insecure")
# src/pkg/reg/dao/model.go: Go field name -> (column, answered field). lib/orm knows a key by either name; the status is
# the column ``health``, so ``q=status=...`` is an unknown key (ignored) while ``q=health=...`` filters. access_key,
# access_secret and ca_certificate are ``filter:"false"`` (still sortable).
COLUMNS = {"ID": ("id", "id"), "URL": ("url", "url"), "Name": ("name", "name"), "CredentialType": ("credential_type", None),
           "AccessKey": ("access_key", None), "AccessSecret": ("access_secret", None), "Type": ("type", "type"),
           "Insecure": ("insecure", "insecure"), "CACertificate": ("ca_certificate", "ca_certificate"),
           "Description": ("description", "description"), "Status": ("health", "status"),
           "CreationTime": ("creation_time", "creation_time"), "UpdateTime": ("update_time", "update_time")}
NOT_FILTERABLE = ("AccessKey", "AccessSecret", "CACertificate")
CREDENTIAL_FIELDS = (("credential_type", "type"), ("access_key", "access_key"), ("access_secret", "access_secret"))
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2}).{0,2}")
_HOST_CHARS = "-._~!$&'()*+,;=[]<>\"%"
_PEM_BLOCK = re.compile(r"-----BEGIN ([^-\n]+)-----\n(.*?)\n-----END \1-----", re.S)


def state():
    return current_app.config["state"]


# ----- request bodies (go-swagger binding: wrong JSON types are a 422 before the handler runs)

STRING, BOOL, INT64 = ((str,), "string"), ((bool,), "bool"), ((int,), "int64")
BODY_FIELDS = {
    "Registry": {"id": INT64, "name": STRING, "type": STRING, "url": STRING, "description": STRING, "insecure": BOOL,
                 "status": STRING, "ca_certificate": STRING, "credential": ((dict,), "models.RegistryCredential")},
    "RegistryUpdate": {"name": STRING, "description": STRING, "url": STRING, "credential_type": STRING, "access_key": STRING,
                       "access_secret": STRING, "insecure": BOOL, "ca_certificate": STRING},
    "RegistryPing": {"id": INT64, "type": STRING, "url": STRING, "credential_type": STRING, "access_key": STRING,
                     "access_secret": STRING, "insecure": BOOL, "ca_certificate": STRING},
}
CREDENTIAL_BODY_FIELDS = {"type": STRING, "access_key": STRING, "access_secret": STRING}


def bind(st, struct):
    """The ``registry`` body decoded into ``struct``: absent or null fields are None; ``ca_certificate`` exists from 2.15.0."""
    data = json_body("registry")
    if not isinstance(data, dict):
        raise binding_error('parsing registry body from "" failed, because json: cannot unmarshal %s into Go value of type models.%s'
                            % (go_type_of(data), struct))
    fields = dict(BODY_FIELDS[struct])
    if not st.version_at_least("2.15.0"):
        del fields["ca_certificate"]
    out = {key: expect(data.get(key), kinds, "registry", struct, key, go_type) for key, (kinds, go_type) in fields.items()}
    if out.get("credential") is not None:
        out["credential"] = {key: expect(out["credential"].get(key), kinds, "registry", "RegistryCredential", "credential." + key, go_type)
                             for key, (kinds, go_type) in CREDENTIAL_BODY_FIELDS.items()}
    return out


# ----- validation

def normalize_url(raw):
    """lib.ValidateHTTPURL: trim, default to http://, http/https only, keep scheme://host[:port]/path (path unescaped)."""
    text = (raw or "").strip(" ").rstrip("/")
    if not text:
        raise bad_request("empty string")
    if "://" not in text:
        text = "http://" + text
    problem = go_url_problem(text)
    if problem:
        raise bad_request('invalid URL: parse "%s": %s' % (text, problem))
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise bad_request("invalid HTTP scheme: %s" % parts.scheme)
    return "%s://%s%s" % (parts.scheme, parts.netloc.rpartition("@")[2], unquote(parts.path))


def go_url_problem(text):
    """What Go's url.Parse refuses in an absolute URL (control characters, bad escapes, host characters, port)."""
    if any(ord(char) < 0x20 or ord(char) == 0x7f for char in text):
        return "net/url: invalid control character in URL"
    bad_escape = _BAD_ESCAPE.search(text.split("#", 1)[0])
    if bad_escape:
        return 'invalid URL escape "%s"' % bad_escape.group(0)
    host = re.split(r"[/?#]", text.split("://", 1)[1], maxsplit=1)[0].rpartition("@")[2]
    if host.startswith("["):
        if "]" not in host:
            return "missing ']' in host"
        port = host[host.index("]") + 1:]
    else:
        host, colon, port = host.rpartition(":") if ":" in host else (host, "", "")
        port = colon + port
        bad_char = next((char for char in host if char < "\x80" and not (char.isalnum() or char in _HOST_CHARS)), None)
        if bad_char:
            return "invalid character %s in host name" % json.dumps(bad_char)
    if port and not (port.startswith(":") and port[1:].isdigit() or port == ":"):
        return 'invalid port "%s" after host' % port
    return None


def validate_ca_certificate(text):
    """commonhttp.ValidateCACertificate: "" is fine, else at least one parsable CERTIFICATE block."""
    pem = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    if not pem:
        return
    count = 0
    for kind, payload in _PEM_BLOCK.findall(pem):
        try:
            der = base64.b64decode("".join(payload.split()), validate=True)
        except (binascii.Error, ValueError):
            break
        if kind != "CERTIFICATE":
            continue
        try:
            x509.load_der_x509_certificate(der)
        except ValueError:
            raise bad_request("invalid CA certificate: failed to parse certificate: x509: malformed certificate")
        count += 1
    if not count:
        raise bad_request("invalid CA certificate: no valid certificates found in PEM data")


def take_ca_certificate(data, registry):
    """A ``ca_certificate`` that was sent (bind() drops it before 2.15.0) is validated, then kept."""
    value = data.get("ca_certificate")
    if value is not None:
        validate_ca_certificate(value)
        registry["ca_certificate"] = value


def validate(st, registry):
    """controller.validate: name, URL, then the health check (which may raise the adapter's own error)."""
    if not registry.get("name"):
        raise bad_request("name cannot be empty")
    if len(registry["name"].encode("utf-8")) > MAX_NAME:
        raise bad_request("the max length of name is 64")
    registry["url"] = normalize_url(registry.get("url"))
    if not is_this_harbor(registry) and not is_healthy(st, registry):
        raise bad_request("the registry is unhealthy")
    registry["status"] = "healthy"


def is_this_harbor(registry):
    """Registry 0 still at CORE_URL: the harbor adapter pings this Harbor itself with the jobservice secret, always healthy."""
    return registry.get("id") == 0 and registry["url"] == INTERNAL_CORE_URL


def local_registry():
    """regMgr.Get(0) as an update starts from it (getLocalRegistry; the secret is the jobservice's, never known here)."""
    return {"id": 0, "name": "Local", "type": "harbor", "url": INTERNAL_CORE_URL, "description": "", "insecure": True,
            "ca_certificate": "", "credential": {"type": "secret", "access_key": "", "access_secret": ""}}


def stored_credential(credential):
    """toDaoModel: the credential is kept only when access_key is non-empty; its type defaults to basic."""
    if not credential or not credential.get("access_key"):
        return None
    return {"type": credential.get("type") or "basic", "access_key": credential["access_key"],
            "access_secret": credential.get("access_secret") or ""}


def check_unique_name(st, registry):
    for other in st.registries.values():
        if other["name"] == registry["name"] and other["id"] != registry.get("id"):
            raise conflict("registry %s already exists" % registry["name"])


def save(st, registry):
    credential = stored_credential(registry.pop("credential", None))
    if credential:
        registry["credential"] = credential
    registry["update_time"] = now()
    st.registries[registry["id"]] = registry


def get_stored(st, registry_id):
    with st.lock:
        registry = st.registries.get(registry_id)
        if registry is None:
            raise not_found("registry %d not found" % registry_id)
        return dict(registry, credential=dict(registry.get("credential") or {}))


# ----- endpoints

@bp.get(REGISTRIES)
def list_registries():
    page()                                          # go-swagger binds page/page_size before the handler checks the caller
    security.require_system("list", "registry")
    st = state()
    with st.lock:
        stored = [dict(st.registries[registry_id]) for registry_id in sorted(st.registries)]
    filterable = {key: getter for key, getter in column_getters().items() if key not in NOT_FILTERABLE
                  and key not in [COLUMNS[field][0] for field in NOT_FILTERABLE]}
    stored = filter_by_query(stored, filterable)
    name = request.args.get("name")
    if name:                                        # the deprecated name parameter: q.FuzzyMatchValue (case-insensitive)
        stored = [reg for reg in stored if name.upper() in reg["name"].upper()]
    stored = sort_by_query(stored, column_getters())      # no default sort: the database's order (by id)
    with st.lock:
        return paged([render_registry(st, reg["id"]) for reg in stored if reg["id"] in st.registries])


def column_getters():
    """{key: getter on the stored registry} for every key lib/orm accepts (Go field name and column name)."""
    getters = {}
    for field, (column, _) in COLUMNS.items():
        def getter(reg, column=column):
            if column in ("credential_type", "access_key", "access_secret"):
                credential = reg.get("credential") or {}
                return credential.get(column.replace("credential_", "")) or ("basic" if column == "credential_type" else "")
            value = reg.get("status" if column == "health" else column)
            return value if value is not None else (False if column == "insecure" else "")
        getters[field] = getters[column] = getter
    return getters


@bp.post(REGISTRIES)
def create_registry():
    st = state()
    data = bind(st, "Registry")
    security.require_system("create", "registry")
    registry = {"name": data["name"] or "", "description": data["description"] or "", "type": data["type"] or "",
                "url": data["url"] or "", "insecure": bool(data["insecure"]), "ca_certificate": ""}
    take_ca_certificate(data, registry)
    credential = data["credential"] or {}
    registry["credential"] = {key: credential.get(key) or "" for key in ("type", "access_key", "access_secret")}
    validate(st, registry)
    with st.lock:
        check_unique_name(st, registry)
        registry["id"] = st.next_id("registry")
        registry["creation_time"] = now()
        save(st, registry)
    return created(registry["id"])


@bp.get(REGISTRIES + "/<raw_id>")
def get_registry(raw_id):
    registry_id = path_id(raw_id)
    security.require_system("read", "registry")
    st = state()
    if registry_id:                     # regMgr.Get(0) is this Harbor itself (getLocalRegistry), never a 404
        get_stored(st, registry_id)
    with st.lock:
        return jsonify(render_registry(st, registry_id))


@bp.put(REGISTRIES + "/<raw_id>")
def update_registry(raw_id):
    st = state()
    registry_id = path_id(raw_id)
    data = bind(st, "RegistryUpdate")
    security.require_system("update", "registry")
    registry = get_stored(st, registry_id) if registry_id else local_registry()
    for key in UPDATE_FIELDS:
        if data[key] is not None:
            registry[key] = data[key]
    take_ca_certificate(data, registry)
    apply_credential_fields(data, registry)
    validate(st, registry)
    with st.lock:
        if registry["id"] not in st.registries:     # id 0 too: validated like any registry, then the UPDATE finds no row
            raise not_found("registry %d not found" % registry["id"])
        check_unique_name(st, registry)
        save(st, registry)
    return ok()


def apply_credential_fields(data, registry):
    """The flat credential fields of RegistryUpdate/RegistryPing, each applied only when it was sent."""
    for field, key in CREDENTIAL_FIELDS:
        if data[field] is not None:
            registry["credential"][key] = data[field]


@bp.delete(REGISTRIES + "/<raw_id>")
def delete_registry(raw_id):
    registry_id = path_id(raw_id)
    security.require_system("delete", "registry")
    st = state()
    with st.lock:
        # controller.Delete counts the references first, then deletes the row. For id 0 (this Harbor) every policy has a
        # side 0 and every project created through the API has registry_id 0 (library's is NULL); else no row: 404.
        if any(registry_id in (p.get("src_registry_id"), p.get("dest_registry_id")) for p in st.policies.values()):
            raise precondition("the registry %d is referenced by replication policies, cannot delete it" % registry_id)
        if any(p.get("registry_id") == registry_id for p in st.projects.values()):
            raise precondition("the registry %d is referenced by proxy cache project, cannot delete it" % registry_id)
        if registry_id not in st.registries:
            raise not_found("registry %d not found" % registry_id)
        del st.registries[registry_id]
    return ok()


@bp.post(REGISTRIES + "/ping")
def ping_registry():
    st = state()
    data = bind(st, "RegistryPing")
    security.require_system("read", "registry")
    registry = {"type": "", "url": "", "insecure": False, "ca_certificate": "", "credential": {}}
    if data["id"] is not None:          # regMgr.Get(0) is this Harbor (getLocalRegistry), pinged with its own secret
        registry = get_stored(st, data["id"]) if data["id"] else local_registry()
    if data["type"] is not None:
        registry["type"] = data["type"]
    if data["url"] is not None:
        registry["url"] = normalize_url(data["url"])
    if data["insecure"] is not None:
        registry["insecure"] = data["insecure"]
    apply_credential_fields(data, registry)
    take_ca_certificate(data, registry)
    if not registry["type"] or not registry["url"]:
        raise bad_request("type or url cannot be empty")
    if not is_this_harbor(registry) and not is_healthy(st, registry):
        raise bad_request("the registry is unhealthy")
    return ok()


@bp.get(REGISTRIES + "/<raw_id>/info")
def registry_info(raw_id):
    """GetInfo: the adapter is built (its factory may call the remote), a harbor adapter lists the remote's global labels."""
    registry_id = path_id(raw_id)
    security.require_system("read", "registry")
    if not registry_id:                 # this Harbor (no global labels here); only it offers the event_based trigger
        info = adapterinfo.registry_info({"type": "harbor"}, [])
        info["supported_triggers"].append("event_based")
        return jsonify(info)
    registry = get_stored(state(), registry_id)
    session = create_adapter(state(), registry)
    labels = harbor_labels(session, registry) if registry["type"] == "harbor" else None
    return jsonify(adapterinfo.registry_info(registry, labels))


def listed_types(st):
    """The registered adapter types, filtered by REPLICATION_ADAPTER_WHITELIST from 2.14.0 on."""
    if not st.version_at_least("2.14.0"):
        return registered_types(st)
    return [kind for kind in registered_types(st) if kind in WHITELIST]


@bp.get("/api/v2.0/replication/adapters")
def adapters():
    security.require_system("list", "replication-adapter")
    return jsonify(listed_types(state()))


@bp.get("/api/v2.0/replication/adapterinfos")
def adapter_infos():
    """Only the adapters whose factory declares a pattern appear (adapter.RegisterFactory keeps the non-nil ones)."""
    security.require_system("list", "replication-adapter")
    infos = {kind: adapterinfo.provider_info(kind) for kind in listed_types(state())}
    return jsonify({kind: info for kind, info in infos.items() if info is not None})
