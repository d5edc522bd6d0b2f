"""What the evaluation notebooks share.

Loading the person-level data a notebook's parameters point at, putting
person-level counts next to a published source, and the sensitivity of the
durable rate to the classification scheme.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lvv_eval.disclosure import suppression as disclosure
from lvv_eval.disclosure.checked import CheckedTable
from lvv_eval.disclosure.gate import Gate
from lvv_eval.errors import InputValidationError, redacted_error
from lvv_eval.reference.schemes import list_schemes, load_scheme
from lvv_eval.sources import claims as source_claims_module
from lvv_eval.sources import published
from lvv_eval.sources.monitor import MonitorData, read_monitor
from lvv_eval.stats import counts as aggregate
from lvv_eval.stats import rates as metrics

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from lvv_eval.disclosure.checked import CheckedFigure
    from lvv_eval.reporting.labels import Labels
    from lvv_eval.reporting.parameters import NotebookParameters
    from lvv_eval.reporting.writer import ReportWriter  # pragma: no cover


def load_person_level(P: NotebookParameters) -> MonitorData | None:
    """Read the person-level data named by a notebook's ``data_source`` parameter.

    Parameters
    ----------
    P
        Validated notebook parameters.

    Returns
    -------
    MonitorData or None
        ``None`` when ``data_source`` is ``"published"`` (the notebook then shows
        published figures only). Otherwise the validated monitor data: rows that
        break a rule are *excluded with their reasons* (``.exclusions``) and
        counted in ``.flow``; nothing is dropped silently. Trajectories with an
        intake after the peildatum are kept in the frame; the aggregation
        functions count them as 'not yet started'.
    """
    path = P.data_path
    if path is None:
        return None
    try:
        return read_monitor(path, strict=False)
    except InputValidationError as error:
        # a report (and its log, index and failed notebook) may be released: name file, row, column
        # and rule, never the value (ids, dates, exit reasons); `lvv-eval validate` shows the values
        raise redacted_error(error) from None


def note_empty(writer: ReportWriter, data: MonitorData | None, labels: Labels) -> str:
    """Record and return a sentence when the export holds no trajectories (empty when it does).

    A header-only file is valid: every person-level table of the report is
    then empty (with its columns) and only the published figures are
    computed; the sentence says so in the report's notes.
    """
    if data is None or len(data.frame):
        return ""
    text = labels(
        "Het bestand bevat geen trajecten (alleen een kopregel): de tabellen op persoonsniveau zijn "
        "leeg en alleen de gepubliceerde cijfers zijn berekend.",
        "The file holds no trajectories (a header only): the person-level tables are empty and only "
        "the published figures are computed.",
    )
    writer.note(text)
    return text


def person_figures(frame: pd.DataFrame, P: NotebookParameters, scheme: str | None = None) -> pd.DataFrame:
    """Person-level counts at the notebook's peildatum, in the published vocabulary.

    Parameters
    ----------
    frame
        Typed monitor frame.
    P
        Notebook parameters (peildatum, pilots, formal_only, scheme).
    scheme
        Scheme name overriding ``P.scheme``.

    Returns
    -------
    pandas.DataFrame
        Long table ``pilot, measure, category, value`` (see
        :func:`lvv_eval.stats.counts.to_figures`).
    """
    return aggregate.to_figures(
        frame,
        P.peildatum,
        scheme=load_scheme(scheme or P.scheme),
        formal_only=P.formal_only,
        pilots=list(P.pilots) or None,
    )


def data_pilots(frame: pd.DataFrame, P: NotebookParameters) -> list[str]:
    """The pilots the person-level side of a report covers, sorted.

    The ``pilots`` parameter when given (lower case), else the pilots with
    at least one trajectory in ``frame`` (an export of one municipality
    covers that municipality only).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> f = pd.DataFrame({"pilot": pd.Categorical(["utrecht"], categories=["groningen", "utrecht"])})
    >>> data_pilots(f, SimpleNamespace(pilots=()))
    ['utrecht']
    >>> data_pilots(f, SimpleNamespace(pilots=("Groningen",)))
    ['groningen']
    """
    chosen = [str(p).strip().lower() for p in (getattr(P, "pilots", None) or [])]
    if chosen:
        return sorted(set(chosen))
    return sorted({str(p) for p in frame["pilot"].dropna().astype("str")})


NO_COUNTERPART_LABELS: dict[str, tuple[str, str]] = {
    "national_total": (
        "landelijk totaal; de gegevens beslaan alleen {pilots}",
        "national total; the data cover only {pilots}",
    ),
    "pilot_not_in_data": ("gemeente niet in de gegevens", "pilot not in the data"),
}
"""Why a published figure has no person-level counterpart (code -> Dutch, English)."""


def published_scope(frame: pd.DataFrame, P: NotebookParameters, source_id: str) -> pd.DataFrame:
    """Which published counts of a source have a like-for-like person-level counterpart.

    A national (``total``) figure is compared with the data only when the
    data cover every pilot of the programme (:func:`data_pilots` against
    :func:`lvv_eval.reference.pilots.pilot_codes`); a pilot's figure only
    when that pilot is in the data. A one-municipality export, or
    ``pilots: [utrecht]``, is thus compared with Utrecht's published figures
    and never with the national totals.

    Returns
    -------
    pandas.DataFrame
        One row per published count of the source (``unit == count``):
        ``pilot, measure, category, figure_id, published, counterpart``
        (bool) and ``reason`` (a key of :data:`NO_COUNTERPART_LABELS`, empty
        when there is a counterpart). Published figures only: nothing
        person-level.
    """
    from lvv_eval.reference.pilots import pilot_codes

    figures = published.select(source=source_id)
    if "unit" in figures.columns:
        figures = figures.loc[(figures["unit"].astype("string") == "count").fillna(False).to_numpy(dtype=bool)]
    covered = set(data_pilots(frame, P))
    national = set(pilot_codes()) <= covered
    pilots = figures["pilot"].astype("str")
    reason = np.where(
        pilots == TOTAL,
        np.where(national, "", "national_total"),
        np.where(pilots.isin(sorted(covered)), "", "pilot_not_in_data"),
    )
    out = pd.DataFrame(
        {
            "pilot": pilots.to_numpy(),
            "measure": figures["measure"].astype("str").to_numpy(),
            "category": figures["category"].astype("str").to_numpy(),
            "figure_id": figures["figure_id"].astype("str").to_numpy(),
            "published": figures["value"].astype("float64").to_numpy(),
            "reason": reason,
        }
    )
    out.insert(5, "counterpart", out["reason"] == "")
    return out.sort_values(
        ["pilot", "measure", "category", "figure_id"],
        ignore_index=True,
        key=lambda s: s.map(lambda v: (v == TOTAL, v)) if s.name == "pilot" else s,
    )


def no_counterpart_note(frame: pd.DataFrame, P: NotebookParameters, source_id: str, labels: Labels) -> str | None:
    """A sentence saying which published figures of a source are not compared with the data, or ``None``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from lvv_eval.reporting.labels import Labels
    >>> f = pd.DataFrame({"pilot": ["utrecht"]})
    >>> print(no_counterpart_note(f, SimpleNamespace(pilots=()), "regioplan-2020", Labels("en")))
    ... # doctest: +ELLIPSIS
    Not compared with the data: ... published figures (national total; the data cover only utrecht: ...
    """
    scope = published_scope(frame, P, source_id)
    missing = scope.loc[~scope["counterpart"]]
    if missing.empty:
        return None
    pilots = ", ".join(data_pilots(frame, P)) or labels("geen gemeente", "no pilot")
    parts = []
    for code, rows in missing.groupby("reason", sort=True):
        nl, en = NO_COUNTERPART_LABELS[str(code)]
        text = labels(nl, en).format(pilots=pilots)
        parts.append(f"{text}: {len(rows)}")
    return labels(
        f"Niet met de gegevens vergeleken: {len(missing)} gepubliceerde cijfers ({'; '.join(parts)}).",
        f"Not compared with the data: {len(missing)} published figures ({'; '.join(parts)}).",
    )


def note_scope(
    writer: ReportWriter, frame: pd.DataFrame, P: NotebookParameters, sources: Sequence[str], labels: Labels
) -> str:
    """Record and return which published figures of ``sources`` have no counterpart in the data.

    Each sentence of :func:`no_counterpart_note` goes into the report's notes
    (``writer.note``); the return value is the sentences joined, empty when
    every published count is compared, for the notebook to print.
    """
    texts = []
    for source in sources:
        note = no_counterpart_note(frame, P, source, labels)
        if note:
            texts.append(f"{source}: {note}" if len(sources) > 1 else note)
    for text in texts:
        writer.note(text)
    return "\n".join(texts)


def published_vs_person(
    frame: pd.DataFrame, P: NotebookParameters, source_id: str, scheme: str | None = None
) -> pd.DataFrame:
    """Person-level counts next to one published source's counts, like with like.

    The person-level side is counted the way the source counts: with the
    source's own scheme (unless ``scheme`` is given) and population (formal
    status only for the 2020 monitor), at the source's peildatum. Only the
    published figures :func:`published_scope` gives a counterpart are
    compared: national totals only when the data cover every pilot, a
    pilot's figures only when the pilot is in the data (see
    :func:`no_counterpart_note` for what is left out).

    Returns
    -------
    pandas.DataFrame
        One row per published count with a person-level counterpart:
        ``pilot, measure, category, figure_id, published, person_level,
        difference`` (difference = person-level - published).
    """
    source_scheme, formal_only = published.source_population(source_id)
    figures = published.select(source=source_id)
    peildatum = pd.Timestamp(figures["peildatum"].dropna().iloc[0])
    scope = published_scope(frame, P, source_id)
    comparable = set(scope.loc[scope["counterpart"], "figure_id"])
    figures = figures.loc[figures["figure_id"].astype("str").isin(sorted(comparable)).to_numpy(dtype=bool)]
    person = aggregate.to_figures(
        frame,
        peildatum,
        scheme=load_scheme(scheme or source_scheme),
        formal_only=formal_only,
        pilots=list(P.pilots) or None,
    )
    table = aggregate.compare_with_published(person, figures)
    return table.drop(columns=[c for c in ("source_id", "peildatum") if c in table.columns])


CLAIM_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "source": ("Bron", "Source"),
    "claim_id": ("Uitspraak", "Statement"),
    "paragraph": ("Plaats in de bron", "Place in the source"),
    "quote": ("Citaat", "Quote"),
    "verdict": ("Oordeel", "Verdict"),
    "holds_under": ("Getoetste lezing", "Reading tested"),
    "numbers": ("Getallen", "Numbers"),
}
"""Column labels (Dutch, English) of :func:`source_claims`."""

VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "holds": ("klopt", "holds"),
    "holds only under a reading": ("klopt alleen bij een bepaalde lezing", "holds only under a reading"),
    "not checkable": ("niet te toetsen", "not checkable"),
    "contradicted": ("weerlegd", "contradicted"),
}
"""Verdicts of :func:`lvv_eval.sources.claims.check_claims` in the report languages."""

CLAIMS_TITLE: tuple[str, str] = ("Uitspraken in de bron getoetst", "The source's statements checked")
"""Heading (Dutch, English) of the claims section of reports 01-03."""

CLAIMS_CAPTION: tuple[str, str] = (
    "Uitspraken in de tekst van de bron, getoetst aan de gepubliceerde cijfers (alleen gepubliceerde cijfers)",
    "Statements in the source's text, checked against the published figures (published figures only)",
)
"""Caption (Dutch, English) of the claims table."""


def source_claims(sources: Sequence[str], labels: Labels, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """The prose claims of one or more sources, checked, with labelled columns and verdicts.

    Published figures and what follows from them only, so the table is of
    kind ``derived`` (exempt from disclosure control).

    Parameters
    ----------
    sources
        Source ids (``regioplan-2020``) or file names, in the order shown.
    labels
        The report's labels: column headers from :data:`CLAIM_COLUMN_LABELS`,
        verdicts from :data:`VERDICT_LABELS` (unknown verdicts as they are).
    results
        Output of :func:`lvv_eval.sources.claims.check_claims` (default: computed once).

    Returns
    -------
    pandas.DataFrame
        One row per claim, sorted by source (in the order given) and claim id;
        columns those of :data:`CLAIM_COLUMN_LABELS` in the report language.
    """
    res = results if results is not None else source_claims_module.check_claims()
    parts = [source_claims_module.claims_of_source(s, res).assign(source=str(s)) for s in sources]
    columns = list(CLAIM_COLUMN_LABELS)
    table = (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns))[columns]
    table["verdict"] = [labels(*VERDICT_LABELS[v]) if v in VERDICT_LABELS else v for v in table["verdict"]]
    return table.rename(columns={c: labels(*CLAIM_COLUMN_LABELS[c]) for c in columns})


def scheme_sensitivity(
    frame: pd.DataFrame,
    peildatum: str | pd.Timestamp,
    schemes: Iterable[str] | None = None,
    formal_only: bool = False,
    alpha: float = 0.05,
    pilots: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Durable rate per pilot under each classification scheme.

    Parameters
    ----------
    frame
        Typed monitor frame.
    peildatum
        Reference date.
    schemes
        Scheme names (default: every shipped scheme).
    formal_only
        Count formal LVV status only.
    alpha
        1 - confidence level of the Wilson intervals.
    pilots
        Pilot codes to include (default: all); the ``total`` row then covers
        these pilots only.

    Returns
    -------
    pandas.DataFrame
        One row per scheme x pilot x denominator (``outflow``: durable / all who
        left by the peildatum; ``intake``: durable / all who entered by the
        peildatum), with ``numerator, denominator, denominator_label,
        estimate, ci_low, ci_high, ci_method``. Sorted by scheme, pilot
        (``total`` last), denominator.
    """
    rows = []
    for name in sorted(schemes or list_schemes()):
        figs = aggregate.to_figures(
            frame, peildatum, scheme=load_scheme(name), formal_only=formal_only, pilots=list(pilots) if pilots else None
        )
        wide = figs.pivot_table(
            index="pilot", columns=["measure", "category"], values="value", aggfunc="sum", sort=False
        )
        durable = wide[("outflow", "durable")]
        for denominator, column in (("outflow", ("outflow", "all")), ("intake", ("intake", "all"))):
            kwargs = {denominator: wide[column]}
            rates = metrics.durable_rate(durable, **kwargs, alpha=alpha)
            rates.insert(0, "scheme", name)
            rates.insert(2, "denominator_kind", denominator)
            rows.append(rates)
    table = pd.concat(rows, ignore_index=True)
    order = {p: i for i, p in enumerate(pilot_order(table["pilot"]))}
    table = table.sort_values(
        ["scheme", "pilot", "denominator_kind"], key=lambda s: s.map(order) if s.name == "pilot" else s
    )
    return table.reset_index(drop=True)


SCHEME_KEY_COLUMNS: tuple[str, ...] = ("pilot", "denominator_kind")
"""Key of a :func:`scheme_sensitivity` row apart from the scheme."""


def suppress_scheme_differences(
    sensitivity: pd.DataFrame, threshold: int, protect: Sequence[str] = ()
) -> disclosure.SuppressionResult:
    """Hide durable counts that differ between schemes by a small number.

    Two schemes' durable counts for the same pilot and denominator differ by
    the number of persons whose exit reason the schemes classify differently
    (e.g. the forced returns between monitor-2020 and verwey-jonker-2021);
    :func:`lvv_eval.disclosure.suppression.suppress_differences_between` hides the
    fewest schemes per pilot and denominator so that no two visible durable
    counts differ by ``1 .. threshold - 1``, with their rates and intervals.
    A count hidden that way must not come back as ``total - the other
    pilots``, so per scheme and denominator the pilots and ``total`` then go
    through :func:`lvv_eval.disclosure.suppression.suppress` (secondary suppression on
    the column relation); both steps repeat until nothing changes.

    Parameters
    ----------
    sensitivity
        Output of :func:`scheme_sensitivity`, possibly suppressed already
        (missing numerators count as hidden).
    threshold
        Smallest count shown.
    protect
        Schemes never hidden by the difference rule: those whose counts are
        shown elsewhere in the report (the report's own scheme, whose counts
        are in the flow table). The difference is then protected by hiding
        the *other* scheme's count.

    Returns
    -------
    lvv_eval.disclosure.suppression.SuppressionResult
        ``table``: a copy with ``numerator``, ``estimate``, ``ci_low``,
        ``ci_high`` missing where hidden; ``suppressed`` (and
        ``suppression_rule`` when present) updated; ``report`` and ``mask``.

    Examples
    --------
    >>> t = pd.DataFrame({"scheme": ["a"] * 3 + ["b"] * 3, "pilot": ["p", "q", "total"] * 2,
    ...                   "denominator_kind": "outflow", "numerator": [40, 50, 90, 40, 55, 95]})
    >>> out = suppress_scheme_differences(t, 10, protect=["a"]).table
    >>> out["numerator"].tolist()
    [40, 50, 90, 40, <NA>, <NA>]
    """
    dependent = [c for c in ("estimate", "ci_low", "ci_high") if c in sensitivity.columns]
    table = sensitivity.copy()
    total_mask = np.zeros(len(table), dtype=bool)
    reports: list[pd.DataFrame] = []
    for _ in range(20):
        res = disclosure.suppress_differences_between(
            table,
            key_cols=list(SCHEME_KEY_COLUMNS),
            version_col="scheme",
            count_col="numerator",
            threshold=threshold,
            dependent=dependent,
            protect=list(protect),
        )
        table = res.table
        new = res.mask.to_numpy(dtype=bool).copy()  # to_numpy may return a read-only view
        reports.append(res.report)
        for _, rows in table.groupby(["scheme", "denominator_kind"], sort=False).indices.items():
            part = table.iloc[rows]
            pilots = part["pilot"].astype("str").tolist()
            if TOTAL not in pilots or len(pilots) < 2:
                continue
            counts = pd.DataFrame({"durable": part["numerator"].to_numpy()}, index=pilots).astype("Int64")
            sec = disclosure.suppress(
                counts, ["durable"], threshold=threshold, margins={"total_row": TOTAL}, missing="hidden"
            )
            added = sec.mask["durable"].to_numpy(dtype=bool) & ~counts["durable"].isna().to_numpy()
            if added.any():
                idx = rows[added]
                new[idx] = True
                for col in ["numerator", *dependent]:
                    table[col] = table[col].mask(np.isin(np.arange(len(table)), idx))
                scheme = str(part["scheme"].iloc[0])
                reports.append(
                    pd.DataFrame(
                        [
                            {
                                "cell": f"{pilots[i]}/{part['denominator_kind'].iloc[i]}/{scheme}",
                                "row": pilots[i],
                                "column": "numerator",
                                "value": "hidden",
                                "rule": f"secondary: protects a hidden count of scheme {scheme} against the total",
                            }
                            for i in np.flatnonzero(added)
                        ],
                        columns=list(disclosure.REPORT_COLUMNS),
                    )
                )
        if not new.any():
            break
        total_mask |= new
    out = table
    if "suppressed" in out.columns:
        out["suppressed"] = out["suppressed"].astype(bool) | total_mask
    if "suppression_rule" in out.columns:
        out.loc[total_mask, "suppression_rule"] = f"difference between schemes < {int(threshold)}"
    report = (
        pd.concat([r for r in reports if len(r)], ignore_index=True)
        if any(len(r) for r in reports)
        else pd.DataFrame(columns=list(disclosure.REPORT_COLUMNS))
    )
    return disclosure.SuppressionResult(out, report, pd.Series(total_mask, index=sensitivity.index))


def data_banner(P: NotebookParameters, L: Labels) -> str:
    """One sentence saying where the person-level numbers come from.

    Returns
    -------
    str
        In the report language: published figures only, SYNTHETIC data (not
        real people), or the name of the real export that was read.
    """
    if P.data_path is None:
        return L(
            "Alleen gepubliceerde cijfers; geen gegevens op persoonsniveau.",
            "Published figures only; no person-level data.",
        )
    if P.is_synthetic:
        return L(
            "LET OP: SYNTHETISCHE GEGEVENS. De cijfers op persoonsniveau komen uit een "
            "gesimuleerd bestand dat op de gepubliceerde cijfers is gekalibreerd; het zijn "
            "geen echte personen en geen bevindingen over de LVV.",
            "NOTE: SYNTHETIC DATA. The person-level numbers come from a simulated file "
            "calibrated to the published figures; they are not real people and not "
            "findings about the LVV.",
        )
    return L(
        f"Gegevens op persoonsniveau: {P.data_path.name} (echte export; alleen tabellen "
        f"na onthullingscontrole publiceren).",
        f"Person-level data: {P.data_path.name} (real export; publish only tables that passed disclosure control).",
    )


def analysis_frame(frame: pd.DataFrame, pilots: Sequence[str] | None = (), formal_only: bool = False) -> pd.DataFrame:
    """Rows of a typed monitor frame for the chosen pilots and population.

    For the functions that take no ``pilots``/``formal_only`` argument
    themselves (:func:`lvv_eval.stats.counts.stock_over_time`,
    :func:`lvv_eval.stats.survival.cif_curves`). Unused pilot categories are
    removed so that no empty groups appear.

    Parameters
    ----------
    frame
        Typed monitor frame.
    pilots
        Pilot codes to keep (any case); empty = all. The ``total`` of every
        table computed from the result is then the total of these pilots.
    formal_only
        Keep only trajectories with formal LVV status.

    Examples
    --------
    >>> from lvv_eval.reference.monitor_format import empty_monitor_frame
    >>> len(analysis_frame(empty_monitor_frame(), ["utrecht"], formal_only=True))
    0
    """
    keep = pd.Series(True, index=frame.index)
    if pilots:
        wanted = [str(p).strip().lower() for p in pilots]
        keep &= frame["pilot"].astype("string").isin(wanted).fillna(False)
    if formal_only:
        keep &= frame["formal_status"].fillna(False).astype(bool)
    out = frame.loc[keep.to_numpy(dtype=bool)].reset_index(drop=True)
    if isinstance(out["pilot"].dtype, pd.CategoricalDtype):
        out = out.assign(pilot=out["pilot"].cat.remove_unused_categories())
    return out


TOTAL = aggregate.TOTAL


def pilot_order(values: Iterable[str]) -> list[str]:
    """Pilot codes sorted, with ``total`` last.

    Examples
    --------
    >>> pilot_order(["utrecht", "total", "amsterdam"])
    ['amsterdam', 'utrecht', 'total']
    """
    values = set(values)
    return sorted(v for v in values if v != TOTAL) + ([TOTAL] if TOTAL in values else [])


def _linked_tables(keys: Sequence[tuple[str, str, str]]) -> list[tuple[str | None, list[str]]]:
    """Additive tables among the ``source/measure/category`` keys of a long table.

    Each item is ``(total column, part columns)``: ``outflow/all`` is the sum
    of the outflow classes and also of the 15 exit codes;
    ``departure_or_onward_migration`` and ``other_non_durable`` are sums of
    exit codes (:mod:`lvv_eval.stats.counts`); ``intake/all`` = formal +
    informal; ``scenarios/all`` = departure + residence. A linked table is
    used only when all its parts are in the table (an incomplete sum is no
    equation). Keys in no linked table become one-column tables.
    """
    from lvv_eval.reference.taxonomy import EXIT_REASON_CODES
    from lvv_eval.stats.counts import DEPARTURE_OR_ONWARD_MIGRATION, OTHER_NON_DURABLE

    present = set(keys)
    by_prefix: dict[tuple[str, str], set[str]] = {}
    for src, measure, category in keys:
        by_prefix.setdefault((src, measure), set()).add(category)
    codes = set(EXIT_REASON_CODES)
    aggregates = {
        "departure_or_onward_migration": DEPARTURE_OR_ONWARD_MIGRATION,
        "other_non_durable": OTHER_NON_DURABLE,
    }
    out: list[tuple[str | None, list[str]]] = []
    used: set[str] = set()

    def name(src: str, measure: str, category: str) -> str:
        return "/".join(x for x in (src, measure, category) if x)

    def add(src: str, measure: str, total: str, parts: Sequence[str]) -> None:
        if (src, measure, total) in present and parts and all((src, measure, p) in present for p in parts):
            cols = [name(src, measure, p) for p in parts]
            out.append((name(src, measure, total), cols))
            used.update([name(src, measure, total), *cols])

    for (src, measure), cats in sorted(by_prefix.items()):
        if measure == "outflow":
            classes = sorted(c for c in cats if c not in codes and c not in aggregates and c != "all")
            add(src, measure, "all", classes)
            add(src, measure, "all", sorted(codes))
            for agg, parts in aggregates.items():
                add(src, measure, agg, list(parts))
        elif measure == "intake":
            add(src, measure, "all", ["formal", "informal"])
        elif measure == "scenarios":
            add(src, measure, "all", ["departure", "residence"])
    for key in keys:
        if name(*key) not in used:
            out.append((None, [name(*key)]))
    return out


def suppress_long(
    table: pd.DataFrame, threshold: int, value: str = "person_level", dependent: Sequence[str] = ("difference",)
) -> disclosure.SuppressionResult:
    """Disclosure control for a long comparison table (pilot rows and ``total`` rows).

    The ``measure``/``category`` pairs (per ``source`` when the table has
    that column) are columns of a pilot x measure table whose ``total`` row
    is the margin. Columns that add up are suppressed *together*: each
    linked table of :func:`_linked_tables` (e.g. the outflow classes with
    ``outflow/all`` as total column, the exit codes with the same total)
    goes through :func:`lvv_eval.disclosure.suppression.suppress` with its total column
    and the total row, so ``all - semi_durable - none`` cannot give a hidden
    ``durable`` back. A cell hidden in one linked table is passed as hidden
    to the others, repeated until nothing changes. Columns in no linked
    table are suppressed on their own with the total row. Hidden cells are
    hidden in ``value`` and in the ``dependent`` columns (a difference from
    a published figure would reveal the count).

    Returns
    -------
    SuppressionResult
        ``table`` (``value`` as Int64 with ``<NA>`` where hidden), ``report``
        and ``mask`` (a boolean Series over the rows of ``table``).

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["e"] * 4 + ["g"] * 4 + ["total"] * 4, "measure": "outflow",
    ...                   "category": ["all", "durable", "semi_durable", "none"] * 3,
    ...                   "person_level": [100, 4, 50, 46, 100, 30, 30, 40, 200, 34, 80, 86]})
    >>> suppress_long(t, 10).table["person_level"].isna().tolist()[:4]  # e: all, durable, semi, none
    [False, True, True, True]
    """
    key_cols = [c for c in ("source", "measure", "category") if c in table.columns]
    parts = {
        c: table[c].astype("str").to_numpy() if c in table.columns else np.full(len(table), "")
        for c in ("source", "measure", "category")
    }
    triples = list(zip(parts["source"], parts["measure"], parts["category"]))
    key = pd.Series(["/".join(x for x in t if x) for t in triples], index=table.index)
    if len(key_cols) == 0:
        key[:] = value
    wide = pd.DataFrame(
        {"pilot": table["pilot"].astype("str").to_numpy(), "key": key.to_numpy(), "v": table[value].to_numpy()}
    ).pivot(index="pilot", columns="key", values="v")
    wide = wide.reindex(pilot_order(wide.index))
    has_total = TOTAL in wide.index
    hidden = pd.DataFrame(False, index=wide.index, columns=wide.columns)
    linked = _linked_tables(list(dict.fromkeys(triples))) if key_cols else [(None, [value])]
    reports: list[pd.DataFrame] = []
    seen_rules: set[tuple[str, str]] = set()
    # primary suppression on every cell first, so that a pilot row with a measure missing (and so
    # left out of a linked table below) still has its small counts hidden
    numeric = wide.apply(pd.to_numeric, errors="coerce")
    small = ((numeric >= 1) & (numeric < threshold)).fillna(False).astype(bool)
    hidden = hidden | small
    for p_, k_ in zip(*np.nonzero(small.to_numpy())):
        reports.append(
            pd.DataFrame(
                [
                    {
                        "cell": f"{wide.index[p_]}/{wide.columns[k_]}",
                        "row": wide.index[p_],
                        "column": wide.columns[k_],
                        "value": "hidden",
                        "rule": f"primary: n < {threshold}",
                    }
                ],
                columns=list(disclosure.REPORT_COLUMNS),
            )
        )
    for _ in range(50):
        changed = False
        for total_col, cols in linked:
            use = cols + ([total_col] if total_col else [])
            part = wide[use].dropna(how="any")
            if part.empty:
                continue
            counts = part.astype("int64").astype("Int64")
            counts = counts.mask(hidden.loc[part.index, use].to_numpy())
            margins: dict[str, str] = {}
            if has_total and TOTAL in part.index and len(part) > 1:
                margins["total_row"] = TOTAL
            if total_col:
                margins["total_col"] = total_col
            res = disclosure.suppress(counts, use, threshold=threshold, margins=margins or None, missing="hidden")
            new = res.mask.to_numpy() & ~hidden.loc[part.index, use].to_numpy()
            if new.any():
                hidden.loc[part.index, use] = hidden.loc[part.index, use].to_numpy() | res.mask.to_numpy()
                changed = True
            rep = res.report.loc[~res.report["rule"].str.startswith("missing in the input")]
            rep = rep.loc[[(c, r) not in seen_rules for c, r in zip(rep["cell"], rep["rule"])]]
            seen_rules.update(zip(rep["cell"], rep["rule"]))
            reports.append(rep)
        if not changed:
            break
    mask = pd.Series([bool(hidden.loc[p, k]) for p, k in zip(table["pilot"].astype("str"), key)], index=table.index)
    out = table.copy()
    out[value] = pd.array(out[value].to_numpy(), dtype="Int64").copy()
    out[value] = out[value].mask(mask.to_numpy())
    for col in dependent:
        if col in out.columns:
            out[col] = out[col].mask(mask.to_numpy())
    report = pd.concat(reports, ignore_index=True) if reports else pd.DataFrame(columns=list(disclosure.REPORT_COLUMNS))
    report = report.drop_duplicates(subset=["cell"], keep="first").reset_index(drop=True)
    return disclosure.SuppressionResult(out, report, mask)


RATE_VALUE_COLUMNS: tuple[str, ...] = ("numerator", "estimate", "ci_low", "ci_high", "sim_ci_low", "sim_ci_high")
"""Columns of a rate table hidden with a hidden count (:func:`hide_masked_rates`)."""


def _mask_cell(mask: pd.DataFrame, key: str, column: str) -> bool:
    return bool(mask.at[key, column]) if (key in mask.index and column in mask.columns) else False


def hide_masked_rates(
    rates: pd.DataFrame,
    mask: pd.DataFrame,
    *,
    key: str = "pilot",
    category: str | None = "category",
    numerator_cell: str | None = None,
    denominator_cell: str | None = None,
    denominator_kind: str | None = None,
    columns: Sequence[str] = RATE_VALUE_COLUMNS,
) -> pd.DataFrame:
    """Hide rates whose count cell, or whose denominator, was hidden in a suppressed count table.

    Secondary suppression hides cells that are not small themselves; a rate
    of such a cell gives the count back (rate x denominator), and a shown
    denominator gives a hidden total back, so both are hidden here.

    Parameters
    ----------
    rates
        Tidy rate table with a ``key`` column (e.g. ``pilot``).
    mask
        :attr:`lvv_eval.disclosure.suppression.SuppressionResult.mask` of the count table
        (index = key values, columns = count columns).
    category
        Column of ``rates`` whose value names the mask column of the
        numerator (e.g. the class id); ignored when ``numerator_cell`` is given.
    numerator_cell
        Fixed mask column of the numerator for every row (e.g. ``"durable"``).
    denominator_cell, denominator_kind
        Mask column of the denominator: fixed (e.g. ``"outflow"``), or named
        per row by the column ``denominator_kind`` (values ``intake``/``outflow``).
        Where it is hidden, ``denominator`` and the rate are hidden.
    columns
        Value columns hidden with the numerator (names not in the table skipped).

    Returns
    -------
    pandas.DataFrame
        Copy with hidden values missing and a boolean ``suppressed`` column
        (or-ed with an existing one).

    Examples
    --------
    >>> m = pd.DataFrame({"durable": [True, False], "outflow": [False, True]}, index=["a", "b"])
    >>> r = pd.DataFrame({"pilot": ["a", "b"], "category": ["durable"] * 2, "numerator": [5, 30],
    ...                   "denominator": [50, 60], "estimate": [0.1, 0.5]})
    >>> out = hide_masked_rates(r, m, denominator_cell="outflow")
    >>> out["estimate"].tolist(), out["denominator"].tolist()
    ([nan, nan], [50, <NA>])
    """
    keys = rates[key].astype("str").tolist()
    if numerator_cell is not None:
        num_cells = [numerator_cell] * len(rates)
    elif category is not None:
        num_cells = rates[category].astype("str").tolist()
    else:
        num_cells = [None] * len(rates)  # type: ignore[list-item]
    if denominator_kind is not None:
        den_cells = rates[denominator_kind].astype("str").tolist()
    else:
        den_cells = [denominator_cell] * len(rates)
    hide_num = np.array([c is not None and _mask_cell(mask, k, c) for k, c in zip(keys, num_cells)], dtype=bool)
    hide_den = np.array([c is not None and _mask_cell(mask, k, c) for k, c in zip(keys, den_cells)], dtype=bool)
    hide = hide_num | hide_den
    out = rates.copy()
    for col in [*columns, *(["denominator"] if hide_den.any() else [])]:
        if col not in out.columns:
            continue
        if pd.api.types.is_integer_dtype(out[col]) and not isinstance(out[col].dtype, pd.api.extensions.ExtensionDtype):
            out[col] = out[col].astype("Int64")
        out[col] = out[col].mask(hide_den if col == "denominator" else hide)
    previous = out["suppressed"].to_numpy(dtype=bool) if "suppressed" in out.columns else False
    out["suppressed"] = hide | previous
    return out


def suppress_cif_table(
    table: pd.DataFrame,
    threshold: int,
    *,
    group: str = "pilot",
    outcome: str = "outcome",
    horizon: str = "horizon_days",
    in_programme: str = "in_programme",
    hidden_groups: Iterable[str] = (),
) -> disclosure.SuppressionResult:
    """Disclosure control on a cumulative-incidence table at fixed horizons.

    Per horizon the numbers of events form a group x outcome count table whose
    row total is ``n`` (entered): ``n = sum of the class events + rest`` where
    the rest (no event by the horizon: still in the LVV or censored) is the
    ``in_programme`` row; with a ``total`` group the column relation ``total
    = sum of the groups`` holds too. That table goes through
    :func:`lvv_eval.disclosure.suppression.suppress` (primary and secondary), so a hidden
    class is never the only hidden outcome of its group and horizon (else
    ``1 - the other estimates`` would give it back) nor the only hidden group
    of its outcome.

    Parameters
    ----------
    table
        Output of :func:`lvv_eval.stats.survival.cumulative_incidence` (columns
        ``group``, ``outcome``, ``horizon``, ``n``, ``n_events``, ``estimate``,
        optional ``se``, ``ci_low``, ``ci_high``).
    threshold
        Smallest count shown.
    hidden_groups
        Groups whose ``n`` (intake) is hidden in another table of the report;
        their ``n`` is hidden here too.

    Returns
    -------
    SuppressionResult
        ``table``: copy with ``n_events``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high`` missing in hidden rows (``n`` where hidden) and
        ``suppressed``; ``report``; ``mask``: boolean Series over the rows.
    """
    out = table.copy()
    hidden_groups = {str(g) for g in hidden_groups}
    hide = np.zeros(len(out), dtype=bool)
    hide_n = np.zeros(len(out), dtype=bool)
    reports = []
    groups = out[group].astype("str").to_numpy()
    outcomes = out[outcome].astype("str").to_numpy()
    for h in list(dict.fromkeys(out[horizon].tolist())):
        rows = (out[horizon] == h).to_numpy()
        part = out.loc[rows]
        classes = [c for c in dict.fromkeys(part[outcome].astype("str")) if c != in_programme]
        wide = part.loc[part[outcome].astype("str") != in_programme].pivot(
            index=group, columns=outcome, values="n_events"
        )
        wide.index = wide.index.astype("str")
        wide.columns = wide.columns.astype("str")
        wide = wide.reindex(index=pilot_order(wide.index), columns=classes).astype("int64")
        n = part.drop_duplicates(group).set_index(part.drop_duplicates(group)[group].astype("str"))["n"]
        wide["rest"] = n.reindex(wide.index).astype("int64") - wide[classes].sum(axis=1)
        wide["n"] = n.reindex(wide.index).astype("int64")
        counts = wide.astype("Int64")
        counts["n"] = counts["n"].mask(counts.index.isin(hidden_groups))
        margins = {"total_col": "n"}
        if TOTAL in counts.index and len(counts) > 1:
            margins["total_row"] = TOTAL
        res = disclosure.suppress(
            counts, [*classes, "rest", "n"], threshold=threshold, margins=margins, missing="hidden"
        )
        rep = res.report.assign(row=lambda d, h=h: d["row"].astype("str") + f" ({horizon} {h})")
        reports.append(rep)
        for i in np.flatnonzero(rows):
            g, o = groups[i], outcomes[i]
            cell = "rest" if o == in_programme else o
            hide[i] = bool(res.mask.at[g, cell])
            hide_n[i] = bool(res.mask.at[g, "n"])
    for col in ("n_events", "estimate", "se", "ci_low", "ci_high"):
        if col in out.columns:
            if pd.api.types.is_integer_dtype(out[col]) and not isinstance(
                out[col].dtype, pd.api.extensions.ExtensionDtype
            ):
                out[col] = out[col].astype("Int64")
            out[col] = out[col].mask(hide | hide_n)
    out["n"] = out["n"].astype("Int64").mask(hide_n)
    out["suppressed"] = hide | hide_n
    report = pd.concat(reports, ignore_index=True) if reports else pd.DataFrame(columns=list(disclosure.REPORT_COLUMNS))
    return disclosure.SuppressionResult(out, report, pd.Series(hide | hide_n, index=table.index))


def hide_cif_curves(
    curves: pd.DataFrame,
    threshold: int,
    *,
    group: str = "pilot",
    outcome: str = "outcome",
    hidden: Iterable[tuple[str, str]] = (),
    in_programme: str = "in_programme",
) -> pd.DataFrame:
    """Drop cumulative-incidence curves that would disclose small counts.

    Each step of a curve reveals an event count, so a curve (group x
    outcome) is dropped when the number of events of that outcome in the
    group is ``1 .. threshold - 1``, or when the pair is in ``hidden`` (a
    class hidden in the table at fixed horizons, see
    :func:`suppress_cif_table`, must not be readable from the figure). If
    that leaves a single class of a group hidden while the other classes and
    ``in_programme`` can be seen, the class with the fewest events is dropped
    too (the hidden one would be ``1 - the others``).

    Parameters
    ----------
    curves
        Output of :func:`lvv_eval.stats.survival.cif_curves` (with ``n_events``).
    hidden
        (group, outcome) pairs hidden elsewhere in the report.

    Returns
    -------
    pandas.DataFrame
        The curves that may be drawn, same columns.

    Examples
    --------
    >>> c = pd.DataFrame({"pilot": "a", "outcome": ["x", "x", "y", "y", "z", "z"],
    ...                   "time_days": [0, 5] * 3, "n_events": [0, 4, 0, 20, 0, 30]})
    >>> sorted(set(hide_cif_curves(c, 10)["outcome"]))
    ['z']
    """
    hidden_set = {(str(g), str(o)) for g, o in hidden}
    g_col = curves[group].astype("str")
    o_col = curves[outcome].astype("str")
    events = curves.assign(_g=g_col, _o=o_col).groupby(["_g", "_o"], sort=False)["n_events"].max()
    drop: set[tuple[str, str]] = set()
    for (g, o), n in events.items():
        if o == in_programme:
            continue
        if (g, o) in hidden_set or (not pd.isna(n) and 1 <= n < threshold):
            drop.add((g, o))
    for g in dict.fromkeys(g_col):
        classes = [o for (gg, o) in events.index if gg == g and o != in_programme]
        gone = [o for o in classes if (g, o) in drop]
        if len(gone) == 1 and len(classes) > 1:
            rest = sorted((o for o in classes if o not in gone), key=lambda o: (events[(g, o)], classes.index(o)))
            drop.add((g, rest[0]))
    keep = np.array([(g, o) not in drop for g, o in zip(g_col, o_col)], dtype=bool)
    return curves.loc[keep].reset_index(drop=True)


def overlapping_classes(scheme_a: str, scheme_b: str) -> list[tuple[str, str]]:
    """Pairs (class of ``scheme_a``, class of ``scheme_b``) whose exit reasons overlap but differ.

    The difference between the counts of such a pair is a count of persons
    (those with the exit reasons in one class and not the other), so it must
    not be small when both are shown.

    Examples
    --------
    >>> ("durable", "durable") in overlapping_classes("monitor-2020", "verwey-jonker-2021")
    True
    """
    a, b = load_scheme(scheme_a), load_scheme(scheme_b)
    sets_a = {str(c): {k for k, v in a.mapping.items() if v == c} for c in a.class_ids}
    sets_b = {str(c): {k for k, v in b.mapping.items() if v == c} for c in b.class_ids}
    return [(ca, cb) for ca, xa in sets_a.items() for cb, xb in sets_b.items() if xa & xb and xa != xb]


def suppress_scheme_count_tables(
    tables: dict[str, pd.DataFrame], threshold: int, hidden: pd.DataFrame | None = None
) -> dict[str, disclosure.SuppressionResult]:
    """Disclosure control on count tables of the same people under several schemes, shown together.

    The first table (the report's scheme) is suppressed as usual, keeping
    hidden the cells that ``hidden`` (the mask of another table of the report
    with the same rows and columns, e.g. the flow table) hid. In each further
    table a cell is hidden beforehand where it differs by ``1 .. threshold -
    1`` from a visible cell of the same row in an earlier table whose class
    overlaps it (:func:`overlapping_classes`; the ``total`` column is the same
    in every scheme); then it goes through
    :func:`lvv_eval.disclosure.suppression.suppress` (primary and secondary, margins
    ``auto``). So the difference of two schemes' durable counts (e.g. forced
    return between monitor-2020 and verwey-jonker-2021) cannot be read from
    the two tables.

    Parameters
    ----------
    tables
        Scheme name -> wide count table (pilots x class ids and ``total``),
        as from :func:`lvv_eval.evaluations.interim.class_count_table`.
    hidden
        Optional mask of cells hidden elsewhere (index = pilots, columns as
        in the tables); applied to every table.

    Returns
    -------
    dict
        Scheme name -> :class:`lvv_eval.disclosure.suppression.SuppressionResult`.
    """
    results: dict[str, disclosure.SuppressionResult] = {}
    for name, table in tables.items():
        counts = table.astype("Int64")
        pre = pd.DataFrame(False, index=counts.index, columns=counts.columns)
        if hidden is not None:
            for col in counts.columns:
                if col in hidden.columns:
                    pre[col] = [bool(hidden.at[i, col]) if i in hidden.index else False for i in counts.index]
        for earlier, res in results.items():
            pairs = [(cb, ca) for ca, cb in overlapping_classes(earlier, name)]
            shown = res.table
            for cb, ca in pairs:
                if cb not in counts.columns or ca not in shown.columns:
                    continue
                for pilot in counts.index:
                    a = shown.at[pilot, ca] if pilot in shown.index else pd.NA
                    b = counts.at[pilot, cb]
                    if not pd.isna(a) and not pd.isna(b) and 1 <= abs(int(a) - int(b)) < threshold:
                        pre.at[pilot, cb] = True
        res = disclosure.suppress(counts.mask(pre.to_numpy()), threshold=threshold, missing="hidden")
        report = res.report.copy()
        report.loc[report["rule"].str.startswith("missing in the input"), "rule"] = (
            f"difference from another scheme or table < {int(threshold)}"
        )
        results[name] = disclosure.SuppressionResult(res.table, report, res.mask)
    return results


NOT_COUNTS: frozenset[str] = frozenset(
    {
        "horizon_days",
        "time_days",
        "year",
        "month",
        "ci_level",
        "median_days",
        "ci_low",
        "ci_high",
        "peildatum",
        "days",
        "horizon_months",
        "published",
    }
)
"""Integer columns that are not counts of persons (times, levels, published figures)."""


NOT_DERIVED_COLUMNS: tuple[str, ...] = ("horizon_days", "time_days", "published")
"""Numeric columns that do not rest on the counts of their row: horizons, times and published figures."""


def derived_from_row(
    frame: pd.DataFrame, counts: Sequence[str], independent: Sequence[str] = NOT_DERIVED_COLUMNS
) -> dict[str, tuple[str, ...]]:
    """Every numeric column that is not a count, a flag or ``independent``, as resting on all counts of its row.

    The gate suppresses such a column with the counts of its row (``("*",)``).

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["a"], "n": [3], "estimate": [0.5], "horizon_days": [365], "suppressed": [False]})
    >>> derived_from_row(t, ["n"])
    {'estimate': ('*',)}
    """
    return {
        str(c): ("*",)
        for c in frame.columns
        if c not in counts
        and c != "suppressed"
        and frame[c].dtype != bool
        and pd.api.types.is_numeric_dtype(frame[c])
        and str(c) not in independent
    }


def count_columns(table: pd.DataFrame) -> list[str]:
    """Columns of ``table`` holding counts of persons: integer-valued numeric columns not in :data:`NOT_COUNTS`.

    Examples
    --------
    >>> count_columns(pd.DataFrame({"pilot": ["a"], "n": [3], "estimate": [0.5], "horizon_days": [365]}))
    ['n']
    """
    out = []
    for col in table.columns:
        s = table[col]
        if str(col) in NOT_COUNTS or s.dtype == bool or not pd.api.types.is_numeric_dtype(s):
            continue
        if pd.api.types.is_integer_dtype(s):
            out.append(str(col))
        elif str(col) in COUNT_NAMES or (str(col) not in SHARE_NAMES and _whole_numbers(s)):
            out.append(str(col))  # a count turned float by missing (suppressed) cells is still a count
    return out


COUNT_NAMES: frozenset[str] = frozenset(
    {
        "numerator",
        "denominator",
        "n",
        "n_events",
        "n_censored",
        "n_at_risk",
        "present",
        "intake",
        "outflow",
        "count",
        "rows",
        "events",
        "moved",
    }
)
"""Columns that hold counts of persons whatever their dtype."""

SHARE_NAMES: frozenset[str] = frozenset(
    {
        "estimate",
        "share",
        "rate",
        "occupancy_rate",
        "shift_pp",
        "difference",
        "crude_share",
        "standardised_with",
        "standardised_without",
        "estimate_a",
        "estimate_b",
        "se",
        "std_err",
        "odds_ratio",
    }
)
"""Float columns that are never counts (shares, rates, differences of shares, standard errors)."""


def _whole_numbers(s: pd.Series) -> bool:
    """True for a float column whose values are all whole numbers >= 1 somewhere (a count with gaps)."""
    if not pd.api.types.is_float_dtype(s):
        return False
    values = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)
    return len(values) > 0 and bool((values == values.round()).all()) and bool((values >= 2).any())


def checked(
    gate: Gate,
    name: str,
    table: pd.DataFrame,
    *,
    counts: Sequence[str] | None = None,
    key: str | Sequence[str] | None = None,
    caption: str = "",
    **spec: object,
) -> CheckedTable:
    """Pass one (already table-suppressed) person-level table through the report's gate.

    Counts default to :func:`count_columns`; every other numeric column is
    treated as derived from the counts of its row (a share, an interval, a
    median, a difference), and the key defaults to ``pilot`` (or ``group``)
    when the table has one. A wide table indexed by pilot is reset first.
    """
    frame = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table
    frame = frame.rename(columns={"index": "pilot"}) if "index" in frame.columns else frame
    cols = list(counts) if counts is not None else count_columns(frame)
    if key is None:
        key = next((k for k in ("pilot", "group") if k in frame.columns), None)
    derived = derived_from_row(frame, cols)
    derived.update(spec.pop("derived", {}) or {})  # type: ignore[call-overload]
    name = f"{name}#{len(gate.released)}" if name in gate.released else name
    return gate.check(name, frame, counts=cols, key=key, derived=derived, caption=caption, **spec)


def register_protected(
    gate: Gate,
    name: str,
    raw: pd.DataFrame,
    protected: pd.DataFrame,
    *,
    counts: Sequence[str] | None = None,
    **spec: Any,
) -> None:
    """Register the exact table ``raw`` with its report-specific suppression ``protected`` as upstream.

    The gate then keeps every cell ``protected`` hides hidden, links the counts to the report's
    other registered tables by their exact values in ``raw``, and releases the table only when the
    notebook asks for it (:meth:`lvv_eval.disclosure.gate.Gate.release`), after every table of the
    report was registered. A table indexed by pilot is reset to a ``pilot`` column first. Counts
    default to :func:`count_columns` of ``protected``; every other numeric column is derived from
    the counts of its row (as :func:`checked`); the key defaults to ``pilot`` (or ``group``).
    """
    raw, protected = _flat(raw), _flat(protected)
    cols = list(counts) if counts is not None else count_columns(protected)
    independent = (*NOT_DERIVED_COLUMNS, "ci_level", *spec.get("not_counts", ()))
    derived = derived_from_row(protected, cols, independent=independent)
    derived.update(spec.pop("derived", {}) or {})
    key = spec.pop("key", next((k for k in ("pilot", "group") if k in protected.columns), None))
    gate.register(name, raw, counts=cols, key=key, derived=derived, upstream=protected, **spec)


def cell_rules(protected: pd.DataFrame, report: pd.DataFrame, key: str = "pilot") -> pd.DataFrame:
    """Per cell of a protected table, the rule that hid it, from a suppression ``report``.

    Parameters
    ----------
    protected
        The table after its own suppression, with a ``key`` column (flat, as registered).
    report
        ``report`` of a :class:`lvv_eval.disclosure.suppression.SuppressionResult` over the same
        table: one row per hidden cell with ``row`` (the key value), ``column`` and ``rule``.
    key
        The column naming a row.

    Returns
    -------
    pandas.DataFrame
        Same rows as ``protected``, one column per column named in ``report``, the rule text where
        the cell was hidden and ``""`` elsewhere (``upstream_rules`` of
        :meth:`lvv_eval.disclosure.gate.Gate.register`).

    Examples
    --------
    >>> t = pd.DataFrame({"pilot": ["a", "b"], "n": [pd.NA, 20]})
    >>> r = pd.DataFrame({"row": ["a"], "column": ["n"], "rule": ["primary: n < 10"]})
    >>> cell_rules(t, r)["n"].tolist()
    ['primary: n < 10', '']
    """
    flat = _flat(protected)
    rows = flat[key].astype(str).tolist()
    out = pd.DataFrame({c: [""] * len(flat) for c in dict.fromkeys(report["column"].astype(str))}, index=flat.index)
    for row, column, rule in zip(report["row"].astype(str), report["column"].astype(str), report["rule"].astype(str)):
        for i, name in enumerate(rows):
            if name == row:
                out.loc[i, column] = rule
    return out


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """A table indexed by pilot as a flat frame with a ``pilot`` column."""
    return table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table.reset_index(drop=True)


FLOW_PERSON_STEPS: tuple[str, ...] = ("rows excluded", "rows analysed")
"""Steps of the reading flow that count trajectories (besides the per-reason exclusions)."""


def suppress_validation_flow(flow: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The reading flow of a monitor file with small exclusion counts and what gives them away hidden.

    The flow (:attr:`lvv_eval.sources.monitor.MonitorData.flow`) adds up twice: rows read = rows
    excluded + rows analysed, and rows excluded = the sum of the per-reason rows. A count of
    ``1 .. threshold-1`` among the exclusions or the analysed rows is hidden (primary); then every
    count that, with the shown ones, would give it back is hidden too (secondary): all per-reason
    rows when any of them is hidden, and both sides of ``read = excluded + analysed`` when either
    is hidden. Rows read, data rows in the file and empty rows (not people) stay shown.

    Parameters
    ----------
    flow
        ``step, rows`` as read.
    threshold
        Disclosure threshold (counts below it are small).

    Returns
    -------
    pandas.DataFrame
        The same rows, ``rows`` as ``Int64`` with hidden cells missing.

    Examples
    --------
    >>> f = pd.DataFrame({"step": ["rows read", "excluded, first reason: x", "rows excluded", "rows analysed"],
    ...                   "rows": [100, 2, 2, 98]})
    >>> suppress_validation_flow(f, 10)["rows"].tolist()
    [100, <NA>, <NA>, <NA>]
    """
    out = flow.copy()
    rows = out["rows"].astype("Int64")
    steps = out["step"].astype(str)
    reason = steps.str.startswith("excluded, first reason").to_numpy()
    person = reason | steps.isin(FLOW_PERSON_STEPS).to_numpy()
    small = (
        person
        & (rows >= 1).to_numpy(dtype=bool, na_value=False)
        & (rows < threshold).to_numpy(dtype=bool, na_value=False)
    )
    hidden = small.copy()
    if (hidden & reason).any():
        hidden |= reason  # one hidden reason would follow from the total and the others
    if hidden[steps.isin(FLOW_PERSON_STEPS).to_numpy()].any():
        hidden |= person  # read = excluded + analysed: neither side may stay shown alone
    out["rows"] = rows.mask(hidden)
    return out


def figure_from(gate: Gate, name: str, fig: Figure, table: CheckedTable) -> CheckedFigure:
    """Wrap a figure drawn from the released frame of ``table`` (suppressed values missing, marked)."""
    return gate.figure(name, table, lambda _frame: fig)


def total_aliases(P: NotebookParameters) -> dict[str, str]:
    """Key aliases for the gate: with one pilot selected, the ``total`` rows count that pilot's people."""
    pilots = list(P.pilots or [])
    return {TOTAL: str(pilots[0])} if len(pilots) == 1 else {}
