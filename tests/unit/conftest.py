"""A scriptable loopback HTTP(S) server for the client's unit tests.

Each test says how paths answer (``server.on("GET", "/api/v2.0/x", handler)``, handler(request) -> (status, body,
headers)); the server records every request it got. Real sockets, real ``requests``: nothing is patched.
``ScriptedServer(tls=True, client_auth=True)`` requires a client certificate: ``client_cert``/``client_key`` (and
``client_pem``, both in one file) are PEM files of one that its CA issued.
"""
import json
import ssl
import threading

import pytest
import trustme
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class ScriptedServer:
    def __init__(self, tls=False, tmp_path=None, client_auth=False):
        self.routes = {}
        self.log = []
        self.lock = threading.Lock()
        ssl_context = None
        self.ca_path = None
        if tls:
            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(ssl_context)
            self.ca_path = str(tmp_path / "ca.pem")
            ca.cert_pem.write_to_path(self.ca_path)
            if client_auth:
                ssl_context.verify_mode = ssl.CERT_REQUIRED
                ca.configure_trust(ssl_context)
                client = ca.issue_cert("automation.example.com")
                self.client_cert, self.client_key = str(tmp_path / "client.crt"), str(tmp_path / "client.key")
                self.client_pem = str(tmp_path / "client.pem")
                client.cert_chain_pems[0].write_to_path(self.client_cert)
                client.private_key_pem.write_to_path(self.client_key)
                client.private_key_and_cert_chain_pem.write_to_path(self.client_pem)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, ssl_context=ssl_context)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.server.server_port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def on(self, method, path, handler):
        self.routes[(method, path)] = handler

    def json(self, method, path, body, status=200, headers=None):
        self.on(method, path, lambda req: (status, body, headers or {}))

    def requests(self, method=None, path=None):
        return [r for r in self.log if (method is None or r["method"] == method) and (path is None or r["path"] == path)]

    def app(self, environ, start_response):
        req = Request(environ)
        with self.lock:
            self.log.append({"method": req.method, "path": req.path, "args": req.args.to_dict(), "headers": dict(req.headers)})
        handler = self.routes.get((req.method, req.path))
        if handler is None:
            status, body, headers = 404, {"errors": [{"code": "NOT_FOUND", "message": "no route"}]}, {}
        else:
            status, body, headers = handler(req)
        if isinstance(body, (dict, list)):
            resp = Response(json.dumps(body), status=status, content_type="application/json")
        else:
            resp = Response(body or "", status=status, content_type="text/plain")
        for key, value in headers.items():
            resp.headers[key] = value
        return resp(environ, start_response)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


SYSTEMINFO = {"auth_mode": "db_auth", "harbor_version": "v2.15.2-080b0220", "primary_auth_mode": False}


@pytest.fixture
def server():
    srv = ScriptedServer()
    srv.json("GET", "/api/v2.0/systeminfo", SYSTEMINFO)
    yield srv
    srv.close()


@pytest.fixture
def tls_server(tmp_path):
    srv = ScriptedServer(tls=True, tmp_path=tmp_path)
    srv.json("GET", "/api/v2.0/systeminfo", SYSTEMINFO)
    yield srv
    srv.close()


@pytest.fixture
def mtls_server(tmp_path):
    """An https server that requires a client certificate (as a front proxy of Harbor can)."""
    srv = ScriptedServer(tls=True, tmp_path=tmp_path, client_auth=True)
    srv.json("GET", "/api/v2.0/systeminfo", SYSTEMINFO)
    yield srv
    srv.close()
