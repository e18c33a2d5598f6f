"""What a module process pays for its imports, measured apart: a fresh interpreter (the module interpreter, the same
PYTHONPATH) runs each step's imports; CPU from ``os.wait4``, the median of ``repeat`` runs. Each step adds to the one
before: the interpreter alone, ``ansible.module_utils.basic`` (what every module, ping included, imports), ``requests``,
then every file of this collection's ``plugins/module_utils``, imported from a zip as AnsiballZ ships them (no cached
bytecode: compiled at every start). Ansible's own module_utils come from the venv here (cached bytecode), so the
module's real start-up costs a little more; the differences between steps are what matter."""
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile

from .workload import REPO

PACKAGE = "ansible_collections.registryops.harbor.plugins.module_utils"


def steps():
    utils = sorted(p.stem for p in (REPO / "plugins" / "module_utils").glob("*.py") if p.stem != "__init__")
    basic = "import ansible.module_utils.basic"
    return [("interpreter", "pass"), ("ansible.module_utils.basic", basic),
            ("requests", basic + "; import requests"),
            ("module_utils (%d files)" % len(utils), basic + "; import requests; import importlib; "
             + "; ".join("importlib.import_module('%s.%s')" % (PACKAGE, name) for name in utils))]


def cpu_of(code, env):
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError("import step failed: %s\n%s" % (code, proc.stderr.read().decode()[-2000:]))
    proc.stderr.close()
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
    results, before = [], 0.0
    for label, code in steps():
        try:
            cpu = statistics.median(cpu_of(code, env) for _ in range(repeat))
        except RuntimeError as exc:
            results.append({"step": label, "error": str(exc)})
            continue
        results.append({"step": label, "cpu": round(cpu, 4), "added": round(cpu - before, 4)})
        before = cpu
    return results
