"""Blob uploads and pulls under /v2/ (tests/harbor_emulator/blob.py): Harbor hands them to its distribution registry
(src/server/registry/route.go), whose upload protocol this follows (monolithic, chunked PATCH then PUT, cross-repository
mount); uploads into a proxy-cache project are refused by src/server/middleware/repoproxy/proxy.go
(DisableBlobAndManifestUploadMiddleware). Runs on the in-memory storage (the registry-backed one: tests/dataplane)."""
import hashlib

import requests

from tools.dataplane import oci
from tools.dataplane.distribution import DistributionClient
from tests.emulator_fidelity.test_replication_policy import add_registry

ADMIN = ("admin", "Harbor12345")


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def token(harbor, scope):
    resp = requests.get(harbor.url + "/service/token", params={"scope": scope, "service": "harbor-registry"}, auth=ADMIN, timeout=10)
    return {"Authorization": "Bearer " + resp.json()["token"]}


def v2(harbor, method, path, scope="repository:library/app:pull,push", **kwargs):
    headers = dict(kwargs.pop("headers", None) or {}, **token(harbor, scope))
    return requests.request(method, harbor.url + path, headers=headers, timeout=10, **kwargs)


def test_a_chunked_upload_then_a_pull_with_its_digest(harbor):
    harbor.need_emulator()
    data = b"layer bytes " * 100
    resp = v2(harbor, "POST", "/v2/library/app/blobs/uploads/")
    assert resp.status_code == 202 and resp.headers["Docker-Upload-UUID"]
    location = resp.headers["Location"]
    resp = v2(harbor, "PATCH", location, data=data[:500])
    assert resp.status_code == 202 and resp.headers["Range"] == "0-499"
    resp = v2(harbor, "PUT", location, params={"digest": digest_of(data)}, data=data[500:])
    assert resp.status_code == 201 and resp.headers["Docker-Content-Digest"] == digest_of(data)
    resp = v2(harbor, "GET", "/v2/library/app/blobs/" + digest_of(data))
    assert resp.status_code == 200 and resp.content == data and resp.headers["Docker-Content-Digest"] == digest_of(data)
    resp = v2(harbor, "HEAD", "/v2/library/app/blobs/" + digest_of(data))
    assert resp.status_code == 200 and resp.headers["Content-Length"] == str(len(data))
    resp = v2(harbor, "GET", "/v2/library/other/blobs/" + digest_of(data), scope="repository:library/other:pull")
    assert resp.status_code == 404 and resp.json()["errors"][0]["code"] == "BLOB_UNKNOWN"   # linked per repository


def test_a_monolithic_upload_with_a_wrong_digest_is_refused_and_a_mount_links_a_readable_blob(harbor):
    harbor.need_emulator()
    data = b"config"
    resp = v2(harbor, "POST", "/v2/library/app/blobs/uploads/", params={"digest": digest_of(b"other")}, data=data)
    assert resp.status_code == 400 and resp.json()["errors"][0]["code"] == "DIGEST_INVALID"
    assert v2(harbor, "POST", "/v2/library/app/blobs/uploads/", params={"digest": digest_of(data)}, data=data).status_code == 201
    resp = v2(harbor, "POST", "/v2/library/copy/blobs/uploads/", scope="repository:library/copy:pull,push",
              params={"mount": digest_of(data), "from": "library/app"})
    assert resp.status_code == 201 and resp.headers["Location"] == "/v2/library/copy/blobs/" + digest_of(data)
    resp = v2(harbor, "POST", "/v2/library/copy/blobs/uploads/", scope="repository:library/copy:pull,push",
              params={"mount": digest_of(b"absent"), "from": "library/app"})
    assert resp.status_code == 202                  # nothing to mount: an upload is opened instead
    resp = v2(harbor, "PUT", "/v2/library/app/blobs/uploads/unknown-upload", params={"digest": digest_of(data)})
    assert resp.status_code == 404 and resp.json()["errors"][0]["code"] == "BLOB_UPLOAD_UNKNOWN"


def test_uploads_need_push_permission_and_are_refused_in_a_proxy_cache_project(harbor_pair):
    harbor, upstream = harbor_pair
    harbor.need_emulator()
    resp = requests.post(harbor.url + "/v2/library/app/blobs/uploads/", timeout=10)
    assert resp.status_code == 401 and resp.headers["Www-Authenticate"].startswith("Bearer ")
    registry_id = add_registry(harbor, upstream, kind="docker-registry")
    assert harbor.api("POST", "/projects", json={"project_name": "proxy", "registry_id": registry_id}).status_code == 201
    resp = v2(harbor, "POST", "/v2/proxy/app/blobs/uploads/", scope="repository:proxy/app:pull,push")
    assert resp.status_code == 403
    assert resp.json()["errors"] == [{"code": "DENIED", "message": "can not push artifact to a proxy project: proxy"}]


def test_a_manifest_is_deleted_by_digest_only_with_its_artifact(harbor):
    """src/server/registry/manifest.go deleteManifest: a tag is refused (400 UNSUPPORTED, the digest parser's text), an
    unknown digest is 404, a known one deletes the artifact and its tags (202)."""
    harbor.need_emulator()
    image = oci.image("app", "1.0")
    DistributionClient(harbor.url, auth=ADMIN).push("library/app", "1.0", image)
    resp = v2(harbor, "DELETE", "/v2/library/app/manifests/1.0", scope="repository:library/app:*")
    assert resp.status_code == 400
    assert resp.json()["errors"][0] == {"code": "UNSUPPORTED", "message": "unsupported digest 1.0: invalid checksum digest format"}
    resp = v2(harbor, "DELETE", "/v2/library/app/manifests/" + digest_of(b"nothing"), scope="repository:library/app:*")
    assert resp.status_code == 404 and resp.json()["errors"][0]["code"] == "NOT_FOUND"
    resp = v2(harbor, "DELETE", "/v2/library/app/manifests/" + image.digest, scope="repository:library/app:*")
    assert resp.status_code == 202
    assert harbor.api("GET", "/projects/library/repositories/app/artifacts/1.0").status_code == 404
