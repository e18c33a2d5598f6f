"""What a module process pays for its imports, measured apart: a fresh interpreter (the module interpreter, the same
PYTHONPATH) runs each step's imports; CPU from ``os.wait4``, the median of ``repeat`` runs. Each step adds to the one
before: the interpreter alone, ``ansible.module_utils.basic`` (what every module, ping included, imports), ``requests``
(the modules' HTTP library, with urllib3), then every file of this collection's ``plugins/module_utils``, imported from
a zip as AnsiballZ ships them (no cached bytecode: compiled at every start). Then, each added to the HTTP step alone,
the module_utils that each module imports (what one module process really loads), timed inside the process (less
noisy); and, for comparison, the standard library's HTTP alone (``http.client``, ``ssl``) added to ``basic``. Ansible's
own module_utils and requests come from the venv here (cached bytecode), so the module's real start-up costs a little
more; the differences between steps are what matter."""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import zipfile

from .workload import REPO

PACKAGE = "ansible_collections.registryops.harbor.plugins.module_utils"


_IMPORT = re.compile(r"^from %s\.(\w+) import" % re.escape(PACKAGE), re.M)
BASIC = "import ansible.module_utils.basic"
MARK = "in-process-cpu="
HTTP = "requests"


def steps():
    """(label, code, base): each step adds to the one before; a step with ``base`` adds to that step instead."""
    utils = sorted(p.stem for p in (REPO / "plugins" / "module_utils").glob("*.py") if p.stem != "__init__")
    with_http = BASIC + "; import requests"
    found = [("interpreter", "pass", None), ("ansible.module_utils.basic", BASIC, None), (HTTP, with_http, None),
             ("module_utils (%d files)" % len(utils), with_http + "; " + imports_of(utils), None)]
    for module in sorted((REPO / "plugins" / "modules").glob("harbor_*.py")):
        needed = module_utils_of(module)
        found.append(("%s (%d module_utils files)" % (module.stem, len(needed)), in_process(with_http, imports_of(needed)),
                      HTTP))
    found.append(("http.client + ssl (the standard library alone; for comparison)",
                  in_process(BASIC, "import http.client, ssl"), "ansible.module_utils.basic"))
    return found


def in_process(before, code):
    """``before``, then ``code`` timed inside the process (its CPU written after ``MARK`` on stderr)."""
    return (before + "; import sys, time; _t = time.process_time(); " + code
            + "; sys.stderr.write('%s%%r' %% (time.process_time() - _t))" % MARK)


def imports_of(names):
    return "import importlib; " + "; ".join("importlib.import_module('%s.%s')" % (PACKAGE, name) for name in names)


def module_utils_of(module):
    """The collection's module_utils that a module imports (directly; they import the rest themselves)."""
    return sorted(set(_IMPORT.findall(module.read_text())))


def cpu_of(code, env):
    """CPU of the process running ``code``; when the code reports its own (in-process) CPU after ``MARK`` on stderr, that
    instead: the steps added to another one time their own imports, free of the interpreter start's noise."""
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError("import step failed: %s\n%s" % (code, err[-2000:]))
    if MARK in err:
        return float(err.rsplit(MARK, 1)[1].split()[0])
    return usage.ru_utime + usage.ru_stime


def module_utils_zip(path):
    """The collection's module_utils as AnsiballZ packs them: sources only, with the package __init__ files."""
    with zipfile.ZipFile(path, "w") as archive:
        package = PACKAGE.split(".")
        for depth in range(1, len(package) + 1):
            archive.writestr("/".join(package[:depth]) + "/__init__.py", "")
        for source in sorted((REPO / "plugins" / "module_utils").glob("*.py")):
            if source.stem != "__init__":
                archive.write(str(source), "/".join(package) + "/" + source.name)


def measure(repeat=5):
    with tempfile.TemporaryDirectory(prefix="harbor-imports-") as tmp:
        archive = os.path.join(tmp, "module_utils.zip")
        module_utils_zip(archive)
        return measure_with(dict(os.environ, PYTHONPATH=archive, PYTHONDONTWRITEBYTECODE="1"), repeat)


def measure_with(env, repeat):
    """Median CPU of each step over ``repeat`` rounds; a round runs every step once (interleaved, so that a change of
    the machine's load touches every step alike)."""
    plan = steps()
    samples, errors = dict((label, []) for label, _, _ in plan), {}
    for _ in range(repeat):
        for label, code, _ in plan:
            if label in errors:
                continue
            try:
                samples[label].append(cpu_of(code, env))
            except RuntimeError as exc:
                errors[label] = str(exc)
    results, before, cpus = [], 0.0, {}
    for label, code, base in plan:
        if label in errors:
            results.append({"step": label, "error": errors[label]})
            continue
        cpu = statistics.median(samples[label])
        if base:                        # measured in-process: the imports' own CPU, added to the base step's
            row = {"step": label, "cpu": round(cpus[base] + cpu, 4), "added": round(cpu, 4), "base": base}
        else:
            cpus[label] = cpu
            row = {"step": label, "cpu": round(cpu, 4), "added": round(cpu - before, 4)}
            before = cpu
        results.append(row)
    return results
