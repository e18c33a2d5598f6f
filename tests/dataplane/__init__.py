"""Tests of the data plane (``tools/dataplane``: registry processes, OCI artifacts, distribution client, upstream
stand-ins) and of the emulator's /v2/ served from a real registry. Fixtures in ``conftest.py``."""
