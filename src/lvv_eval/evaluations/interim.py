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
crosswalk and explanations), and small helpers for the person-level part
(count tables for disclosure control, class and scenario shares per pilot,
the shift of the durable rate between two schemes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.evaluations.common import checked, suppress_long
from lvv_eval.reference.schemes import load_scheme
from lvv_eval.sources import consistency, published
from lvv_eval.stats import rates as metrics
from lvv_eval.stats.reconcile import Reconciliation, load_crosswalk, load_explanations, reconcile

if TYPE_CHECKING:  # pragma: no cover
    from lvv_eval.disclosure.checked import CheckedTable, CheckedText, CheckedValue
    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.reporting.labels import Labels

__all__ = [
    "MONITOR",
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


def check_scheme_sensitivity(gate: Gate, raw: pd.DataFrame, protected: pd.DataFrame) -> CheckedTable:
    """Release the scheme-sensitivity table through the gate, the national total rounded if need be.

    Parameters
    ----------
    gate
        The report's gate.
    raw
        :func:`lvv_eval.evaluations.common.scheme_sensitivity` output (exact counts).
    protected
        The same table after the report's own suppression (hidden cells missing).

    Returns
    -------
    CheckedTable
        Pilots' rows as the rules leave them; where the national rows would be blank because two
        schemes differ by a few persons, the national rows of every scheme are released with counts
        rounded to base 5 (column ``release_form``) and without intervals, so the sensitivity stays
        visible at national level.
    """
    # The gate learns the exact values of the national rows only (to round them); the pilots' rows
    # stay as the report's own suppression left them, consistent with the tables released before.
    national = (raw["pilot"] == TOTAL).to_numpy()
    if raw.loc[~national, "pilot"].nunique() < 2:
        # one pilot: its rows are the national rows, already protected by the report's own rules
        return checked(gate, "scheme_sensitivity", protected)
    frame = protected.copy()
    for column in ("numerator", "denominator", "estimate"):
        exact = pd.Series(raw[column].to_numpy(), index=frame.index, dtype="Float64")
        frame[column] = pd.Series(frame[column], dtype="Float64").where(~national, exact)
    return gate.check(
        "scheme_sensitivity",
        frame,
        upstream=protected,
        counts=["numerator", "denominator"],
        rates=True,
        versions="scheme",
        version_key=["denominator_kind"],
        margins={"total_row": TOTAL},
        fallback="round5",
        key="pilot",
    )


def national_shift_text(
    gate: Gate, sensitivity: CheckedTable, L: Labels, scheme_a: str = MONITOR, scheme_b: str = VJI
) -> CheckedText:
    """One sentence: the national durable share of outflow under two schemes, as released.

    The shares come from the checked table (rounded to base 5 where the exact ones would reveal a
    small difference between the schemes); the sentence says which.
    """

    def share(scheme: str) -> CheckedValue:
        return sensitivity.value("estimate", scheme=scheme, pilot=TOTAL, denominator_kind="outflow")

    rounded = (
        "release_form" in sensitivity.frame.columns
        and (sensitivity.frame.loc[(sensitivity.frame["pilot"] == TOTAL), "release_form"] != "exact").any()
    )
    note = L(" (aantallen afgerond op veelvouden van 5)", " (counts rounded to multiples of 5)") if rounded else ""
    template = L(
        f"Landelijk aandeel bestendig van de uitstroom: {{a}} onder {scheme_a}, {{b}} onder {scheme_b}",
        f"National durable share of outflow: {{a}} under {scheme_a}, {{b}} under {scheme_b}",
    )
    return gate.text(
        template + note + ".",
        a=(share(scheme_a), lambda x: L.percent(x, 1)),
        b=(share(scheme_b), lambda x: L.percent(x, 1)),
    )
