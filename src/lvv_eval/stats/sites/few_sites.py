"""Honesty about five sites: when a contrast cannot be tested, and what to show instead.

The LVV pilot has five sites. A design choice (a parallel night shelter, the
lead by NGOs, ...) is the same for everyone in a pilot, so it varies only
*between* sites. Such a contrast has effectively as many observations as there
are sites; person-level tests treat persons as independent and over-reject, and
cluster-robust or wild-bootstrap inference is unreliable with five clusters
(Cameron, Gelbach & Miller 2008; MacKinnon & Webb; see
``docs/methods.md``). This module therefore

* refuses any p-value for a contrast that is constant within every pilot
  (:class:`lvv_eval.errors.NotIdentifiedError`, re-exported here; its
  :meth:`~lvv_eval.errors.NotIdentifiedError.message` gives the text in Dutch
  or English), stating the smallest p-value that a
  permutation (randomisation) test over the sites could reach
  (:func:`min_permutation_p`, computed, not hard-coded);
* allows a test for a person-level attribute that varies within pilots
  (:func:`between_site_test`: logistic regression with site fixed effects);
* offers partial pooling of site estimates as a clearly labelled sensitivity
  analysis (:func:`partial_pooling`).

A wild cluster bootstrap (Webb weights) is deliberately not offered: it would
print a p-value for a between-site contrast, which the project never does, and
with five clusters its p-values are not point identified (Webb 2013, QED WP 1315)
and cannot go below the permutation floor of :func:`min_permutation_p` in any
meaningful way.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from lvv_eval.errors import ArgumentError, NotIdentifiedError

DESCRIPTIVE_LABEL: str = "descriptive: persons as units, not a design effect"
POOLING_LABEL: str = "sensitivity: partial pooling, not a design effect"
WITHIN_SITE_LABEL: str = "within-site contrast (site fixed effects); persons as units"

__all__ = [
    "DESCRIPTIVE_LABEL",
    "POOLING_LABEL",
    "WITHIN_SITE_LABEL",
    "NotIdentifiedError",
    "n_assignments",
    "min_permutation_p",
    "site_group_sizes",
    "varies_within_sites",
    "refuse_site_level_test",
    "check_identified",
    "between_site_test",
    "expand_counts",
    "partial_pooling",
    "VB_SEED",
    "MIN_LEVEL_COUNT",
    "MIN_SITES",
    "within_site_support",
    "InsufficientWithinSiteVariation",
    "interval_policy_problems",
    "PLACES_MEASURES",
]

PLACES_MEASURES: tuple[str, ...] = ("occupancy_rate", "free_places_rate")
"""Measures about places, not people: never an interval (places are not a sample)."""


def interval_policy_problems(table: pd.DataFrame, name: str = "table") -> list[str]:
    """Check a result table against the interval policy of ``docs/methods.md``; list every breach.

    The policy: an interval describes the sampling of people within a site,
    never the identification of a design effect. So

    1. occupancy and free-place rates (``measure`` in :data:`PLACES_MEASURES`)
       carry no interval: places are not a sample;
    2. a between-site interval (a difference between groups of sites, column
       ``group_a``; or a row of ``role`` ``site``) carries a label containing
       ``descriptive`` (:data:`DESCRIPTIVE_LABEL`);
    3. a site term of a model (``role == "site"``) carries no interval at
       all: its Wald interval would be the refused p-value in another form.

    Parameters
    ----------
    table
        A result table with interval columns (``ci_low``/``ci_high`` and/or
        ``or_ci_low``/``or_ci_high``).
    name
        Name of the table in the messages.

    Returns
    -------
    list of str
        One message per breach (empty when the table complies).

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["occupancy_rate"], "ci_low": [0.1], "ci_high": [0.3]})
    >>> interval_policy_problems(t, "rates")
    ['rates row 0: occupancy_rate has an interval (places are not a sample)']
    """
    problems: list[str] = []
    ci_cols = [c for c in ("ci_low", "ci_high", "or_ci_low", "or_ci_high") if c in table.columns]
    if not ci_cols:
        return problems
    has_ci = table[ci_cols].apply(pd.to_numeric, errors="coerce").notna().any(axis=1)
    labels = table["label"].astype(str) if "label" in table.columns else pd.Series("", index=table.index)
    for pos, (idx, row) in enumerate(table.iterrows()):
        if not has_ci.loc[idx]:
            continue
        if "measure" in table.columns and str(row["measure"]) in PLACES_MEASURES:
            problems.append(f"{name} row {pos}: {row['measure']} has an interval (places are not a sample)")
        if "role" in table.columns and str(row["role"]) == "site":
            problems.append(
                f"{name} row {pos}: site term {row.get('term', '')!s} has an interval (a between-site contrast)"
            )
        between = "group_a" in table.columns or ("role" in table.columns and str(row["role"]) == "site")
        if between and "descriptive" not in labels.loc[idx]:
            problems.append(f"{name} row {pos}: between-site interval without the descriptive label")
    return problems


def n_assignments(group_sizes: Sequence[int]) -> int:
    """Number of distinct ways to assign the sites to groups of these sizes.

    This is the multinomial coefficient ``G! / (n_1! n_2! ...)``; for two groups
    it is ``C(G, g)``.

    Examples
    --------
    >>> n_assignments([1, 4]), n_assignments([2, 3]), n_assignments([1, 1, 3])
    (5, 10, 20)
    """
    sizes = [int(n) for n in group_sizes]
    if any(n < 0 for n in sizes):
        raise ArgumentError(f"group sizes must be >= 0, got {sizes}")
    total = math.factorial(sum(sizes))
    for n in sizes:
        total //= math.factorial(n)
    return total


def min_permutation_p(group_sizes: Sequence[int] | int, n_treated: int | None = None) -> float:
    """Smallest p-value a permutation test over sites can reach.

    Under randomisation inference every assignment of the sites to the groups
    is equally likely; the observed assignment is one of them, so no p-value
    can be below ``1 / n_assignments``. One-sided; a two-sided test can be no
    smaller.

    Parameters
    ----------
    group_sizes
        Number of sites per group, e.g. ``[1, 4]``; or the total number of
        sites ``G`` when ``n_treated`` is given.
    n_treated
        Number of sites in the "treated" group (with ``group_sizes`` = ``G``).

    Returns
    -------
    float
        ``1 / C(G, g)`` for two groups; ``1 / multinomial`` for more.

    Examples
    --------
    >>> min_permutation_p(5, 1), min_permutation_p(5, 2)
    (0.2, 0.1)
    >>> min_permutation_p([2, 3])
    0.1
    """
    if n_treated is not None:
        if not isinstance(group_sizes, (int, np.integer)):
            raise TypeError("with n_treated, give the total number of sites as an integer")
        if not 0 <= n_treated <= group_sizes:
            raise ArgumentError(f"n_treated must be between 0 and {group_sizes}")
        sizes = [int(n_treated), int(group_sizes) - int(n_treated)]
    else:
        if isinstance(group_sizes, (int, np.integer)):
            raise TypeError("give a list of group sizes, or the number of sites and n_treated")
        sizes = [int(n) for n in group_sizes]
    return 1.0 / n_assignments(sizes)


def varies_within_sites(data: pd.DataFrame, attribute: str, pilot_col: str = "pilot") -> bool:
    """Whether ``attribute`` takes more than one (non-missing) value inside some pilot.

    Parameters
    ----------
    data
        Person-level frame with ``pilot_col`` and ``attribute``.
    attribute, pilot_col
        Column names.

    Examples
    --------
    >>> df = pd.DataFrame({"pilot": ["a", "a", "b"], "x": [1, 1, 2], "z": [1, 2, 1]})
    >>> varies_within_sites(df, "x"), varies_within_sites(df, "z")
    (False, True)
    """
    counts = data.groupby(pilot_col, observed=True)[attribute].nunique(dropna=True)
    return bool((counts > 1).any())


def site_group_sizes(groups: Mapping[str, str], unknown: str = "unknown") -> dict[str, int]:
    """Count sites per group label from a ``pilot -> label`` mapping (unknown left out)."""
    sizes: dict[str, int] = {}
    for label in groups.values():
        if label != unknown:
            sizes[label] = sizes.get(label, 0) + 1
    return dict(sorted(sizes.items()))


def refuse_site_level_test(attribute: str, groups: Mapping[str, str]) -> None:
    """Raise :class:`NotIdentifiedError` for a site-level (design) attribute.

    Parameters
    ----------
    attribute
        Name of the design attribute.
    groups
        ``pilot -> group label`` (from :func:`lvv_eval.sources.designs.group_pilots`).

    Raises
    ------
    NotIdentifiedError
        Always: a site-level grouping varies only between sites.
    """
    sizes = site_group_sizes(groups)
    raise NotIdentifiedError(attribute, sizes, n_assignments([n for n in sizes.values() if n > 0]))


MIN_LEVEL_COUNT = 10
"""Persons needed in each of two levels of an attribute for a site to count as varying within."""
MIN_SITES = 2
"""Sites with such within-site variation needed before a within-site test is run."""


def within_site_support(
    data: pd.DataFrame, attribute: str, pilot_col: str = "pilot", min_count: int = MIN_LEVEL_COUNT
) -> pd.DataFrame:
    """How much each site contributes to a within-site contrast of ``attribute``.

    Parameters
    ----------
    data
        Person-level frame.
    attribute, pilot_col
        Column names (missing values of ``attribute`` are left out).
    min_count
        Persons needed in a level for it to count.

    Returns
    -------
    pandas.DataFrame
        One row per site, sorted: ``pilot``, ``n`` (non-missing),
        ``n_levels`` (distinct values), ``levels_with_min`` (values held by
        at least ``min_count`` persons), ``smallest_level`` (persons in the
        second-largest level; 0 when there is one level), ``contributes``
        (at least two levels with ``min_count`` persons each).

    Examples
    --------
    >>> df = pd.DataFrame({"pilot": ["a"] * 20 + ["b"] * 20, "x": [0, 1] * 10 + [0] * 19 + [1]})
    >>> within_site_support(df, "x")["contributes"].tolist()
    [True, False]
    """
    rows = []
    known = data.loc[data[attribute].notna(), [pilot_col, attribute]]
    for site, grp in known.groupby(pilot_col, observed=True, sort=True):
        counts = grp[attribute].astype(str).value_counts().sort_values(ascending=False)
        big = int((counts >= int(min_count)).sum())
        rows.append(
            {
                "pilot": str(site),
                "n": int(len(grp)),
                "n_levels": int(len(counts)),
                "levels_with_min": big,
                "smallest_level": int(counts.iloc[1]) if len(counts) > 1 else 0,
                "contributes": big >= 2,
            }
        )
    return pd.DataFrame(rows, columns=["pilot", "n", "n_levels", "levels_with_min", "smallest_level", "contributes"])


class InsufficientWithinSiteVariation(NotIdentifiedError):
    """An attribute varies within sites, but too little for a within-site test.

    A subclass of :class:`NotIdentifiedError` (callers that catch that keep
    working). ``support`` is the table of :func:`within_site_support`;
    ``contributing`` lists the sites with enough variation. ``group_sizes``
    counts sites by their most common value, so the permutation floor of the
    parent class still describes the between-site contrast.
    """

    def __init__(
        self, attribute: str, group_sizes: Mapping[str, int], support: pd.DataFrame, min_count: int, min_sites: int
    ) -> None:
        self.support = support
        self.min_count = int(min_count)
        self.min_sites = int(min_sites)
        self.contributing = [str(p) for p in support.loc[support["contributes"], "pilot"]]
        super().__init__(attribute, group_sizes)

    def message(self, lang: str = "en") -> str:
        base = super().message(lang)
        varying = ", ".join(self.contributing) or ("geen" if lang == "nl" else "none")
        if lang == "nl":
            return (
                f"Te weinig variatie binnen pilots voor {self.attribute!r}: minstens "
                f"{self.min_sites} pilots met twee waarden van elk minstens {self.min_count} personen "
                f"nodig; zo'n pilot: {varying}. " + base.split(": ", 1)[1]
            )
        return (
            f"Too little within-site variation in {self.attribute!r}: a within-site test needs at "
            f"least {self.min_sites} sites with two values held by at least {self.min_count} persons "
            f"each; such sites: {varying}. " + base.split(": ", 1)[1]
        )


def check_identified(
    data: pd.DataFrame,
    attribute: str,
    pilot_col: str = "pilot",
    min_count: int = MIN_LEVEL_COUNT,
    min_sites: int = MIN_SITES,
) -> pd.DataFrame:
    """Refuse unless ``attribute`` varies meaningfully within sites.

    An attribute constant within every pilot raises :class:`NotIdentifiedError`.
    One that varies, but in fewer than ``min_sites`` sites with at least two
    values held by ``min_count`` persons each (e.g. one person in one site),
    raises :class:`InsufficientWithinSiteVariation`: the "within-site"
    contrast would then rest on a handful of persons and otherwise on the
    differences between sites.

    Parameters
    ----------
    data
        Person-level frame.
    attribute, pilot_col
        Column names.
    min_count, min_sites
        Thresholds (defaults :data:`MIN_LEVEL_COUNT`, :data:`MIN_SITES`).

    Returns
    -------
    pandas.DataFrame
        The :func:`within_site_support` table (which sites contribute).
    """
    per_site = (
        data.dropna(subset=[attribute])
        .groupby(pilot_col, observed=True)[attribute]
        .agg(lambda v: v.astype(str).value_counts().index[0])
    )
    sizes: dict[str, int] = {}
    for value in per_site:
        key = str(value)
        sizes[key] = sizes.get(key, 0) + 1
    if not varies_within_sites(data, attribute, pilot_col):
        raise NotIdentifiedError(attribute, sizes, n_assignments([n for n in sizes.values() if n > 0]))
    support = within_site_support(data, attribute, pilot_col, min_count)
    if int(support["contributes"].sum()) < int(min_sites):
        raise InsufficientWithinSiteVariation(attribute, sizes, support, min_count, min_sites)
    return support


def between_site_test(
    data: pd.DataFrame,
    attribute: str,
    outcome: str = "y",
    pilot_col: str = "pilot",
    min_count: int = MIN_LEVEL_COUNT,
    min_sites: int = MIN_SITES,
) -> pd.DataFrame:
    """Test an attribute against a binary outcome, refusing if it varies only between sites.

    If ``attribute`` is constant within every pilot, raise
    :class:`NotIdentifiedError` (with the permutation floor); if it varies
    meaningfully in fewer than ``min_sites`` sites (see
    :func:`check_identified`), raise :class:`InsufficientWithinSiteVariation`.
    Otherwise fit
    ``outcome ~ C(attribute) + C(pilot)`` by logistic regression (site fixed
    effects, so the contrast is estimated *within* sites) and compare it with
    ``outcome ~ C(pilot)`` by a likelihood-ratio test.

    Parameters
    ----------
    data
        Person-level frame; rows with a missing attribute or outcome are left
        out (their number is reported in ``n_excluded``).
    attribute, outcome, pilot_col
        Column names; ``outcome`` is 0/1.
    min_count, min_sites
        Passed to :func:`check_identified`.

    Returns
    -------
    pandas.DataFrame
        One row: attribute, n, n_excluded, statistic (LR chi-square), df,
        p_value, contributing_sites (sites with enough within-site
        variation, comma-separated), label.

    Raises
    ------
    NotIdentifiedError
        If the attribute varies only between sites.
    """
    import statsmodels.formula.api as smf

    support = check_identified(data, attribute, pilot_col, min_count, min_sites)
    frame = pd.DataFrame(
        {
            "y": pd.to_numeric(data[outcome], errors="coerce").astype("float64"),
            "x": data[attribute].astype("object"),
            "site": data[pilot_col].astype("object"),
        }
    )
    keep = frame["y"].notna() & frame["x"].notna() & frame["site"].notna()
    used = frame.loc[keep].assign(x=lambda f: f["x"].astype(str), site=lambda f: f["site"].astype(str))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = smf.logit("y ~ C(x) + C(site)", used).fit(disp=0)
        null = smf.logit("y ~ C(site)", used).fit(disp=0)
    from scipy import stats

    statistic = float(2 * (full.llf - null.llf))
    df = int(round(full.df_model - null.df_model))
    return pd.DataFrame(
        [
            {
                "attribute": attribute,
                "n": int(keep.sum()),
                "n_excluded": int((~keep).sum()),
                "statistic": statistic,
                "df": df,
                "p_value": float(stats.chi2.sf(statistic, df)),
                "contributing_sites": ",".join(support.loc[support["contributes"], "pilot"]),
                "label": WITHIN_SITE_LABEL,
            }
        ]
    )


def expand_counts(
    counts: pd.DataFrame, events: str = "events", nobs: str = "n", pilot_col: str = "pilot"
) -> pd.DataFrame:
    """Expand aggregate counts (events of n per pilot) to 0/1 rows ``pilot, y``.

    Examples
    --------
    >>> expand_counts(pd.DataFrame({"pilot": ["a"], "events": [1], "n": [3]}))["y"].tolist()
    [1, 0, 0]
    """
    parts = []
    for rec in counts.sort_values(pilot_col).itertuples(index=False):
        r = rec._asdict()
        k, n = int(r[events]), int(r[nobs])
        if not 0 <= k <= n:
            raise ArgumentError(f"pilot {r[pilot_col]!r}: events {k} not between 0 and n {n}")
        parts.append(pd.DataFrame({pilot_col: [str(r[pilot_col])] * n, "y": [1] * k + [0] * (n - k)}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({pilot_col: [], "y": []})


VB_SEED = 20200101
"""Seed of the random start values of the variational fit in :func:`partial_pooling`."""


def partial_pooling(
    data: pd.DataFrame,
    outcome: str = "y",
    pilot_col: str = "pilot",
    covariates: Sequence[str] = (),
    seed: int = VB_SEED,
) -> pd.DataFrame:
    """Shrunken site estimates from a random-intercept logistic model (sensitivity only).

    Fits ``outcome ~ covariates`` with a random intercept per pilot by
    variational Bayes (``statsmodels`` ``BinomialBayesMixedGLM.fit_vb``; its
    default normal priors, which with five sites dominate the between-site
    SD, see Gelman 2006). The shrunken share of a pilot is
    ``expit(intercept + site effect)`` (at covariate values 0 when covariates
    are given). Label: :data:`POOLING_LABEL`.

    The optimiser starts from random values; they are drawn from
    ``numpy.random.default_rng(seed)`` (``fit_vb(rng=...)``), so the same
    data give the same numbers in every process. Warnings of the fit (e.g.
    a ``ConvergenceWarning``) are not silenced blindly: they are recorded in
    the ``converged`` and ``warnings`` columns.

    Parameters
    ----------
    data
        Person-level frame with a 0/1 ``outcome`` (use :func:`expand_counts`
        for aggregate counts). Rows with a missing outcome are left out.
    outcome, pilot_col
        Column names.
    covariates
        Optional numeric person-level covariates.
    seed
        Seed of the start values (default :data:`VB_SEED`).

    Returns
    -------
    pandas.DataFrame
        One row per pilot: pilot, n, events, raw_share, shrunken_share,
        site_effect (posterior mean, logit scale), site_effect_sd,
        between_site_sd, converged (bool: no convergence warning from the
        optimiser), warnings (their messages joined by ``"; "``, empty when
        none), label. ``between_site_sd`` is the posterior mean of the site
        SD under the variational approximation, in which ``log SD`` is normal
        with mean ``mu`` and SD ``s``: ``exp(mu + s**2 / 2)`` (the mean of a
        log-normal; ``exp(mu)`` would be its median).
    """
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    cols = [pilot_col, outcome, *covariates]
    frame = data[cols].dropna().copy()
    frame[outcome] = frame[outcome].astype("float64")
    frame["site"] = frame[pilot_col].astype(str)
    rhs = " + ".join(covariates) if covariates else "1"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BinomialBayesMixedGLM.from_formula(f"{outcome} ~ {rhs}", {"site": "0 + C(site)"}, frame)
        fit = model.fit_vb(rng=np.random.default_rng(seed))
    messages = sorted({str(w.message) for w in caught})
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    re = fit.random_effects()
    intercept = float(fit.fe_mean[0])
    sd_site = float(np.exp(fit.vcp_mean[0] + fit.vcp_sd[0] ** 2 / 2.0))
    rows = []
    for site, grp in frame.groupby("site", sort=True):
        key = f"C(site)[{site}]"
        eff = float(re.loc[key, "Mean"]) if key in re.index else float("nan")
        eff_sd = float(re.loc[key, "SD"]) if key in re.index else float("nan")
        rows.append(
            {
                "pilot": site,
                "n": int(len(grp)),
                "events": int(grp[outcome].sum()),
                "raw_share": float(grp[outcome].mean()),
                "shrunken_share": float(1.0 / (1.0 + np.exp(-(intercept + eff)))),
                "site_effect": eff,
                "site_effect_sd": eff_sd,
                "between_site_sd": sd_site,
                "converged": converged,
                "warnings": "; ".join(messages),
                "label": POOLING_LABEL,
            }
        )
    return pd.DataFrame(rows)
