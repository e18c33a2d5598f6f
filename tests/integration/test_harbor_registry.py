"""harbor_registry with ansible-playbook against the emulator.

There is no Internet here, so the NGC and SUSE Application Collection "upstreams" are loopback stand-ins that answer
the way nvcr.io does: ``GET /v2/`` asks for a Bearer token, the token service takes the endpoint's Access ID and
Access Secret with basic auth (``$oauthtoken`` and the API key for NGC). Harbor's health check (emulated) goes through
that dance on every create/update and on ``test_connection``, so wrong credentials make the endpoint unhealthy.
"""
import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import trustme
import yaml

from tests.support.harbor import closed_port_url
from tests.support.names import unique

MODULE = "registryops.harbor.harbor_registry"
NGC_KEY = "nvapi-Zm9vYmFyYmF6LXNlY3JldC1hcGkta2V5"
AC_TOKEN = "ac-token-4f1d2c9e"
NVIDIA, NVIDIAIO, APPCO = unique("NVIDIA"), unique("nvidiaio"), unique("application-collection")
BAD_PEM = "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n"


class Upstream:
    """A registry that wants a Bearer token from its own token service, given for one user and secret only."""

    def __init__(self, user, secret, anonymous_status=401):
        self.user, self.secret = user, secret
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.startswith("/v2"):
                    if self.headers.get("Authorization") == "Bearer granted":
                        return self.answer(200, {})
                    realm = "http://%s:%d/proxy_auth" % self.server.server_address
                    return self.answer(401, {"errors": [{"code": "UNAUTHORIZED"}]},
                                       {"WWW-Authenticate": 'Bearer realm="%s",service="registry"' % realm})
                if self.path.startswith("/proxy_auth"):
                    if "Authorization" not in self.headers:
                        return self.answer(anonymous_status, {"details": "anonymous token request"})
                    expected = "Basic " + base64.b64encode(("%s:%s" % (upstream.user, upstream.secret)).encode()).decode()
                    if self.headers.get("Authorization") == expected:
                        return self.answer(200, {"token": "granted"})
                    return self.answer(401, {"details": "incorrect credentials"})
                return self.answer(404, {})

            def answer(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                for key, value in dict(headers or {}, **{"Content-Type": "application/json"}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ngc():
    upstream = Upstream("$oauthtoken", NGC_KEY)
    yield upstream
    upstream.close()


@pytest.fixture
def application_collection():
    upstream = Upstream("jane.doe@example.com", AC_TOKEN)
    yield upstream
    upstream.close()


def call(target, method, path, json=None, params=None):
    """A direct API call (set-up and checks), outside the module under test."""
    resp = requests.request(method, target.url + "/api/v2.0" + path, json=json, params=params,
                            auth=(target.username, target.password), timeout=30)
    assert resp.status_code < 400, "%s %s -> %s %s" % (method, path, resp.status_code, resp.text)
    return resp.json() if resp.content else None


def endpoint(target, name):
    found = [r for r in call(target, "GET", "/registries", params={"q": "name=%s" % name}) if r["name"] == name]
    return found[0] if found else None


def task(title, **args):
    return {"name": title, MODULE: args}


def nvidia(upstream, **extra):
    """Scenario A's endpoint: Docker Registry, $oauthtoken + API key, Verify Remote Cert on."""
    return dict(dict(name=NVIDIA, description="NVIDIA Global Catalog Endpoint", provider="docker-registry", url=upstream.url + "/",
                     access_key="$oauthtoken", access_secret=NGC_KEY, verify_remote_cert=True), **extra)


def suse(upstream, **extra):
    return dict(dict(name=APPCO, provider="docker-registry", url=upstream.url, access_key="jane.doe@example.com",
                     access_secret=AC_TOKEN, verify_remote_cert=True, test_connection=True), **extra)


def writes(target):
    return [(w["method"], w["path"]) for w in target.writes()]


# -- create, idempotency, updates -----------------------------------------------------------------------------------
def test_ngc_endpoint_create_and_idempotent(run_play, harbor, ngc):
    play = run_play([task("NVIDIA", **nvidia(ngc))], verbosity=3)
    assert play.rc == 0, play.output
    result = play.result("NVIDIA")
    assert result["changed"] is True
    assert result["registry"]["url"] == ngc.url
    assert result["registry"]["credential"] == {"type": "basic", "access_key": "$oauthtoken", "access_secret": "*****"}
    assert result["secret_sent"]
    assert NGC_KEY not in play.output

    stored = endpoint(harbor, NVIDIA)
    assert stored["type"] == "docker-registry"
    assert stored["url"] == ngc.url
    assert stored.get("insecure", False) is False   # Harbor omits a false insecure (omitempty)
    assert stored["status"] == "healthy"

    harbor.clear_log()
    again = run_play([task("NVIDIA", **nvidia(ngc))], verbosity=3)
    assert again.rc == 0, again.output
    assert again.result("NVIDIA")["changed"] is False
    assert "secret_sent" not in again.result("NVIDIA")
    assert writes(harbor) == []
    assert NGC_KEY not in again.output


def test_ngc_pair_endpoint_and_nvidiaio_proxy_cache(run_play, harbor, ngc):
    """Scenario A as a playbook: the NVIDIA endpoint, tested, then the public nvidiaio proxy-cache project without quota."""
    project = {"name": "nvidiaio", "registryops.harbor.harbor_project": {
        "name": NVIDIAIO, "public": True, "proxy_cache_registry": NVIDIA, "storage_quota": -1}}
    play = run_play([task("NVIDIA", **nvidia(ngc, test_connection=True)), project], verbosity=3)
    assert play.rc == 0, play.output
    assert play.result("NVIDIA")["connection"] == "healthy"
    created = play.result("nvidiaio")["project"]
    assert (created["public"], created["proxy_cache_registry"], created["storage_quota"]) == (True, NVIDIA, -1)
    assert call(harbor, "GET", "/projects/" + NVIDIAIO)["registry_id"] == endpoint(harbor, NVIDIA)["id"]
    assert NGC_KEY not in play.output

    harbor.clear_log()
    again = run_play([task("NVIDIA", **nvidia(ngc)), project], verbosity=3)
    assert again.rc == 0, again.output
    assert again.changed == 0
    assert writes(harbor) == []
    assert NGC_KEY not in again.output

    tested = run_play([task("NVIDIA", **nvidia(ngc, test_connection=True))])
    assert tested.result("NVIDIA")["changed"] is False
    assert tested.result("NVIDIA")["connection"] == "healthy"
    assert writes(harbor) == [("POST", "/api/v2.0/registries/ping")]


def test_suse_application_collection_pair(run_play, harbor, application_collection):
    project = {"name": "application-collection", "registryops.harbor.harbor_project": {
        "name": APPCO, "proxy_cache_registry": APPCO, "public": False}}
    play = run_play([task("endpoint", **suse(application_collection)), project], verbosity=3)
    assert play.rc == 0, play.output
    assert play.result("endpoint")["connection"] == "healthy"
    assert play.result("application-collection")["project"]["proxy_cache_registry"] == APPCO
    assert AC_TOKEN not in play.output

    harbor.clear_log()
    again = run_play([task("endpoint", **suse(application_collection, test_connection=False)), project])
    assert again.rc == 0, again.output
    assert again.changed == 0
    assert writes(harbor) == []


@pytest.mark.parametrize("option, value, api_check", [
    ("description", "NGC (production key)", lambda r: r["description"] == "NGC (production key)"),
    ("verify_remote_cert", False, lambda r: r["insecure"] is True),
    ("credential_type", "oauth", lambda r: r["credential"]["type"] == "oauth"),
    ("ca_certificate", trustme.CA().cert_pem.bytes().decode(), lambda r: "BEGIN CERTIFICATE" in r["ca_certificate"]),
], ids=["description", "verify_remote_cert", "credential_type", "ca_certificate"])
def test_update_each_field(run_play, harbor, ngc, option, value, api_check):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    harbor.clear_log()
    play = run_play([task("change", **nvidia(ngc, **{option: value}))], diff=True)
    assert play.rc == 0, play.output
    result = play.result("change")
    assert result["changed"] is True
    assert [k for k in result["after"] if result["after"][k] != result["before"][k]] == [option]
    assert api_check(endpoint(harbor, NVIDIA))
    assert writes(harbor) == [("PUT", "/api/v2.0/registries/%s" % endpoint(harbor, NVIDIA)["id"])]

    harbor.clear_log()
    again = run_play([task("change", **nvidia(ngc, **{option: value}))])
    assert again.result("change")["changed"] is False
    assert writes(harbor) == []


def test_url_and_access_key_changes_send_the_secret(run_play, harbor, ngc):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    other = Upstream("$oauthtoken", NGC_KEY)
    try:
        play = run_play([task("move", **nvidia(other))], verbosity=3)
        assert play.rc == 0, play.output
        result = play.result("move")
        assert result["changed"] is True
        assert result["before"]["url"] == ngc.url and result["after"]["url"] == other.url
        assert result["secret_sent"] == "new endpoint or changed url/access_key"
        assert NGC_KEY not in play.output
    finally:
        other.close()

    rotated = Upstream("svc-ngc", "second-key")
    try:
        missing_secret = run_play([task("key", **dict(nvidia(rotated), access_key="svc-ngc", access_secret=None))])
        assert missing_secret.rc != 0
        assert "access_secret: required when access_key changes" in missing_secret.result("key")["msg"]
        play = run_play([task("key", **nvidia(rotated, access_key="svc-ngc", access_secret="second-key"))])
        assert play.rc == 0, play.output
        assert endpoint(harbor, NVIDIA)["credential"]["access_key"] == "svc-ngc"
    finally:
        rotated.close()


def test_update_password_always_is_reported_as_a_change(run_play, harbor, ngc):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    harbor.clear_log()
    play = run_play([task("always", **nvidia(ngc, update_password="always"))], verbosity=3)
    assert play.rc == 0, play.output
    result = play.result("always")
    assert result["changed"] is True
    assert result["secret_sent"] == "update_password=always"
    assert result["before"] == result["after"]
    assert writes(harbor) == [("PUT", "/api/v2.0/registries/%s" % endpoint(harbor, NVIDIA)["id"])]
    assert NGC_KEY not in play.output


def test_access_secret_alone_rotates_the_secret_of_an_endpoint_with_a_stored_key(run_play, harbor, ngc):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    ngc.secret = "nvapi-rotated-key-0123456789"
    harbor.clear_log()
    play = run_play([task("rotate", **nvidia(ngc, access_key=None, access_secret=ngc.secret, update_password="always",
                                             test_connection=True))], verbosity=3)
    assert play.rc == 0, play.output
    result = play.result("rotate")
    assert result["changed"] is True
    assert result["secret_sent"] == "update_password=always"
    assert result["connection"] == "healthy"
    stored = endpoint(harbor, NVIDIA)
    assert stored["credential"]["access_key"] == "$oauthtoken" and stored["status"] == "healthy"
    assert writes(harbor) == [("POST", "/api/v2.0/registries/ping"), ("PUT", "/api/v2.0/registries/%s" % stored["id"])]
    assert ngc.secret not in play.output

    # Without a stored access key there is nothing to send the secret with: refused before any write.
    call(harbor, "POST", "/registries", json={"name": unique("anonymous"), "type": "docker-registry", "url": ngc.url})
    harbor.clear_log()
    for args in (dict(name=unique("anonymous"), access_secret=NGC_KEY, update_password="always"),
                 dict(name=unique("anonymous"), provider="docker-registry", access_secret=NGC_KEY, update_password="always"),
                 dict(name=NVIDIA, access_key="", access_secret=NGC_KEY, update_password="always")):
        refused = run_play([task("refused", **args)], verbosity=3)
        assert refused.rc != 0
        assert "access_secret: needs access_key" in refused.result("refused")["msg"]
        assert NGC_KEY not in refused.output
    assert writes(harbor) == []


def test_check_mode_and_diff(run_play, harbor, ngc):
    harbor.clear_log()
    play = run_play([task("NVIDIA", **nvidia(ngc))], check=True, diff=True)
    assert play.rc == 0, play.output
    result = play.result("NVIDIA")
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["url"] == ngc.url
    assert "access_secret" not in result["diff"]["after"]
    assert result["secret_sent"] == "new endpoint or changed url/access_key"
    assert writes(harbor) == []
    assert endpoint(harbor, NVIDIA) is None

    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    harbor.clear_log()
    play = run_play([task("NVIDIA", **nvidia(ngc, description="changed"))], check=True, diff=True)
    assert play.result("NVIDIA")["changed"] is True
    assert play.result("NVIDIA")["diff"]["after"]["description"] == "changed"
    assert writes(harbor) == []


def test_test_connection_in_check_mode_pings_only(run_play, harbor, ngc):
    harbor.clear_log()
    play = run_play([task("NVIDIA", **nvidia(ngc, test_connection=True))], check=True)
    assert play.rc == 0, play.output
    assert play.result("NVIDIA")["connection"] == "healthy"
    assert writes(harbor) == [("POST", "/api/v2.0/registries/ping")]
    assert endpoint(harbor, NVIDIA) is None

    bad = run_play([task("NVIDIA", **nvidia(ngc, test_connection=True, access_secret="wrong-key"))], check=True, verbosity=3)
    assert bad.rc != 0
    msg = bad.result("NVIDIA")["msg"]
    assert ngc.url in msg and "docker-registry" in msg and "access_key/access_secret" in msg
    assert "wrong-key" not in bad.output


def test_delete_and_delete_missing(run_play, harbor, ngc):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    play = run_play([task("delete", name=NVIDIA, state="absent")], diff=True)
    assert play.rc == 0, play.output
    assert play.result("delete")["changed"] is True
    assert play.result("delete")["diff"]["after"] == {}
    assert endpoint(harbor, NVIDIA) is None

    harbor.clear_log()
    again = run_play([task("delete", name=NVIDIA, state="absent")])
    assert again.result("delete")["changed"] is False
    assert writes(harbor) == []


# -- failures -------------------------------------------------------------------------------------------------------
def test_unreachable_endpoint_fails_clearly_and_creates_nothing(run_play, harbor):
    url = closed_port_url()
    play = run_play([task("gone", name=unique("gone"), provider="docker-registry", url=url, access_key="$oauthtoken", access_secret=NGC_KEY)],
                    verbosity=3)
    assert play.rc != 0
    msg = play.result("gone")["msg"]
    assert url in msg and "docker-registry" in msg and "DNS" in msg and "verify_remote_cert" in msg
    assert NGC_KEY not in play.output
    assert endpoint(harbor, unique("gone")) is None


def test_delete_of_a_used_endpoint_names_its_users(run_play, harbor, ngc):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    registry_id = endpoint(harbor, NVIDIA)["id"]
    call(harbor, "POST", "/projects", json={"project_name": NVIDIAIO, "registry_id": registry_id, "metadata": {"public": "true"}})
    call(harbor, "POST", "/replication/policies", json={"name": unique("ngc-pull"), "src_registry": {"id": registry_id}, "enabled": True,
                                                        "trigger": {"type": "manual"}, "dest_namespace": "nvidia"})
    harbor.clear_log()
    play = run_play([task("delete", name=NVIDIA, state="absent")])
    assert play.rc != 0
    msg = play.result("delete")["msg"]
    assert "replication rule(s) %s" % unique("ngc-pull") in msg and "proxy-cache project(s) %s" % NVIDIAIO in msg
    assert endpoint(harbor, NVIDIA) is not None


def test_provider_change_is_refused_unless_recreated(run_play, harbor, ngc):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    harbor.clear_log()
    play = run_play([task("harbor", **nvidia(ngc, provider="harbor"))])
    assert play.rc != 0
    msg = play.result("harbor")["msg"]
    assert "provider docker-registry" in msg and "cannot change the provider" in msg and "recreate: true" in msg
    assert writes(harbor) == []

    call(harbor, "POST", "/projects", json={"project_name": NVIDIAIO, "registry_id": endpoint(harbor, NVIDIA)["id"]})
    used = run_play([task("harbor", **nvidia(ngc, provider="harbor", recreate=True))])
    assert used.rc != 0
    assert "proxy-cache project(s) %s" % NVIDIAIO in used.result("harbor")["msg"]
    call(harbor, "DELETE", "/projects/" + NVIDIAIO)

    play = run_play([task("jfrog", **nvidia(ngc, provider="artifactory", recreate=True))])
    assert play.rc == 0, play.output
    assert play.result("jfrog")["recreated"] is True
    assert endpoint(harbor, NVIDIA)["type"] == "jfrog-artifactory"


@pytest.mark.parametrize("args, message", [
    (dict(name="x", provider="nexus", url="https://nexus.example.com"), "value of provider must be one of: ali-acr, aws-ecr"),
    (dict(name="x", provider="docker-registry"), "url: required to create registry endpoint x of provider docker-registry"),
    (dict(name="x", provider="docker-registry", url="ftp://mirror.example.com"), "url: 'ftp://mirror.example.com' is not an http"),
    (dict(name="x", provider="docker-registry", url="https://nvcr.io", access_secret=NGC_KEY), "access_secret: needs access_key"),
    (dict(name="x", provider="docker-registry", url="https://nvcr.io", access_key="u", access_secret="*****"), "Harbor hides a stored secret"),
    (dict(name="x", provider="docker-registry", url="https://nvcr.io", ca_certificate=BAD_PEM), "ca_certificate: the PEM text holds no valid"),
    (dict(name="x", provider="gcr", url="https://gcr.io", access_secret="/nonexistent/key.json"), "access_secret: provider google-gcr"),
    (dict(name="x" * 65, provider="docker-registry", url="https://nvcr.io"), "name: must be 1 to 64 bytes"),
    (dict(name="\u00e9" * 33, provider="docker-registry", url="https://nvcr.io"), "name: must be 1 to 64 bytes"),
    # issue 20: names Harbor would store but nobody can read or tell apart, a list given as a name, numbers in other digits
    (dict(name="line\nbreak", provider="docker-registry", url="https://nvcr.io"), "name: the name of a registry endpoint must not hold U+000A"),
    (dict(name="nul\x00byte", provider="docker-registry", url="https://nvcr.io"), "name: must not hold U+0000"),
    (dict(name="evil\u202eexe", provider="docker-registry", url="https://nvcr.io"), "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    (dict(name=["x"], provider="docker-registry", url="https://nvcr.io"), "name: expected text, got a list (['x'])"),
    # issue 21: Harbor's column lengths (registry.url varchar(256), access_key varchar(255), access_secret varchar(4096) encrypted)
    (dict(name="x", provider="docker-registry", url="https://nvcr.io/" + "a" * 250), "url: must be at most 256 characters"),
    (dict(name="x", provider="docker-registry", url="https://nvcr.io", access_key="k" * 256, access_secret=NGC_KEY),
     "access_key: must be at most 255 characters"),
    (dict(name="x", provider="docker-registry", url="https://nvcr.io", access_key="u", access_secret=NGC_KEY + "s" * 3050),
     "access_secret: must be at most 3050 bytes"),
])
def test_bad_input_fails_before_any_write(run_play, harbor, args, message):
    harbor.clear_log()
    play = run_play([task("bad", **args)], verbosity=3)
    assert play.rc != 0
    assert message in play.result("bad")["msg"]
    assert writes(harbor) == []
    assert NGC_KEY not in play.output


def test_fixed_url_providers_and_gcr_key_file(run_play, harbor, tmp_path):
    key = tmp_path / "gcp-key.json"
    key.write_text(json.dumps({"type": "service_account", "client_email": "replicator@proj.iam.gserviceaccount.com",
                               "private_key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"}))
    harbor.clear_log()
    play = run_play([task("hub", name=unique("docker-hub"), provider="dockerhub"), task("ghcr", name=unique("ghcr"), provider="ghcr"),
                     task("ui", name=unique("hub-ui"), provider="docker"),
                     task("swr", name=unique("swr"), provider="huawei-swr", url="https://swr.example.com"),
                     task("gcr", name=unique("gcp"), provider="artifact-registry", url="https://europe-docker.pkg.dev", access_secret=str(key))],
                    check=True, verbosity=3)
    assert play.rc == 0, play.output
    assert play.result("hub")["after"]["url"] == "https://hub.docker.com"
    assert play.result("hub")["after"]["provider"] == "docker-hub"
    assert play.result("ghcr")["after"]["url"] == "https://ghcr.io"
    assert play.result("ui")["after"]["provider"] == "docker-hub"
    assert play.result("swr")["after"]["provider"] == "huawei-SWR"
    assert play.result("gcr")["after"]["access_key"] == "_json_key"
    assert play.result("gcr")["after"]["provider"] == "google-gcr"
    assert "MIIB" not in play.output
    assert writes(harbor) == []


@pytest.mark.core_matrix                  # lookup('file') gives a dict on ansible-core < 2.19
def test_gcr_json_key_given_as_a_dictionary_is_sent_as_json_and_never_shown(run_play, harbor, tmp_path):
    """``lookup('file', 'key.json')`` gives a dict on ansible-core < 2.19: it must reach Harbor as JSON, and stay hidden."""
    key = {"type": "service_account", "client_email": "replicator@proj.iam.gserviceaccount.com",
           "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"}
    (tmp_path / "key.json").write_text(json.dumps(key))
    # The stand-in for Google's registry grants a token only for _json_key and exactly that JSON text.
    gcr = Upstream("_json_key", json.dumps(key))
    try:
        play = run_play([task("gcr", name=unique("gcp"), provider="gcr", url=gcr.url, access_secret=key),
                         task("lookup", name=unique("gcp-lookup"), provider="gcr", url=gcr.url,
                              access_secret="{{ lookup('file', '%s') }}" % (tmp_path / "key.json"))], verbosity=3)
        assert play.rc == 0, play.output
        assert play.result("lookup")["changed"] is True
        assert endpoint(harbor, unique("gcp-lookup"))["status"] == "healthy"
        assert play.result("gcr")["registry"]["credential"] == {"type": "basic", "access_key": "_json_key", "access_secret": "*****"}
        assert endpoint(harbor, unique("gcp"))["status"] == "healthy"
        assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in play.output

        harbor.clear_log()
        again = run_play([task("gcr", name=unique("gcp"), provider="gcr", url=gcr.url, access_secret=key)], verbosity=3)
        assert again.rc == 0, again.output
        assert again.result("gcr")["changed"] is False
        assert writes(harbor) == []
        assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in again.output
    finally:
        gcr.close()

    refused = run_play([task("dict", name="x", provider="docker-registry", url="https://nvcr.io", access_key="u",
                             access_secret={"password": NGC_KEY})], verbosity=3)
    assert refused.rc != 0
    assert "access_secret: provider docker-registry takes a password, token or key as text, not a dict" in refused.result("dict")["msg"]
    assert NGC_KEY not in refused.output


def test_gcr_json_key_file_creates_the_endpoint(run_play, harbor, tmp_path):
    text = json.dumps({"type": "service_account", "client_email": "replicator@proj.iam.gserviceaccount.com",
                       "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"},
                      indent=2) + "\n"
    key = tmp_path / "gcp-key.json"
    key.write_text(text)
    gcr = Upstream("_json_key", text)
    try:
        play = run_play([task("gcr", name=unique("gcp"), provider="google-gcr", url=gcr.url, access_secret=str(key), test_connection=True)],
                        verbosity=3)
        assert play.rc == 0, play.output
        assert play.result("gcr")["connection"] == "healthy"
        assert endpoint(harbor, unique("gcp"))["credential"]["access_key"] == "_json_key"
        assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in play.output
    finally:
        gcr.close()


def test_check_mode_delete_and_update_password_always(run_play, harbor, ngc):
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    harbor.clear_log()
    always = run_play([task("always", **nvidia(ngc, update_password="always"))], check=True, verbosity=3)
    assert always.rc == 0, always.output
    assert always.result("always")["changed"] is True
    assert always.result("always")["secret_sent"] == "update_password=always"
    assert NGC_KEY not in always.output

    same = run_play([task("same", **nvidia(ngc))], check=True)
    assert same.result("same")["changed"] is False
    assert "secret_sent" not in same.result("same")

    delete = run_play([task("delete", name=NVIDIA, state="absent")], check=True, diff=True)
    assert delete.rc == 0, delete.output
    assert delete.result("delete")["changed"] is True
    assert delete.result("delete")["diff"]["before"]["url"] == ngc.url and delete.result("delete")["diff"]["after"] == {}
    assert writes(harbor) == []
    assert endpoint(harbor, NVIDIA) is not None


def test_test_connection_of_a_credential_removal_pings_anonymously(run_play, harbor):
    """access_key: "" makes the endpoint anonymous; the connection test must not borrow the stored credential."""
    private = Upstream("$oauthtoken", NGC_KEY, anonymous_status=500)     # no anonymous tokens: only a credential works
    try:
        assert run_play([task("NVIDIA", **nvidia(private))]).rc == 0
        harbor.clear_log()
        play = run_play([task("anonymous", name=NVIDIA, access_key="", test_connection=True)], check=True, verbosity=3)
        assert play.rc != 0, play.output
        assert "Harbor could not reach or log in to %s" % private.url in play.result("anonymous")["msg"]
        assert writes(harbor) == [("POST", "/api/v2.0/registries/ping")]
        assert endpoint(harbor, NVIDIA)["credential"]["access_key"] == "$oauthtoken"
        assert NGC_KEY not in play.output
    finally:
        private.close()


# -- issue 10 -------------------------------------------------------------------------------------------------------
def test_ca_certificate_with_a_private_key_is_refused_and_never_shown(run_play, harbor, ngc, tmp_path):
    """Defect 1: a PEM file with the certificate and its key would send the key to Harbor (stored, returned, diffed)."""
    ca = trustme.CA()
    cert = ca.issue_cert("registry.example.com")
    key = cert.private_key_pem.bytes().decode()
    key_body = key.splitlines()[1]
    both = tmp_path / "cert-and-key.pem"
    both.write_text(cert.cert_chain_pems[0].bytes().decode() + key)
    harbor.clear_log()
    for value in (str(both), both.read_text()):
        play = run_play([task("ca", **nvidia(ngc, ca_certificate=value))], verbosity=3, diff=True)
        assert play.rc != 0
        assert "ca_certificate: the PEM given holds a private key" in play.result("ca")["msg"]
        assert key_body not in play.output
    assert writes(harbor) == []
    assert endpoint(harbor, NVIDIA) is None


def test_missing_ca_certificate_file_is_named(run_play, harbor, ngc, tmp_path):
    missing = str(tmp_path / "ca.pem")
    play = run_play([task("ca", **nvidia(ngc, ca_certificate=missing))])
    assert play.rc != 0
    assert "ca_certificate: file %s does not exist" % missing in play.result("ca")["msg"]


URL_PASSWORD = "Reg-Url-Pw-77ab"


@pytest.mark.parametrize("url_of, message", [
    (lambda up: up.url.replace("://", "://jane:%s@" % URL_PASSWORD), "url: must not carry a user name or password"),
    (lambda up: up.url.split("://", 1)[1], "has no scheme; write it with https://"),
], ids=["userinfo", "no-scheme"])
def test_registry_url_with_user_info_or_without_scheme_is_refused(run_play, harbor, ngc, url_of, message):
    """Defects 2 and 9: Harbor would keep the URL as http:// (credentials in clear) and drop the user info silently."""
    harbor.clear_log()
    play = run_play([task("url", **nvidia(ngc, url=url_of(ngc)))], verbosity=3)
    assert play.rc != 0
    assert message in play.result("url")["msg"]
    assert URL_PASSWORD not in play.output and NGC_KEY not in play.output
    assert writes(harbor) == []


@pytest.mark.emulator_only("injects a 503 answer to the ping (fault control)")
def test_test_connection_is_retried_and_pings_with_the_secret_given(run_play, harbor, ngc):
    """Defect 11: the ping is safe to retry; with update_password=on_create it tests the secret given, not the stored one."""
    assert run_play([task("NVIDIA", **nvidia(ngc))]).rc == 0
    harbor.fault(method="POST", path="/api/v2.0/registries/ping", status=503, count=1)
    harbor.clear_log()
    play = run_play([task("NVIDIA", **nvidia(ngc, test_connection=True))])
    assert play.rc == 0, play.output
    assert play.result("NVIDIA")["connection"] == "healthy"
    assert [w["status"] for w in harbor.writes()] == [503, 200]

    wrong = run_play([task("NVIDIA", **nvidia(ngc, test_connection=True, access_secret="not-the-key"))], verbosity=3)
    assert wrong.rc != 0                 # the stored key works, the one given does not: the ping says so
    assert "access_key/access_secret" in wrong.result("NVIDIA")["msg"]
    assert "not-the-key" not in wrong.output


@pytest.mark.emulator_only("injects a 500 answer to the create (fault control)")
def test_recreate_whose_create_fails_says_the_endpoint_was_deleted(run_play, harbor, ngc):
    """Defect 11: not "Nothing was changed" after the delete went through; the former settings are given as YAML."""
    assert run_play([task("NVIDIA", **nvidia(ngc, description="the one"))]).rc == 0
    harbor.fault(method="POST", path="/api/v2.0/registries", status=500, count=1)
    play = run_play([task("jfrog", **nvidia(ngc, provider="artifactory", recreate=True))], verbosity=3)
    assert play.rc != 0
    result = play.result("jfrog")
    msg = result["msg"]
    assert result["changed"] is True
    assert "was deleted, but creating it again with provider" in msg and "does not exist now" in msg
    assert "Nothing was changed" not in msg
    former = yaml.safe_load(msg.split("were:\n", 1)[1].split("\nFix the cause")[0])
    assert (former["provider"], former["description"], former["access_key"]) == ("docker-registry", "the one", "$oauthtoken")
    assert NGC_KEY not in play.output
    assert endpoint(harbor, NVIDIA) is None
