"""harbor_project_info with ansible-playbook against the emulator: quota (hard and used), proxy endpoint by name, metadata."""
import pytest
import requests

MODULE = "registryops.harbor.harbor_project_info"


def call(target, method, path, json):
    resp = requests.request(method, target.url + "/api/v2.0" + path, json=json, auth=(target.username, target.password), timeout=30)
    assert resp.status_code == 201, resp.text


def info(title, **args):
    return {"name": title, MODULE: args}


@pytest.mark.emulator_only("seeds an artifact of a chosen size (the emulator's seed control)")
def test_projects_with_quota_proxy_endpoint_and_metadata(run_play, harbor, emulator_factory):
    upstream = emulator_factory()
    call(harbor, "POST", "/registries", {"name": "NVIDIA", "type": "docker-registry", "url": upstream.url})
    registry_id = requests.get(harbor.url + "/api/v2.0/registries", auth=(harbor.username, harbor.password), timeout=30).json()[0]["id"]
    call(harbor, "POST", "/projects", {"project_name": "nvidiaio", "registry_id": registry_id, "storage_limit": -1,
                                       "metadata": {"public": "true"}})
    call(harbor, "POST", "/projects", {"project_name": "mirror", "storage_limit": 10 * 1024 ** 3,
                                       "metadata": {"auto_scan": "true", "prevent_vul": "true", "severity": "High"}})
    harbor.seed(project="mirror", repository="nginx", tags=["1.25"], size=52428800)

    harbor.clear_log()
    play = run_play([info("all"), info("one", name="nvidiaio"), info("missing", name="nope"),
                     info("caches", query="[?proxy_cache_registry].{project: name, endpoint: proxy_cache_registry}")])
    assert play.rc == 0, play.output
    projects = dict((p["name"], p) for p in play.result("all")["projects"])
    assert sorted(projects) == ["library", "mirror", "nvidiaio"]

    mirror = projects["mirror"]
    assert mirror["quota"]["hard"] == 10 * 1024 ** 3 and mirror["storage_quota"] == 10 * 1024 ** 3
    assert mirror["quota"]["used"] == 52428800
    assert mirror["repo_count"] == 1
    assert (mirror["auto_scan"], mirror["prevent_vulnerable_images"], mirror["severity"]) == (True, True, "high")
    assert mirror["public"] is False and mirror["proxy_cache_registry"] is None

    [nvidiaio] = play.result("one")["projects"]
    assert nvidiaio["proxy_cache_registry"] == "NVIDIA"
    assert nvidiaio["public"] is True
    assert nvidiaio["quota"] == {"hard": -1, "used": 0}
    assert "retention_id" not in str(nvidiaio)

    assert play.result("missing")["projects"] == []
    assert play.result("caches")["projects"] == [{"project": "nvidiaio", "endpoint": "NVIDIA"}]
    assert harbor.writes() == []


@pytest.mark.emulator_only("logs in as the emulator's non-admin user developer")
def test_a_user_who_may_not_list_endpoints_still_sees_the_proxy_endpoint(run_play, harbor, emulator_factory):
    """Only a system administrator may list registry endpoints; a public proxy-cache project's binding comes from its summary."""
    upstream = emulator_factory()
    call(harbor, "POST", "/registries", {"name": "NVIDIA", "type": "docker-registry", "url": upstream.url})
    registry_id = requests.get(harbor.url + "/api/v2.0/registries", auth=(harbor.username, harbor.password), timeout=30).json()[0]["id"]
    call(harbor, "POST", "/projects", {"project_name": "nvidiaio", "registry_id": registry_id, "metadata": {"public": "true"}})

    class Developer:
        url, username, password = harbor.url, "developer", "Developer12345"

    own = {"name": "own", "registryops.harbor.harbor_project": {"name": "own"}}
    play = run_play([own, info("all"), info("one", name="nvidiaio")], target=Developer())
    assert play.rc == 0, play.output
    projects = play.result("all")["projects"]
    assert [(p["name"], p["proxy_cache_registry"]) for p in projects] == [("library", None), ("nvidiaio", "NVIDIA"), ("own", None)]
    assert play.result("one")["projects"][0]["proxy_cache_registry"] == "NVIDIA"
    # /quotas is for system administrators; the project's owner still reads its quota from the summary.
    assert projects[2]["quota"] == {"hard": -1, "used": 0} and projects[2]["storage_quota"] == -1
