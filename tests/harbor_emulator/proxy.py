"""Pull through a proxy-cache project (mirrors src/server/middleware/repoproxy/proxy.go: handleManifest, defaultLibrary,
canProxy, and src/controller/proxy/controller.go: ProxyManifest).

A manifest ``GET``/``HEAD`` under ``/v2/<project>/<name>/manifests/<ref>`` of a project with a ``registry_id``:

- a Docker Hub endpoint and a ``<name>`` without ``/`` → **301** to ``/v2/<project>/library/<name>/manifests/<ref>``
  (``defaultLibrary``);
- a cached artifact is served from the local store (``UseLocalManifest``; the emulator never re-checks the upstream);
- else the manifest of ``<name>:<ref>`` is read from the endpoint with its credentials (the replication adapters'
  ``/v2/`` client), cached in the project (Harbor does it in the background; here at once) and served. The upstream's
  404 is Harbor's 404 ``NOT_FOUND``; any other upstream failure falls back to the local registry (``MANIFEST_UNKNOWN``),
  as Harbor logs "Proxy to remote failed, fallback to local repo". An endpoint that is not ``healthy`` is not used
  (``canProxy``).
"""
from flask import redirect

from .store import artifact_store


def proxied_manifest(st, project, repository, reference):
    """Called by distribution.get_manifest when ``project`` (the stored dict) holds no ``repository:reference``.
    Returns a Flask response (the Docker Hub redirect), the cached artifact dict, or None (not found / not a proxy)."""
    from . import distribution                     # imported here: distribution and the adapters import this module's callers
    from .replication.adapter import AdapterError, adapter_for
    with st.lock:
        registry = st.registries.get(project.get("registry_id") or 0)
        registry = dict(registry) if registry else None
    if registry is None or registry.get("status", "healthy") != "healthy":
        return None
    if registry.get("type") == "docker-hub" and "/" not in repository:
        return redirect("/v2/%s/library/%s/manifests/%s" % (project["name"], repository, reference), code=301)
    try:
        body, _ = adapter_for(st, registry).pull(repository, reference)
    except AdapterError as exc:
        if exc.status == 404:
            raise distribution.v2_error(404, "NOT_FOUND", "artifact %s/%s:%s not found" % (project["name"], repository, reference))
        return None
    pushed = distribution.artifact_of(body)
    tags = [] if reference.startswith("sha256:") else [reference]
    with st.lock:
        return artifact_store(st).add(project["name"], repository, digest=pushed["digest"], tags=tags, type=pushed["type"],
                                      size=pushed["size"], media_type=pushed["media_type"])
