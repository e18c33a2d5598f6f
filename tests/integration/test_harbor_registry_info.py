"""harbor_registry_info with ansible-playbook against the emulator: one endpoint or all, health status, no secret."""
import requests

from tests.support.names import ours, unique

MODULE = "registryops.harbor.harbor_registry_info"
SECRET = "nvapi-info-test-secret"
NVIDIA, APPCO = unique("NVIDIA"), unique("application-collection")


def add_endpoints(target, upstream):
    """Two endpoints pointing at a second emulator: one with a stored secret, one anonymous."""
    for body in ({"name": NVIDIA, "type": "docker-registry", "url": upstream.url, "description": "NVIDIA Global Catalog Endpoint",
                  "credential": {"type": "basic", "access_key": "$oauthtoken", "access_secret": SECRET}},
                 {"name": APPCO, "type": "docker-registry", "url": upstream.url + "/", "insecure": True}):
        resp = requests.post(target.url + "/api/v2.0/registries", json=body, auth=(target.username, target.password), timeout=30)
        assert resp.status_code == 201, resp.text


def info(title, **args):
    return {"name": title, MODULE: args}


def test_all_one_and_query(run_play, harbor, emulator_factory):
    upstream = emulator_factory(users={"$oauthtoken": SECRET})
    add_endpoints(harbor, upstream)
    harbor.clear_log()
    play = run_play([info("all"), info("one", name=NVIDIA), info("missing", name=unique("nope")),
                     info("names", query="[?verify_remote_cert].name")], verbosity=3)
    assert play.rc == 0, play.output
    everything = play.result("all")["registries"]
    everything = [r for r in everything if r["name"] in ours([r["name"] for r in everything])]
    assert [r["name"] for r in everything] == [NVIDIA, APPCO]
    nvidia = play.result("one")["registries"]
    assert len(nvidia) == 1
    assert nvidia[0]["provider"] == "docker-registry"
    assert nvidia[0]["url"] == upstream.url
    assert nvidia[0]["access_key"] == "$oauthtoken"
    assert nvidia[0]["has_secret"] is True
    assert nvidia[0]["verify_remote_cert"] is True
    assert nvidia[0]["status"] == "healthy"
    assert "access_secret" not in nvidia[0]
    assert everything[1]["verify_remote_cert"] is False and everything[1]["has_secret"] is False
    assert play.result("missing")["registries"] == []
    assert ours(play.result("names")["registries"]) == [NVIDIA]
    assert all(not r["changed"] for r in play.results)
    assert harbor.writes() == []
    assert '"access_secret"' not in play.output
    assert SECRET not in play.output


def test_bad_query_is_explained(run_play, harbor):
    play = run_play([info("bad", query="[?name==")])
    assert play.rc != 0
    assert "query: '[?name==' is not a valid JMESPath expression" in play.result("bad")["msg"]
