"""What a committed file must not carry (issue 21, item 5): paths of the machine it was written on (its home and work
folders, temporary folders, a source mirror, a pyenv or virtualenv interpreter) and references to a sibling ``shared``
folder that a clone of the repository does not have. Harbor's code is cited as goharbor/harbor + path + tag instead.

``find(text)`` -> the offending strings; ``hide(text)`` -> ``text`` with each machine path cut to its last part (what the
generators of docs/performance.md, docs/reliability.md and docs/fleet.md print: ``python3.12``, not
``/root/.pyenv/versions/3.12.1/bin/python3.12``). tests/lint/test_self_contained.py greps the repository with it.
A relative ``.venv/`` (the checkout's own virtualenv that scripts/test creates) is not a machine path."""
import re

MACHINE_PATH = re.compile(r"""(?x)
    (?<![\w.~$-])/(?:work|root|home|tmp|Users|private|var/folders|opt|srv|mnt)/[^\s`'"<>)\],;|]*   # absolute paths
  | [^\s`'"<>(\[]*(?:\.mirror|\.pyenv|site-packages)[^\s`'"<>)\],;|]*                        # mirrors, interpreters
""")
SHARED = re.compile(r"\.\./shared\b|\bshared/(?:harbor-api|docs)\b")


def find(text):
    return [m.group(0) for m in MACHINE_PATH.finditer(text)] + [m.group(0) for m in SHARED.finditer(text)]


def hide(text):
    return MACHINE_PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)
