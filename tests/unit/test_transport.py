"""HTTP under the client (requests + urllib3) over real loopback sockets: one keep-alive connection for a module call's
requests, a new one when the server closed the idle one (a POST is not lost to it), what is retried and what never is,
the proxy and the CA bundle from the environment as requests reads them, and client certificates."""
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from tests.support.proxy import Proxy
from tests.unit.client_import import HarborClient, HarborError

API = "/api/v2.0"


class KeepAliveServer:
    """HTTP/1.1 with Content-Length: connections stay open unless ``close_after`` requests were answered on one, then
    the server closes it silently (as an idle timeout would). ``drop``: paths whose request is read, then the connection
    is closed without an answer (the answer is lost)."""

    def __init__(self, close_after=None, drop=(), host="127.0.0.1"):
        self.connections = 0
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                server.connections += 1
                self.answered = 0

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, body))
                if self.path.split("?")[0] in drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                data = b'{"ok": true}'
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                if self.command == "POST":
                    self.send_header("Location", API + "/things/1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.answered += 1
                if close_after and self.answered >= close_after:
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://%s:%d" % (host, self.port)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def keepalive():
    servers = []

    def start(**kwargs):
        servers.append(KeepAliveServer(**kwargs))
        return servers[-1]

    yield start
    for srv in servers:
        srv.close()


@pytest.fixture
def no_proxy_env(monkeypatch):
    """No proxy and no CA bundle from the machine's environment: each test sets what it is about."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                 "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def client(url, **kwargs):
    kwargs.setdefault("backoff_factor", 0)
    return HarborClient(url, "admin", "Harbor12345", **kwargs)


# -- keep-alive -------------------------------------------------------------------------------------------------------
def test_one_connection_serves_every_request(keepalive, no_proxy_env):
    srv = keepalive()
    harbor = client(srv.url)
    for _ in range(3):
        assert harbor.get("/a", params={"q": "name=x", "none": None}) == {"ok": True}
    assert srv.connections == 1
    assert [path for _m, path, _b in srv.requests] == [API + "/a?q=name%3Dx"] * 3


def test_a_connection_the_server_closed_while_idle_is_reopened_before_a_post(keepalive, no_proxy_env):
    srv = keepalive(close_after=1)
    harbor = client(srv.url, retries=0)
    assert harbor.get("/a") == {"ok": True}
    time.sleep(0.2)                     # the server has closed it by now
    assert harbor.post("/b", {"name": "x"}) == 1
    assert srv.connections == 2 and [m for m, _p, _b in srv.requests] == ["GET", "POST"]
    assert srv.requests[1][2] == b'{"name": "x"}'


# -- what is retried ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method, sent", [("GET", 3), ("PUT", 3), ("DELETE", 3), ("POST", 1)])
def test_a_lost_answer_is_retried_for_idempotent_methods_only(keepalive, no_proxy_env, method, sent):
    """A request that went out and lost its answer may have been applied: a POST (a create) is never sent again."""
    srv = keepalive(drop=(API + "/lost",))
    with pytest.raises(HarborError) as err:
        client(srv.url, retries=2).request(method, "/lost", body={"name": "x"} if method in ("POST", "PUT") else None)
    assert len(srv.requests) == sent
    text = str(err.value)
    assert "closed the connection" in text
    assert ("after %d attempts" % sent in text) == (sent > 1)
    assert ("may have received and applied this %s" % method in text) == (method != "GET")


def test_retry_after_as_an_http_date_in_the_past_is_no_wait(server):
    answers = [(503, {"errors": []}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), (200, [], {})]
    server.on("GET", API + "/projects", lambda req: answers.pop(0) if len(answers) > 1 else answers[0])
    harbor = client(server.url)
    assert harbor.get("/projects") == []
    assert len(server.requests("GET", API + "/projects")) == 2 and harbor.budget["spent"] == 0


def test_retry_after_is_ignored_on_other_statuses(server):
    """As urllib3 reads it: Retry-After on 413, 429 and 503 only; a 502 waits the back-off."""
    answers = [(502, {"errors": []}, {"Retry-After": "50"}), (200, [], {})]
    server.on("GET", API + "/projects", lambda req: answers.pop(0) if len(answers) > 1 else answers[0])
    harbor = client(server.url)
    assert harbor.get("/projects") == []
    assert harbor.budget["spent"] == 0          # the first retry's back-off is 0; Retry-After: 50 was not honoured


def test_the_poll_deadline_stops_retries(server):
    server.json("GET", API + "/projects", {"errors": []}, status=503, headers={"Retry-After": "30"})
    harbor = client(server.url, retries=10)
    harbor.deadline = time.monotonic() + 0.5
    with pytest.raises(HarborError) as err:
        harbor.get("/projects")
    assert err.value.status == 503
    assert harbor.budget["spent"] <= 0.5 and 2 <= len(server.requests("GET", API + "/projects")) <= 3


def test_exponential_backoff_between_retries(server):
    server.json("GET", API + "/projects", {"errors": []}, status=502)
    harbor = client(server.url, retries=3, backoff_factor=0.1)
    with pytest.raises(HarborError):
        harbor.get("/projects")
    assert harbor.budget["spent"] == pytest.approx(0 + 0.2 + 0.4)     # urllib3's back-off: 0, then factor * 2 ** (n - 1)


# -- proxies from the environment (as requests reads them) --------------------------------------------------------------
@pytest.mark.parametrize("env, host, proxied", [
    ({}, "127.0.0.1", False),
    ({"http_proxy": "{proxy}"}, "127.0.0.1", True),
    ({"HTTP_PROXY": "{proxy}"}, "127.0.0.1", True),
    ({"all_proxy": "{proxy}"}, "127.0.0.1", True),
    ({"https_proxy": "{proxy}"}, "127.0.0.1", False),               # an https proxy variable, an http Harbor
    ({"http_proxy": "{proxy}", "no_proxy": "127.0.0.1"}, "127.0.0.1", False),
    ({"http_proxy": "{proxy}", "NO_PROXY": "*"}, "127.0.0.1", False),
    ({"http_proxy": "{proxy}", "no_proxy": "127.0.0.0/8"}, "127.0.0.1", False),
    ({"http_proxy": "{proxy}", "no_proxy": "10.0.0.0/8"}, "127.0.0.1", True),
    ({"http_proxy": "{proxy}", "no_proxy": "other.example, .0.0.1"}, "127.0.0.1", False),
    ({"http_proxy": "{proxy}", "no_proxy": "localhost:{port}"}, "localhost", False),
    ({"http_proxy": "{proxy}", "no_proxy": "localhost:1"}, "localhost", True),
    ({"http_proxy": "{proxy}", "no_proxy": "calhost"}, "localhost", True),     # not a domain of localhost
], ids=lambda v: str(v) if not isinstance(v, dict) else ",".join("%s=%s" % kv for kv in v.items()) or "none")
def test_proxy_from_the_environment(keepalive, no_proxy_env, env, host, proxied):
    srv = keepalive(host=host)
    with Proxy() as proxy:
        for key, value in env.items():
            no_proxy_env.setenv(key, value.format(proxy=proxy.url, port=srv.port))
        assert client(srv.url).get("/a") == {"ok": True}
    assert bool(proxy.log) == proxied, proxy.log
    if proxied:
        assert proxy.log == [("GET", srv.url + API + "/a", True)]


def test_proxy_credentials_are_sent_and_never_shown(keepalive, no_proxy_env):
    srv = keepalive()
    with Proxy(auth=("u@x", "p:w-Secret")) as proxy:
        no_proxy_env.setenv("http_proxy", proxy.url.replace("://", "://u%40x:p%3Aw-Secret@"))
        assert client(srv.url).get("/a") == {"ok": True}
        assert proxy.log == [("GET", srv.url + API + "/a", True)]
        no_proxy_env.setenv("http_proxy", proxy.url.replace("://", "://u%40x:wrong-Secret@"))
        with pytest.raises(HarborError) as err:
            client(srv.url, retries=0).get("/a")
    assert err.value.status == 407 and "Secret" not in str(err.value)


def test_a_tunnel_refused_by_the_proxy_names_it_without_its_password(tls_server, no_proxy_env):
    with Proxy(auth=("squid", "right-Secret")) as proxy:
        no_proxy_env.setenv("https_proxy", proxy.url.replace("://", "://squid:wrong-Secret@"))
        with pytest.raises(HarborError) as err:
            client(tls_server.url, ca_path=tls_server.ca_path, retries=0).get("/registries")
    text = str(err.value)
    assert "through the proxy http://***@127.0.0.1:" in text and "407" in text, text
    assert "Secret" not in text and "may have" not in text


def test_an_https_proxy_is_spoken_to_with_tls(keepalive, tls_server, no_proxy_env, tmp_path):
    """An https:// proxy URL (TLS to the proxy itself), as requests allows it. For an https Harbor its certificate is
    verified like Harbor's: here with ca_path holding both CAs, and refused, naming the proxy, without the proxy's CA."""
    srv = keepalive()
    with Proxy(tls=True) as proxy:
        bundle = tmp_path / "bundle.pem"
        bundle.write_text(open(proxy.ca_path).read() + open(tls_server.ca_path).read())
        no_proxy_env.setenv("http_proxy", proxy.url)
        no_proxy_env.setenv("https_proxy", proxy.url)
        assert client(srv.url, ca_path=str(bundle)).get("/a") == {"ok": True}
        assert client(tls_server.url, ca_path=str(bundle)).systeminfo()["harbor_version"]
        host_port = tls_server.url.split("//", 1)[1]
        assert [(method, target) for method, target, _ok in proxy.log] == [
            ("GET", srv.url + API + "/a"), ("CONNECT", host_port)]
        with pytest.raises(HarborError) as err:
            client(tls_server.url, ca_path=tls_server.ca_path, retries=0).systeminfo()
    assert "through the proxy %s (certificate verify failed" % proxy.url in str(err.value)


# -- which CAs are trusted ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_the_ca_bundle_variables_of_requests_are_honoured_without_ca_path(tls_server, no_proxy_env, variable):
    with pytest.raises(HarborError, match="ca_path"):
        client(tls_server.url, retries=0).systeminfo()
    no_proxy_env.setenv(variable, tls_server.ca_path)
    assert client(tls_server.url, retries=0).systeminfo()["harbor_version"]


def test_ca_path_wins_over_requests_ca_bundle(tls_server, no_proxy_env, tmp_path):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    no_proxy_env.setenv("REQUESTS_CA_BUNDLE", str(other))
    assert client(tls_server.url, ca_path=tls_server.ca_path, retries=0).systeminfo()["harbor_version"]
    no_proxy_env.setenv("REQUESTS_CA_BUNDLE", tls_server.ca_path)
    with pytest.raises(HarborError, match="TLS verification of .* failed .*certificate verify failed"):
        client(tls_server.url, ca_path=str(other), retries=0).systeminfo()


# -- client certificates --------------------------------------------------------------------------------------------------
def test_a_client_certificate_is_presented(mtls_server, no_proxy_env):
    for cert, key in ((mtls_server.client_cert, mtls_server.client_key), (mtls_server.client_pem, None)):
        harbor = client(mtls_server.url, ca_path=mtls_server.ca_path, client_cert=cert, client_key=key, retries=0)
        assert harbor.systeminfo()["harbor_version"]


def test_a_server_that_wants_a_client_certificate_says_which_options(mtls_server, no_proxy_env):
    with pytest.raises(HarborError) as err:
        client(mtls_server.url, ca_path=mtls_server.ca_path, retries=0).systeminfo()
    text = str(err.value)
    assert "wants a client certificate" in text and "set client_cert and client_key" in text, text


@pytest.mark.parametrize("options, message", [
    (dict(client_cert="{missing}"), "client_cert: {missing} is not a file; give the path of a PEM file (HARBOR_CLIENT_CERT"),
    (dict(client_cert="{cert}", client_key="{missing}"), "client_key: {missing} is not a file"),
    (dict(client_key="{key}"), "client_key: given without client_cert"),
    (dict(client_cert="{cert}"), "client_cert/client_key: OpenSSL cannot load the client certificate {cert}"),
    (dict(client_cert="{ca}", client_key="{key}"), "client_cert/client_key: OpenSSL cannot load"),
], ids=["missing-cert", "missing-key", "key-without-cert", "cert-without-its-key", "key-of-another-cert"])
def test_bad_client_certificate_options_are_refused_before_any_request(mtls_server, options, message, tmp_path):
    names = dict(missing=str(tmp_path / "nope.pem"), cert=mtls_server.client_cert, key=mtls_server.client_key,
                 ca=mtls_server.ca_path)
    before = len(mtls_server.requests())
    with pytest.raises(HarborError) as err:
        client(mtls_server.url, **dict((k, v.format(**names)) for k, v in options.items()))
    assert message.format(**names) in str(err.value)
    assert len(mtls_server.requests()) == before
