"""Tests of lvv_eval.sources.published and of `lvv-eval published` (listing).

Known answers are written here as literals, with the source file and table they
are printed in; they are never read from data/published.
"""

from __future__ import annotations

import csv
import json
import shutil
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.cli import main
from lvv_eval.errors import InputValidationError, LvvEvalError
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.sources.published import (
    FIGURE_COLUMNS,
    MEASURES,
    UnknownFigureError,
    figure,
    load_figures,
    load_sources,
    select,
    wide_table,
)
from lvv_eval.sources.rounding import percent_of, rounds_to

S1 = "001_08a3e7995258f26d.txt"  # Regioplan 2020 summary
M20 = "002_1f6dbbe6756677e4.txt"  # letter of 17 Nov 2020, programme monitor


@pytest.fixture(scope="module")
def figs() -> pd.DataFrame:
    return load_figures()


# --- helpers for broken copies ----------------------------------------------


def _copy(tmp_path: Path) -> Path:
    for name in ("figures.csv", "sources.csv"):
        shutil.copy(PUBLISHED_DIR / name, tmp_path / name)
    return tmp_path / "figures.csv"


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _edit(path: Path, key: str, changes: dict[str, str], id_column: str = "figure_id") -> int:
    """Change one row (found by id); return its spreadsheet row number."""
    header, rows = _rows(path)
    for i, row in enumerate(rows):
        if row[id_column] == key:
            row.update(changes)
            _write(path, header, rows)
            return i + 2
    raise AssertionError(f"{key} not found")


def _problems(exc: InputValidationError) -> set[tuple[int | None, str | None, str]]:
    return {(p.row, p.column, p.value) for p in exc.problems}


# --- loading ----------------------------------------------------------------


def test_load_figures_dtypes(figs: pd.DataFrame) -> None:
    assert tuple(figs.columns) == FIGURE_COLUMNS
    assert str(figs["peildatum"].dtype) == "datetime64[us]"
    assert figs["value"].dtype == "float64"
    assert str(figs["approximate"].dtype) == "boolean"
    for col in ("source_id", "pilot", "measure", "category", "unit"):
        assert isinstance(figs[col].dtype, pd.CategoricalDtype), col
    for col in ("figure_id", "locator", "period", "as_printed", "note"):
        assert pd.api.types.is_string_dtype(figs[col]), col
    assert figs["figure_id"].is_unique
    assert set(figs["measure"].astype(str)) <= set(MEASURES)
    # the planned funding of the 2018 letter has no peildatum
    assert pd.isna(figs.loc[figs["figure_id"] == "l18-eu-total", "peildatum"].iloc[0])
    assert figs.loc[figs["figure_id"] == "r20-occupancy-rate-utrecht", "approximate"].iloc[0]


def test_load_sources() -> None:
    sources = load_sources()
    assert sources["source_id"].tolist() == [
        "letter-2018",
        "regioplan-2020",
        "monitor-2020",
        "verwey-jonker-2021",
        "regioplan-2022",
    ]
    assert str(sources["peildatum"].dtype) == "datetime64[us]"
    row = sources.set_index("source_id").loc["regioplan-2020"]
    assert row["source_file"] == S1
    assert row["peildatum"] == pd.Timestamp("2019-12-31")


def test_figure_values_as_printed(figs: pd.DataFrame) -> None:
    assert figure("r20-intake-total", figs) == 1019.0  # 001, Instroom op gang: "1.019"
    assert figure("r20-intake-amsterdam", figs) == 363.0  # 001, Tabel S.1
    assert figure("m20-capacity-utrecht", figs) == 235.0  # 002, Voortgang LVV's
    assert figure("r20-capacity-utrecht", figs) == 230.0  # 001, Tabel S.1
    assert figure("l18-eu-total", figs) == 6.5  # 003, "6,5 miljoen"
    assert figure("r22-outflow-total") == 1258.0  # 004, default file


def test_programme_dates_durations_and_age(figs: pd.DataFrame) -> None:
    t = figs.set_index("figure_id")
    # 002 Voortgang LVV's: 'Vanaf de start van de pilots, 1 april 2019'
    assert (t.loc["m20-start-date-total", "value"], t.loc["m20-start-date-total", "period"]) == (2019, "2019-04-01")
    # 000: 'De pilots zijn gestart tussen maart en augustus 2019'
    assert t.loc["vj21-start-date-total", "period"] == "2019-03..2019-08"
    # 000 Vervolg pilots: convenants to 1 April 2022, extended by three months to 1 July 2022
    assert t.loc["vj21-convenant-end-total", "period"] == "2022-04-01"
    assert t.loc["vj21-convenant-end-extended-total", "period"] == "2022-07-01"
    assert figure("vj21-convenant-extension-total", figs) == 3
    assert figure("vj21-development-end-total", figs) == 2021  # 'tot eind 2021'
    assert figure("r22-pilot-end-total", figs) == 2022  # 004: 'eind 2022'
    assert t.loc["r20-evaluation-start-total", "period"] == "2019-05"  # 001: 'mei 2019 tot april 2020'
    assert t.loc["r20-evaluation-end-total", "period"] == "2020-04"
    assert figure("m20-safe-max-months-rotterdam", figs) == 3  # 002: 'maximaal drie maanden'
    # 001 'rond de veertig jaar', 002 'rond de 40': approximate
    for fid in ("r20-mean-age-total", "m20-mean-age-total"):
        assert figure(fid, figs) == 40 and t.loc[fid, "approximate"]
    new = t[t["measure"].isin(["programme_date", "duration_months", "mean_age_years"])]
    assert len(new) == 12 and new["peildatum"].isna().all()
    # 002: 'een zestal keer' is approximate; 003 prints no period for the 6.5 M EU subsidies
    assert t.loc["m20-monitor-rounds-total", "approximate"]
    assert t.loc["l18-eu-total", "period"] == ""


def test_figure_unknown_id_suggests_close_matches(figs: pd.DataFrame) -> None:
    with pytest.raises(UnknownFigureError) as info:
        figure("r20-intake-utrech", figs)
    assert "r20-intake-utrecht" in str(info.value)
    assert isinstance(info.value, KeyError) and isinstance(info.value, LvvEvalError)


# --- known answers recomputed from the loaded counts -----------------------


def test_tabel_s2_percentages(figs: pd.DataFrame) -> None:
    # 001_08a3e7995258f26d.txt, Tabel S.2: 1 % 3 % 3 % 9 % 12 % (durable outflow / intake)
    printed = {"amsterdam": 1, "eindhoven": 3, "groningen": 3, "rotterdam": 9, "utrecht": 12}
    for pilot, pct in printed.items():
        durable = figure(f"r20-durable-{pilot}", figs)
        intake = figure(f"r20-intake-{pilot}", figs)
        assert percent_of(durable, intake) == pct, pilot
    # Amsterdam fits both denominators: 3/287 = 1.05 %, 3/363 = 0.83 %
    assert rounds_to(figure("r20-durable-amsterdam", figs), figure("r20-intake-formal-amsterdam", figs), 1)
    assert rounds_to(figure("r20-durable-amsterdam", figs), figure("r20-intake-amsterdam", figs), 1)


def test_intake_total_1019(figs: pd.DataFrame) -> None:
    # 001, Instroom op gang: 1.019 = Amsterdam's 287 formal + 33 + 302 + 129 + 268
    parts = [
        "r20-intake-formal-amsterdam",
        "r20-intake-eindhoven",
        "r20-intake-groningen",
        "r20-intake-rotterdam",
        "r20-intake-utrecht",
    ]
    assert sum(figure(p, figs) for p in parts) == 1019
    assert figure("r20-intake-formal-amsterdam", figs) + figure("r20-intake-informal-amsterdam", figs) == 363


def test_monitor_2020_totals(figs: pd.DataFrame) -> None:
    pilots = ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]
    # 002, Voortgang LVV's: 1142 places; 107 = 46 + 61; 61 = 2+0+23+30+6; 471 = 236 + 235
    assert sum(figure(f"m20-capacity-{p}", figs) for p in pilots) == 1142
    assert figure("m20-granted-total", figs) + figure("m20-departure-total", figs) == 107
    assert sum(figure(f"m20-departure-{p}", figs) for p in pilots) == 61
    assert sum(figure(f"m20-scenarios-departure-{p}", figs) for p in pilots) == 236
    assert figure("m20-scenarios-departure-total", figs) + figure("m20-scenarios-residence-total", figs) == 471


def test_free_place_percentages(figs: pd.DataFrame) -> None:
    # 001, Tabel S.1: "69 plaatsen vrij = 20%", "100 ... = 77%", "99 ... = 33%", "44 ... = 38%"
    for pilot, free, pct in [("eindhoven", 100, 77), ("groningen", 99, 33), ("rotterdam", 44, 38)]:
        capacity = figure(f"r20-capacity-{pilot}", figs)
        assert capacity - figure(f"r20-occupancy-{pilot}", figs) == free
        assert percent_of(free, capacity) == pct
    # Amsterdam: 360 - 291 = 69, but 69 / 360 = 19.17 % prints as 19 %, not the printed 20 %
    assert figure("r20-capacity-amsterdam", figs) - figure("r20-occupancy-amsterdam", figs) == 69
    assert percent_of(69, figure("r20-capacity-amsterdam", figs)) == 19
    assert not rounds_to(69, 360, 20)


# --- select and wide_table ---------------------------------------------------


def test_select_filters(figs: pd.DataFrame) -> None:
    out = select(source="regioplan-2020", measure="outflow", category="durable", figures=figs)
    assert out["pilot"].astype(str).tolist() == ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]
    assert out["value"].tolist() == [3.0, 1.0, 10.0, 12.0, 33.0]  # 001, Tabel S.2
    both = select(measure="capacity", pilot=["utrecht", "total"], figures=figs)
    assert sorted(both["value"].tolist()) == [230.0, 235.0, 1142.0]
    dated = select(measure="capacity", peildatum="2020-11-01", figures=figs)
    assert set(dated["source_id"].astype(str)) == {"monitor-2020"}
    assert len(select(figures=figs)) == len(figs)


def test_select_unknown_value_is_an_error(figs: pd.DataFrame) -> None:
    with pytest.raises(UnknownFigureError, match="did you mean utrecht"):
        select(pilot="utrect", figures=figs)
    with pytest.raises(UnknownFigureError, match="unknown source_id"):
        select(source="regioplan-2019", figures=figs)


def test_wide_table_tabel_s1(figs: pd.DataFrame) -> None:
    t = wide_table("regioplan-2020", locator="Tabel S.1", figures=figs)
    assert t.index.tolist() == ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]
    assert t["capacity:places"].tolist() == [360.0, 130.0, 300.0, 117.0, 230.0]
    assert t.loc["amsterdam", "occupancy:persons"] == 291.0
    assert t.loc["rotterdam", "free_places:places"] == 44.0
    assert t.loc["groningen", "intake:all"] == 302.0
    assert pd.isna(t.loc["utrecht", "occupancy:persons"])  # no exact figure (footnote *)
    assert t.loc["utrecht", "occupancy_rate:of_capacity"] == 98.0


def test_wide_table_total_row_and_periods(figs: pd.DataFrame) -> None:
    t = wide_table("monitor-2020", figures=figs)
    assert t.index[-1] == "total"
    assert t.loc["total", "capacity:places"] == 1142.0
    assert t.loc["groningen", "scenarios:departure"] == 98.0
    letter = wide_table("letter-2018", figures=figs)
    assert letter.loc["total", "funding:municipalities:2020"] == 5.0


def test_wide_table_duplicate_cell_is_an_error(figs: pd.DataFrame) -> None:
    extra = figs.loc[figs["figure_id"] == "r20-intake-utrecht"].assign(figure_id="dupe")
    doubled = pd.concat([figs, extra], ignore_index=True)
    with pytest.raises(LvvEvalError, match="same cell"):
        wide_table("regioplan-2020", figures=doubled)


# --- loader error paths ------------------------------------------------------


def test_loader_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    r_unit = _edit(path, "r20-capacity-eindhoven", {"unit": "persons"})
    r_pilot = _edit(path, "r20-capacity-groningen", {"pilot": "Haarlem"})
    r_source = _edit(path, "r20-capacity-rotterdam", {"source_id": "regioplan-2019"})
    r_value = _edit(path, "r20-intake-utrecht", {"value": "2,68"})
    r_pct = _edit(path, "r20-durable-rate-utrecht", {"value": "112"})
    r_count = _edit(path, "r20-durable-groningen", {"value": "10.5"})
    r_neg = _edit(path, "r20-durable-rotterdam", {"value": "-1"})
    r_date = _edit(path, "r20-durable-eindhoven", {"peildatum": "31-12-2019"})
    r_bool = _edit(path, "r20-durable-amsterdam", {"approximate": "yes"})
    r_measure = _edit(path, "m20-mob-total", {"measure": "outflw"})
    r_empty = _edit(path, "m20-bbb-total", {"locator": ""})
    r_fid = _edit(path, "m20-terminated-total", {"figure_id": "M20 Terminated"})
    with pytest.raises(InputValidationError) as info:
        load_figures(path)
    found = _problems(info.value)
    assert (r_unit, "unit", "persons") in found
    assert (r_pilot, "pilot", "Haarlem") in found
    assert (r_source, "source_id", "regioplan-2019") in found
    assert (r_value, "value", "2,68") in found
    assert (r_pct, "value", "112") in found
    assert (r_count, "value", "10.5") in found
    assert (r_neg, "value", "-1") in found
    assert (r_date, "peildatum", "31-12-2019") in found
    assert (r_bool, "approximate", "yes") in found
    assert (r_measure, "measure", "outflw") in found
    assert (r_empty, "locator", "") in found
    assert (r_fid, "figure_id", "M20 Terminated") in found
    assert len(found) == 12
    assert all(p.file == str(path) for p in info.value.problems)
    measure_rule = next(p.rule for p in info.value.problems if p.column == "measure")
    assert "did you mean outflow" in measure_rule


def test_loader_duplicate_figure_id(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    header, rows = _rows(path)
    rows.append(dict(rows[0]))
    _write(path, header, rows)
    with pytest.raises(InputValidationError) as info:
        load_figures(path)
    (problem,) = info.value.problems
    assert problem.row == len(rows) + 1 and problem.column == "figure_id"
    assert "also on row 2" in problem.rule


def test_loader_missing_and_unexpected_columns(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    header, rows = _rows(path)
    header = [h if h != "unit" else "units" for h in header]
    for row in rows:
        row["units"] = row.pop("unit")
    _write(path, header, rows)
    with pytest.raises(InputValidationError) as info:
        load_figures(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert (None, "unit") in found and (1, "units") in found


def test_loader_uses_the_sources_next_to_the_figures(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    header, rows = _rows(tmp_path / "sources.csv")
    _write(tmp_path / "sources.csv", header, [r for r in rows if r["source_id"] != "letter-2018"])
    with pytest.raises(InputValidationError) as info:
        load_figures(path)
    assert {p.value for p in info.value.problems} == {"letter-2018"}
    assert {p.column for p in info.value.problems} == {"source_id"}


def test_loader_accepts_a_declared_new_pilot(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _edit(path, "r20-ngos-groningen", {"pilot": "zwolle"})
    with pytest.raises(InputValidationError):
        load_figures(path)
    pilots = tmp_path / "pilots.csv"
    shutil.copy(Path(__file__).parents[1] / "src/lvv_eval/data/pilots.csv", pilots)
    with pilots.open("a", encoding="utf-8") as fh:
        fh.write("zwolle,Zwolle,Overijssel,test\n")
    loaded = load_figures(path, pilots_path=pilots)
    assert "zwolle" in set(loaded["pilot"].astype(str))


def test_sources_errors(tmp_path: Path) -> None:
    path = _copy(tmp_path).parent / "sources.csv"
    header, rows = _rows(path)
    rows[1]["source_id"] = rows[0]["source_id"]
    rows[2]["peildatum"] = "1 nov 2020"
    rows[3]["source_file"] = ""
    _write(path, header, rows)
    with pytest.raises(InputValidationError) as info:
        load_sources(path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(3, "source_id"), (4, "peildatum"), (5, "source_file")}


def test_sources_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text("source_id,source_file\nx,y\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as info:
        load_sources(path)
    assert (None, "peildatum") in {(p.row, p.column) for p in info.value.problems}


# --- command line: listing ---------------------------------------------------


def test_cli_lists_filtered_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--source", "regioplan-2020", "--pilot", "utrecht"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("8 published figure(s)")
    assert "r20-durable-rate-utrecht" in out and "r20-intake-amsterdam" not in out


def test_cli_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--measure", "capacity", "--pilot", "total", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["figure_id"], r["value"]) for r in records] == [("m20-capacity-total", 1142.0)]
    assert (
        main(
            [
                "published",
                "--measure",
                "scenarios,outflow",
                "--source",
                "monitor-2020",
                "--category",
                "departure",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    table = pd.read_csv(StringIO(capsys.readouterr().out))
    # 002, Voortgang LVV's: departure scenarios 236 in total and 75 + 17 + 98 + 36 + 10 per pilot
    assert len(table) == 6
    assert table.loc[table["pilot"] == "total", "value"].tolist() == [236.0]
    assert table.loc[table["pilot"] != "total", "value"].tolist() == [75.0, 17.0, 98.0, 36.0, 10.0]


def test_cli_unknown_filter_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--pilot", "utrect"]) == 2
    err = capsys.readouterr().err
    assert "unknown pilot" in err and "utrecht" in err


def test_cli_broken_figures_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _copy(tmp_path)
    row = _edit(path, "r20-intake-utrecht", {"unit": "stuks"})
    assert main(["published", "--figures", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"row {row}" in err and "'unit'" in err and "stuks" in err


def test_cli_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["published", "--figures", str(tmp_path / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_source_population_follows_the_source() -> None:
    # The 2020 monitor counts formal LVV status only (source 002); Regioplan 2020 does not (001).
    from lvv_eval.errors import ConfigError
    from lvv_eval.sources.published import counting_sources, source_population

    assert source_population("monitor-2020") == ("monitor-2020", True)
    assert source_population("regioplan-2020") == ("regioplan-2020", False)
    assert counting_sources() == ["regioplan-2020", "monitor-2020", "verwey-jonker-2021", "regioplan-2022"]
    with pytest.raises(ConfigError, match="no-such-source"):
        source_population("no-such-source")
    with pytest.raises(ConfigError, match="letter-2018"):
        source_population("letter-2018")  # the programme letter counts no people


def test_sources_table_rejects_a_half_declared_counting_convention(tmp_path) -> None:
    from lvv_eval.errors import InputValidationError
    from lvv_eval.sources.published import DEFAULT_SOURCES_FILE, load_sources

    text = DEFAULT_SOURCES_FILE.read_text(encoding="utf-8").replace(",monitor-2020,true", ",monitor-2020,maybe")
    text = text.replace(",regioplan-2022,false", ",,false")
    bad = tmp_path / "sources.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputValidationError) as err:
        load_sources(bad)
    rules = {(p.column, p.value) for p in err.value.problems}
    assert ("formal_only", "maybe") in rules
    assert ("scheme", "") in rules
