"""pyflakes and pycodestyle over every Python file of the repository, with ansible-test's pep8 settings.

``ansible-test sanity`` (tests/packaging) only sees what the built collection ships; this also covers the emulator,
the tests and the scripts."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PATHS = ["plugins", "tests", "scripts"]
# ansible-test's pep8 test: 160 columns; E402 because modules import after their DOCUMENTATION strings.
PEP8 = ["--max-line-length=160", "--ignore=E402,W503,W504,E741", "--exclude=output,.venv*,__pycache__"]


def run(*args):
    return subprocess.run([sys.executable, "-m"] + list(args), cwd=str(REPO), capture_output=True, text=True, timeout=300)


def test_pyflakes_finds_nothing():
    result = run("pyflakes", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pycodestyle_finds_nothing():
    result = run("pycodestyle", *PEP8, *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linters_do_report(tmp_path):
    """The two checks above can fail: both flag a file with an unused import and a long line."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nx = '%s'\n" % ("y" * 170))
    assert run("pyflakes", str(bad)).returncode != 0
    assert run("pycodestyle", *PEP8, str(bad)).returncode != 0
