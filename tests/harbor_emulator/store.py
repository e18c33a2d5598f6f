"""The artifact storage of one emulated Harbor: repositories, artifacts, tags and labels, in memory.

Harbor keeps these in its database and the registry; the handlers (``handler/repository.py``, ``handler/artifact.py``),
the seed control and replication only go through this interface, so another backing store can replace it.

Interface (stable; project and repository names are plain text, a repository name is the part after ``<project>/``)::

    store = artifact_store(state)                   # the store of one State (kept in state.extensions["store"])
    store.add(project, repository, digest=None, tags=(), labels=(), type="image", size=0, media_type=None,
              manifest_media_type=None, references=None)
        -> artifact dict                            # creates the repository; an existing digest gets the new tags and
                                                    # labels added; a tag already on another artifact of the repository
                                                    # moves to this one (a push); digest=None -> deterministic sha256;
                                                    # manifest_media_type/references (an index's [{child_digest,
                                                    # platform, annotations}]) as storage.py's abstract() found them
    store.repositories(project)  -> [repository dict]             # newest first, as Harbor lists them
    store.repository(project, repository) -> repository dict or None
    store.artifacts(project, repository) -> [artifact dict]       # newest push first; [] for an unknown repository
    store.get(project, repository, reference) -> artifact dict or None   # reference = digest (sha256:...) or tag
    store.delete_artifact(project, repository, digest) -> bool    # the repository stays, even when empty (as in Harbor)
    store.delete_repository(project, repository) -> bool
    store.used_storage(project) -> int                            # sum of the sizes of the project's artifacts
    store.repository_count(project) -> int

Returned dicts are copies in Harbor's swagger shapes: a repository is ``Repository`` (``name`` = ``<project>/<repo>``,
``artifact_count``), an artifact is ``Artifact`` with ``tags`` (``Tag``) and ``labels`` (``Label``, global scope ``g``);
``type`` is Harbor's upper-case ``IMAGE``/``CHART``. Every method takes ``state.lock``. ``project`` must exist in
``state.projects`` when ``add`` is called (``KeyError`` otherwise).
"""
import copy
import hashlib
import json

from .state import ZERO_TIME, now

MEDIA_TYPES = {
    # artifact type -> (config media type = Artifact.media_type, manifest media type)
    "IMAGE": ("application/vnd.docker.container.image.v1+json", "application/vnd.docker.distribution.manifest.v2+json"),
    "CHART": ("application/vnd.cncf.helm.config.v1+json", "application/vnd.oci.image.manifest.v1+json"),
}


def artifact_store(state):
    """The store of ``state``, created on first use."""
    with state.lock:
        store = state.extensions.get("store")
        if store is None:
            store = state.extensions["store"] = ArtifactStore(state)
        return store


def seed_digest(project, repository, tags, artifact_type):
    """A digest that depends only on what is seeded, so two emulators seeded alike hold the same artifact."""
    text = json.dumps([project, repository, sorted(tags), artifact_type.upper()])
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class ArtifactStore:
    def __init__(self, state):
        self.state = state
        self._repos = {}                # (project, repository) -> {"record": Repository, "artifacts": {digest: Artifact}}
        self._labels = {}               # name -> Label

    # ----- writes

    def add(self, project, repository, digest=None, tags=(), labels=(), type="image", size=0, media_type=None,
            manifest_media_type=None, references=None):
        artifact_type = type.upper()
        tags, labels = list(tags), list(labels)
        digest = digest or seed_digest(project, repository, tags, artifact_type)
        with self.state.lock:
            project_id = self._project_id(project)
            entry = self._repos.get((project, repository)) or self._new_repository(project, repository, project_id)
            artifacts = entry["artifacts"]
            art = artifacts.get(digest) or self._new_artifact(entry["record"], digest, artifact_type, size, media_type)
            artifacts[digest] = art
            if manifest_media_type:
                art["manifest_media_type"] = manifest_media_type
            if references is not None:
                art["references"] = [dict({key: value for key, value in ref.items() if value is not None}, parent_id=art["id"],
                                          child_id=artifacts[ref["child_digest"]]["id"])
                                     for ref in references if ref["child_digest"] in artifacts]
            for tag in tags:
                self._move_tag(artifacts, art, tag)
            for label in labels:
                if label not in [existing["name"] for existing in art["labels"]]:
                    art["labels"].append(self._label(label))
            entry["record"]["update_time"] = art["push_time"]
            return copy.deepcopy(art)

    def delete_artifact(self, project, repository, digest):
        with self.state.lock:
            entry = self._repos.get((project, repository))
            return bool(entry) and entry["artifacts"].pop(digest, None) is not None

    def delete_repository(self, project, repository):
        with self.state.lock:
            return self._repos.pop((project, repository), None) is not None

    # ----- reads

    def repositories(self, project):
        with self.state.lock:
            entries = [entry for (proj, _), entry in self._repos.items() if proj == project]
            entries.sort(key=lambda entry: (entry["record"]["creation_time"], entry["record"]["id"]), reverse=True)
            return [self._repository_view(entry) for entry in entries]

    def repository(self, project, repository):
        with self.state.lock:
            entry = self._repos.get((project, repository))
            return self._repository_view(entry) if entry else None

    def artifacts(self, project, repository):
        with self.state.lock:
            entry = self._repos.get((project, repository))
            if not entry:
                return []
            arts = sorted(entry["artifacts"].values(), key=lambda art: (art["push_time"], art["id"]), reverse=True)
            return copy.deepcopy(arts)

    def get(self, project, repository, reference):
        with self.state.lock:
            entry = self._repos.get((project, repository))
            if not entry:
                return None
            if reference.startswith("sha256:"):
                art = entry["artifacts"].get(reference)
            else:
                art = next((a for a in entry["artifacts"].values() if reference in [t["name"] for t in a["tags"]]), None)
            return copy.deepcopy(art) if art else None

    def used_storage(self, project):
        with self.state.lock:
            return sum(art["size"] for (proj, _), entry in self._repos.items() if proj == project for art in entry["artifacts"].values())

    def repository_count(self, project):
        with self.state.lock:
            return sum(1 for proj, _ in self._repos if proj == project)

    # ----- internals

    def _project_id(self, project):
        for stored in self.state.projects.values():
            if stored["name"] == project:
                return stored["project_id"]
        raise KeyError("project %s not found" % project)

    def _new_repository(self, project, repository, project_id):
        stamp = now()
        record = {"id": self.state.next_id("repository"), "project_id": project_id, "name": "%s/%s" % (project, repository),
                  "description": "", "pull_count": 0, "creation_time": stamp, "update_time": stamp}
        entry = self._repos[(project, repository)] = {"record": record, "artifacts": {}}
        return entry

    def _new_artifact(self, repo, digest, artifact_type, size, media_type):
        config_type, manifest_type = MEDIA_TYPES.get(artifact_type, MEDIA_TYPES["IMAGE"])
        return {"id": self.state.next_id("artifact"), "type": artifact_type, "media_type": media_type or config_type,
                "manifest_media_type": manifest_type, "project_id": repo["project_id"], "repository_id": repo["id"],
                "repository_name": repo["name"], "digest": digest, "size": int(size), "push_time": now(),
                "pull_time": ZERO_TIME, "tags": [], "labels": []}

    def _move_tag(self, artifacts, art, name):
        if name in [tag["name"] for tag in art["tags"]]:
            return
        for other in artifacts.values():
            other["tags"] = [tag for tag in other["tags"] if tag["name"] != name]
        art["tags"].append({"id": self.state.next_id("tag"), "repository_id": art["repository_id"], "artifact_id": art["id"],
                            "name": name, "push_time": now(), "pull_time": ZERO_TIME, "immutable": False})

    def _label(self, name):
        label = self._labels.get(name)
        if label is None:
            stamp = now()
            label = self._labels[name] = {"id": self.state.next_id("label"), "name": name, "description": "", "color": "",
                                          "scope": "g", "project_id": 0, "creation_time": stamp, "update_time": stamp}
        return dict(label)

    def _repository_view(self, entry):
        view = dict(entry["record"])
        view["artifact_count"] = len(top_level(list(entry["artifacts"].values())))
        return view


def top_level(arts):
    """Harbor's base collection of an artifact list or count (src/pkg/artifact/dao/dao.go ``setBaseQuery``, unless
    ``q=base=*``): tagged artifacts, and untagged ones no other artifact references (the platform images of an index
    are left out)."""
    children = {ref.get("child_id") for art in arts for ref in art.get("references") or ()}
    return [art for art in arts if art["tags"] or art["id"] not in children]
