"""The two ends of a replication (mirrors src/pkg/reg/adapter: native, harbor, and the local Harbor).

Every adapter offers the same four operations the flow and its tasks need:

- ``fetch(filters)`` -> ``[resource]``: the candidates, one per repository with at least one matching artifact.
  A resource is ``{"type": "artifact"|"image", "repository": "<project>/<repo>", "public": "true"|"false"|None,
  "artifacts": [{"digest", "type", "tags": [names], "labels": [names]}]}``.
- ``prepare(repositories, public)``: make the destination ready (Harbor: create the missing projects).
- ``pull(repository, reference)`` -> ``(manifest bytes, media type)``, ``push(repository, reference, body, media_type)`` and
  ``digest(repository, reference)`` -> the digest the reference points at, or None.

``LocalAdapter`` is this emulator (registry id 0, the store); ``HarborAdapter`` talks to another Harbor through its API
(projects, repositories, artifacts with labels) and ``/v2/``; ``RegistryAdapter`` (docker-registry and the other
types) only through ``/v2/`` (catalog and tags, no labels, one artifact per tag, resource type ``image``).
``/v2/`` requests are authorised like Harbor's registry client (src/pkg/registry/auth): an anonymous ``GET /v2/`` tells
the scheme; a ``Bearer`` challenge gets a token per scope from its realm with the endpoint's credentials, anything
else gets basic auth. The API of a Harbor endpoint always uses basic auth.
Remote failures raise ``AdapterError`` with the message Harbor would put in a status text or a task log.
"""
import json
import re
from urllib.parse import quote, urlsplit

import requests

from .. import distribution
from ..csrf import no_cookies
from ..handler import project as projects
from ..healthcheck import verify_option
from ..store import artifact_store, top_level
from . import filter as filters_mod

PAGE_SIZE = 100
TIMEOUT = 10
MANIFEST_ACCEPT = ", ".join(media for _, media in distribution.MEDIA_TYPES.values())
CATALOG_SCOPE = "registry:catalog:*"
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


class AdapterError(Exception):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def http_error_text(status, body):
    """The error of Harbor's registry client for a non-2xx answer (src/pkg/registry/client.go: do)."""
    return "http status code: %d, body: %s" % (status, body)


def transport_error_text(method, url, exc):
    """A request that got no answer, as Go's net/http words it (a *url.Error: ``Get "<url>": <cause>``); a refused
    connection is ``dial tcp <host>:<port>: connect: connection refused``, other causes keep requests' words."""
    cause = str(exc)
    if isinstance(exc, requests.ConnectionError) and "Connection refused" in cause:
        parts = urlsplit(url)
        cause = "dial tcp %s:%d: connect: connection refused" % (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return '%s "%s": %s' % (method[:1].upper() + method[1:].lower(), url, cause)


def resource(kind, repository, artifacts, public=None):
    return {"type": kind, "repository": repository, "public": public, "artifacts": artifacts}


def adapter_for(state, registry):
    """The adapter of one side of a policy: ``registry`` is the stored registry dict, or None for this Harbor."""
    if registry is None:
        return LocalAdapter(state)
    if registry.get("type") == "harbor":
        return HarborAdapter(registry)
    return RegistryAdapter(registry)


class LocalAdapter:
    resource_type = "artifact"

    def __init__(self, state):
        self.state = state
        self.store = artifact_store(state)

    def create(self):
        """What the adapter factory does before the flow (stage.go initialize): nothing for this Harbor."""

    def fetch(self, filters):
        found = []
        with self.state.lock:
            names = [p["name"] for p in self.state.projects.values()]
            public = {p["name"]: p["metadata"].get("public", "false") for p in self.state.projects.values()}
            for project in select_projects(names, filters):
                repos = filters_mod.filter_repositories([r["name"] for r in self.store.repositories(project)], filters)
                for repo in repos:
                    arts = [simple_artifact(art) for art in top_level(self.store.artifacts(project, repo.split("/", 1)[1]))]
                    arts = filters_mod.filter_artifacts(arts, filters)
                    if arts:
                        found.append(resource(self.resource_type, repo, arts, public[project]))
        return found

    def prepare(self, repositories, public):
        with self.state.lock:
            for project in sorted({repo.split("/", 1)[0] for repo in repositories}):
                if projects.find(self.state, project) is None:
                    metadata = {"public": public[project]} if public.get(project) else {}
                    projects.create_project(self.state, project, projects.first_sysadmin_id(self.state), metadata)

    def pull(self, repository, reference):
        project, repo = repository.split("/", 1)
        art = self.store.get(project, repo, reference)
        if art is None:
            raise AdapterError("manifest %s:%s not found" % (repository, reference))
        return distribution.manifest_of(art)

    def digest(self, repository, reference):
        project, repo = repository.split("/", 1)
        art = self.store.get(project, repo, reference) if projects.find(self.state, project) else None
        return art["digest"] if art else None

    def push(self, repository, reference, body, media_type):
        """Through this Harbor's own registry side: a proxy-cache project refuses it (403 DENIED), as it refuses the
        jobservice's pushes in Harbor."""
        project, repo = repository.split("/", 1)
        pushed = distribution.artifact_of(body)
        tags = [] if reference.startswith("sha256:") else [reference]
        with self.state.lock:
            refusal = distribution.proxy_push_refusal(projects.find(self.state, project))
            if refusal is not None:
                raise AdapterError(http_error_text(refusal.status, json.dumps(refusal.payload(), separators=(",", ":")) + "\n"),
                                   refusal.status)
            self.store.add(project, repo, digest=pushed["digest"], tags=tags, type=pushed["type"], size=pushed["size"],
                           media_type=pushed["media_type"])


def select_projects(names, filters):
    """ListProjects: the projects named by the first component of the name filter when it names them exactly, else all."""
    pattern = filters_mod.name_pattern(filters)
    wanted = filters_mod.specific_names(pattern.split("/")[0]) if pattern else None
    if wanted:
        chosen = [name.strip() for name in wanted if name.strip() in names]
        if chosen:
            return chosen
    return sorted(names)


def simple_artifact(art):
    return {"digest": art["digest"], "type": art["type"], "tags": [t["name"] for t in art.get("tags") or []],
            "labels": [label["name"] for label in art.get("labels") or []]}


class RemoteAdapter:
    """What both remote kinds share: an HTTP session with the endpoint's credentials and TLS settings, and ``/v2/``."""

    resource_type = "image"

    def __init__(self, registry):
        self.url = registry["url"].rstrip("/")
        self.session = no_cookies(requests.Session())
        self.session.trust_env = False  # else REQUESTS_CA_BUNDLE in the environment overrides session.verify
        credential = registry.get("credential") or {}
        self.basic = (credential["access_key"], credential.get("access_secret") or "") if credential.get("access_key") else None
        self.session.verify = verify_option(registry)
        self._bearer = None             # the Bearer challenge's parameters ({} when /v2/ asks for basic auth)
        self._tokens = {}               # scope -> token

    def create(self):
        """What the adapter factory does before the flow (stage.go initialize): no request for a registry (the native
        adapter connects lazily)."""

    def request(self, method, path, auth=None, **kwargs):
        try:
            resp = self.session.request(method, self.url + path, timeout=TIMEOUT, auth=auth or self.basic, **kwargs)
        except requests.RequestException as exc:
            raise AdapterError(transport_error_text(method, self.url + path, exc))
        if resp.status_code >= 300:
            raise AdapterError(http_error_text(resp.status_code, resp.text), resp.status_code)
        return resp

    def v2(self, method, path, scope, headers=None, **kwargs):
        """A ``/v2/`` request with the authorisation the registry's challenge asks for."""
        token = self._token(scope)
        if token is None:
            return self.request(method, path, headers=headers, **kwargs)
        return self.request(method, path, headers=dict(headers or {}, Authorization="Bearer " + token), auth=_no_auth, **kwargs)

    def _token(self, scope):
        if self._bearer is None:
            self._bearer = self._challenge()
        if not self._bearer.get("realm"):
            return None
        if scope not in self._tokens:
            params = {"service": self._bearer.get("service", ""), "scope": scope}
            try:
                resp = self.session.get(self._bearer["realm"], params=params, auth=self.basic, timeout=TIMEOUT)
            except requests.RequestException as exc:
                raise AdapterError("failed to get a token from %s: %s" % (self._bearer["realm"], exc))
            if resp.status_code != 200:
                raise AdapterError("failed to get a token from %s: code %d" % (self._bearer["realm"], resp.status_code), resp.status_code)
            answer = resp.json()
            self._tokens[scope] = answer.get("token") or answer.get("access_token") or ""
        return self._tokens[scope]

    def _challenge(self):
        """The parameters of the Bearer challenge of an anonymous ``GET /v2/`` ({} for any other answer)."""
        try:
            resp = self.session.get(self.url + "/v2/", timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise AdapterError(transport_error_text("GET", self.url + "/v2/", exc))
        header = resp.headers.get("Www-Authenticate", "")
        if resp.status_code != 401 or not header.lower().startswith("bearer "):
            return {}
        return dict(_CHALLENGE_PARAM.findall(header))

    def prepare(self, repositories, public):
        return None

    def pull(self, repository, reference):
        resp = self.v2("GET", "/v2/%s/manifests/%s" % (repository, reference), repository_scope(repository, "pull"),
                       headers={"Accept": MANIFEST_ACCEPT})
        return resp.content, resp.headers.get("Content-Type", "")

    def digest(self, repository, reference):
        try:
            resp = self.v2("HEAD", "/v2/%s/manifests/%s" % (repository, reference), repository_scope(repository, "pull"),
                           headers={"Accept": MANIFEST_ACCEPT})
        except AdapterError as exc:
            if exc.status == 404:
                return None
            raise
        return resp.headers.get("Docker-Content-Digest")

    def push(self, repository, reference, body, media_type):
        self.v2("PUT", "/v2/%s/manifests/%s" % (repository, reference), repository_scope(repository, "pull,push"), data=body,
                headers={"Content-Type": media_type})


def repository_scope(repository, actions):
    return "repository:%s:%s" % (repository, actions)


def _no_auth(prepared):
    """An explicit "no basic auth" for requests that carry a Bearer token (``auth=None`` would mean the default)."""
    return prepared


class RegistryAdapter(RemoteAdapter):
    """The native adapter: the catalog (unless the name filter names the repositories exactly) and one artifact per tag."""

    def fetch(self, filters):
        pattern = filters_mod.name_pattern(filters)
        repositories = self._specific(pattern) or self._catalog()
        found = []
        for repo in filters_mod.filter_repositories(repositories, filters):
            tags = self._tags(repo)
            arts = filters_mod.filter_artifacts([{"digest": "", "type": "IMAGE", "tags": [tag], "labels": []} for tag in tags], filters)
            if arts:
                found.append(resource(self.resource_type, repo, arts))
        return found

    def _tags(self, repository):
        """The tags of a repository; one the name filter names but the registry lacks has none."""
        try:
            return self.v2("GET", "/v2/%s/tags/list" % repository, repository_scope(repository, "pull")).json().get("tags") or []
        except AdapterError as exc:
            if exc.status == 404:
                return []
            raise

    @staticmethod
    def _specific(pattern):
        combos = [""]
        for component in pattern.split("/") if pattern else []:
            names = filters_mod.specific_names(component)
            if names is None:
                return None
            combos = [(prefix + "/" if prefix else "") + name for prefix in combos for name in names]
        return combos if pattern else None

    def _catalog(self):
        names, path = [], "/v2/_catalog?n=%d" % PAGE_SIZE
        while path:
            resp = self.v2("GET", path, CATALOG_SCOPE)
            names.extend(resp.json().get("repositories") or [])
            path = resp.links.get("next", {}).get("url")
        return names


class HarborAdapter(RemoteAdapter):
    """The harbor adapter: projects, repositories and artifacts (with labels) from the remote's API."""

    resource_type = "artifact"

    def create(self):
        """The harbor factory asks the remote's API version first (src/pkg/reg/adapter/harbor/adaper.go Create, base.New):
        an unreachable Harbor fails the flow here, before any artifact is fetched."""
        self.request("GET", "/api/version")

    def api_list(self, path, params=None):
        items, page = [], 1
        while True:
            chunk = self.request("GET", "/api/v2.0" + path, params=dict(params or {}, page=page, page_size=PAGE_SIZE)).json()
            items.extend(chunk)
            if len(chunk) < PAGE_SIZE:
                return items
            page += 1

    def fetch(self, filters):
        remote_projects = {p["name"]: (p.get("metadata") or {}).get("public") for p in self.api_list("/projects")}
        found = []
        for project in select_projects(list(remote_projects), filters):
            repos = [r["name"] for r in self.api_list("/projects/%s/repositories" % project)]
            for repo in filters_mod.filter_repositories(repos, filters):
                path = "/projects/%s/repositories/%s/artifacts" % (project, quote(quote(repo.split("/", 1)[1], safe=""), safe=""))
                arts = [simple_artifact(art) for art in self.api_list(path, {"with_label": "true"})]
                arts = filters_mod.filter_artifacts(arts, filters)
                if arts:
                    found.append(resource(self.resource_type, repo, arts, remote_projects[project]))
        return found

    def prepare(self, repositories, public):
        existing = {p["name"] for p in self.api_list("/projects")}
        for project in sorted({repo.split("/", 1)[0] for repo in repositories} - existing):
            body = {"project_name": project, "metadata": {"public": public[project]} if public.get(project) else {}}
            try:
                self.request("POST", "/api/v2.0/projects", json=body)
            except AdapterError as exc:
                if exc.status != 409:
                    raise
