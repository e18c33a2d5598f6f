"""The repository stands on its own (issue 21, item 5): no path of the machine it was written on and no reference to a
sibling ``shared`` folder in what a clone ships and shows (plugins/, docs/, roles/, playbooks/, inventories/,
extensions/, meta/, changelogs/, README.md, galaxy.yml). Tests may still read ``../shared/harbor-api/swagger.yaml`` at
run time (and skip without it); they only do not send readers there."""
from pathlib import Path

from tests.support import machine_paths

REPO = Path(__file__).resolve().parents[2]
CHECKED = ["plugins", "docs", "roles", "playbooks", "inventories", "extensions", "meta", "changelogs", "README.md",
           "galaxy.yml"]
TEXT = {".py", ".md", ".yml", ".yaml", ".txt", ".j2", ".cfg", ".ini", ".json", ".rst", ""}


def files():
    for name in CHECKED:
        path = REPO / name
        for found in ([path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())):
            if found.suffix in TEXT and "__pycache__" not in found.parts and not found.is_symlink():
                yield found


def test_no_machine_path_and_no_shared_reference():
    hits = []
    for path in files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for found in machine_paths.find(line):
                hits.append("%s:%d: %s" % (path.relative_to(REPO), number, found))
    assert not hits, "cite goharbor/harbor (path + tag) or the project's own docs instead:\n" + "\n".join(hits)


def test_the_patterns_find_what_they_must_and_spare_the_rest():
    bad = ["see ../shared/harbor-api/NOTES.md", "git -C /work/.mirror/goharbor+harbor/repo show", "--peer /tmp/peer",
           "ansible-core from `/work/main/.venv/bin`", "/root/.pyenv/versions/3.12.1/bin/python3.12",
           "~/venv/lib/python3.11/site-packages/requests", "/home/dev/harbor"]
    good = ["src/controller/robot/controller.go, goharbor/harbor v2.15.2", ".venv/bin/python scripts/reliability.py",
            "GET /api/v2.0/projects", "https://harbor.example.com/api/v2.0", "docs/harbor-api.md section 2",
            "PATH=$PWD/.venv/bin:$PATH", "make/photon/prepare/templates/core/env.jinja"]
    assert [text for text in bad if not machine_paths.find(text)] == []
    assert [text for text in good if machine_paths.find(text)] == []
    assert machine_paths.hide("--peer /tmp/peer --memory-python /root/.pyenv/versions/3.12.1/bin/python3.12 --sizes 10") \
        == "--peer peer --memory-python python3.12 --sizes 10"
