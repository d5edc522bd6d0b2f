"""The report as a document: a title, a parameter banner, a summary and numbered sections.

A :class:`Document` holds display-ready content only (every number already a
formatted string), so the HTML renderer (:mod:`lvv_eval.reporting.html`) and
the PDF renderer (:mod:`lvv_eval.reporting.typst_pdf`) show the same thing::

    doc = Document(
        title="Eindevaluatie LVV", subtitle="...", language="nl", banner=Banner(...),
        summary=(Paragraph("..."),),
        sections=(Section("Uitstroom", (TableBlock.from_frame(...), FigureBlock.from_file(...))),),
    )

Blocks are :class:`Paragraph`, :class:`BulletList`, :class:`Note`,
:class:`TableBlock` and :class:`FigureBlock`. Sections are numbered 1, 2, ...;
tables and figures are numbered per section (``Tabel 3.1``, ``Figuur 3.2``; in
English ``Table 3.1``, ``Figure 3.2``) by :meth:`Document.numbered`, in the
order they appear. Captions are given by the caller (made from the result's
own metadata); no renderer adds numbers to them.

Tables and figures carry a *kind* (:data:`BLOCK_KINDS`): ``published`` (copied
from a source document), ``derived`` (computed from published figures),
``person-level`` (computed on a real export) or ``synthetic`` (computed on the
committed synthetic data). A :class:`TableBlock` carries a mask of its
suppressed cells and the notes of the rules that suppressed them, so the
output gate's checked tables convert into blocks without losing that record;
a cell under the mask must print :data:`~lvv_eval.reporting.formatting.SUPPRESSED_MARK`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lvv_eval.errors import LvvEvalError
from lvv_eval.reporting import formatting as fmt
from lvv_eval.reporting.phrases import load_texts, text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

BlockKind = Literal["published", "derived", "person-level", "synthetic"]

BLOCK_KINDS: tuple[str, ...] = ("published", "derived", "person-level", "synthetic")
"""Kinds of tables and figures (same vocabulary as :data:`lvv_eval.reporting.writer.KINDS`)."""

ALIGNMENTS: tuple[str, ...] = ("left", "right", "center")
IMAGE_FORMATS: tuple[str, ...] = ("png", "svg")


class DocumentError(LvvEvalError, ValueError):
    """A report document is built inconsistently (shapes, kinds, missing captions or labels)."""


def _check_kind(kind: str, what: str) -> str:
    if kind not in BLOCK_KINDS:
        raise DocumentError(f"{what}: unknown kind {kind!r}; use one of {', '.join(BLOCK_KINDS)}")
    return kind


def _check_text(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DocumentError(f"{what} must be a non-empty text, not {value!r}")
    return value


# --------------------------------------------------------------------------- text blocks


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text (plain text; no markup is interpreted)."""

    text: str

    def __post_init__(self) -> None:
        _check_text(self.text, "paragraph text")


@dataclass(frozen=True)
class BulletList:
    """A list of short statements, e.g. the key findings of a summary, under an optional title."""

    items: tuple[str, ...]
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        if not self.items:
            raise DocumentError("a bullet list needs at least one item")
        for i, item in enumerate(self.items, start=1):
            _check_text(item, f"bullet list item {i}")


@dataclass(frozen=True)
class Note:
    """A remark set apart from the text (a caveat, what the evidence cannot support)."""

    text: str
    title: str = ""

    def __post_init__(self) -> None:
        _check_text(self.text, "note text")


# --------------------------------------------------------------------------- tables


def _tuple_rows(rows: Sequence[Sequence[object]], what: str) -> tuple[tuple[str, ...], ...]:
    out: list[tuple[str, ...]] = []
    for i, row in enumerate(rows, start=1):
        cells = tuple(str(c) if isinstance(c, str) else c for c in row)
        bad = [j for j, c in enumerate(cells, start=1) if not isinstance(c, str)]
        if bad:
            raise DocumentError(
                f"{what}: row {i}, column(s) {bad}: cells must be formatted text "
                "(use TableBlock.from_frame to format values)"
            )
        out.append(cells)  # type: ignore[arg-type]
    return tuple(out)


@dataclass(frozen=True)
class TableBlock:
    """A display-ready table: header labels, rows of formatted strings, a caption.

    Attributes
    ----------
    caption
        The caption without number (the renderer prefixes ``Tabel 3.1``).
    header
        Column labels as the reader sees them (never field names).
    rows
        One tuple of formatted cells per row, each as long as ``header``.
    kind
        One of :data:`BLOCK_KINDS`.
    align
        ``"left"``, ``"right"`` or ``"center"`` per column; default: left for
        the first column, right for the others.
    source
        Source line printed under the table (citation, data file).
    notes
        Further notes printed under the table.
    suppressed
        Mask of suppressed cells, same shape as ``rows``; default: the cells
        that print :data:`~lvv_eval.reporting.formatting.SUPPRESSED_MARK`. A
        masked cell that prints anything else is an error.
    rule_notes
        Which disclosure rules suppressed cells, in words, printed with the notes.
    key
        Stable identifier (the output's name, e.g. ``outflow_by_pilot``), used
        for anchors and to link the block to the output checker's record.
    emphasis_rows
        Zero-based indices of rows printed in bold (totals).
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: BlockKind
    align: tuple[str, ...] = ()
    source: str = ""
    notes: tuple[str, ...] = ()
    suppressed: tuple[tuple[bool, ...], ...] | None = None
    rule_notes: tuple[str, ...] = ()
    key: str = ""
    emphasis_rows: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        what = f"table {self.key or self.caption!r}"
        _check_text(self.caption, f"{what}: caption")
        _check_kind(self.kind, what)
        header = tuple(self.header)
        if not header:
            raise DocumentError(f"{what}: a table needs at least one column")
        for j, label in enumerate(header, start=1):
            _check_text(label, f"{what}: header label {j}")
        rows = _tuple_rows(self.rows, what)
        if not rows:
            raise DocumentError(
                f"{what}: a table needs at least one row; say in a paragraph that there is "
                "nothing to show instead of printing an empty table"
            )
        short = [i for i, r in enumerate(rows, start=1) if len(r) != len(header)]
        if short:
            raise DocumentError(f"{what}: row(s) {short} do not have {len(header)} cells")
        align = tuple(self.align) or ("left",) + ("right",) * (len(header) - 1)
        if len(align) != len(header) or any(a not in ALIGNMENTS for a in align):
            raise DocumentError(f"{what}: align needs one of {ALIGNMENTS} per column, got {align}")
        if self.suppressed is None:
            mask = tuple(tuple(c == fmt.SUPPRESSED_MARK for c in r) for r in rows)
        else:
            mask = tuple(tuple(bool(c) for c in r) for r in self.suppressed)
            if len(mask) != len(rows) or any(len(m) != len(header) for m in mask):
                raise DocumentError(f"{what}: the suppression mask does not have the table's shape")
            leaks = [
                (i + 1, header[j])
                for i, (m, r) in enumerate(zip(mask, rows))
                for j, (hidden, cell) in enumerate(zip(m, r))
                if hidden and cell != fmt.SUPPRESSED_MARK
            ]
            if leaks:
                raise DocumentError(
                    f"{what}: suppressed cell(s) print a value instead of "
                    f"{fmt.SUPPRESSED_MARK!r}: " + ", ".join(f"row {i} column {c!r}" for i, c in leaks)
                )
        bad_rows = [i for i in self.emphasis_rows if not 0 <= i < len(rows)]
        if bad_rows:
            raise DocumentError(f"{what}: emphasis rows {bad_rows} out of range")
        object.__setattr__(self, "header", header)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "align", align)
        object.__setattr__(self, "suppressed", mask)
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "rule_notes", tuple(self.rule_notes))
        object.__setattr__(self, "emphasis_rows", tuple(sorted(set(self.emphasis_rows))))

    @property
    def n_columns(self) -> int:
        """Number of columns."""
        return len(self.header)

    @property
    def n_suppressed(self) -> int:
        """Number of suppressed cells."""
        return sum(sum(r) for r in self.suppressed or ())

    def widths(self) -> list[int]:
        """Natural width of each column in characters (longest cell or longest header word)."""
        out = []
        for j, label in enumerate(self.header):
            words = max((len(w) for w in label.split()), default=0)
            cells = max((len(r[j]) for r in self.rows), default=0)
            out.append(max(words, cells, 1))
        return out

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        columns: Mapping[str, str | fmt.ColumnFormat],
        headers: Mapping[str, str],
        *,
        language: str,
        caption: str,
        kind: BlockKind,
        source: str = "",
        notes: Sequence[str] = (),
        suppressed: pd.DataFrame | None = None,
        rule_notes: Sequence[str] = (),
        key: str = "",
        emphasis_rows: Sequence[int] = (),
    ) -> TableBlock:
        """Format a DataFrame with :func:`~lvv_eval.reporting.formatting.format_frame` into a block.

        Parameters
        ----------
        frame, columns, language, suppressed
            As for :func:`~lvv_eval.reporting.formatting.format_frame` (display
            column -> kind; ``suppressed`` a boolean mask over ``frame``).
        headers
            Display column -> header label; every display column needs one,
            so no field name reaches the reader.
        caption, kind, source, notes, rule_notes, key, emphasis_rows
            As the attributes of :class:`TableBlock`.
        """
        missing = [c for c in columns if not str(headers.get(c, "")).strip()]
        if missing:
            raise DocumentError(f"table {key or caption!r}: no header label for column(s) {missing}")
        shown = fmt.format_frame(frame, columns, language, suppressed=suppressed, name=key or caption)
        mask = None
        if suppressed is not None:
            mask = tuple(
                tuple(
                    cell == fmt.SUPPRESSED_MARK
                    and any(
                        bool(suppressed.at[index, s])
                        for s in fmt.as_column_format(columns[c]).sources(c)
                        if s in suppressed.columns
                    )
                    for c, cell in zip(shown.columns, row)
                )
                for index, row in zip(shown.index, shown.itertuples(index=False))
            )
        return cls(
            caption=caption,
            header=tuple(str(headers[c]) for c in columns),
            rows=tuple(tuple(r) for r in shown.itertuples(index=False)),
            kind=kind,
            align=tuple(fmt.alignments(columns)),
            source=source,
            notes=tuple(notes),
            suppressed=mask,
            rule_notes=tuple(rule_notes),
            key=key,
            emphasis_rows=tuple(emphasis_rows),
        )


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class FigureBlock:
    """A figure: a PNG or SVG image with a caption.

    Attributes
    ----------
    caption
        The caption without number (the renderer prefixes ``Figuur 3.1``).
    image
        The image bytes (use :meth:`from_file` or :meth:`from_matplotlib`).
    format
        ``"png"`` or ``"svg"``.
    kind
        One of :data:`BLOCK_KINDS`.
    alt
        Text alternative for screen readers; default: the caption.
    source, notes, key
        As for :class:`TableBlock`.
    width
        Share of the text width the figure takes (0 to 1].
    """

    caption: str
    image: bytes
    format: str
    kind: BlockKind
    alt: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()
    key: str = ""
    width: float = 1.0

    def __post_init__(self) -> None:
        what = f"figure {self.key or self.caption!r}"
        _check_text(self.caption, f"{what}: caption")
        _check_kind(self.kind, what)
        if self.format not in IMAGE_FORMATS:
            raise DocumentError(f"{what}: image format {self.format!r}; use png or svg")
        if not isinstance(self.image, (bytes, bytearray)) or not self.image:
            raise DocumentError(f"{what}: image must be non-empty bytes")
        signature_ok = (
            (self.image[:8] == b"\x89PNG\r\n\x1a\n") if self.format == "png" else (b"<svg" in self.image[:4096])
        )
        if not signature_ok:
            raise DocumentError(f"{what}: the bytes are not a {self.format.upper()} image")
        if not 0 < self.width <= 1:
            raise DocumentError(f"{what}: width must be in (0, 1], not {self.width}")
        object.__setattr__(self, "image", bytes(self.image))
        object.__setattr__(self, "notes", tuple(self.notes))
        if not self.alt:
            object.__setattr__(self, "alt", self.caption)

    @classmethod
    def from_file(cls, path: str | Path, *, caption: str, kind: BlockKind, **options: object) -> FigureBlock:
        """Read a ``.png`` or ``.svg`` file into a figure block."""
        path = Path(path)
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in IMAGE_FORMATS:
            raise DocumentError(f"{path}: figure files must be .png or .svg")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentError(f"{path}: cannot read the figure ({exc.strerror})") from None
        return cls(caption=caption, image=data, format=suffix, kind=kind, **options)  # type: ignore[arg-type]

    @classmethod
    def from_matplotlib(
        cls, figure: Figure, *, caption: str, kind: BlockKind, format: str = "svg", dpi: int = 150, **options: object
    ) -> FigureBlock:
        """Save a matplotlib figure (without date or software stamp) into a figure block."""
        buffer = io.BytesIO()
        if format not in IMAGE_FORMATS:
            raise DocumentError(f"figure {caption!r}: image format {format!r}; use png or svg")
        metadata: dict[str, object] = {"Creator": None, "Date": None} if format == "svg" else {"Software": None}
        import matplotlib

        with matplotlib.rc_context({"svg.hashsalt": "lvv-eval"}):
            figure.savefig(buffer, format=format, dpi=dpi, metadata=metadata, bbox_inches="tight")
        return cls(caption=caption, image=buffer.getvalue(), format=format, kind=kind, **options)  # type: ignore[arg-type]


Block = Paragraph | BulletList | Note | TableBlock | FigureBlock
"""Anything a section holds."""

_BLOCK_TYPES = (Paragraph, BulletList, Note, TableBlock, FigureBlock)


# --------------------------------------------------------------------------- banner, sections, document


@dataclass(frozen=True)
class Banner:
    """The parameters of the run, printed at the top of every report.

    Attributes
    ----------
    data_source
        Where the person-level data came from (file name or description).
    synthetic
        Whether those data are synthetic.
    peildatum
        The reference date of the report.
    scheme
        The outcome classification used (its label).
    pilots
        The pilots included (their labels, in report order).
    formal_status_rule
        The rule for formal status, in words.
    disclosure_threshold
        Minimum number of persons behind a shown count.
    commit
        The version of the code (git commit).
    extra
        Further (label, value) pairs, printed after the others.
    """

    data_source: str
    synthetic: bool
    peildatum: dt.date | str
    scheme: str
    pilots: tuple[str, ...]
    formal_status_rule: str
    disclosure_threshold: int
    commit: str
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "pilots", tuple(self.pilots))
        object.__setattr__(self, "extra", tuple((str(k), str(v)) for k, v in self.extra))
        if int(self.disclosure_threshold) != self.disclosure_threshold or self.disclosure_threshold < 1:
            raise DocumentError(
                f"disclosure threshold must be a whole number of persons, not {self.disclosure_threshold!r}"
            )

    def rows(self, language: str) -> list[tuple[str, str]]:
        """The banner as (label, formatted value) pairs in ``language``.

        Examples
        --------
        >>> b = Banner("monitor_synthetic.csv", True, "2020-11-01", "WODC", ("Amsterdam", "Utrecht"),
        ...            "formal", 10, "abc1234")
        >>> dict(b.rows("nl"))["Peildatum"], dict(b.rows("en"))["Pilots"]
        ('1 november 2020', 'Amsterdam and Utrecht')
        """
        t = load_texts(language)
        values = [
            (t["data_source"], self.data_source),
            (t["synthetic_data"], t["synthetic_yes"] if self.synthetic else t["synthetic_no"]),
            (t["peildatum"], fmt.format_date(self.peildatum, language)),
            (t["scheme"], self.scheme),
            (t["pilots"], fmt.join_list(self.pilots, language)),
            (t["formal_status_rule"], self.formal_status_rule),
            (
                t["disclosure_threshold"],
                text(
                    language,
                    "disclosure_threshold_value",
                    threshold=fmt.format_count(self.disclosure_threshold, language),
                ),
            ),
            (t["commit"], self.commit or fmt.MISSING_MARK),
        ]
        return values + list(self.extra)


@dataclass(frozen=True)
class Section:
    """A numbered section: a title and its blocks."""

    title: str
    blocks: tuple[Block, ...]
    key: str = ""

    def __post_init__(self) -> None:
        _check_text(self.title, "section title")
        object.__setattr__(self, "blocks", tuple(self.blocks))
        bad = [i for i, b in enumerate(self.blocks, start=1) if not isinstance(b, _BLOCK_TYPES)]
        if bad:
            raise DocumentError(f"section {self.title!r}: block(s) {bad} are not report blocks")


@dataclass(frozen=True)
class NumberedBlock:
    """A block with its place in the document."""

    block: Block
    number: str = ""
    """``"3.1"`` for the first table (or figure) of section 3; empty for text blocks."""
    label: str = ""
    """``"Tabel 3.1"`` / ``"Figure 3.1"``; empty for text blocks."""
    anchor: str = ""
    """Identifier for links: ``tabel-3-1``, ``figuur-3-1`` (nl); ``table-3-1``, ``figure-3-1`` (en)."""


@dataclass(frozen=True)
class NumberedSection:
    """A section with its number and numbered blocks."""

    number: int
    section: Section
    blocks: tuple[NumberedBlock, ...]

    @property
    def anchor(self) -> str:
        """Identifier for links: ``section-3``."""
        return f"section-{self.number}"


@dataclass(frozen=True)
class Document:
    """A whole report.

    Attributes
    ----------
    title, subtitle
        Shown on the title page / at the top.
    language
        ``"nl"`` or ``"en"``: every fixed text of the rendered report follows it.
    banner
        The parameters of the run.
    summary
        The summary blocks ("Samenvatting" / "Summary"), shown before the sections.
    sections
        The numbered sections.
    """

    title: str
    language: str
    banner: Banner
    summary: tuple[Block, ...]
    sections: tuple[Section, ...]
    subtitle: str = ""
    _numbered: tuple[NumberedSection, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_text(self.title, "document title")
        fmt.check_language(self.language)
        object.__setattr__(self, "summary", tuple(self.summary))
        object.__setattr__(self, "sections", tuple(self.sections))
        if not self.summary:
            raise DocumentError("a report needs a summary")
        bad = [i for i, b in enumerate(self.summary, start=1) if not isinstance(b, _BLOCK_TYPES)]
        bad += [i for i, s in enumerate(self.sections, start=1) if not isinstance(s, Section)]
        if bad:
            raise DocumentError(f"summary block(s) or section(s) {bad} are not report blocks or sections")
        object.__setattr__(self, "_numbered", self._number())

    def _number(self) -> tuple[NumberedSection, ...]:
        t = load_texts(self.language)
        out = []
        for s_no, section in enumerate(self.sections, start=1):
            counters = {"table": 0, "figure": 0}
            blocks = []
            for block in section.blocks:
                what = "table" if isinstance(block, TableBlock) else "figure" if isinstance(block, FigureBlock) else ""
                if not what:
                    blocks.append(NumberedBlock(block))
                    continue
                counters[what] += 1
                number = f"{s_no}.{counters[what]}"
                word = t[what]
                blocks.append(
                    NumberedBlock(block, number, f"{word} {number}", f"{word.lower()}-{number.replace('.', '-')}")
                )
            out.append(NumberedSection(s_no, section, tuple(blocks)))
        return tuple(out)

    def numbered(self) -> tuple[NumberedSection, ...]:
        """The sections with their numbers and their tables and figures numbered per section."""
        return self._numbered

    def tables(self) -> list[NumberedBlock]:
        """Every table of the sections, numbered, in order."""
        return [b for s in self._numbered for b in s.blocks if isinstance(b.block, TableBlock)]

    def figures(self) -> list[NumberedBlock]:
        """Every figure of the sections, numbered, in order (summary figures are not numbered)."""
        return [b for s in self._numbered for b in s.blocks if isinstance(b.block, FigureBlock)]

    def summary_figures(self) -> list[FigureBlock]:
        """Figures placed in the summary (shown unnumbered)."""
        return [b for b in self.summary if isinstance(b, FigureBlock)]

    def texts(self) -> Mapping[str, str]:
        """The fixed texts of the report language."""
        return load_texts(self.language)

    def signs(self) -> list[tuple[str, str]]:
        """The key to signs, explained once per report."""
        return fmt.sign_explanations(self.language, threshold=self.banner.disclosure_threshold)

    def kind_label(self, kind: str) -> str:
        """The label of a block kind in the report language (``gepubliceerd cijfer``...)."""
        return self.texts()[f"kind_{_check_kind(kind, 'block')}"]
