"""The Flask application and the server that runs it (in a thread, or from ``python -m tests.harbor_emulator``)."""
import os
import ssl
import tempfile
import threading
import uuid

import trustme
from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.serving import make_server

from . import blob, controls, csrf, distribution, security, seed, v2auth, version
from .errors import HarborAPIError
from .handler import (artifact, health, ping, project, project_metadata, quota, registry, replication, repository, robot,
                      systeminfo)
from .state import State
from .storage import storage_of

API_PREFIX = "/api/v2.0"


def create_app(state):
    app = Flask("harbor_emulator", static_folder=None)     # no /static route: Harbor has none
    app.config["state"] = state
    app.json.sort_keys = False
    app.json.compact = True
    app.url_map.strict_slashes = False

    for module in (controls, ping, systeminfo, health, project, project_metadata, quota, repository, artifact, seed,
                   replication, distribution, blob, registry, robot, v2auth, version):
        app.register_blueprint(module.bp)
    project.init_state(state)           # Harbor starts with the public project "library" (id 1)

    @app.before_request
    def before():
        g.request_id = request.headers.get("X-Request-Id") or str(uuid.uuid4())
        injected = controls.apply_faults(state)     # a delayed request is authenticated when it is handled
        if injected is None:
            injected = csrf.check(state)            # session and csrf middlewares run before security (core/middlewares)
            if injected is not None:
                return injected
        security.resolve(state)
        return injected

    @app.after_request
    def after(resp):
        resp.headers["X-Request-Id"] = g.get("request_id", "")
        resp = csrf.finish(state, resp)
        return controls.record(state, resp)

    @app.errorhandler(HarborAPIError)
    def harbor_error(err):
        resp = jsonify(err.payload())
        resp.status_code = err.status
        return resp

    @app.errorhandler(HTTPException)
    def http_error(err):
        # go-swagger's own errors (unknown path, wrong method) in Harbor's format (src/lib/http/error.go apiError): code =
        # upper-cased status text; the texts are go-openapi's (errors.NotFound, errors.MethodNotAllowed); >= 500 is opaque
        if err.code >= 500:
            return opaque_500()
        code = (err.name or "error").upper().replace(" ", "_")
        message = err.description
        if err.code == 404:
            message = "path %s was not found" % request.path
        elif isinstance(err, MethodNotAllowed):
            allowed = sorted(method for method in err.valid_methods or () if method not in ("HEAD", "OPTIONS"))
            message = "method %s is not allowed, but [%s] are" % (request.method, ",".join(allowed))
        resp = jsonify({"errors": [{"code": code, "message": message}]})
        resp.status_code = err.code
        return resp

    @app.errorhandler(Exception)
    def unhandled(err):
        # a panic or plain error in Harbor: SendError logs it and answers the opaque 500 (src/lib/http/error.go)
        app.logger.exception("unhandled error: %s", err)
        return opaque_500()

    return app


def opaque_500():
    resp = jsonify({"errors": [{"code": "UNKNOWN", "message": "internal server error"}]})
    resp.status_code = 500
    return resp


class Emulator:
    """One emulated Harbor served on a loopback port, in a background thread.

    >>> with Emulator() as harbor:
    ...     harbor.url   # http://127.0.0.1:<port>
    """

    def __init__(self, host="127.0.0.1", port=0, version="2.15.2", admin_password="Harbor12345", tls=False, users=None,
                 storage="memory", login_freeze=0.0, robot_prefix="robot$", client_auth=False):
        self.state = State(version=version, admin_password=admin_password, robot_prefix=robot_prefix)
        self.state.login_freeze = login_freeze          # security.py: Harbor's 1.5 s lock after a failed login
        self.storage = storage_of(self.state, storage)  # "registry": a docker-registry process of its own (storage.py)
        for username, password in (users or {}).items():
            self.state.users[username] = {"user_id": len(self.state.users) + 1, "password": password, "sysadmin": False}
        self.app = create_app(self.state)
        self.ca_path = self.client_cert = self.client_key = None
        ssl_context = self._tls_context(host, client_auth) if tls else None
        self.server = make_server(host, port, self.app, threaded=True, ssl_context=ssl_context)
        self.host, self.port = host, self.server.server_port
        self.scheme = "https" if ssl_context else "http"
        self.url = "%s://%s:%d" % (self.scheme, host, self.port)
        self.state.external_url = self.url
        self._thread = None

    def _tls_context(self, host, client_auth=False):
        """A CA made now (trustme), a server certificate for host/127.0.0.1/localhost, the CA's PEM in a temp file.

        ``client_auth``: a client certificate is required, as a front proxy can require one before Harbor (nginx's
        ``ssl_verify_client on``; Harbor's own nginx does not): the same CA issues one, ``client_cert``/``client_key``
        are its PEM files."""
        ca = trustme.CA()
        cert = ca.issue_cert(*sorted({host, "127.0.0.1", "localhost"}))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.ca_path = self._pem_file("ca", ca.cert_pem)
        if client_auth:
            context.verify_mode = ssl.CERT_REQUIRED
            ca.configure_trust(context)
            client = ca.issue_cert("automation.example.com")
            self.client_cert = self._pem_file("client-cert", client.cert_chain_pems[0])
            self.client_key = self._pem_file("client-key", client.private_key_pem)
        return context

    @staticmethod
    def _pem_file(kind, blob):
        handle = tempfile.NamedTemporaryFile(prefix="harbor-emulator-%s-" % kind, suffix=".pem", delete=False)
        handle.close()
        blob.write_to_path(handle.name)
        return handle.name

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="harbor-emulator-%d" % self.port, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the calling thread until ``server.shutdown()`` (the CLI), then release the port and the CA file."""
        try:
            self.server.serve_forever()
        finally:
            self.close()

    def stop(self):
        self.server.shutdown()
        if self._thread:
            self._thread.join(timeout=5)
        self.close()

    def close(self):
        self.server.server_close()
        self.storage.close()
        for path in (self.ca_path, self.client_cert, self.client_key):
            if path and os.path.exists(path):
                os.unlink(path)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
