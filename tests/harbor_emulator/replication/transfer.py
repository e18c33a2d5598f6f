"""Copying artifacts between registries over the distribution API (mirrors src/controller/replication/transfer/image
and src/pkg/reg: pull the manifest, copy the blobs the destination lacks, child manifests of an index first, then
push the manifest; digests are preserved because the bytes are).

Two kinds of end, with the same seven operations::

    manifest(repository, reference) -> (media_type, body, digest)      # AdapterError(status 404) when absent
    manifest_digest(repository, reference) -> digest or None
    blob_exists(repository, digest) -> bool
    pull_blob(repository, digest) -> bytes
    push_blob(repository, digest, data)
    push_manifest(repository, reference, media_type, body)
    delete_manifest(repository, digest)                                  # replicate_deletion (delete below)

- ``LocalContent(state, proxy=False)``: this emulator's storage (storage.py), ``<project>/<repository>`` paths. Pushing
  into a proxy-cache project is refused as Harbor's registry refuses it (403 DENIED) unless ``proxy`` (the proxy
  cache's own session). In-memory artifacts without content are served as the made-up manifest of distribution.py
  and copied as records (no blobs), as the emulator did before it had a data plane.
- ``RemoteContent(adapter)``: another registry through a replication adapter's ``v2()`` (its credentials, TLS
  settings and token handshake, adapter.py).

``copy_repository(src, dst, src_repo, dst_repo, references, override, log)`` copies the references of one repository
(one task), ``copy(...)`` one reference; ``log(level, text, line)`` gets the task's log lines, Harbor's texts with the
line of transfer.go that writes each (flow.log_line formats them as Harbor's job logger does).
"""
import hashlib
import json
from urllib.parse import urlsplit

from .. import distribution, iothrottler
from ..handler import project as projects
from ..storage import INDEXES, ContentError, references_of, storage_of
from .adapter import MANIFEST_ACCEPT, AdapterError, LocalAdapter, http_error_text, repository_scope

CLOSING_ERROR = "got error during the whole transfer period, mark the job failure"      # transfer.go copy, a task failed
CHUNK_SIZE = 10 * 1024 * 1024     # Harbor's default REPLICATION_CHUNK_SIZE (src/controller/replication/transfer/image)
ACCEPT = ", ".join([MANIFEST_ACCEPT] + list(INDEXES) + ["application/vnd.oci.image.manifest.v1+json"])


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def made_up(body):
    """The digest a made-up manifest (distribution.manifest_of) stands for, or None for a real manifest."""
    try:
        return (json.loads(body).get("annotations") or {}).get(distribution.DIGEST_ANNOTATION)
    except (ValueError, AttributeError):
        return None


def content_of(state, adapter):
    return LocalContent(state) if isinstance(adapter, LocalAdapter) else RemoteContent(adapter)


class LocalContent:
    def __init__(self, state, proxy=False):
        self.state = state
        self.proxy = proxy
        self.storage = storage_of(state)

    @staticmethod
    def split(repository):
        return repository.split("/", 1)

    def _call(self, what, *args):
        try:
            return what(*args)
        except ContentError as exc:
            raise AdapterError("http error: code %d, message %s: %s" % (exc.status, exc.code, exc.message), exc.status)

    def manifest(self, repository, reference):
        project, repo = self.split(repository)
        stored = self._call(self.storage.get_manifest, project, repo, reference)
        if stored is not None:
            return stored
        art = self.storage.get(project, repo, reference)
        if art is None:
            raise AdapterError("http error: code 404, manifest %s:%s not found" % (repository, reference), 404)
        body, media_type = distribution.manifest_of(art)
        return media_type, body, art["digest"]

    def manifest_digest(self, repository, reference):
        project, repo = self.split(repository)
        with self.state.lock:
            if projects.find(self.state, project) is None:
                return None
        art = self.storage.get(project, repo, reference)
        return art["digest"] if art else None

    def blob_exists(self, repository, digest):
        return self._call(self.storage.blob_size, *(self.split(repository) + [digest])) is not None

    def pull_blob(self, repository, digest):
        data = self._call(self.storage.get_blob, *(self.split(repository) + [digest]))
        if data is None:
            raise AdapterError("http error: code 404, blob %s of %s not found" % (digest, repository), 404)
        return data

    def delete_manifest(self, repository, digest):
        project, repo = self.split(repository)
        self.storage.delete_artifact(project, repo, digest)

    def _refuse_proxy(self, repository):
        with self.state.lock:
            project = projects.find(self.state, self.split(repository)[0])
        if project and project.get("registry_id") and not self.proxy:
            raise AdapterError(http_error_text(403, '{"errors":[{"code":"DENIED","message":"can not push artifact'
                                               ' to a proxy project: %s"}]}' % project["name"]), 403)

    def push_blob(self, repository, digest, data):
        self._refuse_proxy(repository)
        self._call(self.storage.put_blob, *(self.split(repository) + [data, digest]))

    def push_manifest(self, repository, reference, media_type, body):
        """Store the manifest; then, as Harbor's Artifact.Ensure, fire the push event (event-based rules, event.py): for
        a replication always, for the proxy cache only when the artifact is new in the project."""
        from . import event     # event.py starts flows, flow.py imports this module
        self._refuse_proxy(repository)
        project, repo = self.split(repository)
        tags = [] if reference.startswith("sha256:") else [reference]
        new = self.storage.get(project, repo, made_up(body) or sha256(body)) is None
        if self.storage.kind == "memory" or made_up(body):
            pushed = distribution.artifact_of(body)
            art = self.storage.records.add(project, repo, digest=pushed["digest"], tags=tags, type=pushed["type"],
                                           size=pushed["size"], media_type=pushed["media_type"])
        else:
            art = self._call(self.storage.push_manifest, project, repo, reference, media_type, body)
        if new or not self.proxy:
            event.pushed(self.state, project, repo, art["digest"], tags)


class RemoteContent:
    def __init__(self, adapter):
        self.adapter = adapter

    def manifest(self, repository, reference):
        resp = self.adapter.v2("GET", "/v2/%s/manifests/%s" % (repository, reference), repository_scope(repository, "pull"),
                               headers={"Accept": ACCEPT})
        digest = made_up(resp.content) or sha256(resp.content)
        return resp.headers.get("Content-Type", "").split(";")[0].strip(), resp.content, digest

    def manifest_digest(self, repository, reference):
        """adapter.digest with every manifest type accepted (distribution hides an index from a client that does not
        accept indexes)."""
        try:
            resp = self.adapter.v2("HEAD", "/v2/%s/manifests/%s" % (repository, reference), repository_scope(repository, "pull"),
                                   headers={"Accept": ACCEPT})
        except AdapterError as exc:
            if exc.status == 404:
                return None
            raise
        return resp.headers.get("Docker-Content-Digest")

    def blob_exists(self, repository, digest):
        try:
            self.adapter.v2("HEAD", "/v2/%s/blobs/%s" % (repository, digest), repository_scope(repository, "pull,push"))
        except AdapterError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def pull_blob(self, repository, digest):
        resp = self.adapter.v2("GET", "/v2/%s/blobs/%s" % (repository, digest), repository_scope(repository, "pull"))
        if sha256(resp.content) != digest:
            raise AdapterError("the blob %s of %s has the content of %s" % (digest, repository, sha256(resp.content)))
        return resp.content

    def blob_reader(self, repository, digest):
        """The upstream's answer to ``GET`` of the blob, its body not read yet (``iter_content``; close it)."""
        return self.adapter.v2("GET", "/v2/%s/blobs/%s" % (repository, digest), repository_scope(repository, "pull"), stream=True)

    def push_blob(self, repository, digest, data, chunk_size=None, log=None, speed=0):
        """A monolithic upload (POST, PUT with the bytes), or with ``chunk_size`` a chunked one (POST, one PATCH per
        chunk with its ``Content-Range``, an empty PUT), as Harbor's ``copy_by_chunk``; each chunk is read through a
        limiter of its own at ``speed`` (copyBlobByChunk wraps every chunk's reader in lib.NewReader)."""
        scope = repository_scope(repository, "pull,push")
        resp = self.adapter.v2("POST", "/v2/%s/blobs/uploads/" % repository, scope)
        location = resp.headers.get("Location", "")
        for start in range(0, len(data), chunk_size) if chunk_size else ():
            chunk = iothrottler.pace(data[start:start + chunk_size], speed)
            span = "%d-%d" % (start, start + len(chunk) - 1)
            log("INFO", "copying the blob chunk: %s/%d" % (span, len(data)), 428)
            resp = self.adapter.v2("PATCH", self._path(location), scope, data=chunk, headers={
                "Content-Type": "application/octet-stream", "Content-Range": span})
            location = resp.headers.get("Location", location)
            log("INFO", "copy the blob chunk: %s/%d completed" % (span, len(data)), 450)
        self.adapter.v2("PUT", self._path(location), scope, params={"digest": digest}, data=b"" if chunk_size else data,
                        headers={"Content-Type": "application/octet-stream"})

    @staticmethod
    def _path(location):
        parts = urlsplit(location)
        return parts.path + ("?" + parts.query if parts.query else "")

    def push_manifest(self, repository, reference, media_type, body):
        self.adapter.push(repository, reference, body, media_type)

    def delete_manifest(self, repository, digest):
        """``DELETE /v2/<repository>/manifests/<digest>`` (scope ``*``, as Harbor's bearer scope.go asks for a DELETE)."""
        self.adapter.v2("DELETE", "/v2/%s/manifests/%s" % (repository, digest), repository_scope(repository, "*"))


def copy_repository(src, dst, src_repo, dst_repo, references, override, log, chunk_size=None, speed=0):
    """transfer.go copy: the references (tags, or digests of untagged artifacts) of one repository, one task; each goes
    through ``copy`` and an error is logged and the next reference tried. True when every one went through; else the
    closing error line is logged and False returned (the task fails)."""
    listed = ",".join(references)
    log("INFO", "copying %s:[%s](source registry) to %s:[%s](destination registry)..." % (src_repo, listed, dst_repo, listed), 183)
    if speed > 0:
        log("INFO", "limit network speed at %d kb/s" % speed, 186)
    failed = False
    for reference in references:
        try:
            copy(src, dst, src_repo, dst_repo, reference, override, log, chunk_size, speed)
        except AdapterError as exc:
            log("ERROR", str(exc), 195)
            failed = True
    if failed:
        log("ERROR", CLOSING_ERROR, 201)
        return False
    log("INFO", "copy %s:[%s](source registry) to %s:[%s](destination registry) completed" % (src_repo, listed, dst_repo, listed), 205)
    return True


def copy(src, dst, src_repo, dst_repo, reference, override, log, chunk_size=None, speed=0):
    """transfer.go copyArtifact: copy ``src_repo:reference`` to ``dst_repo:reference``; True when copied, False when
    skipped (the destination holds the same digest, or another one and ``override`` is off). ``log(level, text, line)``
    gets Harbor's log lines (``line``: where transfer.go writes it). ``chunk_size`` (``copy_by_chunk``): a blob
    larger than that goes to a remote destination in chunks of that many bytes (PATCH with ``Content-Range``).
    ``speed`` > 0: every blob is read from the source at that limit (iothrottler.py; the policy's ``speed``, or the
    proxy-cache project's ``proxy_speed_kb``). Raises AdapterError (already logged) when a step fails."""
    log("INFO", "copying %s:%s(source registry) to %s:%s(destination registry)..." % (src_repo, reference, dst_repo, reference), 211)
    log("INFO", "pulling the manifest of artifact %s:%s ..." % (src_repo, reference), 465)
    try:
        media_type, body, digest = src.manifest(src_repo, reference)
    except AdapterError as exc:
        log("ERROR", "failed to pull the manifest of artifact %s:%s: %s" % (src_repo, reference, exc), 468)
        raise
    log("INFO", "the manifest of artifact %s:%s pulled" % (src_repo, reference), 471)
    existing = on_destination(dst, dst_repo, reference, log, 479)
    if existing is not None:
        if existing == digest:
            log("INFO", "the artifact %s:%s already exists on the destination registry, skip" % (dst_repo, reference), 227)
            return False
        if not override:
            log("WARNING", 'the same name artifact %s:%s exists on the destination registry, but the "override" is set to'
                ' false, skip' % (dst_repo, reference), 233)
            return False
        log("WARNING", 'the same name artifact %s:%s exists on the destination registry and the "override" is set to true,'
            ' continue...' % (dst_repo, reference), 238)
    copy_contents(src, dst, src_repo, dst_repo, reference, media_type, body, log, chunk_size, speed)
    log("INFO", "copy %s:%s(source registry) to %s:%s(destination registry) completed" % (src_repo, reference, dst_repo, reference), 254)
    return True


def on_destination(dst, repository, reference, log, line):
    """The digest of ``repository:reference`` on the destination (None when absent); a failed check is logged as
    transfer.go's exist() and delete() log it (at ``line``) and raised."""
    try:
        return dst.manifest_digest(repository, reference)
    except AdapterError as exc:
        log("ERROR", "failed to check the existence of the manifest of artifact %s:%s on the destination registry: %s"
            % (repository, reference, exc), line)
        raise


def delete(dst, repository, reference, log):
    """transfer.go delete: the manifest ``repository:reference`` deleted on the destination (by its digest, as the
    registry client's DeleteManifest resolves a tag); absent -> skipped. True when deleted."""
    digest = on_destination(dst, repository, reference, log, 520)
    if digest is None:
        log("INFO", "the artifact %s:%s doesn't exist on the destination registry, skip" % (repository, reference), 525)
        return False
    try:
        dst.delete_manifest(repository, digest)
    except AdapterError as exc:
        log("ERROR", "failed to delete the manifest of artifact %s:%s on the destination registry: %s" % (repository, reference, exc), 530)
        raise
    log("INFO", "the manifest of artifact %s:%s is deleted" % (repository, reference), 534)
    return True


def copy_contents(src, dst, src_repo, dst_repo, reference, media_type, body, log, chunk_size=None, speed=0):
    """transfer.go copyArtifact after the existence check: the manifest's references (child manifests of an index,
    each through ``copy`` by digest with override; the blobs of an image), then the manifest itself."""
    if not made_up(body):
        try:
            blobs, children = references_of(media_type, json.loads(body))
        except (ValueError, KeyError, TypeError):
            raise AdapterError("the manifest of %s:%s is invalid" % (src_repo, reference))
        for child in children:
            copy(src, dst, src_repo, dst_repo, child, True, log, chunk_size, speed)
        for blob in blobs:
            copy_blob(src, dst, src_repo, dst_repo, blob, log, chunk_size, speed)
    log("INFO", "pushing the manifest of artifact %s:%s ..." % (dst_repo, reference), 494)
    try:
        dst.push_manifest(dst_repo, reference, media_type, body)
    except AdapterError as exc:        # transfer.go pushManifest's text; the caller then fails the task
        log("ERROR", "failed to push manifest of artifact %s:%s: %s" % (dst_repo, reference, exc), 502)
        raise
    log("INFO", "the manifest of artifact %s:%s pushed" % (dst_repo, reference), 506)


def copy_blob(src, dst, src_repo, dst_repo, blob, log, chunk_size=None, speed=0):
    """transfer.go copyBlobWithRetry / copyChunkWithRetry around copyBlob (once: the emulator does not retry): skipped
    when the destination holds the blob, else pulled and pushed (by chunk when larger than ``chunk_size``)."""
    by_chunk = chunk_size and isinstance(dst, RemoteContent)
    if by_chunk:
        log("INFO", "copying the blob %s by chunk(chunkSize: %d)(the 1th running)..." % (blob, chunk_size), 314)
    else:
        log("INFO", "copying the blob %s(the 1th running)..." % blob, 290)
    try:
        exists = dst.blob_exists(dst_repo, blob)
    except AdapterError as exc:
        log("ERROR", "failed to check the existence of blob %s on the destination registry: %s" % (blob, exc), 336)
        raise
    if exists:
        log("INFO", "the blob %s already exists on the destination registry, skip" % blob, 340)
    else:
        try:
            data = src.pull_blob(src_repo, blob)
        except AdapterError as exc:
            log("ERROR", "failed to pulling the blob %s: %s" % (blob, exc), 380)
            raise
        if by_chunk and len(data) > chunk_size:    # else one monolithic upload, as a single chunk would be
            dst.push_blob(dst_repo, blob, data, chunk_size=chunk_size, log=log, speed=speed)
        else:
            try:
                dst.push_blob(dst_repo, blob, iothrottler.pace(data, speed))
            except AdapterError as exc:
                log("ERROR", "failed to pushing the blob %s, size %d: %s" % (blob, len(data), exc), 396)
                raise
    log("INFO", ("copy the blob %s by chunk completed" if by_chunk else "copy the blob %s completed") % blob, 316 if by_chunk else 292)
