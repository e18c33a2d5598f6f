"""Real registry processes for tests and the demo: Debian's ``docker-registry`` (CNCF Distribution 2.8, the registry
Harbor runs inside), one plain process per registry on 127.0.0.1, no container engine.

    reg = Registry(name="ngc", users={"$oauthtoken": "nvapi-key"}).start()   # htpasswd (bcrypt) basic auth
    reg = Registry(name="appco", tls=True).start()                          # HTTPS with its own CA (trustme)
    reg.url, reg.host, reg.ca_path, reg.cert_dir, reg.auth, reg.verify
    reg.stop()      # kill the process, keep the storage and the port: start() again serves the same content
    reg.close()     # stop and remove the working directory (also done at interpreter exit)

The registry binds ``127.0.0.1:0``; the port the kernel picked is read from its log line ``listening on ...``, so
no port is ever guessed. ``start()`` returns once ``GET /v2/`` answers (200, or 401 with auth).
``skopeo_args("src")`` gives the skopeo options that reach this registry (TLS verification or CA directory,
credentials). ``available()`` tells whether the Debian packages are installed (scripts/lib.sh installs them).
"""
import atexit
import os
import re
import secrets
import shutil
import subprocess
import signal
import tempfile
import threading
import time

import requests

BINARIES = ("docker-registry", "skopeo", "htpasswd")
LISTENING = re.compile(r'listening on (?:\[[^\]]*\]|[0-9.]+):(\d+)')
START_TIMEOUT = 15.0

_live = set()


def missing_binaries():
    """The data plane commands not found on PATH (Debian packages docker-registry, skopeo, apache2-utils)."""
    return [name for name in BINARIES if shutil.which(name) is None]


def available():
    return not missing_binaries()


def die_with_parent():
    """A ``preexec_fn`` that makes the registry get SIGTERM when the process that started it dies, even by SIGKILL
    (Linux ``PR_SET_PDEATHSIG``; a ``python -m tests.harbor_emulator --storage registry`` killed hard leaves no
    registry behind). Only from the main thread: the signal follows the thread that forked, not the process."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def preexec():
        prctl(1, signal.SIGTERM, 0, 0, 0)   # PR_SET_PDEATHSIG

    return preexec


class RegistryError(RuntimeError):
    pass


def htpasswd_line(username, password):
    """One bcrypt htpasswd entry (the registry accepts bcrypt only), made by apache2-utils' ``htpasswd -B``.

    The password goes through stdin, never the command line."""
    result = subprocess.run(["htpasswd", "-niB", username], input=password + "\n", capture_output=True, text=True,
                            timeout=30, check=False)
    if result.returncode != 0:
        raise RegistryError("htpasswd failed: %s" % result.stderr.strip())
    return result.stdout.strip() + "\n"


class Registry:
    """One ``docker-registry serve`` process with its own storage, config and (optionally) htpasswd users and TLS."""

    def __init__(self, name="registry", users=None, tls=False, ca=None, workdir=None):
        self.name = name
        self.users = dict(users or {})
        self.tls = tls or ca is not None
        self._ca = ca
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="registry-%s-" % re.sub(r"[^A-Za-z0-9_.-]", "_", name))
        os.makedirs(self.workdir, exist_ok=True)
        self.port = None
        self.process = None
        self.ca_path = None
        self.cert_dir = None
        self.log_path = os.path.join(self.workdir, "registry.log")
        self._prepared = False
        _live.add(self)  # closed at exit even when never started (its temporary directory goes)

    # ---- addresses and credentials -------------------------------------------------------------------------------
    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    @property
    def url(self):
        return "%s://%s" % (self.scheme, self.host)

    @property
    def auth(self):
        """(username, password) of the first user, or None for an anonymous registry."""
        return next(iter(self.users.items()), None)

    @property
    def verify(self):
        """What ``requests`` needs as ``verify=`` on every call (REQUESTS_CA_BUNDLE overrides ``Session.verify``)."""
        return self.ca_path or True

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def skopeo_args(self, role=None, auth="default"):
        """skopeo options for this registry as ``role`` "src", "dest" or None (inspect, list-tags)."""
        prefix = "--%s-" % role if role else "--"
        args = [prefix + "cert-dir=" + self.cert_dir] if self.tls else [prefix + "tls-verify=false"]
        creds = self.auth if auth == "default" else auth
        if creds:
            args.append(prefix + "creds=%s:%s" % creds)
        return args

    def reference(self, repository, tag_or_digest):
        """``docker://host/repo:tag`` or ``docker://host/repo@sha256:...`` (a skopeo image reference)."""
        sep = "@" if tag_or_digest.startswith("sha256:") else ":"
        return "docker://%s/%s%s%s" % (self.host, repository, sep, tag_or_digest)

    # ---- process --------------------------------------------------------------------------------------------------
    def _prepare(self):
        if self._prepared:
            return
        config = [
            "version: 0.1",
            "log:",
            "  level: info",
            "  accesslog: {disabled: true}",
            "storage:",
            "  filesystem: {rootdirectory: %s}" % os.path.join(self.workdir, "data"),
            "  delete: {enabled: true}",
            "  maintenance: {uploadpurging: {enabled: false}}",
            "http:",
            "  addr: 127.0.0.1:{port}",
            "  secret: %s" % secrets.token_hex(16),
            "  headers: {X-Content-Type-Options: [nosniff]}",
        ]
        if self.tls:
            import trustme
            ca = self._ca or trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            server_crt = os.path.join(self.workdir, "server.crt")
            server_key = os.path.join(self.workdir, "server.key")
            cert.cert_chain_pems[0].write_to_path(server_crt)
            for pem in cert.cert_chain_pems[1:]:
                pem.write_to_path(server_crt, append=True)
            cert.private_key_pem.write_to_path(server_key)
            self.ca_path = os.path.join(self.workdir, "ca.pem")
            ca.cert_pem.write_to_path(self.ca_path)
            # skopeo/containers read every *.crt of a --cert-dir as a CA (and *.cert/*.key as a client pair).
            self.cert_dir = os.path.join(self.workdir, "certs.d")
            os.makedirs(self.cert_dir, exist_ok=True)
            ca.cert_pem.write_to_path(os.path.join(self.cert_dir, "ca.crt"))
            config.append("  tls: {certificate: %s, key: %s}" % (server_crt, server_key))
        if self.users:
            htpasswd = os.path.join(self.workdir, "htpasswd")
            with open(htpasswd, "w") as handle:
                for username, password in self.users.items():
                    handle.write(htpasswd_line(username, password))
            config += ["auth:", "  htpasswd: {realm: %s, path: %s}" % (self.name, htpasswd)]
        self._config_template = "\n".join(config) + "\n"
        self._prepared = True

    def add_user(self, username, password):
        """Another htpasswd user; a running registry accepts it at once (it re-reads the file)."""
        if not self.users:
            raise RegistryError("%s was started without auth; users can only be added to an htpasswd registry" % self.name)
        self.users[username] = password
        with open(os.path.join(self.workdir, "htpasswd"), "a") as handle:
            handle.write(htpasswd_line(username, password))

    def start(self):
        """Start the process (on its former port after a stop()); returns self once ``/v2/`` answers."""
        if self.running:
            return self
        missing = missing_binaries()
        if missing:
            raise RegistryError("not installed: %s (Debian packages docker-registry, skopeo, apache2-utils; scripts/lib.sh "
                                "installs them)" % ", ".join(missing))
        self._prepare()
        config_path = os.path.join(self.workdir, "config.yml")
        with open(config_path, "w") as handle:
            handle.write(self._config_template.replace("{port}", str(self.port or 0)))
        log = open(self.log_path, "ab")
        log_start = log.tell()
        try:
            self.process = subprocess.Popen(["docker-registry", "serve", config_path], stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent())
        finally:
            log.close()
        try:
            self._wait_ready(log_start)
        except Exception:
            self.stop()
            raise
        return self

    def _wait_ready(self, log_start):
        """Wait for this process's own ``listening on`` line (on a restart another process may hold the port and
        answer /v2/), then for /v2/ to answer."""
        deadline = time.monotonic() + START_TIMEOUT
        listening = False
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RegistryError("registry %s exited with %s:\n%s" % (self.name, self.process.returncode, self.log_tail()))
            if not listening:
                match = LISTENING.search(self._log_since(log_start))
                if match:
                    listening = True
                    self.port = int(match.group(1))
            if listening:
                try:
                    resp = requests.get(self.url + "/v2/", verify=self.verify, timeout=2)
                    if resp.status_code in (200, 401):
                        return
                except requests.RequestException:
                    pass
            time.sleep(0.02)
        raise RegistryError("registry %s did not answer /v2/ within %ss:\n%s" % (self.name, START_TIMEOUT, self.log_tail()))

    def _log_since(self, offset):
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")

    def log_tail(self, lines=20):
        try:
            return "\n".join(self._log_since(0).splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        """Kill the process (storage, port and credentials stay for a later start())."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def close(self):
        """Stop and remove the working directory (when this object created it)."""
        self.stop()
        _live.discard(self)
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "Registry(%s, %s)" % (self.name, self.url if self.port else "not started")


@atexit.register
def _close_all():
    for registry in list(_live):
        registry.close()
