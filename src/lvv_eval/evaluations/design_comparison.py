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

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lvv_eval.errors import ArgumentError, UnknownNameError
from lvv_eval.reporting.labels import Labels
from lvv_eval.sources import published
from lvv_eval.sources.designs import ATTRIBUTE_NAMES, UNKNOWN_LABEL, designs_at, group_pilots, value_label
from lvv_eval.stats.occupancy import present_against_capacity
from lvv_eval.stats.sites.case_mix import CATEGORICAL, COVARIATES, CaseMixData
from lvv_eval.stats.sites.compare import CompareResult, compare_groups
from lvv_eval.stats.sites.few_sites import min_permutation_p

GROUP_COLUMN: str = "design_group"
"""Column added to a monitor frame by :func:`with_design_group`."""

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


def suppress_incidence(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide cumulative incidences based on fewer than ``threshold`` events.

    Rows of :func:`lvv_eval.stats.survival.cumulative_incidence` whose ``n_events``
    is ``1 <= n < threshold`` get ``n_events, estimate, se, ci_low, ci_high``
    missing; ``in_programme`` rows (no event count) are kept. Adds
    ``suppressed``.
    """
    out = table.copy()
    hide = _small(out["n_events"], threshold).fillna(False).astype(bool)
    for c in ("estimate", "se", "ci_low", "ci_high"):
        out[c] = out[c].astype("float64").mask(hide)
    out["n_events"] = out["n_events"].astype("Int64").mask(hide)
    out["suppressed"] = hide.to_numpy()
    return out


def plottable_curves(curves: pd.DataFrame, incidence: pd.DataFrame, group: str, threshold: int) -> pd.DataFrame:
    """Keep the CIF curves of (group, outcome) pairs with at least ``threshold`` events.

    The event count of a pair is the largest ``n_events`` over the horizons of
    :func:`lvv_eval.stats.survival.cumulative_incidence`; ``in_programme`` curves and
    pairs with fewer events are dropped (a step curve shows every event), and so
    is the ``total`` group (with one small group it hides the other group's curve).
    """
    inc = incidence.dropna(subset=["n_events"])
    events = inc.groupby([group, "outcome"], sort=True)["n_events"].max()
    ok = {k for k, v in events.items() if int(v) >= threshold}
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


_STATEMENT: dict[str, dict[str, str]] = {
    "en": {
        "none": "Design attribute '{attribute}' (at {date}) is not published for any pilot ({unknown}); "
        "no comparison is possible.",
        "intro": "Design attribute '{attribute}' (at {date}) is the same for everyone in a pilot; "
        "it varies only between the {n} sites: {groups}.",
        "group": "'{group}' = {members} ({k} of {n})",
        "one_group": "All sites with a known value are in one group, so there is no contrast to describe.",
        "descriptive": "The figures describe how the pilots differ (persons as units; an interval "
        "describes the sampling of people within a site, and places get none); they cannot show that the design caused a difference, because it "
        "coincides with everything else that differs between these sites.",
        "singleton": "One group consists of a single pilot, so its result is that pilot's result.",
        "floor": "No significance test is given: the smallest p-value any permutation test over "
        "the sites could reach is 1/{n_assignments} = {min_p}.",
        "confounded": "Even such a test would compare sites, not designs: every other difference "
        "between the sites travels with the design.",
        "unknown": "Not published for: {unknown}.",
        "fewer": "{measure} is known for {k} of the {n} sites only; over those the floor is "
        "1/{n_assignments} = {min_p}.",
    },
    "nl": {
        "none": "Ontwerpkenmerk '{attribute}' (op {date}) is voor geen enkele pilot gepubliceerd "
        "({unknown}); vergelijken is niet mogelijk.",
        "intro": "Ontwerpkenmerk '{attribute}' (op {date}) is voor iedereen in een pilot gelijk; "
        "het verschilt alleen tussen de {n} pilots: {groups}.",
        "group": "'{group}' = {members} ({k} van {n})",
        "one_group": "Alle pilots met een bekende waarde vallen in één groep; er is niets te vergelijken.",
        "descriptive": "De cijfers beschrijven hoe de pilots verschillen (personen als eenheid; een interval "
        "beschrijft de steekproefvariatie van personen binnen een pilot, plaatsen krijgen er "
        "geen); ze kunnen niet aantonen dat het ontwerp een verschil "
        "veroorzaakt, want het valt samen met al het andere waarin deze pilots verschillen.",
        "singleton": "Eén groep bestaat uit één pilot; de uitkomst van die groep is die van die pilot.",
        "floor": "Er wordt geen significantietoets gegeven: de kleinste p-waarde die een "
        "permutatietoets over de pilots kan bereiken is 1/{n_assignments} = {min_p}.",
        "confounded": "Ook zo'n toets zou pilots vergelijken, geen ontwerpen: elk ander verschil "
        "tussen de pilots reist met het ontwerp mee.",
        "unknown": "Niet gepubliceerd voor: {unknown}.",
        "fewer": "{measure} is bekend voor slechts {k} van de {n} pilots; daarover is de ondergrens "
        "1/{n_assignments} = {min_p}.",
    },
}
"""Sentences of :func:`evidence_statement` per language."""


def evidence_statement(result: CompareResult, lang: str = "en") -> str:
    """Plain-words summary of what a comparison can and cannot support.

    Parameters
    ----------
    result
        Output of :func:`compare_groups`.
    lang
        ``"en"`` or ``"nl"``. Group labels are translated with
        :meth:`lvv_eval.reporting.labels.Labels.group` (``yes``/``no`` become ``ja``/``nee``).

    Returns
    -------
    str
        A short paragraph: the groups and their sites, that the figures are
        descriptive (persons as units), and the smallest p-value a permutation
        test over the sites could reach.
    """
    if lang not in _STATEMENT:
        raise ArgumentError("lang must be 'en' or 'nl'")
    words = _STATEMENT[lang]
    labels = Labels(lang)
    ident = result.identification
    sizes: dict[str, int] = ident["group_sizes"]
    n = ident["n_sites"]
    date = result.peildatum.date().isoformat()
    unknown = ", ".join(sorted(p for p, g in result.groups.items() if g == UNKNOWN_LABEL))
    if not sizes:
        return words["none"].format(attribute=result.attribute, date=date, unknown=unknown)
    groups = "; ".join(
        words["group"].format(
            group=labels.group(g),
            k=k,
            n=n,
            members=", ".join(sorted(p for p, lab in result.groups.items() if lab == g)),
        )
        for g, k in sizes.items()
    )
    parts = [words["intro"].format(attribute=result.attribute, date=date, n=n, groups=groups)]
    if len(sizes) < 2:
        parts.append(words["one_group"])
    else:
        parts.append(words["descriptive"])
        if min(sizes.values()) == 1:
            parts.append(words["singleton"])
        parts.append(
            words["floor"].format(n_assignments=ident["n_assignments"], min_p=_fmt_p(ident["min_permutation_p"], lang))
        )
        for key, sub in sorted(ident.get("by_measure", {}).items()):
            if sub["n_sites"] < n and len(sub["group_sizes"]) >= 2:
                parts.append(
                    words["fewer"].format(
                        measure=key,
                        k=sub["n_sites"],
                        n=n,
                        n_assignments=sub["n_assignments"],
                        min_p=_fmt_p(sub["min_permutation_p"], lang),
                    )
                )
        if ident["min_permutation_p"] <= 0.05:
            parts.append(words["confounded"])
    if unknown:
        parts.append(words["unknown"].format(unknown=unknown))
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
