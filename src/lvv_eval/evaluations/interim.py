"""Interim evaluation (peildatum 1 November 2020): programme monitor vs Verwey-Jonker.

Two sources report outflow at the same reference date:

* the programme monitor, in the letter of 17 November 2020 (source
  ``002_1f6dbbe6756677e4.txt``, paragraph *Voortgang LVV's*): 1142 places,
  107 durable solutions (46 granted + 61 departures or onward migrations),
  164 to an AZC, 25 art. 64, 95 left with unknown destination, 7 back to a
  BBB, 84 stays ended by force; 1310 sheltered, 771 present; 471 scenarios;
* the Verwey-Jonker interim evaluation (March 2021) as quoted in the letter of 28 June 2021
  (source ``000_3514d6bc5a3a2801.txt``, paragraph *Effecten van de LVV*):
  43 + 50 + 2 durable, 170 + 20 semi-durable, 100 + 76 + 76 no solution.

This module builds the tables the notebook ``02_interim`` shows: the
published figures recomputed from ``data/published``, the reconciliation of
the two outflow tables (:func:`lvv_eval.stats.reconcile.reconcile` with the shipped
crosswalk and explanations), and the person-level part (count tables for
disclosure control, class and scenario shares per pilot, the shift of the
durable rate between two schemes).

The report itself: :func:`register_person_tables` registers every
person-level table of the report with its disclosure gate before any is
released; the ``show_*`` functions release, write and show one section each,
with captions and headers from ``texts/interim.<language>.yaml``
(:class:`~lvv_eval.evaluations.wording.Texts`) filled from the results'
own values, so the notebook only calls and shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.evaluations.common import register_protected, suppress_long
from lvv_eval.evaluations.wording import Texts
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.reporting.formatting import join_list
from lvv_eval.sources import consistency, published
from lvv_eval.stats import rates as metrics
from lvv_eval.stats.reconcile import Reconciliation, load_crosswalk, load_explanations, reconcile

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from lvv_eval.disclosure.checked import CheckedFigure, CheckedTable, CheckedText, CheckedValue
    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.reporting.labels import Labels
    from lvv_eval.reporting.parameters import NotebookParameters
    from lvv_eval.reporting.writer import CaptionedTable, ReportWriter
    from lvv_eval.sources.monitor import MonitorData

__all__ = [
    "ALPHA",
    "MONITOR",
    "PersonTables",
    "SENSITIVITY",
    "capacity_lines",
    "citation",
    "class_table_id",
    "draw_published_figures",
    "late_intake_text",
    "reconciliation_lines",
    "register_person_tables",
    "register_scheme_sensitivity",
    "show_checks_and_scenarios",
    "show_claims",
    "show_class_shares",
    "show_class_tables",
    "show_comparison",
    "show_cumulative_incidence",
    "show_flow",
    "show_validation",
    "show_length_of_stay",
    "show_published_tables",
    "show_reconciliation",
    "show_scenario_shares",
    "show_scheme_sensitivity",
    "source_names",
    "PEILDATUM",
    "TOTAL",
    "VJI",
    "check_scheme_sensitivity",
    "national_shift_text",
    "capacity_comparison",
    "category_labels",
    "class_count_table",
    "class_shares_by_pilot",
    "departures_by_pilot",
    "flow_count_table",
    "headline",
    "interim_checks",
    "interim_reconciliation",
    "largest_shift",
    "outflow_counts",
    "outflow_flow",
    "scenario_share_total",
    "scenario_shares_by_pilot",
    "scheme_shift",
    "hide_shown_counts",
    "suppress_flow_and_classes",
    "suppress_long",
]

MONITOR = "monitor-2020"
"""Source id of the programme monitor (source 002, *Voortgang LVV's*)."""
VJI = "verwey-jonker-2021"
"""Source id of the Verwey-Jonker interim evaluation (source 000, *Effecten van de LVV*)."""
PEILDATUM = "2020-11-01"
"""Reference date of both sources."""
TOTAL = "total"
SENSITIVITY = "scheme_sensitivity"
"""Output id of the scheme-sensitivity table."""

_AGGREGATES = ("all", "durable", "semi_durable", "temporary", "none", "not_durable")


def _figures(figures: pd.DataFrame | None) -> pd.DataFrame:
    return published.load_figures() if figures is None else figures


def _pilot_order(values: Sequence[str]) -> list[str]:
    return sorted(v for v in set(values) if v != TOTAL) + ([TOTAL] if TOTAL in set(values) else [])


# --------------------------------------------------------------------------- published
def outflow_counts(source_id: str, figures: pd.DataFrame | None = None) -> pd.Series:
    """Outflow of all pilots together per category, as printed by one source.

    Class totals (``durable`` ...) and ``all`` are left out, so the categories
    are disjoint and can be reconciled.

    Parameters
    ----------
    source_id
        ``"monitor-2020"`` or ``"verwey-jonker-2021"``.
    figures
        Published figures (default: the shipped ``figures.csv``).

    Returns
    -------
    pandas.Series
        Persons per category (int), in file order.

    Examples
    --------
    >>> int(outflow_counts("verwey-jonker-2021").sum())   # source 000: 43+50+2+170+20+100+76+76
    537
    >>> int(outflow_counts("monitor-2020").sum())          # source 002: 46+61+164+25+95+7+84
    482
    """
    rows = published.select(source=source_id, measure="outflow", pilot=TOTAL, figures=_figures(figures))
    rows = rows.loc[~rows["category"].astype("str").isin(_AGGREGATES)]
    return pd.Series(
        rows["value"].astype("int64").to_numpy(),
        index=pd.Index(rows["category"].astype("str").to_numpy(), name="category"),
        name=source_id,
    )


def capacity_comparison(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Capacity per pilot: the 2020 letter (source 002) next to Tabel S.1 of 2019 (source 001).

    Returns
    -------
    pandas.DataFrame
        Columns ``pilot`` (pilots sorted, then ``total``), ``capacity_2019``,
        ``capacity_2020`` (places), ``difference`` (2020 - 2019). The total of
        2019 is the sum of the pilots (Tabel S.1 prints no total), the total
        of 2020 the printed 1142.

    Examples
    --------
    >>> t = capacity_comparison().set_index("pilot")
    >>> int(t.loc["utrecht", "difference"]), int(t.loc["total", "capacity_2020"])
    (5, 1142)
    """
    figs = _figures(figures)
    new = published.select(source=MONITOR, measure="capacity", figures=figs)
    old = published.select(source="regioplan-2020", measure="capacity", figures=figs)
    c20 = dict(zip(new["pilot"].astype("str"), new["value"]))
    c19 = {p: v for p, v in zip(old["pilot"].astype("str"), old["value"]) if p != TOTAL}
    c19[TOTAL] = sum(c19.values())
    pilots = _pilot_order(list(c20) + list(c19))
    out = pd.DataFrame(
        {
            "pilot": pilots,
            "capacity_2019": pd.array([c19.get(p) for p in pilots], dtype="Int64"),
            "capacity_2020": pd.array([c20.get(p) for p in pilots], dtype="Int64"),
        }
    )
    out["difference"] = out["capacity_2020"] - out["capacity_2019"]
    return out


def outflow_flow(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who left by 1 November 2020: sheltered - present, against the outflow each source lists.

    Lines: ``sheltered`` (1310, source 002), ``present`` (771, source 002),
    ``left`` (1310 - 771), ``monitor_listed`` (the outflow categories the
    letter lists, 482), ``monitor_not_itemised`` (left - listed: people who
    left for reasons the letter does not name), ``vji_outflow`` (537, seed
    000), ``vji_minus_left`` (537 - 539).

    Returns
    -------
    pandas.DataFrame
        Columns ``line``, ``value`` (persons), ``published`` (True when the
        number is printed, False when derived here), ``derivation``.

    Examples
    --------
    >>> outflow_flow().set_index("line")["value"].to_dict()["monitor_not_itemised"]
    57
    """
    figs = _figures(figures)
    sheltered = int(published.figure("m20-sheltered-total", figs))
    present = int(published.figure("m20-present-total", figs))
    listed = int(outflow_counts(MONITOR, figs).sum())
    vji = int(outflow_counts(VJI, figs).sum())
    left = sheltered - present
    rows = [
        ("sheltered", sheltered, True, "m20-sheltered-total"),
        ("present", present, True, "m20-present-total"),
        ("left", left, False, "sheltered - present"),
        ("monitor_listed", listed, False, "sum of the monitor's outflow categories"),
        ("monitor_not_itemised", left - listed, False, "left - monitor_listed"),
        ("vji_outflow", vji, False, "sum of the Verwey-Jonker outflow categories"),
        ("vji_minus_left", vji - left, False, "vji_outflow - left"),
    ]
    return pd.DataFrame(rows, columns=["line", "value", "published", "derivation"]).astype(
        {"value": "int64", "published": "bool"}
    )


def interim_reconciliation(
    figures: pd.DataFrame | None = None, scheme_a: str = MONITOR, scheme_b: str = VJI
) -> Reconciliation:
    """Reconcile the monitor (a) and Verwey-Jonker (b) outflow of 1 November 2020.

    Uses :func:`lvv_eval.stats.reconcile.reconcile` with the shipped crosswalk and
    explanations; differences are b - a. By default each source is classed
    with its own scheme.

    Examples
    --------
    >>> r = interim_reconciliation()
    >>> r.classes.set_index("class").loc["durable", ["count_a", "count_b", "difference"]].tolist()
    [107, 95, -12]
    """
    figs = _figures(figures)
    return reconcile(
        outflow_counts(MONITOR, figs),
        outflow_counts(VJI, figs),
        scheme_a,
        scheme_b,
        MONITOR,
        VJI,
        explanations=load_explanations(),
        crosswalk=load_crosswalk(),
    )


def departures_by_pilot(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Departures and departure scenarios per pilot, relative to capacity (source 002).

    The letter splits the 61 departures or onward migrations and the 236
    departure scenarios per pilot, but not the residence scenarios, so a
    pilot's share of departure among its scenarios cannot be computed. What
    can be computed is the number per 100 agreed places. Places are not a
    sample of people, so no interval is given.

    Returns
    -------
    pandas.DataFrame
        Columns ``pilot`` (sorted, then ``total``), ``capacity`` (places),
        ``departures``, ``departure_scenarios`` (persons),
        ``departures_per_100_places``, ``departure_scenarios_per_100_places``.

    Examples
    --------
    >>> t = departures_by_pilot().set_index("pilot")
    >>> int(t.loc["total", "departures"]), round(float(t.loc["groningen", "departure_scenarios_per_100_places"]), 1)
    (61, 32.7)
    """
    figs = _figures(figures)

    def per_pilot(measure: str, category: str) -> dict[str, float]:
        rows = published.select(source=MONITOR, measure=measure, category=category, figures=figs)
        return dict(zip(rows["pilot"].astype("str"), rows["value"]))

    cap = per_pilot("capacity", "places")
    dep = per_pilot("outflow", "departure_or_onward_migration")
    scen = per_pilot("scenarios", "departure")
    pilots = _pilot_order(cap)  # type: ignore[arg-type]
    out = pd.DataFrame(
        {
            "pilot": pilots,
            "capacity": pd.array([cap.get(p) for p in pilots], dtype="Int64"),
            "departures": pd.array([dep.get(p) for p in pilots], dtype="Int64"),
            "departure_scenarios": pd.array([scen.get(p) for p in pilots], dtype="Int64"),
        }
    )
    capacity = out["capacity"].astype("float64")
    out["departures_per_100_places"] = 100 * out["departures"].astype("float64") / capacity
    out["departure_scenarios_per_100_places"] = 100 * out["departure_scenarios"].astype("float64") / capacity
    return out


def scenario_share_total(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Shares of departure and residence among the 471 scenarios set (source 002), Wilson CI.

    Examples
    --------
    >>> t = scenario_share_total()
    >>> t["numerator"].tolist(), round(float(t.loc[0, "estimate"]), 3)
    ([236, 235], 0.501)
    """
    figs = _figures(figures)
    return metrics.scenario_shares(
        {TOTAL: published.figure("m20-scenarios-departure-total", figs)},
        {TOTAL: published.figure("m20-scenarios-residence-total", figs)},
        method="wilson",
    )


def interim_checks(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Consistency checks of ``data/published/checks.csv`` on the two sources (ids ``m20-``/``vj21-``).

    Returns
    -------
    pandas.DataFrame
        Columns ``check_id``, ``kind``, ``expected``, ``computed``,
        ``difference``, ``status``, ``message``, ``citation``.
    """
    res = consistency.run_checks(_figures(figures))
    keep = res["check_id"].str.startswith(("m20-", "vj21-"))
    cols = ["check_id", "kind", "expected", "computed", "difference", "status", "message", "citation"]
    return res.loc[keep, cols].reset_index(drop=True)


def headline(figures: pd.DataFrame | None = None) -> dict[str, int]:
    """The headline numbers of the interim notebook, recomputed from the published figures.

    Keys: ``capacity`` (sum of the pilots, 1142), ``capacity_printed``,
    ``durable`` (46 + 61), ``durable_printed`` (107), ``granted`` (46),
    ``departures`` (61), ``departures_pilot_sum`` (2 + 0 + 23 + 30 + 6),
    ``scenarios`` (236 + 235), ``scenarios_printed`` (471), ``vji_durable``
    (43 + 50 + 2), ``monitor_listed`` (482), ``vji_outflow`` (537),
    ``left`` (1310 - 771), and ``class_diff_<class>`` (VJI - monitor per
    class of the reconciliation).

    Examples
    --------
    >>> h = headline()
    >>> h["durable"], h["vji_durable"], h["left"]
    (107, 95, 539)
    """
    figs = _figures(figures)
    f = lambda fid: int(published.figure(fid, figs))  # noqa: E731
    cap = published.select(source=MONITOR, measure="capacity", figures=figs)
    dep = published.select(source=MONITOR, measure="outflow", category="departure_or_onward_migration", figures=figs)
    vji = outflow_counts(VJI, figs)
    recon = interim_reconciliation(figs)
    out = {
        "capacity": int(cap.loc[cap["pilot"].astype("str") != TOTAL, "value"].sum()),
        "capacity_printed": f("m20-capacity-total"),
        "granted": f("m20-granted-total"),
        "departures": f("m20-departure-total"),
        "durable": f("m20-granted-total") + f("m20-departure-total"),
        "durable_printed": f("m20-durable-total"),
        "departures_pilot_sum": int(dep.loc[dep["pilot"].astype("str") != TOTAL, "value"].sum()),
        "scenarios": f("m20-scenarios-departure-total") + f("m20-scenarios-residence-total"),
        "scenarios_printed": f("m20-scenarios-total"),
        "vji_durable": int(vji[["residence_permit", "independent_return", "onward_migration"]].sum()),
        "monitor_listed": int(outflow_counts(MONITOR, figs).sum()),
        "vji_outflow": int(vji.sum()),
        "left": f("m20-sheltered-total") - f("m20-present-total"),
    }
    for cls, diff in zip(recon.classes["class"], recon.classes["difference"]):
        out[f"class_diff_{cls}"] = int(diff)
    return out


# --------------------------------------------------------------------------- person-level
def class_count_table(person_figures: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """Outflow per pilot and class as a count table with margins, for disclosure control.

    Parameters
    ----------
    person_figures
        Long table of :func:`lvv_eval.stats.counts.to_figures` computed with ``scheme``.
    scheme
        Scheme name; its class ids become the columns.

    Returns
    -------
    pandas.DataFrame
        Index ``pilot`` (pilots, then ``total``), one int column per class id
        and ``total`` (all outflow), so it can go to
        :func:`lvv_eval.disclosure.suppression.suppress` with ``margins="auto"``.
    """
    class_ids = [str(c) for c in load_scheme(scheme).class_ids]
    out = person_figures.loc[person_figures["measure"] == "outflow"]
    wide = out.pivot_table(index="pilot", columns="category", values="value", aggfunc="sum")
    table = wide.reindex(index=_pilot_order(wide.index), columns=class_ids + ["all"]).fillna(0).astype("int64")
    table = table.rename(columns={"all": TOTAL})
    table.columns.name = None
    table.index.name = "pilot"
    return table


def class_shares_by_pilot(person_figures: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """Class shares of outflow per pilot (denominator: all who left), Wilson CI.

    Returns
    -------
    pandas.DataFrame
        :func:`lvv_eval.stats.rates.class_shares` output (one row per pilot and
        class, ``total`` last) with a leading ``scheme`` column.
    """
    counts = class_count_table(person_figures, scheme).drop(columns=TOTAL)
    table = metrics.class_shares(counts, denominator="outflow", method="wilson")
    table.insert(0, "scheme", scheme)
    return table


def scenario_shares_by_pilot(person_figures: pd.DataFrame) -> pd.DataFrame:
    """Departure vs residence among scenarios set, per pilot (Wilson CI).

    Denominator: persons with a scenario set by the peildatum (departure +
    residence), not everyone present.
    """
    sc = person_figures.loc[person_figures["measure"] == "scenarios"]
    wide = sc.pivot_table(index="pilot", columns="category", values="value", aggfunc="sum")
    wide = wide.reindex(index=_pilot_order(wide.index))
    wide.index.name = "pilot"
    return metrics.scenario_shares(wide["departure"], wide["residence"], method="wilson")


def flow_count_table(flow: pd.DataFrame) -> pd.DataFrame:
    """Turn :func:`lvv_eval.stats.counts.flow` into a pilot x outcome count table with margins.

    Rows are pilots (then ``total``); columns the ``exited:<x>`` lines, then
    ``present`` and ``total`` (= intake on or before the peildatum, the sum
    of the other columns). The ``exited`` subtotal and the
    ``not_yet_started`` line are left out (the first is a sum of visible
    columns, the second is outside the intake).

    Examples
    --------
    >>> f = pd.DataFrame({"line": ["intake", "exited", "exited:d", "present", "not_yet_started"],
    ...                   "description": [""] * 5, "a": [5, 2, 2, 3, 1], "total": [5, 2, 2, 3, 1]})
    >>> flow_count_table(f).loc["a"].tolist()
    [2, 3, 5]
    """
    lines = [ln for ln in flow["line"] if ln.startswith("exited:")] + ["present", "intake"]
    wide = flow.set_index("line").drop(columns="description").loc[lines].T
    wide = wide.rename(columns={"intake": TOTAL})
    wide.columns = [c.removeprefix("exited:") for c in wide.columns]
    wide.index = pd.Index([str(i) for i in wide.index], name="pilot")
    return wide.reindex(_pilot_order(wide.index)).astype("int64")


def scheme_shift(
    sensitivity: pd.DataFrame,
    scheme_a: str,
    scheme_b: str,
    denominator_kind: str = "outflow",
    threshold: int | None = None,
) -> pd.DataFrame:
    """How much each pilot's durable rate moves between two schemes.

    Parameters
    ----------
    sensitivity
        Output of :func:`lvv_eval.evaluations.common.scheme_sensitivity`
        (columns ``scheme``, ``pilot``, ``denominator_kind``, ``numerator``,
        ``denominator``, ``estimate``).
    scheme_a, scheme_b
        The two schemes (e.g. ``monitor-2020``, which counts forced return
        as durable, and ``verwey-jonker-2021``, which does not).
    denominator_kind
        ``"outflow"`` or ``"intake"``.
    threshold
        Disclosure threshold: a ``moved`` count ``1 <= n < threshold`` is
        hidden (``<NA>``), with secondary suppression against the ``total``
        row, and so are the columns it could be recomputed from
        (``durable_b``, ``estimate_b``, ``shift_pp``). ``None``: nothing hidden.

    Returns
    -------
    pandas.DataFrame
        One row per pilot (``total`` last): ``denominator``, ``durable_a``,
        ``durable_b``, ``estimate_a``, ``estimate_b``, ``shift_pp``
        (100 x (a - b), percentage points), ``moved`` (durable_a - durable_b:
        persons whose class changes). Descriptive only: no test between pilots.

    Examples
    --------
    >>> s = pd.DataFrame({"scheme": ["x", "x", "y", "y"], "pilot": ["p", "total"] * 2,
    ...                   "denominator_kind": "outflow", "numerator": [5, 9, 3, 6],
    ...                   "denominator": [10, 20, 10, 20], "estimate": [.5, .45, .3, .3]})
    >>> t = scheme_shift(s, "x", "y", threshold=3)
    >>> t["moved"].tolist()
    [<NA>, <NA>]
    """
    part = sensitivity.loc[sensitivity["denominator_kind"] == denominator_kind]
    a = part.loc[part["scheme"] == scheme_a].set_index("pilot")
    b = part.loc[part["scheme"] == scheme_b].set_index("pilot")
    pilots = _pilot_order(list(a.index))
    b = b.reindex(pilots)
    a = a.reindex(pilots)
    out = pd.DataFrame(
        {
            "pilot": pilots,
            "denominator": a["denominator"].to_numpy(),
            "durable_a": a["numerator"].to_numpy(),
            "durable_b": b["numerator"].to_numpy(),
            "estimate_a": a["estimate"].to_numpy(dtype="float64"),
            "estimate_b": b["estimate"].to_numpy(dtype="float64"),
        }
    )
    out["shift_pp"] = 100 * (out["estimate_a"] - out["estimate_b"])
    out["moved"] = pd.array(out["durable_a"] - out["durable_b"], dtype="Int64")
    if threshold is not None:
        # Primary and secondary suppression of `moved` against its total row, then
        # hide every column from which a hidden `moved` could be recomputed
        # (durable_b = durable_a - moved; shift_pp x denominator = 100 x moved).
        hidden = (
            disclosure.suppress(
                out[["pilot", "moved"]], count_cols=["moved"], threshold=threshold, row_labels="pilot", missing="hidden"
            )
            .mask["moved"]
            .to_numpy(dtype=bool)
        )
        out["moved"] = out["moved"].mask(hidden)
        for column in ("durable_b", "estimate_b", "shift_pp"):
            out[column] = out[column].mask(hidden)
    return out


def largest_shift(shift: pd.DataFrame) -> str | None:
    """Pilot (not ``total``) whose durable rate moves most in :func:`scheme_shift`; ties: first in order.

    Returns ``None`` when no pilot has a finite shift.

    Examples
    --------
    >>> largest_shift(pd.DataFrame({"pilot": ["a", "b", "total"], "shift_pp": [1.0, -3.0, 2.0]}))
    'b'
    """
    part = shift.loc[shift["pilot"] != TOTAL]
    values = part["shift_pp"].abs().to_numpy(dtype="float64")
    if not np.isfinite(values).any():
        return None
    return str(part["pilot"].iloc[int(np.nanargmax(values))])


def category_labels(labels: Labels, keys: Sequence[str]) -> dict[str, str]:
    """Display text for outflow categories and class ids in the report language.

    Looks each key up in the word list (class ids, ``departure_or_onward_migration``,
    ``other_non_durable``, ``total``), then among the exit-reason codes; unknown
    keys are shown as they are.

    Examples
    --------
    >>> from lvv_eval.reporting.labels import Labels
    >>> category_labels(Labels("en"), ["durable", "stay_terminated", "xyz"])["xyz"]
    'xyz'
    """
    out: dict[str, str] = {}
    for key in keys:
        if labels.has(key):
            out[key] = labels.word(key)
            continue
        try:
            out[key] = labels.exit_reason(key)
        except KeyError:
            out[key] = key
    return out


def suppress_flow_and_classes(
    flow_counts: pd.DataFrame, class_tables: dict[str, pd.DataFrame], threshold: int
) -> tuple[disclosure.SuppressionResult, dict[str, disclosure.SuppressionResult]]:
    """Suppress the flow table and the class count tables of the report together.

    The flow table (:func:`flow_count_table`: classes of the first scheme,
    ``present`` and ``total`` = intake) and the outflow-by-class tables
    (:func:`class_count_table`, one per scheme, ``total`` = outflow) show the
    same people: the first scheme's class counts are in both, and outflow =
    intake - present. A cell hidden in one is therefore hidden in the other
    (a class cell as itself; an outflow total where the flow table hid
    ``present`` or the intake, and the other way round), and the schemes'
    tables are protected against each other by
    :func:`lvv_eval.evaluations.common.suppress_scheme_count_tables`. Repeated
    until nothing changes.

    Returns
    -------
    tuple
        (flow result, {scheme: class-table result}).
    """
    from lvv_eval.evaluations.common import suppress_scheme_count_tables

    first = next(iter(class_tables))
    flow_pre = pd.DataFrame(False, index=flow_counts.index, columns=flow_counts.columns)
    for _ in range(20):
        flow_sup = disclosure.suppress(
            flow_counts.astype("Int64").mask(flow_pre.to_numpy()), threshold=threshold, missing="hidden"
        )
        fm = flow_sup.mask
        hidden = fm.drop(columns=[c for c in ("present", TOTAL) if c in fm.columns]).copy()
        hidden[TOTAL] = fm["present"] | fm[TOTAL] if "present" in fm.columns else fm[TOTAL]
        classes = suppress_scheme_count_tables(class_tables, threshold, hidden=hidden)
        cm = classes[first].mask
        new = flow_pre.copy()
        for col in cm.columns:
            if col == TOTAL:
                continue
            if col in new.columns:
                new[col] = new[col] | cm[col].reindex(new.index, fill_value=False)
        outflow_hidden = cm[TOTAL].reindex(new.index, fill_value=False)
        need_present = outflow_hidden & ~(fm["present"] | fm[TOTAL])
        if "present" in new.columns:
            new["present"] = new["present"] | need_present
        if (new & ~fm).to_numpy().sum() == 0:
            return flow_sup, classes
        flow_pre = new | fm
    return flow_sup, classes


def hide_shown_counts(
    sensitivity: pd.DataFrame, class_results: dict[str, disclosure.SuppressionResult], flow_mask: pd.DataFrame
) -> pd.DataFrame:
    """Hide scheme-sensitivity rates whose durable count or denominator a count table of the report hid.

    For each scheme with a class count table in ``class_results`` (mask
    column ``durable``; ``total`` = outflow), and the flow table's mask
    (``total`` = intake), the rows of that scheme are passed through
    :func:`lvv_eval.evaluations.common.hide_masked_rates` (denominator
    ``outflow`` or ``intake`` per row). Rows of other schemes are unchanged.
    """
    from lvv_eval.evaluations.common import hide_masked_rates

    out = sensitivity.copy()
    if "suppressed" not in out.columns:
        out["suppressed"] = False
    pieces = []
    for name in dict.fromkeys(out["scheme"].astype("str")):
        part = out.loc[(out["scheme"] == name).to_numpy()]
        if name in class_results:
            cm = class_results[name].mask
            mask = pd.DataFrame(
                {
                    "durable": cm["durable"],
                    "outflow": cm[TOTAL],
                    "intake": flow_mask[TOTAL].reindex(cm.index, fill_value=False),
                }
            )
            part = hide_masked_rates(
                part.assign(numerator=part["numerator"].astype("Int64")),
                mask,
                numerator_cell="durable",
                denominator_kind="denominator_kind",
            )
        pieces.append(part)
    return pd.concat(pieces).loc[out.index]


def register_scheme_sensitivity(gate: Gate, raw: pd.DataFrame, protected: pd.DataFrame) -> None:
    """Register the scheme-sensitivity table with the gate, the national total rounded if need be.

    Parameters
    ----------
    gate
        The report's gate.
    raw
        :func:`lvv_eval.evaluations.common.scheme_sensitivity` output (exact counts).
    protected
        The same table after the report's own suppression (hidden cells missing).

    Notes
    -----
    The gate learns the exact values of every row (to link them with the other tables of the report
    and to round the national rows) and keeps every cell ``protected`` hid hidden. Where the national rows would be blank because two schemes differ by
    a few persons, they are released with counts rounded to base 5 (column ``release_form``) and
    without intervals, so the sensitivity stays visible at national level. With one pilot the
    national rows are that pilot's rows (the gate's alias), so nothing is rounded there.
    """
    gate.register(
        SENSITIVITY,
        raw,
        upstream=protected,
        counts=["numerator", "denominator"],
        rates=True,
        versions="scheme",
        version_key=["denominator_kind"],
        margins={"total_row": TOTAL},
        fallback="round5",
        key="pilot",
    )


def check_scheme_sensitivity(gate: Gate, raw: pd.DataFrame, protected: pd.DataFrame) -> CheckedTable:
    """Register the scheme-sensitivity table (:func:`register_scheme_sensitivity`) and release it.

    Returns
    -------
    CheckedTable
        Pilots' rows as the rules leave them, the national rows rounded to base 5 where exact
        ones would be blank.
    """
    register_scheme_sensitivity(gate, raw, protected)
    return gate.release(SENSITIVITY)


def national_shift_text(
    gate: Gate, sensitivity: CheckedTable, L: Labels, scheme_a: str = MONITOR, scheme_b: str = VJI
) -> CheckedText:
    """One sentence: the national durable share of outflow under two schemes, as released.

    The shares come from the checked table (rounded to base 5 where the exact ones would reveal a
    small difference between the schemes); the sentence says which.
    """
    T = Texts("interim", L.language)

    def share(scheme: str) -> CheckedValue:
        return sensitivity.value("estimate", scheme=scheme, pilot=TOTAL, denominator_kind="outflow")

    rounded = (
        "release_form" in sensitivity.frame.columns
        and (sensitivity.frame.loc[(sensitivity.frame["pilot"] == TOTAL), "release_form"] != "exact").any()
    )
    template = T(
        "national_shift_rounded" if rounded else "national_shift",
        a="{a}",
        b="{b}",
        scheme_a=scheme_a,
        scheme_b=scheme_b,
    )
    return gate.text(
        template,
        a=(share(scheme_a), lambda x: L.percent(x, 1)),
        b=(share(scheme_b), lambda x: L.percent(x, 1)),
    )


# --------------------------------------------------------------------------- report 02, person-level part
ALPHA = 0.05
"""Error level of the intervals of the person-level part (95 % intervals)."""
FLOW = "flow_person_level"
COMPARISON = "published_vs_person"
CLASS_SHARES = "class_shares_by_pilot"
SCENARIOS = "scenario_shares_person_level"
CIF = "cumulative_incidence"
STAY = "length_of_stay"
SHIFT = "forced_return_shift"
LATE_INTAKE = "intake_after_peildatum"
VALIDATION = "validation_flow"


@dataclass(frozen=True)
class PersonTables:
    """What :func:`register_person_tables` registered with the gate (nothing is released yet).

    Attributes
    ----------
    schemes
        The schemes of the class tables: the main scheme, then the comparison scheme.
    class_tables
        Scheme -> output id of its outflow-by-class count table.
    scheme
        The main scheme.
    """

    schemes: tuple[str, ...]
    class_tables: dict[str, str]
    scheme: str


def class_table_id(scheme: str) -> str:
    """Output id of the outflow-by-class count table of ``scheme``."""
    return f"outflow_by_class_{load_scheme(scheme).name}"


def _published_comparison(frame: pd.DataFrame, P: NotebookParameters) -> pd.DataFrame:
    from lvv_eval.evaluations.common import published_vs_person

    return pd.concat(
        [published_vs_person(frame, P, source).assign(source=source) for source in (MONITOR, VJI)],
        ignore_index=True,
    )


def register_person_tables(gate: Gate, data: MonitorData, P: NotebookParameters) -> PersonTables:
    """Register every person-level table of report 02 with its gate, before any is released.

    The tables are the validation flow, the flow from intake to outflow class
    (``flow_person_level``), the intake after the peildatum, the comparison with
    the published counts, the outflow-by-class count tables and class shares of
    the main and the comparison scheme, the counselling-scenario shares, the
    cumulative incidence at fixed horizons, the length of stay, the scheme
    sensitivity and the shift of the durable share between the monitor and
    Verwey-Jonker schemes. Each is first protected by its own rules (margins,
    classes of one denominator, differences between schemes) and registered
    with that result as upstream; the gate then suppresses a count hidden in
    one table in every other table showing it, and the notebook releases the
    tables in any order.

    Parameters
    ----------
    gate
        The report's :class:`~lvv_eval.disclosure.gate.Gate`.
    data
        The :class:`~lvv_eval.sources.monitor.MonitorData` read for the report.
    P
        Validated notebook parameters (``comparison_scheme`` among the extras).
    """
    from lvv_eval.evaluations import common
    from lvv_eval.stats import counts as aggregate
    from lvv_eval.stats import survival

    t = P.disclosure_threshold
    frame = data.frame
    pilots = list(P.pilots) or None
    selected = common.analysis_frame(frame, pilots)  # the total of a table is then the total of these pilots
    schemes = tuple(dict.fromkeys([P.scheme, str(P.extra["comparison_scheme"])]))

    gate.register(
        VALIDATION, data.flow, counts=["rows"], key=None, upstream=common.suppress_validation_flow(data.flow, t)
    )

    # the flow table and both schemes' class tables show the same people: suppressed together
    flow = aggregate.flow(frame, P.peildatum, scheme=load_scheme(P.scheme), formal_only=P.formal_only, pilots=pilots)
    flow_counts = flow_count_table(flow)
    figures = {name: common.person_figures(frame, P, scheme=name) for name in schemes}
    class_counts = {name: class_count_table(figures[name], name) for name in schemes}
    flow_sup, class_sup = suppress_flow_and_classes(flow_counts, class_counts, t)
    margins = {"total_row": TOTAL, "total_col": TOTAL}
    register_protected(gate, FLOW, flow_counts, flow_sup.table, margins=margins)
    late = int(flow.loc[flow["line"] == "not_yet_started", TOTAL].iloc[0])
    gate.register(LATE_INTAKE, pd.DataFrame({"pilot": [TOTAL], "n": [late]}), counts=["n"])

    compared = _published_comparison(frame, P)
    register_protected(gate, COMPARISON, compared, suppress_long(compared, t).table, not_counts=["published"])

    raw_shares, shares = [], []
    for name in schemes:
        register_protected(gate, class_table_id(name), class_counts[name], class_sup[name].table, margins=margins)
        raw_shares.append(class_shares_by_pilot(figures[name], name))
        shares.append(common.hide_masked_rates(raw_shares[-1], class_sup[name].mask, denominator_cell=TOTAL))
    register_protected(
        gate,
        CLASS_SHARES,
        pd.concat(raw_shares, ignore_index=True),
        pd.concat(shares, ignore_index=True),
        rates=True,
        group=["scheme", "pilot"],
    )

    scenarios = scenario_shares_by_pilot(figures[P.scheme])
    register_protected(gate, SCENARIOS, scenarios, disclosure.suppress_rates(scenarios, t, group="pilot"))

    cif = survival.cumulative_incidence(
        selected, P.peildatum, load_scheme(P.scheme), by="pilot", formal_only=P.formal_only, alpha=ALPHA
    )
    register_protected(gate, CIF, cif, common.suppress_cif_table(cif, t).table, not_counts=["horizon_days"])

    los = survival.length_of_stay(selected, P.peildatum, by="pilot", formal_only=P.formal_only, alpha=ALPHA)
    los_sup = disclosure.suppress(
        los,
        ["n", "n_events", "n_censored"],
        threshold=t,
        margins={"total_row": TOTAL, "total_col": "n"},
        row_labels="pilot",
    )
    los_table = los_sup.table.copy()
    hidden_row = los_sup.mask.any(axis=1).to_numpy()
    for col in ("median_days", "ci_low", "ci_high"):
        los_table[col] = los_table[col].mask(hidden_row)
    register_protected(
        gate,
        STAY,
        los,
        los_table,
        margins={"total_row": TOTAL, "total_col": "n"},
        derived={c: ("n_events",) for c in ("median_days", "ci_low", "ci_high")},
    )

    sens_raw = common.scheme_sensitivity(frame, P.peildatum, formal_only=P.formal_only, alpha=ALPHA, pilots=pilots)
    sens = disclosure.suppress_rates(sens_raw, t, complement=False)
    sens = hide_shown_counts(sens, class_sup, flow_sup.mask)  # consistent with the count tables
    sens = common.suppress_scheme_differences(sens, t, protect=list(schemes)).table
    register_scheme_sensitivity(gate, sens_raw, sens)
    register_protected(
        gate,
        SHIFT,
        scheme_shift(sens_raw, MONITOR, VJI),
        scheme_shift(sens, MONITOR, VJI, threshold=t),
        counts=["denominator", "durable_a", "durable_b", "moved"],
        derived={
            "estimate_a": ("durable_a", "denominator"),
            "estimate_b": ("durable_b", "denominator"),
            "shift_pp": ("durable_a", "durable_b", "denominator", "moved"),
        },
    )
    return PersonTables(schemes, {name: class_table_id(name) for name in schemes}, P.scheme)


def _level(table: CheckedTable | None = None) -> str:
    """The interval level in percent, from the table's ``ci_level`` column or :data:`ALPHA`."""
    from lvv_eval.evaluations.report_cells import ci_level

    return f"{100 * ci_level(table.frame if table is not None else pd.DataFrame(), ALPHA):g}"


def _method(table: CheckedTable) -> str:
    """The interval method named in the table (``wilson`` -> ``Wilson``)."""
    methods = table.frame["ci_method"].dropna().astype(str)
    method = methods.iloc[0] if len(methods) else ""
    return {"wilson": "Wilson"}.get(method, method)


def show_validation(gate: Gate, L: Labels) -> CaptionedTable:
    """Release and show the reading flow of the monitor file (rows read, excluded, analysed); not written."""
    from lvv_eval.evaluations.showing import checked_view, show_checked

    table = gate.release(VALIDATION)
    return show_checked(None, table, Texts("interim", L.language)("reading_caption"), checked_view(table, L))


def show_flow(gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters) -> list[CaptionedTable]:
    """Release, write and show the flow from intake to outflow class, with its suppressed cells."""
    from lvv_eval.evaluations.showing import checked_view, show_checked, suppressed_cells

    T = Texts("interim", L.language)
    flow = gate.release(FLOW)
    caption = T(
        "flow_caption",
        peildatum=L.date(P.peildatum),
        scheme=load_scheme(P.scheme).name,
        threshold=L.number(gate.threshold),
    )
    return [
        show_checked(writer, flow, caption, checked_view(flow, L)),
        *suppressed_cells(flow, L, T("suppressed_cells")),
    ]


def late_intake_text(gate: Gate, L: Labels) -> CheckedText:
    """The sentence on the intake after the peildatum (not counted), from the released count."""
    T = Texts("interim", L.language)
    n = gate.release(LATE_INTAKE).value("n", pilot=TOTAL)
    return gate.text(T("late_intake", n="{n}"), n=(n, L.number))


def show_comparison(gate: Gate, writer: ReportWriter, L: Labels, sources: dict[str, str]) -> list[CaptionedTable]:
    """Release, write and show the person-level counts next to the published ones."""
    from lvv_eval.evaluations.showing import checked_view, show_checked, suppressed_cells

    T = Texts("interim", L.language)
    table = gate.release(COMPARISON)
    caption = T("comparison_caption", date=L.date(PEILDATUM))
    view = checked_view(
        table,
        L,
        relabel={
            "measure": L.measure,
            "category": lambda c: category_labels(L, [c])[c],
            "source": lambda s: sources.get(s, s),
        },
        formats={"published": L.number, "difference": L.number},
        headers={"person_level": T("col_person_level"), "figure_id": T("col_figure_id")},
    )
    return [show_checked(writer, table, caption, view), *suppressed_cells(table, L, T("suppressed_cells"))]


def show_class_tables(gate: Gate, writer: ReportWriter, L: Labels, tables: PersonTables) -> list[CaptionedTable]:
    """Release, write and show the outflow-by-class count table of each scheme, with its suppressed cells."""
    from lvv_eval.evaluations.showing import checked_view, show_checked, suppressed_cells

    T = Texts("interim", L.language)
    out = []
    for name in tables.schemes:
        table = gate.release(tables.class_tables[name])
        caption = T("class_table_caption", scheme=load_scheme(name).name)
        out.append(show_checked(writer, table, caption, checked_view(table, L)))
        out.extend(suppressed_cells(table, L, T("suppressed_cells")))
    return out


def _share_view(table: CheckedTable, L: Labels, columns: Sequence[str]) -> pd.DataFrame:
    from lvv_eval.evaluations.showing import checked_view, interval_column

    T = Texts("interim", L.language)
    return checked_view(
        table,
        L,
        columns=columns,
        formats={"estimate": L.percent},
        relabel={"category": lambda c: category_labels(L, [c])[c]},
        extra={"ci": interval_column(table, L)},
        headers={"estimate": "share", "ci": T("col_ci", level=_level(table), method=_method(table))},
    )


def show_class_shares(
    gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters
) -> tuple[CaptionedTable, CheckedFigure]:
    """Release, write and show the class shares per pilot, and draw the main scheme's shares."""
    from lvv_eval.evaluations.showing import show_checked
    from lvv_eval.reporting import plots as plotting

    T = Texts("interim", L.language)
    table = gate.release(CLASS_SHARES)
    caption = T("shares_caption", level=_level(table), method=_method(table))
    columns = ["scheme", "pilot", "category", "numerator", "denominator", "estimate", "ci"]
    shown = show_checked(writer, table, caption, _share_view(table, L, columns))
    scheme = load_scheme(P.scheme)
    synthetic = T("synthetic_prefix") if P.is_synthetic else ""

    def draw(frame: pd.DataFrame) -> Figure:
        return plotting.stacked_shares(
            frame.loc[frame["scheme"] == P.scheme],
            category="pilot",
            part="category",
            share="estimate",
            title=T("shares_figure_title", scheme=scheme.name),
            xlabel=T("axis_share_of_outflow"),
            ylabel="",
            footnote=synthetic + T("shares_figure_footnote", peildatum=L.date(P.peildatum)),
            part_order=[str(c) for c in scheme.class_ids],
            labels={p: L.pilot(p) for p in frame["pilot"]},
            part_labels={c: L.outcome_class(P.scheme, c) for c in scheme.class_ids},
            fmt=L.percent,
        )

    figure = gate.figure(CLASS_SHARES, table, draw)
    writer.figure(CLASS_SHARES, figure, title=T("shares_figure_name"))
    return shown, figure


def show_scenario_shares(gate: Gate, writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Release, write and show the departure and residence shares among scenarios set, per pilot."""
    from lvv_eval.evaluations.showing import show_checked

    T = Texts("interim", L.language)
    table = gate.release(SCENARIOS)
    caption = T("scenario_person_caption", level=_level(table), method=_method(table))
    columns = ["pilot", "category", "numerator", "denominator", "estimate", "ci", "suppression_rule"]
    return show_checked(writer, table, caption, _share_view(table, L, columns))


def show_cumulative_incidence(
    gate: Gate, writer: ReportWriter, L: Labels, P: NotebookParameters, frame: pd.DataFrame
) -> tuple[CaptionedTable, CheckedFigure]:
    """Release, write and show the cumulative incidence at fixed horizons (national rows) and draw the curves.

    The curves are drawn for all pilots together, without the classes the table hides nationally
    and without steps resting on fewer than ``threshold`` people at risk.
    """
    from lvv_eval.evaluations import common
    from lvv_eval.evaluations.showing import checked_view, show_checked
    from lvv_eval.reporting import plots as plotting
    from lvv_eval.stats import survival

    T = Texts("interim", L.language)
    table = gate.release(CIF)
    horizons = [L.number(h) for h in dict.fromkeys(table.frame["horizon_days"].dropna().astype(int))]
    methods = table.frame["ci_method"].dropna().astype(str)
    caption = T(
        "cif_caption",
        horizons=join_list(horizons, L.language),
        level=_level(),
        method=methods.iloc[0] if len(methods) else "",
    )
    national = (table.frame["pilot"] == TOTAL).to_numpy()
    view = checked_view(
        table,
        L,
        columns=["outcome", "horizon_days", "n", "n_events", "estimate", "ci_low", "ci_high"],
        relabel={"outcome": lambda c: category_labels(L, [c])[c]},
        formats={c: lambda x: L.number(x, 3) for c in ("estimate", "ci_low", "ci_high")},
    ).loc[national]
    shown = show_checked(writer, table, caption, view)
    scheme = load_scheme(P.scheme)
    hidden = table.frame.loc[table.frame["suppressed"].astype(bool) & national, "outcome"]
    curves = survival.cif_curves(
        common.analysis_frame(frame, P.pilots),
        P.peildatum,
        scheme,
        by=None,
        formal_only=P.formal_only,
        min_at_risk=gate.threshold,
        alpha=ALPHA,
    )
    curves = common.hide_cif_curves(curves, gate.threshold, group="group", hidden=[(TOTAL, o) for o in hidden])
    curves = curves.loc[curves["outcome"] != survival.IN_PROGRAMME]

    def draw(_: pd.DataFrame) -> Figure:
        return plotting.cif_plot(
            curves,
            time="time_days",
            estimate="estimate",
            ci_low="ci_low",
            ci_high="ci_high",
            panel="outcome",
            group="group",
            title=T("cif_figure_title", scheme=scheme.name),
            xlabel=T("axis_months_since_intake"),
            ylabel=T("axis_probability"),
            footnote=T("cif_figure_footnote", peildatum=L.date(P.peildatum), level=_level()),
            panel_order=[str(c) for c in scheme.class_ids],
            panel_labels={c: L.outcome_class(P.scheme, c) for c in scheme.class_ids},
            labels={g: L.pilot(g) for g in curves["group"].astype(str).unique()},
            months=True,
            figsize=(8.0, 3.6),
        )

    figure = gate.figure(CIF, table, draw)
    writer.figure(CIF, figure, title=T("cif_figure_name"))
    return shown, figure


def show_length_of_stay(gate: Gate, writer: ReportWriter, L: Labels) -> list[CaptionedTable]:
    """Release, write and show the median length of stay per pilot, with its suppressed cells."""
    from lvv_eval.evaluations.showing import checked_view, show_checked, suppressed_cells

    T = Texts("interim", L.language)
    table = gate.release(STAY)
    caption = T("los_caption", level=_level())
    view = checked_view(
        table,
        L,
        columns=[c for c in table.frame.columns if c != "ci_method"],
        formats={c: L.number for c in ("median_days", "ci_low", "ci_high")},
    )
    return [show_checked(writer, table, caption, view), *suppressed_cells(table, L, T("suppressed_cells"))]


def show_scheme_sensitivity(gate: Gate, writer: ReportWriter, L: Labels) -> list[CaptionedTable | str]:
    """Release, write and show the scheme sensitivity and the shift between the monitor and Verwey-Jonker.

    Returns the wide table of durable shares of outflow per scheme, the shift table and two lines:
    the pilot whose share moves most and the national shares under both schemes.
    """
    from lvv_eval.evaluations.showing import show_checked
    from lvv_eval.reporting.writer import show_table

    T = Texts("interim", L.language)
    sens = gate.release(SENSITIVITY)
    writer.table(SENSITIVITY, sens, caption=T("sensitivity_caption", level=_level(sens), method=_method(sens)))
    outflow = (sens.frame["denominator_kind"] == "outflow").to_numpy()
    view = sens.view(formats={"estimate": L.percent}).loc[outflow]
    wide = view.pivot(index="pilot", columns="scheme", values="estimate")
    wide = wide.reindex(list(dict.fromkeys(view["pilot"]))).rename(index=L.pilot)
    wide.columns.name, wide.index.name = None, L.word("pilot")
    wide.attrs["checked_view"] = SENSITIVITY  # a view of the released table, reshaped
    shown = show_table(wide, T("sensitivity_title"), kind=sens.kind)

    shift = gate.release(SHIFT)
    scheme_a, scheme_b = load_scheme(MONITOR).name, load_scheme(VJI).name
    shift_view = L.columns(
        shift.view(
            relabel={"pilot": L.pilot},
            formats={
                "estimate_a": lambda x: L.percent(x, 1),
                "estimate_b": lambda x: L.percent(x, 1),
                "shift_pp": lambda x: L.number(x, 1),
            },
        ),
        {
            "durable_a": T("col_durable_scheme", scheme=scheme_a),
            "durable_b": T("col_durable_scheme", scheme=scheme_b),
            "estimate_a": T("col_share_scheme", scheme=scheme_a),
            "estimate_b": T("col_share_scheme", scheme=scheme_b),
            "shift_pp": T("col_shift_pp"),
            "moved": T("col_moved"),
        },
    )
    shift_caption = T("shift_caption", scheme_a=scheme_a, scheme_b=scheme_b)
    shifted = show_checked(writer, shift, shift_caption, shift_view)
    moved_most = largest_shift(shift.frame)
    most = T("largest_shift", pilot=L.pilot(moved_most) if moved_most else T("largest_shift_none"))
    return [shown, shifted, most, str(national_shift_text(gate, sens, L))]


# --------------------------------------------------------------------------- report 02, published part
def source_names(L: Labels) -> dict[str, str]:
    """Display names of the two sources in the report language."""
    T = Texts("interim", L.language)
    return {MONITOR: T("source_monitor"), VJI: T("source_vji")}


def citation(source_id: str, measure: str, figures: pd.DataFrame | None = None) -> str:
    """Where a source prints a measure: the source file's number and the section, e.g. ``002, Voortgang LVV's``.

    Examples
    --------
    >>> citation("regioplan-2020", "capacity")
    '001, Tabel S.1'
    """
    rows = published.select(source=source_id, measure=measure, figures=_figures(figures))
    number = published.load_sources().set_index("source_id").loc[source_id, "source_file"].split("_")[0]
    section = str(rows["locator"].iloc[0]).split(" (")[0]
    return f"{number}, {section}"


def _source_number(source_id: str) -> str:
    return str(published.load_sources().set_index("source_id").loc[source_id, "source_file"]).split("_")[0]


def _date_of(source_id: str, measure: str, figures: pd.DataFrame) -> pd.Timestamp:
    rows = published.select(source=source_id, measure=measure, figures=figures)
    return pd.Timestamp(rows["peildatum"].iloc[0])


def capacity_lines(h: dict[str, int], L: Labels) -> list[str]:
    """The capacity, durable and scenario sums of :func:`headline`, one line each, in the report language."""
    T = Texts("interim", L.language)
    return [
        T("check_capacity", total=h["capacity"], printed=h["capacity_printed"]),
        T(
            "check_durable",
            total=h["durable"],
            granted=h["granted"],
            departures=h["departures"],
            printed=h["durable_printed"],
        ),
        T("check_departures", total=h["departures_pilot_sum"]),
        T("check_scenarios", total=h["scenarios"], printed=h["scenarios_printed"]),
    ]


def reconciliation_lines(h: dict[str, int], L: Labels, figures: pd.DataFrame | None = None) -> list[str]:
    """Verwey-Jonker's durable sum, the itemised outflow of both sources and the class differences."""
    T = Texts("interim", L.language)
    vji = outflow_counts(VJI, _figures(figures))
    parts = " + ".join(str(int(vji[c])) for c in ("residence_permit", "independent_return", "onward_migration"))
    lines = [
        T("check_vji_durable", parts=parts, total=h["vji_durable"]),
        T("check_itemised", monitor=h["monitor_listed"], vji=h["vji_outflow"], left=h["left"]),
    ]
    for cls in ("durable", "temporary", "semi_durable", "none", "total"):
        lines.append(T("check_class_difference", cls=cls, difference=h["class_diff_" + cls]))
    return lines


def show_published_tables(
    writer: ReportWriter, L: Labels, figures: pd.DataFrame | None = None
) -> dict[str, CaptionedTable]:
    """Write and show the capacity, the two outflow tables as printed and the outflow flow (part 1)."""
    from lvv_eval.evaluations.showing import show_exempt

    T = Texts("interim", L.language)
    figs = _figures(figures)
    names = source_names(L)
    category = lambda c: category_labels(L, [c])[c]  # noqa: E731
    capacity = capacity_comparison(figs)
    year_a = _date_of("regioplan-2020", "capacity", figs).year
    year_b = _date_of(MONITOR, "capacity", figs).year
    cap_caption = T(
        "capacity_caption",
        year_a=year_a,
        year_b=year_b,
        cite_a=citation("regioplan-2020", "capacity", figs),
        cite_b=citation(MONITOR, "capacity", figs),
    )
    cap_shown = L.columns(
        capacity.assign(pilot=capacity["pilot"].map(L.pilot)),
        {"capacity_2019": T("col_capacity", year=year_a), "capacity_2020": T("col_capacity", year=year_b)},
    )
    out = {"capacity": show_exempt(writer, "capacity", capacity, cap_caption, cap_shown)}

    printed = published.select(source=[MONITOR, VJI], measure="outflow", figures=figs)
    printed = printed[["source_id", "figure_id", "pilot", "category", "value", "as_printed"]].assign(
        source_id=lambda d: d["source_id"].astype("str"),
        pilot=lambda d: d["pilot"].astype("str"),
        category=lambda d: d["category"].astype("str"),
        value=lambda d: d["value"].astype("int64"),
    )
    printed_caption = T(
        "printed_caption",
        date=L.date(_date_of(MONITOR, "outflow", figs)),
        cite_a=citation(MONITOR, "outflow", figs),
        cite_b=citation(VJI, "outflow", figs),
    )
    printed_shown = L.columns(
        printed.assign(
            source_id=printed["source_id"].map(names),
            pilot=printed["pilot"].map(L.pilot),
            category=printed["category"].map(category),
        ),
        {"source_id": "source", "figure_id": T("col_figure_id")},
    )
    out["outflow_printed"] = show_exempt(
        writer, "outflow_printed", printed, printed_caption, printed_shown, kind="published"
    )

    flow = outflow_flow(figs)
    date = L.date(_date_of(MONITOR, "outflow", figs))
    lines = {line: T(f"line_{line}", date=date) if line == "present" else T(f"line_{line}") for line in flow["line"]}
    flow_caption = T(
        "outflow_flow_caption", date=date, sources=join_list([_source_number(MONITOR), _source_number(VJI)], L.language)
    )
    flow_shown = L.columns(
        flow.assign(line=flow["line"].map(lines), published=flow["published"].map(L.yes_no)),
        {"line": T("col_line"), "derivation": T("col_derivation")},
    )
    out["outflow_flow_published"] = show_exempt(writer, "outflow_flow_published", flow, flow_caption, flow_shown)
    return out


def _gap_numbers(recon: Reconciliation, L: Labels) -> dict[str, str]:
    """The numbers the durable class caption names, taken from the reconciliation."""
    classes = recon.classes.set_index("class")
    cats = recon.categories.set_index("common_category")
    moves = recon.moves
    permit = cats.loc["residence_permit"]
    departure = cats.loc["departure_or_onward_migration"]
    return {
        "gap": L.number(abs(int(classes.loc["durable", "difference"]))),
        "permits_gap": L.number(abs(int(permit["difference"]))),
        "permits_a": L.number(int(permit["count_a"])),
        "permits_b": L.number(int(permit["count_b"])),
        "departure_gap": L.number(abs(int(departure["difference"]))),
        "low": L.number(float(moves["bound_low"].min())),
        "high": L.number(float(moves["bound_high"].max())),
    }


def show_reconciliation(writer: ReportWriter, L: Labels, recon: Reconciliation) -> dict[str, CaptionedTable]:
    """Write and show the reconciliation per category and per class and the explanation used."""
    from lvv_eval.evaluations.showing import show_exempt

    T = Texts("interim", L.language)
    labels = category_labels(L, list(recon.categories["common_category"]) + list(recon.classes["class"]))
    bounds = {
        "count_a": T("col_monitor"),
        "count_b": T("col_vji"),
        "bound_low": T("col_explainable_from"),
        "bound_high": T("col_explainable_to"),
        "unexplained_low": T("col_unexplained_from"),
        "unexplained_high": T("col_unexplained_to"),
    }
    cats = recon.categories.drop(columns=["source_a", "source_b"])
    columns = ["common_category", "count_a", "count_b", "difference", "bound_low", "bound_high"]
    columns += ["unexplained_low", "unexplained_high", "explanation_ids"]
    cats_shown = L.columns(
        cats.assign(common_category=cats["common_category"].map(labels))[columns],
        {"common_category": "category", "explanation_ids": T("col_explanation"), **bounds},
    )
    out = {
        "reconciliation_categories": show_exempt(
            writer, "reconciliation_categories", cats, T("categories_caption"), cats_shown
        )
    }

    classes = recon.classes.drop(columns=["source_a", "source_b"])
    classes_caption = T("classes_caption", scheme_a=MONITOR, scheme_b=VJI, **_gap_numbers(recon, L))
    classes_shown = L.columns(
        classes.assign(**{"class": classes["class"].map(labels)}),
        {
            "class": "outcome",
            "explained_classification": T("col_explained_naming"),
            "explained_moves": T("col_explained_moves"),
            "explained": T("col_explained"),
            **bounds,
        },
    )
    out["reconciliation_classes"] = show_exempt(
        writer, "reconciliation_classes", classes, classes_caption, classes_shown
    )

    columns = ["explanation_id", "common_from_a", "common_to_b", "size_published", "bound_low", "bound_high"]
    moves = recon.moves[[*columns, "description", "citation"]]
    moves_shown = L.columns(
        moves[columns].assign(
            common_from_a=moves["common_from_a"].map(labels), common_to_b=moves["common_to_b"].map(labels)
        ),
        {"explanation_id": T("col_explanation"), **bounds},
    )
    out["reconciliation_explanations"] = show_exempt(
        writer, "reconciliation_explanations", moves, T("moves_caption"), moves_shown
    )
    return out


def show_checks_and_scenarios(
    writer: ReportWriter, L: Labels, figures: pd.DataFrame | None = None
) -> dict[str, CaptionedTable]:
    """Write and show the consistency checks, the published scenario shares and the departures per pilot."""
    from lvv_eval.evaluations.showing import show_exempt

    T = Texts("interim", L.language)
    figs = _figures(figures)
    sources = join_list([_source_number(MONITOR), _source_number(VJI)], L.language)
    checks = interim_checks(figs)
    checks_shown = L.columns(
        checks[["check_id", "kind", "expected", "computed", "status"]],
        {"check_id": T("col_check"), "status": T("col_check_status")},
    )
    out = {
        "consistency_checks": show_exempt(
            writer, "consistency_checks", checks, T("checks_caption", sources=sources), checks_shown
        )
    }

    scen = scenario_share_total(figs)
    level = f"{100 * float(scen['ci_level'].iloc[0]):g}"
    method = {"wilson": "Wilson"}.get(str(scen["ci_method"].iloc[0]), str(scen["ci_method"].iloc[0]))
    scen_caption = T(
        "scenario_published_caption",
        n=L.number(int(scen["denominator"].iloc[0])),
        cite=citation(MONITOR, "scenarios", figs),
        level=level,
        method=method,
    )
    scen_shown = L.columns(
        scen.assign(
            category=scen["category"].map(lambda c: category_labels(L, [c])[c]),
            estimate=scen["estimate"].map(L.percent),
            ci=[L.interval(lo, hi) for lo, hi in zip(scen["ci_low"], scen["ci_high"])],
        )[["category", "numerator", "denominator", "estimate", "ci"]],
        {"estimate": "share", "ci": T("col_ci", level=level, method=method)},
    )
    out["scenario_shares_published"] = show_exempt(writer, "scenario_shares_published", scen, scen_caption, scen_shown)

    dep = departures_by_pilot(figs)
    dep_caption = T("departures_caption", cite=citation(MONITOR, "capacity", figs))
    dep_shown = L.columns(
        dep.assign(pilot=dep["pilot"].map(L.pilot)),
        {
            "departures": T("col_departures"),
            "departure_scenarios": T("col_departure_scenarios"),
            "departures_per_100_places": T("col_departures_per_100"),
            "departure_scenarios_per_100_places": T("col_departure_scenarios_per_100"),
        },
    ).round(1)
    out["departures_by_pilot"] = show_exempt(writer, "departures_by_pilot", dep, dep_caption, dep_shown)
    return out


def draw_published_figures(
    writer: ReportWriter, L: Labels, recon: Reconciliation, figures: pd.DataFrame | None = None
) -> None:
    """Draw and write the two figures of part 1: outflow per category per source, departures per 100 places."""
    import matplotlib.pyplot as plt

    from lvv_eval.reporting import plots as plotting

    T = Texts("interim", L.language)
    figs = _figures(figures)
    names = source_names(L)
    cats = recon.categories
    labels = category_labels(L, list(cats["common_category"]))
    long = cats.loc[cats["common_category"] != TOTAL].melt(
        id_vars="common_category", value_vars=["count_a", "count_b"], var_name="source", value_name="persons"
    )
    long["source"] = long["source"].map({"count_a": MONITOR, "count_b": VJI})
    bar_labels: dict[object, str] = {k: v for k, v in labels.items()}  # widens the key type
    group_labels: dict[object, str] = {k: v for k, v in names.items()}  # widens the key type
    flow = outflow_flow(figs).set_index("line")["value"]
    date = L.date(_date_of(MONITOR, "outflow", figs))
    fig = plotting.grouped_bars(
        long,
        category="common_category",
        group="source",
        value="persons",
        title=T("outflow_figure_title", date=date),
        xlabel=T("axis_persons"),
        ylabel="",
        footnote=T(
            "outflow_figure_footnote",
            cite_a=citation(MONITOR, "outflow", figs),
            cite_b=citation(VJI, "outflow", figs),
            not_itemised=L.number(int(flow["monitor_not_itemised"])),
            left=L.number(int(flow["left"])),
        ),
        order=[c for c in cats["common_category"] if c != TOTAL],
        group_order=[MONITOR, VJI],
        labels=bar_labels,
        group_labels=group_labels,
        horizontal=True,
        fmt=L.number,
        figsize=(7.5, 5.0),
    )
    writer.figure("outflow_monitor_vs_vji", fig, title=T("outflow_figure_name"), kind="published")
    plt.close(fig)

    dep = departures_by_pilot(figs)
    measures = ["departures_per_100_places", "departure_scenarios_per_100_places"]
    dep_long = dep.melt(id_vars="pilot", value_vars=measures, var_name="measure", value_name="per_100_places")
    fig = plotting.grouped_bars(
        dep_long,
        category="pilot",
        group="measure",
        value="per_100_places",
        title=T("departures_figure_title", date=date),
        xlabel="",
        ylabel=T("axis_per_100_places"),
        footnote=T("departures_figure_footnote", cite=citation(MONITOR, "capacity", figs)),
        group_order=measures,
        labels={p: L.pilot(p) for p in dep["pilot"]},
        group_labels={measures[0]: T("col_departures"), measures[1]: T("col_departure_scenarios")},
        fmt=lambda x: L.number(x, 1),
        figsize=(8.5, 4.5),
    )
    writer.figure("departures_per_100_places", fig, title=T("departures_figure_name"), kind="derived")
    plt.close(fig)


def show_claims(writer: ReportWriter, L: Labels) -> CaptionedTable:
    """Write and show the numeric statements of both sources' text, checked against the published figures."""
    from lvv_eval.evaluations.common import source_claims
    from lvv_eval.reporting.writer import show_table

    T = Texts("interim", L.language)
    claims = source_claims([MONITOR, VJI], L)
    writer.table("source_claims", claims, kind="derived", caption=T("claims_caption"))
    return show_table(claims, T("claims_title"), kind="derived")
