# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: replication_sync
short_description: The replication role's "until in sync" - what to read, which executions to start and why, the report
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - For each rule of RV(registryops.harbor.replication_plan#filter:_value.sync), compares what the rule selects on its
    source (the references of M(registryops.harbor.harbor_repository_info), mapped to the destination path by
    C(dest_namespace) and flattening) with what the destination holds (repository, tag and digest), and with the
    rule's C(expect) references.
  - O(step=reads) gives the destination projects to read; O(step=compare) the elements of
    M(registryops.harbor.harbor_replication_execution)'s O(registryops.harbor.harbor_replication_execution#module:rules)
    list (a rule starts when something is missing, with C(force), or when it cannot be compared) and what the verify step
    reads; O(step=report) the report (one line per rule) and the failures (artifacts still missing after the
    executions, an execution that did not succeed).
  - B(An honest plan in check mode.) A rule whose source project does not exist yet (this run creates it, e.g. a proxy
    cache) or whose source is a proxy cache that the run reads a test reference through first (skipped in check mode)
    is reported as starting, with that reason, instead of "in sync". Outside check mode a source project that does not
    exist gives nothing to replicate.
positional: _input, step
options:
  _input:
    description: The plan of P(registryops.harbor.replication_plan#filter).
    type: dict
    required: true
  step:
    description: What to compute.
    type: str
    required: true
    choices: [reads, compare, report]
  sources:
    description: The registered results of the loop over RV(registryops.harbor.replication_plan#filter:_value.source_reads).
    type: list
    elements: dict
  destinations:
    description: The registered results of the loop over the destination reads (O(step=reads)), before the executions.
    type: list
    elements: dict
  runs:
    description: The C(results) of the M(registryops.harbor.harbor_replication_execution) call; O(step=report).
    type: list
    elements: dict
  after:
    description: The registered results of the loop over C(verify_reads) of O(step=compare), after the executions; O(step=report).
    type: list
    elements: dict
  check_mode:
    description: Ansible's C(ansible_check_mode).
    type: bool
    default: false
  since:
    description:
      - When the comparison began (ISO 8601, UTC), before the sources were read; O(step=compare) passes it to each
        execution of a rule that it starts because something is missing (harbor_replication_execution's C(since)), so an
        execution of the rule that another run started since then is followed or reported instead of a second one.
    type: str
'''

EXAMPLES = r'''
- name: Decide which rules to start
  ansible.builtin.set_fact:
    replication_compared: >-
      {{ replication_plan | registryops.harbor.replication_sync('compare', sources=replication_sources.results,
                                                                destinations=replication_destinations.results,
                                                                check_mode=ansible_check_mode) }}
'''

RETURN = r'''
_value:
  description: >-
    O(step=reads) - a list of C(harbor), C(project) to read. O(step=compare) - C(executions) (the elements of
    harbor_replication_execution's C(rules)), C(rules) (per rule C(name), C(comparable), C(expected), C(missing_before),
    C(start), C(why)) and C(verify_reads). O(step=report) - C(lines) (one per rule) and C(failures).
  type: raw
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.registryops.harbor.plugins.module_utils.repository import compile_pattern

STEPS = ("reads", "compare", "report")
NOT_COMPARED = ("Not compared (the source is not this Harbor or a Harbor of the inventory with a project as the name filter's first"
                " level, or the destination is not a Harbor of the inventory; give expect to compare).")


def dest_reference(reference, namespace, count):
    """A source reference (``nvaie/nvidia/cuda:12.4@sha256:...``) at the destination: the first ``count`` path levels (all
    but the last one for a negative count) replaced by ``namespace``, as Harbor's replace_namespace does; unchanged
    without a namespace."""
    if not namespace:
        return reference
    cut = min([i for i in (reference.find(":"), reference.find("@")) if i >= 0] or [len(reference)])
    levels, suffix = reference[:cut].split("/"), reference[cut:]
    kept = levels[-1:] if count < 0 else levels[min(count, len(levels) - 1):]
    return "%s/%s%s" % (namespace, "/".join(kept), suffix)


def _by(results, key):
    found = {}
    for result in results or []:
        item = result.get("item") or {}
        found[key(item)] = result
    return found


def _held(destinations, harbor, projects):
    held = set()
    for project in projects:
        result = destinations.get((harbor, project)) or {}
        held.update(result.get("references") or [])
    return held


def _first_levels(references):
    return sorted(set(reference.split("/", 1)[0] for reference in references))


def _expected(rule, source):
    return sorted(dest_reference(r, rule["dest_namespace"], rule["replace_count"]) for r in (source or {}).get("references") or [])


def _cache_news(rule, source):
    """The proxy-cache test reference that the real run reads through the rule's source first (skipped in check mode),
    when the rule selects it and the source does not hold it yet."""
    cache = rule.get("source_cache") or {}
    test = cache.get("test_reference")
    if not test:
        return None
    path, _sep, reference = test.partition("@") if "@" in test else test.rpartition(":")
    if not compile_pattern(rule["name_filter"], "filters.name").match(path):
        return None
    if rule.get("tag") and "@" not in test and bool(compile_pattern(rule["tag"], "filters.tag").match(reference)) == rule["tag_excludes"]:
        return None
    held = (source or {}).get("references") or []
    if any(r.startswith(test + "@") or r == test or r.startswith(path + "@" + reference) for r in held):
        return None
    return test


def reads(plan, sources):
    """The destination projects to read: the first level of every expected reference, per Harbor that receives."""
    by_rule = _by(sources, lambda item: item.get("rule"))
    wanted = []
    for rule in plan.get("sync") or []:
        if not rule["dest_harbor"] or not (rule["listable"] or rule["expect"]):
            continue
        expected = _expected(rule, by_rule.get(rule["name"])) if rule["listable"] else []
        for project in _first_levels(expected + rule["expect"]):
            read = dict(harbor=rule["dest_harbor"], project=project)
            if read not in wanted:
                wanted.append(read)
    return wanted


def compare(plan, sources, destinations, check_mode=False, since=None):
    by_rule = _by(sources, lambda item: item.get("rule"))
    held_by = _by(destinations, lambda item: (item.get("harbor"), item.get("project")))
    executions, rules, verify = [], [], []
    for rule in plan.get("sync") or []:
        source = by_rule.get(rule["name"]) if rule["listable"] else None
        comparable = bool(rule["dest_harbor"]) and (rule["listable"] or bool(rule["expect"]))
        expected = _expected(rule, source) if rule["listable"] else []
        missing = []
        if comparable:
            held = _held(held_by, rule["dest_harbor"], _first_levels(expected + rule["expect"]))
            held_tags = set(r.split("@", 1)[0] for r in held)
            missing = [r for r in expected if r not in held] + [r for r in rule["expect"] if r not in held_tags]
        start, why = not comparable or rule["force"] or bool(missing), None
        unknown = False
        if rule["listable"] and source is not None and source.get("project_exists") is False:
            where = "%s on %s" % (rule["src_project"], rule["src_harbor"])
            if check_mode:
                unknown, why = True, ("its source project %s does not exist yet (this run creates it%s), so what it will hold is"
                                      " not known before the run" % (where, ", a proxy cache of proxy_cache_upstreams"
                                                                     if rule.get("source_cache") else ""))
            elif not rule["force"] and not rule["expect"]:
                start, why = False, "its source project %s does not exist: nothing to replicate" % where
        elif check_mode and rule["listable"] and not missing:
            news = _cache_news(rule, source)
            if news:
                unknown, why = True, ("its source is the proxy cache %s (upstream %s): the real run first reads %s through it"
                                      " (skipped in check mode), which the rule then copies" % (
                                          rule["source_cache"]["project"], rule["source_cache"]["name"], news))
        start = start or unknown
        rules.append(dict(name=rule["name"], comparable=comparable, expected=expected, expected_tags=rule["expect"],
                          missing_before=missing, start=start, why=why, unknown=unknown))
        if start:
            execution = dict(rule=rule["name"], force=rule["force"], wait=True, fail_on_error=False)
            if comparable or unknown:
                # not the module's own "already succeeded since the rule last changed": what counts is an execution started
                # since this comparison began (by another run); one still running is followed in any case
                execution["since"] = since
            executions.append(execution)
            if comparable and not check_mode:
                for project in _first_levels(expected + rule["expect"]):
                    read = dict(harbor=rule["dest_harbor"], project=project)
                    if read not in verify:
                        verify.append(read)
    return dict(executions=executions, rules=rules, verify_reads=verify)


def report(plan, sources, destinations, runs, after, check_mode=False, since=None):
    compared = compare(plan, sources, destinations, check_mode, since)
    ran = dict((run.get("name"), run) for run in runs or [])
    held_by = _by(after, lambda item: (item.get("harbor"), item.get("project")))
    dest_of = dict((rule["name"], rule["dest_harbor"]) for rule in plan.get("sync") or [])
    lines, failures = [], []
    for rule in compared["rules"]:
        name = rule["name"]
        total = len(rule["expected"]) + len(rule["expected_tags"])
        head = ("%d reference(s) expected at the destination, %d missing before." % (total, len(rule["missing_before"]))
                if rule["comparable"] else NOT_COMPARED)
        if rule["why"]:
            head += " %s: %s." % ("Would start" if rule["unknown"] else "Not started" if not rule["start"] else "Starts", rule["why"])
        run = ran.get(name)
        text = run.get("msg") if run else ("In sync: no execution started." if not rule["start"] else "No execution result.")
        lines.append("replication rule '%s': %s %s" % (name, head, text))
        if not rule["start"] or check_mode or run is None:
            continue
        if rule["comparable"]:
            held = _held(held_by, dest_of[name], _first_levels(rule["expected"] + rule["expected_tags"]))
            held_tags = set(r.split("@", 1)[0] for r in held)
            missing = [r for r in rule["expected"] if r not in held] + [r for r in rule["expected_tags"] if r not in held_tags]
            if missing:
                failures.append("replication rule '%s': %d artifact(s) missing at the destination after the replication: %s. %s" % (
                    name, len(missing), ", ".join(missing), run.get("msg") or ""))
            else:
                lines.append("replication rule '%s' is in sync: %d reference(s) at the destination%s" % (
                    name, total, " with the same digests as the source" if rule["expected"] else ""))
        elif ((run.get("execution") or {}).get("status") or "Succeed") != "Succeed":
            failures.append("replication rule '%s': %s" % (name, run.get("msg")))
    return dict(lines=lines, failures=failures)


def replication_sync(plan, step, sources=None, destinations=None, runs=None, after=None, check_mode=False, since=None):
    if step not in STEPS:
        raise AnsibleFilterError("replication_sync: step must be one of %s, got %r" % (", ".join(STEPS), step))
    if not isinstance(plan, dict) or "sync" not in plan:
        raise AnsibleFilterError("replication_sync: expected the plan of registryops.harbor.replication_plan")
    if step == "reads":
        return reads(plan, sources)
    if step == "compare":
        return compare(plan, sources, destinations, bool(check_mode), since)
    return report(plan, sources, destinations, runs, after, bool(check_mode), since)


class FilterModule(object):
    def filters(self):
        return {"replication_sync": replication_sync}
