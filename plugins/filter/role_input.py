# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: role_input
short_description: A role's dictionary variables checked before ansible-core's argument validation
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - The problem of a role's variables that ansible-core's own argument validation (the task it puts before the role's
    first task) would fail on without naming the variable - a number or a boolean given to a dictionary, such as
    V(0) given to C(proxy_cache_pull_robot), or V(true) to C(filters) in an entry of C(replication_rules). ansible-core then fails with
    "argument of type 'int' is not iterable" (U(https://github.com/ansible/ansible/pull/81631)).
  - The problem is the first one of the values as given, as the role's own checks word it, naming the variable (with
    the entry's index). For every other value, an empty text - ansible-core's validation and the role's checks
    follow.
  - R(registryops.harbor.role_input,ansible_collections.registryops.harbor.role_input_role) calls it, as a dependency of
    the proxy_cache and replication roles (dependencies run before that validation).
  - The message never shows the text of an option that holds a secret.
positional: _input
options:
  _input:
    description: The role's variables that hold dictionaries (a dict variable, or a list of entries with a dict option),
      by name, as given; an unset one null or an empty text.
    type: dict
    required: true
  role:
    description: The role whose variables these are.
    type: str
    required: true
    choices: [proxy_cache, replication]
'''

EXAMPLES = r'''
- name: The variables of the proxy_cache role that hold dictionaries
  ansible.builtin.fail:
    msg: "{{ problem }}"
  vars:
    problem: "{{ {'proxy_cache_pull_robot': proxy_cache_pull_robot | default(none)} | registryops.harbor.role_input(role='proxy_cache') }}"
  when: problem | length > 0
'''

RETURN = r'''
_value:
  description:
    - The problem, naming the variable, or an empty text.
    - "For example: C(proxy_cache_pull_robot: expected a dictionary with the keys description, name, secret, state (YAML
      mapping, JSON or key=value text), got a number)."
  type: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.registryops.harbor.plugins.plugin_utils.role_plan import input_problem


def role_input(values, role):
    if not isinstance(values, dict):
        raise AnsibleFilterError("role_input: expected the role's variables as a dictionary, got %s" % type(values).__name__)
    if role not in ("proxy_cache", "replication"):
        raise AnsibleFilterError("role_input: role must be one of proxy_cache, replication, got %r" % (role,))
    return input_problem(role, values) or ""


class FilterModule(object):
    def filters(self):
        return {"role_input": role_input}
