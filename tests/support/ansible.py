"""Running real ``ansible-playbook`` with this collection, for the tests and the measuring scripts.

``run_playbook(tasks, target=None, check=False, diff=False, verbosity=0, extra_vars=None, env=None, vars=None)`` writes a
playbook for localhost, runs ``ansible-playbook`` with the collection on ANSIBLE_COLLECTIONS_PATH, and returns a
``PlayResult``. The connection to ``target`` goes through the HARBOR_* environment variables, so tasks stay short.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"       # the `record` callback (results as JSON lines)
RECAP = re.compile(r"^localhost\s*:\s*(.*)$", re.M)


def recap_stats(output):
    """``{"ok": 3, "changed": 1, ...}`` from the last PLAY RECAP line of localhost ({} when there is none)."""
    recap = RECAP.findall(output)
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", recap[-1])} if recap else {}


class PlayResult:
    def __init__(self, rc, output, results):
        self.rc = rc
        self.output = output
        self.results = results
        self.stats = recap_stats(output)

    def result(self, task):
        """The result of the task named ``task`` (the last one, if it ran several times)."""
        found = [r for r in self.results if r.get("task") == task]
        if not found:
            raise AssertionError("no task named %r in %s\n%s" % (task, [r.get("task") for r in self.results], self.output[-3000:]))
        return found[-1]

    @property
    def changed(self):
        return self.stats.get("changed", 0)

    def __repr__(self):
        return "PlayResult(rc=%s, stats=%s)" % (self.rc, self.stats)


def collections_root():
    """A folder holding ansible_collections/registryops/harbor -> the repository (a symlink is enough for ansible-playbook)."""
    root = REPO / "tests" / "output" / "collections"
    link = root / "ansible_collections" / "registryops" / "harbor"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(REPO, target_is_directory=True)
        except FileExistsError:
            pass
    return root


def ansible_playbook():
    """The ansible-playbook beside this Python (the venv's), else the one on PATH."""
    exe = Path(sys.executable).with_name("ansible-playbook")
    return str(exe) if exe.exists() else "ansible-playbook"


def ansible_env(workdir, record=None, collections=()):
    """The environment of an ``ansible-playbook`` run: this one without HARBOR_* and ANSIBLE_* variables, the collection
    (and ``collections``, more roots) on ANSIBLE_COLLECTIONS_PATH, no colour, no retry files, Ansible's temporary files
    and home under ``workdir``; with ``record`` (a file path), the ``record`` callback writes every task result there."""
    workdir = Path(workdir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "ANSIBLE_"))}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join([str(collections_root())] + [str(c) for c in collections]),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCAL_TEMP": str(workdir / "ansible-tmp"),
        "ANSIBLE_HOME": str(workdir / "ansible-home"),
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
    })
    if record:
        env.update(ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS), ANSIBLE_CALLBACKS_ENABLED="record", RECORD_FILE=str(record))
    return env


def read_records(record):
    """The task results the ``record`` callback wrote (none when the file is missing)."""
    record = Path(record)
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def target_env(target):
    env = {"HARBOR_URL": target.url, "HARBOR_USERNAME": target.username, "HARBOR_PASSWORD": target.password}
    if getattr(target, "ca_path", None):
        env["HARBOR_CA_PATH"] = target.ca_path
    return env


def playbook_options(workdir, check=False, diff=False, verbosity=0, extra_vars=None):
    """ansible-playbook's options for check and diff mode, ``-v``... and extra variables (written to a file in
    ``workdir``, so that they never appear in the command line or in the playbook's text, which errors quote)."""
    options = (["--check"] if check else []) + (["--diff"] if diff else []) + (["-" + "v" * verbosity] if verbosity else [])
    if extra_vars:
        path = Path(workdir) / "extra.json"
        path.write_text(json.dumps(extra_vars))
        options += ["-e", "@%s" % path]
    return options


def run_playbook(tasks, target=None, check=False, diff=False, verbosity=0, extra_vars=None, env=None, vars=None):
    with tempfile.TemporaryDirectory(prefix="harbor-play-") as tmp:
        tmp = Path(tmp)
        if isinstance(tasks, str):
            tasks = yaml.safe_load(tasks)
        play = [{"name": "test", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "vars": dict(vars or {}, ansible_python_interpreter=sys.executable), "tasks": tasks}]
        (tmp / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
        record = tmp / "results.jsonl"
        cmd = [ansible_playbook(), "-i", "localhost,", str(tmp / "play.yml")] + playbook_options(tmp, check, diff, verbosity,
                                                                                                 extra_vars)
        full_env = ansible_env(tmp, record=record)
        if target is not None:
            full_env.update(target_env(target))
        full_env.update(env or {})
        proc = subprocess.run(cmd, cwd=str(tmp), env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=600, check=False)
        return PlayResult(proc.returncode, proc.stdout, read_records(record))
