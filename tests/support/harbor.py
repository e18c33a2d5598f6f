"""Harbor targets for the tests and the measuring scripts: a real Harbor (HARBOR_URL...) or an emulator started here,
and the emulator's test controls (request log, faults, seeding; tests/harbor_emulator/controls.py).

Against a real Harbor (``real_harbor()``, ``real_harbor(2)`` for HARBOR2_URL...) a ``Target`` talks to it through a
recording proxy of its own on loopback (tests/support/recorder.py), so ``requests_log()``, ``clear_log()`` and
``writes()`` work as on the emulator; ``seed()`` pushes small real images through Harbor's ``/v2/``; the other controls
(faults, replication failures, in-process state) skip the test. ``sweep(target)`` deletes every replication rule,
project, registry endpoint and system robot account whose name carries the test process's suffix (tests/support/names.py).
"""
import os
import socket
import time
from urllib.parse import quote

import requests

from tests.support.names import SUFFIX, is_test_name

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


EMULATOR_TIMING = {"task_seconds", "chunk_size"}      # replication settings that only pace the emulator's copies


class Target:
    """One Harbor to test against, with the emulator's test controls when it is an emulator (``emulator``), or a real
    Harbor behind a recording proxy (``recorder``: ``url`` is the proxy's, ``upstream`` Harbor's own URL)."""

    def __init__(self, url, username, password, ca_path=None, emulator=None, recorder=None, upstream=None):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.ca_path = ca_path
        self.emulator = emulator
        self.recorder = recorder
        self.upstream = (upstream or url).rstrip("/")

    @property
    def real(self):
        """Whether this is a real Harbor (no emulator behind it)."""
        return self.emulator is None

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

    def need_emulator(self, why="the emulator's test controls"):
        if self.emulator is None:
            import pytest
            pytest.skip("emulator only: needs %s; %s is a real Harbor" % (why, self.upstream))

    def _control(self, method, path, json=None):
        self.need_emulator()
        return control(self.url, method, path, json=json, verify=self.ca_path or True, cert=self.cert)

    def requests_log(self):
        if self.recorder is not None:
            return self.recorder.log()
        return self._control("GET", "requests")

    def clear_log(self):
        if self.recorder is not None:
            return self.recorder.clear()
        self._control("DELETE", "requests")

    def writes(self):
        """The logged requests that may change something (every method but GET and HEAD)."""
        return writes_of(self.requests_log())

    def fault(self, **spec):
        return self._control("POST", "faults", spec)

    def clear_faults(self):
        self._control("DELETE", "faults")

    def seed(self, **spec):
        """An artifact in a project (created private when missing): the emulator's seed control, or on a real Harbor
        a small OCI image (a Helm chart for ``type="chart"``) pushed through ``/v2/`` with every tag of ``tags``."""
        if self.real:
            return push_seed(self, **spec)
        return self._control("POST", "seed", spec)

    def replication(self, **settings):
        """The emulator's replication control. On a real Harbor the settings that only pace the emulator's copies
        (``task_seconds``, ``chunk_size``) mean nothing and are dropped; failures and hangs skip the test."""
        if self.real and set(settings) <= EMULATOR_TIMING:
            return None
        if self.real:
            self.need_emulator("the emulator's replication control (%s)" % ", ".join(sorted(set(settings) - EMULATOR_TIMING)))
        return self._control("POST", "replication", settings)

    def sweep(self):
        """Delete this test process's objects (real Harbor only; a fresh emulator has none of another test)."""
        if self.real:
            sweep(self)


def start_emulator(prepare=None, **kwargs):
    """The admin ``Target`` of a started emulator (``Emulator(**kwargs)``: ``version=``, ``tls=``, ``users=``...);
    ``prepare(emulator)`` runs before it starts (e.g. to add a Flask hook). The caller stops it: ``target.emulator.stop()``."""
    from tests.harbor_emulator import Emulator

    emulator = Emulator(**kwargs)
    if prepare is not None:
        prepare(emulator)
    emulator.start()
    return Target(emulator.url, ADMIN[0], kwargs.get("admin_password", ADMIN[1]), ca_path=emulator.ca_path, emulator=emulator)


def closed_port_url():
    """``http://127.0.0.1:<port>`` where nothing listens (a port the kernel just gave and took back)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d" % port


def real_settings(index=1):
    """``(url, username, password, ca_path)`` of the real Harbor number ``index`` (1: HARBOR_URL, HARBOR_USERNAME,
    HARBOR_PASSWORD, HARBOR_CA_PATH; 2: HARBOR2_URL...), or None when its URL is not set."""
    prefix = "HARBOR_" if index == 1 else "HARBOR%d_" % index
    url = os.environ.get(prefix + "URL")
    if not url:
        return None
    return (url, os.environ.get(prefix + "USERNAME", "admin"), os.environ.get(prefix + "PASSWORD", ""),
            os.environ.get(prefix + "CA_PATH") or None)


_RECORDERS = {}


def real_harbor(index=1, record=True):
    """The real Harbor number ``index`` (see ``real_settings``) as a ``Target``, or None. With ``record`` (default) the
    target's URL is a recording proxy in front of it, started once per process and shared by every test of it."""
    settings = real_settings(index)
    if settings is None:
        return None
    url, username, password, ca_path = settings
    if not record:
        return Target(url, username, password, ca_path=ca_path)
    if url not in _RECORDERS:
        from tests.support.recorder import RecordingProxy
        _RECORDERS[url] = RecordingProxy(url, ca_path=ca_path)
    recorder = _RECORDERS[url]
    return Target(recorder.url, username, password, recorder=recorder, upstream=url)


def real_mode():
    """Whether the tests run against a real Harbor (HARBOR_URL is set)."""
    return real_settings(1) is not None


def reaches(source, destination, url=None):
    """``(True, "")`` when Harbor ``source`` reaches Harbor ``destination`` at ``url`` (its URL by default), else
    ``(False, why)``: ``source`` pings a ``harbor`` endpoint at that URL with ``destination``'s login
    (``POST /registries/ping``, what creating a pull rule's endpoint does first). A pull replication needs it."""
    url = url or destination.upstream
    ping = source.api("POST", "/registries/ping", timeout=60, json={
        "type": "harbor", "url": url, "insecure": True, "credential_type": "basic",
        "access_key": destination.username, "access_secret": destination.password})
    if ping.status_code == 200:
        return True, ""
    return False, "the Harbor at %s cannot reach the Harbor at %s (POST /registries/ping of a harbor endpoint there: %s %s)" % (
        source.upstream, url, ping.status_code, ping.text.strip()[:200] or "no body")


# ---- a shared real Harbor: seeding through /v2/, and the sweep of a test's objects ---------------------------------
def push_seed(target, project, repository, tags=(), type="image", labels=(), size=0, digest=None):
    """What the emulator's seed control does, on a real Harbor: the project (private) when missing, then one artifact
    pushed through ``/v2/`` and tagged with every tag. Labels, sizes and chosen digests need the emulator."""
    from tools.dataplane.distribution import DistributionClient
    from tools.dataplane.oci import helm_chart, image

    if labels or size or digest:
        target.need_emulator("a seed with labels, a size or a chosen digest")
    resp = target.api("POST", "/projects", json={"project_name": project, "metadata": {"public": "false"}})
    if resp.status_code not in (201, 409):
        raise AssertionError("seed: POST /projects %s -> %s %s" % (project, resp.status_code, resp.text))
    tags = list(tags) or ["latest"]
    name = repository.strip("/")
    if type == "chart":
        manifest = helm_chart(name.rsplit("/", 1)[-1], tags[0], tags[0])
    else:
        manifest = image("%s/%s" % (project, name), tags[0])
    client = DistributionClient(target.url, auth=target.auth, verify=target.ca_path or True)
    for tag in tags:
        client.push("%s/%s" % (project, name), tag, manifest)
    return {"digest": manifest.digest, "tags": [{"name": tag} for tag in tags]}


def list_all(target, path, params=None):
    """Every element of a list answer (page_size 100, following X-Total-Count); [] when the path is gone."""
    found, page = [], 1
    while True:
        resp = target.api("GET", path, params=dict(params or {}, page=page, page_size=100))
        if resp.status_code == 404:
            return found
        resp.raise_for_status()
        batch = resp.json() or []
        found.extend(batch)
        if not batch or len(found) >= int(resp.headers.get("X-Total-Count") or 0):
            return found
        page += 1


def _ok(resp, what, allowed=(200, 404)):
    if resp.status_code not in allowed:
        raise AssertionError("sweep: %s -> %s %s" % (what, resp.status_code, resp.text[:300]))
    return resp


def sweep(target, suffix=None, deadline_seconds=60):
    """Delete the replication rules (after stopping their running executions; also a rule through an endpoint of
    the test's, whatever its name), the projects (after their
    repositories; Harbor deletes a project's robot accounts with it), the registry endpoints and the system robot
    accounts whose names carry ``suffix`` (this process's; ``"*"``: every test
    process's) on ``target``: the objects a test made, also when it failed half-way, and those its replications
    made on the destination Harbor. Raises when something could not be deleted."""
    suffix = suffix or SUFFIX
    fuzzy = {} if suffix == "*" else {"q": "name=~%s" % suffix}
    deadline = time.monotonic() + deadline_seconds
    for policy in list_all(target, "/replication/policies"):    # also a rule of another name through a test's endpoint
        sides = [(policy.get(side) or {}).get("name") for side in ("src_registry", "dest_registry")]
        if not any(is_test_name(name, suffix) for name in [policy["name"]] + sides):
            continue
        for execution in list_all(target, "/replication/executions", {"policy_id": policy["id"], "status": "InProgress"}):
            target.api("PUT", "/replication/executions/%d" % execution["id"])
        while True:                     # Harbor refuses to delete a rule while an execution still runs
            resp = target.api("DELETE", "/replication/policies/%d" % policy["id"])
            if resp.status_code in (200, 404) or time.monotonic() > deadline:
                _ok(resp, "DELETE rule %s" % policy["name"])
                break
            time.sleep(1)
    for project in list_all(target, "/projects", fuzzy):
        if not is_test_name(project["name"], suffix):
            continue
        base = "/projects/%s" % quote(project["name"], safe="")
        for repository in list_all(target, base + "/repositories"):
            short = repository["name"][len(project["name"]) + 1:]
            _ok(target.api("DELETE", "%s/repositories/%s" % (base, quote(quote(short, safe=""), safe=""))),
                "DELETE repository %s" % repository["name"])
        while True:                     # a replication that just stopped may still be writing into the project
            resp = target.api("DELETE", base, headers={"X-Is-Resource-Name": "true"})
            if resp.status_code in (200, 404) or time.monotonic() > deadline:
                _ok(resp, "DELETE project %s" % project["name"])
                break
            for repository in list_all(target, base + "/repositories"):
                short = repository["name"][len(project["name"]) + 1:]
                target.api("DELETE", "%s/repositories/%s" % (base, quote(quote(short, safe=""), safe="")))
            time.sleep(1)
    for registry in list_all(target, "/registries", fuzzy):
        if is_test_name(registry["name"], suffix):
            _ok(target.api("DELETE", "/registries/%d" % registry["id"]), "DELETE registry %s" % registry["name"])
    for robot in list_all(target, "/robots", fuzzy):       # system robots (a project's robots go with the project)
        if is_test_name(robot["name"], suffix):
            _ok(target.api("DELETE", "/robots/%d" % robot["id"]), "DELETE robot %s" % robot["name"])
