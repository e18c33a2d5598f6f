"""Projects and project metadata as Harbor serves them (NOTES.md section 3, handler/project.go, handler/project_metadata.go)."""
import pytest

DEVELOPER = ("developer", "Developer12345")
BY_NAME = {"X-Is-Resource-Name": "true"}
TB = 1024 ** 4


def errors(code, message):
    return {"errors": [{"code": code, "message": message}]}


def create(harbor, name, status=201, auth=None, **fields):
    resp = harbor.api("POST", "/projects", json=dict(fields, project_name=name), **({"auth": auth} if auth else {}))
    assert resp.status_code == status, resp.text
    return resp


def get(harbor, name, **kwargs):
    resp = harbor.api("GET", "/projects/" + name, headers=BY_NAME, **kwargs)
    assert resp.status_code == 200, resp.text
    return resp.json()


def add_registry(harbor, kind):
    """Registries come from E1's handler; put one into the state directly (their create runs a real health check)."""
    harbor.need_emulator()
    st = harbor.emulator.state
    with st.lock:
        registry_id = st.next_id("registry")
        st.registries[registry_id] = {
            "id": registry_id, "name": "reg%d" % registry_id, "type": kind, "url": "https://registry.invalid", "insecure": False,
            "credential": {"type": "basic", "access_key": "user", "access_secret": "secret"}, "status": "healthy",
            "description": "", "creation_time": "2026-01-01T00:00:00.000Z", "update_time": "2026-01-01T00:00:00.000Z",
        }
    return registry_id


# ----- start state, list, head

def test_library_exists_at_start_public_owned_by_admin(harbor):
    harbor.need_emulator()
    library = harbor.api("GET", "/projects/1").json()
    assert (library["name"], library["owner_name"], library["metadata"]) == ("library", "admin", {"public": "true"})
    quotas = harbor.api("GET", "/quotas", params={"reference": "project", "reference_id": "1"}).json()
    assert [q["hard"] for q in quotas] == [{"storage": -1}]


def test_list_q_name_is_exact_or_fuzzy_and_deprecated_name_is_fuzzy(harbor):
    for name in ("team-a", "team-ab"):
        create(harbor, name)
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"q": "name=team-a"}).json()] == ["team-a"]
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"q": "name=~team-a"}).json()] == ["team-a", "team-ab"]
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"name": "team-a"}).json()] == ["team-a", "team-ab"]


def test_list_pages_with_total_count_and_link(harbor):
    for index in range(3):
        create(harbor, "page%d" % index)
    resp = harbor.api("GET", "/projects", params={"page": 2, "page_size": 1})
    assert resp.headers["X-Total-Count"] == "4"
    assert [p["name"] for p in resp.json()] == ["page0"]
    assert resp.headers["Link"] == ('</api/v2.0/projects?page=1&page_size=1>; rel="prev" , '
                                    '</api/v2.0/projects?page=3&page_size=1>; rel="next"')


def test_list_sorted_by_name_unless_sort_given(harbor):
    for name in ("zeta", "alpha"):
        create(harbor, name)
    assert [p["name"] for p in harbor.api("GET", "/projects").json()] == ["alpha", "library", "zeta"]
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"sort": "-project_id"}).json()] == ["alpha", "zeta", "library"]


def test_list_public_filter(harbor):
    create(harbor, "private1")
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"public": "false"}).json()] == ["private1"]
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"public": "true"}).json()] == ["library"]


def test_list_anonymous_and_bad_credentials_see_public_projects_only(harbor):
    create(harbor, "secret1")
    for auth in (None, ("admin", "wrong")):
        resp = harbor.api("GET", "/projects", auth=auth)
        assert resp.status_code == 200
        assert [p["name"] for p in resp.json()] == ["library"]
    resp = harbor.api("GET", "/projects", params={"public": "false"}, auth=None)
    assert (resp.status_code, resp.json(), resp.headers["X-Total-Count"]) == (200, [], "0")


def test_list_non_admin_sees_public_and_member_projects(harbor):
    create(harbor, "admins")
    create(harbor, "mine", auth=DEVELOPER)
    assert [p["name"] for p in harbor.api("GET", "/projects", auth=DEVELOPER).json()] == ["library", "mine"]
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"public": "false"}, auth=DEVELOPER).json()] == ["mine"]


def test_head_project(harbor):
    assert harbor.api("HEAD", "/projects", params={"project_name": "library"}).status_code == 200
    assert harbor.api("HEAD", "/projects", params={"project_name": "nope"}).status_code == 404
    assert harbor.api("HEAD", "/projects", params={"project_name": "library"}, auth=None).status_code == 401


# ----- create

def test_create_answers_201_with_location_by_id_or_by_name(harbor):
    resp = create(harbor, "by-id")
    assert resp.text == ""
    assert resp.headers["Location"] == "/api/v2.0/projects/%d" % get(harbor, "by-id")["project_id"]
    resp = harbor.api("POST", "/projects", json={"project_name": "by-name"}, headers={"X-Resource-Name-In-Location": "true"})
    assert (resp.status_code, resp.headers["Location"]) == (201, "/api/v2.0/projects/by-name")


@pytest.mark.parametrize("name", ["Upper", "a..b", "-a", "a b", "ab_"])
def test_create_refuses_names_outside_harbor_pattern(harbor, name):
    resp = create(harbor, name, status=400)
    assert resp.json() == errors("BAD_REQUEST", "project name is not in lower case or contains illegal characters")


def test_create_refuses_empty_and_too_long_names(harbor):
    resp = harbor.api("POST", "/projects", json={})
    assert resp.json() == errors("BAD_REQUEST", "Project name  is illegal in length. (greater than 255 or less than 1)")
    resp = create(harbor, "a" * 256, status=422)     # go-swagger's maxLength check runs before the handler (test_real_harbor.py)
    assert resp.json() == errors("UNPROCESSABLE_ENTITY",
                                 "validation failure list:\nvalidation failure list:\nproject_name in body should be at most 255 chars long")
    create(harbor, "a" * 255)


def test_create_duplicate_name_is_409(harbor):
    resp = create(harbor, "library", status=409)
    assert resp.json() == errors("CONFLICT", "The project named library already exists")


def test_create_needs_authentication(harbor):
    resp = harbor.api("POST", "/projects", json={"project_name": "anon"}, auth=None)
    assert (resp.status_code, resp.json()) == (401, errors("UNAUTHORIZED", "unauthorized"))


def test_create_metadata_values_must_be_strings(harbor):
    resp = create(harbor, "typed", status=422, metadata={"public": True})
    assert resp.json() == errors("UNPROCESSABLE_ENTITY", 'validation failure list:\nparsing project body from "" failed, because json: '
                                 "cannot unmarshal bool into Go struct field ProjectMetadata.metadata.public of type string")


def test_create_public_only_true_or_false(harbor):
    resp = create(harbor, "pub", status=400, metadata={"public": "True"})
    assert resp.json() == errors("BAD_REQUEST", "metadata.public should only be 'true' or 'false', but got: 'True'")


def test_create_defaults_public_false_and_uses_deprecated_public_only_without_metadata_public(harbor):
    create(harbor, "default")
    create(harbor, "old-style", public=True)
    create(harbor, "both", public=True, metadata={"public": "false"})
    assert [get(harbor, n)["metadata"]["public"] for n in ("default", "old-style", "both")] == ["false", "true", "false"]


def test_create_does_not_normalise_metadata(harbor):
    create(harbor, "raw", metadata={"auto_scan": "TRUE", "prevent_vul": "yes"})
    assert get(harbor, "raw")["metadata"] == {"public": "false", "auto_scan": "TRUE", "prevent_vul": "yes"}


@pytest.mark.parametrize("limit, hard", [(None, -1), (0, -1), (-1, -1), (5 * TB, 5 * TB), (1024 * TB, 1024 * TB)])
def test_create_storage_limit(harbor, limit, hard):
    resp = create(harbor, "quota", storage_limit=limit)
    project_id = resp.headers["Location"].rsplit("/", 1)[1]
    quotas = harbor.api("GET", "/quotas", params={"reference": "project", "reference_id": project_id}).json()
    assert [q["hard"]["storage"] for q in quotas] == [hard]


@pytest.mark.parametrize("limit, message", [
    (-2, "bad request: invalid non-positive value for quota limit, value=-2"),
    (1024 * TB + 1, "bad request: exceeded 1024TB, which is 1125899906842624 Bytes, value=1125899906842625"),
])
def test_create_refuses_bad_storage_limit(harbor, limit, message):
    resp = create(harbor, "quota", status=400, storage_limit=limit)
    assert resp.json() == errors("BAD_REQUEST", message)


def test_create_storage_limit_of_non_admin_is_replaced_by_default(harbor):
    create(harbor, "dev-quota", auth=DEVELOPER, storage_limit=10 * TB)
    assert get(harbor, "dev-quota")["owner_name"] == "developer"
    assert harbor.api("GET", "/projects/dev-quota/summary", headers=BY_NAME).json()["quota"]["hard"] == {"storage": -1}


def test_create_retention_id_must_be_empty(harbor):
    resp = create(harbor, "ret", status=400, metadata={"retention_id": "3"})
    assert resp.json() == errors("BAD_REQUEST", "bad request: the retention_id in the request's payload when creating a project "
                                 "should be omitted, alternatively passing an empty string")


# ----- proxy-cache projects

def test_proxy_cache_project_gets_registry_and_retention_and_drops_content_trust(harbor):
    registry_id = add_registry(harbor, "docker-hub")
    create(harbor, "hub", registry_id=registry_id, metadata={"enable_content_trust": "true", "proxy_speed_kb": "100"})
    project = get(harbor, "hub")
    assert project["registry_id"] == registry_id
    assert project["metadata"] == {"public": "false", "proxy_speed_kb": "100", "retention_id": "1"}


def test_normal_project_drops_proxy_only_metadata(harbor):
    create(harbor, "plain", metadata={"proxy_speed_kb": "100", "max_upstream_conn": "5", "enable_content_trust": "true"})
    project = get(harbor, "plain")
    assert "registry_id" not in project
    assert project["metadata"] == {"public": "false", "enable_content_trust": "true"}


def test_proxy_cache_project_needs_sysadmin(harbor):
    registry_id = add_registry(harbor, "docker-hub")
    resp = create(harbor, "hub", status=403, auth=DEVELOPER, registry_id=registry_id)
    assert resp.json() == errors("FORBIDDEN", "Only system admin can create proxy cache project")
    create(harbor, "hub", auth=("robot$automation", "Robot12345"), registry_id=registry_id)
    assert get(harbor, "hub")["owner_name"] == "admin"


def test_proxy_cache_registry_id_must_be_positive(harbor):
    resp = create(harbor, "hub", status=400, registry_id=0)
    assert resp.json() == errors("BAD_REQUEST", "bad request: 0 is invalid value of registry_id, it should be geater than 0")


def test_proxy_cache_missing_registry_is_opaque_500(harbor):
    resp = create(harbor, "hub", status=500, registry_id=99)
    assert resp.json() == errors("UNKNOWN", "internal server error")


def test_proxy_cache_registry_type_must_be_permitted(harbor):
    registry_id = add_registry(harbor, "quay")
    resp = create(harbor, "quay-cache", status=400, registry_id=registry_id)
    assert resp.json() == errors("BAD_REQUEST", "bad request: unsupported registry type quay")


def test_proxy_cache_quay_permitted_before_2_14(emulator_factory):
    harbor = emulator_factory(version="2.13.0")
    create(harbor, "quay-cache", registry_id=add_registry(harbor, "quay"))


def test_proxy_cache_ali_acr_permitted_from_2_12(emulator_factory):
    old, new = emulator_factory(version="2.11.0"), emulator_factory(version="2.12.0")
    create(old, "ali", status=400, registry_id=add_registry(old, "ali-acr"))
    create(new, "ali", registry_id=add_registry(new, "ali-acr"))


def test_proxy_speed_kb_must_be_int32(harbor):
    resp = create(harbor, "hub", status=400, registry_id=add_registry(harbor, "docker-hub"), metadata={"proxy_speed_kb": "fast"})
    assert resp.json() == errors("BAD_REQUEST", "metadata.proxy_speed_kb should by an int32, but got: 'fast', "
                                 'err: strconv.ParseInt: parsing "fast": invalid syntax')


# ----- version-gated metadata

@pytest.mark.parametrize("version, key, kept", [
    ("2.10.0", "auto_sbom_generation", False), ("2.11.0", "auto_sbom_generation", True),
    ("2.15.0", "proxy_cache_local_on_not_found", False), ("2.15.1", "proxy_cache_local_on_not_found", True),
])
def test_version_gated_metadata_is_dropped_silently_on_older_versions(emulator_factory, version, key, kept):
    harbor = emulator_factory(version=version)
    create(harbor, "gated", metadata={key: "true"})
    assert (key in get(harbor, "gated")["metadata"]) is kept


def test_max_upstream_conn_needs_2_14_1_and_a_proxy_project(emulator_factory):
    for version, kept in (("2.14.0", False), ("2.14.1", True)):
        harbor = emulator_factory(version=version)
        create(harbor, "hub", registry_id=add_registry(harbor, "docker-hub"), metadata={"max_upstream_conn": "5"})
        assert ("max_upstream_conn" in get(harbor, "hub")["metadata"]) is kept


# ----- get

def test_get_by_id_or_by_name(harbor):
    assert harbor.api("GET", "/projects/library").json()["project_id"] == 1
    assert harbor.api("GET", "/projects/1").json()["name"] == "library"


def test_digits_only_name_needs_is_resource_name_header(harbor):
    create(harbor, "2024")
    resp = harbor.api("GET", "/projects/2024")
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "project 2024 not found"))
    assert get(harbor, "2024")["name"] == "2024"


def test_get_missing_project(harbor):
    resp = harbor.api("GET", "/projects/nope", headers=BY_NAME)
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "project nope not found"))
    resp = harbor.api("GET", "/projects/nope", headers=BY_NAME, auth=DEVELOPER)
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "forbidden"))
    resp = harbor.api("GET", "/projects/nope", headers=BY_NAME, auth=None)
    assert (resp.status_code, resp.json()) == (401, errors("UNAUTHORIZED", "unauthorized"))


def test_get_private_project_of_others(harbor):
    create(harbor, "private1")
    assert harbor.api("GET", "/projects/private1", auth=DEVELOPER).status_code == 403
    assert harbor.api("GET", "/projects/library", auth=DEVELOPER).status_code == 200


@pytest.mark.parametrize("stored, shown", [("High", "high"), ("negligible", "none"), ("LOW", "low"), ("bogus", "unknown")])
def test_get_shows_severity_as_cvss3_lower_case(harbor, stored, shown):
    create(harbor, "sev", metadata={"severity": stored})
    assert get(harbor, "sev")["metadata"]["severity"] == shown


# ----- update

def test_update_merges_metadata_and_never_deletes_keys(harbor):
    create(harbor, "merge", metadata={"auto_scan": "true", "severity": "low"})
    assert harbor.api("PUT", "/projects/merge", headers=BY_NAME, json={"metadata": {"auto_scan": "false", "prevent_vul": "true"}}).status_code == 200
    assert get(harbor, "merge")["metadata"] == {"public": "false", "auto_scan": "false", "severity": "low", "prevent_vul": "true"}


def test_update_ignores_name_registry_and_storage_limit(harbor):
    create(harbor, "fixed")
    body = {"project_name": "renamed", "registry_id": 7, "storage_limit": 5, "metadata": {"public": "true"}}
    assert harbor.api("PUT", "/projects/fixed", headers=BY_NAME, json=body).status_code == 200
    project = get(harbor, "fixed")
    assert (project["name"], "registry_id" in project, project["metadata"]["public"]) == ("fixed", False, "true")
    assert harbor.api("GET", "/projects/fixed/summary", headers=BY_NAME).json()["quota"]["hard"] == {"storage": -1}


def test_update_retention_id_only_when_unchanged(harbor):
    create(harbor, "hub", registry_id=add_registry(harbor, "docker-hub"))
    retention_id = get(harbor, "hub")["metadata"]["retention_id"]
    resp = harbor.api("PUT", "/projects/hub", headers=BY_NAME, json={"metadata": {"retention_id": "99"}})
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", "the retention_id in the request's payload when updating a project "
                                                           "should be omitted, alternatively passing the one that has already been "
                                                           "associated to this project"))
    assert harbor.api("PUT", "/projects/hub", headers=BY_NAME, json={"metadata": {"retention_id": retention_id}}).status_code == 200


def test_update_cve_allowlist_project_id_filled_or_checked(harbor):
    create(harbor, "cve")
    project_id = get(harbor, "cve")["project_id"]
    body = {"cve_allowlist": {"items": [{"cve_id": "CVE-2024-1"}], "expires_at": 1900000000}}
    assert harbor.api("PUT", "/projects/cve", headers=BY_NAME, json=body).status_code == 200
    allowlist = get(harbor, "cve")["cve_allowlist"]
    assert (allowlist["project_id"], allowlist["items"], allowlist["expires_at"]) == (project_id, [{"cve_id": "CVE-2024-1"}], 1900000000)
    body["cve_allowlist"]["project_id"] = 1
    resp = harbor.api("PUT", "/projects/cve", headers=BY_NAME, json=body)
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", "project_id in cve_allowlist must be %d but it's 1" % project_id))


def test_update_missing_project_is_404(harbor):
    resp = harbor.api("PUT", "/projects/99", json={"metadata": {}})
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "project 99 not found"))


# ----- delete, deletable, summary

def test_delete_refused_while_project_has_repositories(harbor):
    harbor.seed(project="busy", repository="nginx", tags=["1"])
    resp = harbor.api("DELETE", "/projects/busy", headers=BY_NAME)
    assert (resp.status_code, resp.json()) == (412, errors("PRECONDITION", "precondition failed: the project contains repositories, can not be deleted"))
    assert harbor.api("GET", "/projects/busy/_deletable", headers=BY_NAME).json() == {"message": "the project contains repositories, can not be deleted"}


def test_delete_frees_the_name_and_removes_the_quota(harbor):
    create(harbor, "gone")
    project_id = get(harbor, "gone")["project_id"]
    assert harbor.api("GET", "/projects/gone/_deletable", headers=BY_NAME).json() == {"deletable": True}
    resp = harbor.api("DELETE", "/projects/gone", headers=BY_NAME)
    assert (resp.status_code, resp.text) == (200, "")
    assert harbor.api("GET", "/projects/%d" % project_id).status_code == 404
    assert harbor.api("GET", "/quotas", params={"reference": "project", "reference_id": str(project_id)}).json() == []
    create(harbor, "gone")


def test_summary_of_normal_project(harbor):
    harbor.seed(project="sum", repository="a", tags=["1"], size=100)
    harbor.seed(project="sum", repository="b", tags=["1"], size=50)
    summary = harbor.api("GET", "/projects/sum/summary", headers=BY_NAME).json()
    assert summary == {"repo_count": 2, "project_admin_count": 1, "quota": {"hard": {"storage": -1}, "used": {"storage": 150}}}


def test_summary_of_proxy_project_shows_registry_without_credential(harbor):
    registry_id = add_registry(harbor, "docker-hub")
    create(harbor, "hub", registry_id=registry_id)
    registry = harbor.api("GET", "/projects/hub/summary", headers=BY_NAME).json()["registry"]
    assert (registry["id"], registry["type"], "credential" in registry) == (registry_id, "docker-hub", False)


# ----- /metadatas

def test_metadatas_list_and_get_one_key(harbor):
    create(harbor, "meta", metadata={"auto_scan": "true"})
    assert harbor.api("GET", "/projects/meta/metadatas/", headers=BY_NAME).json() == {"public": "false", "auto_scan": "true"}
    assert harbor.api("GET", "/projects/meta/metadatas/auto_scan", headers=BY_NAME).json() == {"auto_scan": "true"}
    assert harbor.api("GET", "/projects/meta/metadatas/severity", headers=BY_NAME).json() == {}


@pytest.mark.parametrize("key, value, stored", [("prevent_vul", "TRUE", "true"), ("auto_scan", "0", "false"),
                                                ("severity", "Negligible", "none"), ("proxy_speed_kb", "+100", "100")])
def test_metadatas_add_normalises_the_value(harbor, key, value, stored):
    create(harbor, "meta")
    assert harbor.api("POST", "/projects/meta/metadatas/", headers=BY_NAME, json={key: value}).status_code == 200
    assert harbor.api("GET", "/projects/meta/metadatas/" + key, headers=BY_NAME).json() == {key: stored}


@pytest.mark.parametrize("body, message", [({"public": "yes"}, "invalid value: yes"), ({"severity": "urgent"}, "invalid value: urgent"),
                                           ({"color": "red"}, "invalid key: color"), ({"retention_id": "1"}, "invalid key: retention_id"),
                                           ({"auto_scan": "true", "prevent_vul": "true"}, "only allow one key/value pair")])
def test_metadatas_add_refuses_bad_pairs(harbor, body, message):
    resp = harbor.api("POST", "/projects/library/metadatas/", json=body)
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", message))


def test_metadatas_add_existing_key_is_409(harbor):
    resp = harbor.api("POST", "/projects/1/metadatas/", json={"public": "true"})
    assert (resp.status_code, resp.json()) == (409, errors("CONFLICT", "metadata public already exists for project 1"))


def test_metadatas_update_and_delete_one_key(harbor):
    create(harbor, "meta", metadata={"severity": "low"})
    assert harbor.api("PUT", "/projects/meta/metadatas/severity", headers=BY_NAME, json={"severity": "HIGH"}).status_code == 200
    assert get(harbor, "meta")["metadata"]["severity"] == "high"
    assert harbor.api("DELETE", "/projects/meta/metadatas/severity", headers=BY_NAME).status_code == 200
    assert get(harbor, "meta")["metadata"] == {"public": "false"}


def test_metadatas_need_project_permission(harbor):
    resp = harbor.api("POST", "/projects/library/metadatas/", json={"auto_scan": "true"}, auth=DEVELOPER)
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "forbidden"))


@pytest.mark.parametrize("name", ["abc\n", "Upper", "a b"])
def test_a_project_name_must_match_harbors_pattern_to_its_last_character(harbor, name):
    """src/pkg/project/manager.go (restrictedNameChars, goharbor/harbor v2.15.2): Go's ``$`` is the end of the text, so a
    name with a final newline is refused like any other illegal character."""
    resp = create(harbor, name, status=400)
    assert resp.json() == errors("BAD_REQUEST", "project name is not in lower case or contains illegal characters")
