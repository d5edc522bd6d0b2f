"""Tests of lvv_eval.stats.survival: censoring, Kaplan-Meier median, Aalen-Johansen CIF.

The known answers are computed by hand in the comments (exact fractions).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from builders import P2, ROWS, StandInScheme, make_frame
from lvv_eval.stats import survival

PEIL = pd.Timestamp("2020-11-01")
REASON = {"D": "residence_permit", "S": "repeat_asylum_application", "N": "stay_terminated"}

# Tiny data set with ties (days since intake; D durable, S semi-durable, N none, C censored):
#   10 D, 10 N, 20 C, 30 S, 30 S, 30 C, 40 D, 50 C, 60 N       (n = 9)
TINY = [(10, "D"), (10, "N"), (20, "C"), (30, "S"), (30, "S"), (30, "C"), (40, "D"), (50, "C"), (60, "N")]


def tiny_frame(spec: list[tuple[int, str]] = TINY) -> pd.DataFrame:
    """Events: intake 2020-01-01, exit after t days. Censored: intake t days before PEIL."""
    rows = []
    for i, (days, outcome) in enumerate(spec):
        if outcome == "C":
            intake = PEIL - pd.Timedelta(days=days)
            rows.append((f"T{i}", f"P{i}", "utrecht", intake.date().isoformat(), None, None, True, None, None))
        else:
            intake = pd.Timestamp("2020-01-01")
            exit_ = intake + pd.Timedelta(days=days)
            rows.append(
                (
                    f"T{i}",
                    f"P{i}",
                    "utrecht",
                    intake.date().isoformat(),
                    exit_.date().isoformat(),
                    REASON[outcome],
                    True,
                    None,
                    None,
                )
            )
    return make_frame(rows)


def test_time_to_event_frame_censors_not_drops() -> None:
    frame = make_frame(ROWS)
    events = survival.time_to_event_frame(frame, P2, StandInScheme())
    # 13 trajectories in scope at P2 (G5 starts 2020-11-02); 4 still present are censored.
    assert len(events) == 13
    assert list(events.columns) == ["trajectory_id", "pilot", "time_days", "event_code", "event_class"]
    by_id = events.set_index("trajectory_id")
    # A3: intake 2019-07-01, present at 2020-11-01 -> censored after 489 days
    # (184 days to 2020-01-01, + 305 days to 2020-11-01 in leap year 2020).
    assert by_id.loc["A3", "time_days"] == 489 and by_id.loc["A3", "event_code"] == 0
    assert by_id.loc["A3", "event_class"] == "censored"
    # A1: 2019-05-01 -> 2019-09-01 = 123 days, residence permit -> durable (code 1).
    assert by_id.loc["A1", "time_days"] == 123 and by_id.loc["A1", "event_code"] == 1
    # G4: exit on the peildatum is an event (onward migration, durable): 2020-02-01 -> 11-01 = 274.
    assert by_id.loc["G4", "time_days"] == 274 and by_id.loc["G4", "event_class"] == "durable"
    # U2: postponed departure -> semi_durable (code 2); U1 stay terminated -> none (code 3).
    assert by_id.loc["U2", "event_code"] == 2 and by_id.loc["U1", "event_code"] == 3
    assert sorted(by_id.index[by_id["event_code"] == 0]) == ["A3", "A5", "G3", "U3"]
    assert "G5" not in by_id.index


def test_kaplan_meier_median_by_hand() -> None:
    # All-cause Kaplan-Meier on TINY:
    #   t=10: at risk 9, 2 exits -> S = 7/9 = 0.778
    #   t=20: 1 censored (at risk 7 -> 6)
    #   t=30: at risk 6, 2 exits -> S = 7/9 * 4/6 = 14/27 = 0.519; 1 censored at 30
    #   t=40: at risk 3, 1 exit  -> S = 14/27 * 2/3 = 28/81 = 0.346  (first S < 0.5)
    #   t=50: censored; t=60: at risk 1, 1 exit -> S = 0
    # Median = 40 days. Dropping the censored (exits only: 10 10 30 30 40 60) would give 30.
    table = survival.length_of_stay(tiny_frame(), PEIL, by="pilot").set_index("pilot")
    row = table.loc["utrecht"]
    assert row["median_days"] == 40
    assert (row["n"], row["n_events"], row["n_censored"]) == (9, 6, 3)
    assert row["ci_low"] <= 40
    assert np.isnan(row["ci_high"]) or row["ci_high"] >= 40
    assert "cloglog" in row["ci_method"]
    assert list(table.index) == ["utrecht", "total"]


def test_median_not_reached_is_nan() -> None:
    # 1 exit of 4: S never drops below 0.5.
    frame = tiny_frame([(10, "D"), (20, "C"), (30, "C"), (40, "C")])
    row = survival.length_of_stay(frame, PEIL, by=None).iloc[0]
    assert math.isnan(row["median_days"]) and row["n_censored"] == 3


def test_aalen_johansen_by_hand() -> None:
    # F_k(t) = sum over event times t_j <= t of S(t_j-) * d_kj / n_j, S all-cause KM:
    #   t=10: S-=1,     n=9: F_D += 1/9,  F_N += 1/9
    #   t=30: S-=7/9,   n=6: F_S += 7/9 * 2/6  = 7/27
    #   t=40: S-=14/27, n=3: F_D += 14/27 * 1/3 = 14/81  -> F_D = 9/81 + 14/81 = 23/81
    #   t=60: S-=28/81, n=1: F_N += 28/81               -> F_N = 9/81 + 28/81 = 37/81
    # End: 23/81 + 21/81 + 37/81 = 1 and S = 0.
    frame = tiny_frame()
    table = survival.cumulative_incidence(frame, PEIL, StandInScheme(), by=None, horizons_days=(35, 45, 70))
    got = table.set_index(["outcome", "horizon_days"])
    assert got.loc[("durable", 35), "estimate"] == pytest.approx(1 / 9)
    assert got.loc[("semi_durable", 35), "estimate"] == pytest.approx(7 / 27)
    assert got.loc[("none", 35), "estimate"] == pytest.approx(1 / 9)
    assert got.loc[("in_programme", 35), "estimate"] == pytest.approx(14 / 27)
    assert got.loc[("durable", 45), "estimate"] == pytest.approx(23 / 81)
    assert got.loc[("durable", 70), "estimate"] == pytest.approx(23 / 81)
    assert got.loc[("semi_durable", 70), "estimate"] == pytest.approx(21 / 81)
    assert got.loc[("none", 70), "estimate"] == pytest.approx(37 / 81)
    # at risk at 35 days: times 40, 50, 60 -> 3; at 70: none (but S = 0, so identified)
    assert got.loc[("durable", 35), "n_at_risk"] == 3
    assert got.loc[("durable", 70), "n_at_risk"] == 0
    assert got.loc[("durable", 45), "n_events"] == 2
    # 1 - KM treating other outcomes as censored overstates durable outflow:
    #   t=10: 8/9; t=40: at risk 3 -> 8/9 * 2/3 = 16/27; 1 - 16/27 = 33/81 > 23/81.
    assert got.loc[("durable", 70), "estimate"] < 33 / 81
    for h in (35, 45, 70):
        assert got.xs(h, level="horizon_days")["estimate"].sum() == pytest.approx(1)
    ci = got.loc[("durable", 45)]
    assert ci["ci_low"] < ci["estimate"] < ci["ci_high"] and ci["ci_method"] == "log-log"


def test_horizon_beyond_follow_up_is_not_identified() -> None:
    # Without the last exit (60 N) the longest follow-up is a censoring at 50 with S > 0.
    # n = 8: t=10: F_D = 1/8, S = 6/8; t=30: n=5, S = 6/8 * 3/5 = 9/20;
    # t=40: n=2, F_D += 9/20 * 1/2 = 9/40 -> F_D = 5/40 + 9/40 = 14/40 = 0.35.
    frame = tiny_frame(TINY[:-1])
    table = survival.cumulative_incidence(frame, PEIL, StandInScheme(), by=None, horizons_days=(45, 70))
    got = table.set_index(["outcome", "horizon_days"])
    assert got.loc[("durable", 45), "estimate"] == pytest.approx(0.35)
    assert math.isnan(got.loc[("durable", 70), "estimate"])


def test_cif_plus_survival_is_one_at_every_time() -> None:
    rng = np.random.default_rng(7)
    spec = [(int(t), str(o)) for t, o in zip(rng.integers(0, 400, 120), rng.choice(list("DSNC"), 120))]
    curves = survival.cif_curves(tiny_frame(spec), PEIL, StandInScheme(), by="pilot")
    sums = curves.groupby(["pilot", "time_days"])["estimate"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    durable = curves[(curves["outcome"] == "durable") & (curves["pilot"] == "total")]
    assert durable["estimate"].is_monotonic_increasing
    assert durable["time_days"].iloc[0] == 0
    inside = durable.dropna(subset=["ci_low"])
    assert (inside["ci_low"] <= inside["estimate"]).all()
    assert (inside["estimate"] <= inside["ci_high"]).all()
    linear = survival.cif_curves(tiny_frame(spec), PEIL, StandInScheme(), by=None, ci_method="linear")
    assert (linear["ci_low"].dropna() >= 0).all() and (linear["ci_high"].dropna() <= 1).all()


def test_unknown_ci_method() -> None:
    from lvv_eval.errors import ConfigError

    with pytest.raises(ConfigError):
        survival.cif_curves(tiny_frame(), PEIL, StandInScheme(), ci_method="exact")


def test_fixed_horizon_shares() -> None:
    # Cohort at P2 = 2020-11-01, horizon 365 days: intake on or before 2019-11-02:
    #   A1 (exit after 123 d, durable), A2 (199 d, durable), A3 (present), G1 (183 d, semi),
    #   G2 (442 d > 365: in programme at 365 days), G3 (present), U1 (90 d, none),
    #   U2 (152 d, semi), U3 (present).   -> 9 people: durable 2, semi 2, none 1, in_programme 4.
    frame = make_frame(ROWS)
    table = survival.fixed_horizon_shares(frame, P2, StandInScheme(), horizon_days=365)
    total = table[table["pilot"] == "total"].set_index("outcome")
    assert list(total.index) == ["durable", "semi_durable", "none", "in_programme"]
    assert total["denominator"].eq(9).all()
    assert total["numerator"].tolist() == [2, 2, 1, 4]
    assert total["numerator"].sum() == 9
    assert "2019-11-02" in total.loc["durable", "denominator_label"]
    # Wilson 95% for 2/9, z = 1.959964: centre = (p + z^2/2n) / (1 + z^2/n),
    # half = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/(4n^2)) -> (0.0632, 0.5474).
    z, n, p = 1.959963984540054, 9, 2 / 9
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert total.loc["durable", "ci_low"] == pytest.approx(centre - half)
    assert total.loc["durable", "ci_high"] == pytest.approx(centre + half)
    assert total.loc["durable", "ci_low"] == pytest.approx(0.0632, abs=1e-4)
    assert total.loc["durable", "ci_method"] == "wilson"
    ams = table[table["pilot"] == "amsterdam"].set_index("outcome")
    assert ams["denominator"].iloc[0] == 3 and ams.loc["durable", "numerator"] == 2


def test_fixed_horizon_boundary() -> None:
    # Exit exactly at the horizon counts as within; intake exactly horizon days before
    # the peildatum is in the cohort; one day later is not.
    spec_rows = [
        ("T1", "P1", "utrecht", "2019-11-02", "2020-11-01", "residence_permit", True, None, None),
        ("T2", "P2", "utrecht", "2019-11-03", None, None, True, None, None),
        ("T3", "P3", "utrecht", "2019-04-01", "2019-12-31", "residence_permit", True, None, None),
    ]
    frame = make_frame(spec_rows)
    table = survival.fixed_horizon_shares(frame, "2020-11-01", StandInScheme(), 365, by=None)
    got = table.set_index("outcome")
    # T1: 2019-11-02 + 365 d = 2020-11-01 -> in cohort, exit on day 365 -> durable.
    # T3: intake 2019-04-01, exit 2019-12-31 = 274 d -> durable. T2 not in cohort.
    assert got.loc["durable", "numerator"] == 2 and got.loc["durable", "denominator"] == 2


def test_empty_group_and_no_events() -> None:
    frame = tiny_frame([(10, "C"), (20, "C")])
    table = survival.cumulative_incidence(frame, PEIL, StandInScheme(), by=None, horizons_days=(5,))
    got = table.set_index("outcome")["estimate"]
    assert got["durable"] == 0 and got["in_programme"] == 1


def test_with_real_scheme() -> None:
    try:
        from lvv_eval.reference.schemes import load_scheme
    except ImportError:
        pytest.skip("lvv_eval.reference.schemes.load_scheme is not available yet")
    scheme = load_scheme("regioplan-2022")
    events = survival.time_to_event_frame(make_frame(ROWS), P2, scheme)
    # Class order of regioplan-2022: durable, semi_durable, none (codes 1, 2, 3).
    assert list(events["event_class"].cat.categories) == ["censored", *scheme.class_ids]
    by_id = events.set_index("trajectory_id")
    assert by_id.loc["A1", "event_class"] == "durable"  # residence permit
    assert by_id.loc["G1", "event_class"] == "semi_durable"  # repeat asylum application
    assert by_id.loc["A4", "event_class"] == "none"  # left, destination unknown
    curves = survival.cif_curves(make_frame(ROWS), P2, scheme, by="pilot")
    sums = curves.groupby(["pilot", "time_days"])["estimate"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)


def test_cif_curves_truncated_where_few_are_at_risk() -> None:
    rng = np.random.default_rng(7)
    spec = [(int(t), str(o)) for t, o in zip(rng.integers(0, 400, 120), rng.choice(list("DSNC"), 120))]
    full = survival.cif_curves(tiny_frame(spec), PEIL, StandInScheme(), by=None)
    cut = survival.cif_curves(tiny_frame(spec), PEIL, StandInScheme(), by=None, min_at_risk=10)
    assert full["n_at_risk"].min() < 10
    assert cut["n_at_risk"].min() >= 10 and len(cut) < len(full)
    # what is kept is unchanged, only the tail goes
    kept = full.loc[full["n_at_risk"] >= 10].reset_index(drop=True)
    pd.testing.assert_frame_equal(cut, kept)


def test_cif_curves_count_events_up_to_each_time() -> None:
    curves = survival.cif_curves(tiny_frame(), PEIL, StandInScheme(), by=None)
    durable = curves.loc[curves["outcome"] == "durable"].set_index("time_days")["n_events"]
    # TINY: durable exits on days 10 and 40
    assert durable.loc[0] == 0 and durable.loc[10] == 1 and durable.loc[30] == 1 and durable.loc[40] == 2
    left = curves.loc[curves["outcome"] == survival.IN_PROGRAMME].set_index("time_days")["n_events"]
    # all exits by day 60: 10 D, 10 N, 30 S, 30 S, 40 D, 60 N = 6
    assert left.loc[30] == 4 and left.max() == 6
