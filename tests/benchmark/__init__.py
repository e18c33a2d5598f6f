"""The benchmark of issue 11: ``python -m tests.benchmark --help`` (not collected by pytest; see docs/developing.md)."""
