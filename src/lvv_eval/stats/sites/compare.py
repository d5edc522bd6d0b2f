"""Descriptive comparison of pilots grouped by a design attribute.

Any design attribute of :mod:`lvv_eval.sources.designs` can group the pilots (a
parallel night shelter, who holds regie, the safe-country policy, ...). For each pilot
and each group the module reports

* uptake: intake per place (``intake / capacity``; a ratio, no interval),
  occupancy rate and free-places rate (``/ capacity``; no interval: places
  are not a sample, see the interval policy in ``docs/methods.md``);
* outflow class shares relative to intake (the Regioplan 2020 convention,
  source 001 Tabel S.2) and relative to outflow (the Regioplan 2022 convention,
  source 004), Wilson intervals;
* differences between groups with Newcombe's hybrid score interval, labelled
  ``"descriptive: persons as units, not a design effect"`` (differences of
  occupancy and free places: estimate only).

Input is either aggregate counts in the vocabulary of
``data/published/figures.csv`` (e.g. 2019 Tabel S.1/S.2, source 001; 2020
monitor, source 002) or a typed person-level monitor frame counted at a
peildatum (a trajectory counts as intake if ``intake_date <= peildatum`` and
as outflow if ``exit_date <= peildatum``).

A design attribute is the same for everyone in a pilot, so it varies only
between the five sites: asking for a p-value raises
:class:`lvv_eval.stats.sites.few_sites.NotIdentifiedError` (see that module).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lvv_eval.errors import ArgumentError
from lvv_eval.paths import PUBLISHED_DIR
from lvv_eval.reference.schemes import resolve_scheme
from lvv_eval.sources.designs import UNKNOWN_LABEL, designs_at, group_pilots
from lvv_eval.stats.rates import proportion_ci, proportion_difference
from lvv_eval.stats.sites.few_sites import (
    DESCRIPTIVE_LABEL,
    min_permutation_p,
    n_assignments,
    refuse_site_level_test,
    site_group_sizes,
)

DEFAULT_SCHEME: str = "regioplan-2022"
"""Classification scheme used for person-level data when none is given."""

COUNT_MEASURES: tuple[str, ...] = ("capacity", "occupancy", "free_places", "intake", "outflow")
"""Measures of the figures vocabulary that :func:`compare_groups` reads as counts."""

RATE_COLUMNS: tuple[str, ...] = (
    "level",
    "group",
    "pilot",
    "n_pilots",
    "measure",
    "category",
    "numerator",
    "denominator",
    "denominator_label",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "label",
)
DIFF_COLUMNS: tuple[str, ...] = (
    "measure",
    "category",
    "group_a",
    "group_b",
    "numerator_a",
    "denominator_a",
    "numerator_b",
    "denominator_b",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "label",
)
NO_CI: str = "none (ratio, not a proportion)"
PLACES_NO_CI: str = "none (places are not a sample)"
"""``ci_method`` of occupancy and free-place rates: the places of a pilot are not a sample."""
PLACES_MEASURES: tuple[str, ...] = ("occupancy_rate", "free_places_rate")
"""Measures about places, not persons: never an interval (interval policy, ``docs/methods.md``)."""


# ---------------------------------------------------------------------------
# counts


def counts_from_figures(figures: pd.DataFrame, source_id: str | None = None) -> pd.DataFrame:
    """Pick per-pilot counts out of a published-figures table.

    Parameters
    ----------
    figures
        Table with the columns of ``data/published/figures.csv``.
    source_id
        Keep only this source (e.g. ``"regioplan-2020"``).

    Returns
    -------
    pandas.DataFrame
        ``pilot, measure, category, value`` for measures in
        :data:`COUNT_MEASURES` with unit ``count``; national totals left out;
        sorted.
    """
    f = figures
    if source_id is not None:
        f = f.loc[f["source_id"].astype(str) == source_id]
    keep = (
        (f["unit"].astype(str) == "count")
        & (f["pilot"].astype(str) != "total")
        & f["measure"].astype(str).isin(COUNT_MEASURES)
    )
    out = pd.DataFrame(
        {
            "pilot": f.loc[keep, "pilot"].astype(str).str.lower(),
            "measure": f.loc[keep, "measure"].astype(str),
            "category": f.loc[keep, "category"].astype(str),
            "value": pd.to_numeric(f.loc[keep, "value"]).astype("float64"),
        }
    )
    return out.sort_values(["pilot", "measure", "category"], ignore_index=True)


def load_published_figures(path: str | Path | None = None) -> pd.DataFrame:
    """Load the published figures (via :mod:`lvv_eval.sources.published` when present, else the CSV)."""
    if path is None:
        try:
            from lvv_eval.sources.published import load_figures
        except ImportError:
            load_figures = None  # type: ignore[assignment]
        if load_figures is not None:
            return load_figures()
        path = PUBLISHED_DIR / "figures.csv"
    return pd.read_csv(path, dtype="string", keep_default_na=False)


def published_counts(source_id: str, path: str | Path | None = None) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Per-pilot counts of one published source and its peildatum.

    Parameters
    ----------
    source_id
        ``regioplan-2020`` (2019 Tabel S.1/S.2, source 001) or ``monitor-2020``
        (source 002), or any source of ``figures.csv``.
    path
        Alternative figures CSV.

    Returns
    -------
    (pandas.DataFrame, pandas.Timestamp)
        Counts as in :func:`counts_from_figures` and the peildatum.
    """
    figures = load_published_figures(path)
    counts = counts_from_figures(figures, source_id)
    rows = figures.loc[
        (figures["source_id"].astype(str) == source_id)
        & (figures["pilot"].astype(str) != "total")
        & (figures["unit"].astype(str) == "count")
        & figures["measure"].astype(str).isin(COUNT_MEASURES)
    ]
    dates = sorted({str(d)[:10] for d in rows["peildatum"] if str(d).strip() not in ("", "NaT", "<NA>")})
    if not dates:
        raise ArgumentError(f"source {source_id!r} has no per-pilot figures with a peildatum")
    return counts, pd.Timestamp(dates[-1])


def person_counts(
    frame: pd.DataFrame,
    peildatum: str | pd.Timestamp,
    scheme: Any = None,
    *,
    formal_only: bool = False,
    designs: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Count a typed monitor frame at a peildatum, per pilot.

    Parameters
    ----------
    frame
        Typed monitor frame (contract 1 of the project).
    peildatum
        Reference date. Intake: ``intake_date <= peildatum``; outflow:
        ``exit_date <= peildatum``; occupancy: intake and not (yet) left.
    scheme
        Classification scheme (object with ``classify`` and ``class_ids``),
        or its name; default :data:`DEFAULT_SCHEME`.
    formal_only
        Keep only trajectories with ``formal_status`` true (missing status is
        left out too; its number is in the ``excluded`` rows).
    designs
        Design table (for capacity at the peildatum); default the shipped one.

    Returns
    -------
    pandas.DataFrame
        ``pilot, measure, category, value`` in the figures vocabulary:
        capacity/places, intake/all, intake/formal, intake/informal,
        occupancy/persons, outflow/all, outflow/<class id> (zeros included),
        outflow/unclassified when codes are not in the scheme, and
        excluded/formal_only (trajectories dropped by ``formal_only``).
        Units are trajectories.
    """
    p = pd.Timestamp(peildatum)
    sch = resolve_scheme(scheme, default=DEFAULT_SCHEME)
    f = frame
    excluded = pd.Series(0, index=pd.Index([], dtype="object"))
    if formal_only:
        keep = f["formal_status"].fillna(False).astype(bool)
        excluded = f.loc[~keep, "pilot"].astype(str).value_counts()
        f = f.loc[keep]
    pilots = sorted(set(frame["pilot"].dropna().astype(str)))
    intake = f.loc[f["intake_date"] <= p]
    left = intake.loc[intake["exit_date"].notna() & (intake["exit_date"] <= p)]
    present = intake.loc[intake["exit_date"].isna() | (intake["exit_date"] > p)]
    classes = sch.classify(left["exit_reason"].astype("string"))
    classes = pd.Series(np.asarray(classes.astype("object")), index=left.index)
    cap = designs_at(p, designs).set_index("pilot")["capacity"]
    rows: list[tuple[str, str, str, float]] = []
    for pilot in pilots:
        ip = intake["pilot"].astype(str) == pilot
        if pilot in cap.index and pd.notna(cap.loc[pilot]):
            rows.append((pilot, "capacity", "places", float(cap.loc[pilot])))
        rows.append((pilot, "intake", "all", float(ip.sum())))
        fs = intake.loc[ip, "formal_status"]
        rows.append((pilot, "intake", "formal", float((fs == True).sum())))  # noqa: E712
        rows.append((pilot, "intake", "informal", float((fs == False).sum())))  # noqa: E712
        rows.append((pilot, "occupancy", "persons", float((present["pilot"].astype(str) == pilot).sum())))
        lp = left["pilot"].astype(str) == pilot
        rows.append((pilot, "outflow", "all", float(lp.sum())))
        cl = classes.loc[lp.to_numpy()]
        for cid in sch.class_ids:
            rows.append((pilot, "outflow", str(cid), float((cl == cid).sum())))
        n_unclassified = int(cl.isna().sum())
        if n_unclassified:
            rows.append((pilot, "outflow", "unclassified", float(n_unclassified)))
        if formal_only:
            rows.append((pilot, "excluded", "formal_only", float(excluded.get(pilot, 0))))
    out = pd.DataFrame(rows, columns=["pilot", "measure", "category", "value"])
    return out.sort_values(["pilot", "measure", "category"], ignore_index=True)


# ---------------------------------------------------------------------------
# rates


def _get(counts: pd.DataFrame, measure: str, category: str) -> float:
    hit = counts.loc[(counts["measure"] == measure) & (counts["category"] == category), "value"]
    return float(hit.iloc[0]) if len(hit) else float("nan")


def _rate_row(
    level: str,
    group: str,
    pilot: str,
    n_pilots: int,
    measure: str,
    category: str,
    num: float,
    den: float,
    den_label: str,
    proportion: bool,
    alpha: float,
) -> dict[str, Any]:
    est = num / den if (pd.notna(num) and pd.notna(den) and den > 0) else float("nan")
    low, high = float("nan"), float("nan")
    if pd.isna(num) or pd.isna(den):
        method = "not computable (figure missing)"
    elif not proportion:
        method = NO_CI
    elif measure in PLACES_MEASURES:
        method = PLACES_NO_CI
    elif pd.notna(est) and 0 <= num <= den:
        low, high = proportion_ci(num, den, alpha=alpha, method="wilson")
        method = "wilson"
    else:
        method = "none (numerator outside 0..denominator)"
    return {
        "level": level,
        "group": group,
        "pilot": pilot,
        "n_pilots": n_pilots,
        "measure": measure,
        "category": category,
        "numerator": num,
        "denominator": den,
        "denominator_label": den_label,
        "estimate": est,
        "ci_low": low,
        "ci_high": high,
        "ci_method": method,
        "label": DESCRIPTIVE_LABEL,
    }


def _components(counts: pd.DataFrame, formal_only: bool) -> dict[tuple[str, str], tuple[float, float, str, bool]]:
    """Numerator/denominator of every measure for one pilot's counts."""
    cap = _get(counts, "capacity", "places")
    occ = _get(counts, "occupancy", "persons")
    free = _get(counts, "free_places", "places")
    if pd.isna(free) and pd.notna(cap) and pd.notna(occ):
        free = cap - occ
    intake = _get(counts, "intake", "formal") if formal_only else float("nan")
    intake_label = "intake (formal LVV status)"
    if pd.isna(intake):
        intake = _get(counts, "intake", "all")
        intake_label = "intake (all)"
    outflow_all = _get(counts, "outflow", "all")
    out: dict[tuple[str, str], tuple[float, float, str, bool]] = {
        ("intake_per_place", "of_capacity"): (intake, cap, "capacity (places)", False),
        ("occupancy_rate", "of_capacity"): (occ, cap, "capacity (places)", True),
        ("free_places_rate", "of_capacity"): (free, cap, "capacity (places)", True),
    }
    classes = sorted(set(counts.loc[(counts["measure"] == "outflow") & (counts["category"] != "all"), "category"]))
    for cls in classes:
        k = _get(counts, "outflow", cls)
        out[("outflow_share_of_intake", cls)] = (k, intake, intake_label, True)
        out[("outflow_share_of_outflow", cls)] = (k, outflow_all, "outflow (all exits)", True)
        out[("outflow_per_place", cls)] = (k, cap, "capacity (places)", False)
    return out


def rate_table(
    counts: pd.DataFrame, groups: dict[str, str], *, formal_only: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """Per-pilot and per-group measures with intervals.

    Parameters
    ----------
    counts
        Long counts ``pilot, measure, category, value``.
    groups
        ``pilot -> group label``; pilots missing here get ``"not in design table"``.
    formal_only
        Use ``intake/formal`` as the intake denominator where published.
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RATE_COLUMNS`. Group rows pool persons of the pilots
        that have both numerator and denominator (listed in ``pilot``).
    """
    rows: list[dict[str, Any]] = []
    comps: dict[str, dict[tuple[str, str], tuple[float, float, str, bool]]] = {}
    for pilot, sub in counts.groupby("pilot", sort=True):
        comps[str(pilot)] = _components(sub, formal_only)
    labels = {p: groups.get(p, "not in design table") for p in comps}
    for pilot, measures in comps.items():
        for (measure, cat), (num, den, dl, prop) in measures.items():
            rows.append(_rate_row("pilot", labels[pilot], pilot, 1, measure, cat, num, den, dl, prop, alpha))
    keys = sorted({k for m in comps.values() for k in m})
    for label in sorted(set(labels.values())):
        members = [p for p in comps if labels[p] == label]
        for key in keys:
            have = [p for p in members if key in comps[p] and pd.notna(comps[p][key][0]) and pd.notna(comps[p][key][1])]
            if not have:
                continue
            num = sum(comps[p][key][0] for p in have)
            den = sum(comps[p][key][1] for p in have)
            dls = sorted({comps[p][key][2] for p in have})
            rows.append(
                _rate_row(
                    "group",
                    label,
                    ",".join(have),
                    len(have),
                    key[0],
                    key[1],
                    num,
                    den,
                    "; ".join(dls),
                    comps[have[0]][key][3],
                    alpha,
                )
            )
    table = pd.DataFrame(rows, columns=list(RATE_COLUMNS))
    order = {"pilot": 0, "group": 1}
    table = (
        table.assign(_o=table["level"].map(order))
        .sort_values(["measure", "category", "_o", "group", "pilot"], ignore_index=True)
        .drop(columns="_o")
    )
    return table


def group_differences(
    rates: pd.DataFrame, alpha: float = 0.05, exclude: Sequence[str] = (UNKNOWN_LABEL, "not in design table")
) -> pd.DataFrame:
    """Differences between group shares (``group_b - group_a``) with Newcombe intervals.

    The interval is :func:`lvv_eval.stats.rates.proportion_difference` (Newcombe's
    hybrid score interval, method 10 of Newcombe 1998).

    Only proportions are compared: rows with a Wilson interval, and
    occupancy and free-place rates, whose difference gets no interval
    (places are not a sample); groups named in ``exclude`` are left out.
    Every row carries :data:`lvv_eval.stats.sites.few_sites.DESCRIPTIVE_LABEL`; there are
    no p-values.
    """
    g = rates.loc[
        (rates["level"] == "group")
        & rates["ci_method"].isin(["wilson", PLACES_NO_CI])
        & ~rates["group"].isin(list(exclude))
    ]
    rows = []
    for (measure, cat), sub in g.groupby(["measure", "category"], sort=True):
        sub = sub.sort_values("group")
        for (_, a), (_, b) in itertools.combinations(sub.iterrows(), 2):
            if measure in PLACES_MEASURES:
                low, high, method = float("nan"), float("nan"), PLACES_NO_CI
            else:
                diff = proportion_difference(
                    b["numerator"], b["denominator"], a["numerator"], a["denominator"], alpha=alpha
                )
                low, high = float(diff["ci_low"].iloc[0]), float(diff["ci_high"].iloc[0])
                method = "newcombe (hybrid score)"
            rows.append(
                {
                    "measure": measure,
                    "category": cat,
                    "group_a": a["group"],
                    "group_b": b["group"],
                    "numerator_a": a["numerator"],
                    "denominator_a": a["denominator"],
                    "numerator_b": b["numerator"],
                    "denominator_b": b["denominator"],
                    "estimate": b["estimate"] - a["estimate"],
                    "ci_low": low,
                    "ci_high": high,
                    "ci_method": method,
                    "label": DESCRIPTIVE_LABEL,
                }
            )
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS))


# ---------------------------------------------------------------------------
# the comparison


@dataclass
class CompareResult:
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    attribute
        Design attribute that grouped the pilots.
    peildatum
        Reference date of the counts and of the design table.
    data_source
        ``"published:<source_id>"``, ``"person-level"`` or ``"counts"``.
    groups
        ``pilot -> group label``.
    rates
        Per-pilot and per-group measures (:data:`RATE_COLUMNS`).
    differences
        Group differences with Newcombe intervals (:data:`DIFF_COLUMNS`).
    identification
        ``varies_within_sites`` (always False for a design attribute),
        ``n_sites``, ``group_sizes``, ``n_assignments``, ``min_permutation_p``.
    notes
        Plain-words caveats collected along the way.
    """

    attribute: str
    peildatum: pd.Timestamp
    data_source: str
    groups: dict[str, str]
    rates: pd.DataFrame
    differences: pd.DataFrame
    identification: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    label: str = DESCRIPTIVE_LABEL


def _is_person_frame(data: pd.DataFrame) -> bool:
    return {"trajectory_id", "intake_date", "exit_date", "exit_reason"} <= set(data.columns)


def compare_groups(
    data: pd.DataFrame | str,
    attribute: str,
    *,
    peildatum: str | pd.Timestamp | None = None,
    scheme: Any = None,
    formal_only: bool = False,
    designs: pd.DataFrame | str | Path | None = None,
    alpha: float = 0.05,
    p_values: bool = False,
    figures_path: str | Path | None = None,
    differences: bool = False,
) -> CompareResult:
    """Compare pilots grouped by a design attribute (descriptive only).

    Parameters
    ----------
    data
        One of: a published source id (``"regioplan-2020"``, ``"monitor-2020"``);
        long counts ``pilot, measure, category, value``; or a typed
        person-level monitor frame.
    attribute
        Any design attribute (see :data:`lvv_eval.sources.designs.ATTRIBUTE_NAMES`).
    peildatum
        Reference date; required for counts and person-level data (taken from
        the source for published figures). The design table is read at this date.
    scheme
        Classification scheme for person-level data (object or name).
    formal_only
        Person-level: keep only formal LVV status. Published: use
        ``intake/formal`` where printed (Amsterdam 2019: 287 of 363).
    designs
        Design table (frame or path); default the shipped one.
    alpha
        1 - confidence level of all intervals.
    p_values
        Asking for p-values raises :class:`lvv_eval.stats.sites.few_sites.NotIdentifiedError`:
        a design attribute varies only between sites.
    figures_path
        Alternative published-figures CSV.
    differences
        Opt in to :func:`group_differences` (default ``False``: the result's
        ``differences`` is an empty table and a note says why). With two
        design groups over five sites, a Newcombe interval for a difference
        of shares pooled over persons across sites reads like a significance
        test of the design, which it is not: the per-pilot and per-group
        estimates in ``rates`` are the main output. When asked for, every
        difference carries :data:`lvv_eval.stats.sites.few_sites.DESCRIPTIVE_LABEL`.

    Returns
    -------
    CompareResult

    Raises
    ------
    NotIdentifiedError
        If ``p_values`` is true.
    ValueError
        If ``peildatum`` is missing where it is required.
    """
    notes: list[str] = []
    if isinstance(data, str):
        counts, when = published_counts(data, figures_path)
        if peildatum is not None and pd.Timestamp(peildatum) != when:
            notes.append(
                f"peildatum {pd.Timestamp(peildatum).date()} ignored: source {data!r} has peildatum {when.date()}"
            )
        source = f"published:{data}"
        if formal_only:
            notes.append(
                "published outflow counts do not say whether they include people without "
                "formal LVV status; only the intake denominator changes"
            )
    else:
        if peildatum is None:
            raise ArgumentError("peildatum is required for counts and person-level data")
        when = pd.Timestamp(peildatum)
        if _is_person_frame(data):
            counts = person_counts(data, when, scheme, formal_only=formal_only, designs=designs)
            source = "person-level"
            notes.append("units are trajectories (a person who re-entered counts once per trajectory)")
            exc = counts.loc[counts["measure"] == "excluded", "value"].sum()
            if formal_only:
                notes.append(f"{int(exc)} trajectories without (known) formal LVV status left out")
            uncl = counts.loc[(counts["measure"] == "outflow") & (counts["category"] == "unclassified"), "value"].sum()
            if uncl:
                notes.append(f"{int(uncl)} exits have a code the scheme does not classify")
        else:
            counts = data[["pilot", "measure", "category", "value"]].copy()
            counts["pilot"] = counts["pilot"].astype(str)
            counts = counts.loc[counts["pilot"] != "total"]
            source = "counts"
    groups = group_pilots(attribute, when, designs)
    if p_values:
        refuse_site_level_test(attribute, {p: g for p, g in groups.items() if p in set(counts["pilot"])})
    # capacity from the design table where the counts lack it
    cap = designs_at(when, designs).set_index("pilot")["capacity"]
    have_cap = set(counts.loc[counts["measure"] == "capacity", "pilot"])
    extra = [
        (p, "capacity", "places", float(cap.loc[p]))
        for p in sorted(set(counts["pilot"]) - have_cap)
        if p in cap.index and pd.notna(cap.loc[p])
    ]
    if extra:
        counts = pd.concat([counts, pd.DataFrame(extra, columns=counts.columns)], ignore_index=True)
        notes.append("capacity taken from the design table for: " + ", ".join(p for p, *_ in extra))
    rates = rate_table(counts, groups, formal_only=formal_only, alpha=alpha)
    missing = rates["ci_method"] == "not computable (figure missing)"
    if missing.any():
        gone = rates.loc[missing & (rates["level"] == "pilot")]
        for (measure, cat), sub in gone.groupby(["measure", "category"], sort=True):
            notes.append(
                f"{measure}/{cat} not computable (numerator or denominator not available) for: "
                + ", ".join(sorted(sub["pilot"]))
            )
        rates = rates.loc[~missing].reset_index(drop=True)
    if differences:
        diffs = group_differences(rates, alpha)
    else:
        diffs = pd.DataFrame(columns=list(DIFF_COLUMNS))
        notes.append(
            "group differences not computed (opt in with differences=True): persons pooled "
            "across sites in a group are not independent draws of the design, so a difference "
            "interval would read like a test; see the per-pilot estimates"
        )
    sizes = site_group_sizes({p: g for p, g in groups.items() if p in set(counts["pilot"])})
    unknown = sorted(p for p, g in groups.items() if g == UNKNOWN_LABEL)
    if unknown:
        notes.append(
            f"{attribute!r} is not published for: {', '.join(unknown)} (group 'unknown', left out of the differences)"
        )
    ident: dict[str, Any] = {
        "varies_within_sites": False,
        **_floor(sizes),
        "by_measure": _floor_by_measure(rates, groups),
    }
    return CompareResult(
        attribute=attribute,
        peildatum=when,
        data_source=source,
        groups=groups,
        rates=rates,
        differences=diffs,
        identification=ident,
        notes=notes,
    )


def _floor(sizes: dict[str, int]) -> dict[str, Any]:
    """Sites, group sizes and permutation floor of one comparison (unknown groups left out)."""
    return {
        "n_sites": int(sum(sizes.values())),
        "group_sizes": sizes,
        "n_assignments": n_assignments(list(sizes.values())) if len(sizes) >= 2 else 1,
        "min_permutation_p": min_permutation_p(list(sizes.values())) if len(sizes) >= 2 else float("nan"),
    }


def _floor_by_measure(rates: pd.DataFrame, groups: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The permutation floor per ``measure/category``, over the sites that have that figure.

    A figure missing for a pilot (Utrecht's occupancy in 2019, source 001
    footnote *) takes that pilot out of the comparison of that measure, so the
    floor is computed from the sites actually compared.
    """
    out: dict[str, dict[str, Any]] = {}
    pilots = rates.loc[rates["level"] == "pilot"]
    for (measure, cat), sub in pilots.groupby(["measure", "category"], sort=True):
        present = {str(p): groups[str(p)] for p in sub["pilot"] if str(p) in groups}
        out[f"{measure}/{cat}"] = _floor(site_group_sizes(present))
    return out


# ---------------------------------------------------------------------------
# sensitivity and plain words


def sensitivity_table(
    frame: pd.DataFrame,
    attribute: str,
    peildatum: str | pd.Timestamp,
    *,
    schemes: Sequence[Any] | None = None,
    designs: pd.DataFrame | str | Path | None = None,
    measures: Sequence[str] = ("outflow_share_of_intake", "outflow_share_of_outflow"),
    category: str | None = "durable",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Run :func:`compare_groups` under every scheme, with and without informal status.

    Parameters
    ----------
    frame
        Typed person-level monitor frame.
    attribute, peildatum, designs, alpha
        As in :func:`compare_groups`.
    schemes
        Scheme objects or names; default every shipped scheme
        (:func:`lvv_eval.reference.schemes.list_schemes`).
    measures
        Measures to keep.
    category
        Outflow class to keep (``None`` = all classes).

    Returns
    -------
    pandas.DataFrame
        The rate rows (pilot and group level) with two leading columns
        ``scheme`` and ``population`` (``all`` | ``formal_only``), sorted.
    """
    if schemes is None:
        from lvv_eval.reference.schemes import list_schemes

        schemes = list_schemes()
    parts = []
    for sch in schemes:
        obj = resolve_scheme(sch, default=DEFAULT_SCHEME)
        name = str(getattr(obj, "name", sch))
        for formal_only in (False, True):
            res = compare_groups(
                frame, attribute, peildatum=peildatum, scheme=obj, formal_only=formal_only, designs=designs, alpha=alpha
            )
            r = res.rates.loc[res.rates["measure"].isin(list(measures))]
            if category is not None:
                r = r.loc[r["category"] == category]
            r = r.assign(scheme=name, population="formal_only" if formal_only else "all")
            parts.append(r)
    out = pd.concat(parts, ignore_index=True)
    cols = ["scheme", "population", *RATE_COLUMNS]
    return out[cols].sort_values(
        ["scheme", "population", "measure", "category", "level", "group", "pilot"], ignore_index=True
    )
