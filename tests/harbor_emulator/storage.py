"""Artifact storage of one emulated Harbor behind one interface: artifact records (Harbor's database) plus content
(manifests and blobs, Harbor's registry). Two implementations (issue 12):

- ``MemoryStorage(state)``: records in today's in-memory store (store.py), content in dicts; fast, for unit tests.
- ``RegistryStorage(state)``: the same records, content in a real ``docker-registry`` process started for this
  emulator (tools/dataplane/registry.py), as Harbor keeps it in the registry it runs.

    storage = storage_of(state, "registry")   # one per State (state.extensions["storage"]); default "memory"

Interface (``project``/``repository`` as in store.py; the content lives under ``<project>/<repository>`` as in Harbor)::

    storage.put_blob(project, repository, data) -> digest           # monolithic upload; the digest is checked
    storage.blob_size(project, repository, digest) -> int or None
    storage.get_blob(project, repository, digest) -> bytes or None
    storage.push_manifest(project, repository, reference, media_type, body) -> artifact dict
        # stores the manifest (every blob / child manifest it references must be there, else ContentError
        # MANIFEST_BLOB_UNKNOWN), then records the artifact as Harbor's abstractor does (``abstract``): digest,
        # manifest_media_type, media_type, type, size are the manifest's; reference = a tag moves it, a digest tags nothing
    storage.get_manifest(project, repository, reference) -> (media_type, body, digest) or None   # None: no content
    storage.delete_artifact(project, repository, digest) -> bool     # record and manifest (its tags go with it)
    storage.delete_repository(project, repository) -> bool
    storage.seed(project, repository, tags=(), type="image", labels=(), ...) -> artifact dict  # the seed control
    storage.repositories / repository / artifacts / get / used_storage / repository_count        # record reads, as store.py
    storage.close()                                                  # stops the registry process, if any

Errors are ``ContentError(status, code, message)`` with the distribution API's codes (BLOB_UNKNOWN, DIGEST_INVALID,
MANIFEST_UNKNOWN, MANIFEST_INVALID, MANIFEST_BLOB_UNKNOWN), so the ``/v2/`` handlers can answer them as Harbor does.

Seeding differs on purpose: ``MemoryStorage.seed`` records an artifact without content (today's behaviour, any digest);
``RegistryStorage.seed`` builds a small real artifact (tools/dataplane/oci.py: an image, or a Helm chart for
``type="chart"``), pushes it and records what the registry stored, so its digest and size are real (``digest=`` is
refused there).
"""
import hashlib
import json
import re
import threading

from .store import artifact_store

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
IMAGE_MANIFESTS = (OCI_MANIFEST, DOCKER_MANIFEST)
INDEXES = (OCI_INDEX, DOCKER_LIST)
# Harbor's processors by media type (src/controller/artifact/processor/{image,chart}); others: the default processor.
ARTIFACT_TYPES = {
    "application/vnd.oci.image.config.v1+json": "IMAGE",
    "application/vnd.docker.container.image.v1+json": "IMAGE",
    OCI_INDEX: "IMAGE",
    DOCKER_LIST: "IMAGE",
    "application/vnd.cncf.helm.config.v1+json": "CHART",
}
DEFAULT_TYPE = re.compile(r"^application/vnd\.[^.]*\.(.*)\.config\.[^.]*\+json$")  # processor/default.go
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def storage_of(state, kind=None):
    """The storage of ``state`` (kept in ``state.extensions["storage"]``), created on first use: ``kind`` "memory"
    (the default) or "registry". Asking for another kind than the one created is an error."""
    with state.lock:
        storage = state.extensions.get("storage")
        if storage is None:
            storage = state.extensions["storage"] = KINDS[kind or "memory"](state)
        elif kind is not None and storage.kind != kind:
            raise ValueError("this emulator already keeps its artifacts in %s storage" % storage.kind)
        return storage


class ContentError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def artifact_type(media_type):
    """Harbor's Artifact.type for an artifact media type (processor registry, then the default processor's regexp)."""
    if media_type in ARTIFACT_TYPES:
        return ARTIFACT_TYPES[media_type]
    match = DEFAULT_TYPE.match(media_type or "")
    return match.group(1).upper() if match else "UNKNOWN"


def references_of(manifest_media_type, doc):
    """The digests a manifest needs in the repository: (blobs, child manifests)."""
    if manifest_media_type in INDEXES:
        return [], [entry["digest"] for entry in doc.get("manifests", [])]
    return [doc["config"]["digest"]] + [layer["digest"] for layer in doc.get("layers", [])], []


def abstract(manifest_media_type, body, child_size):
    """What Harbor's abstractor (src/controller/artifact/abstractor.go) records for a manifest:
    {"manifest_media_type", "media_type", "type", "size", "references"}.

    An image manifest: media type = config media type (or ``artifactType``), size = manifest + config + layers.
    An index: media type = the index media type, size = index + each child artifact's size (``child_size(digest)``)."""
    try:
        doc = json.loads(body)
    except ValueError:
        raise ContentError(400, "MANIFEST_INVALID", "manifest invalid: not JSON")
    if manifest_media_type in IMAGE_MANIFESTS:
        config = doc.get("config") or {}
        media_type = config.get("mediaType", "")
        size = len(body) + int(config.get("size", 0)) + sum(int(layer.get("size", 0)) for layer in doc.get("layers", []))
        references = []
        resolved = doc.get("artifactType") or media_type
    elif manifest_media_type in INDEXES:
        media_type = manifest_media_type
        references = [{"child_digest": entry["digest"], "platform": entry.get("platform"),
                       "annotations": entry.get("annotations")} for entry in doc.get("manifests", [])]
        size = len(body) + sum(child_size(ref["child_digest"]) for ref in references)
        resolved = doc.get("artifactType") or media_type
    else:
        raise ContentError(400, "MANIFEST_INVALID", "unsupported manifest media type: %s" % manifest_media_type)
    return {"manifest_media_type": manifest_media_type, "media_type": media_type, "type": artifact_type(resolved),
            "size": size, "references": references}


class Storage:
    """Records (store.py) + a content backend (``_content_*`` methods of the subclasses)."""

    def __init__(self, state):
        self.state = state
        self.records = artifact_store(state)

    # ---- record reads: exactly store.py's
    def repositories(self, project):
        return self.records.repositories(project)

    def repository(self, project, repository):
        return self.records.repository(project, repository)

    def artifacts(self, project, repository):
        return self.records.artifacts(project, repository)

    def get(self, project, repository, reference):
        return self.records.get(project, repository, reference)

    def used_storage(self, project):
        return self.records.used_storage(project)

    def repository_count(self, project):
        return self.records.repository_count(project)

    # ---- content
    def put_blob(self, project, repository, data, digest=None):
        actual = sha256(data)
        if digest is not None and digest != actual:
            raise ContentError(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
        self._content_put_blob("%s/%s" % (project, repository), actual, data)
        return actual

    def blob_size(self, project, repository, digest):
        return self._content_blob_size("%s/%s" % (project, repository), digest)

    def get_blob(self, project, repository, digest):
        return self._content_get_blob("%s/%s" % (project, repository), digest)

    def get_manifest(self, project, repository, reference):
        return self._content_get_manifest("%s/%s" % (project, repository), reference)

    def push_manifest(self, project, repository, reference, media_type, body):
        path = "%s/%s" % (project, repository)
        digest = sha256(body)
        if reference.startswith("sha256:") and reference != digest:
            raise ContentError(400, "DIGEST_INVALID", "provided digest did not match uploaded content")

        def child_size(child):
            record = self.records.get(project, repository, child)
            if record is None:
                raise ContentError(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry: %s" % child)
            return record["size"]

        facts = abstract(media_type, body, child_size)  # before storing: an index needs its children recorded
        stored = self._content_put_manifest(path, reference, media_type, body)
        if stored != digest:
            raise ContentError(500, "UNKNOWN", "the registry stored %s as %s" % (digest, stored))
        tags = [] if reference.startswith("sha256:") else [reference]
        return self.records.add(project, repository, digest=digest, tags=tags, type=facts["type"], size=facts["size"],
                                media_type=facts["media_type"], manifest_media_type=facts["manifest_media_type"],
                                references=facts["references"] if media_type in INDEXES else None)

    def delete_artifact(self, project, repository, digest):
        """The artifact, then, as Harbor's deleteDeeply (src/controller/artifact/controller.go), each child of an index
        that has no tag and that no other artifact references."""
        art = self.records.get(project, repository, digest)
        self._content_delete_manifest("%s/%s" % (project, repository), digest)
        deleted = self.records.delete_artifact(project, repository, digest)
        for ref in (art or {}).get("references") or ():
            child = self.records.get(project, repository, ref["child_digest"])
            if child is None or child["tags"]:
                continue
            if any(other.get("child_id") == child["id"] for parent in self.records.artifacts(project, repository)
                   for other in parent.get("references") or ()):
                continue
            self.delete_artifact(project, repository, child["digest"])
        return deleted

    def delete_repository(self, project, repository):
        for art in self.records.artifacts(project, repository):
            self._content_delete_manifest("%s/%s" % (project, repository), art["digest"])
        return self.records.delete_repository(project, repository)

    def close(self):
        pass


class MemoryStorage(Storage):
    """Content in dicts, checked as distribution checks it (referenced blobs and child manifests must exist)."""

    kind = "memory"

    def __init__(self, state):
        super().__init__(state)
        self._lock = threading.Lock()
        self._blobs = {}        # digest -> bytes (one pool, as distribution's blob store; links per repository below)
        self._links = {}        # repository path -> set of digests (blobs and manifests) the repository holds
        self._manifests = {}    # digest -> (media type, body)
        self._tags = {}         # repository path -> {tag: digest}

    def seed(self, project, repository, tags=(), labels=(), type="image", size=0, digest=None, media_type=None):
        return self.records.add(project, repository, digest=digest, tags=tags, labels=labels, type=type, size=size,
                                media_type=media_type)

    def _content_put_blob(self, path, digest, data):
        with self._lock:
            self._blobs[digest] = data
            self._links.setdefault(path, set()).add(digest)

    def _content_blob_size(self, path, digest):
        with self._lock:
            return len(self._blobs[digest]) if digest in self._links.get(path, ()) and digest in self._blobs else None

    def _content_get_blob(self, path, digest):
        with self._lock:
            return self._blobs.get(digest) if digest in self._links.get(path, ()) else None

    def _content_put_manifest(self, path, reference, media_type, body):
        try:
            doc = json.loads(body)
            blobs, children = references_of(media_type, doc)
        except (ValueError, KeyError, TypeError):
            raise ContentError(400, "MANIFEST_INVALID", "manifest invalid")
        digest = sha256(body)
        with self._lock:
            linked = self._links.setdefault(path, set())
            for needed in blobs + children:
                if needed not in linked:
                    raise ContentError(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry: %s" % needed)
            self._manifests[digest] = (media_type, body)
            linked.add(digest)
            if not reference.startswith("sha256:"):
                self._tags.setdefault(path, {})[reference] = digest
        return digest

    def _content_get_manifest(self, path, reference):
        with self._lock:
            digest = reference if reference.startswith("sha256:") else self._tags.get(path, {}).get(reference)
            if digest is None or digest not in self._links.get(path, ()) or digest not in self._manifests:
                return None
            media_type, body = self._manifests[digest]
            return media_type, body, digest

    def _content_delete_manifest(self, path, digest):
        with self._lock:
            self._links.get(path, set()).discard(digest)
            tags = self._tags.get(path, {})
            for tag in [tag for tag, target in tags.items() if target == digest]:
                del tags[tag]


class RegistryStorage(Storage):
    """Content in a real registry process of this emulator (anonymous, plain HTTP on 127.0.0.1, like Harbor's
    internal registry it is reached only by the emulator). One HTTP client per thread (the emulator serves requests
    on several threads; a requests.Session is not meant to be shared)."""

    kind = "registry"

    def __init__(self, state, registry=None):
        super().__init__(state)
        from tools.dataplane.registry import Registry
        self._own_registry = registry is None
        self.registry = registry or Registry(name="harbor-storage").start()
        self._local = threading.local()
        self._locks, self._locks_lock = {}, threading.Lock()

    @property
    def client(self):
        client = getattr(self._local, "client", None)
        if client is None:
            from tools.dataplane.distribution import DistributionClient
            client = self._local.client = DistributionClient(self.registry.url, auth=self.registry.auth,
                                                             verify=self.registry.verify)
        return client

    def seed(self, project, repository, tags=(), labels=(), type="image", size=0, digest=None, media_type=None):
        if digest is not None:
            raise ValueError("a registry-backed emulator seeds real artifacts; their digest cannot be chosen")
        from tools.dataplane import oci
        tags = list(tags) or ["latest"]
        name = repository.rsplit("/", 1)[-1]
        if type.lower() == "chart":
            manifest = oci.helm_chart(name, tags[0], tags[0])
        else:
            manifest = oci.image(name, tags[0])
        for blob in manifest.all_blobs():
            self.put_blob(project, repository, blob.data)
        art = None
        for tag in tags:
            art = self.push_manifest(project, repository, tag, manifest.media_type, manifest.data)
        if labels:
            art = self.records.add(project, repository, digest=art["digest"], labels=labels)
        return art

    def _call(self, resp, ok, what):
        if resp.status_code in ok:
            return resp
        try:
            error = resp.json()["errors"][0]
            code, message = error.get("code", "UNKNOWN"), error.get("message", "")
        except (ValueError, KeyError, IndexError, TypeError):
            code, message = "UNKNOWN", resp.text[:200]
        raise ContentError(resp.status_code, code, "%s: %s" % (what, message))

    def _writing(self, path):
        """The lock of one repository's writes. docker-registry's filesystem driver rewrites a blob's link file in place
        (PutContent truncates, then writes) on every upload of it, and a manifest push that reads the link meanwhile
        fails with DIGEST_INVALID; concurrent copies of the same artifact (event-based executions of an index and of
        its children) do that, so blob uploads and manifest pushes into one repository go one at a time."""
        with self._locks_lock:
            return self._locks.setdefault(path, threading.Lock())

    def _content_put_blob(self, path, digest, data):
        from tools.dataplane.oci import Blob
        with self._writing(path):
            self.client.upload_blob(path, Blob("application/octet-stream", data))

    def _content_blob_size(self, path, digest):
        resp = self.client.request("HEAD", "/v2/%s/blobs/%s" % (path, digest))
        return int(resp.headers.get("Content-Length", 0)) if resp.status_code == 200 else None

    def _content_get_blob(self, path, digest):
        resp = self.client.request("GET", "/v2/%s/blobs/%s" % (path, digest))
        return resp.content if resp.status_code == 200 else None

    def _content_put_manifest(self, path, reference, media_type, body):
        with self._writing(path):
            resp = self.client.request("PUT", "/v2/%s/manifests/%s" % (path, reference), data=body,
                                       headers={"Content-Type": media_type})
        return self._call(resp, (201,), "storing the manifest %s:%s" % (path, reference)).headers["Docker-Content-Digest"]

    def _content_get_manifest(self, path, reference):
        from tools.dataplane.distribution import DistributionError
        try:
            return self.client.get_manifest(path, reference)
        except DistributionError as error:
            if error.status == 404:
                return None
            raise

    def _content_delete_manifest(self, path, digest):
        resp = self.client.request("DELETE", "/v2/%s/manifests/%s" % (path, digest))
        self._call(resp, (202, 404), "deleting the manifest %s@%s" % (path, digest))

    def close(self):
        if self._own_registry:
            self.registry.close()


KINDS = {"memory": MemoryStorage, "registry": RegistryStorage}
