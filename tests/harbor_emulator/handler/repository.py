"""Repositories of a project (mirrors src/server/v2.0/handler/repository.go).

``{repository_name}`` is the name inside the project, URL-encoded twice by clients (``charts%252Fetcd``): the router
decodes it once and the handler once more (``unescapePathParams``), so ``charts/etcd`` can sit in one path segment.
"""
from urllib.parse import unquote

from flask import Blueprint, current_app, jsonify

from ..errors import not_found
from ..storage import storage_of
from ..store import artifact_store
from . import project as projects
from .base import filter_by_query, ok, omit_empty, page, paged, sort_by_query

bp = Blueprint("repository", __name__)

REPOSITORIES = "/api/v2.0/projects/<project_name>/repositories"
REPOSITORY = REPOSITORIES + "/<repository_name>"


def state():
    return current_app.config["state"]


def repository_param(raw):
    return unquote(raw)


def find_repository(st, project_name, repository_name):
    repo = artifact_store(st).repository(project_name, repository_name)
    if repo is None:
        raise not_found("repository %s/%s not found" % (project_name, repository_name))
    return repo


@bp.get(REPOSITORIES)
def list_repositories(project_name):
    page()                                          # go-swagger binds page/page_size before the handler checks the caller
    st = state()
    with st.lock:
        project = projects.load(st, project_name, "list", "repository")
        repos = artifact_store(st).repositories(project["name"])
        repos = filter_by_query(repos, COLUMNS)
        return paged([omit_empty(repo, keep=ALWAYS_SENT) for repo in sort_by_query(repos, COLUMNS, DEFAULT_SORT)])


def _columns():
    """src/pkg/repository/model/model.go RepoRecord: the keys lib/orm knows (Go field and column names); the answered
    ``id`` is the column ``repository_id``, so ``sort=id`` is an unknown key (ignored)."""
    getters = {}
    for field, column, answered in (("RepositoryID", "repository_id", "id"), ("Name", "name", "name"),
                                    ("ProjectID", "project_id", "project_id"), ("Description", "description", "description"),
                                    ("PullCount", "pull_count", "pull_count"), ("StarCount", "star_count", "star_count"),
                                    ("CreationTime", "creation_time", "creation_time"), ("UpdateTime", "update_time", "update_time")):
        getters[field] = getters[column] = (lambda repo, answered=answered: repo.get(answered, 0 if answered == "star_count" else None))
    return getters


COLUMNS = _columns()
ALWAYS_SENT = ("artifact_count", "pull_count")          # x-omitempty: false in swagger's Repository: 0 is sent
DEFAULT_SORT = [(COLUMNS["creation_time"], True), (COLUMNS["repository_id"], True)]     # RepoRecord.GetDefaultSorts


@bp.get(REPOSITORY)
def get_repository(project_name, repository_name):
    st = state()
    with st.lock:
        projects.require_access(st, project_name, "read", "repository")
        return jsonify(omit_empty(find_repository(st, project_name, repository_param(repository_name)), keep=ALWAYS_SENT))


@bp.delete(REPOSITORY)
def delete_repository(project_name, repository_name):
    st = state()
    name = repository_param(repository_name)
    with st.lock:
        projects.require_access(st, project_name, "delete", "repository")
        find_repository(st, project_name, name)
    storage_of(st).delete_repository(project_name, name)                # the registry's content too, without the lock
    return ok()
