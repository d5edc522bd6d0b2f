"""The release record (release.json / release.html), the build hook and ``lvv-eval release``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disclosure_exports import write_export
from lvv_eval.cli import main
from lvv_eval.disclosure.release import RELEASE_HTML, RELEASE_JSON, SCAN_FAILED, check_built_report, release
from lvv_eval.errors import ConfigError
from lvv_eval.reporting.build import ReportConfig, ReportSpec, write_index
from test_scan import CLEAN_FLOW, UTRECHT, make_report

LEAKING_FLOW = CLEAN_FLOW.replace("utrecht,60,34,26,,,16", "utrecht,60,34,26,7,,16")
PUBLISHED = "pilot,measure,category,value\nutrecht,outflow,durable,7\n"


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    return write_export(tmp_path / "export.csv", {"utrecht": UTRECHT})


def build(folder: Path, export: Path, **kwargs) -> dict:
    """Make a report folder and run the build hook on it, as the pipeline does."""
    make_report(folder, export, extra_tables={"published_figures": ("published", PUBLISHED)}, **kwargs)
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    return check_built_report(folder, provenance)


def test_a_clean_report_gets_a_record_and_stays_built(tmp_path: Path, export: Path) -> None:
    provenance = build(tmp_path / "r", export)
    assert provenance["status"] == "ok" and provenance["files"]["release"] == RELEASE_HTML
    record = json.loads((tmp_path / "r" / RELEASE_JSON).read_text(encoding="utf-8"))
    table = record["outputs"]["table:flow_by_pilot"]
    assert (table["type"], table["kind"], table["status"]) == ("table", "synthetic", "pass")
    assert table["rule"].startswith("threshold 10")
    assert {c["cell"] for c in table["outcome"]} == {
        "row 2 (utrecht), column 'durable'",
        "row 2 (utrecht), column 'semi_durable'",
    }
    assert (table["checker_comment"], table["checker_decision"], table["exception"]) == ("", "", "")
    assert record["outputs"]["table:published_figures"]["rule"].startswith("exempt: published")
    assert record["status"] == "pass" and record["scan"]["verdict"] == "pass"


def test_a_leaking_report_does_not_build(tmp_path: Path, export: Path) -> None:
    provenance = build(tmp_path / "r", export, flow=LEAKING_FLOW)
    assert provenance["status"] == "failed"
    assert provenance["error"]["ename"] == SCAN_FAILED
    assert "tables/flow_by_pilot.csv" in provenance["error"]["evalue"]
    assert "7" not in provenance["error"]["evalue"].split("in ")[-1]  # the message names files, not values
    on_disk = json.loads((tmp_path / "r" / "provenance.json").read_text(encoding="utf-8"))
    assert on_disk["status"] == "failed"
    record = json.loads((tmp_path / "r" / RELEASE_JSON).read_text(encoding="utf-8"))
    assert record["outputs"]["table:flow_by_pilot"]["status"] == "fail"
    assert record["outputs"]["table:published_figures"]["status"] == "pass"


def test_the_index_marks_the_failure_and_links_the_record(tmp_path: Path, export: Path) -> None:
    reports = tmp_path / "reports"
    build(reports / "r", export, flow=LEAKING_FLOW)
    config = ReportConfig(tmp_path / "reports.yaml", (ReportSpec("r", tmp_path / "r.ipynb", {}, "R"),))
    page = write_index(config, reports, tmp_path).read_text(encoding="utf-8")
    assert "Bouwen mislukt" in page and SCAN_FAILED in page  # the index speaks the reports' language (nl)
    assert f'href="r/{RELEASE_HTML}"' in page


@pytest.mark.parametrize("language, heading", [("nl", "Vrijgaverecord"), ("en", "Release record")])
def test_the_page_follows_the_report_language(tmp_path: Path, export: Path, language: str, heading: str) -> None:
    folder = tmp_path / "r"
    make_report(folder, export)
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    provenance["parameters"]["language"] = language
    check_built_report(folder, provenance)
    page = (folder / RELEASE_HTML).read_text(encoding="utf-8")
    assert f"<h1>{heading}: r</h1>" in page and f'lang="{language}"' in page


def test_release_copies_only_what_passed(tmp_path: Path, export: Path) -> None:
    build(tmp_path / "r", export, flow=LEAKING_FLOW)
    outcome = release(tmp_path / "r", tmp_path / "out")
    out = tmp_path / "out"
    assert (out / "tables" / "published_figures.csv").is_file()
    assert not (out / "tables" / "flow_by_pilot.csv").exists()
    assert "table:flow_by_pilot" in outcome.withheld
    copy = json.loads((out / RELEASE_JSON).read_text(encoding="utf-8"))
    assert copy["outputs"]["table:flow_by_pilot"]["released"] is False
    assert all("value" not in f and "reason" not in f for o in copy["outputs"].values() for f in o["scan"])


def test_release_of_a_clean_report_is_complete(tmp_path: Path, export: Path) -> None:
    build(tmp_path / "r", export)
    outcome = release(tmp_path / "r", tmp_path / "out")
    assert outcome.complete, outcome.withheld
    assert (tmp_path / "out" / "tables" / "flow_by_pilot.csv").read_text(encoding="utf-8") == CLEAN_FLOW


def test_a_file_changed_after_the_record_is_withheld(tmp_path: Path, export: Path) -> None:
    build(tmp_path / "r", export)
    (tmp_path / "r" / "report.log").write_text("edited\n", encoding="utf-8")
    outcome = release(tmp_path / "r", tmp_path / "out")
    assert "changed since the record" in outcome.withheld["log:report.log"]


def test_release_refuses_a_folder_it_did_not_make(tmp_path: Path, export: Path) -> None:
    build(tmp_path / "r", export)
    other = tmp_path / "out"
    other.mkdir()
    (other / "notes.txt").write_text("mine\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not empty and was not made by lvv-eval release"):
        release(tmp_path / "r", other)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_a_second_release_replaces_only_its_own_files(tmp_path: Path, export: Path) -> None:
    build(tmp_path / "r", export)
    out = tmp_path / "out"
    release(tmp_path / "r", out)
    (out / "checker-notes.txt").write_text("kept\n", encoding="utf-8")
    release(tmp_path / "r", out)
    assert (out / "checker-notes.txt").read_text(encoding="utf-8") == "kept\n"
    assert (out / "tables" / "flow_by_pilot.csv").is_file()


def test_the_checker_can_approve_an_output_under_review(tmp_path: Path, export: Path) -> None:
    build(tmp_path / "r", export, log="2026 INFO\n")
    (tmp_path / "r" / "tables" / "extra.csv").write_text("a,b\nx,y\n", encoding="utf-8")  # not in the manifest
    provenance = json.loads((tmp_path / "r" / "provenance.json").read_text(encoding="utf-8"))
    check_built_report(tmp_path / "r", provenance)
    record_path = tmp_path / "r" / RELEASE_JSON
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["outputs"]["file:tables/extra.csv"]["status"] == "review"
    assert "file:tables/extra.csv" in release(tmp_path / "r", tmp_path / "out1").withheld
    record["outputs"]["file:tables/extra.csv"]["checker_decision"] = "approve"
    record["outputs"]["file:tables/extra.csv"]["checker_comment"] = "no person-level numbers"
    record_path.write_text(json.dumps(record), encoding="utf-8")
    assert release(tmp_path / "r", tmp_path / "out2").complete
    copy = json.loads((tmp_path / "out2" / RELEASE_JSON).read_text(encoding="utf-8"))
    assert copy["outputs"]["file:tables/extra.csv"]["checker_comment"] == "no person-level numbers"


def test_the_command_exits_non_zero_when_outputs_are_withheld(
    tmp_path: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(tmp_path / "r", export, flow=LEAKING_FLOW)
    assert main(["release", str(tmp_path / "r"), "--out", str(tmp_path / "out")]) == 1
    assert "withheld table:flow_by_pilot: fail" in capsys.readouterr().out
    assert main(["release", str(tmp_path / "nothing"), "--out", str(tmp_path / "out3")]) == 2


def test_the_notebook_of_a_leaking_report_is_kept_as_failed(tmp_path: Path, export: Path) -> None:
    folder = tmp_path / "r"
    make_report(folder, export, flow=LEAKING_FLOW)
    (folder / "report.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8"
    )
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    provenance["files"]["notebook"] = "report.ipynb"
    provenance = check_built_report(folder, provenance)
    assert not (folder / "report.ipynb").exists() and (folder / "report.failed.ipynb").is_file()
    assert provenance["files"]["failed_notebook"] == "report.failed.ipynb" and "notebook" not in provenance["files"]
    record = json.loads((folder / RELEASE_JSON).read_text(encoding="utf-8"))
    assert record["outputs"]["notebook:report.failed.ipynb"]["status"] == "fail"
