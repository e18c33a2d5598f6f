"""A small OCI distribution API client (``requests``): push and pull the artifacts of tools/dataplane/oci.py.

    client = DistributionClient(registry.url, auth=("$oauthtoken", "key"), verify=registry.verify)
    digest = client.push("nvaie/vllm", "latest", manifest)     # blobs (HEAD, POST + PUT upload), child manifests, manifest
    media_type, body, digest = client.get_manifest("nvaie/vllm", "latest")
    client.get_blob("nvaie/vllm", digest) -> bytes (digest checked)
    client.tags("nvaie/vllm") -> [tag], client.catalog() -> [repository]

Authentication follows the registry's challenge, as docker and skopeo do: a first request goes without credentials; a
``Basic`` challenge makes the client send basic auth from then on; a ``Bearer`` challenge (Harbor's ``/v2/``) is
answered by fetching a token from its realm with the credentials and the scope, once per scope.
Every push checks that the registry's ``Docker-Content-Digest`` is the digest computed locally.
"""
import hashlib
import re
from urllib.parse import urljoin

import requests

from http.cookiejar import DefaultCookiePolicy
from .oci import OCI_INDEX, OCI_MANIFEST

ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST, "application/vnd.docker.distribution.manifest.list.v2+json",
                    "application/vnd.docker.distribution.manifest.v2+json"])
CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


class DistributionError(RuntimeError):
    def __init__(self, resp, what):
        self.status = resp.status_code
        self.body = resp.text[:500]
        super().__init__("%s: %s %s -> %s %s" % (what, resp.request.method, resp.url, resp.status_code, self.body))


class DistributionClient:
    def __init__(self, base_url, auth=None, verify=True, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.session = requests.Session()
        # like docker and skopeo: keep no cookie (a sid cookie sent back fails Harbor's CSRF check)
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.verify = verify  # passed on every call: requests lets REQUESTS_CA_BUNDLE override Session.verify
        self.timeout = timeout
        self._tokens = {}
        self._scheme = None  # "basic" or "bearer", from the first challenge

    # ---- transport ------------------------------------------------------------------------------------------------
    def request(self, method, path_or_url, scope=None, **kwargs):
        """One request, authenticated as the registry's challenge asks: nothing first, then basic auth or a bearer token
        for ``scope`` (remembered, so later requests send it at once)."""
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        headers = dict(kwargs.pop("headers", None) or {})

        def send(auth=None):
            return self.session.request(method, url, headers=headers, auth=auth, timeout=self.timeout,
                                        verify=self.verify, **kwargs)

        if self._scheme == "basic":
            return send(self.auth)
        if self._scheme == "bearer" and scope in self._tokens:
            headers["Authorization"] = "Bearer " + self._tokens[scope]
            return send()
        resp = send()
        if resp.status_code != 401:
            return resp
        challenge = resp.headers.get("WWW-Authenticate", "")
        if challenge.lower().startswith("basic") and self.auth:
            self._scheme = "basic"
            return send(self.auth)
        if challenge.lower().startswith("bearer ") and self._fetch_token(challenge, scope):
            self._scheme = "bearer"
            headers["Authorization"] = "Bearer " + self._tokens[scope]
            return send()
        return resp

    def _fetch_token(self, challenge, scope):
        params = dict(CHALLENGE_PARAM.findall(challenge))
        realm = params.pop("realm", None)
        if not realm:
            return False
        if scope:
            params["scope"] = scope
        resp = self.session.get(realm, params=params, auth=self.auth, timeout=self.timeout, verify=self.verify)
        if resp.status_code != 200:
            return False
        body = resp.json()
        token = body.get("token") or body.get("access_token")
        if not token:
            return False
        self._tokens[scope] = token
        return True

    @staticmethod
    def _scope(repository, push=False):
        return "repository:%s:%s" % (repository, "pull,push" if push else "pull")

    # ---- push -----------------------------------------------------------------------------------------------------
    def blob_exists(self, repository, digest, push=False):
        resp = self.request("HEAD", "/v2/%s/blobs/%s" % (repository, digest), scope=self._scope(repository, push))
        return resp.status_code == 200

    def upload_blob(self, repository, blob):
        """Upload one blob unless the repository already has it (POST to open an upload, PUT with the digest)."""
        scope = self._scope(repository, push=True)
        if self.blob_exists(repository, blob.digest, push=True):
            return
        resp = self.request("POST", "/v2/%s/blobs/uploads/" % repository, scope=scope)
        if resp.status_code != 202:
            raise DistributionError(resp, "starting the upload of %s" % blob.digest)
        location = urljoin(self.base_url + "/", resp.headers["Location"])
        resp = self.request("PUT", location, scope=scope, params={"digest": blob.digest}, data=blob.data,
                            headers={"Content-Type": "application/octet-stream"})
        if resp.status_code != 201:
            raise DistributionError(resp, "uploading %s" % blob.digest)

    def put_manifest(self, repository, reference, manifest):
        resp = self.request("PUT", "/v2/%s/manifests/%s" % (repository, reference), scope=self._scope(repository, True),
                            data=manifest.data, headers={"Content-Type": manifest.media_type})
        if resp.status_code != 201:
            raise DistributionError(resp, "putting the manifest %s:%s" % (repository, reference))
        digest = resp.headers.get("Docker-Content-Digest")
        if digest != manifest.digest:
            raise RuntimeError("%s:%s stored as %s, built as %s" % (repository, reference, digest, manifest.digest))
        return digest

    def push(self, repository, tag, manifest):
        """Push ``manifest`` (an image, a chart or a whole index) as ``repository:tag``; returns its digest."""
        for blob in manifest.all_blobs():
            self.upload_blob(repository, blob)
        for child in manifest.children:
            self.put_manifest(repository, child.digest, child)
        return self.put_manifest(repository, tag, manifest)

    # ---- pull -----------------------------------------------------------------------------------------------------
    def get_manifest(self, repository, reference):
        """(media type, bytes, digest) of a manifest; DistributionError when it is not there."""
        resp = self.request("GET", "/v2/%s/manifests/%s" % (repository, reference), scope=self._scope(repository),
                            headers={"Accept": ACCEPT})
        if resp.status_code != 200:
            raise DistributionError(resp, "getting the manifest %s:%s" % (repository, reference))
        digest = "sha256:" + hashlib.sha256(resp.content).hexdigest()
        header = resp.headers.get("Docker-Content-Digest")
        if header and header != digest:
            raise RuntimeError("manifest %s:%s: header says %s, content is %s" % (repository, reference, header, digest))
        return resp.headers.get("Content-Type", "").split(";")[0], resp.content, digest

    def get_blob(self, repository, digest):
        resp = self.request("GET", "/v2/%s/blobs/%s" % (repository, digest), scope=self._scope(repository))
        if resp.status_code != 200:
            raise DistributionError(resp, "getting the blob %s" % digest)
        got = "sha256:" + hashlib.sha256(resp.content).hexdigest()
        if got != digest:
            raise RuntimeError("blob %s of %s has the content of %s" % (digest, repository, got))
        return resp.content

    def tags(self, repository):
        resp = self.request("GET", "/v2/%s/tags/list" % repository, scope=self._scope(repository))
        if resp.status_code != 200:
            raise DistributionError(resp, "listing the tags of %s" % repository)
        return resp.json().get("tags") or []

    def catalog(self):
        resp = self.request("GET", "/v2/_catalog", scope="registry:catalog:*")
        if resp.status_code != 200:
            raise DistributionError(resp, "listing the catalog")
        return resp.json().get("repositories") or []
