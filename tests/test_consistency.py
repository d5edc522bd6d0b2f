"""Tests of lvv_eval.sources.consistency (checks.csv) and `lvv-eval published --check`.

Expected numbers are literals worked out from the seeds (cited per test).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.cli import main
from lvv_eval.errors import InputValidationError
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.sources.consistency import (
    KINDS,
    RESULT_COLUMNS,
    count_ranges,
    failures,
    load_checks,
    run_checks,
)
from lvv_eval.sources.published import load_figures

KNOWN_DISCREPANCIES = {
    "r20-free-rate-amsterdam-pct",  # 001 Tabel S.1: 69/360 = 19.2 %, printed 20 %
    "r20-occupancy-utrecht-azc-bound",  # 98 % of 230 > 268 - 33 - 10 % of 268
}


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    return run_checks().set_index("check_id")


def _copy(tmp_path: Path) -> Path:
    for name in ("figures.csv", "sources.csv", "checks.csv"):
        shutil.copy(PUBLISHED_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, key: str, changes: dict[str, str], id_column: str) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    for i, row in enumerate(rows):
        if row[id_column] == key:
            row.update(changes)
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
            return i + 2
    raise AssertionError(f"{key} not found")


# --- the shipped checks ------------------------------------------------------


def test_result_shape(results: pd.DataFrame) -> None:
    assert list(results.reset_index().columns) == list(RESULT_COLUMNS)
    assert results.index.is_unique
    assert set(results["kind"]) == set(KINDS)
    assert str(results["count_low"].dtype) == "Int64"
    assert results["passed"].dtype == bool


def test_no_unexpected_failures(results: pd.DataFrame) -> None:
    assert failures(results.reset_index()).empty
    assert set(results.index[results["status"] == "known_discrepancy"]) == KNOWN_DISCREPANCIES
    assert set(results.index[~results["passed"]]) == KNOWN_DISCREPANCIES


def test_required_checks_are_present(results: pd.DataFrame) -> None:
    required = {
        "r20-intake-total-sum",
        "r20-intake-amsterdam-sum",
        "m20-capacity-sum",
        "m20-durable-sum",
        "m20-departure-sum",
        "m20-scenarios-departure-sum",
        "m20-scenarios-sum",
        "r20-durable-rate-amsterdam-formal-pct",
        "r20-durable-rate-amsterdam-all-pct",
        "r20-durable-rate-eindhoven-pct",
        "r20-durable-rate-groningen-pct",
        "r20-durable-rate-rotterdam-pct",
        "r20-durable-rate-utrecht-pct",
        "r20-free-amsterdam-diff",
        "r20-free-eindhoven-diff",
        "r20-free-groningen-diff",
        "r20-free-rotterdam-diff",
        "r20-free-rate-amsterdam-pct",
        "r20-free-rate-eindhoven-pct",
        "r20-free-rate-groningen-pct",
        "r20-free-rate-rotterdam-pct",
        "r22-shares-sum",
        "r20-azc-groningen-count",
        "r20-azc-utrecht-count",
        "r20-mob-groningen-count",
        "r20-mob-rotterdam-count",
        "r20-occupancy-utrecht-bound",
    }
    assert required <= set(results.index)


@pytest.mark.parametrize(
    "check_id, expected",
    [
        ("r20-intake-total-sum", 1019),  # 001, Instroom op gang
        ("r20-intake-amsterdam-sum", 363),  # 001, Tabel S.1
        ("m20-capacity-sum", 1142),  # 002, Voortgang LVV's
        ("m20-durable-sum", 107),
        ("m20-departure-sum", 61),
        ("m20-scenarios-departure-sum", 236),
        ("m20-scenarios-sum", 471),
        ("r20-free-amsterdam-diff", 69),  # 001, Tabel S.1
        ("r20-free-eindhoven-diff", 100),
        ("r20-free-groningen-diff", 99),
        ("r20-free-rotterdam-diff", 44),
        ("r22-shares-sum", 100),  # 004: 18 + 41 + 41
    ],
)
def test_sums(results: pd.DataFrame, check_id: str, expected: int) -> None:
    row = results.loc[check_id]
    assert row["expected"] == expected
    assert row["computed"] == expected
    assert row["difference"] == 0
    assert row["status"] == "ok"


@pytest.mark.parametrize(
    "check_id, printed, computed, low, high",
    [
        # 001, Tabel S.2: durable outflow / intake
        ("r20-durable-rate-amsterdam-formal-pct", 1, 3 / 287 * 100, 2, 4),
        ("r20-durable-rate-amsterdam-all-pct", 1, 3 / 363 * 100, 2, 5),
        ("r20-durable-rate-eindhoven-pct", 3, 1 / 33 * 100, 1, 1),
        ("r20-durable-rate-groningen-pct", 3, 10 / 302 * 100, 8, 10),
        ("r20-durable-rate-rotterdam-pct", 9, 12 / 129 * 100, 11, 12),
        ("r20-durable-rate-utrecht-pct", 12, 33 / 268 * 100, 31, 33),
        # 001, Tabel S.1: free places / capacity
        ("r20-free-rate-eindhoven-pct", 77, 100 / 130 * 100, 100, 100),
        ("r20-free-rate-groningen-pct", 33, 99 / 300 * 100, 98, 100),
        ("r20-free-rate-rotterdam-pct", 38, 44 / 117 * 100, 44, 45),
    ],
)
def test_percentages(results: pd.DataFrame, check_id: str, printed: int, computed: float, low: int, high: int) -> None:
    row = results.loc[check_id]
    assert row["expected"] == printed
    assert row["computed"] == pytest.approx(computed)
    assert row["difference"] == pytest.approx(computed - printed)
    assert (row["count_low"], row["count_high"]) == (low, high)
    assert row["passed"] and row["status"] == "ok"


def test_amsterdam_free_rate_is_a_known_discrepancy(results: pd.DataFrame) -> None:
    # 001, Tabel S.1: "69 plaatsen vrij = 20%", 69 / 360 = 19.17 %; 71..73 would print as 20 %
    row = results.loc["r20-free-rate-amsterdam-pct"]
    assert not row["passed"] and row["known_discrepancy"]
    assert row["computed"] == pytest.approx(19.1667, abs=1e-4)
    assert row["difference"] == pytest.approx(-0.8333, abs=1e-4)
    assert (row["count_low"], row["count_high"]) == (71, 73)
    assert "r20-free-rate-amsterdam" in row["message"] and "-0.83" in row["message"]


def test_utrecht_occupancy_bounds(results: pd.DataFrame) -> None:
    # 001, Tabel S.1 footnote *: 98 % of 230 = 225.4 present; at most 268 - 33 = 235 present
    row = results.loc["r20-occupancy-utrecht-bound"]
    assert row["computed"] == pytest.approx(225.4)
    assert row["expected"] == 235
    assert row["difference"] == pytest.approx(-9.6)
    assert (row["count_low"], row["count_high"]) == (9, 10)  # implied other outflow
    assert row["passed"]
    # with 10 % of 268 (26..28) to state reception: at most 209 present, fewer than 225
    row = results.loc["r20-occupancy-utrecht-azc-bound"]
    assert row["expected"] == pytest.approx(268 - 33 - 26.8)
    assert row["difference"] == pytest.approx(225.4 - 208.2)
    assert not row["passed"] and row["status"] == "known_discrepancy"
    assert "by at least 16" in row["message"]


def test_other_bounds(results: pd.DataFrame) -> None:
    # 002: listed outflow 107+164+25+95+7+84 = 482 <= 1310 - 771 = 539
    row = results.loc["m20-outflow-bound"]
    assert (row["computed"], row["expected"]) == (482, 539)
    assert (row["count_low"], row["count_high"]) == (57, 57)
    # 000: Verwey-Jonker 43+50+2+170+20+100+76+76 = 537
    assert results.loc["vj21-outflow-bound", "computed"] == 537
    # 001: Amsterdam 291 present, at most 287 formal intake - 3 durable = 284 with formal status,
    # so at least 7 present are among the 76 without formal status (7 <= 76; slack 69)
    row = results.loc["r20-occupancy-amsterdam-formal-bound"]
    assert (row["computed"], row["expected"], row["passed"]) == (7, 76, True)
    assert (row["count_low"], row["count_high"]) == (69, 69)
    assert row["status"] == "ok" and not row["known_discrepancy"]
    # 002: 771 present <= 1142 places
    row = results.loc["m20-present-capacity-bound"]
    assert (row["computed"], row["expected"], row["passed"]) == (771, 1142, True)
    assert (row["count_low"], row["count_high"]) == (371, 371)
    # intake grows: 1019 (001) <= 1310 (002) <= 2065 (004), different populations
    row = results.loc["m20-intake-growth-bound"]
    assert (row["computed"], row["expected"], row["status"]) == (1019, 1310, "ok")
    row = results.loc["r22-intake-growth-bound"]
    assert (row["computed"], row["expected"], row["status"]) == (1310, 2065, "ok")


def test_count_ranges_of_2019_other_outflow() -> None:
    # 001, paragraph after Tabel S.2: percentages of total intake with unprinted counts
    cr = count_ranges().set_index("figure_id")
    expected = {
        "r20-azc-rate-groningen": (16, 302, 47, 49),
        "r20-azc-rate-utrecht": (10, 268, 26, 28),
        "r20-mob-rate-groningen": (8, 302, 23, 25),
        "r20-mob-rate-rotterdam": (18, 129, 23, 23),
        "r22-durable-share-total": (18, 1258, 221, 232),  # 004
        "r22-semi-share-total": (41, 1258, 510, 522),
    }
    for fid, (pct, den, low, high) in expected.items():
        row = cr.loc[fid]
        assert (row["percent"], row["denominator"], row["count_low"], row["count_high"]) == (pct, den, low, high), fid


def test_shares_check(results: pd.DataFrame) -> None:
    row = results.loc["r22-shares-counts"]
    assert row["passed"] and row["expected"] == 1258
    assert "120 combinations" in row["message"] and "(226, 516, 516)" in row["message"]


# --- deliberately wrong figures ---------------------------------------------


def test_wrong_count_is_named_with_its_difference(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "figures.csv", "m20-departure-groningen", {"value": "24"}, "figure_id")
    out = run_checks(load_figures(folder / "figures.csv")).set_index("check_id")
    bad = failures(out.reset_index())
    assert bad["check_id"].tolist() == ["m20-departure-sum"]
    row = out.loc["m20-departure-sum"]
    assert row["status"] == "FAILED" and row["difference"] == 1
    assert "m20-departure-total = 61" in row["message"] and "off by 1" in row["message"]
    assert "m20-departure-groningen" in row["figure_ids"]


def test_wrong_percentage_is_named_with_its_difference(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "figures.csv", "r20-free-rate-groningen", {"value": "35"}, "figure_id")
    out = run_checks(load_figures(folder / "figures.csv")).set_index("check_id")
    row = out.loc["r20-free-rate-groningen-pct"]
    assert row["status"] == "FAILED"
    assert row["difference"] == pytest.approx(-2.0)
    assert "r20-free-rate-groningen printed 35 %" in row["message"]
    assert "-2.00 percentage points" in row["message"]


def test_fixed_discrepancy_is_an_unexpected_pass(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "figures.csv", "r20-free-rate-amsterdam", {"value": "19"}, "figure_id")
    out = run_checks(load_figures(folder / "figures.csv"))
    assert failures(out)["check_id"].tolist() == ["r20-free-rate-amsterdam-pct"]
    assert failures(out)["status"].tolist() == ["unexpected_pass"]


# --- checks file errors -----------------------------------------------------


def test_load_checks_reports_every_problem(tmp_path: Path) -> None:
    path = _copy(tmp_path) / "checks.csv"
    r_kind = _edit(path, "m20-durable-sum", {"kind": "total"}, "check_id")
    r_den = _edit(path, "r20-durable-rate-utrecht-pct", {"denominator": ""}, "check_id")
    r_expr = _edit(path, "m20-scenarios-sum", {"terms": "m20-scenarios-departure-total +"}, "check_id")
    r_dec = _edit(path, "r22-shares-sum", {"decimals": "one"}, "check_id")
    r_known = _edit(path, "l18-network-sum", {"known_discrepancy": "maybe"}, "check_id")
    r_later = _edit(path, "m20-departure-sum", {}, "check_id")
    r_dupe = _edit(path, "m20-capacity-sum", {"check_id": "m20-departure-sum"}, "check_id")
    assert r_dupe < r_later  # the later row with the id is the one reported
    with pytest.raises(InputValidationError) as info:
        load_checks(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {
        (r_kind, "kind"),
        (r_den, "denominator"),
        (r_expr, "terms"),
        (r_dec, "decimals"),
        (r_known, "known_discrepancy"),
        (r_later, "check_id"),
    }
    dupe = next(p for p in info.value.problems if p.column == "check_id")
    assert f"also on row {r_dupe}" in dupe.rule
    assert len(info.value.problems) == 6


def test_unknown_figure_in_checks(tmp_path: Path) -> None:
    path = _copy(tmp_path) / "checks.csv"
    row = _edit(path, "m20-durable-sum", {"terms": "m20-granted-total + m20-departures-total"}, "check_id")
    with pytest.raises(InputValidationError) as info:
        run_checks(checks=load_checks(path))
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (row, "terms", "m20-departures-total")


def test_load_checks_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "checks.csv"
    path.write_text("check_id,kind\nx,sum\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as info:
        load_checks(path)
    assert (None, "terms") in {(p.row, p.column) for p in info.value.problems}


# --- command line: --check ---------------------------------------------------


def test_cli_check_passes_on_shipped_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--check"]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out.splitlines()[0]
    assert "known_discrepancy: r20-free-rate-amsterdam-pct" in out


def test_cli_check_strict_fails_on_known_discrepancies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--check", "--strict"]) == 1


def test_cli_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--check", "--format", "json"]) == 0
    captured = capsys.readouterr()
    records = {r["check_id"]: r for r in json.loads(captured.out)}
    assert records["m20-durable-sum"]["computed"] == 107
    assert "checks:" in captured.err


def test_cli_check_fails_on_wrong_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "figures.csv", "r20-intake-eindhoven", {"value": "34"}, "figure_id")
    assert main(["published", "--check", "--figures", str(folder / "figures.csv")]) == 1
    out = capsys.readouterr().out
    assert "FAILED: r20-intake-total-sum" in out and "off by 1" in out
    assert "FAILED: r20-durable-rate-eindhoven-pct" not in out  # 1/34 = 2.9 % still prints 3 %


def test_cli_check_broken_checks_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _copy(tmp_path)
    row = _edit(folder / "checks.csv", "m20-durable-sum", {"kind": "total"}, "check_id")
    assert main(["published", "--check", "--checks", str(folder / "checks.csv")]) == 1
    err = capsys.readouterr().err
    assert f"row {row}" in err and "unknown kind" in err


# --- readable text forms (count ranges mix a percentage and a count) ---------


def test_count_range_has_readable_text_and_keeps_its_numbers(results: pd.DataFrame) -> None:
    # 001_08a3e7995258f26d.txt, Tabel S.1: Utrecht about 98 % of 230 places occupied
    row = results.loc["r20-utrecht-occupancy-count"]
    assert (row["expected_text"], row["computed_text"]) == ("98 % of 230", "count 225..226")
    assert row["expected"] == 98 and row["computed"] == pytest.approx(225.4)
    assert pd.isna(row["difference"])
    # 001_08a3e7995258f26d.txt, Tabel S.2: 18 % of Rotterdam's intake of 129 -> exactly 23 people
    assert results.loc["r20-mob-rotterdam-count", "computed_text"] == "count 23"


def test_other_kinds_have_readable_text(results: pd.DataFrame) -> None:
    # 001_08a3e7995258f26d.txt, Tabel S.1: "69 plaatsen vrij = 20%" of 360 places
    pct = results.loc["r20-free-rate-amsterdam-pct"]
    assert (pct["expected_text"], pct["computed_text"]) == ("20 %", "19.17 % (69 of 360)")
    bound = results.loc["r20-occupancy-utrecht-azc-bound"]
    assert (bound["expected_text"], bound["computed_text"]) == ("<= 208.2 (207..209)", "225.4 (225..226)")
    assert results.loc["r22-shares-counts", "computed_text"] == "226 + 516 + 516 = 1258"
    assert results.loc["m20-durable-sum", "expected_text"] == "107"


def test_cli_check_text_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--check"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("r20-utrecht-occupancy-count"))
    assert "98 % of 230" in line and "count 225..226" in line
    assert "nan" not in line.lower() and "225.4" not in line
    pct_line = next(ln for ln in out.splitlines() if ln.strip().startswith("r20-free-rate-amsterdam-pct"))
    assert "19.17 % (69 of 360)" in pct_line and "-0.83 pp" in pct_line


def test_cli_check_csv_keeps_numbers_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--check", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("check_id")
    row = table.loc["r20-utrecht-occupancy-count"]
    assert row["expected"] == 98 and row["computed"] == pytest.approx(225.4)
    assert row["expected_text"] == "98 % of 230" and row["computed_text"] == "count 225..226"
