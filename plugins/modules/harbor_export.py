#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_export
short_description: Export an existing Harbor as the host variables of the collection's roles
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Reads a Harbor that was set up by hand (registry endpoints, projects with their proxy-cache binding, quotas and
    settings, replication rules, robot accounts) and returns, or writes to O(dest), the variables that make the roles
    C(registryops.harbor.proxy_cache) and C(registryops.harbor.replication) (and C(playbooks/robot_accounts.yml)) keep
    it as it is; the adoption path is export, review, commit, run (README, section "Adopt an existing Harbor").
  - C(proxy_cache_upstreams) gets one entry per proxy-cache project, with the endpoint in front of it;
    C(replication_endpoints) the other endpoints; C(replication_projects) the projects that are not proxy caches (access
    level and quota); C(replication_rules) every rule, its endpoint by name; C(harbor_robot_accounts) every robot account
    in the shape of M(registryops.harbor.harbor_robot_account)'s O(registryops.harbor.harbor_robot_account#module:robots).
    C(replication_sync) is V(false) (unless O(replication_sync)), so the first run writes configuration only.
  - Harbor never shows a secret, so every endpoint credential and robot secret becomes a reference to a Vault variable,
    C("{{ vault_registry_<name>_secret }}") or C("{{ vault_robot_<name>_secret }}"), that the user defines; RV(vault_variables)
    lists them.
  - Whatever the roles cannot express is listed in C(harbor_export_not_expressible) (and RV(not_expressible)) with the
    settings and the module that can set them, never dropped silently, for example a project setting the roles do not
    set (content trust, a CVE allowlist, vulnerability settings of a normal project), a second proxy-cache project on one
    endpoint, an OAuth credential, or a robot account with denied permissions.
  - Runs the same in check mode (reads only; a file is not written); changes nothing in Harbor.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes
options:
  dest:
    description:
      - A file to write the variables to, for example C(inventories/prod/host_vars/harbor-dmz.yml) (its folder is created).
        It is written only when its content changes (then the task reports C(changed)); the content has no time stamp,
        so exporting an unchanged Harbor again changes nothing. In check mode it is not written; in diff mode the file's
        content before and after is shown.
      - Without it, the variables are only returned (RV(variables), RV(content)).
    type: path
  vault_prefix:
    description: The first part of the Vault variable names the secrets are replaced with.
    type: str
    default: vault_
  replication_sync:
    description: The value written for the replication role's C(replication_sync) (V(true) replicates until in sync on every run).
    type: bool
    default: false
  robot_name_prefix:
    description:
      - Harbor's robot name prefix (the C(robot_name_prefix) system setting), to tell a robot's own name from its login
        name; learnt from the names when not given (see M(registryops.harbor.harbor_robot_account_info)).
    type: str
notes:
  - Reading the endpoints, rules, quotas and system robots needs a Harbor system administrator (or a system robot with
    read and list permissions on them).
  - Needs PyYAML on the host that runs the module (ansible-core's own dependency, so on the controller).
seealso:
  - module: registryops.harbor.harbor_robot_account_info
  - module: registryops.harbor.harbor_project_info
  - module: registryops.harbor.harbor_replication_rule_info
'''

EXAMPLES = r'''
# In a play over the Harbors of the inventory (connection: local), one file per host
- name: Write the host variables of this Harbor
  registryops.harbor.harbor_export:
    harbor_url: "{{ harbor_url }}"
    harbor_username: "{{ harbor_username }}"
    harbor_password: "{{ harbor_password }}"
    dest: "{{ inventory_dir }}/host_vars/{{ inventory_hostname }}.yml"
  register: exported

- name: The Vault variables to define before the first run
  ansible.builtin.debug:
    var: exported.vault_variables

- name: Only look at what the roles could not express
  registryops.harbor.harbor_export:
  register: exported
  changed_when: false
  failed_when: exported.not_expressible | length > 0
'''

RETURN = r'''
variables:
  description: The variables, as written to O(dest).
  returned: always
  type: dict
  contains:
    proxy_cache_upstreams:
      description: The proxy_cache role's entries (endpoint options, C(project) and the project's settings).
      type: list
      elements: dict
    replication_endpoints:
      description: The replication role's endpoints (those no proxy-cache project uses).
      type: list
      elements: dict
    replication_projects:
      description: The replication role's projects (C(name), C(public), C(storage_quota)).
      type: list
      elements: dict
    replication_rules:
      description: The replication role's rules (C(endpoint) by name).
      type: list
      elements: dict
    replication_sync:
      description: O(replication_sync).
      type: bool
    harbor_robot_accounts:
      description: Elements of M(registryops.harbor.harbor_robot_account)'s C(robots) option.
      type: list
      elements: dict
    harbor_export_not_expressible:
      description: RV(not_expressible).
      type: list
      elements: dict
  sample:
    proxy_cache_upstreams:
      - {name: NVIDIA, provider: docker-registry, url: "https://nvcr.io", access_key: $oauthtoken,
         access_secret: "{{ vault_registry_nvidia_secret }}", verify_remote_cert: true, project: nvidiaio, public: true,
         storage_quota: unlimited}
    replication_rules:
      - {name: to-airgap, mode: push, endpoint: disconnected, enabled: true, filters: {name: "nvidiaio/**"}, flattening: 1,
         trigger: manual, bandwidth: unlimited, override: true, replicate_deletion: false, copy_by_chunk: false,
         single_active_replication: false}
not_expressible:
  description: What the roles cannot express, one entry each with C(kind), C(name), C(reason), C(settings) and C(apply_with).
  returned: always
  type: list
  elements: dict
  sample:
    - {kind: project, name: library, reason: the replication role does not set these project settings,
       settings: {content_trust: true}, apply_with: registryops.harbor.harbor_project}
vault_variables:
  description: The Vault variables the export refers to, to define (for example with C(ansible-vault encrypt_string)).
  returned: always
  type: list
  elements: str
  sample: [vault_registry_nvidia_secret, vault_robot_replicator_secret]
robot_name_prefix:
  description: Harbor's robot name prefix, as given or learnt.
  returned: always
  type: str
  sample: robot$
content:
  description: The YAML text (what O(dest) holds), with a header naming Harbor and the Vault variables.
  returned: always
  type: str
dest:
  description: O(dest).
  returned: when O(dest) is given
  type: str
diff:
  description: The file before and after, in diff mode, when it changes.
  returned: when diff mode is on and O(dest) changes
  type: dict
'''

import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.registryops.harbor.plugins.module_utils.export import export
from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule

try:
    import yaml
    YAML_ERROR = None
except ImportError:
    YAML_ERROR = traceback.format_exc()


def main():
    module = HarborModule(argument_spec=dict(
        dest=dict(type="path"),
        vault_prefix=dict(type="str", default="vault_"),
        replication_sync=dict(type="bool", default=False),
        robot_name_prefix=dict(type="str"),
    ))
    if YAML_ERROR:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=YAML_ERROR)
    module.run(lambda: export(module, yaml))


if __name__ == "__main__":
    main()
