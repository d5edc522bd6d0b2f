"""Shared notebook helpers: data loading per parameters, published vs person-level, scheme sensitivity."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lvv_eval.evaluations import common
from lvv_eval.i18n import Labels
from lvv_eval.params import validate_parameters


@pytest.fixture(scope="module")
def synthetic_frame() -> pd.DataFrame:
    P = validate_parameters({"data_source": "synthetic"}, notebook="t")
    data = common.load_person_level(P)
    assert data is not None
    return data.frame


def test_published_data_source_loads_no_person_level_data() -> None:
    P = validate_parameters({"data_source": "published"}, notebook="t")
    assert common.load_person_level(P) is None
    assert "Alleen gepubliceerde" in common.data_banner(P, Labels("nl"))


def test_synthetic_banner_says_synthetic_in_both_languages() -> None:
    P = validate_parameters({"data_source": "synthetic"}, notebook="t")
    assert "SYNTHETISCHE" in common.data_banner(P, Labels("nl"))
    assert "SYNTHETIC" in common.data_banner(P, Labels("en"))


def test_source_population_follows_the_source() -> None:
    # The 2020 monitor counts formal LVV status only (seed 002); Regioplan 2020 does not (001).
    assert common.source_population("monitor-2020") == ("monitor-2020", True)
    assert common.source_population("regioplan-2020") == ("regioplan-2020", False)
    with pytest.raises(KeyError):
        common.source_population("no-such-source")


def test_published_vs_person_reproduces_the_monitor_counts(synthetic_frame: pd.DataFrame) -> None:
    P = validate_parameters({"peildatum": "2020-11-01"}, notebook="t")
    table = common.published_vs_person(synthetic_frame, P, "monitor-2020").set_index("figure_id")
    # seed 002: 1310 sheltered, 771 present, 107 durable; the synthetic data are calibrated to them.
    assert table.loc["m20-sheltered-total", "published"] == 1310
    assert table.loc["m20-present-total", "person_level"] == 771
    assert table.loc["m20-durable-total", "difference"] == 0
    assert {"published", "person_level", "difference"} <= set(table.columns)


def test_scheme_sensitivity_has_both_denominators_per_scheme(synthetic_frame: pd.DataFrame) -> None:
    table = common.scheme_sensitivity(synthetic_frame, "2020-11-01", schemes=["monitor-2020", "verwey-jonker-2021"])
    assert set(table["scheme"]) == {"monitor-2020", "verwey-jonker-2021"}
    assert set(table["denominator_kind"]) == {"intake", "outflow"}
    assert table["pilot"].iloc[-1] == "total"
    total = table[(table["pilot"] == "total") & (table["denominator_kind"] == "outflow")].set_index("scheme")
    # Forced return counts as durable for the monitor (seed 000) and not for Verwey-Jonker,
    # so the monitor's durable count can only be larger or equal.
    assert total.loc["monitor-2020", "numerator"] >= total.loc["verwey-jonker-2021", "numerator"]
    assert (table["ci_low"] <= table["estimate"]).all() and (table["estimate"] <= table["ci_high"]).all()
    assert (table["ci_method"] == "wilson").all()


def test_scheme_sensitivity_restricted_to_pilots(synthetic_frame: pd.DataFrame) -> None:
    table = common.scheme_sensitivity(synthetic_frame, "2020-11-01", schemes=["monitor-2020"],
                                      pilots=["groningen", "rotterdam"])
    assert set(table["pilot"]) == {"groningen", "rotterdam", "total"}
    outflow = table[table["denominator_kind"] == "outflow"].set_index("pilot")
    assert outflow.loc["total", "denominator"] == outflow.loc["groningen", "denominator"] + outflow.loc["rotterdam", "denominator"]


def test_suppress_scheme_differences_hides_small_scheme_differences() -> None:
    from lvv_eval.evaluations.common import suppress_scheme_differences
    from lvv_eval.evaluations.interim import scheme_shift

    # pilot a: 3 forced returns separate scheme m from v; pilot b: 15
    sens = pd.DataFrame({
        "scheme": ["m", "m", "v", "v"], "pilot": ["a", "b", "a", "b"], "denominator_kind": "outflow",
        "numerator": [30, 40, 27, 25], "denominator": [100, 100, 100, 100],
        "estimate": [0.30, 0.40, 0.27, 0.25], "ci_low": 0.1, "ci_high": 0.5, "suppressed": False})
    res = suppress_scheme_differences(sens, threshold=10)
    assert res.table["numerator"].tolist() == [30, 40, pd.NA, 25]
    assert res.table["estimate"].isna().tolist() == [False, False, True, False]
    assert res.table["suppressed"].tolist() == [False, False, True, False]
    shift = scheme_shift(res.table, "m", "v", threshold=10)
    assert shift["moved"].isna().tolist() == [True, False]
    assert math.isnan(shift["shift_pp"].iloc[0])  # the shift would reveal the 3 persons
