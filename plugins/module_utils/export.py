# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""harbor_export: an existing Harbor as the roles' host variables. FOR INTERNAL COLLECTION USE ONLY.

Reads the registry endpoints, projects (metadata, quotas, proxy-cache binding), replication rules and robot accounts
through the same resources the modules use (their ``to_options``: the option shape, after Harbor's normalisation), and
maps them onto the variables of roles/proxy_cache (``proxy_cache_upstreams``: an endpoint and the proxy-cache project in
front of it) and roles/replication (``replication_endpoints``, ``replication_projects``, ``replication_rules``), plus
``harbor_robot_accounts`` (elements of harbor_robot_account's ``robots``, for playbooks/robot_accounts.yml). Secrets,
which Harbor never shows, become references to Vault variables the user fills. Whatever the roles cannot express is
listed in ``harbor_export_not_expressible`` with the module that can, never dropped silently.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import tempfile

from ansible_collections.registryops.harbor.plugins.module_utils.endpoints import POLICIES, Endpoints
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.project import PROJECTS, UNLIMITED, Project
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import unmarked
from ansible_collections.registryops.harbor.plugins.module_utils.units import human_bytes
from ansible_collections.registryops.harbor.plugins.module_utils.registry import Registry
from ansible_collections.registryops.harbor.plugins.module_utils.replication_rule import ReplicationRule, human_rate
from ansible_collections.registryops.harbor.plugins.module_utils.robot import NEVER, Robot

# Project settings each role sets (the rest of a project's settings is listed as not expressible).
PROXY_PROJECT_SETTINGS = ("public", "storage_quota", "proxy_speed_kb", "max_upstream_connections", "auto_scan",
                          "prevent_vulnerable_images", "severity")
REPLICATION_PROJECT_SETTINGS = ("public", "storage_quota")
# Harbor's value of a setting nobody set: a project setting that differs from it and no role sets is listed.
UNSET = dict(auto_scan=False, prevent_vulnerable_images=False, severity=None, content_trust=False, auto_sbom_generation=False,
             reuse_system_cve_allowlist=False, proxy_speed_kb=UNLIMITED, max_upstream_connections=UNLIMITED,
             proxy_cache_local_on_not_found=False, cve_allowlist=dict(cves=[], expires_at=None))
# The endpoint keys both roles take (an entry of proxy_cache_upstreams or replication_endpoints).
ENDPOINT_KEYS = ("provider", "url", "description", "access_key", "access_secret", "verify_remote_cert", "ca_certificate")
RULE_SETTINGS = ("description", "enabled", "filters", "dest_namespace", "flattening", "trigger", "cron", "bandwidth", "override",
                 "replicate_deletion", "copy_by_chunk", "single_active_replication")
HEADER = """\
# Host variables of the Harbor at %(url)s (%(version)s), written by registryops.harbor.harbor_export for the roles
# registryops.harbor.proxy_cache and registryops.harbor.replication (playbooks/site.yml) and for the robot accounts
# (playbooks/robot_accounts.yml). Review it, define the Vault variables it names (%(vaults)d: listed below), commit it.
#   Vault variables to define (ansible-vault encrypt_string ... --name <variable>): %(vault_list)s
#   replication_sync is false: the first run writes the configuration only; set it true to replicate until in sync.
#   harbor_export_not_expressible lists what the roles cannot express (with the module that can); nothing reads it.
"""


def identifier(text):
    """``NVIDIA NGC`` -> ``nvidia_ngc``: a Jinja/Ansible variable name part."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "x"


class VaultNames(object):
    """Unique Vault variable names (``vault_<kind>_<name>_secret``) and the list of those handed out."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.names = []

    def reference(self, kind, name):
        base = "%s%s_%s_secret" % (self.prefix, kind, identifier(name))
        variable, count = base, 2
        while variable in self.names:
            variable, count = "%s_%d" % (base, count), count + 1
        self.names.append(variable)
        return "{{ %s }}" % variable


def size_text(size):
    """A storage quota as the roles take it: ``unlimited``, an exact size (``10 GiB``), or a number of bytes."""
    if size is None or size == UNLIMITED or size < 0:
        return "unlimited"
    text = human_bytes(size)
    return size if text.startswith("~") else text


def rate_text(speed):
    text = human_rate(speed)
    return speed if text.startswith("~") else text


def flattening_value(name):
    return int(name) if str(name).isdigit() else name


class Export(object):
    """One Harbor read once, turned into the roles' variables."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        prefix = module.params["vault_prefix"]
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*\Z", prefix or ""):
            raise HarborValidationError("vault_prefix: the start of a variable name (letters, digits and _, not starting with a"
                                        " digit), for example vault_; got %r" % (prefix,))
        self.vault = VaultNames(prefix)
        self.not_expressible = []

    def skip(self, kind, name, reason, settings=None, module=None):
        entry = dict(kind=kind, name=name, reason=reason)
        if settings:
            entry["settings"] = settings
        if module:
            entry["apply_with"] = "registryops.harbor.%s" % module
        self.not_expressible.append(entry)

    # -- reading --------------------------------------------------------------------------------------------------
    def read(self):
        registries = Registry(self.module)
        self.endpoints = dict((raw["name"], registries.to_options(raw)) for raw in Endpoints.of(self.module).all())
        projects = Project(self.module)
        self.projects = projects.infos(self.client.list(PROJECTS))
        rules = ReplicationRule(self.module)
        self.rules = sorted((rules.to_options(raw) for raw in self.client.list(POLICIES)), key=lambda r: r["name"])
        robots = Robot(self.module)
        raws = robots.listing(prefix=self.module.params.get("robot_name_prefix"))
        self.robot_prefix = robots.prefix
        self.robots = [(raw, robots.info(raw)) for raw in raws]

    # -- mapping --------------------------------------------------------------------------------------------------
    def endpoint_entry(self, endpoint, keys):
        """The endpoint options a role entry takes; the secret as a Vault reference when there is a credential."""
        entry = dict(name=endpoint["name"], provider=endpoint["provider"], url=endpoint["url"])
        if unmarked(endpoint["description"]):
            entry["description"] = unmarked(endpoint["description"])
        if endpoint["access_key"]:
            entry["access_key"] = endpoint["access_key"]
            entry["access_secret"] = self.vault.reference("registry", endpoint["name"])
            if endpoint["credential_type"] not in (None, "basic"):
                self.skip("registry endpoint", endpoint["name"], "credential type %s: the roles send basic credentials only"
                          % endpoint["credential_type"], dict(credential_type=endpoint["credential_type"]), "harbor_registry")
        entry["verify_remote_cert"] = endpoint["verify_remote_cert"]
        if endpoint["ca_certificate"]:
            entry["ca_certificate"] = endpoint["ca_certificate"]
        return dict((k, v) for k, v in entry.items() if k in keys or k == "name")

    def project_leftovers(self, project, kept, role):
        """The project's settings that differ from an unset project and that ``role`` does not set."""
        left = dict((k, project.get(k)) for k, unset in sorted(UNSET.items())
                    if k not in kept and project.get(k) is not None and project.get(k) != unset)
        if left:
            self.skip("project", project["name"], "the %s role does not set these project settings" % role, left, "harbor_project")

    def proxy_cache_upstreams(self):
        upstreams, used = [], set()
        for project in self.projects:
            endpoint_name = project.get("proxy_cache_registry")
            if not endpoint_name:
                continue
            if endpoint_name in used or endpoint_name not in self.endpoints:
                self.skip("project", project["name"], "a proxy-cache project of endpoint %s, which another proxy-cache project"
                          " already uses: the proxy_cache role makes one endpoint per project" % endpoint_name
                          if endpoint_name in used else "its endpoint %s could not be read" % endpoint_name,
                          dict(proxy_cache_registry=endpoint_name), "harbor_project")
                continue
            used.add(endpoint_name)
            entry = self.endpoint_entry(self.endpoints[endpoint_name], ENDPOINT_KEYS)
            entry["project"] = project["name"]
            entry["public"] = project["public"]
            entry["storage_quota"] = size_text(project.get("storage_quota"))
            for option in ("proxy_speed_kb", "max_upstream_connections"):
                if project.get(option) not in (None, UNLIMITED):
                    entry[option] = project[option]
            if project.get("proxy_cache_local_on_not_found"):
                entry["local_on_not_found"] = True
            for option in ("auto_scan", "prevent_vulnerable_images"):
                if project.get(option):
                    entry[option] = True
            if project.get("severity"):
                entry["severity"] = project["severity"]
            self.project_leftovers(project, PROXY_PROJECT_SETTINGS + ("proxy_cache_local_on_not_found",), "proxy_cache")
            upstreams.append(entry)
        self.proxy_endpoints = used
        return upstreams

    def replication_endpoints(self):
        return [self.endpoint_entry(endpoint, ENDPOINT_KEYS)
                for name, endpoint in sorted(self.endpoints.items()) if name not in self.proxy_endpoints]

    def replication_projects(self):
        entries = []
        for project in self.projects:
            if project.get("proxy_cache_registry"):
                continue
            entries.append(dict(name=project["name"], public=project["public"], storage_quota=size_text(project.get("storage_quota"))))
            self.project_leftovers(project, REPLICATION_PROJECT_SETTINGS, "replication")
        return entries

    def replication_rules(self):
        entries = []
        for rule in self.rules:
            entry = dict(name=rule["name"], mode=rule["mode"], endpoint=rule["registry"])
            for key in RULE_SETTINGS:
                value = rule.get(key)
                if key == "bandwidth":
                    value = rate_text(value)
                elif key == "flattening":
                    value = flattening_value(value)
                elif key == "cron" and not value:
                    continue
                elif key == "description":
                    value = unmarked(value)
                    if not value:
                        continue
                elif key == "dest_namespace" and not value:
                    continue
                entry[key] = value
            if not entry["filters"]:
                del entry["filters"]
            entries.append(entry)
        return entries

    def robot_accounts(self):
        entries = []
        for raw, robot in self.robots:
            title = "%s (%s)" % (robot["name"], robot["full_name"])
            if raw.get("editable") is False:
                self.skip("robot account", title, "a legacy robot account (Harbor 1.x), which Harbor lets nobody edit or recreate")
                continue
            if any(perm.get("deny") for perm in robot["permissions"]):
                self.skip("robot account", title, "permissions with effect deny, which harbor_robot_account does not set",
                          dict(permissions=robot["permissions"]), None)
                continue
            entry = dict(name=robot["name"])
            if robot["level"] == "project":
                entry["project"] = robot["project"]
            if robot["description"]:
                entry["description"] = robot["description"]
            entry["duration"] = "never" if robot["duration"] == NEVER else robot["duration"]
            if robot["disabled"]:
                entry["disabled"] = True
            entry["permissions"] = [self.permission(perm, robot["level"]) for perm in robot["permissions"]]
            entry["secret"] = self.vault.reference("robot", robot["name"] if robot["level"] == "system"
                                                   else "%s_%s" % (robot["project"], robot["name"]))
            entries.append(entry)
        return entries

    @staticmethod
    def permission(perm, level):
        if perm["kind"] == "system":
            return dict(kind="system", access=perm["access"])
        if level == "project":
            return dict(access=perm["access"])
        return dict(namespace=perm["namespace"], access=perm["access"])

    # -- the result -----------------------------------------------------------------------------------------------
    def variables(self):
        self.read()
        upstreams = self.proxy_cache_upstreams()
        variables = dict(
            proxy_cache_upstreams=upstreams,
            replication_endpoints=self.replication_endpoints(),
            replication_projects=self.replication_projects(),
            replication_rules=self.replication_rules(),
            replication_sync=self.module.params["replication_sync"],
            harbor_robot_accounts=self.robot_accounts(),
            harbor_export_not_expressible=self.not_expressible,
        )
        return variables


ORDER = ("proxy_cache_upstreams", "replication_endpoints", "replication_projects", "replication_rules", "replication_sync",
         "harbor_robot_accounts", "harbor_export_not_expressible")
COMMENTS = dict(
    proxy_cache_upstreams="roles/proxy_cache: each proxy-cache project with the endpoint in front of which it is",
    replication_endpoints="roles/replication: the other registry endpoints (replication sides)",
    replication_projects="roles/replication: the projects that are not proxy caches",
    replication_rules="roles/replication: the replication rules",
    replication_sync="roles/replication: false writes the rules only; true replicates until in sync",
    harbor_robot_accounts="playbooks/robot_accounts.yml (registryops.harbor.harbor_robot_account robots:)",
    harbor_export_not_expressible="what the roles cannot express, with the module that can (read by nothing)",
)


def render(variables, header, yaml):
    """The host variables as YAML: a header, then each variable with a comment line; lists of plain values (actions,
    labels) on one line."""

    class Dumper(yaml.SafeDumper):
        pass

    def short_lists(dumper, data):
        flow = bool(data) and all(isinstance(item, (str, int, float, bool)) for item in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    Dumper.add_representer(list, short_lists)
    parts = [header]
    for name in ORDER:
        parts.append("\n# %s\n" % COMMENTS[name])
        parts.append(yaml.dump({name: variables[name]}, Dumper=Dumper, default_flow_style=False, sort_keys=False, width=120,
                               allow_unicode=True))
    return "".join(parts)


def write(module, dest, content):
    """Write ``content`` to ``dest`` when it differs (not in check mode); ``(changed, before)``."""
    dest = os.path.expanduser(dest)
    before = None
    if os.path.exists(dest):
        with open(dest) as handle:
            before = handle.read()
    if before == content:
        return False, before
    if not module.check_mode:
        folder = os.path.dirname(os.path.abspath(dest))
        if not os.path.isdir(folder):
            os.makedirs(folder)
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".harbor-export-")
        with os.fdopen(handle, "w") as out:
            out.write(content)
        module.atomic_move(temp, dest)
    return True, before


def check_dest(dest):
    """Refuse a ``dest`` that cannot be written (its nearest existing folder is a file or read-only) before Harbor is read."""
    path = os.path.abspath(os.path.expanduser(dest))
    if os.path.isdir(path):
        raise HarborValidationError("dest: %s is a folder; give the path of the file to write (for example"
                                    " host_vars/<host>.yml)" % dest)
    folder = os.path.dirname(path)
    while not os.path.exists(folder):
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise HarborValidationError("dest: %s cannot be written: %s is %s" % (
            dest, folder, "not a folder" if not os.path.isdir(folder) else "not writable"))


def export(module, yaml):
    if module.params.get("dest"):
        check_dest(module.params["dest"])
    exporter = Export(module)
    variables = exporter.variables()
    info = module.client.systeminfo()
    vaults = exporter.vault.names
    header = HEADER % dict(url=module.client.url, version=info.get("harbor_version") or "version unknown", vaults=len(vaults),
                           vault_list=", ".join(vaults) or "none")
    content = render(variables, header, yaml)
    result = dict(changed=False, variables=variables, not_expressible=exporter.not_expressible, vault_variables=vaults,
                  robot_name_prefix=exporter.robot_prefix, content=content)
    dest = module.params.get("dest")
    if dest:
        changed, before = write(module, dest, content)
        result.update(changed=changed, dest=dest)
        if module._diff and changed:
            result["diff"] = dict(before=before or "", after=content, before_header=dest, after_header=dest)
    return result
