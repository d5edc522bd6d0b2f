"""Known-answer tests for lvv_eval.stats.rates (expected numbers written here, seeds cited)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lvv_eval.errors import ConfigError, InputValidationError
from lvv_eval.stats.rates import (
    RATE_COLUMNS,
    class_shares,
    durable_rate,
    occupancy,
    proportion_ci,
    proportion_difference,
    scenario_shares,
    target_attainment,
)

Z95 = 1.959963984540054  # standard normal quantile for 95 %


def wilson_by_hand(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval written out from the formula (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# Tabel S.2 of 001_08a3e7995258f26d.txt (Regioplan 2020): durable outflow and total intake
# (Tabel S.1, Amsterdam incl. the 76 without formal status), targets in percent.
S2_DURABLE = {"amsterdam": 3, "eindhoven": 1, "groningen": 10, "rotterdam": 12, "utrecht": 33}
S1_INTAKE = {"amsterdam": 363, "eindhoven": 33, "groningen": 302, "rotterdam": 129, "utrecht": 268}
S2_TARGET = {"amsterdam": 20, "eindhoven": 20, "groningen": 40, "rotterdam": 60, "utrecht": 20}
S2_PRINTED = {"amsterdam": 1, "eindhoven": 3, "groningen": 3, "rotterdam": 9, "utrecht": 12}


# --------------------------------------------------------------------------- proportion_ci
@pytest.mark.parametrize("k,n", [(37, 120), (33, 268), (1, 33), (0, 20), (20, 20), (5, 7)])
def test_wilson_matches_formula(k: int, n: int) -> None:
    low, high = proportion_ci(k, n)
    exp_low, exp_high = wilson_by_hand(k, n)
    assert low == pytest.approx(max(exp_low, 0.0), abs=1e-12)
    assert high == pytest.approx(min(exp_high, 1.0), abs=1e-12)


def test_wilson_literal_value() -> None:
    low, high = proportion_ci(37, 120, method="wilson")
    assert (round(low, 4), round(high, 4)) == (0.2327, 0.3958)


def test_vectorised_series_keeps_index_and_nobs_zero_is_nan() -> None:
    count = pd.Series([37, 0, 3], index=["a", "b", "c"])
    nobs = pd.Series([120, 0, 10], index=["a", "b", "c"])
    low, high = proportion_ci(count, nobs)
    assert list(low.index) == ["a", "b", "c"]
    assert math.isnan(low["b"]) and math.isnan(high["b"])
    assert low["a"] == pytest.approx(wilson_by_hand(37, 120)[0])
    arr_low, _ = proportion_ci(np.array([1, 0]), np.array([10, 0]))
    assert not math.isnan(arr_low[0]) and math.isnan(arr_low[1])
    assert all(math.isnan(x) for x in proportion_ci(0, 0))


def test_clopper_pearson_is_available_and_wider() -> None:
    # Clopper-Pearson for 0/10 has upper bound 1 - (alpha/2)^(1/10)
    low, high = proportion_ci(0, 10, method="beta")
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-10)
    cp = proportion_ci(3, 30, method="clopper-pearson")
    wi = proportion_ci(3, 30)
    assert cp[1] - cp[0] > wi[1] - wi[0]


def test_bad_counts_and_methods_raise() -> None:
    with pytest.raises(InputValidationError) as err:
        proportion_ci(np.array([5, -1]), np.array([3, 10]))
    assert len(err.value.problems) == 2
    with pytest.raises(ConfigError):
        proportion_ci(1, 10, method="wald-ish")


# --------------------------------------------------------------------------- durable_rate
def test_tabel_s2_rates_and_denominator_label() -> None:
    t = durable_rate(S2_DURABLE, intake=S1_INTAKE)
    assert set(RATE_COLUMNS) <= set(t.columns)
    assert list(t["pilot"]) == list(S2_DURABLE)
    utrecht = t.set_index("pilot").loc["utrecht"]
    assert (utrecht["numerator"], utrecht["denominator"]) == (33, 268)
    assert round(utrecht["estimate"] * 100, 1) == 12.3
    assert utrecht["ci_method"] == "wilson"
    assert utrecht["ci_low"] == pytest.approx(wilson_by_hand(33, 268)[0])
    assert set(t["denominator_label"]) == {"total intake"}
    assert set(t["measure"]) == {"outflow_share_of_intake"}
    # every printed percentage of Tabel S.2 is reproduced after rounding to whole percent
    printed = {p: round(e * 100) for p, e in zip(t["pilot"], t["estimate"])}
    assert printed == S2_PRINTED


def test_outflow_denominator_regioplan_2022() -> None:
    # 004_b44b716732003f66.txt: 18 % of 1258 outflowed persons; 226 is a count that prints as 18 %
    t = durable_rate(226, outflow=1258)
    assert t.loc[0, "denominator_label"] == "total outflow"
    assert t.loc[0, "measure"] == "outflow_share_of_outflow"
    assert t.loc[0, "pilot"] == "total"
    assert round(t.loc[0, "estimate"] * 100) == 18


def test_durable_rate_needs_exactly_one_denominator() -> None:
    with pytest.raises(ConfigError):
        durable_rate(3)
    with pytest.raises(ConfigError):
        durable_rate(3, intake=10, outflow=5)


def test_missing_key_is_reported_not_dropped() -> None:
    with pytest.raises(InputValidationError, match="utrecht"):
        durable_rate({"utrecht": 33, "rotterdam": 12}, intake={"rotterdam": 129})


def test_zero_denominator_gives_nan_not_error() -> None:
    t = durable_rate({"x": 0}, intake={"x": 0})
    assert math.isnan(t.loc[0, "estimate"]) and math.isnan(t.loc[0, "ci_low"])


# --------------------------------------------------------------------------- occupancy
def test_occupancy_tabel_s1_eindhoven() -> None:
    # 001 Tabel S.1: Eindhoven 130 places, 30 present, 100 free = 77 %
    t = occupancy({"eindhoven": 130}, {"eindhoven": 30}).set_index("measure")
    assert t.loc["free_places", "estimate"] == 100
    assert round(t.loc["free_places_rate", "estimate"] * 100) == 77
    assert t.loc["occupancy_rate", "denominator_label"] == "capacity"
    assert t.loc["occupancy_rate", "ci_method"] == "none"
    assert math.isnan(t.loc["occupancy_rate", "ci_low"])
    # interval policy: places are not a sample, so an interval on occupancy is refused
    with pytest.raises(ConfigError, match="places of a pilot are not a sample"):
        occupancy(130, 30, ci_method="wilson")


# --------------------------------------------------------------------------- class shares
def test_class_shares_wilson_and_goodman() -> None:
    counts = {"durable": 226, "semi_durable": 516, "none": 516}  # prints as 18/41/41 % of 1258 (004)
    t = class_shares(counts)
    assert list(t["category"]) == ["durable", "semi_durable", "none"]
    assert set(t["denominator"]) == {1258}
    assert set(t["sim_ci_method"]) == {"goodman"}
    # simultaneous intervals are wider than the per-class ones
    assert (t["sim_ci_low"] < t["ci_low"]).all() and (t["sim_ci_high"] > t["ci_high"]).all()
    assert t.loc[0, "ci_low"] == pytest.approx(wilson_by_hand(226, 1258)[0])


def test_class_shares_small_count_no_goodman_and_intake_remainder() -> None:
    t = class_shares({"durable": 3, "semi_durable": 20, "none": 30}, denominator="intake", intake=100)
    assert list(t["category"]) == ["durable", "semi_durable", "none", "not_outflowed"]
    assert t["estimate"].sum() == pytest.approx(1.0)
    assert t["sim_ci_low"].isna().all()
    assert set(t["denominator_label"]) == {"total intake"}
    with pytest.raises(InputValidationError):
        class_shares({"durable": 30, "none": 80}, denominator="intake", intake=100)


# --------------------------------------------------------------------------- targets
def test_target_attainment_tabel_s2_all_not_reached() -> None:
    t = target_attainment(durable_rate(S2_DURABLE, intake=S1_INTAKE), S2_TARGET).set_index("pilot")
    assert set(t["status"]) == {"not reached"}
    assert t.loc["utrecht", "target_pct"] == 20
    assert t.loc["utrecht", "ratio"] == pytest.approx((33 / 268) / 0.20)


def test_target_attainment_statuses() -> None:
    rates = durable_rate(
        {"hi": 60, "mid": 22, "lo": 2, "empty": 0}, intake={"hi": 100, "mid": 100, "lo": 100, "empty": 0}
    )
    t = target_attainment(rates, {"hi": 20, "mid": 20, "lo": 20, "empty": 20}).set_index("pilot")
    assert t.loc["hi", "status"] == "reached"
    assert t.loc["mid", "status"] == "undetermined (CI contains target)"
    assert t.loc["lo", "status"] == "not reached"
    assert t.loc["empty", "status"].startswith("undetermined")
    with pytest.raises(InputValidationError):
        target_attainment(rates, {"hi": 20})


# --------------------------------------------------------------------------- scenarios
def test_scenario_shares_monitor_2020() -> None:
    # 002_1f6dbbe6756677e4.txt: 471 scenarios, 236 departure, 235 residence
    t = scenario_shares(236, 235)
    assert list(t["category"]) == ["departure", "residence"]
    assert set(t["denominator"]) == {471}
    assert t.loc[0, "estimate"] == pytest.approx(236 / 471)


# --------------------------------------------------------------------------- differences
def test_newcombe_difference_by_hand() -> None:
    # Utrecht 33/268 vs Rotterdam 12/129 (001, Tabel S.2): Newcombe's hybrid score interval
    k1, n1, k2, n2 = 33, 268, 12, 129
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_by_hand(k1, n1)
    l2, u2 = wilson_by_hand(k2, n2)
    d = p1 - p2
    exp_low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    exp_high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    t = proportion_difference(k1, n1, k2, n2)
    assert t.loc[0, "estimate"] == pytest.approx(d)
    assert t.loc[0, "ci_low"] == pytest.approx(exp_low, abs=1e-10)
    assert t.loc[0, "ci_high"] == pytest.approx(exp_high, abs=1e-10)
    assert (round(t.loc[0, "ci_low"], 4), round(t.loc[0, "ci_high"], 4)) == (-0.0411, 0.0895)
    assert t.loc[0, "ci_method"] == "newcomb"
    assert "pvalue" not in " ".join(t.columns)


def test_difference_zero_denominator_is_nan() -> None:
    t = proportion_difference({"x": 0}, {"x": 0}, {"x": 1}, {"x": 3})
    assert math.isnan(t.loc[0, "ci_low"])


def test_target_attainment_missing_target_and_boundary() -> None:
    rates = durable_rate({"a": 30, "b": 30}, intake={"a": 100, "b": 100})
    t = target_attainment(rates, pd.Series({"a": float("nan"), "b": 20.0})).set_index("pilot")
    assert t.loc["a", "status"] == "no target"
    # a lower bound exactly at the target is 'at or above': reached
    low = float(rates.set_index("pilot").loc["b", "ci_low"])
    t2 = target_attainment(rates, pd.Series({"a": 90.0, "b": low * 100})).set_index("pilot")
    assert t2.loc["b", "status"] == "reached"
