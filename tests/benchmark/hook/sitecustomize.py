"""Loaded by every Python process of a benchmark run (the benchmark puts this folder on PYTHONPATH).

A module process (``AnsiballZ_<module>.py``) appends one JSON line to ``$HARBOR_BENCH_RECORD`` at exit: the module's
name, its own peak memory (``ru_maxrss``, KiB) and its own CPU time. Every other process (ansible-playbook, its
workers) only pays for the check of ``sys.argv``. The venvs have no sitecustomize of their own; if one is ever added,
it is loaded after this one.
"""
import os
import sys

_RECORD = os.environ.get("HARBOR_BENCH_RECORD")
_SCRIPT = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""

if _RECORD and _SCRIPT.startswith("AnsiballZ_"):
    import atexit

    def _write_usage():
        import json
        import resource
        usage = resource.getrusage(resource.RUSAGE_SELF)
        line = json.dumps({"module": _SCRIPT[len("AnsiballZ_"):].rsplit(".", 1)[0], "maxrss_kb": usage.ru_maxrss,
                           "user": usage.ru_utime, "sys": usage.ru_stime})
        with open(_RECORD, "a") as handle:
            handle.write(line + "\n")

    atexit.register(_write_usage)


def _load_next():
    """Load the next sitecustomize on sys.path, if there is one (this file shadows it)."""
    import importlib.machinery
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    path = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_load_next()
