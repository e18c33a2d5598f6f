# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: preflight
short_description: A role's plan checked against what the Harbors hold, and what prune removes
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - The second check of the roles, after their reads and before their first write (the first one,
    P(registryops.harbor.proxy_cache_plan#filter) and P(registryops.harbor.replication_plan#filter), needs no read).
  - For the replication role, refuses every rule whose destination project is a proxy-cache project on the Harbor that
    receives (Harbor refuses every push into one, so every task of the rule would fail), naming the rule's entry and the fix.
  - With prune on (C(proxy_cache_prune), C(replication_prune)), lists the objects to remove - those of the kinds the role
    manages that carry B(its own role's mark) in their description and that the role's variables no longer list. For
    the proxy_cache role, endpoints and the proxy-cache projects bound to them (purged with C(proxy_cache_purge)); for
    the replication role, endpoints and rules. An object without the mark (made by hand, by
    another tool, or by the modules directly) is never removed; nor are projects of the replication role, which hold images.
  - An endpoint to prune that a rule still uses (a rule not removed in the same run) is refused before any write, naming
    the rule.
  - For the replication role, refuses every rule whose endpoint is neither an entry of C(replication_endpoints) nor an
    endpoint of this Harbor (RV(registryops.harbor.replication_plan#filter:_value.endpoint_checks)), naming the rule's entry.
  - Adoption - the endpoints (and, for the replication role, the rules) to write, as the plan has them, with one
    difference for an object that already exists B(without) the role's mark (made by hand, or exported with
    M(registryops.harbor.harbor_export) and listed in the variables). With prune off, a missing mark alone is no
    difference - the object keeps its description as it is when the rest of it (without any role's mark) equals the
    entry's, and gets the entry's description B(without) the mark when it differs - so the role writes nothing to an
    adopted object that matches its entry, and never makes one prunable. With prune on (the opt-in to ownership), such an
    object gets the mark like every object the role writes, and a line of RV(_value.lines) says so before anything is
    removed. A new object always gets the mark.
positional: _input
options:
  _input:
    description: The plan of P(registryops.harbor.proxy_cache_plan#filter) or P(registryops.harbor.replication_plan#filter).
    type: dict
    required: true
  role:
    description: The role.
    type: str
    required: true
    choices: [proxy_cache, replication]
  registries:
    description: The endpoints of this Harbor, from M(registryops.harbor.harbor_registry_info) (C(name), C(description)); for
      prune, adoption, and the endpoints the replication rules name that C(replication_endpoints) does not list.
    type: list
    elements: dict
  rules:
    description: The replication rules of this Harbor, from M(registryops.harbor.harbor_replication_rule_info) (C(name),
      C(description), C(registry)); for prune, adoption, and the endpoints a rule still uses.
    type: list
    elements: dict
  projects:
    description: The projects of this Harbor, from M(registryops.harbor.harbor_project_info) (C(name), C(proxy_cache_registry));
      for the proxy_cache role's prune.
    type: list
    elements: dict
  proxy_projects:
    description: The registered results of the replication role's reads of the Harbors that receive (a loop over
      RV(registryops.harbor.replication_plan#filter:_value.dest_checks)), each with C(item.harbor) and C(projects), the names
      of the proxy-cache projects there.
    type: list
    elements: dict
'''

EXAMPLES = r'''
- name: Check against the Harbors, and what prune removes
  ansible.builtin.set_fact:
    replication_preflight: >-
      {{ replication_plan | registryops.harbor.preflight(role='replication', proxy_projects=replication_proxy_reads.results,
                                                         registries=replication_current.registries, rules=replication_current.rules) }}
  no_log: true     # its registries hold the endpoints' secrets

- name: Replication rules
  registryops.harbor.harbor_replication_rule:
    rules: "{{ replication_preflight.rules }}"
'''

RETURN = r'''
_value:
  description: What the role does on top of its plan.
  type: dict
  contains:
    errors:
      description: The refusal, one line per problem after a heading line; empty when nothing is wrong.
      type: list
      elements: str
    remove_registries:
      description: harbor_registry's C(registries) elements of the endpoints to prune (C(state=absent)).
      type: list
      elements: dict
    remove_rules:
      description: harbor_replication_rule's C(rules) elements of the rules to prune (C(state=absent), C(stop_running=true)).
      type: list
      elements: dict
    remove_projects:
      description: harbor_project's C(projects) elements of the proxy-cache projects to prune (C(state=absent), C(purge)).
      type: list
      elements: dict
    registries:
      description:
        - harbor_registry's C(registries) elements of the endpoints to write
          (RV(registryops.harbor.proxy_cache_plan#filter:_value.registries),
          RV(registryops.harbor.replication_plan#filter:_value.registries)), the descriptions of adopted endpoints as
          described above.
        - They hold the endpoints' secrets; use them in a module argument, never in a loop item or a debug.
      type: list
      elements: dict
    rules:
      description: The replication role's harbor_replication_rule C(rules) elements to write
        (RV(registryops.harbor.replication_plan#filter:_value.rules)), the descriptions of adopted rules as described above.
      type: list
      elements: dict
    lines:
      description:
        - With prune on, what prune removes and why, one line per object (C(would remove) in check mode is the modules'
          own diff), after the listed objects that get the role's mark in this run (the modules' diff shows the new
          description).
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.registryops.harbor.plugins.module_utils.validation import some
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import unmarked
from ansible_collections.registryops.harbor.plugins.plugin_utils.role_plan import MARK, marked, proxy_destination, refused

ROLES = ("proxy_cache", "replication")


def _named(objects):
    return dict((o.get("name"), o) for o in objects or [] if isinstance(o, dict) and o.get("name"))


def _pruned(role, current, listed, what, variable):
    """The marked objects of ``current`` that ``listed`` does not name: [(name, line)]."""
    return [(name, "prune: %s %s (marked [managed by registryops.harbor.%s], no longer in %s)" % (what, name, role, variable))
            for name, found in sorted(current.items()) if marked(found.get("description"), role) and name not in listed]


def _adopted(role, elements, current, prune, what, variable, result):
    """The write ``elements`` of the plan (each description ends with the role's mark) for the objects ``current``
    holds: an existing object without the role's mark keeps its description when the rest of it equals the entry's,
    else gets the entry's without the mark (prune off), or gets the mark, with a line saying so (prune on)."""
    tag = MARK % role
    written = []
    for element in elements or []:
        found = current.get(element.get("name"))
        if found is not None and not marked(found.get("description"), role):
            if prune:
                result["lines"].append("prune: %s %s gets the mark %s (listed in %s: prune removes it once no longer listed)"
                                       % (what, element["name"], tag, variable))
            else:
                wanted = element.get("description") or ""
                wanted = wanted[:-len(tag)].rstrip() if wanted.endswith(tag) else wanted
                now = found.get("description") or ""
                element = dict(element, description=now if unmarked(now).strip() == wanted else wanted)
        written.append(element)
    return written


def _proxy_cache(plan, registries, projects, result):
    listed = set(plan["listed"]["registries"])
    endpoints = _pruned("proxy_cache", _named(registries), listed, "endpoint", "proxy_cache_upstreams")
    gone = set(name for name, _line in endpoints)
    kept_projects = set(plan["listed"]["projects"])
    for name, found in sorted(_named(projects).items()):
        if found.get("proxy_cache_registry") in gone and name not in kept_projects:
            result["remove_projects"].append(dict(name=name, state="absent", purge=plan["purge"]))
            result["lines"].append("prune: proxy-cache project %s of endpoint %s%s" % (
                name, found["proxy_cache_registry"], ", with its %s repositories (proxy_cache_purge)" % found.get("repo_count", "cached")
                if plan["purge"] else ""))
    for name, line in endpoints:
        result["remove_registries"].append(dict(name=name, state="absent"))
        result["lines"].append(line)


def _replication(plan, registries, rules, proxy_projects, result, problems):
    existing = _named(registries)
    for check in plan.get("endpoint_checks") or []:
        if check["endpoint"] not in existing:
            problems.append("%s.%s (name %s): no registry endpoint named %r on this Harbor, and replication_endpoints does not list"
                            " it. Fix: add the endpoint to replication_endpoints, or name one of this Harbor's endpoints (%s)"
                            % (check["where"], check["option"], check["rule"], check["endpoint"], some(sorted(existing))))
    for read in proxy_projects or []:
        harbor = (read.get("item") or {}).get("harbor")
        caches = set(read.get("projects") or [])
        for destination in plan.get("destinations") or []:
            if destination["harbor"] == harbor and destination["project"] in caches:
                problems.append("%s.%s (name %s): %s" % (destination["where"], destination["option"], destination["rule"],
                                                         proxy_destination(destination["project"], harbor)))
    current_rules = _named(rules)
    result["registries"] = _adopted("replication", plan["registries"], existing, plan["prune"], "endpoint",
                                    "replication_endpoints", result)
    result["rules"] = _adopted("replication", plan["rules"], current_rules, plan["prune"], "replication rule",
                               "replication_rules", result)
    if not plan["prune"]:
        return
    pruned_rules = _pruned("replication", current_rules, set(plan["listed"]["rules"]), "replication rule", "replication_rules")
    endpoints = _pruned("replication", _named(registries), set(plan["listed"]["registries"]), "endpoint", "replication_endpoints")
    gone_rules = set(name for name, _line in pruned_rules) | set(r["name"] for r in plan["remove_rules"])
    users = {}
    for name, found in current_rules.items():
        if name not in gone_rules:
            users.setdefault(found.get("registry"), []).append(name)
    for rule in plan["rules"]:
        users.setdefault(rule.get("registry"), []).append(rule["name"])
    for name, line in pruned_rules:
        result["remove_rules"].append(dict(name=name, state="absent", stop_running=True))
        result["lines"].append(line)
    for name, line in endpoints:
        if users.get(name):
            problems.append("replication_endpoints: endpoint %s is marked [managed by registryops.harbor.replication] and no longer"
                            " listed, so prune would remove it, but replication rule(s) %s still use it. Fix: remove those rules"
                            " too (state: absent, or drop them from replication_rules if the role made them), or list the"
                            " endpoint again" % (name, ", ".join(sorted(set(users[name])))))
            continue
        result["remove_registries"].append(dict(name=name, state="absent"))
        result["lines"].append(line)


def preflight(plan, role=None, registries=None, rules=None, projects=None, proxy_projects=None):
    if role not in ROLES:
        raise AnsibleFilterError("preflight: role must be one of %s, got %r" % (", ".join(ROLES), role))
    if not isinstance(plan, dict) or "listed" not in plan:
        raise AnsibleFilterError("preflight: expected the plan of registryops.harbor.%s_plan" % role)
    result = dict(errors=[], registries=[], rules=[], remove_registries=[], remove_rules=[], remove_projects=[], lines=[])
    problems = []
    if role == "proxy_cache":
        result["registries"] = _adopted(role, plan["registries"], _named(registries), plan["prune"], "endpoint",
                                        "proxy_cache_upstreams", result)
        if plan["prune"]:
            _proxy_cache(plan, registries, projects, result)
    else:
        _replication(plan, registries, rules, proxy_projects, result, problems)
    if problems:
        result["errors"] = refused(problems, role)
    return result


class FilterModule(object):
    def filters(self):
        return {"preflight": preflight}
