"""One way to each thing (issue 21, item 3), checked on the sources: every error class is imported from errors.py only;
per-call caches live in the module's ``CallCache``, not in ``_harbor_*`` attributes; one URL check; the unit rule
(``quantity``, ``human_bytes``) in units.py only; no hand-made UUID; no hand-written YAML emitter; the execution module
uses reconcile's list-element and partial-failure handling."""
import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UTILS = REPO / "plugins" / "module_utils"
PACKAGE = "ansible_collections.registryops.harbor.plugins.module_utils."
ERRORS = {"HarborError", "HarborValidationError", "HarborRefused", "HarborPartialError", "element_message"}


def python_files():
    for folder in ("plugins", "tests", "scripts", "tools"):
        yield from (p for p in (REPO / folder).rglob("*.py") if "output" not in p.parts)


def imports_from_collection(path):
    """(module name, imported names, line) of every ``from ansible_collections...module_utils.X import ...``."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
            yield node.module[len(PACKAGE):], {alias.name for alias in node.names}, node.lineno


def test_every_error_class_is_imported_from_errors_py_only():
    wrong = ["%s:%d imports %s from %s" % (path.relative_to(REPO), line, ", ".join(sorted(names & ERRORS)), module)
             for path in python_files() for module, names, line in imports_from_collection(path)
             if names & ERRORS and module != "errors"]
    assert not wrong, "\n".join(wrong)


def test_errors_py_defines_them_and_imports_nothing_of_the_collection():
    tree = ast.parse((UTILS / "errors.py").read_text())
    defined = {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    assert ERRORS <= defined
    assert not list(imports_from_collection(UTILS / "errors.py"))


def sources(pattern):
    """``file:line`` of every line of plugins/ matching ``pattern``."""
    found = []
    for path in sorted((REPO / "plugins").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(pattern, line):
                found.append("%s:%d: %s" % (path.relative_to(REPO), number, line.strip()))
    return found


@pytest.mark.parametrize("pattern, allowed, what", [
    (r"_harbor_\w+", (), "a per-call cache kept as a module attribute (use module.cache, a CallCache)"),
    (r"""not in \(["']http["'], ["']https["']\)""", ("client.py",), "a URL check outside the one URL check (client.check_url)"),
    (r"(?i)\[kmgtp\]|1024 \*\* |KiB", ("units.py", "project.py", "replication_rule.py"), "the unit rule outside units.py"),
    (r"os\.urandom|uuid\.UUID\(", (), "a hand-made UUID (uuid.uuid4())"),
    (r"json\.dumps\(.*lines|lines\.append\(\"%s: %s\"", (), "a hand-written YAML emitter (yaml.safe_dump)"),
    (r"_with_element|seen\[run\.name\]", (), "list-element handling re-implemented (reconcile.element/unique/in_order)"),
])
def test_one_way_to_each_thing(pattern, allowed, what):
    found = [hit for hit in sources(pattern) if hit.split(":")[0].rsplit("/", 1)[-1] not in allowed]
    assert not found, "%s:\n%s" % (what, "\n".join(found))


def test_the_unit_rule_is_parsed_in_units_py_only():
    """project.py and replication_rule.py only name units in messages; their numbers come from units.quantity."""
    for name in ("project.py", "replication_rule.py"):
        text = (UTILS / name).read_text()
        assert "quantity(" in text and not re.search(r"\*\* *_?POWERS?\b|_POWERS?\s*=", text), name


def test_the_checks_above_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from ansible_collections.registryops.harbor.plugins.module_utils.client import HarborError\n")
    assert [(m, n) for m, n, _l in imports_from_collection(bad)] == [("client", {"HarborError"})]
    assert re.search(r"_harbor_\w+", "module._harbor_endpoints = x")
