"""Tests of lvv_eval.stats.sites.compare (descriptive comparison of pilots by design attribute)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lvv_eval.evaluations.design_comparison import evidence_statement
from lvv_eval.reference.monitor_format import frame_from_records
from lvv_eval.stats.rates import proportion_ci, proportion_difference
from lvv_eval.stats.sites.compare import (
    compare_groups,
    person_counts,
    rate_table,
    sensitivity_table,
)
from lvv_eval.stats.sites.few_sites import DESCRIPTIVE_LABEL, NotIdentifiedError

Z = 1.959963984540054  # standard normal 97.5 % quantile


# --- helpers -----------------------------------------------------------------


def typed_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Typed monitor frame (contract 1) from partial records."""
    return frame_from_records(rows)


class StubScheme:
    """Stand-in with the interface of lvv_eval.reference.schemes.Scheme used by compare."""

    def __init__(self, name: str, mapping: dict[str, str]) -> None:
        self.name = name
        self.mapping = mapping
        self.class_ids = tuple(dict.fromkeys(mapping.values()))

    def classify(self, codes: pd.Series) -> pd.Series:
        mapped = codes.astype("object").map(lambda c: self.mapping.get(c) if isinstance(c, str) else None)
        return pd.Series(pd.Categorical(mapped, categories=list(self.class_ids), ordered=True), index=codes.index)


MAPPING = {
    "residence_permit": "durable",
    "independent_return": "durable",
    "forced_return": "durable",
    "repeat_asylum_application": "semi_durable",
    "left_unknown_destination": "none",
}
SCHEME_A = StubScheme("scheme-a", MAPPING)
SCHEME_B = StubScheme("scheme-b", {**MAPPING, "forced_return": "none"})


def hand_wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
    return centre - half, centre + half


def hand_newcombe(ka: int, na: int, kb: int, nb: int) -> tuple[float, float]:
    """Newcombe (1998) method 10 for p_b - p_a."""
    pa, pb = ka / na, kb / nb
    la, ua = hand_wilson(ka, na)
    lb, ub = hand_wilson(kb, nb)
    d = pb - pa
    return d - math.sqrt((pb - lb) ** 2 + (ua - pa) ** 2), d + math.sqrt((ub - pb) ** 2 + (pa - la) ** 2)


@pytest.fixture()
def frame() -> pd.DataFrame:
    """Small frame; peildatum 2020-01-01.

    amsterdam: a1 durable exit, a2 MOB exit, a3 present, a4 intake after the
    peildatum, a5 exit after the peildatum (present on the peildatum), a6 forced return.
    eindhoven: e1 durable exit (no formal status), e2 present.
    """

    def r(
        tid: str,
        pilot: str,
        intake: str,
        exit_: str | None = None,
        reason: str | None = None,
        formal: bool | None = True,
    ) -> dict[str, Any]:
        return {
            "trajectory_id": tid,
            "person_id": "p" + tid,
            "pilot": pilot,
            "intake_date": intake,
            "exit_date": exit_,
            "exit_reason": reason,
            "formal_status": formal,
        }

    return typed_frame(
        [
            r("a1", "amsterdam", "2019-05-01", "2019-10-01", "independent_return"),
            r("a2", "amsterdam", "2019-06-01", "2019-12-01", "left_unknown_destination"),
            r("a3", "amsterdam", "2019-07-01"),
            r("a4", "amsterdam", "2020-03-01"),
            r("a5", "amsterdam", "2019-08-01", "2020-02-01", "residence_permit"),
            r("a6", "amsterdam", "2019-08-01", "2019-11-01", "forced_return"),
            r("e1", "eindhoven", "2019-05-01", "2019-09-01", "residence_permit", formal=False),
            r("e2", "eindhoven", "2019-05-01"),
        ]
    )


def _row(rates: pd.DataFrame, **where: str) -> pd.Series:
    mask = pd.Series(True, index=rates.index)
    for k, v in where.items():
        mask &= rates[k] == v
    hit = rates.loc[mask]
    assert len(hit) == 1, (where, hit)
    return hit.iloc[0]


# --- intervals -----------------------------------------------------------------


@pytest.mark.parametrize("k,n", [(1, 33), (33, 268), (100, 130), (0, 12), (5, 5)])
def test_wilson_matches_hand_formula(k: int, n: int) -> None:
    low, high = proportion_ci(k, n, method="wilson")  # the interval compare uses
    exp_low, exp_high = hand_wilson(k, n)
    assert low == pytest.approx(max(exp_low, 0.0), abs=1e-9)
    assert high == pytest.approx(min(exp_high, 1.0), abs=1e-9)


@pytest.mark.parametrize("ka,na,kb,nb", [(1, 4, 1, 2), (58, 1062, 1, 33), (212, 777, 100, 130)])
def test_newcombe_matches_hand_formula(ka: int, na: int, kb: int, nb: int) -> None:
    diff = proportion_difference(kb, nb, ka, na)  # p_b - p_a, as in compare.group_differences
    low, high = float(diff.loc[0, "ci_low"]), float(diff.loc[0, "ci_high"])
    exp = hand_newcombe(ka, na, kb, nb)
    assert (low, high) == pytest.approx(exp, abs=1e-9)


def test_intervals_undefined_without_denominator() -> None:
    # capacity 0 (no denominator) and 5 durable exits out of an intake of 3
    counts = pd.DataFrame(
        {
            "pilot": "x",
            "measure": ["capacity", "occupancy", "intake", "outflow", "outflow"],
            "category": ["places", "persons", "all", "all", "durable"],
            "value": [0.0, 0.0, 3.0, 5.0, 5.0],
        }
    )
    rates = rate_table(counts, {"x": "yes"}).set_index(["level", "measure", "category"])
    occ = rates.loc[("pilot", "occupancy_rate", "of_capacity")]
    assert all(math.isnan(x) for x in (occ["ci_low"], occ["ci_high"]))
    dur = rates.loc[("pilot", "outflow_share_of_intake", "durable")]
    assert all(math.isnan(x) for x in (dur["ci_low"], dur["ci_high"]))
    assert dur["ci_method"].startswith("none")


# --- published 2019 figures (source 001, Tabel S.1 and S.2) -----------------------


@pytest.fixture(scope="module")
def bbb_2019():
    return compare_groups("regioplan-2020", "parallel_bbb", differences=True)


def test_published_eindhoven_uptake(bbb_2019) -> None:
    rates = bbb_2019.rates
    intake = _row(rates, level="pilot", pilot="eindhoven", measure="intake_per_place")
    assert (intake["numerator"], intake["denominator"]) == (33, 130)  # Tabel S.1
    assert math.isnan(intake["ci_low"])  # ratio, no interval
    free = _row(rates, level="pilot", pilot="eindhoven", measure="free_places_rate")
    assert (free["numerator"], free["denominator"]) == (100, 130)
    assert round(100 * free["estimate"]) == 77  # printed '= 77%'
    # interval policy (docs/methods.md): places are not a sample, so no Wilson interval
    assert math.isnan(free["ci_low"]) and math.isnan(free["ci_high"])
    assert free["ci_method"] == "none (places are not a sample)"
    assert free["group"] == "yes" and free["label"] == DESCRIPTIVE_LABEL


def test_published_other_pilots_pooled(bbb_2019) -> None:
    rates = bbb_2019.rates
    # free places 69 + 99 + 44 of 360 + 300 + 117; Utrecht has no count (98 % estimate only)
    grp = _row(rates, level="group", group="no", measure="free_places_rate")
    assert (grp["numerator"], grp["denominator"]) == (212, 777)
    assert grp["pilot"] == "amsterdam,groningen,rotterdam"
    assert any("utrecht" in n and "free_places_rate" in n for n in bbb_2019.notes)
    # durable outflow relative to intake, Tabel S.2: 3+10+12+33 of 363+302+129+268
    dur = _row(rates, level="group", group="no", measure="outflow_share_of_intake", category="durable")
    assert (dur["numerator"], dur["denominator"]) == (58, 1062)
    printed = {"amsterdam": 1, "eindhoven": 3, "groningen": 3, "rotterdam": 9, "utrecht": 12}
    for pilot, pct in printed.items():
        r = _row(rates, level="pilot", pilot=pilot, measure="outflow_share_of_intake", category="durable")
        assert round(100 * r["estimate"]) == pct


def test_published_difference_is_newcombe_and_descriptive(bbb_2019) -> None:
    d = bbb_2019.differences
    row = d.loc[(d["measure"] == "free_places_rate")].iloc[0]
    assert (row["group_a"], row["group_b"]) == ("no", "yes")
    # free places: estimate only (+49.6 pp), no Newcombe interval: places are not a sample
    assert row["estimate"] == pytest.approx(100 / 130 - 212 / 777)
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    dur = d.loc[(d["measure"] == "outflow_share_of_intake") & (d["category"] == "durable")].iloc[0]
    assert (dur["ci_low"], dur["ci_high"]) == pytest.approx(
        hand_newcombe(dur["numerator_a"], dur["denominator_a"], dur["numerator_b"], dur["denominator_b"])
    )
    assert (d["label"] == "descriptive: persons as units, not a design effect").all()
    assert "p_value" not in d.columns


def test_formal_only_uses_amsterdam_formal_intake() -> None:
    res = compare_groups("regioplan-2020", "parallel_bbb", formal_only=True)
    r = _row(res.rates, level="pilot", pilot="amsterdam", measure="outflow_share_of_intake", category="durable")
    assert (r["numerator"], r["denominator"]) == (3, 287)  # 287 with formal LVV status (Tabel S.1)


# --- refusal of significance tests --------------------------------------------


def test_refusal_one_of_five() -> None:
    with pytest.raises(NotIdentifiedError) as info:
        compare_groups("regioplan-2020", "parallel_bbb", p_values=True)
    assert info.value.min_p == pytest.approx(1 / math.comb(5, 1))
    assert "1/5 = 0.20" in str(info.value)


def test_refusal_two_of_five() -> None:
    # cooperation criterion formal in Rotterdam and Utrecht (source 002)
    with pytest.raises(NotIdentifiedError) as info:
        compare_groups("regioplan-2020", "cooperation_criterion", p_values=True)
    assert info.value.min_p == pytest.approx(1 / math.comb(5, 2))
    assert "1/10 = 0.10" in str(info.value)


def test_identification_and_statement(bbb_2019) -> None:
    ident = bbb_2019.identification
    assert ident["group_sizes"] == {"no": 4, "yes": 1}
    assert ident["min_permutation_p"] == pytest.approx(0.2)
    en = evidence_statement(bbb_2019, "en")
    nl = evidence_statement(bbb_2019, "nl")
    assert "eindhoven (1 of 5)" in en and "1/5 = 0.20" in en
    assert "cannot show that the design caused" in en
    assert "0,20" in nl and "1 van 5" in nl
    # group labels in the report language: yes/no are ja/nee in Dutch text
    assert "'ja' = eindhoven (1 van 5)" in nl and "'nee' = amsterdam" in nl
    assert "'yes'" not in nl and "'no'" not in nl
    assert "'yes' = eindhoven (1 of 5)" in en
    with pytest.raises(ValueError):
        evidence_statement(bbb_2019, "de")


def test_refusal_message_in_both_languages() -> None:
    with pytest.raises(NotIdentifiedError) as info:
        compare_groups("regioplan-2020", "parallel_bbb", p_values=True)
    err = info.value
    assert (err.n_assignments, err.n_sites, err.group_sizes) == (5, 5, {"no": 4, "yes": 1})
    assert err.message("en") == str(err)
    nl = err.message("nl")
    assert "Geen significantietoets" in nl and "1/5 = 0,20" in nl and "onbereikbaar" in nl


def test_statement_for_unpublished_attribute() -> None:
    res = compare_groups("regioplan-2020", "shelter_24h")
    assert "not published for any pilot" in evidence_statement(res)
    assert res.differences.empty


# --- person-level ----------------------------------------------------------------


def test_person_counts_at_peildatum(frame: pd.DataFrame) -> None:
    c = person_counts(frame, "2020-01-01", SCHEME_A).set_index(["pilot", "measure", "category"])["value"]
    assert c[("amsterdam", "intake", "all")] == 5  # a4 enters after the peildatum
    assert c[("amsterdam", "outflow", "all")] == 3  # a5 leaves after the peildatum
    assert c[("amsterdam", "occupancy", "persons")] == 2  # a3, a5
    assert c[("amsterdam", "outflow", "durable")] == 2  # a1, a6 (forced return durable in scheme A)
    assert c[("amsterdam", "outflow", "semi_durable")] == 0
    assert c[("amsterdam", "capacity", "places")] == 360  # design table, 2019 period
    assert c[("eindhoven", "intake", "informal")] == 1


def test_person_level_comparison(frame: pd.DataFrame) -> None:
    res = compare_groups(frame, "parallel_bbb", peildatum="2020-01-01", scheme=SCHEME_A, differences=True)
    a = _row(res.rates, level="pilot", pilot="amsterdam", measure="outflow_share_of_intake", category="durable")
    assert (a["numerator"], a["denominator"]) == (2, 5)
    assert (a["ci_low"], a["ci_high"]) == pytest.approx(hand_wilson(2, 5))
    o = _row(res.rates, level="pilot", pilot="amsterdam", measure="outflow_share_of_outflow", category="durable")
    assert (o["numerator"], o["denominator"]) == (2, 3)
    d = res.differences
    row = d.loc[(d["measure"] == "outflow_share_of_intake") & (d["category"] == "durable")].iloc[0]
    assert row["estimate"] == pytest.approx(1 / 2 - 2 / 5)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(hand_newcombe(2, 5, 1, 2))
    with pytest.raises(ValueError):
        compare_groups(frame, "parallel_bbb", scheme=SCHEME_A)  # no peildatum


def test_formal_only_person_level_reports_exclusions(frame: pd.DataFrame) -> None:
    res = compare_groups(frame, "parallel_bbb", peildatum="2020-01-01", scheme=SCHEME_A, formal_only=True)
    e = _row(res.rates, level="pilot", pilot="eindhoven", measure="outflow_share_of_intake", category="durable")
    assert (e["numerator"], e["denominator"]) == (0, 1)
    assert any("1 trajectories without" in n for n in res.notes)


def test_sensitivity_table_over_schemes(frame: pd.DataFrame) -> None:
    t = sensitivity_table(frame, "parallel_bbb", "2020-01-01", schemes=[SCHEME_A, SCHEME_B])
    assert set(t["scheme"]) == {"scheme-a", "scheme-b"}
    assert set(t["population"]) == {"all", "formal_only"}
    pick = t.loc[
        (t["level"] == "pilot")
        & (t["pilot"] == "amsterdam")
        & (t["population"] == "all")
        & (t["measure"] == "outflow_share_of_outflow")
    ].set_index("scheme")
    assert pick.loc["scheme-a", "numerator"] == 2  # forced return durable
    assert pick.loc["scheme-b", "numerator"] == 1  # forced return not durable
    again = sensitivity_table(frame, "parallel_bbb", "2020-01-01", schemes=[SCHEME_A, SCHEME_B])
    assert again.to_csv(index=False) == t.to_csv(index=False)


def test_group_differences_are_opt_in() -> None:
    res = compare_groups("regioplan-2020", "parallel_bbb")
    assert res.differences.empty and list(res.differences.columns)[:2] == ["measure", "category"]
    assert any("differences=True" in n for n in res.notes)
    # the per-pilot estimates are the main output
    assert set(res.rates.loc[res.rates["level"] == "pilot", "pilot"]) == {
        "amsterdam",
        "eindhoven",
        "groningen",
        "rotterdam",
        "utrecht",
    }


def test_permutation_floor_uses_the_sites_in_the_comparison(bbb_2019) -> None:
    # Utrecht's 2019 occupancy is an estimate without a count (001, footnote *): the occupancy
    # comparison has 4 sites (eindhoven vs 3 others), so its floor is 1/4 = 0.25, not 1/5.
    occ = bbb_2019.identification["by_measure"]["occupancy_rate/of_capacity"]
    assert occ["n_sites"] == 4 and occ["group_sizes"] == {"no": 3, "yes": 1}
    assert occ["min_permutation_p"] == pytest.approx(0.25)
    assert bbb_2019.identification["min_permutation_p"] == pytest.approx(0.2)
    text = evidence_statement(bbb_2019, "en")
    assert "occupancy_rate/of_capacity is known for 4 of the 5 sites only" in text and "1/4 = 0.25" in text
    assert "1/4 = 0,25" in evidence_statement(bbb_2019, "nl")


def test_interval_policy_holds_for_every_between_site_table(bbb_2019) -> None:
    # docs/methods.md, interval policy: between-site intervals carry the descriptive label,
    # occupancy of places has no interval, site odds ratios have none.
    from lvv_eval.stats.rates import occupancy
    from lvv_eval.stats.sites.case_mix import fit_casemix
    from lvv_eval.stats.sites.few_sites import interval_policy_problems

    assert interval_policy_problems(bbb_2019.rates, "rates") == []
    assert interval_policy_problems(bbb_2019.differences, "differences") == []
    assert interval_policy_problems(occupancy({"e": 130}, {"e": 30}), "occupancy") == []
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"pilot": np.repeat(["a", "b", "c"], 80), "x": rng.normal(size=240)})
    data["y"] = rng.binomial(1, 1 / (1 + np.exp(-data["x"]))).astype(float)
    assert interval_policy_problems(fit_casemix(data, ["x"]).coefficients, "casemix") == []
    # the checker itself finds breaches
    bad = bbb_2019.differences.assign(label="", ci_low=0.1, ci_high=0.2)
    assert any("without the descriptive label" in p for p in interval_policy_problems(bad))
    assert any("places are not a sample" in p for p in interval_policy_problems(bad))
