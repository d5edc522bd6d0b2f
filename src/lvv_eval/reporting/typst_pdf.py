"""Render a :class:`~lvv_eval.reporting.document.Document` to an A4 PDF with Typst.

The ``typst`` package on PyPI ships the Typst compiler, so no TeX, browser or
network is involved. :func:`typst_source` writes the Typst markup and
:func:`render_pdf` compiles it in a temporary folder that holds the figures.

The PDF has the same content as the HTML (:mod:`lvv_eval.reporting.html`):

* a title page with the subtitle, a warning when the data are synthetic, the
  parameter banner and the key to signs;
* the contents (Typst's outline, also the PDF bookmarks);
* the summary, then each numbered section on a new page;
* tables and figures numbered as :meth:`Document.numbered` numbers them
  (``Tabel 3.1``), table captions above, figure captions below, kind, source
  and notes under each.

Tables are never cut: a table whose natural width (estimated from its longest
cells, :func:`table_layout`) does not fit the portrait text width is set on a
landscape A4 page in a smaller size (consecutive landscape tables share their pages, and a
section that opens with one has its heading there too); a table still too wide wraps
its cells (Typst shrinks ``auto`` columns to the page and breaks text inside
them). A long table continues on the next page with its header repeated.

All text goes into the Typst source as string literals (:func:`typst_string`),
so no character of a caption or cell is read as markup. Only the fonts embedded
in the compiler are used (Libertinus Serif; it has ë, é, –, × and the other
characters of Dutch text), so the PDF is the same on every machine; the
document date is left out, so same document gives the same bytes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import typst

from lvv_eval.reporting.document import (
    Block,
    BulletList,
    Document,
    DocumentError,
    FigureBlock,
    Note,
    NumberedBlock,
    Paragraph,
    TableBlock,
)
from lvv_eval.reporting.formatting import SUPPRESSED_MARK

FONT: str = "Libertinus Serif"
"""Body font (embedded in the Typst compiler)."""

PORTRAIT_WIDTH_PT: float = 595.28 - 2 * 70.87
"""Text width of a portrait page (A4, 25 mm margins), in points."""

LANDSCAPE_WIDTH_PT: float = 841.89 - 2 * 42.52
"""Text width of a landscape page (A4, 15 mm margins), in points."""

CHAR_WIDTH_EM: float = 0.52
"""Estimated average width of a table character, in em (digits of Libertinus Serif are 0.5 em)."""

CELL_INSET_PT: float = 4.0
"""Horizontal padding on each side of a table cell, in points."""

TABLE_SIZES_PT: tuple[float, ...] = (9.0, 8.0, 7.0)
"""Table font sizes, tried in order: portrait at the first, then landscape at each in turn."""


def _ranges(*spans: tuple[int, int]) -> frozenset[str]:
    return frozenset(chr(c) for start, end in spans for c in range(start, end + 1))


SUPPORTED_CHARACTERS: frozenset[str] = _ranges(
    (0x20, 0x7E),  # Basic Latin
    (0xA0, 0xFF),  # Latin-1 Supplement (ë, é, ö, ×, no-break space ...)
    (0x100, 0x17F),  # Latin Extended-A
    (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
    (0x2030, 0x203A),  # per mille, primes, angle quotes
) | frozenset("\n\t€−←→≈≠≤≥∞№")
"""Characters the PDF can show: all are in Libertinus Serif (checked by the tests).

Typst silently leaves out a character no embedded font has, so
:func:`render_pdf` refuses any other character instead of dropping it.
"""


@dataclass(frozen=True)
class TableLayout:
    """How a table is set: on a portrait or a landscape page, at which size, in which column parts.

    ``parts`` lists the column indices of each printed part; a table too wide
    even for a landscape page at the smallest size is split into parts that
    each repeat the first (label) column, so no column is ever cut off.
    """

    landscape: bool
    size_pt: float
    natural_width_pt: float
    parts: tuple[tuple[int, ...], ...]


def _column_width(chars: int, size: float) -> float:
    return chars * CHAR_WIDTH_EM * size + 2 * CELL_INSET_PT


def _split(chars: list[int], size: float, available: float) -> tuple[tuple[int, ...], ...]:
    """Greedy column parts that fit ``available`` points, each starting with column 0."""
    if len(chars) == 1:
        return ((0,),)
    stub = _column_width(chars[0], size)
    parts: list[tuple[int, ...]] = []
    current: list[int] = [0]
    used = stub
    for j in range(1, len(chars)):
        width = _column_width(chars[j], size)
        if len(current) > 1 and used + width > available:
            parts.append(tuple(current))
            current, used = [0], stub
        current.append(j)
        used += width
    parts.append(tuple(current))
    return tuple(parts)


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal, so nothing in it is read as markup.

    Examples
    --------
    >>> print(typst_string('a "b" #c [d] \\\\ *e*'))
    "a \\"b\\" #c [d] \\\\ *e*"
    """
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'


_s = typst_string


def table_layout(table: TableBlock) -> TableLayout:
    """Choose portrait or landscape, the font size and the column parts from the table's natural width.

    The natural width is the sum over columns of the longest cell (or the
    longest word of the header, which may wrap) at :data:`CHAR_WIDTH_EM`, plus
    the cell padding. Portrait at the first of :data:`TABLE_SIZES_PT` when it
    fits, else landscape at the largest size that fits, else landscape at the
    smallest size split into column parts.
    """
    chars = table.widths()
    everything = (tuple(range(len(chars))),)

    def width(size: float) -> float:
        return sum(_column_width(c, size) for c in chars)

    portrait = TABLE_SIZES_PT[0]
    if width(portrait) <= PORTRAIT_WIDTH_PT:
        return TableLayout(False, portrait, width(portrait), everything)
    for size in TABLE_SIZES_PT:
        if width(size) <= LANDSCAPE_WIDTH_PT:
            return TableLayout(True, size, width(size), everything)
    small = TABLE_SIZES_PT[-1]
    return TableLayout(True, small, width(small), _split(chars, small, LANDSCAPE_WIDTH_PT))


def _under(doc: Document, kind: str, source: str, notes: tuple[str, ...], rule_notes: tuple[str, ...] = ()) -> str:
    t = doc.texts()
    first = _s(doc.kind_label(kind)) + (f" + [ · ] + {_s(t['source'] + ': ' + source)}" if source else "")
    lines = [first] + [_s(n) for n in notes] + [_s(f"{t['rules']}: {n}") for n in rule_notes]
    body = " + linebreak() + ".join(f"[#({line})]" for line in lines)
    return f"#under({body})\n"


def _table_part(table: TableBlock, columns: tuple[int, ...], size: float) -> str:
    aligns = ", ".join(table.align[j] for j in columns) + ("," if len(columns) == 1 else "")
    header = ", ".join(f"hcell({_s(table.header[j])})" for j in columns)
    rows = []
    for i, (row, mask) in enumerate(zip(table.rows, table.suppressed or ())):
        strong = i in table.emphasis_rows
        if strong:
            rows.append("table.hline(stroke: 0.4pt),")
        cells = ", ".join("sup()" if mask[j] else (f"strong({_s(row[j])})" if strong else _s(row[j])) for j in columns)
        rows.append(cells + ",")
    return (
        f"  block(width: 100%)[#set text(size: {size}pt)\n"
        f"    #table(columns: {len(columns)}, align: ({aligns}),\n"
        "      table.hline(stroke: 0.8pt),\n"
        f"      table.header({header}),\n"
        "      table.hline(stroke: 0.5pt),\n"
        + "".join(f"      {r}\n" for r in rows)
        + "      table.hline(stroke: 0.8pt),\n"
        "    )\n"
    )


def _table(doc: Document, nb: NumberedBlock, *, in_summary: bool = False) -> tuple[str, bool]:
    """The Typst markup of a table and whether it needs a landscape page.

    In the summary a table never turns the page: a table too wide for portrait
    is set at the smallest size in column parts that each fit the portrait
    width and repeat the first column (the summary's few headline rows).
    """
    table = nb.block
    assert isinstance(table, TableBlock)
    layout = table_layout(table)
    if in_summary and layout.landscape:
        small = TABLE_SIZES_PT[-1]
        parts = _split(table.widths(), small, PORTRAIT_WIDTH_PT)
        layout = TableLayout(False, small, layout.natural_width_pt, parts)
    label = f"strong({_s(nb.label)}) + h(0.5em) + " if nb.label else ""
    figures = []
    n_parts = len(layout.parts)
    for k, columns in enumerate(layout.parts, start=1):
        caption = table.caption
        if n_parts > 1:
            caption += " " + doc.texts()["table_part"].format(part=k, parts=n_parts)
        under = _under(doc, table.kind, table.source, table.notes, table.rule_notes) if k == n_parts else ""
        figures.append(
            "#figure(\n"
            "  kind: table, numbering: none, supplement: none,\n"
            f"  caption: figure.caption(position: top, [#({label}{_s(caption)})]),\n"
            + _table_part(table, columns, layout.size_pt)
            + f"    {under}"
            "  ],\n)\n"
        )
    return "".join(figures), layout.landscape


LANDSCAPE_PAGE = "#page(flipped: true, margin: (x: 15mm, y: 18mm))[\n{body}]\n"
"""A landscape A4 page (15 mm side margins) around Typst markup."""


def _figure(doc: Document, nb: NumberedBlock, name: str) -> str:
    figure = nb.block
    assert isinstance(figure, FigureBlock)
    label = f"strong({_s(nb.label)}) + h(0.5em) + " if nb.label else ""
    return (
        "#block(breakable: false, width: 100%)[\n"
        f"  #figure(image({_s(name)}, width: {figure.width * 100:.0f}%, alt: {_s(figure.alt)}),\n"
        f"    kind: image, numbering: none, supplement: none,\n"
        f"    caption: figure.caption(position: bottom, [#({label}{_s(figure.caption)})]))\n"
        f"  {_under(doc, figure.kind, figure.source, figure.notes)}"
        "]\n"
    )


def _block(doc: Document, nb: NumberedBlock, images: dict[str, bytes], *, in_summary: bool = False) -> str:
    """The Typst markup of one block (a landscape table wrapped in its own landscape page)."""
    markup, landscape = _placed_block(doc, nb, images, in_summary=in_summary)
    return LANDSCAPE_PAGE.format(body=markup) if landscape else markup


def _placed_block(
    doc: Document, nb: NumberedBlock, images: dict[str, bytes], *, in_summary: bool = False
) -> tuple[str, bool]:
    """The Typst markup of one block and whether it belongs on a landscape page."""
    block: Block = nb.block
    if isinstance(block, TableBlock):
        return _table(doc, nb, in_summary=in_summary)
    return _portrait_block(doc, nb, images), False


def _portrait_block(doc: Document, nb: NumberedBlock, images: dict[str, bytes]) -> str:
    block: Block = nb.block
    if isinstance(block, Paragraph):
        return f"#par({_s(block.text)})\n\n"
    if isinstance(block, BulletList):
        title = f"#block(above: 1.2em, below: 0.6em, strong({_s(block.title)}))\n" if block.title else ""
        return title + "#list(" + ", ".join(_s(item) for item in block.items) + ")\n"
    if isinstance(block, Note):
        title = f"strong({_s(block.title)}) + linebreak() + " if block.title else ""
        return f"#note([#({title}{_s(block.text)})])\n"
    if isinstance(block, FigureBlock):
        name = f"figure-{len(images) + 1}.{block.format}"
        images[name] = block.image
        return _figure(doc, nb, name)
    raise TypeError(f"not a report block: {block!r}")  # pragma: no cover


PREAMBLE = """
#set document(title: {title}, date: none)
#set page(paper: "a4", margin: (x: 25mm, top: 25mm, bottom: 22mm), numbering: "1")
#set text(font: "{font}", size: 10.5pt, lang: "{lang}", number-type: "lining")
#set par(justify: true, leading: 0.62em, spacing: 1em)
#set list(indent: 0.6em)
#set table(stroke: none, inset: (x: {inset}pt, y: 2.6pt))
#show table: set text(number-width: "tabular", hyphenate: false)
#show table: set par(justify: false)
#show heading: set text(weight: "bold")
#show heading.where(level: 1): it => {{ pagebreak(weak: true); set text(size: 17pt); block(below: 1.1em, it) }}
#show heading.where(level: 2): set text(size: 12pt)
#show figure.where(kind: table): set block(breakable: true)
#show figure.where(kind: table): set align(left)
#show figure.caption: set align(left)
#show figure.caption: set text(size: 9.5pt)
#show outline.entry.where(level: 1): set block(above: 0.9em)
#let hcell(body) = strong(body)
#let sup() = "{mark}"
#let under(body) = block(above: 0.5em, below: 0.9em, text(size: 8.5pt, fill: luma(70), body))
#let note(body) = block(fill: luma(242), inset: 8pt, radius: 2pt, width: 100%, stroke: (left: 2pt + luma(120)), body)
#let kv(pairs) = grid(columns: (auto, 1fr), column-gutter: 1.2em, row-gutter: 0.55em,
  ..pairs.map(p => (strong(p.at(0)), p.at(1))).flatten())
""".strip()


def _title_page(doc: Document) -> str:
    t = doc.texts()
    pairs = ", ".join(f"({_s(k)}, {_s(v)})" for k, v in doc.banner.rows(doc.language))
    signs = ", ".join(f"({_s(m)}, {_s(v)})" for m, v in doc.signs())
    subtitle = f"  #v(0.6em)\n  #text(size: 14pt, {_s(doc.subtitle)})\n" if doc.subtitle else ""
    warning = (
        (
            f'  #v(1.2em)\n  #block(fill: rgb("#fff4d6"), inset: 8pt, width: 100%, '
            f'stroke: (left: 3pt + rgb("#d9a400")), {_s(t["synthetic_warning"])})\n'
        )
        if doc.banner.synthetic
        else ""
    )
    return (
        "#page(numbering: none)[\n"
        "  #v(2.5cm)\n"
        f'  #text(size: 24pt, weight: "bold", {_s(doc.title)})\n' + subtitle + warning + "  #v(1.6cm)\n"
        f'  #text(size: 12pt, weight: "bold", {_s(t["banner_heading"])})\n'
        "  #v(0.4em)\n"
        f"  #kv(({pairs},))\n"
        "  #v(1.2em)\n"
        f'  #text(size: 11pt, weight: "bold", {_s(t["signs_heading"])})\n'
        "  #v(0.4em)\n"
        f"  #kv(({signs},))\n"
        "]\n"
    )


def typst_source(doc: Document) -> tuple[str, dict[str, bytes]]:
    """The Typst markup of ``doc`` and the image files it refers to (file name -> bytes)."""
    t = doc.texts()
    images: dict[str, bytes] = {}
    parts = [
        PREAMBLE.format(title=_s(doc.title), font=FONT, lang=doc.language, inset=CELL_INSET_PT, mark=SUPPRESSED_MARK),
        "\n",
        _title_page(doc),
    ]
    parts.append(f"#outline(title: {_s(t['contents'])}, depth: 1)\n")
    parts.append(f"#heading(level: 1, numbering: none, {_s(t['summary'])})\n")
    parts += [_block(doc, NumberedBlock(b), images, in_summary=True) for b in doc.summary]
    for ns in doc.numbered():
        heading = (
            f"#heading(level: 1, numbering: none, [#({_s(str(ns.number))}) #h(0.6em) #({_s(ns.section.title)})])\n"
        )
        parts += _pages([(heading, None)] + [_placed_block(doc, nb, images) for nb in ns.blocks])
    return "".join(parts), images


def _pages(pieces: list[tuple[str, bool | None]]) -> list[str]:
    """Join a section's pieces, setting each run of consecutive landscape tables on shared landscape pages.

    ``pieces`` are ``(markup, landscape)`` pairs; ``landscape`` ``None`` marks
    the section heading, which goes onto the landscape page when the section
    opens with a landscape table (so no heading stands alone on a page).
    """
    out: list[str] = []
    run: list[str] = []
    held: list[str] = []  # the heading, until it is known where the first block goes
    for markup, landscape in pieces:
        if landscape is None:
            held.append(markup)
            continue
        if landscape:
            run += held + [markup]
        else:
            if run:
                out.append(LANDSCAPE_PAGE.format(body="".join(run)))
                run = []
            out += held + [markup]
        held = []
    if run:
        out.append(LANDSCAPE_PAGE.format(body="".join(run)))
    return out + held


def _document_texts(doc: Document) -> list[str]:
    texts = [doc.title, doc.subtitle, doc.texts()["synthetic_warning"]]
    texts += [v for pair in doc.banner.rows(doc.language) for v in pair]
    texts += [v for pair in doc.signs() for v in pair]
    blocks: list[Block] = list(doc.summary) + [b for s in doc.sections for b in s.blocks]
    texts += [s.title for s in doc.sections]
    for block in blocks:
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif isinstance(block, BulletList):
            texts += list(block.items)
        elif isinstance(block, Note):
            texts += [block.title, block.text]
        elif isinstance(block, TableBlock):
            texts += [block.caption, block.source, *block.notes, *block.rule_notes, *block.header]
            texts += [cell for row in block.rows for cell in row]
        elif isinstance(block, FigureBlock):
            texts += [block.caption, block.alt, block.source, *block.notes]
    return texts


def unsupported_characters(doc: Document) -> dict[str, str]:
    """Characters of ``doc`` outside :data:`SUPPORTED_CHARACTERS`, each with the first text it occurs in."""
    found: dict[str, str] = {}
    for piece in _document_texts(doc):
        for char in piece:
            if char not in SUPPORTED_CHARACTERS and char not in found:
                found[char] = piece
    return dict(sorted(found.items()))


def render_pdf(doc: Document) -> bytes:
    """Compile ``doc`` to PDF bytes (A4, embedded fonts only).

    Raises
    ------
    lvv_eval.reporting.document.DocumentError
        When the document has a character the embedded fonts cannot show
        (:data:`SUPPORTED_CHARACTERS`; Typst would leave it out silently), or
        when Typst reports an error or a warning.
    """
    unsupported = unsupported_characters(doc)
    if unsupported:
        listed = "; ".join(f"U+{ord(c):04X} {c!r} in {text[:60]!r}" for c, text in unsupported.items())
        raise DocumentError(f"report {doc.title!r}: the PDF fonts cannot show these characters: {listed}")
    source, images = typst_source(doc)
    with tempfile.TemporaryDirectory(prefix="lvv-typst-") as tmp:
        root = Path(tmp)
        (root / "main.typ").write_text(source, encoding="utf-8")
        for name, data in images.items():
            (root / name).write_bytes(data)
        try:
            pdf, warnings = typst.compile_with_warnings(
                str(root / "main.typ"), root=str(root), ignore_system_fonts=True, format="pdf"
            )
        except typst.TypstError as exc:
            raise DocumentError(
                f"Typst could not compile the report {doc.title!r}: {exc.message}\n{exc.diagnostic}"
            ) from None
    if warnings:
        raise DocumentError(
            f"Typst warned while compiling the report {doc.title!r}: " + "; ".join(w.message for w in warnings)
        )
    assert isinstance(pdf, bytes)
    return pdf


def write_pdf(doc: Document, path: str | Path) -> Path:
    """Write :func:`render_pdf` to ``path`` and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_pdf(doc))
    return path
