"""GET /ping (mirrors src/server/v2.0/handler/ping.go): no auth, text/plain ``Pong``."""
from flask import Blueprint, Response

bp = Blueprint("ping", __name__)


@bp.get("/api/v2.0/ping")
def ping():
    return Response("Pong", mimetype="text/plain")
