"""What the tarball ships works from an installed collection.

galaxy.yml's ``build_ignore`` leaves out what needs a checkout (the emulator and the test harness in tests/, scripts/,
tools/, the demo inventory, the dev configuration). These tests build the tarball the way a release does, install it,
and check (1) that every shipped file is on the list of what the collection means to ship, so a new folder cannot slip
into the tarball unnoticed, and (2) that every shipped Python file imports only what is shipped, the standard library,
ansible-core (and its own dependencies) and the collection's declared runtime requirements (requirements.txt).
"""
import ast
import fnmatch
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PREFIX = "ansible_collections.registryops.harbor."

# What an installed collection holds, as fnmatch patterns of paths relative to its root ("*" crosses "/").
SHIPPED = [
    "MANIFEST.json", "FILES.json", "README.md", "LICENSE", "CHANGELOG.rst", "requirements.txt",
    "changelogs/changelog.yaml", "changelogs/config.yaml",
    "docs/docsite/*",
    "extensions/awx/credential_type.yml", "extensions/awx/surveys/*.json",
    "inventories/example/*",
    "meta/*.yml",
    "playbooks/*.yml",
    "plugins/*.py",
    "roles/*",
    "tests/config.yml",
]


def run(cmd, cwd):
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, "%s failed (rc=%s):\n%s" % (" ".join(map(str, cmd)), proc.returncode, proc.stdout[-4000:])
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("shipped")
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    run([BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", work, REPO], cwd=work)
    run([BIN / "ansible-galaxy", "collection", "install", "--force", "-p", work / "collections",
         work / ("registryops-harbor-%s.tar.gz" % version)], cwd=work)
    return work / "collections" / "ansible_collections" / "registryops" / "harbor"


def shipped_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_every_shipped_file_is_meant_to_ship(installed):
    unexpected = [f for f in shipped_files(installed) if not any(fnmatch.fnmatch(f, pattern) for pattern in SHIPPED)]
    assert not unexpected, ("shipped but not on the list of what ships (add it to build_ignore in galaxy.yml, or to SHIPPED"
                            " here if an installed collection can use it): %s" % unexpected)


def test_what_needs_a_checkout_is_left_out(installed):
    for path in ("tests/harbor_emulator", "tests/support", "tests/reliability", "tests/molecule", "tests/conftest.py",
                 "tools", "scripts", "inventories/demo", ".ansible-lint", "extensions/molecule", "changelogs/fragments",
                 "docs/developing.md", "requirements-dev.txt", "pytest.ini"):
        assert not (installed / path).exists(), path
    for path in ("plugins/modules", "roles/proxy_cache/meta/main.yml", "roles/replication/meta/argument_specs.yml",
                 "meta/runtime.yml", "meta/execution-environment.yml", "requirements.txt", "inventories/example/hosts.yml",
                 "playbooks/site.yml", "extensions/awx/credential_type.yml"):
        assert (installed / path).exists(), path


def allowed_top_level_modules():
    """The standard library, ansible-core, and the collection's requirements.txt, each with its own dependencies
    (requests brings urllib3, whose ``Retry`` the client subclasses), as import names (PyYAML -> yaml), read from the
    installed distributions' metadata."""
    def dist_name(requirement):
        return re.split(r"[\s;<>=!~\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")

    declared = [line.split("#")[0] for line in (REPO / "requirements.txt").read_text().splitlines()]
    direct = {"ansible-core"} | {dist_name(line) for line in declared if line.strip()}
    dists = set(direct)
    for dist in direct:
        dists.update(dist_name(r) for r in importlib.metadata.requires(dist) or [] if "extra ==" not in r)
    names = set(sys.stdlib_module_names)
    for module, owners in importlib.metadata.packages_distributions().items():
        if any(owner.lower().replace("_", "-") in dists for owner in owners):
            names.add(module)
    return names


def imports_of(path, package):
    """(line, absolute module name) of every import in a Python file; relative imports resolved against its package."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield node.lineno, module, [alias.name for alias in node.names]


def resolves_in(root, module, names):
    """Whether ansible_collections.registryops.harbor.<module> (or module.<name>) is a shipped file or package."""
    rel = module[len(PREFIX):].split(".") if module.startswith(PREFIX) else None
    if rel is None:
        return False
    base = root.joinpath(*rel)
    if base.with_suffix(".py").is_file():
        return True
    if base.is_dir():
        return all(base.joinpath(name).with_suffix(".py").is_file() or base.joinpath(name).is_dir() for name in names)
    return False


def test_shipped_python_imports_only_what_is_shipped_or_declared(installed):
    allowed = allowed_top_level_modules()
    files = sorted(installed.rglob("*.py"))
    assert any(f.parent.name == "modules" for f in files)
    problems = []
    for path in files:
        rel = path.relative_to(installed)
        package = PREFIX + ".".join(rel.parent.parts)
        for line, module, names in imports_of(path, package):
            if module.startswith("ansible_collections."):
                if not resolves_in(installed, module, names):
                    problems.append("%s:%d imports %s, which the tarball does not ship" % (rel, line, module))
            elif module.split(".")[0] not in allowed:
                problems.append("%s:%d imports %s: neither shipped, nor the standard library, ansible-core or a requirement"
                                " in requirements.txt" % (rel, line, module))
    assert not problems, "\n".join(problems)


def test_the_import_check_catches_a_test_import(tmp_path):
    """The checker itself: an import of the emulator and of an undeclared library are both found."""
    root = tmp_path / "ansible_collections" / "registryops" / "harbor"
    (root / "plugins" / "module_utils").mkdir(parents=True)
    bad = root / "plugins" / "module_utils" / "bad.py"
    bad.write_text("import flask\nfrom ansible_collections.registryops.harbor.tests.harbor_emulator import app\n"
                   "from .client import HarborError\n")
    found = list(imports_of(bad, PREFIX + "plugins.module_utils"))
    assert [m for _, m, _ in found] == ["flask", PREFIX + "tests.harbor_emulator", PREFIX + "plugins.module_utils.client"]
    assert "flask" not in allowed_top_level_modules()
    assert not resolves_in(root, PREFIX + "tests.harbor_emulator", ["app"])
    assert not resolves_in(root, PREFIX + "plugins.module_utils.client", ["HarborError"])
