"""Tests of the policy figures (lvv_eval.reporting.flow_plot) and their tables (lvv_eval.evaluations.policy)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from builders import ROWS, make_frame
from lvv_eval.disclosure.checked import SUPPRESSION_MARK
from lvv_eval.disclosure.gate import Gate
from lvv_eval.errors import InputValidationError
from lvv_eval.evaluations import policy
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reporting import flow_plot as FP


def _gids(fig, gid: str) -> list:
    return [a for ax in fig.axes for a in [*ax.patches, *ax.texts, *ax.lines] if a.get_gid() == gid]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _flow() -> pd.DataFrame:
    rows = [
        ("a", "scenario", "intake", "departure", 30),
        ("a", "scenario", "intake", "residence", 20),
        ("a", "outcome", "departure", "durable", 12),
        ("a", "outcome", "departure", "none", None),
        ("a", "outcome", "departure", "in_programme", None),
        ("a", "outcome", "residence", "durable", 20),
        ("a", "outcome", "residence", "none", 0),
    ]
    return pd.DataFrame(rows, columns=["pilot", "stage", "source", "target", "numerator"]).astype(
        {"numerator": "Int64"}
    )


def test_flow_chart_draws_one_band_per_nonzero_flow_and_marks_suppressed_ones():
    fig = FP.flow_chart(
        _flow(),
        scenarios=["departure", "residence"],
        outcomes=["durable", "none", "in_programme"],
        title="t",
        footnote="f",
    )
    assert len(_gids(fig, "band")) == 4  # 30, 20, 12, 20; the zero band is not drawn
    hatched = _gids(fig, "band-suppressed")
    assert len(hatched) == 2 and all(p.get_hatch() == FP.SUPPRESSED_HATCH for p in hatched)
    assert len(_gids(fig, "suppressed")) == 2
    shown = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"30", "20", "12"} <= shown  # visible counts are labelled; hidden ones only with the mark


def test_flow_chart_needs_its_columns():
    with pytest.raises(InputValidationError, match="numerator"):
        FP.flow_chart(_flow().drop(columns="numerator"), scenarios=[], outcomes=[], title="", footnote="")


def test_period_bars_one_bar_per_period_and_hatched_when_suppressed():
    t = pd.DataFrame(
        {
            "quarter": ["2020Q1", "2020Q2", "2020Q3"] * 2,
            "pilot": ["a"] * 3 + ["total"] * 3,
            "n": pd.array([12, None, 30, 40, None, 55], dtype="Int64"),
        }
    )
    fig = FP.period_bars(t, period="quarter", value="n", panel="pilot", title="t", ylabel="n", footnote="f")
    bars = _gids(fig, "bar")
    assert sorted(b.get_height() for b in bars) == [12, 30, 40, 55]
    hidden = _gids(fig, "bar-suppressed")
    assert len(hidden) == 2 and all(h.get_hatch() == FP.SUPPRESSED_HATCH for h in hidden)
    assert all(h.get_height() < 12 for h in hidden)  # a nominal mark, not the value


def test_capacity_occupancy_gaps_and_marks_suppressed_months():
    t = pd.DataFrame(
        {
            "date": ["2020-01-01", "2020-02-01", "2020-03-01"],
            "pilot": "a",
            "present": pd.array([50, None, 60], dtype="Int64"),
            "capacity": pd.array([80, 80, 90], dtype="Int64"),
        }
    )
    fig = FP.capacity_occupancy(
        t, title="t", ylabel="p", footnote="f", present_label="present", capacity_label="capacity"
    )
    (line,) = _gids(fig, "present")
    assert np.isnan(line.get_ydata()[1]) and line.get_ydata()[2] == 60
    (cap,) = _gids(fig, "capacity")
    assert list(cap.get_ydata()) == [80, 80, 90]
    (marks,) = _gids(fig, "suppressed")
    assert len(marks.get_xdata()) == 1


def test_scale_chart_styles_by_status():
    t = pd.DataFrame(
        {
            "date": ["d1"] * 3 + ["d2"] * 3,
            "scheme": ["s"] * 6,
            "scale_class": ["durable", "semi_durable", "none"] * 2,
            "status": ["published", "derived", "derived", "person-level", "not_distinguished", "person-level"],
            "share": [0.2, 0.3, 0.5, np.nan, np.nan, 0.4],
        }
    )
    fig = FP.scale_chart(
        t,
        dates=["d1", "d2"],
        schemes=["s"],
        classes=["durable", "semi_durable", "none"],
        title="t",
        ylabel="y",
        footnote="f",
    )
    assert [
        len(_gids(fig, g))
        for g in ("bar-published", "bar-derived", "bar-person-level", "bar-suppressed", "not-distinguished")
    ] == [1, 2, 1, 1, 1]


def test_policy_tables_add_up_and_pass_the_gate():
    frame = make_frame(ROWS)
    scheme = load_scheme("regioplan-2022")
    flow = policy.flow_table(frame, "2022-07-01", scheme)
    total = flow.loc[flow["pilot"] == "total"]
    first = total.loc[total["stage"] == "scenario"]
    assert first["numerator"].sum() == first["denominator"].iloc[0]  # every entrant has one scenario node
    second = total.loc[total["stage"] == "outcome"].groupby("source")["numerator"].sum()
    assert second.to_dict() == dict(zip(first["target"], first["numerator"]))
    released = policy.release_flow(Gate(10, kind="synthetic"), flow)
    small = flow["numerator"].between(1, 9)
    assert small.any() and released.frame.loc[small, "numerator"].isna().all()
    quarters = policy.durable_per_quarter(frame, "2022-07-01", scheme)
    by = quarters.groupby("pilot")["n"].sum()
    assert by["total"] == by.drop("total").sum()
    q = policy.release_quarters(Gate(10, kind="synthetic"), quarters)
    shown = policy.quarters_long(q.frame).merge(quarters, on=["quarter", "pilot"], suffixes=("", "_raw"))
    assert len(shown) == len(quarters)
    assert shown.loc[shown["n_raw"].between(1, 9), "n"].isna().all()
    # a pilot's quarters add up to its durable count: no single quarter of a row is hidden alone
    hidden = q.mask.drop(columns=["pilot", policy.ALL_QUARTERS]).sum(axis=1)
    assert not (hidden == 1).any() or q.mask[policy.ALL_QUARTERS][hidden == 1].all()


def test_policy_figures_use_the_one_mark_and_explain_it_once():
    t = pd.DataFrame(
        {
            "date": ["2020-01-01", "2020-02-01", "2020-03-01"],
            "pilot": "a",
            "present": pd.array([50, None, 60], dtype="Int64"),
            "capacity": pd.array([80, 80, 90], dtype="Int64"),
        }
    )
    fig = FP.capacity_occupancy(
        t,
        title="t",
        ylabel="p",
        footnote="f",
        present_label="present",
        capacity_label="capacity",
        suppressed_label="onderdrukt",
    )
    (marks,) = _gids(fig, "suppressed")
    assert marks.get_marker() == FP.SUPPRESSED_MARKER
    (legend,) = fig.legends
    assert [x.get_text() for x in legend.get_texts()] == [f"{SUPPRESSION_MARK} = onderdrukt"]
    q = pd.DataFrame({"quarter": ["2020Q1", "2020Q2"], "pilot": "a", "n": pd.array([12, None], dtype="Int64")})
    bars = FP.period_bars(q, period="quarter", value="n", panel="pilot", title="t", ylabel="n", footnote="f")
    assert not bars.legends  # no word given: the caption explains the mark
    bars = FP.period_bars(
        q, period="quarter", value="n", panel="pilot", title="t", ylabel="n", footnote="f", suppressed_label="supp."
    )
    (legend,) = bars.legends
    assert legend.legend_handles[0].get_hatch() == FP.SUPPRESSED_HATCH
