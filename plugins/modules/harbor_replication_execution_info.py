#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_replication_execution_info
short_description: Recent executions of a Harbor replication rule, with their tasks and logs
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Returns the latest executions of one replication rule (newest first), or one execution by id, with counts,
    duration, the tasks (one per artifact) and, on request, each task's log.
  - Harbor keeps the last 50 finished executions of each rule.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes.info
  - registryops.harbor.query
options:
  rule:
    description: Name of the replication rule.
    type: str
    required: true
    aliases: [name]
  id:
    description: One execution of the rule by its id, instead of the latest ones.
    type: int
  limit:
    description: How many of the latest executions to return (at most 100).
    type: int
    default: 10
  status:
    description: Only executions with this status.
    type: str
    choices: [InProgress, Succeed, Failed, Stopped]
  tasks:
    description: Include the tasks of each execution in RV(executions[].tasks).
    type: bool
    default: true
  logs:
    description: Include each task's log in RV(executions[].tasks[].log) (one request per task; implies O(tasks)).
    type: bool
    default: false
seealso:
  - module: registryops.harbor.harbor_replication_execution
'''

EXAMPLES = r'''
- name: Last five runs of the air-gap push rule
  registryops.harbor.harbor_replication_execution_info:
    rule: to-disconnected
    limit: 5
    tasks: false
  register: runs

- name: Logs of the failed tasks of the latest Application Collection pull
  registryops.harbor.harbor_replication_execution_info:
    rule: application-collection
    limit: 1
    logs: true
    query: "[0].tasks[?status=='Failed'].{artifact: src_resource, log: log}"
  register: failures
'''

RETURN = r'''
executions:
  description: The executions, newest first; or the result of O(query).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Execution id.
      type: int
    rule:
      description: Name of the rule.
      type: str
    policy_id:
      description: Harbor's id of the rule.
      type: int
    status:
      description: V(InProgress), V(Succeed), V(Failed) or V(Stopped).
      type: str
    status_text:
      description: Harbor's explanation, if any.
      type: str
    trigger:
      description: V(manual), V(scheduled) or V(event_based).
      type: str
    start_time:
      description: When it started.
      type: str
    end_time:
      description: When it ended; V(null) while it runs.
      type: str
    duration:
      description: Seconds from start to end; V(null) while it runs.
      type: float
    total:
      description: Number of tasks.
      type: int
    succeed:
      description: Tasks that succeeded.
      type: int
    failed:
      description: Tasks that failed.
      type: int
    in_progress:
      description: Tasks pending or running.
      type: int
    stopped:
      description: Tasks stopped.
      type: int
    tasks:
      description: The tasks, with O(tasks) or O(logs).
      type: list
      elements: dict
      contains:
        id:
          description: Task id.
          type: int
        status:
          description: V(Pending), V(InProgress), V(Succeed), V(Failed) or V(Stopped).
          type: str
        operation:
          description: V(copy) or V(deletion).
          type: str
        resource_type:
          description: V(image), V(artifact), ...
          type: str
        src_resource:
          description: The source artifact.
          type: str
        dst_resource:
          description: The destination artifact.
          type: str
        start_time:
          description: When the task started.
          type: str
        end_time:
          description: When the task ended.
          type: str
        job_id:
          description: Harbor job service id.
          type: str
        log:
          description: The task's log, with O(logs).
          type: str
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule
from ansible_collections.registryops.harbor.plugins.module_utils.specs import QUERY_SPEC, RULE_NAME_SPEC
from ansible_collections.registryops.harbor.plugins.module_utils.replication_execution import execution_info


def main():
    module = HarborModule(argument_spec=dict(
        RULE_NAME_SPEC,
        id=dict(type="int"),
        limit=dict(type="int", default=10),
        status=dict(type="str", choices=["InProgress", "Succeed", "Failed", "Stopped"]),
        tasks=dict(type="bool", default=True),
        logs=dict(type="bool", default=False),
        **QUERY_SPEC
    ))
    module.run(lambda: execution_info(module))


if __name__ == "__main__":
    main()
