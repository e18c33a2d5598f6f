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
  - With O(rules), does this for several rules in one module run (one connection, one login check, one listing of the
    rules). Every element is checked first (the rule exists and, when it must start, is enabled), then every
    execution is started (or stopped), and then all of them are waited for together, within one O(wait_timeout).
  - B(Idempotent by default.) The rule for starting is this. If an execution of the rule is running, the module follows
    that one instead of starting another. Otherwise it looks at the B(latest) execution started since the rule last
    changed; when that one succeeded, nothing is started (running a playbook again reports no change); when it failed
    or was stopped, or there is none, a new execution is started (an older success does not count).
    O(force=true) starts an execution even when the latest one succeeded.
  - B(One execution at a time per rule), also with O(force=true) - a running execution of the rule (left by an
    earlier run that timed out, or started by another run moments ago) is followed and reported, never doubled. The
    running executions are read again right before the start and right after it; when two runs start at the same
    moment, the one whose execution Harbor created later stops it at once and both follow the earlier one.
  - Harbor can report an execution as C(Failed) for a moment before it turns C(Succeed)
    (U(https://github.com/goharbor/harbor/issues/14986)). A final state is reported only after a second read that
    shows the same state and no task still running; this also holds for the latest execution read before starting.
  - When the request that starts an execution gets no answer (timeout, dropped connection, 502/504 of a proxy), the
    module looks whether Harbor started one anyway and follows it; if none is seen yet, the task fails saying that one
    may have started, and a re-run looks again before starting.
  - When tasks fail, the result lists them with the end of each task's log, and the task fails with a one-line summary
    that counts the failed tasks and names each failed source and destination with the cause from its log (the first
    error line of the excerpt other than Harbor's closing C(got error during the whole transfer period), else the last
    line; see RV(msg)), unless O(fail_on_error=false). Harbor runs one task per repository, with all its selected tags.
extends_documentation_fragment:
  - registryops.harbor.connection
  - registryops.harbor.attributes
attributes:
  diff_mode:
    support: none
    details: An execution has no before and after; the result describes it.
options:
  rule:
    description:
      - Name of the replication rule (see M(registryops.harbor.harbor_replication_rule)).
      - Required unless O(rules) is given.
    type: str
    aliases: [name]
  state: &state
    description:
      - V(started) starts an execution (see O(force)) and, with O(wait), waits for its end.
      - V(stopped) stops the executions of the rule that are in progress and, with O(wait), waits until they have
        stopped. Executions that have already finished are left alone.
    type: str
    choices: [started, stopped]
    default: started
  force: &force
    description:
      - Start a new execution even when the rule already succeeded since it last changed.
      - An execution of the rule that is running is followed instead, with or without O(force) (one execution at a
        time per rule).
    type: bool
    default: false
  since: &since
    description:
      - A time (ISO 8601 with a zone, as Harbor writes times, V(2026-05-01T10:00:00Z)) from which an execution counts as the
        rule's latest - one started since the rule's last change that was still at work at that time or later (started,
        still running or ended then or after); without it, any execution started since the rule last changed.
      - For a caller that decided to replicate at that time, for example after comparing the source and the destination
        (the replication role passes the time its comparison began) - an execution of the rule at work since then,
        by another run, covers what the caller found missing, so it is followed while it runs and reported when it
        succeeded, and nothing is started. Harbor's clock and the caller's must agree (NTP).
    type: str
  wait: &wait
    description:
      - Wait until the execution has finished (C(Succeed), C(Failed) or C(Stopped)). Nothing is waited for in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait. On timeout the task fails with the execution id and its last counts; the execution keeps
        running unless O(stop_on_timeout=true).
      - The bound holds for the polls too; no poll waits for Harbor's answer, or for a retry, past it.
      - With O(rules), one bound for the whole call (not per rule), as all executions are waited for together.
    type: int
    default: 600
  wait_sleep:
    description:
      - The longest pause in seconds between two status reads. Polling starts at one second (or less, if this is
        smaller) and backs off by half at each read up to this value.
      - With O(rules), one setting for the call; each round reads every execution not yet finished.
    type: float
    default: 10
  stop_on_timeout: &stop_on_timeout
    description: Stop the execution when O(wait_timeout) has passed.
    type: bool
    default: false
  fail_on_error: &fail_on_error
    description:
      - Fail the task when the execution ends C(Failed) or C(Stopped). With V(false) the result is returned and the task
        succeeds; check RV(execution.status).
    type: bool
    default: true
  log_lines:
    description:
      - How many last lines of each failed task's log go into RV(execution.failed_tasks[].log_excerpt).
      - With O(rules), one setting for the call.
    type: int
    default: 5
  rules:
    description:
      - Several rules in one call, each element with the per-rule options of a single call (O(rule), O(state), O(force),
        O(since), O(wait), O(stop_on_timeout), O(fail_on_error), with the same defaults), instead of those options at the top
        level; the two forms are mutually exclusive. O(wait_timeout), O(wait_sleep), O(log_lines) and the connection
        options stay at the top level and hold for the whole call.
      - Every element is checked before the first write; an error there names the element (V(rules[2].rule), counted
        from 0). Each rule may appear once.
      - The executions are started (or stopped) one after the other, in the order given, and then waited for together.
        When a rule fails (its execution ends C(Failed) or C(Stopped) with O(fail_on_error), or does not finish in
        time), the task fails after all executions were waited for; the message names each failed element and lists
        what every rule did, and RV(results) holds every rule's result.
      - In check mode each element is predicted on its own and nothing is waited for.
    type: list
    elements: dict
    suboptions:
      rule:
        description: Name of the replication rule.
        type: str
        required: true
        aliases: [name]
      state: *state
      force: *force
      since: *since
      wait: *wait
      stop_on_timeout: *stop_on_timeout
      fail_on_error: *fail_on_error
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

- name: Air gap - run every push rule in one task, waiting for all of them together (up to two hours in total)
  registryops.harbor.harbor_replication_execution:
    rules:
      - rule: to-disconnected-library
      - rule: to-disconnected-charts
      - rule: to-disconnected-nightly
        force: true
        fail_on_error: false
    wait_timeout: 7200
    wait_sleep: 30
  register: air_gap

- name: Show how each rule ended
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.msg }}"
  loop: "{{ air_gap.results }}"
'''

RETURN = r'''
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: "execution 12 of replication rule to-disconnected ended Failed: 1 of 12 tasks failed: library/bad [2 item(s) in total]
    → library/bad [2 item(s) in total] (pull failed: unauthorized)"
execution:
  description:
    - The execution started or followed (with O(state=started)); V(null) in check mode when one would be started.
    - Also returned when the task fails on an error or a timeout.
  returned: with O(state=started) and without O(rules)
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
  returned: with O(state=stopped) and without O(rules)
  type: list
  elements: dict
results:
  description:
    - With O(rules), one result per element in the order given, each with C(name) (the rule), C(state), C(changed),
      C(failed), C(msg) and the RV(execution) (O(state=started)) or RV(executions) (O(state=stopped)) that a
      single-rule call returns.
    - Also returned when the task fails; when the failure came while starting or stopping (before the wait), the
      results of the rules done before it.
  returned: when O(rules) is given
  type: list
  elements: dict
  sample:
    - {name: to-disconnected-library, state: started, changed: true, failed: false,
       msg: "started execution 12 of replication rule to-disconnected-library: Succeed, 3 tasks: 3 succeeded, 0 failed, 0 in progress, 0 stopped",
       execution: {id: 12, rule: to-disconnected-library, status: Succeed}}
'''

from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborModule, object_or_list
from ansible_collections.registryops.harbor.plugins.module_utils.replication_execution import run_execution
from ansible_collections.registryops.harbor.plugins.module_utils.specs import RULE_NAME_SPEC

# The options of one rule's execution: at the top level, or in each element of ``rules``.
ELEMENT_SPEC = dict(
    RULE_NAME_SPEC,
    state=dict(type="str", choices=["started", "stopped"], default="started"),
    force=dict(type="bool", default=False),
    since=dict(type="str"),
    wait=dict(type="bool", default=True),
    stop_on_timeout=dict(type="bool", default=False),
    fail_on_error=dict(type="bool", default=True),
)
# Per call, also with ``rules``: every execution of the call is waited for together, within one wait_timeout.
CALL_SPEC = dict(
    wait_timeout=dict(type="int", default=600),
    wait_sleep=dict(type="float", default=10),
    log_lines=dict(type="int", default=5),
)


def main():
    kwargs = object_or_list(ELEMENT_SPEC, "rules", key="rule")
    kwargs["argument_spec"].update(CALL_SPEC)
    module = HarborModule(**kwargs)
    module.run(lambda: run_execution(module))


if __name__ == "__main__":
    main()
