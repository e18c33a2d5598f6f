"""A recording reverse proxy on 127.0.0.1 in front of one Harbor: the request log of a real Harbor.

The emulator logs every request it serves (``GET /_emulator/requests``); a real Harbor has no such control, so tests
that check "a second run sends no write request" against a real Harbor talk to it through this proxy, which forwards
each request unchanged (``Host`` included, so Harbor's and the registry's ``Location`` headers point back through the
proxy) and logs ``{method, path, query, status}`` like the emulator's log. Bodies and headers are never logged.

``RecordingProxy(upstream_url, ca_path=None)`` -> ``.url`` (``http://127.0.0.1:<port>``), ``.log()``, ``.clear()``,
``.stop()``; a context manager too. The upstream may be https (verified with ``ca_path``, else the system's CAs); the
proxy itself speaks plain HTTP on loopback.
"""
import http.client
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "content-length"}
NO_BODY = (204, 304)
UPSTREAM_TIMEOUT = 120


def read_chunked(rfile):
    """The body of a request sent with ``Transfer-Encoding: chunked``."""
    parts = []
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass                      # trailers
            return b"".join(parts)
        parts.append(rfile.read(size))
        rfile.readline()


class RecordingProxy:
    def __init__(self, upstream_url, ca_path=None):
        parts = urlsplit(upstream_url)
        self.upstream = upstream_url.rstrip("/")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.context = ssl.create_default_context(cafile=ca_path) if parts.scheme == "https" else None
        self._log = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def relay(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = read_chunked(self.rfile)
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length) if length else None
                # a list, not a dict: a header sent more than once (Harbor's replication client sends one Accept per
                # media type, src/pkg/registry/client.go) reaches the upstream as often as it was sent
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
                if body is not None or self.command in ("POST", "PUT", "PATCH"):
                    headers.append(("Content-Length", str(len(body or b""))))
                status, reason, answer_headers, data = proxy.forward(self.command, self.path, body, headers)
                path, _sep, query = self.path.partition("?")
                proxy.record({"method": self.command, "path": path, "query": query, "status": status})
                self.send_response(status, reason)
                for key, value in answer_headers:
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                if self.command == "HEAD":
                    length = dict((k.lower(), v) for k, v in answer_headers).get("content-length")
                    if length is not None:
                        self.send_header("Content-Length", length)
                elif status not in NO_BODY:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD" and status not in NO_BODY:
                    self.wfile.write(data)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def forward(self, method, target, body, headers):
        """One request to the upstream (``headers``: ``[(name, value)]``, repeated names kept): ``(status, reason,
        headers, body)``; a transport failure answers 502."""
        if self.context is not None:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=UPSTREAM_TIMEOUT, context=self.context)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=UPSTREAM_TIMEOUT)
        try:
            names = {k.lower() for k, _v in headers}
            conn.putrequest(method, target, skip_host="host" in names, skip_accept_encoding="accept-encoding" in names)
            for key, value in headers:
                conn.putheader(key, value)
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data
        except (OSError, http.client.HTTPException) as exc:
            return 502, "Bad Gateway", [("Content-Type", "text/plain")], ("proxy: %s" % exc).encode()
        finally:
            conn.close()

    def record(self, entry):
        with self._lock:
            self._log.append(entry)

    def log(self):
        """Every request forwarded since the last ``clear()`` (oldest first)."""
        with self._lock:
            return list(self._log)

    def clear(self):
        with self._lock:
            self._log.clear()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
