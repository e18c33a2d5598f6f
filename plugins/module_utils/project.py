# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Projects, including proxy-cache projects. FOR INTERNAL COLLECTION USE ONLY.

Harbor's behaviour behind this code is in docs/harbor-api.md section 3: PUT applies only ``metadata`` (merged,
values are strings) and ``cve_allowlist``; the storage quota of an existing project lives in ``/quotas``; the proxy-cache
binding (``registry_id``) is set once at creation; a project with repositories cannot be deleted (412).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


from ansible_collections.registryops.harbor.plugins.module_utils.client import HarborClient, quote, quote_repository
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError, HarborRefused, HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.endpoints import Endpoints, check_endpoint_name
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import Plan, Resource, run, to_yaml, version_gate
from ansible_collections.registryops.harbor.plugins.module_utils.units import human_bytes, quantity
from ansible_collections.registryops.harbor.plugins.module_utils.validation import check_project_name, is_ascii_int, some

PROJECTS = "/projects"
QUOTAS = "/quotas"
MAX_QUOTA = 1024 ** 5                    # 1024 TB, Harbor's upper limit
UNLIMITED = -1
SEVERITIES = ("none", "low", "medium", "high", "critical")
# The module's choices: Harbor's values and its alias "negligible" for none (src/server/v2.0/handler/project_metadata.go)
SEVERITY_CHOICES = list(SEVERITIES) + ["negligible"]
PROXY_CACHE_SINCE = "2.1.0"

# option -> (metadata key, value kind, first Harbor version with the key)
METADATA = {
    "public": ("public", "bool", None),
    "auto_scan": ("auto_scan", "bool", None),
    "prevent_vulnerable_images": ("prevent_vul", "bool", None),
    "severity": ("severity", "severity", None),
    "content_trust": ("enable_content_trust", "bool", None),
    "auto_sbom_generation": ("auto_sbom_generation", "bool", "2.11.0"),
    "reuse_system_cve_allowlist": ("reuse_sys_cve_allowlist", "bool", None),
    "proxy_speed_kb": ("proxy_speed_kb", "limit", "2.12.0"),
    "max_upstream_connections": ("max_upstream_conn", "limit", "2.14.1"),
    "proxy_cache_local_on_not_found": ("proxy_cache_local_on_not_found", "bool", "2.15.1"),
}
PROXY_ONLY = ("proxy_speed_kb", "max_upstream_connections", "proxy_cache_local_on_not_found")
PROJECT_OPTIONS = tuple(METADATA) + ("proxy_cache_registry", "storage_quota", "cve_allowlist")
# Options kept when a project is recreated for a new proxy-cache binding.
CARRIED = ("public", "auto_scan", "prevent_vulnerable_images", "severity", "auto_sbom_generation", "reuse_system_cve_allowlist",
           "storage_quota", "cve_allowlist")

# Harbor's installer default of PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE: type -> (first version, first version without it)
PROXY_CACHE_TYPES = {
    "docker-hub": ("2.1.0", None), "harbor": ("2.1.0", None), "azure-acr": ("2.2.0", None), "aws-ecr": ("2.2.0", None),
    "google-gcr": ("2.2.0", None), "quay": ("2.2.0", "2.14.0"), "docker-registry": ("2.3.0", None),
    "github-ghcr": ("2.6.0", None), "jfrog-artifactory": ("2.7.0", None), "ali-acr": ("2.12.0", None),
}


# -- option normalisation -------------------------------------------------------------------------------------------
def check_name(name):
    """Harbor's project name rule (validation.check_project_name): the ``name`` of a project."""
    return check_project_name(name, "name")


def parse_size(value):
    """``10GiB`` -> 10737418240, ``500 MB`` -> 500000000, ``-1``/``unlimited`` -> -1 (bytes, as Harbor stores them).

    The collection's one unit rule (units.py, also for bandwidth)."""
    text = str(value).strip()
    if text.lower() in ("-1", "unlimited"):
        return UNLIMITED
    try:
        found = quantity(text)
    except ValueError:
        raise HarborValidationError("storage_quota: %r has no unit prefix before 'i' (use KiB, MiB, GiB, TiB)" % (value,))
    if not found or found[1] not in ("", "b"):
        raise HarborValidationError("storage_quota: expected a size such as 10GiB, 500 MB, 1TB or a number of bytes, or -1 /"
                                    " unlimited; got %r" % (value,))
    scaled = found[0]
    if scaled > MAX_QUOTA:               # also a number too long for a float (inf)
        raise HarborValidationError("storage_quota: %r is more than Harbor's maximum of 1024 TiB (%d bytes); use -1 or"
                                    " unlimited for no limit" % (value, MAX_QUOTA))
    size = int(round(scaled))
    if size <= 0:
        raise HarborValidationError("storage_quota: %r is %d bytes; Harbor takes 1 byte to 1024 TiB (%d bytes), or -1 for"
                                    " unlimited" % (value, size, MAX_QUOTA))
    return size


def parse_limit(value, option):
    """An upstream limit: a positive number, or anything <= 0 for none (Harbor's -1)."""
    text = str(value).strip()
    if not is_ascii_int(text.lstrip("-")):
        raise HarborValidationError("%s: expected a whole number (-1 for no limit), got %r" % (option, value))
    number = int(text)
    if number > 2 ** 31 - 1:
        raise HarborValidationError("%s: %d is larger than Harbor's maximum %d" % (option, number, 2 ** 31 - 1))
    return number if number > 0 else UNLIMITED


def parse_severity(value):
    text = str(value).strip().lower()
    text = "none" if text == "negligible" else text
    if text not in SEVERITIES:
        raise HarborValidationError("severity: expected one of %s, got %r" % (", ".join(SEVERITIES), value))
    return text


def normalize_allowlist(value):
    """``{cves: [...], expires_at: epoch|None}`` with the ids upper-cased, unique and sorted."""
    cves = [str(c).strip().upper() for c in value.get("cves") or []]
    if not all(cves):
        raise HarborValidationError("cve_allowlist.cves: expected CVE ids such as CVE-2024-3094, got an empty one")
    return dict(cves=sorted(set(cves)), expires_at=value.get("expires_at") or None)


def decode_metadata(kind, value):
    if kind == "bool":
        return str(value).strip().lower() == "true"
    if kind == "limit":
        try:
            return parse_limit(value, "metadata")
        except HarborValidationError:
            return UNLIMITED
    if value in (None, ""):
        return None
    try:
        return parse_severity(value)
    except HarborValidationError:
        return str(value).lower()


def encode_metadata(kind, value):
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


def proxy_cache_permitted(client, provider):
    """Whether the server's version lets ``provider`` back a proxy-cache project (Harbor's installer default list)."""
    since_until = PROXY_CACHE_TYPES.get(provider)
    if not since_until:
        return False
    since, until = since_until
    return client.version_at_least(since) and not (until and client.version_at_least(until))


# -- the resource ---------------------------------------------------------------------------------------------------
class Project(Resource):
    kind = "project"
    result_key = "project"
    options = PROJECT_OPTIONS
    control_options = ("purge", "recreate")
    normalizers = dict(
        storage_quota=parse_size,
        severity=parse_severity,
        proxy_speed_kb=lambda value: parse_limit(value, "proxy_speed_kb"),
        max_upstream_connections=lambda value: parse_limit(value, "max_upstream_connections"),
        cve_allowlist=normalize_allowlist,
        proxy_cache_registry=lambda value: value or None,       # "" is no proxy cache (a normal project)
    )

    def __init__(self, module):
        super(Project, self).__init__(module)
        # per-call caches, never about one item
        self.endpoints = Endpoints.of(module)
        self._quotas = {}
        self._summaries = {}
        self._quotas_forbidden = False
        self._with_quotas = False        # /quotas is read only when an item sets storage_quota (or a recreate carries it)

    # -- validation -----------------------------------------------------------------------------------------------
    def check_key(self, name):
        check_name(name)

    def validate(self, item, options):
        if options.get("proxy_cache_registry"):
            check_endpoint_name(options["proxy_cache_registry"], "proxy_cache_registry")
        for option, (_key, _kind, since) in METADATA.items():
            if since and option in options:
                version_gate(self.client, since, option)
        if options.get("proxy_cache_registry"):
            version_gate(self.client, PROXY_CACHE_SINCE, "proxy_cache_registry (proxy cache)")

    # -- read and compare -----------------------------------------------------------------------------------------
    def read(self, names, wanted):
        found = self.client.list_named(PROJECTS, names)
        self._with_quotas = self._with_quotas or any("storage_quota" in options for options in wanted)
        if self._with_quotas:
            self._quotas.update(self.read_quotas([raw["project_id"] for raw in found.values()]))
        return found

    def read_quotas(self, project_ids):
        """``{project_id: quota}`` from /quotas: one filtered call for one project, one listing for several."""
        if not project_ids:
            return {}
        params = dict(reference="project")
        if len(project_ids) == 1:
            params["reference_id"] = project_ids[0]
        try:
            quotas = self.client.list(QUOTAS, params=params)
        except HarborError as exc:
            if exc.status == 403:
                # Only a system administrator may list quotas; members read their project's quota from its summary.
                self._quotas_forbidden = True
                return {}
            raise
        wanted = set(project_ids)
        return dict((ref_id, q) for q in quotas for ref_id in [_quota_project_id(q)] if ref_id in wanted)

    def to_options(self, raw):
        metadata = raw.get("metadata") or {}
        options = dict(name=raw.get("name"))
        for option, (key, kind, _since) in METADATA.items():
            options[option] = decode_metadata(kind, metadata.get(key))
        allowlist = raw.get("cve_allowlist") or {}
        options["cve_allowlist"] = dict(cves=sorted(set((i.get("cve_id") or "").upper() for i in allowlist.get("items") or [] if i.get("cve_id"))),
                                        expires_at=allowlist.get("expires_at") or None)
        options["proxy_cache_registry"] = self._endpoint_name(raw) if raw.get("registry_id") else None
        quota = self._quota_of(raw)
        options["storage_quota"] = (quota.get("hard") or {}).get("storage") if quota else None
        return options

    def _endpoint_name(self, raw):
        """The name of a proxy-cache project's endpoint; from the project's summary for a caller who may not list endpoints."""
        try:
            return self.endpoints.name_of(raw["registry_id"])
        except HarborError as exc:
            if exc.status != 403:
                raise
        return (self._summary(raw).get("registry") or {}).get("name")

    def _summary(self, raw):
        """GET /projects/{id}/summary, once per project (what a project member may read: quota, proxy endpoint)."""
        project_id = raw.get("project_id")
        if project_id not in self._summaries:
            self._summaries[project_id] = self.client.get("%s/%s/summary" % (PROJECTS, quote(project_id))) or {}
        return self._summaries[project_id]

    def _quota_of(self, raw):
        quota = self._quotas.get(raw.get("project_id"))
        if quota is None and self._quotas_forbidden:
            quota = self._summary(raw).get("quota")
        return quota

    def desired(self, item, options, raw):
        name = item["name"]
        current = self.to_options(raw) if raw is not None else {}
        proxy = options.get("proxy_cache_registry", current.get("proxy_cache_registry"))
        rebinding = raw is not None and options.get("proxy_cache_registry", current["proxy_cache_registry"]) != current["proxy_cache_registry"]
        if proxy and "proxy_cache_registry" in options and (raw is None or rebinding):
            self._check_proxy_endpoint(proxy)
        self._check_proxy_options(name, options, bool(proxy))
        plan = Plan(options, recreate=False)
        if rebinding:
            self._check_rebinding(item, raw, current, options)
            plan.recreate = True
            plan.report["recreated"] = True
        return plan

    def _check_proxy_endpoint(self, endpoint_name):
        try:
            self.endpoints.all()
        except HarborError as exc:
            if exc.status != 403:
                raise
            raise HarborError("proxy_cache_registry: creating a proxy-cache project (or binding a project to endpoint %s) needs a Harbor"
                              " system administrator or a system robot account; %s may not even list the registry endpoints"
                              % (endpoint_name, self.module.params.get("harbor_username")),
                              status=403, code=exc.code, method=exc.method, path=exc.path, request_id=exc.request_id, hint="")
        if self.module.check_mode and all(r.get("name") != endpoint_name for r in self.endpoints.all()):
            # In a check run of a fresh set-up, the task that creates the endpoint ran in check mode too.
            self.module.warn("proxy_cache_registry: no registry endpoint named %r exists yet; check mode goes on as if an earlier"
                             " task created it, but a real run fails unless it exists by then" % endpoint_name)
            return
        endpoint = self.endpoints.by_name(endpoint_name, "proxy_cache_registry")
        provider = endpoint.get("type")
        if not proxy_cache_permitted(self.client, provider):
            allowed = ", ".join(sorted(t for t in PROXY_CACHE_TYPES if proxy_cache_permitted(self.client, t)))
            version = self.client.systeminfo().get("harbor_version")
            raise HarborValidationError("proxy_cache_registry: endpoint %s is of provider %s, which Harbor %s does not permit for"
                                        " proxy cache (permitted: %s)" % (endpoint_name, provider, version, allowed))

    @staticmethod
    def _check_proxy_options(name, options, proxy):
        if proxy and options.get("content_trust"):
            raise HarborValidationError("content_trust: Harbor ignores content trust on a proxy-cache project (%s)" % name)
        if not proxy:
            defaults = dict(proxy_speed_kb=UNLIMITED, max_upstream_connections=UNLIMITED, proxy_cache_local_on_not_found=False)
            wrong = sorted(o for o in PROXY_ONLY if o in options and options[o] != defaults[o])
            if wrong:
                raise HarborValidationError("%s: only for proxy-cache projects; project %s has no proxy_cache_registry"
                                            % (", ".join(wrong), name))

    def _check_rebinding(self, item, raw, current, options):
        name = item["name"]
        was = current["proxy_cache_registry"] or "no endpoint (a normal project)"
        wanted = options["proxy_cache_registry"] or "none (a normal project)"
        change = ("project %s is bound to %s and Harbor cannot change a project's proxy-cache endpoint, nor turn a normal project"
                  " into a proxy-cache project or back (%s wanted)" % (name, was, wanted))
        if not item.get("recreate"):
            raise HarborValidationError("proxy_cache_registry: %s. Set recreate: true to delete the project and create it again"
                                        " (possible only while it holds no repositories)" % change)
        repositories = self.repository_names(name)
        if repositories:
            raise HarborValidationError("proxy_cache_registry: %s, and it cannot be recreated while it holds %d repositories (%s)"
                                        % (change, len(repositories), some(repositories, 5)))
        if raw["project_id"] not in self._quotas:
            # the new project carries the quota over, so it is read now even without storage_quota
            self._quotas.update(self.read_quotas([raw["project_id"]]))

    # -- writes ---------------------------------------------------------------------------------------------------
    def create(self, item, plan):
        self._post(item["name"], plan.options)
        self._put_allowlist(item["name"], plan.options)

    def _post(self, name, desired):
        body = dict(project_name=name, metadata=self._metadata(desired, bool(desired.get("proxy_cache_registry"))))
        if desired.get("storage_quota") is not None:
            body["storage_limit"] = desired["storage_quota"]
        if desired.get("proxy_cache_registry"):
            body["registry_id"] = self.endpoints.by_name(desired["proxy_cache_registry"], "proxy_cache_registry")["id"]
        try:
            self.client.post(PROJECTS, body)
        except HarborError as exc:
            if exc.status == 403 and body.get("registry_id"):
                raise HarborError("proxy_cache_registry: creating proxy-cache project %s needs a Harbor system administrator (or a system robot account"
                                  " with project create permission); %s is not one" % (name, self.module.params.get("harbor_username")),
                                  status=403, code=exc.code, method=exc.method, path=exc.path, request_id=exc.request_id, hint="")
            raise

    def _put_allowlist(self, name, desired):
        if desired.get("cve_allowlist") is not None:
            # POST ignores the allowlist: it is set with a PUT.
            self.client.put("%s/%s" % (PROJECTS, quote(name)), dict(cve_allowlist=_allowlist_body(desired["cve_allowlist"])),
                            headers=HarborClient.BY_NAME)

    def update(self, item, plan, raw, changed):
        name, desired = item["name"], plan.options
        if plan.recreate:
            current = self.to_options(raw)
            carried = dict(dict((k, current[k]) for k in CARRIED if current.get(k) is not None), **desired)
            self.client.delete("%s/%s" % (PROJECTS, quote(name)), headers=HarborClient.BY_NAME)
            posted = False
            try:
                self._post(name, carried)
                posted = True
                self._put_allowlist(name, carried)
            except (HarborError, HarborValidationError) as exc:
                self._recreate_failed(name, current, desired, exc, posted)
            return None
        body = {}
        # the binding never changes without a recreate: a proxy-cache project stays one, also when the task leaves
        # proxy_cache_registry out (a change of proxy_speed_kb alone must reach Harbor)
        metadata = self._metadata(dict((k, desired[k]) for k in changed if k in METADATA), bool(raw.get("registry_id")))
        if metadata:
            body["metadata"] = metadata
        if "cve_allowlist" in changed:
            body["cve_allowlist"] = _allowlist_body(desired["cve_allowlist"])
        if body:
            self.client.put("%s/%s" % (PROJECTS, quote(name)), body, headers=HarborClient.BY_NAME)
        if "storage_quota" in changed:
            self._set_quota(raw, desired["storage_quota"])
        return None

    def _recreate_failed(self, name, current, desired, exc, posted):
        """The project is gone (or half made) after its delete: fail with what it was, so it can be restored."""
        cause = exc.message if isinstance(exc, HarborError) else str(exc)
        if posted:
            state = "was deleted and created again, but setting its cve_allowlist failed (%s)" % cause
        else:
            state = "was deleted and NOT created again: creating it failed (%s); it does not exist now" % cause
        msg = ("recreate: project %s (bound to %s, to be bound to %s) %s. Its options before the delete were: %s."
               " Fix the cause and re-run the task (or create the project again by hand) to restore it."
               % (name, current["proxy_cache_registry"] or "no endpoint", desired.get("proxy_cache_registry") or "no endpoint",
                  state, "\n" + to_yaml(dict(current, name=name)) + "\n"))
        if isinstance(exc, HarborError):       # changed=true: the delete went through (HarborModule.run counts writes)
            raise HarborError(msg, status=exc.status, code=exc.code, method=exc.method, path=exc.path, request_id=exc.request_id,
                              hint=exc.hint)
        raise HarborValidationError(msg)

    @staticmethod
    def _metadata(values, proxy):
        """Harbor's metadata strings for ``values`` (proxy-only keys left out unless ``proxy``: a proxy-cache project)."""
        return dict((METADATA[k][0], encode_metadata(METADATA[k][1], v)) for k, v in values.items()
                    if k in METADATA and v is not None and (proxy or k not in PROXY_ONLY))

    def _set_quota(self, raw, storage):
        quota = self._quotas.get(raw["project_id"])
        if quota is None:
            raise HarborError("project %s has no storage quota in Harbor (is quota_per_project_enable off, or is the user not a"
                              " system administrator?), so storage_quota cannot be set" % raw["name"], hint="")
        self.client.put("%s/%s" % (QUOTAS, quota["id"]), dict(hard=dict(storage=storage)))

    def delete(self, item, plan, raw):
        name = item["name"]
        if item.get("purge"):
            removed = plan.report["removed_repositories"] = []
            for repository in self.repository_names(name):
                self.client.delete("%s/%s/repositories/%s" % (PROJECTS, quote(name), quote_repository(repository)))
                removed.append(repository)
        try:
            self.client.delete("%s/%s" % (PROJECTS, quote(name)), headers=HarborClient.BY_NAME)
        except HarborError as exc:
            if exc.status != 412:
                raise
            repositories = self.repository_names(name)
            raise HarborRefused("project %s holds %d repositories (%s) and Harbor deletes only empty projects; delete them"
                                " first, or set purge: true to delete them together with the project (%s)"
                                % (name, len(repositories), some(repositories, 5), exc.message), cause=exc)

    def repository_names(self, name):
        """The project's repositories, without the ``<project>/`` prefix."""
        found = self.client.list("%s/%s/repositories" % (PROJECTS, quote(name)))
        prefix = name + "/"
        return sorted(r["name"][len(prefix):] if r.get("name", "").startswith(prefix) else r.get("name") for r in found)

    def humanize(self, options):
        quota = options.get("storage_quota")
        if isinstance(quota, int):
            options["storage_quota"] = "unlimited" if quota < 0 else human_bytes(quota)
        return options

    # -- output ---------------------------------------------------------------------------------------------------
    def predict(self, item, plan, before):
        """Check mode: also ``removed_repositories`` of a purge (the repositories the delete would remove)."""
        after, keys = super(Project, self).predict(item, plan, before)
        if plan.deletes and item.get("purge"):
            keys["removed_repositories"] = self.repository_names(item["name"])
        return after, keys

    def public(self, raw):
        return self.info(raw)

    def infos(self, raws):
        """Several projects as harbor_project_info returns them, sorted by name (one quota listing for all)."""
        self._quotas = self.read_quotas([raw["project_id"] for raw in raws])
        return sorted((self.info(raw) for raw in raws), key=lambda p: p["name"] or "")

    def info(self, raw):
        """The project as the modules return it: the option shape plus id, repository count and quota (hard and used)."""
        shown = self.to_options(raw)
        quota = self._quota_of(raw)
        shown.update(project_id=raw.get("project_id"), repo_count=raw.get("repo_count") or 0, owner_name=raw.get("owner_name"),
                     creation_time=raw.get("creation_time"), update_time=raw.get("update_time"),
                     quota=dict(hard=(quota.get("hard") or {}).get("storage"), used=(quota.get("used") or {}).get("storage"))
                     if quota else None)
        return shown


def _quota_project_id(quota):
    ref = quota.get("ref") or {}
    try:
        return int(ref.get("id"))
    except (TypeError, ValueError):
        return None


def _allowlist_body(allowlist):
    return dict(items=[dict(cve_id=c) for c in allowlist["cves"]], expires_at=allowlist.get("expires_at"))


# -- module entry points --------------------------------------------------------------------------------------------
def run_project(module):
    """harbor_project: one project (or the list ``projects``) to its desired state."""
    return run(Project(module), "projects")


def project_info(module):
    """harbor_project_info: one project by name, or all, with quota, proxy endpoint name and metadata."""
    resource = Project(module)
    raws = module.client.find_all(PROJECTS, module.params["name"])
    return dict(changed=False, projects=module.select(resource.infos(raws)))
