#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harbor_replication_execution
short_description: Run or stop a Harbor replication rule and wait for the result
version_added: 0.1.0
author: registryops.harbor contributors (@registryops)
description:
  - Starts an execution of a replication rule, found by name, and by default waits until it has finished; or stops
    the rule's running executions.
  - B(Idempotent by default.) The rule for starting is this. If an execution of the rule is running, the module follows
    that one instead of starting another. Otherwise it looks at the B(latest) execution started since the rule last
    changed; when that one succeeded, nothing is started (running a playbook again reports no change); when it failed
    or was stopped, or there is none, a new execution is started (an older success does not count).
    O(force=true) starts an execution every time.
  - Harbor can report an execution as C(Failed) for a moment before it turns C(Succeed)
    (U(https://github.com/goharbor/harbor/issues/14986)). A final state is reported only after a second read that
    shows the same state and no task still running; this also holds for the latest execution read before starting.
  - When the request that starts an execution gets no answer (timeout, dropped connection, 502/504 of a proxy), the
    module looks whether Harbor started one anyway and follows it; if none is seen yet, the task fails saying that one
    may have started, and a re-run looks again before starting.
  - When tasks fail, the result lists them with the end of each task's log, and the task fails with a one-line summary
    that counts the failed tasks and names each failed source and destination with the last line of its log (see
    RV(msg)), unless O(fail_on_error=false). Harbor runs one task per repository, with all its selected tags.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes
attributes:
  diff_mode:
    support: none
    details: An execution has no before and after; the result describes it.
options:
  rule:
    description: Name of the replication rule (see M(registryops.harbor.harbor_replication_rule)).
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - V(started) starts an execution (see O(force)) and, with O(wait), waits for its end.
      - V(stopped) stops the executions of the rule that are in progress and, with O(wait), waits until they have
        stopped. Executions that have already finished are left alone.
    type: str
    choices: [started, stopped]
    default: started
  force:
    description:
      - Start a new execution even when the rule already succeeded since it last changed, or is running now.
    type: bool
    default: false
  wait:
    description:
      - Wait until the execution has finished (C(Succeed), C(Failed) or C(Stopped)). Nothing is waited for in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait. On timeout the task fails with the execution id and its last counts; the execution keeps
        running unless O(stop_on_timeout=true).
      - The bound holds for the polls too; no poll waits for Harbor's answer, or for a retry, past it.
    type: int
    default: 600
  wait_sleep:
    description:
      - The longest pause in seconds between two status reads. Polling starts at one second (or less, if this is
        smaller) and backs off by half at each read up to this value.
    type: float
    default: 10
  stop_on_timeout:
    description: Stop the execution when O(wait_timeout) has passed.
    type: bool
    default: false
  fail_on_error:
    description:
      - Fail the task when the execution ends C(Failed) or C(Stopped). With V(false) the result is returned and the task
        succeeds; check RV(execution.status).
    type: bool
    default: true
  log_lines:
    description: How many last lines of each failed task's log go into RV(execution.failed_tasks[].log_excerpt).
    type: int
    default: 5
notes:
  - Managing replication needs a Harbor system administrator or a system robot account with the replication
    permissions.
seealso:
  - module: registryops.harbor.harbor_replication_rule
  - module: registryops.harbor.harbor_replication_execution_info
'''

EXAMPLES = r'''
- name: Air gap - copy to the disconnected Harbor now and wait up to an hour
  registryops.harbor.harbor_replication_execution:
    rule: to-disconnected
    wait_timeout: 3600
    wait_sleep: 30

- name: SUSE Application Collection - start the pull, do not wait
  registryops.harbor.harbor_replication_execution:
    rule: application-collection
    wait: false
  register: pull

- name: Start again even though the last run succeeded, report failures without failing
  registryops.harbor.harbor_replication_execution:
    rule: ngc-nvaie
    force: true
    fail_on_error: false
  register: run

- name: Show the artifacts that failed
  ansible.builtin.debug:
    msg: "{{ item.src_resource }}: {{ item.log_excerpt }}"
  loop: "{{ run.execution.failed_tasks }}"

- name: Stop a replication that runs too long
  registryops.harbor.harbor_replication_execution:
    rule: application-collection
    state: stopped
'''

RETURN = r'''
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: "execution 12 of replication rule to-disconnected ended Failed: 1 of 12 tasks failed: library/bad [2 item(s) in total]
    → library/bad [2 item(s) in total] (... [ERROR] pull failed: unauthorized)"
execution:
  description:
    - The execution started or followed (with O(state=started)); V(null) in check mode when one would be started.
    - Also returned when the task fails on an error or a timeout.
  returned: with O(state=started)
  type: dict
  contains:
    id:
      description: Harbor's execution id.
      type: int
      sample: 12
    rule:
      description: Name of the rule.
      type: str
    policy_id:
      description: Harbor's id of the rule.
      type: int
    status:
      description: V(InProgress), V(Succeed), V(Failed) or V(Stopped).
      type: str
      sample: Succeed
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
      description: Number of tasks (Harbor runs one task per repository, with all its selected tags).
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
    failed_tasks:
      description: The failed tasks, once the execution has finished.
      type: list
      elements: dict
      contains:
        id:
          description: Task id.
          type: int
        src_resource:
          description: What was copied, one repository with the number of its tags, for example C(library/nginx [2 item...]).
          type: str
        dst_resource:
          description: Where it should have gone.
          type: str
        resource_type:
          description: V(image), V(artifact), ...
          type: str
        operation:
          description: V(copy) or V(deletion).
          type: str
        log_excerpt:
          description: The last O(log_lines) lines of the task's log.
          type: str
executions:
  description: The executions that were stopped (or would be, in check mode), in the shape of RV(execution).
  returned: with O(state=stopped)
  type: list
  elements: dict
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule
from ansible_collections.registryops.harbor.plugins.module_utils.replication_execution import run_execution


def main():
    module = HarborModule(argument_spec=dict(
        rule=dict(type="str", required=True, aliases=["name"]),
        state=dict(type="str", choices=["started", "stopped"], default="started"),
        force=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
        wait_sleep=dict(type="float", default=10),
        stop_on_timeout=dict(type="bool", default=False),
        fail_on_error=dict(type="bool", default=True),
        log_lines=dict(type="int", default=5),
    ))
    module.run(lambda: run_execution(module))


if __name__ == "__main__":
    main()
