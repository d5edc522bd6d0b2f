"""What the evaluation notebooks share.

Loading the person-level data a notebook's parameters point at, putting
person-level counts next to a published source, and the sensitivity of the
durable rate to the classification scheme.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
import pandas as pd

from lvv_eval import aggregate, disclosure, metrics, published
from lvv_eval.monitor import MonitorData, read_monitor
from lvv_eval.schemes import list_schemes, load_scheme
from lvv_eval.synth_targets import load_config

if TYPE_CHECKING:  # pragma: no cover
    from lvv_eval.i18n import Labels
    from lvv_eval.params import NotebookParameters


def load_person_level(P: "NotebookParameters") -> MonitorData | None:
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
    return read_monitor(path, strict=False)


def source_population(source_id: str) -> tuple[str, bool]:
    """Scheme and population a published source counts with.

    Returns
    -------
    (scheme name, formal_only)
        e.g. ``("monitor-2020", True)``: the 2020 programme monitor counts
        people with formal LVV status only (seed 002, 'Voortgang LVV's').
        Read from the ``calibration.sources`` section of ``config/synth.yaml``.
    """
    sources = load_config()["calibration"]["sources"]
    if source_id not in sources:
        raise KeyError(f"no scheme/population declared for source {source_id!r}; "
                       f"known: {sorted(sources)}")
    spec = sources[source_id]
    return str(spec["scheme"]), bool(spec["formal_only"])


def person_figures(frame: pd.DataFrame, P: "NotebookParameters",
                   scheme: str | None = None) -> pd.DataFrame:
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
        :func:`lvv_eval.aggregate.to_figures`).
    """
    return aggregate.to_figures(
        frame, P.peildatum, scheme=load_scheme(scheme or P.scheme),
        formal_only=P.formal_only, pilots=list(P.pilots) or None,
    )


def published_vs_person(frame: pd.DataFrame, P: "NotebookParameters", source_id: str,
                        scheme: str | None = None) -> pd.DataFrame:
    """Person-level counts next to one published source's counts.

    The person-level side is counted the way the source counts: with the
    source's own scheme (unless ``scheme`` is given) and population (formal
    status only for the 2020 monitor), at the source's peildatum.

    Returns
    -------
    pandas.DataFrame
        One row per published count with a person-level counterpart:
        ``pilot, measure, category, figure_id, published, person_level,
        difference`` (difference = person-level - published).
    """
    source_scheme, formal_only = source_population(source_id)
    figures = published.select(source=source_id)
    peildatum = pd.Timestamp(figures["peildatum"].dropna().iloc[0])
    person = aggregate.to_figures(frame, peildatum, scheme=load_scheme(scheme or source_scheme),
                                  formal_only=formal_only, pilots=list(P.pilots) or None)
    table = aggregate.compare_with_published(person, figures)
    return table.drop(columns=[c for c in ("source_id", "peildatum") if c in table.columns])


def scheme_sensitivity(frame: pd.DataFrame, peildatum: str | pd.Timestamp,
                       schemes: Iterable[str] | None = None, formal_only: bool = False,
                       alpha: float = 0.05, pilots: Iterable[str] | None = None) -> pd.DataFrame:
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
        figs = aggregate.to_figures(frame, peildatum, scheme=load_scheme(name), formal_only=formal_only,
                                    pilots=list(pilots) if pilots else None)
        wide = figs.pivot_table(index="pilot", columns=["measure", "category"], values="value",
                                aggfunc="sum", sort=False)
        durable = wide[("outflow", "durable")]
        for denominator, column in (("outflow", ("outflow", "all")), ("intake", ("intake", "all"))):
            kwargs = {denominator: wide[column]}
            rates = metrics.durable_rate(durable, **kwargs, alpha=alpha)
            rates.insert(0, "scheme", name)
            rates.insert(2, "denominator_kind", denominator)
            rows.append(rates)
    table = pd.concat(rows, ignore_index=True)
    order = {p: i for i, p in enumerate(pilot_order(table["pilot"]))}
    table = table.sort_values(["scheme", "pilot", "denominator_kind"],
                              key=lambda s: s.map(order) if s.name == "pilot" else s)
    return table.reset_index(drop=True)


SCHEME_KEY_COLUMNS: tuple[str, ...] = ("pilot", "denominator_kind")
"""Key of a :func:`scheme_sensitivity` row apart from the scheme."""


def suppress_scheme_differences(sensitivity: pd.DataFrame, threshold: int) -> disclosure.SuppressionResult:
    """Hide durable counts that differ between schemes by a small number.

    Two schemes' durable counts for the same pilot and denominator differ by
    the number of persons whose exit reason the schemes classify differently
    (e.g. the forced returns between monitor-2020 and verwey-jonker-2021);
    :func:`lvv_eval.disclosure.suppress_differences_between` hides the
    fewest schemes per pilot and denominator so that no two visible durable
    counts differ by ``1 .. threshold - 1``, with their rates and intervals.

    Parameters
    ----------
    sensitivity
        Output of :func:`scheme_sensitivity`, possibly suppressed already
        (missing numerators count as hidden).
    threshold
        Smallest count shown.

    Returns
    -------
    lvv_eval.disclosure.SuppressionResult
        ``table``: a copy with ``numerator``, ``estimate``, ``ci_low``,
        ``ci_high`` missing where hidden; ``suppressed`` (and
        ``suppression_rule`` when present) updated; ``report`` and ``mask``.
    """
    dependent = [c for c in ("estimate", "ci_low", "ci_high") if c in sensitivity.columns]
    res = disclosure.suppress_differences_between(
        sensitivity, key_cols=list(SCHEME_KEY_COLUMNS), version_col="scheme", count_col="numerator",
        threshold=threshold, dependent=dependent)
    out = res.table
    hide = res.mask.to_numpy()
    if "suppressed" in out.columns:
        out["suppressed"] = out["suppressed"].astype(bool) | hide
    if "suppression_rule" in out.columns:
        out.loc[hide, "suppression_rule"] = f"difference between schemes < {int(threshold)}"
    return disclosure.SuppressionResult(out, res.report, res.mask)


def data_banner(P: "NotebookParameters", L: "Labels") -> str:
    """One sentence saying where the person-level numbers come from.

    Returns
    -------
    str
        In the report language: published figures only, SYNTHETIC data (not
        real people), or the name of the real export that was read.
    """
    if P.data_path is None:
        return L("Alleen gepubliceerde cijfers; geen gegevens op persoonsniveau.",
                 "Published figures only; no person-level data.")
    if P.is_synthetic:
        return L("LET OP: SYNTHETISCHE GEGEVENS. De cijfers op persoonsniveau komen uit een "
                 "gesimuleerd bestand dat op de gepubliceerde cijfers is gekalibreerd; het zijn "
                 "geen echte personen en geen bevindingen over de LVV.",
                 "NOTE: SYNTHETIC DATA. The person-level numbers come from a simulated file "
                 "calibrated to the published figures; they are not real people and not "
                 "findings about the LVV.")
    return L(f"Gegevens op persoonsniveau: {P.data_path.name} (echte export; alleen tabellen "
             f"na onthullingscontrole publiceren).",
             f"Person-level data: {P.data_path.name} (real export; publish only tables that "
             f"passed disclosure control).")


def analysis_frame(frame: pd.DataFrame, pilots: Sequence[str] | None = (),
                   formal_only: bool = False) -> pd.DataFrame:
    """Rows of a typed monitor frame for the chosen pilots and population.

    For the functions that take no ``pilots``/``formal_only`` argument
    themselves (:func:`lvv_eval.aggregate.stock_over_time`,
    :func:`lvv_eval.survival.cif_curves`). Unused pilot categories are
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
    >>> from lvv_eval.schema import empty_monitor_frame
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
    exit codes (:mod:`lvv_eval.aggregate`); ``intake/all`` = formal +
    informal; ``scenarios/all`` = departure + residence. A linked table is
    used only when all its parts are in the table (an incomplete sum is no
    equation). Keys in no linked table become one-column tables.
    """
    from lvv_eval.aggregate import DEPARTURE_OR_ONWARD_MIGRATION, OTHER_NON_DURABLE  # noqa: PLC0415
    from lvv_eval.taxonomy import EXIT_REASON_CODES  # noqa: PLC0415

    present = set(keys)
    by_prefix: dict[tuple[str, str], set[str]] = {}
    for src, measure, category in keys:
        by_prefix.setdefault((src, measure), set()).add(category)
    codes = set(EXIT_REASON_CODES)
    aggregates = {"departure_or_onward_migration": DEPARTURE_OR_ONWARD_MIGRATION,
                  "other_non_durable": OTHER_NON_DURABLE}
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


def suppress_long(table: pd.DataFrame, threshold: int, value: str = "person_level",
                  dependent: Sequence[str] = ("difference",)) -> disclosure.SuppressionResult:
    """Disclosure control for a long comparison table (pilot rows and ``total`` rows).

    The ``measure``/``category`` pairs (per ``source`` when the table has
    that column) are columns of a pilot x measure table whose ``total`` row
    is the margin. Columns that add up are suppressed *together*: each
    linked table of :func:`_linked_tables` (e.g. the outflow classes with
    ``outflow/all`` as total column, the exit codes with the same total)
    goes through :func:`lvv_eval.disclosure.suppress` with its total column
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
    parts = {c: table[c].astype("str").to_numpy() if c in table.columns else np.full(len(table), "")
             for c in ("source", "measure", "category")}
    triples = list(zip(parts["source"], parts["measure"], parts["category"]))
    key = pd.Series(["/".join(x for x in t if x) for t in triples], index=table.index)
    if len(key_cols) == 0:
        key[:] = value
    wide = pd.DataFrame({"pilot": table["pilot"].astype("str").to_numpy(), "key": key.to_numpy(),
                         "v": table[value].to_numpy()}).pivot(index="pilot", columns="key", values="v")
    wide = wide.reindex(pilot_order(wide.index))
    has_total = TOTAL in wide.index
    hidden = pd.DataFrame(False, index=wide.index, columns=wide.columns)
    linked = _linked_tables(list(dict.fromkeys(triples))) if key_cols else [(None, [value])]
    reports: list[pd.DataFrame] = []
    seen_rules: set[tuple[str, str]] = set()
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
            res = disclosure.suppress(counts, use, threshold=threshold, margins=margins or None,
                                      missing="hidden")
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
    mask = pd.Series([bool(hidden.loc[p, k]) for p, k in zip(table["pilot"].astype("str"), key)],
                     index=table.index)
    out = table.copy()
    out[value] = pd.array(out[value].to_numpy(), dtype="Int64").copy()
    out[value] = out[value].mask(mask.to_numpy())
    for col in dependent:
        if col in out.columns:
            out[col] = out[col].mask(mask.to_numpy())
    report = pd.concat(reports, ignore_index=True) if reports else pd.DataFrame(columns=list(disclosure.REPORT_COLUMNS))
    report = report.drop_duplicates(subset=["cell"], keep="first").reset_index(drop=True)
    return disclosure.SuppressionResult(out, report, mask)
