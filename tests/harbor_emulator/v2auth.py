"""Harbor's ``/v2/`` authentication and token service (mirrors src/server/middleware/v2auth and src/core/service/token).

- ``GET /v2/``: 200 ``{}`` for a caller authenticated by basic auth or by a bearer token this emulator issued; otherwise
  401 with ``Www-Authenticate: Bearer realm="<scheme>://<Host>/service/token",service="harbor-registry"`` when no
  Authorization header was sent, ``Basic realm="harbor"`` when one was sent but not accepted.
- ``GET /service/token``: ``service`` must be ``harbor-registry`` (else 400, plain text); good basic credentials (or a
  ``scope``) → ``{"token", "access_token": "", "expires_in", "issued_at"}`` (whole seconds); no valid credentials and no
  scope → 401 with an empty body. Issued tokens live in ``state.extensions["tokens"]``
  (token → username, "" for an anonymous token).

For other ``/v2/`` routes (the data plane in distribution.py): ``require_v2_auth(state, scope=None)`` returns the caller's
security context (basic auth as resolved by security.py, or a bearer token issued here, which it also stores in
``g.security``) and, when nobody is authenticated, aborts the request with the 401 and the challenge Harbor would send
(``scope`` is added to a Bearer challenge, e.g. ``repository:library/app:pull``).
"""
import html
import secrets
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from . import rbac, security
from .handler import project as projects

bp = Blueprint("v2auth", __name__)

SERVICE = "harbor-registry"
TOKEN_TTL = 1800
API_VERSION_HEADER = {"Docker-Distribution-Api-Version": "registry/2.0"}


def state():
    return current_app.config["state"]


def issued_tokens(st):
    return st.extensions.setdefault("tokens", {})


def bearer_context(st):
    """The v2token context of a bearer token this emulator issued: its subject and the access it carries. ``sysadmin``
    is kept for a system administrator's token so that its catalog reads keep working (Harbor refuses the catalog to any
    token context; approximated)."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return security.ANONYMOUS
    with st.lock:
        issued = issued_tokens(st).get(header[7:].strip())
        if issued is None:
            return security.ANONYMOUS
        user = st.users.get(issued["username"])
        return security.Context(username=issued["username"], sysadmin=bool(user and user["sysadmin"]),
                                robot=issued["username"].startswith(st.robot_prefix), access=issued["access"])


def token_access(st, scopes):
    """creator.go filterAccess for ``repository`` scopes: {project name: {actions the caller may do there}}."""
    access = {}
    for scope in scopes:
        kind, _, rest = scope.partition(":")
        name = rest.rpartition(":")[0]
        if kind != "repository" or "/" not in name:
            continue
        project_name = name.split("/", 1)[0]
        found = projects.find(st, project_name) if " " not in project_name else None
        access[project_name] = {action for action in rbac.TOKEN_ACTIONS if found is not None
                                and projects.can(st, found, action, "repository")}
    return access


def challenge_response(st, scope=None):
    if request.headers.get("Authorization"):
        header = 'Basic realm="harbor"'
    else:
        scheme = (st.external_url or "http://").split("://", 1)[0]
        header = 'Bearer realm="%s://%s/service/token",service="%s"' % (scheme, request.host, SERVICE)
        if scope:
            header += ',scope="%s"' % scope
    resp = jsonify({"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized: unauthorized"}]})
    resp.status_code = 401
    resp.headers.update(API_VERSION_HEADER)
    resp.headers["Www-Authenticate"] = header
    return resp


def require_v2_auth(st, scope=None):
    """The caller's security context on a /v2/ route; aborts with Harbor's 401 challenge when nobody is authenticated."""
    ctx = security.current()
    if not ctx.authenticated:
        ctx = bearer_context(st)
        g.security = ctx
    if not ctx.authenticated:
        abort(challenge_response(st, scope))
    return ctx


@bp.get("/v2/")
def v2_root():
    require_v2_auth(state())
    resp = jsonify({})
    resp.headers.update(API_VERSION_HEADER)
    return resp


@bp.get("/service/token")
def token():
    """token.go Get: an unknown ``service`` is a 400 (beego CustomAbort, plain text) before any credential is looked at;
    the answer (models.Token) carries the JWT in ``token`` only (``access_token`` stays "") and ``issued_at`` is
    ``time.RFC3339`` (whole seconds)."""
    st = state()
    service = request.args.get("service", "")
    if service != SERVICE:
        return Response(html.escape("Unable to handle service: %s" % service), status=400, content_type="text/plain; charset=utf-8")
    ctx = security.current()
    if not ctx.authenticated and not request.args.get("scope"):
        return Response(status=401)
    value = secrets.token_urlsafe(32)
    scopes = [part for value_ in request.args.getlist("scope") for part in value_.split(" ") if part]
    with st.lock:
        issued_tokens(st)[value] = {"username": ctx.username, "access": token_access(st, scopes)}
    issued = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return jsonify({"token": value, "access_token": "", "expires_in": TOKEN_TTL, "issued_at": issued})
