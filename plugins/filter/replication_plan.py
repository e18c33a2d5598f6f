# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: replication_plan
short_description: The replication role's variables and the inventory checked and turned into the module lists
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - The logic of the role C(registryops.harbor.replication) in one
    call on the controller. Every entry of C(replication_endpoints), C(replication_projects) and
    C(replication_rules) gets the defaults of the role's argument spec (C(roles/replication/meta/argument_specs.yml),
    the one place of the defaults) and is checked with the modules' own parsers - names, URLs, providers, sizes, cron,
    bandwidth, flattening, filter patterns, destination paths, the references between entries (a rule's endpoint), the
    inventory hosts an endpoint names, duplicates and C(replication_wait_timeout) - before the role writes anything.
  - A problem is named by role variable, entry and fix, for example C(replication_rules[2].endpoint (name to-airgap\))
    followed by what is wrong, never by module option; every problem is reported at once, in RV(_value.errors).
  - An endpoint with C(host) (a Harbor of the same inventory) takes that host's C(harbor_url), C(harbor_username),
    C(harbor_password), C(harbor_validate_certs) and C(harbor_ca_path) as its defaults. A rule is refused when its
    destination project is a proxy-cache project that the proxy_cache role plans on the Harbor that receives (its
    C(proxy_cache_plan) fact); P(registryops.harbor.preflight#filter) checks the projects that exist.
  - The result holds the elements of the modules' list options (C(registries), C(projects), C(rules)), the destination
    projects per Harbor, and what the replication until in sync compares (see P(registryops.harbor.replication_sync#filter)).
    Endpoints and rules carry the role's mark in their description (C([managed by registryops.harbor.replication])).
  - The result holds the endpoints' secrets; keep it in a fact set with C(no_log). Loop items taken from it
    (RV(_value.dest_projects), RV(_value.source_reads)...) hold names only - never a secret.
positional: _input
options:
  _input:
    description:
      - The role's variables, by name - C(replication_endpoints), C(replication_projects), C(replication_rules),
        C(replication_sync), C(replication_wait_timeout), C(replication_prune). A variable left out or V(null) gets the
        spec's default.
    type: dict
    required: true
  hostvars:
    description: Ansible's C(hostvars) - the connection variables of the Harbors of the inventory, and their C(proxy_cache_plan).
    type: dict
    required: true
  inventory_hostname:
    description: This Harbor's inventory name.
    type: str
    required: true
'''

EXAMPLES = r'''
- name: Plan the replication (no_log - the plan holds the endpoints' secrets)
  ansible.builtin.set_fact:
    replication_plan: >-
      {{ {'replication_endpoints': replication_endpoints, 'replication_rules': replication_rules}
         | registryops.harbor.replication_plan(hostvars=hostvars, inventory_hostname=inventory_hostname) }}
  no_log: true

- name: Every entry is valid
  ansible.builtin.fail:
    msg: "{{ replication_plan.errors }}"
  when: replication_plan.errors | length > 0
'''

RETURN = r'''
_value:
  description: The plan.
  type: dict
  contains:
    errors:
      description: The refusal, one line per problem after a heading line; empty when every entry is valid.
      type: list
      elements: str
    registries:
      description: harbor_registry's C(registries) elements of the endpoints to be present (with secrets).
      type: list
      elements: dict
    projects:
      description: harbor_project's C(projects) elements of this Harbor's projects to be present.
      type: list
      elements: dict
    rules:
      description: harbor_replication_rule's C(rules) elements of the rules to be present.
      type: list
      elements: dict
    remove_rules:
      description: The rules with C(state=absent) (C(stop_running=true)).
      type: list
      elements: dict
    remove_registries:
      description: The endpoints with C(state=absent).
      type: list
      elements: dict
    remove_projects:
      description: The projects with C(state=absent).
      type: list
      elements: dict
    robots:
      description:
        - The robot accounts to keep on the other Harbors, per Harbor (C(harbor) = its inventory name, C(robots) = the
          elements of M(registryops.harbor.harbor_robot_account)'s C(robots), with their secrets), one per endpoint with
          C(host) and C(robot), with what the rules through it need.
      type: list
      elements: dict
    endpoint_robots:
      description: Per endpoint name, the robot it logs in as (C(harbor), C(name), C(login)); no secret.
      type: dict
    dest_projects:
      description:
        - The destination projects to create, per Harbor (C(harbor) = its inventory name, C(projects)); also those of push
          rules through an endpoint with a robot account (whose robot then needs no project creation).
      type: list
      elements: dict
    dest_checks:
      description: The Harbors whose projects the role reads before writing (C(harbor), C(projects) - the destination
        projects of the rules there), to refuse a rule into a proxy-cache project.
      type: list
      elements: dict
    destinations:
      description: Each rule to be present with the Harbor and project it writes into (C(where), C(rule), C(harbor),
        C(project), C(option)).
      type: list
      elements: dict
    endpoint_checks:
      description: Each rule to be present whose endpoint C(replication_endpoints) does not list (C(where), C(rule),
        C(endpoint), C(option)); it must exist on this Harbor, which P(registryops.harbor.preflight#filter) checks.
      type: list
      elements: dict
    sync:
      description: The rules to replicate until in sync, with their source and destination sides.
      type: list
      elements: dict
    source_reads:
      description: The harbor_repository_info reads of the sources that can be listed (C(rule), C(harbor), C(project),
        C(repository), C(tag), C(tag_decoration), C(labels), C(label_decoration)).
      type: list
      elements: dict
    listed:
      description: The endpoint and rule names the variables list (present or absent); prune keeps these.
      type: dict
    prune:
      description: C(replication_prune).
      type: bool
    wait_timeout:
      description: C(replication_wait_timeout).
      type: int
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.registryops.harbor.plugins.module_utils import project as project_utils
from ansible_collections.registryops.harbor.plugins.module_utils import registry as registry_utils
from ansible_collections.registryops.harbor.plugins.module_utils import replication_rule as rule_utils
from ansible_collections.registryops.harbor.plugins.module_utils import robot as robot_utils
from ansible_collections.registryops.harbor.plugins.module_utils.endpoints import check_endpoint_name
from ansible_collections.registryops.harbor.plugins.module_utils.repository import compile_pattern, is_pattern
from ansible_collections.registryops.harbor.plugins.module_utils.validation import check_rule_name
from ansible_collections.registryops.harbor.plugins.plugin_utils.role_plan import (
    Problems, as_bool, check_endpoint, compact, connection, mark, proxy_destination, refused, robot_login, with_defaults,
)

ROLE = "replication"
REGISTRY_KEYS = ("name", "provider", "url", "description", "access_key", "access_secret", "update_password", "verify_remote_cert",
                 "ca_certificate", "test_connection")
RULE_KEYS = ("name", "description", "enabled", "mode", "dest_namespace", "flattening", "trigger", "cron", "bandwidth", "override",
             "replicate_deletion", "copy_by_chunk", "single_active_replication")
FILTER_KEYS = ("name", "tag", "tag_decoration", "labels", "label_decoration", "resource")
# module option named by a parser -> the rule entry's key
RULE_OPTIONS = {"registry": "endpoint", "filters.name": "filters.name", "repository": "filters.name", "tag": "filters.tag"}


def planned_caches(hostvars, host):
    """The proxy-cache projects the proxy_cache role plans on ``host`` (its ``proxy_cache_plan`` fact): {project: cache}."""
    try:
        found = hostvars[host]["proxy_cache_plan"] if host in hostvars and "proxy_cache_plan" in hostvars[host] else None
    except KeyError:
        found = None
    return dict((cache["project"], cache) for cache in ((found or {}).get("caches") or []))


def inventory_hosts(hostvars):
    try:
        return sorted(hostvars)
    except TypeError:
        return []


def _robot(problems, where, entry, peer_host, hostvars, here):
    """The robot account an endpoint with ``host`` logs in as on that Harbor: {harbor, name, login, secret}."""
    name = entry.get("robot_name") or robot_utils.robot_name_of("replication-%s-%s" % (here, entry.get("name")))
    problems.check(where, entry, robot_utils.check_name, name, options={"name": "robot_name"})
    secret = entry.get("robot_secret")
    if secret in (None, ""):
        problems.add(where, entry, "robot_secret", "required: the endpoint logs in to %s as robot account %s, which the role"
                     " keeps there with the permissions the rules need. Fix: give robot_secret from a Vault variable (%s), or"
                     " robot: false to log in as %s's harbor_username instead" % (
                         peer_host, robot_login(hostvars, peer_host, name), robot_utils.SECRET_RULE, peer_host))
    elif not robot_utils.valid_secret(str(secret)):
        problems.add(where, entry, "robot_secret", "Harbor takes a robot secret of %s; the value given is not (it is never"
                     " shown)" % robot_utils.SECRET_RULE)
    return dict(harbor=peer_host, name=name, login=robot_login(hostvars, peer_host, name), secret=secret, endpoint=entry.get("name"))


def _endpoints(problems, endpoints, hostvars, here):
    registries, removed, by_name, robots = [], [], {}, {}
    for index, entry in enumerate(endpoints):
        where = "replication_endpoints[%d]" % index
        problems.check(where, entry, registry_utils.check_name, entry.get("name") or "")
        peer = None
        if entry.get("host"):
            peer = connection(hostvars, entry["host"])
            if peer is None:
                problems.add(where, entry, "host", "%r is not a host of the inventory with a harbor_url (hosts: %s). Fix: give the"
                             " inventory name of the other Harbor, or url and credentials instead" % (
                                 entry["host"], ", ".join(inventory_hosts(hostvars)) or "none"))
            elif entry["host"] == here:
                problems.add(where, entry, "host", "%r is this Harbor itself; an endpoint names the other side. Fix: name the"
                             " other Harbor's inventory host" % entry["host"])
        by_name.setdefault(entry.get("name"), entry)
        if entry["state"] == "absent":
            removed.append(dict(name=entry["name"], state="absent"))
            continue
        resolved = dict(entry)
        if peer:
            defaults = dict(url=peer["url"], access_key=peer["username"], access_secret=peer["password"],
                            verify_remote_cert=as_bool(peer["validate_certs"], True), ca_certificate=peer["ca_path"] or None)
            if as_bool(entry.get("robot"), True) and entry.get("access_key") in (None, "") and entry["host"] != here:
                robot = robots[entry["name"]] = _robot(problems, where, entry, entry["host"], hostvars, here)
                defaults.update(access_key=robot["login"], access_secret=robot["secret"])
            for key, value in defaults.items():
                if resolved.get(key) is None:
                    resolved[key] = value
        if not resolved.get("url") and not entry.get("host"):
            problems.add(where, entry, "url", "required (the other side's address). Fix: give url, or host (a Harbor of the"
                         " inventory)")
        for key in ("access_key", "access_secret"):
            if resolved.get(key) in ("", None):
                resolved.pop(key, None)
        check_endpoint(problems, where, entry, resolved, "the user or robot account on the other side")
        registry = compact(resolved, REGISTRY_KEYS)
        registry["description"] = mark(resolved.get("description"), ROLE)
        registries.append(registry)
    problems.duplicates("replication_endpoints", endpoints, "name", "endpoint")
    return registries, removed, by_name, robots


def _projects(problems, projects, local_caches):
    present, removed = [], []
    for index, entry in enumerate(projects):
        where = "replication_projects[%d]" % index
        problems.check(where, entry, project_utils.check_name, entry.get("name") or "")
        if entry["state"] == "absent":
            removed.append(dict(name=entry["name"], state="absent"))
            continue
        if entry.get("storage_quota") is not None:
            problems.check(where, entry, project_utils.parse_size, entry["storage_quota"])
        if entry.get("name") in local_caches:
            problems.add(where, entry, "name", "project %r is a proxy-cache project of proxy_cache_upstreams on this Harbor"
                         " (upstream %s); replication_projects are normal projects. Fix: remove the entry, or name another"
                         " project" % (entry["name"], local_caches[entry["name"]]["name"]))
        present.append(compact(entry, ("name", "public", "storage_quota")))
    problems.duplicates("replication_projects", projects, "name", "project")
    return present, removed


def _expect_problem(reference):
    path, _sep, rest = reference.partition("@") if "@" in reference else reference.rpartition(":")
    if not path or "/" not in path or not rest:
        return ("%r is not a reference as named at the destination: <project>/<repository>:<tag> or"
                " <project>/<repository>@<digest>" % reference)
    return None


class _Rule(object):
    """One rule entry: its checks (with the modules' parsers), its module element and its sides."""

    def __init__(self, problems, index, entry):
        self.problems, self.where, self.entry = problems, "replication_rules[%d]" % index, entry

    def check(self, parse, value):
        return self.problems.check(self.where, self.entry, parse, value, options=RULE_OPTIONS)

    def add(self, option, message):
        self.problems.add(self.where, self.entry, option, message)

    def options(self):
        """The rule's options normalised by harbor_replication_rule's parsers (None for each one that is refused)."""
        entry = self.entry
        given = dict((k, v) for k, v in (entry.get("filters") or {}).items() if v is not None)
        filters = self.check(rule_utils.normalize_filters, given) or {}
        for key in ("name", "tag"):
            if filters.get(key):
                self.check(lambda value, k=key: compile_pattern(value, "filters." + k), filters[key])
        options = dict(mode=entry["mode"], trigger=entry["trigger"], filters=filters,
                       dest_namespace=entry.get("dest_namespace") or "", single_active_replication=entry.get("single_active_replication"))
        options["flattening"] = self.check(rule_utils.parse_flattening, entry["flattening"]) if entry.get("flattening") is not None else None
        if entry.get("cron"):
            options["cron"] = self.check(rule_utils.normalize_cron, entry["cron"])
        if entry.get("bandwidth") is not None:
            self.check(rule_utils.parse_bandwidth, entry["bandwidth"])
        namespace_ok = not options["dest_namespace"] or self.check(rule_utils.check_namespace, options["dest_namespace"])
        self.check(rule_utils.check_stored_lengths, options)        # what Harbor's columns hold
        if namespace_ok and options["flattening"] is not None and (entry.get("cron") is None or options.get("cron")):
            self.check(lambda value: rule_utils.check_rule(value, entry["name"]), options)
        dest_project = entry.get("dest_project")
        if dest_project:
            if dest_project.get("name"):
                self.problems.check(self.where, self.entry, project_utils.check_name, dest_project["name"],
                                    options={"name": "dest_project.name"})
            if dest_project.get("storage_quota") is not None:
                self.problems.check(self.where, self.entry, project_utils.parse_size, dest_project["storage_quota"],
                                    options={"storage_quota": "dest_project.storage_quota"})
        for reference in entry.get("expect") or []:
            problem = _expect_problem(str(reference))
            if problem:
                self.add("expect", problem + ". Fix: e.g. application-collection/containers/etcd:3.5.14")
        return options


def _rules(problems, rules, endpoints_by_name, hostvars, here, sync, robots=None):
    result = dict(rules=[], remove_rules=[], dest_projects={}, dest_checks={}, destinations=[], sync=[], source_reads=[], needs={},
                  endpoint_checks=[])
    robots = robots or {}
    for index, entry in enumerate(rules):
        rule = _Rule(problems, index, entry)
        rule.check(check_rule_name, entry.get("name") or "")
        if entry["state"] == "absent":
            result["remove_rules"].append(dict(name=entry["name"], state="absent", stop_running=True))
            continue
        options = rule.options()
        endpoint = entry.get("endpoint") or entry.get("registry")
        given_as = "endpoint" if entry.get("endpoint") else "registry"
        if entry.get("endpoint") and entry.get("registry") is not None and entry["endpoint"] != entry["registry"]:
            rule.add("registry", "%r, and endpoint %r (registry is its alias); give one of the two" % (entry["registry"], entry["endpoint"]))
        elif endpoint:
            problems.check(rule.where, entry, check_endpoint_name, endpoint, options={"name": given_as})
        listed = endpoints_by_name.get(endpoint)
        if endpoint and listed is None:
            # an endpoint the variables do not list must exist on this Harbor: preflight checks it (before any write)
            result["endpoint_checks"].append(dict(where=rule.where, rule=entry["name"], endpoint=endpoint, option=given_as))
        if not endpoint:
            rule.add("endpoint", "required for a rule to be present (the other side). Fix: name one of replication_endpoints"
                     " (%s), or an endpoint that exists on this Harbor" % (", ".join(sorted(str(n) for n in endpoints_by_name)) or "none"))
        elif listed is not None and listed["state"] == "absent":
            rule.add("endpoint", "%r is an entry of replication_endpoints with state absent; the rule would lose its endpoint."
                     " Fix: remove the rule too (state: absent), or keep the endpoint" % endpoint)
        peer = (listed or {}).get("host") or ""
        pushes = entry["mode"] == "push"
        src_harbor, dest_harbor = (here, peer) if pushes else (peer, here)
        name_filter = (options["filters"].get("name") or "").strip("/")
        first, _slash, rest = name_filter.partition("/")
        src_project = first if rest and not is_pattern(first) and not any(c in first for c in "]}\\") else ""
        namespace = options["dest_namespace"].strip("/")
        dest_project = entry.get("dest_project")
        dest_name = (dest_project or {}).get("name") or (namespace.split("/")[0] if namespace else src_project)
        if dest_harbor and dest_name:
            caches = planned_caches(hostvars, dest_harbor)
            if dest_name in caches:
                rule.add("dest_namespace" if namespace else "filters.name", proxy_destination(dest_name, dest_harbor))
            result["dest_checks"].setdefault(dest_harbor, set()).add(dest_name)
            result["destinations"].append(dict(where=rule.where, rule=entry["name"], harbor=dest_harbor, project=dest_name,
                                               option="dest_namespace" if namespace else "filters.name"))
            if dest_project or (pushes and endpoint in robots):
                # the role creates a robot endpoint's destination project first: its robot then needs no project creation
                # (which Harbor leaves to administrators when project creation is restricted to them)
                _add_dest_project(rule, result["dest_projects"].setdefault(dest_harbor, {}), dest_name, dest_project or {})
        if endpoint in robots:
            result["needs"].setdefault(endpoint, []).append(dict(
                rule=entry["name"], project=(dest_name if pushes else src_project) or "*",
                access=_robot_access(pushes, as_bool(entry.get("replicate_deletion")))))
        element = compact(entry, RULE_KEYS)
        element.update(registry=endpoint, description=mark(entry.get("description"), ROLE),
                       filters=dict((k, v) for k, v in (entry.get("filters") or {}).items() if v is not None and k in FILTER_KEYS))
        result["rules"].append(element)
        if not (sync and as_bool(entry.get("replicate"), True) and as_bool(entry.get("enabled"), True)):
            continue
        listable = bool(src_project and src_harbor and not options["filters"].get("resource"))
        sides = dict(name=entry["name"], src_harbor=src_harbor, src_project=src_project, dest_harbor=dest_harbor,
                     dest_namespace=namespace, replace_count=rule_utils.flattening_count(options["flattening"] or "1"),
                     expect=sorted(str(r) for r in entry.get("expect") or []), force=as_bool(entry.get("force")),
                     listable=listable, name_filter=name_filter, tag=options["filters"].get("tag"),
                     tag_excludes=options["filters"].get("tag_decoration") == "excludes", source_cache=None)
        if listable:
            cache = planned_caches(hostvars, src_harbor).get(src_project)
            if cache:
                sides["source_cache"] = dict(project=src_project, name=cache["name"], test_reference=cache.get("test_reference"))
            read = dict(rule=entry["name"], harbor=src_harbor, project=src_project, repository=rest)
            read.update(compact(options["filters"], ("tag", "tag_decoration", "labels", "label_decoration")))
            result["source_reads"].append(read)
        result["sync"].append(sides)
    problems.duplicates("replication_rules", rules, "name", "rule")
    result["dest_projects"] = [dict(harbor=harbor, projects=list(projects.values())) for harbor, projects in result["dest_projects"].items()]
    result["dest_checks"] = [dict(harbor=harbor, projects=sorted(names)) for harbor, names in result["dest_checks"].items()]
    return result


def _robot_access(pushes, deletion):
    """What a robot needs in one project of the other Harbor for one rule (docs in the role's argument spec)."""
    if pushes:
        return dict(repository=["pull", "push"] + (["delete"] if deletion else []))
    return dict(repository=["list", "pull"], artifact=["list", "read"])


def _robots(problems, robots, needs, endpoints):
    """harbor_robot_account's ``robots`` elements per other Harbor: each endpoint's robot with the union of what its rules
    need, per project."""
    by_harbor = {}
    for index, entry in enumerate(endpoints):
        robot = robots.get(entry.get("name"))
        if robot is None or entry.get("state") == "absent":
            continue
        if not needs.get(entry["name"]):
            problems.add("replication_endpoints[%d]" % index, entry, "robot", "no rule of replication_rules uses this endpoint, so"
                         " its robot account on %s would have no permission (Harbor needs one). Fix: add the rule, remove the"
                         " endpoint, or give it access_key and access_secret (or robot: false)" % robot["harbor"])
            continue
        permissions = {}
        for need in needs[entry["name"]]:
            access = permissions.setdefault(need["project"], {})
            for resource, actions in need["access"].items():
                access[resource] = sorted(set(access.get(resource, [])) | set(actions))
        element = dict(name=robot["name"], secret=robot["secret"], update_password="always",
                       description=mark("replication endpoint %s of %s" % (entry["name"], robot["harbor_of"]), ROLE),
                       permissions=[dict(namespace=project, access=permissions[project]) for project in sorted(permissions)])
        by_harbor.setdefault(robot["harbor"], []).append(element)
    return [dict(harbor=harbor, robots=elements) for harbor, elements in sorted(by_harbor.items())]


def _add_dest_project(rule, projects, name, dest_project):
    wanted = compact(dict(dest_project, name=name), ("name", "public", "storage_quota"))
    wanted.setdefault("public", False)
    if name in projects and projects[name] != wanted:
        rule.add("dest_project", "project %s on the Harbor that receives is also the destination project of an earlier rule,"
                 " with other settings (%s against %s). Fix: give both rules the same dest_project, or set it on one rule only"
                 % (name, _settings(wanted), _settings(projects[name])))
    projects.setdefault(name, wanted)


def _settings(project):
    return ", ".join("%s=%s" % (k, project[k]) for k in sorted(project) if k != "name") or "defaults"


def plan(role_vars, hostvars=None, inventory_hostname=None):
    if not isinstance(role_vars, dict):
        raise AnsibleFilterError("replication_plan: expected a dict of the role's variables, got %s" % type(role_vars).__name__)
    if hostvars is None or not inventory_hostname:
        raise AnsibleFilterError("replication_plan: hostvars and inventory_hostname are required")
    params, spec_errors = with_defaults(ROLE, role_vars)
    problems = Problems()
    problems.messages.extend(spec_errors)
    wait_timeout = params.get("replication_wait_timeout")
    if wait_timeout is not None and int(wait_timeout) < 1:
        problems.add("replication_wait_timeout", None, None, "%s seconds; the role waits up to this long, in all, for the"
                     " executions it starts or follows in a run. Fix: give 1 or more, e.g. 3600" % wait_timeout)
    endpoints = params.get("replication_endpoints") or []
    registries, remove_registries, by_name, robots = _endpoints(problems, endpoints, hostvars, inventory_hostname)
    for robot in robots.values():
        robot["harbor_of"] = inventory_hostname
    projects, remove_projects = _projects(problems, params.get("replication_projects") or [], planned_caches(hostvars, inventory_hostname))
    rules = params.get("replication_rules") or []
    result = _rules(problems, rules, by_name, hostvars, inventory_hostname, as_bool(params.get("replication_sync"), True), robots)
    result["robots"] = _robots(problems, robots, result.pop("needs"), endpoints)
    local = dict((p["name"], p) for p in projects)
    for group in result["dest_projects"]:
        for project in group["projects"] if group["harbor"] == inventory_hostname else []:
            if project["name"] in local and dict(project, public=project.get("public", False)) != dict(
                    local[project["name"]], public=local[project["name"]].get("public", False)):
                problems.add("replication_projects", None, None, "project %s is also the dest_project of a pull rule, with other"
                             " settings (%s against %s). Fix: set it in one place" % (
                                 project["name"], _settings(local[project["name"]]), _settings(project)))
    result.update(
        errors=refused(problems.messages, "replication") if problems else [], registries=registries,
        remove_registries=remove_registries, projects=projects, remove_projects=remove_projects,
        listed=dict(registries=[e.get("name") for e in endpoints], rules=[r.get("name") for r in rules]),
        prune=as_bool(params.get("replication_prune")), wait_timeout=int(wait_timeout or 3600), host=inventory_hostname,
        endpoint_robots=dict((name, dict(harbor=robot["harbor"], name=robot["name"], login=robot["login"]))
                             for name, robot in robots.items()))
    return result


class FilterModule(object):
    def filters(self):
        return {"replication_plan": plan}
