"""Tests of lvv_eval.stats.counts: counts at a peildatum, flow, stock over time, CLI.

The hand-made frame below has 14 trajectories in three pilots. Every expected
number is counted by hand from the rows and written out in the tests.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from builders import P1, P2, ROWS, StandInScheme, make_frame
from lvv_eval.errors import ConfigError, InputValidationError
from lvv_eval.reference.monitor_format import empty_monitor_frame
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.stats import counts as aggregate


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_frame(ROWS)


def value(figures: pd.DataFrame, pilot: str, measure: str, category: str) -> int:
    hit = figures[(figures["pilot"] == pilot) & (figures["measure"] == measure) & (figures["category"] == category)]
    assert len(hit) == 1, (pilot, measure, category)
    return int(hit["value"].iloc[0])


def test_frame_has_contract_dtypes(frame: pd.DataFrame) -> None:
    template = empty_monitor_frame()
    assert list(frame.columns) == list(template.columns)
    for column in template.columns:
        assert frame[column].dtype.kind == template[column].dtype.kind or str(frame[column].dtype) == str(
            template[column].dtype
        ), column


# Hand counts at P1 = 2019-12-31 (A5, G4, G5, U4 start later):
#   amsterdam intake A1 A2 A3 A4 = 4 (formal A1 A2; informal A3 A4); outflow A1, A2 (exit on
#   P1) = 2; present A3, A4 = 2; scenarios A1 res, A2 dep (A4 set 2020-01-15) = 2.
#   groningen intake G1 G2 G3 = 3; outflow G1 = 1; present 2; scenarios G1, G2 dep = 2.
#   utrecht intake U1 U2 U3 = 3; outflow U1 = 1; present 2; scenarios U2 res = 1 (U3 later).
EXPECTED_P1 = {
    ("amsterdam", "intake", "all"): 4,
    ("amsterdam", "intake", "formal"): 2,
    ("amsterdam", "intake", "informal"): 2,
    ("amsterdam", "occupancy", "persons"): 2,
    ("amsterdam", "outflow", "all"): 2,
    ("amsterdam", "outflow", "residence_permit"): 1,
    ("amsterdam", "outflow", "independent_return"): 1,
    ("amsterdam", "outflow", "left_unknown_destination"): 0,
    ("amsterdam", "scenarios", "all"): 2,
    ("amsterdam", "scenarios", "departure"): 1,
    ("amsterdam", "scenarios", "residence"): 1,
    ("amsterdam", "persons", "all"): 4,
    ("groningen", "intake", "all"): 3,
    ("groningen", "occupancy", "persons"): 2,
    ("groningen", "outflow", "all"): 1,
    ("groningen", "outflow", "repeat_asylum_application"): 1,
    ("groningen", "scenarios", "departure"): 2,
    ("groningen", "scenarios", "residence"): 0,
    ("utrecht", "intake", "all"): 3,
    ("utrecht", "occupancy", "persons"): 2,
    ("utrecht", "outflow", "stay_terminated"): 1,
    ("utrecht", "scenarios", "all"): 1,
    ("eindhoven", "intake", "all"): 0,
    ("rotterdam", "outflow", "all"): 0,
    ("total", "intake", "all"): 10,
    ("total", "intake", "formal"): 8,
    ("total", "intake", "informal"): 2,
    ("total", "occupancy", "persons"): 6,
    ("total", "outflow", "all"): 4,
    ("total", "outflow", "departure_or_onward_migration"): 1,
    ("total", "scenarios", "all"): 5,
    ("total", "scenarios", "departure"): 3,
    ("total", "scenarios", "residence"): 2,
    ("total", "persons", "all"): 10,
}

# Hand counts at P2 = 2020-11-01 (only G5, intake 2020-11-02, is not yet started):
#   amsterdam intake 5 (formal A1 A2 A5 = 3); outflow A1 A2 A4 = 3; present A3 A5 = 2;
#   scenarios A1 res, A2 dep, A4 dep, A5 res (no date) = 4.
#   groningen intake G1-G4 = 4; outflow G1, G2 (forced_return), G4 (exit on P2) = 3; present G3;
#   departure_or_onward_migration = G2 forced + G4 onward = 2; scenarios dep G1 G2 G4 = 3;
#   persons p06 p07 p08 p02 = 4.
#   utrecht intake U1-U4 = 4; outflow U1 U2 U4 = 3; present U3; scenarios U2 res = 1 (U3
#   set 2020-12-01, after P2).
#   total persons: p01..p13 without p09 = 12 (p02 is in amsterdam and groningen: 5+4+4 = 13
#   pilot rows but 12 people).
EXPECTED_P2 = {
    ("amsterdam", "intake", "all"): 5,
    ("amsterdam", "intake", "formal"): 3,
    ("amsterdam", "occupancy", "persons"): 2,
    ("amsterdam", "outflow", "all"): 3,
    ("amsterdam", "outflow", "left_unknown_destination"): 1,
    ("amsterdam", "scenarios", "all"): 4,
    ("amsterdam", "scenarios", "departure"): 2,
    ("amsterdam", "scenarios", "residence"): 2,
    ("amsterdam", "persons", "all"): 5,
    ("groningen", "intake", "all"): 4,
    ("groningen", "outflow", "all"): 3,
    ("groningen", "occupancy", "persons"): 1,
    ("groningen", "outflow", "onward_migration"): 1,
    ("groningen", "outflow", "forced_return"): 1,
    ("groningen", "outflow", "departure_or_onward_migration"): 2,
    ("groningen", "scenarios", "departure"): 3,
    ("groningen", "persons", "all"): 4,
    ("utrecht", "intake", "all"): 4,
    ("utrecht", "outflow", "all"): 3,
    ("utrecht", "occupancy", "persons"): 1,
    ("utrecht", "outflow", "own_network"): 1,
    ("utrecht", "outflow", "other_non_durable"): 1,
    ("utrecht", "scenarios", "residence"): 1,
    ("total", "intake", "all"): 13,
    ("total", "intake", "formal"): 11,
    ("total", "intake", "informal"): 2,
    ("total", "occupancy", "persons"): 4,
    ("total", "outflow", "all"): 9,
    ("total", "outflow", "departure_or_onward_migration"): 3,
    # other non-durable as Verwey-Jonker counts it (source 000): U4 own network + G2 forced
    # departure from detention, which the monitor counts as a departure instead
    ("total", "outflow", "other_non_durable"): 2,
    ("groningen", "outflow", "other_non_durable"): 1,
    ("total", "scenarios", "all"): 8,
    ("total", "scenarios", "departure"): 5,
    ("total", "scenarios", "residence"): 3,
    ("total", "persons", "all"): 12,
}


@pytest.mark.parametrize(("peildatum", "expected"), [(P1, EXPECTED_P1), (P2, EXPECTED_P2)])
def test_hand_counts(frame: pd.DataFrame, peildatum: str, expected: dict) -> None:
    figures = aggregate.to_figures(frame, peildatum)
    for (pilot, measure, category), count in expected.items():
        assert value(figures, pilot, measure, category) == count, (pilot, measure, category)


def test_shape_is_stable_and_sorted(frame: pd.DataFrame) -> None:
    figures = aggregate.to_figures(frame, P2, scheme=StandInScheme())
    assert list(figures.columns) == ["pilot", "measure", "category", "value"]
    pilots = list(dict.fromkeys(figures["pilot"]))
    assert pilots == ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht", "total"]
    # persons 1 + intake 3 + occupancy 1 + outflow all 1 + 3 classes + 2 aggregates
    # + 15 codes + scenarios 3 = 29 rows per pilot, zeros included.
    assert figures.groupby("pilot").size().eq(29).all()
    empty = aggregate.to_figures(empty_monitor_frame(), P2, scheme=StandInScheme())
    pd.testing.assert_frame_equal(empty[["pilot", "measure", "category"]], figures[["pilot", "measure", "category"]])
    assert not figures.duplicated(["pilot", "measure", "category"]).any()
    # byte-identical output on a second run
    again = aggregate.to_figures(frame, P2, scheme=StandInScheme())
    assert figures.to_csv(index=False) == again.to_csv(index=False)


def test_flow_identities(frame: pd.DataFrame) -> None:
    for peildatum in (P1, P2, "2019-06-30"):
        figures = aggregate.to_figures(frame, peildatum).set_index(["pilot", "measure", "category"])["value"]
        for pilot in ("amsterdam", "groningen", "utrecht", "total"):
            intake = figures[(pilot, "intake", "all")]
            assert intake == figures[(pilot, "outflow", "all")] + figures[(pilot, "occupancy", "persons")]
            codes = sum(figures[(pilot, "outflow", c)] for c in EXIT_REASON_CODES)
            assert codes == figures[(pilot, "outflow", "all")]


def test_scheme_classes(frame: pd.DataFrame) -> None:
    # At P2 outflow is A1 A2 G4 durable (3), G1 U2 semi-durable (2),
    # A4 G2 U1 U4 none (4; forced return is 'none' under Verwey-Jonker, source 000).
    figures = aggregate.to_figures(frame, P2, scheme=StandInScheme())
    assert value(figures, "total", "outflow", "durable") == 3
    assert value(figures, "total", "outflow", "semi_durable") == 2
    assert value(figures, "total", "outflow", "none") == 4
    assert value(figures, "groningen", "outflow", "none") == 1
    assert value(figures, "eindhoven", "outflow", "durable") == 0


def test_unmapped_code_is_an_error(frame: pd.DataFrame) -> None:
    class Partial(StandInScheme):
        mapping = {"residence_permit": "durable"}

    with pytest.raises(ConfigError, match="independent_return"):
        aggregate.to_figures(frame, P2, scheme=Partial())


def test_boundaries(frame: pd.DataFrame) -> None:
    state = aggregate.state_at(frame, P1).set_index(frame["trajectory_id"])
    # A2 exits on the peildatum: outflow, not present.
    assert state.loc["A2", "exited"] and not state.loc["A2", "present"]
    # A4 has intake on the peildatum: in scope and present.
    assert state.loc["A4", "in_scope"] and state.loc["A4", "present"]
    # A5 starts after the peildatum: not in scope.
    assert state.loc["A5", "not_yet_started"] and not state.loc["A5", "in_scope"]
    state2 = aggregate.state_at(frame, P2).set_index(frame["trajectory_id"])
    assert state2.loc["G4", "exited"]  # exit 2020-11-01 = P2
    assert state2.loc["G5", "not_yet_started"]  # intake 2020-11-02
    assert not state2.loc["U3", "scenario_set"]  # scenario set 2020-12-01
    assert state2.loc["A5", "scenario_set"]  # scenario without date counts


def test_formal_only(frame: pd.DataFrame) -> None:
    # Formal at P2: amsterdam A1 A2 A5 (intake 3, outflow 2, present 1); totals 11/9-2=7/4-2=... :
    # total intake 11; outflow 9 - A4 = 8; present 4 - A3 = 3; informal 0.
    figures = aggregate.to_figures(frame, P2, formal_only=True)
    assert value(figures, "amsterdam", "intake", "all") == 3
    assert value(figures, "amsterdam", "outflow", "all") == 2
    assert value(figures, "amsterdam", "occupancy", "persons") == 1
    assert value(figures, "total", "intake", "all") == 11
    assert value(figures, "total", "intake", "informal") == 0
    assert value(figures, "total", "outflow", "all") == 8
    assert value(figures, "total", "occupancy", "persons") == 3


def test_pilots_argument(frame: pd.DataFrame) -> None:
    figures = aggregate.to_figures(frame, P2, pilots=["Utrecht", "groningen"])
    assert list(dict.fromkeys(figures["pilot"])) == ["groningen", "utrecht", "total"]
    assert value(figures, "total", "intake", "all") == 8  # 4 + 4, amsterdam left out


def test_flow_table(frame: pd.DataFrame) -> None:
    table = aggregate.flow(frame, P1, scheme=StandInScheme()).set_index("line")
    assert list(table.index) == [
        "intake",
        "exited",
        "exited:durable",
        "exited:semi_durable",
        "exited:none",
        "present",
        "not_yet_started",
    ]
    # P1: intake 10, exited 4 (A1 A2 durable, G1 semi, U1 none), present 6,
    # not yet started A5 G4 G5 U4 = 4 (amsterdam 1, groningen 2, utrecht 1).
    assert table.loc["intake", "total"] == 10
    assert table.loc["exited", "total"] == 4
    assert table.loc["exited:durable", "total"] == 2
    assert table.loc["exited:semi_durable", "groningen"] == 1
    assert table.loc["exited:none", "utrecht"] == 1
    assert table.loc["present", "total"] == 6
    assert table.loc["not_yet_started", "total"] == 4
    assert table.loc["not_yet_started", "groningen"] == 2
    assert table.loc["not_yet_started", "eindhoven"] == 0
    by_code = aggregate.flow(frame, P1).set_index("line")
    assert by_code.loc["exited:independent_return", "amsterdam"] == 1
    assert len(by_code) == 2 + len(EXIT_REASON_CODES) + 2


def test_pilot_table(frame: pd.DataFrame) -> None:
    table = aggregate.pilot_table(frame, P2, scheme=StandInScheme())
    assert list(table["pilot"]) == ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht", "total"]
    row = table.set_index("pilot").loc["total"]
    assert row["intake"] == 13 and row["present"] == 4 and row["outflow durable"] == 3
    assert row["persons"] == 12
    assert "outflow forced_return" not in table.columns  # codes only without scheme
    assert "outflow forced_return" in aggregate.pilot_table(frame, P2).columns


def test_compare_with_published(frame: pd.DataFrame) -> None:
    figures = aggregate.to_figures(frame, P1)
    published = pd.DataFrame(
        {
            "figure_id": ["x-intake-ams", "x-rate", "x-capacity"],
            "pilot": ["amsterdam", "amsterdam", "amsterdam"],
            "measure": ["intake", "outflow_share_of_intake", "capacity"],
            "category": ["all", "durable", "places"],
            "value": [363.0, 1.0, 360.0],
            "unit": ["count", "percent", "count"],
        }
    )
    table = aggregate.compare_with_published(figures, published)
    assert list(table["figure_id"]) == ["x-intake-ams"]  # percent left out, capacity not counted
    assert table["person_level"].iloc[0] == 4
    assert table["difference"].iloc[0] == 4 - 363


def test_invalid_frame_lists_every_problem(frame: pd.DataFrame) -> None:
    broken = frame.copy()
    broken.loc[0, "intake_date"] = pd.NaT
    broken.loc[2, "exit_date"] = pd.Timestamp("2020-01-01")  # exit without reason
    with pytest.raises(InputValidationError) as info:
        aggregate.to_figures(broken, P1)
    rows = {(p.row, p.column) for p in info.value.problems}
    assert rows == {(2, "intake_date"), (4, "exit_reason")}


def test_bad_peildatum(frame: pd.DataFrame) -> None:
    with pytest.raises(ConfigError):
        aggregate.to_figures(frame, "not a date")


def test_stock_over_time_hand(frame: pd.DataFrame) -> None:
    stock = aggregate.stock_over_time(frame, start="2019-04-01", end="2020-12-01")
    at = stock.set_index(["date", "pilot"])["present"]
    # 2019-05-01: G1 (from 04-01), G2 (from 04-15), A1 (intake 05-01 counts) = 3.
    assert at[(pd.Timestamp("2019-05-01"), "total")] == 3
    # 2020-01-01: A2 left 2019-12-31; present A3 A4 | G2 G3 | U2 U3 = 6.
    assert at[(pd.Timestamp("2020-01-01"), "total")] == 6
    assert at[(pd.Timestamp("2020-01-01"), "amsterdam")] == 2
    # 2020-12-01: A3 A5 | G3 G5 | U3 = 5.
    assert at[(pd.Timestamp("2020-12-01"), "total")] == 5
    assert list(stock.columns) == ["date", "pilot", "present"]


def test_stock_over_time_matches_naive_loop() -> None:
    rng = np.random.default_rng(20190401)
    n = 400
    pilots = np.array(["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"])
    intake = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    stay = pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    exit_ = pd.Series(intake + stay).where(rng.random(n) < 0.7)
    rows = [
        (
            f"T{i}",
            f"P{i}",
            str(pilots[i % 5]),
            intake[i].date().isoformat(),
            None if pd.isna(exit_[i]) else exit_[i].date().isoformat(),
            None if pd.isna(exit_[i]) else "other",
            True,
            None,
            None,
        )
        for i in range(n)
    ]
    frame = make_frame(rows)
    stock = aggregate.stock_over_time(frame, start="2019-04-01", end="2022-07-01")
    grid = pd.date_range("2019-04-01", "2022-07-01", freq="MS")
    for date in grid[::3]:
        for pilot in [*pilots, "total"]:
            naive = 0
            for row in frame.itertuples():
                if pilot != "total" and row.pilot != pilot:
                    continue
                if row.intake_date <= date and (pd.isna(row.exit_date) or row.exit_date > date):
                    naive += 1
            got = stock.loc[(stock["date"] == date) & (stock["pilot"] == pilot), "present"]
            assert int(got.iloc[0]) == naive, (date, pilot)
    assert len(stock) == len(grid) * 6


def _real_scheme_module():
    try:
        module = importlib.import_module("lvv_eval.reference.schemes")
    except ImportError:
        return None
    return module if hasattr(module, "load_scheme") else None


def test_with_real_scheme(frame: pd.DataFrame) -> None:
    schemes = _real_scheme_module()
    if schemes is None:
        pytest.skip("lvv_eval.reference.schemes.load_scheme is not available yet")
    scheme = schemes.load_scheme("verwey-jonker-2021")
    figures = aggregate.to_figures(frame, P2, scheme=scheme)
    # Same grouping as the stand-in (source 000: forced return not counted as durable).
    assert value(figures, "total", "outflow", "durable") == 3
    assert value(figures, "total", "outflow", "semi_durable") == 2
    assert value(figures, "total", "outflow", "none") == 4
    monitor = schemes.load_scheme("monitor-2020")
    figures = aggregate.to_figures(frame, P2, scheme=monitor)
    # The 2020 monitor counts forced return (G2) as durable: 3 + 1 = 4 (source 000).
    assert value(figures, "total", "outflow", "durable") == 4


def _monitor_csv(path: Path, rows: list[tuple]) -> Path:
    frame = make_frame(rows)
    out = frame.copy()
    for column in ("intake_date", "exit_date", "scenario_date"):
        out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False)
    return path


def test_cli_aggregate(frame: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monitor = importlib.import_module("lvv_eval.sources.monitor")
    if not hasattr(monitor, "read_monitor") or _real_scheme_module() is None:
        pytest.skip("lvv_eval.sources.monitor.read_monitor or lvv_eval.reference.schemes.load_scheme missing")
    from lvv_eval.cli import main

    source = _monitor_csv(tmp_path / "monitor.csv", ROWS)
    status = main(["aggregate", str(source), "--peildatum", P2, "--scheme", "verwey-jonker-2021", "--format", "csv"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "1 trajectories with intake after 2020-11-01" in captured.err
    from io import StringIO

    table = pd.read_csv(StringIO(captured.out)).set_index("pilot")
    assert table.loc["total", "intake"] == 13
    assert table.loc["total", "outflow durable"] == 3
    out = tmp_path / "figures.csv"
    status = main(
        [
            "aggregate",
            str(source),
            "--peildatum",
            P2,
            "--scheme",
            "verwey-jonker-2021",
            "--long",
            "--formal-only",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    long = pd.read_csv(out)
    hit = long[(long["pilot"] == "total") & (long["measure"] == "intake") & (long["category"] == "all")]
    assert int(hit["value"].iloc[0]) == 11


def test_cli_invalid_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monitor = importlib.import_module("lvv_eval.sources.monitor")
    if not hasattr(monitor, "read_monitor") or _real_scheme_module() is None:
        pytest.skip("lvv_eval.sources.monitor.read_monitor or lvv_eval.reference.schemes.load_scheme missing")
    from lvv_eval.cli import main

    bad = list(ROWS)
    bad[0] = ("A1", "p01", "atlantis", "2019-05-01", "2019-04-01", "residence_permit", True, None, None)
    source = _monitor_csv(tmp_path / "bad.csv", bad)
    status = main(["aggregate", str(source), "--peildatum", P2, "--scheme", "verwey-jonker-2021"])
    assert status == 1
    err = capsys.readouterr().err
    assert "atlantis" in err and "row 2" in err


def test_stock_over_time_single_mid_month_day(frame: pd.DataFrame) -> None:
    # start = end = a day that is no month start: the grid is that day, not empty
    one = aggregate.stock_over_time(frame, start="2020-01-15", end="2020-01-15")
    assert set(one["date"]) == {pd.Timestamp("2020-01-15")}
    naive = aggregate.stock_over_time(frame, start="2020-01-15", end="2020-01-15", freq="D")
    assert one["present"].tolist() == naive["present"].tolist()


def test_participants_of_2022_are_compared_as_persons() -> None:
    # seed 004 counts 'migranten' (people): re-entries must not count twice
    figs = pd.DataFrame(
        {
            "figure_id": ["r22-participants-total"],
            "pilot": ["total"],
            "measure": ["intake"],
            "category": ["all"],
            "value": [3],
            "unit": ["count"],
        }
    )
    person = pd.DataFrame(
        {"pilot": ["total", "total"], "measure": ["intake", "persons"], "category": ["all", "all"], "value": [4, 3]}
    )
    out = aggregate.compare_with_published(person, figs)
    assert out[["measure", "category", "published", "person_level", "difference"]].values.tolist() == [
        ["intake", "all", 3.0, 3, 0.0]
    ]
