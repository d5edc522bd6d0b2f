"""Tests of lvv_eval.evaluations.three_evaluations (the three evaluations on one scale).

Known answers from the published figures (``data/published/figures.csv``): Regioplan 2022 prints
18 / 41 / 41 % of the outflow (source 004); Verwey-Jonker lists 43 + 50 + 2 durable, 170 + 20
semi-durable, 100 + 76 + 76 other outflow, 537 in all (source 000); the monitor prints 107 durable,
164 + 25 temporary and 1310 sheltered of whom 771 present (source 002): 539 left, 243 of them
neither durable nor temporary.
"""

from __future__ import annotations

import pandas as pd
import pytest

from builders import ROWS, make_frame
from lvv_eval.disclosure.checked import SUPPRESSION_MARK
from lvv_eval.disclosure.gate import Gate
from lvv_eval.errors import ConfigError
from lvv_eval.evaluations import three_evaluations as T
from lvv_eval.reference.schemes import list_schemes, load_scheme
from lvv_eval.reporting.labels import Labels


def _row(table: pd.DataFrame, date: str, scheme: str, scale: str) -> pd.Series:
    hit = table.loc[(table["date"] == date) & (table["scheme"] == scheme) & (table["scale_class"] == scale)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_scale_class_maps_temporary_to_semi_durable_and_leaves_not_durable_unsplit():
    assert T.scale_class(load_scheme("monitor-2020"), "semi_durable") == "temporary"
    assert T.scale_class(load_scheme("regioplan-2020"), "durable") == "durable"
    assert T.scale_class(load_scheme("regioplan-2020"), "semi_durable") is None


def test_published_basis_reads_printed_shares_and_derives_from_counts():
    final = T.published_basis("regioplan-2022")
    assert {k: round(v.share, 2) for k, v in final.items()} == {"durable": 0.18, "semi_durable": 0.41, "none": 0.41}
    assert all(b.status == "published" for b in final.values())
    vji = T.published_basis("verwey-jonker-2021")
    assert {k: (int(b.numerator), int(b.denominator)) for k, b in vji.items()} == {
        "durable": (95, 537),
        "semi_durable": (190, 537),
        "none": (252, 537),
    }
    mon = T.published_basis("monitor-2020")
    assert {k: (int(b.numerator), int(b.denominator)) for k, b in mon.items()} == {
        "durable": (107, 539),
        "temporary": (189, 539),
        "none": (243, 539),
    }
    assert all(b.status == "derived" for b in [*vji.values(), *mon.values()])
    assert "m20-present-total" in mon["none"].text
    assert T.published_basis("regioplan-2020") == {}  # no outflow total is printed for 31 December 2019


def test_published_only_grid_marks_every_cell():
    res = T.three_evaluations()
    t = res.table
    assert len(t) == len(T.DATES) * len(list_schemes()) * 3
    assert set(t["status"]) <= set(T.STATUSES)
    assert _row(t, "2022-07-01", "regioplan-2022", "none")["status"] == "published"
    assert _row(t, "2020-11-01", "verwey-jonker-2021", "durable")["published_share"] == pytest.approx(95 / 537)
    assert _row(t, "2020-11-01", "monitor-2020", "semi_durable")["scheme_class"] == "temporary"
    assert _row(t, "2019-12-31", "regioplan-2020", "none")["status"] == "not_distinguished"
    # published numbers only under the source's own scheme: VJI's counts are not re-classified
    assert _row(t, "2020-11-01", "regioplan-2022", "durable")["status"] == "not_available"
    assert res.sources["2020-11-01"] == ("monitor-2020", "verwey-jonker-2021")
    assert res.statuses()["person-level"] == 0
    checked = res.release(Gate(10, kind="synthetic"))
    assert checked.kind == "derived"


def test_person_level_fills_the_rest_and_goes_through_the_gate():
    frame = make_frame(ROWS)
    res = T.three_evaluations(frame)
    raw = res.table
    assert (raw["status"] == "person-level").any() and not (raw["status"] == "not_available").any()
    # person-level counts in every cell whose class the scheme has, published cells included
    has_class = raw["status"] != "not_distinguished"
    assert raw.loc[has_class, "numerator"].notna().all() and raw.loc[~has_class, "numerator"].isna().all()
    # shares of one date and scheme add up to one on the raw table
    three = raw.loc[raw["scheme"] == "regioplan-2022"].groupby("date")["person_share"].sum()
    assert three.round(9).eq(1.0).all()
    released = res.release(Gate(10, kind="synthetic"), protect=["regioplan-2022"])
    assert released.kind == "synthetic"
    small = (raw["numerator"].fillna(0) >= 1) & (raw["numerator"].fillna(0) < 10)
    assert small.any()  # the hand-made frame has only 14 trajectories
    assert released.frame.loc[small, "numerator"].isna().all()
    assert released.frame.loc[small, "person_share"].isna().all()
    # published and derived values pass unchanged; the scale takes them where they exist
    pub = (raw["status"] == "published").to_numpy()
    assert released.frame.loc[pub, "published_share"].tolist() == raw.loc[pub, "published_share"].tolist()
    scale = T.scale_values(released.frame)
    assert scale.loc[pub, "share"].tolist() == raw.loc[pub, "published_share"].tolist()
    person = (raw["status"] == "person-level").to_numpy() & small.to_numpy()
    assert scale.loc[person, "share"].isna().all()
    view = res.view(released, Labels("nl"))
    assert SUPPRESSION_MARK in set(view["Aandeel op persoonsniveau"])
    assert "n.v.t." in set(view["Aandeel (gepubliceerd of afgeleid)"])


def test_selected_pilots_use_person_level_values_only():
    res = T.three_evaluations(make_frame(ROWS), pilots=["utrecht"])
    assert set(res.table["status"]) <= {"person-level", "not_distinguished"}
    assert res.sources == {d: () for d in T.DATES}


def test_captions_come_from_the_metadata_in_both_languages():
    res = T.three_evaluations(make_frame(ROWS), formal_only=True)
    nl, en = res.caption(Labels("nl")), res.caption(Labels("en"))
    assert "31 december 2019" in nl and "1 juli 2022" in nl and "004_b44b716732003f66.txt" in nl
    assert "alleen trajecten met formele LVV-status" in nl and "95%" in nl
    assert "1 November 2020" in en and "everyone who had left by the date" in en
    assert str(len(list_schemes())) in en
    assert T.texts("nl").keys() == T.texts("en").keys()
    with pytest.raises(ConfigError, match="fr"):
        T.texts("fr")
