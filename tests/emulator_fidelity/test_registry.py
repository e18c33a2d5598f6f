"""Registry endpoints as Harbor serves them (NOTES.md section 2, handler/registry.go, controller/registry/controller.go).

The remotes are other emulators (a real HTTP health check over loopback); ``http://127.0.0.1:9`` is a closed port.
"""
import pytest

CLOSED = "http://127.0.0.1:9"
DEVELOPER = ("developer", "Developer12345")
UNHEALTHY = {"errors": [{"code": "BAD_REQUEST", "message": "the registry is unhealthy"}]}
OPAQUE = {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}


def errors(code, message):
    return {"errors": [{"code": code, "message": message}]}


@pytest.fixture
def remote(emulator_factory):
    return emulator_factory()


def endpoint(remote, name="remote", kind="harbor", **fields):
    body = {"name": name, "type": kind, "url": remote.url,
            "credential": {"type": "basic", "access_key": "admin", "access_secret": "Harbor12345"}}
    body.update(fields)
    return body


def create(harbor, body, status=201):
    resp = harbor.api("POST", "/registries", json=body)
    assert resp.status_code == status, resp.text
    return resp


def create_id(harbor, body):
    return int(create(harbor, body).headers["Location"].rsplit("/", 1)[1])


def get(harbor, registry_id):
    resp = harbor.api("GET", "/registries/%d" % registry_id)
    assert resp.status_code == 200, resp.text
    return resp.json()


# ----- create

def test_create_healthy_harbor_endpoint_with_good_credentials(harbor, remote):
    resp = create(harbor, endpoint(remote))
    assert resp.text == ""
    assert resp.headers["Location"] == "/api/v2.0/registries/1"
    reg = get(harbor, 1)
    assert (reg["name"], reg["type"], reg["url"], reg["status"]) == ("remote", "harbor", remote.url, "healthy")
    assert reg["credential"] == {"type": "basic", "access_key": "admin", "access_secret": "*****"}
    assert "ca_certificate" not in reg


def test_create_anonymous_endpoint_is_healthy(harbor, remote):
    create(harbor, endpoint(remote, credential=None))
    assert get(harbor, 1)["credential"] == {}         # fromDaoModel sets an empty Credential (src/pkg/reg/manager.go)


def test_create_docker_registry_endpoint(harbor, remote):
    create(harbor, endpoint(remote, kind="docker-registry"))
    assert get(harbor, 1)["type"] == "docker-registry"


def test_bad_credentials_are_unhealthy(harbor, remote):
    resp = create(harbor, endpoint(remote, credential={"access_key": "admin", "access_secret": "wrong"}), status=400)
    assert resp.json() == UNHEALTHY


def test_closed_port_is_unhealthy(harbor):
    resp = create(harbor, {"name": "down", "type": "docker-registry", "url": CLOSED}, status=400)
    assert resp.json() == UNHEALTHY


def test_harbor_type_on_closed_port_is_an_opaque_500(harbor):
    resp = create(harbor, {"name": "down", "type": "harbor", "url": CLOSED}, status=500)
    assert resp.json() == OPAQUE


def test_harbor_remote_api_version_error_keeps_its_status(harbor, remote):
    remote.fault(method="GET", path="/api/version", status=403, message="no entry")
    resp = create(harbor, endpoint(remote), status=403)
    assert resp.json()["errors"][0]["code"] == "FORBIDDEN"
    assert "no entry" in resp.json()["errors"][0]["message"]
    remote.fault(method="GET", path="/api/version", status=502)
    assert create(harbor, endpoint(remote), status=502).json() == OPAQUE


@pytest.mark.parametrize("version, kind", [("2.10.0", "volcengine-cr"), ("2.1.0", "github-ghcr"), ("2.8.0", "artifact-hub")])
def test_types_without_an_adapter_in_that_version_are_an_opaque_500(emulator_factory, version, kind):
    old = emulator_factory(version=version)
    assert create(old, {"name": "x", "type": kind, "url": CLOSED}, status=500).json() == OPAQUE


@pytest.mark.parametrize("kind", ["", "no-such-type", "helm-hub"])
def test_unknown_type_is_an_opaque_500(harbor, kind):
    assert create(harbor, {"name": "x", "type": kind, "url": CLOSED}, status=500).json() == OPAQUE


def test_huawei_swr_is_always_healthy(harbor):
    create(harbor, {"name": "swr", "type": "huawei-SWR", "url": CLOSED})


def test_google_gcr_without_secret_is_unhealthy(harbor, remote):
    body = endpoint(remote, kind="google-gcr", credential={"access_key": "key"})
    assert create(harbor, body, status=400).json() == UNHEALTHY


@pytest.mark.parametrize("name, message", [("", "name cannot be empty"), ("n" * 65, "the max length of name is 64")])
def test_name_is_required_and_short(harbor, name, message):
    assert create(harbor, {"name": name, "type": "huawei-SWR", "url": CLOSED}, status=400).json() == errors("BAD_REQUEST", message)


def test_name_length_counts_bytes(harbor):
    resp = create(harbor, {"name": "\u00e9" * 33, "type": "huawei-SWR", "url": CLOSED}, status=400)
    assert resp.json() == errors("BAD_REQUEST", "the max length of name is 64")


@pytest.mark.parametrize("url, message", [
    ("ftp://example.com", "invalid HTTP scheme: ftp"),
    ("", "empty string"),
    ("http://a b", 'invalid URL: parse "http://a b": invalid character " " in host name'),
    ("registry:abc", 'invalid URL: parse "http://registry:abc": invalid port ":abc" after host'),
    ("http://h/%zz", 'invalid URL: parse "http://h/%zz": invalid URL escape "%zz"'),
])
def test_bad_url_is_400(harbor, url, message):
    resp = create(harbor, {"name": "x", "type": "huawei-SWR", "url": url}, status=400)
    assert resp.json() == errors("BAD_REQUEST", message)


def test_url_is_normalised(harbor):
    create(harbor, {"name": "x", "type": "huawei-SWR", "url": "  user:pw@Registry.example:5000/path/?q=1#f/ "})
    assert get(harbor, 1)["url"] == "http://Registry.example:5000/path/"
    create(harbor, {"name": "y", "type": "huawei-SWR", "url": "https://registry.example/a/// "})
    assert get(harbor, 2)["url"] == "https://registry.example/a"
    create(harbor, {"name": "z", "type": "huawei-SWR", "url": "https://registry.example/a%20b"})
    assert get(harbor, 3)["url"] == "https://registry.example/a b"      # Go keeps the unescaped path


def test_credential_without_access_key_is_not_stored(harbor):
    create(harbor, {"name": "x", "type": "huawei-SWR", "url": CLOSED, "credential": {"access_key": "", "access_secret": "s"}})
    assert get(harbor, 1)["credential"] == {}


def test_duplicate_name_is_409(harbor, remote):
    create(harbor, endpoint(remote))
    resp = create(harbor, endpoint(remote), status=409)
    assert resp.json() == errors("CONFLICT", "registry remote already exists")


def test_duplicate_name_towards_unreachable_remote_is_400_first(harbor, remote):
    create(harbor, endpoint(remote))
    assert create(harbor, endpoint(remote, kind="docker-registry", url=CLOSED), status=400).json() == UNHEALTHY


def test_bad_ca_certificate_is_400(harbor):
    resp = create(harbor, {"name": "x", "type": "huawei-SWR", "url": CLOSED, "ca_certificate": "not a pem"}, status=400)
    assert resp.json() == errors("BAD_REQUEST", "invalid CA certificate: no valid certificates found in PEM data")


def test_tls_remote_with_its_ca_certificate(harbor, emulator_factory):
    remote = emulator_factory(tls=True)
    with open(remote.ca_path) as handle:
        pem = handle.read()
    assert create(harbor, endpoint(remote), status=500).json() == OPAQUE      # not trusted: the harbor factory fails
    assert create(harbor, endpoint(remote, kind="docker-registry"), status=400).json() == UNHEALTHY
    create(harbor, endpoint(remote, ca_certificate=pem))
    assert get(harbor, 1)["ca_certificate"] == pem
    create(harbor, endpoint(remote, name="insecure", insecure=True))


def test_ca_certificate_is_dropped_before_2_15(emulator_factory):
    old = emulator_factory(version="2.14.1")
    create(old, {"name": "x", "type": "huawei-SWR", "url": CLOSED, "ca_certificate": "not a pem"})
    assert "ca_certificate" not in get(old, 1)


# ----- read, list

def test_unknown_id_is_404(harbor):
    resp = harbor.api("GET", "/registries/42")
    assert resp.status_code == 404
    assert resp.json() == errors("NOT_FOUND", "registry 42 not found")


def test_id_0_is_this_harbor(harbor):
    """regMgr.Get(0) answers getLocalRegistry(): GET shows it like a policy's local side; its info adds event_based."""
    assert get(harbor, 0) == {"id": 0, "url": "http://core:8080", "name": "Local", "credential": {"type": "secret", "access_secret": "*****"},
                              "type": "harbor", "insecure": True, "status": "healthy", "creation_time": "0001-01-01T00:00:00.000Z",
                              "update_time": "0001-01-01T00:00:00.000Z"}
    info = harbor.api("GET", "/registries/0/info").json()
    assert info["supported_triggers"] == ["manual", "scheduled", "event_based"]
    assert info["supported_resource_filters"][-1] == {"type": "resource", "style": "radio", "values": ["image", "artifact"]}
    assert [r["id"] for r in harbor.api("GET", "/registries").json()] == []          # never listed


@pytest.mark.parametrize("auth, status, payload", [
    (None, 401, errors("UNAUTHORIZED", "unauthorized")),
    (DEVELOPER, 403, errors("FORBIDDEN", "developer")),
])
def test_registries_need_a_system_admin(harbor, auth, status, payload):
    for path in ("/registries", "/registries/1", "/registries/1/info", "/replication/adapters", "/replication/adapterinfos"):
        resp = harbor.api("GET", path, auth=auth)
        assert (resp.status_code, resp.json()) == (status, payload), path


def test_list_filters_and_pages(harbor):
    for name in ("alpha", "alphabet", "beta"):
        create(harbor, {"name": name, "type": "huawei-SWR", "url": CLOSED})
    names = [r["name"] for r in harbor.api("GET", "/registries", params={"q": "name=alpha"}).json()]
    assert names == ["alpha"]
    names = [r["name"] for r in harbor.api("GET", "/registries", params={"q": "name=~alpha"}).json()]
    assert names == ["alpha", "alphabet"]
    names = [r["name"] for r in harbor.api("GET", "/registries", params={"name": "lph"}).json()]
    assert names == ["alpha", "alphabet"]
    names = [r["name"] for r in harbor.api("GET", "/registries", params={"sort": "-name"}).json()]
    assert names == ["beta", "alphabet", "alpha"]
    names = [r["name"] for r in harbor.api("GET", "/registries", params={"q": "typo=x"}).json()]
    assert names == ["alpha", "alphabet", "beta"]
    resp = harbor.api("GET", "/registries", params={"page": 2, "page_size": 2})
    assert [r["name"] for r in resp.json()] == ["beta"]
    assert resp.headers["X-Total-Count"] == "3"
    assert resp.headers["Link"] == '</api/v2.0/registries?page=1&page_size=2>; rel="prev"'


# ----- update

def test_put_without_secret_keeps_it(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote))
    resp = harbor.api("PUT", "/registries/%d" % registry_id, json={"description": "changed"})
    assert resp.status_code == 200 and resp.text == ""
    reg = get(harbor, registry_id)
    assert reg["description"] == "changed"
    assert reg["credential"]["access_secret"] == "*****"
    assert harbor.api("POST", "/registries/ping", json={"id": registry_id}).status_code == 200    # the kept secret still logs in


def test_put_runs_the_health_check(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote))
    resp = harbor.api("PUT", "/registries/%d" % registry_id, json={"access_secret": "wrong"})
    assert (resp.status_code, resp.json()) == (400, UNHEALTHY)


def test_put_empty_access_key_removes_the_credential(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote))
    resp = harbor.api("PUT", "/registries/%d" % registry_id, json={"access_key": ""})
    assert (resp.status_code, resp.json()) == (400, UNHEALTHY)     # the kept secret alone is a credential the remote refuses
    assert harbor.api("PUT", "/registries/%d" % registry_id, json={"access_key": "", "access_secret": ""}).status_code == 200
    assert get(harbor, registry_id)["credential"] == {}


def test_put_name_clash_is_409(harbor):
    create(harbor, {"name": "a", "type": "huawei-SWR", "url": CLOSED})
    create(harbor, {"name": "b", "type": "huawei-SWR", "url": CLOSED})
    resp = harbor.api("PUT", "/registries/2", json={"name": "a"})
    assert (resp.status_code, resp.json()) == (409, errors("CONFLICT", "registry a already exists"))


def test_put_unknown_id_is_404(harbor):
    resp = harbor.api("PUT", "/registries/7", json={"description": "x"})
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "registry 7 not found"))


def test_put_id_0_is_validated_then_404(harbor):
    """UpdateRegistry starts from regMgr.Get(0) (this Harbor), validates it (its CORE_URL pings as healthy), then the
    UPDATE of row 0 changes nothing: 404. A name clash is no 409 (no row is written)."""
    harbor.need_emulator()
    create(harbor, {"name": "taken", "type": "huawei-SWR", "url": CLOSED})
    for body in ({"description": "x"}, {"name": "taken"}, {"url": "http://core:8080/"}):
        resp = harbor.api("PUT", "/registries/0", json=body)
        assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "registry 0 not found")), body
    resp = harbor.api("PUT", "/registries/0", json={"name": ""})
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", "name cannot be empty"))
    assert get(harbor, 0)["name"] == "Local"


# ----- delete

def test_delete(harbor):
    create(harbor, {"name": "a", "type": "huawei-SWR", "url": CLOSED})
    resp = harbor.api("DELETE", "/registries/1")
    assert resp.status_code == 200 and resp.text == ""
    assert harbor.api("GET", "/registries/1").status_code == 404


def test_delete_referenced_by_proxy_cache_project_is_412(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote))
    assert harbor.api("POST", "/projects", json={"project_name": "cache", "registry_id": registry_id}).status_code == 201
    resp = harbor.api("DELETE", "/registries/%d" % registry_id)
    assert resp.status_code == 412
    assert resp.json() == errors("PRECONDITION", "the registry %d is referenced by proxy cache project, cannot delete it" % registry_id)


def test_delete_referenced_by_replication_policy_is_412(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote))
    policy = {"name": "push", "dest_registry": {"id": registry_id}, "trigger": {"type": "manual"}, "enabled": True}
    assert harbor.api("POST", "/replication/policies", json=policy).status_code == 201
    resp = harbor.api("DELETE", "/registries/%d" % registry_id)
    assert resp.status_code == 412
    assert resp.json() == errors("PRECONDITION", "the registry %d is referenced by replication policies, cannot delete it" % registry_id)


def test_delete_id_0_counts_the_references_to_this_harbor(harbor):
    """controller.Delete counts before it deletes: every policy has a local side (id 0), every project created through
    the API has registry_id 0 (library's column is NULL: created by the SQL migration), and without any the DELETE of
    row 0 finds nothing."""
    harbor.need_emulator()
    resp = harbor.api("DELETE", "/registries/0")
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "registry 0 not found"))
    assert harbor.api("POST", "/projects", json={"project_name": "plain"}).status_code == 201
    resp = harbor.api("DELETE", "/registries/0")
    assert (resp.status_code, resp.json()) == (412, errors("PRECONDITION", "the registry 0 is referenced by proxy cache project, cannot delete it"))
    registry_id = create_id(harbor, {"name": "swr", "type": "huawei-SWR", "url": CLOSED})
    policy = {"name": "push", "dest_registry": {"id": registry_id}, "trigger": {"type": "manual"}}
    assert harbor.api("POST", "/replication/policies", json=policy).status_code == 201
    resp = harbor.api("DELETE", "/registries/0")
    assert (resp.status_code, resp.json()) == (412, errors("PRECONDITION", "the registry 0 is referenced by replication policies, cannot delete it"))
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"q": "registry_id=0"}).json()] == ["plain"]
    assert [p["name"] for p in harbor.api("GET", "/projects", params={"sort": "registry_id"}).json()] == ["plain", "library"]


# ----- ping, info, adapters

def test_ping(harbor, remote):
    body = {"type": "harbor", "url": remote.url, "access_key": "admin", "access_secret": "Harbor12345"}
    assert harbor.api("POST", "/registries/ping", json=body).status_code == 200
    resp = harbor.api("POST", "/registries/ping", json=dict(body, access_secret="wrong"))
    assert (resp.status_code, resp.json()) == (400, UNHEALTHY)


def test_ping_stored_registry_uses_its_secret(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote))
    assert harbor.api("POST", "/registries/ping", json={"id": registry_id}).status_code == 200
    resp = harbor.api("POST", "/registries/ping", json={"id": registry_id, "access_secret": "wrong"})
    assert resp.status_code == 400


@pytest.mark.parametrize("body, status, payload", [
    ({"url": CLOSED}, 400, errors("BAD_REQUEST", "type or url cannot be empty")),
    ({"type": "harbor"}, 400, errors("BAD_REQUEST", "type or url cannot be empty")),
    ({"id": 99}, 404, errors("NOT_FOUND", "registry 99 not found")),
    ({"type": "nope", "url": CLOSED}, 500, OPAQUE),
])
def test_ping_errors(harbor, body, status, payload):
    resp = harbor.api("POST", "/registries/ping", json=body)
    assert (resp.status_code, resp.json()) == (status, payload)


def test_info(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote))
    info = harbor.api("GET", "/registries/%d/info" % registry_id).json()
    assert info == {"type": "harbor", "supported_copy_by_chunk": True, "supported_triggers": ["manual", "scheduled"],
                    "supported_resource_filters": [{"type": "name", "style": "input", "values": None},
                                                   {"type": "tag", "style": "input", "values": None},
                                                   {"type": "label", "style": "list", "values": None},
                                                   {"type": "resource", "style": "radio", "values": ["image", "artifact"]}]}
    assert harbor.api("GET", "/registries/5/info").status_code == 404


def test_info_of_a_docker_registry(harbor, remote):
    registry_id = create_id(harbor, endpoint(remote, kind="docker-registry"))
    info = harbor.api("GET", "/registries/%d/info" % registry_id).json()
    assert "supported_copy_by_chunk" not in info
    assert [f["type"] for f in info["supported_resource_filters"]] == ["name", "tag", "resource"]
    assert info["supported_resource_filters"][-1]["values"] == ["image"]


def test_info_of_unreachable_harbor_is_an_opaque_500(harbor, emulator_factory):
    remote = emulator_factory()
    registry_id = create_id(harbor, endpoint(remote))
    remote.emulator.stop()
    resp = harbor.api("GET", "/registries/%d/info" % registry_id)
    assert (resp.status_code, resp.json()) == (500, OPAQUE)


def test_adapters_follow_the_default_whitelist(harbor):
    kinds = harbor.api("GET", "/replication/adapters").json()
    assert "harbor" in kinds and "docker-registry" in kinds
    assert not {"quay", "gitlab", "dtr", "helm-hub"} & set(kinds)


def test_adapters_before_2_14_list_every_registered_type(emulator_factory):
    kinds = emulator_factory(version="2.13.0").api("GET", "/replication/adapters").json()
    assert {"quay", "gitlab", "dtr"} <= set(kinds)


def test_adapter_infos_fixed_endpoints(harbor):
    infos = harbor.api("GET", "/replication/adapterinfos").json()
    assert infos["docker-hub"]["endpoint_pattern"] == {"endpoint_type": "EndpointPatternTypeFix",
                                                       "endpoints": [{"key": "hub.docker.com", "value": "https://hub.docker.com"}]}
    assert infos["github-ghcr"]["endpoint_pattern"]["endpoints"][0]["value"] == "https://ghcr.io"


def test_adapter_infos_list_only_adapters_with_a_pattern(harbor):
    infos = harbor.api("GET", "/replication/adapterinfos").json()
    assert sorted(infos) == ["ali-acr", "aws-ecr", "docker-hub", "github-ghcr", "google-gcr", "tencent-tcr", "volcengine-cr"]
    assert infos["tencent-tcr"] == {}
    assert infos["aws-ecr"]["endpoint_pattern"]["endpoints"][0] == {"key": "us-east-2", "value": "https://api.ecr.us-east-2.amazonaws.com"}
    assert infos["google-gcr"]["credential_pattern"] == {"access_key_type": "AccessKeyTypeFix", "access_key_data": "_json_key",
                                                         "access_secret_type": "AccessSecretTypeFile", "access_secret_data": "No Change"}


def test_adapter_infos_before_2_14_include_quay(emulator_factory):
    infos = emulator_factory(version="2.13.0").api("GET", "/replication/adapterinfos").json()
    assert infos["quay"]["endpoint_pattern"] == {"endpoint_type": "EndpointPatternTypeStandard"}
    assert infos["quay"]["credential_pattern"]["access_key_data"] == "json_file"


# ----- go-swagger binding and list parameters (before any handler code: even before the auth check)

def binding(message):
    return errors("UNPROCESSABLE_ENTITY", "validation failure list:\n" + message)


@pytest.mark.parametrize("body, message", [
    ({"name": "x", "type": "huawei-SWR", "url": CLOSED, "insecure": "yes"},
     'parsing registry body from "" failed, because json: cannot unmarshal string into Go struct field Registry.insecure of type bool'),
    ({"name": "x", "credential": {"access_key": 7}},
     'parsing registry body from "" failed, because json: cannot unmarshal number into Go struct field '
     'RegistryCredential.credential.access_key of type string'),
    ([], 'parsing registry body from "" failed, because json: cannot unmarshal array into Go value of type models.Registry'),
])
def test_create_body_of_the_wrong_type_is_422(harbor, body, message):
    for auth in ("admin", None):
        resp = harbor.api("POST", "/registries", json=body, auth=auth)
        assert (resp.status_code, resp.json()) == (422, binding(message))


def test_missing_body_is_422(harbor):
    resp = harbor.api("POST", "/registries/ping")
    assert (resp.status_code, resp.json()) == (422, binding("registry in body is required"))


def test_ca_certificate_of_the_wrong_type_is_ignored_before_2_15(emulator_factory):
    old = emulator_factory(version="2.14.1")
    create(old, {"name": "x", "type": "huawei-SWR", "url": CLOSED, "ca_certificate": 5})


def test_id_that_is_not_an_int64_is_422(harbor):
    resp = harbor.api("GET", "/registries/abc", auth=None)
    assert (resp.status_code, resp.json()) == (422, binding('id in path must be of type int64: "abc"'))


def test_page_size_limits(harbor):
    for name in ("a", "b", "c"):
        create(harbor, {"name": name, "type": "huawei-SWR", "url": CLOSED})
    resp = harbor.api("GET", "/registries", params={"page_size": 101})
    assert (resp.status_code, resp.json()) == (422, binding("page_size in query should be less than or equal to 100"))
    resp = harbor.api("GET", "/registries", params={"page_size": 0})
    assert [r["name"] for r in resp.json()] == ["a", "b", "c"] and "Link" not in resp.headers
    resp = harbor.api("GET", "/registries", params={"page": 0, "page_size": 2})
    assert [r["name"] for r in resp.json()] == ["a", "b"]


def test_q_is_unescaped_once_more_like_go_query_unescape(harbor):
    """q.parseKeywords runs url.QueryUnescape on the decoded ``q``: a ``+`` in a name is a space by then (so an exact
    ``q=name=team+ci`` finds "team ci", not "team+ci"), ``%2B`` is a ``+``, a malformed escape leaves q as it is, and a
    leading backslash escapes a value (escapeValue)."""
    for name in ("team+ci", "team ci", "50%off", "~tilde", "100%"):
        create(harbor, {"name": name, "type": "huawei-SWR", "url": CLOSED})

    def names(q):
        resp = harbor.api("GET", "/registries", params={"q": q})
        assert resp.status_code == 200, resp.text
        return [r["name"] for r in resp.json()]

    assert names("name=team+ci") == ["team ci"]
    assert names("name=team%2Bci") == ["team+ci"]
    assert names("name=50%off") == ["50%off"]
    assert names("name=\\~tilde") == ["~tilde"]
    resp = harbor.api("GET", "/registries", params={"q": "name=~%25", "page_size": 1})       # fuzzy "%"
    assert [r["name"] for r in resp.json()] == ["50%off"] and resp.headers["X-Total-Count"] == "2"
    assert resp.headers["Link"] == '</api/v2.0/registries?page=2&page_size=1&q=name=~%25>; rel="next"'    # q as it came


@pytest.mark.parametrize("q, message", [
    ("name", 'the query string must contain "=" and the key/value cannot be empty'),
    ("name=", 'the query string must contain "=" and the key/value cannot be empty'),
    ("name={a b", "invalid query string value: {a b"),
    ("name=[~]", "invalid query string value: [~]"),
])
def test_malformed_q_is_400(harbor, q, message):
    resp = harbor.api("GET", "/registries", params={"q": q})
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", message))
