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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lvv_eval.disclosure.checked import CheckedTable
from lvv_eval.errors import ConfigError
from lvv_eval.evaluations import wording
from lvv_eval.reference.schemes import Scheme, list_schemes, load_scheme
from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
from lvv_eval.sources import published
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats.rates import proportion_ci

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from lvv_eval.disclosure.gate import Gate
    from lvv_eval.reporting.labels import Labels
    from lvv_eval.reporting.writer import CaptionedTable, ReportWriter

__all__ = [
    "DATES",
    "SCALE_CLASSES",
    "SCALE_OF_CLASS",
    "STATUSES",
    "ThreeEvaluations",
    "three_evaluations",
    "published_basis",
    "scale_class",
    "scale_values",
    "texts",
    "write_section",
]

DATES: tuple[str, ...] = ("2019-12-31", "2020-11-01", "2022-07-01")
"""Peildata of the plan-and-process evaluation, the monitor / interim evaluation and the final evaluation."""

SCALE_CLASSES: tuple[str, ...] = ("durable", "semi_durable", "none")
"""The classes of the common scale, in order."""

SCALE_OF_CLASS: Mapping[str, str] = {
    "durable": "durable",
    "semi_durable": "semi_durable",
    "temporary": "semi_durable",
    "none": "none",
}
"""Scheme class id -> scale class. ``temporary`` (monitor 2020: repeat asylum application and art. 64)
is the group the other sources call semi-durable. A class not listed (``not_durable``) spans
several scale classes and is not split."""

STATUSES: tuple[str, ...] = ("published", "derived", "person-level", "not_distinguished", "not_available")
"""Values of the ``status`` column."""

DENOMINATOR = "outflow"
"""Denominator of every share on the scale (all who left by the date)."""

COLUMNS: tuple[str, ...] = (
    "date",
    "scheme",
    "scale_class",
    "scheme_class",
    "status",
    "source_id",
    "basis",
    "published_share",
    "published_numerator",
    "published_denominator",
    "person_share",
    "ci_low",
    "ci_high",
    "numerator",
    "denominator",
    "count_key",
)
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
    raise ConfigError(
        f"published outflow category {category!r} names no exit code, subtotal or class of scheme {scheme.name}"
    )


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
    value = {
        (str(m), str(c)): (float(v), str(f))
        for m, c, v, f in zip(rows["measure"], rows["category"], rows["value"], rows["figure_id"])
    }
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
        counts[rest] = (
            denominator[0] - sum(counts[c][0] for c in others),
            f"{denominator[1]} - ({' + '.join(counts[c][1] for c in others)})",
        )
    for cls, (num, text) in counts.items():
        if cls not in out and denominator[0] > 0:
            out[cls] = Basis(
                share=num / denominator[0],
                numerator=num,
                denominator=denominator[0],
                text=f"({text}) / {denominator[1]}",
            )
    return out


@dataclass(frozen=True)
class ThreeEvaluations:
    """The comparison table with the metadata its captions are made from.

    Attributes
    ----------
    table
        One row per date x scheme x scale class (:data:`COLUMNS`). ``published_share`` is the
        published or derived value (with ``published_numerator`` / ``published_denominator`` for
        derived rows); ``numerator``, ``denominator``, ``person_share`` and its interval are
        *person-level* (unsuppressed until :meth:`release`), computed for every cell whose class
        the scheme has, so that published and person-level values stand side by side and the gate
        sees every scheme's count. ``status`` says which value is the cell's value on the scale
        (:meth:`scale_values`).
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

    def register(self, gate: Gate, name: str = "three_evaluations", protect: Sequence[str] = ()) -> None:
        """Register the person-level rows with the report's gate, before the report releases any table.

        With person-level data the counts go through the gate as a rate table: classes of one date
        and scheme form a group (a single hidden class cannot come back by subtraction), and the
        same count under several schemes is a version (no two visible schemes may differ by a small
        number; ``protect`` names the schemes never hidden for that, as in the report's scheme
        sensitivity table); ``person_share`` and its interval are hidden with their counts. The
        published and derived values are no person-level counts and pass unchanged. The counts
        are keyed ``total@<date>``: they are checked among themselves, not linked to the report's
        other tables (whose national counts at the peildatum are protected there with the same
        rules). Without person-level data nothing is registered (see :meth:`release`).
        """
        if not self.person_level:
            return
        gate.register(
            name,
            self.table.copy(),
            upstream=self.between_dates(gate.threshold),
            counts=["numerator", "denominator"],
            key="count_key",
            rates=True,
            not_counts=["published_numerator", "published_denominator"],  # published counts
            derived={
                "person_share": ("numerator", "denominator"),
                "ci_low": ("numerator", "denominator"),
                "ci_high": ("numerator", "denominator"),
            },
            group=("date", "scheme"),
            versions="scheme",
            version_key=("date", "scale_class"),
            protect=tuple(protect),
        )

    def between_dates(self, threshold: int) -> pd.DataFrame:
        """The table with the person-level counts hidden that differ from another date's by a small number.

        The counts are cumulative: the same class and scheme (or the outflow) at two peildatums
        differ by the people who left in between, a count of persons. For every scheme and class,
        the fewest dates are hidden so that no two shown counts, numerators and denominators
        alike, differ by ``1 .. threshold - 1``
        (:func:`lvv_eval.disclosure.suppression.suppress_differences_between`).
        """
        from lvv_eval.disclosure.suppression import suppress_differences_between

        out = self.table.copy()
        dependent = ["person_share", "ci_low", "ci_high"]
        for column in ("numerator", "denominator"):
            out = suppress_differences_between(
                out,
                key_cols=["scheme", "scale_class"],
                version_col="date",
                count_col=column,
                threshold=threshold,
                dependent=dependent,
            ).table
        return out

    def release(self, gate: Gate, name: str = "three_evaluations", protect: Sequence[str] = ()) -> CheckedTable:
        """Release the table through the report's gate (registering it first unless :meth:`register` did).

        Without person-level data the table is exempt (published and derived figures only).
        """
        if not self.person_level:
            return gate.exempt(
                name,
                self.table.drop(columns=["numerator", "denominator", "person_share", "ci_low", "ci_high", "count_key"]),
                kind="derived",
            )
        if not gate.registered(name):
            self.register(gate, name, protect=protect)
        return gate.release(name)

    def caption(self, L: Labels) -> str:
        """The table caption, in the report language, from the result's own metadata."""
        t = texts(L.language)
        dates = ", ".join(L.date(d) for d in self.dates)
        cited = "; ".join(f"{s} ({self.source_files[s]})" for d in self.dates for s in self.sources.get(d, ()))
        population = t["population_formal"] if self.formal_only else t["population_all"]
        pilots = ", ".join(L.pilot(p) for p in self.pilots) if self.pilots else t["all_pilots"]
        text = t["caption"].format(
            dates=dates,
            n_schemes=L.number(len(self.schemes)),
            schemes=", ".join(self.schemes),
            denominator=t["denominator_" + self.denominator],
            sources=cited or t["no_sources"],
        )
        if self.person_level:
            text += " " + t["caption_person"].format(
                population=population, pilots=pilots, level=L.number(round((1 - self.alpha) * 100))
            )
        return text

    def figure_caption(self, L: Labels) -> str:
        """The figure caption (what the bar styles mean), in the report language."""
        t = texts(L.language)
        return t["figure_caption"].format(
            denominator=t["denominator_" + self.denominator], dates=", ".join(L.date(d) for d in self.dates)
        )

    def view(self, checked: CheckedTable, L: Labels) -> pd.DataFrame:
        """A display frame of the released table: labels, formatted shares, the suppression mark."""
        t = texts(L.language)
        frame = checked.frame
        status = {s: t["status_" + s.replace("-", "_")] for s in STATUSES}
        cols = [
            "date",
            "scheme",
            "scale_class",
            "status",
            "published_share",
            "person_share",
            "ci_low",
            "ci_high",
            "basis",
        ]
        cols = [c for c in cols if c in frame.columns]
        pct = {c: (lambda v: L.percent(v, 1)) for c in ("published_share", "person_share", "ci_low", "ci_high")}
        shown = checked.view(
            columns=cols,
            formats=pct,
            relabel={"date": L.date, "status": lambda s: status.get(s, s), "scale_class": lambda c: L.word(c)},
        )
        shown["basis"] = [b if b else "" for b in frame["basis"].fillna("")]
        absent = {"not_distinguished": t["not_distinguished_short"], "not_available": "–"}
        for col in ("published_share", "person_share", "ci_low", "ci_high"):
            if col in shown.columns:
                shown[col] = [
                    absent.get(s, "–") if (not isinstance(v, str) and pd.isna(v)) else v
                    for v, s in zip(shown[col], frame["status"])
                ]
        return shown.rename(
            columns={
                "date": t["col_date"],
                "scheme": t["col_scheme"],
                "scale_class": t["col_class"],
                "status": t["col_status"],
                "published_share": t["col_published_share"],
                "person_share": t["col_person_share"],
                "ci_low": t["col_ci_low"],
                "ci_high": t["col_ci_high"],
                "basis": t["col_basis"],
            }
        )


def scale_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The value of each cell on the scale: the published or derived share, else the person-level one.

    Returns
    -------
    pandas.DataFrame
        ``frame`` with a column ``share`` (missing where not distinguished, not available or
        suppressed).

    Examples
    --------
    >>> t = pd.DataFrame({"status": ["published", "person-level"], "published_share": [0.18, np.nan],
    ...                   "person_share": [0.2, 0.3]})
    >>> scale_values(t)["share"].tolist()
    [0.18, 0.3]
    """
    person = frame["person_share"] if "person_share" in frame.columns else pd.Series(np.nan, index=frame.index)
    own = frame["status"].isin(["published", "derived"]).to_numpy()
    share = np.where(
        own,
        pd.to_numeric(frame["published_share"], errors="coerce").to_numpy(dtype=float),
        pd.to_numeric(person, errors="coerce").to_numpy(dtype=float, na_value=np.nan),
    )
    return frame.assign(share=share)


def texts(language: str) -> Mapping[str, str]:
    """Caption and label texts of this comparison in ``language`` (``nl`` or ``en``)."""
    return wording.load("three_evaluations", str(language))


def three_evaluations(
    frame: pd.DataFrame | None = None,
    *,
    schemes: Sequence[str] | None = None,
    dates: Sequence[str] = DATES,
    formal_only: bool = False,
    pilots: Sequence[str] = (),
    alpha: float = 0.05,
    figures: pd.DataFrame | None = None,
) -> ThreeEvaluations:
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
    for d in dates:
        for name in names:
            scheme = load_scheme(name)
            source_id, basis = bases.get((d, name), ("", {}))
            person_counts: dict[str, float] = {}
            if person:
                figs = aggregate.to_figures(
                    frame, d, scheme=scheme, formal_only=formal_only, pilots=list(pilots) or None
                )
                tot = figs.loc[(figs["pilot"] == aggregate.TOTAL) & (figs["measure"] == "outflow")]
                person_counts = dict(zip(tot["category"].astype(str), tot["value"].astype(float)))
            for scale in SCALE_CLASSES:
                cls = scale_class(scheme, scale)
                rec: dict[str, object] = {
                    "date": d,
                    "scheme": scheme.name,
                    "scale_class": scale,
                    "scheme_class": cls or "",
                    "source_id": "",
                    "basis": "",
                    "published_share": np.nan,
                    "person_share": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "published_numerator": np.nan,
                    "published_denominator": np.nan,
                    "numerator": pd.NA,
                    "denominator": pd.NA,
                    "count_key": f"{aggregate.TOTAL}@{d}",
                }
                if cls is None:
                    rec["status"] = "not_distinguished"
                elif cls in basis:
                    b = basis[cls]
                    rec.update(
                        status=b.status,
                        source_id=source_id,
                        basis=b.text,
                        published_share=b.share,
                        published_numerator=b.numerator if b.numerator is not None else np.nan,
                        published_denominator=b.denominator if b.denominator is not None else np.nan,
                    )
                elif person:
                    rec["status"] = "person-level"
                else:
                    rec["status"] = "not_available"
                if cls is not None and person:
                    num, den = person_counts.get(cls, 0.0), person_counts.get("all", 0.0)
                    low, high = proportion_ci(num, den, alpha=alpha)
                    rec.update(
                        numerator=int(num),
                        denominator=int(den),
                        person_share=(num / den) if den else np.nan,
                        ci_low=low,
                        ci_high=high,
                    )
                records.append(rec)
    table = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    table["numerator"] = table["numerator"].astype("Int64")
    table["denominator"] = table["denominator"].astype("Int64")
    for col in ("published_share", "person_share", "ci_low", "ci_high", "published_numerator", "published_denominator"):
        table[col] = table[col].astype("float64")
    return ThreeEvaluations(
        table,
        dates,
        tuple(load_scheme(n).name for n in names),
        {d: tuple(s) for d, s in by_date.items()},
        {s: str(files.get(s, "")) for ss in by_date.values() for s in ss},
        formal_only=bool(formal_only),
        pilots=tuple(pilots),
        alpha=float(alpha),
        person_level=person,
    )


def write_section(
    writer: ReportWriter,
    gate: Gate,
    L: Labels,
    result: ThreeEvaluations,
    *,
    protect: Sequence[str] = (),
    name: str = "three_evaluations",
) -> tuple[CaptionedTable, Figure]:
    """Release the comparison, write its table and figure, and return what the notebook shows.

    Parameters
    ----------
    writer
        The report's writer.
    gate
        The report's gate (person-level rows are checked there, together with the other tables).
    L
        Labels of the report language.
    result
        Output of :func:`three_evaluations`.
    protect
        Schemes never hidden by the rule on differences between schemes (the report's own).

    Returns
    -------
    (CaptionedTable, Figure)
        The labelled table and the figure (left open; the caller closes it).
    """
    from lvv_eval.evaluations.common import figure_from
    from lvv_eval.reporting.flow_plot import scale_chart
    from lvv_eval.reporting.writer import show_table

    t = texts(L.language)
    checked = result.release(gate, name, protect=protect)
    caption = result.caption(L)
    writer.table(name, checked, caption=caption)
    status_labels = {s: t["status_" + s.replace("-", "_")] for s in STATUSES}
    status_labels["suppressed"] = L.word("suppressed_value")
    fig = scale_chart(
        scale_values(checked.frame),
        dates=result.dates,
        schemes=result.schemes,
        classes=SCALE_CLASSES,
        title=t["title"],
        ylabel=t["axis_share"],
        footnote=result.figure_caption(L),
        date_labels={d: L.date(d) for d in result.dates},
        class_labels={c: L.word(c) for c in SCALE_CLASSES},
        status_labels=status_labels,  # type: ignore[arg-type]
        not_distinguished=t["not_distinguished_short"],
        fmt=lambda v: L.percent(v),
    )
    writer.figure(name, figure_from(gate, name, fig, checked), title=t["title"])
    return show_table(result.view(checked, L), caption, max_rows=len(checked.frame)), fig
