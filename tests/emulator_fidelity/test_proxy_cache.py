"""Pulls through a proxy-cache project (src/server/middleware/repoproxy/proxy.go: handleManifest, defaultLibrary;
src/controller/proxy/controller.go: ProxyManifest): read from the upstream with the endpoint's credentials, cached in the
project, 404 when the upstream has no such manifest, Docker Hub's library/ redirect."""
import requests

NGC_KEY = "ngc-key"


def proxy_project(harbor, upstream, kind="docker-registry", name="nvidiaio", credential=None):
    body = {"name": "up-" + name, "type": kind, "url": upstream.url}
    if credential:
        body["credential"] = {"type": "basic", "access_key": credential[0], "access_secret": credential[1]}
    assert harbor.api("POST", "/registries", json=body).status_code == 201
    registry_id = [r for r in harbor.api("GET", "/registries").json() if r["name"] == "up-" + name][0]["id"]
    resp = harbor.api("POST", "/projects", json={"project_name": name, "registry_id": registry_id, "metadata": {"public": "true"}})
    assert resp.status_code == 201, resp.text


def make_public(upstream, project):
    resp = upstream.api("PUT", "/projects/" + project, json={"metadata": {"public": "true"}}, headers={"X-Is-Resource-Name": "true"})
    assert resp.status_code == 200, resp.text


def manifest(harbor, path, auth=("admin", "Harbor12345"), method="GET"):
    return requests.request(method, harbor.url + "/v2/" + path, auth=auth, timeout=30, allow_redirects=False,
                            headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"})


def test_a_manifest_is_read_from_the_upstream_with_the_endpoints_credentials_and_cached(emulator_factory):
    upstream = emulator_factory(users={"$oauthtoken": NGC_KEY})
    upstream.seed(project="nvaie", repository="vllm", tags=["latest"], size=42)
    make_public(upstream, "nvaie")
    harbor = emulator_factory()
    proxy_project(harbor, upstream, credential=("$oauthtoken", NGC_KEY))
    resp = manifest(harbor, "nvidiaio/nvaie/vllm/manifests/latest")
    assert resp.status_code == 200, resp.text
    digest = upstream.api("GET", "/projects/nvaie/repositories/vllm/artifacts/latest").json()["digest"]
    assert resp.headers["Docker-Content-Digest"] == digest
    cached = harbor.api("GET", "/projects/nvidiaio/repositories/nvaie%252Fvllm/artifacts").json()
    assert [(a["digest"], [t["name"] for t in a["tags"]], a["size"]) for a in cached] == [(digest, ["latest"], 42)]
    upstream.clear_log()
    assert manifest(harbor, "nvidiaio/nvaie/vllm/manifests/latest").status_code == 200
    # served from the cache: Harbor only HEADs the upstream manifest to compare digests (controller.go: UseLocalManifest)
    manifest_reads = [e["method"] for e in upstream.requests_log() if "/manifests/" in e["path"]]
    assert manifest_reads == ["HEAD"]


def test_an_image_the_upstream_does_not_have_is_404(emulator_factory):
    upstream = emulator_factory()
    upstream.seed(project="nvaie", repository="img", tags=["2.0"])
    make_public(upstream, "nvaie")
    harbor = emulator_factory()
    proxy_project(harbor, upstream)
    resp = manifest(harbor, "nvidiaio/nvaie/img/manifests/1.0")
    assert resp.status_code == 404
    assert resp.json()["errors"][0]["code"] == "NOT_FOUND"
    assert harbor.api("GET", "/projects/nvidiaio/repositories").json() == []


def test_docker_hub_names_without_a_namespace_are_redirected_to_library(emulator_factory):
    upstream = emulator_factory()
    harbor = emulator_factory()
    proxy_project(harbor, upstream, kind="docker-hub", name="dockerhub")
    resp = manifest(harbor, "dockerhub/alpine/manifests/3.20")
    assert resp.status_code == 301
    assert resp.headers["Location"].endswith("/v2/dockerhub/library/alpine/manifests/3.20")
