"""The report document model: numbering, validation, tables from DataFrames, the banner."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from lvv_eval.reporting.document import (
    Banner,
    Document,
    DocumentError,
    FigureBlock,
    Paragraph,
    Section,
    TableBlock,
)
from lvv_eval.reporting.formatting import SUPPRESSED_MARK, ColumnFormat

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _table(caption: str = "Uitstroom", **options: object) -> TableBlock:
    return TableBlock(
        caption=caption, header=("Pilot", "Aantal"), rows=(("Utrecht", "478"),), kind="synthetic", **options
    )  # type: ignore[arg-type]


def _figure(caption: str = "Figuur") -> FigureBlock:
    return FigureBlock(caption=caption, image=PNG_1PX, format="png", kind="derived")


def _banner() -> Banner:
    return Banner("monitor.csv", False, "2021-06-30", "WODC", ("Groningen",), "beschikking", 10, "abc")


def test_tables_and_figures_are_numbered_per_section(make_document: Callable[[str], Document]) -> None:
    doc = make_document("nl")
    assert [b.label for b in doc.tables()] == ["Tabel 1.1", "Tabel 2.1"]
    assert [b.label for b in doc.figures()] == ["Figuur 1.1", "Figuur 2.1"]
    en = make_document("en")
    assert [b.label for b in en.tables()] == ["Table 1.1", "Table 2.1"]
    assert [b.label for b in en.figures()] == ["Figure 1.1", "Figure 2.1"]


def test_numbering_counts_tables_and_figures_separately_and_restarts_per_section() -> None:
    doc = Document(
        title="T",
        language="nl",
        banner=_banner(),
        summary=(Paragraph("S"),),
        sections=(
            Section("Een", (_table("a"), _figure("b"), _table("c"), Paragraph("p"), _figure("d"))),
            Section("Twee", (_figure("e"), _table("f"))),
        ),
    )
    labels = [(b.block.caption, b.label) for s in doc.numbered() for b in s.blocks if b.label]  # type: ignore[union-attr]
    assert labels == [
        ("a", "Tabel 1.1"),
        ("b", "Figuur 1.1"),
        ("c", "Tabel 1.2"),
        ("d", "Figuur 1.2"),
        ("e", "Figuur 2.1"),
        ("f", "Tabel 2.1"),
    ]
    anchors = [b.anchor for s in doc.numbered() for b in s.blocks if b.anchor]
    assert len(set(anchors)) == len(anchors)
    assert [s.number for s in doc.numbered()] == [1, 2]


def test_from_frame_needs_a_label_for_every_column() -> None:
    frame = pd.DataFrame({"pilot": ["Utrecht"], "ci_low": [0.1]})
    with pytest.raises(DocumentError, match="ci_low"):
        TableBlock.from_frame(
            frame,
            {"pilot": "text", "ci_low": "bound"},
            {"pilot": "Pilot"},
            language="nl",
            caption="c",
            kind="synthetic",
        )


def test_from_frame_carries_the_suppression_mask() -> None:
    frame = pd.DataFrame({"pilot": ["a", "b"], "n": [12, 3], "lo": [0.1, 0.2], "hi": [0.3, 0.4]})
    mask = pd.DataFrame({"n": [False, True], "lo": [False, True], "hi": [False, False]})
    block = TableBlock.from_frame(
        frame,
        {
            "pilot": ColumnFormat("label", labels={"a": "A", "b": "B"}),
            "n": "count",
            "ci": ColumnFormat("interval", bounds=("lo", "hi")),
        },
        {"pilot": "Pilot", "n": "Aantal", "ci": "Interval"},
        language="nl",
        caption="c",
        kind="person-level",
        suppressed=mask,
        rule_notes=("primair: aantal kleiner dan 10",),
    )
    assert block.rows[1] == ("B", SUPPRESSED_MARK, SUPPRESSED_MARK)
    assert block.suppressed == ((False, False, False), (False, True, True))
    assert block.n_suppressed == 2
    assert block.align == ("left", "right", "right")
    assert block.rule_notes == ("primair: aantal kleiner dan 10",)


def test_a_masked_cell_that_prints_a_value_is_refused() -> None:
    with pytest.raises(DocumentError, match="suppressed cell"):
        _table(suppressed=((False, True),))


def test_mask_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(DocumentError, match="shape"):
        _table(suppressed=((False,),))


def test_without_a_mask_the_suppressed_cells_are_those_with_the_mark() -> None:
    block = TableBlock(caption="c", header=("A", "B"), rows=(("x", SUPPRESSED_MARK),), kind="synthetic")
    assert block.suppressed == ((False, True),)


def test_cells_must_be_formatted_text() -> None:
    with pytest.raises(DocumentError, match="formatted text"):
        TableBlock(caption="c", header=("A", "B"), rows=(("x", 360.0),), kind="synthetic")  # type: ignore[arg-type]


def test_rows_must_match_the_header() -> None:
    with pytest.raises(DocumentError, match="do not have 2 cells"):
        TableBlock(caption="c", header=("A", "B"), rows=(("x",),), kind="synthetic")


@pytest.mark.parametrize("kind", ["raw", "Published", ""])
def test_unknown_kind_is_refused(kind: str) -> None:
    with pytest.raises(DocumentError, match="kind"):
        TableBlock(caption="c", header=("A",), rows=(("x",),), kind=kind)  # type: ignore[arg-type]


def test_an_empty_table_is_refused() -> None:
    with pytest.raises(DocumentError, match="at least one row"):
        TableBlock(caption="Onderdrukte cellen", header=("Cel", "Regel"), rows=(), kind="synthetic")


def test_caption_is_required() -> None:
    with pytest.raises(DocumentError, match="caption"):
        _table(caption=" ")


def test_figure_bytes_must_be_the_declared_format() -> None:
    with pytest.raises(DocumentError, match="not a SVG image"):
        FigureBlock(caption="c", image=PNG_1PX, format="svg", kind="derived")
    with pytest.raises(DocumentError, match="png or svg"):
        FigureBlock(caption="c", image=PNG_1PX, format="gif", kind="derived")


def test_figure_from_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "f.png"
    path.write_bytes(PNG_1PX)
    block = FigureBlock.from_file(path, caption="c", kind="published")
    assert block.format == "png" and block.image == PNG_1PX and block.alt == "c"
    with pytest.raises(DocumentError, match="cannot read"):
        FigureBlock.from_file(tmp_path / "missing.svg", caption="c", kind="published")


def test_matplotlib_figures_are_reproducible(build_document: Callable[[str], Document]) -> None:
    first, second = build_document("nl").figures(), build_document("nl").figures()
    assert [f.block.format for f in first] == ["svg", "png"]  # type: ignore[union-attr]
    assert [f.block.image for f in first] == [f.block.image for f in second]  # type: ignore[union-attr]


def test_banner_rows_are_formatted_in_the_language() -> None:
    nl = dict(_banner().rows("nl"))
    en = dict(_banner().rows("en"))
    assert nl["Peildatum"] == "30 juni 2021"
    assert nl["Synthetische gegevens"].startswith("nee")
    assert nl["Drempel onthullingsbeheersing"] == "10 personen"
    assert en["Reference date (peildatum)"] == "30 June 2021"
    assert en["Disclosure threshold"] == "10 persons"
    assert list(nl) == [
        "Gegevensbron",
        "Synthetische gegevens",
        "Peildatum",
        "Indeling uitkomsten",
        "Pilots",
        "Regel formele status",
        "Drempel onthullingsbeheersing",
        "Versie (commit)",
    ]


def test_document_needs_a_summary_and_a_known_language() -> None:
    with pytest.raises(DocumentError, match="summary"):
        Document(title="T", language="nl", banner=_banner(), summary=(), sections=())
    from lvv_eval.errors import ConfigError

    with pytest.raises(ConfigError, match="language"):
        Document(title="T", language="fr", banner=_banner(), summary=(Paragraph("S"),), sections=())
