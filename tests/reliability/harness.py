"""Shared machinery of the reliability suites (faults, races, bad input, secrets, TLS).

- ``FULL``: true when ``RELIABILITY_FULL=1`` (``scripts/reliability.py --full``): the suites run their whole matrices;
  otherwise (pytest's default, what CI runs) a small representative slice of each.
- ``measure(suite, **figures)``: appends one JSON line to ``$RELIABILITY_RECORD`` (when set); scripts/reliability.py
  turns those lines into docs/reliability.md. Every figure in that document comes from here.
- ``shared_batch(key, compute)``: runs ``compute()`` once per test run, even when pytest-xdist spreads the test items
  that read its result over several workers (a lock file per key); the result must be JSON.
- ``tests.support.harbor.start_emulator()`` / ``Target``: emulators outside pytest's fixtures (a batch owns many), stopped by the caller.
- ``clear_error(result)``: why a failed task result is not a clear error (``None`` when it is one).
- ``log_writes(log)``, ``malformed_paths(log)``, ``handled(log, method, pattern)``: readings of an emulator's request log.
"""
import fcntl
import fnmatch
import json
import logging
import os
import re
import uuid
from pathlib import Path

from tests.support.ansible import ansible_env, ansible_playbook, playbook_options, read_records
from tests.support.harbor import READ_METHODS

FULL = os.environ.get("RELIABILITY_FULL") == "1"
REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "tests" / "output" / "reliability"
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
logging.getLogger("werkzeug").setLevel(logging.ERROR)      # no access log lines from the many emulators


def measure(suite, **figures):
    path = os.environ.get("RELIABILITY_RECORD")
    if not path:
        return
    line = json.dumps(dict(figures, suite=suite), sort_keys=True, default=str)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line + "\n")
        fcntl.flock(handle, fcntl.LOCK_UN)


def shared_batch(key, compute):
    """``compute()``'s result, computed by the first worker of this test run that asks, read from a file by the others."""
    folder = OUTPUT / RUN_ID
    folder.mkdir(parents=True, exist_ok=True)
    result_file = folder / ("%s.json" % key)
    with open(folder / ("%s.lock" % key), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if result_file.exists():
                return json.loads(result_file.read_text())
            result = compute()
            result_file.write_text(json.dumps(result, default=str))
            return result
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def stop_all(targets):
    for target in targets:
        try:
            target.emulator.stop()
        except Exception:  # noqa: BLE001  (a stop that fails must not hide the test's own result)
            pass


# -- results ---------------------------------------------------------------------------------------------------------
def traceback_in(result):
    """A traceback or an unhandled exception in a task result (the raw module output, or Ansible's wrapper).

    ansible-core 2.19 puts ``exception: "(traceback unavailable)"`` into every ``fail_json`` result: not a crash."""
    text = json.dumps(result, default=str)
    if "Traceback (most recent call last)" in text or "MODULE FAILURE" in str(result.get("msg", "")):
        return True
    return bool(result.get("module_stderr"))


def clear_error(result):
    """Why ``result`` (a failed task) is not a clear error, or None: a message that says what happened, no traceback,
    no HTML page pasted in, not a wall of text."""
    msg = str(result.get("msg") or "")
    if traceback_in(result):
        return "traceback or module failure"
    if not msg.strip():
        return "no message"
    if re.search(r"<(html|body|head|!doctype)\b", msg, re.I):
        return "an HTML page in the message"
    if len(msg) > 2000:
        return "a message of %d characters" % len(msg)
    return None


def refusal_problems(result, option, log, accepted=False, whole_word=False):
    """Why a task's ``result`` and its emulator's request ``log`` are not a clear refusal of bad input before any write:
    it was accepted, the message is unclear or does not name ``option`` (as a whole word with ``whole_word``), a write
    or a malformed request path (``option``: a name, or a tuple of names any of which will do). ``accepted``: the input
    is good (a value at a limit): only a refusal naming ``option``, a write or a malformed path is a problem."""
    problems = []
    msg = str(result.get("msg") or "")
    options = option if isinstance(option, tuple) else (option,)     # a suboption: itself, or the option that holds it
    named = any(bool(re.search(r"(?<![a-z_])%s(?![a-z_])" % re.escape(o), msg)) if whole_word else o in msg for o in options)
    if not result:
        problems.append("the task did not run")
    elif accepted:
        if result.get("failed") and named:
            problems.append("refused although good: %s" % msg[:300])
    elif not result.get("failed"):
        problems.append("accepted (changed=%s): %s" % (result.get("changed"), msg[:200]))
    else:
        why = clear_error(result)
        if why:
            problems.append("not a clear error (%s): %s" % (why, msg[:300]))
        if not named:
            problems.append("the message does not name %s: %s" % (option, msg[:300]))
    writes = ["%s %s" % (e["method"], e["path"]) for e in log_writes(log)]
    if writes:
        problems.append("writes: %s" % writes)
    malformed = malformed_paths(log)
    if malformed:
        problems.append("malformed request paths: %s" % malformed)
    return problems


# -- request log -----------------------------------------------------------------------------------------------------
def log_writes(log):
    """Requests that may change something (every method but GET/HEAD; a registry ping changes nothing) and reached
    Harbor's handler."""
    return [e for e in log if e["method"] not in READ_METHODS and e.get("fault") not in ("status", "drop")
            and e["path"] != "/api/v2.0/registries/ping"]


def handled(log, method, pattern):
    """Requests of ``method`` on paths matching ``pattern`` that Harbor's handler ran (not answered by a fault)."""
    return [e for e in log if e["method"] == method and fnmatch.fnmatchcase(e["path"], pattern)
            and e.get("fault") not in ("status", "drop")]


# Every path the modules may ask for; anything else (an empty segment, "None", an unquoted name) is malformed.
_SEGMENT = r"[A-Za-z0-9._~%$!*'()+,;=:@-]+"
VALID_PATHS = [re.compile("^/api/v2.0%s$" % p.replace("{s}", _SEGMENT).replace("{id}", r"[1-9][0-9]*")) for p in (
    "/systeminfo", "/ping", "/registries", "/registries/ping", "/registries/{id}", "/registries/{id}/info",
    "/projects", "/projects/{s}", "/projects/{s}/summary", "/projects/{s}/repositories", "/projects/{s}/repositories/{s}",
    "/quotas", "/quotas/{id}", "/replication/policies", "/replication/policies/{id}", "/replication/executions",
    "/replication/executions/{id}", "/replication/executions/{id}/tasks", "/replication/executions/{id}/tasks/{id}/log",
    "/replication/adapters", "/replication/adapterinfos", "/robots", "/robots/{id}",
)]


def malformed_paths(log):
    bad = []
    for entry in log:
        path = entry["path"]
        if not path.startswith("/api/"):
            continue                    # /v2 and /service/token: another Harbor's health check, not a module request
        if not any(p.match(path) for p in VALID_PATHS) or "/None" in path or "//" in path:
            bad.append("%s %s" % (entry["method"], path))
    return bad


def grep(secret, text):
    """Occurrences of ``secret`` in ``text``, also URL-encoded or JSON-escaped."""
    import urllib.parse
    forms = {secret, urllib.parse.quote(secret, safe=""), json.dumps(secret)[1:-1]}
    return sum(text.count(form) for form in forms if form)


# -- ansible-playbook with many hosts --------------------------------------------------------------------------------

class Run:
    """One ansible-playbook run: ``rc``, ``output`` (stdout, with stderr unless ``stderr`` is kept apart), ``stderr``,
    ``results`` (every task result, with ``host``) and ``files`` (``{relative path: text}`` of the files the run left in
    its directory: Ansible's temporary directories, its log, what callbacks wrote; only with ``leave_files``)."""

    def __init__(self, rc, output, results, stderr="", files=None):
        self.rc, self.output, self.results, self.stderr, self.files = rc, output, results, stderr, files or {}

    def of(self, host):
        return [r for r in self.results if r.get("host") == host]

    def failures(self, host=None):
        return [r for r in self.results if r.get("failed") and (host is None or r.get("host") == host)]


def run_ansible(tasks, hosts=None, env=None, verbosity=0, check=False, diff=False, forks=8, play_vars=None, tmp_root=None,
                strategy="linear", extra_vars=None, files=None, plays=None, stdout_callback=None, leave_files=False):
    """Run ``tasks`` in one play on ``hosts`` (``{name: vars}``; default: localhost alone), all local connections.

    The connection options come from host variables ``harbor_url``/``harbor_username``/``harbor_password`` (and
    ``harbor_ca_path``) through module_defaults when the host has them, else from the HARBOR_* variables in ``env``.
    ``files``: more files for the run's directory (``{name: YAML-able data}``, e.g. task files that ``include_tasks``
    reads); ``plays``: more plays after the first (``[{"hosts": ..., "tasks": ...}]``, local connection added);
    ``stdout_callback``: another of ansible-core's stdout callbacks (``minimal``, ``oneline``); ``leave_files``: also run
    the ``tree`` and ``junit`` callbacks and a log file, keep Ansible's temporary files in the run's directory, keep
    stderr apart, and read every file the run left there (``Run.files``).
    """
    import subprocess
    import sys
    import tempfile

    import yaml

    hosts = hosts or {"localhost": {}}
    defaults = {}
    if any("harbor_url" in h for h in hosts.values()):
        defaults = {"group/registryops.harbor.harbor": {
            "harbor_url": "{{ harbor_url }}", "harbor_username": "{{ harbor_username }}",
            "harbor_password": "{{ harbor_password }}"}}
        if all("harbor_ca_path" in h for h in hosts.values()):
            defaults["group/registryops.harbor.harbor"]["ca_path"] = "{{ harbor_ca_path }}"
    play = [{"name": "reliability", "hosts": "all", "connection": "local", "gather_facts": False, "strategy": strategy,
             "vars": dict(play_vars or {}), "module_defaults": defaults, "tasks": tasks}]
    play += [dict({"connection": "local", "gather_facts": False}, **more) for more in plays or []]
    with tempfile.TemporaryDirectory(prefix="harbor-reliability-", dir=tmp_root) as tmp:
        tmp = Path(tmp)
        inputs = {"play.yml": play}
        inputs.update(files or {})
        for name, data in inputs.items():
            (tmp / name).write_text(yaml.safe_dump(data, sort_keys=False))
        inventory = {"all": {"hosts": dict((name, dict(hvars, ansible_connection="local", ansible_python_interpreter=sys.executable))
                                           for name, hvars in hosts.items())}}
        (tmp / "inventory.yml").write_text(yaml.safe_dump(inventory, sort_keys=False))
        record = tmp / "results.jsonl"
        cmd = [ansible_playbook(), "-i", str(tmp / "inventory.yml"), str(tmp / "play.yml"), "--forks", str(forks)]
        cmd += playbook_options(tmp, check, diff, verbosity, extra_vars)    # extra vars like vaulted ones: in a file
        full_env = ansible_env(tmp, record=record)
        full_env["ANSIBLE_HOST_KEY_CHECKING"] = "0"
        if stdout_callback:
            full_env["ANSIBLE_STDOUT_CALLBACK"] = stdout_callback
        if leave_files:
            full_env.update(ANSIBLE_CALLBACKS_ENABLED="record,tree,junit", ANSIBLE_CALLBACK_TREE_DIR=str(tmp / "tree"),
                            JUNIT_OUTPUT_DIR=str(tmp / "junit"), ANSIBLE_LOG_PATH=str(tmp / "ansible.log"),
                            ANSIBLE_REMOTE_TMP=str(tmp / "remote-tmp"))
        full_env.update(env or {})
        proc = subprocess.run(cmd, cwd=str(tmp), env=full_env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE if leave_files else subprocess.STDOUT, text=True, timeout=1800, check=False)
        left = {}
        if leave_files:
            given = set(inputs) | {"inventory.yml", "extra.json"}
            for path in sorted(tmp.rglob("*")):
                name = str(path.relative_to(tmp))
                if path.is_file() and name not in given:
                    left[name] = path.read_text(errors="replace")
        return Run(proc.returncode, proc.stdout, read_records(record), stderr=proc.stderr or "", files=left)


def host_vars(target):
    found = {"harbor_url": target.url, "harbor_username": target.username, "harbor_password": target.password}
    if target.ca_path:
        found["harbor_ca_path"] = target.ca_path
    return found
