"""Repositories and artifacts of projects, and the seed control that fills them (handler/repository.go, handler/artifact.go)."""
import pytest

DEVELOPER = ("developer", "Developer12345")


def errors(code, message):
    return {"errors": [{"code": code, "message": message}]}


@pytest.fixture
def seeded(harbor):
    harbor.seed(project="library", repository="nginx", tags=["1.25", "latest"], labels=["prod"], size=100)
    harbor.seed(project="library", repository="nginx", tags=["1.24"], size=90)
    harbor.seed(project="library", repository="charts/etcd", tags=["9.0.0"], type="chart", size=10)
    return harbor


def test_seed_creates_a_private_project_and_returns_the_artifact(harbor):
    art = harbor.seed(project="fresh", repository="app", tags=["v1"], labels=["qa"], type="chart", size=5)
    assert (art["type"], art["repository_name"], art["size"]) == ("CHART", "fresh/app", 5)
    assert [t["name"] for t in art["tags"]] == ["v1"] and [label["name"] for label in art["labels"]] == ["qa"]
    project = harbor.api("GET", "/projects/fresh", headers={"X-Is-Resource-Name": "true"}).json()
    assert (project["metadata"]["public"], project["owner_name"], project["repo_count"]) == ("false", "admin", 1)


def test_seed_digest_is_deterministic(emulator_factory):
    first, second = emulator_factory(), emulator_factory()
    spec = {"project": "library", "repository": "nginx", "tags": ["1.25"]}
    assert first.seed(**spec)["digest"] == second.seed(**spec)["digest"]
    assert first.seed(**spec)["digest"].startswith("sha256:")


def test_list_repositories_newest_first_with_artifact_count(seeded):
    repos = seeded.api("GET", "/projects/library/repositories").json()
    assert [(r["name"], r["artifact_count"]) for r in repos] == [("library/charts/etcd", 1), ("library/nginx", 2)]
    names = [r["name"] for r in seeded.api("GET", "/projects/library/repositories", params={"q": "name=~nginx"}).json()]
    assert names == ["library/nginx"]


def test_list_repositories_of_missing_project(harbor):
    resp = harbor.api("GET", "/projects/nope/repositories")
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "project nope not found"))


def test_get_repository_name_is_url_encoded_twice(seeded):
    resp = seeded.api("GET", "/projects/library/repositories/charts%252Fetcd")
    assert (resp.status_code, resp.json()["name"]) == (200, "library/charts/etcd")
    resp = seeded.api("GET", "/projects/library/repositories/redis")
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "repository library/redis not found"))


def test_delete_repository(seeded):
    resp = seeded.api("DELETE", "/projects/library/repositories/charts%252Fetcd")
    assert (resp.status_code, resp.text) == (200, "")
    assert seeded.api("GET", "/projects/library/repositories/charts%252Fetcd").status_code == 404


def test_non_admin_may_list_but_not_delete_in_a_public_project(seeded):
    assert seeded.api("GET", "/projects/library/repositories", auth=DEVELOPER).status_code == 200
    resp = seeded.api("DELETE", "/projects/library/repositories/nginx", auth=DEVELOPER)
    assert (resp.status_code, resp.json()) == (403, errors("FORBIDDEN", "forbidden"))


def test_list_artifacts_with_tags_by_default_and_labels_on_request(seeded):
    arts = seeded.api("GET", "/projects/library/repositories/nginx/artifacts").json()
    assert [sorted(t["name"] for t in a["tags"]) for a in arts] == [["1.24"], ["1.25", "latest"]]
    assert all(a["labels"] is None for a in arts)
    arts = seeded.api("GET", "/projects/library/repositories/nginx/artifacts", params={"with_label": "true", "with_tag": "false"}).json()
    assert [(a["tags"], [label["name"] for label in a["labels"] or []]) for a in arts] == [(None, []), (None, ["prod"])]


@pytest.mark.parametrize("q, expected", [("tags=latest", [["1.25", "latest"]]), ("tags=~1.2", [["1.24"], ["1.25", "latest"]]),
                                         ("tags=nil", [])])
def test_list_artifacts_q_on_tags(seeded, q, expected):
    arts = seeded.api("GET", "/projects/library/repositories/nginx/artifacts", params={"q": q}).json()
    assert [sorted(t["name"] for t in a["tags"]) for a in arts] == expected


def test_get_artifact_by_tag_or_digest(seeded):
    by_tag = seeded.api("GET", "/projects/library/repositories/nginx/artifacts/latest").json()
    by_digest = seeded.api("GET", "/projects/library/repositories/nginx/artifacts/" + by_tag["digest"]).json()
    assert by_tag == by_digest and by_tag["type"] == "IMAGE"


def test_get_missing_artifact(seeded):
    resp = seeded.api("GET", "/projects/library/repositories/nginx/artifacts/0.1")
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "artifact library/nginx:0.1 not found"))
    digest = "sha256:" + "0" * 64
    resp = seeded.api("GET", "/projects/library/repositories/nginx/artifacts/" + digest)
    assert (resp.status_code, resp.json()) == (404, errors("NOT_FOUND", "artifact library/nginx@%s not found" % digest))


def test_delete_artifact_keeps_the_repository(seeded):
    resp = seeded.api("DELETE", "/projects/library/repositories/charts%252Fetcd/artifacts/9.0.0")
    assert (resp.status_code, resp.text) == (200, "")
    repo = seeded.api("GET", "/projects/library/repositories/charts%252Fetcd").json()
    assert repo["artifact_count"] == 0          # x-omitempty: false (test_fidelity.py: zero counts are sent)


def test_seeding_a_tag_again_moves_it_to_the_new_artifact(harbor):
    old = harbor.seed(project="library", repository="app", tags=["latest"], size=1)
    new = harbor.seed(project="library", repository="app", tags=["latest", "2"], size=2)
    assert old["digest"] != new["digest"]
    assert harbor.api("GET", "/projects/library/repositories/app/artifacts/latest").json()["digest"] == new["digest"]
    untagged = harbor.api("GET", "/projects/library/repositories/app/artifacts", params={"q": "tags=nil"}).json()
    assert [a["digest"] for a in untagged] == [old["digest"]]
