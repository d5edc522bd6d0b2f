"""Tests of lvv_eval.stats.sites.case_mix (site fixed effects and standardised shares)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from lvv_eval.reference.monitor_format import frame_from_records
from lvv_eval.stats.sites.case_mix import SITE_LABEL, casemix_data, casemix_model, fit_casemix

PILOTS = ["amsterdam", "eindhoven", "groningen", "rotterdam", "utrecht"]


def expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def synthetic(site_effect: dict[str, float] | None = None, n: int = 1500, seed: int = 11) -> pd.DataFrame:
    """Covariate x differs in mean between pilots; outcome model logit p = -0.5 + 1.2 x (+ site effect)."""
    rng = np.random.default_rng(seed)
    site_effect = site_effect or {}
    parts = []
    for i, pilot in enumerate(PILOTS):
        x = rng.normal(-1.0 + 0.5 * i, 1.0, size=n)
        eta = -0.5 + 1.2 * x + site_effect.get(pilot, 0.0)
        parts.append(pd.DataFrame({"pilot": pilot, "x": x, "y": rng.binomial(1, expit(eta)).astype(float)}))
    return pd.concat(parts, ignore_index=True)


def test_equal_outcome_model_gives_equal_standardised_shares() -> None:
    data = synthetic()
    res = fit_casemix(data, ["x"])
    assert res.status == "ok", res.warnings
    std = res.standardised.set_index("pilot")
    # crude shares differ strongly because x differs between pilots ...
    assert std["crude_share"].max() - std["crude_share"].min() > 0.4
    # ... but with the same outcome model everywhere the standardised shares agree
    truth = float(expit(-0.5 + 1.2 * data["x"].to_numpy()).mean())
    assert std["standardised_share"].max() - std["standardised_share"].min() < 0.06
    assert std["standardised_share"].to_numpy() == pytest.approx(truth, abs=0.04)
    coefs = res.coefficients.set_index("term")
    assert coefs.loc["x", "estimate"] == pytest.approx(1.2, abs=0.15)
    assert (res.coefficients.loc[res.coefficients["role"] == "site", "label"] == SITE_LABEL).all()
    assert res.coefficients.loc[res.coefficients["role"] == "site", "p_value"].isna().all()


def test_known_site_effect_is_recovered() -> None:
    res = fit_casemix(synthetic({"utrecht": 1.0}), ["x"])
    coefs = res.coefficients.set_index("term")
    assert coefs.loc["C(pilot)[T.utrecht]", "estimate"] == pytest.approx(1.0, abs=0.3)
    std = res.standardised.set_index("pilot")["standardised_share"]
    assert std["utrecht"] - std.drop("utrecht").max() > 0.1


def test_bootstrap_intervals_are_reproducible() -> None:
    data = synthetic(n=150)
    a = fit_casemix(data, ["x"], n_boot=8, seed=3).standardised
    b = fit_casemix(data, ["x"], n_boot=8, seed=3).standardised
    assert a.to_csv(index=False) == b.to_csv(index=False)
    assert (a["ci_low"] <= a["standardised_share"]).all() and (a["standardised_share"] <= a["ci_high"]).all()


def test_separation_and_tiny_cells_warn_not_crash() -> None:
    data = synthetic(n=60)
    data.loc[data["pilot"] == "eindhoven", "y"] = 0.0
    data = pd.concat(
        [data.loc[data["pilot"] != "rotterdam"], data.loc[data["pilot"] == "rotterdam"].head(4)], ignore_index=True
    )
    res = fit_casemix(data, ["x"])
    assert res.status in ("warning", "failed")
    text = " ".join(res.warnings)
    assert "'eindhoven' has no durable outcomes" in text and "separation" in text
    assert "'rotterdam' has fewer than 10 persons" in text
    assert " 4 " not in text  # the warning names no count of persons (it is printed in reports)
    flat = data.assign(y=0.0)
    failed = fit_casemix(flat, ["x"])
    assert failed.status == "failed" and failed.standardised.empty


# --- from a typed monitor frame ------------------------------------------------


def typed_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Typed monitor frame (contract 1) from partial records."""
    return frame_from_records(rows)


class StubScheme:
    name = "stub"
    class_ids = ("durable", "none")

    def classify(self, codes: pd.Series) -> pd.Series:
        m = {"independent_return": "durable", "left_unknown_destination": "none"}
        mapped = codes.astype("object").map(lambda c: m.get(c) if isinstance(c, str) else None)
        return pd.Series(pd.Categorical(mapped, categories=list(self.class_ids), ordered=True), index=codes.index)


@pytest.fixture(scope="module")
def monitor() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(120):
        pilot = PILOTS[i % 2]
        left = i % 3 != 0
        rows.append(
            {
                "trajectory_id": f"t{i}",
                "person_id": f"p{i}",
                "pilot": pilot,
                "intake_date": "2019-06-01",
                "exit_date": "2020-03-01" if left else None,
                "exit_reason": (
                    ["independent_return", "left_unknown_destination"][int(rng.integers(0, 2))] if left else None
                ),
                "formal_status": True,
                "sex": ["m", "f"][i % 2 if i % 5 else 0],
                "birth_year": 1980 + (i % 20),
                "family": bool(i % 4 == 0),
                "safe_country": bool(i % 7 == 0),
                "prior_departure_procedures": i % 4,
            }
        )
    rows[1]["birth_year"] = None  # left (i=1)
    rows[2]["birth_year"] = None  # left (i=2)
    rows[4]["sex"] = None  # left (i=4)
    rows[2]["sex"] = None  # same row as a missing birth year
    rows[7]["exit_reason"] = "other"  # left, not classified by the stub scheme
    return typed_frame(rows)


def test_missing_covariate_accounting(monitor: pd.DataFrame) -> None:
    cm = casemix_data(monitor, "2020-12-31", StubScheme(), population="outflow")
    acc = cm.accounting.set_index("item")["n"]
    assert acc["population"] == 80  # 120 minus 40 still present
    assert acc["missing age_at_intake"] == 2
    assert acc["missing sex"] == 2
    assert acc["outcome unclassified"] == 1
    assert acc["excluded (any missing)"] == 4  # rows 1, 2, 4, 7
    assert acc["used"] == 76 == len(cm.data)
    res = casemix_model(monitor, "2020-12-31", StubScheme(), population="outflow")
    assert res.n_used == 76
    assert res.warnings[0].startswith("4 of 80 trajectories left out")
    # formal_status is constant here: dropped with a message, not a crash
    assert any("'formal_status' is constant" in w for w in res.warnings)


def test_intake_population(monitor: pd.DataFrame) -> None:
    cm = casemix_data(monitor, "2020-12-31", StubScheme(), population="intake")
    acc = cm.accounting.set_index("item")["n"]
    assert acc["population"] == 120
    assert (cm.data["y"].isin([0.0, 1.0])).all()
    with pytest.raises(ValueError):
        casemix_data(monitor, "2020-12-31", StubScheme(), population="stock")


def test_binary_covariate_separation_is_named() -> None:
    data = synthetic(n=80)
    data["flag"] = (np.arange(len(data)) % 9 == 0).astype(float)
    data.loc[data["flag"] == 1.0, "y"] = 0.0
    res = fit_casemix(data, ["x", "flag"])
    assert res.status == "warning"
    assert any("'flag' = 1: no durable outcomes" in w for w in res.warnings)


def test_site_attribute_gets_no_p_value() -> None:
    # a design attribute: the same for everyone in a pilot (e.g. a parallel night shelter in 2 of 5 pilots)
    data = synthetic(n=200)
    data["parallel_bbb"] = data["pilot"].isin(["rotterdam", "utrecht"]).astype(float)
    res = fit_casemix(data, ["x", "parallel_bbb"])
    assert "parallel_bbb" not in set(res.coefficients["term"])
    assert "constant within every site" in res.dropped["parallel_bbb"]
    assert any("'parallel_bbb' was dropped" in w for w in res.warnings)
    assert res.coefficients.loc[res.coefficients["term"] == "x", "p_value"].notna().all()


def test_binary_covariate_varying_for_one_person_is_dropped() -> None:
    data = synthetic(n=200)
    data["flag"] = data["pilot"].eq("utrecht").astype(float)
    data.loc[data.index[0], "flag"] = 1.0  # one amsterdam person
    res = fit_casemix(data, ["x", "flag"])
    assert "flag" not in set(res.coefficients["term"])
    assert "too little within-site variation" in res.dropped["flag"]


# --- separation: Firth's penalised likelihood ------------------------------------


def test_firth_saturated_two_by_two_is_the_haldane_corrected_log_odds_ratio() -> None:
    # Known result (Firth 1993; Heinze and Schemper 2002): with one binary covariate the
    # penalised estimate is the log odds ratio of the table with 0.5 added to each cell.
    from lvv_eval.stats.sites.case_mix import firth_logit

    x = np.r_[np.zeros(20), np.ones(15)]
    y = np.r_[np.ones(7), np.zeros(13), np.zeros(15)]  # 7 of 20 vs 0 of 15: separation
    fit = firth_logit(np.c_[np.ones(35), x], y)
    assert fit.converged
    assert fit.coef[0] == pytest.approx(np.log(7.5 / 13.5), abs=1e-7)
    assert fit.coef[1] == pytest.approx(np.log((0.5 / 15.5) / (7.5 / 13.5)), abs=1e-7)
    # intercept only: logit((k + 1/2) / (n + 1))
    only = firth_logit(np.ones((35, 1)), y)
    assert only.coef[0] == pytest.approx(np.log(7.5 / 28.5), abs=1e-7)


def test_firth_is_close_to_ml_without_separation() -> None:
    import statsmodels.api as sm

    from lvv_eval.stats.sites.case_mix import firth_logit

    data = synthetic(n=400)
    X = np.c_[np.ones(len(data)), data["x"].to_numpy()]
    ml = sm.Logit(data["y"].to_numpy(), X).fit(disp=0).params
    assert firth_logit(X, data["y"].to_numpy()).coef == pytest.approx(ml, abs=0.02)


def test_separated_covariate_is_kept_with_a_finite_estimate() -> None:
    data = synthetic(n=200)
    data["safe"] = (np.arange(len(data)) % 7 == 0).astype(float)
    data.loc[data["safe"] == 1.0, "y"] = 0.0  # no durable exit when safe (0 of n)
    res = fit_casemix(data, ["x", "safe"])
    coefs = res.coefficients.set_index("term")
    assert "safe" in coefs.index and np.isfinite(coefs.loc["safe", "estimate"])
    assert coefs.loc["safe", "estimate"] < -1
    assert any("rests on the Firth penalty" in w for w in res.warnings)
    assert (res.standardised["method"] == "firth (penalised likelihood)").all()


def test_site_terms_have_no_interval_and_one_site_covariates_adjust_only() -> None:
    # interval policy: a site odds ratio is a between-site contrast (no Wald interval);
    # a covariate that varies within one site only adjusts but is not reported as a contrast
    data = synthetic(n=200)
    data["formal"] = 1.0
    data.loc[data.index[(data["pilot"] == "amsterdam").to_numpy()][:60], "formal"] = 0.0
    res = fit_casemix(data, ["x", "formal"])
    coefs = res.coefficients.set_index("term")
    site = res.coefficients[res.coefficients["role"] == "site"]
    assert site[["ci_low", "ci_high", "or_ci_low", "or_ci_high"]].isna().all().all()
    assert site["ci_method"].str.startswith("none: between-site contrast").all()
    assert "formal" in coefs.index and pd.isna(coefs.loc["formal", "p_value"])
    assert pd.isna(coefs.loc["formal", "or_ci_low"])
    assert coefs.loc["x", "p_value"] >= 0 and coefs.loc["x", "or_ci_low"] > 0


def test_follow_up_term_and_with_and_without(monitor: pd.DataFrame) -> None:
    from lvv_eval.stats.sites.case_mix import fit_with_and_without

    cm = casemix_data(monitor, "2020-12-31", StubScheme(), population="outflow")
    # intake 2019-06-01, peildatum 2020-12-31: 579 days
    assert cm.data["time_since_intake"].iloc[0] == pytest.approx(579 / 365.25)
    both = fit_with_and_without(cm, ["age_at_intake", "safe_country", "prior_departure_procedures"])
    assert {"standardised_with", "standardised_without", "difference"} <= set(both.columns)
    assert (both["difference"] == both["standardised_with"] - both["standardised_without"]).all()
