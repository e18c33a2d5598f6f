#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_replication_rule_info
short_description: List Harbor replication rules in the shape of harbor_replication_rule
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Returns one replication rule by name, or all of them.
  - Each rule is given in the option shape of M(registryops.harbor.harbor_replication_rule) (endpoints by name, not
    id; trigger, filters, flattening and bandwidth as that module takes them), so the output can be fed back to it,
    for example to copy the rules of one Harbor to another.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes.info
  - registryops.harbor.query
options:
  name:
    description: Name of one rule. Without it, all rules are returned.
    type: str
seealso:
  - module: registryops.harbor.harbor_replication_rule
'''

EXAMPLES = r'''
- name: Read every rule
  registryops.harbor.harbor_replication_rule_info:
  register: found

- name: Names of the pull rules (for example the SUSE Application Collection mirror)
  registryops.harbor.harbor_replication_rule_info:
    query: "[?mode=='pull'].name"
  register: pull_rules

- name: Copy the rules of the connected Harbor to a standby Harbor (the endpoints must exist there with the same names)
  registryops.harbor.harbor_replication_rule:
    harbor_url: https://standby.example.com
    name: "{{ item.name }}"
    description: "{{ item.description }}"
    enabled: "{{ item.enabled }}"
    mode: "{{ item.mode }}"
    registry: "{{ item.registry }}"
    filters: "{{ item.filters }}"
    dest_namespace: "{{ item.dest_namespace }}"
    flattening: "{{ item.flattening }}"
    trigger: "{{ item.trigger }}"
    cron: "{{ item.cron }}"
    bandwidth: "{{ item.bandwidth }}"
    override: "{{ item.override }}"
    replicate_deletion: "{{ item.replicate_deletion }}"
    copy_by_chunk: "{{ item.copy_by_chunk }}"
    single_active_replication: "{{ item.single_active_replication }}"
  loop: "{{ found.rules }}"
'''

RETURN = r'''
rules:
  description:
    - The rules, sorted by name, in the option shape of M(registryops.harbor.harbor_replication_rule); or the result of
      O(query).
  returned: always
  type: list
  elements: dict
  sample:
    - name: application-collection
      description: ""
      enabled: true
      mode: pull
      registry: application-collection
      filters: {name: "**", tag: "**", tag_decoration: matches}
      dest_namespace: application-collection
      flattening: none
      trigger: manual
      cron: null
      bandwidth: 0
      override: true
      replicate_deletion: false
      copy_by_chunk: false
      single_active_replication: false
  contains:
    name:
      description: Name of the rule.
      type: str
    description:
      description: Description.
      type: str
    enabled:
      description: Whether the rule may run.
      type: bool
    mode:
      description: V(push) (this Harbor to the endpoint) or V(pull) (the endpoint to this Harbor).
      type: str
    registry:
      description: Name of the registry endpoint on the other side.
      type: str
    filters:
      description: Filters with the keys C(name), C(tag), C(tag_decoration), C(labels), C(label_decoration), C(resource) (only those set).
      type: dict
    dest_namespace:
      description: Destination namespace; empty keeps the source path.
      type: str
    flattening:
      description: V(none), V(1), V(2), V(3) or V(all) levels removed from the source path.
      type: str
    trigger:
      description: V(manual), V(scheduled) or V(event_based).
      type: str
    cron:
      description: Schedule of a scheduled rule, else V(null).
      type: str
    bandwidth:
      description: Limit per task in KB/s; V(0) is unlimited.
      type: int
    override:
      description: Whether existing artifacts at the destination are overwritten.
      type: bool
    replicate_deletion:
      description: Whether deletions are replicated.
      type: bool
    copy_by_chunk:
      description: Whether blobs are copied in chunks.
      type: bool
    single_active_replication:
      description: Whether a start is skipped while an execution runs.
      type: bool
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule
from ansible_collections.registryops.harbor.plugins.module_utils.specs import INFO_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.replication_rule import rule_info


def main():
    module = HarborModule(argument_spec=dict(INFO_SPEC))
    module.run(lambda: rule_info(module))


if __name__ == "__main__":
    main()
