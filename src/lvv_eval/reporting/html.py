"""Render a :class:`~lvv_eval.reporting.document.Document` to one self-contained HTML file.

The page needs nothing from the network: the style sheet is inline, figures
are embedded as ``data:`` URIs (PNG, or SVG so they stay sharp), and the fonts
are the reader's system fonts. Layout:

* title, subtitle, a warning when the data are synthetic, the parameter
  banner and the key to signs (explained once per report);
* a contents list linking the summary, each section and each numbered table
  and figure;
* the summary, then the numbered sections.

Tables fit the column or scroll sideways inside their own box (the page never
does); the first column stays readable on a phone (390 px) and the text column
is limited to a readable measure at 1400 px. Printing gives A4 pages; a wide
table gets a landscape A4 page of its own (CSS named pages), its header repeats
on every page and it is never cut: cells wrap instead.

Same document gives byte-identical HTML.
"""

from __future__ import annotations

import base64
import html as _html
from pathlib import Path

from lvv_eval.reporting.document import (
    Block,
    BulletList,
    Document,
    FigureBlock,
    Note,
    NumberedBlock,
    Paragraph,
    TableBlock,
)
from lvv_eval.reporting.formatting import SUPPRESSED_MARK

WIDE_COLUMNS: int = 8
"""A table with at least this many columns prints on a landscape page."""

WIDE_CHARACTERS: int = 90
"""A table whose columns are together at least this many characters wide prints on a landscape page."""

_MIME = {"png": "image/png", "svg": "image/svg+xml"}

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --soft: #f3f3f0; --accent: #0b4f8a;
  --warn-bg: #fff4d6; --warn-rule: #d9a400; --measure: 46rem; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5; font-size: 1rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans",
  Arial, sans-serif; }
.page { max-width: 80rem; margin: 0 auto; padding: 2rem 2.5rem 4rem; }
p, li, dd, dt, figcaption, .note { overflow-wrap: break-word; hyphens: auto; }
header.title h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .4rem; }
header.title .subtitle { font-size: 1.2rem; color: var(--muted); margin: 0 0 1.2rem; }
h2 { font-size: 1.45rem; margin: 2.4rem 0 .8rem; padding-top: .4rem; border-top: 2px solid var(--ink); }
h2 .num { display: inline-block; min-width: 1.6em; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
main p, main ul, .note { max-width: var(--measure); }
a { color: var(--accent); }
.warning { background: var(--warn-bg); border-left: 4px solid var(--warn-rule); padding: .6rem .9rem;
  margin: 0 0 1rem; max-width: var(--measure); }
.banner { background: var(--soft); padding: .9rem 1.1rem; margin: 0 0 1.2rem; }
.banner h2, nav.toc h2 { border: 0; margin: 0 0 .5rem; padding: 0; font-size: 1.1rem; }
.banner dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; margin: 0; }
.banner dt { font-weight: 600; }
.banner dd { margin: 0; }
.signs { margin-top: .8rem; font-size: .92rem; }
.signs h3 { margin: 0 0 .2rem; font-size: .95rem; }
.signs dl { grid-template-columns: 2em 1fr; }
.signs dt { text-align: center; }
nav.toc { margin: 0 0 1rem; }
nav.toc ol { list-style: none; margin: .2rem 0; padding-left: 0; }
nav.toc ol ol { padding-left: 1.8rem; font-size: .92rem; }
nav.toc .num { display: inline-block; min-width: 1.8rem; }
.note { border-left: 4px solid var(--accent); background: #eef4fa; padding: .6rem .9rem; margin: 1rem 0; }
.note strong { display: block; }
figure { margin: 1.6rem 0; }
figcaption { font-size: .95rem; margin: 0 0 .4rem; }
figcaption .label { font-weight: 700; margin-right: .4em; }
figure.figure figcaption { margin: .4rem 0 0; }
figure.figure img { display: block; width: 100%; max-width: var(--measure); height: auto; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%;
  background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)),
    linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) 100% 0,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.18), rgba(0,0,0,0)),
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.18), rgba(0,0,0,0)) 100% 0;
  background-repeat: no-repeat; background-size: 40px 100%, 40px 100%, 14px 100%, 14px 100%;
  background-attachment: local, local, scroll, scroll; }
.scroll:focus { outline: 2px solid var(--accent); }
table { border-collapse: collapse; font-size: .92rem; font-variant-numeric: tabular-nums; }
thead th { border-top: 1px solid var(--ink); border-bottom: 1px solid var(--ink); vertical-align: bottom;
  font-weight: 600; }
th, td { padding: .3rem .6rem; text-align: left; vertical-align: top; }
th.r, td.r { text-align: right; }
th.c, td.c { text-align: center; }
td { white-space: nowrap; }
tbody th { font-weight: normal; min-width: 7rem; }
tbody tr:nth-child(even) { background: rgba(0,0,0,.035); }
figure.table.wide table { font-size: .86rem; }
tbody tr:last-child th, tbody tr:last-child td { border-bottom: 1px solid var(--ink); }
tr.em th, tr.em td { font-weight: 700; border-top: 1px solid var(--rule); }
td.sup { color: var(--muted); }
.under { font-size: .85rem; color: var(--muted); margin: .35rem 0 0; max-width: var(--measure); }
.under p { margin: .1rem 0; }
.kind { display: inline-block; border: 1px solid var(--rule); border-radius: 3px; padding: 0 .35em;
  margin-right: .4em; font-size: .8rem; }
@media (max-width: 40rem) {
  .page { padding: 1rem .9rem 3rem; }
  header.title h1 { font-size: 1.5rem; }
  header.title .subtitle { font-size: 1.05rem; }
  h2 { font-size: 1.25rem; }
  .banner dl { grid-template-columns: 1fr; gap: 0; }
  .banner dd { margin-bottom: .35rem; }
  .signs dl { grid-template-columns: 2em 1fr; }
  table { font-size: .85rem; }
  th, td { padding: .25rem .4rem; }
  tbody th { min-width: 5.5rem; }
}
@page { size: A4; margin: 18mm 16mm 20mm; }
@page wide { size: A4 landscape; margin: 14mm 14mm 16mm; }
@media print {
  body { font-size: 10pt; }
  .page { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h2.section { break-before: page; }
  figcaption { break-after: avoid; }
  figure.figure { break-inside: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; width: 100%; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  figure.table.wide td { white-space: normal; }
  #summary h2 { break-before: page; }
  .scroll { background: none; }
  figure.table.wide { page: wide; }
  figure.table.wide table { font-size: 7.5pt; }
  tbody tr:nth-child(even) { background: none; }
}
""".strip()


def _e(text: str) -> str:
    return _html.escape(text, quote=True)


def is_wide(table: TableBlock) -> bool:
    """True when ``table`` needs a landscape page in print (:data:`WIDE_COLUMNS`, :data:`WIDE_CHARACTERS`)."""
    return table.n_columns >= WIDE_COLUMNS or sum(table.widths()) + 2 * table.n_columns >= WIDE_CHARACTERS


def _align_class(align: str) -> str:
    return {"right": "r", "center": "c"}.get(align, "")


def _attr_class(*names: str) -> str:
    names = tuple(n for n in names if n)
    return f' class="{" ".join(names)}"' if names else ""


def _under(doc: Document, kind: str, source: str, notes: tuple[str, ...], rule_notes: tuple[str, ...] = ()) -> str:
    t = doc.texts()
    parts = [f'<span class="kind">{_e(doc.kind_label(kind))}</span>']
    if source:
        parts.append(f"{_e(t['source'])}: {_e(source)}")
    lines = [f"<p>{' '.join(parts)}</p>"]
    lines += [f"<p>{_e(n)}</p>" for n in notes]
    lines += [f"<p>{_e(t['rules'])}: {_e(n)}</p>" for n in rule_notes]
    return f'<div class="under">{"".join(lines)}</div>'


def render_table(doc: Document, nb: NumberedBlock) -> str:
    """One table as a ``<figure class="table">`` (caption on top, source and notes below)."""
    table = nb.block
    assert isinstance(table, TableBlock)
    label = nb.label
    sign = _e(doc.signs()[0][1])
    head = "".join(
        f'<th scope="col"{_attr_class(_align_class(a))}>{_e(h)}</th>' for h, a in zip(table.header, table.align)
    )
    body = []
    for i, (row, mask) in enumerate(zip(table.rows, table.suppressed or ())):
        cells = []
        for j, (cell, align, hidden) in enumerate(zip(row, table.align, mask)):
            classes = _attr_class(_align_class(align), "sup" if hidden else "")
            title = f' title="{sign}"' if hidden else ""
            content = _e(SUPPRESSED_MARK if hidden else cell)
            tag = "th" if j == 0 else "td"
            scope = ' scope="row"' if j == 0 else ""
            cells.append(f"<{tag}{scope}{classes}{title}>{content}</{tag}>")
        cls = _attr_class("em" if i in table.emphasis_rows else "")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    anchor = f' id="{nb.anchor}"' if nb.anchor else ""
    label_html = f'<span class="label">{_e(label)}</span>' if label else ""
    region = _e(label or table.caption)
    kind = f' data-kind="{_e(table.kind)}"'  # read by the output scan (published and derived are exempt)
    return (
        f'<figure class="table{" wide" if is_wide(table) else ""}"{anchor}{kind}>'
        f"<figcaption>{label_html}{_e(table.caption)}</figcaption>"
        f'<div class="scroll" tabindex="0" role="region" aria-label="{region}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        f"{_under(doc, table.kind, table.source, table.notes, table.rule_notes)}</figure>"
    )


def data_uri(figure: FigureBlock) -> str:
    """The figure's image as a ``data:`` URI (base64)."""
    return f"data:{_MIME[figure.format]};base64,{base64.b64encode(figure.image).decode('ascii')}"


def render_figure(doc: Document, nb: NumberedBlock) -> str:
    """One figure as a ``<figure class="figure">`` with the image embedded."""
    figure = nb.block
    assert isinstance(figure, FigureBlock)
    anchor = f' id="{nb.anchor}"' if nb.anchor else ""
    label_html = f'<span class="label">{_e(nb.label)}</span>' if nb.label else ""
    style = f' style="width:{figure.width * 100:.0f}%"' if figure.width < 1 else ""
    return (
        f'<figure class="figure"{anchor}><img src="{data_uri(figure)}" alt="{_e(figure.alt)}"{style}>'
        f"<figcaption>{label_html}{_e(figure.caption)}</figcaption>"
        f"{_under(doc, figure.kind, figure.source, figure.notes)}</figure>"
    )


def render_block(doc: Document, nb: NumberedBlock) -> str:
    """Any block as HTML."""
    block: Block = nb.block
    if isinstance(block, Paragraph):
        return f"<p>{_e(block.text)}</p>"
    if isinstance(block, BulletList):
        title = f"<h3>{_e(block.title)}</h3>" if block.title else ""
        return title + "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Note):
        title = f"<strong>{_e(block.title)}</strong>" if block.title else ""
        return f'<aside class="note">{title}{_e(block.text)}</aside>'
    if isinstance(block, TableBlock):
        return render_table(doc, nb)
    if isinstance(block, FigureBlock):
        return render_figure(doc, nb)
    raise TypeError(f"not a report block: {block!r}")  # pragma: no cover - Section checks the types


def _banner(doc: Document) -> str:
    t = doc.texts()
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in doc.banner.rows(doc.language))
    signs = "".join(f"<dt>{_e(mark)}</dt><dd>{_e(text)}</dd>" for mark, text in doc.signs())
    return (
        f'<section class="banner" aria-labelledby="banner-heading">'
        f'<h2 id="banner-heading">{_e(t["banner_heading"])}</h2><dl>{rows}</dl>'
        f'<div class="signs"><h3>{_e(t["signs_heading"])}</h3><dl>{signs}</dl></div></section>'
    )


CONTENTS_TITLE_CHARS: int = 110
"""Longest entry of the contents list; a longer caption is shortened there (the caption itself is whole)."""


def short_title(caption: str, limit: int = CONTENTS_TITLE_CHARS) -> str:
    """The head of a caption for the contents list: up to its first ``;``, ``:`` or `` (`` when that leaves
    a title of at least 20 characters, then cut at a word within ``limit`` characters, marked ``…``.

    Examples
    --------
    >>> short_title("Bestendig aandeel per pilot (noemer: uitstroom); 95%-BI Wilson")
    'Bestendig aandeel per pilot'
    >>> short_title("Kort; rest")
    'Kort; rest'
    >>> short_title("woord " * 30, limit=20)
    'woord woord woord…'
    """
    text = " ".join(caption.split())
    cuts = [i for i in (text.find("; "), text.find(": "), text.find(" (")) if i >= 20]
    if cuts:
        text = text[: min(cuts)]
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def _contents(doc: Document) -> str:
    t = doc.texts()
    items = [f'<li><span class="num"></span><a href="#summary">{_e(t["summary"])}</a></li>']
    for ns in doc.numbered():
        subs = "".join(
            f'<li><a href="#{b.anchor}">{_e(b.label)}</a> {_e(short_title(b.block.caption))}</li>'  # type: ignore[union-attr]
            for b in ns.blocks
            if b.anchor
        )
        sub = f"<ol>{subs}</ol>" if subs else ""
        items.append(
            f'<li><span class="num">{ns.number}</span><a href="#{ns.anchor}">{_e(ns.section.title)}</a>{sub}</li>'
        )
    return (
        f'<nav class="toc" aria-labelledby="toc-heading"><h2 id="toc-heading">{_e(t["contents"])}</h2>'
        f"<ol>{''.join(items)}</ol></nav>"
    )


def render_html(doc: Document) -> str:
    """The whole report as one HTML page (a string)."""
    t = doc.texts()
    summary = "".join(render_block(doc, NumberedBlock(b)) for b in doc.summary)
    sections = []
    for ns in doc.numbered():
        blocks = "".join(render_block(doc, nb) for nb in ns.blocks)
        sections.append(
            f'<section id="{ns.anchor}"><h2 class="section"><span class="num">{ns.number}</span>'
            f"{_e(ns.section.title)}</h2>{blocks}</section>"
        )
    subtitle = f'<p class="subtitle">{_e(doc.subtitle)}</p>' if doc.subtitle else ""
    warning = f'<p class="warning">{_e(t["synthetic_warning"])}</p>' if doc.banner.synthetic else ""
    title = doc.title + (f" – {doc.subtitle}" if doc.subtitle else "")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{doc.language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
        f'<div class="page">\n<header class="title"><h1>{_e(doc.title)}</h1>{subtitle}{warning}'
        f"{_banner(doc)}</header>\n{_contents(doc)}\n<main>\n"
        f'<section id="summary"><h2>{_e(t["summary"])}</h2>{summary}</section>\n'
        + "\n".join(sections)
        + "\n</main>\n</div>\n</body>\n</html>\n"
    )


def write_html(doc: Document, path: str | Path) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8, ``\\n`` line ends) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(doc), encoding="utf-8", newline="\n")
    return path
