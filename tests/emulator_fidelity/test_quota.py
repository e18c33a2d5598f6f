"""Project storage quotas (NOTES.md section 3 "Storage quota after creation", handler/quota.go)."""
import pytest

DEVELOPER = ("developer", "Developer12345")


def errors(code, message):
    return {"errors": [{"code": code, "message": message}]}


def project_quota(harbor, name, **fields):
    resp = harbor.api("POST", "/projects", json=dict(fields, project_name=name))
    assert resp.status_code == 201, resp.text
    project_id = resp.headers["Location"].rsplit("/", 1)[1]
    quotas = harbor.api("GET", "/quotas", params={"reference": "project", "reference_id": project_id}).json()
    assert len(quotas) == 1
    return quotas[0]


def test_quota_is_created_with_the_project(harbor):
    """Harbor v2.15.2's answers (tests.differential against it): ``ref.owner_name`` is "" (the reference object comes
    from getProjectsBatchFn, src/controller/quota/driver/project/util.go, whose owner lookup leaves it empty), and the
    single quota of GET /quotas/{id} has the zero ``update_time`` (dao.Get builds it with toQuota, which copies no update
    time: src/pkg/quota/dao/dao.go), where the list reads the column."""
    quota = project_quota(harbor, "q1", storage_limit=1024)
    assert quota["ref"] == {"id": int(quota["ref"]["id"]), "name": "q1", "owner_name": ""}
    assert (quota["hard"], quota["used"]) == ({"storage": 1024}, {"storage": 0})
    assert quota["update_time"] != "0001-01-01T00:00:00.000Z"
    assert harbor.api("GET", "/quotas/%d" % quota["id"]).json() == dict(quota, update_time="0001-01-01T00:00:00.000Z")


def test_used_storage_is_the_sum_of_artifact_sizes(harbor):
    quota = project_quota(harbor, "q1")
    harbor.seed(project="q1", repository="a", tags=["1"], size=1000)
    harbor.seed(project="q1", repository="b", tags=["1"], size=24)
    assert harbor.api("GET", "/quotas/%d" % quota["id"]).json()["used"] == {"storage": 1024}


def test_list_all_quotas_newest_first(harbor):
    project_quota(harbor, "q1")
    resp = harbor.api("GET", "/quotas")
    assert [q["ref"]["name"] for q in resp.json()] == ["q1", "library"]
    assert resp.headers["X-Total-Count"] == "2"


def test_update_quota_hard_storage(harbor):
    quota = project_quota(harbor, "q1")
    resp = harbor.api("PUT", "/quotas/%d" % quota["id"], json={"hard": {"storage": 2048}})
    assert (resp.status_code, resp.text) == (200, "")
    assert harbor.api("GET", "/quotas/%d" % quota["id"]).json()["hard"] == {"storage": 2048}
    assert harbor.api("GET", "/projects/q1/summary", headers={"X-Is-Resource-Name": "true"}).json()["quota"]["hard"] == {"storage": 2048}


@pytest.mark.parametrize("body, message", [
    ({"hard": {"count": 1, "storage": 1}}, "resource count not support"),
    ({"hard": {"storage": -2}}, "invalid non-positive value for quota limit, value=-2"),
    ({"hard": {"storage": 1125899906842625}}, "exceeded 1024TB, which is 1125899906842624 Bytes, value=1125899906842625"),
    ({"hard": {}}, "hard required in body"),
    ({}, "hard required in body"),
])
def test_update_quota_body_must_hold_exactly_a_valid_storage(harbor, body, message):
    resp = harbor.api("PUT", "/quotas/1", json=body)
    assert (resp.status_code, resp.json()) == (400, errors("BAD_REQUEST", message))


def test_update_quota_value_must_be_an_integer(harbor):
    resp = harbor.api("PUT", "/quotas/1", json={"hard": {"storage": "10"}})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["code"] == "UNPROCESSABLE_ENTITY"


def test_quota_endpoints_need_a_sysadmin(harbor):
    resp = harbor.api("PUT", "/quotas/1", json={"hard": {"storage": 1}}, auth=DEVELOPER)
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "developer"))
    resp = harbor.api("GET", "/quotas", auth=None)
    assert (resp.status_code, resp.json()) == (401, errors("UNAUTHORIZED", "unauthorized"))
    assert harbor.api("GET", "/quotas", auth=("robot$automation", "Robot12345")).status_code == 200


def test_missing_quota_is_404(harbor):
    resp = harbor.api("GET", "/quotas/99")
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "quota 99 not found"))
    resp = harbor.api("PUT", "/quotas/99", json={"hard": {"storage": 1}})
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "quota 99 not found"))
