"""The release notes: valid for antsibull-changelog, CHANGELOG.rst generated from them, and a first release that says
what the collection offers.

The release is made with antsibull-changelog (docs/developing.md, "Releasing"): ``antsibull-changelog release
--update-existing --reload-plugins`` folds changelogs/fragments/ into the release of galaxy.yml's version in
changelogs/changelog.yaml and writes CHANGELOG.rst.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TOOL = str(Path(sys.executable).with_name("antsibull-changelog"))
# A first release describes what it offers: no fixes or breaking changes against behaviour that never shipped.
FIRST_RELEASE_SECTIONS = {"release_summary", "major_changes", "minor_changes", "known_issues"}


def changelog_tool(*args, cwd=REPO):
    return subprocess.run([TOOL] + list(args), cwd=str(cwd), capture_output=True, text=True, timeout=300)


def test_changelog_config_and_fragments_lint_clean():
    result = changelog_tool("lint")
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    result = changelog_tool("lint-changelog-yaml", "changelogs/changelog.yaml")
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_a_bad_fragment_is_reported(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("new_stuff:\n  - a section antsibull-changelog does not know\n")
    result = changelog_tool("lint", str(bad))
    assert result.returncode != 0 and "invalid section" in result.stdout


def test_changelog_rst_is_what_antsibull_changelog_generates(tmp_path):
    """CHANGELOG.rst is generated, never edited: ``antsibull-changelog generate`` on a copy gives the same file."""
    if not (REPO / "CHANGELOG.rst").exists():
        pytest.fail("CHANGELOG.rst is missing: run the release step of docs/developing.md")
    shutil.copy(REPO / "galaxy.yml", tmp_path / "galaxy.yml")
    shutil.copytree(REPO / "changelogs", tmp_path / "changelogs", ignore=shutil.ignore_patterns("fragments"))
    (tmp_path / "changelogs" / "fragments").mkdir()
    result = changelog_tool("generate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "CHANGELOG.rst").read_text() == (REPO / "CHANGELOG.rst").read_text(), (
        "CHANGELOG.rst differs from `antsibull-changelog generate`: regenerate it, do not edit it")


def first_release_entries():
    """(where, section, text) of the first release's changes, plus the pending fragments while galaxy.yml still names
    that release's version (they will be folded into it)."""
    changes = yaml.safe_load((REPO / "changelogs" / "changelog.yaml").read_text())
    releases = changes.get("releases") or {}
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    first = min(releases, key=lambda v: tuple(int(p) for p in re.findall(r"\d+", v))) if releases else version
    entries = []
    for section, texts in ((releases.get(first) or {}).get("changes") or {}).items():
        for text in texts if isinstance(texts, list) else [texts]:
            entries.append(("changelog.yaml %s" % first, section, text))
    if version == first and changes.get("ancestor") is None:
        for path in sorted((REPO / "changelogs" / "fragments").glob("*.y*ml")):
            for section, texts in (yaml.safe_load(path.read_text()) or {}).items():
                for text in texts if isinstance(texts, list) else [texts]:
                    entries.append((path.name, section, text))
    return entries


def test_the_first_release_says_what_it_offers():
    entries = first_release_entries()
    assert any(section == "release_summary" for _, section, _ in entries), "the first release needs a release_summary"
    problems = []
    for where, section, text in entries:
        if section == "trivial":
            continue                          # not rendered
        if section not in FIRST_RELEASE_SECTIONS:
            problems.append("%s: section %s in the first release (write what it offers: major_changes/minor_changes)"
                            % (where, section))
        if re.search(r"\bissue \d+|\(#\d+\)|\bissue #\d+", text, re.I):
            problems.append("%s: an internal issue number: %s" % (where, text[:100]))
        for path in re.findall(r"``([\w.-]+(?:/[\w.-]+)+/?)``", text):
            if (path.endswith("/") or re.search(r"\.\w+$", path)) and not (REPO / path).exists():
                problems.append("%s: names %s, which does not exist" % (where, path))
    assert not problems, "\n".join(problems)
