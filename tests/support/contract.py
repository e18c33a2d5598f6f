"""Check emulator answers against Harbor's own API spec (../shared/harbor-api/swagger.yaml, never copied here).

``Contract.check(method, path, status, content_type, body)`` returns a list of violations: the operation must exist,
the status must be one the spec documents for it (or one of the generic error statuses Harbor's middleware and
go-swagger send for any operation), and a JSON body must validate against the documented schema (Swagger's
``x-nullable`` honoured; a property with ``x-omitempty: false`` is required: go-swagger generates its struct field
without ``omitempty``, so Harbor always sends it, zero values included). Error answers must always be Harbor's
``Errors`` shape.
"""
import copy
import functools
import json
import re
from pathlib import Path

import yaml
from jsonschema import Draft4Validator

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "harbor-api" / "swagger.yaml"
# Sent by Harbor for any operation, documented or not: auth (401/403), lookups (404), go-swagger's binding (422),
# and the opaque 500 of plain Go errors. Any status >= 500 is accepted too (always with the opaque body): a remote's
# 5xx answer that reaches SendError as a legacy commonhttp.Error keeps its status (NOTES.md section 0).
GENERIC_ERROR_STATUSES = {400, 401, 403, 404, 405, 422, 500}
# Coded errors Harbor's handlers send although the spec does not list them for that operation (NOTES.md):
# starting a disabled replication policy is 412 PRECONDITION (controller/replication/execution.go: Start); a robot
# account whose name is taken is 409 CONFLICT (src/pkg/robot/dao/dao.go: Create, goharbor/harbor v2.15.2).
UNDOCUMENTED_STATUSES = {("POST", "/replication/executions"): {412}, ("POST", "/robots"): {409}}
# Harbor's error body (src/lib/errors): the spec's Errors definition, with what Harbor always fills in required.
ERRORS_SCHEMA = {"allOf": [{"$ref": "#/definitions/Errors"}, {
    "type": "object", "required": ["errors"],
    "properties": {"errors": {"type": "array", "minItems": 1,
                              "items": {"type": "object", "required": ["code", "message"]}}}}]}


def _nullable(node):
    """Rewrite Swagger's ``x-nullable: true`` into JSON Schema: a null type, or ``anyOf`` null for a ``$ref``. Every array
    inside a definition is nullable too: go-swagger v0.33.1 renders a model's slice without ``omitempty``, so an empty one
    is ``null`` (NOTES.md section 0). Top-level list answers are not (their responders send ``[]`` for nil)."""
    if isinstance(node, dict):
        for value in node.values():
            _nullable(value)
        if node.get("type") == "array":
            node["type"] = ["array", "null"]
        elif node.get("x-nullable") and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        elif node.get("x-nullable") and "$ref" in node:
            node["anyOf"] = [{"$ref": node.pop("$ref")}, {"type": "null"}]
    elif isinstance(node, list):
        for value in node:
            _nullable(value)


def _always_sent(definitions):
    """Make every ``x-omitempty: false`` property of a definition required (Harbor always sends it)."""
    for definition in definitions.values():
        kept = [name for name, prop in (definition.get("properties") or {}).items()
                if isinstance(prop, dict) and prop.get("x-omitempty") is False]
        if kept:
            definition["required"] = sorted(set(definition.get("required", [])) | set(kept))


class Contract:
    def __init__(self, spec_path=SPEC_PATH):
        # libyaml's loader when PyYAML has it: the 300 KB swagger.yaml parses ten times faster (every
        # pytest worker loads it once).
        self.spec = yaml.load(Path(spec_path).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        _nullable(self.spec["definitions"])
        _always_sent(self.spec["definitions"])
        self.base = self.spec.get("basePath", "/api/v2.0")
        self.routes = []
        for template, item in self.spec["paths"].items():
            regex = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$")
            self.routes.append((template.count("{"), template, regex, item))
        self.routes.sort(key=lambda route: route[0])   # literal paths win over templated ones (/registries/ping)

    def operation(self, method, path):
        if not path.startswith(self.base):
            return None, None
        rel = path[len(self.base):] or "/"
        for _, template, regex, item in self.routes:
            if regex.match(rel) and method.lower() in item:
                return template, item[method.lower()]
        return None, None

    def _response(self, op, status):
        responses = op.get("responses", {})
        resp = responses.get(str(status)) or responses.get(status)
        if isinstance(resp, dict) and "$ref" in resp:
            resp = self.spec["responses"][resp["$ref"].rsplit("/", 1)[-1]]
        return resp

    @functools.lru_cache(maxsize=None)
    def _validator(self, schema_json):
        schema = json.loads(schema_json)
        schema["definitions"] = self.spec["definitions"]
        return Draft4Validator(schema)

    def validate(self, schema, body):
        validator = self._validator(json.dumps(copy.deepcopy(schema), sort_keys=True))
        return ["%s: %s" % ("/".join(map(str, err.absolute_path)) or "(body)", err.message)
                for err in validator.iter_errors(body)]

    def check(self, method, path, status, content_type, body):
        template, op = self.operation(method, path)
        where = "%s %s -> %s" % (method, path, status)
        if op is None:
            if status in (404, 405):    # go-swagger's answer to an unknown path or method: still Harbor's error format
                return ["%s: %s" % (where, p) for p in self.validate(ERRORS_SCHEMA, _json(body))]
            return ["%s: no such operation in swagger.yaml" % where]
        resp = self._response(op, status)
        generic = status >= 500 or status in GENERIC_ERROR_STATUSES | UNDOCUMENTED_STATUSES.get((method, template), set())
        if resp is None and not generic:
            return ["%s: status %s is not documented for %s %s" % (where, status, method, template)]
        schema = (resp or {}).get("schema")
        if status >= 400:
            schema = ERRORS_SCHEMA
        if not schema or method == "HEAD":
            return []
        if "json" not in (content_type or ""):
            return ["%s: body is %s, not JSON" % (where, content_type)] if schema.get("type") != "string" else []
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return ["%s: body is not valid JSON" % where]
        return ["%s: %s" % (where, problem) for problem in self.validate(schema, data)]


def _json(body):
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


@functools.lru_cache(maxsize=1)
def load():
    """The contract, or None when ../shared is absent (tests then skip the check with a reason)."""
    return Contract() if SPEC_PATH.exists() else None
