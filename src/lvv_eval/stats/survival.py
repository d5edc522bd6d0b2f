"""Time to outcome: length of stay and cumulative incidence with competing risks.

Time origin is the intake date. For a trajectory with intake on or before the
peildatum (the reference date):

* if it flowed out on or before the peildatum, ``time_days`` = exit_date -
  intake_date in days and the event is the outcome class of its exit reason
  under the chosen scheme;
* if it is still present at the peildatum, it is **right-censored**:
  ``time_days`` = peildatum - intake_date, event code 0. People still present
  are kept in the risk set up to the peildatum; they are never dropped (dropping
  them would keep only the quick exits and shorten every estimate).

Trajectories with intake after the peildatum are outside the analysis (see
:func:`lvv_eval.stats.counts.flow`). An exit on the intake day gives
``time_days`` = 0.

**Competing risks.** The outcome classes (e.g. durable, semi-durable, none) are
mutually exclusive ways of leaving: someone who left with an unknown
destination can no longer obtain a residence permit inside the LVV. The
probability of leaving with outcome *k* by day *t* is therefore the
cumulative incidence function (CIF), estimated by the Aalen-Johansen estimator
(Aalen & Johansen 1978, *Scand J Stat* 5:141-150), not by 1 minus a
Kaplan-Meier curve that treats the other outcomes as censored; the latter
overstates each outcome (Satagopan et al. 2004, *Br J Cancer* 91:1229-1235).
Kaplan-Meier is used only for the time to *any* exit (length of stay). The
CIFs of all classes plus the all-cause survival (still in the programme) sum
to one at every time.

Censoring at the peildatum is administrative, so it is independent of the
outcome as long as intake cohorts are comparable over time; that assumption is
what the estimates rest on.

Methods note: ``docs/methods.md``
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight
from statsmodels.stats.proportion import proportion_confint

from lvv_eval.errors import ConfigError
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.stats import engine
from lvv_eval.stats.counts import (
    TOTAL,
    DateLike,
    SchemeLike,
    as_peildatum,
    check_frame,
    classify_exits,
    state_at,
)

CENSORED: str = "censored"
"""``event_class`` of trajectories still present at the peildatum."""

IN_PROGRAMME: str = "in_programme"
"""Outcome label of the all-cause survival (no exit yet) in the CIF tables."""

CIF_CI_METHODS: tuple[str, ...] = ("log-log", "linear")

_MEDIAN_CI_METHOD = (
    "Brookmeyer-Crowley test inversion, cloglog transform, Greenwood SE (statsmodels SurvfuncRight.quantile_ci)"
)


# --------------------------------------------------------------------------- event coding


def _event_frame(
    frame: pd.DataFrame, peildatum: DateLike, scheme: SchemeLike | None, formal_only: bool, extra: Sequence[str] = ()
) -> pd.DataFrame:
    """Time and event per in-scope trajectory; event 1 = any exit when no scheme."""
    check_frame(frame)
    day = as_peildatum(peildatum)
    if engine.supports(frame):
        return _event_frame_engine(frame, day, scheme, formal_only, extra)
    return _event_frame_pandas(frame, day, scheme, formal_only, extra)


def _event_frame_engine(
    frame: pd.DataFrame, day: pd.Timestamp, scheme: SchemeLike | None, formal_only: bool, extra: Sequence[str]
) -> pd.DataFrame:
    """:func:`_event_frame` from the engine's per-row inputs (:func:`lvv_eval.stats.engine.event_inputs`)."""
    inputs = engine.event_inputs(frame, day, formal_only)
    position, exited = inputs["position"], inputs["exited"]
    class_ids = [str(c) for c in scheme.class_ids] if scheme is not None else ["exit"]
    code = np.zeros(len(position), dtype="int64")
    if exited.any():
        if scheme is not None:
            found = np.unique(inputs["exit_code"][exited])
            names = [EXIT_REASON_CODES[i] for i in found]
            classes = classify_exits(pd.Series(names, dtype="string"), scheme)
            where = {c: i + 1 for i, c in enumerate(class_ids)}
            lookup = np.zeros(len(EXIT_REASON_CODES), dtype="int64")
            lookup[found] = [where[c] for c in classes]
            code[exited] = lookup[inputs["exit_code"][exited]]
        else:
            code[exited] = 1
    out = pd.DataFrame(
        {
            "trajectory_id": _taken_text(frame["trajectory_id"], position),
            "pilot": _taken_text(frame["pilot"], position),
            "time_days": inputs["time_days"],
            "event_code": code,
            "event_class": pd.Categorical.from_codes(code, categories=[CENSORED, *class_ids]),
        }
    )
    for column in extra:
        if column not in out.columns:
            out[column] = frame[column].to_numpy()[position]
    return out


def _taken_text(series: pd.Series, position: np.ndarray) -> pd.Series:
    """Rows ``position`` of a text column as the ``string`` dtype, with a fresh range index."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        labels = series.cat.categories.astype("string")
        codes = series.cat.codes.to_numpy()[position]
        values = (
            labels.take(np.where(codes < 0, 0, codes)).to_numpy()
            if len(labels)
            else np.full(len(codes), pd.NA, dtype=object)
        )
        text = pd.Series(values, dtype="string")
        text[codes < 0] = pd.NA
        return text
    return series.take(position).astype("string").reset_index(drop=True)


def _event_frame_pandas(
    frame: pd.DataFrame, day: pd.Timestamp, scheme: SchemeLike | None, formal_only: bool, extra: Sequence[str] = ()
) -> pd.DataFrame:
    """:func:`_event_frame` row by row in pandas (frames the engine does not take)."""
    rows = frame
    if formal_only:
        rows = rows.loc[rows["formal_status"].to_numpy(dtype=bool, na_value=False)]
    state = state_at(rows, day)
    rows = rows.loc[state["in_scope"].to_numpy()]
    exited = state.loc[rows.index, "exited"].to_numpy()
    intake = rows["intake_date"].to_numpy(dtype="datetime64[D]")
    end = np.where(
        exited, rows["exit_date"].to_numpy(dtype="datetime64[D]"), day.to_datetime64().astype("datetime64[D]")
    )
    time_days = (end - intake).astype("int64")
    class_ids = [str(c) for c in scheme.class_ids] if scheme is not None else ["exit"]
    code = np.zeros(len(rows), dtype="int64")
    label = np.full(len(rows), CENSORED, dtype=object)
    if exited.any():
        if scheme is not None:
            classes = classify_exits(rows["exit_reason"].astype("string")[exited], scheme)
            position = {c: i + 1 for i, c in enumerate(class_ids)}
            code[exited] = [position[c] for c in classes]
            label[exited] = list(classes)
        else:
            code[exited] = 1
            label[exited] = "exit"
    out = pd.DataFrame(
        {
            "trajectory_id": rows["trajectory_id"].to_numpy(),
            "pilot": rows["pilot"].astype("string").to_numpy(),
            "time_days": time_days,
            "event_code": code,
            "event_class": pd.Categorical(label, categories=[CENSORED, *class_ids]),
        }
    )
    out["trajectory_id"] = out["trajectory_id"].astype("string")
    out["pilot"] = out["pilot"].astype("string")
    for column in extra:
        if column not in out.columns:
            out[column] = rows[column].to_numpy()
    return out


def time_to_event_frame(
    frame: pd.DataFrame, peildatum: DateLike, scheme: SchemeLike, formal_only: bool = False
) -> pd.DataFrame:
    """Time from intake to outcome, censored at the peildatum, per trajectory.

    Parameters
    ----------
    frame
        Typed monitor frame (contract 1).
    peildatum
        Reference date (inclusive): an exit on the peildatum is an event.
    scheme
        Classification scheme; its class order gives the event codes.
    formal_only
        Keep only trajectories with formal LVV status.

    Returns
    -------
    pandas.DataFrame
        One row per trajectory with intake on or before the peildatum, in
        frame order: ``trajectory_id``, ``pilot``, ``time_days`` (int, days
        from intake to exit, or to the peildatum if censored), ``event_code``
        (0 = censored, still present; 1..k = position of the outcome class in
        ``scheme.class_ids``) and ``event_class`` (categorical: ``censored``
        then the class ids).
    """
    return _event_frame(frame, peildatum, scheme, formal_only)


def _groups(events: pd.DataFrame, by: str | None) -> list[tuple[str, np.ndarray]]:
    """(label, row mask) per group, sorted, then ``total``."""
    everything = np.ones(len(events), dtype=bool)
    if by is None:
        return [(TOTAL, everything)]
    labels = events[by].astype("string").fillna("<NA>").to_numpy(dtype=object)
    return [(g, labels == g) for g in sorted(set(labels))] + [(TOTAL, everything)]


def _group_column(by: str | None) -> str:
    return by if by is not None else "group"


# --------------------------------------------------------------------------- length of stay


def length_of_stay(
    frame: pd.DataFrame, peildatum: DateLike, by: str | None = "pilot", alpha: float = 0.05, formal_only: bool = False
) -> pd.DataFrame:
    """Kaplan-Meier median length of stay (time to any exit), censored at the peildatum.

    Parameters
    ----------
    frame
        Typed monitor frame.
    peildatum
        Reference date; people still present are censored there.
    by
        Column of ``frame`` to group by (``None``: total only).
    alpha
        1 - confidence level of the interval for the median.
    formal_only
        Keep only trajectories with formal LVV status.

    Returns
    -------
    pandas.DataFrame
        One row per group and ``total``: ``n`` (trajectories with intake on
        or before the peildatum), ``n_events`` (exits), ``n_censored`` (still
        present), ``median_days`` (days), ``ci_low``, ``ci_high``,
        ``ci_method``. The median is the first exit time at which the
        Kaplan-Meier estimate falls *below* 0.5 (statsmodels
        ``SurvfuncRight.quantile``, the SAS convention; R's ``survfit``
        takes the midpoint when the curve sits at exactly 0.5). NaN means not
        reached: fewer than half have left within the follow-up (or, for
        ``ci_high``, the upper limit lies beyond it).
    """
    events = _event_frame(frame, peildatum, None, formal_only, extra=[by] if by else [])
    records = []
    for label, mask in _groups(events, by):
        time = events["time_days"].to_numpy()[mask].astype("float64")
        status = (events["event_code"].to_numpy()[mask] > 0).astype("float64")
        n_events = int(status.sum())
        median = low = high = np.nan
        if n_events:
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                fit = SurvfuncRight(time, status)
                median = float(fit.quantile(0.5))
                low, high = (float(x) for x in fit.quantile_ci(0.5, alpha=alpha, method="cloglog"))
        records.append(
            {
                _group_column(by): label,
                "n": int(mask.sum()),
                "n_events": n_events,
                "n_censored": int(mask.sum()) - n_events,
                "median_days": median,
                "ci_low": low if np.isfinite(low) else np.nan,
                "ci_high": high if np.isfinite(high) else np.nan,
                "ci_method": _MEDIAN_CI_METHOD,
            }
        )
    out = pd.DataFrame.from_records(records)
    out[_group_column(by)] = out[_group_column(by)].astype("str")
    return out


# --------------------------------------------------------------------------- cumulative incidence


def _cif_ci(estimate: np.ndarray, se: np.ndarray, alpha: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI of a CIF.

    ``log-log``: delta method on log(-log F), back-transformed:
    F ** exp(+-z se / (F |log F|)) (Choudhury 2002, *Stat Med* 21:1129);
    always inside (0, 1). ``linear``: F +- z se, clipped to [0, 1]. Both are
    NaN where F is 0 or 1 or the standard error is not finite.
    """
    z = norm.ppf(1 - alpha / 2)
    low = np.full_like(estimate, np.nan, dtype="float64")
    high = np.full_like(estimate, np.nan, dtype="float64")
    ok = (estimate > 0) & (estimate < 1) & np.isfinite(se)
    f, s = estimate[ok], se[ok]
    if method == "log-log":
        spread = z * s / (f * np.abs(np.log(f)))
        low[ok] = f ** np.exp(spread)
        high[ok] = f ** np.exp(-spread)
    elif method == "linear":
        low[ok] = np.clip(f - z * s, 0, 1)
        high[ok] = np.clip(f + z * s, 0, 1)
    else:
        raise ConfigError(f"unknown CI method {method!r}; use one of {CIF_CI_METHODS}")
    return low, high


def _aalen_johansen(time: np.ndarray, code: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct times, CIF (classes x times) and its SE for one group.

    Uses :class:`statsmodels.duration.survfunc.CumIncidenceRight` (tied times
    handled exactly: all events at a time leave together). statsmodels returns
    only as many classes as the highest event code present; the missing
    classes are zero.
    """
    times = np.unique(time).astype("float64")
    cif = np.zeros((n_classes, len(times)))
    se = np.zeros((n_classes, len(times)))
    if len(time) and code.max() > 0:
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = CumIncidenceRight(time.astype("float64"), code.astype("float64"))
        for k in range(len(fit.cinc)):
            cif[k] = fit.cinc[k]
            se[k] = fit.cinc_se[k]
    return times, cif, se


def _at_risk(time: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Number with time_days >= each value of ``at`` (risk set just before it)."""
    ordered = np.sort(time)
    return len(ordered) - np.searchsorted(ordered, at, side="left")


def cif_curves(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike,
    by: str | None = "pilot",
    alpha: float = 0.05,
    ci_method: str = "log-log",
    formal_only: bool = False,
    min_at_risk: int = 0,
) -> pd.DataFrame:
    """Full Aalen-Johansen cumulative incidence curves, for plotting.

    Parameters
    ----------
    frame, peildatum, scheme
        As in :func:`time_to_event_frame`.
    by
        Column to group by (``None``: total only); a ``total`` group is added.
    alpha
        1 - confidence level of the pointwise intervals.
    ci_method
        ``"log-log"`` (default; delta method on log(-log F)) or ``"linear"``
        (plain normal, clipped to [0, 1]). Standard errors are the delta-method
        ones of statsmodels ``CumIncidenceRight`` (Marubini & Valsecchi 1995).
    formal_only
        Keep only trajectories with formal LVV status.
    min_at_risk
        Truncate each curve where fewer than this many people are still at
        risk: only time points with ``n_at_risk >= min_at_risk`` are kept (a
        group smaller than that has no curve). The methods note asks for at
        least 10 at risk on person-level curves (a curve's tail shows single
        persons' exits); pass the disclosure threshold. Default 0: no
        truncation.

    Returns
    -------
    pandas.DataFrame
        Long format: group column, ``outcome`` (each class id, then
        ``in_programme`` = all-cause survival, 1 - sum of the CIFs),
        ``time_days`` (0, then every distinct observed time), ``n_at_risk``
        (time_days >= t), ``n_events`` (exits with this outcome by time t;
        for ``in_programme`` all exits by t: each step of a curve reveals
        such a count, see
        :func:`lvv_eval.evaluations.common.hide_cif_curves`), ``estimate`` (right-continuous step function: the
        value from this time on), ``se``, ``ci_low``, ``ci_high`` (NaN for
        ``in_programme`` and where the estimate is 0 or 1), ``ci_method``.
        Draw with ``drawstyle="steps-post"``.
    """
    if ci_method not in CIF_CI_METHODS:
        raise ConfigError(f"unknown CI method {ci_method!r}; use one of {CIF_CI_METHODS}")
    events = _event_frame(frame, peildatum, scheme, formal_only, extra=[by] if by else [])
    class_ids = [str(c) for c in scheme.class_ids]
    pieces = []
    for label, mask in _groups(events, by):
        time = events["time_days"].to_numpy()[mask]
        code = events["event_code"].to_numpy()[mask]
        times, cif, se = _aalen_johansen(time, code, len(class_ids))
        if not len(times) or times[0] > 0:
            times = np.r_[0.0, times]
            cif = np.c_[np.zeros((len(class_ids), 1)), cif]
            se = np.c_[np.zeros((len(class_ids), 1)), se]
        at_risk = _at_risk(time, times)
        ordered_times = {k: np.sort(time[code == k + 1]) for k in range(len(class_ids))}
        for k, outcome in enumerate([*class_ids, IN_PROGRAMME]):
            if outcome == IN_PROGRAMME:
                n_events = np.searchsorted(np.sort(time[code > 0]), times, side="right")
            else:
                n_events = np.searchsorted(ordered_times[k], times, side="right")
            if outcome == IN_PROGRAMME:
                estimate = 1 - cif.sum(axis=0)
                s = low = high = np.full(len(times), np.nan)
            else:
                estimate, s = cif[k], se[k]
                low, high = _cif_ci(estimate, s, alpha, ci_method)
            pieces.append(
                pd.DataFrame(
                    {
                        _group_column(by): label,
                        "outcome": outcome,
                        "time_days": times.astype("int64"),
                        "n_at_risk": at_risk.astype("int64"),
                        "n_events": n_events.astype("int64"),
                        "estimate": estimate,
                        "se": s,
                        "ci_low": low,
                        "ci_high": high,
                        "ci_method": ci_method if outcome != IN_PROGRAMME else "",
                    }
                )
            )
    out = pd.concat(pieces, ignore_index=True)
    out[_group_column(by)] = out[_group_column(by)].astype("str")
    out["outcome"] = out["outcome"].astype("str")
    if min_at_risk:
        out = out.loc[out["n_at_risk"] >= int(min_at_risk)].reset_index(drop=True)
    return out


def cumulative_incidence(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike,
    by: str | None = "pilot",
    horizons_days: Sequence[int] = (182, 365, 548),
    alpha: float = 0.05,
    ci_method: str = "log-log",
    formal_only: bool = False,
) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of each outcome class at fixed horizons.

    The probability that a person entering the LVV has left with outcome *k*
    within *h* days of intake, with the other outcomes as competing events and
    people still present censored at the peildatum (Aalen & Johansen 1978;
    never 1 - Kaplan-Meier for one cause: Satagopan et al. 2004).

    Parameters
    ----------
    frame, peildatum, scheme, by, alpha, ci_method, formal_only
        As in :func:`cif_curves`.
    horizons_days
        Horizons in days since intake; default about 6, 12 and 18 months.

    Returns
    -------
    pandas.DataFrame
        One row per group, outcome (class ids, then ``in_programme``) and
        horizon: ``n`` (trajectories in the group), ``n_at_risk`` (still in
        the programme and under observation at the horizon: time_days >= h),
        ``n_events`` (exits with this outcome within h days; NA for
        ``in_programme``), ``estimate`` (CIF at h; survival for
        ``in_programme``), ``se``, ``ci_low``, ``ci_high``, ``ci_method``.
        When the horizon lies beyond the longest follow-up in the group and
        people were still present then, the estimate is not identified and
        is NaN. Per group and horizon the estimates sum to 1.
    """
    curves = cif_curves(frame, peildatum, scheme, by=by, alpha=alpha, ci_method=ci_method, formal_only=formal_only)
    events = _event_frame(frame, peildatum, scheme, formal_only, extra=[by] if by else [])
    group_col = _group_column(by)
    class_ids = [str(c) for c in scheme.class_ids]
    records = []
    for label, mask in _groups(events, by):
        time = events["time_days"].to_numpy()[mask]
        code = events["event_code"].to_numpy()[mask]
        group_curves = curves.loc[(curves[group_col] == label).to_numpy()]
        for k, outcome in enumerate([*class_ids, IN_PROGRAMME]):
            curve = group_curves.loc[(group_curves["outcome"] == outcome).to_numpy()]
            t = curve["time_days"].to_numpy()
            survival_end = group_curves.loc[(group_curves["outcome"] == IN_PROGRAMME).to_numpy(), "estimate"].to_numpy()
            for h in horizons_days:
                at_risk = int(_at_risk(time, np.array([h]))[0])
                i = int(np.searchsorted(t, h, side="right")) - 1
                identified = at_risk > 0 or (len(survival_end) and survival_end[-1] <= 1e-12)
                if i < 0 or not identified or not len(time):
                    values = (np.nan, np.nan, np.nan, np.nan)
                else:
                    row = curve.iloc[i]
                    values = (row["estimate"], row["se"], row["ci_low"], row["ci_high"])
                records.append(
                    {
                        group_col: label,
                        "outcome": outcome,
                        "horizon_days": int(h),
                        "n": int(mask.sum()),
                        "n_at_risk": at_risk,
                        "n_events": (pd.NA if outcome == IN_PROGRAMME else int(((code == k + 1) & (time <= h)).sum())),
                        "estimate": float(values[0]),
                        "se": float(values[1]),
                        "ci_low": float(values[2]),
                        "ci_high": float(values[3]),
                        "ci_method": ci_method if outcome != IN_PROGRAMME else "",
                    }
                )
    out = pd.DataFrame.from_records(records)
    out["n_events"] = out["n_events"].astype("Int64")
    out[group_col] = out[group_col].astype("str")
    return out


# --------------------------------------------------------------------------- complete follow-up


def fixed_horizon_shares(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike,
    horizon_days: int = 365,
    by: str | None = "pilot",
    alpha: float = 0.05,
    formal_only: bool = False,
) -> pd.DataFrame:
    """Share with each outcome within a fixed horizon, among people with complete follow-up.

    The cohort is every trajectory with intake at least ``horizon_days``
    before the peildatum (intake_date + horizon <= peildatum), so each was
    observed for the whole horizon and no censoring model is needed. An exit
    counts when it happened within the horizon (exit_date - intake_date <=
    horizon days); the rest are ``in_programme`` at the horizon. Recommended
    next to the CIFs as the easy-to-explain 'complete follow-up' measure
    (``docs/methods.md``). Later intake cohorts are
    left out by design, so the measure describes the early cohorts only.

    Parameters
    ----------
    frame, peildatum, scheme, by, formal_only
        As in :func:`cumulative_incidence`.
    horizon_days
        Horizon in days since intake.
    alpha
        1 - confidence level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group and outcome (class ids, then ``in_programme``):
        ``horizon_days``, ``numerator``, ``denominator`` (cohort size),
        ``denominator_label``, ``estimate`` (numerator / denominator; NaN if
        the cohort is empty), ``ci_low``, ``ci_high`` (Wilson score interval,
        statsmodels ``proportion_confint(method="wilson")``), ``ci_method``.
    """
    day = as_peildatum(peildatum)
    extra = ["intake_date"] + ([by] if by and by != "intake_date" else [])
    events = _event_frame(frame, day, scheme, formal_only, extra=extra)
    cutoff = day - pd.Timedelta(days=int(horizon_days))
    eligible = events["intake_date"].to_numpy(dtype="datetime64[us]") <= cutoff.to_datetime64()
    within = events["time_days"].to_numpy() <= horizon_days
    code = np.where(within, events["event_code"].to_numpy(), 0)
    class_ids = [str(c) for c in scheme.class_ids]
    label_text = (
        f"trajectories with intake on or before {cutoff.date().isoformat()} "
        f"({int(horizon_days)} days before the reference date {day.date().isoformat()})"
    )
    group_col = _group_column(by)
    records = []
    for label, mask in _groups(events, by):
        cohort = mask & eligible
        denominator = int(cohort.sum())
        for k, outcome in enumerate([*class_ids, IN_PROGRAMME]):
            target = 0 if outcome == IN_PROGRAMME else k + 1
            numerator = int((cohort & (code == target)).sum())
            if denominator:
                low, high = proportion_confint(numerator, denominator, alpha=alpha, method="wilson")
                estimate = numerator / denominator
            else:
                low = high = estimate = np.nan
            records.append(
                {
                    group_col: label,
                    "outcome": outcome,
                    "horizon_days": int(horizon_days),
                    "numerator": numerator,
                    "denominator": denominator,
                    "denominator_label": label_text,
                    "estimate": float(estimate),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "ci_method": "wilson",
                }
            )
    out = pd.DataFrame.from_records(records)
    out[group_col] = out[group_col].astype("str")
    return out
