"""GET /health (mirrors src/server/v2.0/handler/health.go): every component of the emulated Harbor is healthy."""
from flask import Blueprint, jsonify

bp = Blueprint("health", __name__)

COMPONENTS = ("core", "database", "jobservice", "portal", "redis", "registry", "registryctl")


@bp.get("/api/v2.0/health")
def health():
    return jsonify({"status": "healthy", "components": [{"name": name, "status": "healthy"} for name in COMPONENTS]})
