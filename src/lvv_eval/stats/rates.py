"""Rates, shares and confidence intervals computed from aggregate counts.

Every function takes counts (scalars, dicts, pandas Series indexed by pilot, or
a wide DataFrame for class counts) and returns a tidy DataFrame. Rate tables
share the columns of :data:`RATE_COLUMNS`:

``numerator``, ``denominator``
    The counts the rate is computed from (persons, or places for occupancy).
``denominator_label``
    What the denominator is, in words (``"total intake"``, ``"total outflow"``,
    ``"capacity"``, ...). The evaluations of the LVV pilot used different
    denominators, so the label is part of every result.
``estimate``, ``ci_low``, ``ci_high``
    The rate and its confidence interval as *proportions* (0 to 1; multiply by
    100 for the percentages printed in the seeds).
``ci_method``, ``ci_level``
    The statsmodels method name of the interval (``"wilson"`` by default,
    ``"beta"`` = Clopper-Pearson) and its coverage (0.95), or ``"none"``.

Identifying columns come first: the key (``pilot`` unless the input index has
another name; a scalar input gets the key ``"total"``), then ``measure`` and
``category`` in the vocabulary of ``data/published/figures.csv``.

Intervals treat persons as independent draws; they describe the uncertainty of
a share among the people in a pilot, not a design effect between pilots (with
five pilots no such contrast is identifiable, so no test is offered here).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    multinomial_proportions_confint,
    proportion_confint,
)

from lvv_eval.errors import ConfigError, InputValidationError, Problem

__all__ = [
    "RATE_COLUMNS",
    "CI_METHODS",
    "proportion_ci",
    "occupancy",
    "durable_rate",
    "class_shares",
    "target_attainment",
    "scenario_shares",
    "proportion_difference",
    "series_from_figures",
]

RATE_COLUMNS: tuple[str, ...] = (
    "numerator",
    "denominator",
    "denominator_label",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "ci_level",
)
"""Columns every rate table has (after its identifying columns)."""

CI_METHODS: dict[str, str] = {
    "wilson": "wilson",
    "beta": "beta",
    "clopper-pearson": "beta",
    "clopper_pearson": "beta",
    "exact": "beta",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
    "normal": "normal",
}
"""Accepted interval names and the statsmodels ``method`` each maps to."""

GOODMAN_MIN_COUNT = 5
"""Goodman's simultaneous intervals are given only when every count is at least this."""

DEFAULT_KEY = "pilot"
NO_CI = "none"


# --------------------------------------------------------------------------- helpers
def _method(method: str) -> str:
    key = str(method).strip().lower()
    if key not in CI_METHODS:
        raise ConfigError(f"unknown confidence-interval method {method!r}; choose one of {sorted(CI_METHODS)}")
    return CI_METHODS[key]


def _check_alpha(alpha: float) -> float:
    if not 0 < float(alpha) < 1:
        raise ConfigError(f"alpha must be between 0 and 1, got {alpha!r}")
    return float(alpha)


def _as_float_array(x: Any) -> np.ndarray:
    if isinstance(x, (pd.Series, pd.Index)):
        return x.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(x, dtype=float)


def _as_series(x: Any, name: str, key: str = DEFAULT_KEY) -> pd.Series:
    """Turn a scalar, mapping or Series of counts into a Series indexed by key."""
    if isinstance(x, pd.DataFrame):
        raise ConfigError(f"{name}: expected a scalar, a mapping or a Series, got a DataFrame")
    if isinstance(x, pd.Series):
        s = x.copy()
    elif isinstance(x, Mapping):
        s = pd.Series(dict(x))
    elif isinstance(x, (Number, np.number)) or x is None or x is pd.NA:
        s = pd.Series([x], index=["total"])
    else:
        s = pd.Series(list(x))
    s.index = s.index.astype(str)
    if s.index.name is None:
        s.index.name = key
    return pd.Series(_as_float_array(s), index=s.index, name=name)


def _align(**series: pd.Series) -> pd.DataFrame:
    """Align count Series on their index; every key must be present in every input."""
    frames = list(series.values())
    index = frames[0].index
    for s in frames[1:]:
        index = index.union(s.index, sort=False)
    problems = []
    for name, s in series.items():
        for key in index:
            if key not in s.index:
                problems.append(
                    Problem("", None, name, str(key), f"no {name} count for {key!r}; every input needs the same keys")
                )
    if problems:
        raise InputValidationError(problems)
    out = pd.DataFrame({name: s.reindex(index) for name, s in series.items()})
    out.index.name = frames[0].index.name
    return out


def _counts_column(values: pd.Series | np.ndarray) -> pd.Series:
    """Counts as Int64 when all values are whole numbers, else float."""
    arr = _as_float_array(pd.Series(values))
    finite = arr[~np.isnan(arr)]
    if np.all(np.equal(np.mod(finite, 1), 0)):
        return pd.array(np.where(np.isnan(arr), np.nan, arr), dtype="Float64").astype("Int64")
    return pd.Series(arr, dtype=float)


def _validate_counts(count: np.ndarray, nobs: np.ndarray) -> None:
    problems = []
    for i, (c, n) in enumerate(zip(np.atleast_1d(count), np.atleast_1d(nobs))):
        if np.isnan(c) or np.isnan(n):
            continue
        if n < 0:
            problems.append(Problem("", None, "nobs", f"{n:g}", f"item {i}: denominator must be >= 0"))
        if c < 0:
            problems.append(Problem("", None, "count", f"{c:g}", f"item {i}: count must be >= 0"))
        if c > n:
            problems.append(Problem("", None, "count", f"{c:g}", f"item {i}: count exceeds its denominator {n:g}"))
    if problems:
        raise InputValidationError(problems)


# --------------------------------------------------------------------------- core interval
def proportion_ci(count: Any, nobs: Any, alpha: float = 0.05, method: str = "wilson") -> tuple[Any, Any]:
    """Confidence interval for a proportion ``count / nobs``.

    Wraps :func:`statsmodels.stats.proportion.proportion_confint` and always
    passes ``method`` (the statsmodels default is the Wald interval).

    Parameters
    ----------
    count, nobs
        Numbers of persons with the outcome and in the denominator. Scalars,
        arrays or pandas Series (aligned by position). ``nobs == 0`` or a
        missing value gives ``NaN`` bounds instead of an error.
    alpha
        1 - coverage (0.05 gives 95 % intervals).
    method
        ``"wilson"`` (default, Wilson score interval), ``"beta"`` (Clopper-Pearson;
        aliases ``"clopper-pearson"``, ``"exact"``), ``"jeffreys"``,
        ``"agresti_coull"`` or ``"normal"``.

    Returns
    -------
    tuple
        ``(low, high)`` as proportions: floats for scalar input, Series for
        Series input (index of ``count``), arrays otherwise.

    Raises
    ------
    InputValidationError
        When a count is negative or larger than its denominator.

    Examples
    --------
    >>> low, high = proportion_ci(37, 120)
    >>> round(low, 4), round(high, 4)
    (0.2327, 0.3958)
    >>> proportion_ci(0, 0)
    (nan, nan)
    """
    alpha = _check_alpha(alpha)
    sm_method = _method(method)
    c = _as_float_array(count)
    n = _as_float_array(nobs)
    c, n = np.broadcast_arrays(c, n)
    _validate_counts(c, n)
    low = np.full(c.shape, np.nan)
    high = np.full(c.shape, np.nan)
    ok = ~np.isnan(c) & ~np.isnan(n) & (n > 0)
    if ok.any():
        lo, hi = proportion_confint(c[ok], n[ok], alpha=alpha, method=sm_method)
        low[ok] = np.clip(np.asarray(lo, dtype=float), 0.0, 1.0)
        high[ok] = np.clip(np.asarray(hi, dtype=float), 0.0, 1.0)
    if isinstance(count, pd.Series):
        return pd.Series(low, index=count.index), pd.Series(high, index=count.index)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def _rate_table(
    numerator: pd.Series,
    denominator: pd.Series,
    *,
    denominator_label: str,
    measure: str,
    category: str | pd.Series,
    alpha: float,
    method: str | None,
) -> pd.DataFrame:
    """Build a tidy rate table from aligned numerator and denominator Series."""
    key = numerator.index.name or DEFAULT_KEY
    num = _as_float_array(numerator)
    den = _as_float_array(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.where(den > 0, num / den, np.nan)
    if method is None:
        low = high = np.full(num.shape, np.nan)
        ci_method, ci_level = NO_CI, np.nan
    else:
        low, high = proportion_ci(num, den, alpha=alpha, method=method)
        ci_method, ci_level = _method(method), 1 - alpha
    table = pd.DataFrame(
        {
            key: pd.Series(numerator.index, dtype=str),
            "measure": measure,
            "category": category if isinstance(category, str) else pd.Series(category, dtype=str).to_numpy(),
            "numerator": _counts_column(num),
            "denominator": _counts_column(den),
            "denominator_label": denominator_label,
            "estimate": est,
            "ci_low": low,
            "ci_high": high,
            "ci_method": ci_method,
            "ci_level": ci_level,
        }
    )
    return table


# --------------------------------------------------------------------------- occupancy
def occupancy(
    capacity: Any,
    present: Any,
    *,
    alpha: float = 0.05,
    ci_method: str | None = None,
) -> pd.DataFrame:
    """Occupancy rate, free places and free-place rate against capacity.

    Reproduces Tabel S.1 of ``001_08a3e7995258f26d.txt`` (Regioplan 2020,
    *Bezetting op peildatum*: e.g. Eindhoven 30 of 130 places occupied, 100
    places free = 77 %).

    Denominator: the agreed capacity in places (``denominator_label``
    ``"capacity"``). Occupancy against capacity is not a sample proportion (the
    places are not a random sample of anything), so no interval is given
    (``ci_method`` column ``"none"``); asking for one is an error (interval
    policy, ``docs/methods.md``).

    Parameters
    ----------
    capacity
        Places per pilot (scalar, mapping or Series indexed by pilot).
    present
        Persons present on the reference date, same keys.
    alpha
        Kept for a uniform signature; no interval is computed.
    ci_method
        Must be ``None``; any method raises :class:`lvv_eval.errors.ConfigError`.

    Returns
    -------
    pandas.DataFrame
        Three rows per key: ``occupancy_rate/of_capacity``,
        ``free_places/places`` (a count: ``estimate`` = free places,
        ``denominator`` empty) and ``free_places_rate/of_capacity``.

    Examples
    --------
    >>> t = occupancy({"eindhoven": 130}, {"eindhoven": 30})
    >>> t[["measure", "numerator", "estimate"]].round(3).to_string(index=False)
    '         measure  numerator  estimate\\n  occupancy_rate         30     0.231\\n     free_places        100   100.000\\nfree_places_rate        100     0.769'
    """
    alpha = _check_alpha(alpha)
    if ci_method is not None:
        raise ConfigError(
            f"occupancy gets no interval (ci_method={ci_method!r} refused): the places of a "
            "pilot are not a sample (interval policy, docs/methods.md)"
        )
    frame = _align(capacity=_as_series(capacity, "capacity"), present=_as_series(present, "present"))
    cap, pres = frame["capacity"], frame["present"]
    free = cap - pres
    method = ci_method
    occ = _rate_table(
        pres,
        cap,
        denominator_label="capacity",
        measure="occupancy_rate",
        category="of_capacity",
        alpha=alpha,
        method=None,
    )
    fr = _rate_table(
        free,
        cap,
        denominator_label="capacity",
        measure="free_places_rate",
        category="of_capacity",
        alpha=alpha,
        method=None,
    )
    if method is not None:
        ok = (pres >= 0) & (pres <= cap)
        for table, num in ((occ, pres), (fr, free)):
            lo, hi = proportion_ci(num.where(ok).to_numpy(), cap.where(ok).to_numpy(), alpha=alpha, method=method)
            table["ci_low"], table["ci_high"] = lo, hi
            table["ci_method"], table["ci_level"] = _method(method), 1 - alpha
    key = frame.index.name
    counts = pd.DataFrame(
        {
            key: pd.Series(frame.index, dtype=str),
            "measure": "free_places",
            "category": "places",
            "numerator": _counts_column(free),
            "denominator": pd.array([pd.NA] * len(frame), dtype="Int64"),
            "denominator_label": "none (count of places)",
            "estimate": free.to_numpy(dtype=float),
            "ci_low": np.nan,
            "ci_high": np.nan,
            "ci_method": NO_CI,
            "ci_level": np.nan,
        }
    )
    order = {"occupancy_rate": 0, "free_places": 1, "free_places_rate": 2}
    out = pd.concat([occ, counts, fr], ignore_index=True)
    out["_k"] = pd.Categorical(out[key], categories=list(dict.fromkeys(frame.index)), ordered=True)
    out["_m"] = out["measure"].map(order)
    return out.sort_values(["_k", "_m"], kind="stable").drop(columns=["_k", "_m"]).reset_index(drop=True)


# --------------------------------------------------------------------------- durable outflow
def durable_rate(
    durable: Any,
    *,
    intake: Any = None,
    outflow: Any = None,
    alpha: float = 0.05,
    method: str = "wilson",
    category: str = "durable",
) -> pd.DataFrame:
    """Share of persons with a durable solution, with a confidence interval.

    Give exactly one denominator:

    - ``intake=``: durable outflow divided by total intake since the start,
      as in Tabel S.2 of ``001_08a3e7995258f26d.txt`` (Regioplan 2020;
      Utrecht 33 / 268 = 12 %). ``denominator_label`` ``"total intake"``,
      measure ``outflow_share_of_intake``.
    - ``outflow=``: durable outflow divided by total outflow, as in
      ``004_b44b716732003f66.txt`` (Regioplan 2022, first paragraph: 18 % of
      1258). ``denominator_label`` ``"total outflow"``, measure
      ``outflow_share_of_outflow``.

    Parameters
    ----------
    durable
        Persons with a durable outcome (scalar, mapping or Series by pilot).
    intake, outflow
        The denominator, same keys.
    alpha, method
        Interval options (Wilson by default).
    category
        Category label of the numerator (default ``"durable"``).

    Returns
    -------
    pandas.DataFrame
        One row per key with the columns of :data:`RATE_COLUMNS`.

    Examples
    --------
    >>> t = durable_rate({"utrecht": 33}, intake={"utrecht": 268})
    >>> round(float(t.loc[0, "estimate"]) * 100, 1), t.loc[0, "denominator_label"]
    (12.3, 'total intake')
    """
    if (intake is None) == (outflow is None):
        raise ConfigError("durable_rate: give exactly one of intake= or outflow=")
    if intake is not None:
        den, label, measure = intake, "total intake", "outflow_share_of_intake"
    else:
        den, label, measure = outflow, "total outflow", "outflow_share_of_outflow"
    frame = _align(numerator=_as_series(durable, "durable"), denominator=_as_series(den, label))
    return _rate_table(
        frame["numerator"],
        frame["denominator"],
        denominator_label=label,
        measure=measure,
        category=category,
        alpha=_check_alpha(alpha),
        method=method,
    )


# --------------------------------------------------------------------------- class shares
NOT_OUTFLOWED = "not_outflowed"


def class_shares(
    counts: Mapping[str, float] | pd.Series | pd.DataFrame,
    *,
    denominator: str = "outflow",
    intake: Any = None,
    alpha: float = 0.05,
    method: str = "wilson",
) -> pd.DataFrame:
    """Shares of outflow classes (durable / semi-durable / none ...) with intervals.

    Reproduces the shares of ``004_b44b716732003f66.txt`` (Regioplan 2022:
    18 % durable, 41 % semi-durable, 41 % no solution of 1258 outflowed
    persons; denominator total outflow).

    Each share gets a Wilson (or ``method``) interval. When every count of a
    group, including the ``not_outflowed`` remainder for an intake denominator,
    is at least :data:`GOODMAN_MIN_COUNT` (5), simultaneous Goodman intervals
    (:func:`statsmodels.stats.proportion.multinomial_proportions_confint`,
    ``method="goodman"``) are added in ``sim_ci_low``/``sim_ci_high``; otherwise
    those are ``NaN`` and ``sim_ci_method`` says why.

    Parameters
    ----------
    counts
        Persons per class: a mapping or Series indexed by class id (one group,
        key ``"total"``), or a DataFrame with one row per group (index = pilot)
        and one column per class.
    denominator
        ``"outflow"``: the sum of the class counts (``"total outflow"``).
        ``"intake"``: ``intake`` (``"total intake"``); a row ``not_outflowed``
        (intake minus outflow) is added so the shares add up to one.
    intake
        Total intake (scalar for one group, or a Series by group); required
        when ``denominator="intake"``.
    alpha, method
        Interval options for the per-class intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group and class; :data:`RATE_COLUMNS` plus
        ``sim_ci_low``, ``sim_ci_high``, ``sim_ci_method``.

    Examples
    --------
    >>> t = class_shares({"durable": 226, "semi_durable": 516, "none": 516})
    >>> [round(x * 100) for x in t["estimate"]]
    [18, 41, 41]
    """
    alpha = _check_alpha(alpha)
    if denominator not in ("outflow", "intake"):
        raise ConfigError(f"denominator must be 'outflow' or 'intake', got {denominator!r}")
    if isinstance(counts, pd.DataFrame):
        wide = counts.copy()
        wide.index = wide.index.astype(str)
        if wide.index.name is None:
            wide.index.name = DEFAULT_KEY
    else:
        s = pd.Series(dict(counts)) if isinstance(counts, Mapping) else counts
        wide = pd.DataFrame(
            [s.to_numpy()], columns=[str(c) for c in s.index], index=pd.Index(["total"], name=DEFAULT_KEY)
        )
    key = wide.index.name
    wide = wide.astype(float)
    outflow = wide.sum(axis=1)
    if denominator == "intake":
        if intake is None:
            raise ConfigError("class_shares(denominator='intake') needs intake=")
        if not isinstance(intake, (pd.Series, Mapping)):
            intake = pd.Series([intake] * len(wide), index=wide.index)
        den = _align(outflow=outflow.rename("outflow"), intake=_as_series(intake, "intake"))["intake"]
        rest = den - outflow
        bad = [
            Problem("", None, "intake", f"{den[k]:g}", f"{k}: intake is smaller than the outflow {outflow[k]:g}")
            for k in wide.index
            if rest[k] < 0
        ]
        if bad:
            raise InputValidationError(bad)
        wide[NOT_OUTFLOWED] = rest
        label, measure = "total intake", "outflow_share_of_intake"
    else:
        den = outflow
        label, measure = "total outflow", "outflow_share_of_outflow"
    tables = []
    for group, row in wide.iterrows():
        num = pd.Series(row.to_numpy(), index=pd.Index([group] * len(row), name=key))
        d = pd.Series([den[group]] * len(row), index=num.index)
        t = _rate_table(
            num, d, denominator_label=label, measure=measure, category=pd.Series(row.index), alpha=alpha, method=method
        )
        vals = row.to_numpy()
        if np.all(vals >= GOODMAN_MIN_COUNT) and len(vals) >= 2:
            ci = multinomial_proportions_confint(vals, alpha=alpha, method="goodman")
            t["sim_ci_low"], t["sim_ci_high"] = ci[:, 0], ci[:, 1]
            t["sim_ci_method"] = "goodman"
        else:
            t["sim_ci_low"], t["sim_ci_high"] = np.nan, np.nan
            t["sim_ci_method"] = f"none (a count is below {GOODMAN_MIN_COUNT})"
        tables.append(t)
    return pd.concat(tables, ignore_index=True)


# --------------------------------------------------------------------------- targets
REACHED = "reached"
NOT_REACHED = "not reached"
UNDETERMINED = "undetermined (CI contains target)"
NO_DATA = "undetermined (no denominator)"
NO_TARGET = "no target"


def target_attainment(
    realised: pd.DataFrame,
    targets: Mapping[str, float] | pd.Series | pd.DataFrame,
    *,
    key: str = DEFAULT_KEY,
) -> pd.DataFrame:
    """Compare realised durable-outflow rates with each pilot's target.

    Reproduces Tabel S.2 of ``001_08a3e7995258f26d.txt`` (Regioplan 2020:
    targets 20 / 20 / 40 / 60 / 20 % for Amsterdam, Eindhoven, Groningen,
    Rotterdam, Utrecht; realised 1 / 3 / 3 / 9 / 12 % of intake). Note that the
    targets are best-effort goals for the whole pilot period (*op basis van
    een inspanningsverplichting*) while the realised rate is measured on a
    reference date, and that the denominator is the one of ``realised``.

    Status per key:

    - ``"reached"``: the whole interval lies at or above the target
      (``ci_low >= target``, so a lower bound equal to the target counts);
    - ``"not reached"``: the whole interval lies below the target
      (``ci_high < target``);
    - ``"undetermined (CI contains target)"``: ``ci_low < target <= ci_high``;
    - ``"undetermined (no denominator)"``: no interval (denominator 0);
    - ``"no target"``: the target is missing (NaN) for this key.

    Parameters
    ----------
    realised
        A rate table from :func:`durable_rate` (needs ``key``, ``numerator``,
        ``denominator``, ``denominator_label``, ``estimate``, ``ci_low``,
        ``ci_high``, ``ci_method``).
    targets
        Target percentages (0-100) by key: mapping, Series, or a DataFrame with
        columns ``key`` and ``value`` (e.g. published figures of measure
        ``target_outflow_share``).
    key
        Name of the identifying column (default ``pilot``).

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``target_pct``, ``realised_pct``, ``ci_low_pct``,
        ``ci_high_pct``, ``ratio`` (realised / target), ``status``,
        ``numerator``, ``denominator``, ``denominator_label``, ``ci_method``.
    """
    if isinstance(targets, pd.DataFrame):
        missing = {key, "value"} - set(targets.columns)
        if missing:
            raise ConfigError(f"targets table lacks column(s) {sorted(missing)}")
        tgt = pd.Series(targets["value"].to_numpy(dtype=float), index=targets[key].astype(str))
    else:
        tgt = _as_series(targets, "target", key)
    tgt.index.name = key
    real = realised.set_index(realised[key].astype(str))
    real.index.name = key
    if real.index.duplicated().any():
        raise ConfigError(f"realised table has duplicate {key} values: {sorted(real.index[real.index.duplicated()])}")
    _align(realised=real["estimate"], target=tgt)
    keys = list(real.index)
    tgt = tgt.reindex(keys)
    t = tgt.to_numpy(dtype=float) / 100.0
    low = real["ci_low"].to_numpy(dtype=float)
    high = real["ci_high"].to_numpy(dtype=float)
    est = real["estimate"].to_numpy(dtype=float)
    status = np.where(
        np.isnan(t),
        NO_TARGET,
        np.where(
            np.isnan(low) | np.isnan(high),
            NO_DATA,
            np.where(low >= t, REACHED, np.where(high < t, NOT_REACHED, UNDETERMINED)),
        ),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(t > 0, est / t, np.nan)
    return pd.DataFrame(
        {
            key: pd.Series(keys, dtype=str),
            "target_pct": tgt.to_numpy(dtype=float),
            "realised_pct": est * 100,
            "ci_low_pct": low * 100,
            "ci_high_pct": high * 100,
            "ratio": ratio,
            "status": status,
            "numerator": real["numerator"].to_numpy(),
            "denominator": real["denominator"].to_numpy(),
            "denominator_label": real["denominator_label"].to_numpy(),
            "ci_method": real["ci_method"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------- scenarios
def scenario_shares(departure: Any, residence: Any, *, alpha: float = 0.05, method: str = "wilson") -> pd.DataFrame:
    """Shares of counselling scenarios aimed at departure and at residence.

    Reproduces ``002_1f6dbbe6756677e4.txt`` (programme monitor, *Voortgang
    LVV's*, process paragraph: of 471 scenarios set, 236 aim at departure and
    235 at residence). Denominator: scenarios set (departure + residence),
    not the persons present, since persons without a scenario yet are excluded.

    Returns
    -------
    pandas.DataFrame
        Two rows per key (``scenario_share`` / ``departure``, ``residence``),
        with the columns of :data:`RATE_COLUMNS`.

    Examples
    --------
    >>> t = scenario_shares(236, 235)
    >>> [round(x, 3) for x in t["estimate"]]
    [0.501, 0.499]
    """
    alpha = _check_alpha(alpha)
    frame = _align(departure=_as_series(departure, "departure"), residence=_as_series(residence, "residence"))
    total = frame["departure"] + frame["residence"]
    label = "scenarios set (departure + residence)"
    parts = [
        _rate_table(
            frame[c], total, denominator_label=label, measure="scenario_share", category=c, alpha=alpha, method=method
        )
        for c in ("departure", "residence")
    ]
    key = frame.index.name
    out = pd.concat(parts, ignore_index=True)
    out["_k"] = pd.Categorical(out[key], categories=list(dict.fromkeys(frame.index)), ordered=True)
    return out.sort_values(["_k"], kind="stable").drop(columns="_k").reset_index(drop=True)


# --------------------------------------------------------------------------- differences
def proportion_difference(
    count1: Any,
    nobs1: Any,
    count2: Any,
    nobs2: Any,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Difference between two proportions with Newcombe's hybrid score interval.

    ``estimate = count1/nobs1 - count2/nobs2`` with the interval of
    :func:`statsmodels.stats.proportion.confint_proportions_2indep`
    (``method="newcomb"``, ``compare="diff"``), which combines the two Wilson
    intervals (Newcombe 1998, method 10). The interval is descriptive: this
    package offers no p-value for a contrast between pilots, because any
    pilot-level design contrast rests on only five sites.

    Parameters
    ----------
    count1, nobs1, count2, nobs2
        Counts and denominators of the two groups (scalars, mappings or
        Series with the same keys). A zero denominator gives ``NaN``.
    alpha
        1 - coverage.

    Returns
    -------
    pandas.DataFrame
        One row per key: ``numerator_1``, ``denominator_1``, ``estimate_1``,
        ``numerator_2``, ``denominator_2``, ``estimate_2``, ``estimate``
        (difference), ``ci_low``, ``ci_high``, ``ci_method`` (``"newcomb"``),
        ``ci_level``.

    Examples
    --------
    >>> t = proportion_difference(33, 268, 12, 129)
    >>> round(float(t.loc[0, "ci_low"]), 4), round(float(t.loc[0, "ci_high"]), 4)
    (-0.0411, 0.0895)
    """
    alpha = _check_alpha(alpha)
    frame = _align(
        count1=_as_series(count1, "count1"),
        nobs1=_as_series(nobs1, "nobs1"),
        count2=_as_series(count2, "count2"),
        nobs2=_as_series(nobs2, "nobs2"),
    )
    _validate_counts(frame["count1"].to_numpy(), frame["nobs1"].to_numpy())
    _validate_counts(frame["count2"].to_numpy(), frame["nobs2"].to_numpy())
    lows, highs, p1s, p2s = [], [], [], []
    for c1, n1, c2, n2 in frame[["count1", "nobs1", "count2", "nobs2"]].itertuples(index=False):
        p1 = c1 / n1 if n1 > 0 else math.nan
        p2 = c2 / n2 if n2 > 0 else math.nan
        p1s.append(p1)
        p2s.append(p2)
        if math.isnan(p1) or math.isnan(p2):
            lows.append(math.nan)
            highs.append(math.nan)
            continue
        lo, hi = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff", alpha=alpha)
        lows.append(float(lo))
        highs.append(float(hi))
    key = frame.index.name
    return pd.DataFrame(
        {
            key: pd.Series(frame.index, dtype=str),
            "numerator_1": _counts_column(frame["count1"]),
            "denominator_1": _counts_column(frame["nobs1"]),
            "estimate_1": p1s,
            "numerator_2": _counts_column(frame["count2"]),
            "denominator_2": _counts_column(frame["nobs2"]),
            "estimate_2": p2s,
            "estimate": np.array(p1s) - np.array(p2s),
            "ci_low": lows,
            "ci_high": highs,
            "ci_method": "newcomb",
            "ci_level": 1 - alpha,
        }
    )


# --------------------------------------------------------------------------- tidy input
def series_from_figures(
    figures: pd.DataFrame,
    measure: str,
    category: str,
    *,
    key: str = DEFAULT_KEY,
    include_total: bool = False,
) -> pd.Series:
    """Pick one measure/category from a long figures table as a Series by key.

    Works on ``data/published/figures.csv`` (filtered to one source and
    peildatum first) and on the output of ``lvv_eval.stats.counts.to_figures``.

    Parameters
    ----------
    figures
        Long table with columns ``key``, ``measure``, ``category``, ``value``.
    measure, category
        The figure to select, e.g. ``"outflow"``, ``"durable"``.
    include_total
        Keep the ``total`` row (default: drop it, so per-pilot inputs stay
        per pilot).

    Raises
    ------
    InputValidationError
        When a key occurs more than once for the selection.
    """
    sel = figures[(figures["measure"] == measure) & (figures["category"] == category)]
    if not include_total:
        sel = sel[sel[key].astype(str) != "total"]
    dup = sel[key].astype(str).duplicated(keep=False)
    if dup.any():
        raise InputValidationError(
            [
                Problem("", None, key, str(v), f"more than one {measure}/{category} value; filter the table first")
                for v in sorted(set(sel.loc[dup, key].astype(str)))
            ]
        )
    s = pd.Series(pd.to_numeric(sel["value"]).to_numpy(dtype=float), index=sel[key].astype(str).to_numpy())
    s.index.name = key
    return s.rename(f"{measure}/{category}")
