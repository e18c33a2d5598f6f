"""The differential check (tests/differential) run emulator against emulator: every case, zero differences (the
emulator answers the same sequences the same way twice, and the normalisation hides only volatile values); and the
comparison itself finds what differs (an older Harbor version, a changed body, an order, null against omitted)."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.differential.core import Run, Side, compare_runs, compare_values, text_report
from tests.differential.runner import run_all
from tools.dataplane.registry import missing_binaries

REPO = Path(__file__).resolve().parents[2]


def side(label, target):
    return Side(label, target.url, target.username, target.password)


def test_emulator_against_emulator_has_no_difference(emulator_factory, tmp_path):
    storage = "memory" if missing_binaries() else "registry"    # pulls through a proxy cache move real bytes
    a, b = emulator_factory(storage=storage), emulator_factory(storage=storage)
    env = dict(os.environ, DIFF_A_PASSWORD=a.password, DIFF_B_PASSWORD=b.password)
    report_path = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "tests.differential", "--a", a.url, "--b", b.url, "--json", str(report_path),
                           "--text", str(tmp_path / "report.txt")], cwd=str(REPO), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + (tmp_path / "report.txt").read_text()[:6000]
    report = json.loads(report_path.read_text())
    summary = report["summary"]
    assert (summary["differences"], summary["errors"]) == (0, 0)
    expected_skips = 2 + 6 if missing_binaries() else 0            # cases that need docker-registry
    assert summary["cases"] >= 15 and summary["skipped"] <= expected_skips
    assert summary["steps"] >= 200 if not missing_binaries() else summary["steps"] > 100
    assert "No difference." in (tmp_path / "report.txt").read_text()


def test_an_older_harbor_differs(emulator_factory):
    """Harbor 2.13 lacks fields 2.15 has: the check names them, by case and step."""
    new, old = emulator_factory(), emulator_factory(version="2.13.0")
    report = run_all(side("a", new), side("b", old), patterns=["systeminfo", "replication rule life cycle"])
    assert report["summary"]["differences"] > 0
    found = {(d["step"], d["where"]) for case in report["cases"] for d in case["differences"]}
    assert ("admin", "body.harbor_version") in found
    text = text_report(report)
    assert "[systeminfo]" in text and "harbor_version" in text


def test_comparison_finds_status_shape_type_order_and_null_against_omitted():
    found = []
    compare_values({"status": 200, "body": {"a": 1, "b": None, "c": [1, 2], "d": "x", "e": 1}},
                   {"status": 404, "body": {"a": "1", "b": 0, "c": [2, 1], "e": 1, "f": True}}, "", found)
    assert sorted((where, what) for where, what, _a, _b in found) == [
        (".body.a", "type"), (".body.b", "null vs value"), (".body.c", "order"), (".body.d", "omitted in b"),
        (".body.f", "omitted in a"), (".status", "value")]


def test_normalisation_folds_ids_times_uuids_urls_and_the_suffix():
    run = Run(Side("a", "http://127.0.0.1:1", "admin", "x"), "case")
    body = {"id": 7, "project_id": 7, "registry_id": 3, "name": run.name("p"), "creation_time": "2026-01-02T03:04:05.678Z",
            "update_time": "0001-01-01T00:00:00.000Z", "job_id": "abc", "request": "4bf9d9a2-1c2e-4d52-9f1e-9c5a4f1d7c11",
            "url": "http://127.0.0.1:1/x", "src_registry": {"id": 0, "url": "http://core:8080"}}
    assert run.normalise(body, "project") == {
        "id": "<project#1>", "project_id": "<project#1>", "registry_id": "<registry#1>", "name": "p-<sfx>",
        "creation_time": "<time dddd-dd-ddTdd:dd:dd.dddZ>", "update_time": "0001-01-01T00:00:00.000Z", "job_id": "<job_id>",
        "request": "<uuid>", "url": "<harbor>/x", "src_registry": {"id": 0, "url": "<local core url>"}}
    assert run.normalise_path_ids("/api/v2.0/registries/3") == "/api/v2.0/registries/<registry#1>"
    assert run.normalise({"errors": [{"code": "NOT_FOUND", "message": "registry 3 not found"}]}) == {
        "errors": [{"code": "NOT_FOUND", "message": "registry <registry#1> not found"}]}


def test_a_step_missing_on_one_side_is_a_difference():
    a, b = Run(Side("a", "http://127.0.0.1:1", "u", "p"), "c"), Run(Side("b", "http://127.0.0.1:2", "u", "p"), "c")
    a.note("only in a", 1)
    assert [d["what"] for d in compare_runs(a, b)] == ["not run in b"]
