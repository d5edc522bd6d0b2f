"""Write a table to the report and show it in the notebook, in one step.

A notebook cell of an evaluation used to repeat one pattern: check the table
at the gate, write it (:meth:`lvv_eval.reporting.writer.ReportWriter.table`),
relabel its values and headers for the report language, and show it with its
caption. These functions do that once, for tables the gate released
(person-level or synthetic) and for published figures (exempt).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from lvv_eval.disclosure.checked import SUPPRESSION_MARK, CheckedTable
from lvv_eval.reporting.writer import CaptionedTable, show_table

if TYPE_CHECKING:  # pragma: no cover
    from lvv_eval.reporting.labels import Labels
    from lvv_eval.reporting.writer import ReportWriter

__all__ = ["checked_view", "formatted_view", "interval_column", "show_checked", "show_exempt", "suppressed_cells"]


def checked_view(
    table: CheckedTable,
    L: Labels,
    *,
    columns: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    relabel: Mapping[str, Callable[[Any], Any]] | None = None,
    extra: Mapping[str, Sequence[object]] | None = None,
    decimals: int | None = None,
) -> pd.DataFrame:
    """A display frame of a released table: suppressed cells as the mark, labels in the report language.

    Parameters
    ----------
    table
        The released table.
    L
        Labels of the report language; pilot codes are relabelled by default.
    columns
        Columns to show, in order (names of ``table.frame`` or of ``extra``).
    headers
        Column -> header text or word-list key (see :meth:`Labels.columns`).
    formats, relabel, decimals
        Passed to :meth:`CheckedTable.view`.
    extra
        Display columns computed by the caller (one value per row), e.g. :func:`interval_column`.
    """
    defaults: dict[str, Callable[[Any], Any]] = {}
    if "pilot" in table.frame.columns:
        defaults["pilot"] = L.pilot
    if "suppression_rule" in table.frame.columns:
        defaults["suppression_rule"] = lambda r: L.rule(r) if isinstance(r, str) and r else ""
    relabel = {**defaults, **(relabel or {})}
    keep = [c for c in (columns or list(table.frame.columns)) if c not in (extra or {})]
    view = table.view(columns=keep, formats=formats, relabel=relabel, decimals=decimals)
    for name, values in (extra or {}).items():
        view[name] = pd.Series(list(values), index=view.index, dtype=object)
    if columns is not None:
        view = view[list(columns)]
    return L.columns(view, headers)


def formatted_view(
    table: CheckedTable,
    L: Labels,
    *,
    columns: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
    relabel: Mapping[str, Callable[[Any], Any]] | None = None,
    percent: Sequence[str] = (),
    decimals: int = 0,
) -> pd.DataFrame:
    """A released table as text for the notebook: numbers in the report language, suppressed cells marked.

    Values are formatted by :meth:`Labels.formatted` (``percent`` columns as percentages; a missing
    value that is not suppressed, such as an estimate beyond the follow-up, as '–'), every cell the
    gate suppressed is :data:`~lvv_eval.disclosure.checked.SUPPRESSION_MARK`, and a ``suppressed``
    column says whether any cell of the row is suppressed. Pilot codes are shown by name.

    Parameters
    ----------
    table
        The released table.
    L
        Labels of the report language.
    columns
        Columns to show, in order (default all).
    headers
        Column -> header text or word-list key (:meth:`Labels.columns`).
    relabel
        Column -> function applied to every value (codes to names).
    percent, decimals
        Passed to :meth:`Labels.formatted`.
    """
    frame = table.frame.reset_index(drop=True).copy()
    mask = table.mask.reset_index(drop=True)
    if "suppressed" in frame.columns:
        frame["suppressed"] = frame["suppressed"].fillna(False).astype(bool).to_numpy() | mask.any(axis=1).to_numpy()
    relabel = {**({"pilot": L.pilot} if "pilot" in frame.columns else {}), **(relabel or {})}
    for col, f in relabel.items():
        frame[col] = [f(v) for v in frame[col]]
    shown = L.formatted(frame, percent=[c for c in percent if c in frame.columns], decimals=decimals)
    for col in shown.columns:
        if col in mask.columns:
            hidden = mask[col].to_numpy(dtype=bool)
            shown[col] = [SUPPRESSION_MARK if h else v for v, h in zip(shown[col], hidden)]
    if columns is not None:
        shown = shown[list(columns)]
    shown = L.columns(shown, headers)
    shown.attrs["checked_view"] = table.output_id
    return shown


def interval_column(table: CheckedTable, L: Labels, low: str = "ci_low", high: str = "ci_high") -> list[str]:
    """The interval of each row as text (:meth:`Labels.interval`), the mark where either bound is suppressed."""
    frame, mask = table.frame.reset_index(drop=True), table.mask.reset_index(drop=True)
    return [
        SUPPRESSION_MARK if bool(mask[low].iloc[i]) or bool(mask[high].iloc[i]) else L.interval(lo, hi)
        for i, (lo, hi) in enumerate(zip(frame[low], frame[high]))
    ]


def show_checked(
    writer: ReportWriter | None, table: CheckedTable, caption: str, view: pd.DataFrame, *, max_rows: int = 60
) -> CaptionedTable:
    """Write a released table (when ``writer`` is given) and return its display view with the caption."""
    if writer is not None:
        writer.table(table.output_id, table, caption=caption)
    return show_table(view, caption, kind=table.kind, max_rows=max_rows)


def show_exempt(
    writer: ReportWriter, name: str, frame: pd.DataFrame, caption: str, shown: pd.DataFrame, *, kind: str = "derived"
) -> CaptionedTable:
    """Write a table of published figures (or numbers derived only from them) and return its display."""
    writer.table(name, frame, kind=kind, caption=caption)
    return show_table(shown, caption, kind=kind)


def suppressed_cells(table: CheckedTable, L: Labels, caption: str) -> list[CaptionedTable]:
    """The gate's record of the suppressed cells of ``table`` (rules, never values), ready to show.

    Returns an empty list when nothing was suppressed (no empty table is shown), else one table.
    """
    report = table.report().drop(columns="output")
    return [show_table(L.suppression_report(report), caption, kind="derived")] if len(report) else []
