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
  ``proxy_cache_local_on_not_found`` is ``true``); it cannot be reached -> the cached copy, else distribution's 404
  ``MANIFEST_UNKNOWN`` ("fallback to local"); same digest as the cached copy -> the cached copy; otherwise the
  artifact (manifest, child manifests, blobs) is copied from the upstream into the project
  (replication/transfer.py) and then served from there.

One difference: Harbor answers the first pull from the upstream's stream and caches in the background (a manifest
list only once its children are cached); the emulator copies the whole artifact, every platform of an index
included, before it answers, so the next pull finds it whatever the timing. ``proxy_speed_kb`` and
``max_upstream_conn`` are not applied.

A blob the project lacks (``GET|HEAD /v2/<project>/<repo>/blobs/<digest>``) is fetched from the upstream and stored.
"""
from flask import Response, redirect, request

from . import content, distribution
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


def local_or_unknown(st, project, repository, reference):
    art = storage_of(st).get(project["name"], repository, reference)
    if art is None:
        raise distribution.v2_error(404, "MANIFEST_UNKNOWN", "manifest unknown")
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
        try:
            copy(remote, LocalContent(st, proxy=True), repository, "%s/%s" % (project["name"], repository), reference,
                 True, lambda level, text: None)
        except AdapterError:
            pass                                                        # "Proxy to remote failed, fallback to local repo"
    return local_or_unknown(st, project, repository, reference)


def blob(st, project, repository, digest):
    """A blob the proxy-cache project lacks, fetched from the upstream and stored; None when it cannot be had."""
    registry = endpoint(st, project)
    if not registry or not distribution._DIGEST.match(digest):
        return None
    try:
        data = RemoteContent(adapter_for(st, registry)).pull_blob(repository, digest)
        LocalContent(st, proxy=True).push_blob("%s/%s" % (project["name"], repository), digest, data)
    except AdapterError:
        return None
    return data
