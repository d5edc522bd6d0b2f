"""Reports as publications: the document built from a run's records, its HTML and A4 PDF, the index.

The tests marked ``notebooks`` run real notebooks (three runs in all) and read
the HTML and the PDF the pipeline writes; the others build a run folder by hand.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from lvv_eval.reporting import formatting as fmt
from lvv_eval.reporting.build_config import ReportConfig
from lvv_eval.reporting.index import write_index
from lvv_eval.reporting.labels import Labels
from lvv_eval.reporting.publish import PublishError, build_document, publish
from lvv_eval.reporting.writer import ReportWriter

A4 = (595.28, 841.89)

ENGLISH_OR_RAW = (
    "total intake",
    "total outflow",
    "not reached",
    "known_discrepancy",
    "capacity (places)",
    "ci_low",
    "ci_high",
    "denominator_kind",
    "denominator_label",
    "check_id",
    "True",
    "False",
    "Source:",
    "Table ",
    "Figure ",
    "Summary",
    "rests on a suppressed count",
)
"""Words and field names a Dutch report must not contain."""

DUTCH = (
    "Samenvatting",
    "Tabel 1.",
    "Figuur 1.",
    "Peildatum ",
    "Gegevensbron",
    "Bestendig",
    "Pilotgemeente",
    "Teller",
    "Noemer",
    "totale instroom",
    "onderdrukt",
    " en ",
)
"""Dutch labels an English report must not contain (the sources' own "Tabel S.1" is a name, not a label)."""


# --------------------------------------------------------------------------- helpers


def _html_text(page: str) -> str:
    """The visible text of a report page (no style sheet, no embedded images, no tags)."""
    import html

    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]*"', "", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " "))


def _pdf(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


def _pdf_text(reader: pypdf.PdfReader) -> str:
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", raw.replace("\u00a0", " "))


def _image_count(reader: pypdf.PdfReader) -> int:
    count = 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form":  # Typst wraps images in form XObjects
                inner = (obj.get("/Resources") or {}).get("/XObject") or {}
                count += sum(1 for r in inner.values() if r.get_object().get("/Subtype") == "/Image")
    return count


def _provenance(**parameters: object) -> dict:
    base = {
        "data_source": "synthetic",
        "peildatum": "2020-11-01",
        "scheme": "regioplan-2022",
        "pilots": [],
        "language": "nl",
        "disclosure_threshold": 10,
        "formal_only": False,
    }
    base.update(parameters)
    return {
        "notebook": "notebooks/03_final.ipynb",
        "parameters": base,
        "inputs": [{"role": "data_source", "path": "data/synthetic/monitor_synthetic.csv"}],
        "git": {"commit": "0123456789abcdef", "dirty": False},
    }


def _run_folder(tmp_path: Path, language: str = "nl", extra_rows: dict | None = None) -> Path:
    """A run folder as a notebook leaves it: one synthetic checked table, one published table, one figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lvv_eval.disclosure import checked as checked_module

    folder = tmp_path / "run"
    writer = ReportWriter(folder, notebook="03_final", language=language)
    shares = pd.DataFrame(
        {
            "pilot": ["amsterdam", "eindhoven", "total"],
            "denominator_kind": ["outflow"] * 3,
            "numerator": [48.0, None, 60.0],
            "denominator": [408, 62, 470],
            "denominator_label": ["total outflow"] * 3,
            "estimate": [0.117647, None, 0.12766],
            "ci_low": [0.089893, None, 0.1],
            "ci_high": [0.152534, None, 0.16],
            "ci_method": ["wilson"] * 3,
            "ci_level": [0.95] * 3,
            "suppressed": [False, True, False],
        }
    )
    if extra_rows:
        shares = pd.concat([shares, pd.DataFrame(extra_rows)], ignore_index=True)
    mask = pd.DataFrame(False, index=shares.index, columns=shares.columns)
    mask.loc[1, ["numerator", "estimate", "ci_low", "ci_high"]] = True
    table = checked_module.CheckedTable(
        output_id="shares",
        frame=shares,
        mask=mask,
        reasons=mask.astype(str).replace({"True": "primary", "False": ""}),
        kind="synthetic",
        rules=("primary: numerator < 10",),
        threshold=10,
        caption="Aandeel bestendig per pilot",
    )
    writer.table("shares", table)
    writer.table(
        "capacity",
        pd.DataFrame({"pilot": ["groningen", "utrecht"], "capacity": [300.0, 230.0]}),
        kind="published",
        caption="Capaciteit per pilot",
    )
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], [1, 2])
    writer.figure("capacity", fig, title="Capaciteit per pilot", kind="derived")
    plt.close(fig)
    writer.note("Een opmerking bij de gegevens.")
    writer.finding(
        checked_module.CheckedText.compose(
            "Bestendig in Amsterdam: {n} van {d}.",
            "synthetic",
            n=(table.value("numerator", pilot="amsterdam"), Labels("nl").number),
            d=(table.value("denominator", pilot="amsterdam"), Labels("nl").number),
        )
    )
    writer.finding("Het gedrukte totaal is 1142 plaatsen.", kind="published")
    writer.finding("Vijf pilots zijn te weinig om een ontwerp causaal te beoordelen.", limit=True)
    writer.finish()
    (folder / "provenance.json").write_text(json.dumps(_provenance(language=language)), encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- the document


def test_document_shows_labels_formats_and_the_recorded_suppressed_cells(tmp_path):
    doc = build_document(_run_folder(tmp_path))
    shares = next(b.block for b in doc.tables() if b.block.key == "shares")
    assert shares.header == ("Pilotgemeente", "Soort noemer", "Teller", "Noemer", "Schatting", "Interval")
    assert shares.rows[0] == ("Amsterdam", "Uitstroom", "48", "408", "11,8\u00a0%", "(9,0–15,3\u00a0%)")
    assert shares.rows[1][2] == fmt.SUPPRESSED_MARK and shares.suppressed[1][2]
    assert shares.rows[1][3] == "62" and not shares.suppressed[1][3]  # the denominator is shown
    assert shares.rows[2][0] == "Totaal" and shares.emphasis_rows == (2,)
    assert any("betrouwbaarheidsinterval van 95\u00a0%, methode Wilson" in n for n in shares.notes)
    assert any("totale uitstroom" in n for n in shares.notes)
    assert shares.rule_notes == ("primair: teller kleiner dan 10",)
    assert [s.title for s in doc.sections] == [
        "Berekend op synthetische gegevens",
        "Gepubliceerde cijfers",
        "Afgeleid uit gepubliceerde cijfers",
        "Toelichting",
    ]
    assert doc.title == "Eindevaluatie LVV (Regioplan 2022)" and doc.subtitle == "Peildatum 1 november 2020"


def test_banner_holds_the_run_parameters(tmp_path):
    doc = build_document(_run_folder(tmp_path))
    banner = dict(doc.banner.rows("nl"))
    assert banner["Peildatum"] == "1 november 2020"
    assert banner["Synthetische gegevens"].startswith("ja")
    assert "monitor_synthetic.csv" in banner["Gegevensbron"]
    assert banner["Versie (commit)"] == "0123456789ab"
    assert banner["Drempel onthullingsbeheersing"] == "10 personen"
    assert "Amsterdam" in banner["Pilots"] and "alle vijf" in banner["Pilots"]


def test_summary_quotes_the_headline_rows_with_denominators_and_intervals(tmp_path):
    doc = build_document(_run_folder(tmp_path))
    headline = [b for b in doc.summary if type(b).__name__ == "TableBlock"][0]
    # the headline rows as an unnumbered table with its kind, denominators and intervals
    assert headline.kind == "synthetic" and not headline.key
    assert "Noemer" in headline.header and headline.rows[0][0] == "Amsterdam"
    assert "11,8\u00a0%" in headline.rows[0] and "(9,0–15,3\u00a0%)" in headline.rows[0]
    texts = " ".join(getattr(b, "text", "") for b in doc.summary)
    assert "synthetische gegevens" in texts and "3 cellen zijn onderdrukt" in texts and "1 figuur" in texts


def test_summary_lists_the_key_findings_with_their_origin_and_the_limits(tmp_path):
    doc = build_document(_run_folder(tmp_path))
    (findings,) = [b for b in doc.summary if type(b).__name__ == "BulletList"]
    assert findings.title == "Kernbevindingen"
    assert findings.items == (
        "Bestendig in Amsterdam: 48 van 408. (berekend op synthetische gegevens)",
        "Het gedrukte totaal is 1142 plaatsen. (gepubliceerd cijfer)",
    )
    (limits,) = [b for b in doc.summary if type(b).__name__ == "Note"]
    assert limits.title == "Wat deze gegevens niet kunnen dragen" and "Vijf pilots" in limits.text
    html_path, pdf_path = publish(tmp_path / "run", "03_final", provenance=_provenance())
    summary_html = html_path.read_text(encoding="utf-8").split('<section id="summary">')[1].split("</section>")[0]
    assert "<h3>Kernbevindingen</h3>" in summary_html and "48 van 408" in summary_html
    text = _pdf_text(_pdf(pdf_path))
    limits_at = text.index("Wat deze gegevens niet kunnen dragen")
    assert text.index("Kernbevindingen") < limits_at < text.rindex("Tabel 1.1")  # the summary, then section 1


def test_a_person_level_finding_must_come_from_the_gate(tmp_path):
    from lvv_eval.errors import UncheckedOutputError

    writer = ReportWriter(tmp_path / "w", notebook="03_final")
    with pytest.raises(UncheckedOutputError, match="must be made by the disclosure gate"):
        writer.finding("7 van 26 uitgestroomden", kind="synthetic")
    with pytest.raises(UncheckedOutputError, match="must be made by the disclosure gate"):
        writer.finding("7 van 26 uitgestroomden", kind="person-level")
    assert writer.findings == []


def test_english_report_is_english_from_title_to_footnote(tmp_path):
    doc = build_document(_run_folder(tmp_path, language="en"))
    shares = next(b.block for b in doc.tables() if b.block.key == "shares")
    assert shares.header[:3] == ("Pilot municipality", "Denominator kind", "Numerator")
    assert shares.rows[0][4:] == ("11.8%", "(9.0–15.3%)")
    assert doc.title == "Final evaluation of the LVV (Regioplan 2022)"
    assert dict(doc.banner.rows("en"))["Reference date (peildatum)"] == "1 November 2020"


def test_a_code_without_label_fails_naming_table_column_and_value(tmp_path):
    folder = _run_folder(
        tmp_path,
        extra_rows={
            "pilot": ["atlantis"],
            "denominator_kind": ["outflow"],
            "numerator": [1.0],
            "denominator": [2],
            "suppressed": [False],
        },
    )
    with pytest.raises(PublishError, match=r"table 'shares', column 'pilot': value 'atlantis' has no label"):
        build_document(folder)


def test_publish_writes_html_with_every_figure_and_an_a4_pdf(tmp_path):
    folder = _run_folder(tmp_path)
    html_path, pdf_path = publish(folder, "03_final", provenance=_provenance())
    page = html_path.read_text(encoding="utf-8")
    assert page.count("<img ") == 1 and "http://" not in page.replace("http://www.w3.org", "")
    reader = _pdf(pdf_path)
    assert all(tuple(round(float(v), 2) for v in p.mediabox.upper_right) == A4 for p in reader.pages)
    assert _image_count(reader) >= 1
    text = _pdf_text(reader)
    assert "Samenvatting" in text and "Tabel 1.1" in text and "Figuur 3.1" in text


def test_index_lists_ad_hoc_runs_with_parameters_in_the_report_language(tmp_path):
    reports = tmp_path / "reports"
    run = reports / "03_final-abcdef12"
    run.mkdir(parents=True)
    prov = _provenance(peildatum="2021-06-30", pilots=["groningen"])
    prov.update(status="ok", files={"html": "03_final.html", "pdf": "03_final.pdf"})
    (run / "provenance.json").write_text(json.dumps(prov), encoding="utf-8")
    index = write_index(
        ReportConfig(path=tmp_path / "reports.yaml", reports=(), timeout=60), reports, tmp_path
    ).read_text(encoding="utf-8")
    assert 'lang="nl"' in index and "Losse uitvoeringen" in index and "03_final-abcdef12" in index
    assert "30 juni 2021" in index and "Eindevaluatie LVV" in index
    prov["parameters"]["language"] = "en"
    (run / "provenance.json").write_text(json.dumps(prov), encoding="utf-8")
    index = write_index(
        ReportConfig(path=tmp_path / "reports.yaml", reports=(), timeout=60), reports, tmp_path
    ).read_text(encoding="utf-8")
    assert 'lang="en"' in index and "Ad-hoc runs" in index and "30 June 2021" in index


# --------------------------------------------------------------------------- real notebooks (three runs)


def _run(notebook: str, tmp: Path, **parameters: object):
    from lvv_eval.reporting.execute import run_one

    result = run_one(notebook, parameters, reports_dir=tmp)
    assert result.ok, result.describe_error()
    return Path(result.output_dir), result


@pytest.fixture(scope="module")
def interim_nl(tmp_path_factory):
    return _run("02_interim", tmp_path_factory.mktemp("nl"))


@pytest.fixture(scope="module")
def plan_en(tmp_path_factory):
    return _run("01_plan_process", tmp_path_factory.mktemp("en"), language="en")


@pytest.fixture(scope="module")
def plan_adhoc(tmp_path_factory):
    return _run("01_plan_process", tmp_path_factory.mktemp("adhoc"), peildatum="2021-06-30", pilots=["groningen"])


def _check_figures_and_pdf(folder: Path, stem: str) -> tuple[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    page = (folder / f"{stem}.html").read_text(encoding="utf-8")
    assert manifest["figures"], "the report should have figures"
    assert page.count("<img ") + page.count("<svg") == len(manifest["figures"])
    reader = _pdf(folder / f"{stem}.pdf")
    assert len(reader.pages) > 3
    assert all(tuple(sorted(round(float(v), 2) for v in p.mediabox.upper_right)) == A4 for p in reader.pages)
    text = _pdf_text(reader)
    assert _image_count(reader) >= len(manifest["figures"])
    for entry in manifest["figures"]:
        assert re.sub(r"\s+", " ", entry["caption"])[:30] in text, entry["name"]
    assert (folder / f"{stem}.ipynb").is_file()  # the audit trail stays
    return _html_text(page), text


@pytest.mark.notebooks
def test_dutch_report_has_figures_sections_headline_numbers_and_no_english(interim_nl):
    folder, _ = interim_nl
    html_text, pdf_text = _check_figures_and_pdf(folder, "02_interim")
    for heading in (
        "Samenvatting",
        "Inhoud",
        "Gepubliceerde cijfers",
        "Afgeleid uit gepubliceerde cijfers",
        "Berekend op synthetische gegevens",
        "Over deze uitvoering",
        "Verklaring van tekens",
    ):
        assert heading in pdf_text and heading in html_text, heading
    headline = pd.read_csv(folder / "tables" / "outflow_printed.csv")
    for value in headline["value"].head(5):
        assert fmt.format_count(value, "nl") in pdf_text
    for word in ENGLISH_OR_RAW:
        assert word not in html_text, word
        assert word not in pdf_text, word


@pytest.mark.notebooks
def test_english_report_has_no_dutch_labels(plan_en):
    folder, _ = plan_en
    html_text, pdf_text = _check_figures_and_pdf(folder, "01_plan_process")
    assert "Summary" in pdf_text and "Plan and process evaluation" in pdf_text
    headline = pd.read_csv(folder / "tables" / "tabel_s2_recomputed.csv")
    for value in headline["denominator"].head(5):
        assert fmt.format_count(value, "en") in pdf_text
    # the source's statements are quoted verbatim (in Dutch); everything else is English
    claims = pd.read_csv(folder / "tables" / "source_claims.csv")
    quoted = " ".join(str(q) for q in claims.iloc[:, claims.columns.get_loc("Quote")]) if "Quote" in claims else ""
    for word in DUTCH:
        assert html_text.count(word) <= quoted.count(word), word


@pytest.mark.notebooks
def test_ad_hoc_run_shows_its_parameters_and_is_indexed(plan_adhoc):
    folder, _ = plan_adhoc
    html_text = _html_text((folder / "01_plan_process.html").read_text(encoding="utf-8"))
    assert "Peildatum 30 juni 2021" in html_text
    assert re.search(r"Pilots\s+Groningen\b", html_text)
    pdf_text = _pdf_text(_pdf(folder / "01_plan_process.pdf"))
    assert "30 juni 2021" in pdf_text and "Groningen" in pdf_text
    index = (folder.parent / "index.html").read_text(encoding="utf-8")
    assert folder.name in index and "30 juni 2021" in index and "Losse uitvoeringen" in index
