"""Outputs that passed the disclosure gate: tables, figures and sentences.

The report writer (:class:`lvv_eval.reporting.writer.ReportWriter`) takes
person-level and synthetic output only in these forms, which only
:class:`lvv_eval.disclosure.gate.Gate` makes. Every suppressed cell is missing
in the released frame and shows as :data:`SUPPRESSION_MARK` wherever it is
displayed (table, figure, sentence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lvv_eval.errors import ConfigError, UncheckedOutputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "SUPPRESSION_MARK",
    "KIND_PERSON",
    "KIND_SYNTHETIC",
    "KIND_PUBLISHED",
    "KIND_DERIVED",
    "CheckedTable",
    "CheckedValue",
    "CheckedText",
    "CheckedFigure",
    "is_exempt_kind",
]

SUPPRESSION_MARK = "×"
"""The one mark shown for a suppressed value in tables, figures and text (U+00D7 MULTIPLICATION SIGN).

CBS prints ``x`` for a secret value; the multiplication sign reads the same and cannot be confused
with a cell that holds the letter x (a sex code of the monitor, a class named x)."""

KIND_PERSON = "person-level"
KIND_SYNTHETIC = "synthetic"
KIND_PUBLISHED = "published"
KIND_DERIVED = "derived"
CHECKED_KINDS = (KIND_PERSON, KIND_SYNTHETIC)
"""Kinds that reach a report only through the gate."""


def is_exempt_kind(kind: str) -> bool:
    """Whether output of ``kind`` is exempt from the gate (published figures and numbers derived from them)."""
    return kind in (KIND_PUBLISHED, KIND_DERIVED)


@dataclass(frozen=True)
class CheckedValue:
    """One released number: its value, or the fact that it is suppressed.

    Attributes
    ----------
    value
        The number (``None`` when suppressed).
    suppressed
        True when the gate suppressed it (the value is then not kept).
    output_id, cell
        Where the value comes from (``"<output>"`` and ``"<row>/<column>"``).
    """

    value: float | None
    suppressed: bool
    output_id: str
    cell: str

    def format(self, fmt: Callable[[Any], str] | None = None) -> str:
        """The value as text, or :data:`SUPPRESSION_MARK` when suppressed."""
        if self.suppressed or self.value is None or (isinstance(self.value, float) and np.isnan(self.value)):
            return SUPPRESSION_MARK
        return fmt(self.value) if fmt else str(self.value)


@dataclass
class CheckedTable:
    """A table released by the gate.

    Attributes
    ----------
    output_id
        Name of the output (the table file stem).
    frame
        The released table: suppressed cells are missing.
    mask
        Boolean frame, same index and columns as ``frame``: True where suppressed.
    reasons
        Frame of rule texts (``""`` where shown), same shape as ``mask``.
    kind
        ``person-level``, ``synthetic``, ``published`` or ``derived``.
    rules
        The rules applied, in words (e.g. ``"primary: n < 10"``).
    threshold
        Smallest count shown (``None`` for exempt kinds).
    choice
        Alternative release chosen where plain suppression would blank the
        table (e.g. ``"national level, counts rounded to base 5"``), or ``""``.
    caption
        One-line description.
    """

    output_id: str
    frame: pd.DataFrame
    mask: pd.DataFrame
    reasons: pd.DataFrame
    kind: str
    rules: tuple[str, ...] = ()
    threshold: int | None = None
    choice: str = ""
    caption: str = ""
    exempt_note: str = field(default="")

    @property
    def n_suppressed(self) -> int:
        """Number of suppressed cells."""
        return int(self.mask.to_numpy(dtype=bool).sum())

    def report(self) -> pd.DataFrame:
        """One row per suppressed cell: ``output``, ``cell``, ``row``, ``column``, ``rule`` (never the value)."""
        rows = []
        for i, j in np.argwhere(self.mask.to_numpy(dtype=bool)):
            label = self._row_label(int(i))
            col = str(self.mask.columns[j])
            rows.append(
                {
                    "output": self.output_id,
                    "cell": f"{label}/{col}",
                    "row": label,
                    "column": col,
                    "rule": str(self.reasons.iat[int(i), int(j)]),
                }
            )
        return pd.DataFrame(rows, columns=["output", "cell", "row", "column", "rule"])

    def _row_label(self, i: int) -> str:
        for key in ("pilot", "group", "scheme"):
            if key in self.frame.columns:
                parts = [
                    str(self.frame[c].iloc[i])
                    for c in (
                        "scheme",
                        "pilot",
                        "group",
                        "outcome",
                        "category",
                        "measure",
                        "denominator_kind",
                        "horizon_days",
                    )
                    if c in self.frame.columns
                ]
                return "/".join(parts)
        return str(self.frame.index[i])

    def value(self, column: str, **where: object) -> CheckedValue:
        """The released value of ``column`` in the one row matching ``where`` (column = value pairs)."""
        if column not in self.frame.columns:
            raise ConfigError(f"{self.output_id}: no column {column!r}")
        hit = np.ones(len(self.frame), dtype=bool)
        for col, val in where.items():
            hit &= (self.frame[col].astype(str) == str(val)).to_numpy()
        pos = np.flatnonzero(hit)
        if len(pos) != 1:
            raise ConfigError(f"{self.output_id}: {len(pos)} rows match {where!r}, expected one")
        i = int(pos[0])
        raw = self.frame[column].iloc[i]
        suppressed = bool(self.mask[column].iloc[i]) if column in self.mask.columns else False
        value = None if (suppressed or pd.isna(raw)) else (float(raw) if not isinstance(raw, str) else raw)
        return CheckedValue(value, suppressed, self.output_id, f"{self._row_label(i)}/{column}")  # type: ignore[arg-type]

    def view(
        self,
        frame: pd.DataFrame | None = None,
        *,
        columns: Mapping[str, str] | Sequence[str] | None = None,
        formats: Mapping[str, Callable[[Any], str]] | None = None,
        decimals: int | None = None,
        relabel: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> pd.DataFrame:
        """A display frame with every suppressed cell shown as :data:`SUPPRESSION_MARK`.

        Parameters
        ----------
        frame
            Released frame to show (default ``self.frame``); same rows as the mask.
        columns
            Columns to keep, in order; a mapping also renames them (old -> new).
        formats
            Per column (old name), a function turning a shown value into text.
        decimals
            Round shown floats to this many decimals.
        relabel
            Per column (old name), a function applied to every value (e.g. pilot names).
        """
        base = (self.frame if frame is None else frame).reset_index(drop=True)
        mask = self.mask.reset_index(drop=True)
        keep = list(columns) if columns is not None else list(base.columns)
        out = pd.DataFrame(index=base.index)
        for col in keep:
            values = base[col]
            hidden = mask[col].to_numpy(dtype=bool) if col in mask.columns else np.zeros(len(base), dtype=bool)
            if relabel and col in relabel:
                values = values.map(relabel[col])
            fmt = (formats or {}).get(col)
            shown = []
            for v, h in zip(values, hidden):
                if h:
                    shown.append(SUPPRESSION_MARK)
                elif fmt is not None and not pd.isna(v):
                    shown.append(fmt(v))
                elif decimals is not None and isinstance(v, float) and not pd.isna(v):
                    shown.append(round(v, decimals))  # type: ignore[arg-type]
                else:
                    shown.append(v)
            out[col] = pd.Series(shown, index=base.index, dtype=object)
        if isinstance(columns, Mapping):
            out = out.rename(columns=dict(columns))
        out.attrs["checked_view"] = self.output_id
        return out


@dataclass(frozen=True)
class CheckedText:
    """A sentence made only from checked values; a suppressed value renders as the mark.

    Build it with :meth:`compose` (or :meth:`lvv_eval.disclosure.gate.Gate.text`).
    """

    text: str
    kind: str
    sources: tuple[str, ...] = ()
    n_suppressed: int = 0

    @classmethod
    def compose(cls, template: str, kind: str, **values: object) -> CheckedText:
        """Fill ``template`` (``str.format`` fields) with checked values.

        Each value is a :class:`CheckedValue`, a ``(CheckedValue, formatter)`` pair,
        a tuple of checked values with a formatter as last item (e.g. an interval:
        ``(low, high, L.interval)``), or a string without digits (a label). A raw
        number, or a string holding digits, raises :class:`UncheckedOutputError`
        naming the field.
        """
        filled: dict[str, str] = {}
        sources: list[str] = []
        hidden = 0
        for name, v in values.items():
            parts: list[CheckedValue]
            fmt: Callable[..., str] | None = None
            if isinstance(v, CheckedValue):
                parts = [v]
            elif isinstance(v, tuple) and v and callable(v[-1]) and all(isinstance(x, CheckedValue) for x in v[:-1]):
                parts, fmt = list(v[:-1]), v[-1]
            elif isinstance(v, str) and not any(ch.isdigit() for ch in v):
                filled[name] = v
                continue
            else:
                raise UncheckedOutputError(
                    f"text field {name!r}: a raw value ({type(v).__name__}) cannot be printed into a report; "
                    "take it from a checked table (CheckedTable.value)"
                )
            sources.extend(p.output_id + ":" + p.cell for p in parts)
            if any(p.suppressed or p.value is None for p in parts):
                hidden += 1
                filled[name] = SUPPRESSION_MARK
            elif len(parts) == 1:
                filled[name] = parts[0].format(fmt)
            else:
                filled[name] = fmt(*[p.value for p in parts]) if fmt else " ".join(str(p.value) for p in parts)
        return cls(template.format(**filled), kind, tuple(sources), hidden)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


@dataclass
class CheckedFigure:
    """A figure drawn only from a checked table.

    Attributes
    ----------
    output_id
        Name of the figure.
    figure
        The matplotlib figure (drawn from ``data.frame``: suppressed values are
        missing, so they are not drawn as values; the drawing functions mark them).
    data
        The checked table the figure draws from.
    """

    output_id: str
    figure: Figure
    data: CheckedTable

    @property
    def kind(self) -> str:
        return self.data.kind
