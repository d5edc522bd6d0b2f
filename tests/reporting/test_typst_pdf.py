"""The A4 PDF rendering of a report document with Typst."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable

import pypdf
import pytest

from lvv_eval.reporting.document import (
    Banner,
    Document,
    DocumentError,
    Paragraph,
    Section,
    TableBlock,
)
from lvv_eval.reporting.typst_pdf import (
    SUPPORTED_CHARACTERS,
    render_pdf,
    table_layout,
    typst_source,
    typst_string,
    unsupported_characters,
)

A4 = (595.28, 841.89)


def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _text(reader: pypdf.PdfReader) -> str:
    """All extracted text, no-break spaces as spaces, whitespace runs as one space."""
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", raw.replace("\u00a0", " "))


def _size(page: pypdf.PageObject) -> tuple[float, float]:
    return round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)


@pytest.fixture(scope="module")
def pdf_nl(make_document: Callable[[str], Document]) -> bytes:
    return render_pdf(make_document("nl"))


@pytest.fixture(scope="module")
def pdf_en(make_document: Callable[[str], Document]) -> bytes:
    return render_pdf(make_document("en"))


def test_pdf_opens_and_every_page_is_a4(pdf_nl: bytes) -> None:
    reader = _reader(pdf_nl)
    sizes = [_size(p) for p in reader.pages]
    assert sizes and all(s in (A4, A4[::-1]) for s in sizes), sizes
    assert sizes[0] == A4  # title page portrait
    assert A4[::-1] in sizes  # the wide table got a landscape page
    assert reader.metadata is not None and reader.metadata.title == "Eindevaluatie pilots LVV"


def test_sections_in_order_with_summary_and_contents(pdf_nl: bytes, pdf_en: bytes) -> None:
    for pdf, words in (
        (
            pdf_nl,
            [
                "Eindevaluatie pilots LVV",
                "Over deze uitvoering",
                "Verklaring van tekens",
                "Inhoud",
                "Samenvatting",
                "1 Uitstroom per pilot",
                "2 Ontwikkeling en capaciteit",
            ],
        ),
        (
            pdf_en,
            [
                "Final evaluation of the LVV pilots",
                "About this run",
                "Key to signs",
                "Contents",
                "Summary",
                "1 Outflow by pilot",
                "2 Trends and capacity",
            ],
        ),
    ):
        text = _text(_reader(pdf))
        positions = [text.find(w) for w in words]
        assert -1 not in positions, [w for w, p in zip(words, positions) if p < 0]
        # the contents list names the sections before the sections themselves begin
        assert text.rfind(words[-1]) > text.find(words[3])


def test_numbered_captions(pdf_nl: bytes, make_document: Callable[[str], Document]) -> None:
    text = _text(_reader(pdf_nl))
    doc = make_document("nl")
    for numbered in doc.tables() + doc.figures():
        assert f"{numbered.label} {numbered.block.caption}" in text  # type: ignore[union-attr]


def test_formatted_numbers_and_dutch_characters(pdf_nl: bytes) -> None:
    text = _text(_reader(pdf_nl))
    for value in (
        "1.258",
        "14,8 %",
        "17,7 %",
        "(16–20 %)",
        "1 november 2020",
        "735b367",
        "geëvalueerd",
        "één",
        "coördinatie",
        "financiën",
        "–",
        "×",
    ):
        assert value in text, value
    assert "360.0" not in text and "0.148" not in text


def test_every_character_is_set_in_the_body_font(pdf_nl: bytes) -> None:
    """No fallback font was needed: Libertinus Serif has ë, é, ö, –, × and the no-break space."""
    fonts = set()
    for page in _reader(pdf_nl).pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts == {"LibertinusSerif-Regular-Identity-H", "LibertinusSerif-Bold-Identity-H"}


def test_supported_characters_are_all_in_the_font() -> None:
    import typst

    chars = sorted(SUPPORTED_CHARACTERS - set(" \n\t\u00a0\u00ad"))
    source = '#set text(font: "Libertinus Serif")\n' + "\n\n".join(f"#{typst_string(c)}" for c in chars)
    shown = "".join(p.extract_text() for p in _reader(typst.compile(source.encode(), ignore_system_fonts=True)).pages)
    assert [c for c in chars if c not in shown] == []


def test_a_character_the_font_lacks_is_refused_not_dropped() -> None:
    banner = Banner("m.csv", False, "2020-11-01", "WODC", ("A",), "r", 10, "c")
    doc = Document(title="T", language="nl", banner=banner, summary=(Paragraph("Pilot 中 en ∑"),), sections=())
    assert list(unsupported_characters(doc)) == ["∑", "中"]
    with pytest.raises(DocumentError, match="U\\+4E2D"):
        render_pdf(doc)


def test_english_numbers(pdf_en: bytes) -> None:
    text = _text(_reader(pdf_en))
    for value in ("1,258", "14.8%", "(16–20%)", "1 November 2020", "Table 2.1", "Figure 1.1"):
        assert value in text, value


def test_wide_table_is_not_cut(pdf_nl: bytes, make_document: Callable[[str], Document]) -> None:
    wide = [t.block for t in make_document("nl").tables() if t.block.n_columns == 12]  # type: ignore[union-attr]
    assert len(wide) == 1
    text = _text(_reader(pdf_nl))
    for label in wide[0].header:  # type: ignore[union-attr]
        assert label in text, label
    for row in wide[0].rows:  # type: ignore[union-attr]
        assert " ".join(row).replace("\u00a0", " ") in text
    _assert_text_inside_pages(_reader(pdf_nl))


def _assert_text_inside_pages(reader: pypdf.PdfReader) -> None:
    """Every text run starts and ends inside its page, and no two runs on one line overlap.

    A run's width is estimated from below (0.42 em per character; Libertinus digits are 0.5 em), so a
    reported overlap is a real one: a column squeezed narrower than its content.
    """
    for number, page in enumerate(reader.pages, start=1):
        width, _ = _size(page)
        runs: list[tuple[str, float, float, float]] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            runs: list[tuple[str, float, float, float]] = runs,
        ) -> None:
            if text.strip(" .\n"):  # dot leaders of the contents are left out
                runs.append((text.strip(), cm[4] + tm[4], cm[5] + tm[5], size))

        page.extract_text(visitor_text=visit)
        lines: dict[int, list[tuple[float, float, str]]] = {}
        for text, x, y, size in runs:
            end = x + 0.42 * size * len(text)
            assert 0 <= x and end <= width - 20, (number, text, x)
            lines.setdefault(round(y), []).append((x, end, text))
        for line in lines.values():
            line.sort()
            for (_, end, left), (start, _, right) in itertools.pairwise(line):
                assert end <= start, (number, left, right)


def test_very_wide_table_is_split_into_parts_that_repeat_the_first_column() -> None:
    header = ("Pilot",) + tuple(f"Kolom nummer {j}" for j in range(1, 25))
    rows = tuple(("Rotterdam",) + tuple(f"{1_000_000 + j}.{j:03d}" for j in range(1, 25)) for _ in range(3))
    table = TableBlock(caption="Zeer breed", header=header, rows=rows, kind="derived")
    layout = table_layout(table)
    assert layout.landscape and len(layout.parts) > 1
    assert all(part[0] == 0 for part in layout.parts)
    assert sorted({j for part in layout.parts for j in part}) == list(range(25))
    banner = Banner("m.csv", False, "2020-11-01", "WODC", ("A",), "r", 10, "c")
    doc = Document(
        title="T", language="nl", banner=banner, summary=(Paragraph("s"),), sections=(Section("Breed", (table,)),)
    )
    reader = _reader(render_pdf(doc))
    text = _text(reader)
    for label in header:
        assert label in text, label
    assert f"(deel {len(layout.parts)} van {len(layout.parts)})" in text
    _assert_text_inside_pages(reader)


def test_long_table_continues_on_the_next_page_with_its_header() -> None:
    rows = tuple((f"Rij {i}", f"{i * 7}") for i in range(1, 121))
    table = TableBlock(caption="Lang", header=("Rijlabel", "Aantal personen"), rows=rows, kind="derived")
    banner = Banner("m.csv", False, "2020-11-01", "WODC", ("A",), "r", 10, "c")
    doc = Document(
        title="T", language="nl", banner=banner, summary=(Paragraph("s"),), sections=(Section("Lang", (table,)),)
    )
    reader = _reader(render_pdf(doc))
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages]
    with_rows = [p for p in pages if "Rij " in p]
    assert len(with_rows) >= 2
    assert all("Rijlabel Aantal personen" in p for p in with_rows)
    text = " ".join(with_rows)
    assert all(f"Rij {i} {i * 7}" in text for i in range(1, 121))


def test_markup_characters_are_text(make_document: Callable[[str], Document]) -> None:
    tricky = 'a *b* _c_ #d [e] $f$ `g` <h> @i = j \\ "k" // l'
    banner = Banner(tricky, False, "2020-11-01", tricky, (tricky,), tricky, 10, tricky)
    doc = Document(
        title=tricky,
        language="en",
        banner=banner,
        summary=(Paragraph(tricky),),
        sections=(Section(tricky, (TableBlock(caption=tricky, header=(tricky,), rows=((tricky,),), kind="derived"),)),),
    )
    text = _text(_reader(render_pdf(doc)))
    assert text.count(tricky) >= 6


def test_typst_string_escapes() -> None:
    assert typst_string('say "hi" \\ #x\n') == '"say \\"hi\\" \\\\ #x\\n"'


def test_same_document_gives_the_same_bytes(build_document: Callable[[str], Document]) -> None:
    assert render_pdf(build_document("nl")) == render_pdf(build_document("nl"))


def test_source_uses_only_embedded_fonts(make_document: Callable[[str], Document]) -> None:
    source, images = typst_source(make_document("nl"))
    assert re.findall(r'font: "([^"]+)"', source) == ["Libertinus Serif"]
    assert sorted(images) == ["figure-1.svg", "figure-2.png"]
    assert 'lang: "nl"' in source and 'paper: "a4"' in source


def _wide(caption: str) -> TableBlock:
    header = ("Pilot",) + tuple(f"Kolom {j}" for j in range(1, 13))
    rows = tuple(("Rotterdam",) + tuple(f"{10_000 + j}.{j:03d}" for j in range(1, 13)) for _ in range(2))
    return TableBlock(caption=caption, header=header, rows=rows, kind="derived")


def test_heading_goes_with_its_landscape_table_and_landscape_tables_share_pages() -> None:
    first, second = _wide("Eerste brede tabel"), _wide("Tweede brede tabel")
    assert table_layout(first).landscape
    narrow = TableBlock(caption="Smal", header=("Pilot", "Aantal"), rows=(("Utrecht", "12"),), kind="derived")
    banner = Banner("m.csv", False, "2020-11-01", "WODC", ("A",), "r", 10, "c")
    doc = Document(
        title="T",
        language="nl",
        banner=banner,
        summary=(Paragraph("s"),),
        sections=(Section("Breed begin", (first, second, narrow)),),
    )
    reader = _reader(render_pdf(doc))
    pages = [(re.sub(r"\s+", " ", p.extract_text()), _size(p)) for p in reader.pages]
    (heading_page,) = [i for i, (text, _) in enumerate(pages) if "Breed begin" in text and "Inhoud" not in text]
    text, size = pages[heading_page]
    assert size == A4[::-1], "the section heading stands on the landscape page of its first table"
    assert "Eerste brede tabel" in text and "Tweede brede tabel" in text, "consecutive landscape tables share a page"
    (narrow_page,) = [i for i, (text, _) in enumerate(pages) if "Smal" in text]
    assert pages[narrow_page][1] == A4


def test_a_wide_table_in_the_summary_stays_on_a_portrait_page() -> None:
    banner = Banner("m.csv", False, "2020-11-01", "WODC", ("A",), "r", 10, "c")
    doc = Document(
        title="T",
        language="nl",
        banner=banner,
        summary=(Paragraph("Kern"), _wide("Kerncijfers breed")),
        sections=(Section("Rest", (Paragraph("x"),)),),
    )
    source, _ = typst_source(doc)
    summary_part = source.split("Kerncijfers breed")[0].rsplit("Samenvatting", 1)[1]
    assert "flipped" not in summary_part
    assert "(deel 1 van 2)" in source.split("#outline")[1].split("Rest")[0], "split in column parts that fit portrait"
    reader = _reader(render_pdf(doc))
    (page,) = [p for p in reader.pages if "Kerncijfers breed" in p.extract_text()]
    assert _size(page) == A4 and "Kolom 12" in re.sub(r"\s+", " ", page.extract_text())
