"""The data plane for tests and the demo: real registry processes and real OCI artifacts (issue 12).

- ``registry.py``: ``Registry``, one Debian ``docker-registry`` process on 127.0.0.1 (anonymous, htpasswd, TLS)
- ``oci.py``: deterministic OCI artifacts built locally (image, multi-arch index, Helm chart, OCI layout)
- ``distribution.py``: ``DistributionClient``, push/pull over the distribution API (basic or bearer auth)
- ``upstreams.py``: the seeds' upstream stand-ins (Docker-Hub-like, NGC-like, Application-Collection-like) and ``seed``

The tests of these helpers are the ``test_*.py`` files beside them; their fixtures are in ``conftest.py``.
"""
