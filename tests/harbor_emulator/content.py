"""What the ``/v2/`` manifest routes read and write in the emulator's storage (Harbor: src/server/registry/manifest.go
in front of its distribution registry; storage.py holds the content).

- ``read_manifest(st, project, repository, art)`` -> ``(body, media_type, digest)``: the stored manifest when the
  storage has its content (every registry-backed artifact, and any manifest pushed with its blobs), else the manifest
  made up from the record (distribution.manifest_of) for an in-memory seed without content.
- ``write_manifest(st, project, repository, reference, media_type, body)`` -> digest: a registry-backed emulator stores
  the manifest in its registry (its blobs and child manifests must be there, as distribution checks) and records what
  Harbor's abstractor records; the in-memory one records the artifact the manifest stands for, as before (no blobs).
- ``refuse_proxy_push(project)``: Harbor's ``repoproxy.DisableBlobAndManifestUploadMiddleware`` (NOTES.md section 3):
  nothing is pushed into a proxy-cache project but by the proxy itself: 403 ``DENIED``.

Registry calls are made without ``st.lock`` (the records take it themselves).
"""
from . import distribution
from .storage import ContentError, storage_of


def content_error(exc):
    """A storage ContentError as the distribution API answers it."""
    return distribution.v2_error(exc.status, exc.code, exc.message)


def is_proxy(project):
    return bool(project and project.get("registry_id"))


def refuse_proxy_push(project):
    if is_proxy(project):
        raise distribution.v2_error(403, "DENIED", "can not push artifact to a proxy project: %s" % project["name"])


def read_manifest(st, project, repository, art):
    stored = None
    try:
        stored = storage_of(st).get_manifest(project, repository, art["digest"])
    except ContentError as exc:
        raise content_error(exc)
    if stored is not None:
        media_type, body, digest = stored
        return body, media_type, digest
    body, media_type = distribution.manifest_of(art)
    return body, media_type, art["digest"]


def write_manifest(st, project, repository, reference, media_type, body):
    storage = storage_of(st)
    if storage.kind == "memory":
        pushed = distribution.artifact_of(body)
        if reference.startswith("sha256:") and reference != pushed["digest"]:
            raise distribution.v2_error(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
        tags = [] if reference.startswith("sha256:") else [reference]
        storage.records.add(project, repository, digest=pushed["digest"], tags=tags, type=pushed["type"],
                            size=pushed["size"], media_type=pushed["media_type"])
        return pushed["digest"]
    try:
        return storage.push_manifest(project, repository, reference, media_type.split(";")[0].strip(), body)["digest"]
    except ContentError as exc:
        raise content_error(exc)
