#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_robot_account_info
short_description: List Harbor robot accounts with their permissions
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Returns robot accounts (system robots and the robots of every project, or of one project), each in the option
    shape of M(registryops.harbor.harbor_robot_account) plus its login name, id and expiry.
  - Secrets are never returned (Harbor never shows them).
  - Harbor lists system robots in one call and the robots of a project in one call per project.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes.info
  - registryops.harbor.query
options:
  name:
    description: The robot's own name (without the prefix and the project). Without it, all robots of the level asked.
    type: str
  project:
    description: Only the robots of this project (implies O(level=project)).
    type: str
  level:
    description:
      - V(system) for system robots, V(project) for project robots, V(all) for both.
      - Defaults to V(project) with O(project), else V(all).
    type: str
    choices: [system, project, all]
  robot_name_prefix:
    description:
      - Harbor's robot name prefix (the C(robot_name_prefix) system setting), to tell the robot's own name from its
        login name.
      - Without it, the module learns the prefix from a project robot's name (V(<prefix><project>+<name>)), else from
        the system robots' names (what comes before the last character a robot name cannot have, such as the V($) of
        the default V(robot$)). Set it when the prefix ends with a letter, a digit, V(.), V(_) or V(-) and there are
        only system robots.
    type: str
seealso:
  - module: registryops.harbor.harbor_robot_account
'''

EXAMPLES = r'''
- name: Every robot account of Harbor
  registryops.harbor.harbor_robot_account_info:
  register: robots

- name: The pull robots of the proxy-cache project
  registryops.harbor.harbor_robot_account_info:
    project: dockerhub

- name: Robots that never expire
  registryops.harbor.harbor_robot_account_info:
    query: "[?duration==`-1`].full_name"
  register: forever
'''

RETURN = r'''
robots:
  description: The robot accounts, system robots first, then by project and name; or the result of O(query).
  returned: always
  type: list
  elements: dict
  sample:
    - name: nodes
      level: project
      project: dockerhub
      description: ""
      duration: -1
      disabled: false
      permissions: [{kind: project, namespace: dockerhub, access: {repository: [pull]}}]
      id: 7
      full_name: robot$dockerhub+nodes
      expires_at: -1
      editable: true
      creator_type: local
      creator_ref: 1
      creation_time: "2026-01-05T10:00:00.000Z"
      update_time: "2026-01-05T10:00:00.000Z"
  contains:
    name:
      description: The robot's own name.
      type: str
    level:
      description: V(system) or V(project).
      type: str
    project:
      description: The project of a project robot.
      type: str
      returned: for project robots
    description:
      description: Description.
      type: str
    duration:
      description: Days of validity from the creation, V(-1) for never.
      type: int
    disabled:
      description: Whether the robot is disabled.
      type: bool
    permissions:
      description:
        - 'One entry per namespace, C({kind, namespace, access}) with C(access) as C({resource: [actions]}).'
        - Denials (Harbor's effect C(deny), which its UI never sets) come apart, under C(deny).
      type: list
      elements: dict
    id:
      description: Harbor's id of the robot account.
      type: int
    full_name:
      description: The login name (prefix, project and name).
      type: str
    expires_at:
      description: When it expires (Unix seconds), V(-1) for never.
      type: int
    editable:
      description: V(false) for a legacy (Harbor 1.x) robot, which Harbor does not let anyone edit.
      type: bool
    creator_type:
      description: V(local) (a user) or V(robot).
      type: str
    creator_ref:
      description: The id of the user or robot that created it.
      type: int
    creation_time:
      description: When the robot was created.
      type: str
    update_time:
      description: When the robot was last changed.
      type: str
robot_name_prefix:
  description: The robot name prefix used to tell the names apart (given, or learnt from the names).
  returned: always
  type: str
  sample: robot$
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule
from ansible_collections.registryops.harbor.plugins.module_utils.specs import INFO_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.robot import robot_info


def main():
    module = HarborModule(argument_spec=dict(
        INFO_SPEC,
        project=dict(type="str"),
        level=dict(type="str", choices=["system", "project", "all"]),
        robot_name_prefix=dict(type="str"),
    ))
    module.run(lambda: robot_info(module))


if __name__ == "__main__":
    main()
