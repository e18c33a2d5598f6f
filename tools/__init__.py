"""Development tools of registryops.harbor that are neither shipped in the collection nor tests.

- ``tools.dataplane``: the local data plane of the demo, the emulator and the tests (real ``docker-registry``
  processes, deterministic OCI artifacts, upstream stand-ins); ``python -m tools.dataplane`` starts the stand-ins.

The Harbor emulator itself is ``tests.harbor_emulator`` (``python -m tests.harbor_emulator``); its behaviour tests are
``tests/emulator_fidelity/``; the tests of ``tools.dataplane`` are ``tests/dataplane/``.
"""
