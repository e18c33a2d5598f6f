"""Names of the objects a test creates, unique per test process, so that tests can share a long-lived real Harbor.

``unique("nvaie")`` -> ``"nvaie-it3k9x0q"``: the base, ``-it`` and six random characters chosen once per process (each
pytest-xdist worker is a process of its own). The suffix is lower-case letters and digits, so a unique name is still a
valid project name when its base is one. Against a real Harbor the ``harbor`` fixtures delete every registry endpoint,
project, replication rule and system robot whose name carries ``SUFFIX`` before and after each test (``tests.support.harbor.sweep``),
so the tests of one process never see each other's objects and a failed test leaves nothing behind; ``MARKER``
matches the names of any test process (``python -m tests.support.sweep`` removes what a killed run left).

Tests use ``unique()`` on the emulator too, so an assertion that spells a name out instead of using the variable fails
in CI already.
"""
import random
import re
import string

ALPHABET = string.ascii_lowercase + string.digits
SUFFIX = "it" + "".join(random.SystemRandom().choice(ALPHABET) for _ in range(6))
MARKER = re.compile(r"-it[a-z0-9]{6}(?![a-z0-9])")


def unique(base, suffix=None):
    """``base`` with this process's suffix (``base-it3k9x0q``)."""
    return "%s-%s" % (base, suffix or SUFFIX)


def unique_of_length(length, base="n", suffix=None):
    """A unique name exactly ``length`` characters long (the base padded with ``x``): names at Harbor's limits."""
    tail = "-" + (suffix or SUFFIX)
    if length < len(base) + len(tail):
        raise ValueError("a unique name needs at least %d characters" % (len(base) + len(tail)))
    return base + "x" * (length - len(base) - len(tail)) + tail


def is_test_name(name, suffix=None):
    """Whether ``name`` carries ``suffix`` (this process's by default; ``"*"``: any test process's)."""
    if suffix == "*":
        return bool(MARKER.search(name or ""))
    return ("-" + (suffix or SUFFIX)) in (name or "")


def ours(names, keep=("library",)):
    """The names of this test process (and ``keep``: objects every Harbor has), in their order: what a test on a shared
    Harbor may assert about a listing of everything."""
    return [name for name in names if is_test_name(name) or name in keep]
