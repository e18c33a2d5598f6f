"""A minimal OCI distribution data plane under ``/v2/`` (what Harbor's registry serves behind its v2 middleware).
``GET /v2/`` and ``/service/token`` are in v2auth.py.

Enough for one emulator to be the replication source or destination of another: ``GET /v2/_catalog`` (system admins),
``GET /v2/<name>/tags/list``, ``GET|HEAD|PUT /v2/<name>/manifests/<reference>``, ``DELETE`` of a manifest by digest.
A push and a deletion are events that start the event-based replications they concern (replication/event.py). What a manifest route stores and serves
is the emulator's storage (content.py; blobs: blob.py; proxy-cache projects: proxycache.py). With ``--storage
registry`` every manifest and blob is real; with the in-memory default a pushed manifest only records its artifact. A push
(``PUT`` of a manifest) into a proxy-cache project is refused with 403 ``DENIED`` like Harbor's repoproxy middleware.

Without content (in-memory seeds), a manifest is made up from the stored artifact (``manifest_of``): a schema 2 manifest whose config media type tells the
artifact type (Helm chart or image) and whose single layer carries the artifact's size. The artifact's digest travels
in the annotation ``io.goharbor.emulator.digest``, because a seeded digest is not the hash of any body; a pushed
manifest without it gets the sha256 of its bytes, as in a real registry. Labels stay behind, as in Harbor.
"""
import hashlib
import json
import re

from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from . import security, v2auth
from .errors import HarborAPIError
from .handler import project as projects
from .store import MEDIA_TYPES, artifact_store
from . import content, proxycache  # after MEDIA_TYPES: replication/adapter.py reads it when proxycache imports it
from .replication import event
from .storage import storage_of

bp = Blueprint("distribution", __name__)

DIGEST_ANNOTATION = "io.goharbor.emulator.digest"
LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
TYPE_OF_CONFIG = {config: kind for kind, (config, _) in MEDIA_TYPES.items()}
CATALOG_PAGE = 100
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def state():
    return current_app.config["state"]


class V2Error(HarborAPIError):
    """An error of the data plane: Harbor's error body, the given status, extra headers (challenges)."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(code, message, status=status)
        self.headers = dict(headers or {}, **{"Docker-Distribution-Api-Version": "registry/2.0"})


@bp.errorhandler(V2Error)
def v2_error_response(err):
    resp = jsonify(err.payload())
    resp.status_code = err.status
    resp.headers.update(err.headers)
    return resp


def v2_error(status, code, message):
    return V2Error(status, code, message)


def catalog_refused():
    """Any refused request to the catalog gets Harbor's 401 with the Basic challenge."""
    return V2Error(401, "UNAUTHORIZED", "unauthorized: unauthorized", {"Www-Authenticate": 'Basic realm="harbor"'})


def caller(st):
    """The caller: basic auth as security.py resolved it, else a bearer token issued by ``/service/token``."""
    if not security.current().authenticated:
        g.security = v2auth.bearer_context(st)
    return security.current()


def split_name(name):
    """``<project>/<repository>`` of a repository path (the repository part may hold more slashes)."""
    project, _, repository = name.partition("/")
    if not repository:
        raise v2_error(400, "NAME_INVALID", "invalid repository name: %s" % name)
    return project, repository


def require_access(st, name, action):
    """Pull or push access to a repository's project, refused with v2auth's 401 challenge (Bearer with the scope when no
    Authorization header was sent, else Basic). v2auth/auth.go check: a GET or HEAD without any Authorization header is
    always refused, even on a public project (docker CLI #11271); with a token, anonymous callers may pull public ones."""
    caller(st)
    scope = "repository:%s:%s" % (name, "pull,push" if action == "push" else "pull")
    if not request.headers.get("Authorization") and request.method in ("GET", "HEAD"):
        abort(v2auth.challenge_response(st, scope))
    project = projects.find(st, split_name(name)[0])
    if projects.can(st, project, action, "repository"):
        return project
    abort(v2auth.challenge_response(st, scope))


def proxy_push_refusal(project):
    """repoproxy.DisableBlobAndManifestUploadMiddleware (src/server/middleware/repoproxy/proxy.go): nothing may be pushed
    into a proxy-cache project but by the proxy-cache service itself -> 403 DENIED. None for other projects."""
    if project and project.get("registry_id"):
        return V2Error(403, "DENIED", "can not push artifact to a proxy project: %s" % project["name"])
    return None


def manifest_of(art):
    """The manifest bytes and media type the registry serves for a stored artifact."""
    config_type, manifest_type = MEDIA_TYPES.get(art["type"], MEDIA_TYPES["IMAGE"])
    seed = art["digest"].encode("utf-8")
    doc = {
        "schemaVersion": 2, "mediaType": manifest_type,
        "config": {"mediaType": config_type, "size": 0, "digest": "sha256:" + hashlib.sha256(b"config:" + seed).hexdigest()},
        "layers": [{"mediaType": LAYER_MEDIA_TYPE, "size": art["size"], "digest": "sha256:" + hashlib.sha256(b"layer:" + seed).hexdigest()}],
        "annotations": {DIGEST_ANNOTATION: art["digest"]},
    }
    return json.dumps(doc, sort_keys=True).encode("utf-8"), manifest_type


def artifact_of(body):
    """What a pushed manifest stands for: ``{digest, type, size, media_type}`` (400 MANIFEST_INVALID when unreadable)."""
    try:
        doc = json.loads(body)
        config = doc["config"]
        size = sum(int(layer.get("size", 0)) for layer in doc.get("layers", []))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise v2_error(400, "MANIFEST_INVALID", "manifest invalid")
    digest = (doc.get("annotations") or {}).get(DIGEST_ANNOTATION) or "sha256:" + hashlib.sha256(body).hexdigest()
    kind = TYPE_OF_CONFIG.get(config.get("mediaType"), "IMAGE")
    return {"digest": digest, "type": kind.lower(), "size": size, "media_type": config.get("mediaType")}


@bp.get("/v2/_catalog")
def catalog():
    st = state()
    if not (caller(st).sysadmin or security.can_system("read", "catalog")):
        raise catalog_refused()
    with st.lock:
        names = sorted(repo["name"] for project in st.projects.values()
                       for repo in artifact_store(st).repositories(project["name"]))
    last = request.args.get("last") or ""
    size = int(request.args.get("n") or CATALOG_PAGE)
    names = [name for name in names if name > last]
    resp = jsonify({"repositories": names[:size]})
    if len(names) > size:
        resp.headers["Link"] = '</v2/_catalog?last=%s&n=%d>; rel="next"' % (names[size - 1], size)
    return resp


@bp.get("/v2/<path:name>/tags/list")
def tags_list(name):
    st = state()
    project, repository = split_name(name)
    with st.lock:
        require_access(st, name, "pull")
        if artifact_store(st).repository(project, repository) is None:
            raise v2_error(404, "NAME_UNKNOWN", "repository name not known to registry")
        tags = sorted(tag["name"] for art in artifact_store(st).artifacts(project, repository) for tag in art["tags"])
    return jsonify({"name": name, "tags": tags})


@bp.route("/v2/<path:name>/manifests/<reference>", methods=["GET", "HEAD"])
def get_manifest(name, reference):
    st = state()
    project, repository = split_name(name)
    with st.lock:
        found = require_access(st, name, "pull")
    if content.is_proxy(found):
        return proxycache.manifest_response(st, found, repository, reference)
    art = artifact_store(st).get(project, repository, reference)
    if art is None:
        raise v2_error(404, "MANIFEST_UNKNOWN", "manifest unknown")
    body, media_type, digest = content.read_manifest(st, project, repository, art)
    resp = Response(b"" if request.method == "HEAD" else body, status=200, content_type=media_type)
    resp.headers["Docker-Content-Digest"] = digest
    resp.headers["Content-Length"] = str(len(body))
    return resp


@bp.put("/v2/<path:name>/manifests/<reference>")
def put_manifest(name, reference):
    st = state()
    project, repository = split_name(name)
    body = request.get_data()
    if reference.startswith("sha256:") and not _DIGEST.match(reference):
        raise v2_error(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
    with st.lock:
        found = require_access(st, name, "push")
        if found is None:
            raise v2_error(404, "NOT_FOUND", "project %s not found" % project)
    content.refuse_proxy_push(found)
    digest = content.write_manifest(st, project, repository, reference, request.content_type or "", body)
    event.pushed(st, project, repository, digest, [] if reference.startswith("sha256:") else [reference])
    resp = Response(status=201)
    resp.headers["Location"] = "/v2/%s/manifests/%s" % (name, digest)
    resp.headers["Docker-Content-Digest"] = digest
    return resp


@bp.delete("/v2/<path:name>/manifests/<reference>")
def delete_manifest(name, reference):
    """src/server/registry/manifest.go deleteManifest: by digest only (a tag: 400 UNSUPPORTED), the artifact with its
    tags (202), then the DeleteArtifactEvent (replication/event.py)."""
    st = state()
    project, repository = split_name(name)
    with st.lock:
        require_access(st, name, "delete")
    if not _DIGEST.match(reference):
        raise v2_error(400, "UNSUPPORTED", "unsupported digest %s: invalid checksum digest format" % reference)
    art = artifact_store(st).get(project, repository, reference)
    if art is None:
        raise v2_error(404, "NOT_FOUND", "artifact %s/%s@%s not found" % (project, repository, reference))
    storage_of(st).delete_artifact(project, repository, art["digest"])
    event.deleted(st, project, repository, art)
    return Response(status=202)
