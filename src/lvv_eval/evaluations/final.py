"""Tables of the final evaluation (Regioplan 2022, peildatum July 2022).

The final evaluation (``004_b44b716732003f66.txt``) publishes only national
figures: 2065 participants since mid-2019, 1258 of whom had left by July
2022, and of that outflow 18 % durable, 41 % semi-durable and 41 % no
solution (first paragraph and 'Resultaten van de LVV'). No per-pilot figure
is published, so per-pilot results can only come from person-level data.

This module builds what notebook ``03_final`` shows:

* from the published figures: the counts each rounded share allows, the
  combinations of counts summing to the outflow, Wilson intervals on the
  closest combination, and the durable share re-expressed with the intake as
  denominator (the denominator of Regioplan 2020, ``001_08a3e7995258f26d.txt``
  Tabel S.2);
* from person-level data: a flow table per pilot ready for disclosure control,
  class shares and durable rates with both denominators, cumulative incidence
  at horizons given in months, and occupancy against the published capacity.

Every count table passes through :func:`lvv_eval.disclosure.suppression.suppress` in the
notebook; the helpers here only shape tables and carry suppression over to the
rates computed from hidden counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.errors import ConfigError
from lvv_eval.evaluations import common
from lvv_eval.evaluations import report_cells as cells
from lvv_eval.evaluations.wording import Texts
from lvv_eval.reporting.writer import CaptionedTable, ReportWriter, show_table
from lvv_eval.sources import capacity, published
from lvv_eval.sources.rounding import ShareRanges, percent_of, share_ranges
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats import occupancy, survival
from lvv_eval.stats import rates as metrics
from lvv_eval.stats.counts import TOTAL, DateLike, SchemeLike

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from lvv_eval.reporting.labels import Labels

__all__ = [
    "DAYS_PER_MONTH",
    "SOURCE_ID",
    "PublishedFinal",
    "capacity_by_pilot",
    "cif_at_horizons",
    "class_shares_from_counts",
    "denominator_contrast",
    "denominator_contrast_suppressed",
    "flow_by_pilot",
    "horizons_days",
    "intake_denominator_ranges",
    "length_of_stay_table",
    "occupancy_over_time",
    "published_final",
    "reconstructed_shares",
    "suppress_flow",
    "suppress_scheme_sensitivity",
    "suppress_small_counts",
]

SOURCE_ID: str = "regioplan-2022"
"""``source_id`` of the final evaluation in ``data/published/sources.csv``."""

DAYS_PER_MONTH: float = 365.25 / 12
"""Days in an average month, used to turn horizons in months into days."""

COMPLETE_FOLLOWUP_DAYS: int = 365
"""Horizon of the complete-follow-up shares: entrants followed for at least this many days."""

RECONSTRUCTED_NOTE: str = "counts reconstructed from rounded percentages (closest combination)"
"""Note attached to every interval computed on reconstructed counts."""


# --------------------------------------------------------------------------- published figures
@dataclass(frozen=True)
class PublishedFinal:
    """The national figures of the final evaluation, as published.

    Attributes
    ----------
    participants
        Participants since mid-2019 (persons; source 004, first paragraph: 2065).
    outflow
        Participants who had left by the peildatum (persons; 1258).
    shares
        Printed percentage of the outflow per class id (18 / 41 / 41), in the
        order printed; the denominator is the outflow.
    peildatum
        Reference date of the figures (ISO date).
    figure_ids
        The ``figure_id`` of each figure used, by role.
    """

    participants: int
    outflow: int
    shares: dict[str, float]
    peildatum: str
    figure_ids: dict[str, str]

    @property
    def not_outflowed(self) -> int:
        """Participants not (yet) outflowed: participants - outflow (derived, 807)."""
        return self.participants - self.outflow

    @property
    def outflow_percent(self) -> float:
        """Outflow as a percentage of participants, rounded half up (derived, 61)."""
        return percent_of(self.outflow, self.participants)

    @property
    def share_sum(self) -> float:
        """Sum of the printed class percentages (100 when they are exhaustive)."""
        return float(sum(self.shares.values()))

    def ranges(self) -> ShareRanges:
        """Counts behind the rounded class shares (:func:`lvv_eval.sources.rounding.share_ranges`)."""
        return share_ranges(self.shares, self.outflow)


def published_final(figures: pd.DataFrame | None = None) -> PublishedFinal:
    """Read the final evaluation's national figures from the published figures.

    Parameters
    ----------
    figures
        A frame from :func:`lvv_eval.sources.published.load_figures` (default: the
        shipped ``data/published/figures.csv``).

    Returns
    -------
    PublishedFinal
        Participants (``intake/all``), outflow (``outflow/all``) and the
        class shares (``outflow_share_of_outflow/<class>``) of source
        ``regioplan-2022``, pilot ``total``.

    Raises
    ------
    ConfigError
        If a figure is missing or appears twice.

    Examples
    --------
    >>> pub = published_final()
    >>> pub.participants, pub.outflow, pub.not_outflowed, pub.outflow_percent
    (2065, 1258, 807, 61.0)
    >>> pub.shares
    {'durable': 18.0, 'semi_durable': 41.0, 'none': 41.0}
    """
    rows = published.select(source=SOURCE_ID, pilot=TOTAL, figures=figures)

    def one(measure: str, category: str) -> pd.Series:
        hit = rows.loc[((rows["measure"] == measure) & (rows["category"] == category)).to_numpy()]
        if len(hit) != 1:
            raise ConfigError(
                f"{SOURCE_ID}: expected one published figure {measure}/{category} for pilot total, found {len(hit)}"
            )
        return hit.iloc[0]

    intake, outflow = one("intake", "all"), one("outflow", "all")
    share_rows = rows.loc[(rows["measure"] == "outflow_share_of_outflow").to_numpy()]
    if share_rows.empty:
        raise ConfigError(f"{SOURCE_ID}: no outflow_share_of_outflow figures")
    shares = {str(c): float(v) for c, v in zip(share_rows["category"], share_rows["value"])}
    ids = {"participants": str(intake["figure_id"]), "outflow": str(outflow["figure_id"])}
    ids.update({f"share_{c}": str(f) for c, f in zip(share_rows["category"], share_rows["figure_id"])})
    return PublishedFinal(
        participants=int(intake["value"]),
        outflow=int(outflow["value"]),
        shares=shares,
        peildatum=pd.Timestamp(outflow["peildatum"]).date().isoformat(),
        figure_ids=ids,
    )


def reconstructed_shares(pub: PublishedFinal, alpha: float = 0.05) -> pd.DataFrame:
    """Count range behind each rounded share, and a Wilson interval on the closest counts.

    Parameters
    ----------
    pub
        The published figures (:func:`published_final`).
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per class: ``category``, ``percent`` (printed), ``denominator``
        (outflow, persons), ``count_low``/``count_high`` (every count that
        prints as the percentage on its own), ``n_counts`` (how many),
        ``feasible_low``/``feasible_high`` (counts occurring in some
        combination summing to the outflow), ``n_combinations`` (same for
        every row), ``closest_count`` (the combination closest to the exact
        shares), ``estimate`` (closest_count / denominator), ``ci_low``,
        ``ci_high`` (Wilson score interval, statsmodels
        ``proportion_confint(method="wilson")``), ``ci_method`` and ``note``
        (the counts are reconstructed, not published).

    Examples
    --------
    >>> t = reconstructed_shares(published_final())
    >>> t[["category", "count_low", "count_high", "closest_count"]].values.tolist()
    [['durable', 221, 232, 226], ['semi_durable', 510, 522, 516], ['none', 510, 522, 516]]
    """
    sr = pub.ranges()
    best = sr.best() if sr.n_combinations else tuple(pd.NA for _ in sr.labels)
    frame = sr.to_frame().rename(columns={"label": "category"})
    frame["n_counts"] = [len(r) for r in sr.ranges]
    frame["n_combinations"] = sr.n_combinations
    frame["closest_count"] = pd.array(list(best), dtype="Int64")
    counts = frame["closest_count"].astype("float64").to_numpy()
    low, high = metrics.proportion_ci(counts, np.full(len(counts), float(sr.total)), alpha=alpha, method="wilson")
    frame["estimate"] = counts / sr.total
    frame["ci_low"], frame["ci_high"] = low, high
    frame["ci_method"] = "wilson"
    frame["note"] = RECONSTRUCTED_NOTE
    columns = [
        "category",
        "percent",
        "denominator",
        "count_low",
        "count_high",
        "n_counts",
        "feasible_low",
        "feasible_high",
        "n_combinations",
        "closest_count",
        "estimate",
        "ci_low",
        "ci_high",
        "ci_method",
        "note",
    ]
    return frame[columns]


def intake_denominator_ranges(pub: PublishedFinal) -> pd.DataFrame:
    """Each class re-expressed as a share of all participants instead of the outflow.

    Regioplan 2020 divided durable outflow by total intake
    (``001_08a3e7995258f26d.txt`` Tabel S.2); Regioplan 2022 divides by the
    outflow (``004_b44b716732003f66.txt``). Since only rounded percentages are
    published, the intake-denominator share is a range.

    Returns
    -------
    pandas.DataFrame
        One row per class: ``category``, ``count_low``, ``count_high`` (as
        in :func:`reconstructed_shares`), ``outflow`` and ``participants``
        (the two denominators, persons), ``share_of_outflow_low/high`` and
        ``share_of_intake_low/high`` (proportions), ``percent_of_intake_low/high``
        (as a report would print them, whole percent, half up).

    Examples
    --------
    >>> t = intake_denominator_ranges(published_final())
    >>> row = t.iloc[0]
    >>> row["category"], float(row["percent_of_intake_low"]), float(row["percent_of_intake_high"])
    ('durable', 11.0, 11.0)
    >>> round(float(row["share_of_intake_low"]), 4), round(float(row["share_of_intake_high"]), 4)
    (0.107, 0.1123)
    """
    sr = pub.ranges()
    rows = []
    for label, rng in zip(sr.labels, sr.ranges):
        lo, hi = rng.start, rng.stop - 1
        rows.append(
            {
                "category": label,
                "count_low": lo,
                "count_high": hi,
                "outflow": pub.outflow,
                "participants": pub.participants,
                "share_of_outflow_low": lo / pub.outflow,
                "share_of_outflow_high": hi / pub.outflow,
                "share_of_intake_low": lo / pub.participants,
                "share_of_intake_high": hi / pub.participants,
                "percent_of_intake_low": percent_of(lo, pub.participants),
                "percent_of_intake_high": percent_of(hi, pub.participants),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- person level
def horizons_days(months: Iterable[float]) -> list[int]:
    """Turn horizons in months into whole days (average month of 365.25 / 12 days).

    Examples
    --------
    >>> horizons_days([6, 12, 18])
    [183, 365, 548]
    """
    out = []
    for m in months:
        if isinstance(m, bool) or not isinstance(m, (int, float)) or m <= 0:
            raise ConfigError(f"horizons_months: each horizon must be a positive number, got {m!r}")
        out.append(int(round(float(m) * DAYS_PER_MONTH)))
    return out


def flow_by_pilot(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike,
    pilots: Sequence[str] | None = None,
    formal_only: bool = False,
) -> pd.DataFrame:
    """Intake, presence and outflow per class at the peildatum: one row per pilot plus total.

    Parameters
    ----------
    frame
        Typed monitor frame.
    peildatum
        Reference date (inclusive).
    scheme
        Classification scheme for the outflow classes.
    pilots
        Pilots to show (empty or ``None``: all).
    formal_only
        Count trajectories with formal LVV status only.

    Returns
    -------
    pandas.DataFrame
        Index ``pilot`` (pilots sorted, ``total`` last); integer columns
        ``intake`` (intake on or before the peildatum), ``present``, one
        column per class id (outflow on or before the peildatum) and
        ``outflow``. ``intake = present + outflow`` and ``outflow`` = the
        sum of the class columns (from :func:`lvv_eval.stats.counts.flow`).
    """
    table = aggregate.flow(
        frame, peildatum, scheme=scheme, formal_only=formal_only, pilots=list(pilots) if pilots else None
    )
    groups = [c for c in table.columns if c not in ("line", "description")]
    wide = table.set_index("line")[groups].T
    class_ids = [str(c) for c in scheme.class_ids]
    out = pd.DataFrame(index=pd.Index([str(g) for g in groups], name="pilot"))
    out["intake"] = wide["intake"].to_numpy()
    out["present"] = wide["present"].to_numpy()
    for c in class_ids:
        out[c] = wide[f"exited:{c}"].to_numpy()
    out["outflow"] = wide["exited"].to_numpy()
    return out.astype("int64")


def suppress_flow(table: pd.DataFrame, threshold: int) -> disclosure.SuppressionResult:
    """Disclosure control on a :func:`flow_by_pilot` table.

    The additive structure ``intake = present + class counts`` (per row) and
    ``total = sum of pilots`` (per column) is protected with primary and
    secondary suppression (:func:`lvv_eval.disclosure.suppression.suppress`, total column
    ``intake``, total row ``total``). ``outflow`` (``intake - present``, the
    sum of the classes) is a count too: where it is ``1 .. threshold - 1``,
    ``present`` is hidden first (else the intake and the persons present would
    give it, and with it the sum of the hidden classes, back), and the
    suppression goes on from there. ``outflow`` is then put back as
    ``intake - present``, hidden where either is hidden; it discloses
    nothing new because both terms are shown.

    Returns
    -------
    SuppressionResult
        Table (same columns as the input), report and mask (mask includes
        ``outflow``).

    Examples
    --------
    >>> t = pd.DataFrame({"intake": [50, 60, 110], "present": [45, 40, 85], "durable": [3, 10, 13],
    ...                   "none": [2, 10, 12], "outflow": [5, 20, 25]},
    ...                  index=pd.Index(["a", "b", "total"], name="pilot"))
    >>> suppress_flow(t, 10).table["outflow"].tolist()
    [<NA>, <NA>, 25]
    """
    count_cols = [c for c in table.columns if c != "outflow"]
    outflow = (table["intake"] - table["present"]).to_numpy(dtype=float)
    small_outflow = (outflow >= 1) & (outflow < threshold)
    counts = table[count_cols].astype("Int64")
    counts["present"] = counts["present"].mask(small_outflow)
    result = disclosure.suppress(
        counts,
        count_cols,
        threshold=threshold,
        margins={"total_row": TOTAL, "total_col": "intake"},
        missing="hidden",
    )
    report = result.report.copy()
    rule = f"primary: outflow (intake - present) < {threshold}"
    report["rule"] = [rule if str(r).startswith("missing in the input") else r for r in report["rule"]]
    shown = result.table.copy()
    shown["outflow"] = (shown["intake"] - shown["present"]).astype("Int64")
    mask = result.mask.copy()
    mask["outflow"] = mask["intake"] | mask["present"]
    shown["outflow"] = shown["outflow"].mask(mask["outflow"].to_numpy())
    return disclosure.SuppressionResult(shown[list(table.columns)], report, mask)


def class_shares_from_counts(counts: pd.DataFrame, class_ids: Sequence[str], alpha: float = 0.05) -> pd.DataFrame:
    """Share of each outflow class per pilot, denominator the outflow, Wilson intervals.

    Parameters
    ----------
    counts
        A :func:`flow_by_pilot` table (unsuppressed counts).
    class_ids
        The class columns, in scheme order.

    Returns
    -------
    pandas.DataFrame
        :func:`lvv_eval.stats.rates.class_shares` output (``denominator_label``
        'total outflow'); rows of pilots without outflow are dropped, so
        the table is empty (with these columns) when no one has left.
    """
    wide = counts.loc[counts["outflow"] > 0, list(class_ids)]
    if wide.empty:
        template = metrics.class_shares(
            pd.DataFrame({c: [1] for c in class_ids}, index=pd.Index(["x"], name="pilot")),
            denominator="outflow",
            alpha=alpha,
            method="wilson",
        )
        return template.iloc[:0].reset_index(drop=True)
    return metrics.class_shares(wide, denominator="outflow", alpha=alpha, method="wilson")


def denominator_contrast(counts: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Durable rate per pilot with the intake and with the outflow as denominator.

    Parameters
    ----------
    counts
        A :func:`flow_by_pilot` table (needs ``durable``, ``intake``, ``outflow``).

    Returns
    -------
    pandas.DataFrame
        Rate columns of :func:`lvv_eval.stats.rates.durable_rate` plus
        ``denominator_kind`` (``intake`` or ``outflow``); per pilot the intake
        row first. Wilson intervals.

    Examples
    --------
    >>> c = pd.DataFrame({"intake": [268], "outflow": [100], "durable": [33]},
    ...                  index=pd.Index(["utrecht"], name="pilot"))
    >>> denominator_contrast(c)[["denominator_kind", "denominator", "estimate"]].round(3).values.tolist()
    [['intake', 268, 0.123], ['outflow', 100, 0.33]]
    """
    pieces = []
    for kind in ("intake", "outflow"):
        rates = metrics.durable_rate(counts["durable"], **{kind: counts[kind]}, alpha=alpha, method="wilson")
        rates.insert(1, "denominator_kind", kind)
        rates["_order"] = range(len(rates))
        pieces.append(rates)
    out = pd.concat(pieces, ignore_index=True)
    out = out.sort_values(["_order", "denominator_kind"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def denominator_contrast_suppressed(counts: pd.DataFrame, mask: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`denominator_contrast` with the suppression of the flow table carried over.

    A rate is hidden where the flow table (``mask`` of :func:`suppress_flow`)
    hid its durable count or its denominator (``intake`` or ``outflow``); a
    hidden denominator is hidden too.

    Examples
    --------
    >>> c = pd.DataFrame({"intake": [268], "outflow": [100], "durable": [33]},
    ...                  index=pd.Index(["utrecht"], name="pilot"))
    >>> m = pd.DataFrame({"intake": [True], "outflow": [False], "durable": [False]}, index=["utrecht"])
    >>> denominator_contrast_suppressed(c, m)["estimate"].round(2).tolist()
    [nan, 0.33]
    """
    return common.hide_masked_rates(
        denominator_contrast(counts, alpha=alpha), mask, numerator_cell="durable", denominator_kind="denominator_kind"
    )


def suppress_small_counts(table: pd.DataFrame, threshold: int, count_col: str, columns: Sequence[str]) -> pd.DataFrame:
    """Hide rows of an estimate table that rest on ``1 <= count < threshold`` persons.

    For tables without an additive structure (cumulative incidence at a
    horizon, medians): the count itself and the listed value columns are
    hidden, and ``suppressed`` says where.

    Examples
    --------
    >>> t = pd.DataFrame({"n_events": [3, 40, 0], "estimate": [0.01, 0.2, 0.0]})
    >>> suppress_small_counts(t, 10, "n_events", ["estimate"])["estimate"].tolist()
    [nan, 0.2, 0.0]
    """
    out = table.copy()
    n = pd.to_numeric(out[count_col]).to_numpy(dtype=float, na_value=np.nan)
    hide = (n >= 1) & (n < threshold)
    for col in [count_col, *columns]:
        if pd.api.types.is_integer_dtype(out[col].dtype):
            out[col] = out[col].astype("Int64")
        out[col] = out[col].mask(hide)
    out["suppressed"] = hide
    return out


def cif_at_horizons(
    frame: pd.DataFrame,
    peildatum: DateLike,
    scheme: SchemeLike,
    horizons_months: Iterable[float],
    formal_only: bool = False,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence per outcome class and pilot at horizons in months.

    Wraps :func:`lvv_eval.stats.survival.cumulative_incidence` (competing risks;
    people still present censored at the peildatum) and adds
    ``horizon_months`` next to ``horizon_days``.
    """
    months = list(horizons_months)
    days = horizons_days(months)
    table = survival.cumulative_incidence(
        frame, peildatum, scheme, by="pilot", horizons_days=days, alpha=alpha, formal_only=formal_only
    )
    table.insert(2, "horizon_months", table["horizon_days"].map(dict(zip(days, months))))
    return table


def capacity_by_pilot(peildatum: DateLike, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published capacity per pilot in force on the peildatum.

    No capacity is published in the final evaluation; the latest published
    capacity is that of the 2020 programme monitor (``002_1f6dbbe6756677e4.txt``,
    'Voortgang LVV's': 1142 places, Utrecht 235), before it Tabel S.1 of
    ``001_08a3e7995258f26d.txt`` (Utrecht 230). The one history is
    :func:`lvv_eval.sources.capacity.capacity_history`.

    Returns
    -------
    pandas.DataFrame
        ``pilot`` (sorted, no total), ``capacity`` (places), ``figure_id``,
        ``source_id``, ``peildatum`` (of the figure).

    Raises
    ------
    ConfigError
        When no capacity is published on or before the peildatum.

    Examples
    --------
    >>> cap = capacity_by_pilot("2022-07-01")
    >>> dict(zip(cap["pilot"], cap["capacity"]))["utrecht"], int(cap["capacity"].sum())
    (235, 1142)
    >>> dict(zip(*capacity_by_pilot("2020-01-01")[["pilot", "capacity"]].T.values))["utrecht"]
    230
    """
    day = aggregate.as_peildatum(peildatum)
    history = capacity.capacity_history(figures)
    history = history.loc[(history["valid_from"] <= day).to_numpy()]
    if history.empty:
        raise ConfigError(f"no published capacity on or before {day.date().isoformat()}")
    latest = history.groupby("pilot", sort=True).tail(1)
    out = pd.DataFrame(
        {
            "pilot": latest["pilot"].to_numpy(),
            "capacity": latest["capacity"].astype("int64").to_numpy(),
            "figure_id": latest["figure_id"].to_numpy(),
            "source_id": latest["source_id"].to_numpy(),
            "peildatum": pd.to_datetime(latest["valid_from"]).dt.date.astype("str").to_numpy(),
        }
    )
    return out.sort_values("pilot", ignore_index=True)


def occupancy_over_time(
    frame: pd.DataFrame,
    peildatum: DateLike,
    start: DateLike = "2019-04-01",
    threshold: int = 1,
    hidden_pilots: Iterable[str] = (),
) -> pd.DataFrame:
    """Persons present on the first day of each month per pilot, against capacity.

    Parameters
    ----------
    frame
        Typed monitor frame (restrict pilots first if needed).
    peildatum
        Last date of the grid.
    start
        First date of the grid (default the programme start, source 002).
    threshold
        Counts ``1 <= present < threshold`` are hidden (primary suppression;
        the pilot total is not shown, so no secondary suppression is needed).
    hidden_pilots
        Pilots whose count of persons present at the peildatum was hidden in
        the flow table (secondary suppression); their value on the peildatum
        itself is hidden here too, so the series does not reveal it.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``pilot``, ``present`` (Int64, persons), ``capacity``
        (places in force on that date, :func:`lvv_eval.sources.capacity.capacity_on`),
        ``occupancy_rate`` (present / capacity), ``suppressed``.
        Pilots only, no total; sorted by pilot then date.
    """
    out = occupancy.present_against_capacity(frame, start, peildatum)
    present = out["present"].astype("Int64")
    hide = ((present >= 1) & (present < threshold)).to_numpy(dtype=bool, na_value=False)
    day = aggregate.as_peildatum(peildatum)
    hide |= (out["pilot"].isin({str(p) for p in hidden_pilots}) & (out["date"] == day)).to_numpy()
    out["present"] = present.mask(hide)
    out["occupancy_rate"] = out["present"].astype("float64") / out["capacity"].astype("float64")
    out["suppressed"] = hide
    return out


def length_of_stay_table(
    frame: pd.DataFrame, peildatum: DateLike, mask: pd.DataFrame, threshold: int, formal_only: bool = False
) -> pd.DataFrame:
    """Kaplan-Meier median length of stay per pilot, with disclosure control.

    Wraps :func:`lvv_eval.stats.survival.length_of_stay` (time to any exit, people
    still present censored at the peildatum). Its counts ``n`` (intake),
    ``n_events`` (outflow) and ``n_censored`` (present) are the counts of the
    flow table: each is hidden where the flow table's ``mask`` hid that count
    for the pilot, and ``n_events`` and ``n_censored`` also where they are
    below ``threshold``. The median and its interval rest on the whole row and
    are hidden with any of its counts (the gate adds the secondary suppression
    on ``n = n_events + n_censored``).

    Returns
    -------
    pandas.DataFrame
        ``pilot, n, n_events, n_censored, median_days, ci_low, ci_high,
        ci_method, median_months`` (days / (365.25 / 12)) and ``suppressed``.

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["a"], "n": [40], "n_events": [3], "n_censored": [37], "median_days": [100.0]})
    >>> m = pd.DataFrame({"intake": [False], "outflow": [False], "present": [False]}, index=["a"])
    >>> _hide_stay_counts(t, m, 10)[["n", "n_events", "n_censored"]].iloc[0].tolist()
    [40, <NA>, 37]
    """
    los = survival.length_of_stay(frame, peildatum, by="pilot", formal_only=formal_only)
    los["median_months"] = los["median_days"] / DAYS_PER_MONTH
    return _hide_stay_counts(los, mask, threshold)


STAY_COUNTS: dict[str, str] = {"n": "intake", "n_events": "outflow", "n_censored": "present"}
"""Count of the length-of-stay table -> the same count in the flow table (:func:`flow_by_pilot`)."""


def _hide_stay_counts(los: pd.DataFrame, mask: pd.DataFrame, threshold: int) -> pd.DataFrame:
    out = los.copy()
    pilots = out["pilot"].astype(str)
    any_hidden = np.zeros(len(out), dtype=bool)
    for col, flow_col in STAY_COUNTS.items():
        hidden_in_flow = {str(k) for k, v in mask[flow_col].items() if bool(v)} if flow_col in mask.columns else set()
        hide = pilots.isin(hidden_in_flow).to_numpy().copy()
        if col != "n":
            v = out[col].to_numpy(dtype=float)
            hide |= (v >= 1) & (v < threshold)
        out[col] = out[col].astype("Int64").mask(hide)
        any_hidden |= hide
    for col in ("median_days", "ci_low", "ci_high", "median_months"):
        if col in out.columns:
            out[col] = out[col].mask(any_hidden)
    out["suppressed"] = any_hidden
    return out


def suppress_scheme_sensitivity(
    table: pd.DataFrame,
    frame: pd.DataFrame,
    peildatum: DateLike,
    threshold: int,
    pilots: Sequence[str] | None = None,
    formal_only: bool = False,
    protect: Sequence[str] = (),
) -> pd.DataFrame:
    """Disclosure control on :func:`lvv_eval.evaluations.common.scheme_sensitivity` output.

    For each scheme the flow table under that scheme is suppressed with
    :func:`suppress_flow`; a durable rate is hidden where its durable count,
    or its denominator (intake or outflow), was hidden there, and a hidden
    denominator is hidden too. The denominators count the same people under
    every scheme, so with ``protect`` given they are hidden as the first
    protected scheme's (the report's) flow table hides them, not as another
    scheme's table would, which would hide a count the report shows (:func:`lvv_eval.evaluations.common.hide_masked_rates`).
    This keeps the report scheme's rates consistent with the flow table shown
    in the report. Then
    :func:`lvv_eval.evaluations.common.suppress_scheme_differences` hides
    durable counts that differ between two schemes by ``1 .. threshold - 1``
    for the same pilot and denominator, never hiding the schemes in
    ``protect`` (the report's scheme: its counts are public in the flow
    table, so the *other* scheme's count is hidden), with secondary
    suppression against the ``total`` row.

    Returns
    -------
    pandas.DataFrame
        Copy of ``table`` with ``numerator``, ``estimate``, ``ci_low``,
        ``ci_high`` (and ``denominator`` where the flow table hid it) missing
        where hidden, and a boolean ``suppressed``.
    """
    from lvv_eval.reference.schemes import load_scheme

    def flow_mask(name: str) -> pd.DataFrame:
        counts = flow_by_pilot(frame, peildatum, load_scheme(name), pilots=pilots, formal_only=formal_only)
        return suppress_flow(counts, threshold).mask

    # intake and outflow count the same people under every scheme: hidden as the report's flow table hides them
    own = flow_mask(str(protect[0])) if protect else None
    pieces = []
    for name in list(dict.fromkeys(table["scheme"].astype(str))):
        part = table.loc[(table["scheme"] == name).to_numpy()]
        mask = flow_mask(name)
        if own is not None:
            mask = mask.assign(intake=own["intake"], outflow=own["outflow"])
        pieces.append(
            common.hide_masked_rates(
                part.assign(numerator=part["numerator"].astype("Int64")),
                mask,
                numerator_cell="durable",
                denominator_kind="denominator_kind",
            )
        )
    out = pd.concat(pieces).loc[table.index]
    return common.suppress_scheme_differences(out, threshold, protect=protect).table


USED_MEASURES: tuple[str, ...] = ("intake", "outflow", "outflow_share_of_outflow")
"""Measures of ``regioplan-2022`` this evaluation uses (participants, outflow, class shares)."""


def published_rows_used(rows: pd.DataFrame) -> pd.DataFrame:
    """The published rows of the final evaluation that the notebook uses (:data:`USED_MEASURES`).

    Other rows of the source (e.g. programme dates) are not figures of this
    evaluation and are left out of its table.
    """
    return rows.loc[rows["measure"].astype("str").isin(USED_MEASURES).to_numpy()].reset_index(drop=True)


# --------------------------------------------------------------------------- report cells
# What notebook 03 shows of the published figures: each function writes its table or figure
# to the report's writer and returns what the notebook displays. Captions are the module's
# texts (texts/final.<language>.yaml) filled from the results' own values.


def texts(language: str) -> Texts:
    """The texts of report 03 in ``language``."""
    return Texts("final", language)


def citation(L: Labels) -> str:
    """The source citation of the final evaluation in the report language (year from ``sources.csv``)."""
    return texts(L.language)("source", year=cells.source_record(SOURCE_ID).year)


def regioplan(L: Labels, source_id: str) -> str:
    """``Regioplan 2020`` / ``Regioplan 2022``: a Regioplan source named by its year of publication."""
    return texts(L.language)("regioplan", year=cells.source_record(source_id).year)


def synthetic_note(L: Labels, synthetic: bool) -> str:
    """The marker appended to person-level footnotes when the data are synthetic (else ``""``)."""
    return texts(L.language)("synthetic") if synthetic else ""


def published_lines(L: Labels, pub: PublishedFinal) -> list[str]:
    """The published headline figures and what follows from them, as printed lines."""
    T = texts(L.language)
    return [
        f"{T('line_participants')} {pub.participants}",
        f"{T('line_outflow')} {pub.outflow}",
        f"{T('line_not_outflowed')} {pub.not_outflowed}",
        f"{T('line_outflow_percent')} {pub.outflow_percent}",
        f"{T('line_sum_check')} {' + '.join(str(int(v)) for v in pub.shares.values())} = {int(pub.share_sum)}",
    ]


def range_lines(L: Labels, pub: PublishedFinal) -> list[str]:
    """The counts each printed share allows, the combinations summing to the outflow and the closest one."""
    T = texts(L.language)
    ranges = pub.ranges()
    lines = [
        T(
            "line_range",
            outcome=L.outcome_class(SOURCE_ID, label),
            percent=str(int(pct)),
            total=str(ranges.total),
            low=str(rng.start),
            high=str(rng.stop - 1),
        )
        for label, pct, rng in zip(ranges.labels, ranges.percentages, ranges.ranges)
    ]
    lines.append(f"{T('line_combinations')} {ranges.total} : {len(ranges.combinations)}")
    closest = ranges.best()
    lines.append(f"{T('line_closest')} {closest} {T('line_sum')} {sum(closest)}")
    return lines


def show_published(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write the published figures of the final evaluation that this report uses; return them labelled."""
    T = texts(L.language)
    record = cells.source_record(SOURCE_ID)
    rows = published_rows_used(published.select(source=SOURCE_ID))
    columns = ["figure_id", "locator", "peildatum", "pilot", "measure", "category", "value", "unit", "as_printed"]
    table = rows[columns].assign(peildatum=lambda d: d["peildatum"].dt.date.astype("str"))
    shown = table.assign(
        peildatum=rows["peildatum"].map(L.date),
        pilot=rows["pilot"].map(L.pilot),
        measure=rows["measure"].map(L.measure),
        category=rows["category"].map(L.category),
        value=rows["value"].map(L.number),
        unit=rows["unit"].map(L.word),
    )
    caption = T(
        "published_caption",
        peildatum=L.date(published_final().peildatum),
        source_file=record.source_file,
    )
    writer.table("published_regioplan_2022", L.columns(table), kind="published", caption=caption)
    return show_table(L.columns(shown), T("published_title", year=str(record.year)), kind="published")


def _shares_text(pub: PublishedFinal) -> str:
    return "/".join(str(int(v)) for v in pub.shares.values())


def show_reconstructed(writer: ReportWriter, L: Labels, pub: PublishedFinal) -> CaptionedTable:
    """Write the counts behind the rounded shares with Wilson intervals; return them labelled.

    The table is written with its numbers (the CSV is read back by the HTML and PDF renderers,
    which format it in the report language); the notebook shows the formatted labelled view.
    """
    T = texts(L.language)
    recon = reconstructed_shares(pub)
    shown = recon.assign(
        category=[L.outcome_class(SOURCE_ID, c) for c in recon["category"]], note=T("reconstructed_note")
    )
    shown = L.columns(L.formatted(shown, percent=["estimate", "ci_low", "ci_high"]), {"category": "outcome"})
    caption = T(
        "reconstructed_caption",
        shares=_shares_text(pub),
        outflow=L.number(pub.outflow),
        ci=cells.interval_of(T, L, recon),
    )
    written = recon.assign(note=T("reconstructed_note"))
    writer.table("reconstructed_counts", written, kind="derived", caption=caption)
    return show_table(shown, T("reconstructed_title"), kind="published")


def published_shares_figure(writer: ReportWriter, L: Labels, pub: PublishedFinal) -> Figure:
    """Draw and write the published outflow shares with intervals on reconstructed counts (left open)."""
    from lvv_eval.reporting.plots import bar_with_ci

    T = texts(L.language)
    recon = reconstructed_shares(pub)
    fig = bar_with_ci(
        recon,
        category="category",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        order=list(recon["category"]),
        labels={c: L.outcome_class(SOURCE_ID, c) for c in recon["category"]},
        title=T("shares_title", peildatum=L.date(pub.peildatum)),
        xlabel=T("axis_outcome"),
        ylabel=T("axis_share_outflow"),
        footnote=T(
            "shares_footnote", source=citation(L), outflow=L.number(pub.outflow), ci=cells.interval_of(T, L, recon)
        ),
        fmt=L.percent,
    )
    writer.figure("published_shares_ci", fig, title=T("shares_figure"), kind="derived")
    return fig


def show_intake_denominator(writer: ReportWriter, L: Labels, pub: PublishedFinal) -> tuple[str, CaptionedTable]:
    """Write the same counts as shares of intake and of outflow; return the sentence and the table."""
    T = texts(L.language)
    den = intake_denominator_ranges(pub)
    shown = L.columns(
        L.formatted(
            den.assign(category=[L.outcome_class(SOURCE_ID, c) for c in den["category"]]),
            percent=[c for c in den.columns if c.startswith("share_of_")],
            decimals=1,
        ),
        {"category": "outcome"},
    )
    caption = T(
        "intake_caption",
        participants=L.number(pub.participants),
        outflow=L.number(pub.outflow),
        earlier=regioplan(L, "regioplan-2020"),
        later=regioplan(L, SOURCE_ID),
    )
    writer.table("intake_denominator", den, kind="derived", caption=caption)  # numbers, not their display text
    durable = den.loc[den["category"] == "durable"].iloc[0]
    line = T(
        "intake_line",
        low=L.percent(durable["share_of_intake_low"], 1),
        high=L.percent(durable["share_of_intake_high"], 1),
        share=L.percent(pub.shares["durable"] / 100),
    )
    return line, show_table(shown, T("intake_title"), kind="published")


def show_source_claims(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write the source's numeric statements tested against the published figures; return them."""
    claims = common.source_claims([SOURCE_ID], L)
    writer.table("source_claims", claims, kind="derived", caption=L(*common.CLAIMS_CAPTION))
    return show_table(claims, L(*common.CLAIMS_TITLE), kind="derived")


def capacity_source(L: Labels, cap: pd.DataFrame) -> str:
    """Where the capacity of :func:`capacity_by_pilot` comes from: source file, peildatum, total places."""
    sources = list(dict.fromkeys(cap["source_id"]))
    dates = list(dict.fromkeys(cap["peildatum"]))
    if len(sources) != 1 or len(dates) != 1:
        raise ConfigError(f"capacity from several sources or dates ({sources}, {dates}); one caption each")
    return texts(L.language)(
        "capacity_source",
        source_file=cells.source_record(str(sources[0])).source_file,
        peildatum=L.date(dates[0]),
        places=L.number(int(cap["capacity"].sum())),
    )
