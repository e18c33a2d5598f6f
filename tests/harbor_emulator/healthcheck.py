"""The health check of a registry endpoint (mirrors src/pkg/reg/adapter: factories and HealthCheck, src/pkg/registry/auth).

``is_healthy(state, registry)`` takes a stored-registry dict with the secret in clear and answers True/False, as
``controller.IsHealthy`` does. Building the adapter can fail first: an unknown type, or a factory that contacts the remote
(``harbor``: ``GET <url>/api/version``; ``gitlab``, ``ali-acr``, ``tencent-tcr``, ``volcengine-cr``: ``GET <url>/v2/``) and
cannot reach it, raises ``errors.internal()`` (Harbor's opaque 500). A failed ping is never an error, only unhealthy.

The native ping: an unauthenticated ``GET <scheme>://<host>/v2/`` finds the challenge (only a 401 with WWW-Authenticate
counts); Bearer fetches a token from the realm (basic auth only when an access key is set), Basic sends the credentials;
then ``GET <url>/v2/``. Without credentials a 2xx or a 401/403 (from /v2/ or the token endpoint) is healthy; with
credentials only a 2xx is.

One deliberate difference: Harbor's ``docker-hub`` adapter ignores the endpoint URL (it pings registry-1.docker.io and,
with credentials, logs in to hub.docker.com). The emulator pings the URL it is given for every type, so that tests stay
on loopback and an emulator can stand in for Docker Hub.
"""
import functools
import re
import tempfile
import warnings
from http import HTTPStatus
from urllib.parse import urlsplit

import requests
import urllib3

from .errors import HarborAPIError, internal
from .csrf import no_cookies

TIMEOUT = 2

# The adapters src/pkg/reg/manager.go registers, with the versions that have them: (first, first without) or None.
ADAPTER_VERSIONS = {
    "harbor": None, "docker-hub": None, "docker-registry": None, "huawei-SWR": None, "google-gcr": None, "aws-ecr": None,
    "azure-acr": None, "ali-acr": None, "jfrog-artifactory": None, "quay": ("2.1.0", None), "gitlab": None,
    "helm-hub": (None, "2.8.0"), "dtr": ("2.2.0", None), "artifact-hub": ("2.2.0", "2.8.0"), "tencent-tcr": ("2.2.0", None),
    "github-ghcr": ("2.2.0", None), "volcengine-cr": ("2.11.0", None),
}
FACTORIES_PINGING_V2 = ("gitlab", "ali-acr", "tencent-tcr", "volcengine-cr")
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


def credentials(registry):
    """(access_key, access_secret) or None when both are empty (Harbor's PingSimple case)."""
    credential = registry.get("credential") or {}
    key, secret = credential.get("access_key") or "", credential.get("access_secret") or ""
    return (key, secret) if key or secret else None


def verify_option(registry):
    """requests' ``verify`` for an endpoint: off when insecure, its own CA certificate, else the default trust."""
    if registry.get("insecure"):
        return False
    if registry.get("ca_certificate"):
        return ca_file(registry["ca_certificate"])
    return True


@functools.lru_cache(maxsize=None)
def ca_file(pem):
    """A temp file holding ``pem`` (requests reads CAs from files); one file per distinct certificate."""
    with tempfile.NamedTemporaryFile("w", prefix="harbor-emulator-endpoint-ca-", suffix=".pem", delete=False) as handle:
        handle.write(pem)
    return handle.name


def registered_types(st):
    """The adapter types this Harbor version registers (adapter.ListRegisteredAdapterTypes)."""
    types = []
    for kind, versions in ADAPTER_VERSIONS.items():
        first, gone = versions or (None, None)
        if (not first or st.version_at_least(first)) and not (gone and st.version_at_least(gone)):
            types.append(kind)
    return sorted(types)


def create_adapter(st, registry):
    """regMgr.CreateAdapter: the factory of the type (500 when unknown) and its remote calls; answers the HTTP session."""
    kind = registry.get("type") or ""
    if kind not in registered_types(st):
        raise internal("adapter factory for %s not found" % kind)
    session = no_cookies(requests.Session())
    session.trust_env = False           # REQUESTS_CA_BUNDLE would override the endpoint's own trust settings
    session.verify = verify_option(registry)
    build_adapter(session, registry)
    return session


def is_healthy(st, registry):
    session = create_adapter(st, registry)
    kind = registry["type"]
    if kind == "huawei-SWR":
        return True
    if kind == "google-gcr":
        credential = registry.get("credential") or {}
        if not credential.get("access_key") or not credential.get("access_secret"):
            return False
    return native_ping(session, registry["url"], credentials(registry))


def build_adapter(session, registry):
    """The factory steps that talk to the remote; a failure there is a plain Go error (opaque 500)."""
    url = registry["url"].rstrip("/")
    if registry["type"] == "harbor":
        harbor_api_get(session, registry, "/api/version")
    elif registry["type"] in FACTORIES_PINGING_V2 and fetch(session, url + "/v2/") is None:
        raise internal("failed to ping %s" % url)


def harbor_api_get(session, registry, path):
    """A GET through the harbor adapter's API client (harbor/base/client.go): basic auth only with an access key.

    Answers the response, or None for a 404 (Harbor 1.x, or no labels API). Transport errors are plain Go errors (opaque
    500); another non-2xx answer is a legacy ``commonhttp.Error`` that keeps the remote's status, its code being the
    upper-cased status text (lib/http/error.go: apiError).
    """
    creds = credentials(registry)
    url = registry["url"].rstrip("/") + path
    resp = fetch(session, url, auth=creds if creds and creds[0] else None)
    if resp is None:
        raise internal("failed to get %s" % url)
    if resp.status_code == 404:
        return None
    if resp.status_code >= 300:
        raise HarborAPIError(status_text_code(resp.status_code), resp.text, status=resp.status_code)
    return resp


def status_text_code(status):
    """Go's ``strings.ToUpper(http.StatusText(code))`` with ``_`` for spaces (e.g. 401 -> UNAUTHORIZED)."""
    try:
        return HTTPStatus(status).phrase.upper().replace(" ", "_")
    except ValueError:
        return ""


def harbor_labels(session, registry):
    """Client.ListLabels: the names of the remote Harbor's global labels (none when it has no labels API)."""
    resp = harbor_api_get(session, registry, "/api/v2.0/labels?scope=g")
    try:
        return [label["name"] for label in resp.json()] if resp is not None else []
    except (ValueError, TypeError, KeyError):
        raise internal("failed to decode the labels of %s" % registry["url"])


def fetch(session, url, **kwargs):
    """A GET that answers None on connection, DNS or TLS errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)     # insecure endpoints are a choice
        try:
            return session.get(url, timeout=TIMEOUT, allow_redirects=True, **kwargs)
        except requests.RequestException:
            return None


def native_ping(session, url, creds):
    status = ping_status(session, url.rstrip("/"), creds)
    if status is None:
        return False
    if 200 <= status < 300:
        return True
    return creds is None and status in (401, 403)


def ping_status(session, url, creds):
    """The status that decides the ping: the token endpoint's when it refused, else the final /v2/'s; None = unreachable."""
    parts = urlsplit(url)
    probe = fetch(session, "%s://%s/v2/" % (parts.scheme, parts.netloc))
    if probe is None:
        return None
    headers = {}
    auth = None
    challenge = probe.headers.get("WWW-Authenticate", "") if probe.status_code == 401 else ""
    if challenge:
        scheme, _, rest = challenge.partition(" ")
        params = dict(_CHALLENGE_PARAM.findall(rest))
        if scheme.lower() == "bearer":
            token, status = fetch_token(session, params, creds)
            if token is None:
                return status
            headers["Authorization"] = "Bearer " + token
        elif scheme.lower() == "basic":
            auth = creds or ("", "")
        else:
            return None
    final = fetch(session, url + "/v2/", headers=headers, auth=auth)
    return None if final is None else final.status_code


def fetch_token(session, params, creds):
    """(token, None) or (None, status that refused it); a body that is not a token is treated as unreachable."""
    auth = creds if creds and creds[0] else None
    resp = fetch(session, params.get("realm", ""), params={"service": params.get("service", "")}, auth=auth)
    if resp is None:
        return None, None
    if resp.status_code != 200:
        return None, resp.status_code
    try:
        data = resp.json()
    except ValueError:
        return None, None
    token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
    return (token, None) if token else (None, None)
