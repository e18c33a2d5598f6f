"""The changelog fragments are valid for antsibull-changelog (what ``antsibull-changelog release`` will read)."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINT = [str(Path(sys.executable).with_name("antsibull-changelog")), "lint"]


def test_changelog_config_and_fragments_lint_clean():
    assert list((REPO / "changelogs" / "fragments").glob("*.yml")), "no changelog fragments"
    result = subprocess.run(LINT, cwd=str(REPO), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_a_bad_fragment_is_reported(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("new_stuff:\n  - a section antsibull-changelog does not know\n")
    result = subprocess.run(LINT + [str(bad)], cwd=str(REPO), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "invalid section" in result.stdout
