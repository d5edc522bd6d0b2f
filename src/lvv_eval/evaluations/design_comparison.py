"""Building blocks of notebook ``04_designs``: comparing the pilot designs.

The design that can be compared with the published sources is *LVV only*
against *LVV plus a municipal night shelter (BBB) kept open in parallel*:
Eindhoven kept its BBB open and participation in its LVV is voluntary; the
other four pilots closed theirs (source 002 "Doelstellingen en doelgroep van de
LVV", para. 3; source 001 "Alternatieve opvang van invloed op resultaten LVV").
Whether a pilot offers 24-hour shelter is not stated per pilot in the seeds
(``data/published/pilot_designs.md``).

Every design attribute is the same for everyone in a pilot, so every table
here describes *sites*; nothing is a design effect (see
:mod:`lvv_eval.stats.sites.few_sites`). The functions only arrange what
:mod:`lvv_eval.sources.designs`, :mod:`lvv_eval.stats.sites.compare`, :mod:`lvv_eval.stats.sites.case_mix`,
:mod:`lvv_eval.stats.survival` and :mod:`lvv_eval.stats.counts` compute, and apply
disclosure control to the derived tables the package does not cover
(group differences, cumulative incidences, standardised shares).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lvv_eval.disclosure.checked import CheckedTable
from lvv_eval.disclosure.gate import Gate
from lvv_eval.errors import ArgumentError, UnknownNameError
from lvv_eval.evaluations import common
from lvv_eval.evaluations.wording import LANGUAGES, Texts
from lvv_eval.reporting.formatting import join_list
from lvv_eval.reporting.labels import Labels
from lvv_eval.sources import published
from lvv_eval.sources.designs import (
    ATTRIBUTE_NAMES,
    DEFAULT_DESIGNS_FILE,
    UNKNOWN_LABEL,
    designs_at,
    group_pilots,
    value_label,
)
from lvv_eval.stats.occupancy import present_against_capacity
from lvv_eval.stats.sites.case_mix import CATEGORICAL, COVARIATES, CaseMixData
from lvv_eval.stats.sites.compare import CompareResult, compare_groups
from lvv_eval.stats.sites.few_sites import min_permutation_p

if TYPE_CHECKING:
    from lvv_eval.reporting.parameters import NotebookParameters
    from lvv_eval.reporting.writer import CaptionedTable, ReportWriter
    from lvv_eval.sources.monitor import MonitorData

GROUP_COLUMN: str = "design_group"
"""Column added to a monitor frame by :func:`with_design_group`."""

DESIGNS_FILE: Path = DEFAULT_DESIGNS_FILE
"""The shipped design table (``data/published/pilot_designs.csv``), cited in the report."""

HEADLINE_ATTRIBUTE: str = "parallel_bbb"
"""The design contrast of the published headline (Eindhoven against the other four)."""

PUBLISHED_SOURCES: tuple[str, ...] = ("regioplan-2020", "monitor-2020")
"""Sources with per-pilot figures: 2019 Tabel S.1/S.2 (source 001) and the 2020 monitor (source 002)."""

PUBLISHED_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("regioplan-2020", "capacity", "places"),
    ("regioplan-2020", "intake", "all"),
    ("regioplan-2020", "occupancy", "persons"),
    ("regioplan-2020", "free_places", "places"),
    ("regioplan-2020", "occupancy_rate", "of_capacity"),
    ("regioplan-2020", "free_places_rate", "of_capacity"),
    ("regioplan-2020", "outflow", "durable"),
    ("regioplan-2020", "outflow_share_of_intake", "durable"),
    ("monitor-2020", "capacity", "places"),
    ("monitor-2020", "scenarios", "departure"),
    ("monitor-2020", "outflow", "departure_or_onward_migration"),
)
"""(source, measure, category) of the per-pilot published figures shown side by side."""

_COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "level": ("Niveau", "Level"),
    "group": ("Groep", "Group"),
    GROUP_COLUMN: ("Groep", "Group"),
    "group_a": ("Groep a", "Group a"),
    "group_b": ("Groep b", "Group b"),
    "numerator_a": ("Teller a", "Numerator a"),
    "denominator_a": ("Noemer a", "Denominator a"),
    "numerator_b": ("Teller b", "Numerator b"),
    "denominator_b": ("Noemer b", "Denominator b"),
    "attribute": ("Kenmerk", "Attribute"),
    "n_unknown": ("Aantal niet gepubliceerd", "Number not published"),
    "departures": ("Vertrek", "Departures"),
    "departure_scenarios": ("Vertrekscenario's", "Departure scenarios"),
    "ratio": ("Verhouding", "Ratio"),
    "population": ("Populatie", "Population"),
    "n": ("Aantal", "Number"),
    "horizon_days": ("Horizon (dagen)", "Horizon (days)"),
    "se": ("Standaardfout", "Standard error"),
    "suppressed": ("Onderdrukt", "Suppressed"),
    "suppression_rule": ("Regel onderdrukking", "Suppression rule"),
    "events": ("Bestendig (aantal)", "Durable (number)"),
    "crude_share": ("Ruw aandeel", "Crude share"),
    "standardised_share": ("Gestandaardiseerd aandeel", "Standardised share"),
    "raw_share": ("Ruw aandeel", "Raw share"),
    "shrunken_share": ("Gekrompen aandeel", "Shrunken share"),
    "site_effect": ("Pilotterm (logit)", "Site term (logit)"),
    "site_effect_sd": ("SD pilotterm", "SD site term"),
    "between_site_sd": ("SD tussen pilots", "Between-site SD"),
    "label": ("Duiding", "Reading"),
    "n_variants": ("Aantal varianten", "Number of variants"),
    "min_estimate": ("Kleinste schatting", "Smallest estimate"),
    "max_estimate": ("Grootste schatting", "Largest estimate"),
    "term": ("Term", "Term"),
    "role": ("Rol", "Role"),
    "odds_ratio": ("Odds ratio", "Odds ratio"),
    "or_ci_low": ("Ondergrens 95%-BI", "Lower bound 95% CI"),
    "or_ci_high": ("Bovengrens 95%-BI", "Upper bound 95% CI"),
    "p_value": ("p-waarde (covariaat)", "p-value (covariate)"),
    "covariate": ("Covariaat", "Covariate"),
    "reason": ("Reden", "Reason"),
    "item": ("Onderdeel", "Item"),
}


# --------------------------------------------------------------------------- labels


def group_label(label: str, labels: Labels | None = None) -> str:
    """Display text of a group label (``yes``/``no``/``unknown`` translated, codes kept).

    Without ``labels`` the label is returned unchanged; otherwise
    :meth:`lvv_eval.reporting.labels.Labels.group`.

    Examples
    --------
    >>> group_label("yes"), group_label("municipality")
    ('yes', 'municipality')
    """
    if labels is None:
        return str(label)
    return labels.group(label)


def readable(frame: pd.DataFrame, labels: Labels, scheme: str | None = None) -> pd.DataFrame:
    """Translate the values of known columns and the column names for display.

    ``pilot`` (also comma-separated lists) becomes pilot names, ``group`` the
    translated group label, ``measure`` its label, ``category`` the outcome
    class name (``scheme``) or the word-list label; then
    :meth:`lvv_eval.reporting.labels.Labels.columns`. Values without a label stay as they are.
    """
    out = frame.copy()

    def _pilots(v: object) -> str:
        parts = [p for p in str(v).split(",") if p]
        try:
            return ", ".join(labels.pilot(p) for p in parts)
        except KeyError:
            return str(v)

    def _word(v: object) -> str:
        return labels.measure(str(v)) if labels.has(str(v)) else str(v)

    def _category(v: object) -> str:
        if scheme is not None:
            try:
                return labels.outcome_class(scheme, str(v))
            except KeyError:
                pass
        return _word(v)

    for col in out.columns:
        if col in ("pilot", "pilots"):
            out[col] = out[col].map(_pilots)
        elif col in ("group", "group_a", "group_b", GROUP_COLUMN, "value", "population"):
            out[col] = out[col].map(lambda v: group_label(str(v), labels))
        elif col in ("measure", "outcome"):
            out[col] = out[col].map(_category if col == "outcome" else _word)
        elif col == "category":
            out[col] = out[col].map(_category)
    mapping = {c: labels(*_COLUMN_WORDS[c]) for c in out.columns if c in _COLUMN_WORDS}
    return labels.columns(out, mapping)


# --------------------------------------------------------------------------- design table


def design_long(date: str | pd.Timestamp, designs: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """The design table at a date in long form, with the source of every value.

    Returns
    -------
    pandas.DataFrame
        ``attribute, pilot, value, source``: one row per attribute of
        :data:`lvv_eval.sources.designs.ATTRIBUTE_NAMES` and pilot; ``value`` as in
        :func:`lvv_eval.sources.designs.value_label` (``unknown`` = not published);
        ``source`` the source file + paragraph (empty when unknown). Attributes
        in table order, pilots sorted.

    Examples
    --------
    >>> t = design_long("2020-11-01").set_index(["attribute", "pilot"])
    >>> t.loc[("parallel_bbb", "eindhoven"), "value"], t.loc[("shelter_24h", "utrecht"), "value"]
    ('yes', 'unknown')
    """
    table = designs_at(date, designs)
    rows = []
    for attr in ATTRIBUTE_NAMES:
        for rec in table.itertuples(index=False):
            r = rec._asdict()
            value = r[attr]
            source = r[f"{attr}_source"]
            known = value_label(value) != UNKNOWN_LABEL
            rows.append(
                {
                    "attribute": attr,
                    "pilot": str(r["pilot"]),
                    "value": value_label(value),
                    "source": str(source) if known and not pd.isna(source) else "",
                }
            )
    return pd.DataFrame(rows, columns=["attribute", "pilot", "value", "source"])


def design_matrix(
    date: str | pd.Timestamp, designs: pd.DataFrame | str | Path | None = None, labels: Labels | None = None
) -> pd.DataFrame:
    """Attributes as rows, pilots as columns, values as text (translated with ``labels``)."""
    long = design_long(date, designs)
    long["value"] = long["value"].map(lambda v: group_label(v, labels))
    wide = long.pivot(index="attribute", columns="pilot", values="value")
    wide = wide.loc[[a for a in ATTRIBUTE_NAMES if a in wide.index]]
    wide.columns.name = None
    if labels is not None:
        wide = wide.rename(columns=lambda p: labels.pilot(p))
    return wide


def unknown_attributes(date: str | pd.Timestamp, designs: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Which attributes are not published for which pilots.

    Returns
    -------
    pandas.DataFrame
        ``attribute, n_unknown, pilots`` (comma-separated codes), only
        attributes with at least one unknown value, in table order.

    Examples
    --------
    >>> unknown_attributes("2019-12-31").set_index("attribute").loc["shelter_24h", "n_unknown"]
    np.int64(5)
    """
    long = design_long(date, designs)
    unk = long.loc[long["value"] == UNKNOWN_LABEL]
    rows = [
        {"attribute": a, "n_unknown": len(g), "pilots": ",".join(sorted(g["pilot"]))}
        for a, g in unk.groupby("attribute", sort=False)
    ]
    out = pd.DataFrame(rows, columns=["attribute", "n_unknown", "pilots"])
    order = {a: i for i, a in enumerate(ATTRIBUTE_NAMES)}
    out = out.sort_values("attribute", key=lambda s: s.map(order), ignore_index=True)
    out["n_unknown"] = out["n_unknown"].astype("int64")
    return out


# --------------------------------------------------------------------------- published figures


def published_design_figures(attribute: str = HEADLINE_ATTRIBUTE, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-pilot published figures of 2019 (source 001) and 2020 (source 002), with the design group.

    Returns
    -------
    pandas.DataFrame
        ``pilot, group, source_id, peildatum, measure, category, value, unit,
        figure_id, locator`` for :data:`PUBLISHED_MEASURES`; the group is that
        of ``attribute`` at the figure's peildatum. Sorted by pilot, then the
        order of :data:`PUBLISHED_MEASURES`.
    """
    figs = figures if figures is not None else published.load_figures()
    order = {key: i for i, key in enumerate(PUBLISHED_MEASURES)}
    keys = list(zip(figs["source_id"].astype(str), figs["measure"].astype(str), figs["category"].astype(str)))
    keep = np.array([k in order for k in keys]) & (figs["pilot"].astype(str) != "total").to_numpy()
    sel = figs.loc[keep].copy()
    sel["_o"] = [order[k] for k, m in zip(keys, keep) if m]
    dates = pd.to_datetime(sel["peildatum"]).dt.strftime("%Y-%m-%d")
    groups = {d: group_pilots(attribute, d) for d in sorted(set(dates))}
    sel["group"] = [groups[d].get(str(p), UNKNOWN_LABEL) for d, p in zip(dates, sel["pilot"])]
    sel = sel.sort_values(["pilot", "_o"], ignore_index=True)
    cols = ["pilot", "group", "source_id", "peildatum", "measure", "category", "value", "unit", "figure_id", "locator"]
    out = sel[cols].copy()
    out["pilot"] = out["pilot"].astype(str)
    for c in ("source_id", "measure", "category", "unit", "figure_id", "locator"):
        out[c] = out[c].astype(str)
    out["peildatum"] = pd.to_datetime(out["peildatum"]).dt.strftime("%Y-%m-%d")
    return out


def published_wide(long: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """One row per pilot, one column per published figure (label with its peildatum year)."""

    def _name(rec: Any) -> str:
        text = labels.measure(rec.measure)
        if rec.category not in ("places", "persons", "of_capacity", "all"):
            text += " – " + (labels.measure(rec.category) if labels.has(rec.category) else rec.category)
        if rec.unit == "percent":
            text += " (%)"
        return f"{text} {rec.peildatum[:4]}"

    tab = long.assign(column=[_name(r) for r in long.itertuples(index=False)])
    cols = list(dict.fromkeys(tab["column"]))
    wide = tab.pivot(index=["pilot", "group"], columns="column", values="value")[cols].reset_index()
    wide.columns.name = None
    return wide


def departures_per_scenario(attribute: str = HEADLINE_ATTRIBUTE, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Departures (incl. onward migration) per departure scenario, 2020 monitor (source 002).

    A ratio, not a proportion: the departures may include people without a
    departure scenario, so no interval is given.

    Returns
    -------
    pandas.DataFrame
        ``level, group, pilot, departures, departure_scenarios, ratio``; pilot
        rows, then one pooled row per group (``pilot`` lists its members).

    Examples
    --------
    >>> t = departures_per_scenario().set_index(["level", "pilot"])
    >>> int(t.loc[("pilot", "eindhoven"), "departures"]), int(t.loc[("pilot", "eindhoven"), "departure_scenarios"])
    (0, 17)
    """
    long = published_design_figures(attribute, figures)
    m = long.loc[long["source_id"] == "monitor-2020"]
    dep = m.loc[m["measure"] == "outflow"].set_index("pilot")["value"]
    scen = m.loc[m["measure"] == "scenarios"].set_index("pilot")["value"]
    grp = m.drop_duplicates("pilot").set_index("pilot")["group"]
    pilots = sorted(set(dep.index) & set(scen.index))
    rows = [
        {
            "level": "pilot",
            "group": grp[p],
            "pilot": p,
            "departures": float(dep[p]),
            "departure_scenarios": float(scen[p]),
        }
        for p in pilots
    ]
    for g in sorted({grp[p] for p in pilots}):
        members = [p for p in pilots if grp[p] == g]
        rows.append(
            {
                "level": "group",
                "group": g,
                "pilot": ",".join(members),
                "departures": float(sum(dep[p] for p in members)),
                "departure_scenarios": float(sum(scen[p] for p in members)),
            }
        )
    out = pd.DataFrame(rows, columns=["level", "group", "pilot", "departures", "departure_scenarios"])
    out["ratio"] = out["departures"] / out["departure_scenarios"].where(out["departure_scenarios"] > 0)
    return out


def _rate(rates: pd.DataFrame, level: str, who: str, measure: str, category: str) -> pd.Series:
    key = "pilot" if level == "pilot" else "group"
    hit = rates.loc[
        (rates["level"] == level)
        & (rates[key] == who)
        & (rates["measure"] == measure)
        & (rates["category"] == category)
    ]
    if len(hit) != 1:
        raise UnknownNameError(f"no single {level} row {who!r} {measure}/{category}")
    return hit.iloc[0]


def headline_figures(figures_path: str | Path | None = None) -> dict[str, Any]:
    """The published headline of the design comparison, recomputed from ``figures.csv``.

    Eindhoven (the only pilot with a parallel BBB) against the other four, from
    2019 Tabel S.1 (source 001) and the 2020 monitor (source 002), plus the
    smallest permutation p-values reachable with 1 and 2 of 5 sites
    (:func:`lvv_eval.stats.sites.few_sites.min_permutation_p`).

    Returns
    -------
    dict
        Counts as ints, shares as floats (not rounded); keys
        ``eindhoven_capacity, eindhoven_intake, eindhoven_occupancy, eindhoven_free,
        eindhoven_free_rate, eindhoven_free_rate_printed, others_pilots,
        others_capacity, others_intake, others_intake_per_place,
        others_free_pilots, others_free, others_free_capacity,
        others_free_rate, eindhoven_departure_scenarios, eindhoven_departures,
        others_departure_scenarios, others_departures, min_p_1_of_5, min_p_2_of_5``.

    Examples
    --------
    >>> h = headline_figures()
    >>> h["eindhoven_intake"], h["eindhoven_capacity"], h["eindhoven_free"], h["min_p_1_of_5"]
    (33, 130, 100, 0.2)
    """
    res = compare_groups("regioplan-2020", HEADLINE_ATTRIBUTE, figures_path=figures_path)
    r = res.rates
    e_int = _rate(r, "pilot", "eindhoven", "intake_per_place", "of_capacity")
    e_free = _rate(r, "pilot", "eindhoven", "free_places_rate", "of_capacity")
    e_occ = _rate(r, "pilot", "eindhoven", "occupancy_rate", "of_capacity")
    o_int = _rate(r, "group", "no", "intake_per_place", "of_capacity")
    o_free = _rate(r, "group", "no", "free_places_rate", "of_capacity")
    figs = published.load_figures(figures_path) if figures_path else published.load_figures()
    dep = departures_per_scenario(HEADLINE_ATTRIBUTE, figs).set_index(["level", "group"])
    e_dep = dep.loc[("pilot", "yes")]
    o_dep = dep.loc[("group", "no")]
    printed = figs.loc[figs["figure_id"].astype(str) == "r20-free-rate-eindhoven", "value"]
    return {
        "eindhoven_capacity": int(e_int["denominator"]),
        "eindhoven_intake": int(e_int["numerator"]),
        "eindhoven_occupancy": int(e_occ["numerator"]),
        "eindhoven_free": int(e_free["numerator"]),
        "eindhoven_free_rate": float(e_free["estimate"]),
        "eindhoven_free_rate_printed": int(printed.iloc[0]) if len(printed) else None,
        "others_pilots": str(o_int["pilot"]),
        "others_capacity": int(o_int["denominator"]),
        "others_intake": int(o_int["numerator"]),
        "others_intake_per_place": float(o_int["estimate"]),
        "others_free_pilots": str(o_free["pilot"]),
        "others_free": int(o_free["numerator"]),
        "others_free_capacity": int(o_free["denominator"]),
        "others_free_rate": float(o_free["estimate"]),
        "eindhoven_departure_scenarios": int(e_dep["departure_scenarios"]),
        "eindhoven_departures": int(e_dep["departures"]),
        "others_departure_scenarios": int(o_dep["departure_scenarios"]),
        "others_departures": int(o_dep["departures"]),
        "min_p_1_of_5": min_permutation_p(5, 1),
        "min_p_2_of_5": min_permutation_p(5, 2),
    }


# --------------------------------------------------------------------------- person level


def with_design_group(
    frame: pd.DataFrame, attribute: str, date: str | pd.Timestamp, designs: pd.DataFrame | str | Path | None = None
) -> pd.DataFrame:
    """Copy of a monitor frame with :data:`GROUP_COLUMN` = the pilot's group label at ``date``.

    Pilots without a design row get ``unknown``.
    """
    groups = group_pilots(attribute, date, designs)
    labels = frame["pilot"].astype(str).map(lambda p: groups.get(p, UNKNOWN_LABEL))
    return frame.assign(**{GROUP_COLUMN: labels.astype(str)})


def occupancy_series(
    frame: pd.DataFrame,
    attribute: str,
    peildatum: str | pd.Timestamp,
    designs: pd.DataFrame | str | Path | None = None,
    start: str | pd.Timestamp = "2019-03-01",
) -> pd.DataFrame:
    """Persons present on the first of each month, with the capacity valid then.

    Parameters
    ----------
    frame
        Typed monitor frame.
    attribute
        Design attribute giving the groups.
    peildatum
        Last date of the grid.
    designs
        Design table, for the groups; the capacity in force on each date comes from the one
        published history (:func:`lvv_eval.sources.capacity.capacity_on`: Utrecht 230 until
        2020-10-31, 235 from 2020-11-01).
    start
        First date of the grid (the earliest pilot start, source 000).

    Returns
    -------
    pandas.DataFrame
        ``date, level (pilot|group), unit (pilot code or group label), present,
        capacity, occupancy_rate`` (present / capacity). Group rows sum their
        pilots. Sorted by level, unit, date.
    """
    st = present_against_capacity(frame, start, peildatum)
    st["capacity"] = st["capacity"].astype("float64")
    groups = group_pilots(attribute, peildatum, designs)
    st["group"] = st["pilot"].map(lambda p: groups.get(p, UNKNOWN_LABEL))
    pil = st.assign(level="pilot", unit=st["pilot"])[["date", "level", "unit", "present", "capacity"]]
    grp = (
        st.groupby(["group", "date"], sort=True)
        .agg(present=("present", "sum"), capacity=("capacity", "sum"))
        .reset_index()
    )
    grp = grp.assign(level="group", unit=grp["group"])[["date", "level", "unit", "present", "capacity"]]
    out = pd.concat([pil, grp], ignore_index=True)
    out["present"] = out["present"].astype("int64")
    out["occupancy_rate"] = out["present"] / out["capacity"].where(out["capacity"] > 0)
    return out.sort_values(
        ["level", "unit", "date"],
        key=lambda s: s.map({"pilot": 0, "group": 1}) if s.name == "level" else s,
        ignore_index=True,
    )


def count_tables(counts: pd.DataFrame, class_ids: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wide person-level count tables for disclosure control.

    Parameters
    ----------
    counts
        Output of :func:`lvv_eval.stats.sites.compare.person_counts`.
    class_ids
        Outcome classes of the scheme, in order.

    Returns
    -------
    (uptake, outflow)
        ``uptake``: index pilot (+ ``total``), columns ``capacity`` (places),
        ``intake``, ``occupancy`` (persons). ``outflow``: index pilot (+
        ``total``), one column per class (and ``unclassified`` if present)
        and ``total`` (all exits). Counts as int64.
    """
    wide = counts.pivot_table(index="pilot", columns=["measure", "category"], values="value", aggfunc="sum", sort=True)

    def col(m: str, c: str) -> pd.Series:
        return wide[(m, c)] if (m, c) in wide.columns else pd.Series(0.0, index=wide.index)

    uptake = pd.DataFrame(
        {
            "capacity": col("capacity", "places"),
            "intake": col("intake", "all"),
            "occupancy": col("occupancy", "persons"),
        }
    )
    classes = list(class_ids) + (["unclassified"] if ("outflow", "unclassified") in wide.columns else [])
    outflow = pd.DataFrame({c: col("outflow", c) for c in classes})
    outflow["total"] = col("outflow", "all")
    res = []
    for t in (uptake, outflow):
        t = t.fillna(0).astype("int64")
        t.loc["total"] = t.sum()
        t.index.name = "pilot"
        res.append(t)
    return res[0], res[1]


def _small(k: pd.Series, threshold: int) -> pd.Series:
    k = pd.to_numeric(k, errors="coerce").astype("float64")
    return (k >= 1) & (k < threshold)


def suppress_differences(diffs: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide group differences that would reveal a small count.

    A difference is hidden (``estimate, ci_low, ci_high`` and the numerators
    set missing) when a numerator, or a denominator minus its numerator, of
    either group is ``1 <= n < threshold`` (the same rule as
    :func:`lvv_eval.disclosure.suppression.suppress_rates`; a shown difference and the
    other group's share would give the hidden share back). Adds
    ``suppressed`` and ``suppression_rule``.

    Examples
    --------
    >>> d = pd.DataFrame({"numerator_a": [50, 50], "denominator_a": [500, 500],
    ...                   "numerator_b": [2, 20], "denominator_b": [40, 40],
    ...                   "estimate": [-0.05, 0.4], "ci_low": [-0.1, 0.2], "ci_high": [0.1, 0.5]})
    >>> suppress_differences(d, 10)["suppressed"].tolist()
    [True, False]
    """
    out = diffs.copy()
    hide = pd.Series(False, index=out.index)
    for side in ("a", "b"):
        k = pd.to_numeric(out[f"numerator_{side}"]).astype("float64")
        n = pd.to_numeric(out[f"denominator_{side}"]).astype("float64")
        hide |= _small(k, threshold) | _small(n - k, threshold)
    for c in ("estimate", "ci_low", "ci_high", "numerator_a", "numerator_b"):
        if c in out.columns:
            out[c] = out[c].astype("float64").mask(hide)
    out["suppressed"] = hide.to_numpy()
    out["suppression_rule"] = np.where(hide, f"primary: a count behind the difference < {threshold}", "")
    return out


def plottable_curves(
    curves: pd.DataFrame,
    incidence: pd.DataFrame,
    group: str,
    threshold: int,
    hidden: pd.Series | None = None,
) -> pd.DataFrame:
    """Keep the CIF curves of (group, outcome) pairs with at least ``threshold`` events.

    The event count of a pair is the largest ``n_events`` over the horizons of
    :func:`lvv_eval.stats.survival.cumulative_incidence`; ``in_programme`` curves and
    pairs with fewer events are dropped (a step curve shows every event), and so
    is the ``total`` group (with one small group it hides the other group's curve).
    With ``hidden`` (per row of ``incidence``: a cell of it is suppressed, e.g. the
    ``mask`` of the released table), a pair with any hidden row is dropped too: its curve
    would show the suppressed value at that horizon.
    """
    inc = incidence.dropna(subset=["n_events"])
    events = inc.groupby([group, "outcome"], sort=True)["n_events"].max()
    ok = {k for k, v in events.items() if int(v) >= threshold}
    if hidden is not None:
        flagged = incidence.loc[hidden.to_numpy(dtype=bool)]
        ok -= set(zip(flagged[group], flagged["outcome"]))
    keep = [(g, o) in ok and str(g) != "total" for g, o in zip(curves[group], curves["outcome"])]
    return curves.loc[keep].reset_index(drop=True)


def suppress_shares(
    table: pd.DataFrame,
    threshold: int,
    *,
    events: str = "events",
    n: str = "n",
    columns: Sequence[str] = ("events", "crude_share", "standardised_share", "ci_low", "ci_high"),
) -> pd.DataFrame:
    """Hide per-pilot shares with ``1 <= events < threshold`` or ``1 <= n - events < threshold``.

    For the ``standardised`` table of :class:`lvv_eval.stats.sites.case_mix.CaseMixResult`
    (default columns) or the table of :func:`lvv_eval.stats.sites.few_sites.partial_pooling`
    (``columns=("events", "raw_share", "shrunken_share", "site_effect")``).
    Adds ``suppressed``.

    Examples
    --------
    >>> t = pd.DataFrame({"n": [20, 100], "events": [2, 30], "crude_share": [0.1, 0.3]})
    >>> suppress_shares(t, 10)["crude_share"].isna().tolist()
    [True, False]
    """
    out = table.copy()
    k = pd.to_numeric(out[events]).astype("float64")
    total = pd.to_numeric(out[n]).astype("float64")
    hide = _small(k, threshold) | _small(total - k, threshold)
    for c in columns:
        if c in out.columns:
            out[c] = out[c].astype("float64").mask(hide)
    out["suppressed"] = hide.to_numpy()
    return out


def plot_rows(rates: pd.DataFrame, measure: str, category: str, labels: Labels) -> pd.DataFrame:
    """Pilot rows then group rows of one measure, with a display label per bar.

    Returns
    -------
    pandas.DataFrame
        ``label, estimate, ci_low, ci_high, numerator, denominator``; pilot
        rows are labelled by pilot name, group rows by the translated group
        label and the word for group (e.g. ``'Groep: nee'``). Order: pilots
        sorted, then groups sorted.
    """
    sel = rates.loc[(rates["measure"] == measure) & (rates["category"] == category)].copy()
    sel["_o"] = sel["level"].map({"pilot": 0, "group": 1})
    sel = sel.sort_values(["_o", "pilot", "group"], ignore_index=True)
    word = labels("Groep", "Group")
    sel["label"] = [
        labels.pilot(p) if lev == "pilot" else f"{word}: {group_label(g, labels)}"
        for lev, p, g in zip(sel["level"], sel["pilot"], sel["group"])
    ]
    cols = ["label", "estimate", "ci_low", "ci_high", "numerator", "denominator"]
    out = sel[cols].copy()
    for c in ("estimate", "ci_low", "ci_high"):
        out[c] = out[c].astype("float64")
    return out


def estimable_covariates(
    data: CaseMixData | pd.DataFrame, covariates: Sequence[str] = COVARIATES, penalised: bool = True
) -> tuple[list[str], pd.DataFrame]:
    """Covariates that a logistic model can estimate in this analysis set.

    A covariate is left out when it is constant. With ``penalised=False``
    (a maximum-likelihood fit) a binary covariate is also left out when one
    of its levels has only y = 0 or only y = 1 (complete separation: its
    coefficient runs off to infinity and the fit does not converge); the
    default Firth-penalised fit (:func:`lvv_eval.stats.sites.case_mix.firth_logit`) keeps
    it, because its estimate stays finite. Categorical covariates
    (:data:`lvv_eval.stats.sites.case_mix.CATEGORICAL`) are kept.

    Returns
    -------
    (kept, dropped)
        ``kept`` in the given order; ``dropped`` a table ``covariate, reason``.

    Examples
    --------
    >>> d = pd.DataFrame({"pilot": ["a"] * 4, "y": [0, 1, 0, 0], "x": [1, 1, 0, 0], "z": [0, 0, 0, 0]})
    >>> kept, dropped = estimable_covariates(d, ["x", "z"], penalised=False)
    >>> kept, dropped["covariate"].tolist()
    ([], ['x', 'z'])
    >>> estimable_covariates(d, ["x", "z"])[0]
    ['x']
    """
    frame = data.data if isinstance(data, CaseMixData) else data
    kept: list[str] = []
    dropped: list[dict[str, str]] = []
    for cov in covariates:
        if cov not in frame.columns:
            dropped.append({"covariate": cov, "reason": "not in the analysis set"})
            continue
        x = frame[cov]
        if x.nunique(dropna=True) < 2:
            dropped.append({"covariate": cov, "reason": "constant in the analysis set"})
            continue
        if not penalised and cov not in CATEGORICAL and x.nunique(dropna=True) == 2:
            sep = []
            for level, y in frame.groupby(cov, sort=True)["y"]:
                k = int(y.sum())
                if k in (0, len(y)):
                    sep.append(f"{cov} = {level:g}: {k} of {len(y)} durable")
            if sep:
                dropped.append({"covariate": cov, "reason": "complete separation (" + "; ".join(sep) + ")"})
                continue
        kept.append(cov)
    return kept, pd.DataFrame(dropped, columns=["covariate", "reason"])


def sensitivity_summary(sens: pd.DataFrame) -> pd.DataFrame:
    """Group-level rows of :func:`lvv_eval.stats.sites.compare.sensitivity_table`, compact.

    Returns
    -------
    pandas.DataFrame
        ``scheme, population, measure, group, pilot, numerator, denominator,
        estimate, ci_low, ci_high, ci_method`` sorted by measure, group,
        scheme, population.
    """
    g = sens.loc[sens["level"] == "group"]
    cols = [
        "scheme",
        "population",
        "measure",
        "group",
        "pilot",
        "numerator",
        "denominator",
        "estimate",
        "ci_low",
        "ci_high",
        "ci_method",
    ]
    return g[cols].sort_values(["measure", "group", "scheme", "population"], ignore_index=True)


def sensitivity_range(sens: pd.DataFrame) -> pd.DataFrame:
    """Smallest and largest group estimate over schemes and populations.

    Returns
    -------
    pandas.DataFrame
        ``measure, group, n_variants, min_estimate, max_estimate`` from the
        group rows of :func:`lvv_eval.stats.sites.compare.sensitivity_table`.
    """
    g = sens.loc[sens["level"] == "group"]
    out = (
        g.groupby(["measure", "group"], sort=True)["estimate"]
        .agg(n_variants="size", min_estimate="min", max_estimate="max")
        .reset_index()
    )
    out["n_variants"] = out["n_variants"].astype("int64")
    return out


def _fmt_p(p: float, lang: str = "en") -> str:
    text = f"{p:.2f}" if p >= 0.01 else f"{p:.3g}"
    return text.replace(".", ",") if lang == "nl" else text


def evidence_statement(result: CompareResult, lang: str = "en", *, labelled: bool = False) -> str:
    """Plain-words summary of what a comparison can and cannot support.

    The sentences are the ``statement_*`` texts of this module
    (``texts/design_comparison.<lang>.yaml``).

    Parameters
    ----------
    result
        Output of :func:`compare_groups`.
    lang
        ``"en"`` or ``"nl"``. Group labels are translated with
        :meth:`lvv_eval.reporting.labels.Labels.group` (``yes``/``no`` become ``ja``/``nee``).
    labelled
        Name the attribute, the pilots and the date in words of the report language (for a
        report), instead of their codes.

    Returns
    -------
    str
        A short paragraph: the groups and their sites, that the figures are
        descriptive (persons as units), and the smallest p-value a permutation
        test over the sites could reach.
    """
    if lang not in LANGUAGES:
        raise ArgumentError(f"lang must be one of {', '.join(LANGUAGES)}")
    words = texts(lang)
    labels = Labels(lang)
    ident = result.identification
    sizes: dict[str, int] = ident["group_sizes"]
    n = ident["n_sites"]
    date = labels.date(result.peildatum) if labelled else result.peildatum.date().isoformat()
    attribute = attribute_label(result.attribute, labels) if labelled else result.attribute

    def names(pilots: Sequence[str]) -> str:
        return pilots_text(sorted(pilots), labels) if labelled else ", ".join(sorted(pilots))

    unpublished = [p for p, g in result.groups.items() if g == UNKNOWN_LABEL]
    unknown = names(unpublished) if unpublished else ""
    if not sizes:
        return words("statement_none", attribute=attribute, date=date, unknown=unknown)
    groups = "; ".join(
        words(
            "statement_group",
            group=labels.group(g),
            k=k,
            n=n,
            members=names([p for p, lab in result.groups.items() if lab == g]),
        )
        for g, k in sizes.items()
    )
    parts = [words("statement_intro", attribute=attribute, date=date, n=n, groups=groups)]
    if len(sizes) < 2:
        parts.append(words("statement_one_group"))
    else:
        parts.append(words("statement_descriptive"))
        if min(sizes.values()) == 1:
            parts.append(words("statement_singleton"))
        parts.append(
            words(
                "statement_floor",
                n_assignments=ident["n_assignments"],
                min_p=_fmt_p(ident["min_permutation_p"], lang),
            )
        )
        for key, sub in sorted(ident.get("by_measure", {}).items()):
            if sub["n_sites"] < n and len(sub["group_sizes"]) >= 2:
                measure, _, category = key.partition("/")
                shown = f"{term(measure, labels)} ({term(category, labels)})" if labelled and category else key
                parts.append(
                    words(
                        "statement_fewer",
                        measure=shown,
                        k=sub["n_sites"],
                        n=n,
                        n_assignments=sub["n_assignments"],
                        min_p=_fmt_p(sub["min_permutation_p"], lang),
                    )
                )
        if ident["min_permutation_p"] <= 0.05:
            parts.append(words("statement_confounded"))
    if unknown:
        parts.append(words("statement_unknown", unknown=unknown))
    return " ".join(parts)


POOLING_COLUMNS: tuple[str, ...] = (
    "pilot",
    "n",
    "events",
    "raw_share",
    "shrunken_share",
    "site_effect",
    "site_effect_sd",
    "between_site_sd",
    "converged",
    "warnings",
    "label",
)
"""Columns of :func:`lvv_eval.stats.sites.few_sites.partial_pooling` (also of an empty table)."""


def comparison_needs(
    frame: pd.DataFrame,
    attribute: str,
    date: str | pd.Timestamp,
    labels: Labels,
    outcome: pd.Series | None = None,
    designs: pd.DataFrame | str | Path | None = None,
) -> str | None:
    """What a between-pilot model on these data lacks, in the report language; ``None`` when nothing.

    A comparison of sites needs at least two pilots, pilots in both design
    groups of ``attribute`` at ``date`` (pilots without a design row do not
    count), and, when ``outcome`` (0/1) is given, both outcomes among the
    people analysed (a model of a durable exit cannot be fitted when no one,
    or everyone, left durably).

    Examples
    --------
    >>> f = pd.DataFrame({"pilot": ["utrecht", "utrecht"]})
    >>> print(comparison_needs(f, "parallel_bbb", "2022-07-01", Labels("en")))
    ... # doctest: +ELLIPSIS
    Not computed: the comparison of pilots needs at least two pilots (the data have only utrecht); ...
    """
    pilots = sorted({str(p) for p in frame["pilot"].dropna().astype(str)})
    groups = sorted({g for g in with_design_group(frame, attribute, date, designs)[GROUP_COLUMN] if g != UNKNOWN_LABEL})
    lacking = []
    have = ", ".join(pilots)
    if len(pilots) < 2:
        lacking.append(
            labels(
                f"minstens twee pilots (de gegevens hebben {'alleen ' + have if have else 'geen'})",
                f"at least two pilots (the data have {'only ' + have if have else 'none'})",
            )
        )
    if len(groups) < 2:
        shown = ", ".join(group_label(g, labels) for g in groups)
        lacking.append(
            labels(
                f"pilots in beide ontwerpgroepen van '{attribute}' (de gegevens hebben "
                f"{'alleen de groep ' + repr(shown) if shown else 'geen'})",
                f"pilots in both design groups of '{attribute}' (the data have "
                f"{'only the group ' + repr(shown) if shown else 'none'})",
            )
        )
    if outcome is not None:
        values = set(pd.to_numeric(outcome, errors="coerce").dropna().astype(int))
        if values != {0, 1}:
            lacking.append(
                labels("mensen met en zonder bestendige uitstroom", "people with and without a durable exit")
            )
    if not lacking:
        return None
    return labels(
        "Niet berekend: de vergelijking van pilots heeft nodig: " + "; ".join(lacking) + ".",
        "Not computed: the comparison of pilots needs " + "; ".join(lacking) + ".",
    )


def partial_pooling_table(
    data: pd.DataFrame, frame: pd.DataFrame, attribute: str, date: str | pd.Timestamp, labels: Labels
) -> tuple[pd.DataFrame, str | None]:
    """Partial pooling of the case-mix set, or an empty table and what it needs.

    Parameters
    ----------
    data
        ``CaseMixData.data`` (``pilot``, 0/1 ``y``).
    frame
        The analysis frame (for the pilots and their design groups).

    Returns
    -------
    (pandas.DataFrame, str or None)
        :func:`lvv_eval.stats.sites.few_sites.partial_pooling` and ``None``,
        or an empty table with :data:`POOLING_COLUMNS` and the sentence of
        :func:`comparison_needs`.
    """
    from lvv_eval.stats.sites.few_sites import partial_pooling

    needs = comparison_needs(frame, attribute, date, labels, outcome=data["y"] if len(data) else pd.Series([]))
    if needs is not None:
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in POOLING_COLUMNS})
        return empty.astype({"pilot": "str", "converged": "bool", "warnings": "str", "label": "str"}), needs
    return partial_pooling(data), None


# --------------------------------------------------------------------------- report 04: texts and captions

TEXTS_MODULE: str = "design_comparison"
"""Name of this module's text files (``evaluations/texts/design_comparison.<language>.yaml``)."""

ALPHA: float = 0.05
"""Error level of every interval of report 04 (passed to the computations, and read back by the captions)."""


def texts(language: str) -> Texts:
    """The texts of report 04 in ``language`` (:class:`lvv_eval.evaluations.wording.Texts`)."""
    return Texts(TEXTS_MODULE, language)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def term(value: object, labels: Labels) -> str:
    """The label of a code or a recorded description (interval method, denominator), else the text itself.

    Examples
    --------
    >>> term("none (places are not a sample)", Labels("nl")), term("wilson", Labels("en"))
    ('geen (plaatsen zijn geen steekproef)', 'Wilson')
    """
    text = str(value)
    for key in (text, _slug(text)):
        if labels.has(key):
            return labels.word(key)
    return text


def level_text(alpha: float = ALPHA) -> str:
    """The coverage of an interval in percent, as text (``0.05`` -> ``'95'``).

    Examples
    --------
    >>> level_text(0.05), level_text(0.1)
    ('95', '90')
    """
    return f"{(1 - alpha) * 100:g}"


def interval_methods(frame: pd.DataFrame, labels: Labels, column: str = "ci_method", *, skip_none: bool = True) -> str:
    """The interval methods a table used, labelled and joined as in a sentence (``-`` when none).

    With ``skip_none`` the methods ``none (...)`` (rows without an interval) are left out.
    """
    values = [
        str(v)
        for v in dict.fromkeys(frame[column].dropna().astype(str).str.strip())
        if v and not (skip_none and v.startswith("none"))
    ]
    return join_list([term(v, labels) for v in values], labels.language) if values else "–"


def denominators(frame: pd.DataFrame, labels: Labels, column: str = "denominator_label") -> str:
    """The denominators a rate table used, labelled and joined as in a sentence."""
    values = [str(v) for v in dict.fromkeys(frame[column].dropna())]
    return join_list([term(v, labels) for v in values], labels.language)


def citation(frame: pd.DataFrame) -> str:
    """Where published figures come from: ``001 Tabel S.1, Tabel S.2; 002 Voortgang LVV's``.

    The source file's number (``data/published/sources.csv``) and the tables or paragraphs named
    in the ``locator`` of the figures (the part before a parenthesis), per source in table order.
    """
    files = published.load_sources().set_index("source_id")["source_file"].astype(str)
    parts = []
    for source, rows in frame.groupby("source_id", sort=False):
        places = dict.fromkeys(str(loc).split(" (")[0].strip() for loc in rows["locator"])
        number = files.get(str(source), str(source))[:3]
        parts.append(f"{number} {', '.join(p for p in places if p)}".strip())
    return "; ".join(parts)


def attribute_label(attribute: str, labels: Labels) -> str:
    """The label of a design attribute (``parallel_bbb`` -> ``Parallelle BBB``), else its name."""
    return labels.word(attribute) if labels.has(attribute) else attribute


def scheme_title(scheme: str, language: str) -> str:
    """The title of a classification scheme in ``language``."""
    from lvv_eval.reference.schemes import load_scheme

    s = load_scheme(scheme)
    return s.title_en if language == "en" else s.title_nl


def pilots_text(pilots: Sequence[str], labels: Labels) -> str:
    """Pilot names joined as in a sentence (``Amsterdam, Groningen en Rotterdam``)."""
    return join_list([labels.pilot(p) for p in pilots], labels.language)


def published_period(frame: pd.DataFrame, labels: Labels) -> str:
    """The peildatum of published figures in words, with their citation, per source."""
    parts = []
    for _, rows in frame.groupby("source_id", sort=False):
        date = labels.date(str(rows["peildatum"].iloc[0]))
        parts.append(f"{date} ({citation(rows)})")
    return join_list(parts, labels.language)


def no_exact_occupancy(frame: pd.DataFrame) -> list[str]:
    """Pilots with a published capacity but no exact occupancy in ``frame`` (long published figures)."""
    has = {m: set(frame.loc[frame["measure"] == m, "pilot"].astype(str)) for m in ("capacity", "occupancy")}
    return sorted(has["capacity"] - has["occupancy"])


# --------------------------------------------------------------------------- report 04: person-level tables


@dataclass
class PersonTables:
    """What :func:`register_person_tables` computed besides the registered tables.

    The tables themselves are registered with the report's gate under :data:`PERSON_TABLES`
    and reach the report only through :meth:`lvv_eval.disclosure.gate.Gate.release`.
    """

    scheme: Any
    result: CompareResult
    grouped: pd.DataFrame
    curves: pd.DataFrame
    casemix: CaseMixData
    model: Any
    kept: list[str]
    needs: str | None


PERSON_TABLES: tuple[str, ...] = (
    "validation_flow",
    "person_uptake_counts",
    "person_outflow_counts",
    "person_rates",
    "person_differences",
    "person_occupancy_over_time",
    "person_length_of_stay",
    "person_cumulative_incidence",
    "casemix_accounting",
    "casemix_dropped",
    "casemix_coefficients",
    "casemix_standardised",
    "casemix_with_and_without",
    "partial_pooling",
    "sensitivity",
)
"""Person-level tables of report 04, registered with its gate before any is released."""


def _register(gate: Gate, name: str, table: pd.DataFrame, **spec: Any) -> None:
    """Register one (already table-suppressed) table the way :func:`lvv_eval.evaluations.common.checked` checks it.

    Counts default to :func:`lvv_eval.evaluations.common.count_columns`, every other numeric
    column is derived from the counts of its row, the key is ``pilot`` (or ``group``) when the
    table has one; a wide table indexed by pilot is reset first. Only registered, not released.
    """
    frame = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table
    frame = frame.rename(columns={"index": "pilot"}) if "index" in frame.columns else frame
    counts = spec.pop("counts", None)
    cols = list(counts) if counts is not None else common.count_columns(frame)
    key = spec.pop("key", None) or next((k for k in ("pilot", "group") if k in frame.columns), None)
    derived = common.derived_from_row(frame, cols)
    derived.update(spec.pop("derived", None) or {})
    upstream = spec.pop("upstream", None)
    if upstream is not None:
        upstream = _readable_rules(
            upstream.reset_index() if not isinstance(upstream.index, pd.RangeIndex) else upstream
        )
    gate.register(name, frame, counts=cols, key=key, derived=derived, upstream=upstream, **spec)


def _readable_rules(table: pd.DataFrame) -> pd.DataFrame:
    """Blank the rules of a table-level suppression that the report cannot name in words.

    The gate then records such cells with its own rule for them ("suppressed by the table's own
    linked-cell rule"), which every report language has.
    """
    if "suppression_rule" not in table.columns:
        return table
    nl = Labels("nl")
    rules = table["suppression_rule"].fillna("").astype(str)
    known = [r == "" or nl.rule(r) != r for r in rules]
    return table.assign(suppression_rule=rules.where(known, ""))


def _members(rows: pd.DataFrame, group: str) -> list[str]:
    return sorted(rows.loc[(rows["level"] == "pilot") & (rows["group"] == group), "pilot"].astype(str))


def _register_group_margins(
    gate: Gate,
    name: str,
    frame: pd.DataFrame,
    *,
    counts: Sequence[str],
    unit: str,
    group: str,
    within: Sequence[str],
    upstream: pd.DataFrame | None = None,
    not_counts: Sequence[str] = (),
) -> None:
    """Register, unreleased, each design group's pilot rows with the group row as their total.

    A group row sums its pilots' counts (``level == "group"``; its ``unit`` names the group), so a
    pilot's hidden count would follow from the group row minus the other pilots. One helper table
    per group of two or more pilots carries that equation (the margin rule); what it hides is
    learnt by the gate and hidden in the released table through the linked-table rule. ``within``
    names the columns of one equation (measure and category, or the date).
    """
    for label in sorted(set(frame.loc[frame["level"] == "group", group].astype(str))):
        pilots = frame["level"].eq("pilot") & frame[group].astype(str).eq(label)
        total = frame["level"].eq("group") & frame[group].astype(str).eq(label)
        if pilots.sum() < 2 or total.sum() == 0:
            continue
        rows = (pilots | total).to_numpy()
        total_label = str(frame.loc[total, unit].iloc[0])
        gate.register(
            f"{name}#margins:{label}",
            frame.loc[rows],
            counts=list(counts),
            key=unit,
            margins={"total_row": total_label},
            version_key=list(within),
            upstream=upstream.loc[rows] if upstream is not None else None,
            not_counts=list(not_counts),
        )


def _register_group_totals(
    gate: Gate, name: str, table: pd.DataFrame, groups: dict[str, str], margins: dict[str, str]
) -> None:
    """Register, unreleased, a pilot count table summed per design group, with its total row.

    ``table`` is indexed by pilot with a ``total`` row (:func:`count_tables`). The group rows are
    keyed by their member pilots (as the group rows of the rate tables are), so a count hidden for
    a group of one pilot, or for the group's rows elsewhere, is protected against the equation
    total = sum of the groups, which no single released table shows.
    """
    pilots = table.drop(index="total", errors="ignore")
    members: dict[str, list[str]] = {}
    for p in pilots.index.astype(str):
        members.setdefault(groups.get(p, UNKNOWN_LABEL), []).append(p)
    if len(members) < 2 or "total" not in table.index:
        return
    rows = {",".join(sorted(m)): pilots.loc[sorted(m)].sum() for m in members.values()}
    summed = pd.DataFrame(rows).T
    summed.loc["total"] = table.loc["total"]
    summed.index.name = "pilot"
    _register(gate, f"{name}#groups", summed.astype("int64"), margins=margins)


def register_person_tables(
    gate: Gate,
    data: MonitorData,
    frame: pd.DataFrame,
    P: NotebookParameters,
    attribute: str,
    schemes: Sequence[str] | None = None,
) -> PersonTables:
    """Compute every person-level table of report 04 and register it with the gate, releasing none.

    Registering all of them first means a count suppressed in one table (for example a design
    group's exits in the cumulative incidence) is suppressed in every other (the same group's
    outflow numerator in ``person_rates``), whatever order the notebook shows them in. A design
    group of a single pilot (parallel BBB = Eindhoven) carries that pilot's name in the ``pilot``
    column of the group rows, so the gate treats it as that pilot.

    Parameters
    ----------
    gate
        The report's :class:`~lvv_eval.disclosure.gate.Gate`.
    data
        The monitor data read for the report (its reading flow is a table too).
    frame
        The analysis frame (pilots filtered).
    P
        Validated notebook parameters (peildatum, scheme, formal-status rule, threshold).
    attribute
        Design attribute that groups the pilots.
    schemes
        Schemes of the sensitivity table; ``None`` for every shipped scheme.

    Returns
    -------
    PersonTables
        The comparison, the grouped frame, the curves and the case-mix fit that the figures
        and sentences of the report use. The tables are :data:`PERSON_TABLES` in the gate.
    """
    from lvv_eval.disclosure import suppression as disclosure
    from lvv_eval.reference.schemes import load_scheme
    from lvv_eval.stats import survival
    from lvv_eval.stats.sites.case_mix import casemix_data, fit_casemix, fit_with_and_without
    from lvv_eval.stats.sites.compare import person_counts, sensitivity_table

    t = P.disclosure_threshold
    scheme = load_scheme(P.scheme)
    gate.register(
        "validation_flow", data.flow, counts=["rows"], key=None, upstream=common.suppress_validation_flow(data.flow, t)
    )
    res = compare_groups(
        frame, attribute, peildatum=P.peildatum, scheme=scheme, formal_only=P.formal_only, differences=True, alpha=ALPHA
    )
    counts = person_counts(frame, P.peildatum, scheme, formal_only=P.formal_only)
    up_tab, out_tab = count_tables(counts, scheme.class_ids)
    _register(
        gate,
        "person_uptake_counts",
        up_tab,
        upstream=disclosure.suppress(up_tab, ["intake", "occupancy"], threshold=t, margins=None).table,
        margins={"total_row": "total"},  # the total row sums the pilots
    )
    # no total row: with the group rows of the rate tables it would give a group of one pilot back
    by_pilot = out_tab.drop(index="total")
    _register(
        gate,
        "person_outflow_counts",
        by_pilot,
        upstream=disclosure.suppress(by_pilot, threshold=t, margins={"total_col": "total"}).table,
        margins={"total_col": "total"},
    )
    _register_group_totals(
        gate, "person_uptake_counts", up_tab[["intake", "occupancy"]], res.groups, {"total_row": "total"}
    )
    for label in sorted(set(res.groups.values())):
        members = sorted(p for p, g in res.groups.items() if g == label)
        gate.alias(label, ",".join(members))  # a group's rows elsewhere are keyed by its label
    rate_key = ["level", "group", "pilot", "measure"]
    raw = res.rates.drop(columns=["n_pilots"])  # the pilot column names them; a 1 there reads as a count
    rates = disclosure.suppress_rates(raw, t, group=rate_key)
    _register(
        gate,
        "person_rates",
        raw,
        upstream=rates,
        counts=["numerator", "denominator"],
        rates=True,
        group=rate_key,
    )
    _register_group_margins(
        gate,
        "person_rates",
        raw,
        counts=["numerator", "denominator"],
        unit="pilot",
        group="group",
        within=["measure", "category"],
        upstream=rates,
    )
    occ = occupancy_series(frame, attribute, P.peildatum)
    occ_s = disclosure.suppress(occ, ["present"], threshold=t, margins=None).table
    _register(
        gate,
        "person_occupancy_over_time",
        occ,
        upstream=occ_s,
        key="unit",
        counts=["present"],
        derived={"capacity": ()},  # published places, not derived from the persons present
    )
    groups_of = {p: g for p, g in res.groups.items()}
    occ_g = occ.assign(
        group=[u if lev == "group" else groups_of.get(u, UNKNOWN_LABEL) for lev, u in zip(occ["level"], occ["unit"])]
    )
    _register_group_margins(
        gate,
        "person_occupancy_over_time",
        occ_g,
        counts=["present"],
        unit="unit",
        group="group",
        within=["date"],
        upstream=occ_s.assign(group=occ_g["group"].to_numpy()),
        not_counts=["capacity"],  # published places
    )
    grouped = with_design_group(frame, attribute, P.peildatum)
    # per design group only: a total row next to a group of one pilot would give the other back
    los = survival.length_of_stay(grouped, P.peildatum, by=GROUP_COLUMN, formal_only=P.formal_only)
    los = los.loc[los[GROUP_COLUMN] != "total"].reset_index(drop=True)
    _register(gate, "person_length_of_stay", los, key=GROUP_COLUMN, margins={"total_col": "n"})
    cif = survival.cumulative_incidence(grouped, P.peildatum, scheme, by=GROUP_COLUMN, formal_only=P.formal_only)
    cif = cif.loc[cif[GROUP_COLUMN] != "total"].reset_index(drop=True)
    _register(
        gate,
        "person_cumulative_incidence",
        cif,
        # the events per class and the rest (in_programme) add up to n per group and horizon
        upstream=common.suppress_cif_table(cif, t, group=GROUP_COLUMN).table,
        key=GROUP_COLUMN,
        not_counts=["horizon_days"],
    )
    curves = survival.cif_curves(
        grouped, P.peildatum, scheme, by=GROUP_COLUMN, formal_only=P.formal_only, min_at_risk=t
    )
    cmd = casemix_data(frame, P.peildatum, scheme, population="outflow")
    kept, dropped = estimable_covariates(cmd)
    model = fit_casemix(cmd, kept)
    _register(gate, "casemix_accounting", cmd.accounting)
    gate.register("casemix_dropped", dropped, counts=[], key=None)
    _register(gate, "casemix_coefficients", model.coefficients)
    _register(gate, "casemix_standardised", model.standardised, upstream=suppress_shares(model.standardised, t))
    both = fit_with_and_without(cmd, kept)
    _register(
        gate,
        "casemix_with_and_without",
        both,
        upstream=suppress_shares(
            both, t, columns=("events", "crude_share", "standardised_with", "standardised_without", "difference")
        ),
    )
    pooled, needs = partial_pooling_table(cmd.data, frame, attribute, P.peildatum, Labels(P.language))
    pool = suppress_shares(
        pooled, t, columns=("events", "raw_share", "shrunken_share", "site_effect", "site_effect_sd")
    )
    _register(gate, "partial_pooling", pooled, upstream=pool)
    sens = sensitivity_table(frame, attribute, P.peildatum, schemes=schemes)
    summary = sensitivity_summary(sens)
    _register(
        gate,
        "sensitivity",
        summary,
        upstream=disclosure.suppress_rates(summary, t),
        rates=True,
        versions="scheme",
        version_key=["population", "measure"],
        protect=[P.scheme],
    )  # no small scheme differences
    # last: a difference of two group shares gives either share back with the other, so it is
    # hidden with any count of its groups hidden in person_rates (released here, final by now);
    # its own key (the pair of groups) links it to no other table
    diffs = differences_upstream(suppress_differences(res.differences, t), gate.release("person_rates").frame)
    _register(
        gate,
        "person_differences",
        diffs,
        key=["group_a", "group_b"],
        counts=["numerator_a", "denominator_a", "numerator_b", "denominator_b"],
    )
    return PersonTables(scheme, res, grouped, curves, cmd, model, kept, needs)


def differences_upstream(diffs: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Hide group differences whose groups have a count hidden in the released rate table.

    Parameters
    ----------
    diffs
        Group differences (:func:`suppress_differences` applied).
    rates
        The released ``person_rates`` frame (hidden counts missing).

    Returns
    -------
    pandas.DataFrame
        ``diffs`` with ``estimate, ci_low, ci_high`` and both numerators missing where a
        group's numerator or denominator of that measure and category is missing in ``rates``
        (a denominator where it is missing there); ``suppressed`` and ``suppression_rule`` updated.
    """
    out = diffs.copy()
    groups = rates.loc[rates["level"] == "group"]
    keys = list(zip(groups["group"].astype(str), groups["measure"].astype(str), groups["category"].astype(str)))
    no_numerator = {k for k, v in zip(keys, groups["numerator"]) if pd.isna(v)}
    no_denominator = {k for k, v in zip(keys, groups["denominator"]) if pd.isna(v)}
    rows = list(zip(out["measure"].astype(str), out["category"].astype(str)))
    side = {s: [(str(g), m, c) for g, (m, c) in zip(out[f"group_{s}"], rows)] for s in ("a", "b")}
    den_hidden = {s: pd.Series([k in no_denominator for k in side[s]], index=out.index) for s in side}
    hide = pd.Series([a in no_numerator or b in no_numerator for a, b in zip(side["a"], side["b"])], index=out.index)
    hide = hide | den_hidden["a"] | den_hidden["b"]
    new = hide & ~out["suppressed"].astype(bool)
    for col in ("estimate", "ci_low", "ci_high", "numerator_a", "numerator_b"):
        if col in out.columns:
            out[col] = out[col].astype("float64").mask(hide)
    for s in side:
        out[f"denominator_{s}"] = out[f"denominator_{s}"].astype("float64").mask(den_hidden[s])
    out["suppressed"] = out["suppressed"].astype(bool) | hide
    out["suppression_rule"] = out["suppression_rule"].where(
        ~new, "secondary: a count of its groups is suppressed in person_rates"
    )
    return out


def release_range(gate: Gate, sensitivity: CheckedTable) -> CheckedTable:
    """Smallest and largest released group estimate over schemes and populations, through the gate.

    Made from the released sensitivity table only (suppressed estimates are missing there and
    left out), so the range holds no count: it is registered without count columns.
    """
    frame = sensitivity.frame.assign(level="group").dropna(subset=["estimate"])
    return gate.check("sensitivity_range", sensitivity_range(frame), counts=[], key=None, not_counts=["n_variants"])


# --------------------------------------------------------------------------- report 04: showing


def view(
    table: CheckedTable,
    labels: Labels,
    scheme: str | None = None,
    *,
    columns: Sequence[str] | None = None,
    drop: Sequence[str] = (),
    decimals: int | None = 3,
) -> pd.DataFrame:
    """A display frame of a released table: suppressed cells marked, values labelled, headers translated.

    Parameters
    ----------
    table
        A table released by the gate.
    labels
        Report language.
    scheme
        Scheme whose outcome-class codes (as values or as column names) become class names.
    columns, drop
        Columns to keep (default all), columns to leave out.
    decimals
        Shown floats rounded to this many decimals.
    """
    keep = [c for c in (columns if columns is not None else table.frame.columns) if c not in drop]
    shown = table.view(columns=keep, decimals=decimals)
    if scheme is not None:
        classes = {}
        for c in shown.columns:
            try:
                classes[c] = labels.outcome_class(scheme, str(c))
            except KeyError:
                pass
        shown = shown.rename(columns=classes)
    out = readable(shown, labels, scheme)
    out.attrs["checked_view"] = table.output_id
    return out


def publish(
    writer: ReportWriter,
    gate: Gate,
    name: str,
    caption: str,
    title: str,
    labels: Labels,
    *,
    scheme: str | None = None,
    columns: Sequence[str] | None = None,
    drop: Sequence[str] = (),
    cells: bool = False,
    max_rows: int = 60,
) -> list[CaptionedTable]:
    """Release a registered person-level table, write it to the report, and return what the notebook shows.

    Parameters
    ----------
    writer, gate
        The report's writer and gate.
    name
        Output id (registered by :func:`register_person_tables`).
    caption, title
        Caption in the report, title of the table shown in the notebook.
    labels, scheme, columns, drop
        See :func:`view`.
    cells
        Also show the list of suppressed cells (only when there are any).

    Returns
    -------
    list of CaptionedTable
        The table, and the suppressed cells when asked for and not empty.
    """
    from lvv_eval.reporting.writer import show_table

    table = gate.release(name)
    writer.table(name, table, caption=caption)
    out = [
        show_table(view(table, labels, scheme, columns=columns, drop=drop), title, kind=table.kind, max_rows=max_rows)
    ]
    report = table.report()
    if cells and len(report):
        out.append(
            show_table(labels.suppression_report(report), texts(labels.language)("suppressed_cells"), kind="derived")
        )
    return out
