# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Replication executions: start (idempotently), stop, wait for and describe the executions of a rule, and the
modules harbor_replication_execution and harbor_replication_execution_info. FOR INTERNAL COLLECTION USE ONLY.

Harbor's behaviour behind this code is in ../shared/harbor-api/NOTES.md section 5: an execution can read ``Failed`` for
a moment before ``Succeed``. Rules themselves are in replication_rule.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time
from datetime import datetime, timezone

from ansible_collections.registryops.harbor.plugins.module_utils.client import HarborError
from ansible_collections.registryops.harbor.plugins.module_utils.module import HarborValidationError

POLICIES = "/replication/policies"
EXECUTIONS = "/replication/executions"

FINAL_STATES = ("Succeed", "Failed", "Stopped")
FINAL_TASK_STATES = ("Succeed", "Failed", "Stopped")
TASK_FIELDS = ("id", "status", "operation", "resource_type", "src_resource", "dst_resource", "start_time", "end_time", "job_id")


def parse_time(text):
    """Harbor's ``2024-05-01T10:00:00.000Z`` -> aware datetime; None for empty or the zero time."""
    if not text or str(text).startswith("0001-"):
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class Executions(object):
    """Start, stop, wait for and describe the executions of one replication rule."""

    def __init__(self, module, wait_timeout=600, wait_sleep=10, log_lines=5, sleep=time.sleep, clock=time.monotonic):
        self.module = module
        self.client = module.client
        self.wait_timeout = wait_timeout
        self.wait_sleep = wait_sleep
        self.log_lines = log_lines
        self._sleep = sleep
        self._clock = clock
        self._deadline = None           # set while wait() runs: no pause or poll goes past it

    # -- lookups --------------------------------------------------------------------------------------------------
    def rule(self, name):
        rule = self.client.find(POLICIES, name)
        if rule is None:
            names = sorted(p.get("name") for p in self.client.list(POLICIES))
            raise HarborValidationError("rule: no replication rule named %r; existing rules: %s" % (name, ", ".join(names) or "none"))
        return rule

    def recent(self, rule, limit=50, status=None):
        """The rule's latest executions, newest first (Harbor keeps up to 50 finished ones per rule)."""
        params = dict(policy_id=rule["id"], page=1, page_size=min(max(limit, 1), 100))
        if status:
            params["status"] = status
        executions = self.client.get(EXECUTIONS, params=params) or []
        executions = [e for e in executions if e.get("policy_id") in (None, rule["id"]) and (not status or e.get("status") == status)]
        executions.sort(key=lambda e: (parse_time(e.get("start_time")) or datetime.min.replace(tzinfo=timezone.utc), e.get("id") or 0),
                        reverse=True)
        return executions[:limit]

    def get(self, execution_id):
        return self.client.get("%s/%s" % (EXECUTIONS, execution_id))

    def tasks(self, execution_id, status=None):
        params = dict(status=status) if status else None
        tasks = self.client.list("%s/%s/tasks" % (EXECUTIONS, execution_id), params=params)
        return [t for t in tasks if not status or t.get("status") == status]

    def log(self, execution_id, task_id):
        text = self.client.get("%s/%s/tasks/%s/log" % (EXECUTIONS, execution_id, task_id))
        return text if isinstance(text, str) else ""

    def excerpt(self, execution_id, task_id):
        lines = [line for line in self.log(execution_id, task_id).splitlines() if line.strip()]
        return "\n".join(lines[-self.log_lines:]) if self.log_lines > 0 else ""

    def latest_since_change(self, rule, executions):
        """The newest execution started since the rule last changed (None when there is none), its state confirmed.

        A ``Failed`` read is confirmed first: Harbor can report Failed for a moment before Succeed (goharbor/harbor#14986).
        Only this execution counts: an older success followed by a failed or stopped run is not "already succeeded"."""
        changed_at = parse_time(rule.get("update_time")) or parse_time(rule.get("creation_time"))
        for execution in executions:
            started = parse_time(execution.get("start_time"))
            if changed_at is None or (started and started >= changed_at):
                if execution.get("status") == "Failed" and not self._confirm_final(dict(execution)):
                    execution = self.get(execution["id"])
                return execution
        return None

    # -- actions --------------------------------------------------------------------------------------------------
    def start(self, rule):
        """POST a new execution; when the answer is lost (timeout, dropped connection, 502/504 of a proxy), look whether
        Harbor started one anyway before reporting the failure, so that it is followed rather than started twice."""
        if not rule.get("enabled"):
            raise HarborValidationError(_disabled(rule))
        known = set(e.get("id") for e in self.recent(rule))
        try:
            return self.client.post(EXECUTIONS, dict(policy_id=rule["id"]))
        except HarborError as exc:
            if exc.status == 412:
                raise HarborValidationError("%s (%s)" % (_disabled(rule), exc.message))
            if exc.status not in (None, 502, 504):
                raise
            started = [e for e in self.recent(rule) if e.get("id") not in known]
            if started:
                return started[0]["id"]
            raise HarborError("starting an execution of replication rule %s got no answer (%s). Harbor may still have started"
                              " one; re-running the task looks for a running or finished execution before starting again"
                              " (force=true would start another)." % (rule["name"], exc), status=exc.status, code=exc.code,
                              method=exc.method, path=exc.path, request_id=exc.request_id, hint="", attempts=exc.attempts)

    def stop(self, execution_id):
        """Stop one execution if it is still in progress (GET first: a stop of a finished one can rewrite its status)."""
        execution = self.get(execution_id)
        if execution.get("status") != "InProgress":
            return False
        self.client.put("%s/%s" % (EXECUTIONS, execution_id))
        return True

    def stop_all(self, rule):
        """Stop every running execution of the rule and wait until each one is final; the ids stopped."""
        running = self.recent(rule, status="InProgress")
        stopped = [e["id"] for e in running if self.stop(e["id"])]
        for execution_id in stopped:
            self.wait(execution_id)
        return stopped

    def wait(self, execution_id):
        """Poll until the execution is confirmed final; return (execution, timed_out).

        ``wait_timeout`` bounds the whole wait, polls included: no request waits for an answer or a retry past it."""
        deadline = self._clock() + self.wait_timeout
        self._deadline = deadline
        self.client.deadline = time.monotonic() + self.wait_timeout
        try:
            interval = min(1.0, self.wait_sleep)
            execution = dict(id=execution_id, status="unknown (no answer in time)")
            first = True
            while True:
                try:
                    if first:
                        execution, first = self.get(execution_id), False
                    if self._looks_final(execution) and self._confirm_final(execution):
                        return execution, False
                    if self._clock() >= deadline:
                        return execution, True
                    self._sleep(min(interval, max(deadline - self._clock(), 0.05)))
                    interval = min(interval * 1.5, self.wait_sleep)
                    execution = self.get(execution_id)
                except HarborError as exc:
                    if exc.status is None and self._clock() >= deadline - 0.05:
                        return execution, True       # a poll cut short by the deadline
                    raise
        finally:
            self.client.deadline = None
            self._deadline = None

    @staticmethod
    def _looks_final(execution):
        return execution.get("status") in FINAL_STATES and not execution.get("in_progress")

    def _confirm_final(self, execution):
        """Harbor can report Failed for a moment before Succeed (goharbor/harbor#14986): read again after a short pause
        and accept the state only when it did not change and no task is still running."""
        pause = min(1.0, self.wait_sleep)
        if getattr(self, "_deadline", None) is not None:
            pause = max(min(pause, self._deadline - self._clock()), 0.05)
        self._sleep(pause)
        again = self.get(execution["id"])
        if again.get("status") != execution.get("status") or not self._looks_final(again):
            return False
        tasks = self.tasks(execution["id"])
        if any(t.get("status") not in FINAL_TASK_STATES for t in tasks):
            return False
        execution.clear()
        execution.update(again)
        return True

    # -- reporting ------------------------------------------------------------------------------------------------
    def describe(self, execution, rule_name, with_failures=True):
        """The execution as the modules return it: times, duration, counts and the failed tasks with a log excerpt."""
        start, end = parse_time(execution.get("start_time")), parse_time(execution.get("end_time"))
        result = dict(
            id=execution.get("id"), rule=rule_name, policy_id=execution.get("policy_id"), status=execution.get("status"),
            status_text=execution.get("status_text") or "", trigger=execution.get("trigger"),
            start_time=execution.get("start_time"), end_time=execution.get("end_time") if end else None,
            duration=round((end - start).total_seconds(), 3) if start and end else None,
            total=execution.get("total") or 0, succeed=execution.get("succeed") or 0, failed=execution.get("failed") or 0,
            in_progress=execution.get("in_progress") or 0, stopped=execution.get("stopped") or 0, failed_tasks=[],
        )
        if with_failures and result["failed"]:
            result["failed_tasks"] = [self._failed_task(execution["id"], task) for task in self.tasks(execution["id"], status="Failed")]
        return result

    def _failed_task(self, execution_id, task):
        return dict(id=task.get("id"), src_resource=task.get("src_resource"), dst_resource=task.get("dst_resource"),
                    resource_type=task.get("resource_type"), operation=task.get("operation"),
                    log_excerpt=self.excerpt(execution_id, task.get("id")))


def failure_summary(result, shown=3):
    """``1 of 12 tasks failed: library/nginx [2 item(s) in total] → mirror/nginx [2 item(s) in total] (<last log line>); ...``

    Harbor runs one task per repository (with all its selected tags), so the counts are repositories, not tags.
    """
    parts = []
    for task in result["failed_tasks"][:shown]:
        last = task["log_excerpt"].splitlines()[-1].strip() if task["log_excerpt"] else ""
        parts.append("%s → %s%s" % (task["src_resource"], task["dst_resource"], " (%s)" % last if last else ""))
    more = len(result["failed_tasks"]) - shown
    if more > 0:
        parts.append("and %d more" % more)
    head = "%d of %d tasks failed" % (result["failed"], result["total"])
    if result["status_text"]:
        head += " (%s)" % result["status_text"]
    return "%s: %s" % (head, "; ".join(parts)) if parts else head


def progress(result):
    return ("%(status)s, %(total)s tasks: %(succeed)s succeeded, %(failed)s failed, %(in_progress)s in progress,"
            " %(stopped)s stopped" % result)


def _disabled(rule):
    return ("replication rule %s is disabled and cannot be started: enable it with registryops.harbor.harbor_replication_rule"
            " (enabled: true)" % rule.get("name"))


# -- the execution modules ------------------------------------------------------------------------------------------
def run_execution(module):
    """harbor_replication_execution: start (idempotently) or stop the executions of one rule, and wait for them."""
    p = module.params
    for option, low in (("wait_timeout", 0), ("log_lines", 0)):
        if p[option] < low:
            raise HarborValidationError("%s: must be %d or more, got %s" % (option, low, p[option]))
    if p["wait_sleep"] <= 0:
        raise HarborValidationError("wait_sleep: must be a number of seconds greater than 0, got %s" % p["wait_sleep"])
    executions = Executions(module, wait_timeout=p["wait_timeout"], wait_sleep=p["wait_sleep"], log_lines=p["log_lines"])
    if module.check_mode and executions.client.find(POLICIES, p["rule"]) is None:
        # a check run of a fresh set-up: the task that creates the rule ran in check mode too
        module.warn("rule: no replication rule named %r exists yet; check mode goes on as if an earlier task created it, but"
                    " a real run fails unless it exists by then" % p["rule"])
        if p["state"] == "stopped":
            return dict(changed=False, executions=[], msg="would stop nothing: replication rule %s does not exist yet" % p["rule"])
        return dict(changed=True, execution=None, msg="would start an execution of replication rule %s once it exists" % p["rule"])
    rule = executions.rule(p["rule"])
    if p["state"] == "stopped":
        return _stop(module, executions, rule)
    return _start(module, executions, rule)


def _start(module, executions, rule):
    p = module.params
    recent = executions.recent(rule)
    latest = executions.latest_since_change(rule, recent)
    running = [e for e in recent if e.get("status") == "InProgress" and (not latest or e.get("id") != latest.get("id"))]
    if latest and latest.get("status") == "InProgress":
        running.insert(0, latest)
    done = latest if latest and latest.get("status") == "Succeed" else None
    if not p["force"] and (running or done):
        execution = running[0] if running else done
        if not running:
            return dict(changed=False, execution=executions.describe(execution, rule["name"]),
                        msg="replication rule %s already succeeded with execution %s, its latest since it last changed"
                            " (force=true starts another)" % (rule["name"], execution["id"]))
        execution_id, changed = execution["id"], False
        note = "execution %s was already running" % execution_id
    else:
        if not rule.get("enabled"):
            raise HarborValidationError(_disabled(rule))
        if module.check_mode:
            return dict(changed=True, execution=None, msg="would start an execution of replication rule %s" % rule["name"])
        execution_id, changed = executions.start(rule), True
        note = "started execution %s" % execution_id
    if module.check_mode or not p["wait"]:
        result = executions.describe(executions.get(execution_id), rule["name"], with_failures=False)
        return dict(changed=changed, execution=result, msg="%s of replication rule %s" % (note, rule["name"]))
    return _finish(module, executions, rule, execution_id, changed, note)


def _finish(module, executions, rule, execution_id, changed, note):
    p = module.params
    execution, timed_out = executions.wait(execution_id)
    if timed_out:
        left = "it is still running (state=stopped stops it; stop_on_timeout=true does it on timeout)"
        if p["stop_on_timeout"] and executions.stop(execution_id):
            left = "it was asked to stop"
            execution = executions.get(execution_id)
        result = executions.describe(execution, rule["name"], with_failures=False)
        module.fail_json(changed=changed, execution=result,
                         msg="execution %s of replication rule %s did not finish within %s seconds (%s); %s"
                             % (execution_id, rule["name"], p["wait_timeout"], progress(result), left))
    result = executions.describe(execution, rule["name"])
    msg = "%s of replication rule %s: %s" % (note, rule["name"], progress(result))
    if result["status"] != "Succeed":
        msg = "execution %s of replication rule %s ended %s: %s" % (execution_id, rule["name"], result["status"], failure_summary(result))
        if p["fail_on_error"]:
            module.fail_json(changed=changed, execution=result, msg=msg)
    return dict(changed=changed, execution=result, msg=msg)


def _stop(module, executions, rule):
    running = executions.recent(rule, status="InProgress")
    if module.check_mode:
        described = [executions.describe(e, rule["name"], with_failures=False) for e in running]
        return dict(changed=bool(running), executions=described,
                    msg="would stop %d execution(s) of replication rule %s" % (len(running), rule["name"]))
    stopped = [e["id"] for e in running if executions.stop(e["id"])]
    described = []
    for execution_id in stopped:
        execution = executions.get(execution_id)
        if module.params["wait"]:
            execution, timed_out = executions.wait(execution_id)
            if timed_out:
                module.fail_json(changed=True, msg="execution %s of replication rule %s was asked to stop but is still %s after"
                                 " %s seconds" % (execution_id, rule["name"], execution.get("status"), executions.wait_timeout))
        described.append(executions.describe(execution, rule["name"], with_failures=False))
    return dict(changed=bool(stopped), executions=described,
                msg="stopped %d execution(s) of replication rule %s" % (len(stopped), rule["name"]))


def execution_info(module):
    """harbor_replication_execution_info: a rule's recent executions (or one by id), with tasks and optional logs."""
    p = module.params
    if not 1 <= p["limit"] <= 100:
        raise HarborValidationError("limit: must be between 1 and 100, got %s" % p["limit"])
    executions = Executions(module, log_lines=0)
    rule = executions.rule(p["rule"])
    if p["id"] is not None:
        found = executions.client.get_or_none("%s/%s" % (EXECUTIONS, p["id"]))
        found = [found] if found and found.get("policy_id") in (None, rule["id"]) else []
    else:
        found = executions.recent(rule, limit=p["limit"], status=p["status"])
    result = []
    for execution in found:
        described = executions.describe(execution, rule["name"], with_failures=False)
        del described["failed_tasks"]
        if p["tasks"] or p["logs"]:
            described["tasks"] = [_task(executions, execution["id"], task, p["logs"]) for task in executions.tasks(execution["id"])]
        result.append(described)
    return dict(changed=False, executions=module.select(result))


def _task(executions, execution_id, task, with_log):
    shown = dict((k, task.get(k)) for k in TASK_FIELDS)
    if with_log:
        shown["log"] = executions.log(execution_id, task["id"])
    return shown
