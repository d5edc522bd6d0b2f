"""One capacity history: published figures, the design table and both occupancy series agree."""

from __future__ import annotations

import pandas as pd
import pytest

from lvv_eval.evaluations import design_comparison as dc
from lvv_eval.evaluations import final
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE
from lvv_eval.sources.capacity import capacity_history, capacity_on, design_table_disagreements
from lvv_eval.sources.designs import load_designs
from lvv_eval.sources.monitor import read_monitor


def test_history_holds_both_published_capacities() -> None:
    h = capacity_history()
    utrecht = h.loc[h["pilot"] == "utrecht"]
    assert utrecht["capacity"].tolist() == [230, 235]  # 001 Tabel S.1; 002 'Voortgang LVV's'
    assert utrecht["source_id"].tolist() == ["regioplan-2020", "monitor-2020"]
    latest = h.groupby("pilot").tail(1)
    assert int(latest["capacity"].sum()) == 1142  # 002: 'Binnen de 5 pilots is plaats voor 1142'


def test_capacity_in_force_before_between_and_after_the_publications() -> None:
    c = capacity_on(["2019-03-01", "2019-12-31", "2020-10-31", "2020-11-01", "2022-07-01"])
    u = c.loc[c["pilot"] == "utrecht"].set_index("date")["capacity"]
    assert u.tolist() == [230, 230, 230, 235, 235]


def test_the_design_table_agrees_with_the_published_history() -> None:
    assert design_table_disagreements(load_designs()).empty


def test_a_design_table_that_disagrees_is_reported() -> None:
    designs = load_designs().copy()
    later = (designs["pilot"] == "utrecht") & (designs["valid_from"] == pd.Timestamp("2020-11-01"))
    designs.loc[later, "capacity"] = 230
    found = design_table_disagreements(designs)
    assert found[["pilot", "design_capacity", "published_capacity"]].values.tolist() == [["utrecht", 230, "235"]]
    across = load_designs().copy()
    across.loc[(across["pilot"] == "utrecht"), "valid_to"] = pd.Timestamp("2022-12-31")  # spans the change
    assert "230/235" in design_table_disagreements(across)["published_capacity"].tolist()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return read_monitor(DEFAULT_SYNTHETIC_FILE).frame


def test_both_occupancy_series_use_the_same_capacity(frame: pd.DataFrame) -> None:
    a = final.occupancy_over_time(frame, "2020-11-01", start="2019-04-01")
    b = dc.occupancy_series(frame, "parallel_bbb", "2020-11-01", start="2019-04-01")
    b = b.loc[b["level"] == "pilot"].rename(columns={"unit": "pilot"})
    merged = a.merge(b, on=["date", "pilot"], suffixes=("_final", "_designs"))
    assert len(merged) == len(a) == len(b)
    assert (merged["capacity_final"].astype("float64") == merged["capacity_designs"]).all()
    assert (merged["present_final"].astype("int64") == merged["present_designs"]).all()
