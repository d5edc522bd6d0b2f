"""`lvv-eval classify` and `lvv-eval schemes`: outputs, exit codes, error reports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.cli import main
from lvv_eval.paths import SCHEMES_DIR
from lvv_eval.reference.schemes import SCHEMES_DIR_ENV

FIXTURES = Path(__file__).parent / "fixtures" / "classify"
DUTCH = FIXTURES / "monitor_dutch.csv"  # semicolon, BOM, Dutch column names and labels, dd-mm-yyyy
CODES = FIXTURES / "monitor_codes.csv"  # the same 28 trajectories with English names and codes


@pytest.fixture(autouse=True)
def _no_user_schemes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCHEMES_DIR_ENV, raising=False)


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(argv + ["--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


# The fixture holds 24 exits and 4 people still in the LVV: 3 residence permits, 2 independent
# returns, 1 onward migration, 2 forced returns, 3 repeat applications, 2 art. 64, 3 MOB and one
# each of the other eight codes.
@pytest.mark.parametrize(
    ("scheme", "by_class"),
    [
        ("regioplan-2022", {"durable": 6, "semi_durable": 5, "none": 13}),
        ("verwey-jonker-2021", {"durable": 6, "semi_durable": 5, "none": 13}),
        ("monitor-2020", {"durable": 8, "temporary": 5, "none": 11}),
        ("regioplan-2020", {"durable": 8, "not_durable": 16}),
    ],
)
def test_classify_json_per_scheme(scheme: str, by_class: dict[str, int], capsys) -> None:
    out = _json(["classify", "--scheme", scheme, str(DUTCH)], capsys)
    assert out["scheme"] == scheme
    assert out["column"] == "reden_uitstroom"
    assert (out["total"], out["exited"], out["still_in_lvv"]) == (28, 24, 4)
    assert {r["class"]: r["count"] for r in out["by_class"]} == by_class
    assert [r["class"] for r in out["by_class"]] == list(by_class)  # scheme order
    per_code = {r["exit_reason"]: (r["class"], r["count"]) for r in out["by_exit_reason"]}
    assert len(per_code) == 15
    assert per_code["left_unknown_destination"][1] == 3
    assert per_code["forced_return"] == (
        {"monitor-2020": "durable", "regioplan-2020": "durable"}.get(scheme, "none"),
        2,
    )


def test_dutch_labels_and_codes_give_the_same_counts(capsys) -> None:
    dutch = _json(["classify", "--scheme", "monitor-2020", str(DUTCH)], capsys)
    codes = _json(["classify", "--scheme", "monitor-2020", str(CODES)], capsys)
    assert codes["column"] == "exit_reason"
    assert dutch["by_class"] == codes["by_class"]
    assert dutch["by_exit_reason"] == codes["by_exit_reason"]


def test_classify_text_output(capsys) -> None:
    assert main(["classify", "--scheme", "verwey-jonker-2021", str(DUTCH)]) == 0
    out = capsys.readouterr().out
    assert "28 rows, 24 exited, 4 still in the LVV" in out
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.strip()}
    assert lines["durable"] == "6" and lines["in_lvv"] == "4" and lines["total"] == "28"
    assert lines["forced_return"] == "2"


def test_classify_csv_output(capsys) -> None:
    assert main(["classify", "--scheme", "regioplan-2020", str(CODES), "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert table.columns.tolist() == ["level", "key", "class", "count"]
    by_key = dict(zip(table["key"], table["count"]))
    assert (by_key["durable"], by_key["not_durable"], by_key["in_lvv"], by_key["total"]) == (8, 16, 4, 28)
    assert table.loc[table["level"] == "exit_reason", "count"].sum() == 24


def test_classify_xlsx(tmp_path: Path, capsys) -> None:
    path = tmp_path / "monitor.xlsx"
    pd.read_csv(CODES, dtype="str", keep_default_na=False).to_excel(path, index=False)
    out = _json(["classify", "--scheme", "monitor-2020", str(path)], capsys)
    assert {r["class"]: r["count"] for r in out["by_class"]} == {"durable": 8, "temporary": 5, "none": 11}
    assert out["still_in_lvv"] == 4


def test_classify_tab_separated_with_dutch_header_spelling(tmp_path: Path, capsys) -> None:
    path = tmp_path / "monitor.tsv"
    path.write_text(
        "Gemeente\tReden uitstroom\nutrecht\tMOB\nutrecht\t\ngroningen\tgedwongen vertrek\n", encoding="utf-8"
    )
    out = _json(["classify", "--scheme", "verwey-jonker-2021", str(path)], capsys)
    assert out["column"] == "Reden uitstroom"
    assert {r["class"]: r["count"] for r in out["by_class"]} == {"durable": 0, "semi_durable": 0, "none": 2}
    assert out["still_in_lvv"] == 1


def test_unknown_labels_exit_1_with_suggestions(capsys) -> None:
    path = FIXTURES / "monitor_unknown_labels.csv"
    assert main(["classify", "--scheme", "monitor-2020", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert "3 unknown exit reason(s) in 4 row(s)" in err
    assert "'MOBB': unknown exit reason (2 rows: 2, 6); closest known: left_unknown_destination" in err
    assert "'gedwongen vetrek': unknown exit reason (1 row: 4); closest known: forced_return" in err
    assert "'kinderpardon': unknown exit reason (1 row: 7); no known exit reason is close" in err


def test_unknown_labels_json(capsys) -> None:
    path = FIXTURES / "monitor_unknown_labels.csv"
    assert main(["classify", "--scheme", "monitor-2020", str(path), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert sorted(p["value"] for p in out["problems"]) == ["MOBB", "gedwongen vetrek", "kinderpardon"]
    assert all(p["column"] == "exit_reason" and p["file"] == str(path) for p in out["problems"])


def test_missing_exit_reason_column_exit_1(capsys) -> None:
    assert main(["classify", "--scheme", "monitor-2020", str(FIXTURES / "monitor_no_exit_column.csv")]) == 1
    assert "no exit-reason column" in capsys.readouterr().err


def test_two_exit_reason_columns_exit_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "both.csv"
    path.write_text("exit_reason,Reden uitstroom\nMOB,MOB\n", encoding="utf-8")
    assert main(["classify", "--scheme", "monitor-2020", str(path)]) == 1
    assert "two exit-reason columns" in capsys.readouterr().err


def test_unknown_scheme_exit_2(capsys) -> None:
    assert main(["classify", "--scheme", "monitor-2021", str(CODES)]) == 2
    err = capsys.readouterr().err
    assert "unknown classification scheme 'monitor-2021'" in err and "did you mean monitor-2020" in err


def test_invalid_scheme_file_exit_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nclasses: [\n", encoding="utf-8")
    assert main(["classify", "--scheme", str(path), str(CODES)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_latin1_is_read_like_validate_and_a_missing_file_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("exit_reason\nverblijf gedwongen beëindigd\n".encode("latin-1"))
    counts = _json(["classify", "--scheme", "monitor-2020", str(path)], capsys)
    assert {r["exit_reason"]: r["count"] for r in counts["by_exit_reason"]}["stay_terminated"] == 1
    assert main(["classify", "--scheme", "monitor-2020", str(tmp_path / "absent.csv")]) == 2


def test_user_scheme_without_code_changes(tmp_path: Path, capsys) -> None:
    text = (SCHEMES_DIR / "regioplan-2022.yaml").read_text(encoding="utf-8")
    text = text.replace("name: regioplan-2022", "name: forced-durable")
    text = text.replace("  forced_return: none\n", "  forced_return: durable\n")
    (tmp_path / "forced-durable.yaml").write_text(text, encoding="utf-8")
    by_path = _json(["classify", "--scheme", str(tmp_path / "forced-durable.yaml"), str(DUTCH)], capsys)
    by_dir = _json(["classify", "--scheme", "forced-durable", "--schemes-dir", str(tmp_path), str(DUTCH)], capsys)
    assert by_path == by_dir
    assert {r["class"]: r["count"] for r in by_path["by_class"]} == {"durable": 8, "semi_durable": 5, "none": 11}
    listed = _json(["schemes", "--schemes-dir", str(tmp_path)], capsys)
    assert [s["name"] for s in listed] == [
        "forced-durable",
        "monitor-2020",
        "regioplan-2020",
        "regioplan-2020-independent",
        "regioplan-2022",
        "verwey-jonker-2021",
    ]


# --------------------------------------------------------------------------- lvv-eval schemes


def test_schemes_list(capsys) -> None:
    assert main(["schemes"]) == 0
    out = capsys.readouterr().out
    for name in ("monitor-2020", "regioplan-2020", "regioplan-2022", "verwey-jonker-2021"):
        assert name in out
    assert "durable | semi_durable | none" in out
    listed = _json(["schemes"], capsys)
    assert [s["source"]["document"] for s in listed] == [
        "002_1f6dbbe6756677e4.txt",
        "001_08a3e7995258f26d.txt",
        "001_08a3e7995258f26d.txt",
        "004_b44b716732003f66.txt",
        "000_3514d6bc5a3a2801.txt",
    ]


def test_schemes_show(capsys) -> None:
    shown = _json(["schemes", "--show", "monitor-2020"], capsys)
    assert shown["mapping"]["forced_return"] == "durable"
    assert [c["id"] for c in shown["classes"]] == ["durable", "temporary", "none"]
    assert main(["schemes", "--show", "verwey-jonker-2021"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("verwey-jonker-2021: Interim evaluation")
    assert "forced_return" in text and "Notes:" in text
    assert main(["schemes", "--show", "regioplan-2022", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert len(table) == 15 and table.loc[3, "class"] == "none"


def test_schemes_crosswalk(capsys) -> None:
    assert main(["schemes", "--crosswalk", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False).set_index("code")
    assert table.loc["forced_return", "differs"] == "durable"
    assert table.loc["left_unknown_destination", "differs"] == "class"
    assert table.loc["residence_permit", "differs"] == ""


def test_schemes_show_unknown_exit_2(capsys) -> None:
    assert main(["schemes", "--show", "vji"]) == 2
    assert "unknown classification scheme" in capsys.readouterr().err


# --------------------------------------------------------------------------- classify --peildatum


def test_classify_at_a_peildatum_counts_the_file_as_it_stood_then(capsys) -> None:
    # monitor_dutch.csv on 2019-12-31 (dates read from the fixture): 4 trajectories start later
    # (left out), 6 had left by then (2 MOB, 1 residence permit, 1 independent return,
    # 1 repeat application, 1 other shelter), 18 were still in the LVV (every later exit included).
    assert (
        main(["classify", "--scheme", "monitor-2020", str(DUTCH), "--peildatum", "2019-12-31", "--format", "json"]) == 0
    )
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert (out["total"], out["exited"], out["still_in_lvv"]) == (24, 6, 18)
    assert (out["peildatum"], out["not_yet_started"]) == ("2019-12-31", 4)
    assert {r["class"]: r["count"] for r in out["by_class"]} == {"durable": 2, "temporary": 1, "none": 3}
    assert "note: 4 trajectories with intake after 2019-12-31 are not counted (not yet started)" in captured.err


def test_classify_at_a_late_peildatum_equals_no_peildatum(capsys) -> None:
    late = _json(["classify", "--scheme", "regioplan-2022", str(CODES), "--peildatum", "2030-01-01"], capsys)
    plain = _json(["classify", "--scheme", "regioplan-2022", str(CODES)], capsys)
    assert (late["peildatum"], late["not_yet_started"], plain["peildatum"]) == ("2030-01-01", 0, None)
    assert late["by_class"] == plain["by_class"] and late["by_exit_reason"] == plain["by_exit_reason"]


def test_classify_peildatum_lists_every_date_and_label_problem(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "exit_reason,intake_date,exit_date\nMOB,2019-05-01,\nMOBB,2019-02-30,2020-01-01\n,,2019-06-01\n",
        encoding="utf-8",
    )  # an all-empty row is skipped, as by validate
    assert main(["classify", "--scheme", "monitor-2020", str(path), "--peildatum", "2020-01-01"]) == 1
    err = capsys.readouterr().err
    assert "4 problem(s)" in err
    assert "row 2, column 'exit_date': value '': exit_reason is given but exit_date is empty" in err
    assert "row 3, column 'intake_date': value '2019-02-30': not a valid date" in err
    assert "row 4, column 'intake_date': value '': required value is missing" in err
    assert "'MOBB': unknown exit reason" in err
    assert (
        main(
            [
                "classify",
                "--scheme",
                "monitor-2020",
                str(FIXTURES / "monitor_no_exit_column.csv"),
                "--peildatum",
                "2020-01-01",
            ]
        )
        == 1
    )
    assert (
        main(
            [
                "classify",
                "--scheme",
                "monitor-2020",
                str(FIXTURES / "monitor_unknown_labels.csv"),
                "--peildatum",
                "2020-01-01",
            ]
        )
        == 1
    )
    assert "3 unknown exit reason(s) in 4 row(s)" in capsys.readouterr().err


def test_classify_peildatum_needs_the_date_columns(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.csv"
    path.write_text("exit_reason\nMOB\n", encoding="utf-8")
    assert main(["classify", "--scheme", "monitor-2020", str(path), "--peildatum", "2020-01-01"]) == 1
    err = capsys.readouterr().err
    assert "no intake_date column (or Dutch 'datum_instroom')" in err and "no exit_date column" in err


def test_classify_missing_file_and_impossible_peildatum(tmp_path: Path, capsys) -> None:
    absent = tmp_path / "absent.csv"
    assert main(["classify", "--scheme", "monitor-2020", str(absent)]) == 2
    assert capsys.readouterr().err == f"error: file not found: {absent}\n"
    with pytest.raises(SystemExit) as exc:
        main(["classify", "--scheme", "monitor-2020", str(CODES), "--peildatum", "2022-02-30"])
    assert exc.value.code == 2
    assert "'2022-02-30' does not exist" in capsys.readouterr().err
