"""The docs site and the reference pages that must follow the code.

- ``scripts/docs.py`` builds the site from the installed tarball with antsibull-docs (lint-collection-docs, sphinx-init,
  its build.sh with ``sphinx-build -W``): every module, role and guide has its page, and no warning passes.
- docs/docsite/rst/troubleshooting.rst lists every error message of plugins/ and roles/ (tests/docs/messages.py reads
  them from the source); ``python -m tests.docs.messages --missing`` prints those that are not there yet.
- docs/docsite/rst/harbor_versions.rst lists every version gate of plugins/module_utils/.
"""
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.docs import messages

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RST = REPO / "docs" / "docsite" / "rst"
MIN_VERSION = (2, 0, 0)          # Harbor's API v2.0: every version up to this one is always there
VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def test_troubleshooting_lists_every_error_message():
    found = messages.messages()
    assert len(found) > 50, "the extraction found too few messages: %d" % len(found)
    missing = messages.missing((RST / "troubleshooting.rst").read_text(), found)
    assert not missing, ("docs/docsite/rst/troubleshooting.rst lacks these messages (write each as ``text`` with its cause"
                         " and fix; `python -m tests.docs.messages --missing` lists them):\n" + "\n".join(
                             "%s\n    %s" % (", ".join(where), text) for text, where in sorted(missing.items())))


def test_message_extraction(tmp_path):
    """The extraction itself: %-formatting, f-strings, concatenation, fail_json(msg=...), hints, role fail_msg."""
    (tmp_path / "plugins" / "module_utils").mkdir(parents=True)
    (tmp_path / "plugins" / "module_utils" / "x.py").write_text(
        'def f(module, v, name):\n'
        '    if v:\n'
        '        raise HarborValidationError("size: %r is not a size such as 10GiB" % v)\n'
        '    module.fail_json(msg=f"rule {name} has no endpoint configured", changed=False)\n'
        '    hint = ("Harbor hides the cause" " of a 500 answer")\n'
        '    raise ValueError("bad")\n')
    tasks = tmp_path / "roles" / "r" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(yaml.safe_dump([{"name": "Check", "ansible.builtin.assert": {
        "that": ["x"], "fail_msg": "upstream '{{ item.name }}' needs a provider and a url"}}]))
    found = messages.messages(tmp_path)
    assert sorted(found) == sorted(["size: … is not a size such as 10GiB", "rule … has no endpoint configured",
                                    "Harbor hides the cause of a 500 answer", "upstream '…' needs a provider and a url"])
    page = "``size: … is not a size\n such as 10GiB``\n``rule … has no endpoint configured``"
    assert sorted(messages.missing(page, found)) == ["Harbor hides the cause of a 500 answer",
                                                     "upstream '…' needs a provider and a url"]


def version_gates(root=REPO / "plugins" / "module_utils"):
    """(name or None, version) of every version literal in module_utils newer than Harbor 2.0.0: the name is the dict
    key or keyword it belongs to (an option or a provider), None for a constant or a direct version check."""
    gates = set()
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text())
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and VERSION.match(node.value)):
                continue
            if tuple(int(p) for p in node.value.split(".")) <= MIN_VERSION:
                continue
            name, child, parent = None, node, parents.get(node)
            while isinstance(parent, ast.Tuple):
                child, parent = parent, parents.get(parent)
            if isinstance(parent, ast.Dict) and child in parent.values:
                key = parent.keys[parent.values.index(child)]
                name = key.value if isinstance(key, ast.Constant) else None
            elif isinstance(parent, ast.keyword):
                name = parent.arg
            gates.add((name, node.value))
    return gates


def test_harbor_versions_page_lists_every_version_gate():
    gates = version_gates()
    assert ("proxy_speed_kb", "2.12.0") in gates and ("quay", "2.14.0") in gates and (None, "2.15.0") in gates
    lines = (RST / "harbor_versions.rst").read_text().splitlines()
    missing = []
    for name, version in sorted(gates, key=str):
        if name is None:
            if not any(version in line for line in lines):
                missing.append(version)
        elif not any("``%s``" % name in line and version in line for line in lines):
            missing.append("%s %s" % (name, version))
    assert not missing, ("docs/docsite/rst/harbor_versions.rst lacks these version gates (a table row with the ``option``"
                         " and its version): %s" % missing)


def test_every_guide_is_in_the_site():
    listed = [name for section in yaml.safe_load((REPO / "docs" / "docsite" / "extra-docs.yml").read_text())["sections"]
              for name in section["toctree"]]
    assert sorted(listed) == sorted(p.stem for p in RST.glob("*.rst"))
    for name in listed:
        first = (RST / (name + ".rst")).read_text().splitlines()[0]
        assert first == ".. _ansible_collections.registryops.harbor.docsite.%s:" % name


def test_docs_site_builds_without_warnings():
    if not (BIN / "antsibull-docs").exists():
        if os.environ.get("CI"):
            pytest.fail("antsibull-docs is not installed in %s (requirements-dev.txt)" % BIN)
        pytest.skip("antsibull-docs is not installed in %s (requirements-dev.txt)" % BIN)
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "docs.py")], cwd=str(REPO), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900, env=dict(os.environ, DOCS_INTERSPHINX="0"))
    assert proc.returncode == 0, proc.stdout[-6000:]
    html = REPO / "build" / "docs" / "html"
    pages = {p.name for p in html.glob("*.html")}
    modules = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if not p.stem.startswith("_"))
    roles = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())
    expected = {"index.html"} | {"%s_module.html" % m for m in modules} | {"%s_role.html" % r for r in roles}
    assert expected <= pages, sorted(expected - pages)
    guides = {p.name for p in (html / "docsite").glob("*.html")}
    assert {p.stem + ".html" for p in RST.glob("*.rst")} <= guides, guides
    index = (html / "index.html").read_text()
    assert "harbor_project_module.html" in index and "docsite/troubleshooting.html" in index
    assert "registryops.harbor" in (html / "proxy_cache_role.html").read_text()
