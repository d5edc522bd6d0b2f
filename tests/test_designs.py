"""Tests of lvv_eval.sources.designs (pilot design table)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lvv_eval.errors import InputValidationError
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.sources.designs import (
    ATTRIBUTE_NAMES,
    DESIGN_COLUMNS,
    designs_at,
    group_pilots,
    load_designs,
    validate_designs,
)


@pytest.fixture(scope="module")
def designs() -> pd.DataFrame:
    return load_designs()


def _raw() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED_DIR / "pilot_designs.csv", dtype="string", keep_default_na=False)


def test_shipped_table_is_typed_and_complete(designs: pd.DataFrame) -> None:
    assert list(designs.columns) == list(DESIGN_COLUMNS)
    assert str(designs["valid_from"].dtype) == "datetime64[us]"
    assert str(designs["parallel_bbb"].dtype) == "boolean"
    assert str(designs["capacity"].dtype) == "Int64"
    assert sorted(designs["pilot"].unique()) == ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]


def test_every_known_value_has_a_source(designs: pd.DataFrame) -> None:
    for attr in ATTRIBUTE_NAMES:
        known = designs[attr].notna()
        assert designs.loc[known, f"{attr}_source"].notna().all(), attr
        assert designs.loc[known, f"{attr}_source"].str.contains(r"00[0-4]_[0-9a-f]{16}\.txt").all(), attr


def test_seed_facts_2019(designs: pd.DataFrame) -> None:
    d = designs_at("2019-12-31", designs).set_index("pilot")
    # source 001 Tabel S.1 capacity; Tabel S.2 targets
    assert d["capacity"].to_dict() == {
        "amsterdam": 360,
        "eindhoven": 130,
        "groningen": 300,
        "rotterdam": 117,
        "utrecht": 230,
    }
    assert d["target_durable_pct"].to_dict() == {
        "amsterdam": 20,
        "eindhoven": 20,
        "groningen": 40,
        "rotterdam": 60,
        "utrecht": 20,
    }
    # source 002: only Eindhoven kept its BBB open, participation voluntary
    assert d.index[d["parallel_bbb"].to_numpy(dtype=bool)].tolist() == ["eindhoven"]
    assert d.index[d["voluntary_participation"].to_numpy(dtype=bool)].tolist() == ["eindhoven"]
    # source 001: Amsterdam regiegroep of NGOs, 13 NGOs; Groningen 1 NGO; others unknown
    assert d.loc["amsterdam", "regie"] == "ngo_regiegroep"
    assert (d.drop(index="amsterdam")["regie"] == "municipality").all()
    assert d.loc["amsterdam", "ngo_count"] == 13 and d.loc["groningen", "ngo_count"] == 1
    assert d[["ngo_count"]].drop(index=["amsterdam", "groningen"])["ngo_count"].isna().all()
    # source 002: safe-country policy and cooperation criterion
    assert d["safe_country_policy"].astype(str).to_dict() == {
        "amsterdam": "excluded",
        "eindhoven": "admitted",
        "groningen": "only_former_bbb",
        "rotterdam": "admitted_max_3_months",
        "utrecht": "excluded",
    }
    assert sorted(d.index[d["cooperation_criterion"] == "formal"]) == ["rotterdam", "utrecht"]
    assert d.index[d["families_admitted"].to_numpy(dtype=bool)].tolist() == ["utrecht"]
    # 24-hour shelter per pilot is not in the seeds: left empty, not guessed
    assert d["shelter_24h"].isna().all()


def test_utrecht_capacity_differs_between_periods(designs: pd.DataFrame) -> None:
    # 001 Tabel S.1: 230; 002 (monitor 2020-11-01): 235, total 1142
    later = designs_at("2020-11-01", designs).set_index("pilot")
    assert later.loc["utrecht", "capacity"] == 235
    assert int(later["capacity"].sum()) == 1142
    assert "002_" in later.loc["utrecht", "capacity_source"]


def test_designs_at_outside_periods_is_empty(designs: pd.DataFrame) -> None:
    assert designs_at("2018-01-01", designs).empty
    assert len(designs_at("2020-10-31", designs)) == 5


def test_group_pilots_labels(designs: pd.DataFrame) -> None:
    g = group_pilots("parallel_bbb", "2019-12-31", designs)
    assert g == {"amsterdam": "no", "eindhoven": "yes", "groningen": "no", "rotterdam": "no", "utrecht": "no"}
    assert set(group_pilots("ngo_count", "2019-12-31", designs).values()) == {"13", "1", "unknown"}
    with pytest.raises(KeyError):
        group_pilots("capacity_source", "2019-12-31", designs)


def test_validation_collects_all_problems() -> None:
    raw = _raw()
    raw.loc[0, "parallel_bbb"] = "maybe"  # row 2: bad boolean
    raw.loc[1, "regie"] = "province"  # row 3: not in vocabulary
    raw.loc[2, "capacity"] = "-5"  # row 4: bad count
    raw.loc[3, "target_durable_pct"] = "140"  # row 5: percent > 100
    raw.loc[4, "ngo_count"] = "4"  # row 6: value without source
    raw.loc[4, "ngo_count_source"] = ""
    raw.loc[5, "pilot"] = "tilburg"  # row 7: undeclared pilot
    raw.loc[6, "valid_to"] = "2019-01-01"  # row 8: end before start
    raw.loc[7, "valid_from"] = "31-12-2019"  # row 9: not ISO
    with pytest.raises(InputValidationError) as info:
        validate_designs(raw, file="pilot_designs.csv")
    found = {(p.row, p.column) for p in info.value.problems}
    expected = {
        (2, "parallel_bbb"),
        (3, "regie"),
        (4, "capacity"),
        (5, "target_durable_pct"),
        (6, "ngo_count_source"),
        (7, "pilot"),
        (8, "valid_to"),
        (9, "valid_from"),
    }
    assert expected <= found
    assert all(p.file == "pilot_designs.csv" for p in info.value.problems)


def test_validation_overlap_and_missing_column() -> None:
    raw = _raw()
    first = raw.index[raw["pilot"] == "amsterdam"][0]
    raw.loc[first, "valid_to"] = "2021-01-01"  # overlaps the 2020-11-01 row
    with pytest.raises(InputValidationError, match="overlaps"):
        validate_designs(raw)
    with pytest.raises(InputValidationError, match="required column is missing"):
        validate_designs(_raw().drop(columns=["regie"]))


def test_new_pilot_of_a_roll_out_is_a_new_row(tmp_path: Path) -> None:
    pilots = tmp_path / "pilots.csv"
    pilots.write_text(
        "pilot,name\namsterdam,Amsterdam\neindhoven,Eindhoven\ngroningen,Groningen\n"
        "rotterdam,Rotterdam\nutrecht,Utrecht\ntilburg,Tilburg\n",
        encoding="utf-8",
    )
    raw = _raw()
    new = raw.iloc[[0]].copy()
    new["pilot"] = "tilburg"
    new["valid_from"], new["valid_to"] = "2023-01-01", ""
    path = tmp_path / "designs.csv"
    pd.concat([raw, new]).to_csv(path, index=False)
    d = load_designs(path, pilots_path=pilots)
    assert designs_at("2024-06-01", d)["pilot"].tolist() == ["tilburg"]


def test_design_capacities_agree_with_the_published_figures() -> None:
    # The design table repeats the capacities of data/published/figures.csv per period:
    # Tabel S.1 (001) for the first period, the 2020 letter (002) for the second.
    from lvv_eval.sources.published import select

    figures = select(measure="capacity", category="places")
    for source, day in (("regioplan-2020", "2019-12-31"), ("monitor-2020", "2020-11-01")):
        published = figures[(figures["source_id"] == source) & (figures["pilot"] != "total")]
        expected = dict(zip(published["pilot"].astype(str), published["value"].astype(int)))
        design = designs_at(day).set_index("pilot")["capacity"]
        assert {p: int(design[p]) for p in expected} == expected
