"""Stand-ins for the seeds' upstream registries (docs/docsite/rst/guide_*.rst), each a real ``docker-registry``
seeded with small OCI artifacts built locally (tools/dataplane/oci.py), nothing from the Internet.

| flavour                  | like                       | access                                   | content (SEEDS)                       |
|--------------------------|----------------------------|------------------------------------------|---------------------------------------|
| ``docker_hub_like()``    | Docker Hub                 | anonymous, plain HTTP                    | library/busybox:1.36 (index, 2 arch) |
| ``ngc_like()``           | nvcr.io (NVIDIA NGC)       | htpasswd ``$oauthtoken`` + an API key    | nvaie/vllm:latest (image)             |
| ``application_collection_like()`` | dp.apps.rancher.io | TLS with its own CA, optional htpasswd   | containers/etcd:3.5.14-7.7 (index),   |
|                          |                            |                                          | charts/etcd:10.2.3 (Helm chart)       |

    hub = docker_hub_like().start(); pushed = seed(hub, "docker_hub")   # {"library/busybox:1.36": Manifest}
    ngc = ngc_like(key="nvapi-test").start(); seed(ngc, "ngc")
    appco = application_collection_like(users={"collector": "token"}).start(); seed(appco, "application_collection")
"""
from . import oci
from .distribution import DistributionClient
from .registry import Registry

NGC_USERNAME = "$oauthtoken"

# flavour -> [(repository, tag, builder)]; builders are called at seed time (cheap, deterministic).
SEEDS = {
    "docker_hub": [
        ("library/busybox", "1.36", lambda: oci.image_index("busybox", "1.36")),
    ],
    "ngc": [
        ("nvaie/vllm", "latest", lambda: oci.image("vllm", "latest")),
    ],
    "application_collection": [
        ("containers/etcd", "3.5.14-7.7", lambda: oci.image_index("etcd", "3.5.14-7.7")),
        ("charts/etcd", "10.2.3", lambda: oci.helm_chart("etcd", "10.2.3", "3.5.14-7.7")),
    ],
}


def docker_hub_like(**kwargs):
    return Registry(name="dockerhub", **kwargs)


def ngc_like(key="nvapi-test-key", **kwargs):
    return Registry(name="ngc", users={NGC_USERNAME: key}, **kwargs)


def application_collection_like(users=None, ca=None, **kwargs):
    return Registry(name="application-collection", users=users, tls=True, ca=ca, **kwargs)


def client_for(registry):
    return DistributionClient(registry.url, auth=registry.auth, verify=registry.verify)


def seed(registry, flavour, extra=()):
    """Push the flavour's SEEDS (plus ``extra`` (repository, tag, Manifest) triples); returns {"repo:tag": Manifest}."""
    client = client_for(registry)
    pushed = {}
    items = [(repo, tag, build()) for repo, tag, build in SEEDS[flavour]] + list(extra)
    for repository, tag, manifest in items:
        client.push(repository, tag, manifest)
        pushed["%s:%s" % (repository, tag)] = manifest
    return pushed
