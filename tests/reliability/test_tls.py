"""TLS: verification is on by default; a self-signed Harbor without its CA fails with the fix in the message; ca_path
and HARBOR_CA_PATH work; a wrong scheme is explained both ways; endpoint certificates (verify_remote_cert,
ca_certificate) behave the same. One ansible-playbook runs every case as a task (ignore_errors), then each is judged.
"""
import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from tests.reliability.harness import clear_error, measure, run_ansible, shared_batch, stop_all
from tests.support.harbor import start_emulator

INFO = "registryops.harbor.harbor_project_info"
REG = "registryops.harbor.harbor_registry"


class TLSServer(object):
    """An HTTPS server on 127.0.0.1 with the certificate given (expired, for another host...): the client's TLS
    verification fails before any HTTP, which is all these cases need."""

    def __init__(self, cert):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = "https://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def cases(secure, plain, remote, other_ca, ca_path, extra):
    """name -> (task, expectation): ``ok``, or ``("fails", [words the message must hold], [words it must not])``."""
    login = {"harbor_username": "admin", "harbor_password": secure.password, "request_retries": 0}
    host, port = secure.url.split("//")[1].split(":")
    plain_port = plain.url.rsplit(":", 1)[1]
    return {
        "verification is on by default": (
            {INFO: dict(login, harbor_url=secure.url, name="library")}, ("fails", ["ca_path"], ["Traceback"])),
        "ca_path trusts Harbor's CA": ({INFO: dict(login, harbor_url=secure.url, name="library", ca_path=ca_path)}, "ok"),
        "HARBOR_CA_PATH trusts Harbor's CA": (
            {INFO: dict(login, harbor_url=secure.url, name="library"), "environment": {"HARBOR_CA_PATH": ca_path}}, "ok"),
        "another CA is refused, naming ca_path": (
            {INFO: dict(login, harbor_url=secure.url, name="library", ca_path=other_ca)}, ("fails", ["ca_path"], [])),
        "validate_certs=false connects to a self-signed Harbor": (
            {INFO: dict(login, harbor_url=secure.url, name="library", validate_certs=False)}, "ok"),
        "validate_certs=false with ca_path warns that ca_path is ignored": (
            {INFO: dict(login, harbor_url=secure.url, name="library", validate_certs=False, ca_path=ca_path)}, ("warns", ["ca_path"])),
        "https:// to an http Harbor is explained as a wrong scheme": (
            {INFO: dict(login, harbor_url="https://%s:%s" % (host, plain_port), name="library")},
            ("fails", ["http://"], ["Traceback"])),
        "http:// to an https Harbor is explained as a wrong scheme": (
            {INFO: dict(login, harbor_url="http://%s:%s" % (host, port), name="library")}, ("fails", ["https://"], ["Traceback"])),
        "a missing ca_path file is named": (
            {INFO: dict(login, harbor_url=secure.url, name="library", ca_path="/nonexistent/harbor-ca.pem")},
            ("fails", ["ca_path", "/nonexistent/harbor-ca.pem"], [])),
        "an endpoint with a self-signed certificate is refused, naming ca_certificate": (
            {REG: dict(login, harbor_url=plain.url, name="tls-remote", provider="docker-registry", url=remote.url,
                       test_connection=True)}, ("fails", ["ca_certificate"], [])),
        "an endpoint trusted with ca_certificate works": (
            {REG: dict(login, harbor_url=plain.url, name="tls-remote-ok", provider="docker-registry", url=remote.url,
                       ca_certificate=remote.ca_path, test_connection=True)}, "ok"),
        # issue 20: ca_path that is not a PEM certificate (OpenSSL's text, not naming ca_path, before); certificates whose
        # fix is not a CA (the advice "set ca_path" could not help)
        "a ca_path holding a private key is refused, naming ca_path": (
            {INFO: dict(login, harbor_url=secure.url, name="library", ca_path=extra["key"])},
            ("fails", ["ca_path", "a private key, not a certificate", "Nothing was sent"], [])),
        "an empty ca_path file is refused, naming ca_path": (
            {INFO: dict(login, harbor_url=secure.url, name="library", ca_path=extra["empty"])},
            ("fails", ["ca_path", "is empty"], [])),
        "an expired certificate is explained as expired, not fixed by ca_path": (
            {INFO: dict(login, harbor_url=extra["expired"], name="library", ca_path=extra["ca"])},
            ("fails", ["has expired", "Renew Harbor's certificate", "ca_path cannot help"], ["Set ca_path"])),
        "a certificate for another host name names the host, not ca_path": (
            {INFO: dict(login, harbor_url=extra["other_host"], name="library", ca_path=extra["ca"])},
            ("fails", ["is not issued for 127.0.0.1", "harbor_url", "ca_path cannot help"], ["Set ca_path"])),
    }


def run_cases():
    secure = start_emulator(tls=True)
    plain = start_emulator()
    remote = start_emulator(tls=True)
    other = trustme.CA()
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)
    expired = TLSServer(other.issue_cert("127.0.0.1", not_before=past, not_after=past + datetime.timedelta(days=1)))
    other_host = TLSServer(other.issue_cert("harbor.example.com"))
    try:
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            other_ca = "%s/other-ca.pem" % folder
            other.cert_pem.write_to_path(other_ca)
            extra = dict(ca=other_ca, expired=expired.url, other_host=other_host.url, key="%s/key.pem" % folder,
                         empty="%s/empty.pem" % folder)
            other.private_key_pem.write_to_path(extra["key"])
            open(extra["empty"], "w").close()
            table = cases(secure, plain, remote, other_ca, secure.ca_path, extra)
            tasks = [dict(task, name=name, ignore_errors=True) for name, (task, _expect) in table.items()]
            run = run_ansible(tasks)
        verdicts = {}
        for name, (_task, expect) in table.items():
            results = [r for r in run.results if r.get("task") == name]
            verdicts[name] = judge(results[-1] if results else {}, expect)
            measure("tls", case=name, ok=not verdicts[name])
        return verdicts
    finally:
        stop_all([secure, plain, remote])
        expired.stop()
        other_host.stop()


def judge(result, expect):
    if not result:
        return ["the task did not run"]
    msg = str(result.get("msg") or "")
    if expect == "ok":
        return [] if not result.get("failed") else ["failed: %s" % msg[:400]]
    if expect[0] == "warns":
        warnings = " ".join(result.get("warnings") or [])
        problems = [] if not result.get("failed") else ["failed: %s" % msg[:400]]
        return problems + ["no warning naming %s (warnings: %r)" % (w, warnings) for w in expect[1] if w not in warnings]
    _fails, must, must_not = expect
    if not result.get("failed"):
        return ["did not fail"]
    problems = [] if not clear_error(result) else ["not a clear error (%s): %s" % (clear_error(result), msg[:400])]
    problems += ["the message does not say %r: %s" % (word, msg[:400]) for word in must if word not in msg]
    problems += ["the message says %r: %s" % (word, msg[:400]) for word in must_not if word in msg]
    return problems


NAMES = ["verification is on by default", "ca_path trusts Harbor's CA", "HARBOR_CA_PATH trusts Harbor's CA",
         "another CA is refused, naming ca_path", "validate_certs=false connects to a self-signed Harbor",
         "validate_certs=false with ca_path warns that ca_path is ignored",
         "https:// to an http Harbor is explained as a wrong scheme", "http:// to an https Harbor is explained as a wrong scheme",
         "a missing ca_path file is named", "an endpoint with a self-signed certificate is refused, naming ca_certificate",
         "an endpoint trusted with ca_certificate works", "a ca_path holding a private key is refused, naming ca_path",
         "an empty ca_path file is refused, naming ca_path", "an expired certificate is explained as expired, not fixed by ca_path",
         "a certificate for another host name names the host, not ca_path"]


@pytest.mark.parametrize("name", [pytest.param(n, id=n.replace(" ", "-")) for n in NAMES])
def test_tls(name):
    verdicts = shared_batch("tls", run_cases)
    assert not verdicts[name], "%s:\n%s" % (name, "\n".join(verdicts[name]))
