"""Running one playbook and measuring it: wall time, CPU and peak memory of the whole process tree (``os.wait4`` on
``ansible-playbook``), each module process's own CPU and peak memory (``hook/sitecustomize.py``), and the Harbor
requests it sent (the emulator's request log, cleared before the run)."""
import collections
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.integration.conftest import collections_root

HOOK = Path(__file__).resolve().parent / "hook"
RECAP = re.compile(r"^localhost\s*:\s*(.*)$", re.M)
READS = ("GET", "HEAD")
ADMIN = ("admin", "Harbor12345")


def ansible_playbook():
    exe = Path(sys.executable).with_name("ansible-playbook")
    return str(exe) if exe.exists() else "ansible-playbook"


def base_env(workdir, peer_root=None, harbor_url=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBOR_", "ANSIBLE_"))}
    paths = [str(collections_root())] + ([str(peer_root)] if peer_root else [])
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(paths),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "ANSIBLE_LOCAL_TEMP": str(workdir / "ansible-tmp"),
        "ANSIBLE_HOME": str(workdir / "ansible-home"),
        "PYTHONPATH": os.pathsep.join([str(HOOK)] + [p for p in [env.get("PYTHONPATH")] if p]),
    })
    if harbor_url:
        env.update(HARBOR_URL=harbor_url, HARBOR_USERNAME=ADMIN[0], HARBOR_PASSWORD=ADMIN[1])
    return env


def clear_log(url):
    requests.delete(url + "/_emulator/requests", timeout=30).raise_for_status()


def request_log(url):
    resp = requests.get(url + "/_emulator/requests", timeout=30)
    resp.raise_for_status()
    return resp.json()


def kind_of(path):
    """``/api/v2.0/replication/policies/3`` -> ``replication/policies``; ``/api/v2.0/projects/x/summary`` -> ``projects``."""
    parts = [p for p in path.split("/") if p][2:] if path.startswith("/api/v2.0/") else [p for p in path.split("/") if p]
    if not parts:
        return path
    if parts[0] == "replication" and len(parts) > 1:
        return "replication/" + parts[1]
    return parts[0]


def summarize_log(log):
    methods = collections.Counter(entry["method"] for entry in log)
    by_kind = collections.defaultdict(collections.Counter)
    for entry in log:
        by_kind[kind_of(entry["path"])][entry["method"]] += 1
    reads = sum(n for m, n in methods.items() if m in READS)
    return {"total": len(log), "reads": reads, "writes": len(log) - reads, "by_method": dict(sorted(methods.items())),
            "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(by_kind.items())},
            "errors": sum(1 for entry in log if entry["status"] >= 400 or entry["status"] == 0)}


def run_playbook(playbook_yaml, variables, workdir, env, harbor_url=None, label="run"):
    """Run one playbook; returns the measurements (``rc`` != 0 keeps the end of the output in ``error``)."""
    workdir = Path(workdir)
    play_file, vars_file = workdir / (label + ".yml"), workdir / (label + "-vars.json")
    record, output = workdir / (label + "-modules.jsonl"), workdir / (label + ".out")
    play_file.write_text(playbook_yaml)
    vars_file.write_text(json.dumps(variables))
    if record.exists():
        record.unlink()
    if harbor_url:
        clear_log(harbor_url)
    env = dict(env, HARBOR_BENCH_RECORD=str(record))
    cmd = [ansible_playbook(), "-i", "localhost,", str(play_file), "-e", "@%s" % vars_file]
    started = time.monotonic()
    with open(output, "w") as out:
        proc = subprocess.Popen(cmd, cwd=str(workdir), env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)     # the tree's CPU and peak RSS, not mixed with other children
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    text = output.read_text()
    modules = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    recap = RECAP.findall(text)
    stats = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", recap[-1])} if recap else {}
    result = {
        "rc": proc.returncode, "wall": round(wall, 3), "cpu": round(usage.ru_utime + usage.ru_stime, 3),
        "cpu_user": round(usage.ru_utime, 3), "cpu_sys": round(usage.ru_stime, 3), "tree_maxrss_kb": usage.ru_maxrss,
        "module_calls": len(modules), "modules": dict(collections.Counter(m["module"] for m in modules)),
        "module_cpu": round(sum(m["user"] + m["sys"] for m in modules), 3),
        "module_maxrss_kb": max((m["maxrss_kb"] for m in modules), default=0),
        "changed": stats.get("changed"), "failed": stats.get("failed"),
    }
    if harbor_url:
        result["requests"] = summarize_log(request_log(harbor_url))
    if proc.returncode != 0:
        result["error"] = text[-2500:]
    return result
