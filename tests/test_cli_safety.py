"""Commands are safe to script: no output onto an input, counts that agree, CSV safe to open, fast suggestions."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import papermill
import pytest

from lvv_eval.cli import main
from lvv_eval.commands._output import neutralise_formulas
from lvv_eval.commands._safety import check_output_file
from lvv_eval.errors import UnsafeOutputError
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, RAW_DIR

MONITOR = Path(__file__).parent / "fixtures" / "monitor"
OK_NB = Path(__file__).parent / "fixtures" / "notebooks" / "fixture_ok.ipynb"
AGGREGATE = ["aggregate", "--peildatum", "2020-11-01", "--scheme", "monitor-2020"]


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    shutil.copy(DEFAULT_SYNTHETIC_FILE, path)
    return path


# --------------------------------------------------------------------------- never onto an input


@pytest.mark.parametrize("link", ["same", "hard", "symbolic"])
def test_aggregate_never_overwrites_its_input(export: Path, link: str, capsys) -> None:
    before = export.read_bytes()
    out = {"same": export, "hard": export.with_name("hard.csv"), "symbolic": export.with_name("sym.csv")}[link]
    if link == "hard":
        os.link(export, out)
    elif link == "symbolic":
        out.symlink_to(export)
    assert main([*AGGREGATE, str(export), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err and "is the input" in err
    assert export.read_bytes() == before


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_validate_exclusions_never_overwrite_the_input_through_a_link(export: Path, link: str, capsys) -> None:
    before = export.read_bytes()
    out = export.with_name("exclusions.csv")
    os.link(export, out) if link == "hard" else out.symlink_to(export)
    assert main(["validate", str(export), "--exclusions", str(out)]) == 2
    assert "--exclusions" in capsys.readouterr().err
    assert export.read_bytes() == before


def test_no_command_writes_into_the_raw_folder(export: Path, tmp_path: Path, capsys) -> None:
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    with pytest.raises(UnsafeOutputError, match="raw exports"):
        check_output_file(raw / "sub" / "table.csv", [export], option="--out", raw_dir=raw)
    target = RAW_DIR / "lvv-eval-test-output.csv"
    assert not target.exists()
    try:
        assert main([*AGGREGATE, str(export), "--out", str(target)]) == 2
        assert main(["validate", str(export), "--exclusions", str(target)]) == 2
    finally:
        target.unlink(missing_ok=True)
    assert not target.exists()
    assert "raw exports" in capsys.readouterr().err


# --------------------------------------------------------------------------- commands agree


def _with_empty_rows(tmp_path: Path) -> Path:
    """The Dutch Excel fixture with Excel's empty ';;;;' rows between the data and at the end."""
    lines = (MONITOR / "dutch_excel.csv").read_bytes().split(b"\r\n")
    width = lines[0].count(b";")
    empty = b";" * width
    body = [lines[0], *lines[1:4], empty, *[line for line in lines[4:] if line], empty, b""]
    path = tmp_path / "with_empty_rows.csv"
    path.write_bytes(b"\r\n".join(body))
    return path


def test_classify_and_validate_count_the_same_rows(tmp_path: Path, capsys) -> None:
    path = _with_empty_rows(tmp_path)
    assert main(["validate", str(path), "--format", "json"]) in (0, 1)
    validated = json.loads(capsys.readouterr().out)
    assert main(["classify", "--scheme", "monitor-2020", str(path), "--format", "json"]) == 0
    classified = json.loads(capsys.readouterr().out)
    assert classified["total"] == validated["rows_read"] == 7
    assert {"step": "empty rows skipped", "rows": 2} in validated["flow"]


def test_classify_at_a_peildatum_skips_the_empty_rows(tmp_path: Path, capsys) -> None:
    path = _with_empty_rows(tmp_path)
    code = main(["classify", "--scheme", "monitor-2020", str(path), "--peildatum", "2020-11-01", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out)["total"] == 7


def test_classify_names_the_spreadsheet_row_after_an_empty_row(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "exit_reason,intake_date,exit_date\nMOB,2019-05-01,2019-06-01\n,,\nMOBB,2019-05-01,2019-07-01\n",
        encoding="utf-8",
    )
    assert main(["classify", "--scheme", "monitor-2020", str(path)]) == 1
    assert "(1 row: 4)" in capsys.readouterr().err


# --------------------------------------------------------------------------- aggregate is person-level


def test_aggregate_says_its_output_is_person_level(export: Path, capsys) -> None:
    assert main([*AGGREGATE, str(export), "--format", "csv"]) == 0
    assert "person-level and NOT for release" in capsys.readouterr().err


def test_aggregate_disclosure_threshold_hides_small_counts_and_their_complements(export: Path, capsys) -> None:
    assert main([*AGGREGATE, str(export), "--format", "csv", "--disclosure-threshold", "10"]) == 0
    captured = capsys.readouterr()
    assert "NOT for release" not in captured.err and "cell(s) hidden" in captured.err
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    columns = [c for c in rows[0] if c != "pilot"]
    cells = [r[c] for r in rows for c in columns]
    assert "" in cells  # something was hidden
    assert all(v == "" or int(v) == 0 or int(v) >= 10 for v in cells)
    pilots = [r for r in rows if r["pilot"] != "total"]
    for column in columns:  # a hidden pilot cell is never alone in its column (the total would reveal it)
        assert sum(r[column] == "" for r in pilots) != 1, column
    for r in pilots:  # nor alone among the parts of an outflow total
        parts = [c for c in columns if c.startswith("outflow ")]
        assert sum(r[c] == "" for c in parts) != 1 or r["outflow"] == "", r["pilot"]


# --------------------------------------------------------------------------- CSV safe to open in Excel


def _hostile(tmp_path: Path) -> Path:
    lines = (MONITOR / "english.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("trajectory_id")] = "@SUM(1+1)"
    first[header.index("pilot")] = '=HYPERLINK("http://x")'
    first[header.index("prior_departure_procedures")] = "-3"
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    return path


def test_validate_csv_and_exclusions_neutralise_formula_cells(tmp_path: Path, capsys) -> None:
    path = _hostile(tmp_path)
    exclusions = tmp_path / "exclusions.csv"
    assert main(["validate", str(path), "--format", "csv", "--exclusions", str(exclusions)]) == 1
    problems = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    values = {p["column"]: p["value"] for p in problems}
    assert values["pilot"] == '\'=HYPERLINK("http://x")'
    assert values["prior_departure_procedures"] == "-3"  # a plain number is not a formula
    assert all(p["row"].isdigit() for p in problems)
    excluded = list(csv.DictReader(exclusions.open(encoding="utf-8")))
    assert excluded[0]["trajectory_id"] == "'@SUM(1+1)"
    for cell in (c for row in excluded + problems for c in row.values()):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (cell.startswith("-") and cell != "-3")


def test_numeric_columns_stay_numeric() -> None:
    import pandas as pd

    table = pd.DataFrame({"delta": [-3, 5], "label": ["-x", "+1"], "when": pd.to_datetime(["2020-01-01"] * 2)})
    safe = neutralise_formulas(table)
    assert safe["delta"].tolist() == [-3, 5] and safe["delta"].dtype == table["delta"].dtype
    assert safe["label"].tolist() == ["'-x", "+1"]
    assert safe["when"].equals(table["when"])


# --------------------------------------------------------------------------- unknown exit reasons


def test_many_unknown_exit_reasons_are_all_listed_but_only_the_most_frequent_searched(tmp_path: Path, capsys) -> None:
    path = tmp_path / "free_text.csv"
    labels = ["onbekend vertrokken"] * 3 + [f"vrije tekst nummer {i}" for i in range(60)]
    path.write_text("exit_reason\n" + "\n".join(labels) + "\n", encoding="utf-8")
    assert main(["classify", "--scheme", "monitor-2020", str(path), "--format", "json"]) == 1
    captured = capsys.readouterr()
    problems = json.loads(captured.out)["problems"]
    assert len(problems) == 61  # every distinct unknown value is listed
    skipped = [p for p in problems if "closest match not searched" in p["rule"]]
    assert len(skipped) == 11 and "onbekend vertrokken" not in {p["value"] for p in skipped}
    assert "... and 11 more (all of them with --format json)" in captured.err


def test_validate_searches_closest_matches_for_the_most_frequent_unknown_values_only(export: Path, capsys) -> None:
    lines = export.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("exit_reason")
    out, n = [lines[0]], 0
    for line in lines[1:]:
        cells = line.split(",")
        if cells[at]:
            cells[at] = f"vrij {n}"
            n += 1
        out.append(",".join(cells))
    export.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert main(["validate", str(export), "--format", "json"]) == 1
    problems = [p for p in json.loads(capsys.readouterr().out)["problems"] if p["column"] == "exit_reason"]
    assert len(problems) == n > 50
    assert sum("closest match not searched" in p["rule"] for p in problems) == n - 50


# --------------------------------------------------------------------------- parameters up front


@pytest.mark.parametrize(
    ("notebook", "name", "value", "message"),
    [
        ("02_interim", "comparison_scheme", "verwey-jonker-2022", "comparison_scheme: unknown scheme"),
        ("03_final", "horizons_months", "[6, -1]", "each horizon must be a positive number"),
        ("03_final", "horizons_months", "[]", "give at least one horizon"),
        ("04_designs", "attribute", "regi", "did you mean 'regie'"),
        ("04_designs", "sensitivity_schemes", "[monitor-2020, nope]", "sensitivity_schemes: unknown scheme 'nope'"),
    ],
)
def test_run_checks_the_notebooks_own_parameters_before_starting(
    notebook, name, value, message, tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("a kernel was started"))
    assert main(["run", notebook, "-p", name, value, "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_output_dir_parameter_and_out_must_agree(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("a kernel was started"))
    code = main(["run", str(OK_NB), "-p", "output_dir", str(tmp_path / "a"), "--out", str(tmp_path / "b")])
    assert code == 2
    assert "conflicting output folders" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_output_dir_parameter_alone_is_the_output_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    import nbformat

    def fake(input_path, output_path, parameters=None, **_kwargs):
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)
        Path(parameters["output_dir"], "manifest.json").write_text('{"tables": [], "figures": [], "notes": []}')

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    assert main(["run", str(OK_NB), "-p", "peildatum", "2020-11-01", "-p", "output_dir", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "fixture_ok.html").is_file()
    record = json.loads((tmp_path / "a" / "provenance.json").read_text(encoding="utf-8"))
    assert record["parameters"]["output_dir"] == "a"


def test_synth_never_writes_onto_its_configuration_or_checked_file(export: Path, tmp_path: Path, capsys) -> None:
    config = tmp_path / "synth.yaml"
    shutil.copy(Path(__file__).parents[1] / "config" / "synth.yaml", config)
    before = config.read_bytes(), export.read_bytes()
    assert main(["synth", "--config", str(config), "--out", str(config)]) == 2
    assert main(["synth", "--report-only", str(export), "--report", str(export)]) == 2
    assert "refusing to write" in capsys.readouterr().err
    assert (config.read_bytes(), export.read_bytes()) == before


def test_run_names_a_failed_notebook_only_when_it_exists(tmp_path: Path, monkeypatch, capsys) -> None:
    def no_kernel(*_args, **_kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    assert main(["run", str(OK_NB), "-p", "peildatum", "2020-11-01", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError: Kernel died" in err
    assert "failed notebook kept" not in err and "no notebook was executed" in err
    assert json.loads((tmp_path / "out" / "provenance.json").read_text(encoding="utf-8"))["status"] == "failed"
