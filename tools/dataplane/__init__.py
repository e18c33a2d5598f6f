"""The data plane for the demo, the emulator and the tests: real registry processes and real OCI artifacts.

- ``registry.py``: ``Registry``, one Debian ``docker-registry`` process on 127.0.0.1 (anonymous, htpasswd, TLS)
- ``oci.py``: deterministic OCI artifacts built locally (image, multi-arch index, Helm chart, OCI layout)
- ``distribution.py``: ``DistributionClient``, push/pull over the distribution API (basic or bearer auth)
- ``upstreams.py``: the seeds' upstream stand-ins (Docker-Hub-like, NGC-like, Application-Collection-like) and ``seed``

``python -m tools.dataplane`` starts and seeds the stand-ins. The tests of this package are in ``tests/dataplane/``.
"""
