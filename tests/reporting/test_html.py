"""The self-contained HTML rendering of a report document."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from lvv_eval.reporting.document import (
    Banner,
    Document,
    FigureBlock,
    Note,
    Paragraph,
    Section,
    TableBlock,
)
from lvv_eval.reporting.formatting import SUPPRESSED_MARK
from lvv_eval.reporting.html import is_wide, render_html, write_html

NBSP = "\u00a0"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collect:
    parser = _Collect()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_figure_is_embedded(make_document: Callable[[str], Document], language: str) -> None:
    doc = make_document(language)
    page = render_html(doc)
    images = [attrs for tag, attrs in _parse(page).tags if tag == "img"]
    assert len(images) + page.count("<svg") == len(doc.figures()) + len(doc.summary_figures()) == 2
    for attrs, numbered in zip(images, doc.figures()):
        src = attrs["src"] or ""
        head, _, payload = src.partition(",")
        assert head == f"data:image/{'svg+xml' if numbered.block.format == 'svg' else 'png'};base64"  # type: ignore[union-attr]
        assert base64.b64decode(payload) == numbered.block.image  # type: ignore[union-attr]
        assert attrs["alt"]


def test_no_network_assets(make_document: Callable[[str], Document]) -> None:
    page = render_html(make_document("nl"))
    assert not re.search(r"https?://", page)
    for tag, attrs in _parse(page).tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert value.startswith(("#", "data:")) or not value, (tag, name, value)
    assert "<link" not in page and "<script" not in page
    assert "@import" not in page and "url(" not in page


@pytest.mark.parametrize("language", ["nl", "en"])
def test_lang_attribute_and_fixed_texts(make_document: Callable[[str], Document], language: str) -> None:
    page = render_html(make_document(language))
    assert f'<html lang="{language}">' in page
    words = (
        ["Samenvatting", "Inhoud", "Verklaring van tekens", "Peildatum"]
        if language == "nl"
        else ["Summary", "Contents", "Key to signs", "Reference date"]
    )
    for word in words:
        assert word in page


def test_summary_comes_before_the_sections_and_banner_before_the_summary(
    make_document: Callable[[str], Document],
) -> None:
    page = render_html(make_document("nl"))
    order = [
        page.index('class="banner"'),
        page.index('id="toc-heading"'),
        page.index('id="summary"'),
        page.index('id="section-1"'),
        page.index('id="section-2"'),
    ]
    assert order == sorted(order)


def test_numbered_captions_and_contents_links(make_document: Callable[[str], Document]) -> None:
    doc = make_document("nl")
    page = render_html(doc)
    for numbered in doc.tables() + doc.figures():
        assert f'id="{numbered.anchor}"' in page
        assert f'href="#{numbered.anchor}"' in page
        assert f'<span class="label">{numbered.label}</span>' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_formatted_values_and_one_suppression_mark(make_document: Callable[[str], Document]) -> None:
    page = render_html(make_document("nl"))
    assert f"14,8{NBSP}%" in page and "1.258" in page and f"(16–20{NBSP}%)" in page
    assert "1 november 2020" in page
    cells = re.findall(r'<td class="r sup" title="([^"]+)">([^<]*)</td>', page)
    assert cells and {mark for _, mark in cells} == {SUPPRESSED_MARK}
    assert "minder dan 10 personen" in cells[0][0]
    # the key to signs is explained once
    assert page.count("Verklaring van tekens") == 1
    visible = " ".join(_parse(page).text)
    for raw in ("ci_low", "ci_high", "360.0", "nan", "NaN", "<NA>", "None", "True", "False"):
        assert not re.search(rf"(?<![\w.]){re.escape(raw)}(?![\w.])", visible), raw


def test_text_is_escaped() -> None:
    banner = Banner("<b>x</b>.csv", True, "2020-11-01", "WODC & co", ("A",), "r", 10, "c")
    doc = Document(
        title="<script>alert(1)</script>",
        language="en",
        banner=banner,
        summary=(Paragraph('a < b & "c"'),),
        sections=(
            Section(
                "S", (Note("<i>n</i>"), TableBlock(caption="<cap>", header=("<h>",), rows=(("<td>",),), kind="derived"))
            ),
        ),
    )
    page = render_html(doc)
    assert "<script>" not in page and "<b>x" not in page and "<cap>" not in page and "<td>&" not in page
    assert "&lt;script&gt;" in page and "a &lt; b &amp; &quot;c&quot;" in page


def test_wide_tables_get_a_landscape_print_page(make_document: Callable[[str], Document]) -> None:
    doc = make_document("nl")
    wide = [t.block for t in doc.tables() if is_wide(t.block)]  # type: ignore[arg-type]
    assert [t.n_columns for t in wide] == [12]  # type: ignore[union-attr]
    page = render_html(doc)
    assert '<figure class="table wide"' in page
    assert "@page wide { size: A4 landscape;" in page and "figure.table.wide { page: wide; }" in page
    assert "@page { size: A4;" in page
    assert "@media (max-width:" in page and 'name="viewport"' in page
    assert 'class="scroll"' in page  # tables scroll sideways in their own box


def test_same_document_gives_the_same_bytes(build_document: Callable[[str], Document], tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = write_html(build_document("nl"), tmp_path / "a.html").read_bytes()
    second = write_html(build_document("nl"), tmp_path / "b.html").read_bytes()
    assert first == second
    assert b"\r\n" not in first


def test_synthetic_warning_only_for_synthetic_data() -> None:
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    for synthetic in (True, False):
        banner = Banner("m.csv", synthetic, "2020-11-01", "WODC", ("A",), "r", 10, "c")
        doc = Document(
            title="T",
            language="nl",
            banner=banner,
            summary=(Paragraph("s"),),
            sections=(Section("S", (FigureBlock(caption="f", image=png, format="png", kind="derived"),)),),
        )
        assert ('class="warning"' in render_html(doc)) is synthetic


def test_a_table_in_the_summary_is_shown_unnumbered(make_document: Callable[[str], Document]) -> None:
    from lvv_eval.reporting.typst_pdf import render_pdf

    base = make_document("nl")
    headline = TableBlock(
        caption="Kerncijfers", header=("Maat", "Waarde"), rows=(("Bestendig", "17,7 %"),), kind="synthetic"
    )
    doc = Document(
        title=base.title, language="nl", banner=base.banner, summary=(*base.summary, headline), sections=base.sections
    )
    assert [t.label for t in doc.tables()] == ["Tabel 1.1", "Tabel 2.1"]  # summary tables do not shift numbers
    page = render_html(doc)
    assert "<figcaption>Kerncijfers</figcaption>" in page
    assert page.index("Kerncijfers") < page.index('id="section-1"')
    assert render_pdf(doc)[:5] == b"%PDF-"


def test_contents_list_short_titles_and_the_caption_stays_whole() -> None:
    caption = (
        "Aandeel per uitkomstklasse van de uitstroom per pilot (noemer: uitstroom tot de peildatum); "
        "95%-BI Wilson; onderdrukt waar het aantal onder de drempel ligt"
    )
    banner = Banner("m.csv", False, "2020-11-01", "WODC", ("A",), "r", 10, "c")
    table = TableBlock(caption=caption, header=("Pilot",), rows=(("Utrecht",),), kind="derived")
    doc = Document(
        title="T", language="nl", banner=banner, summary=(Paragraph("s"),), sections=(Section("S", (table,)),)
    )
    page = render_html(doc)
    toc = page.split('<nav class="toc"')[1].split("</nav>")[0]
    assert "Aandeel per uitkomstklasse van de uitstroom per pilot</li>" in toc and "Wilson" not in toc
    assert caption in page.split("</nav>")[1]
