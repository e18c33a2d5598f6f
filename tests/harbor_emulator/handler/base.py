"""Helpers every handler uses (mirrors src/server/v2.0/handler/base.go and src/lib/q).

- ``page()``: page/page_size of a list request (list handlers call it first: go-swagger binds them before the handler checks
  the caller), ``paged(items)`` answers with X-Total-Count and Link;
  ``filter_by_query(items, {key: getter})`` applies ``q``, ``sort_by_query(items, {key: getter}, default)`` applies ``sort``.
- ``path_id(raw)``, ``int_param(name, default)``: int64 parameters (422 like go-swagger when they are not).
- ``created(id)``: 201 with an empty body and ``Location: <request path>/<id>``.
- ``ok()``: 200 with an empty body (Harbor's update/delete answer).
"""
import re
from datetime import datetime
from urllib.parse import unquote

from flask import Response, jsonify, request

from ..errors import bad_request
from .binding import binding_error

MAX_PAGE_SIZE = 100


def ok():
    return Response(status=200)


def omit_empty(obj, keep=()):
    """go-swagger's ``omitempty`` on a model's non-required scalars: "", 0 and false vanish; ``None`` stays (the ``null``
    of an array or pointer), as do maps, lists and the ``keep`` keys (pointer fields, x-nullable in the spec)."""
    return {key: value for key, value in obj.items()
            if key in keep or value is None or isinstance(value, (list, dict)) or value not in ("", 0, False)}


def created(new_id):
    resp = Response(status=201)
    resp.headers["Location"] = "%s/%s" % (request.path.rstrip("/"), new_id)
    return resp


def int_param(name, default):
    """An int64 query parameter; go-swagger refuses anything else with 422 before the handler runs."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise binding_error('%s in query must be of type int64: "%s"' % (name, raw))


def path_id(raw, what="id"):
    """An int64 path parameter (go-swagger: 422 when it is not one; never Flask's HTML 404)."""
    try:
        return int(raw)
    except ValueError:
        raise binding_error('%s in path must be of type int64: "%s"' % (what, raw))


def page():
    """``page`` and ``page_size`` as Harbor reads them: page_size above 100 is refused by go-swagger, page_size <= 0
    means no paging at all and page <= 0 the first page (lib/orm: Limit/Offset only for positive values)."""
    number = int_param("page", 1)
    size = int_param("page_size", 10)
    if size > MAX_PAGE_SIZE:
        raise binding_error("page_size in query should be less than or equal to %d" % MAX_PAGE_SIZE)
    return number, size


_LIST_ENDS = {"{": "}", "(": ")"}
_MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Go's regexp $ (without (?m)) is the end of the text, Python's also matches before a final newline: \Z here
_GO_INT = re.compile(r"^[+-]?[0-9]+\Z")
_GO_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\Z")


def go_query_unescape(text):
    """Go's url.QueryUnescape, which q.parseKeywords applies to the already decoded ``q``: ``+`` becomes a space and
    ``%XX`` its byte; with a malformed escape Go fails and Harbor keeps the text unchanged."""
    if _MALFORMED_ESCAPE.search(text):
        return text
    return unquote(text.replace("+", " "))


def query_terms():
    """Parse ``q`` (src/lib/q/builder.go): ``k=v`` exact, ``k=~v`` fuzzy, ``k=[a~b]`` range, ``k={a b}`` or, ``k=(a b)`` and.

    Returns ``{key: (kind, value)}``. Handlers ignore keys they do not filter on, as Harbor does.
    """
    raw = request.args.get("q")
    terms = {}
    if not raw:
        return terms
    for part in go_query_unescape(raw).split(","):
        key, _, value = part.partition("=")
        if not key or not value:
            raise bad_request('the query string must contain "=" and the key/value cannot be empty')
        terms[key] = parse_pattern(value)
    return terms


def parse_pattern(value):
    """One q value (q.parsePattern); a malformed fuzzy, range or list value is a 400. Range and list values are typed
    like q.parseValue (time, else int64, else a string with its quotes stripped)."""
    head = value[0]
    if head == "~" and len(value) > 1:
        return ("fuzzy", value[1:])
    if head == "[" and value.endswith("]") and value.count("~") == 1:
        low, _, high = value[1:-1].partition("~")
        if low.strip() or high.strip():
            return ("range", (parse_value(low) if low.strip() else None, parse_value(high) if high.strip() else None))
    elif head in _LIST_ENDS and value.endswith(_LIST_ENDS[head]):
        values = [parse_value(v) for v in value[1:-1].split(" ")]
        return ("or" if head == "{" else "and", [v for v in values if v != ""])
    elif head not in "~[{(":
        return ("exact", value[1:] if head == "\\" else value)       # escapeValue: a leading backslash is dropped
    raise bad_request("invalid query string value: %s" % value)


def parse_value(text):
    """q.parseValue: a time (2006-01-02T15:04:05), else an int64, else the string without surrounding quotes."""
    text = text.strip()
    if _GO_TIME.match(text):
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            pass
    if _GO_INT.match(text) and -2 ** 63 <= int(text) < 2 ** 63:
        return int(text)
    return text.strip("\"'")


def comparable(actual, like):
    """``(stored, q value)`` as PostgreSQL compares them, or None when they cannot be: numbers as numbers, timestamps as
    times; a number or time against a text column is sent as text (lib/pq passes untyped parameters), booleans read
    true/false."""
    if isinstance(actual, bool):
        actual = str(actual).lower()
    if isinstance(like, datetime):
        if not isinstance(actual, str):
            return None
        try:
            return datetime.strptime(actual[:19], "%Y-%m-%dT%H:%M:%S"), like
        except ValueError:
            return actual, like.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(actual, int):
        if isinstance(like, int):
            return actual, like
        return (actual, int(like)) if _GO_INT.match(str(like).strip()) else None
    if actual is None:
        return None
    return str(actual), str(like)


def same(actual, like):
    pair = comparable(actual, like)
    return pair is not None and pair[0] == pair[1]


def match_term(term, actual):
    """src/lib/orm/query.go setFilters: exact ``=``, fuzzy ``UPPER(col) LIKE UPPER('%v%')`` (with % and _ escaped, so
    literal here), range ``>=``/``<=`` and or-list ``IN`` with typed values; an and-list is ignored on ordinary columns."""
    kind, value = term
    if kind == "and":
        return True
    if kind == "fuzzy":
        return actual is not None and value.upper() in str(actual).upper()
    if kind == "exact":
        return same(actual, value)
    if kind == "or":
        return any(same(actual, v) for v in value)
    low, high = value
    for bound, ok in ((low, lambda a, b: a >= b), (high, lambda a, b: a <= b)):
        if bound is not None:
            pair = comparable(actual, bound)
            if pair is None or not ok(*pair):
                return False
    return True


def filter_by_query(items, filterable):
    """Keep items matching every ``q`` term whose key is in ``filterable`` ({key: getter}); other keys are ignored."""
    terms = query_terms()
    for key, term in terms.items():
        getter = filterable.get(key)
        if getter is not None:
            items = [item for item in items if match_term(term, getter(item))]
    return items


def sort_terms():
    """q.ParseSorting: ``sort=a,-b`` -> [(key, descending)]."""
    terms = []
    for key in (request.args.get("sort") or "").split(","):
        key = key.strip()
        if key:
            terms.append((key[1:], True) if key.startswith("-") else (key, False))
    return terms


def sort_by_query(items, sortable, default=()):
    """src/lib/orm/query.go setSorts: ``sort`` keys that name a sortable column ({key: getter}), else ``default``
    ([(getter, descending)]); NULL sorts last ascending and first descending, as in PostgreSQL."""
    keys = [(sortable[key], desc) for key, desc in sort_terms() if key in sortable] or list(default)
    items = list(items)
    for getter, desc in reversed(keys):
        items.sort(key=lambda item: (getter(item) is None, getter(item) if getter(item) is not None else 0), reverse=desc)
    return items


def links(total, number, size):
    """The Link header as Harbor builds it: relative, query unescaped, several links joined by ' , ', none without paging."""
    parts = []

    def link(page_number, rel):
        args = request.args.to_dict(flat=True)
        args["page"] = str(page_number)
        args["page_size"] = str(size)
        query = "&".join("%s=%s" % (k, v) for k, v in sorted(args.items()))     # Encode() then QueryUnescape(): as decoded
        parts.append('<%s?%s>; rel="%s"' % (request.path, query, rel))

    if size <= 0:
        return ""
    if number > 1 and (number - 1) * size < total:
        link(number - 1, "prev")
    if size * number < total:
        link(number + 1, "next")
    return " , ".join(parts)


def page_of(items, number, size):
    if size <= 0:
        return items
    start = size * (number - 1) if number > 0 else 0
    return items[start:start + size]


def paged(items):
    """Answer one page of ``items`` (already filtered and sorted) as a JSON list with Harbor's paging headers."""
    number, size = page()
    total = len(items)
    resp = jsonify(page_of(items, number, size))
    resp.headers["X-Total-Count"] = str(total)
    link_header = links(total, number, size)
    if link_header:
        resp.headers["Link"] = link_header
    return resp
