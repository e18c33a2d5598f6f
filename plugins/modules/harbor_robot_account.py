#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_robot_account
short_description: Manage Harbor robot accounts (least-privilege credentials for replication, pulls and automation)
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Creates, updates and deletes a robot account (Harbor UI C(Administration > Robot Accounts), or a project's
    C(Robot Accounts) tab), a credential with exactly the permissions it is given, for example pull on the proxy-cache
    projects for the cluster nodes, or push on the destination projects for a replication endpoint.
  - A system robot (O(level=system)) may have system permissions and permissions in any project (or every project,
    V(*)); a project robot (O(project)) has permissions in its own project only.
  - The robot is found by O(name) (and O(project)). Only the options that are set are compared, so a second run with
    the same options changes nothing and sends no write.
  - Harbor logs a robot in as its full name, the robot name prefix (the C(robot_name_prefix) system setting, V(robot$)
    by default) plus V(<name>) for a system robot and V(<project>+<name>) for a project robot; it is in RV(robot.name).
  - The secret can be chosen (O(secret), kept in a vault); Harbor creates every robot with a generated secret, and the
    module then sets the given one. Harbor never shows a secret again, so see O(update_password) for how the module
    keeps it without writing on every run. A generated secret is returned only with O(return_generated_secret).
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes
options:
  name:
    description:
      - The robot's own name, without the prefix and the project (for example V(replicator), not V(robot$replicator)),
        lower-case letters and digits separated by single V(.), V(_) or V(-).
      - Required unless O(robots) is given.
    type: str
  state: &state
    description:
      - V(present) creates or updates the robot account, V(absent) deletes it (its credential stops working at once).
    type: str
    choices: [present, absent]
    default: present
  level: &level
    description:
      - V(system) for a system robot, V(project) for a project robot (then O(project) is required).
      - Defaults to V(project) when O(project) is set, else V(system).
    type: str
    choices: [system, project]
  project: &project
    description:
      - The project of a project robot, by name. Harbor names the robot V(<prefix><project>+<name>); the project cannot
        change (delete the robot and create it in the other project).
    type: str
  description: &description
    description: Description of the robot account.
    type: str
  duration: &duration
    description:
      - How long the robot is valid, in days from its creation (1 to 2147483646), or V(never).
      - A new robot never expires unless this is set. Harbor refuses an expired robot's logins.
    type: raw
  disabled: &disabled
    description:
      - V(true) disables the robot (Harbor refuses its logins), V(false) enables it. Harbor creates robots enabled; the
        module disables a new one right after creating it when this is V(true).
    type: bool
  permissions: &permissions
    description:
      - What the robot may do, one entry per namespace; required to create a robot. When set, these are exactly the
        robot's permissions (others are removed).
      - 'Harbor v2.15.2 offers, for kind V(project): C(repository) V(pull), V(push), V(read), V(list), V(update),
        V(delete); C(artifact) V(read), V(list), V(create), V(delete); C(tag) V(list), V(create), V(delete);
        C(project) V(read), V(update), V(delete); C(metadata), C(label), C(preheat-policy), C(notification-policy),
        C(tag-retention), C(member) (V(read), V(list), V(create), V(update), V(delete)); C(immutable-tag), C(scan),
        C(sbom), C(scanner), C(quota) V(read), C(robot), C(log) V(list), C(accessory) V(list), C(artifact-addition)
        V(read), C(artifact-label), C(export-cve).'
      - 'For kind V(system): C(registry), C(replication-policy), C(preheat-instance), C(scanner), C(user),
        C(user-group) (V(read), V(list), V(create), V(update), V(delete)); C(replication) V(read), V(list), V(create);
        C(replication-adapter) V(list); C(project) V(list), V(create); C(quota) V(read), V(list), V(update); C(robot)
        V(read), V(list), V(create), V(delete); C(catalog) V(read); C(label), C(garbage-collection), C(scan-all),
        C(purge-audit), C(audit-log), C(jobservice-monitor), C(system-volumes), C(security-hub), C(ldap-user).'
      - A resource or action Harbor does not offer fails before anything is sent, naming the entry and what is allowed.
      - For a project robot a V(push) permission includes pulling (Harbor grants it); for a system robot give both.
    type: list
    elements: dict
    suboptions:
      namespace:
        description:
          - A project name, or V(*) for every project (also projects created later), for kind V(project); V(/) (or
            nothing) for kind V(system).
          - Defaults to the robot's project for a project robot; required for a project permission of a system robot.
        type: str
      kind:
        description: V(project) or V(system); defaults to V(system) for namespace V(/), else V(project).
        type: str
        choices: [system, project]
      access:
        description:
          - 'The resources and their actions: C({repository: [pull, push], artifact: [read]}). Actions may also be given
            as one comma-separated string.'
        type: dict
        required: true
  secret: &secret
    description:
      - The robot's secret (its password), for example from a vault. Harbor takes 8 to 128 characters with at least one
        upper-case letter, one lower-case letter and one digit; another value fails before anything is sent.
      - Without it, a new robot keeps the secret Harbor generated, which nobody knows unless O(return_generated_secret).
      - Never returned, logged or shown in a diff.
    type: str
  update_password: &update_password
    description:
      - V(on_create) sets O(secret) only when the robot is created; later runs send nothing for it.
      - V(always) keeps the robot at O(secret) on every run without writing when it already is. Harbor never shows a
        secret, so the module logs in as the robot with O(secret) (a C(GET /api/v2.0/systeminfo), which answers as for an
        anonymous caller when the secret is wrong) and sets the secret only when that login fails. A disabled or expired
        robot cannot log in, so its secret is not checked nor sent while it stays so (with a warning); a run that enables
        it sets the secret.
      - V(always) needs O(secret).
    type: str
    choices: [on_create, always]
    default: on_create
  return_generated_secret: &return_generated_secret
    description:
      - Return the secret Harbor generated for a robot this task creates without O(secret), in RV(secret), with a
        warning. It is the only time anyone can read it.
      - Needs C(no_log=true) on the task (else the task fails before anything is sent), so that the secret never
        reaches the output or a log; take it from the registered result, for example into a vault.
    type: bool
    default: false
  robots:
    description:
      - Several robot accounts in one call, each element with the options of a single robot account (O(name), O(state)
        and the others, with the same checks and defaults), instead of those options at the top level; the two forms are
        mutually exclusive. The same name may be used in different projects.
      - One module run and one listing per project (and one for the system robots) for all elements; every element is
        checked before the first write, and an error names the element (V(robots[3].permissions), counted from 0) and,
        after a write, the elements done before it.
      - The results, one per element in the order given, are in RV(results).
    type: list
    elements: dict
    suboptions:
      name:
        description: The robot's own name, without the prefix and the project.
        type: str
        required: true
      state: *state
      level: *level
      project: *project
      description: *description
      duration: *duration
      disabled: *disabled
      permissions: *permissions
      secret: *secret
      update_password: *update_password
      return_generated_secret: *return_generated_secret
notes:
  - Managing system robots needs a Harbor system administrator (or a system robot with C(robot) permissions, which may
    create robots with permissions it has itself). Project robots can also be managed by the project's administrators.
  - Harbor lets only administrators (and project administrators for project robots) change a robot or set its secret;
    no robot account can be given that permission.
  - Harbor's API for robot accounts exists since Harbor 2.2.
seealso:
  - module: registryops.harbor.harbor_robot_account_info
  - module: registryops.harbor.harbor_registry
  - module: registryops.harbor.harbor_export
'''

EXAMPLES = r'''
- name: A replication robot on the disconnected Harbor, secret from the vault
  registryops.harbor.harbor_robot_account:
    name: replicator
    description: push from the connected Harbor
    permissions:
      - namespace: nvidia
        access:
          repository: [pull, push]
          artifact: [read, list]
    secret: "{{ vault_replicator_secret }}"
  register: replicator          # replicator.robot.name is the login name: robot$replicator

- name: The connected Harbor's endpoint logs in with that robot
  registryops.harbor.harbor_registry:
    name: disconnected-harbor
    provider: harbor
    url: https://harbor.airgap.example.local
    access_key: robot$replicator
    access_secret: "{{ vault_replicator_secret }}"

- name: A pull robot for the cluster nodes, in the proxy-cache project
  registryops.harbor.harbor_robot_account:
    name: nodes
    project: dockerhub
    permissions:
      - access: {repository: [pull]}
    secret: "{{ vault_nodes_pull_secret }}"
    update_password: always     # checked by a login on every run; set only when it differs

- name: A system robot for CI that expires after 90 days
  registryops.harbor.harbor_robot_account:
    name: ci
    duration: 90
    permissions:
      - kind: system
        access: {registry: [read, list], replication-policy: [read, list]}
      - namespace: "*"
        access: {repository: [pull]}

- name: A robot whose secret Harbor generates, stored right away
  registryops.harbor.harbor_robot_account:
    name: scanner-feed
    permissions:
      - namespace: library
        access: {repository: [pull]}
    return_generated_secret: true
  no_log: true
  register: feed

- name: Disable a robot without deleting it
  registryops.harbor.harbor_robot_account:
    name: ci
    disabled: true

- name: Several robots in one call
  registryops.harbor.harbor_robot_account:
    robots:
      - name: nodes
        project: dockerhub
        permissions: [{access: {repository: [pull]}}]
        secret: "{{ vault_nodes_pull_secret }}"
      - name: nodes
        project: nvidia
        permissions: [{access: {repository: [pull]}}]
        secret: "{{ vault_nodes_pull_secret }}"
      - name: old-ci
        state: absent
'''

RETURN = r'''
robot:
  description:
    - The robot account as Harbor shows it after the task (never with a secret); V(null) after a delete.
  returned: when one object is managed (without O(robots))
  type: dict
  sample:
    id: 7
    name: robot$nvidia+nodes
    level: project
    duration: -1
    expires_at: -1
    disable: false
    editable: true
    creator_type: local
    creator_ref: 1
    permissions: [{kind: project, namespace: nvidia, access: [{resource: repository, action: pull, effect: allow}]}]
    creation_time: "2026-01-05T10:00:00.000Z"
    update_time: "2026-01-05T10:00:00.000Z"
  contains:
    id:
      description: Harbor's id of the robot account.
      type: int
    name:
      description: The full name, which is the login name (prefix, project and name).
      type: str
    description:
      description: Description (left out when empty).
      type: str
    level:
      description: V(system) or V(project).
      type: str
    duration:
      description: Days of validity from the creation, V(-1) for never.
      type: int
    expires_at:
      description: When it expires (Unix seconds), V(-1) for never.
      type: int
    disable:
      description: Whether it is disabled.
      type: bool
    permissions:
      description: 'Harbor''s permissions, C([{kind, namespace, access: [{resource, action, effect}]}]).'
      type: list
      elements: dict
before:
  description: The robot's options before the task (V(null) if it did not exist); never a secret.
  returned: when one object is managed (without O(robots))
  type: dict
  sample: {name: nodes, level: project, project: nvidia, description: "", duration: -1, disabled: false,
           permissions: [{kind: project, namespace: nvidia, access: {repository: [pull]}}]}
after:
  description: The robot's options after the task (predicted in check mode; V(null) after a delete); never a secret.
  returned: when one object is managed (without O(robots))
  type: dict
  sample: {name: nodes, level: project, project: nvidia, description: "", duration: -1, disabled: false,
           permissions: [{kind: project, namespace: nvidia, access: {repository: [pull, push]}}]}
diff:
  description:
    - RV(before) and RV(after), in diff mode (C(duration) in words), never a secret.
    - With O(robots), a list instead, with one entry per changed element, with C(before_header) and C(after_header)
      naming it (C(robots[2] name)).
  returned: when diff mode is on
  type: raw
secret_sent:
  description:
    - Why O(secret) was sent to Harbor in this run (it is never shown); in check mode, why it would be sent.
  returned: when the secret was sent (in check mode, when it would be)
  type: str
  sample: update_password=always and the robot's login with the secret given failed
secret:
  description:
    - The secret Harbor generated for the robot this task created, with O(return_generated_secret) (the task must have
      C(no_log)).
  returned: when a robot was created without O(secret) and O(return_generated_secret=true)
  type: str
results:
  description:
    - With O(robots), one result per element in the order given, each with the keys that a single-object call returns
      (C(name), C(state), C(changed), C(robot), C(before), C(after), C(diff) in diff mode, and the other keys above
      when they apply).
    - When the call fails after some elements were done, the results of those elements.
  returned: when O(robots) is given
  type: list
  elements: dict
  sample:
    - {name: nodes, state: present, changed: true, robot: {id: 7, name: robot$nvidia+nodes}, before: null, after: {name: nodes}}
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule, object_or_list
from ansible_collections.registryops.harbor.plugins.module_utils.specs import RESOURCE_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.robot import run_robot


SPEC = dict(
    RESOURCE_SPEC,
    level=dict(type="str", choices=["system", "project"]),
    project=dict(type="str"),
    description=dict(type="str"),
    duration=dict(type="raw"),
    disabled=dict(type="bool"),
    permissions=dict(type="list", elements="dict", options=dict(
        namespace=dict(type="str"),
        kind=dict(type="str", choices=["system", "project"]),
        access=dict(type="dict", required=True),
    )),
    secret=dict(type="str", no_log=True),
    update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
    return_generated_secret=dict(type="bool", default=False, no_log=False),
)


def main():
    module = HarborModule(**object_or_list(SPEC, "robots"))
    module.run(lambda: run_robot(module))


if __name__ == "__main__":
    main()
