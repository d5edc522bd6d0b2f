"""Tables of the plan-and-process evaluation (Regioplan 2020, peildatum 2019-12-31).

Builds what notebook ``01_plan_process`` shows. The published side reproduces
Tabel S.1 (capacity, occupancy, intake) and Tabel S.2 (durable outflow against
targets) of source ``001_08a3e7995258f26d.txt`` from ``data/published``; the
person-level side adds what the report could not show (rates relative to
outflow, disclosure control of person-level counts).

Everything here is language-neutral: tables carry codes (pilot codes,
measure and category keys of ``data/published/figures.csv``); the notebook
translates headers with :class:`lvv_eval.reporting.labels.Labels`. The only exception is
:func:`row_labels`, which takes a ``Labels`` object to name figure bars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lvv_eval.disclosure import checked as disclosure_checked
from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.disclosure.gate import Gate
from lvv_eval.errors import ConfigError
from lvv_eval.evaluations import common
from lvv_eval.evaluations import report_cells as cells
from lvv_eval.evaluations.wording import Texts
from lvv_eval.reporting import plots as plotting
from lvv_eval.reporting.writer import CaptionedTable, ReportWriter, show_table
from lvv_eval.sources import consistency, published, rounding
from lvv_eval.stats import rates as metrics
from lvv_eval.stats.counts import TOTAL

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from lvv_eval.reporting.labels import Labels
    from lvv_eval.reporting.parameters import NotebookParameters

__all__ = [
    "SOURCE_ID",
    "tabel_s1_capacity",
    "capacity_parts",
    "check_summary",
    "durable_rates",
    "formal_intake_by_pilot",
    "free_place_check",
    "headline",
    "other_outflow_ranges",
    "person_durable_rates",
    "row_labels",
    "source_checks",
    "suppress_comparison",
    "suppress_length_of_stay",
    "table_s1_printed",
    "target_attainment",
    "utrecht_estimate",
]

SOURCE_ID = "regioplan-2020"
"""Source id of the evaluation (source ``001_08a3e7995258f26d.txt``)."""

_S1_COLUMNS: tuple[tuple[str, str], ...] = (
    ("capacity", "places"),
    ("occupancy", "persons"),
    ("occupancy_rate", "of_capacity"),
    ("free_places", "places"),
    ("free_places_rate", "of_capacity"),
    ("intake", "all"),
    ("intake", "formal"),
    ("intake", "informal"),
)


def _figures(figures: pd.DataFrame | None) -> pd.DataFrame:
    return published.load_figures() if figures is None else figures


def _series(figures: pd.DataFrame | None, measure: str, category: str) -> pd.Series:
    sel = published.select(source=SOURCE_ID, measure=measure, category=category, figures=_figures(figures))
    return metrics.series_from_figures(sel, measure, category)


def _pilots(figures: pd.DataFrame | None) -> list[str]:
    return sorted(_series(figures, "capacity", "places").index)


# --------------------------------------------------------------------------- Tabel S.1
def table_s1_printed(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tabel S.1 as printed: capacity, occupancy, free places and intake per pilot.

    Source: ``001_08a3e7995258f26d.txt``, Tabel S.1 (*Capaciteit, instroom en
    bezetting per 31 december 2019*). Percentages are as printed (0-100, rounded);
    Utrecht's occupancy is only printed as an estimated rate (98 %, footnote *),
    so its occupancy and free-place counts are missing. Amsterdam's intake of
    363 is split into 287 with formal LVV status and 76 without.

    Returns
    -------
    pandas.DataFrame
        Column ``pilot`` then one column per ``measure:category`` of
        :data:`_S1_COLUMNS`; one row per pilot, sorted by pilot code.

    Examples
    --------
    >>> t = table_s1_printed().set_index("pilot")
    >>> t.loc["amsterdam", ["intake:all", "intake:formal", "intake:informal"]].tolist()
    [363.0, 287.0, 76.0]
    """
    wide = published.wide_table(SOURCE_ID, locator="Tabel S.1", figures=_figures(figures))
    columns = [f"{m}:{c}" for m, c in _S1_COLUMNS]
    wide = wide.reindex(columns=columns)
    wide = wide.loc[[p for p in wide.index if p != TOTAL]]
    return wide.reset_index()


def tabel_s1_capacity(figures: pd.DataFrame | None = None) -> dict[str, float]:
    """Capacity in places per pilot as printed in Tabel S.1 (*Beoogde capaciteit*, 2019).

    For the capacity valid at another date see
    :func:`lvv_eval.evaluations.final.capacity_by_pilot`.

    Examples
    --------
    >>> tabel_s1_capacity()["utrecht"]
    230.0
    """
    return {str(k): float(v) for k, v in _series(figures, "capacity", "places").items()}


def free_place_check(figures: pd.DataFrame | None = None, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Occupancy and free places recomputed from the counts, against the printed shares.

    Occupancy rate and free places are recomputed with
    :func:`lvv_eval.stats.rates.occupancy` (denominator: capacity in places; no
    interval, since places are not a sample). The recomputed free-place
    percentage is put next to the printed one, with the status of the
    matching consistency check (``r20-free-rate-<pilot>-pct`` in
    ``data/published/checks.csv``): Amsterdam's printed 20 % does not follow
    from 69 / 360 = 19.2 % (status ``known_discrepancy``). Utrecht has no
    counts (see :func:`utrecht_estimate`).

    Returns
    -------
    pandas.DataFrame
        One row per pilot: ``pilot``, ``capacity``, ``occupancy``,
        ``free_places`` (recomputed: capacity - occupancy), ``free_places_printed``,
        ``occupancy_rate_pct``, ``free_places_rate_pct`` (recomputed, unrounded),
        ``free_places_rate_printed``, ``difference_pp`` (recomputed - printed,
        percentage points), ``check_status``, ``denominator_label``.

    Examples
    --------
    >>> t = free_place_check().set_index("pilot")
    >>> round(float(t.loc["amsterdam", "free_places_rate_pct"]), 1), t.loc["amsterdam", "check_status"]
    (19.2, 'known_discrepancy')
    """
    cap = _series(figures, "capacity", "places")
    occ = _series(figures, "occupancy", "persons")
    counted = sorted(occ.index)
    occ_table = metrics.occupancy(cap.loc[counted], occ.loc[counted])
    by = occ_table.set_index(["pilot", "measure"])
    printed_free = _series(figures, "free_places", "places")
    printed_rate = _series(figures, "free_places_rate", "of_capacity")
    results = consistency.run_checks(_figures(figures), checks).set_index("check_id")
    rows = []
    for pilot in sorted(cap.index):
        has = pilot in counted
        recomputed = float(by.loc[(pilot, "free_places_rate"), "estimate"]) * 100 if has else np.nan
        check_id = f"r20-free-rate-{pilot}-pct"
        rows.append(
            {
                "pilot": pilot,
                "capacity": float(cap[pilot]),
                "occupancy": float(occ[pilot]) if has else np.nan,
                "free_places": float(by.loc[(pilot, "free_places"), "estimate"]) if has else np.nan,
                "free_places_printed": float(printed_free.get(pilot, np.nan)),
                "occupancy_rate_pct": float(by.loc[(pilot, "occupancy_rate"), "estimate"]) * 100 if has else np.nan,
                "free_places_rate_pct": recomputed,
                "free_places_rate_printed": float(printed_rate.get(pilot, np.nan)),
                "difference_pp": recomputed - float(printed_rate.get(pilot, np.nan)),
                "check_status": str(results.loc[check_id, "status"]) if check_id in results.index else "",
                "denominator_label": "capacity",
            }
        )
    return pd.DataFrame(rows)


def utrecht_estimate(figures: pd.DataFrame | None = None, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """What Utrecht's estimated 98 % occupancy implies, and why it cannot hold.

    Tabel S.1 of ``001_08a3e7995258f26d.txt`` gives no occupancy count for
    Utrecht, only an estimate of 98 % of 230 places (footnote *). The checks
    of ``data/published/checks.csv`` turn it into counts:

    - ``r20-utrecht-occupancy-count``: 98 % of 230 = 225.4, i.e. 225 or 226 present;
    - ``r20-occupancy-utrecht-bound``: at most 268 - 33 = 235 can be present (holds);
    - ``r20-occupancy-utrecht-azc-bound``: after also subtracting the 10 % of
      intake (26 to 28 people) that left for state reception (paragraph after
      Tabel S.2), at most 207 to 209 can be present: the estimate exceeds it.

    Returns
    -------
    pandas.DataFrame
        One row per check: ``check_id``, ``status``, ``expected`` (the bound or
        printed value), ``computed``, ``difference`` (computed - expected;
        positive = the bound is exceeded), ``count_low``, ``count_high``,
        ``message``.

    Examples
    --------
    >>> t = utrecht_estimate().set_index("check_id")
    >>> float(t.loc["r20-occupancy-utrecht-azc-bound", "difference"])
    17.2
    """
    ids = ["r20-utrecht-occupancy-count", "r20-occupancy-utrecht-bound", "r20-occupancy-utrecht-azc-bound"]
    results = consistency.run_checks(_figures(figures), checks).set_index("check_id")
    table = results.loc[ids, ["status", "expected", "computed", "count_low", "count_high", "message"]]
    table = table.reset_index()
    table.insert(4, "difference", (table["computed"] - table["expected"]).round(6))
    table.loc[table["check_id"] == ids[0], "difference"] = np.nan
    return table


def capacity_parts(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Capacity split into occupied and free places per pilot, for a stacked bar.

    Utrecht's parts are the printed estimates (98 % and 2 % of 230 places:
    225.4 and 4.6), flagged ``approximate``.

    Returns
    -------
    pandas.DataFrame
        Long: ``pilot``, ``part`` (``occupancy`` or ``free_places``),
        ``places``, ``approximate``; sorted by pilot then part.

    Examples
    --------
    >>> t = capacity_parts()
    >>> t.groupby("pilot")["places"].sum().round(1).tolist()
    [360.0, 130.0, 300.0, 117.0, 230.0]
    """
    cap = _series(figures, "capacity", "places")
    occ = _series(figures, "occupancy", "persons")
    occ_rate = _series(figures, "occupancy_rate", "of_capacity")
    rows = []
    for pilot in sorted(cap.index):
        if pilot in occ.index:
            present, approx = float(occ[pilot]), False
        else:
            present, approx = float(cap[pilot]) * float(occ_rate[pilot]) / 100, True
        rows.append({"pilot": pilot, "part": "occupancy", "places": present, "approximate": approx})
        rows.append(
            {"pilot": pilot, "part": "free_places", "places": float(cap[pilot]) - present, "approximate": approx}
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- consistency
def source_checks(figures: pd.DataFrame | None = None, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Consistency checks that involve figures of Regioplan 2020 only.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`lvv_eval.sources.consistency.run_checks` whose figure ids
        all belong to :data:`SOURCE_ID`, columns ``check_id, kind, expected,
        computed, difference, status, count_low, count_high, message``.
    """
    figs = _figures(figures)
    own = set(figs.loc[figs["source_id"].astype("str") == SOURCE_ID, "figure_id"])
    results = consistency.run_checks(figs, checks)
    keep = [all(f in own for f in ids.split()) and bool(ids) for ids in results["figure_ids"]]
    cols = ["check_id", "kind", "expected", "computed", "difference", "status", "count_low", "count_high", "message"]
    return results.loc[keep, cols].reset_index(drop=True)


def check_summary(results: pd.DataFrame) -> dict[str, int]:
    """Count checks by status.

    Returns
    -------
    dict
        ``total``, ``ok``, ``known_discrepancy``, ``failed`` (status
        ``FAILED`` or ``unexpected_pass``).

    Examples
    --------
    >>> check_summary(pd.DataFrame({"status": ["ok", "ok", "known_discrepancy"]}))
    {'total': 3, 'ok': 2, 'known_discrepancy': 1, 'failed': 0}
    """
    status = results["status"].astype("str")
    return {
        "total": int(len(status)),
        "ok": int((status == "ok").sum()),
        "known_discrepancy": int((status == "known_discrepancy").sum()),
        "failed": int(status.isin(["FAILED", "unexpected_pass"]).sum()),
    }


# --------------------------------------------------------------------------- Tabel S.2
def formal_intake_by_pilot(figures: pd.DataFrame | None = None) -> pd.Series:
    """Intake per pilot as counted in the national total of 1,019.

    Amsterdam counts with its 287 people with formal LVV status (the 76
    without are left out); the other pilots print only one intake figure,
    which the total uses as it is (``001_08a3e7995258f26d.txt``, 'Instroom op
    gang' and Tabel S.1).

    Examples
    --------
    >>> s = formal_intake_by_pilot()
    >>> s.to_dict(), int(s.sum())
    ({'amsterdam': 287.0, 'eindhoven': 33.0, 'groningen': 302.0, 'rotterdam': 129.0, 'utrecht': 268.0}, 1019)
    """
    all_intake = _series(figures, "intake", "all")
    formal = _series(figures, "intake", "formal")
    out = pd.Series({p: float(formal.get(p, all_intake[p])) for p in sorted(all_intake.index)})
    out.index.name = "pilot"
    return out.rename("intake/formal")


def durable_rates(figures: pd.DataFrame | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Durable outflow as a share of intake per pilot, with Wilson intervals (Tabel S.2).

    Denominator: total intake since the start (``001_08a3e7995258f26d.txt``,
    Tabel S.2, *in relatie tot instroom*). Amsterdam gets two rows, on its
    287 people with formal status and on all 363, since the printed 1 % fits
    both.

    Returns
    -------
    pandas.DataFrame
        Key ``row`` (``<pilot>`` or ``amsterdam-formal``/``amsterdam-all``),
        ``pilot``, ``intake_category`` (``all`` or ``formal``), the columns of
        :data:`lvv_eval.stats.rates.RATE_COLUMNS`, ``printed_pct``,
        ``recomputed_pct`` (rounded to whole percent, half up) and
        ``matches_printed``.

    Examples
    --------
    >>> t = durable_rates().set_index("row")
    >>> t["recomputed_pct"].tolist()
    [1, 1, 3, 3, 9, 12]
    """
    durable = _series(figures, "outflow", "durable")
    intake = _series(figures, "intake", "all")
    formal = _series(figures, "intake", "formal")
    printed = _series(figures, "outflow_share_of_intake", "durable")
    rows, num, den, cats, pilots = [], [], [], [], []
    for pilot in sorted(durable.index):
        variants = (
            [("formal", formal[pilot]), ("all", intake[pilot])] if pilot in formal.index else [("all", intake[pilot])]
        )
        for category, denominator in variants:
            rows.append(pilot if len(variants) == 1 else f"{pilot}-{category}")
            num.append(durable[pilot])
            den.append(denominator)
            cats.append(category)
            pilots.append(pilot)
    index = pd.Index(rows, name="row")
    table = metrics.durable_rate(pd.Series(num, index=index), intake=pd.Series(den, index=index), alpha=alpha)
    table.insert(1, "pilot", pilots)
    table.insert(2, "intake_category", cats)
    table["printed_pct"] = [float(printed[p]) for p in pilots]
    table["recomputed_pct"] = [_round_half_up(100 * n / d) for n, d in zip(num, den)]
    table["matches_printed"] = table["recomputed_pct"] == table["printed_pct"]
    return table


def _round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def target_attainment(rates: pd.DataFrame, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Realised durable rate against each pilot's target (Tabel S.2).

    The targets (20 / 20 / 40 / 60 / 20 %) are best-effort goals for the whole
    pilot period (*inspanningsverplichting*), while the realised rate is
    measured on 2019-12-31, a few months after the start: status ``not
    reached`` is expected there and is no verdict on the pilot.

    Parameters
    ----------
    rates
        Output of :func:`durable_rates` (key ``row``).

    Returns
    -------
    pandas.DataFrame
        :func:`lvv_eval.stats.rates.target_attainment` output keyed by ``row``,
        with ``pilot`` added as the second column.
    """
    targets = _series(figures, "target_outflow_share", "durable")
    by_row = {r: float(targets[p]) for r, p in zip(rates["row"], rates["pilot"])}
    out = metrics.target_attainment(rates, by_row, key="row")
    out.insert(1, "pilot", rates["pilot"].to_numpy())
    return out


def other_outflow_ranges(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts behind the printed shares of other outflow in 2019.

    ``001_08a3e7995258f26d.txt``, paragraph after Tabel S.2: outflow after a
    repeat asylum application (Groningen 16 %, Utrecht 10 % of total intake)
    and left with unknown destination (MOB; Groningen 8 %, Rotterdam 18 %,
    read as of total intake). The counts are not printed; every whole count
    whose percentage of intake rounds to the printed one is allowed
    (:func:`lvv_eval.sources.rounding.count_range`).

    Returns
    -------
    pandas.DataFrame
        ``pilot``, ``category`` (exit code), ``printed_pct``, ``denominator``
        (total intake), ``denominator_label``, ``count_low``, ``count_high``;
        sorted by category then pilot.

    Examples
    --------
    >>> t = other_outflow_ranges()
    >>> t[["pilot", "count_low", "count_high"]].values.tolist()[0]
    ['groningen', 23, 25]
    """
    intake = _series(figures, "intake", "all")
    rows = []
    for category in ("left_unknown_destination", "repeat_asylum_application"):
        shares = _series(figures, "outflow_share_of_intake", category)
        for pilot in sorted(shares.index):
            r = rounding.count_range(float(shares[pilot]), int(intake[pilot]))
            rows.append(
                {
                    "pilot": pilot,
                    "category": category,
                    "printed_pct": float(shares[pilot]),
                    "denominator": int(intake[pilot]),
                    "denominator_label": "total intake",
                    "count_low": int(r.start) if len(r) else pd.NA,
                    "count_high": int(r.stop - 1) if len(r) else pd.NA,
                }
            )
    out = pd.DataFrame(rows)
    for col in ("count_low", "count_high"):
        out[col] = out[col].astype("Int64")
    return out


def row_labels(rates: pd.DataFrame, L: Labels) -> dict[str, str]:
    """Bar labels for :func:`durable_rates` rows: pilot name, plus the denominator for Amsterdam.

    Examples
    --------
    >>> from lvv_eval.reporting.labels import Labels
    >>> row_labels(durable_rates(), Labels("en"))["amsterdam-formal"]
    'Amsterdam (287)'
    """
    out = {}
    for row, pilot, den in zip(rates["row"], rates["pilot"], rates["denominator"]):
        name = L.pilot(pilot)
        out[str(row)] = name if row == pilot else f"{name} ({L.number(den)})"
    return out


# --------------------------------------------------------------------------- headline
def headline(figures: pd.DataFrame | None = None, checks: pd.DataFrame | None = None) -> dict[str, object]:
    """Headline figures of Regioplan 2020, recomputed from the published figures.

    Returns
    -------
    dict
        ``intake_total`` (sum of :func:`formal_intake_by_pilot`, printed 1,019),
        ``intake_total_printed``, ``capacity_total`` (sum of the five
        capacities; the report prints no total), ``durable_pct`` (Tabel S.2
        percentages recomputed and rounded, Amsterdam on 287, pilots sorted),
        ``durable_pct_printed``, ``checks`` (:func:`check_summary` of
        :func:`source_checks`).

    Examples
    --------
    >>> h = headline()
    >>> h["intake_total"], h["capacity_total"], h["durable_pct"]
    (1019, 1137, [1, 3, 3, 9, 12])
    """
    figs = _figures(figures)
    rates = durable_rates(figs)
    main = rates.loc[rates["intake_category"].eq("formal") | ~rates["pilot"].duplicated(keep=False)]
    return {
        "intake_total": int(formal_intake_by_pilot(figs).sum()),
        "intake_total_printed": int(published.figure("r20-intake-total", figs)),
        "capacity_total": int(sum(tabel_s1_capacity(figs).values())),
        "durable_pct": [int(x) for x in main["recomputed_pct"]],
        "durable_pct_printed": [int(x) for x in main["printed_pct"]],
        "checks": check_summary(source_checks(figs, checks)),
    }


# --------------------------------------------------------------------------- person level
def person_durable_rates(person: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Durable rate per pilot from person-level counts, relative to intake and to outflow.

    Parameters
    ----------
    person
        Long table of :func:`lvv_eval.stats.counts.to_figures` with a scheme
        (needs ``intake/all``, ``outflow/all`` and ``outflow/durable``).

    Returns
    -------
    pandas.DataFrame
        Rows per pilot (``total`` last) and denominator: ``denominator_kind``
        ``intake`` (as Regioplan 2020, Tabel S.2) then ``outflow`` (as
        Regioplan 2022); the columns of :data:`lvv_eval.stats.rates.RATE_COLUMNS`
        with Wilson intervals.
    """
    durable = metrics.series_from_figures(person, "outflow", "durable", include_total=True)
    parts = []
    for kind, measure in (("intake", "intake"), ("outflow", "outflow")):
        den = metrics.series_from_figures(person, measure, "all", include_total=True)
        t = metrics.durable_rate(durable, **{kind: den}, alpha=alpha)
        t.insert(1, "denominator_kind", kind)
        parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    order = {p: i for i, p in enumerate(dict.fromkeys(durable.index))}
    out["_p"] = out["pilot"].map(order)
    out = out.sort_values(["_p", "denominator_kind"], kind="stable").drop(columns="_p")
    return out.reset_index(drop=True)


def suppress_comparison(table: pd.DataFrame, threshold: int) -> disclosure.SuppressionResult:
    """Disclosure control of a published-versus-person-level table.

    The ``published`` column is already public; the ``person_level`` counts
    go through :func:`lvv_eval.evaluations.common.suppress_long`: counts
    ``1 <= n < threshold`` are hidden, and so is every cell that would give a
    hidden one back by subtraction (from the ``total`` row, or from totals
    such as ``intake/all`` = formal + informal). The ``difference`` is hidden
    with them (with the published figure it would reveal the count).

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["a", "b"], "published": [5.0, 50.0],
    ...                   "person_level": [4, 52], "difference": [-1.0, 2.0]})
    >>> res = suppress_comparison(t, 10)
    >>> res.table["difference"].isna().tolist(), res.report["rule"].tolist()
    ([True, False], ['primary: n < 10'])
    """
    return common.suppress_long(table, threshold)


def suppress_length_of_stay(los: pd.DataFrame, threshold: int) -> disclosure.SuppressionResult:
    """Disclosure control of a length-of-stay table (:func:`lvv_eval.stats.survival.length_of_stay`).

    The counts ``n``, ``n_events``, ``n_censored`` are suppressed with
    ``n`` as the total column (``n = n_events + n_censored``) and the ``total``
    row as the total row, so hidden cells cannot be recovered by subtraction. The median
    and its interval are hidden where the number of exits is below the threshold
    (a median over fewer exits would describe a few persons).

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["a", "total"], "n": [40, 40], "n_events": [5, 5],
    ...                   "n_censored": [35, 35], "median_days": [90.0, 90.0],
    ...                   "ci_low": [60.0, 60.0], "ci_high": [120.0, 120.0]})
    >>> suppress_length_of_stay(t, 10).table["median_days"].isna().tolist()
    [True, True]
    """
    work = los.rename(columns={"n": "total"})
    res = disclosure.suppress(
        work,
        ["n_events", "n_censored", "total"],
        threshold=threshold,
        margins={"total_row": "total", "total_col": "total"},
        row_labels="pilot",
    )
    out = res.table.rename(columns={"total": "n"})
    events = pd.to_numeric(los["n_events"]).to_numpy(dtype=float)
    hide = (events >= 1) & (events < threshold)
    for col in ("median_days", "ci_low", "ci_high"):
        if col in out.columns:
            out[col] = out[col].mask(hide)
    mask = res.mask.rename(columns={"total": "n"})
    report = res.report.replace({"column": {"total": "n"}})
    return disclosure.SuppressionResult(out, report, mask)


def register_person_tables(gate: Gate, data: Any, frame: pd.DataFrame, P: NotebookParameters) -> None:
    """Register every person-level table of report 01 with its disclosure gate, before any is shown.

    The tables are the validation flow, the comparison with Tabel S.1/S.2,
    the durable rate per pilot (denominators intake and outflow), occupancy
    over time, length of stay, the cumulative-incidence curves and the
    scheme sensitivity. Checking them together means a count suppressed in
    one (e.g. Rotterdam's exits in ``length_of_stay``) is suppressed in all
    (e.g. Rotterdam's outflow denominator in ``durable_rate_person``).

    Parameters
    ----------
    gate
        The report's :class:`~lvv_eval.disclosure.gate.Gate`.
    data
        The :class:`~lvv_eval.sources.monitor.MonitorData` read for the report.
    frame
        The analysis frame (pilots and status filtered).
    P
        Validated notebook parameters.
    """
    from lvv_eval.reference.schemes import load_scheme
    from lvv_eval.stats import counts as aggregate
    from lvv_eval.stats import survival

    t = P.disclosure_threshold
    gate.register(
        "validation_flow", data.flow, counts=["rows"], key=None, upstream=common.suppress_validation_flow(data.flow, t)
    )
    compared = common.published_vs_person(data.frame, P, SOURCE_ID)
    gate.register(
        "published_vs_person",
        compared,
        upstream=suppress_comparison(compared, t).table,
        counts=["person_level"],
        derived={"difference": ("person_level",)},
        not_counts=["published"],
    )
    rates = person_durable_rates(common.person_figures(data.frame, P))
    gate.register(
        "durable_rate_person",
        rates,
        upstream=disclosure.suppress_rates(rates, t),
        counts=["numerator", "denominator"],
        rates=True,
        margins={"total_row": TOTAL},
        version_key=["denominator_kind"],
    )
    los = survival.length_of_stay(frame, P.peildatum)
    gate.register(
        "length_of_stay",
        los,
        upstream=suppress_length_of_stay(los, t).table,
        counts=["n", "n_events", "n_censored"],
        margins={"total_row": TOTAL, "total_col": "n"},
        derived={c: ("n_events",) for c in ("median_days", "ci_low", "ci_high")},
    )
    from lvv_eval.reference.monitor_format import PROGRAMME_START

    # an export without trajectories has no earliest intake: the grid starts with the programme
    stock = aggregate.stock_over_time(frame, start=PROGRAMME_START if frame.empty else None, end=P.peildatum)
    gate.register("occupancy_over_time", stock, counts=["present"])
    curves = survival.cif_curves(frame, P.peildatum, load_scheme(P.scheme))
    gate.register(
        "cumulative_incidence_curves",
        curves.drop(columns=["n_events", "se"]),
        counts=["n_at_risk"],
        key="pilot",
        derived={c: ("n_at_risk",) for c in ("estimate", "ci_low", "ci_high")},
        not_counts=["time_days"],
    )
    sens = common.scheme_sensitivity(frame, P.peildatum, formal_only=P.formal_only)
    gate.register(
        "scheme_sensitivity",
        sens,
        upstream=disclosure.suppress_rates(sens, t),
        counts=["numerator", "denominator"],
        rates=True,
        versions="scheme",
        version_key=["denominator_kind"],
        margins={"total_row": TOTAL},
        fallback="round5",
    )


# --------------------------------------------------------------------------- report cells
# What notebook 01 shows: each function writes its table or figure to the report's writer
# and returns what the notebook displays. Captions are the module's texts
# (texts/plan_process.<language>.yaml) filled from the results' own values.


def texts(language: str) -> Texts:
    """The texts of report 01 in ``language``."""
    return Texts("plan_process", language)


def published_peildatum() -> pd.Timestamp:
    """The peildatum of the published figures (Tabel S.1 and S.2), from ``sources.csv``.

    Examples
    --------
    >>> published_peildatum().date().isoformat()
    '2019-12-31'
    """
    peildatum = cells.source_record(SOURCE_ID).peildatum
    if peildatum is None:
        raise ConfigError(f"{SOURCE_ID}: no peildatum in data/published/sources.csv")
    return peildatum


def citation(L: Labels, *, short: bool = False) -> str:
    """The source citation of Regioplan 2020 in the report language (year from ``sources.csv``)."""
    return texts(L.language)("source_short" if short else "source", year=cells.source_record(SOURCE_ID).year)


def estimated_pilot(figures: pd.DataFrame | None = None) -> str:
    """The pilot whose Tabel S.1 occupancy is an estimate (a rate without a count)."""
    parts = capacity_parts(figures)
    estimated = parts.loc[parts["approximate"], "pilot"].unique()
    if len(estimated) != 1:
        raise ConfigError(f"expected one pilot with an estimated occupancy in Tabel S.1, found {list(estimated)}")
    return str(estimated[0])


def _two_denominators(rates: pd.DataFrame) -> tuple[str, int, int]:
    """The pilot shown on two intake denominators in Tabel S.2, with the formal and the total one."""
    twice = rates.loc[rates["pilot"].duplicated(keep=False)]
    pilot = str(twice["pilot"].iloc[0])
    den = dict(zip(twice["intake_category"], twice["denominator"]))
    return pilot, int(den["formal"]), int(den["all"])


def show_tabel_s1(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write Tabel S.1 as published (kind ``published``) and return it labelled for the notebook."""
    T = texts(L.language)
    s1 = table_s1_printed()
    shown = L.columns(
        s1,
        {
            "capacity:places": "capacity",
            "occupancy:persons": "occupancy",
            "occupancy_rate:of_capacity": T("col_occupancy_rate"),
            "free_places:places": "free_places",
            "free_places_rate:of_capacity": T("col_free_places_rate"),
            "intake:all": "intake",
            "intake:formal": T("col_intake_formal"),
            "intake:informal": T("col_intake_informal"),
        },
    ).assign(**{L.word("pilot"): [L.pilot(p) for p in s1["pilot"]]})
    caption = T("s1_caption", peildatum=L.date(published_peildatum()), source=citation(L))
    writer.table("tabel_s1_published", s1, kind="published", caption=caption)
    return show_table(shown, caption, kind="derived")


def show_tabel_s1_recomputed(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write occupancy rate and free places recomputed from Tabel S.1 and return them labelled."""
    T = texts(L.language)
    s1r = free_place_check()
    caption = T("s1r_caption")
    writer.table("tabel_s1_recomputed", s1r, kind="derived", caption=caption)
    shown = L.columns(
        s1r.assign(pilot=[L.pilot(p) for p in s1r["pilot"]]).round(1),
        {
            "free_places": T("col_free_places_recomputed"),
            "free_places_printed": T("col_free_places_printed"),
            "occupancy_rate_pct": T("col_occupancy_rate_recomputed"),
            "free_places_rate_pct": T("col_free_places_rate_recomputed"),
            "free_places_rate_printed": T("col_free_places_rate_printed"),
            "difference_pp": T("col_difference_pp"),
            "check_status": T("col_check_status"),
        },
    )
    return show_table(shown, caption, kind="derived")


def _estimate_wording(L: Labels) -> dict[str, str]:
    """Pilot, printed occupancy share and capacity of the estimated occupancy, for captions."""
    pilot = estimated_pilot()
    rate = _series(None, "occupancy_rate", "of_capacity")[pilot]
    return {
        "pilot": L.pilot(pilot),
        "share": L.percent(float(rate) / 100),
        "capacity": L.number(tabel_s1_capacity()[pilot]),
    }


def show_utrecht_estimate(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write the checks of Utrecht's estimated occupancy against its bounds and return them."""
    utr = utrecht_estimate()
    caption = texts(L.language)("utrecht_caption", **_estimate_wording(L))
    writer.table("utrecht_estimate", utr, kind="derived", caption=caption)
    return show_table(utr.drop(columns="message").round(1), caption, kind="derived")


def capacity_figure(writer: ReportWriter, L: Labels) -> Figure:
    """Draw and write the capacity, occupancy and free places of Tabel S.1; return the figure (left open)."""
    T = texts(L.language)
    parts = capacity_parts()
    wording = _estimate_wording(L)
    fig = plotting.grouped_bars(
        parts,
        category="pilot",
        group="part",
        value="places",
        stacked=True,
        group_order=["occupancy", "free_places"],
        labels={p: L.pilot(p) for p in parts["pilot"]},
        group_labels={"occupancy": L.measure("occupancy"), "free_places": L.measure("free_places")},
        fmt=L.number,
        title=T("capacity_title", peildatum=L.date(published_peildatum())),
        xlabel=L.word("pilot"),
        ylabel=T("axis_places"),
        footnote=T("capacity_footnote", source=citation(L), pilot=wording["pilot"], share=wording["share"]),
    )
    writer.figure("capacity_occupancy", fig, title=T("capacity_figure"), kind="derived")
    return fig


def show_tabel_s2(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write Tabel S.2 recomputed (durable outflow / intake with intervals and targets); return it labelled."""
    T = texts(L.language)
    rates = durable_rates()
    attain = target_attainment(rates)
    level = cells.level_percent(L, cells.ci_level(rates))
    caption = T("s2_caption", ci=cells.interval_of(T, L, rates), peildatum=L.date(published_peildatum()))
    writer.table(
        "tabel_s2_recomputed",
        rates.merge(attain[["row", "target_pct", "status"]], on="row"),
        kind="derived",
        caption=caption,
    )
    shown = L.columns(
        attain.assign(row=[row_labels(rates, L)[r] for r in attain["row"]])
        .drop(columns=["pilot", "ci_method"])
        .round(1),
        {
            "row": "pilot",
            "target_pct": T("col_target"),
            "realised_pct": T("col_realised"),
            "ci_low_pct": T("col_ci_low", level=level),
            "ci_high_pct": T("col_ci_high", level=level),
            "ratio": T("col_ratio"),
            "status": T("col_status"),
        },
    )
    return show_table(shown, caption, kind="derived")


def durable_rate_figure(writer: ReportWriter, L: Labels) -> Figure:
    """Draw and write Tabel S.2's durable rates with intervals and targets; return the figure (left open)."""
    T = texts(L.language)
    rates = durable_rates()
    attain = target_attainment(rates)
    pilot, formal, total = _two_denominators(rates)
    bar_labels: dict[object, str] = {row: label for row, label in row_labels(rates, L).items()}
    fig = plotting.bar_with_ci(
        rates,
        category="row",
        estimate="estimate",
        ci_low="ci_low",
        ci_high="ci_high",
        order=list(rates["row"]),
        labels=bar_labels,
        reference={r: t / 100 for r, t in zip(attain["row"], attain["target_pct"])},
        reference_label=T("target_label"),
        fmt=L.percent,
        title=T("s2_title", peildatum=L.date(published_peildatum())),
        horizontal=True,
        xlabel=T("s2_axis"),
        ylabel="",
        footnote=T(
            "s2_footnote",
            source=citation(L),
            pilot=L.pilot(pilot),
            formal=L.number(formal),
            all=L.number(total),
            ci=cells.interval_of(T, L, rates),
        ),
    )
    writer.figure("durable_rate_published", fig, title=T("s2_figure"), kind="derived")
    return fig


def show_other_outflow(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write the counts consistent with the printed other-outflow percentages; return them labelled."""
    T = texts(L.language)
    other = other_outflow_ranges()
    caption = T("other_caption", year=str(published_peildatum().year))
    writer.table("other_outflow_ranges", other, kind="derived", caption=caption)
    shown = L.columns(
        other.assign(
            pilot=[L.pilot(p) for p in other["pilot"]], category=[L.exit_reason(c) for c in other["category"]]
        ),
        {
            "category": "exit_reason",
            "printed_pct": T("col_printed_pct"),
            "count_low": T("col_count_low"),
            "count_high": T("col_count_high"),
        },
    )
    return show_table(shown, caption, kind="derived")


def show_source_checks(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write the consistency checks of the published figures and return them for the notebook."""
    checks = source_checks()
    caption = texts(L.language)("checks_caption", source=citation(L, short=True))
    writer.table("consistency_checks", checks, kind="derived", caption=caption)
    return show_table(checks[["check_id", "kind", "status", "message"]], caption, kind="derived")


def headline_lines(L: Labels) -> list[str]:
    """The headline figures of :func:`headline` as printed lines in the report language."""
    T = texts(L.language)
    h = headline()
    pilot, _, _ = _two_denominators(durable_rates())
    checks = h["checks"]
    durable, durable_printed = h["durable_pct"], h["durable_pct_printed"]
    assert isinstance(checks, dict) and isinstance(durable, list) and isinstance(durable_printed, list)

    def line(*parts: object) -> str:
        return " ".join(str(p) for p in parts)

    return [
        line(
            T("headline_intake", pilot=L.pilot(pilot)), h["intake_total"], "/", T("printed"), h["intake_total_printed"]
        ),
        line(
            T("headline_capacity", year=str(published_peildatum().year), n=len(tabel_s1_capacity())),
            h["capacity_total"],
        ),
        line(T("headline_durable"), *durable, "/", T("printed"), *durable_printed),
        line(
            T("headline_checks"),
            checks["total"],
            "|",
            "ok",
            checks["ok"],
            "|",
            T("known_discrepancy"),
            checks["known_discrepancy"],
            "|",
            T("failed"),
            checks["failed"],
        ),
    ]


def show_source_claims(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write the source's numeric statements tested against the published figures; return them."""
    claims = common.source_claims([SOURCE_ID], L)
    writer.table("source_claims", claims, kind="derived", caption=L(*common.CLAIMS_CAPTION))
    return show_table(claims, L(*common.CLAIMS_TITLE), kind="derived")


# --------------------------------------------------------------------------- report cells: person level
def person_source(L: Labels, P: NotebookParameters) -> str:
    """The footnote source of person-level figures: synthetic data or monitor file, with the peildatum."""
    key = "person_source_synthetic" if P.is_synthetic else "person_source_monitor"
    return texts(L.language)(key, peildatum=L.date(P.peildatum))


def show_validation_flow(writer: ReportWriter, gate: Gate, L: Labels) -> CaptionedTable:
    """Release and write the validation flow of the input file; return it for the notebook."""
    caption = texts(L.language)("validation_caption")
    flow = gate.release("validation_flow")
    writer.table("validation_flow", flow, caption=caption)
    return show_table(flow, caption)


def show_published_vs_person(writer: ReportWriter, gate: Gate, L: Labels) -> tuple[CaptionedTable, CaptionedTable]:
    """Release and write Tabel S.1/S.2 next to the person-level counts; return the table and its suppressions."""
    T = texts(L.language)
    compared = gate.release("published_vs_person")
    caption = T("compared_caption", source=citation(L, short=True), peildatum=L.date(published_peildatum()))
    writer.table("published_vs_person", compared, caption=caption)
    return (
        show_table(compared.view(relabel={"pilot": L.pilot}), caption),
        show_table(L.suppression_report(compared.report()), T("suppressed_cells"), kind="derived"),
    )


def show_person_rates(writer: ReportWriter, gate: Gate, L: Labels, P: NotebookParameters) -> CaptionedTable:
    """Release and write the person-level durable rate per pilot (intake and outflow denominators)."""
    T = texts(L.language)
    rates = gate.release("durable_rate_person")
    caption = T(
        "person_rate_caption",
        scheme=P.scheme,
        ci=cells.interval_of(T, L, rates.frame),
        peildatum=L.date(P.peildatum),
    )
    writer.table("durable_rate_person", rates, caption=caption)
    columns = ["pilot", "denominator_kind", "numerator", "denominator", "estimate", "ci_low", "ci_high"]
    return show_table(rates.view(columns=[*columns, "suppression_rule"], decimals=3), caption)


def person_rate_figures(writer: ReportWriter, gate: Gate, L: Labels, P: NotebookParameters) -> list[Figure]:
    """Draw and write the person-level durable rate per pilot, one figure per denominator (left open)."""
    T = texts(L.language)
    rates = gate.released["durable_rate_person"]
    footnote = T(
        "person_rate_footnote", source=person_source(L, P), scheme=P.scheme, ci=cells.interval_of(T, L, rates.frame)
    )
    figures = []
    for kind in ("intake", "outflow"):

        def draw(frame: pd.DataFrame, kind: str = kind) -> Figure:
            return plotting.bar_with_ci(
                frame.loc[frame["denominator_kind"] == kind],
                category="pilot",
                estimate="estimate",
                ci_low="ci_low",
                ci_high="ci_high",
                labels={p: L.pilot(p) for p in frame["pilot"]},
                fmt=L.percent,
                title=T(f"person_rate_title_{kind}", peildatum=L.date(P.peildatum)),
                xlabel=L.word("pilot"),
                ylabel=L.word("share"),
                footnote=footnote,
                missing_label=disclosure_checked.SUPPRESSION_MARK,
            )

        fig = gate.figure(f"durable_rate_person_{kind}", rates, draw)
        writer.figure(f"durable_rate_person_{kind}", fig, title=T(f"person_rate_figure_{kind}"))
        figures.append(fig.figure)
    return figures


def occupancy_figure(writer: ReportWriter, gate: Gate, L: Labels, P: NotebookParameters) -> Figure:
    """Release, draw and write the persons present per month against Tabel S.1's capacity (left open)."""
    T = texts(L.language)
    stock = gate.release("occupancy_over_time")
    pilots = set(stock.frame["pilot"])
    footnote = T(
        "occupancy_footnote",
        source=person_source(L, P),
        year=str(published_peildatum().year),
        published=citation(L, short=True),
    )
    fig = gate.figure(
        "occupancy_over_time",
        stock,
        lambda frame: plotting.line_over_time(
            frame.loc[frame["pilot"] != TOTAL],
            time="date",
            value="present",
            group="pilot",
            reference={p: c for p, c in tabel_s1_capacity().items() if p in pilots},
            reference_label=L.measure("capacity"),
            labels={p: L.pilot(p) for p in pilots},
            fmt=L.number,
            title=T("occupancy_title"),
            xlabel=T("axis_month"),
            ylabel=T("axis_present"),
            footnote=footnote,
        ),
    )
    writer.figure("occupancy_over_time", fig, title=T("occupancy_figure"))
    return fig.figure


def show_length_of_stay(
    writer: ReportWriter, gate: Gate, L: Labels, P: NotebookParameters
) -> tuple[CaptionedTable, CaptionedTable]:
    """Release and write the Kaplan-Meier length of stay; return the table and its suppressions."""
    T = texts(L.language)
    los = gate.release("length_of_stay")
    caption = T("los_caption", peildatum=L.date(P.peildatum))
    writer.table("length_of_stay", los, caption=caption)
    return (
        show_table(los.view(relabel={"pilot": L.pilot}), caption),
        show_table(L.suppression_report(los.report()), T("suppressed_cells"), kind="derived"),
    )


def cumulative_incidence_figure(writer: ReportWriter, gate: Gate, L: Labels, P: NotebookParameters) -> Figure:
    """Release, draw and write the competing-risk cumulative incidence per outcome and pilot (left open)."""
    from lvv_eval.reference.schemes import load_scheme

    T = texts(L.language)
    scheme = load_scheme(P.scheme)
    curves = gate.release("cumulative_incidence_curves")
    pilots = list(dict.fromkeys(curves.frame["pilot"]))
    footnote = T(
        "cif_footnote",
        source=person_source(L, P),
        scheme=P.scheme,
        ci=cells.interval_of(T, L, curves.frame, default_method="log-log"),
    )
    fig = gate.figure(
        "cumulative_incidence",
        curves,
        lambda frame: plotting.cif_plot(
            frame.loc[(frame["outcome"] != "in_programme") & (frame["pilot"] != TOTAL)],
            time="time_days",
            estimate="estimate",
            ci_low="ci_low",
            ci_high="ci_high",
            panel="outcome",
            group="pilot",
            panel_order=list(scheme.class_ids),
            panel_labels={c: L.outcome_class(P.scheme, c) for c in scheme.class_ids},
            labels={p: L.pilot(p) for p in pilots},
            months=True,
            fmt=L.percent,
            title=T("cif_title"),
            xlabel=L.word("time_months"),
            ylabel=L.word("cumulative_incidence"),
            footnote=footnote,
            figsize=(8.0, 4.5),
        ),
    )
    writer.figure("cumulative_incidence", fig, title=T("cif_figure"))
    return fig.figure


def show_scheme_sensitivity(writer: ReportWriter, gate: Gate, L: Labels, P: NotebookParameters) -> CaptionedTable:
    """Release and write the durable rate under every shipped scheme; return it for the notebook."""
    T = texts(L.language)
    sens = gate.release("scheme_sensitivity")
    caption = T("sensitivity_caption", ci=cells.interval_of(T, L, sens.frame), peildatum=L.date(P.peildatum))
    writer.table("scheme_sensitivity", sens, caption=caption)
    columns = ["scheme", "pilot", "denominator_kind", "numerator", "denominator", "estimate", "ci_low", "ci_high"]
    return show_table(sens.view(columns=[*columns, "release_form", "suppression_rule"], decimals=3), caption)
