"""go-swagger request binding as Harbor's generated server does it, before any handler code runs.

A body that is missing, is not JSON, or does not fit the Go struct (a string where an int64 is expected, ...) is refused
with 422 ``UNPROCESSABLE_ENTITY`` and go-openapi's composite message ``validation failure list:\\n<reason>``
(Harbor's ``serveError`` keeps the composite error's code). Unknown keys are ignored, as Go's JSON decoding does.
"""
from flask import request

from ..errors import HarborAPIError


SWAG_TRUE = ("true", "1", "yes", "ok", "y", "on", "selected", "checked", "t", "enabled")


def flag(raw, default=False):
    """A boolean query or header parameter as go-openapi's swag.ConvertBool reads it (absent -> ``default``)."""
    return default if raw is None else raw.lower() in SWAG_TRUE


def binding_error(message):
    return HarborAPIError("UNPROCESSABLE_ENTITY", "validation failure list:\n" + message, status=422)


def json_body(param):
    """The decoded JSON body of the body parameter named ``param``."""
    data = request.get_json(silent=True)
    if data is None:
        if not request.get_data():
            raise binding_error("%s in body is required" % param)
        raise binding_error('parsing %s body from "" failed, because invalid character in JSON input' % param)
    return data


def go_type_of(value):
    """How encoding/json names a JSON value in an UnmarshalTypeError."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, float):
        return "number %s" % value
    if isinstance(value, int):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "value")


def expect(value, kinds, param, struct, field, go_type):
    """``value`` if it fits the Go field (None = JSON null or absent), else the json.Unmarshal type error."""
    fits = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if value is None or fits:
        return value
    raise binding_error('parsing %s body from "" failed, because json: cannot unmarshal %s into Go struct field %s.%s of type %s'
                        % (param, go_type_of(value), struct, field, go_type))


def accept_specs():
    """The request's ``Accept`` header as ``[(media range, q)]`` (go-openapi's header.ParseAccept)."""
    specs = []
    for part in request.headers.get("Accept", "").split(","):
        value, _sep, params = part.strip().partition(";")
        if not value.strip():
            continue
        q = 1.0
        for param in params.split(";"):
            key, _eq, raw = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(raw)
                except ValueError:
                    q = 0.0
        specs.append((value.strip().lower(), q))
    return specs


def negotiate(offers):
    """The media type go-openapi's NegotiateContentType picks among ``offers`` (the route's produces, in order) for
    the request's ``Accept``: the first offer without an Accept header, else the best q, an exact match beating
    ``type/*`` beating ``*/*`` at equal q, the earlier offer on a tie. None matches: 422 ``unsupported media type
    requested, only [...] are available`` (errors.InvalidResponseFormat in BindValidRequest), before the handler."""
    specs = accept_specs()
    if not specs:
        return offers[0]
    best, best_q, best_wild = None, -1.0, 3
    for offer in offers:
        for value, q in specs:
            if q == 0.0 or q < best_q:
                continue
            if value == "*/*":
                wild, matches = 2, True
            elif value.endswith("/*"):
                wild, matches = 1, offer.startswith(value[:-1])
            else:
                wild, matches = 0, value == offer
            if matches and (q > best_q or best_wild > wild):
                best, best_q, best_wild = offer, q, wild
    if best is None:
        raise binding_error("unsupported media type requested, only [%s] are available" % " ".join(offers))
    return best
