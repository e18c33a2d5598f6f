"""The differential check's machinery: one ``Side`` per Harbor, a ``Run`` of one case on one side (its steps and
their normalised observations), the comparison of two runs and the report.

A case is a function ``case(run)`` written once and run against each Harbor in turn; ``run.call(label, method, path,
...)`` sends one request, records what came back (``Observation``: status, the headers that carry meaning, the body)
normalised, and returns the ``requests`` response so that the case can go on with the ids of that Harbor. Two runs are
compared step by step (same labels, same order).

Normalisation keeps what must agree and replaces what may not:

- ids (``id`` of an object, ``*_id`` keys, ids in ``Location`` and ``Link`` paths and in error messages) become
  ``<kind#n>``: the n-th distinct id of that kind this side met in the case, so that "the same object" compares
  equal while the numbers of two databases differ;
- time stamps become ``<time dddd-dd-ddTdd:dd:dd.dddZ>`` (their format is kept, the digits are not); Go's zero time
  stays as it is; UUIDs become ``<uuid>``; a Harbor's own URL ``<harbor>``, other URLs given to the run by name
  (``run.alias(url, "<upstream>")``); the test suffix of the names ``<sfx>``;
- durations of executions (``duration``) become ``<n>``; ``harbor_version`` keeps its ``vX.Y.Z``;
- a list answer can be restricted to the case's own objects (``ours=True``: elements whose ``name`` carries the
  suffix), as a shared Harbor holds other objects.
"""
import json
import re
import time
from urllib.parse import quote, urlsplit

import requests

from tests.support.harbor import Target, sweep
from tests.support.names import SUFFIX, is_test_name

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ZERO_TIME = re.compile(r"^0001-01-01T00:00:00(\.0+)?Z$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VOLATILE_NUMBERS = {"duration"}
VOLATILE_STRINGS = {"job_id"}                           # jobservice's job ids
KEPT_HEADERS = ("X-Total-Count", "Link", "Location", "Content-Type", "WWW-Authenticate", "Allow")
# the id kind of ``<kind>_id`` keys and of objects under a key
ID_KEYS = {"registry_id": "registry", "project_id": "project", "policy_id": "policy", "execution_id": "execution",
           "repository_id": "repository", "artifact_id": "artifact", "owner_id": "user", "task_id": "task",
           "creator_id": "user", "retention_id": "retention", "reference_id": "project"}
OBJECT_KINDS = {"src_registry": "registry", "dest_registry": "registry", "registry": "registry", "cve_allowlist": "allowlist",
                "ref": "project", "quota": "quota", "tags": "tag", "labels": "label", "references": "artifact",
                "accessories": "accessory"}
PATH_KINDS = [("/replication/executions/*/tasks", "task"), ("/replication/executions", "execution"),
              ("/replication/policies", "policy"), ("/registries", "registry"), ("/projects/*/repositories/*/artifacts", "artifact"),
              ("/projects/*/repositories", "repository"), ("/projects", "project"), ("/quotas", "quota"),
              ("/replication/adapters", "adapter")]


def kind_of_path(path):
    """The kind of the objects a path lists or names (``/registries/3`` -> registry), or None."""
    path = "/" + path.split("/api/v2.0/", 1)[-1].lstrip("/")
    for pattern, kind in PATH_KINDS:
        regex = "^" + re.escape(pattern).replace(r"\*", "[^/]+") + "(/|$)"
        if re.match(regex, path):
            return kind
    return None


class Side:
    """One Harbor of the comparison: ``label`` ("a" or "b"), its URL and credentials."""

    def __init__(self, label, url, username, password, ca_path=None, timeout=60):
        self.label = label
        self.url = url.rstrip("/")
        self.username, self.password, self.ca_path = username, password, ca_path
        self.timeout = timeout
        self.target = Target(self.url, username, password, ca_path=ca_path)

    def request(self, method, path, auth="admin", **kwargs):
        auth = (self.username, self.password) if auth == "admin" else auth
        url = path if "://" in path else self.url + ("" if path.startswith(("/v2", "/service", "/api/")) else "/api/v2.0") + path
        return requests.request(method, url, auth=auth, timeout=self.timeout, verify=self.ca_path or True,
                                allow_redirects=False, **kwargs)

    def info(self):
        """``{"url", "version"}`` (the version from ``/systeminfo``, None when it cannot be read)."""
        try:
            version = self.request("GET", "/systeminfo").json().get("harbor_version")
        except (requests.RequestException, ValueError):
            version = None
        return {"url": self.url, "version": version}

    def sweep(self):
        sweep(self.target)


class Observation(dict):
    """``{"status", "headers", "body"}`` of one answer, normalised."""


class Run:
    """One case on one side: ``call`` the steps, read ``steps`` (label, request, observation)."""

    def __init__(self, side, case_name):
        self.side = side
        self.case = case_name
        self.steps = []
        self.ids = {}
        self.aliases = {side.url: "<harbor>", urlsplit(side.url).netloc: "<harbor-host>"}
        self.notes = []

    # ---- names and ids -------------------------------------------------------------------------------------------
    @staticmethod
    def name(base):
        """The case's unique name for ``base`` (the same on both sides)."""
        return "%s-%s" % (base, SUFFIX)

    def alias(self, url, placeholder):
        """Replace ``url`` (and its host:port) by ``placeholder`` in what this side observes."""
        self.aliases[url.rstrip("/")] = placeholder
        self.aliases[urlsplit(url).netloc] = placeholder + "-host"

    def id_token(self, kind, value):
        if value is None or isinstance(value, bool) or not isinstance(value, (int, str)) or value in ("", 0):
            return value
        table = self.ids.setdefault(kind, {})
        if value not in table:
            table[value] = len(table) + 1
        return "<%s#%d>" % (kind, table[value])

    # ---- requests ------------------------------------------------------------------------------------------------
    def call(self, label, method, path, json_body=None, params=None, headers=None, auth="admin", ours=False, data=None):
        """Send one request, record its normalised observation under ``label`` and return the response. ``ours``: a list
        of the case's own objects (``q=name=~<suffix>``, one page of 100: a shared Harbor holds others)."""
        if ours:
            params = dict({"q": "name=~%s" % SUFFIX, "page_size": 100}, **(params or {}))
        try:
            resp = self.side.request(method, path, auth=auth, json=json_body, params=params, headers=headers, data=data)
        except requests.RequestException as exc:
            self.steps.append({"label": label, "request": self._describe(method, path, params),
                               "observation": Observation(status=None, error=type(exc).__name__)})
            return None
        self.steps.append({"label": label, "request": self._describe(method, path, params),
                           "observation": self.observe(resp, path, ours)})
        return resp

    def note(self, label, value):
        """Record a value the case computed (e.g. the final status of an execution after waiting) as a step."""
        self.steps.append({"label": label, "request": "(computed)", "observation": Observation(value=self.normalise(value))})

    def _describe(self, method, path, params):
        text = "%s %s" % (method, path)
        if params:
            text += "?" + "&".join("%s=%s" % (k, self._known_id(k, v)) for k, v in params.items())
        return self.normalise_path_ids(self.normalise_text(text), register=False)

    def _known_id(self, key, value):
        kind = ID_KEYS.get(key)
        number = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None
        if kind and number in self.ids.get(kind, {}):
            return self.id_token(kind, number)
        return value

    def observe(self, resp, path, ours=False):
        kind = kind_of_path(path)
        headers = {}
        for key in KEPT_HEADERS:
            if key in resp.headers:
                value = resp.headers[key]
                if key == "Content-Type":
                    value = value.split(";")[0].strip()
                elif key in ("Location", "Link"):
                    value = self.normalise_path_ids(value)
                headers[key] = self.normalise_text(value)
        try:
            body = resp.json() if resp.content else ""
            json_body = True
        except ValueError:
            body, json_body = resp.text, False
        if ours and isinstance(body, list):
            body = [item for item in body if not isinstance(item, dict) or is_test_name(item.get("name", ""))]
            headers.pop("X-Total-Count", None)
            headers.pop("Link", None)
        body = self.normalise(body, kind) if json_body else self.normalise_log(body)
        return Observation(status=resp.status_code, headers=headers, body=body)

    # ---- normalisation -------------------------------------------------------------------------------------------
    def normalise_path_ids(self, text, register=True):
        """Ids in API paths (``/registries/3`` -> ``/registries/<registry#1>``); without ``register`` only known ids."""
        def repl(match):
            path, ident = match.group(1), int(match.group(2))
            kind = kind_of_path(path + "/x")
            if kind is None or (not register and ident not in self.ids.get(kind, {})):
                return match.group(0)
            return path + "/" + self.id_token(kind, ident)
        return re.sub(r"(/[a-z][a-z/_.%0-9A-Z-]*?[a-z])/(\d+)(?=[/?>;\s]|$)", repl, text)

    def normalise_text(self, text):
        for url in sorted(self.aliases, key=len, reverse=True):
            if url:
                text = text.replace(url, self.aliases[url])
        text = text.replace(SUFFIX, "<sfx>")
        text = UUID.sub("<uuid>", text)
        return text

    def normalise_message(self, text):
        """An error message: the text rules, and numbers that are ids this side knows."""
        text = self.normalise_text(text)
        known = {}
        for kind, table in self.ids.items():
            for value, number in table.items():
                if isinstance(value, int):
                    known.setdefault(str(value), "<%s#%d>" % (kind, number))
        return re.sub(r"(?<![\w.#])(\d+)(?![\w.])", lambda m: known.get(m.group(1), m.group(1)), text)

    def normalise_log(self, text):
        lines = []
        for line in text.splitlines():
            line = re.sub(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", line)
            lines.append(self.normalise_text(line))
        return "\n".join(lines)

    def normalise(self, value, kind=None, key=None):
        if isinstance(value, dict):
            if "errors" in value and isinstance(value["errors"], list):
                return {"errors": [{k: (self.normalise_message(v) if k == "message" and isinstance(v, str) else self.normalise(v))
                                    for k, v in e.items()} if isinstance(e, dict) else e for e in value["errors"]]}
            if kind == "registry" and value.get("id") == 0 and isinstance(value.get("url"), str):
                value = dict(value, url="<local core url>")     # Harbor's own registry: its CORE_URL setting
            out = {}
            for k in sorted(value):
                v = value[k]
                if k == "id":
                    out[k] = self.id_token(kind or "object", v)
                elif k in ID_KEYS and isinstance(v, (int, str)) and not isinstance(v, bool):
                    out[k] = self.id_token(ID_KEYS[k], int(v) if isinstance(v, str) and v.isdigit() else v)
                elif k in OBJECT_KINDS:
                    out[k] = self.normalise(v, OBJECT_KINDS[k], k)
                else:
                    out[k] = self.normalise(v, None, k)
            return out
        if isinstance(value, list):
            return [self.normalise(v, kind, key) for v in value]
        if isinstance(value, str):
            if key in VOLATILE_STRINGS and value:
                return "<%s>" % key
            if TIME.match(value):
                return value if ZERO_TIME.match(value) else "<time %s>" % re.sub(r"\d", "d", value)
            if key == "harbor_version":
                match = re.match(r"v?\d+\.\d+\.\d+", value)
                return match.group(0) if match else value
            return self.normalise_text(value)
        if key in VOLATILE_NUMBERS and isinstance(value, (int, float)) and not isinstance(value, bool):
            return "<n>"
        return value

    # ---- helpers for cases ---------------------------------------------------------------------------------------
    def wait(self, what, fn, timeout=90, interval=0.5):
        """Poll ``fn()`` until it returns a true value (returned) or ``timeout`` seconds pass (None)."""
        deadline = time.monotonic() + timeout
        while True:
            value = fn()
            if value or time.monotonic() > deadline:
                if not value:
                    self.notes.append("%s: not reached in %d s" % (what, timeout))
                return value
            time.sleep(interval)

    def project_path(self, name):
        return "/projects/%s" % quote(name, safe="")

    def repo_path(self, project, repository):
        return "/projects/%s/repositories/%s" % (quote(project, safe=""), quote(quote(repository, safe=""), safe=""))


# ---- comparison --------------------------------------------------------------------------------------------------
def type_name(value):
    for kind, name in ((bool, "boolean"), (dict, "object"), (list, "array"), (str, "string"), ((int, float), "number")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


def compare_values(a, b, where, out):
    """Append ``(where, what, a, b)`` for each difference between two normalised values."""
    if type_name(a) != type_name(b):
        what = "null vs value" if a is None or b is None else "type"
        out.append((where, what, a, b))
        return
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in b:
                out.append(("%s.%s" % (where, key), "omitted in b", a[key], None))
            elif key not in a:
                out.append(("%s.%s" % (where, key), "omitted in a", None, b[key]))
            else:
                compare_values(a[key], b[key], "%s.%s" % (where, key), out)
        return
    if isinstance(a, list):
        if len(a) != len(b):
            out.append((where, "length", len(a), len(b)))
        elif a != b and sorted(map(canonical, a)) == sorted(map(canonical, b)):
            out.append((where, "order", [summary(x) for x in a], [summary(x) for x in b]))
            return
        for index, (x, y) in enumerate(zip(a, b)):
            compare_values(x, y, "%s[%d]" % (where, index), out)
        return
    if a != b:
        out.append((where, "value", a, b))


def canonical(value):
    return json.dumps(value, sort_keys=True)


def summary(value):
    if isinstance(value, dict):
        return value.get("name") or value.get("id") or canonical(value)[:60]
    return value


def compare_runs(run_a, run_b):
    """The differences of two runs of one case: ``[{"step", "request", "where", "what", "a", "b"}]``."""
    differences = []
    steps_a = {s["label"]: s for s in run_a.steps}
    steps_b = {s["label"]: s for s in run_b.steps}
    labels = [s["label"] for s in run_a.steps] + [s["label"] for s in run_b.steps if s["label"] not in steps_a]
    for label in labels:
        if label not in steps_b or label not in steps_a:
            side = "b" if label not in steps_b else "a"
            differences.append({"step": label, "request": (steps_a.get(label) or steps_b[label])["request"],
                                "where": "step", "what": "not run in %s" % side, "a": None, "b": None})
            continue
        found = []
        compare_values(steps_a[label]["observation"], steps_b[label]["observation"], "", found)
        for where, what, a, b in found:
            differences.append({"step": label, "request": steps_a[label]["request"], "where": where.lstrip(".") or "answer",
                                "what": what, "a": a, "b": b})
    return differences


# ---- report -------------------------------------------------------------------------------------------------------
def short(value, width=160):
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[:width - 3] + "..."


def distinct(report):
    """The differences grouped: ``[{"key": (method path, where, what, a, b), "count", "cases"}]``, list indexes and
    ids folded, most frequent first."""
    groups = {}
    for case in report["cases"]:
        for diff in case["differences"]:
            request = re.sub(r"\?.*$", "", diff["request"])
            request = re.sub(r"<(\w+)#\d+>", r"<\1>", request)
            where = re.sub(r"\[\d+\]", "[*]", diff["where"])
            key = (request, where, diff["what"], short(diff["a"], 200), short(diff["b"], 200))
            group = groups.setdefault(key, {"key": key, "count": 0, "cases": []})
            group["count"] += 1
            if case["name"] not in group["cases"]:
                group["cases"].append(case["name"])
    return sorted(groups.values(), key=lambda g: (-g["count"], g["key"]))


def shown(diff, side):
    return "(omitted)" if diff["what"] == "omitted in %s" % side else short(diff[side])


def text_report(report):
    lines = ["Differential check: a = %s (%s), b = %s (%s)"
             % (report["a"]["url"], report["a"]["version"], report["b"]["url"], report["b"]["version"]),
             "%(cases)d cases, %(steps)d steps compared, %(differences)d differences in %(cases_with_differences)d cases"
             % report["summary"], ""]
    groups = distinct(report)
    if groups:
        lines.append("Distinct differences (%d), most frequent first:" % len(groups))
        for number, group in enumerate(groups, 1):
            request, where, what, a, b = group["key"]
            lines.append("%3d. %s  %s: %s  (x%d; %s)" % (number, request, where, what, group["count"], ", ".join(group["cases"])))
            lines.append("       a: %s" % ("(omitted)" if what == "omitted in a" else a))
            lines.append("       b: %s" % ("(omitted)" if what == "omitted in b" else b))
        lines += ["", "Every difference by case:"]
    for case in report["cases"]:
        if case.get("error"):
            lines.append("[%s] ERROR %s" % (case["name"], case["error"]))
        if not case["differences"]:
            continue
        lines.append("[%s] %d difference(s)" % (case["name"], len(case["differences"])))
        last = None
        for diff in case["differences"]:
            if diff["step"] != last:
                lines.append("  %s: %s" % (diff["step"], diff["request"]))
                last = diff["step"]
            lines.append("    %s: %s" % (diff["where"], diff["what"]))
            lines.append("      a: %s" % shown(diff, "a"))
            lines.append("      b: %s" % shown(diff, "b"))
        for note in case.get("notes", []):
            lines.append("  note: %s" % note)
    if not report["summary"]["differences"]:
        lines.append("No difference.")
    return "\n".join(lines) + "\n"
