#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_replication_rule
short_description: Manage Harbor replication rules (push and pull)
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Create, update or delete a replication rule (a replication policy in Harbor's API), found by O(name).
  - A B(push) rule copies artifacts from this Harbor to a registry endpoint, for example to a disconnected Harbor
    in an air-gapped site. A B(pull) rule copies artifacts from a registry endpoint into this Harbor, for example from
    SUSE Application Collection or NVIDIA NGC.
  - Harbor replaces the whole rule on every update. The module reads the rule, changes only the options you set and
    sends the complete rule back, so options you leave out keep their current values.
  - Only the options you set are compared. A second run with the same options reports no change and sends no write.
  - Bad values and bad combinations (cron, trigger and mode, labels, flattening depth, options the Harbor version does
    not know) are rejected before anything is changed.
  - Start and follow executions with M(registryops.harbor.harbor_replication_execution).
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes
options:
  name:
    description:
      - Name of the replication rule; the key to find it. At most 256 characters (Harbor's database column); blank names
        and names with control, bidi or invisible characters (a newline, NUL, U+202E) are refused.
      - Required unless O(rules) is given.
    type: str
  state: &state
    description:
      - V(present) creates or updates the rule, V(absent) deletes it.
      - Harbor does not delete a rule while one of its executions runs; see O(stop_running).
    type: str
    choices: [present, absent]
    default: present
  description: &description
    description: Free text shown in Harbor's UI. A new rule gets an empty description.
    type: str
  enabled: &enabled
    description:
      - Whether the rule may run. A disabled rule cannot be started and its schedule does not fire.
      - A new rule is enabled unless this is V(false) (Harbor's API alone would create it disabled).
    type: bool
  mode: &mode
    description:
      - V(push) copies from this Harbor to O(registry), V(pull) copies from O(registry) into this Harbor.
      - Required to create a rule.
    type: str
    choices: [push, pull]
  registry: &registry
    description:
      - Name of the registry endpoint on the other side (see M(registryops.harbor.harbor_registry)), the destination
        of a push rule, the source of a pull rule.
      - Required to create a rule. An unknown name fails with the list of the endpoints that exist.
      - V(endpoint) is accepted too, the name of this option in the replication role (C(replication_rules[].endpoint)
        there, which accepts V(registry) as well).
    type: str
    aliases: [endpoint]
  filters: &filters
    description:
      - Which artifacts the rule copies. The filters you give replace all of the rule's filters; V({}) removes them.
      - Leave it out to keep the rule's current filters. A new rule without filters copies everything.
      - Order does not matter. Harbor stores the filters as JSON in at most 1024 characters; longer ones are refused.
    type: dict
    suboptions:
      name:
        description:
          - Repository name pattern (doublestar), for example V(library/**), V(containers/etcd) or V(**) for all.
          - For a push rule the name includes the project, for example V(library/nginx).
          - A list of patterns matches any of them; it is stored as Harbor's pattern C({a,b}), for example
            V([library/nginx, library/redis]) becomes C({library/nginx,library/redis}).
        type: raw
      tag:
        description:
          - Tag pattern, for example V(1.*), V(v[0-9]*) or V(**).
          - A list of patterns matches any of them; it is stored as Harbor's pattern C({a,b}), for example V([v1*, v2*])
            becomes C({v1*,v2*}).
        type: raw
      tag_decoration:
        description: Whether O(filters.tag) selects (V(matches)) or leaves out (V(excludes)) the tags it matches.
        type: str
        choices: [matches, excludes]
        default: matches
      labels:
        description:
          - A list of label names. Harbor needs a list; a single string is refused.
        type: raw
      label_decoration:
        description: Whether O(filters.labels) selects (V(matches)) or leaves out (V(excludes)) the labelled artifacts.
        type: str
        choices: [matches, excludes]
        default: matches
      resource:
        description: V(image) copies only container images, V(artifact) only other OCI artifacts (Helm charts, ...).
        type: str
        choices: [image, artifact]
  dest_namespace: &dest_namespace
    description:
      - Repository path at the destination, for example V(application-collection) or V(mirror/ngc).
      - Empty (the default of a new rule) keeps the source path. At most 256 characters (Harbor's database column).
    type: str
  flattening: &flattening
    description:
      - How many leading levels of the source repository path are dropped before O(dest_namespace) is put in front,
        as in the "Flattening" list of Harbor's UI. Only used when O(dest_namespace) is set.
      - V(none) keeps the whole path (C(a/b/c/img) -> C(ns/a/b/c/img)); V(1) drops one level (C(ns/b/c/img)), the
        default of a new rule as in Harbor's UI; V(2) and V(3) drop two and three levels; V(all) keeps only the image name
        (C(ns/img), Harbor's behaviour before 2.3 and the API's default when the field is left out).
      - Stored as C(dest_namespace_replace_count) (V(none)=0, V(1)=1, V(2)=2, V(3)=3, V(all)=-1). Any other
        whole number of levels up to 127 is accepted too (Harbor stores an int8).
      - When O(filters.name) has no C(**), its number of levels is known and a deeper flattening is refused (Harbor
        would fail every task at run time).
    type: raw
  trigger: &trigger
    description:
      - V(manual) runs only when started; V(scheduled) runs on O(cron); V(event_based) runs when artifacts are
        pushed or deleted in this Harbor (push rules only).
      - A new rule is V(manual).
    type: str
    choices: [manual, scheduled, event_based]
  cron: &cron
    description:
      - Schedule of a V(scheduled) O(trigger), with Harbor's 6 fields C(seconds minutes hours day-of-month month
        day-of-week). The seconds field must be V(0) and the minutes field must not be V(*), for example
        V(0 0 2 * * *) (02:00 every day).
      - Each field is a comma-separated list of V(*), V(?), values, ranges C(a-b) and steps C(/n) within its range (minutes
        0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-6 or SUN-SAT), as Harbor's cron
        parser takes them; anything else is refused before any request.
      - Required with O(trigger=scheduled).
    type: str
  bandwidth: &bandwidth
    description:
      - Bandwidth limit for each task of an execution. A bare number is in Harbor's unit, which its UI calls Kbps; Harbor
        throttles 1 unit as 1024 bits, that is 128 bytes, per second (C(src/lib/iothrottler.go)).
      - A rate with a unit follows the collection's one unit rule (as for O(registryops.harbor.harbor_project#module:storage_quota)),
        k, M, G, T are powers of 1000 and Ki, Mi, Gi, Ti powers of 1024; V(B/s) is bytes and V(bit/s) or V(bps) bits
        per second. For example V(512kB/s), V(10MB/s), V(10MiB/s) (= 81920), V(100Mbit/s), V(1Gbps). A prefix without
        V(B/s), V(bit/s) or V(bps) (V(10M)) is refused. Diffs show the limit in these units.
      - V(unlimited), V(-1) and V(0) mean no limit (Harbor stores 0). A new rule has no limit. A bare number above 0 that
        rounds to 0, such as V(0.4), is refused (Harbor would read it as no limit).
      - Needs Harbor 2.4 or later for a limit. The largest is Harbor's 2147483647 (an int32), about 256 GiB/s.
    type: raw
  override: &override
    description: Overwrite artifacts that already exist at the destination with the same name. A new rule overwrites.
    type: bool
  replicate_deletion: &replicate_deletion
    description:
      - Also delete at the destination what is deleted at the source (push rules with an event-based trigger). A new
        rule does not.
      - Sent as both C(deletion) (the field Harbor reads) and C(replicate_deletion).
    type: bool
  copy_by_chunk: &copy_by_chunk
    description:
      - Copy blobs in chunks, for registries that limit the size of one upload. Needs Harbor 2.7 or later, and an
        endpoint type that supports it. A new rule does not.
    type: bool
  single_active_replication: &single_active_replication
    description:
      - Do not start an execution while the previous one of this rule still runs (Harbor records the skipped start as
        a failed execution). Needs Harbor 2.14 or later; not possible with O(trigger=event_based). A new rule does not.
    type: bool
  stop_running: &stop_running
    description:
      - With O(state=absent), stop the rule's running executions and wait until they have stopped, then delete it.
      - Without it, deleting a rule that is running fails with an explanation.
    type: bool
    default: false
  stop_timeout: &stop_timeout
    description: Seconds to wait for running executions to stop with O(stop_running).
    type: int
    default: 300
  rules:
    description:
      - Several rules in one call, each element with the options of a single replication rule (O(name), O(state) and the
        others, with the same checks and defaults), instead of those options at the top level; the two forms are
        mutually exclusive.
      - One module run, one connection and one listing of the existing rules for all elements; every element is checked
        before the first write, and an error names the element (V(rules[3].cron), counted from 0) and, after a write,
        the elements done before it.
      - The results, one per element in the order given, are in RV(results).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the replication rule; the key to find it.
        type: str
        required: true
      state: *state
      description: *description
      enabled: *enabled
      mode: *mode
      registry: *registry
      filters: *filters
      dest_namespace: *dest_namespace
      flattening: *flattening
      trigger: *trigger
      cron: *cron
      bandwidth: *bandwidth
      override: *override
      replicate_deletion: *replicate_deletion
      copy_by_chunk: *copy_by_chunk
      single_active_replication: *single_active_replication
      stop_running: *stop_running
      stop_timeout: *stop_timeout
notes:
  - Managing replication needs a Harbor system administrator or a system robot account with the replication
    permissions.
seealso:
  - module: registryops.harbor.harbor_replication_rule_info
  - module: registryops.harbor.harbor_replication_execution
  - module: registryops.harbor.harbor_registry
'''

EXAMPLES = r'''
- name: Air gap - push release tags of library/* to the disconnected Harbor every night
  registryops.harbor.harbor_replication_rule:
    name: to-disconnected
    description: Nightly copy of released images to the air-gapped site
    mode: push
    registry: Disconnected Harbor
    filters:
      name: library/**
      tag: "v*"
    dest_namespace: mirror
    flattening: none
    trigger: scheduled
    cron: "0 0 2 * * *"
    bandwidth: 10MiB/s

- name: SUSE Application Collection - pull everything into the application-collection project
  registryops.harbor.harbor_replication_rule:
    name: application-collection
    mode: pull
    registry: application-collection
    filters:
      name: "**"
      tag: "**"
    dest_namespace: application-collection
    flattening: none
    trigger: manual

- name: Pull only etcd (container image and Helm chart) from the Application Collection
  registryops.harbor.harbor_replication_rule:
    name: application-collection-etcd
    mode: pull
    registry: application-collection
    filters:
      name: "**/etcd"
      tag: "3.5.*"
    dest_namespace: application-collection
    flattening: none

- name: NVIDIA NGC - pull the AI Enterprise images, keep a 1.x tag line out
  registryops.harbor.harbor_replication_rule:
    name: ngc-nvaie
    mode: pull
    registry: NVIDIA
    filters:
      name: nvaie/**
      tag: "1.*"
      tag_decoration: excludes
      resource: image
    dest_namespace: nvidia
    bandwidth: 50MB/s

- name: Replicate every push of approved artifacts at once, deletions included
  registryops.harbor.harbor_replication_rule:
    name: approved-to-dr
    mode: push
    registry: DR Harbor
    filters:
      labels: [approved]
    trigger: event_based
    replicate_deletion: true

- name: Pause a rule (other options keep their values)
  registryops.harbor.harbor_replication_rule:
    name: to-disconnected
    enabled: false

- name: Delete a rule, stopping a running execution first
  registryops.harbor.harbor_replication_rule:
    name: to-disconnected
    state: absent
    stop_running: true
- name: Several replication rules in one call (one module run, one listing; results in the same order)
  registryops.harbor.harbor_replication_rule:
    rules:
      - name: nvaie-pull
        mode: pull
        registry: NVIDIA
        filters:
          name: nvaie/**
        dest_namespace: nvidia
      - name: etcd-pull
        mode: pull
        registry: application-collection
        filters:
          name: "**/etcd"
        dest_namespace: application-collection
  register: rules
'''

RETURN = r'''
name:
  description: Name of the rule.
  returned: when one object is managed (without O(rules))
  type: str
  sample: to-disconnected
state:
  description: The O(state) asked for.
  returned: when one object is managed (without O(rules))
  type: str
  sample: present
before:
  description: The rule in this module's option shape before the run; V(null) when it did not exist.
  returned: when one object is managed (without O(rules))
  type: dict
  sample: null
after:
  description:
    - The rule in this module's option shape after the run (predicted in check mode); V(null) when it was deleted.
    - The same shape as the items of M(registryops.harbor.harbor_replication_rule_info).
  returned: when one object is managed (without O(rules))
  type: dict
  sample:
    name: to-disconnected
    description: Nightly copy of released images to the air-gapped site
    enabled: true
    mode: push
    registry: Disconnected Harbor
    filters: {name: "library/**", tag: "v*", tag_decoration: matches}
    dest_namespace: mirror
    flattening: none
    trigger: scheduled
    cron: "0 0 2 * * *"
    bandwidth: 10240
    override: true
    replicate_deletion: false
    copy_by_chunk: false
    single_active_replication: false
  contains:
    mode:
      description: V(push) or V(pull).
      type: str
    registry:
      description: Name of the registry endpoint on the other side.
      type: str
    filters:
      description: The filters, in the shape of O(filters).
      type: dict
    flattening:
      description: V(none), V(1), V(2), V(3) or V(all).
      type: str
    trigger:
      description: V(manual), V(scheduled) or V(event_based).
      type: str
    cron:
      description: The schedule of a scheduled rule, else V(null).
      type: str
    bandwidth:
      description: Limit per task in Harbor's unit (Kbps, 128 bytes/s); V(0) is unlimited.
      type: int
diff:
  description:
    - Before and after (in the option shape), when diff mode is on.
    - With O(rules), a list instead, with one entry per changed element, with C(before_header) and C(after_header)
      naming it (C(rules[2] name)).
  returned: when diff mode is on
  type: raw
rule:
  description: The replication policy as Harbor returns it (registries reduced to id, name, type and url).
  returned: when the rule exists after the run
  type: dict
  contains:
    id:
      description: Harbor's id of the rule.
      type: int
      sample: 7
    src_registry:
      description: The source; id V(0) is this Harbor.
      type: dict
    dest_registry:
      description: The destination; id V(0) is this Harbor.
      type: dict
    update_time:
      description: When the rule last changed.
      type: str
results:
  description:
    - With O(rules), one result per element in the order given, each with the keys that a single-object call returns
      (C(name), C(state), C(changed), C(rule), C(before), C(after), C(diff) in diff mode, and the other keys above
      when they apply); never a secret.
    - When the call fails after some elements were done, the results of those elements.
  returned: when O(rules) is given
  type: list
  elements: dict
  sample:
    - {name: nvaie-pull, state: present, changed: true, rule: {id: 1, name: nvaie-pull}, before: null, after: {}}
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule, object_or_list
from ansible_collections.registryops.harbor.plugins.module_utils.specs import DECORATIONS, RESOURCE_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import run
from ansible_collections.registryops.harbor.plugins.module_utils.replication_rule import ReplicationRule


SPEC = dict(
    RESOURCE_SPEC,
    description=dict(type="str"),
    enabled=dict(type="bool"),
    mode=dict(type="str", choices=["push", "pull"]),
    registry=dict(type="str", aliases=["endpoint"]),
    filters=dict(type="dict", options=dict(
        name=dict(type="raw"),
        tag=dict(type="raw"),
        tag_decoration=dict(type="str", choices=DECORATIONS, default="matches"),
        labels=dict(type="raw"),
        label_decoration=dict(type="str", choices=DECORATIONS, default="matches"),
        resource=dict(type="str", choices=["image", "artifact"]),
    )),
    dest_namespace=dict(type="str"),
    flattening=dict(type="raw"),
    trigger=dict(type="str", choices=["manual", "scheduled", "event_based"]),
    cron=dict(type="str"),
    bandwidth=dict(type="raw"),
    override=dict(type="bool"),
    replicate_deletion=dict(type="bool"),
    copy_by_chunk=dict(type="bool"),
    single_active_replication=dict(type="bool"),
    stop_running=dict(type="bool", default=False),
    stop_timeout=dict(type="int", default=300),
)


def main():
    module = HarborModule(**object_or_list(SPEC, "rules", required_if=[("trigger", "scheduled", ["cron"])]))
    module.run(lambda: run(ReplicationRule(module), "rules"))


if __name__ == "__main__":
    main()
