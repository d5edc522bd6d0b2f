"""Case mix: site differences conditional on person-level covariates.

Fits a logistic regression of a durable outcome on the monitor covariates with
site fixed effects (``y ~ covariates + C(pilot)``, see
``docs/methods.md``) and computes
standardised (case-mix adjusted) shares per pilot by g-computation: everyone in
the analysis set is predicted as if in pilot *j*, and the predictions are
averaged. Site terms are reported as "site differences conditional on case
mix", never as design effects.

Two populations:

``outflow``
    trajectories that left by the peildatum; y = 1 if the exit class is
    ``durable`` (share of outflow, Regioplan 2022 convention, source 004).
``intake``
    trajectories with intake by the peildatum; y = 1 if they left with a
    durable exit by the peildatum (share of intake, Regioplan 2020
    convention, source 001 Tabel S.2).

Missing covariates: complete-case analysis, with the number excluded (in total
and per covariate) in the result; never silent. Separation, tiny cells and
failed fits become warnings in the result, not exceptions.

Separation. By default the model is fitted by Firth's penalised likelihood
(:func:`firth_logit`: the log-likelihood plus half the log-determinant of the
Fisher information, the Jeffreys prior; Firth 1993, Heinze and Schemper 2002),
which gives finite estimates when a covariate level or a site has only one
outcome (e.g. no durable exit among people from a safe country), so such
covariates are kept instead of dropped. ``method="ml"`` gives the ordinary
maximum-likelihood fit.

Follow-up. The ``outflow`` population is conditioned on having left by the
peildatum: people who entered late and have already left are those who left
quickly, and quick exits are seldom durable. The default covariate
``time_since_intake`` (years from intake to the peildatum) accounts for the
unequal follow-up; it does not remove the selection of who has left.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lvv_eval.errors import ArgumentError

SITE_LABEL: str = "site differences conditional on case mix; descriptive, not a design effect"
SITE_CI_METHOD: str = "none: between-site contrast (interval policy, docs/methods.md)"
"""``ci_method`` of site terms: a site odds ratio is a between-site contrast and gets no interval."""
ADJUST_ONLY_CI_METHOD: str = "none: varies within one site only (adjustment covariate)"
"""``ci_method`` of a covariate that varies within one site only: kept to adjust, not reported as a contrast."""
STANDARDISED_LABEL: str = "case-mix adjusted share (g-computation); descriptive, not a design effect"

COVARIATES: tuple[str, ...] = (
    "age_at_intake",
    "sex",
    "family",
    "safe_country",
    "prior_departure_procedures",
    "formal_status",
    "time_since_intake",
)
"""Default covariates: age at intake (years, intake year minus birth year), sex,
family, safe country of origin, number of prior departure procedures, formal LVV status,
time since intake at the peildatum (years; the follow-up term)."""

SEPARATING: tuple[str, ...] = ("safe_country", "formal_status")
"""Covariates that separate the outcome on the monitor data (no durable exit in one level);
reported with and without them (:func:`fit_with_and_without`)."""

METHODS: tuple[str, ...] = ("firth", "ml")
"""Fitting methods of :func:`fit_casemix`: Firth-penalised (default) or maximum likelihood."""

CATEGORICAL: frozenset[str] = frozenset({"sex"})
MIN_CELL: int = 10
"""Pilots with fewer persons in the analysis set get a warning."""
WITHIN_SITE_MIN_SITES: int = 2
"""Sites in which a binary or categorical covariate must vary for it to enter the model."""
WITHIN_SITE_MIN_COUNT: int = 1
"""Persons needed in each of two values of such a covariate within a site for the site to count
(small cells still get the tiny-cell and separation warnings)."""


@dataclass
class CaseMixData:
    """Analysis set for :func:`fit_casemix`, with the accounting of exclusions.

    Attributes
    ----------
    data
        Complete cases: ``pilot``, ``y`` and the covariates.
    population
        ``"outflow"`` or ``"intake"``.
    n_population
        Trajectories in the population before exclusions.
    accounting
        Table ``item, n``: population, outcome unclassified, missing per
        covariate (a row may miss several), excluded (any missing), used.
    """

    data: pd.DataFrame
    population: str
    n_population: int
    accounting: pd.DataFrame


@dataclass
class CaseMixResult:
    """Result of :func:`fit_casemix`.

    Attributes
    ----------
    status
        ``"ok"``, ``"warning"`` (fitted, read the warnings) or ``"failed"``.
    formula
        The model formula.
    n_used
        Persons in the model.
    coefficients
        term, role (covariate | site), estimate (log-odds), std_err, ci_low,
        ci_high, odds_ratio, or_ci_low, or_ci_high, p_value (covariates only),
        label.
    standardised
        pilot, n, events, crude_share, standardised_share, (ci_low, ci_high,
        ci_method when bootstrapped), label.
    warnings
        Plain-words warnings (separation, tiny cells, dropped covariates, convergence). They name
        no count of persons: they are printed in reports, where small counts must not appear.
    dropped
        Covariate -> reason it was left out of the model (constant; constant
        within every site, i.e. a site attribute whose coefficient is not
        identified next to the site fixed effects and whose p-value would read
        as a test between the sites; too little within-site variation, see
        :func:`lvv_eval.stats.sites.few_sites.check_identified`).
    accounting
        Exclusion accounting (from :class:`CaseMixData`), if available.
    """

    status: str
    formula: str
    n_used: int
    coefficients: pd.DataFrame
    standardised: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    accounting: pd.DataFrame | None = None
    label: str = SITE_LABEL
    dropped: dict[str, str] = field(default_factory=dict)


def casemix_data(
    frame: pd.DataFrame,
    peildatum: str | pd.Timestamp,
    scheme: Any = None,
    *,
    population: str = "outflow",
    covariates: Sequence[str] = COVARIATES,
    durable_class: str = "durable",
) -> CaseMixData:
    """Build the complete-case analysis set from a typed monitor frame.

    Parameters
    ----------
    frame
        Typed monitor frame (contract 1).
    peildatum
        Reference date: intake if ``intake_date <= peildatum``, left if
        ``exit_date <= peildatum``.
    scheme
        Classification scheme object or name (default
        :data:`lvv_eval.stats.sites.compare.DEFAULT_SCHEME`).
    population
        ``"outflow"`` or ``"intake"``.
    covariates
        Covariate names; ``age_at_intake`` is derived from ``birth_year``,
        ``time_since_intake`` (years) from ``intake_date`` and the peildatum.
    durable_class
        Class id that counts as y = 1.

    Returns
    -------
    CaseMixData
    """
    from lvv_eval.reference.schemes import resolve_scheme
    from lvv_eval.stats.sites.compare import DEFAULT_SCHEME

    if population not in ("outflow", "intake"):
        raise ArgumentError("population must be 'outflow' or 'intake'")
    p = pd.Timestamp(peildatum)
    sch = resolve_scheme(scheme, default=DEFAULT_SCHEME)
    base = frame.loc[frame["intake_date"] <= p]
    left = base["exit_date"].notna() & (base["exit_date"] <= p)
    if population == "outflow":
        base = base.loc[left]
        left = left.loc[base.index]
    cls = pd.Series(np.asarray(sch.classify(base["exit_reason"].astype("string")).astype("object")), index=base.index)
    y = pd.Series(np.nan, index=base.index)
    y[left & cls.notna()] = (cls[left & cls.notna()] == durable_class).astype(float)
    y[~left] = 0.0
    unclassified = int((left & cls.isna()).sum())
    data = pd.DataFrame({"pilot": base["pilot"].astype(str), "y": y})
    for cov in covariates:
        if cov == "age_at_intake":
            data[cov] = (base["intake_date"].dt.year - base["birth_year"].astype("Float64")).astype("Float64")
        elif cov == "time_since_intake":
            days = (p - base["intake_date"]).dt.days.astype("float64")
            data[cov] = pd.array(days / 365.25, dtype="Float64")
        elif cov in CATEGORICAL:
            data[cov] = base[cov].astype("object").where(base[cov].notna(), None)
        else:
            data[cov] = base[cov].astype("Float64")
    acc = [("population", int(len(data))), ("outcome unclassified", unclassified)]
    for cov in covariates:
        acc.append((f"missing {cov}", int(data[cov].isna().sum())))
    complete = data.notna().all(axis=1)
    acc.append(("excluded (any missing)", int((~complete).sum())))
    acc.append(("used", int(complete.sum())))
    used = data.loc[complete].reset_index(drop=True)
    for cov in covariates:
        if cov not in CATEGORICAL:
            used[cov] = used[cov].astype("float64")
    used["y"] = used["y"].astype("float64")
    return CaseMixData(
        data=used,
        population=population,
        n_population=int(len(data)),
        accounting=pd.DataFrame(acc, columns=["item", "n"]),
    )


@dataclass
class FirthResult:
    """Result of :func:`firth_logit`.

    Attributes
    ----------
    coef
        Penalised maximum-likelihood estimates (log-odds), one per column of ``X``.
    cov
        Inverse Fisher information at ``coef`` (Wald covariance).
    loglik, penalised_loglik
        Log-likelihood and penalised log-likelihood at ``coef``.
    converged, iterations
        Whether the score fell below ``tol``, and the Newton steps taken.
    """

    coef: np.ndarray
    cov: np.ndarray
    loglik: float
    penalised_loglik: float
    converged: bool
    iterations: int


def _firth_parts(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Penalised log-likelihood, modified score and Fisher information at ``beta``."""
    eta = np.clip(X @ beta, -30.0, 30.0)
    prob = 1.0 / (1.0 + np.exp(-eta))
    w = prob * (1.0 - prob)
    info = X.T @ (X * w[:, None])
    sign, logdet = np.linalg.slogdet(info)
    loglik = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    penalised = loglik + 0.5 * logdet if sign > 0 else -np.inf
    inv = np.linalg.pinv(info)
    hat = np.einsum("ij,jk,ik->i", X * np.sqrt(w)[:, None], inv, X * np.sqrt(w)[:, None])
    score = X.T @ (y - prob + hat * (0.5 - prob))
    return penalised, score, info


def firth_logit(X: np.ndarray, y: np.ndarray, *, maxiter: int = 100, tol: float = 1e-8) -> FirthResult:
    """Logistic regression by Firth's penalised likelihood (Jeffreys prior).

    Maximises ``l(beta) + 0.5 * log det I(beta)`` by Newton-Raphson with the
    modified score ``X'(y - p + h (1/2 - p))``, ``h`` the diagonal of the hat
    matrix ``W^1/2 X (X'WX)^-1 X' W^1/2``, and step halving when the
    penalised log-likelihood does not increase (Firth 1993; Heinze and
    Schemper 2002). Estimates are finite under complete separation.

    Parameters
    ----------
    X
        Design matrix (n x k, with an intercept column if wanted), full column rank.
    y
        0/1 outcomes (length n).
    maxiter, tol
        Newton steps at most; convergence when the largest absolute
        modified-score component is below ``tol``.

    Returns
    -------
    FirthResult

    Examples
    --------
    With one binary covariate the model is saturated and Firth's estimate is
    the log odds ratio of the table with 0.5 added to every cell: 0 of 15
    events against 10 of 20 gives log((0.5 / 15.5) / (10.5 / 10.5)).

    >>> x = np.r_[np.zeros(20), np.ones(15)]
    >>> y = np.r_[np.ones(10), np.zeros(10), np.zeros(15)]
    >>> fit = firth_logit(np.c_[np.ones(35), x], y)
    >>> round(float(fit.coef[1]), 6), round(float(np.log(0.5 / 15.5)), 6)
    (-3.433987, -3.433987)
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    beta = np.zeros(X.shape[1])
    current, score, info = _firth_parts(X, y, beta)
    converged, it = bool(np.max(np.abs(score)) < tol), 0
    while not converged and it < maxiter:
        it += 1
        step = (
            np.linalg.solve(info, score) if np.linalg.matrix_rank(info) == len(beta) else np.linalg.pinv(info) @ score
        )
        step = np.clip(step, -5.0, 5.0)
        for _ in range(30):
            candidate = beta + step
            value, new_score, new_info = _firth_parts(X, y, candidate)
            if value >= current - 1e-12:
                break
            step = step / 2.0
        beta, current, score, info = candidate, value, new_score, new_info
        converged = bool(np.max(np.abs(score)) < tol)
    eta = np.clip(X @ beta, -30.0, 30.0)
    loglik = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    return FirthResult(
        coef=beta,
        cov=np.linalg.pinv(info),
        loglik=loglik,
        penalised_loglik=float(current),
        converged=converged,
        iterations=it,
    )


class _FirthFit:
    """The parts of a statsmodels fit that :func:`fit_casemix` uses, from :func:`firth_logit`."""

    def __init__(self, formula: str, frame: pd.DataFrame) -> None:
        import patsy
        from scipy import stats

        y, X = patsy.dmatrices(formula, frame, return_type="dataframe")
        self._design = X.design_info
        res = firth_logit(X.to_numpy(), y.to_numpy().ravel())
        names = list(X.columns)
        self.params = pd.Series(res.coef, index=names)
        self.bse = pd.Series(np.sqrt(np.clip(np.diag(res.cov), 0.0, None)), index=names)
        z = self.params / self.bse
        self.pvalues = pd.Series(2 * stats.norm.sf(np.abs(z.to_numpy())), index=names)
        self.mle_retvals = {"converged": res.converged, "iterations": res.iterations}

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        from scipy import stats

        q = float(stats.norm.ppf(1 - alpha / 2))
        return pd.DataFrame({0: self.params - q * self.bse, 1: self.params + q * self.bse})

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        import patsy

        (X,) = patsy.build_design_matrices([self._design], frame, return_type="matrix")
        eta = np.asarray(X) @ self.params.to_numpy()
        return 1.0 / (1.0 + np.exp(-eta))


def _empty_result(
    formula: str, n: int, msgs: list[str], accounting: pd.DataFrame | None, dropped: dict[str, str] | None = None
) -> CaseMixResult:
    return CaseMixResult(
        status="failed",
        formula=formula,
        n_used=n,
        coefficients=pd.DataFrame(
            columns=[
                "term",
                "role",
                "estimate",
                "std_err",
                "ci_low",
                "ci_high",
                "odds_ratio",
                "or_ci_low",
                "or_ci_high",
                "p_value",
                "ci_method",
                "label",
            ]
        ),
        standardised=pd.DataFrame(columns=["pilot", "n", "events", "crude_share", "standardised_share", "label"]),
        warnings=msgs,
        accounting=accounting,
        dropped=dict(dropped or {}),
    )


def _standardise(fit: Any, data: pd.DataFrame, pilots: Sequence[str]) -> dict[str, float]:
    out = {}
    for pilot in pilots:
        cf = data.assign(pilot=pilot)
        out[pilot] = float(np.asarray(fit.predict(cf)).mean())
    return out


def _within_site_problem(d: pd.DataFrame, cov: str) -> str | None:
    """Why ``cov`` cannot be estimated next to site fixed effects, or ``None``.

    Binary and categorical covariates need variation within at least
    :data:`WITHIN_SITE_MIN_SITES` sites, each of two values held by at least
    :data:`WITHIN_SITE_MIN_COUNT` persons there
    (:func:`lvv_eval.stats.sites.few_sites.check_identified`); continuous
    ones need to vary within some site
    (:func:`lvv_eval.stats.sites.few_sites.varies_within_sites`).
    """
    from lvv_eval.errors import NotIdentifiedError
    from lvv_eval.stats.sites.few_sites import InsufficientWithinSiteVariation, check_identified, varies_within_sites

    if not varies_within_sites(d, cov, "pilot"):
        return (
            "constant within every site (a site attribute): not identified next to the site "
            "effects, and a p-value would be a test between the sites"
        )
    if cov in CATEGORICAL or d[cov].nunique() == 2:
        try:
            check_identified(d, cov, "pilot", min_count=WITHIN_SITE_MIN_COUNT, min_sites=WITHIN_SITE_MIN_SITES)
        except InsufficientWithinSiteVariation as err:
            sites = ", ".join(err.contributing) or "none"
            return (
                f"too little within-site variation (needs {err.min_sites} sites with two values of "
                f"at least {err.min_count} persons each; such sites: {sites})"
            )
        except NotIdentifiedError:  # pragma: no cover - caught by varies_within_sites above
            return "constant within every site"
    return None


def _adjustable_in_one_site(d: pd.DataFrame, cov: str) -> bool:
    """Whether some site has at least :data:`MIN_CELL` persons in each of two values of ``cov``.

    Such a covariate (formal LVV status varies only in Amsterdam) can adjust
    the standardised shares, but its coefficient rests on one site, so it is
    reported without interval or p-value.
    """
    from lvv_eval.stats.sites.few_sites import within_site_support

    return bool(within_site_support(d, cov, "pilot", min_count=MIN_CELL)["contributes"].any())


def fit_casemix(
    data: pd.DataFrame | CaseMixData,
    covariates: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
    n_boot: int = 0,
    seed: int = 20190401,
    method: str = "firth",
) -> CaseMixResult:
    """Logistic regression with site fixed effects, and standardised shares per pilot.

    Parameters
    ----------
    data
        Complete cases with ``pilot``, 0/1 ``y`` and the covariates, or a
        :class:`CaseMixData`.
    covariates
        Covariates to use (default: those present of :data:`COVARIATES`).
        Covariates constant in the data, constant within every site (a site
        attribute) or varying within too few sites are dropped with a
        warning and a reason in ``CaseMixResult.dropped``: no coefficient or
        p-value is reported for them.
    alpha
        1 - confidence level.
    n_boot
        If > 0, percentile bootstrap intervals for the standardised shares
        (persons resampled within pilot; fixed ``seed``).
    seed
        Seed of the bootstrap.
    method
        ``"firth"`` (default): Firth's penalised likelihood (:func:`firth_logit`),
        finite under separation, so separated covariates stay in the model;
        ``"ml"``: maximum likelihood (statsmodels ``logit``).

    Returns
    -------
    CaseMixResult
        Never raises for separation, tiny cells or a failed fit: see
        ``status`` and ``warnings``. Site terms carry an odds ratio but no
        interval (the interval policy of ``docs/methods.md``: a site term is
        a between-site contrast); covariate terms have Wald intervals and
        p-values (within-site contrasts, site fixed effects).
    """
    import statsmodels.formula.api as smf

    if method not in METHODS:
        from lvv_eval.errors import ConfigError

        raise ConfigError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    penalised = method == "firth"

    accounting = None
    if isinstance(data, CaseMixData):
        accounting = data.accounting
        data = data.data
    if covariates is None:
        covariates = [c for c in COVARIATES if c in data.columns]
    msgs: list[str] = []
    d = data[["pilot", "y", *covariates]].copy()
    n_missing = int(d.isna().any(axis=1).sum())
    if n_missing:
        msgs.append(f"{n_missing} rows with missing values left out (complete-case analysis)")
        d = d.dropna().reset_index(drop=True)
    d["pilot"] = d["pilot"].astype(str)
    d["y"] = d["y"].astype("float64")
    pilots = sorted(d["pilot"].unique())
    use = []
    dropped: dict[str, str] = {}
    adjust_only: set[str] = set()
    for cov in covariates:
        if d[cov].nunique() < 2:
            msgs.append(f"covariate {cov!r} is constant in the analysis set and was dropped")
            dropped[cov] = "constant in the analysis set"
            continue
        reason = _within_site_problem(d, cov) if len(pilots) > 1 else None
        if reason and reason.startswith("too little") and _adjustable_in_one_site(d, cov):
            msgs.append(
                f"covariate {cov!r} is kept for adjustment only (no interval or p-value): "
                f"{reason}, but one site has at least {MIN_CELL} persons in each of two values"
            )
            adjust_only.add(cov)
        elif reason:
            msgs.append(f"covariate {cov!r} was dropped: {reason}")
            dropped[cov] = reason
            continue
        if cov in CATEGORICAL:
            d[cov] = d[cov].astype(str)
            small = d[cov].value_counts()
            for level, n in small.items():
                if n < MIN_CELL:
                    msgs.append(f"covariate {cov!r}: level {level!r} has fewer than {MIN_CELL} persons (tiny cell)")
            use.append(f"C({cov})")
        else:
            d[cov] = d[cov].astype("float64")
            if d[cov].nunique() == 2:
                for level, sub in d.groupby(cov, sort=True)["y"]:
                    k = int(sub.sum())
                    if k in (0, len(sub)):
                        what = "no" if k == 0 else "only"
                        how = (
                            "its coefficient rests on the Firth penalty (separation)"
                            if penalised
                            else "its coefficient is not estimable (separation)"
                        )
                        msgs.append(f"covariate {cov!r} = {level:g}: {what} durable outcomes; {how}")
            use.append(cov)
    site_term = "C(pilot)" if len(pilots) > 1 else None
    rhs = " + ".join(use + ([site_term] if site_term else [])) or "1"
    formula = f"y ~ {rhs}"
    stats_by_pilot = d.groupby("pilot", sort=True)["y"].agg(["size", "sum"])
    for pilot, rec in stats_by_pilot.iterrows():
        n, k = int(rec["size"]), int(rec["sum"])
        if k == 0 or k == n:
            what = "no" if k == 0 else "only"
            how = "rests on the Firth penalty" if penalised else "is not estimable"
            msgs.append(
                f"pilot {pilot!r} has {what} durable outcomes: its site term {how} "
                "(separation); its standardised share is unreliable"
            )
        if n < MIN_CELL:
            msgs.append(f"pilot {pilot!r} has fewer than {MIN_CELL} persons in the analysis set (tiny cell)")
    if len(d) == 0 or d["y"].nunique() < 2:
        msgs.append("the outcome does not vary in the analysis set; no model can be fitted")
        return _empty_result(formula, int(len(d)), msgs, accounting, dropped)

    def _fit(frame: pd.DataFrame) -> tuple[Any, list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = _FirthFit(formula, frame) if penalised else smf.logit(formula, frame).fit(disp=0, maxiter=200)
        notes = sorted({f"{type(w.message).__name__}: {w.message}".split("\n")[0] for w in caught})
        if not fit.mle_retvals.get("converged", True):
            notes.append(("the Firth-penalised" if penalised else "the maximum-likelihood") + " fit did not converge")
        return fit, notes

    try:
        fit, notes = _fit(d)
    except Exception as exc:  # separation, singular matrix, ... -> reported, not raised  # noqa: BLE001 - reported, not swallowed
        msgs.append(f"model could not be fitted: {type(exc).__name__}: {exc}".split("\n")[0])
        return _empty_result(formula, int(len(d)), msgs, accounting, dropped)
    msgs.extend(notes)

    ci = fit.conf_int(alpha=alpha)
    rows = []
    for term in fit.params.index:
        is_site = str(term).startswith("C(pilot)")
        est, se = float(fit.params[term]), float(fit.bse[term])
        lo, hi = float(ci.loc[term, 0]), float(ci.loc[term, 1])
        if not np.isfinite(se) or se > 50:
            msgs.append(f"term {term!r} has an unstable estimate (std. error {se:.3g}); probably separation")
        base_term = str(term).split("[")[0].removeprefix("C(").removesuffix(")")
        adjust = base_term in adjust_only
        if is_site or adjust:  # between-site contrast / one-site contrast: no interval (docs/methods.md)
            lo = hi = float("nan")
        with np.errstate(over="ignore"):
            odds = (float(np.exp(est)), float(np.exp(lo)), float(np.exp(hi)))
        rows.append(
            {
                "term": str(term),
                "role": "site" if is_site else ("intercept" if term == "Intercept" else "covariate"),
                "estimate": est,
                "std_err": se,
                "ci_low": lo,
                "ci_high": hi,
                "odds_ratio": odds[0],
                "or_ci_low": odds[1],
                "or_ci_high": odds[2],
                "p_value": (
                    float(fit.pvalues[term]) if not is_site and not adjust and term != "Intercept" else float("nan")
                ),
                "ci_method": (
                    SITE_CI_METHOD
                    if is_site
                    else ADJUST_ONLY_CI_METHOD
                    if adjust
                    else ("wald (firth-penalised)" if penalised else "wald (maximum likelihood)")
                ),
                "label": SITE_LABEL if is_site else "person-level covariate (within-site, site fixed effects)",
            }
        )
    coefs = pd.DataFrame(rows)
    std = _standardise(fit, d, pilots)
    table = pd.DataFrame(
        {
            "pilot": pilots,
            "n": [int(stats_by_pilot.loc[p, "size"]) for p in pilots],
            "events": [int(stats_by_pilot.loc[p, "sum"]) for p in pilots],
            "crude_share": [float(stats_by_pilot.loc[p, "sum"] / stats_by_pilot.loc[p, "size"]) for p in pilots],
            "standardised_share": [std[p] for p in pilots],
        }
    )
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        draws = {p: [] for p in pilots}  # type: ignore[var-annotated]
        failed = 0
        groups = {p: np.flatnonzero(d["pilot"].to_numpy() == p) for p in pilots}
        for _ in range(int(n_boot)):
            idx = np.concatenate([rng.choice(ix, size=len(ix), replace=True) for ix in groups.values()])
            sample = d.iloc[idx].reset_index(drop=True)
            try:
                bfit, _ = _fit(sample)
                for p, v in _standardise(bfit, sample, pilots).items():
                    draws[p].append(v)
            except Exception:  # noqa: BLE001 - reported, not swallowed
                failed += 1
        if failed:
            msgs.append(f"{failed} of {n_boot} bootstrap fits failed and were left out")
        table["ci_low"] = [float(np.quantile(draws[p], alpha / 2)) if draws[p] else float("nan") for p in pilots]
        table["ci_high"] = [float(np.quantile(draws[p], 1 - alpha / 2)) if draws[p] else float("nan") for p in pilots]
        table["ci_method"] = f"percentile bootstrap ({n_boot} resamples within pilot, seed {seed})"
    table["label"] = STANDARDISED_LABEL
    table["method"] = "firth (penalised likelihood)" if penalised else "maximum likelihood"
    status = "warning" if msgs else "ok"
    return CaseMixResult(
        status=status,
        formula=formula,
        n_used=int(len(d)),
        coefficients=coefs,
        standardised=table,
        warnings=msgs,
        accounting=accounting,
        dropped=dropped,
    )


def fit_with_and_without(
    data: CaseMixData | pd.DataFrame,
    covariates: Sequence[str] | None = None,
    without: Sequence[str] = SEPARATING,
    *,
    method: str = "firth",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Standardised shares with all covariates and without the separating ones, side by side.

    Parameters
    ----------
    data
        Analysis set (:func:`casemix_data`).
    covariates
        Covariates of the full model (default: those present of :data:`COVARIATES`).
    without
        Covariates left out of the second model (default :data:`SEPARATING`:
        ``safe_country`` and ``formal_status``, which separate the outcome).
    method, alpha
        As in :func:`fit_casemix`.

    Returns
    -------
    pandas.DataFrame
        ``pilot, n, events, crude_share, standardised_with, standardised_without,
        difference`` (with - without, proportions), ``method``, ``label``.
    """
    frame = data.data if isinstance(data, CaseMixData) else data
    full = [c for c in (covariates or COVARIATES) if c in frame.columns]
    reduced = [c for c in full if c not in set(without)]
    a = fit_casemix(data, full, alpha=alpha, method=method).standardised
    b = fit_casemix(data, reduced, alpha=alpha, method=method).standardised
    if a.empty or b.empty:
        return pd.DataFrame(
            columns=[
                "pilot",
                "n",
                "events",
                "crude_share",
                "standardised_with",
                "standardised_without",
                "difference",
                "method",
                "label",
            ]
        )
    out = a[["pilot", "n", "events", "crude_share"]].copy()
    out["standardised_with"] = a["standardised_share"].to_numpy()
    out["standardised_without"] = b.set_index("pilot").loc[out["pilot"], "standardised_share"].to_numpy()
    out["difference"] = out["standardised_with"] - out["standardised_without"]
    out["method"] = a["method"].iloc[0]
    out["label"] = STANDARDISED_LABEL
    return out


def casemix_model(
    frame: pd.DataFrame,
    peildatum: str | pd.Timestamp,
    scheme: Any = None,
    *,
    population: str = "outflow",
    covariates: Sequence[str] = COVARIATES,
    alpha: float = 0.05,
    n_boot: int = 0,
    seed: int = 20190401,
) -> CaseMixResult:
    """Build the analysis set from a monitor frame and fit the case-mix model.

    See :func:`casemix_data` and :func:`fit_casemix`. The exclusion
    accounting is in ``result.accounting`` and summarised in
    ``result.warnings`` when persons were left out.
    """
    cm = casemix_data(frame, peildatum, scheme, population=population, covariates=covariates)
    excluded = int(cm.accounting.set_index("item").loc["excluded (any missing)", "n"])
    result = fit_casemix(cm, list(covariates), alpha=alpha, n_boot=n_boot, seed=seed)
    if excluded:
        result.warnings.insert(
            0,
            f"{excluded} of {cm.n_population} trajectories left out for missing "
            "covariates or an unclassified outcome (complete-case analysis)",
        )
        if result.status == "ok":
            result.status = "warning"
    return result
