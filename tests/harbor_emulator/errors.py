"""Harbor's error format (mirrors src/lib/errors and src/lib/http/error.go).

Handlers raise ``HarborAPIError``; the app turns it into ``{"errors": [{"code", "message"}]}`` with the status
Harbor maps the code to. Every status >= 500 is sent as the opaque ``UNKNOWN`` / ``internal server error``.
"""

STATUS_OF_CODE = {
    "BAD_REQUEST": 400, "DIGEST_INVALID": 400, "MANIFEST_INVALID": 400, "UNSUPPORTED": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403, "DENIED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "PRECONDITION": 412, "VIOLATE_FOREIGN_KEY_CONSTRAINT": 412, "PROJECTPOLICYVIOLATION": 412,
    "REQUEST_ENTITY_TOO_LARGE": 413,
    "TOO_MANY_REQUEST": 429,
}


class HarborAPIError(Exception):
    """An error with a Harbor error code; the HTTP status follows from the code unless given."""

    def __init__(self, code, message, status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_OF_CODE.get(code, 500)

    def payload(self):
        if self.status >= 500:
            return {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}
        return {"errors": [{"code": self.code, "message": self.message}]}


def bad_request(message):
    return HarborAPIError("BAD_REQUEST", message)


def not_found(message):
    return HarborAPIError("NOT_FOUND", message)


def conflict(message):
    return HarborAPIError("CONFLICT", message)


def precondition(message):
    return HarborAPIError("PRECONDITION", message)


def forbidden(message="forbidden"):
    return HarborAPIError("FORBIDDEN", message)


def unauthorized(message="unauthorized"):
    return HarborAPIError("UNAUTHORIZED", message)


def internal(message):
    """A plain Go error in a handler: Harbor logs ``message`` and sends an opaque 500."""
    return HarborAPIError("UNKNOWN", message, status=500)
