"""Shared notebook helpers: data loading per parameters, published vs person-level, scheme sensitivity."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lvv_eval.evaluations import common
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.parameters import validate_parameters


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


def test_published_vs_person_reproduces_the_monitor_counts(synthetic_frame: pd.DataFrame) -> None:
    P = validate_parameters({"peildatum": "2020-11-01"}, notebook="t")
    table = common.published_vs_person(synthetic_frame, P, "monitor-2020").set_index("figure_id")
    # source 002: 1310 sheltered, 771 present, 107 durable; the synthetic data are calibrated to them.
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
    # Forced return counts as durable for the monitor (source 000) and not for Verwey-Jonker,
    # so the monitor's durable count can only be larger or equal.
    assert total.loc["monitor-2020", "numerator"] >= total.loc["verwey-jonker-2021", "numerator"]
    assert (table["ci_low"] <= table["estimate"]).all() and (table["estimate"] <= table["ci_high"]).all()
    assert (table["ci_method"] == "wilson").all()


def test_scheme_sensitivity_restricted_to_pilots(synthetic_frame: pd.DataFrame) -> None:
    table = common.scheme_sensitivity(
        synthetic_frame, "2020-11-01", schemes=["monitor-2020"], pilots=["groningen", "rotterdam"]
    )
    assert set(table["pilot"]) == {"groningen", "rotterdam", "total"}
    outflow = table[table["denominator_kind"] == "outflow"].set_index("pilot")
    assert (
        outflow.loc["total", "denominator"]
        == outflow.loc["groningen", "denominator"] + outflow.loc["rotterdam", "denominator"]
    )


def test_suppress_scheme_differences_hides_small_scheme_differences() -> None:
    from lvv_eval.evaluations.common import suppress_scheme_differences
    from lvv_eval.evaluations.interim import scheme_shift

    # pilot a: 3 forced returns separate scheme m from v; pilot b: 15
    sens = pd.DataFrame(
        {
            "scheme": ["m", "m", "v", "v"],
            "pilot": ["a", "b", "a", "b"],
            "denominator_kind": "outflow",
            "numerator": [30, 40, 27, 25],
            "denominator": [100, 100, 100, 100],
            "estimate": [0.30, 0.40, 0.27, 0.25],
            "ci_low": 0.1,
            "ci_high": 0.5,
            "suppressed": False,
        }
    )
    res = suppress_scheme_differences(sens, threshold=10)
    assert res.table["numerator"].tolist() == [30, 40, pd.NA, 25]
    assert res.table["estimate"].isna().tolist() == [False, False, True, False]
    assert res.table["suppressed"].tolist() == [False, False, True, False]
    shift = scheme_shift(res.table, "m", "v", threshold=10)
    assert shift["moved"].isna().tolist() == [True, False]
    assert math.isnan(shift["shift_pp"].iloc[0])  # the shift would reveal the 3 persons


def test_hide_masked_rates_hides_denominator_and_rate() -> None:
    from lvv_eval.evaluations.common import hide_masked_rates

    mask = pd.DataFrame(
        {"durable": [False, False], "intake": [True, False], "outflow": [False, False]}, index=["a", "b"]
    )
    rates = pd.DataFrame(
        {
            "pilot": ["a", "a", "b"],
            "denominator_kind": ["intake", "outflow", "intake"],
            "numerator": [30, 30, 40],
            "denominator": [200, 100, 300],
            "estimate": [0.15, 0.3, 0.4 / 3],
        }
    )
    out = hide_masked_rates(rates, mask, numerator_cell="durable", denominator_kind="denominator_kind")
    # a's intake (200) is hidden in the count table: its rate and denominator go, its outflow rate stays
    assert out["suppressed"].tolist() == [True, False, False]
    assert pd.isna(out.loc[0, "denominator"]) and pd.isna(out.loc[0, "estimate"])
    assert out.loc[1, "denominator"] == 100 and out.loc[1, "numerator"] == 30


def test_suppress_scheme_differences_protects_the_report_scheme() -> None:
    from lvv_eval.evaluations.common import suppress_scheme_differences

    # scheme r is the report's scheme (its 222 is public elsewhere); m differs by 9 nationally
    sens = pd.DataFrame(
        {
            "scheme": ["m"] * 3 + ["r"] * 3,
            "pilot": ["a", "b", "total"] * 2,
            "denominator_kind": "outflow",
            "numerator": [100, 131, 231, 100, 122, 222],
            "denominator": [400, 500, 900] * 2,
            "estimate": [0.25, 0.262, 0.2567, 0.25, 0.244, 0.2467],
        }
    )
    out = suppress_scheme_differences(sens, 10, protect=["r"]).table
    assert out.loc[out["scheme"] == "r", "numerator"].tolist() == [100, 122, 222]
    m = out.loc[out["scheme"] == "m", "numerator"]
    # b and total of m hidden (differences 9 from r); a stays (difference 0)
    assert m.isna().tolist() == [False, True, True]


def test_suppress_scheme_differences_secondary_against_total() -> None:
    from lvv_eval.evaluations.common import suppress_scheme_differences

    sens = pd.DataFrame(
        {
            "scheme": ["m"] * 4 + ["r"] * 4,
            "pilot": ["a", "b", "c", "total"] * 2,
            "denominator_kind": "outflow",
            "numerator": [50, 60, 75, 185, 50, 60, 70, 180],
        }
    )
    out = suppress_scheme_differences(sens, 10, protect=["r"]).table
    m = out.loc[out["scheme"] == "m", "numerator"]
    # m/c (75 vs 70) and m/total (185 vs 180) hidden: c is not the only hidden cell of m's column
    assert m.isna().sum() >= 2 and pd.isna(m.iloc[2])


def test_suppress_cif_table_hides_a_complement() -> None:
    from lvv_eval.evaluations.common import suppress_cif_table

    rows = []
    for pilot, ev, n in (
        ("e", {"durable": 4, "semi": 30, "none": 40}, 120),
        ("g", {"durable": 30, "semi": 40, "none": 50}, 200),
        ("total", {"durable": 34, "semi": 70, "none": 90}, 320),
    ):
        for outcome, k in ev.items():
            rows.append(
                {"pilot": pilot, "outcome": outcome, "horizon_days": 365, "n": n, "n_events": k, "estimate": k / n}
            )
        rows.append(
            {
                "pilot": pilot,
                "outcome": "in_programme",
                "horizon_days": 365,
                "n": n,
                "n_events": pd.NA,
                "estimate": 1 - sum(ev.values()) / n,
            }
        )
    t = pd.DataFrame(rows)
    out = suppress_cif_table(t, 10).table.set_index(["pilot", "outcome"])
    assert pd.isna(out.loc[("e", "durable"), "estimate"])
    # e's durable cannot be 1 - the other three: at least one more outcome of e is hidden
    assert out.loc["e", "suppressed"].sum() >= 2
    # nor total - g: another pilot's or the total's durable is hidden too
    assert out.xs("durable", level="outcome")["suppressed"].sum() >= 2


def test_hide_cif_curves_by_events_and_table() -> None:
    from lvv_eval.evaluations.common import hide_cif_curves

    curves = pd.DataFrame(
        {
            "pilot": ["a"] * 8 + ["b"] * 6,
            "outcome": ["x", "x", "y", "y", "z", "z", "in_programme", "in_programme", "x", "x", "y", "y", "z", "z"],
            "time_days": [0, 9] * 7,
            "n_events": [0, 12, 0, 30, 0, 40, 0, 82, 0, 50, 0, 60, 0, 70],
        }
    )
    kept = hide_cif_curves(curves, 10, hidden=[("b", "y")])
    pairs = set(zip(kept["pilot"], kept["outcome"]))
    # a: nothing small, all kept; b: y hidden by the table, so one more class (x, fewest events) goes too
    assert {("a", "x"), ("a", "y"), ("a", "z")} <= pairs
    assert ("b", "y") not in pairs and ("b", "x") not in pairs and ("b", "z") in pairs


def test_suppress_scheme_count_tables_hides_small_cross_scheme_differences() -> None:
    from lvv_eval.evaluations.common import suppress_scheme_count_tables

    mon = pd.DataFrame(
        {"durable": [26, 40, 66], "temporary": [73, 49, 122], "none": [77, 30, 107], "total": [176, 119, 295]},
        index=pd.Index(["g", "u", "total"], name="pilot"),
    )
    vji = pd.DataFrame(
        {"durable": [22, 39, 61], "semi_durable": [73, 49, 122], "none": [81, 31, 112], "total": [176, 119, 295]},
        index=pd.Index(["g", "u", "total"], name="pilot"),
    )
    res = suppress_scheme_count_tables({"monitor-2020": mon, "verwey-jonker-2021": vji}, 10)
    assert res["monitor-2020"].table["durable"].tolist() == [26, 40, 66]
    v = res["verwey-jonker-2021"].table
    # 26 - 22 = 4 forced returns (source 000): the second scheme's durable and none are hidden
    assert v["durable"].isna().all() and v["none"].isna().all()
    assert v["semi_durable"].tolist() == [73, 49, 122]


def test_other_non_durable_is_counted_as_the_source_counts_it(synthetic_frame: pd.DataFrame) -> None:
    # Seed 000: immigration detention, including forced departure from it, is 'overige
    # niet-bestendige uitstroom'. One definition (the verwey-jonker-2021 scheme's subtotal)
    # for 02 and for the calibration report: on the default synthetic data 73, not 62.
    from lvv_eval.reference.schemes import load_scheme
    from lvv_eval.stats import counts as aggregate

    P = validate_parameters({"peildatum": "2020-11-01"}, notebook="t")
    table = common.published_vs_person(synthetic_frame, P, "verwey-jonker-2021").set_index("figure_id")
    row = table.loc["vj21-other-total"]
    scheme = load_scheme("verwey-jonker-2021")
    assert set(aggregate.OTHER_NON_DURABLE) == set(scheme.subtotals["other_non_durable"])
    assert {"forced_return", "other"} <= set(aggregate.OTHER_NON_DURABLE)
    assert (row["published"], row["person_level"], row["difference"]) == (76, 73, -3)


def test_scheme_differences_with_secondary_suppression_against_the_total() -> None:
    # b/p differs from a/p by 5 (< 10) and is hidden; b's total then needs a second hidden
    # pilot of b. This path failed with "assignment destination is read-only" once a fifth
    # scheme made it reachable in notebook 02.
    t = pd.DataFrame(
        {
            "scheme": ["a"] * 4 + ["b"] * 4,
            "pilot": ["p", "q", "r", "total"] * 2,
            "denominator_kind": "outflow",
            "numerator": [40, 50, 60, 150, 45, 70, 50, 165],
        }
    )
    out = common.suppress_scheme_differences(t, 10, protect=["a"]).table
    hidden_b = out.loc[out["scheme"] == "b", "numerator"].isna().tolist()
    assert hidden_b[0] and sum(hidden_b) >= 2
    assert out.loc[out["scheme"] == "a", "numerator"].notna().all()


@pytest.mark.parametrize("source", ["regioplan-2020", "monitor-2020", "verwey-jonker-2021", "regioplan-2022"])
def test_one_pilot_is_compared_with_that_pilots_figures_never_the_national_ones(
    synthetic_frame: pd.DataFrame, source: str
) -> None:
    # issue 11: `-p pilots '[utrecht]'` put Utrecht's 302 next to the national 1019 ("Totaal intake formal")
    P = validate_parameters({"pilots": ["utrecht"]}, notebook="t")
    table = common.published_vs_person(synthetic_frame, P, source)
    assert set(table["pilot"]) <= {"utrecht"}
    scope = common.published_scope(synthetic_frame, P, source)
    assert not scope.loc[scope["pilot"] == "total", "counterpart"].any()
    assert set(scope.loc[scope["pilot"] == "total", "reason"]) <= {"national_total"}
    assert set(table["figure_id"]) == set(scope.loc[scope["counterpart"], "figure_id"]) & set(table["figure_id"])
    note = common.no_counterpart_note(synthetic_frame, P, source, Labels("en"))
    if (scope["pilot"] == "total").any():
        assert note is not None and "national total; the data cover only utrecht" in note


def test_a_one_municipality_export_is_scoped_like_the_pilots_parameter(synthetic_frame: pd.DataFrame) -> None:
    one = synthetic_frame.loc[synthetic_frame["pilot"].astype("str") == "utrecht"].reset_index(drop=True)
    P = validate_parameters({}, notebook="t")
    table = common.published_vs_person(one, P, "regioplan-2020")
    assert len(table) and set(table["pilot"]) == {"utrecht"}
    scope = common.published_scope(one, P, "regioplan-2020")
    other = scope.loc[~scope["pilot"].isin(["utrecht", "total"])]
    assert len(other) and (other["reason"] == "pilot_not_in_data").all()
    nl = common.no_counterpart_note(one, P, "regioplan-2020", Labels("nl"))
    assert nl is not None and "gemeente niet in de gegevens" in nl and f"{(~scope['counterpart']).sum()}" in nl


def test_all_pilots_keep_the_national_comparison(synthetic_frame: pd.DataFrame) -> None:
    P = validate_parameters({}, notebook="t")
    table = common.published_vs_person(synthetic_frame, P, "regioplan-2020")
    assert "total" in set(table["pilot"])
    assert common.no_counterpart_note(synthetic_frame, P, "regioplan-2020", Labels("en")) is None


def test_an_empty_export_compares_nothing(synthetic_frame: pd.DataFrame) -> None:
    P = validate_parameters({}, notebook="t")
    table = common.published_vs_person(synthetic_frame.iloc[:0], P, "regioplan-2020")
    assert table.empty
    assert "no pilot" in common.no_counterpart_note(synthetic_frame.iloc[:0], P, "regioplan-2020", Labels("en"))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_source_claims_table_has_labelled_columns_and_verdicts(language: str) -> None:
    from lvv_eval.sources.claims import check_claims

    L = Labels(language)
    results = check_claims()
    table = common.source_claims(["monitor-2020", "verwey-jonker-2021"], L, results)
    expected = [L(*common.CLAIM_COLUMN_LABELS[c]) for c in common.CLAIM_COLUMN_LABELS]
    assert list(table.columns) == expected
    source = table[L(*common.CLAIM_COLUMN_LABELS["source"])]
    assert list(dict.fromkeys(source)) == ["monitor-2020", "verwey-jonker-2021"]
    assert (
        len(table)
        == len(common.source_claims(["monitor-2020"], L, results))
        + len(common.source_claims(["verwey-jonker-2021"], L, results))
        > 0
    )
    verdicts = set(table[L(*common.CLAIM_COLUMN_LABELS["verdict"])])
    assert verdicts <= {L(*v) for v in common.VERDICT_LABELS.values()}


def test_note_empty_only_for_a_file_without_trajectories(synthetic_frame: pd.DataFrame) -> None:
    class Writer:
        notes: list[str] = []

        def note(self, text: str) -> None:
            self.notes.append(text)

    class Data:
        def __init__(self, frame: pd.DataFrame) -> None:
            self.frame = frame

    w = Writer()
    assert common.note_empty(w, Data(synthetic_frame), Labels("en")) == "" and not w.notes
    text = common.note_empty(w, Data(synthetic_frame.iloc[:0]), Labels("en"))
    assert "no trajectories" in text and w.notes == [text]
