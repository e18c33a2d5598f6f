"""Pulls through a proxy-cache project (mirrors src/server/middleware/repoproxy/proxy.go and
src/controller/proxy/controller.go).

A manifest ``GET|HEAD /v2/<project>/<repo>/manifests/<reference>`` in a project with a ``registry_id``:

- Docker Hub's library rule (``defaultLibrary``): for a ``docker-hub`` endpoint, a repository without a ``/`` is
  answered ``301`` to ``/v2/<project>/library/<repo>/...`` (manifests and blobs), so ``<project>/busybox`` is cached
  as ``<project>/library/busybox`` and fetched from the upstream's ``library/busybox``.
- The upstream repository is the path after the project (``getRemoteRepo``).
- Pulled by digest and cached: served from the project. An endpoint whose status is ``unhealthy`` is not proxied
  (``canProxy``): the project serves what it has.
- Else the upstream is asked (``HEAD``, with the endpoint's credentials, TLS settings/CA or insecure, adapter.py):
  it does not have it -> 404 ``NOT_FOUND`` ``repo <repo>, tag <ref> not found`` (or the cached copy when the project's
  ``proxy_cache_local_on_not_found`` is ``true``); it cannot be reached -> the cached copy, else the local registry's
  404 ``NOT_FOUND`` ``repository <project>/<repo> not found`` ("fallback to local"); same digest as the cached copy -> the cached copy; otherwise the
  artifact (manifest, child manifests, blobs) is copied from the upstream into the project
  (replication/transfer.py) and then served from there.

Limits of the project (metadata, parsed as Harbor parses them: an unparsable value is 0):

- ``proxy_speed_kb`` > 0: every blob read from the upstream goes through Harbor's bandwidth limiter (iothrottler.py;
  src/controller/proxy/remote.go BlobReader wraps it in lib.NewReader), one unit = 1 Kibit/s.
- ``max_upstream_conn`` > 0: at most that many requests of one artifact go to the upstream at a time
  (src/pkg/proxy/connection/limit.go, a counter per key; Harbor keeps it in Redis): the key is
  ``{upstream_registry_connection}:<project>/<repo>:<digest>`` (digest empty for a pull by tag), or
  ``{upstream_registry_connection}:<project>`` when the environment has ``UPSTREAM_REGISTRY_LIMIT_ON_PROJECT=true``
  (proxy.go upstreamRegistryConnectionKey). One more is answered ``429`` ``TOO_MANY_REQUEST`` ``too many requests to
  upstream registry``; a cached copy answers without taking a connection.

A blob the project lacks (``GET /v2/<project>/<repo>/blobs/<digest>``) is streamed from the upstream to the client as
it arrives (at the project's speed, holding an upstream connection until the last byte) and stored in the project once
it is whole, as Harbor's ProxyBlob serves the upstream's reader (Harbor stores it by a second, background fetch); the
client that has read the last byte finds it cached. ``HEAD`` of such a blob fetches and stores it first.

One difference: Harbor answers the first pull of a manifest from the upstream's answer and caches in the background
(a manifest once the client has pulled its blobs, a manifest list once its children are cached); the emulator copies
the whole artifact, blobs and every platform of an index included, at the project's speed, before it answers, so the
next pull finds it whatever the timing. The blob streaming above therefore serves clients that ask for a blob before
its manifest.
"""
import hashlib
import os
import threading

from flask import Response, redirect, request

from . import content, distribution, iothrottler
from .replication.adapter import AdapterError, adapter_for
from .replication.transfer import LocalContent, RemoteContent, copy
from .storage import storage_of


def endpoint(st, project):
    with st.lock:
        return dict(st.registries.get(project["registry_id"]) or {})


def library_redirect(st, project, repository, tail):
    """Docker Hub's ``library/`` rule: the 301 Harbor answers, or None."""
    if "/" in repository or endpoint(st, project).get("type") != "docker-hub":
        return None
    return redirect("/v2/%s/library/%s/%s" % (project["name"], repository, tail), code=301)


def manifest_answer(st, project, repository, art):
    body, media_type, digest = content.read_manifest(st, project["name"], repository, art)
    resp = Response(b"" if request.method == "HEAD" else body, status=200, content_type=media_type)
    resp.headers.update({"Docker-Content-Digest": digest, "Etag": digest, "Content-Length": str(len(body))})
    return resp


def limits(project):
    """(speed, max connections) of a proxy-cache project (ProxyCacheSpeed, MaxUpstreamConnection)."""
    metadata = project.get("metadata") or {}
    return iothrottler.speed_of(metadata.get("proxy_speed_kb")), iothrottler.speed_of(metadata.get("max_upstream_conn"))


def connection_key(project, repository, digest):
    """proxy.go upstreamRegistryConnectionKey."""
    if os.environ.get("UPSTREAM_REGISTRY_LIMIT_ON_PROJECT", "").lower() == "true":
        return "{upstream_registry_connection}:%s" % project["name"]
    return "{upstream_registry_connection}:%s/%s:%s" % (project["name"], repository, digest)


class UpstreamConnection:
    """One upstream connection of ``key`` while ``limit`` > 0 (connection.Limiter Acquire/Release); entering raises
    Harbor's 429 when ``limit`` are taken already."""

    def __init__(self, st, key, limit):
        self.st, self.key, self.limit = st, key, limit
        with st.lock:
            self.counts = st.extensions.setdefault("upstream_connections", {})
            self.lock = st.extensions.setdefault("upstream_connections_lock", threading.Lock())

    def __enter__(self):
        if self.limit > 0:
            with self.lock:
                if self.counts.get(self.key, 0) + 1 > self.limit:
                    raise distribution.v2_error(429, "TOO_MANY_REQUEST", "too many requests to upstream registry")
                self.counts[self.key] = self.counts.get(self.key, 0) + 1
        return self

    def __exit__(self, *exc):
        self.release()

    def release(self):
        if self.limit > 0:
            with self.lock:
                if self.counts.get(self.key, 0) > 0:
                    self.counts[self.key] -= 1
                    self.limit = 0          # released once


def local_or_unknown(st, project, repository, reference):
    """The cached copy, else the local registry's 404 (repoproxy's "fallback to local": repository, then artifact)."""
    art = storage_of(st).get(project["name"], repository, reference)
    if art is None:
        raise distribution.not_found("%s/%s" % (project["name"], repository), reference)
    return manifest_answer(st, project, repository, art)


def manifest_response(st, project, repository, reference):
    moved = library_redirect(st, project, repository, "manifests/" + reference)
    if moved is not None:
        return moved
    registry = endpoint(st, project)
    local = storage_of(st).get(project["name"], repository, reference)
    if (local is not None and reference.startswith("sha256:")) or not registry or registry.get("status") == "unhealthy":
        return local_or_unknown(st, project, repository, reference)
    remote = RemoteContent(adapter_for(st, registry))
    try:
        remote_digest = remote.manifest_digest(repository, reference)
    except AdapterError:
        return local_or_unknown(st, project, repository, reference)     # "failed to proxy manifest, fallback to local"
    if remote_digest is None:
        if local is not None and project["metadata"].get("proxy_cache_local_on_not_found") == "true":
            return manifest_answer(st, project, repository, local)
        raise distribution.v2_error(404, "NOT_FOUND", "repo %s/%s, tag %s not found" % (project["name"], repository, reference))
    if local is None or local["digest"] != remote_digest:
        speed, most = limits(project)
        key = connection_key(project, repository, reference if reference.startswith("sha256:") else "")
        with UpstreamConnection(st, key, most):
            try:
                copy(remote, LocalContent(st, proxy=True), repository, "%s/%s" % (project["name"], repository), reference,
                     True, lambda level, text, line=None: None, speed=speed)
            except AdapterError:
                pass                                                    # "Proxy to remote failed, fallback to local repo"
    return local_or_unknown(st, project, repository, reference)


def proxied_endpoint(st, project, digest):
    """The endpoint a blob of the project comes from (canProxy: a healthy one), or None."""
    registry = endpoint(st, project)
    if not registry or not distribution._DIGEST.match(digest) or registry.get("status") == "unhealthy":
        return None
    return registry


def blob(st, project, repository, digest):
    """A blob the proxy-cache project lacks (HEAD), fetched from the upstream and stored; None when it cannot be had."""
    registry = proxied_endpoint(st, project, digest)
    if registry is None:
        return None
    speed, most = limits(project)
    with UpstreamConnection(st, connection_key(project, repository, digest), most):
        try:
            data = iothrottler.pace(RemoteContent(adapter_for(st, registry)).pull_blob(repository, digest), speed)
            LocalContent(st, proxy=True).push_blob("%s/%s" % (project["name"], repository), digest, data)
        except AdapterError:
            return None
    return data


def blob_stream(st, project, repository, digest):
    """handleBlob + ProxyBlob: the upstream's blob streamed to the client at the project's speed, stored once whole
    (before its last piece is handed on); None when the upstream cannot give it (the caller answers BLOB_UNKNOWN)."""
    registry = proxied_endpoint(st, project, digest)
    if registry is None:
        return None
    speed, most = limits(project)
    connection = UpstreamConnection(st, connection_key(project, repository, digest), most).__enter__()
    try:
        resp = RemoteContent(adapter_for(st, registry)).blob_reader(repository, digest)
    except AdapterError:
        connection.release()
        return None
    size = resp.headers.get("Content-Length")                      # io.CopyN(w, reader, size): the upstream's size

    def pieces():
        received, hashed = bytearray(), hashlib.sha256()
        try:
            held = None
            for piece in iothrottler.throttled(resp.iter_content(iothrottler.READ_SIZE), speed):
                if held is not None:
                    yield held
                received.extend(piece)
                hashed.update(piece)
                held = piece
            if "sha256:" + hashed.hexdigest() == digest:
                try:
                    LocalContent(st, proxy=True).push_blob("%s/%s" % (project["name"], repository), digest, bytes(received))
                except AdapterError:
                    pass
            if held is not None:
                yield held
        finally:
            resp.close()
            connection.release()

    out = Response(pieces(), status=200, content_type="application/octet-stream")
    out.headers.update({"Docker-Content-Digest": digest, "Etag": digest})
    if size:
        out.headers["Content-Length"] = size
    return out
