"""/systeminfo, /ping, /health, /api/version, X-Request-Id and go-swagger's answers to unknown paths (NOTES.md sections 0, 1)."""
import re

import requests

ALWAYS = {"auth_mode", "primary_auth_mode", "self_registration", "banner_message", "oidc_provider_name"}
PROTECTED = {"harbor_version", "external_url", "registry_url", "read_only", "current_time", "project_creation_restriction",
             "has_ca_root", "notification_enable", "registry_storage_provider_name"}


def test_systeminfo_for_an_authenticated_caller(harbor):
    info = harbor.api("GET", "/systeminfo").json()
    assert set(info) == ALWAYS | PROTECTED
    assert re.fullmatch(r"v2\.\d+\.\d+(-rc\d+)?-[0-9a-f]{8}", info["harbor_version"])
    assert info["auth_mode"] == "db_auth"
    harbor.need_emulator()
    assert info["harbor_version"] == "v2.15.2-080b0220"
    assert (info["external_url"], info["registry_url"]) == (harbor.url, harbor.url.split("://")[1])
    assert (info["read_only"], info["has_ca_root"], info["project_creation_restriction"]) == (False, False, "everyone")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", info["current_time"])


def test_systeminfo_is_reduced_for_anonymous_callers_and_bad_credentials(harbor):
    for auth in (None, ("admin", "wrong-password")):
        resp = harbor.api("GET", "/systeminfo", auth=auth)
        assert resp.status_code == 200
        assert set(resp.json()) == ALWAYS


def test_systeminfo_for_the_robot_and_a_non_admin(harbor):
    harbor.need_emulator()
    for auth in (("robot$automation", "Robot12345"), ("developer", "Developer12345")):
        assert "harbor_version" in harbor.api("GET", "/systeminfo", auth=auth).json()


def test_version_follows_the_emulated_version(emulator_factory):
    old = emulator_factory(version="2.13.0")
    assert old.api("GET", "/systeminfo").json()["harbor_version"] == "v2.13.0-080b0220"


def test_has_ca_root_with_tls(emulator_factory):
    secure = emulator_factory(tls=True)
    assert secure.api("GET", "/systeminfo").json()["has_ca_root"] is True


def test_ping_needs_no_auth_and_answers_text(harbor):
    for auth in (None, ("admin", "wrong-password")):
        resp = harbor.api("GET", "/ping", auth=auth)
        assert (resp.status_code, resp.text) == (200, "Pong")
        assert resp.headers["Content-Type"].startswith("text/plain")


def test_health_lists_healthy_components(harbor):
    health = harbor.api("GET", "/health").json()
    assert health["status"] == "healthy"
    names = [c["name"] for c in health["components"]]
    assert names == sorted(names) and {"core", "database", "registry"} <= set(names)
    assert all(c["status"] == "healthy" for c in health["components"])


def test_api_version(harbor):
    resp = requests.get(harbor.url + "/api/version", verify=harbor.ca_path or True, timeout=10)
    assert (resp.status_code, resp.json()) == (200, {"version": "v2.0"})


def test_request_id_is_echoed_or_generated(harbor):
    assert harbor.api("GET", "/ping", headers={"X-Request-Id": "abc-1"}).headers["X-Request-Id"] == "abc-1"
    for resp in (harbor.api("GET", "/projects"), harbor.api("GET", "/registries/4242")):
        assert re.fullmatch(r"[0-9a-f-]{36}", resp.headers["X-Request-Id"])


def test_unknown_path_and_method_answer_harbor_error_json(harbor):
    harbor.need_emulator()
    resp = harbor.api("GET", "/nope")
    assert (resp.status_code, resp.json()) == (404, {"errors": [{"code": "NOT_FOUND", "message": "path /api/v2.0/nope was not found"}]})
    resp = harbor.api("DELETE", "/ping")
    assert resp.status_code == 405 and resp.json()["errors"][0]["code"] == "METHOD_NOT_ALLOWED"
