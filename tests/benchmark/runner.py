"""Running one playbook and measuring it: wall time, CPU and peak memory of the whole process tree (``os.wait4`` on
``ansible-playbook``), each module process's own CPU and peak memory (``hook/sitecustomize.py``), and the Harbor
requests it sent (the emulator's request log, cleared before the run)."""
import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.ansible import ansible_env, ansible_playbook, read_records, recap_stats
from tests.support.harbor import ADMIN, READ_METHODS, clear_log, request_log

HOOK = Path(__file__).resolve().parent / "hook"


def base_env(workdir, peer_root=None, harbor_url=None):
    env = ansible_env(workdir, collections=[peer_root] if peer_root else ())
    env.update({
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PYTHONPATH": os.pathsep.join([str(HOOK)] + [p for p in [env.get("PYTHONPATH")] if p]),
    })
    if harbor_url:
        env.update(HARBOR_URL=harbor_url, HARBOR_USERNAME=ADMIN[0], HARBOR_PASSWORD=ADMIN[1])
    return env


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
    reads = sum(n for m, n in methods.items() if m in READ_METHODS)
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
    modules = read_records(record)
    stats = recap_stats(text)
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
