# -*- coding: utf-8 -*-
# Copyright (c) 2026 registryops.harbor contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Replication executions: start (idempotently), stop, wait for and describe the executions of a rule, and the
modules harbor_replication_execution and harbor_replication_execution_info. FOR INTERNAL COLLECTION USE ONLY.

Harbor's behaviour behind this code is in docs/harbor-api.md section 5: an execution can read ``Failed`` for
a moment before ``Succeed``. Rules themselves are in replication_rule.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import re
import time
from datetime import datetime, timezone

from ansible_collections.registryops.harbor.plugins.module_utils.endpoints import POLICIES
from ansible_collections.registryops.harbor.plugins.module_utils.errors import HarborError, HarborPartialError, HarborValidationError
from ansible_collections.registryops.harbor.plugins.module_utils.reconcile import element, in_order, unique
from ansible_collections.registryops.harbor.plugins.module_utils.validation import check_rule_name, some

EXECUTIONS = "/replication/executions"

FINAL_STATES = ("Succeed", "Failed", "Stopped")
GONE = "Gone"                   # not a Harbor status: the execution answered 404 while it was waited for
WAIT_SLEEP_MAX = 3600.0
FINAL_TASK_STATES = ("Succeed", "Failed", "Stopped")
TASK_FIELDS = ("id", "status", "operation", "resource_type", "src_resource", "dst_resource", "start_time", "end_time", "job_id")
# A task log line: "<time> [<LEVEL>] [<Go source file>:<line>]: <text>" (the source part is missing in some builds).
LOG_LINE = re.compile(r"^\S+\s+\[(?P<level>[A-Z]+)\]\s+(?:\[[^\]]*\]:\s*)?(?P<text>.*)$")
# transfer.go's closing line of every failed copy: it names no cause.
CLOSING_ERROR = "got error during the whole transfer period"


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
            names = sorted(p.get("name") or "?" for p in self.client.list(POLICIES))
            raise HarborValidationError("rule: no replication rule named %r; existing rules: %s" % (name, some(names)))
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
        """The task's log text. Asked as text/plain: with ``Accept: application/json`` Harbor JSON-encodes it (one
        quoted line, still labelled text/plain: go-openapi's negotiation, src/server/v2.0/handler/replication.go)."""
        text = self.client.get("%s/%s/tasks/%s/log" % (EXECUTIONS, execution_id, task_id), headers={"Accept": "text/plain"})
        return text if isinstance(text, str) else ""

    def excerpt(self, execution_id, task_id):
        lines = [line for line in self.log(execution_id, task_id).splitlines() if line.strip()]
        return "\n".join(lines[-self.log_lines:]) if self.log_lines > 0 else ""

    def latest_since_change(self, rule, executions, since=None):
        """The newest execution started since the rule last changed that was still at work at ``since`` or later (None
        when there is none), its state confirmed.

        ``since`` is when the caller compared source and destination (the replication role): an execution that another run
        started before that moment but that ended after it may have copied what the comparison found missing, so it counts
        too (found against Harbor v2.15.2, whose executions of a small image end within seconds: a second run that compared
        while the first run's execution was copying started another one). A ``Failed`` read is confirmed first: Harbor can
        report Failed for a moment before Succeed (goharbor/harbor#14986). Only this execution counts: an older success
        followed by a failed or stopped run is not "already succeeded"."""
        changed_at = parse_time(rule.get("update_time")) or parse_time(rule.get("creation_time"))
        for execution in executions:
            started = parse_time(execution.get("start_time"))
            if changed_at is not None and not (started and started >= changed_at):
                continue
            ended = parse_time(execution.get("end_time"))
            if since is not None and not ((started and started >= since) or ended is None or ended >= since):
                continue
            if execution.get("status") == "Failed" and not self._confirm_final(dict(execution)):
                execution = self.get(execution["id"])
            return execution
        return None

    # -- actions --------------------------------------------------------------------------------------------------
    def start_once(self, rule):
        """Start an execution of the rule unless one is running: ``(id to follow, started by this call, note)``.

        One execution at a time per rule: the running executions are read again right before the start (another run may
        have started one since this one planned), and again right after it. Two runs that start at the same moment both
        see the other's execution then; each keeps the earliest (the lowest id), so the run that started a later one stops
        it at once and follows the earliest. Harbor has no atomic "start unless running" (single_active_replication, 2.14
        and later, records the second start as a Failed execution instead), so this is the narrowest window there is."""
        known = self.recent(rule)
        running = self._in_progress(known)
        if running:
            return running[0]["id"], False, ("execution %s was already running (started by another run after this one"
                                             " looked)" % running[0]["id"])
        execution_id = self.start(rule, known)
        earlier = [e for e in self._in_progress(self.recent(rule)) if _earlier(e.get("id"), execution_id)]
        if not earlier:
            return execution_id, True, "started execution %s" % execution_id
        self.stop(execution_id)
        return earlier[0]["id"], True, ("execution %s was started by another run at the same moment; this run's execution %s"
                                        " was stopped at once and %s followed" % (earlier[0]["id"], execution_id, earlier[0]["id"]))

    @staticmethod
    def _in_progress(executions):
        """The running executions, the earliest first."""
        return sorted((e for e in executions if e.get("status") == "InProgress"), key=lambda e: _id_key(e.get("id")))

    def start(self, rule, known=None):
        """POST a new execution; when the answer is lost (timeout, dropped connection, 502/504 of a proxy), look whether
        Harbor started one anyway before reporting the failure, so that it is followed rather than started twice."""
        if not rule.get("enabled"):
            raise HarborValidationError(_disabled(rule))
        known = set(e.get("id") for e in (self.recent(rule) if known is None else known))
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
                              " (and follows a running one, also with force=true)." % (rule["name"], exc), status=exc.status, code=exc.code,
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
        """Poll until the execution is confirmed final; return (execution, timed_out)."""
        return self.wait_all([execution_id])[execution_id]

    def wait_all(self, execution_ids):
        """Poll the executions together until each one is confirmed final; ``{id: (execution, timed_out)}``.

        ``wait_timeout`` bounds the whole wait, polls included: no request waits for an answer or a retry past it. A
        final state counts when the next read (one short pause later) shows it again and no task is still running:
        Harbor can report Failed for a moment before Succeed (goharbor/harbor#14986)."""
        ids = list(dict.fromkeys(execution_ids))
        deadline = self._clock() + self.wait_timeout
        self._deadline = deadline
        self.client.deadline = time.monotonic() + self.wait_timeout
        latest = dict((i, dict(id=i, status="unknown (no answer in time)")) for i in ids)
        done, seen_final = {}, {}           # seen_final: id -> the final status read once, confirmed by the next read
        interval, confirm = min(1.0, self.wait_sleep), min(1.0, self.wait_sleep)
        grace = True                        # a final state read at the deadline still gets its confirming read
        try:
            while ids:
                fresh = False
                try:
                    for execution_id in [i for i in ids if i not in done]:
                        execution = latest[execution_id] = self._get_or_gone(execution_id)
                        if execution.get("status") == GONE:
                            done[execution_id] = execution
                        elif not self._looks_final(execution):
                            seen_final.pop(execution_id, None)
                        elif seen_final.get(execution_id) == execution.get("status") and self._tasks_final(execution_id):
                            done[execution_id] = execution
                        elif execution_id not in seen_final:
                            seen_final[execution_id], fresh = execution.get("status"), True
                        else:
                            seen_final[execution_id] = execution.get("status")
                except HarborError as exc:
                    if exc.status is None and self._clock() >= deadline - 0.05:
                        break                       # a poll cut short by the deadline
                    raise
                if len(done) == len(ids):
                    break
                if self._clock() >= deadline:
                    if not (fresh and grace):
                        break
                    grace = False
                pending_final = any(i not in done for i in seen_final)
                self._sleep(min(confirm if pending_final else interval, max(deadline - self._clock(), 0.05)))
                if not pending_final:
                    interval = min(interval * 1.5, self.wait_sleep)
        finally:
            self.client.deadline = None
            self._deadline = None
        return dict((i, (done[i], False) if i in done else (latest[i], True)) for i in ids)

    def _get_or_gone(self, execution_id):
        """The execution, or ``{"id": .., "status": "Gone"}`` when Harbor answers 404: someone deleted its rule (which
        deletes the rule's executions) while it was waited for. The other executions are still waited for."""
        try:
            return self.get(execution_id)
        except HarborError as exc:
            if exc.status != 404:
                raise
            return dict(id=execution_id, status=GONE, status_text="Harbor answered 404 for it (%s %s)" % (exc.method, exc.path))

    def _tasks_final(self, execution_id):
        try:
            return all(t.get("status") in FINAL_TASK_STATES for t in self.tasks(execution_id))
        except HarborError as exc:
            if exc.status != 404:
                raise
            return True                 # gone with its rule: the next read of the execution says so

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
        if not self._tasks_final(execution["id"]):
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
        cause = failure_cause(task["log_excerpt"])
        parts.append("%s → %s%s" % (task["src_resource"], task["dst_resource"], " (%s)" % cause if cause else ""))
    more = len(result["failed_tasks"]) - shown
    if more > 0:
        parts.append("and %d more" % more)
    head = "%d of %d tasks failed" % (result["failed"], result["total"])
    if result["status_text"]:
        head += " (%s)" % result["status_text"]
    return "%s: %s" % (head, "; ".join(parts)) if parts else head


def failure_cause(excerpt):
    """The log line that says why a task failed: the first ERROR line other than transfer.go's closing "got error
    during the whole transfer period, mark the job failure" (src/controller/replication/transfer/image/transfer.go),
    else the last line; without its time, level and source location."""
    lines = [line.strip() for line in (excerpt or "").splitlines() if line.strip()]
    parsed = [(LOG_LINE.match(line), line) for line in lines]
    errors = [match.group("text") for match, _line in parsed
              if match and match.group("level") in ("ERROR", "FATAL") and CLOSING_ERROR not in match.group("text")]
    if errors:
        return errors[0]
    if not parsed:
        return ""
    match, line = parsed[-1]
    return match.group("text") if match else line


def progress(result):
    return ("%(status)s, %(total)s tasks: %(succeed)s succeeded, %(failed)s failed, %(in_progress)s in progress,"
            " %(stopped)s stopped" % result)


def _id_key(execution_id):
    """Executions in the order Harbor created them (ids are increasing integers)."""
    try:
        return (0, int(execution_id))
    except (TypeError, ValueError):
        return (1, str(execution_id))


def _earlier(execution_id, than):
    return execution_id != than and _id_key(execution_id) < _id_key(than)


def _disabled(rule):
    return ("replication rule %s is disabled and cannot be started: enable it with registryops.harbor.harbor_replication_rule"
            " (enabled: true)" % rule.get("name"))


# -- the execution modules ------------------------------------------------------------------------------------------
# Options of harbor_replication_execution that each element of ``rules`` has; wait_timeout, wait_sleep and log_lines
# (and the connection) are per call: every execution of the call is waited for together, within one wait_timeout.
ELEMENT_OPTIONS = ("rule", "state", "force", "since", "wait", "stop_on_timeout", "fail_on_error")


class ExecutionFailed(HarborPartialError):
    """A failure after the work began (an execution that ended Failed or Stopped, a wait that timed out, an error after
    some executions were started): ``result`` holds what the module reports with the failure (``execution``,
    ``executions`` or the per-rule ``results``). HarborModule.run is the one place that turns it into fail_json."""

    def __init__(self, msg, result):
        super(ExecutionFailed, self).__init__(msg, result=result)


def run_execution(module):
    """harbor_replication_execution: start (idempotently) or stop the executions of one rule or of a list of rules
    (``rules``), and wait for them: every execution is started (or stopped) first, then all are waited for together."""
    p = module.params
    for option, low in (("wait_timeout", 0), ("log_lines", 0)):
        if p[option] < low:
            raise HarborValidationError("%s: must be %d or more, got %s" % (option, low, p[option]))
    if not (math.isfinite(p["wait_sleep"]) and 0 < p["wait_sleep"] <= WAIT_SLEEP_MAX):
        raise HarborValidationError("wait_sleep: must be a number of seconds greater than 0 and at most %d, got %s"
                                    % (WAIT_SLEEP_MAX, p["wait_sleep"]))
    label = "rules" if p.get("rules") is not None else None
    items = p["rules"] if label else [dict((k, p[k]) for k in ELEMENT_OPTIONS)]
    executions = Executions(module, wait_timeout=p["wait_timeout"], wait_sleep=p["wait_sleep"], log_lines=p["log_lines"])
    runs = [_Run(module, executions, item, label and "%s[%d]" % (label, index)) for index, item in enumerate(items)]
    _plan(executions, runs, label)
    # the one write of each rule, in order; an error after some is reported with what those did (reconcile's handling)
    in_order(runs, label, lambda run: run.name, lambda run: run.act(), result_of=lambda run, _: run.element_result())
    waited = [run for run in runs if run.waits()]
    if waited:
        outcome = executions.wait_all([i for run in waited for i in run.wait_ids()])
        for run in waited:
            run.waited(outcome)
    for run in runs:
        try:
            run.finish()
        except HarborError as exc:
            if exc.status != 404:
                raise
            run.gone(exc)
    if label is None:
        run = runs[0]
        if run.failure:
            raise ExecutionFailed(run.failure, run.result_keys())
        return dict(run.result_keys(), changed=run.changed, msg=run.msg)
    results = [run.element_result() for run in runs]
    failed = [run for run in runs if run.failure]
    if failed:
        raise ExecutionFailed("%d of %d rules failed: %s. Done: %s." % (
            len(failed), len(runs), "; ".join("%s (rule %s): %s" % (run.where, run.name, run.failure) for run in failed),
            ", ".join("%s (%s)" % (run.name, "failed" if run.failure else "changed" if run.changed else "unchanged") for run in runs)),
            dict(results=results))
    return dict(changed=any(run.changed for run in runs), results=results,
                msg="; ".join("%s: %s" % (run.name, run.msg) for run in runs))


def _plan(executions, runs, label):
    """Validate every element and decide what each one does, before any write: one listing of the rules, then each
    rule's recent executions."""
    for index, run in enumerate(runs):
        with element(label, index, run.name):
            check_rule_name(run.name, "rule")
    unique([run.name for run in runs], "rule", "rule", label)
    found = executions.client.list_named(POLICIES, [run.name for run in runs])
    for index, run in enumerate(runs):
        with element(label, index, run.name):
            run.plan(found.get(run.name))


class _Run(object):
    """One rule of the call: plan (reads only), act (the one write: start, or stop the running executions), then the
    outcome of the common wait, and the result."""

    def __init__(self, module, executions, item, where):
        self.module, self.executions, self.item, self.where = module, executions, item, where
        self.name = item["rule"]
        self.rule = None
        self.changed = False
        self.result = None                  # the final ``execution`` (state=started) or ``executions`` (state=stopped)
        self.msg = None
        self.failure = None
        self.execution_id = None            # state=started: the execution to follow (started or found running)
        self.start_needed = False
        self.note = None
        self.running = []                   # state=stopped: the executions in progress
        self.stopped = []
        self.outcome = {}

    @property
    def stopping(self):
        return self.item["state"] == "stopped"

    def plan(self, rule):
        check = self.module.check_mode
        since = self.item.get("since")
        since = parse_time(since) if since else None
        if self.item.get("since") and since is None:
            raise HarborValidationError("since: expected a time in ISO 8601 with a zone, such as 2026-05-01T10:00:00Z, got %r"
                                        % self.item["since"])
        if rule is None and check:
            # a check run of a fresh set-up: the task that creates the rule ran in check mode too
            self.module.warn("rule: no replication rule named %r exists yet; check mode goes on as if an earlier task created it,"
                             " but a real run fails unless it exists by then" % self.name)
            if self.stopping:
                self._done(False, [], "would stop nothing: replication rule %s does not exist yet" % self.name)
            else:
                self._done(True, None, "would start an execution of replication rule %s once it exists" % self.name)
            return
        self.rule = rule or self.executions.rule(self.name)     # the error lists the rules that exist
        if self.stopping:
            self.running = self.executions.recent(self.rule, status="InProgress")
            if check:
                described = [self.executions.describe(e, self.name, with_failures=False) for e in self.running]
                self._done(bool(self.running), described, "would stop %d execution(s) of replication rule %s" % (len(self.running), self.name))
            return
        recent = self.executions.recent(self.rule)
        latest = self.executions.latest_since_change(self.rule, recent, since=since)
        running = [e for e in recent if e.get("status") == "InProgress" and (not latest or e.get("id") != latest.get("id"))]
        if latest and latest.get("status") == "InProgress":
            running.insert(0, latest)
        succeeded = latest if latest and latest.get("status") == "Succeed" else None
        if running:
            # one execution at a time per rule, also with force: a second one would copy the same artifacts at once
            self.execution_id = running[0]["id"]
            self.note = "execution %s was already running" % self.execution_id
        elif succeeded and not self.item["force"]:
            self._done(False, self.executions.describe(succeeded, self.name),
                       "replication rule %s already succeeded with execution %s, its latest since %s (force=true starts another)"
                       % (self.name, succeeded["id"], "it last changed" if since is None else "%s (since)" % self.item["since"]))
            return
        else:
            if not self.rule.get("enabled"):
                raise HarborValidationError(_disabled(self.rule))
            if check:
                self._done(True, None, "would start an execution of replication rule %s" % self.name)
                return
            self.start_needed = True

    def _done(self, changed, result, msg):
        self.changed, self.result, self.msg = changed, result, msg

    @property
    def planned(self):
        return self.msg is not None

    def act(self):
        if self.planned:
            return
        if self.stopping:
            self.stopped = [e["id"] for e in self.running if self.executions.stop(e["id"])]
            self.changed = bool(self.stopped)
        elif self.start_needed:
            self.execution_id, self.changed, self.note = self.executions.start_once(self.rule)

    def waits(self):
        """Nothing is waited for in check mode (a followed execution is described as it is)."""
        return not self.planned and self.item["wait"] and not self.module.check_mode and bool(self.wait_ids())

    def wait_ids(self):
        return self.stopped if self.stopping else [self.execution_id]

    def waited(self, outcome):
        self.outcome = dict((i, outcome[i]) for i in self.wait_ids())

    def finish(self):
        if self.planned:
            return
        if self.stopping:
            self._finish_stop()
        elif not self.outcome:
            result = self.executions.describe(self.executions.get(self.execution_id), self.name, with_failures=False)
            self._done(self.changed, result, "%s of replication rule %s" % (self.note, self.name))
        else:
            self._finish_start()

    def gone(self, exc):
        """The rule or its execution answered 404 after the work began: someone deleted the rule (and its executions)."""
        execution = " %s" % self.execution_id if self.execution_id else ""
        self.failure = ("replication rule %s was deleted while this task ran (Harbor answered 404 for %s %s); nothing more"
                        " can be known about its execution%s" % (self.name, exc.method, exc.path, execution))
        self._done(self.changed, dict(id=self.execution_id, rule=self.name, status=GONE), self.failure)

    def _finish_start(self):
        execution, timed_out = self.outcome[self.execution_id]
        if execution.get("status") == GONE:
            self.failure = ("execution %s of replication rule %s is gone: %s while it was waited for, so the rule was"
                            " probably deleted by someone else (Harbor deletes a rule's executions with it)"
                            % (self.execution_id, self.name, execution["status_text"]))
            self._done(self.changed, self.executions.describe(execution, self.name, with_failures=False), self.failure)
            return
        if timed_out:
            left = "it is still running (state=stopped stops it; stop_on_timeout=true does it on timeout)"
            if self.item["stop_on_timeout"] and self.executions.stop(self.execution_id):
                left = "it was asked to stop"
                execution = self.executions.get(self.execution_id)
            result = self.executions.describe(execution, self.name, with_failures=False)
            self.failure = ("execution %s of replication rule %s did not finish within %s seconds (%s); %s"
                            % (self.execution_id, self.name, self.executions.wait_timeout, progress(result), left))
            self._done(self.changed, result, self.failure)
            return
        result = self.executions.describe(execution, self.name)
        msg = "%s of replication rule %s: %s" % (self.note, self.name, progress(result))
        if result["status"] != "Succeed":
            msg = "execution %s of replication rule %s ended %s: %s" % (self.execution_id, self.name, result["status"], failure_summary(result))
            if self.item["fail_on_error"]:
                self.failure = msg
        self._done(self.changed, result, msg)

    def _finish_stop(self):
        described = []
        for execution_id in self.stopped:
            if execution_id in self.outcome:
                execution, timed_out = self.outcome[execution_id]
                if timed_out and not self.failure:
                    self.failure = ("execution %s of replication rule %s was asked to stop but is still %s after %s seconds"
                                    % (execution_id, self.name, execution.get("status"), self.executions.wait_timeout))
            else:
                execution = self.executions.get(execution_id)
            described.append(self.executions.describe(execution, self.name, with_failures=False))
        self._done(bool(self.stopped), described, self.failure or "stopped %d execution(s) of replication rule %s"
                   % (len(self.stopped), self.name))

    def result_keys(self):
        """``execution`` (state=started) or ``executions`` (state=stopped), as a single-rule call returns it."""
        return dict(executions=self.result) if self.stopping else dict(execution=self.result)

    def element_result(self):
        """This rule's entry in ``results`` of a list call (also for a rule started or stopped before a later element's
        error, with what is known without another request)."""
        if self.planned:
            keys, msg = self.result_keys(), self.msg
        elif self.stopping:
            keys = dict(executions=[dict(id=i, rule=self.name) for i in self.stopped])
            msg = "asked %d execution(s) of replication rule %s to stop" % (len(self.stopped), self.name)
        else:
            keys = dict(execution=dict(id=self.execution_id, rule=self.name) if self.execution_id else None)
            msg = "%s of replication rule %s" % (self.note, self.name) if self.note else "nothing done yet"
        return dict(keys, name=self.name, state=self.item["state"], changed=self.changed, failed=bool(self.failure), msg=msg)


def execution_info(module):
    """harbor_replication_execution_info: a rule's recent executions (or one by id), with tasks and optional logs."""
    p = module.params
    if not 1 <= p["limit"] <= 100:
        raise HarborValidationError("limit: must be between 1 and 100, got %s" % p["limit"])
    if p["id"] is not None and p["id"] < 1:
        raise HarborValidationError("id: an execution id is a number from 1, got %s" % p["id"])
    check_rule_name(p["rule"], "rule")
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
