"""python -m tests.benchmark.memory [--sizes 10,200] [--phases first,unchanged] [--trace] [--python PATH] [--json PATH]

The quick look at one target of issue 11, "module process memory flat in N": the list calls of the benchmark (one
``registries:``/``projects:``/``rules:`` call per kind, tests/benchmark/workload.py) for each N, on a fresh emulated
Harbor per N, and each module process's peak resident memory (``ru_maxrss``, from hook/sitecustomize.py), per module
and phase, with its growth per object from the smallest N to the largest. ``--trace`` runs every phase a second time
with tracemalloc on and adds the size of each module's result (the JSON it prints) and the peak of Python's own
allocations; ansible-core's exit_json copies the result (no_log scan) and its JSON encoder holds several times the
result's size while it encodes, so the peak follows the result's size. ``--python`` runs the module processes with
another interpreter (``ansible_python_interpreter``): Python 3.12's encoder writes into one buffer and holds about the
result's size only. Writes nothing under docs/ (the full benchmark, ``python -m tests.benchmark``, writes
docs/performance.md); about 30 s for N = 10 and 200.
"""
import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.harbor_emulator import Emulator  # noqa: E402

from . import runner, workload  # noqa: E402
from .__main__ import PHASES, sizes  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.benchmark.memory", description=__doc__.splitlines()[2])
    parser.add_argument("--sizes", type=sizes, default=[10, 200], help="values of N (default 10,200)")
    parser.add_argument("--phases", default="first,unchanged",
                        help="runs per N, in this order: first, then any of unchanged, changed (default first,unchanged)")
    parser.add_argument("--trace", action="store_true",
                        help="also run each phase with tracemalloc: result size and Python's peak allocations per module")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter of the module processes (default: this one); it needs the collection's runtime"
                             " dependencies")
    parser.add_argument("--json", help="write the records to this file too")
    args = parser.parse_args(argv)
    names = [p.strip() for p in args.phases.split(",") if p.strip()]
    if not names or names[0] != "first" or set(names) - set(dict(PHASES)):
        parser.error("--phases: 'first' then any of unchanged, changed")
    args.phases = [(p, dict(PHASES)[p]) for p in names]
    return args


def measure(count, phases, upstream, workdir, trace=False, python=None):
    """One record per module process: ``{"n", "phase", "traced", "module", "maxrss_kb", ...}``."""
    support = workload.list_support()
    missing = [kind for kind in workload.KINDS if not support[kind]]
    if missing:
        raise SystemExit("no list option for %s: nothing to measure" % ", ".join(missing))
    playbook = workload.dump(workload.list_play(support))
    records = []
    with Emulator() as harbor:
        connection = {"harbor_url": harbor.url, "harbor_username": runner.ADMIN[0], "harbor_password": runner.ADMIN[1]}
        env = runner.base_env(workdir, harbor_url=harbor.url)
        if python:
            env["ANSIBLE_PYTHON_INTERPRETER"] = python
        for phase, changed in phases:
            data = workload.extra_vars(workload.objects(count, upstream.url, changed=changed), **connection)
            for traced in ([False, True] if trace else [False]):
                label = "memory-%d-%s%s" % (count, phase, "-traced" if traced else "")
                run_env = dict(env, HARBOR_BENCH_TRACE="1") if traced else env
                result = runner.run_playbook(playbook, data, workdir, run_env, harbor_url=harbor.url, label=label)
                if result["rc"] != 0:
                    raise SystemExit("N=%d %s failed:\n%s" % (count, phase, result.get("error")))
                lines = (Path(workdir) / (label + "-modules.jsonl")).read_text().splitlines()
                records.extend(dict(json.loads(line), n=count, phase=phase, traced=traced) for line in lines)
    return records


def table(records, sizes_, phases):
    """Markdown-ish rows: module, phase, peak RSS per N (MiB), growth from the smallest N to the largest."""
    low, high = min(sizes_), max(sizes_)
    rows = ["| module | phase | %s | growth %d -> %d | per object |" % (
        " | ".join("N = %d (MiB)" % n for n in sizes_), low, high), "|---|---|%s---|---|" % ("---|" * len(sizes_))]
    modules = sorted({r["module"] for r in records}, key=lambda m: [r["module"] for r in records].index(m))
    for module in modules + ["largest"]:
        for phase, _ in phases:
            peak = {}
            for n in sizes_:
                found = [r["maxrss_kb"] for r in records if not r["traced"] and r["phase"] == phase and r["n"] == n
                         and module in (r["module"], "largest")]
                peak[n] = max(found) if found else None
            if None in peak.values():
                continue
            growth = peak[high] - peak[low]
            rows.append("| %s | %s | %s | %+.2f MiB | %+.1f KiB |" % (
                module, phase, " | ".join("%.2f" % (peak[n] / 1024.0) for n in sizes_), growth / 1024.0,
                float(growth) / max(high - low, 1)))
    traced = [r for r in records if r["traced"]]
    if traced:
        rows += ["", "| module | phase | N | result (KiB) | Python peak (KiB, tracemalloc) |", "|---|---|---|---|---|"]
        rows += ["| %s | %s | %d | %.0f | %d |" % (r["module"], r["phase"], r["n"], (r.get("result_bytes") or 0) / 1024.0,
                                                   r.get("traced_peak_kb") or 0) for r in traced]
    return "\n".join(rows)


def main(argv=None):
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    records = []
    with tempfile.TemporaryDirectory(prefix="harbor-memory-") as tmp, Emulator() as upstream:
        for count in args.sizes:
            records.extend(measure(count, args.phases, upstream, Path(tmp), trace=args.trace, python=args.python))
            print("  N=%d done" % count, flush=True)
    print("module processes: %s" % args.python)
    print(table(records, args.sizes, args.phases))
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1) + "\n")
        print("wrote %s" % args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
