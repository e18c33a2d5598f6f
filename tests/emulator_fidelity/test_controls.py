"""The emulator's test controls (/_emulator/...): request log, fault injection, state summary.

Controls are neither logged nor faulted; an answer made by an injected fault is not checked against swagger.yaml.
"""
import time

import pytest
import requests


@pytest.fixture
def emulator(harbor):
    harbor.need_emulator()
    harbor.clear_log()
    return harbor


def control(target, method, path, **kwargs):
    return requests.request(method, target.url + "/_emulator/" + path, timeout=10, **kwargs)


# ----- request log

def test_log_has_method_path_query_status_and_nothing_else(emulator):
    emulator.api("GET", "/projects", params={"page_size": 5, "q": "name=~lib"})
    emulator.api("POST", "/projects", json={"project_name": "logged"}, headers={"X-Secret": "s"})
    emulator.api("GET", "/registries", auth=None)
    assert emulator.requests_log() == [
        {"method": "GET", "path": "/api/v2.0/projects", "query": "page_size=5&q=name%3D~lib", "status": 200},
        {"method": "POST", "path": "/api/v2.0/projects", "query": "", "status": 201},
        {"method": "GET", "path": "/api/v2.0/registries", "query": "", "status": 401},
    ]


def test_log_covers_v2_and_token_service_but_not_controls(emulator):
    requests.get(emulator.url + "/v2/", timeout=10)
    requests.get(emulator.url + "/service/token", params={"service": "harbor-registry"}, timeout=10)
    emulator.fault(path="/nothing", status=500)
    control(emulator, "GET", "state")
    assert [(e["path"], e["status"]) for e in emulator.requests_log()] == [("/v2/", 401), ("/service/token", 401)]


def test_writes_are_every_method_but_get_and_head(emulator):
    emulator.api("HEAD", "/projects", params={"project_name": "library"})
    emulator.api("GET", "/projects")
    emulator.api("PUT", "/projects/library", json={"metadata": {"public": "true"}})
    emulator.api("DELETE", "/projects/nope")
    assert [(e["method"], e["status"]) for e in emulator.writes()] == [("PUT", 200), ("DELETE", 404)]


def test_clearing_the_log(emulator):
    emulator.api("GET", "/ping")
    assert control(emulator, "DELETE", "requests").json() == []
    assert emulator.requests_log() == []


# ----- faults

def test_status_fault_with_retry_after_for_the_next_n_requests(emulator):
    emulator.fault(method="GET", path="/api/v2.0/projects*", count=2, status=429, retry_after=3)
    first, second, third = (emulator.api("GET", "/projects") for _ in range(3))
    assert first.status_code == second.status_code == 429
    assert first.headers["Retry-After"] == "3"
    assert first.json() == {"errors": [{"code": "TOO_MANY_REQUEST", "message": "injected fault"}]}
    assert third.status_code == 200
    assert [e["status"] for e in emulator.requests_log()] == [429, 429, 200]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_fault_has_the_opaque_body(emulator, status):
    emulator.fault(method="POST", path="/api/v2.0/projects", status=status)
    assert emulator.api("GET", "/projects").status_code == 200           # another method is untouched
    resp = emulator.api("POST", "/projects", json={"project_name": "x1"})
    assert (resp.status_code, resp.json()) == (status, {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]})
    assert emulator.api("GET", "/projects/x1", headers={"X-Is-Resource-Name": "true"}).status_code == 404     # never handled


def test_any_method_and_pattern(emulator):
    emulator.fault(path="/api/v2.0/registries/*", count=2, status=503)
    assert emulator.api("GET", "/registries").status_code == 200         # the pattern needs something after the slash
    assert emulator.api("GET", "/registries/1").status_code == 503
    assert emulator.api("DELETE", "/registries/1").status_code == 503
    assert emulator.api("GET", "/registries/1").status_code == 404


def test_delay_then_normal_handling(emulator):
    emulator.fault(method="GET", path="/api/v2.0/ping", delay=0.3)
    started = time.monotonic()
    resp = emulator.api("GET", "/ping")
    assert time.monotonic() - started >= 0.3
    assert (resp.status_code, resp.text) == (200, "Pong")


def test_drop_closes_the_connection(emulator):
    emulator.fault(method="GET", path="/api/v2.0/ping", drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.api("GET", "/ping")
    assert emulator.api("GET", "/ping").status_code == 200
    assert [e["status"] for e in emulator.requests_log()] == [0, 200]


def test_drop_after_lets_the_server_act_then_closes_the_connection(emulator):
    # Why: a create whose answer is lost (a proxy timeout, a reset while Harbor commits) leaves the object in Harbor
    # although the client saw only an error; the fault suites (tests/reliability) need this to prove that a re-run
    # finds the object instead of creating it twice.
    emulator.fault(method="POST", path="/api/v2.0/projects", drop_after=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.api("POST", "/projects", json={"project_name": "acted"})
    assert emulator.api("GET", "/projects/acted", headers={"X-Is-Resource-Name": "true"}).status_code == 200
    again = emulator.api("POST", "/projects", json={"project_name": "acted"})
    assert again.status_code == 409
    assert [(e["method"], e["status"], e.get("fault")) for e in emulator.requests_log()] == [
        ("POST", 201, "drop_after"), ("GET", 200, None), ("POST", 409, None)]


def test_log_names_the_fault_that_touched_a_request(emulator):
    # Why: a 503 that Harbor's handler never saw must be told apart from one it answered, to count handled creates.
    emulator.fault(method="GET", path="/api/v2.0/ping", status=503)
    emulator.fault(method="GET", path="/api/v2.0/ping", delay=0.01)
    emulator.fault(method="GET", path="/api/v2.0/ping", drop=True)
    assert emulator.api("GET", "/ping").status_code == 503
    assert emulator.api("GET", "/ping").status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.api("GET", "/ping")
    assert emulator.api("GET", "/ping").status_code == 200
    assert [(e["status"], e.get("fault")) for e in emulator.requests_log()] == [
        (503, "status"), (200, "delay"), (0, "drop"), (200, None)]


def test_barrier_holds_requests_until_all_arrived(emulator):
    # Why: the race suites (tests/reliability/test_races.py) need concurrent playbooks to collide every time, whatever
    # their start-up times: each create waits until every racer has sent its own.
    import threading
    emulator.fault(method="POST", path="/api/v2.0/projects", barrier=3)
    answers = []

    def create():
        answers.append(emulator.api("POST", "/projects", json={"project_name": "raced"}).status_code)

    racers = [threading.Thread(target=create) for _ in range(3)]
    for racer in racers[:2]:
        racer.start()
    time.sleep(0.3)
    assert answers == []                    # held: the third has not arrived
    racers[2].start()
    for racer in racers:
        racer.join(timeout=10)
    assert sorted(answers) == [201, 409, 409]
    assert [e.get("fault") for e in emulator.requests_log()] == ["barrier"] * 3


def test_barrier_gives_up_after_its_timeout(emulator):
    emulator.fault(method="GET", path="/api/v2.0/ping", barrier=2, barrier_timeout=0.2)
    assert emulator.api("GET", "/ping").status_code == 200      # alone, released after 0.2 s


def test_clearing_faults(emulator):
    emulator.fault(path="/api/*", count=5, status=500)
    emulator.clear_faults()
    assert emulator.api("GET", "/ping").status_code == 200


@pytest.mark.parametrize("spec", [{"path": "/api/*"}, {"status": 500}, {"path": "/api/*", "status": "x"},
                                  {"path": "/api/*", "status": 42}, {"path": "/api/*", "delay": "long"},
                                  {"path": "/api/*", "drop_after": True, "status": 503},
                                  {"path": "/api/*", "drop_after": True, "drop": True}])
def test_a_fault_needs_a_path_and_an_effect(emulator, spec):
    resp = control(emulator, "POST", "faults", json=spec)
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == "BAD_REQUEST"


# ----- state

def test_state_summary(emulator):
    emulator.api("POST", "/projects", json={"project_name": "team"})
    summary = control(emulator, "GET", "state").json()
    assert summary["version"] == "v2.15.2-080b0220"
    assert summary["projects"] == ["library", "team"]
    assert (summary["registries"], summary["policies"], summary["executions"]) == ([], [], 0)


# ----- TLS with a client certificate (a deployment's front proxy, not Harbor itself)

def test_client_auth_requires_the_certificate_the_emulator_issued(emulator_factory):
    """``Emulator(tls=True, client_auth=True)`` stands for a front proxy with nginx's ``ssl_verify_client on``: Harbor's
    own nginx (make/photon/prepare/templates/nginx/nginx.https.conf.jinja, goharbor/harbor v2.15.2) asks for no client
    certificate, so this is the deployment's behaviour, kept out of Harbor's API: a client without the certificate gets
    no TLS session; with it, the API answers as usual."""
    target = emulator_factory(tls=True, client_auth=True)
    emulator = target.emulator
    resp = requests.get(target.url + "/api/v2.0/systeminfo", auth=target.auth, verify=emulator.ca_path,
                        cert=(emulator.client_cert, emulator.client_key), timeout=10)
    assert resp.status_code == 200 and resp.json()["harbor_version"]
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(target.url + "/api/v2.0/systeminfo", verify=emulator.ca_path, timeout=10)
