"""Harbor targets for the tests and the measuring scripts: a real Harbor (HARBOR_URL...) or an emulator started here,
and the emulator's test controls (request log, faults, seeding; tests/harbor_emulator/controls.py)."""
import os

import requests

ADMIN = ("admin", "Harbor12345")
READ_METHODS = ("GET", "HEAD")


def control(url, method, path, json=None, verify=True, cert=None):
    """One request to the emulator's test controls (``/_emulator/<path>``); the decoded answer (None when empty).
    ``cert``: the client certificate of an emulator that requires one."""
    resp = requests.request(method, url.rstrip("/") + "/_emulator/" + path, json=json, timeout=30, verify=verify,
                            cert=cert)
    if resp.status_code >= 300:
        raise requests.HTTPError("%s /_emulator/%s: %s %s" % (method, path, resp.status_code, resp.text), response=resp)
    return resp.json() if resp.content else None


def request_log(url, verify=True):
    """Every request the emulator at ``url`` logged since the last ``clear_log`` (method, path, status...)."""
    return control(url, "GET", "requests", verify=verify)


def clear_log(url, verify=True):
    control(url, "DELETE", "requests", verify=verify)


def seed(url, **spec):
    """Content in the emulator at ``url`` (``project=, repository=, tags=[...]``: see the emulator's seed control)."""
    return control(url, "POST", "seed", json=spec)


def writes_of(log):
    """The logged requests that may change something (every method but GET and HEAD)."""
    return [entry for entry in log if entry["method"] not in READ_METHODS]


class Target:
    """One Harbor to test against, with the emulator's test controls when it is an emulator."""

    def __init__(self, url, username, password, ca_path=None, emulator=None):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.ca_path = ca_path
        self.emulator = emulator

    @property
    def auth(self):
        return (self.username, self.password)

    @property
    def cert(self):
        """The client certificate an emulator started with ``client_auth=True`` requires (None otherwise)."""
        emulator = self.emulator
        return (emulator.client_cert, emulator.client_key) if emulator is not None and emulator.client_cert else None

    def api(self, method, path, json=None, params=None, headers=None, auth="admin", timeout=30):
        """A request to ``/api/v2.0<path>`` (admin credentials unless ``auth`` is given; ``None`` = anonymous)."""
        auth = self.auth if auth == "admin" else auth
        return requests.request(method, self.url + "/api/v2.0" + path, json=json, params=params, headers=headers,
                                auth=auth, timeout=timeout, verify=self.ca_path or True, cert=self.cert)

    def need_emulator(self):
        if self.emulator is None:
            import pytest
            pytest.skip("needs the emulator's test controls; HARBOR_URL points at a real Harbor")

    def _control(self, method, path, json=None):
        self.need_emulator()
        return control(self.url, method, path, json=json, verify=self.ca_path or True, cert=self.cert)

    def requests_log(self):
        return self._control("GET", "requests")

    def clear_log(self):
        self._control("DELETE", "requests")

    def writes(self):
        """The logged requests that may change something (every method but GET and HEAD)."""
        return writes_of(self.requests_log())

    def fault(self, **spec):
        return self._control("POST", "faults", spec)

    def clear_faults(self):
        self._control("DELETE", "faults")

    def seed(self, **spec):
        return self._control("POST", "seed", spec)

    def replication(self, **settings):
        return self._control("POST", "replication", settings)


def start_emulator(prepare=None, **kwargs):
    """The admin ``Target`` of a started emulator (``Emulator(**kwargs)``: ``version=``, ``tls=``, ``users=``...);
    ``prepare(emulator)`` runs before it starts (e.g. to add a Flask hook). The caller stops it: ``target.emulator.stop()``."""
    from tests.harbor_emulator import Emulator

    emulator = Emulator(**kwargs)
    if prepare is not None:
        prepare(emulator)
    emulator.start()
    return Target(emulator.url, ADMIN[0], kwargs.get("admin_password", ADMIN[1]), ca_path=emulator.ca_path, emulator=emulator)


def real_harbor():
    """The real Harbor named by HARBOR_URL/HARBOR_USERNAME/HARBOR_PASSWORD(/HARBOR_CA_PATH), or None."""
    url = os.environ.get("HARBOR_URL")
    if not url:
        return None
    return Target(url, os.environ.get("HARBOR_USERNAME", "admin"), os.environ.get("HARBOR_PASSWORD", ""),
                  ca_path=os.environ.get("HARBOR_CA_PATH"))
