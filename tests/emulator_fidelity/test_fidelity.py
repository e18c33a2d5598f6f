"""Issue 13 (emulator fidelity, round 2) and the emulator items of issue 10: each test sends one request and checks Harbor
v2.15.2's answer; its docstring names the Go file that decides it (NOTES.md sections 0, 2, 3, 4, 5)."""
import re
import time

import pytest
import requests

from tests.emulator_fidelity.test_project import add_registry as add_stored_registry
from tests.emulator_fidelity.test_replication_policy import add_registry, create as create_policy, wait_status

OPAQUE = {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}
DEVELOPER = ("developer", "Developer12345")
BY_NAME = {"X-Is-Resource-Name": "true"}


def errors(code, message):
    return {"errors": [{"code": code, "message": message}]}


def names(resp):
    assert resp.status_code == 200, resp.text
    return [item["name"] for item in resp.json()]


def new_project(harbor, name, **fields):
    resp = harbor.api("POST", "/projects", json=dict(fields, project_name=name))
    assert resp.status_code == 201, resp.text
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def swr_endpoint(harbor, name="swr", **fields):
    """An endpoint whose health check always passes (huawei-SWR) and that needs no remote."""
    resp = harbor.api("POST", "/registries", json=dict({"name": name, "type": "huawei-SWR", "url": "https://swr.invalid"}, **fields))
    assert resp.status_code == 201, resp.text
    return int(resp.headers["Location"].rsplit("/", 1)[1])


# ----- 1. arrays are null, never omitted; credential is {} (go-swagger v0.33.1 models: slices carry no omitempty)

def test_policy_without_filters_answers_filters_null(harbor):
    """src/server/v2.0/handler/replication.go convertReplicationPolicy copies a nil filter slice into models.ReplicationPolicy."""
    registry_id = swr_endpoint(harbor)
    policy_id = create_policy(harbor, name="nofilters", dest_registry={"id": registry_id})
    policy = harbor.api("GET", "/replication/policies/%d" % policy_id).json()
    assert "filters" in policy and policy["filters"] is None


def test_endpoint_without_credential_answers_credential_empty_object(harbor):
    """src/pkg/reg/manager.go fromDaoModel sets an empty Credential when no access key is stored; omitempty on its
    fields renders it as {}, also in a policy's dest_registry (issue 10, NOTES.md section 2)."""
    registry_id = swr_endpoint(harbor)
    assert harbor.api("GET", "/registries/%d" % registry_id).json()["credential"] == {}
    assert harbor.api("GET", "/registries").json()[0]["credential"] == {}
    policy_id = create_policy(harbor, name="p", dest_registry={"id": registry_id})
    assert harbor.api("GET", "/replication/policies/%d" % policy_id).json()["dest_registry"]["credential"] == {}


def test_untagged_artifact_and_with_tag_false_answer_tags_null(harbor):
    """src/server/v2.0/handler/model/artifact.go ToSwagger appends tags, labels, references and accessories to nil slices."""
    harbor.need_emulator()
    harbor.seed(project="library", repository="app", tags=[])
    harbor.seed(project="library", repository="app", tags=["1"])
    arts = harbor.api("GET", "/projects/library/repositories/app/artifacts").json()
    assert [a["tags"] is None for a in arts] == [False, True]
    for art in arts:
        assert (art["labels"], art["references"], art["accessories"]) == (None, None, None)
    arts = harbor.api("GET", "/projects/library/repositories/app/artifacts", params={"with_tag": "false"}).json()
    assert [a["tags"] for a in arts] == [None, None]


def test_current_user_role_ids_is_null_for_a_non_member(harbor):
    """src/server/v2.0/handler/model/project.go ToSwagger builds current_user_role_ids by appending to a nil slice."""
    library = harbor.api("GET", "/projects/library", headers=BY_NAME, auth=DEVELOPER).json()
    assert "current_user_role_ids" in library and library["current_user_role_ids"] is None
    assert "current_user_role_id" not in library
    assert harbor.api("GET", "/projects/library", headers=BY_NAME).json()["current_user_role_ids"] == [1]


def test_registry_info_filters_without_values_answer_values_null(harbor):
    """src/server/v2.0/handler/registry.go GetRegistryInfo copies FilterStyle.Values (nil for name and tag filters)."""
    info = harbor.api("GET", "/registries/%d/info" % swr_endpoint(harbor)).json()
    assert [(f["type"], f["values"]) for f in info["supported_resource_filters"]] == [("name", None), ("tag", None), ("resource", ["image"])]


def test_zero_counts_and_empty_status_texts_are_sent_an_empty_description_is_not(harbor):
    """Harbor v2.15.2 answers (found by tests.differential against it): swagger.yaml marks Project.repo_count,
    ProjectSummary.repo_count, Repository.artifact_count/pull_count, Tag.immutable and ReplicationExecution's counts and
    status_text ``x-omitempty: false``, so go-swagger's models (src/server/v2.0/models, generated) send 0, false and ""
    (handler/model/project.go, handler/repository.go, handler/replication.go convertExecution fill them); a repository's
    empty ``description`` keeps omitempty."""
    harbor.need_emulator()
    new_project(harbor, "empty")
    assert harbor.api("GET", "/projects/empty", headers=BY_NAME).json()["repo_count"] == 0
    assert harbor.api("GET", "/projects/empty/summary", headers=BY_NAME).json()["repo_count"] == 0
    assert [p["repo_count"] for p in harbor.api("GET", "/projects", params={"q": "name=empty"}).json()] == [0]
    harbor.seed(project="library", repository="app", tags=["1"])
    assert [t["immutable"] for t in harbor.api("GET", "/projects/library/repositories/app/artifacts").json()[0]["tags"]] == [False]
    harbor.api("DELETE", "/projects/library/repositories/app/artifacts/1")
    repo = harbor.api("GET", "/projects/library/repositories/app").json()
    assert (repo["artifact_count"], repo["pull_count"], "description" in repo) == (0, 0, False)
    policy_id = create_policy(harbor, name="p", dest_registry={"id": swr_endpoint(harbor)}, enabled=True,
                              filters=[{"type": "name", "value": "nothing/**"}])
    execution_id = int(harbor.api("POST", "/replication/executions", json={"policy_id": policy_id}).headers["Location"].rsplit("/", 1)[1])
    done = wait_status(harbor, execution_id, "Succeed")
    assert {key: done[key] for key in ("status_text", "total", "failed", "succeed", "in_progress", "stopped")} == {
        "status_text": "no resources need to be replicated", "total": 0, "failed": 0, "succeed": 0, "in_progress": 0,
        "stopped": 0}                   # the text: src/controller/replication/flow/copy.go, nothing matched
    listed = harbor.api("GET", "/replication/executions", params={"policy_id": policy_id}).json()
    assert (listed[0]["failed"], listed[0]["total"]) == (0, 0)


# ----- 2. sessions and CSRF

def test_a_client_that_sends_the_sid_cookie_back_gets_403_on_writes(harbor):
    """src/server/middleware/session/session.go marks a request that carries ``sid``; src/server/middleware/csrf/csrf.go
    csrfSkipper then no longer skips /api/, and gorilla/csrf refuses a write without the token: 403 CSRF token invalid.
    beego (src/core/main.go, SessionOn) sets the cookie on every answer."""
    harbor.need_emulator()
    first = requests.get(harbor.url + "/api/v2.0/systeminfo", auth=harbor.auth, timeout=10)
    assert re.match(r"sid=[0-9a-f]{32}; .*Path=/", first.headers["Set-Cookie"])
    jar = requests.Session()                            # a client with a cookie jar
    jar.auth = harbor.auth
    jar.get(harbor.url + "/api/v2.0/projects", timeout=10)
    assert "sid" in jar.cookies
    refused = jar.post(harbor.url + "/api/v2.0/projects", json={"project_name": "csrf"}, timeout=10)
    assert (refused.status_code, refused.json()) == (403, errors("FORBIDDEN", "CSRF token invalid"))
    anonymous = requests.post(harbor.url + "/api/v2.0/projects", json={"project_name": "csrf"}, cookies={"sid": "x"}, timeout=10)
    assert anonymous.status_code == 403                 # the CSRF middleware runs before the caller is authenticated
    token = jar.get(harbor.url + "/api/v2.0/projects", timeout=10).headers["X-Harbor-CSRF-Token"]
    accepted = jar.post(harbor.url + "/api/v2.0/projects", json={"project_name": "csrf"}, headers={"X-Harbor-CSRF-Token": token}, timeout=10)
    assert accepted.status_code == 201, accepted.text
    assert requests.post(harbor.url + "/api/v2.0/projects", json={"project_name": "nocookie"}, auth=harbor.auth, timeout=10).status_code == 201


# ----- 3. the q grammar (src/lib/q/builder.go, src/lib/orm/query.go)

def test_fuzzy_and_deprecated_name_are_case_insensitive_with_wildcards_escaped(harbor):
    """src/lib/orm/query.go setFilters: fuzzy is ``__icontains`` of Escape(value) (UPPER LIKE, % and _ literal); the
    deprecated ``name`` parameter of projects is the same FuzzyMatchValue (handler/project.go ListProjects)."""
    new_project(harbor, "a_b")
    new_project(harbor, "ab")
    assert names(harbor.api("GET", "/projects", params={"q": "name=~LIB"})) == ["library"]
    assert names(harbor.api("GET", "/projects", params={"name": "LiBr"})) == ["library"]
    assert names(harbor.api("GET", "/projects", params={"q": "name=~_"})) == ["a_b"]
    assert names(harbor.api("GET", "/projects", params={"q": "name=~%"})) == []


def test_range_values_are_typed_and_list_values_lose_their_quotes(harbor):
    """src/lib/q/builder.go parseValue: range and list values are int64 when they parse as one (numeric comparison:
    10 is in [2~10]) and strings lose surrounding quotes."""
    for index in range(2, 12):
        new_project(harbor, "p%d" % index)                  # ids 2..11
    in_range = harbor.api("GET", "/projects", params={"q": "project_id=[2~10]", "page_size": 50}).json()
    assert sorted(p["project_id"] for p in in_range) == list(range(2, 11))
    assert names(harbor.api("GET", "/projects", params={"q": "name={\"library\" 'p2'}"})) == ["library", "p2"]
    assert names(harbor.api("GET", "/projects", params={"q": "project_id={1 11}"})) == ["library", "p11"]
    # lib/orm knows a column by its Go field name too (src/lib/orm/metadata.go parseModel)
    assert names(harbor.api("GET", "/projects", params={"q": "ProjectID=[10~]", "sort": "-ProjectID"})) == ["p11", "p10"]
    new_project(harbor, "123")                  # an int64 list value still matches a text column (sent as text)
    assert names(harbor.api("GET", "/projects", params={"q": "name={123 library}"})) == ["123", "library"]


def test_and_list_and_unknown_keys_are_ignored(harbor):
    """src/lib/orm/query.go setFilters: an AndList does nothing on an ordinary column, an unknown key is skipped; the
    registry's status is the column ``health`` (src/pkg/reg/dao/model.go), so ``status`` is unknown and ``health`` filters."""
    swr_endpoint(harbor, "one")
    swr_endpoint(harbor, "two")
    assert names(harbor.api("GET", "/registries", params={"q": "name=(one two)"})) == ["one", "two"]
    assert names(harbor.api("GET", "/registries", params={"q": "status=unhealthy"})) == ["one", "two"]
    assert names(harbor.api("GET", "/registries", params={"q": "health=unhealthy"})) == []
    assert names(harbor.api("GET", "/registries", params={"q": "health=healthy"})) == ["one", "two"]
    assert names(harbor.api("GET", "/registries", params={"name": "ONE"})) == ["one"]


# ----- 4. the registry side (src/server/middleware/v2auth/auth.go, src/core/service/token)

def test_anonymous_get_of_a_public_repository_without_authorization_is_challenged(harbor):
    """src/server/middleware/v2auth/auth.go check: GET/HEAD under /v2/<repo>/ without an Authorization header always gets
    401 with a Bearer challenge (docker CLI, #11271), even for the public project library."""
    harbor.need_emulator()
    harbor.seed(project="library", repository="nginx", tags=["1.25"])
    resp = requests.get(harbor.url + "/v2/library/nginx/tags/list", timeout=10)
    assert resp.status_code == 401
    assert resp.headers["Www-Authenticate"] == ('Bearer realm="%s/service/token",service="harbor-registry",'
                                                'scope="repository:library/nginx:pull"' % harbor.url)
    token = requests.get(harbor.url + "/service/token", params={"service": "harbor-registry",
                                                                "scope": "repository:library/nginx:pull"}, timeout=10).json()["token"]
    with_token = requests.get(harbor.url + "/v2/library/nginx/tags/list", headers={"Authorization": "Bearer " + token}, timeout=10)
    assert with_token.json() == {"name": "library/nginx", "tags": ["1.25"]}


def test_token_service_needs_harbor_registry_and_answers_harbor_token_shape(harbor):
    """src/core/service/token/token.go Get (400 ``Unable to handle service``) and authutils.go MakeToken (access_token
    left empty, issued_at in time.RFC3339: whole seconds)."""
    harbor.need_emulator()
    for params in ({}, {"service": "other"}):
        resp = requests.get(harbor.url + "/service/token", params=params, auth=harbor.auth, timeout=10)
        assert (resp.status_code, resp.text) == (400, "Unable to handle service: %s" % params.get("service", ""))
    data = requests.get(harbor.url + "/service/token", params={"service": "harbor-registry"}, auth=harbor.auth, timeout=10).json()
    assert data["access_token"] == "" and data["token"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["issued_at"])


# ----- 5. projects (src/server/v2.0/handler/project.go, src/controller/project/controller.go)

def test_list_with_detail_false_leaves_out_metadata_owner_and_allowlist_items(harbor):
    """src/controller/project/controller.go assembleProjects returns before loading metadata, allowlist and owner."""
    project = harbor.api("GET", "/projects", params={"with_detail": "false"}).json()[0]
    assert "metadata" not in project and "owner_name" not in project
    assert project["cve_allowlist"]["items"] is None and "id" not in project["cve_allowlist"]
    assert harbor.api("GET", "/projects").json()[0]["cve_allowlist"]["items"] == []


def test_summary_registry_omits_false_and_empty_fields(harbor):
    """src/server/v2.0/handler/project.go getProjectRegistrySummary copies into models.Registry: omitempty drops
    insecure false and the empty description and ca_certificate."""
    registry_id = add_stored_registry(harbor, "docker-hub")
    new_project(harbor, "cache", registry_id=registry_id)
    registry = harbor.api("GET", "/projects/cache/summary", headers=BY_NAME).json()["registry"]
    assert registry["id"] == registry_id
    assert not {"insecure", "description", "ca_certificate", "credential"} & set(registry)


@pytest.mark.parametrize("items", [[{"cve_id": "CVE-1"}, {"cve_id": "CVE-1"}], [{"cve_id": " "}]], ids=["duplicate", "blank"])
def test_allowlist_with_a_duplicate_or_blank_cve_is_an_opaque_500_after_the_metadata(harbor, items):
    """src/pkg/allowlist/validator.go Validate returns a plain error (opaque 500); controller.Update has already written
    the metadata."""
    new_project(harbor, "scan")
    resp = harbor.api("PUT", "/projects/scan", headers=BY_NAME, json={"metadata": {"auto_scan": "true"}, "cve_allowlist": {"items": items}})
    assert (resp.status_code, resp.json()) == (500, OPAQUE)
    project = harbor.api("GET", "/projects/scan", headers=BY_NAME).json()
    assert project["metadata"]["auto_scan"] == "true" and project["cve_allowlist"]["items"] == []


# ----- 6. order

def test_tasks_are_listed_newest_first(harbor_pair):
    """src/pkg/task/dao/model.go Task.GetDefaultSorts: start_time desc, id desc."""
    connected, disconnected = harbor_pair
    connected.replication(task_seconds=0)
    for repository in ("a", "b", "c"):
        connected.seed(project="library", repository=repository, tags=["1"])
    policy_id = create_policy(connected, name="push", dest_registry={"id": add_registry(connected, disconnected)}, enabled=True)
    execution_id = int(connected.api("POST", "/replication/executions", json={"policy_id": policy_id}).headers["Location"].rsplit("/", 1)[1])
    wait_status(connected, execution_id, "Succeed")
    ids = [t["id"] for t in connected.api("GET", "/replication/executions/%d/tasks" % execution_id).json()]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)
    ascending = connected.api("GET", "/replication/executions/%d/tasks" % execution_id, params={"sort": "id"}).json()
    assert [t["id"] for t in ascending] == sorted(ids)


def test_tags_of_an_artifact_come_newest_push_first(harbor):
    """src/pkg/tag/model/tag/model.go Tag.GetDefaultSorts: push_time desc, id desc."""
    harbor.need_emulator()
    digest = harbor.seed(project="library", repository="app", tags=["old"])["digest"]
    time.sleep(0.01)
    harbor.seed(project="library", repository="app", tags=["new"], digest=digest)
    art = harbor.api("GET", "/projects/library/repositories/app/artifacts/old").json()
    assert [t["name"] for t in art["tags"]] == ["new", "old"]


def test_sort_on_repositories_artifacts_and_quotas(harbor):
    """src/lib/orm/query.go setSorts on RepoRecord and Artifact columns; src/pkg/quota/dao/util.go listOrderBy
    (hard.storage, -1 counted as the largest)."""
    harbor.need_emulator()
    for repository, size in (("b", 3), ("a", 1), ("c", 2)):
        harbor.seed(project="library", repository=repository, tags=["1"], size=size)
    path = "/projects/library/repositories"
    assert names(harbor.api("GET", path, params={"sort": "name"})) == ["library/a", "library/b", "library/c"]
    assert names(harbor.api("GET", path, params={"sort": "-name"})) == ["library/c", "library/b", "library/a"]
    assert names(harbor.api("GET", path)) == ["library/c", "library/a", "library/b"]      # newest first by default
    for repository in ("a", "b"):
        harbor.seed(project="library", repository="multi", tags=[repository], size=5 if repository == "a" else 9)
    arts = harbor.api("GET", path + "/multi/artifacts", params={"sort": "size"}).json()
    assert [a["size"] for a in arts] == [5, 9]
    new_project(harbor, "small", storage_limit=1024)
    quotas = harbor.api("GET", "/quotas", params={"sort": "hard.storage"}).json()
    assert [q["ref"]["name"] for q in quotas] == ["small", "library"]
    quotas = harbor.api("GET", "/quotas", params={"sort": "-hard.storage"}).json()
    assert [q["ref"]["name"] for q in quotas] == ["library", "small"]


# ----- 7. smaller ones

def test_ping_of_id_0_pings_this_harbor(harbor):
    """src/server/v2.0/handler/registry.go PingRegistry: ctl.Get(0) is the local Harbor (src/pkg/reg/manager.go
    getLocalRegistry), pinged with the internal secret: healthy."""
    resp = harbor.api("POST", "/registries/ping", json={"id": 0})
    assert (resp.status_code, resp.text) == (200, "")


def test_policy_name_longer_than_the_column_is_an_opaque_500(harbor):
    """replication_policy.name is varchar(256) (make/migrations/postgresql); the failed INSERT is a plain error."""
    registry_id = swr_endpoint(harbor)
    resp = harbor.api("POST", "/replication/policies", json={"name": "n" * 257, "dest_registry": {"id": registry_id}})
    assert (resp.status_code, resp.json()) == (500, OPAQUE)
    assert create_policy(harbor, name="n" * 256, dest_registry={"id": registry_id})


def test_wrong_method_is_405_in_harbor_format(harbor):
    """go-openapi's router answers errors.MethodNotAllowed; src/lib/http/error.go apiError turns it into Harbor's format."""
    resp = harbor.api("DELETE", "/registries")
    assert (resp.status_code, resp.json()) == (405, errors("METHOD_NOT_ALLOWED", "method DELETE is not allowed, but [GET,POST] are"))


def test_unhandled_error_is_the_opaque_500(harbor):
    """src/lib/http/error.go SendError: any error without a code is logged and answered as UNKNOWN/internal server error."""
    harbor.need_emulator()

    def broken():
        raise RuntimeError("a bug")

    harbor.emulator.app.add_url_rule("/_test/broken", "broken", broken)
    resp = requests.get(harbor.url + "/_test/broken", timeout=10)
    assert (resp.status_code, resp.json()) == (500, OPAQUE)


# ----- issue 10, defect 6: pushes into proxy-cache projects

def test_push_into_a_proxy_cache_project_is_denied(harbor):
    """src/server/middleware/repoproxy/proxy.go DisableBlobAndManifestUploadMiddleware on the push routes of
    src/server/registry/route.go: 403 DENIED for every session but the proxy-cache service."""
    harbor.need_emulator()
    harbor.seed(project="library", repository="nginx", tags=["1"])
    new_project(harbor, "cache", registry_id=add_stored_registry(harbor, "docker-hub"))
    manifest = requests.get(harbor.url + "/v2/library/nginx/manifests/1", auth=harbor.auth, timeout=10)
    resp = requests.put(harbor.url + "/v2/cache/nginx/manifests/1", data=manifest.content, auth=harbor.auth, timeout=10,
                        headers={"Content-Type": manifest.headers["Content-Type"]})
    assert (resp.status_code, resp.json()) == (403, errors("DENIED", "can not push artifact to a proxy project: cache"))


def test_replication_into_a_proxy_cache_project_fails_with_harbors_log_line(harbor_pair):
    """A pull rule whose destination is a local proxy-cache project: every push of the task is refused by the repoproxy
    middleware; src/controller/replication/transfer/image/transfer.go logs the registry client's error
    (src/pkg/registry/client.go do) and marks the job failed."""
    connected, disconnected = harbor_pair
    connected.replication(task_seconds=0)
    disconnected.seed(project="library", repository="nginx", tags=["1"])
    registry_id = add_registry(connected, disconnected)
    new_project(connected, "cache", registry_id=registry_id)
    policy_id = create_policy(connected, name="pull", src_registry={"id": registry_id}, dest_namespace="cache", enabled=True,
                              filters=[{"type": "name", "value": "library/**"}])
    execution_id = int(connected.api("POST", "/replication/executions", json={"policy_id": policy_id}).headers["Location"].rsplit("/", 1)[1])
    wait_status(connected, execution_id, "Failed")
    task = connected.api("GET", "/replication/executions/%d/tasks" % execution_id).json()[0]
    log = connected.api("GET", "/replication/executions/%d/tasks/%d/log" % (execution_id, task["id"])).text
    assert ('failed to push manifest of artifact cache/nginx:1: http status code: 403, body: '
            '{"errors":[{"code":"DENIED","message":"can not push artifact to a proxy project: cache"}]}') in log
    assert "got error during the whole transfer period, mark the job failure" in log
