"""go-swagger request binding as Harbor's generated server does it, before any handler code runs.

A body that is missing, is not JSON, or does not fit the Go struct (a string where an int64 is expected, ...) is refused
with 422 ``UNPROCESSABLE_ENTITY`` and go-openapi's composite message ``validation failure list:\\n<reason>``
(Harbor's ``serveError`` keeps the composite error's code). Unknown keys are ignored, as Go's JSON decoding does.
"""
import json

from flask import request

from ..errors import HarborAPIError


SWAG_TRUE = ("true", "1", "yes", "ok", "y", "on", "selected", "checked", "t", "enabled")


def flag(raw, default=False):
    """A boolean query or header parameter as go-openapi's swag.ConvertBool reads it (absent -> ``default``)."""
    return default if raw is None else raw.lower() in SWAG_TRUE


def binding_error(message):
    return HarborAPIError("UNPROCESSABLE_ENTITY", "validation failure list:\n" + message, status=422)


def json_body(param):
    """The decoded JSON body of the body parameter named ``param``: a body of white space only is a missing one (the
    decoder's io.EOF), a syntax error is refused with encoding/json's text (``go_syntax_error``). A body of another media
    type is refused first (go-openapi's validateContentType; no Content-Type counts as application/octet-stream)."""
    raw = request.get_data()
    mimetype = request.mimetype or "application/octet-stream"
    if raw and mimetype != "application/json":
        raise binding_error('unsupported media type "%s", only [application/json] are allowed' % mimetype)
    text = raw.decode("utf-8", "replace")
    start = len(text) - len(text.lstrip(GO_SPACE))
    if start == len(text):
        raise binding_error("%s in body is required" % param)
    try:
        data, _end = json.JSONDecoder().raw_decode(text, start)     # the first value only: a json.Decoder reads no further
    except json.JSONDecodeError as exc:
        raise binding_error('parsing %s body from "" failed, because %s' % (param, go_syntax_error(exc)))
    return data


GO_SPACE = " \t\r\n"
GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote_char(char):
    """encoding/json's quoteChar: the offending character in single quotes, escaped as strconv.Quote does."""
    if char in ("'", '"'):
        return "'%s'" % ("\\'" if char == "'" else char)
    if char in GO_ESCAPES:
        return "'%s'" % GO_ESCAPES[char]
    if char == "\\":
        return "'\\\\'"
    if ord(char) < 0x20 or ord(char) == 0x7f:
        return "'\\x%02x'" % ord(char)
    if ord(char) >= 0x80:                                   # Go scans bytes: the first byte of the UTF-8 sequence
        return "'\\x%02x'" % char.encode("utf-8", "replace")[0]
    return "'%s'" % char


def innermost(text, pos):
    """The innermost JSON container open at ``pos`` (``{`` or ``[``), string contents skipped."""
    stack, in_string, escaped = [], False, False
    for char in text[:pos]:
        if in_string:
            in_string, escaped = (in_string, False) if escaped else (char != '"', char == "\\")
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def go_syntax_error(exc):
    """The text of encoding/json's SyntaxError (src/encoding/json/scanner.go; stream.go: io.ErrUnexpectedEOF when the body
    ends inside a value) for what Python's decoder refused at the same position."""
    text, pos, msg = exc.doc, exc.pos, exc.msg
    if pos >= len(text) or msg.startswith("Unterminated string"):
        return "unexpected EOF"
    if msg.startswith("Invalid \\uXXXX"):
        bad = next((c for c in text[pos + 1:pos + 5] if c not in "0123456789abcdefABCDEF"), text[pos])
        return "invalid character %s in \\u hexadecimal character escape" % go_quote_char(bad)
    if msg.startswith("Invalid \\escape"):
        return "invalid character %s in string escape code" % go_quote_char(text[pos + 1])
    char = go_quote_char(text[pos])
    if msg.startswith("Invalid control character"):
        return "invalid character %s in string literal" % char
    if msg.startswith("Expecting property name"):
        return "invalid character %s looking for beginning of object key string" % char
    if msg.startswith("Expecting ':'"):
        return "invalid character %s after object key" % char
    if msg.startswith("Expecting ','"):
        return "invalid character %s after %s" % (char, "array element" if innermost(text, pos) == "[" else "object key:value pair")
    return "invalid character %s looking for beginning of value" % char


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
