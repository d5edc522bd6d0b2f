"""The three evaluations on one scale: durable, semi-durable and no solution at three dates.

The plan-and-process evaluation (Regioplan 2020, peildatum 31 December 2019), the programme
monitor and the interim evaluation (1 November 2020) and the final evaluation (Regioplan 2022,
July 2022) each counted with their own classification scheme and their own denominator, so
their percentages cannot be put side by side. This module puts every date under every shipped
scheme on one scale:

* **Classes.** The classes of each scheme are mapped onto three scale classes
  (:data:`SCALE_CLASSES`): ``durable``; ``semi_durable`` (the monitor's 'temporary' solutions,
  the same exit reasons that Verwey-Jonker and Regioplan 2022 call semi-durable; see the notes
  of ``monitor-2020.yaml``); ``none``. A scheme with only ``durable`` / ``not_durable``
  (Regioplan 2020) does not separate semi-durable from none: those cells are marked
  ``not_distinguished``, never filled in.
* **Denominator.** Every share is a share of the *outflow* (all who had left by the date): the
  only denominator under which the three classes add up to one, and the convention of the final
  evaluation (source ``004_b44b716732003f66.txt``).
* **Origin of each value** (column ``status``): ``published`` (the source prints the share:
  read from ``data/published/figures.csv``), ``derived`` (computed here from published counts
  of the source whose own scheme and date the cell has; the derivation is in ``basis``),
  ``person-level`` (recomputed from the person-level data, released through the disclosure
  gate), or ``not_available`` (no published basis and no person-level data).

Published numbers are used only under their source's own scheme and date: applying another
scheme to a published total would need exit-reason counts the sources do not print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from lvv_eval.disclosure.checked import CheckedTable
from lvv_eval.errors import ConfigError
from lvv_eval.reference.schemes import Scheme, list_schemes, load_scheme
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.sources import published
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats.rates import proportion_ci

if TYPE_CHECKING:  # pragma: no cover
    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.reporting.labels import Labels

__all__ = ["DATES", "SCALE_CLASSES", "SCALE_OF_CLASS", "STATUSES", "ThreeEvaluations", "three_evaluations",
           "published_basis", "scale_class", "texts"]

DATES: tuple[str, ...] = ("2019-12-31", "2020-11-01", "2022-07-01")
"""Peildata of the plan-and-process evaluation, the monitor / interim evaluation and the final evaluation."""

SCALE_CLASSES: tuple[str, ...] = ("durable", "semi_durable", "none")
"""The classes of the common scale, in order."""

SCALE_OF_CLASS: Mapping[str, str] = {"durable": "durable", "semi_durable": "semi_durable",
                                     "temporary": "semi_durable", "none": "none"}
"""Scheme class id -> scale class. ``temporary`` (monitor 2020: repeat asylum application and art. 64)
is the group the other sources call semi-durable. A class not listed (``not_durable``) spans
several scale classes and is not split."""

STATUSES: tuple[str, ...] = ("published", "derived", "person-level", "not_distinguished", "not_available")
"""Values of the ``status`` column."""

DENOMINATOR = "outflow"
"""Denominator of every share on the scale (all who left by the date)."""

COLUMNS: tuple[str, ...] = ("date", "scheme", "scale_class", "scheme_class", "status", "source_id", "basis",
                            "share", "ci_low", "ci_high", "published_numerator", "published_denominator",
                            "numerator", "denominator", "count_key")
"""Columns of :attr:`ThreeEvaluations.table`."""

TEXTS_DIR = Path(__file__).resolve().parent / "texts"


def scale_class(scheme: Scheme, scale: str) -> str | None:
    """The class of ``scheme`` that is scale class ``scale``, or ``None`` when the scheme has none.

    Examples
    --------
    >>> scale_class(load_scheme("monitor-2020"), "semi_durable")
    'temporary'
    >>> scale_class(load_scheme("regioplan-2020"), "none") is None
    True
    """
    hits = [c for c in scheme.class_ids if SCALE_OF_CLASS.get(str(c)) == scale]
    if len(hits) > 1:
        raise ConfigError(f"scheme {scheme.name}: classes {hits} both map to scale class {scale!r}")
    return str(hits[0]) if hits else None


def _codes_of_category(category: str, scheme: Scheme) -> tuple[str, ...]:
    """Exit codes a published outflow category counts (a code, a subtotal or a class of ``scheme``)."""
    if category in EXIT_REASON_CODES:
        return (category,)
    if category in scheme.subtotals:
        return tuple(scheme.subtotals[category])
    if category in scheme.class_ids:
        return tuple(scheme.codes_in(category))
    if category == "departure_or_onward_migration":
        return aggregate.DEPARTURE_OR_ONWARD_MIGRATION
    if category == "other_non_durable":
        return aggregate.OTHER_NON_DURABLE
    raise ConfigError(f"published outflow category {category!r} names no exit code, subtotal or class of "
                      f"scheme {scheme.name}")


@dataclass(frozen=True)
class Basis:
    """What one source publishes for one scheme class at its date."""

    share: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    text: str = ""

    @property
    def status(self) -> str:
        return "published" if self.numerator is None else "derived"


def published_basis(source_id: str, figures: pd.DataFrame | None = None) -> dict[str, Basis]:
    """Shares of the outflow per class of a source's own scheme, as printed or derived from printed counts.

    Rules, in order, per class of the source's scheme:

    1. the source prints the share of the outflow (``outflow_share_of_outflow``): published;
    2. the outflow is known (printed ``outflow/all``; else, when the listed exit categories cover
       every exit code, their sum; else printed intake minus printed present at the date) and the
       class count is known (printed ``outflow/<class>``; the sum of the listed categories that
       fall wholly in the class when they cover all its codes; or, for the one class holding every
       code the source does not list, the outflow minus the other classes): derived.

    Parameters
    ----------
    source_id
        A counting source of ``sources.csv``.
    figures
        Published figures (default: the shipped file).

    Returns
    -------
    dict
        Class id -> :class:`Basis` (classes without a basis are left out).

    Examples
    --------
    >>> b = published_basis("verwey-jonker-2021")
    >>> int(b["durable"].numerator), int(b["durable"].denominator)   # 43 + 50 + 2 of 537 (source 000)
    (95, 537)
    >>> round(published_basis("regioplan-2022")["durable"].share, 2)  # printed 18 %
    0.18
    """
    scheme_name, _ = published.source_population(source_id)
    scheme = load_scheme(scheme_name)
    rows = published.select(source=source_id, pilot=aggregate.TOTAL, figures=figures)
    value = {(str(m), str(c)): (float(v), str(f)) for m, c, v, f in
             zip(rows["measure"], rows["category"], rows["value"], rows["figure_id"])}
    out: dict[str, Basis] = {}
    for cls in scheme.class_ids:
        key = ("outflow_share_of_outflow", str(cls))
        if key in value:
            out[str(cls)] = Basis(share=value[key][0] / 100.0, text=value[key][1])
    if len(out) == len(scheme.class_ids):
        return out
    # counts: the listed outflow categories that are no class of the scheme, and which codes they cover
    listed = {c: v for (m, c), v in value.items() if m == "outflow" and c != "all" and c not in scheme.class_ids}
    covered: dict[str, tuple[str, ...]] = {c: _codes_of_category(c, scheme) for c in listed}
    all_codes = set().union(*covered.values()) if covered else set()
    denominator: tuple[float, str] | None = None
    if ("outflow", "all") in value:
        denominator = value[("outflow", "all")]
    elif listed and all_codes >= set(EXIT_REASON_CODES):
        denominator = (sum(v for v, _ in listed.values()), "(" + " + ".join(f for _, f in listed.values()) + ")")
    else:
        intake = value.get(("intake", "all")) or value.get(("intake", "formal"))
        present = value.get(("occupancy", "persons"))
        if intake and present:
            denominator = (intake[0] - present[0], f"({intake[1]} - {present[1]})")
    if denominator is None:
        return out
    counts: dict[str, tuple[float, str]] = {}
    for cls in scheme.class_ids:
        cls = str(cls)
        if ("outflow", cls) in value:
            counts[cls] = value[("outflow", cls)]
            continue
        codes = set(scheme.codes_in(cls))
        parts = [c for c, cc in covered.items() if set(cc) <= codes]
        if parts and set().union(*(set(covered[p]) for p in parts)) >= codes:
            counts[cls] = (sum(listed[p][0] for p in parts), " + ".join(listed[p][1] for p in parts))
    unlisted = {str(scheme.class_of(c)) for c in EXIT_REASON_CODES if c not in all_codes}
    missing = [str(c) for c in scheme.class_ids if str(c) not in counts]
    if len(missing) == 1 and unlisted <= {missing[0]}:
        rest = missing[0]
        others = [c for c in counts]
        counts[rest] = (denominator[0] - sum(counts[c][0] for c in others),
                        f"{denominator[1]} - ({' + '.join(counts[c][1] for c in others)})")
    for cls, (num, text) in counts.items():
        if cls not in out and denominator[0] > 0:
            out[cls] = Basis(share=num / denominator[0], numerator=num, denominator=denominator[0],
                             text=f"({text}) / {denominator[1]}")
    return out


@dataclass(frozen=True)
class ThreeEvaluations:
    """The comparison table with the metadata its captions are made from.

    Attributes
    ----------
    table
        One row per date x scheme x scale class (:data:`COLUMNS`). ``numerator`` and
        ``denominator`` are *person-level* counts (unsuppressed until :meth:`release`);
        ``published_numerator`` / ``published_denominator`` the published counts of derived rows.
    dates, schemes
        The dates and scheme names, in order.
    sources
        Source id per date whose published numbers are used (own scheme only).
    source_files
        Source id -> file name of the source document (citation).
    formal_only, pilots, alpha
        Population and interval level of the person-level rows.
    person_level
        Whether person-level data were used.
    """

    table: pd.DataFrame
    dates: tuple[str, ...]
    schemes: tuple[str, ...]
    sources: Mapping[str, tuple[str, ...]]
    source_files: Mapping[str, str]
    formal_only: bool = False
    pilots: tuple[str, ...] = ()
    alpha: float = 0.05
    person_level: bool = False
    denominator: str = field(default=DENOMINATOR)

    def statuses(self) -> dict[str, int]:
        """Number of rows per status (all statuses, zeros included)."""
        counts = self.table["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in STATUSES}

    def release(self, gate: "Gate", name: str = "three_evaluations", protect: Sequence[str] = ()) -> CheckedTable:
        """Release the table through the report's gate.

        With person-level rows the counts go through the gate as a rate table: classes of one date
        and scheme form a group (a single hidden class cannot come back by subtraction), and the
        same count under several schemes is a version (no two visible schemes may differ by a small
        number); ``share`` and the interval are hidden with their counts. Published and derived
        rows carry no person-level count and pass unchanged. Without person-level rows the table
        is exempt (published and derived figures only).
        """
        frame = self.table.copy()
        if not self.person_level:
            return gate.exempt(name, frame.drop(columns=["numerator", "denominator", "count_key"]), kind="derived")
        return gate.check(name, frame, counts=["numerator", "denominator"], key="count_key", rates=True,
                          derived={"share": ("numerator", "denominator"), "ci_low": ("numerator", "denominator"),
                                   "ci_high": ("numerator", "denominator")},
                          group=("date", "scheme"), versions="scheme", version_key=("date", "scale_class"),
                          protect=tuple(protect))

    def caption(self, L: "Labels") -> str:
        """The table caption, in the report language, from the result's own metadata."""
        t = texts(L.language)
        dates = ", ".join(L.date(d) for d in self.dates)
        cited = "; ".join(f"{s} ({self.source_files[s]})" for d in self.dates for s in self.sources.get(d, ()))
        population = t["population_formal"] if self.formal_only else t["population_all"]
        pilots = ", ".join(L.pilot(p) for p in self.pilots) if self.pilots else t["all_pilots"]
        text = t["caption"].format(dates=dates, n_schemes=L.number(len(self.schemes)),
                                   schemes=", ".join(self.schemes), denominator=t["denominator_" + self.denominator],
                                   sources=cited or t["no_sources"])
        if self.person_level:
            text += " " + t["caption_person"].format(population=population, pilots=pilots,
                                                     level=L.number(round((1 - self.alpha) * 100)))
        return text

    def figure_caption(self, L: "Labels") -> str:
        """The figure caption (what the bar styles mean), in the report language."""
        t = texts(L.language)
        return t["figure_caption"].format(denominator=t["denominator_" + self.denominator],
                                          dates=", ".join(L.date(d) for d in self.dates))

    def view(self, checked: CheckedTable, L: "Labels") -> pd.DataFrame:
        """A display frame of the released table: labels, formatted shares, the suppression mark."""
        t = texts(L.language)
        frame = checked.frame
        status = {s: t["status_" + s.replace("-", "_")] for s in STATUSES}
        shown = checked.view(columns=["date", "scheme", "scale_class", "status", "share", "ci_low", "ci_high",
                                      "basis"],
                             formats={"share": lambda v: L.percent(v, 1), "ci_low": lambda v: L.percent(v, 1),
                                      "ci_high": lambda v: L.percent(v, 1)},
                             relabel={"date": L.date, "status": lambda s: status.get(s, s),
                                      "scale_class": lambda c: L.word(c)})
        shown["basis"] = [b if b else "" for b in frame["basis"].fillna("")]
        absent = {"not_distinguished": t["not_distinguished_short"], "not_available": "–"}
        for col in ("share", "ci_low", "ci_high"):
            shown[col] = [absent.get(s, "–") if (not isinstance(v, str) and pd.isna(v)) else v
                          for v, s in zip(shown[col], frame["status"])]
        return shown.rename(columns={"date": t["col_date"], "scheme": t["col_scheme"],
                                     "scale_class": t["col_class"], "status": t["col_status"],
                                     "share": t["col_share"], "ci_low": t["col_ci_low"],
                                     "ci_high": t["col_ci_high"], "basis": t["col_basis"]})


@cache
def _texts(language: str) -> Mapping[str, str]:
    path = TEXTS_DIR / f"three_evaluations.{language}.yaml"
    if not path.is_file():
        raise ConfigError(f"{path}: texts of the three-evaluation comparison missing for language {language!r}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ConfigError(f"{path}: expected a mapping of key -> text")
    return data


def texts(language: str) -> Mapping[str, str]:
    """Caption and label texts of this comparison in ``language`` (``nl`` or ``en``)."""
    return _texts(str(language))


def three_evaluations(frame: pd.DataFrame | None = None, *, schemes: Sequence[str] | None = None,
                      dates: Sequence[str] = DATES, formal_only: bool = False,
                      pilots: Sequence[str] = (), alpha: float = 0.05, peildatum: str | None = None,
                      figures: pd.DataFrame | None = None) -> ThreeEvaluations:
    """Durable, semi-durable and no-solution shares of the outflow at each date under each scheme.

    Parameters
    ----------
    frame
        Typed monitor frame, or ``None`` (published and derived values only).
    schemes
        Scheme names (default: :func:`lvv_eval.reference.schemes.list_schemes`).
    dates
        Peildata (default :data:`DATES`).
    formal_only, pilots
        Population of the person-level rows. With a selection of pilots the published values
        (national) are not used: every value is then person-level.
    alpha
        1 - level of the Wilson intervals of the person-level shares.
    peildatum
        The report's peildatum: person-level counts at that date are keyed like the report's other
        national counts (pilot ``total``), so the gate's linked-table rule sees them; counts at the
        other dates get keys of their own.
    figures
        Published figures (default: the shipped file).

    Returns
    -------
    ThreeEvaluations
        Rows sorted by date, scheme, scale class.
    """
    names = tuple(schemes) if schemes else tuple(list_schemes())
    dates = tuple(str(pd.Timestamp(d).date()) for d in dates)
    sources_table = published.load_sources()
    files = dict(zip(sources_table["source_id"], sources_table["source_file"]))
    by_date: dict[str, list[str]] = {d: [] for d in dates}
    bases: dict[tuple[str, str], tuple[str, dict[str, Basis]]] = {}
    if not pilots:
        for source_id in published.counting_sources():
            rows = published.select(source=source_id, figures=figures)
            day = rows["peildatum"].dropna()
            if day.empty:
                continue
            d = str(pd.Timestamp(day.iloc[0]).date())
            scheme_name, _ = published.source_population(source_id)
            if d not in by_date or scheme_name not in names:
                continue
            basis = published_basis(source_id, figures)
            if basis:
                by_date[d].append(source_id)
                bases[(d, scheme_name)] = (source_id, basis)
    records: list[dict[str, object]] = []
    person = frame is not None
    report_day = str(pd.Timestamp(peildatum).date()) if peildatum is not None else ""
    for d in dates:
        for name in names:
            scheme = load_scheme(name)
            source_id, basis = bases.get((d, name), ("", {}))
            person_counts: dict[str, float] = {}
            if person:
                figs = aggregate.to_figures(frame, d, scheme=scheme, formal_only=formal_only,
                                            pilots=list(pilots) or None)
                tot = figs.loc[(figs["pilot"] == aggregate.TOTAL) & (figs["measure"] == "outflow")]
                person_counts = dict(zip(tot["category"].astype(str), tot["value"].astype(float)))
            for scale in SCALE_CLASSES:
                cls = scale_class(scheme, scale)
                rec: dict[str, object] = {"date": d, "scheme": scheme.name, "scale_class": scale,
                                          "scheme_class": cls or "", "source_id": "", "basis": "",
                                          "share": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                                          "published_numerator": np.nan, "published_denominator": np.nan,
                                          "numerator": pd.NA, "denominator": pd.NA,
                                          "count_key": aggregate.TOTAL if d == report_day else f"{aggregate.TOTAL}@{d}"}
                if cls is None:
                    rec["status"] = "not_distinguished"
                elif cls in basis:
                    b = basis[cls]
                    rec.update(status=b.status, source_id=source_id, basis=b.text, share=b.share,
                               published_numerator=b.numerator if b.numerator is not None else np.nan,
                               published_denominator=b.denominator if b.denominator is not None else np.nan)
                elif person:
                    num, den = person_counts.get(cls, 0.0), person_counts.get("all", 0.0)
                    low, high = proportion_ci(num, den, alpha=alpha)
                    rec.update(status="person-level", numerator=int(num), denominator=int(den),
                               share=(num / den) if den else np.nan, ci_low=low, ci_high=high)
                else:
                    rec["status"] = "not_available"
                records.append(rec)
    table = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    table["numerator"] = table["numerator"].astype("Int64")
    table["denominator"] = table["denominator"].astype("Int64")
    for col in ("share", "ci_low", "ci_high", "published_numerator", "published_denominator"):
        table[col] = table[col].astype("float64")
    return ThreeEvaluations(table, dates, tuple(load_scheme(n).name for n in names),
                            {d: tuple(s) for d, s in by_date.items()},
                            {s: str(files.get(s, "")) for ss in by_date.values() for s in ss},
                            formal_only=bool(formal_only), pilots=tuple(pilots), alpha=float(alpha),
                            person_level=person)
