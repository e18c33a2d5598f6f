"""GET /systeminfo (mirrors src/server/v2.0/handler/systeminfo.go and src/controller/systeminfo).

Anonymous callers, bad credentials included, get the reduced set; ``harbor_version`` and the other protected fields
come back only to authenticated callers (``WithProtectedInfo``). ``has_ca_root`` is true when Harbor has a root CA to
offer and its external URL is https: here, when the emulator serves TLS with the CA it generated.
"""
from flask import Blueprint, current_app, jsonify

from .. import security
from ..state import now

bp = Blueprint("systeminfo", __name__)


@bp.get("/api/v2.0/systeminfo")
def get_systeminfo():
    st = current_app.config["state"]
    info = {
        "auth_mode": "db_auth",
        "primary_auth_mode": False,
        "self_registration": False,
        "banner_message": "",
        "oidc_provider_name": "",
    }
    if security.current().authenticated:
        info.update({
            "harbor_version": st.harbor_version,
            "external_url": st.external_url,
            "registry_url": st.external_url.split("://", 1)[-1],
            "read_only": False,
            "current_time": now(),
            "project_creation_restriction": "everyone",
            "has_ca_root": st.external_url.startswith("https://"),     # the CA generated with --tls can be downloaded
            "notification_enable": True,
            "registry_storage_provider_name": "filesystem",
        })
    return jsonify(info)
