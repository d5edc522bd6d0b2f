"""What the output scan looks for: every count a report could show, recomputed from its input.

Independent of the disclosure gate's own bookkeeping: from the run's parameters
(:class:`ReportContext`) the person-level input is read again with
:func:`lvv_eval.sources.monitor.read_monitor` and counted with :mod:`lvv_eval.stats` at the
report's peildatum, under every scheme of the run and every shipped scheme, for all trajectories
and for formal status only. :func:`small_counts` keeps, per pilot, design group and total, the
counts from 1 to ``threshold - 1`` (:class:`SmallCounts`); :mod:`lvv_eval.disclosure.scan`
searches the report's files for them. The published figures (``data/published/figures.csv``)
are read here too, for the scan's whitelist.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lvv_eval.errors import ConfigError, LvvEvalError
from lvv_eval.paths import DEFAULT_SYNTHETIC_FILE, PROJECT_ROOT, PUBLISHED_DIR
from lvv_eval.reference.schemes import Scheme, list_schemes, load_scheme
from lvv_eval.sources.designs import group_pilots
from lvv_eval.sources.monitor import read_monitor
from lvv_eval.stats.counts import TOTAL, as_peildatum, to_figures
from lvv_eval.stats.survival import time_to_event_frame

__all__ = [
    "BASE_MEASURES",
    "DEFAULT_THRESHOLD",
    "ReportContext",
    "SmallCounts",
    "Unit",
    "extra_measures",
    "published_by_pilot",
    "published_counts",
    "published_percents",
    "small_counts",
]

DEFAULT_THRESHOLD = 10
"""Threshold used when the run's parameters name none (same default as the gate)."""


# --------------------------------------------------------------------------- context of a report


@dataclass(frozen=True)
class ReportContext:
    """What the scan needs to know of a run (read from its parameters).

    Attributes
    ----------
    data_path
        The person-level input, or ``None`` (published figures only).
    peildatum
        Reference date of the person-level counts.
    schemes
        Classification schemes: the run's ``scheme``, ``comparison_scheme``, ``*_schemes`` (all
        shipped schemes when empty or absent).
    pilots
        Pilots of the run (empty: all).
    threshold
        ``disclosure_threshold`` of the run.
    horizons_days
        Horizons (days since intake) at which at-risk and event counts are recomputed.
    attribute
        Design attribute grouping the pilots (04), or ``None``.
    """

    data_path: Path | None
    peildatum: str
    schemes: tuple[str, ...]
    pilots: tuple[str, ...] = ()
    threshold: int = DEFAULT_THRESHOLD
    horizons_days: tuple[int, ...] = (182, 183, 365, 547, 548)
    attribute: str | None = None

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any], root: str | Path = PROJECT_ROOT) -> ReportContext:
        """Build the context from a run's parameters (as given to the notebook, or in ``provenance.json``)."""
        root = Path(root)
        source = parameters.get("data_source") or "synthetic"
        data_path: Path | None
        if source == "published":
            data_path = None
        elif source == "synthetic":
            data_path = DEFAULT_SYNTHETIC_FILE
        else:
            data_path = Path(source) if Path(str(source)).is_absolute() else root / str(source)
        schemes: list[str] = [str(parameters["scheme"])] if isinstance(parameters.get("scheme"), str) else []
        for key in sorted(parameters):
            if re.search(r"(^|_)schemes?$", key):
                value = parameters[key]
                if isinstance(value, list):
                    schemes += [str(v) for v in value] or list(list_schemes())
                elif isinstance(value, str) and value:
                    schemes.append(value)
        schemes += list(list_schemes())  # shipped schemes: the sensitivity tables use them all
        months = parameters.get("horizons_months") or [6, 12, 18]
        days = {365}
        for m in months if isinstance(months, list) else []:
            exact = float(m) * 365.25 / 12
            days |= {math.floor(exact), math.ceil(exact), int(round(float(m) * 30))}
        threshold = parameters.get("disclosure_threshold", DEFAULT_THRESHOLD)
        attribute = parameters.get("attribute")
        return cls(
            data_path=data_path,
            peildatum=str(parameters.get("peildatum") or "2019-12-31"),
            schemes=tuple(dict.fromkeys(schemes)),
            pilots=tuple(str(p).strip().lower() for p in parameters.get("pilots") or ()),
            threshold=int(threshold) if isinstance(threshold, int) else DEFAULT_THRESHOLD,
            horizons_days=tuple(sorted(days)),
            attribute=str(attribute) if isinstance(attribute, str) and attribute else None,
        )


# --------------------------------------------------------------------------- small counts


Unit = frozenset[str]
"""A set of pilots: one pilot, a design group, or every pilot (the total)."""

BASE_MEASURES: frozenset[str] = frozenset({"persons", "intake", "occupancy", "outflow", "scenarios"})
"""Measures every value is compared with; at-risk, event, cohort and scheme-difference counts only in context."""


def extra_measures(table: str, header: str = "") -> frozenset[str]:
    """Time-to-event and scheme measures a table (name or caption) or column is about.

    Examples
    --------
    >>> sorted(extra_measures("cumulative_incidence", "n_at_risk"))
    ['at_risk', 'events']
    >>> sorted(extra_measures("flow_by_pilot", "Uitstroom"))
    []
    """
    out: set[str] = set()
    if re.search(r"at.risk|nog in de lvv|risico", header, re.I):
        out.add("at_risk")
    if re.search(r"cumulative|incidence|incidentie|horizon|cif|survival|overleving", table, re.I) or re.search(
        r"event|with this outcome|met deze uitkomst", header, re.I
    ):
        out |= {"events", "at_risk"}
    if re.search(r"follow.?up|cohort|complete|volledig", table, re.I):
        out.add("cohort")
    if re.search(r"sensitiv|gevoelig|scheme|schema|shift|verschuiv", table, re.I):
        out.add("scheme difference")
    return frozenset(out)


@dataclass
class SmallCounts:
    """Recomputed person-level counts of a report, per pilot, and the small ones.

    ``per_pilot[pilot][(measure, category, variant)]`` holds every count; counts of a set of
    pilots (a design group, the total) are sums, computed on demand. ``persons`` counts
    (distinct people) are kept for single pilots and the total only.
    """

    threshold: int
    pilots: tuple[str, ...]
    per_pilot: dict[str, dict[tuple[str, str, str], int]]
    total: dict[tuple[str, str, str], int]
    published: set[tuple[str, str, str, int]] = field(default_factory=set)
    groups: dict[str, Unit] = field(default_factory=dict)
    identifiers: frozenset[str] = frozenset()
    schemes: tuple[str, ...] = ()
    _cache: dict[tuple[Unit, frozenset[str]], dict[int, list[str]]] = field(default_factory=dict, repr=False)

    @property
    def everyone(self) -> Unit:
        return frozenset(self.pilots)

    def counts(self, unit: Unit) -> dict[tuple[str, str, str], int]:
        """Every count of a unit (sum over its pilots; the total row for all pilots)."""
        if unit == self.everyone:
            return self.total
        if len(unit) == 1:
            return self.per_pilot.get(next(iter(unit)), {})
        out: dict[tuple[str, str, str], int] = defaultdict(int)
        for pilot in unit:
            for key, value in self.per_pilot.get(pilot, {}).items():
                if key[0] != "persons":
                    out[key] += value
        return dict(out)

    def _is_published(self, unit: Unit, key: tuple[str, str, str], value: int) -> bool:
        label = TOTAL if unit == self.everyone else (next(iter(unit)) if len(unit) == 1 else None)
        return label is not None and (label, key[0], key[1], value) in self.published

    def small(self, unit: Unit, extra: frozenset[str] = frozenset()) -> dict[int, list[str]]:
        """Small counts of a unit: value -> descriptions (``measure/category [variant]``).

        Only the measures of :data:`BASE_MEASURES`, plus those in ``extra`` (``at_risk``,
        ``events``, ``cohort``, ``scheme difference``): a value is compared with at-risk, event
        and cohort counts only where the column or table is about them, which keeps chance
        matches with the many time-to-event counts out.
        """
        key = (unit, extra)
        if key not in self._cache:
            found: dict[int, list[str]] = defaultdict(list)
            order = {name: i for i, name in enumerate(self.schemes)}

            def position(item: tuple[tuple[str, str, str], int]) -> tuple[int, str, str, str]:
                measure, category, variant = item[0]
                return (order.get(variant.split(",")[0].split(" vs ")[0], len(order)), variant, measure, category)

            allowed = BASE_MEASURES | extra
            for item, value in sorted(self.counts(unit).items(), key=position):
                if item[0] in allowed and 1 <= value < self.threshold and not self._is_published(unit, item, value):
                    measure, category, variant = item
                    found[value].append(f"{measure}/{category}" + (f" [{variant}]" if variant else ""))
            self._cache[key] = dict(found)
        return self._cache[key]

    def any_small(self, extra: frozenset[str] = frozenset()) -> dict[int, list[str]]:
        """Small counts of every pilot, group and the total, with the unit named."""
        found: dict[int, list[str]] = defaultdict(list)
        units = [frozenset([p]) for p in self.pilots] + [self.everyone] + list(self.groups.values())
        for unit in dict.fromkeys(units):
            for value, what in self.small(unit, extra).items():
                found[value] += [f"{self.unit_label(unit)} {w}" for w in what]
        return dict(found)

    def shown_denominators(self, unit: Unit) -> set[int]:
        """Denominators a reader may know for a unit: intake, present, outflow, scenarios (all)."""
        counts = self.counts(unit)
        return {
            v
            for (m, c, _), v in counts.items()
            if (m, c)
            in {
                ("intake", "all"),
                ("occupancy", "persons"),
                ("outflow", "all"),
                ("scenarios", "all"),
                ("cohort", "all"),
            }
            and v > 0
        }

    def unit_label(self, unit: Unit) -> str:
        if unit == self.everyone:
            return TOTAL
        for name, members in self.groups.items():
            if members == unit and len(unit) > 1:
                return f"group {name} ({','.join(sorted(unit))})"
        return ",".join(sorted(unit))


def published_percents(directory: Path = PUBLISHED_DIR) -> dict[str, set[float]]:
    """Published percentages per pilot (``total`` included), at any peildatum."""
    path = directory / "figures.csv"
    out: dict[str, set[float]] = defaultdict(set)
    if not path.is_file():
        return out
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for row in table.itertuples(index=False):
        try:
            value = float(str(row.value))
        except ValueError:
            continue
        if row.unit == "percent":
            out[str(row.pilot)].add(value)
    return out


def published_by_pilot(directory: Path = PUBLISHED_DIR) -> dict[str, set[int]]:
    """Published counts per pilot (``total`` included), at any peildatum."""
    path = directory / "figures.csv"
    out: dict[str, set[int]] = defaultdict(set)
    if not path.is_file():
        return out
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for row in table.itertuples(index=False):
        try:
            value = float(str(row.value))
        except ValueError:
            continue
        if row.unit == "count" and value.is_integer():
            out[str(row.pilot)].add(int(value))
    return out


def published_counts(
    peildatum: str, directory: Path = PUBLISHED_DIR
) -> tuple[set[tuple[str, str, str, int]], set[int]]:
    """Published counts at the peildatum (pilot, measure, category, value), and every published count value."""
    path = directory / "figures.csv"
    if not path.is_file():
        return set(), set()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    keyed: set[tuple[str, str, str, int]] = set()
    values: set[int] = set()
    for row in table.itertuples(index=False):
        try:
            value = float(str(row.value))
        except ValueError:
            continue
        if row.unit != "count" or not value.is_integer():
            continue
        values.add(int(value))
        if row.peildatum == peildatum:
            keyed.add((str(row.pilot), str(row.measure), str(row.category), int(value)))
    return keyed, values


def _figure_counts(
    frame: pd.DataFrame, peildatum: str, scheme: Scheme, formal: bool, pilots: Sequence[str] | None
) -> dict[str, dict[tuple[str, str, str], int]]:
    figures = to_figures(frame, peildatum, scheme=scheme, formal_only=formal, pilots=pilots)
    variant = f"{scheme.name}{', formal only' if formal else ''}"
    out: dict[str, dict[tuple[str, str, str], int]] = defaultdict(dict)
    for row in figures.itertuples(index=False):
        out[str(row.pilot)][(str(row.measure), str(row.category), variant)] = int(str(row.value))
    for counts in out.values():
        outflow = counts.get(("outflow", "all", variant), 0)
        for class_id in scheme.class_ids:
            counts[("outflow", f"not {class_id}", variant)] = outflow - counts.get(
                ("outflow", str(class_id), variant), 0
            )
    return out


def _time_counts(
    frame: pd.DataFrame, peildatum: str, scheme: Scheme, formal: bool, horizons: Sequence[int]
) -> dict[str, dict[tuple[str, str, str], int]]:
    """At-risk and event counts at each horizon, and complete-follow-up cohorts, per pilot."""
    events = time_to_event_frame(frame, peildatum, scheme, formal_only=formal)
    variant = f"{scheme.name}{', formal only' if formal else ''}"
    day = as_peildatum(peildatum)
    intake = frame.set_index(frame["trajectory_id"].astype("string"))["intake_date"]
    events = events.assign(intake_date=intake.reindex(events["trajectory_id"]).to_numpy())
    out: dict[str, dict[tuple[str, str, str], int]] = defaultdict(dict)
    class_ids = [str(c) for c in scheme.class_ids]
    for pilot, rows in events.groupby("pilot", sort=True):
        counts = out[str(pilot)]
        time = rows["time_days"].to_numpy()
        code = rows["event_code"].to_numpy()
        for h in horizons:
            counts[("at_risk", f"{h} days", variant)] = int((time >= h).sum())
            counts[("at_risk", f"after {h} days", variant)] = int((time > h).sum())
            counts[("events", f"all by {h} days", variant)] = int(((code > 0) & (time <= h)).sum())
            for i, c in enumerate(class_ids, start=1):
                counts[("events", f"{c} by {h} days", variant)] = int(((code == i) & (time <= h)).sum())
            cohort = (rows["intake_date"] <= day - pd.Timedelta(days=int(h))).to_numpy()
            counts[("cohort", f"{h} days", variant)] = int(cohort.sum())
            within = cohort & (code > 0) & (time <= h)
            counts[("cohort", f"in programme at {h} days", variant)] = int((cohort & ~within).sum())
            for i, c in enumerate(class_ids, start=1):
                counts[("cohort", f"{c} within {h} days", variant)] = int((cohort & (code == i) & (time <= h)).sum())
    return out


def _scheme_differences(per_pilot: dict[str, dict[tuple[str, str, str], int]]) -> None:
    """Add, per pilot, the difference between two schemes' counts of the same class (if not zero)."""
    for counts in per_pilot.values():
        by_class: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for (measure, category, variant), value in counts.items():
            if measure == "outflow" and not category.startswith("not "):
                by_class[(category, "formal" if "formal" in variant else "all")][variant] = value
        extra = {}
        for (category, _), values in by_class.items():
            names = sorted(values)
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    diff = abs(values[a] - values[b])
                    if diff:
                        extra[("scheme difference", category, f"{a} vs {b}")] = diff
        counts.update(extra)


def _distinctive(identifier: str) -> bool:
    """Whether an identifier is specific enough to search for (not a short or purely numeric one).

    Examples
    --------
    >>> [_distinctive(x) for x in ("T000001", "P12", "2065", "20190401")]
    [True, False, False, True]
    """
    if identifier.isdigit():
        return len(identifier) >= 6
    return len(identifier) >= 4 and any(ch.isdigit() for ch in identifier)


def small_counts(context: ReportContext) -> SmallCounts:
    """Recompute every count of a report from its person-level input.

    Counts, per pilot and for the total, at the report's peildatum, under each scheme of the
    context, for all trajectories and for formal status only: ``to_figures`` (persons, intake,
    present, outflow, per class, per exit reason, scenarios), the complement of each class in the
    outflow, at-risk and event counts at each horizon, complete-follow-up cohorts, and the
    difference between two schemes' counts of one class.

    Raises
    ------
    ConfigError
        The context has no person-level input.
    """
    if context.data_path is None:
        raise ConfigError("the report has no person-level input (data_source = published)")
    data = read_monitor(context.data_path, strict=False)
    frame = data.frame
    pilots = list(context.pilots) or None
    per_pilot: dict[str, dict[tuple[str, str, str], int]] = defaultdict(dict)
    schemes = [load_scheme(name) for name in context.schemes]
    for scheme in schemes:
        for formal in (False, True):
            for pilot, counts in _figure_counts(frame, context.peildatum, scheme, formal, pilots).items():
                per_pilot[pilot].update(counts)
            wanted = set(pilots) if pilots else None
            for pilot, counts in _time_counts(frame, context.peildatum, scheme, formal, context.horizons_days).items():
                if wanted is None or pilot in wanted:
                    per_pilot[pilot].update(counts)
    _scheme_differences(per_pilot)
    total = per_pilot.pop(TOTAL, {})
    names = tuple(sorted(per_pilot))
    for key in {
        k
        for counts in per_pilot.values()
        for k in counts
        if k[0] in ("at_risk", "events", "cohort", "scheme difference")
    }:
        if key[0] != "scheme difference":
            total[key] = sum(per_pilot[p].get(key, 0) for p in names)
    published, _ = published_counts(context.peildatum)
    groups: dict[str, Unit] = {}
    if context.attribute:
        try:
            mapping = group_pilots(context.attribute, context.peildatum)
        except (KeyError, LvvEvalError):
            mapping = {}
        for pilot, label in mapping.items():
            if pilot in names:
                groups.setdefault(label, frozenset())
                groups[label] = groups[label] | {pilot}
    ids = set()
    for column in ("trajectory_id", "person_id"):
        ids |= {str(v) for v in frame[column].dropna().unique() if _distinctive(str(v))}
    return SmallCounts(
        threshold=context.threshold,
        pilots=names,
        per_pilot=dict(per_pilot),
        total=total,
        published=published,
        groups=groups,
        identifiers=frozenset(ids),
        schemes=context.schemes,
    )
