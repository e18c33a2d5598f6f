"""Loaded by every Python process of a benchmark run (the benchmark puts this folder on PYTHONPATH).

A module process (``AnsiballZ_<module>.py``) appends one JSON line to ``$HARBOR_BENCH_RECORD`` at exit: the module's
name, its own peak memory (``ru_maxrss``, KiB) and its own CPU time. With ``$HARBOR_BENCH_TRACE`` set (the memory
command, ``python -m tests.benchmark.memory --trace``) it also records the size of the result it printed
(``result_bytes``) and the peak of Python's own allocations (``traced_peak_kb``, tracemalloc: slower, and it adds to
``maxrss_kb``). Every other process (ansible-playbook, its workers) only pays for the check of ``sys.argv``. The venvs
have no sitecustomize of their own; if one is ever added, it is loaded after this one.
"""
import os
import sys

_RECORD = os.environ.get("HARBOR_BENCH_RECORD")
_SCRIPT = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""


class _Counted(object):
    """sys.stdout, counting the characters written (the module's result is one print)."""

    def __init__(self, stream):
        self._stream, self.written = stream, 0

    def write(self, text):
        self.written += len(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


if _RECORD and _SCRIPT.startswith("AnsiballZ_"):
    import atexit

    _TRACE = bool(os.environ.get("HARBOR_BENCH_TRACE"))
    if _TRACE:
        import tracemalloc
        tracemalloc.start()
        sys.stdout = _Counted(sys.stdout)

    def _write_usage():
        import json
        import resource
        usage = resource.getrusage(resource.RUSAGE_SELF)
        record = {"module": _SCRIPT[len("AnsiballZ_"):].rsplit(".", 1)[0], "maxrss_kb": usage.ru_maxrss,
                  "user": usage.ru_utime, "sys": usage.ru_stime}
        if _TRACE:
            record.update(traced_peak_kb=tracemalloc.get_traced_memory()[1] // 1024,
                          result_bytes=getattr(sys.stdout, "written", None))
        with open(_RECORD, "a") as handle:
            handle.write(json.dumps(record) + "\n")

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
