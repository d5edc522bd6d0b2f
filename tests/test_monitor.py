"""Reading, validating and writing person-level monitor files (lvv_eval.sources.monitor).

Fixtures in tests/fixtures/monitor/:
- english.csv: a valid file in the canonical format (7 trajectories);
- dutch_excel.csv: the same data as a Dutch Excel export (BOM, CRLF, semicolons,
  Dutch headers in mixed case, dd-mm-jjjj and dd/mm/jjjj, ja/nee, Dutch labels,
  decimal commas);
- broken.csv: row 2 valid, every other row breaks one rule (the last column says which).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lvv_eval.cli import main
from lvv_eval.errors import InputValidationError
from lvv_eval.reference import monitor_format as schema
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.sources.monitor import (
    EXCLUSION_COLUMNS,
    UnreadableInputError,
    excluded_step,
    read_monitor,
    write_monitor,
)
from lvv_eval.sources.monitor_rules import RULES, rule_text

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"
ENGLISH = FIXTURES / "english.csv"
DUTCH = FIXTURES / "dutch_excel.csv"
BROKEN = FIXTURES / "broken.csv"
EXPORT_DATE = "2020-11-01"

# (row, column, value, rule text) of every problem in broken.csv exported on 2020-11-01
EXPECTED_BROKEN = {
    (3, "pilot", "Amsterdm", RULES["unknown_pilot"]),
    (4, "exit_reason", "vertrokken met onbekende bestemmng", RULES["unknown_exit_reason"]),
    (5, "intake_date", "2019-02-30", RULES["invalid_date"]),
    (6, "exit_date", "2019-05-01", RULES["exit_before_intake"]),
    (7, "intake_date", "2019-01-15", RULES["intake_too_early"]),
    (8, "exit_date", "2020-12-01", RULES["after_export_date"]),
    (9, "exit_date", "", RULES["exit_reason_without_exit_date"]),
    (10, "exit_reason", "", RULES["exit_date_without_exit_reason"]),
    (11, "trajectory_id", "B10", RULES["duplicate_trajectory_id"]),
    (12, "trajectory_id", "B10", RULES["duplicate_trajectory_id"]),
    (13, "person_id", "P13", RULES["overlapping_stays"]),
    (14, "person_id", "P13", RULES["overlapping_stays"]),
    (15, "prior_departure_procedures", "-1", RULES["negative"]),
    (16, "birth_year", "1985,5", RULES["non_integer"]),
    (17, "formal_status", "misschien", RULES["invalid_boolean"]),
    (18, "scenario", "terugkeer", RULES["invalid_scenario"]),
    (19, "sex", "q", RULES["invalid_sex"]),
    (20, "scenario_date", "2019-03-20", RULES["scenario_before_intake"]),
    (21, "nationality", "NL", RULES["invalid_nationality"]),
    (22, "person_id", "", RULES["required_value_missing"]),
    (23, "prior_departure_procedures", "1.000", RULES["ambiguous_number"]),
}


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- typed frame
def test_english_file_gives_typed_frame_per_contract() -> None:
    data = read_monitor(ENGLISH)
    frame = data.frame
    assert tuple(frame.columns) == schema.COLUMN_NAMES
    for column in schema.MONITOR_COLUMNS:
        assert str(frame[column.name].dtype) == column.dtype, column.name
    assert list(frame["pilot"].cat.categories) == ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]
    assert tuple(frame["exit_reason"].cat.categories) == EXIT_REASON_CODES
    assert list(frame["scenario"].cat.categories) == ["departure", "residence"]
    assert len(frame) == 7 and data.is_valid and data.exclusions.empty
    first = frame.iloc[0]
    assert first["trajectory_id"] == "T001"
    assert first["intake_date"] == pd.Timestamp("2019-04-15")
    assert first["exit_reason"] == "residence_permit"
    assert first["birth_year"] == 1985 and first["prior_departure_procedures"] == 2
    assert bool(first["formal_status"]) is True and bool(frame.loc[1, "formal_status"]) is False
    assert pd.isna(frame.loc[1, "exit_date"]) and pd.isna(frame.loc[1, "exit_reason"])
    assert pd.isna(frame.loc[6, "sex"]) and pd.isna(frame.loc[6, "family"])
    assert pd.isna(frame.loc[5, "mrt"]) and pd.isna(frame.loc[4, "nationality"])
    assert data.source.n_rows == 7 and data.source.file_format == "csv"
    assert data.source.delimiter == ","
    assert len(data.source.sha256) == 64


def test_dutch_excel_style_csv_gives_the_same_frame_as_english() -> None:
    raw = DUTCH.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw and b"\r\n" in raw
    dutch = read_monitor(DUTCH)
    assert dutch.source.delimiter == ";"
    pd.testing.assert_frame_equal(dutch.frame, read_monitor(ENGLISH).frame)
    assert dutch.notes == []


def test_xlsx_with_date_cells_gives_the_same_frame(tmp_path: Path) -> None:
    english = pd.read_csv(ENGLISH, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([schema.MONITOR_COLUMNS[i].alias_nl for i in range(len(english.columns))])
    for record in english.itertuples(index=False):
        cells: list[object] = []
        for name, value in zip(english.columns, record):
            if value == "":
                cells.append(None)
            elif name.endswith("_date"):
                cells.append(dt.datetime.fromisoformat(value))
            elif value in ("true", "false"):
                cells.append(value == "true")
            elif name in ("birth_year", "prior_departure_procedures"):
                cells.append(float(value))  # Excel stores numbers as floats
            else:
                cells.append(value)
        sheet.append(cells)
    path = tmp_path / "monitor.xlsx"
    book.save(path)
    data = read_monitor(path)
    assert data.source.file_format == "xlsx"
    pd.testing.assert_frame_equal(data.frame, read_monitor(ENGLISH).frame)


def test_xlsx_problems_name_the_worksheet_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(schema.REQUIRED_COLUMNS))
    sheet.append(["X1", "P1", "Utrecht", dt.datetime(2019, 5, 1), None, None, True])
    sheet.append([])  # an empty row is skipped, not an error
    sheet.append(["X2", "P2", "Delft", dt.datetime(2019, 5, 1), None, None, "ja"])
    path = tmp_path / "broken.xlsx"
    book.save(path)
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path)
    [problem] = exc.value.problems
    assert (problem.row, problem.column, problem.value) == (4, "pilot", "Delft")
    assert rule_text(problem.rule) == RULES["unknown_pilot"]


# --------------------------------------------------------------------------- rules
def test_every_rule_on_the_broken_file() -> None:
    data = read_monitor(BROKEN, export_date=EXPORT_DATE, strict=False)
    found = {(p.row, p.column, p.value, rule_text(p.rule)) for p in data.problems}
    assert found == EXPECTED_BROKEN
    assert len(data.problems) == len(EXPECTED_BROKEN)
    assert all(p.file == str(BROKEN) for p in data.problems)
    assert {rule_text(p.rule) for p in data.problems} == set(RULES.values())


def test_problem_details_name_closest_matches_and_other_rows() -> None:
    data = read_monitor(BROKEN, export_date=EXPORT_DATE, strict=False)
    rule = {(p.row, p.column): p.rule for p in data.problems}
    assert "closest known: amsterdam" in rule[(3, "pilot")]
    assert "closest known: left_unknown_destination" in rule[(4, "exit_reason")]
    assert "rows 11, 12" in rule[(11, "trajectory_id")]
    assert "rows 11, 12" in rule[(12, "trajectory_id")]
    assert "row 14 [2019-08-01, open)" in rule[(13, "person_id")]
    assert "row 13 [2019-05-01, 2019-09-01)" in rule[(14, "person_id")]
    assert "export date 2020-11-01" in rule[(8, "exit_date")]


def test_strict_raises_with_all_problems_at_once() -> None:
    with pytest.raises(InputValidationError) as exc:
        read_monitor(BROKEN, export_date=EXPORT_DATE)
    rows = {p.row for p in exc.value.problems}
    assert len(exc.value.problems) == len(EXPECTED_BROKEN)
    assert rows == set(range(3, 24))
    assert "21 problem(s) in 21 row(s) of 22" in str(exc.value)


def test_without_export_date_later_dates_are_fine() -> None:
    data = read_monitor(BROKEN, strict=False)
    assert RULES["after_export_date"] not in {rule_text(p.rule) for p in data.problems}
    assert "B07" in set(data.frame["trajectory_id"])


def test_re_entry_on_the_exit_day_is_not_an_overlap() -> None:
    # english.csv: P001 leaves T001 on 2019-11-30 and enters T004 the same day
    frame = read_monitor(ENGLISH).frame
    assert list(frame.loc[frame["person_id"] == "P001", "trajectory_id"]) == ["T001", "T004"]


def test_open_stays_of_one_person_overlap(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.csv",
        "trajectory_id,person_id,pilot,intake_date,exit_date,exit_reason,formal_status\n"
        "A,P,utrecht,2019-05-01,,,true\n"
        "B,P,rotterdam,2020-05-01,,,true\n"
        "C,Q,utrecht,2019-05-01,2019-06-01,MOB,true\n",
    )
    data = read_monitor(path, strict=False)
    assert [(p.row, p.column, p.value) for p in data.problems] == [(2, "person_id", "P"), (3, "person_id", "P")]
    assert list(data.frame["trajectory_id"]) == ["C"]


def test_strict_false_excludes_rows_with_reasons_and_flow_adds_up() -> None:
    data = read_monitor(BROKEN, export_date=EXPORT_DATE, strict=False)
    assert list(data.frame["trajectory_id"]) == ["B01"]
    ex = data.exclusions
    assert tuple(ex.columns) == EXCLUSION_COLUMNS
    assert list(ex["row"]) == list(range(3, 24))
    assert ex.loc[ex["row"] == 3, "reasons"].item() == RULES["unknown_pilot"]
    assert ex.loc[ex["row"] == 22, "trajectory_id"].item() == "B21"
    flow = data.flow.set_index("step")["rows"]
    assert flow["data rows in file"] == 22
    assert flow["rows read"] == 22
    assert flow["rows excluded"] == 21 and flow["rows analysed"] == 1
    assert flow["rows read"] == flow["rows excluded"] + flow["rows analysed"]
    per_reason = flow[[s for s in flow.index if s.startswith("excluded, first reason: ")]]
    assert per_reason.sum() == flow["rows excluded"]
    assert flow[excluded_step(RULES["duplicate_trajectory_id"])] == 2
    summary = data.problem_summary()
    assert summary["problems"].sum() == 21
    assert summary.loc[summary["rule"] == RULES["overlapping_stays"], "first_rows"].item() == "13, 14"


def test_a_row_with_several_problems_is_counted_once_under_its_first_rule(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.csv",
        "trajectory_id,person_id,pilot,intake_date,exit_date,exit_reason,formal_status\n"
        "A,P,delft,2018-01-01,,MOB,nee\n"
        "\n"
        "B,Q,utrecht,2019-05-01,,,ja\n",
    )
    data = read_monitor(path, strict=False)
    assert {(p.row, p.column) for p in data.problems} == {(2, "pilot"), (2, "intake_date"), (2, "exit_date")}
    assert data.exclusions["reasons"].item() == "; ".join(
        [RULES["unknown_pilot"], RULES["exit_reason_without_exit_date"], RULES["intake_too_early"]]
    )
    flow = data.flow.set_index("step")["rows"]
    assert flow["data rows in file"] == 3 and flow["empty rows skipped"] == 1
    assert flow["rows read"] == 2 and flow[excluded_step(RULES["unknown_pilot"])] == 1
    # the row's other reasons get no line of their own: it is counted once, under its first reason
    assert excluded_step(RULES["intake_too_early"]) not in flow.index
    assert all("(all reasons: see exclusions)" in step for step in flow.index if step.startswith("excluded, "))
    assert flow["rows analysed"] == 1
    assert any("empty rows skipped" in n.rule for n in data.notes)


def test_missing_required_columns_one_problem_each_with_closest_header(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.csv",
        "trajectory_id,persoon,pilott,intake_date,exit_date,formal_status\nA,P,utrecht,2019-02-30,,true\n",
    )
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path, strict=False)  # structural problems raise even when not strict
    found = {(p.row, p.column, p.value) for p in exc.value.problems}
    assert (None, "person_id", "persoon") in found
    assert (None, "pilot", "pilott") in found
    assert (None, "exit_reason", "") in found
    assert (2, "intake_date", "2019-02-30") in found  # row problems reported at once
    assert len(found) == 4
    missing_pilot = next(p for p in exc.value.problems if p.column == "pilot")
    assert "closest header in the file: 'pilott'" in missing_pilot.rule


def test_column_given_twice_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.csv",
        "trajectory_id,person_id,pilot,Gemeente,intake_date,exit_date,exit_reason,"
        "formal_status\nA,P,utrecht,utrecht,2019-05-01,,,true\n",
    )
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path)
    [problem] = exc.value.problems
    assert (problem.row, problem.column) == (1, "Gemeente")
    assert "also as 'pilot'" in problem.rule


def test_unknown_columns_are_notes_not_errors() -> None:
    data = read_monitor(BROKEN, export_date=EXPORT_DATE, strict=False)
    assert [(n.column, n.rule) for n in data.notes] == [
        ("opmerking", "unknown column, not part of the monitor format; ignored")
    ]
    assert "opmerking" not in data.frame.columns


def test_unquoted_decimal_comma_in_comma_file_reports_the_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.csv",
        "trajectory_id,person_id,pilot,intake_date,exit_date,exit_reason,formal_status,"
        "birth_year\nA,P,utrecht,2019-05-01,,,true,1980\n"
        "B,Q,utrecht,2019-05-01,,,true,1980,0\n",
    )
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path, strict=False)
    [problem] = exc.value.problems
    assert problem.row == 3 and "9 fields but the header has 8" in problem.rule


def test_declared_pilot_table_extends_the_pilots(tmp_path: Path) -> None:
    pilots = _write(tmp_path / "pilots.csv", "pilot,name\nutrecht,Utrecht\nden_haag,Den Haag\n")
    path = _write(
        tmp_path / "m.csv",
        "trajectory_id,person_id,pilot,intake_date,exit_date,exit_reason,formal_status\n"
        "A,P,Den_Haag,2019-05-01,,,true\n",
    )
    frame = read_monitor(path, pilots_file=pilots).frame
    assert frame["pilot"].tolist() == ["den_haag"]
    assert list(frame["pilot"].cat.categories) == ["den_haag", "utrecht"]
    with pytest.raises(InputValidationError):
        read_monitor(path)


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.csv",
        "TRAJECTORY_ID , person_id,pilot,intake_date,exit_date,exit_reason,"
        "formal_status\n"
        "A,P,utrecht,2019-05-01,2019-06-01,Art. 64 Vw,1\n",
    )
    data = read_monitor(path)
    assert tuple(data.frame.columns) == schema.COLUMN_NAMES
    assert data.frame["exit_reason"].tolist() == ["departure_postponed_art64"]
    assert data.frame["scenario"].isna().all() and data.frame["birth_year"].isna().all()
    assert str(data.frame["birth_year"].dtype) == "Int64"
    assert any(n.rule.startswith("optional columns absent") for n in data.notes)


def test_header_only_file_gives_an_empty_frame(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.csv", ",".join(schema.COLUMN_NAMES) + "\n")
    data = read_monitor(path)
    assert data.frame.empty and tuple(data.frame.columns) == schema.COLUMN_NAMES
    assert data.flow.set_index("step")["rows"]["rows analysed"] == 0


@pytest.mark.parametrize(
    "content, name",
    [
        (b"", "empty.csv"),
        (b"  \n\n", "blank.csv"),
        ("trajectory_id;pilot\nA;G\xe9meente\n".encode("utf-16-le"), "utf16.csv"),  # no BOM
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image.csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls"),
        (b"not a zip", "fake.xlsx"),
        (b"just,some,words\n1,2,3\n", "other.csv"),  # no monitor column at all
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableInputError):
        read_monitor(path)


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError) as exc:
        read_monitor(path)
    assert str(exc.value) == f"file not found: {path}"


def test_invalid_export_date_is_a_config_error() -> None:
    from lvv_eval.errors import ConfigError

    with pytest.raises(ConfigError, match="is not a date"):
        read_monitor(ENGLISH, export_date="1 november")
    with pytest.raises(ConfigError, match="'2022-02-30' does not exist"):
        read_monitor(ENGLISH, export_date="2022-02-30")


def test_peildatum_keyword_is_a_deprecated_alias_of_export_date() -> None:
    from lvv_eval.errors import ConfigError

    with pytest.warns(DeprecationWarning, match="export_date"):
        data = read_monitor(BROKEN, peildatum=EXPORT_DATE, strict=False)
    assert data.export_date == pd.Timestamp(EXPORT_DATE)
    assert RULES["after_export_date"] in {rule_text(p.rule) for p in data.problems}
    with pytest.raises(ConfigError, match="export_date only"):
        read_monitor(BROKEN, peildatum=EXPORT_DATE, export_date=EXPORT_DATE)


# --------------------------------------------------------------------------- writing
def test_write_then_read_round_trip_and_canonical_bytes(tmp_path: Path) -> None:
    frame = read_monitor(DUTCH).frame
    out = write_monitor(frame, tmp_path / "sub" / "canonical.csv")
    assert out.read_bytes() == ENGLISH.read_bytes()  # english.csv is in canonical form
    again = read_monitor(out).frame
    pd.testing.assert_frame_equal(again, frame)


def test_write_sorts_by_trajectory_id_and_is_deterministic(tmp_path: Path) -> None:
    frame = read_monitor(ENGLISH).frame
    shuffled = frame.iloc[[3, 0, 6, 2, 5, 1, 4]]
    a = write_monitor(shuffled, tmp_path / "a.csv").read_bytes()
    b = write_monitor(frame, tmp_path / "b.csv").read_bytes()
    assert a == b
    lines = a.decode("utf-8").splitlines()
    assert lines[0] == ",".join(schema.COLUMN_NAMES)
    assert lines[2] == "T002,P002,amsterdam,2019-06-01,,,false,,,f,1990,ERI,true,false,0,false"


def test_write_requires_every_monitor_column(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pilot"):
        write_monitor(read_monitor(ENGLISH).frame.drop(columns="pilot"), tmp_path / "x.csv")


def test_round_trip_of_a_larger_generated_frame(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 2000
    intake = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    exited = rng.random(n) < 0.6
    exit_date = pd.Series(intake + pd.to_timedelta(rng.integers(0, 400, n), unit="D")).where(exited)
    frame = pd.DataFrame(
        {
            "trajectory_id": pd.array([f"T{i:05d}" for i in range(n)], dtype="string"),
            "person_id": pd.array([f"P{i:05d}" for i in range(n)], dtype="string"),
            "pilot": pd.Categorical(
                rng.choice(["utrecht", "groningen"], n),
                categories=["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"],
            ),
            "intake_date": pd.Series(intake).astype("datetime64[us]"),
            "exit_date": exit_date.astype("datetime64[us]"),
            "exit_reason": pd.Categorical(
                np.where(exited, rng.choice(EXIT_REASON_CODES, n), None), categories=list(EXIT_REASON_CODES)
            ),
            "formal_status": pd.array(rng.random(n) < 0.9, dtype="boolean"),
            "scenario": pd.Categorical(
                rng.choice(["departure", "residence", None], n), categories=["departure", "residence"]
            ),
            "scenario_date": pd.Series(intake + pd.Timedelta(days=20)).astype("datetime64[us]"),
            "sex": pd.Categorical(rng.choice(["m", "f", "x", None], n), categories=["m", "f", "x"]),
            "birth_year": pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(1950, 2005, n)), dtype="Int64"),
            "nationality": pd.array(rng.choice(["IRQ", "ERI", None], n), dtype="string"),
            "family": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "safe_country": pd.array(rng.random(n) < 0.2, dtype="boolean"),
            "prior_departure_procedures": pd.array(rng.integers(0, 4, n), dtype="Int64"),
            "mrt": pd.array(rng.random(n) < 0.05, dtype="boolean"),
        }
    )
    back = read_monitor(write_monitor(frame, tmp_path / "big.csv"), export_date="2023-12-31")
    pd.testing.assert_frame_equal(back.frame, frame)


# --------------------------------------------------------------------------- raw file
@pytest.mark.parametrize("fixture", [ENGLISH, DUTCH, BROKEN])
def test_raw_file_is_never_modified(tmp_path: Path, fixture: Path) -> None:
    path = tmp_path / fixture.name
    shutil.copy2(fixture, path)
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # read-only
    before_bytes, before_mtime = path.read_bytes(), path.stat().st_mtime_ns
    data = read_monitor(path, strict=False)
    try:
        read_monitor(path, export_date=EXPORT_DATE)
    except InputValidationError:
        pass
    assert main(["validate", str(path), "--exclusions", str(tmp_path / "ex.csv")]) in (0, 1)
    assert path.read_bytes() == before_bytes
    assert path.stat().st_mtime_ns == before_mtime
    import hashlib

    assert data.source.sha256 == hashlib.sha256(before_bytes).hexdigest()


# --------------------------------------------------------------------------- command line
def test_cli_valid_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DUTCH)]) == 0
    out = capsys.readouterr().out
    assert "VALID" in out and "rows analysed" in out


def test_cli_broken_file_exits_1_and_groups_by_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_csv = tmp_path / "excluded.csv"
    status = main(["validate", str(BROKEN), "--export-date", EXPORT_DATE, "--exclusions", str(out_csv)])
    assert status == 1
    out = capsys.readouterr().out
    assert f"{RULES['duplicate_trajectory_id']}: 2 problem(s) in 2 row(s)" in out
    assert "row 3, column 'pilot': 'Amsterdm'" in out
    excluded = pd.read_csv(out_csv)
    assert list(excluded.columns) == list(EXCLUSION_COLUMNS)
    assert excluded["row"].tolist() == list(range(3, 24))


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BROKEN), "--export-date", EXPORT_DATE, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert (report["rows_read"], report["rows_excluded"], report["rows_analysed"]) == (22, 21, 1)
    assert len(report["problems"]) == len(EXPECTED_BROKEN)
    by_rule = {r["rule"]: r for r in report["problems_by_rule"]}
    assert by_rule[RULES["duplicate_trajectory_id"]]["first_rows"] == "11, 12"
    assert report["export_date"] == EXPORT_DATE
    assert main(["validate", str(ENGLISH), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


def test_cli_missing_column_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "m.csv", "trajectory_id,person_id,pilot\nA,P,utrecht\n")
    assert main(["validate", str(path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {p["column"] for p in report["problems"]} == {"intake_date", "exit_date", "exit_reason", "formal_status"}


@pytest.mark.parametrize("content", [None, b"", b"\xff\xfeA\x00B\x00", b"\x00\x01\x02"])
def test_cli_unreadable_exits_2(tmp_path: Path, content: bytes | None, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    if content is None:  # a missing file: a short message, not the operating system's text
        assert err == f"error: file not found: {path}\n"
    else:
        assert f"error: cannot read {path}: " in err and err.count(str(path)) == 1


def test_cli_refuses_to_write_exclusions_over_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.csv"
    shutil.copy2(ENGLISH, path)
    before = path.read_bytes()
    assert main(["validate", str(path), "--exclusions", str(path)]) == 2
    assert path.read_bytes() == before


def test_overlap_detection_matches_a_pairwise_check(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 300
    person = rng.integers(0, 60, n)
    intake = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    length = rng.integers(0, 120, n)
    open_ = rng.random(n) < 0.15
    exit_date = [
        None if o else (i + pd.Timedelta(days=int(d))).date().isoformat() for i, d, o in zip(intake, length, open_)
    ]
    lines = ["trajectory_id,person_id,pilot,intake_date,exit_date,exit_reason,formal_status"]
    for k in range(n):
        reason = "" if exit_date[k] is None else "MOB"
        lines.append(f"T{k:04d},P{person[k]},utrecht,{intake[k].date().isoformat()},{exit_date[k] or ''},{reason},true")
    path = _write(tmp_path / "m.csv", "\n".join(lines) + "\n")
    flagged = {
        p.row for p in read_monitor(path, strict=False).problems if rule_text(p.rule) == RULES["overlapping_stays"]
    }
    start = intake.to_numpy()
    end = [pd.Timestamp.max if e is None else pd.Timestamp(e) for e in exit_date]
    expected = set()
    for a in range(n):
        for b in range(a + 1, n):
            nonempty = end[a] > start[a] and end[b] > start[b]
            if person[a] == person[b] and nonempty and start[a] < end[b] and start[b] < end[a]:
                expected |= {a + 2, b + 2}
    assert expected and flagged == expected


# --------------------------------------------------------------------------- all structure problems at once
def test_header_and_field_count_problems_are_reported_together(tmp_path: Path) -> None:
    # Dutch headers, 'formeel' for formele_lvv_status, row 3 with an extra field, row 4 with a bad date
    path = _write(
        tmp_path / "m.csv",
        "Traject ID;Persoon_ID;Gemeente;Datum instroom;datum_uitstroom;Reden uitstroom;"
        "formeel\nT1;P1;utrecht;01-05-2019;;;ja\nT2;P2;utrecht;01-05-2019;;;ja;extra\n"
        "T3;P3;utrecht;31-02-2019;;;ja\n",
    )
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path, strict=False)
    found = {(p.row, p.column, p.value, rule_text(p.rule)) for p in exc.value.problems}
    assert found == {
        (None, "formal_status", "formeel", "required column is missing"),
        (3, None, "T2;P2;utrecht;01-05-2019;;;ja;extra", "row has 8 fields but the header has 7"),
        (4, "Datum instroom", "31-02-2019", RULES["invalid_date"]),
    }
    missing = next(p for p in exc.value.problems if p.column == "formal_status")
    assert "closest header in the file: 'formeel'" in missing.rule


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("formeel", "formal_status"),  # abbreviation of the Dutch alias
        ("persoon", "person_id"),  # prefix of the Dutch alias
        ("traj_id", "trajectory_id"),  # abbreviation of the English name
        ("Datum_instr", "intake_date"),  # abbreviation of the Dutch alias
        ("uitstroomreden", "exit_reason"),  # words swapped: no prefix, but similar enough
    ],
)
def test_missing_column_names_the_closest_header(tmp_path: Path, header: str, column: str) -> None:
    names = [c for c in schema.REQUIRED_COLUMNS if c != column]
    path = _write(tmp_path / "m.csv", ",".join(names + [header, "opmerking"]) + "\n")
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path)
    [problem] = exc.value.problems
    assert (problem.column, problem.value) == (column, header)
    assert f"closest header in the file: {header!r}" in problem.rule


def test_missing_column_without_similar_header_says_so(tmp_path: Path) -> None:
    names = [c for c in schema.REQUIRED_COLUMNS if c != "formal_status"]
    path = _write(tmp_path / "m.csv", ",".join(names + ["opmerking"]) + "\n")
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path)
    [problem] = exc.value.problems
    assert problem.value == "" and "no similar header" in problem.rule


def test_cli_lists_header_and_field_count_problems_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path / "m.csv",
        "Traject ID;Persoon_ID;Gemeente;Datum instroom;datum_uitstroom;Reden uitstroom;"
        "formeel\nT1;P1;utrecht;01-05-2019;;;ja\nT2;P2;utrecht;01-05-2019;;;ja;extra\n",
    )
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "required column is missing: 1 problem(s)" in out
    assert "closest header in the file: 'formeel'" in out
    assert "row has 8 fields but the header has 7: 1 problem(s) in 1 row(s)" in out


# --------------------------------------------------------------------------- export date, formats
def test_cli_peildatum_is_a_deprecated_alias_of_export_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BROKEN), "--peildatum", EXPORT_DATE, "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert "deprecated" in captured.err and "--export-date" in captured.err
    report = json.loads(captured.out)
    assert report["export_date"] == EXPORT_DATE
    assert RULES["after_export_date"] in {r["rule"] for r in report["problems_by_rule"]}
    assert main(["validate", str(BROKEN), "--peildatum", EXPORT_DATE, "--export-date", EXPORT_DATE]) == 2


def test_cli_csv_lists_one_line_per_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BROKEN), "--export-date", EXPORT_DATE, "--format", "csv"]) == 1
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False, dtype=str)
    assert list(table.columns) == ["file", "row", "column", "value", "rule"]
    found = {(int(r.row), r.column, r.value, rule_text(r.rule)) for r in table.itertuples()}
    assert found == EXPECTED_BROKEN
    assert main(["validate", str(ENGLISH), "--format", "csv"]) == 0
    assert capsys.readouterr().out == "file,row,column,value,rule\n"


def test_cli_header_less_file_names_the_path_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "m.csv", "1,2,3\n4,5,6\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot read {path}: no monitor column found")
    assert err.count(str(path)) == 1


def test_cli_output_into_a_closed_pipe_is_no_traceback(tmp_path: Path) -> None:
    lines = ["trajectory_id,person_id,pilot,intake_date,exit_date,exit_reason,formal_status"]
    lines += [f"T{i},P{i},delft,2019-05-01,,,true" for i in range(3000)]  # > a pipe buffer of output
    path = _write(tmp_path / "m.csv", "\n".join(lines) + "\n")
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "lvv_eval", "validate", str(path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.wait()
    assert "Traceback" not in err and "BrokenPipeError" not in err
