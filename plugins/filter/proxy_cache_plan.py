# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: proxy_cache_plan
short_description: The proxy_cache role's variables checked and turned into the module lists
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - The logic of the role C(registryops.harbor.proxy_cache) in
    one call on the controller. Every entry of C(proxy_cache_upstreams) gets the defaults of the role's argument spec
    (C(roles/proxy_cache/meta/argument_specs.yml), the one place of the defaults) and its preset, and is checked with the
    modules' own parsers (names, URL, provider, sizes, limits, CA certificate, test reference), all before the role
    writes anything.
  - A problem is named by role variable, entry and fix, for example C(proxy_cache_upstreams[2].storage_quota (name NVIDIA\))
    followed by what is wrong, never by module option; every problem of every entry is reported at once, in RV(_value.errors).
  - The result holds the elements of M(registryops.harbor.harbor_registry)'s O(registryops.harbor.harbor_registry#module:registries)
    and M(registryops.harbor.harbor_project)'s O(registryops.harbor.harbor_project#module:projects) lists, so the role
    writes each kind with one module call. The endpoints' descriptions carry the role's mark
    (C([managed by registryops.harbor.proxy_cache])), which P(registryops.harbor.preflight#filter) uses to prune.
  - The result holds the upstreams' secrets (the endpoints' C(access_secret)); keep it in a fact set with C(no_log).
positional: _input
options:
  _input:
    description:
      - The role's variables, by name - C(proxy_cache_upstreams), C(proxy_cache_check_references),
        C(proxy_cache_pull_host), C(proxy_cache_pull_robot), C(proxy_cache_purge), C(proxy_cache_prune). A variable left
        out or V(null) gets the spec's default.
    type: dict
    required: true
  harbor_url:
    description: The URL of this Harbor, for the pull hints (its host and port, unless C(proxy_cache_pull_host) is set).
    type: str
  robot_name_prefix:
    description: Harbor's robot name prefix (the host's C(harbor_robot_name_prefix)), for the pull robot's login in the hints.
    type: str
    default: robot$
'''

EXAMPLES = r'''
- name: Plan the proxy caches (no_log - the plan holds the endpoints' secrets)
  ansible.builtin.set_fact:
    proxy_cache_plan: >-
      {{ {'proxy_cache_upstreams': proxy_cache_upstreams, 'proxy_cache_purge': proxy_cache_purge}
         | registryops.harbor.proxy_cache_plan(harbor_url=harbor_url) }}
  no_log: true

- name: Every upstream is valid
  ansible.builtin.fail:
    msg: "{{ proxy_cache_plan.errors }}"
  when: proxy_cache_plan.errors | length > 0

- name: Registry endpoints of the upstreams
  registryops.harbor.harbor_registry:
    registries: "{{ proxy_cache_plan.registries }}"
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
      description: The elements of harbor_registry's C(registries) for the upstreams to be present (with secrets).
      type: list
      elements: dict
    projects:
      description: The elements of harbor_project's C(projects) for their proxy-cache projects.
      type: list
      elements: dict
    remove_projects:
      description: The projects of the upstreams with C(state=absent) (C(state), C(purge)).
      type: list
      elements: dict
    remove_registries:
      description: The endpoints of the upstreams with C(state=absent).
      type: list
      elements: dict
    listed:
      description: The endpoint names and project names the variables list (present or absent); prune keeps these.
      type: dict
    caches:
      description: Each upstream to be present without its secrets (C(name), C(project), C(provider), C(url),
        C(test_reference) as C(<project>/<repository>:<tag>) in the cache), for the replication role's plan.
      type: list
      elements: dict
    checks:
      description: The test reads (C(name), C(path) on Harbor's C(/v2/)), empty with C(proxy_cache_check_references=false).
      type: list
      elements: dict
    pull_robots:
      description:
        - The nodes' pull robot (C(proxy_cache_pull_robot)) as M(registryops.harbor.harbor_robot_account)'s C(robots)
          elements (with its secret), or V([]).
      type: list
      elements: dict
    hints:
      description: How to pull through each cache, one line each (and how a node logs in as the pull robot).
      type: list
      elements: str
    prune:
      description: C(proxy_cache_prune).
      type: bool
    purge:
      description: C(proxy_cache_purge), what a pruned project gets.
      type: bool
'''

import re
from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError

from ansible_collections.registryops.harbor.plugins.module_utils import project as project_utils
from ansible_collections.registryops.harbor.plugins.module_utils import registry as registry_utils
from ansible_collections.registryops.harbor.plugins.module_utils import robot as robot_utils
from ansible_collections.registryops.harbor.plugins.plugin_utils.role_plan import (
    Problems, as_bool, check_endpoint, compact, mark, refused, with_defaults,
)

ROLE = "proxy_cache"
VARIABLE = "proxy_cache_upstreams"

# What a preset fills in (any key of the entry wins); the argument spec documents them.
PRESETS = {
    "ngc": dict(provider="docker-registry", url="https://nvcr.io", access_key="$oauthtoken", project="nvidiaio",
                description="NVIDIA NGC (nvcr.io)", pull_example="nvaie/<image>:<tag>", helm_example="nvaie/<chart>"),
    "suse-application-collection": dict(
        provider="docker-registry", url="https://dp.apps.rancher.io", project="application-collection",
        description="SUSE Application Collection (dp.apps.rancher.io)", pull_example="containers/<image>:<tag>",
        helm_example="charts/<chart>"),
    "docker-hub": dict(provider="docker-hub", url="https://hub.docker.com", project="dockerhub", description="Docker Hub",
                       pull_example="library/<image>:<tag> (official images need library/; <user>/<image>:<tag> for the others)",
                       helm_example="<user>/<chart>"),
    "ghcr": dict(provider="github-ghcr", url="https://ghcr.io", project="ghcr", description="GitHub Container Registry (ghcr.io)",
                 pull_example="<owner>/<image>:<tag>", helm_example="<owner>/<chart>"),
    "quay": dict(provider="quay", url="https://quay.io", project="quay",
                 description="Quay (quay.io); Harbor 2.14 and later cannot use the quay provider for a proxy cache",
                 pull_example="<organization>/<image>:<tag>", helm_example="<organization>/<chart>"),
    "registry-k8s-io": dict(provider="docker-registry", url="https://registry.k8s.io", project="k8s",
                            description="Kubernetes registry (registry.k8s.io)", pull_example="<image>:<tag>, e.g. pause:3.10",
                            helm_example="<chart>"),
    "generic": dict(pull_example="<upstream path>:<tag>", helm_example="<upstream chart path>"),
}
PRESET_KEYS = ("provider", "url", "access_key", "description")
REGISTRY_KEYS = ("name", "provider", "url", "description", "access_key", "access_secret", "update_password", "verify_remote_cert",
                 "ca_certificate", "test_connection")
# entry key -> harbor_project option
PROJECT_KEYS = (("public", "public"), ("storage_quota", "storage_quota"), ("proxy_speed_kb", "proxy_speed_kb"),
                ("max_upstream_connections", "max_upstream_connections"), ("auto_scan", "auto_scan"),
                ("prevent_vulnerable_images", "prevent_vulnerable_images"), ("severity", "severity"),
                ("local_on_not_found", "proxy_cache_local_on_not_found"))
_REPOSITORY = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")


def test_reference(text, provider):
    """``nvaie/vllm:latest`` -> (``nvaie/vllm``, ``latest``); ``alpine@sha256:...`` -> (``library/alpine`` on Docker Hub,
    the digest); no tag -> ``latest``. Raises ValueError with what is wrong."""
    text = str(text).strip()
    if "@" in text:
        name, reference = text.split("@", 1)
        if not _DIGEST.match(reference):
            raise ValueError("the digest %r is not algorithm:hex (sha256:...)" % reference)
    else:
        name, colon, tag = text.rpartition(":")
        if not colon or "/" in tag:
            name, tag = text, "latest"
        if not _TAG.match(tag):
            raise ValueError("the tag %r is not a tag (letters, digits, '_', '.', '-', at most 128)" % tag)
        reference = tag
    if not _REPOSITORY.match(name):
        raise ValueError("%r is not a repository path (lower-case letters and digits, levels separated by '/')" % name)
    if provider == "docker-hub" and "/" not in name:
        name = "library/" + name        # Harbor redirects <project>/alpine to <project>/library/alpine
    return name, reference


def _resolve(entry):
    """The entry with its preset under it (the entry's own keys win) and its project name."""
    preset = PRESETS.get(entry.get("preset") or "generic", PRESETS["generic"])
    resolved = dict(entry)
    for key in PRESET_KEYS:
        if resolved.get(key) is None and preset.get(key) is not None:
            resolved[key] = preset[key]
    resolved["project"] = entry.get("project") or preset.get("project") or entry.get("name")
    resolved["pull_example"], resolved["helm_example"] = preset["pull_example"], preset["helm_example"]
    return resolved


def _check_present(problems, where, entry):
    """Every check a later module call would make, so that nothing is written before all entries are known good."""
    if not entry.get("provider") or not entry.get("url"):
        problems.add(where, entry, None, "needs provider and url (preset %r sets neither). Fix: use one of the presets %s,"
                     " or give both" % (entry.get("preset"), ", ".join(p for p in PRESETS if p != "generic")))
    provider = check_endpoint(problems, where, entry, entry, "the Access ID: a user name, $oauthtoken for NGC")
    if entry.get("storage_quota") is not None:
        problems.check(where, entry, project_utils.parse_size, entry["storage_quota"])
    for option in ("proxy_speed_kb", "max_upstream_connections"):
        if entry.get(option) is not None:
            problems.check(where, entry, lambda value, o=option: project_utils.parse_limit(value, o), entry[option])
    if entry.get("test_reference"):
        try:
            test_reference(entry["test_reference"], provider)
        except ValueError as exc:
            problems.add(where, entry, "test_reference", "%s. Fix: name an image as the upstream names it, e.g. nvaie/vllm:latest,"
                         " library/alpine:3.20 or containers/etcd@sha256:<digest>" % exc)


def _pull_robot(problems, robot, projects):
    """harbor_robot_account's ``robots`` element of the nodes' pull robot (``[]`` without one)."""
    if not robot:
        return []
    where = "proxy_cache_pull_robot"
    problems.check(where, None, robot_utils.check_name, robot.get("name") or "")
    if robot.get("state") == "absent":
        return [dict(name=robot["name"], state="absent")]
    if not robot_utils.valid_secret(str(robot.get("secret") or "")):
        problems.add(where, None, "secret", "Harbor takes a robot secret of %s; the value given is not (it is never shown)"
                     % robot_utils.SECRET_RULE)
    if not projects:
        problems.add(where, None, None, "no upstream of proxy_cache_upstreams is present, so the robot would have no permission"
                     " (Harbor needs one). Fix: add an upstream, or set the robot's state to absent")
        return []
    description = mark(robot.get("description") or "pulls through the proxy caches", ROLE)
    if len(description) > robot_utils.DESCRIPTION_MAX_CHARS:
        problems.add(where, None, "description", "must be at most %d characters: Harbor stores %d and the role adds its mark"
                     " %r; got %d" % (robot_utils.DESCRIPTION_MAX_CHARS - len(mark("", ROLE)) - 1,
                                      robot_utils.DESCRIPTION_MAX_CHARS, mark("", ROLE), len(robot.get("description") or "")))
    element = dict(name=robot["name"], secret=robot.get("secret"), update_password="always", description=description,
                   permissions=[dict(namespace=project, access=dict(repository=["pull"])) for project in sorted(projects)])
    return [element]


def _login_hints(robot, login, host):
    if not robot or robot.get("state") == "absent":
        return []
    return ["Nodes log in as %s with the secret of proxy_cache_pull_robot (pull only, in these projects):" % login,
            "  docker login %s -u '%s'   # password: the secret, from your vault" % (host, login),
            "  kubectl create secret docker-registry harbor-pull --docker-server=%s --docker-username='%s'"
            " --docker-password=\"$SECRET\"   # then imagePullSecrets: [{name: harbor-pull}]" % (host, login)]


def _hints(entries, host):
    lines = []
    for entry in entries:
        project = entry["project"]
        lines += ["%s (%s) is cached in project %s:" % (entry["name"], entry["url"], project),
                  "  docker pull %s/%s/%s" % (host, project, entry["pull_example"]),
                  "  helm pull oci://%s/%s/%s" % (host, project, entry["helm_example"])]
        if entry.get("provider") == "docker-hub":
            lines.append("  Docker Hub's official images live under library/: %s/%s/library/alpine:3.20 (Harbor redirects %s/alpine"
                         " there)" % (host, project, project))
        if entry.get("provider") == "quay":
            lines.append("  Harbor 2.14 and later refuse the quay provider for a proxy cache: use preset generic with provider"
                         " docker-registry and url https://quay.io there.")
        if entry.get("test_reference"):
            lines.append("  test: %s/%s/%s" % (host, project, entry["test_reference"]))
    return lines


def plan(role_vars, harbor_url=None, robot_name_prefix=None):
    if not isinstance(role_vars, dict):
        raise AnsibleFilterError("proxy_cache_plan: expected a dict of the role's variables, got %s" % type(role_vars).__name__)
    params, spec_errors = with_defaults(ROLE, role_vars)
    problems = Problems()
    problems.messages.extend(spec_errors)
    upstreams = params.get(VARIABLE) or []
    resolved = [_resolve(entry) for entry in upstreams]
    for index, entry in enumerate(resolved):
        where = "%s[%d]" % (VARIABLE, index)
        problems.check(where, entry, registry_utils.check_name, entry.get("name") or "")
        problems.check(where, entry, project_utils.check_name, entry["project"], options={"name": "project"})
        if entry["state"] == "present":
            _check_present(problems, where, entry)
    problems.duplicates(VARIABLE, resolved, "name", "endpoint name")
    problems.duplicates(VARIABLE, resolved, "project", "project (the preset's project, or the entry's name)")
    purge = as_bool(params.get("proxy_cache_purge"))
    robot = params.get("proxy_cache_pull_robot") or None
    pull_robots = _pull_robot(problems, robot, [e["project"] for e in resolved if e["state"] == "present"])
    result = dict(errors=refused(problems.messages, "proxy_cache") if problems else [], registries=[], projects=[],
                  remove_projects=[], remove_registries=[], caches=[], checks=[], hints=[], pull_robots=pull_robots,
                  listed=dict(registries=[e.get("name") for e in resolved], projects=[e["project"] for e in resolved]),
                  prune=as_bool(params.get("proxy_cache_prune")), purge=purge)
    if problems:
        return result
    check_references = as_bool(params.get("proxy_cache_check_references"), True)
    present = [e for e in resolved if e["state"] == "present"]
    for entry in present:
        registry = compact(entry, REGISTRY_KEYS)
        registry["description"] = mark(entry.get("description"), ROLE)
        result["registries"].append(registry)
        project = dict(name=entry["project"], proxy_cache_registry=entry["name"])
        project.update((option, entry[key]) for key, option in PROJECT_KEYS if entry.get(key) is not None)
        result["projects"].append(project)
        cache = dict(name=entry["name"], project=entry["project"], provider=entry.get("provider"), url=entry.get("url"),
                     test_reference=None)
        if entry.get("test_reference"):
            repository, reference = test_reference(entry["test_reference"], registry_utils.normalize_provider(entry["provider"]))
            by_digest = "@" in str(entry["test_reference"])
            cache["test_reference"] = "%s/%s%s%s" % (entry["project"], repository, "@" if by_digest else ":", reference)
            if check_references:
                result["checks"].append(dict(name=entry["name"], path="/v2/%s/%s/manifests/%s" % (entry["project"], repository, reference)))
        result["caches"].append(cache)
    for entry in resolved:
        if entry["state"] == "absent":
            result["remove_projects"].append(dict(name=entry["project"], state="absent",
                                                  purge=as_bool(entry.get("purge")) if entry.get("purge") is not None else purge))
            result["remove_registries"].append(dict(name=entry["name"], state="absent"))
    host = params.get("proxy_cache_pull_host") or (urlsplit(harbor_url).netloc if harbor_url else "") or "<harbor>"
    result["hints"] = _hints(present, host)
    if robot:
        result["hints"] += _login_hints(robot, "%s%s" % (robot_name_prefix or "robot$", robot.get("name")), host)
    return result


class FilterModule(object):
    def filters(self):
        return {"proxy_cache_plan": plan}
