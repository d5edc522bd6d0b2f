"""Monitor files as municipalities really export them (read files as they come).

Every fixture is built in ``tmp_path`` from the committed fixtures of
tests/fixtures/monitor/ (english.csv, dutch_excel.csv): other encodings, a
title row, Excel's ``sep=`` line, a notes sheet first, a municipality's own
column names (with a mapping profile), direct identifiers, ambiguous numbers,
formula cells without a value, broken quoting, and files that are not a
monitor file at all.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from lvv_eval.cli import main
from lvv_eval.errors import ConfigError, InputValidationError
from lvv_eval.reference import monitor_format as schema
from lvv_eval.sources.monitor import ReadOptions, UnreadableInputError, read_monitor
from lvv_eval.sources.monitor_rules import RULES, rule_text

FIXTURES = Path(__file__).parent / "fixtures" / "monitor"
ENGLISH = FIXTURES / "english.csv"
DUTCH = FIXTURES / "dutch_excel.csv"
TITLE = "Monitor LVV Utrecht \u2013 export 1 juli 2022 (vertrouwelijk)"


def _english_frame() -> pd.DataFrame:
    return read_monitor(ENGLISH).frame


def _dutch_text() -> str:
    return DUTCH.read_bytes().decode("utf-8-sig")


def _with_accents(text: str) -> str:
    """The Dutch fixture with a comment column holding accents and an en dash."""
    lines = text.split("\r\n")
    lines[0] += ";Opmerking"
    lines[1:] = [line + (";caf\u00e9 \u2013 ok\u00e9" if line else "") for line in lines[1:]]
    return "\r\n".join(lines)


def _notes(data) -> str:
    return "\n".join(f"{n.column} {n.value} {n.rule}" for n in data.notes)


# --------------------------------------------------------------------------- encodings
def test_windows_1252_dutch_excel_csv_is_read_and_the_encoding_named(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(_with_accents(_dutch_text()).encode("cp1252"))
    data = read_monitor(path)
    pd.testing.assert_frame_equal(data.frame, _english_frame())
    assert data.source.encoding == "cp1252"
    assert "Windows-1252" in _notes(data)


def test_iso_8859_1_is_read_with_a_note(tmp_path: Path) -> None:
    text = _dutch_text().replace("Amsterdam;", "Amst\u00e9rdam;", 1)  # one unknown pilot
    path = tmp_path / "latin1.csv"
    path.write_bytes(text.encode("iso-8859-1"))
    data = read_monitor(path, strict=False)
    [problem] = data.problems
    assert problem.value == "Amst\u00e9rdam"  # decoded exactly
    assert "ISO-8859-1 gives the same text" in _notes(data)


def test_utf16_with_bom_tab_separated_is_read(tmp_path: Path) -> None:
    text = ENGLISH.read_text(encoding="utf-8").replace(",", "\t").replace("\n", "\r\n")
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))  # Python writes a BOM, as Excel does
    data = read_monitor(path)
    pd.testing.assert_frame_equal(data.frame, _english_frame())
    assert data.source.delimiter == "\t"
    assert "UTF-16" in _notes(data)


def test_a_replacement_character_is_an_error_naming_row_and_column(tmp_path: Path) -> None:
    lines = ENGLISH.read_text(encoding="utf-8").splitlines()
    lines[0] += ",opmerking"
    lines[1:] = [line + "," for line in lines[1:]]
    lines[3] = lines[3] + "caf\ufffd"
    path = tmp_path / "damaged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path, strict=False)
    [problem] = exc.value.problems
    assert (problem.row, problem.column, problem.value) == (4, "opmerking", "caf\ufffd")
    assert "replacement character" in problem.rule


def test_mixed_encodings_are_refused_not_guessed(tmp_path: Path) -> None:
    text = _with_accents(_dutch_text())
    half = len(text) // 2
    path = tmp_path / "mixed.csv"
    path.write_bytes(text[:half].encode("utf-8") + text[half:].encode("cp1252"))
    with pytest.raises(UnreadableInputError, match="mixes encodings"):
        read_monitor(path)


# --------------------------------------------------------------------------- layout
def test_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    text = ENGLISH.read_text(encoding="utf-8").replace("T003,P003,eindhoven", "T003,P003,delft")
    path = tmp_path / "titled.csv"
    path.write_text(TITLE + "\n" + text, encoding="utf-8")
    data = read_monitor(path, strict=False)
    assert data.source.header_row == 2
    [problem] = data.problems
    assert (problem.row, problem.column, problem.value) == (5, "pilot", "delft")
    assert "header found on row 2" in _notes(data)


def test_excel_sep_line_declares_the_separator(tmp_path: Path) -> None:
    path = tmp_path / "sep.csv"
    path.write_bytes(b"sep=;\r\n" + _dutch_text().encode("utf-8"))
    data = read_monitor(path)
    pd.testing.assert_frame_equal(data.frame, _english_frame())
    assert data.source.delimiter == ";"
    assert "sep=;" in _notes(data)


def _monitor_rows() -> list[list[object]]:
    english = pd.read_csv(ENGLISH, dtype=str, keep_default_na=False)
    rows: list[list[object]] = [list(english.columns)]
    for record in english.itertuples(index=False):
        cells: list[object] = []
        for name, value in zip(english.columns, record):
            if value == "":
                cells.append(None)
            elif name.endswith("_date"):
                cells.append(dt.datetime.fromisoformat(value))
            elif value in ("true", "false"):
                cells.append(value == "true")
            elif name in ("birth_year", "prior_departure_procedures"):
                cells.append(float(value))
            else:
                cells.append(value)
        rows.append(cells)
    return rows


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_reads_the_sheet_with_the_monitor_columns_after_a_notes_sheet(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "export.xlsx",
        {
            "Toelichting": [["Toelichting bij de export"], ["Bron: registratiesysteem"]],
            "Monitor": [[TITLE], [], *_monitor_rows()],
        },
    )
    data = read_monitor(path)
    pd.testing.assert_frame_equal(data.frame, _english_frame())
    assert (data.source.sheet, data.source.header_row) == ("Monitor", 3)
    assert "worksheet 'Monitor' read" in _notes(data)
    assert "header found on row 3" in _notes(data)


def test_sheet_and_header_row_options_override_detection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _monitor_rows()
    second = [rows[0], *rows[1:3]]
    path = _workbook(tmp_path / "two.xlsx", {"2021": rows, "2022": second})
    assert len(read_monitor(path).frame) == len(rows) - 1
    assert len(read_monitor(path, sheet="2022").frame) == 2
    assert len(read_monitor(path, sheet=2).frame) == 2
    with pytest.raises(UnreadableInputError, match="no worksheet 'x'"):
        read_monitor(path, sheet="x")
    # two header lines: Dutch first (found), English below it (given)
    text = ENGLISH.read_text(encoding="utf-8")
    dutch_header = ",".join(c.alias_nl for c in schema.MONITOR_COLUMNS)
    csv_path = tmp_path / "two_headers.csv"
    csv_path.write_text(dutch_header + "\n" + text, encoding="utf-8")
    with pytest.raises(InputValidationError):
        read_monitor(csv_path)  # the English header is read as a data row
    data = read_monitor(csv_path, header_row=2)
    pd.testing.assert_frame_equal(data.frame, _english_frame())
    assert main(["validate", str(csv_path), "--header-row", "2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["header_row"] == 2
    assert main(["validate", str(path), "--sheet", "2022", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["sheet"], report["rows_read"]) == ("2022", 2)


# --------------------------------------------------------------------------- profiles
OWN_EXPORT = (
    "Dossiernummer;Cli\u00ebntnummer;Gemeentecode;Startdatum;Einddatum;Reden einde;Formeel;"
    "Opmerkingen\n"
    "D1;C1;UTR;01-05-2019;01-02-2020;Terugkeer zelfstandig;J;\n"
    "D2;C2;UTR;01-06-2019;;;N;zie dossier\n"
    "D3;C3;AMS;01-07-2019;01-03-2020;Vergunning;J;\n"
)
PROFILE = """\
profile: own-system
description: export of the registration system
columns:
  Dossiernummer: trajectory_id
  Cli\u00ebntnummer: person_id
  Gemeentecode: pilot
  Startdatum: intake_date
  Einddatum: exit_date
  Reden einde: exit_reason
  Formeel: formal_status
  Opmerkingen: null
values:
  pilot: {UTR: utrecht, AMS: amsterdam}
  exit_reason:
    Terugkeer zelfstandig: independent_return
    vergunning: residence_permit
  formal_status: {J: ja, N: nee}
"""


def test_a_profile_maps_own_column_names_spellings_and_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(OWN_EXPORT, encoding="utf-8")
    profile = tmp_path / "own.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    with pytest.raises(UnreadableInputError, match="no monitor column"):
        read_monitor(export)  # without the profile
    data = read_monitor(export, profile=profile)
    frame = data.frame
    assert list(frame["trajectory_id"]) == ["D1", "D2", "D3"]
    assert list(frame["pilot"].astype(str)) == ["utrecht", "utrecht", "amsterdam"]
    assert list(frame["exit_reason"].astype(object).fillna("")) == ["independent_return", "", "residence_permit"]
    assert list(frame["formal_status"]) == [True, False, True]
    assert data.source.profile == "own-system"
    assert "unknown column" not in _notes(data)  # Opmerkingen is declared as not read
    assert main(["validate", "--profile", str(profile), str(export)]) == 0
    assert "profile 'own-system' applied" in capsys.readouterr().out


def test_a_profile_declares_more_identifiers_whose_values_are_never_shown(tmp_path: Path) -> None:
    lines = OWN_EXPORT.splitlines()
    lines[0] += ";Aanmelder"
    lines[1:] = [line + ";Piet Puk" for line in lines[1:]]
    lines.append(lines[1].replace("D1;C1", "D4;C4") + ";een veld te veel")
    export = tmp_path / "export.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    profile = tmp_path / "own.yaml"
    profile.write_text(PROFILE + "identifiers: [Aanmelder]\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as exc:
        read_monitor(export, profile=profile)
    assert exc.value.identifiers == {"Aanmelder": "declared in the profile"}
    [problem] = exc.value.problems
    assert problem.row == 5 and "Piet Puk" not in str(exc.value)
    assert "<withheld: direct identifier>" in problem.value


def test_a_draft_profile_is_a_usable_profile(tmp_path: Path) -> None:
    from lvv_eval.sources.profiles import draft_profile, load_profile

    export = tmp_path / "export.csv"
    export.write_text(OWN_EXPORT, encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    draft.write_text(draft_profile(export), encoding="utf-8")
    profile = load_profile(draft)
    assert profile.columns["startdatum"] == "intake_date"
    data = read_monitor(export, profile=profile, strict=False)  # no structural problem left
    assert {rule_text(p.rule) for p in data.problems} <= {RULES["unknown_exit_reason"]}
    by_id = data.frame.set_index("trajectory_id")
    assert str(by_id.loc["D2", "pilot"]) == "utrecht" and not by_id.loc["D2", "formal_status"]


def test_a_profile_constant_fills_a_column_the_export_lacks(tmp_path: Path) -> None:
    export = tmp_path / "utrecht.csv"
    export.write_text(
        "\n".join(
            line.rsplit(";", 1)[0].replace("Gemeentecode;", "").replace(";UTR;", ";").replace(";AMS;", ";")
            for line in OWN_EXPORT.splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    profile = tmp_path / "utrecht.yaml"
    profile.write_text(
        PROFILE.replace("  Gemeentecode: pilot\n", "") + "constants: {pilot: utrecht}\n", encoding="utf-8"
    )
    data = read_monitor(export, profile=profile)
    assert list(data.frame["pilot"].astype(str)) == ["utrecht"] * 3
    assert "every row has 'utrecht'" in _notes(data)


def test_the_documented_profile_example_is_a_valid_profile(tmp_path: Path) -> None:
    from lvv_eval.sources.profiles import load_profile

    doc = (Path(__file__).parents[1] / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    example = doc.split("## 8. Mapping profiles", 1)[1].split("```yaml\n", 1)[1].split("```")[0]
    path = tmp_path / "utrecht.yaml"
    path.write_text(example, encoding="utf-8")
    profile = load_profile(path)
    assert profile.name == "utrecht" and profile.columns["startdatum"] == "intake_date"
    assert profile.values["formal_status"] == {"j": "ja", "n": "nee"}


def test_profile_problems_are_all_listed(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(
        "columns:\n  Naam: person_id\n  Start: begin_date\nvalues:\n  exit_reason: {Weg: gone}\nsheet: 0\nextra: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as exc:
        read_monitor(ENGLISH, profile=profile)
    message = str(exc.value)
    assert "5 problem(s)" in message
    for part in ("extra", "'Naam' looks like a direct identifier", "begin_date", "'Weg'", "sheet 0"):
        assert part in message


def test_profile_draft_marks_guesses_and_never_lists_identifier_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.csv"
    lines = OWN_EXPORT.splitlines()
    lines = [lines[0].replace("Dossiernummer", "Traject") + ";Naam"] + [line + ";Jan Jansen" for line in lines[1:]]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["profile", "draft", str(export)]) == 0
    text = capsys.readouterr().out
    assert "Jan Jansen" not in text
    doc = yaml.safe_load(text)
    assert doc["identifiers"] == ["Naam"]
    assert doc["columns"]["Traject"] == "trajectory_id"
    assert "# guess" in text and "# unknown" in text
    assert doc["values"]["pilot"] == {"AMS": "amsterdam", "UTR": "utrecht"}
    out = tmp_path / "draft.yaml"
    assert main(["profile", "draft", str(export), "--out", str(out)]) == 0
    assert main(["profile", "draft", str(export), "--out", str(out)]) == 2  # never overwritten
    assert "exists" in capsys.readouterr().err


# --------------------------------------------------------------------------- identifiers
def test_direct_identifiers_are_flagged_and_never_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = ["Jan Jansen", "123456782", "V1234567", "jan@example.org", "0612345678", "01-01-1980"]
    header = ENGLISH.read_text(encoding="utf-8").splitlines()[0]
    header += ",Naam,BSN,V-nummer,e-mail,telefoon,geboortedatum"
    rows = ENGLISH.read_text(encoding="utf-8").splitlines()[1:]
    rows = [r + "," + ",".join(secret) for r in rows]
    rows[1] = rows[1].replace("amsterdam", "delft")  # an excluded row
    rows.append(rows[0].replace("T001", "T099") + ",one field too many")
    path = tmp_path / "with_names.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    def leaked(text: str) -> list[str]:
        return [s for s in secret if s in text]

    with pytest.raises(InputValidationError) as exc:
        read_monitor(path, strict=False)
    assert exc.value.identifiers == {
        "Naam": "name",
        "BSN": "BSN",
        "V-nummer": "V-number",
        "e-mail": "e-mail address",
        "telefoon": "phone number",
        "geboortedatum": "date of birth",
    }
    assert leaked(str(exc.value)) == []
    path.write_text("\n".join([header, *rows[:-1]]) + "\n", encoding="utf-8")
    data = read_monitor(path, strict=False)
    assert len(data.identifiers) == 6 and len(data.exclusions) == 1
    assert leaked(data.exclusions.to_csv() + str(data.problems) + str(data.notes)) == []
    for fmt in ("text", "json", "csv"):
        assert main(["validate", str(path), "--format", fmt]) == 1
        captured = capsys.readouterr()
        assert "direct identifiers" in captured.err and leaked(captured.out + captured.err) == []
    assert "WARNING: direct identifiers" in (main(["validate", str(path)]) and capsys.readouterr().out)
    path.write_text("\n".join([header, rows[0]]) + "\n", encoding="utf-8")
    assert main(["aggregate", str(path), "--peildatum", "2020-11-01", "--scheme", "monitor-2020"]) == 0
    captured = capsys.readouterr()
    assert "direct identifiers" in captured.err and leaked(captured.out + captured.err) == []
    assert main(["classify", str(path), "--scheme", "monitor-2020"]) == 0
    captured = capsys.readouterr()
    assert "direct identifiers" in captured.err and leaked(captured.out + captured.err) == []


# --------------------------------------------------------------------------- values
def test_a_dotted_thousand_in_a_whole_number_column_is_rejected(tmp_path: Path) -> None:
    text = ENGLISH.read_text(encoding="utf-8").replace(",IRQ,false,false,2,", ',IRQ,false,false,"1.000",', 1)
    path = tmp_path / "thousand.csv"
    path.write_text(text, encoding="utf-8")
    data = read_monitor(path, strict=False)
    [problem] = data.problems
    assert (problem.row, problem.column, problem.value) == (2, "prior_departure_procedures", "1.000")
    assert rule_text(problem.rule) == RULES["ambiguous_number"]


def test_a_formula_without_cached_value_is_named_not_read_as_empty(tmp_path: Path) -> None:
    rows = _monitor_rows()
    position = rows[0].index("birth_year")
    rows[1][position] = "=1980+5"  # openpyxl saves formulas without a cached value
    path = _workbook(tmp_path / "formula.xlsx", {"Monitor": rows})
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path, strict=False)
    [problem] = exc.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "birth_year", "=1980+5")
    assert problem.rule.startswith("formula without a stored value")


def test_an_excel_error_value_is_named_not_read_as_empty(tmp_path: Path) -> None:
    rows = _monitor_rows()
    position = rows[0].index("birth_year")
    rows[1][position] = 1.0
    saved = _workbook(tmp_path / "saved.xlsx", {"Monitor": rows})
    cell = f'<c r="{openpyxl.utils.get_column_letter(position + 1)}2" t="n"><v>1</v></c>'
    path = tmp_path / "error.xlsx"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert cell.encode() in content
                content = content.replace(
                    cell.encode(), cell.replace('t="n"><v>1</v>', 't="e"><f>1/0</f><v>#DIV/0!</v>').encode()
                )
            target.writestr(item, content)
    with pytest.raises(InputValidationError) as exc:
        read_monitor(path, strict=False)
    [problem] = exc.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "birth_year", "#DIV/0!")
    assert problem.rule.startswith("Excel error value")


def test_an_unterminated_quote_names_its_line(tmp_path: Path) -> None:
    lines = ENGLISH.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("T003,", 'T003,"', 1)
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableInputError, match=r"line 4: a quote .* never closed"):
        read_monitor(path)


def test_a_last_row_of_separators_wider_than_the_header_is_an_empty_row(tmp_path: Path) -> None:
    text = _dutch_text() + ";" * len(schema.COLUMN_NAMES) + "\r\n"  # one field too many
    path = tmp_path / "trailing.csv"
    path.write_text(text, encoding="utf-8")
    data = read_monitor(path)
    pd.testing.assert_frame_equal(data.frame, _english_frame())
    assert data.flow.set_index("step")["rows"]["empty rows skipped"] == 1


# --------------------------------------------------------------------------- unreadable
def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


UNREADABLE = [
    ("export.csv.gz", gzip.compress(ENGLISH.read_bytes()), "gzip", "unpack"),
    ("export.zip", _zip({"export.csv": ENGLISH.read_bytes()}), "zip archive", "unpack"),
    ("fake.xlsx", _zip({"export.csv": ENGLISH.read_bytes()}), "not an .xlsx", "unpack"),
    (
        "export.ods",
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "OpenDocument",
        "save it as Excel .xlsx",
    ),
    (
        "export.csv",
        ENGLISH.read_text(encoding="utf-8").encode("utf-16-le"),
        "UTF-16 text without a byte-order mark",
        "CSV UTF-8",
    ),
    ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image", "export the data itself"),
    ("scan.jpg", b"\xff\xd8\xff\xe0" + bytes(64), "JPEG image", "export the data itself"),
    ("export.pdf", b"%PDF-1.7\n" + bytes(64), "PDF document", "export the data itself"),
]


@pytest.mark.parametrize("name, content, what, todo", UNREADABLE, ids=[u[0] + "-" + u[2] for u in UNREADABLE])
def test_unreadable_files_say_what_they_are_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, what: str, todo: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableInputError) as exc:
        read_monitor(path)
    assert what in str(exc.value) and todo in str(exc.value)
    assert main(["validate", str(path), "--format", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["readable"] is False and what in report["error"]


_CELLS = [
    '<c r="A{r}" t="inlineStr"><is><t>T{r}</t></is></c>',  # text
    '<c r="B{r}"><f>1+1</f><v>2</v></c>',  # a formula with its value
    '<c r="C{r}"><f>1+1</f></c>',  # a formula without a value
    '<c r="D{r}"><f>1+1</f><v></v></c>',  # an empty value
    '<c r="E{r}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',  # an error
    "<c r=\"F{r}\" t='e'><v>#N/A</v></c>",  # an error, single quotes
    '<c r="G{r}" t="e"/>',  # an error without a value
    '<c r="H{r}"><f t="shared" si="0"/></c>',  # a shared formula without a value
    '<c r="I{r}" t="inlineStr"><f>x</f><is><t>x</t></is></c>',  # an inline string
    '<c r="J{r}" s="1"/>',  # an empty cell
    '<c\nr="K{r}"\nt="e"><v>#REF!</v></c>',  # line breaks between the attributes
    '<c r="L{r}" t="inlineStr"><is><t>t="e" &lt;f&gt;</t></is></c>',  # text that looks like a mark
]


@pytest.mark.parametrize("seed", range(6))
def test_cells_without_a_value_are_found_in_the_cells_with_a_mark(tmp_path: Path, seed: int) -> None:
    """The scan of the marked cells only finds exactly what a scan of every cell finds."""
    from lvv_eval.sources import monitor

    rng = np.random.default_rng(seed)
    rows = []
    for r in range(1, 30):
        cells = [c.format(r=r) for c in _CELLS if rng.random() < 0.5]
        rows.append(f'<row r="{r}">' + "".join(cells) + "</row>" if cells else f'<row r="{r}"/>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<cols><col min="1" max="3" width="9"/></cols><sheetData>' + "".join(rows) + "</sheetData>"
        '<conditionalFormatting sqref="A1"><cfRule type="expression"><formula>1</formula></cfRule>'
        "</conditionalFormatting></worksheet>"
    )
    workbook = (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Monitor" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
    )
    data = _zip(
        {
            "xl/workbook.xml": workbook.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(),
        }
    )
    options = ReadOptions(known_headers=frozenset())
    headers = [f"h{i}" for i in range(12)]
    found = monitor._uncached_formulas(tmp_path / "m.xlsx", data, "Monitor", headers, 2, options)
    reduced = monitor._cells_that_may_lack_a_value(sheet.encode())
    assert len(reduced) < len(sheet.encode())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monitor, "_cells_that_may_lack_a_value", lambda xml: xml)
        assert found == monitor._uncached_formulas(tmp_path / "m.xlsx", data, "Monitor", headers, 2, options)
    assert found and {p.value for p in found} <= {"=1+1", "=(shared formula)", "#DIV/0!", "#N/A", "#ERROR", "#REF!"}
