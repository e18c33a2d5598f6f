"""A forward proxy on 127.0.0.1 for the tests: plain-HTTP requests in absolute form are forwarded, ``CONNECT`` opens a
tunnel (https through the proxy). It answers 407 unless a request carries ``Proxy-Authorization`` equal to ``auth``
(when given), and logs ``(method, target, authorised)`` of every request it receives.

``Proxy(auth=None, tls=False)`` -> ``.url`` (``http://127.0.0.1:<port>``, ``https://`` with ``tls``: the client speaks
TLS to the proxy itself, with a certificate of a CA made now whose PEM file is ``.ca_path``), ``.log``, ``.stop()``; a
context manager too.
"""
import base64
import http.client
import os
import select
import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

TUNNEL_SECONDS = 60          # a tunnel idle this long is closed (bounded loops: tests never hang on it)


class Proxy:
    def __init__(self, auth=None, tls=False):
        self.auth = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode() if auth else None
        self.log = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _allowed(self):
                ok = proxy.auth is None or self.headers.get("Proxy-Authorization") == proxy.auth
                proxy.log.append((self.command, self.path, ok))
                if not ok:
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="test proxy"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                return ok

            def do_CONNECT(self):
                if not self._allowed():
                    return
                host, _sep, port = self.path.rpartition(":")
                upstream = socket.create_connection((host, int(port)), timeout=10)
                self.send_response(200, "Connection established")
                self.end_headers()
                self.close_connection = True
                sockets = [self.connection, upstream]
                try:
                    while True:
                        readable, _w, _x = select.select(sockets, [], [], TUNNEL_SECONDS)
                        if not readable:
                            return
                        for sock in readable:
                            data = sock.recv(65536)
                            if not data:
                                return
                            (upstream if sock is self.connection else self.connection).sendall(data)
                finally:
                    upstream.close()

            def _forward(self):
                if not self._allowed():
                    return
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-authorization", "connection")}
                conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
                try:
                    conn.request(self.command, parts.path + ("?" + parts.query if parts.query else ""), body=body,
                                 headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                self.send_response(resp.status, resp.reason)
                for key, value in resp.getheaders():
                    if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.ca_path = None
        if tls:
            import trustme
            ca = trustme.CA()
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            handle, self.ca_path = tempfile.mkstemp(prefix="test-proxy-ca-", suffix=".pem")
            os.close(handle)
            ca.cert_pem.write_to_path(self.ca_path)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self.ca_path and os.path.exists(self.ca_path):
            os.unlink(self.ca_path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
