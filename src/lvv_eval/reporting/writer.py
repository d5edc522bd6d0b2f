"""Writing a notebook's tables and figures deterministically.

A notebook creates one :class:`ReportWriter` and hands it every table and
figure it wants in the report::

    W = ReportWriter.from_parameters(P)
    W.table("outflow_by_pilot", frame, kind="synthetic", caption="Outflow by pilot")
    W.figure("outflow_by_pilot", fig, title="Outflow by pilot")
    W.finish()

Tables go to ``tables/<name>.csv`` and figures to ``figures/<name>.png`` and
``.svg``; :meth:`ReportWriter.finish` writes ``manifest.json`` listing them with
their *kind*, which the report index uses to tell published figures from
numbers computed on synthetic or real person-level data. Same inputs give
byte-identical files: floats are rounded to :data:`FLOAT_DECIMALS` decimals,
line ends are ``\\n``, and figure files carry no date or software stamp.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from lvv_eval.disclosure.checked import (
    CHECKED_KINDS,
    SUPPRESSION_MARK,
    CheckedFigure,
    CheckedTable,
    CheckedText,
    CheckedValue,
)
from lvv_eval.errors import ArgumentError, UncheckedOutputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from lvv_eval.reporting.parameters import NotebookParameters

KINDS: dict[str, str] = {
    "published": "published figure",
    "synthetic": "synthetic data",
    "person-level": "person-level",
    "derived": "derived",
}
"""Kinds of tables and figures, with the label shown in the report index.

published: copied from the source publications; synthetic: computed on the
committed synthetic data; person-level: computed on a real person-level export
(subject to the disclosure threshold); derived: computed from published figures.
"""

FLOAT_DECIMALS = 6
"""Floats in table files are rounded to this many decimals."""

FIGURE_DPI = 150
SVG_HASHSALT = "lvv-eval"
MANIFEST_NAME = "manifest.json"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass
class Entry:
    """One table or figure registered with a :class:`ReportWriter`."""

    name: str
    kind: str
    caption: str
    files: list[str]
    sha256: dict[str, str]
    shape: list[int] | None = None


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name.endswith("."):
        raise ArgumentError(f"invalid name {name!r}: use letters, digits, '_', '-', '.' (no folders)")
    return name


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ArgumentError(f"invalid kind {kind!r}: choose one of {', '.join(KINDS)}")
    return kind


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_to_csv(frame: pd.DataFrame) -> str:
    """Render a table as deterministic CSV text.

    Rows keep the order given (sort before calling); a non-default index is
    written as leading columns; floats are rounded to :data:`FLOAT_DECIMALS`
    decimals (and ``-0.0`` becomes ``0.0``); missing values are empty; line
    ends are ``\\n``.

    Examples
    --------
    >>> print(table_to_csv(pd.DataFrame({"pilot": ["a", "b"], "share": [1 / 3, -0.0]})), end="")
    pilot,share
    a,0.333333
    b,0.0
    """
    out = frame.copy()
    if not isinstance(out.index, pd.RangeIndex) or out.index.name is not None:
        out = out.reset_index()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = out[col].round(FLOAT_DECIMALS) + 0.0
    return out.to_csv(index=False, lineterminator="\n", na_rep="")


def suppressed_cells(checked: CheckedTable) -> list[list[object]]:
    """The suppressed cells of a checked table as ``[row position, column name]`` pairs, in reading order.

    Recorded in the manifest so that the published report marks exactly these
    cells with the suppression mark (an empty cell elsewhere is a missing value).
    """
    mask = checked.mask.reindex(index=checked.frame.index, columns=checked.frame.columns, fill_value=False)
    values = mask.fillna(False).to_numpy(dtype=bool)
    return [[int(i), str(mask.columns[j])] for i, j in zip(*values.nonzero())]


class CaptionedTable:
    """A table with a caption that renders in notebooks (HTML) and as text.

    Returned by :func:`show_table`; the representation holds no memory
    addresses or random ids, so stored notebook outputs are stable.
    """

    def __init__(self, frame: pd.DataFrame, caption: str = "", *, max_rows: int = 60, kind: str = "") -> None:
        self.frame = frame
        self.caption = caption
        self.max_rows = max_rows
        self.kind = kind

    def _repr_html_(self) -> str:
        index = not isinstance(self.frame.index, pd.RangeIndex)
        table = self.frame.to_html(max_rows=self.max_rows, border=0, na_rep="", index=index)
        cap = f"<figcaption><strong>{html.escape(self.caption)}</strong></figcaption>" if self.caption else ""
        kind = f' data-kind="{html.escape(self.kind)}"' if self.kind else ""  # read by the output scan
        return f"<figure{kind}>{cap}{table}</figure>"

    def __repr__(self) -> str:
        index = not isinstance(self.frame.index, pd.RangeIndex)
        body = self.frame.to_string(max_rows=self.max_rows, index=index)
        return f"{self.caption}\n{body}" if self.caption else body


def show_table(
    frame: pd.DataFrame | CheckedTable, caption: str = "", *, max_rows: int = 60, kind: str | None = None
) -> CaptionedTable:
    """Return a table with a caption for display as a cell's result.

    A :class:`~lvv_eval.disclosure.checked.CheckedTable` is shown with every
    suppressed cell as the suppression mark (or pass a display frame made by
    :meth:`CheckedTable.view` with ``kind`` set to the checked table's kind).
    A plain DataFrame is shown only with ``kind="published"`` or
    ``kind="derived"``; anything else raises
    :class:`~lvv_eval.errors.UncheckedOutputError` (person-level and synthetic
    numbers reach a notebook only through the gate).
    """
    if isinstance(frame, CheckedTable):
        return CaptionedTable(frame.view(), caption or frame.caption, max_rows=max_rows, kind=frame.kind)
    if not _is_view(frame) and kind not in ("published", "derived"):
        raise UncheckedOutputError(
            f"table {caption or '(no caption)'!r}: a raw DataFrame cannot be shown in a report; pass it through "
            "the disclosure gate (Gate.check) or say kind='published'/'derived' for published figures"
        )
    return CaptionedTable(frame, caption, max_rows=max_rows, kind=kind or "")


def _is_view(frame: pd.DataFrame) -> bool:
    """A display frame made by :meth:`CheckedTable.view` (object columns, marks in place)."""
    return bool(frame.attrs.get("checked_view"))


def say(*parts: object) -> str:
    """Print a line into the notebook made of prose and checked values only.

    ``parts`` are strings, :class:`~lvv_eval.disclosure.checked.CheckedText`
    or :class:`~lvv_eval.disclosure.checked.CheckedValue` (shown as the mark
    when suppressed). A raw number raises :class:`~lvv_eval.errors.UncheckedOutputError`.

    Examples
    --------
    >>> say("n =", CheckedValue(None, True, "flow", "eindhoven/outflow"))
    n = ×
    'n = ×'
    """
    out = []
    for k, p in enumerate(parts):
        if isinstance(p, (CheckedText, str)):
            out.append(str(p))
        elif isinstance(p, CheckedValue):
            out.append(p.format())
        else:
            raise UncheckedOutputError(
                f"say(): part {k + 1} is a raw {type(p).__name__}; a number printed into a "
                "report must come from a checked table (CheckedTable.value)"
            )
    line = " ".join(out)
    print(line)
    return line


class ReportWriter:
    """Collects and writes one notebook's tables, figures and notes.

    Parameters
    ----------
    output_dir
        Folder receiving ``tables/``, ``figures/`` and ``manifest.json``.
    notebook
        Notebook name (recorded in the manifest).
    language
        Report language, ``"nl"`` or ``"en"`` (recorded in the manifest).
    """

    def __init__(self, output_dir: str | Path, *, notebook: str, language: str = "nl") -> None:
        self.output_dir = Path(output_dir)
        self.notebook = notebook
        self.language = language
        self.tables: dict[str, Entry] = {}
        self.figures: dict[str, Entry] = {}
        self.notes: list[str] = []
        self.findings: list[dict[str, Any]] = []
        self.disclosure: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_parameters(cls, parameters: NotebookParameters) -> ReportWriter:
        """Create a writer for a validated parameter set (its output folder and language)."""
        return cls(parameters.output_path, notebook=parameters.notebook, language=parameters.language)

    @property
    def tables_dir(self) -> Path:
        return self.output_dir / "tables"

    @property
    def figures_dir(self) -> Path:
        return self.output_dir / "figures"

    def table(
        self, name: str, frame: pd.DataFrame | CheckedTable, *, kind: str | None = None, caption: str = ""
    ) -> Path:
        """Write ``tables/<name>.csv`` and register it.

        Parameters
        ----------
        name
            File stem (letters, digits, ``_``, ``-``, ``.``).
        frame
            The table, rows in the order wanted (sort it first).
        kind
            One of :data:`KINDS`: where the numbers come from.
        caption
            One-line description shown in the report index.

        Returns
        -------
        pathlib.Path
            The CSV file written.

        Raises
        ------
        UncheckedOutputError
            When ``kind`` is person-level or synthetic and ``frame`` is not a
            :class:`~lvv_eval.disclosure.checked.CheckedTable` from the gate.
        """
        _check_name(name)
        checked = frame if isinstance(frame, CheckedTable) else None
        if checked is not None:
            kind = kind or checked.kind
            if kind != checked.kind:
                raise UncheckedOutputError(f"table {name!r}: checked as {checked.kind!r}, written as {kind!r}")
            frame = checked.frame
            caption = caption or checked.caption
        if kind is None:
            raise ArgumentError(f"table {name!r}: say which kind of numbers it holds ({', '.join(KINDS)})")
        _check_kind(kind)
        if kind in CHECKED_KINDS and checked is None:
            raise UncheckedOutputError(
                f"table {name!r}: {kind} output must pass the disclosure gate (Gate.check) before it is written"
            )
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        path = self.tables_dir / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(table_to_csv(frame))
        self.tables[name] = Entry(
            name,
            kind,
            caption,
            [f"tables/{name}.csv"],
            {path.name: _digest(path)},
            [int(frame.shape[0]), int(frame.shape[1])],  # type: ignore[union-attr]
        )
        if checked is not None:
            self.disclosure[name] = {
                "kind": checked.kind,
                "rules": list(checked.rules),
                "threshold": checked.threshold,
                "cells_suppressed": checked.n_suppressed,
                "choice": checked.choice,
                "exempt": checked.exempt_note,
                "cells": suppressed_cells(checked),
            }
        return path

    def figure(self, name: str, fig: Figure | CheckedFigure, *, title: str = "", kind: str | None = None) -> list[Path]:
        """Write ``figures/<name>.png`` (150 dpi) and ``.svg`` and register them.

        The files carry no creation date or software version, and the SVG ids
        use a fixed salt, so the same figure gives the same bytes.

        Parameters
        ----------
        name
            File stem.
        fig
            A matplotlib figure (left open; close it yourself if needed).
        title
            Title shown in the report index.
        kind
            One of :data:`KINDS`: where the plotted numbers come from.
        """
        import matplotlib

        _check_name(name)
        if isinstance(fig, CheckedFigure):
            if kind is not None and kind != fig.kind:
                raise UncheckedOutputError(f"figure {name!r}: checked as {fig.kind!r}, written as {kind!r}")
            kind = fig.kind
            fig = fig.figure
        else:
            kind = kind or "derived"
            if kind in CHECKED_KINDS:
                raise UncheckedOutputError(
                    f"figure {name!r}: a {kind} figure must be drawn from a checked table (Gate.figure), "
                    "not from unchecked counts"
                )
        _check_kind(kind)
        self.figures_dir.mkdir(parents=True, exist_ok=True)
        png = self.figures_dir / f"{name}.png"
        svg = self.figures_dir / f"{name}.svg"
        with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "path"}):
            fig.savefig(png, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        self.figures[name] = Entry(
            name,
            kind,
            title,
            [f"figures/{png.name}", f"figures/{svg.name}"],
            {png.name: _digest(png), svg.name: _digest(svg)},
        )
        return [png, svg]

    def note(self, text: str) -> None:
        """Record a note for the report index (e.g. a caveat about the data)."""
        self.notes.append(str(text))

    def finding(self, text: CheckedText | str, *, kind: str | None = None, limit: bool = False) -> str:
        """Record a key finding (or, with ``limit=True``, a limit of the evidence) for the report's summary.

        The summary of the published report lists the findings in the order
        recorded, then the limits ("what the evidence cannot support").

        Parameters
        ----------
        text
            A :class:`~lvv_eval.disclosure.checked.CheckedText` from the gate
            (its kind is used), or a plain sentence about published figures or
            numbers derived from them only (``kind`` ``"published"`` or
            ``"derived"``, the default).
        kind
            Where the numbers in the sentence come from (one of :data:`KINDS`).
        limit
            The sentence says what the evidence cannot support, not what it shows.

        Returns
        -------
        str
            The sentence as recorded.

        Raises
        ------
        UncheckedOutputError
            A plain string given as person-level or synthetic (it must come
            from the gate), or a checked text given another kind.
        """
        if isinstance(text, CheckedText):
            if kind is not None and kind != text.kind:
                raise UncheckedOutputError(f"finding: checked as {text.kind!r}, recorded as {kind!r}")
            kind, sources = text.kind, list(text.sources)
        else:
            kind = kind or "derived"
            sources = []
            if kind in CHECKED_KINDS:
                raise UncheckedOutputError(
                    f"finding {str(text)[:60]!r}: a {kind} sentence must be made by the disclosure gate "
                    "(Gate.text / CheckedText.compose), not typed as a string"
                )
        _check_kind(kind)
        sentence = str(text).strip()
        if not sentence:
            raise ArgumentError("finding: empty sentence")
        self.findings.append({"text": sentence, "kind": kind, "limit": bool(limit), "sources": sources})
        return sentence

    def manifest(self) -> dict[str, Any]:
        """Return the manifest as a dict (what :meth:`finish` writes)."""
        return {
            "notebook": self.notebook,
            "language": self.language,
            "kinds": dict(KINDS),
            "tables": [asdict(e) for e in self.tables.values()],
            "figures": [asdict(e) for e in self.figures.values()],
            "notes": list(self.notes),
            "findings": list(self.findings),
            "disclosure": {"mark": SUPPRESSION_MARK, "outputs": dict(sorted(self.disclosure.items()))},
        }

    def finish(self) -> Path:
        """Write ``manifest.json`` (sorted keys, no timestamps) and return its path."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        path = self.output_dir / MANIFEST_NAME
        text = json.dumps(self.manifest(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return path


def read_manifest(output_dir: str | Path) -> dict[str, Any] | None:
    """Read ``manifest.json`` from a report folder, or ``None`` when absent."""
    path = Path(output_dir) / MANIFEST_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
