"""Tests of lvv_eval.stats.sites.few_sites (refusing tests that five sites cannot support)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lvv_eval.errors import LvvEvalError
from lvv_eval.stats.sites.few_sites import (
    POOLING_LABEL,
    NotIdentifiedError,
    between_site_test,
    check_identified,
    expand_counts,
    min_permutation_p,
    n_assignments,
    partial_pooling,
    varies_within_sites,
)

PILOTS = ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]


@pytest.fixture(scope="module")
def persons() -> pd.DataFrame:
    """Seeded synthetic persons: 5 pilots x 200; 'family' varies within pilots."""
    rng = np.random.default_rng(7)
    n = 200
    pilot = np.repeat(PILOTS, n)
    family = rng.integers(0, 2, size=5 * n)
    bbb = (pilot == "eindhoven").astype(int)  # site-level, 1 of 5
    two = np.isin(pilot, ["rotterdam", "utrecht"]).astype(int)  # site-level, 2 of 5
    p = 1 / (1 + np.exp(-(-1.0 + 1.0 * family)))
    y = rng.binomial(1, p)
    return pd.DataFrame({"pilot": pilot, "family": family, "bbb": bbb, "two": two, "y": y})


def test_min_permutation_p_is_computed() -> None:
    assert min_permutation_p(5, 1) == pytest.approx(1 / math.comb(5, 1)) == pytest.approx(0.20)
    assert min_permutation_p(5, 2) == pytest.approx(1 / math.comb(5, 2)) == pytest.approx(0.10)
    assert min_permutation_p([3, 2]) == pytest.approx(0.10)
    assert min_permutation_p(8, 3) == pytest.approx(1 / 56)  # a roll-out to 8 sites
    assert n_assignments([1, 2, 2]) == 30
    with pytest.raises(TypeError):
        min_permutation_p(5)


def test_refusal_fires_for_site_level_attribute(persons: pd.DataFrame) -> None:
    with pytest.raises(NotIdentifiedError) as one:
        between_site_test(persons, "bbb")
    assert one.value.min_p == pytest.approx(0.20)
    assert isinstance(one.value, LvvEvalError)
    assert "1/5 = 0.20" in str(one.value) and "only between sites" in str(one.value)
    with pytest.raises(NotIdentifiedError) as two:
        check_identified(persons, "two")
    assert two.value.min_p == pytest.approx(0.10)
    assert "1/10 = 0.10" in str(two.value)


def test_no_refusal_for_within_site_covariate(persons: pd.DataFrame) -> None:
    assert varies_within_sites(persons, "family")
    res = between_site_test(persons, "family")
    assert res.loc[0, "df"] == 1 and res.loc[0, "n"] == 1000
    assert res.loc[0, "p_value"] < 0.001  # true log-odds ratio 1.0 with n = 1000
    assert "within-site" in res.loc[0, "label"]


def test_expand_counts() -> None:
    rows = expand_counts(pd.DataFrame({"pilot": ["b", "a"], "events": [0, 2], "n": [1, 3]}))
    assert rows["pilot"].tolist() == ["a", "a", "a", "b"]
    assert rows["y"].tolist() == [1, 1, 0, 0]
    with pytest.raises(ValueError):
        expand_counts(pd.DataFrame({"pilot": ["a"], "events": [4], "n": [3]}))


def test_partial_pooling_shrinks_towards_the_mean() -> None:
    # 2019 durable outflow / intake, source 001 Tabel S.2 and S.1
    counts = pd.DataFrame({"pilot": PILOTS, "events": [3, 1, 10, 12, 33], "n": [363, 33, 302, 129, 268]})
    pooled = partial_pooling(expand_counts(counts))
    assert pooled["pilot"].tolist() == PILOTS
    assert (pooled["label"] == POOLING_LABEL).all()
    raw = pooled.set_index("pilot")["raw_share"]
    assert raw["eindhoven"] == pytest.approx(1 / 33)
    overall = 59 / 1095
    shrunk = pooled.set_index("pilot")["shrunken_share"]
    # every shrunken estimate lies between the raw site share and the pooled share (or on it)
    for p in PILOTS:
        lo, hi = sorted([raw[p], overall])
        assert lo - 0.01 <= shrunk[p] <= hi + 0.01, p
    assert abs(shrunk["utrecht"] - overall) < abs(raw["utrecht"] - overall)


def test_not_identified_error_lives_in_errors() -> None:
    from lvv_eval import errors
    from lvv_eval.stats.sites import few_sites as fewsites

    assert fewsites.NotIdentifiedError is errors.NotIdentifiedError
    err = errors.NotIdentifiedError("bbb", {"no": 3, "yes": 2}, 10)
    assert err.min_p == pytest.approx(0.10) and "1/10 = 0.10" in str(err)
    assert "1/10 = 0,10" in err.message("nl") and "pilots" in err.message("nl")
    with pytest.raises(errors.ConfigError):
        err.message("de")
    single = errors.NotIdentifiedError("bbb", {"no": 5})
    assert math.isnan(single.min_p) and "één groep" in single.message("nl")


def test_one_person_within_one_site_is_not_enough(persons: pd.DataFrame) -> None:
    from lvv_eval.stats.sites.few_sites import InsufficientWithinSiteVariation, within_site_support

    nudged = persons.copy()
    nudged.loc[nudged.index[0], "bbb"] = 1  # one amsterdam person gets eindhoven's site value
    assert varies_within_sites(nudged, "bbb")
    with pytest.raises(InsufficientWithinSiteVariation) as err:
        between_site_test(nudged, "bbb")
    assert isinstance(err.value, NotIdentifiedError)
    assert err.value.contributing == []
    assert "Too little within-site variation" in str(err.value)
    assert "Te weinig variatie" in err.value.message("nl")
    support = within_site_support(nudged, "bbb")
    assert support.set_index("pilot").loc["amsterdam", "smallest_level"] == 1
    # configurable: with min_count=1 and min_sites=1 the single person would be enough
    assert check_identified(nudged, "bbb", min_count=1, min_sites=1)["contributes"].sum() == 1


def test_within_site_test_reports_contributing_sites(persons: pd.DataFrame) -> None:
    res = between_site_test(persons, "family")
    assert res.loc[0, "contributing_sites"] == ",".join(PILOTS)
    partly = persons.assign(family=np.where(persons["pilot"].isin(["amsterdam", "eindhoven"]), persons["family"], 0))
    assert between_site_test(partly, "family").loc[0, "contributing_sites"] == "amsterdam,eindhoven"
    with pytest.raises(NotIdentifiedError):
        between_site_test(partly, "family", min_sites=3)


def test_partial_pooling_is_repeatable_and_records_convergence() -> None:
    counts = pd.DataFrame({"pilot": PILOTS, "events": [3, 1, 10, 12, 33], "n": [363, 33, 302, 129, 268]})
    rows = expand_counts(counts)
    a, b = partial_pooling(rows), partial_pooling(rows)
    # exactly equal, not just to a few decimals (start values come from a fixed seed)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a["converged"].dtype == bool and "warnings" in a.columns
    assert a["converged"].all() and (a["warnings"] == "").all()
    assert a["between_site_sd"].nunique() == 1 and a["between_site_sd"].iloc[0] > 0


def test_partial_pooling_seeds_the_start_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    seen = {}
    original = BinomialBayesMixedGLM.fit_vb

    def spy(self, *args, **kwargs):
        seen.update(kwargs)
        fit = original(self, *args, **kwargs)
        seen["mu"], seen["s"] = float(fit.vcp_mean[0]), float(fit.vcp_sd[0])
        return fit

    monkeypatch.setattr(BinomialBayesMixedGLM, "fit_vb", spy)
    counts = pd.DataFrame({"pilot": PILOTS, "events": [3, 1, 10, 12, 33], "n": [363, 33, 302, 129, 268]})
    out = partial_pooling(expand_counts(counts))
    assert seen.get("rng") is not None  # never fresh OS entropy
    # posterior mean of a log-normal SD: exp(mu + s^2 / 2), not the median exp(mu)
    assert out["between_site_sd"].iloc[0] == pytest.approx(np.exp(seen["mu"] + seen["s"] ** 2 / 2), rel=1e-12)


def test_methods_doc_states_the_interval_policy_and_the_methods() -> None:
    # The README points to docs/methods.md for the interval policy, survival, case mix and pooling.
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "methods.md").read_text(encoding="utf-8")
    for heading in ("Interval policy for between-site contrasts", "Survival", "Case mix", "Partial pooling"):
        assert heading in text, heading
    assert "sampling of people within a site" in " ".join(text.replace("*", "").split())
    for ref in (
        "Firth, D. (1993)",
        "Heinze, G. and Schemper, M. (2002)",
        "Aalen, O. O. and Johansen",
        "Kaplan, E. L. and Meier",
        "Gelman, A. (2006)",
    ):
        assert ref in text, ref
