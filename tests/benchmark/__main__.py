"""python -m tests.benchmark [--sizes 10,50,200] [--loop-sizes 10,50] [--compare-sizes 10,50] [--repeat 1] [--peer PATH] [--json PATH] ...

The benchmark of issue 11: converge N endpoints, N projects (half proxy caches) and N replication rules on emulated
Harbors, for each N of --sizes, three times (first converge, unchanged re-run, re-run with 10% changed), with each
variant of tests/benchmark/workload.py (the ping floor, this collection's per-item loops, list calls and roles, a naive
ansible.builtin.uri playbook, a peer collection), repetitions interleaved; the per-item variants only for --loop-sizes.
Then the execution wait cases. Writes the JSON result and the generated docs/performance.md. Never part of the test
suite's timings.
"""
import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.harbor_emulator import Emulator  # noqa: E402

from . import execution_wait, imports, report, runner, workload  # noqa: E402

VARIANTS = ("floor", "loop", "list", "uri", "peer", "roles")
PHASES = (("first", False), ("unchanged", False), ("changed", True))
PER_ITEM = ("loop", "uri", "peer")       # one module process (or more) per object: the slow variants
COMPARISONS = ("uri", "peer")             # the same work done another way (per item too)


def sizes(text):
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive integers, e.g. 10,50,200")
    return values


def wait_cases(text):
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [(float(a), float(b)) for a, b in (case.split(":") for case in text.split(","))]
    except ValueError:
        raise argparse.ArgumentTypeError("task_seconds:wait_sleep pairs, e.g. 3:1,10:3, or 'none'")


def paths(text):
    """Module interpreters: executables that can import requests (the modules' HTTP library)."""
    found = [p.strip() for p in text.split(",") if p.strip()]
    missing = [p for p in found if not os.access(p, os.X_OK)]
    if missing:
        raise argparse.ArgumentTypeError("not an executable: %s" % ", ".join(missing))
    bare = [p for p in found if subprocess.run([p, "-c", "import requests"], capture_output=True).returncode != 0]
    if bare:
        raise argparse.ArgumentTypeError("cannot import requests, which the modules need: %s (make a venv with that"
                                         " Python and pip install -r requirements.txt, then give its python)"
                                         % ", ".join(bare))
    return found


def memory_by_python(args, upstream, workdir):
    """The list calls at the smallest and largest N again, with this interpreter and each of --memory-python: the
    largest module process's peak per interpreter, N and phase (tests/benchmark/memory.py)."""
    from . import memory
    found = []
    for python in [sys.executable] + args.memory_python:
        version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout.strip()
        for count in sorted({min(args.sizes), max(args.sizes)}):
            records = memory.measure(count, [p for p in args.phases if p[0] in ("first", "unchanged")], upstream,
                                     workdir, python=python)
            for phase in sorted({r["phase"] for r in records}):
                peak = max(r["maxrss_kb"] for r in records if r["phase"] == phase)
                found.append({"python": version, "path": python, "n": count, "phase": phase, "maxrss_kb": peak})
        print("  memory of list calls with Python %s: %s" % (version, ", ".join(
            "N=%d %s %.1f MiB" % (r["n"], r["phase"], r["maxrss_kb"] / 1024.0) for r in found if r["path"] == python)),
            flush=True)
    return found


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.benchmark", description=__doc__.splitlines()[2])
    parser.add_argument("--sizes", type=sizes, default=[10, 50, 200], help="values of N (default 10,50,200)")
    parser.add_argument("--loop-sizes", type=sizes, default=None,
                        help="values of N for the per-item variants %s (default: --sizes); the floor, list and roles "
                             "variants run every N of --sizes" % ", ".join(PER_ITEM))
    parser.add_argument("--compare-sizes", type=sizes, default=None,
                        help="values of N for the comparisons %s (default: --loop-sizes)" % ", ".join(COMPARISONS))
    parser.add_argument("--repeat", type=int, default=1, help="interleaved repetitions; medians are reported (default 1)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="subset of %s (default: all; unsupported ones are recorded as skipped)" % ",".join(VARIANTS))
    parser.add_argument("--phases", default="first,unchanged,changed",
                        help="runs per variant and N, in this order (default first,unchanged,changed)")
    parser.add_argument("--peer", metavar="PATH", help="a collections folder holding a peer collection (swisstxt.harbor)")
    parser.add_argument("--wait-cases", type=wait_cases, default=[(2.5, 1.0), (8.5, 3.0)],
                        help="execution wait cases task_seconds:wait_sleep (default 2.5:1,8.5:3; 'none' to skip)")
    parser.add_argument("--import-repeat", type=int, default=5,
                        help="runs per import step, median reported (default 5; 0 skips the import costs)")
    parser.add_argument("--memory-python", type=paths, default=[],
                        help="other interpreters (comma-separated paths, e.g. a Python 3.12) whose module processes run the"
                             " list calls again at the smallest and largest N, for the report's memory by interpreter"
                             " (this one runs them too); default none")
    parser.add_argument("--json", default=str(REPO / "tests" / "output" / "benchmark.json"), help="JSON result file")
    parser.add_argument("--docs", default=str(REPO / "docs" / "performance.md"),
                        help="generated Markdown report (default docs/performance.md; 'none' to skip)")
    parser.add_argument("--note", default="", help="a sentence about the machine for the report (e.g. 'shared by 6 jobs')")
    args = parser.parse_args(argv)
    chosen = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = set(chosen) - set(VARIANTS)
    if unknown:
        parser.error("--variants: unknown %s; choose from %s" % (", ".join(sorted(unknown)), ", ".join(VARIANTS)))
    args.variants = [v for v in VARIANTS if v in chosen]
    names = [p.strip() for p in args.phases.split(",") if p.strip()]
    if not names or names[0] != "first" or set(names) - set(dict(PHASES)):
        parser.error("--phases: 'first' then any of unchanged, changed")
    args.phases = [(p, dict(PHASES)[p]) for p in names]
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    if args.loop_sizes is None:
        args.loop_sizes = list(args.sizes)
    elif set(args.loop_sizes) - set(args.sizes):
        parser.error("--loop-sizes: each value must also be in --sizes (the floor runs those)")
    if args.compare_sizes is None:
        args.compare_sizes = list(args.loop_sizes)
    elif set(args.compare_sizes) - set(args.sizes):
        parser.error("--compare-sizes: each value must also be in --sizes (the floor runs those)")
    return args


def sizes_of(variant, args):
    if variant in COMPARISONS:
        return args.compare_sizes
    return args.loop_sizes if variant in PER_ITEM else args.sizes


def plan(args):
    """{variant: None (runs) or the reason it is skipped}, with what was detected."""
    support = workload.list_support()
    peer = workload.peer_collection(args.peer)
    roles = workload.roles_present()
    status = {"floor": None, "loop": None, "uri": None}
    status["list"] = None if any(support[k] for k in workload.KINDS) else \
        "not supported yet: no module has registries:/projects:/rules: (issue 11)"
    if peer:
        status["peer"] = None
    else:
        status["peer"] = "no --peer given" if not args.peer else "no swisstxt.harbor under %s" % args.peer
    missing = [role for role in workload.ROLES if role not in roles]
    status["roles"] = None if not missing else "the collection has no role %s" % ", ".join(missing)
    for variant in VARIANTS:
        if variant not in args.variants and status.get(variant) is None:
            status[variant] = "not selected (--variants)"
    detected = {"list_options": support, "roles": roles, "peer": peer[0] if peer else None,
                "peer_path": str(peer[1]) if peer else None}
    return status, detected, peer


def kinds_of(variant):
    return workload.PEER_KINDS if variant == "peer" else workload.KINDS


def playbook_for(variant, support, peer):
    if variant == "floor":
        return workload.floor_play()
    if variant == "loop":
        return workload.loop_play()
    if variant == "list":
        return workload.list_play(support)
    if variant == "uri":
        return workload.uri_play()
    if variant == "roles":
        return workload.roles_play()
    return workload.peer_play(peer[0])


def measure_variant(variant, count, rep, upstream, support, peer, workdir, phases=PHASES):
    kinds = kinds_of(variant)
    playbook = workload.dump(playbook_for(variant, support, peer))
    env = runner.base_env(workdir, peer_root=peer[1] if peer else None)
    base = {"variant": variant, "n": count, "rep": rep, "items": count * len(kinds), "objects": count * len(kinds)}
    if variant == "floor":
        data = workload.extra_vars(workload.objects(count, upstream.url))
        result = runner.run_playbook(playbook, data, workdir, env, label=variant)
        return [dict(base, phase="floor", **result)]
    runs = []
    with Emulator() as harbor:
        connection = {"harbor_url": harbor.url, "harbor_username": runner.ADMIN[0], "harbor_password": runner.ADMIN[1]}
        env = dict(env, HARBOR_URL=harbor.url, HARBOR_USERNAME=runner.ADMIN[0], HARBOR_PASSWORD=runner.ADMIN[1])
        for phase, changed in phases:
            objects = workload.objects(count, upstream.url, changed=changed)
            if variant == "roles":
                data = dict(workload.role_vars(objects), **connection)
            else:
                data = workload.extra_vars(objects, **connection)
                for kind in workload.KINDS:
                    if kind not in kinds:
                        data[kind] = []
            result = runner.run_playbook(playbook, data, workdir, env, harbor_url=harbor.url, label=variant)
            runs.append(dict(base, phase=phase, **result))
    return runs


def machine():
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in load], "python": platform.python_version(),
            "platform": platform.platform(), "ansible_core": ansible_version()}


def ansible_version():
    try:
        from ansible.release import __version__
        return __version__
    except ImportError:
        return None


def main(argv=None):
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    status, detected, peer = plan(args)
    running = [v for v in VARIANTS if status.get(v) is None]
    print("benchmark: sizes %s (per-item loop: %s, comparisons: %s), repeat %d, variants %s" % (
        args.sizes, args.loop_sizes, args.compare_sizes, args.repeat, ", ".join(running)), flush=True)
    for variant, reason in status.items():
        if reason:
            print("  skipped %s: %s" % (variant, reason), flush=True)
    started = time.time()
    meta = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)), "sizes": args.sizes,
            "loop_sizes": args.loop_sizes, "per_item_variants": list(PER_ITEM), "compare_sizes": args.compare_sizes,
            "comparisons": list(COMPARISONS),
            "repeat": args.repeat, "phases": [p for p, _ in args.phases],
            "import_repeat": args.import_repeat, "machine_start": machine(), "note": args.note,
            "command": "python -m tests.benchmark " + " ".join(argv if argv is not None else sys.argv[1:])}
    runs = []
    with tempfile.TemporaryDirectory(prefix="harbor-bench-") as tmp, Emulator() as upstream:
        workdir = Path(tmp)
        for rep in range(args.repeat):
            for count in args.sizes:
                order = running[rep % len(running):] + running[:rep % len(running)]   # interleaved, rotated
                for variant in order:
                    if count not in sizes_of(variant, args):
                        continue
                    t0 = time.monotonic()
                    new = measure_variant(variant, count, rep, upstream, detected["list_options"], peer, workdir, args.phases)
                    runs.extend(new)
                    print("  rep %d N=%-4d %-6s %s (%.0f s)" % (rep + 1, count, variant, "  ".join(
                        "%s: %.1fs cpu%s" % (r["phase"], r["cpu"], "" if r["rc"] == 0 else " FAILED") for r in new),
                        time.monotonic() - t0), flush=True)
        waits = execution_wait.measure(args.wait_cases, workdir)
        memory = memory_by_python(args, upstream, workdir) if args.memory_python and "list" in running else []
        for case in waits:
            print("  execution wait task_seconds=%s wait_sleep=%s: notice %s s, %s requests/min" % (
                case["task_seconds"], case["wait_sleep"], case.get("notice_s"), case.get("requests_per_minute")), flush=True)
    import_costs = imports.measure(args.import_repeat) if args.import_repeat > 0 else []
    print("  imports: %s" % ", ".join("%s +%.3fs" % (s["step"], s["added"]) for s in import_costs if "added" in s), flush=True)
    meta["seconds"] = round(time.time() - started, 1)
    meta["machine_end"] = machine()
    result = report.analyse(meta, status, detected, runs, waits, import_costs, memory)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    print("wrote %s" % args.json)
    if args.docs.lower() != "none":
        Path(args.docs).write_text(report.markdown(result))
        print("wrote %s" % args.docs)
    failed = [r for r in runs if r["rc"] != 0] + [c for c in waits if c["rc"] != 0]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
