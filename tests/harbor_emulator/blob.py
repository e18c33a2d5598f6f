"""Blobs under ``/v2/`` (Harbor routes them to its distribution registry: src/server/registry/route.go; the emulator
keeps them in its storage, storage.py).

- ``POST /v2/<name>/blobs/uploads/``: opens an upload (202, ``Location``, ``Docker-Upload-UUID``); with ``?digest=``
  the body is the whole blob (201); with ``?mount=<digest>&from=<repo>`` a blob the caller may pull from ``<repo>`` is
  linked at once (201), else an upload is opened, as distribution does.
- ``PATCH /v2/<name>/blobs/uploads/<uuid>``: appends a chunk (202, ``Range: 0-<last>``).
- ``PUT /v2/<name>/blobs/uploads/<uuid>?digest=``: appends the body, checks the digest, stores the blob (201).
- ``GET|HEAD /v2/<name>/blobs/<digest>``: the blob, ``Docker-Content-Digest`` and its length; 404 ``BLOB_UNKNOWN``.
  In a proxy-cache project a blob the project lacks comes from the upstream (proxycache.py: ``GET`` streams it).

Pushing needs the project's push permission and is refused in a proxy-cache project (403 ``DENIED``,
repoproxy.DisableBlobAndManifestUploadMiddleware); pulling needs pull permission. Uploads in progress live in
``state.extensions["uploads"]`` (uuid -> repository and bytes so far).
"""
import uuid

from flask import Response, Blueprint, current_app, request

from . import content, distribution, proxycache
from .storage import ContentError, storage_of

bp = Blueprint("blob", __name__)


def state():
    return current_app.config["state"]


def uploads(st):
    return st.extensions.setdefault("uploads", {})


def push_target(st, name):
    project, repository = distribution.split_name(name)
    with st.lock:
        found = distribution.require_access(st, name, "push")
        if found is None:
            raise distribution.v2_error(404, "NOT_FOUND", "project %s not found" % project)
    content.refuse_proxy_push(found)
    return project, repository


def store_blob(st, name, data, digest):
    project, repository = distribution.split_name(name)
    if not distribution._DIGEST.match(digest or ""):
        raise distribution.v2_error(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
    try:
        storage_of(st).put_blob(project, repository, data, digest)
    except ContentError as exc:
        raise content.content_error(exc)
    resp = Response(status=201)
    resp.headers.update({"Location": "/v2/%s/blobs/%s" % (name, digest), "Docker-Content-Digest": digest,
                         "Content-Length": "0"})
    return resp


def upload_response(name, upload_id, size, status=202):
    resp = Response(status=status)
    resp.headers.update({"Location": "/v2/%s/blobs/uploads/%s" % (name, upload_id), "Docker-Upload-UUID": upload_id,
                         "Range": "0-%d" % max(size - 1, 0), "Content-Length": "0"})
    return resp


@bp.post("/v2/<path:name>/blobs/uploads/")
def start_upload(name):
    st = state()
    push_target(st, name)
    if request.args.get("digest"):
        return store_blob(st, name, request.get_data(), request.args["digest"])
    mount, source = request.args.get("mount"), request.args.get("from")
    if mount and source and "/" in source:
        with st.lock:
            readable = distribution.projects.can(st, distribution.projects.find(st, source.split("/", 1)[0]), "pull", "repository")
        data = storage_of(st).get_blob(*(source.split("/", 1) + [mount])) if readable else None
        if data is not None:
            return store_blob(st, name, data, mount)
    upload_id = str(uuid.uuid4())
    with st.lock:
        uploads(st)[upload_id] = {"name": name, "data": bytearray(request.get_data())}
    return upload_response(name, upload_id, 0)


def upload_of(st, name, upload_id):
    with st.lock:
        upload = uploads(st).get(upload_id)
    if upload is None or upload["name"] != name:
        raise distribution.v2_error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
    return upload


@bp.patch("/v2/<path:name>/blobs/uploads/<upload_id>")
def patch_upload(name, upload_id):
    st = state()
    push_target(st, name)
    upload = upload_of(st, name, upload_id)
    with st.lock:
        upload["data"].extend(request.get_data())
        size = len(upload["data"])
    return upload_response(name, upload_id, size)


@bp.put("/v2/<path:name>/blobs/uploads/<upload_id>")
def finish_upload(name, upload_id):
    st = state()
    push_target(st, name)
    upload = upload_of(st, name, upload_id)
    with st.lock:
        upload["data"].extend(request.get_data())
        data = bytes(upload["data"])
    resp = store_blob(st, name, data, request.args.get("digest"))
    with st.lock:
        uploads(st).pop(upload_id, None)
    return resp


@bp.route("/v2/<path:name>/blobs/<digest>", methods=["GET", "HEAD"])
def get_blob(name, digest):
    st = state()
    project, repository = distribution.split_name(name)
    with st.lock:
        found = distribution.require_access(st, name, "pull")
    if content.is_proxy(found):
        redirect = proxycache.library_redirect(st, found, repository, "blobs/" + digest)
        if redirect is not None:
            return redirect
    try:
        data = storage_of(st).get_blob(project, repository, digest) if distribution._DIGEST.match(digest) else None
    except ContentError as exc:
        raise content.content_error(exc)
    if data is None and content.is_proxy(found):
        if request.method == "GET":
            streamed = proxycache.blob_stream(st, found, repository, digest)
            if streamed is not None:
                return streamed
        else:
            data = proxycache.blob(st, found, repository, digest)
    if data is None:                # distribution's own answer, with the digest as its detail
        raise distribution.V2Error(404, "BLOB_UNKNOWN", "blob unknown to registry", detail=digest)
    resp = Response(b"" if request.method == "HEAD" else data, status=200, content_type="application/octet-stream")
    resp.headers.update({"Docker-Content-Digest": digest, "Content-Length": str(len(data))})
    return resp
