"""GET /api/version (mirrors src/server/version.go): ``{"version": "v2.0"}``, no auth.

Harbor's ``harbor`` replication adapter calls it first when it is built (a 404 there would mean Harbor 1.x), so an
emulator that is the remote of another one's ``harbor`` endpoint must answer it.
"""
from flask import Blueprint, jsonify

bp = Blueprint("version", __name__)

API_VERSION = "v2.0"


@bp.get("/api/version")
def api_version():
    return jsonify({"version": API_VERSION})
