"""Replication executions and their tasks (mirrors src/controller/replication/execution.go, flow/copy.go, flow/stage.go,
src/pkg/task and the jobservice replication job).

``start`` creates the execution (``InProgress`` at once) and runs the flow in a background thread, as Harbor runs it in a
goroutine: fetch the candidates from the source (filters applied), compute each destination path
(``replace_namespace``), prepare the destination (create missing projects), then one task per repository resource,
``src_resource``/``dst_resource`` named ``<repository> [<n> item(s) in total]`` like Harbor's ``getResourceName``.
A flow error (unreachable source, a flattening deeper than a path, a project that cannot be created) marks the
execution ``Failed`` with the error as ``status_text`` and no task; nothing matched -> ``Succeed`` with
``no resources need to be replicated``.

Tasks run together: all ``InProgress`` for ``task_seconds``, then each copies its artifacts (pull the manifest from the
source, push it to the destination, per tag or per digest when untagged; a reference the destination already has is
skipped when ``override`` is off or the digest is the same) and ends ``Succeed`` or ``Failed`` with a log.
Test settings (``POST /_emulator/replication``, see ``configure``): ``fail`` and ``hang`` select tasks by an fnmatch
pattern on the source repository (``library/bad*``); a hung task stays ``InProgress`` until the execution is stopped;
``transient_failed`` makes every successful task read ``Failed`` in the first read of its execution after the end,
then ``Succeed`` (the retry of Harbor issue #14986); ``chunk_size`` is Harbor's ``REPLICATION_CHUNK_SIZE`` (a rule with
``copy_by_chunk`` copies larger blobs in ranges, replication/transfer.py). A rule's ``speed`` > 0 reads every blob at
that limit (iothrottler.py) and the task log says ``limit network speed at <speed> kb/s``.

An execution started by an event (replication/event.py, trigger ``event_based``) plans only the event's resource; a
deleted resource gets one ``deletion`` task per repository that deletes its references on the destination.

``stop`` is asynchronous: it only signals the runner, which marks every unfinished task ``Stopped`` right after.
Stopping a finished execution changes nothing. Execution status: stored while it has no task, else aggregated from the
tasks (any pending/running -> ``InProgress``, else ``Failed`` beats ``Stopped`` beats ``Succeed``).
All state changes take ``state.lock``; remote HTTP calls are made without it.
"""
import fnmatch
import threading
import uuid
from datetime import datetime, timezone

from ..errors import HarborAPIError
from ..state import ZERO_TIME, now
from . import filter as filters_mod, transfer
from .adapter import AdapterError, adapter_for

DEFAULT_SETTINGS = {"task_seconds": 0.2, "fail": None, "hang": None, "transient_failed": False,
                    "chunk_size": transfer.CHUNK_SIZE}      # Harbor's REPLICATION_CHUNK_SIZE (copy_by_chunk)
FINAL = ("Succeed", "Failed", "Stopped")
RUNNING = ("Pending", "InProgress")
HANG_LIMIT = 600            # a hung task gives up waiting for a stop after this many seconds (the thread must end)
SKIPPED = "Execution skipped: active replication still in progress."
NOTHING_TO_DO = "no resources need to be replicated"


class FlowError(Exception):
    pass


def runtime(state):
    """This emulator's replication runtime: settings and the stop signal of each running execution."""
    with state.lock:
        return state.extensions.setdefault("replication", {"settings": dict(DEFAULT_SETTINGS), "stops": {}})


def configure(state, data):
    """Apply the test control's settings; ``{}`` restores the defaults."""
    settings = dict(DEFAULT_SETTINGS)
    unknown = set(data) - set(settings)
    if unknown:
        raise ValueError("unknown replication settings: %s" % ", ".join(sorted(unknown)))
    settings.update(data)
    seconds = settings["task_seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError("task_seconds must be a number >= 0")
    fail = settings["fail"]
    if fail is not None and not (isinstance(fail, dict) and isinstance(fail.get("pattern"), str)):
        raise ValueError("fail must be {\"pattern\": \"<fnmatch pattern>\", \"log\": \"<text>\"}")
    if settings["hang"] is not None and not isinstance(settings["hang"], str):
        raise ValueError("hang must be an fnmatch pattern")
    settings["transient_failed"] = bool(settings["transient_failed"])
    chunk = settings["chunk_size"]
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk <= 0:
        raise ValueError("chunk_size must be a number of bytes > 0")
    with state.lock:
        runtime(state)["settings"] = settings
    return settings


# ----- flow/stage.go

def replace_namespace(repository, namespace, replace_count):
    """The destination path of ``repository``: -1 replaces the whole namespace, N >= 0 the first N components."""
    if not namespace:
        return repository
    components = repository.split("/")
    depth = len(components) - 1
    if replace_count < 0:
        prefix = namespace
    elif replace_count > depth:
        raise FlowError("the source repository \"%s\" contains only %d path components %s excepting the last one, but the"
                        " destination namespace flattening level is %d"
                        % (repository, depth, go_list(components[:-1]), replace_count))
    else:
        prefix = "/".join([namespace] + components[replace_count:-1])
    return prefix + "/" + components[-1]


def go_list(items):
    return "[%s]" % " ".join(items)


def resource_name(repository, artifacts):
    count = sum(len(art["tags"]) or (1 if art["digest"] else 0) for art in artifacts)
    return "%s [%d item(s) in total]" % (repository, count)


# ----- executions

def execution_status(state, execution):
    tasks = tasks_of(state, execution["id"])
    if not tasks:
        return execution["status"]
    statuses = {task["status"] for task in tasks}
    if statuses & set(RUNNING):
        return "InProgress"
    for status in ("Failed", "Stopped"):
        if status in statuses:
            return status
    return "Succeed"


def tasks_of(state, execution_id):
    return sorted((t for t in state.tasks.values() if t["execution_id"] == execution_id), key=lambda t: t["id"])


def running(state, policy_id):
    return [e for e in state.executions.values() if e["policy_id"] == policy_id and execution_status(state, e) == "InProgress"]


def start(state, policy, src_registry, dest_registry, trigger, resource=None):
    """Create an execution of ``policy`` (lock held) and start its flow; returns the execution id. ``resource`` (an
    event, replication/event.py): only that resource is copied, or deleted on the destination when it is ``deleted``."""
    busy = policy["single_active_replication"] and running(state, policy["id"])
    execution_id = state.next_id("execution")
    execution = state.executions[execution_id] = {
        "id": execution_id, "policy_id": policy["id"], "status": "InProgress", "status_text": "", "trigger": trigger,
        "start_time": now(), "end_time": ZERO_TIME,
    }
    if busy:
        finish(execution, "Failed", SKIPPED)
        return execution_id
    stop_signal = runtime(state)["stops"][execution_id] = threading.Event()
    settings = dict(runtime(state)["settings"])
    args = (state, execution_id, dict(policy), src_registry, dest_registry, settings, stop_signal, resource)
    threading.Thread(target=run_flow, args=args, name="replication-execution-%d" % execution_id, daemon=True).start()
    return execution_id


def finish(execution, status, text):
    execution.update(status=status, status_text=text, end_time=now())


def stop(state, execution_id):
    """Ask the execution to stop (lock held). Without tasks, an unfinished execution is Stopped at once."""
    execution = state.executions[execution_id]
    signal = runtime(state)["stops"].get(execution_id)
    if signal is not None:
        signal.set()
    if not tasks_of(state, execution_id) and execution["status"] not in FINAL:
        finish(execution, "Stopped", execution["status_text"])


def delete_executions(state, policy_id):
    for execution_id in [e["id"] for e in state.executions.values() if e["policy_id"] == policy_id]:
        for task in tasks_of(state, execution_id):
            del state.tasks[task["id"]]
        del state.executions[execution_id]
        runtime(state)["stops"].pop(execution_id, None)


def render_execution(state, execution):
    """The swagger ReplicationExecution (lock held); a pending transient failure is shown once, then retried."""
    tasks = tasks_of(state, execution["id"])
    status = execution_status(state, execution)
    counts = {key: sum(1 for t in tasks if t["status"] in states) for key, states in
              (("succeed", ("Succeed",)), ("failed", ("Failed",)), ("in_progress", RUNNING), ("stopped", ("Stopped",)))}
    end_time = execution["end_time"]
    if tasks:
        end_time = max(t["end_time"] for t in tasks) if status in FINAL else ZERO_TIME
    out = {"id": execution["id"], "policy_id": execution["policy_id"], "status": status, "trigger": execution["trigger"],
           "start_time": execution["start_time"], "end_time": end_time, "status_text": execution["status_text"],
           "total": len(tasks)}
    out.update(counts)
    if status in FINAL:
        retry_transient(tasks)
    return out


def retry_transient(tasks):
    for task in tasks:
        if task.pop("_retry", False):
            task.update(status="Succeed", end_time=now())
            task["_log"].append(log_line("INFO", "retry succeeded"))


def render_task(task):
    return {key: value for key, value in task.items() if not key.startswith("_") and value != ""}


TRANSFER_GO = "/controller/replication/transfer/image/transfer.go"
INTERNAL_CORE_URL = "http://core:8080"          # Harbor's own registry, as the local side of a policy


def log_line(level, text, line=None):
    """One line of a task's log as Harbor's job logger writes it (src/lib/log/textformatter.go, logger.go line()):
    ``<RFC 3339 time, whole seconds> [<LEVEL>] [<Go file below src>:<line>]: <text>``; ``line`` is the line of
    transfer.go that writes it (lines the emulator adds on its own carry no location)."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if line is None:
        return "%s [%s] %s" % (stamp, level, text)
    return "%s [%s] [%s:%d]: %s" % (stamp, level, TRANSFER_GO, line, text)


def task_logger(task):
    """The ``log(level, text, line)`` callback of transfer.py for one task."""
    return lambda level, text, line=None: task["_log"].append(log_line(level, text, line))


# ----- the flow, in its own thread

def run_flow(state, execution_id, policy, src_registry, dest_registry, settings, stop_signal, resource=None):
    try:
        tasks, plan = create_tasks(state, execution_id, policy, src_registry, dest_registry, resource)
        if tasks:
            run_tasks(state, tasks, plan, settings, stop_signal)
    finally:
        with state.lock:
            runtime(state)["stops"].pop(execution_id, None)


def create_tasks(state, execution_id, policy, src_registry, dest_registry, resource=None):
    """Plan the copies and create their tasks; a flow error or an empty plan ends the execution here."""
    try:
        plan = plan_tasks(state, policy, src_registry, dest_registry, resource)
    except FlowError as exc:
        mark(state, execution_id, "Failed", str(exc))
        return [], None
    with state.lock:
        if state.executions.get(execution_id, {}).get("status") in FINAL:
            return [], plan                             # stopped while the candidates were fetched
        if not plan["tasks"]:
            mark(state, execution_id, "Succeed", NOTHING_TO_DO)
            return [], plan
        return [create_task(state, execution_id, item, src_registry, dest_registry) for item in plan["tasks"]], plan


def mark(state, execution_id, status, text):
    with state.lock:
        execution = state.executions.get(execution_id)
        if execution is not None and execution["status"] not in FINAL:
            finish(execution, status, text)


def plan_tasks(state, policy, src_registry, dest_registry, resource=None):
    """The copy flow (flow/copy.go: the event's resource, else the candidates fetched from the source) or, for a deleted
    resource, the deletion flow (flow/deletion.go: no destination project is prepared)."""
    src, dst = adapter_for(state, src_registry), adapter_for(state, dest_registry)
    for side, adapter, registry in (("source", src, src_registry), ("destination", dst, dest_registry)):
        try:                                            # stage.go initialize: both adapters before anything is fetched
            adapter.create()
        except AdapterError as exc:
            raise FlowError("failed to create adapter for %s registry %s: %s" % (side, registry["url"], exc))
    try:
        resources = [resource] if resource is not None else src.fetch(policy["filters"])
    except (AdapterError, filters_mod.PatternError) as exc:
        raise FlowError("failed to fetch artifacts: %s" % exc)
    items, public = [], {}
    for res in resources:
        destination = replace_namespace(res["repository"], policy["dest_namespace"], policy["dest_namespace_replace_count"])
        items.append({"resource": res, "destination": destination})
        if res["public"] is not None:
            public.setdefault(destination.split("/", 1)[0], res["public"])
    if items and not (resource or {}).get("deleted"):
        try:
            dst.prepare([item["destination"] for item in items], public)
        except (AdapterError, HarborAPIError) as exc:
            raise FlowError("failed to do the prepare work for pushing/uploading resources: %s" % exc)
    return {"tasks": items, "src": src, "dst": dst, "override": policy["override"], "state": state,
            "copy_by_chunk": policy.get("copy_by_chunk"), "speed": policy.get("speed") or 0}


def create_task(state, execution_id, item, src_registry, dest_registry):
    res = item["resource"]
    task_id = state.next_id("task")
    task = state.tasks[task_id] = {
        "id": task_id, "execution_id": execution_id, "status": "InProgress", "job_id": uuid.uuid4().hex[:24],
        "operation": "deletion" if res.get("deleted") else "copy", "resource_type": res["type"],
        "src_resource": resource_name(res["repository"], res["artifacts"]),
        "dst_resource": resource_name(item["destination"], res["artifacts"]), "start_time": now(), "end_time": ZERO_TIME,
        "_item": item, "_log": [log_line("INFO", "client for %s registry [type: %s, URL: %s, insecure: %s] created"
                                         % ((side,) + described), line)
                                for side, described, line in (("source", describe(src_registry), 140),
                                                              ("destination", describe(dest_registry), 150))],
    }
    return task


def describe(registry):
    """``(type, URL, insecure)`` of one side as transfer.go's initialize logs it; None is this Harbor (its internal core
    URL, insecure, as Harbor's local registry model)."""
    if registry is None:
        return "harbor", INTERNAL_CORE_URL, "true"
    return registry.get("type"), registry.get("url"), "true" if registry.get("insecure") else "false"


def run_tasks(state, tasks, plan, settings, stop_signal):
    plan["chunk_size"] = settings["chunk_size"] if plan.get("copy_by_chunk") else None
    stop_signal.wait(settings["task_seconds"])
    for task in tasks:
        if stop_signal.is_set():
            break
        source = task["_item"]["resource"]["repository"]
        if settings["hang"] and fnmatch.fnmatchcase(source, settings["hang"]):
            continue
        if settings["fail"] and fnmatch.fnmatchcase(source, settings["fail"]["pattern"]):
            end_task(state, task, "Failed", [log_line("ERROR", settings["fail"].get("log") or "injected failure", 195),
                                             log_line("ERROR", transfer.CLOSING_ERROR, 201)])
            continue
        if not copy_artifacts(plan, task, plan["override"]):
            end_task(state, task, "Failed")
            continue
        end_task(state, task, "Succeed", retry=settings["transient_failed"])
    if any(task["status"] in RUNNING for task in tasks):
        stop_signal.wait(HANG_LIMIT)
    with state.lock:
        for task in tasks:
            if task["status"] in RUNNING:
                task.update(status="Stopped", end_time=now())
                task["_log"].append(log_line("INFO", "the job is stopped", 175))


def copy_artifacts(plan, task, override):
    """Copy every reference of the task's resource (its tags, or the digest of an untagged artifact) with
    transfer.copy_repository, as Harbor's image transfer (controller/replication/transfer/image/transfer.go copy): an
    error is logged and the next reference tried; False when any failed. (Harbor pushes the layers first, so against a
    proxy-cache project its first error names a blob; the in-memory storage keeps no layers and fails on the manifest,
    with the same registry answer.)"""
    item = task["_item"]
    source, destination = item["resource"]["repository"], item["destination"]
    src, dst = transfer.content_of(plan["state"], plan["src"]), transfer.content_of(plan["state"], plan["dst"])
    references = [reference for art in item["resource"]["artifacts"] for reference in art["tags"] or [art["digest"]]]
    if item["resource"].get("deleted"):
        return delete_artifacts(dst, task, destination, references)
    return transfer.copy_repository(src, dst, source, destination, references, override, task_logger(task),
                                    chunk_size=plan.get("chunk_size"), speed=plan.get("speed", 0))


def delete_artifacts(dst, task, destination, references):
    """transfer.go delete: every reference of the deleted resource, on the destination; one it lacks is skipped; the
    first error ends the task Failed."""
    for reference in references:
        try:
            transfer.delete(dst, destination, reference, task_logger(task))
        except AdapterError:
            return False
    return True


def end_task(state, task, status, lines=(), retry=False):
    with state.lock:
        if task["status"] not in RUNNING:
            return
        task["_log"].extend(lines)
        if retry:
            task.update(status="Failed", end_time=now(), _retry=True)
            task["_log"].append(log_line("WARNING", "the job failed, it will be retried"))
        else:
            task.update(status=status, end_time=now())
