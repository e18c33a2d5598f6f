"""The contract check: it must catch what breaks swagger.yaml, and every endpoint the emulator serves must answer within it.

``test_every_endpoint_answers_within_the_contract`` drives each /api/v2.0 route of the emulator's URL map at least once
with a success and (where Harbor has one) an error answer; the ``contract_recorder`` fixture checks every answer against
swagger.yaml. A route added later without being driven here fails the coverage assertion.
"""
import json
import time

import pytest
from werkzeug.exceptions import NotFound

from tests.support import contract

checker = contract.load()
pytestmark = pytest.mark.skipif(checker is None, reason="../shared/harbor-api/swagger.yaml is absent: no contract to check against")

BY_NAME = {"X-Is-Resource-Name": "true"}
CLOSED = "http://127.0.0.1:9"
# Routes without an error answer for any caller (no auth, no parameters that can be wrong).
NO_ERROR_PATH = {("GET", "/api/v2.0/ping"), ("GET", "/api/v2.0/health"), ("GET", "/api/v2.0/systeminfo")}


# ----- the checker itself

def test_catches_a_wrong_field_type():
    body = json.dumps({"project_id": "1", "name": "library"})
    problems = checker.check("GET", "/api/v2.0/projects/library", 200, "application/json", body)
    assert any("project_id" in p and "integer" in p for p in problems), problems


def test_catches_a_bad_registry_body():
    body = json.dumps({"id": 1, "name": "remote", "insecure": "false", "credential": {"access_key": 5}})
    problems = checker.check("GET", "/api/v2.0/registries/1", 200, "application/json", body)
    assert any(p.endswith("insecure: 'false' is not of type 'boolean'") for p in problems), problems
    assert any("credential/access_key" in p for p in problems), problems


def test_catches_an_error_body_in_the_wrong_shape():
    problems = checker.check("GET", "/api/v2.0/registries/9", 404, "application/json", json.dumps({"message": "not found"}))
    assert problems


def test_catches_an_unknown_operation_an_undocumented_status_and_a_non_json_body():
    assert checker.check("GET", "/api/v2.0/nonexistent", 200, "application/json", "{}")
    assert checker.check("GET", "/api/v2.0/projects", 201, "application/json", "[]")
    assert checker.check("GET", "/api/v2.0/registries", 200, "text/html", "<html></html>")


def test_literal_paths_win_over_templates():
    template, op = checker.operation("POST", "/api/v2.0/registries/ping")
    assert template == "/registries/ping" and op["operationId"] == "pingRegistry"


def test_x_nullable_is_honoured():
    # RegistryUpdate.ca_certificate is x-nullable, Registry.name is not
    assert checker.validate({"$ref": "#/definitions/RegistryUpdate"}, {"ca_certificate": None}) == []
    assert checker.validate({"$ref": "#/definitions/Registry"}, {"name": None}) != []
    # GeneralInfo.authproxy_settings is an x-nullable $ref
    assert checker.validate({"$ref": "#/definitions/GeneralInfo"}, {"authproxy_settings": None}) == []
    assert checker.validate({"$ref": "#/definitions/GeneralInfo"}, {"authproxy_settings": 3}) != []


# ----- every route of the emulator

def drive_registries(harbor, remote):
    body = {"name": "remote", "type": "harbor", "url": remote.url,
            "credential": {"type": "basic", "access_key": "admin", "access_secret": "Harbor12345"}}
    harbor.api("POST", "/registries", json=body)
    harbor.api("POST", "/registries", json=body)                                              # 409
    harbor.api("POST", "/registries", json={"name": "down", "type": "docker-registry", "url": CLOSED})    # 400
    harbor.api("POST", "/registries", json={"name": "x", "type": "nope", "url": CLOSED})      # 500
    harbor.api("POST", "/registries", json={"name": "swr", "type": "huawei-SWR", "url": CLOSED})
    for params in ({}, {"q": "name=~re", "page_size": 1}, {"page_size": 101}):
        harbor.api("GET", "/registries", params=params)
    for path in ("/registries/1", "/registries/99", "/registries/abc", "/registries/1/info", "/registries/99/info",
                 "/replication/adapters", "/replication/adapterinfos"):
        harbor.api("GET", path)
    harbor.api("GET", "/replication/adapters", auth=None)
    harbor.api("GET", "/replication/adapterinfos", auth=None)
    harbor.api("PUT", "/registries/1", json={"description": "d"})
    harbor.api("PUT", "/registries/99", json={"description": "d"})
    harbor.api("POST", "/registries/ping", json={"id": 1})
    harbor.api("POST", "/registries/ping", json={"url": CLOSED})
    harbor.api("DELETE", "/registries/2")
    harbor.api("DELETE", "/registries/99")


def drive_projects(harbor):
    harbor.api("POST", "/projects", json={"project_name": "team", "metadata": {"public": "false"}, "storage_limit": 1024})
    harbor.api("POST", "/projects", json={"project_name": "team"})                           # 409
    harbor.api("POST", "/projects", json={"project_name": "Bad Name"})                       # 400
    harbor.api("POST", "/projects", json={"project_name": "cache", "registry_id": 1})
    for params in ({}, {"name": "team"}, {"page": 2, "page_size": 1}, {"page_size": 101}):
        harbor.api("GET", "/projects", params=params)
    harbor.api("HEAD", "/projects", params={"project_name": "team"})
    harbor.api("HEAD", "/projects", params={"project_name": "nope"})
    for path in ("/projects/team", "/projects/nope", "/projects/team/summary", "/projects/nope/summary",
                 "/projects/team/_deletable", "/projects/nope/_deletable", "/projects/team/metadatas/",
                 "/projects/nope/metadatas/"):
        harbor.api("GET", path, headers=BY_NAME)
    harbor.api("GET", "/projects/1")
    harbor.api("GET", "/projects", auth=None)
    harbor.api("PUT", "/projects/team", headers=BY_NAME, json={"metadata": {"auto_scan": "true"}})
    harbor.api("PUT", "/projects/nope", headers=BY_NAME, json={"metadata": {}})
    harbor.api("POST", "/projects/team/metadatas/", headers=BY_NAME, json={"prevent_vul": "true"})
    harbor.api("POST", "/projects/team/metadatas/", headers=BY_NAME, json={"prevent_vul": "true"})     # 409
    harbor.api("GET", "/projects/team/metadatas/prevent_vul", headers=BY_NAME)
    harbor.api("GET", "/projects/nope/metadatas/prevent_vul", headers=BY_NAME)
    harbor.api("PUT", "/projects/team/metadatas/prevent_vul", headers=BY_NAME, json={"prevent_vul": "false"})
    harbor.api("PUT", "/projects/team/metadatas/prevent_vul", headers=BY_NAME, json={"other": "false"})
    harbor.api("DELETE", "/projects/team/metadatas/prevent_vul", headers=BY_NAME)
    harbor.api("DELETE", "/projects/nope/metadatas/prevent_vul", headers=BY_NAME)


def drive_quotas(harbor):
    quotas = harbor.api("GET", "/quotas", params={"reference": "project", "reference_id": "1"}).json()
    harbor.api("GET", "/quotas", auth=None)
    harbor.api("GET", "/quotas/%d" % quotas[0]["id"])
    harbor.api("GET", "/quotas/999")
    harbor.api("PUT", "/quotas/%d" % quotas[0]["id"], json={"hard": {"storage": 4096}})
    harbor.api("PUT", "/quotas/%d" % quotas[0]["id"], json={"hard": {"storage": "big"}})


def drive_artifacts(harbor):
    harbor.seed(project="library", repository="nginx", tags=["1.25", "latest"], labels=["prod"])
    harbor.seed(project="library", repository="nginx", tags=["1.24"])
    harbor.seed(project="library", repository="tools/jq", tags=["1.7"])
    harbor.seed(project="team", repository="app", tags=["v1"])
    for path in ("/projects/library/repositories", "/projects/nope/repositories", "/projects/library/repositories/nginx",
                 "/projects/library/repositories/nope", "/projects/library/repositories/nginx/artifacts",
                 "/projects/library/repositories/nope/artifacts", "/projects/library/repositories/tools%252Fjq/artifacts/1.7",
                 "/projects/library/repositories/nginx/artifacts/nope"):
        harbor.api("GET", path, params={"with_tag": "true", "with_label": "true"} if "artifacts" in path else None)
    harbor.api("GET", "/projects/library/repositories/nginx/artifacts", params={"page_size": 101})
    harbor.api("DELETE", "/projects/library/repositories/nginx/artifacts/1.24")
    harbor.api("DELETE", "/projects/library/repositories/nginx/artifacts/nope")
    harbor.api("DELETE", "/projects/library/repositories/tools%252Fjq")
    harbor.api("DELETE", "/projects/library/repositories/nope")
    harbor.api("DELETE", "/projects/team", headers=BY_NAME)                                    # 412: it has a repository
    harbor.api("DELETE", "/projects/team/repositories/app", headers=BY_NAME)
    harbor.api("DELETE", "/projects/team", headers=BY_NAME)
    harbor.api("DELETE", "/projects/nope", headers=BY_NAME)


def drive_robots(harbor):
    robot = {"name": "ci", "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "registry", "action": "list"}]}]}
    created = harbor.api("POST", "/robots", json=robot).json()
    harbor.api("POST", "/robots", json=robot)                                                  # 409: the name is taken
    harbor.api("POST", "/robots", json=dict(robot, level="nowhere"))                           # 400
    for path in ("/robots", "/robots/%d" % created["id"], "/robots/99"):
        harbor.api("GET", path)
    harbor.api("GET", "/robots", params={"q": "Level=nowhere=1"})                              # 400: a malformed q
    shown = harbor.api("GET", "/robots/%d" % created["id"]).json()
    harbor.api("PUT", "/robots/%d" % created["id"], json=dict(shown, description="pipelines"))
    harbor.api("PUT", "/robots/99", json=shown)
    harbor.api("PATCH", "/robots/%d" % created["id"], json={"secret": "Refreshed-S3cret"})
    harbor.api("PATCH", "/robots/99", json={})
    harbor.api("DELETE", "/robots/%d" % created["id"])
    harbor.api("DELETE", "/robots/99")


def drive_replication(harbor):
    policy = {"name": "push", "dest_registry": {"id": 1}, "dest_namespace": "mirror", "enabled": True,
              "filters": [{"type": "name", "value": "library/**"}], "trigger": {"type": "manual"}, "override": True}
    harbor.api("POST", "/replication/policies", json=policy)
    harbor.api("POST", "/replication/policies", json=dict(policy, name="disabled", enabled=False))
    harbor.api("POST", "/replication/policies", json=dict(policy, name="both", src_registry={"id": 1}))    # 400
    for path in ("/replication/policies", "/replication/policies/1", "/replication/policies/99"):
        harbor.api("GET", path)
    harbor.api("GET", "/replication/policies", auth=None)
    harbor.api("PUT", "/replication/policies/1", json=dict(policy, description="all of library"))
    harbor.api("PUT", "/replication/policies/99", json=policy)
    harbor.api("POST", "/replication/executions", json={"policy_id": 1})
    harbor.api("POST", "/replication/executions", json={"policy_id": 2})                     # 412: disabled
    harbor.api("POST", "/replication/executions", json={"policy_id": 99})
    for _ in range(200):
        if harbor.api("GET", "/replication/executions/1").json()["status"] != "InProgress":
            break
        time.sleep(0.05)
    for path in ("/replication/executions", "/replication/executions/1", "/replication/executions/99",
                 "/replication/executions/1/tasks", "/replication/executions/99/tasks"):
        harbor.api("GET", path, params={"policy_id": 1} if path == "/replication/executions" else None)
    harbor.api("GET", "/replication/executions", auth=None)
    tasks = harbor.api("GET", "/replication/executions/1/tasks").json()
    harbor.api("GET", "/replication/executions/1/tasks/%d/log" % tasks[0]["id"])
    harbor.api("GET", "/replication/executions/1/tasks/999/log")
    harbor.api("PUT", "/replication/executions/1")
    harbor.api("PUT", "/replication/executions/99")
    harbor.api("DELETE", "/replication/policies/2")
    harbor.api("DELETE", "/replication/policies/99")


def route_outcomes(app, seen):
    """{(method, rule): {"ok", "error"}} for every /api/v2.0 answer seen (paths the emulator does not serve, such as
    the labels a harbor adapter asks its remote for, are left out)."""
    adapter = app.url_map.bind("localhost")
    outcomes = {}
    for method, path, status, _, _ in seen:
        try:
            rule, _ = adapter.match(path, method="GET" if method == "HEAD" else method, return_rule=True)
        except NotFound:
            continue
        outcomes.setdefault((method, rule.rule), set()).add("ok" if status < 400 else "error")
    return outcomes


def api_routes(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v2.0")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes | {("HEAD", "/api/v2.0/projects")}


def test_every_endpoint_answers_within_the_contract(emulator_factory, contract_recorder):
    harbor, remote = emulator_factory(), emulator_factory()
    harbor.replication(task_seconds=0.05)
    for path in ("/ping", "/systeminfo", "/health"):
        harbor.api("GET", path)
    harbor.api("GET", "/systeminfo", auth=None)
    drive_registries(harbor, remote)
    drive_projects(harbor)
    drive_quotas(harbor)
    drive_artifacts(harbor)
    drive_replication(harbor)
    drive_robots(harbor)

    assert len(contract_recorder.seen) > 100
    app = harbor.emulator.app
    outcomes = route_outcomes(app, contract_recorder.seen)
    missing = sorted(route for route in api_routes(app) if "ok" not in outcomes.get(route, ()))
    assert missing == [], "routes never answered with success"
    no_error = sorted(route for route in api_routes(app) - NO_ERROR_PATH if "error" not in outcomes.get(route, ()))
    assert no_error == [], "routes never answered with an error"
    assert contract_recorder.violations() == []
