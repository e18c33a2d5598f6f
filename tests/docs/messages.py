"""The error messages the collection can show a user, read from its source: ``python -m tests.docs.messages`` lists them.

- Python (plugins/**.py): the message of every ``raise X(...)`` and ``X(...)`` of an exception class, and of every
  ``fail_json(msg=...)``; the text is taken from the string expression (``"..." % args``, ``"...".format()``, f-strings,
  concatenations), with every value filled in at run time written as ``…``.
- Roles (roles/*/tasks/*.yml): the ``fail_msg`` of ``assert`` tasks and the ``msg`` of ``fail`` tasks, with every Jinja
  expression written as ``…``. The roles' checks of their variables are in their filter plugins (plugins/filter/,
  plugins/plugin_utils/): there the message of every ``problems.add(where, entry, option, message)``,
  ``problems.append(message)`` and ``failures.append(message)`` call (its last argument) counts too.

docs/docsite/rst/troubleshooting.rst must hold each message in that form (tests/docs/test_docs.py); whitespace is not
compared. A message whose text is built elsewhere (``raise HarborValidationError(message)``) has no text of its own
here: the text is found where it is built (an assignment of a string, or a dict of strings, to a name ending in
``msg``, ``message``, ``hint`` or ``hints``).
"""
import ast
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
GAP = "…"
# Exception classes (their text reaches the user directly, or inside a Harbor* error that carries it) and the calls
# that fail a module.
ERROR_CALL = re.compile(r"^(Harbor\w*|\w*(Error|Failed|Refused|Exception)|fail_json)$")
MESSAGE_NAME = re.compile(r"(^|_)(msg|message|hint|hints)$", re.I)
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)
# The roles' filter plugins: ``problems.add(...)``, ``rule.add(...)`` (a rule entry's own ``add``), ``failures.append(...)``.
PROBLEM_OWNERS = ("problems", "rule", "self", "failures")


def _template(node):
    """The text of a string expression with the run-time parts as GAP; None when it is no string expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else GAP for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = _template(node.left)
        if left is None:
            return None
        return re.sub(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[sdrifgxXeE%]", lambda m: "%" if m.group(0) == "%%" else GAP, left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else GAP) + (right if right is not None else GAP)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"):
        base = _template(node.func.value)
        return None if base is None else re.sub(r"{[^{}]*}", GAP, base)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        return GAP
    if isinstance(node, ast.Subscript):
        return GAP
    return None


def _name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def normalize(text):
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<![\w%s])\w{1,2}%s" % (GAP, GAP), GAP, text)   # "c" + TEXT[1:]: a letter glued to a gap is the gap
    return re.sub(r"%s(\s*%s)+" % (GAP, GAP), GAP, text)             # adjacent gaps are one


def useful(text):
    """A message with some words of its own (not only gaps and punctuation)."""
    return len(re.sub(r"[^A-Za-z]", "", text.replace(GAP, ""))) >= 12


def python_messages(path, problems=False):
    """``problems``: also the last argument of ``.add(...)``/``.append(...)`` calls (the roles' filter plugins collect
    their refusals that way)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.Call) and ERROR_CALL.match(_name(node.func)):
            args = [kw.value for kw in node.keywords if kw.arg == "msg"] or node.args[:1]
            text = _template(args[0]) if args else None
        elif (problems and isinstance(node, ast.Call) and _name(node.func) in ("add", "append") and node.args
              and isinstance(node.func, ast.Attribute) and _name(node.func.value) in PROBLEM_OWNERS):
            text = _template(node.args[-1])
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and MESSAGE_NAME.search(t.id) for t in node.targets):
            if isinstance(node.value, ast.Dict):          # HINTS = {status: "text", ...}
                for value in node.value.values:
                    text = _template(value)
                    if text is not None and useful(text):
                        yield value.lineno, normalize(text)
                continue
            text = _template(node.value)
        if text is not None and useful(text):
            yield node.lineno, normalize(text)


def _tasks(data):
    for item in data or []:
        if isinstance(item, dict):
            yield item
            for key in ("block", "rescue", "always"):
                yield from _tasks(item.get(key))


def role_messages(path):
    for task in _tasks(yaml.safe_load(path.read_text())):
        for module in ("ansible.builtin.assert", "assert"):
            text = (task.get(module) or {}).get("fail_msg") if isinstance(task.get(module), dict) else None
            if text and useful(JINJA.sub(GAP, str(text))):
                yield task.get("name", "?"), normalize(JINJA.sub(GAP, str(text)))
        for module in ("ansible.builtin.fail", "fail"):
            text = (task.get(module) or {}).get("msg") if isinstance(task.get(module), dict) else None
            if text and useful(JINJA.sub(GAP, str(text))):
                yield task.get("name", "?"), normalize(JINJA.sub(GAP, str(text)))


def messages(repo=REPO):
    """{message text: [where, ...]} over plugins/ and roles/."""
    found = {}
    for path in sorted((repo / "plugins").rglob("*.py")):
        for line, text in python_messages(path, problems=path.parent.name in ("filter", "plugin_utils")):
            found.setdefault(text, []).append("%s:%d" % (path.relative_to(repo), line))
    for path in sorted((repo / "roles").glob("*/tasks/*.yml")):
        for task, text in role_messages(path):
            found.setdefault(text, []).append("%s (%s)" % (path.relative_to(repo), task))
    return found


def missing(page_text, found):
    page = normalize(page_text)
    return {text: where for text, where in found.items() if text not in page}


if __name__ == "__main__":
    page = (REPO / "docs" / "docsite" / "rst" / "troubleshooting.rst")
    found = messages()
    todo = missing(page.read_text() if page.exists() else "", found) if "--missing" in sys.argv else found
    for text, where in sorted(todo.items(), key=lambda kv: kv[1][0]):
        print("%s\n    %s" % (", ".join(where), text))
    print("%d messages, %d listed" % (len(found), len(todo)), file=sys.stderr)
