"""What Harbor's own ``/v2/`` answers when something is missing or refused, as a real Harbor v2.15.2 answers it (asked
with basic auth, as skopeo, the proxy_cache role's test read and Harbor's replication adapters do):

- a repository, tag or digest that is not there: 404 ``NOT_FOUND`` with the text of the lookup that failed
  (src/server/registry/manifest.go getManifest -> src/pkg/repository/manager.go GetByName "repository %s not found",
  src/controller/artifact/controller.go getByTag "artifact %s:%s not found", src/pkg/artifact/dao/dao.go GetByDigest
  "artifact %s@%s not found"; src/server/registry/tag.go for tags/list), never distribution's MANIFEST_UNKNOWN;
- an unknown blob: distribution's 404 ``BLOB_UNKNOWN`` with the digest as ``detail``; an OCI manifest or index asked
  for without its media type in ``Accept``: distribution's 404 ``MANIFEST_UNKNOWN`` (registry/handlers/manifests.go of
  distribution 2.8, behind src/server/registry/manifest.go);
- v2auth refusals (src/server/middleware/v2auth/auth.go: ``UnauthorizedError(err).WithMessage(err.Error())`` prints the
  reason twice): a project that does not exist is a 401 with an empty challenge whoever asks; a GET without any
  Authorization header gets the Bearer challenge; a caller without the permission the Basic one.
"""
import requests

OCI = "application/vnd.oci.image.manifest.v1+json"
ZERO = "sha256:" + "0" * 64


def get(harbor, path, method="GET", auth="admin", **kwargs):
    auth = harbor.auth if auth == "admin" else auth
    return requests.request(method, harbor.url + "/v2/" + path, auth=auth, headers={"Accept": OCI}, timeout=10, **kwargs)


def error(resp, status, code, message, **extra):
    assert resp.status_code == status, resp.text
    assert resp.json() == {"errors": [dict({"code": code, "message": message}, **extra)]}
    assert resp.headers["Docker-Distribution-Api-Version"] == "registry/2.0"


def test_missing_repository_tag_and_digest_are_not_found_with_the_lookup_text(harbor):
    harbor.need_emulator()
    harbor.seed(project="library", repository="busybox", tags=["1.36"])
    error(get(harbor, "library/nonexistent/manifests/1.0"), 404, "NOT_FOUND", "repository library/nonexistent not found")
    error(get(harbor, "library/busybox/manifests/nope"), 404, "NOT_FOUND", "artifact library/busybox:nope not found")
    error(get(harbor, "library/busybox/manifests/" + ZERO), 404, "NOT_FOUND", "artifact library/busybox@%s not found" % ZERO)
    error(get(harbor, "library/nonexistent/tags/list"), 404, "NOT_FOUND", "repository library/nonexistent not found")
    assert get(harbor, "library/busybox/manifests/nope", method="HEAD").status_code == 404


def test_an_unknown_blob_carries_its_digest_as_detail(harbor):
    harbor.need_emulator()
    error(get(harbor, "library/nonexistent/blobs/" + ZERO), 404, "BLOB_UNKNOWN", "blob unknown to registry", detail=ZERO)


def test_a_project_that_does_not_exist_is_a_401_with_an_empty_challenge(harbor):
    harbor.need_emulator()
    twice = "project nosuchproject not found: project nosuchproject not found"
    for resp in (get(harbor, "nosuchproject/x/manifests/1"), get(harbor, "nosuchproject/x/tags/list"),
                 get(harbor, "nosuchproject/x/blobs/uploads/", method="POST")):
        error(resp, 401, "UNAUTHORIZED", twice)
        assert resp.headers["Www-Authenticate"] == ""


def test_a_caller_that_sent_credentials_gets_the_basic_challenge_and_the_catalog_its_own_text(harbor):
    """(The texts of the other refusals: test_real_harbor.py test_v2_refusals_name_the_reason_twice.)"""
    harbor.need_emulator()
    harbor.seed(project="library", repository="busybox", tags=["1.36"])
    bad = get(harbor, "library/busybox/blobs/uploads/", method="POST", auth=("admin", "wrong"))
    error(bad, 401, "UNAUTHORIZED", "unauthorized to access repository: library/busybox, action: push: unauthorized to access"
          " repository: library/busybox, action: push")
    assert bad.headers["Www-Authenticate"] == 'Basic realm="harbor"'
    catalog = requests.get(harbor.url + "/v2/_catalog", timeout=10)
    error(catalog, 401, "UNAUTHORIZED", "unauthorized to list catalog: unauthorized to list catalog")
    assert catalog.headers["Www-Authenticate"] == 'Basic realm="harbor"'


def test_an_oci_manifest_or_index_is_refused_to_a_client_that_does_not_accept_it(harbor):
    harbor.need_emulator()
    chart = harbor.seed(project="library", repository="charts/etcd", tags=["10.2.3"], type="chart")   # an OCI manifest
    for accept in (None, "*/*", "application/vnd.docker.distribution.manifest.v2+json"):
        for reference in ("10.2.3", chart["digest"]):
            resp = requests.get(harbor.url + "/v2/library/charts/etcd/manifests/" + reference, auth=harbor.auth,
                                headers={"Accept": accept}, timeout=10)
            error(resp, 404, "MANIFEST_UNKNOWN", "OCI manifest found, but accept header does not support OCI manifests")
    assert get(harbor, "library/charts/etcd/manifests/10.2.3", method="HEAD").status_code == 200
    weighed = requests.get(harbor.url + "/v2/library/charts/etcd/manifests/10.2.3", auth=harbor.auth, timeout=10,
                           headers={"Accept": "application/json, %s;q=0.5" % OCI})
    assert weighed.status_code == 200 and weighed.headers["Docker-Content-Digest"] == chart["digest"]
