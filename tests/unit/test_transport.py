"""module_utils/transport.py over real loopback sockets: one keep-alive connection for a module call's requests, a new
one when the server closed the idle one (a POST is not lost to it), and the proxy table of the environment."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.unit.client_import import collection_module

transport = collection_module("transport")


class KeepAliveServer:
    """HTTP/1.1 with Content-Length: connections stay open unless ``close_after`` requests were answered on one, then
    the server closes it silently (as an idle timeout would)."""

    def __init__(self, close_after=None):
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
                data = b'{"ok": true}'
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.answered += 1
                if close_after and self.answered >= close_after:
                    self.close_connection = True

            do_GET = do_POST = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
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


def test_one_connection_serves_every_request(keepalive):
    srv = keepalive()
    http = transport.Transport(retry_methods=("GET",))
    for _ in range(3):
        assert http.request("GET", srv.url + "/a", params={"q": "name=x", "none": None}).json() == {"ok": True}
    assert srv.connections == 1
    assert [path for _m, path, _b in srv.requests] == ["/a?q=name%3Dx"] * 3


def test_a_connection_the_server_closed_while_idle_is_reopened_before_a_post(keepalive):
    srv = keepalive(close_after=1)
    http = transport.Transport(retries=0)
    assert http.request("GET", srv.url + "/a").status_code == 200
    import time
    time.sleep(0.2)                     # the server has closed it by now
    assert http.request("POST", srv.url + "/b", body={"name": "x"}).status_code == 201
    assert srv.connections == 2 and [m for m, _p, _b in srv.requests] == ["GET", "POST"]
    assert srv.requests[1][2] == b'{"name": "x"}'


@pytest.mark.parametrize("env, url, expected", [
    ({}, "https://h.example.com", None),
    ({"https_proxy": "http://p:3128"}, "https://h.example.com", ("http", "p", 3128, None)),
    ({"HTTPS_PROXY": "p:3128"}, "https://h.example.com", ("http", "p", 3128, None)),
    ({"https_proxy": "http://p:3128"}, "http://h.example.com", None),
    ({"http_proxy": "http://p"}, "http://h.example.com", ("http", "p", 80, None)),
    ({"all_proxy": "http://p:8080"}, "https://h.example.com", ("http", "p", 8080, None)),
    ({"https_proxy": "http://u%40x:p%3Aw@p:3128"}, "https://h.example.com",
     ("http", "p", 3128, transport.basic_auth("u@x", "p:w"))),
    ({"https_proxy": "http://p:3128", "no_proxy": "example.com"}, "https://h.example.com", None),
    ({"https_proxy": "http://p:3128", "no_proxy": ".example.com"}, "https://h.example.com", None),
    ({"https_proxy": "http://p:3128", "no_proxy": "other.com, *"}, "https://h.example.com", None),
    ({"https_proxy": "http://p:3128", "NO_PROXY": "h.example.com:8443"}, "https://h.example.com:8443", None),
    ({"https_proxy": "http://p:3128", "no_proxy": "h.example.com:8443"}, "https://h.example.com", ("http", "p", 3128, None)),
    ({"https_proxy": "http://p:3128", "no_proxy": "10.0.0.0/8"}, "https://10.1.2.3", None),
    ({"https_proxy": "http://p:3128", "no_proxy": "10.0.0.0/8"}, "https://h.example.com", ("http", "p", 3128, None)),
    ({"https_proxy": "http://p:3128", "no_proxy": "ample.com"}, "https://h.example.com", ("http", "p", 3128, None)),
])
def test_proxy_from_the_environment(env, url, expected):
    assert transport.proxy_for(url, env) == expected


def test_an_https_proxy_is_refused_with_the_variable_to_fix():
    with pytest.raises(ValueError, match=r"https_proxy/all_proxy must be an http:// URL"):
        transport.proxy_for("https://h.example.com", {"https_proxy": "https://p:3128"})


@pytest.mark.parametrize("header, expected", [("3", 3.0), (" 0 ", 0.0), ("soon", None), ("", None),
                                              ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after(header, expected):
    resp = transport.Response(503, "Service Unavailable", {"Retry-After": header}, b"")
    assert transport._retry_after(resp) == expected
