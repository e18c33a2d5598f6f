"""Artifacts of a repository (mirrors src/server/v2.0/handler/artifact.go).

Tags come with each artifact unless ``with_tag=false``; labels only with ``with_label=true``. ``q`` filters on
``tags`` (exact, ``~`` fuzzy, ``*`` any tagged, ``nil`` untagged), ``labels`` (``(id id)`` all of these label ids),
``type``, ``digest`` and ``media_type``. A reference is a digest (``sha256:...``) or a tag.
"""
from flask import Blueprint, current_app, jsonify, request

from ..errors import bad_request, not_found
from ..replication import event
from ..storage import storage_of
from ..store import artifact_store, top_level
from . import project as projects
from .base import filter_by_query, ok, omit_empty, page, paged, query_terms, sort_by_query
from .binding import flag
from .repository import REPOSITORY, find_repository, repository_param

bp = Blueprint("artifact", __name__)

ARTIFACTS = REPOSITORY + "/artifacts"
ARTIFACT = ARTIFACTS + "/<reference>"


def state():
    return current_app.config["state"]


def render(art):
    """The swagger Artifact with the options of this request (tags by default, labels on request). handler/model/artifact.go
    ToSwagger appends to nil slices, so a list with nothing in it is ``null`` (go-swagger arrays carry no omitempty):
    ``tags`` when untagged or ``with_tag=false``, ``labels`` unless asked for and present, ``references`` of anything but
    an index (pkg/artifact/manager.go assemble loads them always) and ``accessories`` always. Tags come newest push first
    (Tag.GetDefaultSorts: push_time desc, id desc)."""
    out = {key: value for key, value in art.items() if key not in ("tags", "labels")}
    tags = sorted(art["tags"], key=lambda tag: (tag["push_time"], tag["id"]), reverse=True)
    out["tags"] = tags if flag(request.args.get("with_tag"), True) and tags else None
    out["labels"] = art["labels"] if flag(request.args.get("with_label")) and art["labels"] else None
    out["references"] = art.get("references") or None
    out["accessories"] = None
    if out["tags"]:
        out["tags"] = [omit_empty(tag, keep=("immutable",)) for tag in out["tags"]]     # immutable: x-omitempty false
    return omit_empty(out)


def tag_matches(term, art):
    kind, value = term
    names = [tag["name"] for tag in art["tags"]]
    if kind == "fuzzy":
        return any(value in name for name in names)
    if kind != "exact":
        raise bad_request('the value of "tags" query can only be fuzzy match value or exact match value')
    if value == "*":
        return bool(names)
    if value == "nil":
        return not names
    return value in names


def label_matches(term, art):
    kind, values = term
    if kind != "and" or not all(isinstance(v, int) for v in values):
        raise bad_request('the value of "labels" query can only be integer list with intersetion relationship')
    ids = {label["id"] for label in art["labels"]}
    return all(int(v) in ids for v in values)


@bp.get(ARTIFACTS)
def list_artifacts(project_name, repository_name):
    page()                                          # go-swagger binds page/page_size before the handler checks the caller
    st = state()
    with st.lock:
        projects.require_access(st, project_name, "list", "artifact")
        arts = artifact_store(st).artifacts(project_name, repository_param(repository_name))
    terms = query_terms()
    if "base" in terms and terms["base"] != ("exact", "*"):
        raise bad_request('the value of "base" query can only be exact match value with "*"')
    if "base" not in terms:
        arts = top_level(arts)
    if "tags" in terms:
        arts = [art for art in arts if tag_matches(terms["tags"], art)]
    if "labels" in terms:
        arts = [art for art in arts if label_matches(terms["labels"], art)]
    arts = filter_by_query(arts, {key: getter for key, getter in COLUMNS.items() if key not in ("tags", "labels")})
    arts = sort_by_query(arts, COLUMNS, [(COLUMNS["push_time"], True), (COLUMNS["id"], True)])   # Artifact.GetDefaultSorts
    return paged([render(art) for art in arts])


def _columns():
    """src/pkg/artifact/dao/model.go: the keys lib/orm knows (Go field and column names) -> getter on the stored artifact."""
    getters = {}
    for field, column in (("ID", "id"), ("Type", "type"), ("MediaType", "media_type"), ("ManifestMediaType", "manifest_media_type"),
                          ("ProjectID", "project_id"), ("RepositoryID", "repository_id"), ("RepositoryName", "repository_name"),
                          ("Digest", "digest"), ("Size", "size"), ("PushTime", "push_time"), ("PullTime", "pull_time")):
        getters[field] = getters[column] = (lambda art, column=column: art.get(column))
    return getters


COLUMNS = _columns()


def find_artifact(st, project_name, repository_name, reference):
    store = artifact_store(st)
    art = store.get(project_name, repository_name, reference)
    if art is not None:
        return art
    if reference.startswith("sha256:"):
        raise not_found("artifact %s/%s@%s not found" % (project_name, repository_name, reference))
    find_repository(st, project_name, repository_name)
    raise not_found("artifact %s/%s:%s not found" % (project_name, repository_name, reference))


@bp.get(ARTIFACT)
def get_artifact(project_name, repository_name, reference):
    st = state()
    with st.lock:
        projects.require_access(st, project_name, "read", "artifact")
        return jsonify(render(find_artifact(st, project_name, repository_param(repository_name), reference)))


@bp.delete(ARTIFACT)
def delete_artifact(project_name, repository_name, reference):
    st = state()
    name = repository_param(repository_name)
    with st.lock:
        projects.require_access(st, project_name, "delete", "artifact")
        art = find_artifact(st, project_name, name, reference)
    storage_of(st).delete_artifact(project_name, name, art["digest"])     # the registry's content too, without the lock
    event.deleted(st, project_name, name, art)                            # DeleteArtifactEvent: replicate_deletion
    return ok()
