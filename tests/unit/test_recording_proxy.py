"""The recording proxy that stands in front of a real Harbor (tests/support/recorder.py), over loopback sockets: it
forwards a request as it was sent, repeated headers included, and logs it.

A replication through the proxy showed why repeated headers matter: Harbor's registry client sends one ``Accept``
header per media type it takes (src/pkg/registry/client.go, goharbor/harbor v2.15.2), and Distribution refuses an OCI
manifest to a client whose ``Accept`` headers lack the OCI types; a proxy that kept only the last ``Accept`` made a
real Harbor's pull replication fail."""
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.recorder import RecordingProxy


@pytest.fixture
def echo():
    """A loopback server that answers every request with the headers it received, ``[[name, value], ...]``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            body = json.dumps([[k, v] for k, v in self.headers.items()]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def send(url, method, path, headers, body=None):
    host, port = url.split("://", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest(method, path)
        for key, value in headers:
            conn.putheader(key, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_repeated_headers_reach_the_upstream_each_time_and_the_request_is_logged(echo):
    accepts = ["application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json",
               "application/vnd.oci.image.index.v1+json"]
    with RecordingProxy(echo) as proxy:
        status, received = send(proxy.url, "GET", "/v2/p/r/manifests/1?x=1", [("Accept", a) for a in accepts])
        assert status == 200
        assert [v for k, v in received if k.lower() == "accept"] == accepts
        assert [v for k, v in received if k.lower() == "host"] == [proxy.url.split("://", 1)[1]]   # Host unchanged
        assert proxy.log() == [{"method": "GET", "path": "/v2/p/r/manifests/1", "query": "x=1", "status": 200}]


def test_a_body_and_its_length_are_forwarded(echo):
    with RecordingProxy(echo) as proxy:
        status, received = send(proxy.url, "POST", "/api/v2.0/projects", [("Content-Length", "2")], body=b"{}")
        assert status == 200
        assert [v for k, v in received if k.lower() == "content-length"] == ["2"]
        empty_status, empty = send(proxy.url, "POST", "/api/v2.0/ping", [])
        assert empty_status == 200 and [v for k, v in empty if k.lower() == "content-length"] == ["0"]
