"""Read, validate and write person-level monitor files.

A monitor file has one row per trajectory (one stay of one person in one LVV)
in the exchange format of ``docs/data_dictionary.md`` (columns in
:mod:`lvv_eval.reference.monitor_format`; documented for users in ``docs/data_dictionary.md``).
:func:`read_monitor` accepts what municipalities produce by hand: CSV with a
comma, semicolon or tab (Excel's ``sep=`` line understood) in UTF-8, UTF-16
with BOM or Windows-1252/ISO-8859-1 (decoded strictly, the encoding named in
a note), English or Dutch headers found below any title rows, dates as
``yyyy-mm-dd`` or ``dd-mm-yyyy``, Dutch booleans, decimal commas, and Excel
``.xlsx`` (the worksheet with the monitor columns; read with python-calamine,
which keeps dates, numbers and cached formula values exact and is about ten
times faster than openpyxl, the fallback). A mapping profile
(:mod:`lvv_eval.sources.profiles`) adds a municipality's own names and codes.
Columns with direct identifiers are never read. It returns the typed frame of the valid rows together with
every problem found, the excluded rows and a flow table (rows read, excluded
per first reason, analysed). :func:`write_monitor` writes the canonical CSV that
:func:`read_monitor` reads back unchanged.

The input file is only ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import os
import re
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lvv_eval.errors import ArgumentError, ConfigError, InputValidationError, LvvEvalError, Problem
from lvv_eval.reference import monitor_format as schema
from lvv_eval.reference import taxonomy
from lvv_eval.reference.pilots import pilot_codes
from lvv_eval.sources.monitor_rules import (
    RULE_SEPARATOR,
    RULES,
    RawColumn,
    rule_rank,
    rule_text,
    validate_columns,
)

if TYPE_CHECKING:
    from lvv_eval.sources.profiles import Profile

__all__ = [
    "MonitorData",
    "MonitorSource",
    "MonitorValidationError",
    "UnreadableInputError",
    "read_cells",
    "direct_identifier",
    "read_monitor",
    "write_monitor",
    "normalise_header",
    "EXCLUSION_COLUMNS",
    "FLOW_COLUMNS",
    "excluded_step",
]

EXCLUSION_COLUMNS: tuple[str, ...] = ("file", "row", "trajectory_id", "reasons")
"""Columns of :attr:`MonitorData.exclusions` (``reasons`` are rule texts joined by ``; ``)."""

FLOW_COLUMNS: tuple[str, ...] = ("step", "rows")
"""Columns of :attr:`MonitorData.flow`."""

_EXCLUDED_STEP = "excluded, first reason: {rule} (all reasons: see exclusions)"


def excluded_step(rule: str) -> str:
    """Return the flow-table step label of the rows excluded under one rule.

    An excluded row is counted once, under the first rule it breaks (order of
    :data:`lvv_eval.sources.monitor_rules.RULES`), so the per-rule lines add up to
    the rows excluded; every rule a row breaks is in
    :attr:`MonitorData.exclusions` (``reasons``).

    Examples
    --------
    >>> excluded_step("unknown exit reason")
    'excluded, first reason: unknown exit reason (all reasons: see exclusions)'
    """
    return _EXCLUDED_STEP.format(rule=rule)


_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class UnreadableInputError(LvvEvalError):
    """The file cannot be read as a monitor file at all (empty, binary, wrong format).

    ``notes`` holds what was found before the reading stopped (encoding,
    sheet, header row), if anything.
    """

    def __init__(self, *args: object, notes: list[Problem] | None = None) -> None:
        super().__init__(*args)
        self.notes: list[Problem] = list(notes or [])


class MonitorValidationError(InputValidationError):
    """Problems in a monitor file, with the notes and direct identifiers found while reading.

    Attributes
    ----------
    notes
        As :attr:`MonitorData.notes`.
    identifiers
        As :attr:`MonitorData.identifiers`.
    """

    def __init__(
        self,
        problems,
        summary: str | None = None,
        *,
        notes: list[Problem] | None = None,
        identifiers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(problems, summary=summary)
        self.notes: list[Problem] = list(notes or [])
        self.identifiers: dict[str, str] = dict(identifiers or {})


@dataclass(frozen=True)
class MonitorSource:
    """Where the data came from.

    Attributes
    ----------
    path
        The file as given.
    sha256
        SHA-256 of the file's bytes (hex), to cite the exact input in a report.
    n_rows
        Number of (non-empty) data rows read.
    file_format
        ``"csv"`` or ``"xlsx"``.
    delimiter
        Field separator of a CSV file (``None`` for Excel).
    sheet
        Worksheet read from an Excel file (``None`` for CSV).
    encoding
        Text encoding of a CSV file (Python codec name; ``None`` for Excel).
    header_row
        Row of the header (1 = first row; title rows above it are not read).
    profile
        Name of the mapping profile applied, if any.
    """

    path: Path
    sha256: str
    n_rows: int
    file_format: str
    delimiter: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    header_row: int = 1
    profile: str | None = None


@dataclass
class MonitorData:
    """A validated monitor file.

    Attributes
    ----------
    frame
        Typed frame of the valid rows, in file order: exactly
        :data:`lvv_eval.reference.monitor_format.COLUMN_NAMES` with the schema's dtypes.
    exclusions
        One row per invalid row: ``file, row`` (spreadsheet row, header = 1),
        ``trajectory_id`` (as written) and ``reasons`` (rule texts, ``; ``).
    problems
        Every broken rule, one :class:`~lvv_eval.errors.Problem` per cell.
    flow
        Rows in the file, empty rows skipped, rows read, rows excluded per
        first reason (each excluded row counted once, under the first rule
        it breaks, see :func:`excluded_step`; all its reasons are in
        ``exclusions``), rows excluded, rows analysed. Rows read = rows
        excluded + rows analysed.
    source
        Path, SHA-256 and size of the input.
    notes
        Remarks that are not errors (unknown columns ignored, optional
        columns absent, empty rows skipped).
    export_date
        The export date the file was checked against, if any (no date in
        the file may be after it).
    identifiers
        Columns holding direct identifiers (header as written -> what it
        holds, see :func:`direct_identifier`). They are not read and their
        values are never shown; such a file must not leave the municipality.
    """

    frame: pd.DataFrame
    exclusions: pd.DataFrame
    problems: list[Problem]
    flow: pd.DataFrame
    source: MonitorSource
    notes: list[Problem] = field(default_factory=list)
    export_date: pd.Timestamp | None = None
    identifiers: dict[str, str] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        """True when no rule is broken (notes do not count)."""
        return not self.problems

    def problem_summary(self, first: int = 5) -> pd.DataFrame:
        """Problems grouped by rule.

        Parameters
        ----------
        first
            How many row numbers to list per rule.

        Returns
        -------
        pandas.DataFrame
            Columns ``rule, problems`` (number of cells), ``rows`` (number of
            distinct rows) and ``first_rows`` (text), in the order of the rules.
        """
        return summarise_problems(self.problems, first=first)


def summarise_problems(problems: list[Problem], first: int = 5) -> pd.DataFrame:
    """Group problems by rule (see :meth:`MonitorData.problem_summary`)."""
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(rule_text(p.rule), []).append(p)
    records = []
    for rule in sorted(groups, key=lambda r: (rule_rank(r), r)):
        rows = sorted({p.row for p in groups[rule] if p.row is not None})
        shown = ", ".join(str(r) for r in rows[:first]) + (", ..." if len(rows) > first else "")
        records.append({"rule": rule, "problems": len(groups[rule]), "rows": len(rows), "first_rows": shown})
    return pd.DataFrame(records, columns=["rule", "problems", "rows", "first_rows"])


# ---------------------------------------------------------------------------
# Raw table
# ---------------------------------------------------------------------------
@dataclass
class _RawTable:
    headers: list[str]
    cells: pd.DataFrame | None  # positional columns, text cells (None: see columns)
    row_numbers: np.ndarray  # spreadsheet row of each data row
    file_format: str
    delimiter: str | None = None
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)  # rows with too many fields
    notes: list[Problem] = field(default_factory=list)  # encoding, sheet, header row used
    encoding: str | None = None
    header_row: int = 1
    columns: dict[int, RawColumn] | None = None  # factorised cells (the pyarrow reader)
    no_replacement: bool = False  # the cells are known to hold no U+FFFD (see _replacement_characters)

    @property
    def n_rows(self) -> int:
        """Number of data rows (empty ones included)."""
        return len(self.row_numbers)

    def raw_columns(self) -> dict[int, RawColumn]:
        """The cells of every column, factorised."""
        if self.columns is not None:
            return dict(self.columns)
        cells = self._text_cells()
        return {pos: RawColumn(cells[pos]) for pos in cells.columns}

    def _text_cells(self) -> pd.DataFrame:
        if self.cells is None:  # pragma: no cover - read with fast=True: columns instead
            raise RuntimeError("the table holds factorised columns, not text cells")
        return self.cells


@dataclass(frozen=True)
class ReadOptions:
    """How to read the file: overrides of the detection, and the known headers."""

    sheet: str | int | None = None
    header_row: int | None = None
    encoding: str | None = None
    known_headers: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()  # normalised headers declared as identifiers

    def hides(self, header: str) -> bool:
        """True when values of this column must never be shown (a direct identifier)."""
        key = normalise_header(header)
        return key in self.identifiers or (key not in self.known_headers and direct_identifier(header) is not None)


def normalise_header(text: str) -> str:
    """Return the comparison form of a header: lower case, runs of space/-/_ as one ``_``.

    Examples
    --------
    >>> normalise_header("  Datum Instroom ")
    'datum_instroom'
    >>> normalise_header("\\ufeffTraject-ID")
    'traject_id'
    """
    return re.sub(r"[\s\-_]+", "_", str(text).replace("\ufeff", "").strip().lower()).strip("_")


HEADER_LOOKUP: dict[str, str] = {
    **{normalise_header(c.alias_nl): c.name for c in schema.MONITOR_COLUMNS},
    **{normalise_header(c.name): c.name for c in schema.MONITOR_COLUMNS},
}

# --------------------------------------------------------------------------- identifiers
_IDENTIFIER_KINDS: tuple[tuple[str, str], ...] = (
    (
        "name",
        (
            r"naam|voornaam|achternaam|roepnaam|voorletters|cli[e\u00eb]ntnaam|klantnaam"
            r"|persoonsnaam|familienaam|meisjesnaam|name|first_?name|last_?name"
            r"|surname|full_?name|given_?name|family_?name"
        ),
    ),
    ("BSN", r"bsn|burgerservicenummer|sofi_?nummer|ssn|social_security_number|national_id"),
    (
        "V-number",
        (
            r"v_?nummer|v_?nr|vnr|vreemdelingennummer|vreemdelingen_?nummer"
            r"|alien_?number|ind_?nummer"
        ),
    ),
    ("e-mail address", r"e_?mail|e_?mail_?adres|emailadres|email_?address|mail_?adres"),
    (
        "phone number",
        (
            r"telefoon|telefoon_?nummer|telefoonnr|tel|tel_?nr|mobiel|mobiel_?nummer"
            r"|mobile|mobile_?number|phone|phone_?number|telephone|gsm"
        ),
    ),
    (
        "date of birth",
        (
            r"geboortedatum|geboorte_?datum|date_of_birth|birth_?date|dob"
            r"|birthday|geb_?datum"
        ),
    ),
    ("address", r"adres|woonadres|straat|huisnummer|address|street|house_?number"),
)
_IDENTIFIER_RE = [(kind, re.compile(rf"(?:^|_)(?:{pattern})(?:_|$)")) for kind, pattern in _IDENTIFIER_KINDS]
IDENTIFIER_RULE = (
    "direct identifier ({kind}): the column is not read and its values are never "
    "shown; a file with direct identifiers must not leave the municipality"
)
"""Text of the note for a column holding a direct identifier (``{kind}``: what it holds)."""

WITHHELD = "<withheld: direct identifier>"
"""Shown instead of a value from a direct-identifier column."""


def direct_identifier(header: str) -> str | None:
    """Return what a column holds if its header names a direct identifier, else ``None``.

    A direct identifier points to one person without any other data: a name,
    BSN, V-number, e-mail address, phone number, date of birth or address. A
    monitor file holds pseudonymous ids only (``person_id``); a file with such
    a column must not leave the municipality.

    Examples
    --------
    >>> direct_identifier("Naam"), direct_identifier("V-nummer"), direct_identifier("E-mail")
    ('name', 'V-number', 'e-mail address')
    >>> direct_identifier("Geboortedatum"), direct_identifier("Telefoon mobiel")
    ('date of birth', 'phone number')
    >>> direct_identifier("persoon_id") is None, direct_identifier("geboortejaar") is None
    (True, True)
    """
    key = normalise_header(header)
    if not key or key in HEADER_LOOKUP:
        return None
    for kind, pattern in _IDENTIFIER_RE:
        if pattern.search(key):
            return kind
    return None


# --------------------------------------------------------------------------- file kinds
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x1f\x8b", "a gzip-compressed file", "unpack it first (gunzip, 7-Zip) and check the CSV or .xlsx inside"),
    (b"\x89PNG", "a PNG image", ("export the data itself as CSV or .xlsx; a picture of a table cannot be read")),
    (b"\xff\xd8\xff", "a JPEG image", ("export the data itself as CSV or .xlsx; a picture of a table cannot be read")),
    (b"GIF8", "a GIF image", ("export the data itself as CSV or .xlsx; a picture of a table cannot be read")),
    (b"%PDF", "a PDF document", ("export the data itself as CSV or .xlsx; a printout cannot be read")),
    (b"7z\xbc\xaf", "a 7-Zip archive", "unpack it first and check the CSV or .xlsx inside"),
    (b"Rar!", "a RAR archive", "unpack it first and check the CSV or .xlsx inside"),
)
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _refuse(path: Path, what: str, todo: str) -> UnreadableInputError:
    return UnreadableInputError(f"{path}: this is {what}, not a CSV or .xlsx file; {todo}")


def read_table(path: Path, data: bytes | pa.Buffer, options: ReadOptions, *, fast: bool = False) -> _RawTable:
    """Read a CSV or .xlsx file as a table of text cells.

    ``fast``: read the cells of a CSV file with pyarrow when it reads them
    exactly as the reference reader does (see :func:`_read_csv_arrow`); the
    table then holds factorised columns (``columns``) instead of ``cells``.
    ``data`` may be a pyarrow buffer (see :func:`_read_file`): a plain ASCII
    CSV file is then read from it as it is (:func:`_read_ascii_csv`), any
    other file from a copy as ``bytes``.
    """
    if isinstance(data, pa.Buffer):
        plain = _read_ascii_csv(path, data, options) if fast else None
        if plain is not None:
            return plain
        data = data.to_pybytes()
    if not data or data.isspace():  # the same as `not data.strip()`, without a copy
        raise UnreadableInputError(f"{path}: the file is empty")
    if data.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise UnreadableInputError(f"{path}: old Excel .xls format is not supported; save the sheet as .xlsx or CSV")
    for magic, what, todo in _MAGIC:
        if data.startswith(magic):
            raise _refuse(path, what, todo)
    if data.startswith(_ZIP_MAGIC):
        _check_zip(path, data)
        return _read_xlsx(path, data, options)
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        raise UnreadableInputError(f"{path}: not a valid .xlsx file")
    text, encoding, notes = _decode(path, data, options.encoding)
    return _read_csv(path, text, encoding, notes, options, data=data if fast else None)


def _read_file(path: Path) -> pa.Buffer:
    """The bytes of a file, read (only read) into a buffer of pyarrow's memory pool.

    The pool keeps its memory between reads, so reading a large file again
    does not ask the operating system for fresh pages as a new ``bytes``
    object of that size does; pyarrow's CSV reader reads the buffer as it is.
    """
    with pa.OSFile(str(path), "rb") as handle:
        return handle.read_buffer()


def _read_ascii_csv(path: Path, buffer: pa.Buffer, options: ReadOptions) -> _RawTable | None:
    """Read a CSV file of plain ASCII text from its buffer, or return ``None`` for the general way.

    For a file that is ASCII without NUL bytes, not named or marked as
    another format, with no encoding declared, the general way (:func:`read_table`
    on ``bytes``) finds UTF-8 without a note and the same text; here only
    the first lines are decoded (to find the header) and the rest only if
    pyarrow cannot read the cells and the reference reader needs it.
    """
    if options.encoding is not None or path.suffix.lower() in _EXCEL_SUFFIXES | {".xls"}:
        return None
    octets = np.frombuffer(buffer, dtype=np.uint8)
    if len(octets) == 0 or int(octets.max()) >= 0x80 or int(octets.min()) == 0:
        return None  # empty, not ASCII, or NUL bytes (binary or UTF-16)
    start = buffer[:16].to_pybytes()
    if start.startswith(_ZIP_MAGIC) or any(start.startswith(magic) for magic, _, _ in _MAGIC):
        return None
    head = _ascii_head(buffer, max(_SCAN_ROWS, options.header_row or 0) + 1)
    if not head.strip():
        return None  # blank lines first (maybe nothing else): the general way
    whole = None if len(head) == buffer.size else lambda: buffer.to_pybytes().decode("ascii")
    return _read_csv(path, head, "utf-8", [], options, data=buffer, whole=whole, ascii_only=True)


def _ascii_head(buffer: pa.Buffer, lines: int) -> str:
    """The first ``lines`` lines of ASCII ``buffer`` and the line after them, as text (all of it if shorter).

    Lines end at ``\n`` (as in :func:`_first_lines`); a ``sep=`` line counts
    among them, so the head holds every line the header search looks at.
    """
    size = 1 << 16
    while True:
        prefix = buffer[:size].to_pybytes()
        end = -1
        for _ in range(lines + 1):
            end = prefix.find(b"\n", end + 1)
            if end < 0:
                break
        if end >= 0:
            return prefix[: end + 1].decode("ascii")
        if size >= buffer.size:
            return prefix.decode("ascii")
        size *= 8


def _may_hold(data: bytes | pa.Buffer, needle: bytes, start: int = 0) -> bool:
    """True when ``data`` holds ``needle`` at or after ``start``.

    Exact for ``bytes`` and for a one-byte needle; for a longer needle in a
    pyarrow buffer, true whenever its first byte occurs (never a false ``False``).
    """
    if not isinstance(data, pa.Buffer):
        return data.find(needle, start) >= 0
    octets = np.frombuffer(data, dtype=np.uint8)
    block = 1 << 22
    return any(bool((octets[i : i + block] == needle[0]).any()) for i in range(start, len(octets), block))


def _check_zip(path: Path, data: bytes) -> None:
    """Refuse a zip archive that is not an Excel workbook (ODS, an archive of files)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mime = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        raise UnreadableInputError(f"{path}: a damaged zip or .xlsx file; export it again") from None
    if mime.startswith(_ODS_MIME):
        raise _refuse(
            path,
            "an OpenDocument spreadsheet (.ods, LibreOffice or OpenOffice)",
            "save it as Excel .xlsx or as CSV UTF-8 and check that file",
        )
    if "xl/workbook.xml" not in names:
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        raise _refuse(
            path,
            f"a zip archive of {len(names)} file(s) ({shown}), not an .xlsx workbook",
            "unpack it and check the CSV or .xlsx inside",
        )


# --------------------------------------------------------------------------- encodings
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 (little-endian, with BOM)"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 (big-endian, with BOM)"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 (little-endian, with BOM; Excel's 'Unicode text')"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 (big-endian, with BOM)"),
)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_C1_BYTES = re.compile(rb"[\x80-\x9f]")


def _decode(path: Path, data: bytes, forced: str | None) -> tuple[str, str, list[Problem]]:
    """Decode the bytes of a text file; return ``(text, encoding, notes)``.

    Order: a declared encoding (profile); a byte-order mark; strict UTF-8;
    strict Windows-1252 (Dutch Excel's "CSV (;)"; the same as ISO-8859-1 for
    every letter); the best guess of charset-normalizer. Every decoding is
    strict, so no character is ever replaced; an encoding other than UTF-8 is
    named in a note.
    """
    file = str(path)
    if forced is not None:
        try:
            text = data.decode(forced)
        except (UnicodeDecodeError, LookupError) as exc:
            raise UnreadableInputError(f"{path}: cannot decode as {forced} (declared in the profile): {exc}") from None
        return _strip_bom(text), forced, [_note(file, f"read as {forced}, the encoding declared in the profile")]
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise UnreadableInputError(
                    f"{path}: starts with the byte-order mark of {label} but byte {exc.start} "
                    "is not valid in it; export the file again as CSV UTF-8"
                ) from None
            text = _strip_bom(text)
            notes = [] if codec == "utf-8-sig" else [_note(file, f"encoding {label}")]
            return text, codec, notes
    if b"\x00" in data[:4096]:
        raise _binary_or_utf16(path, data)
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_SEQUENCE.search(data):
        raise UnreadableInputError(
            f"{path}: mixes encodings: most of it is UTF-8 but byte {bad} is not; the file was "
            "damaged or edited with another encoding. Export it again as CSV UTF-8 or .xlsx"
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return _guess_encoding(path, data, bad)
    if _C1_BYTES.search(data):
        label = (
            "Windows-1252 (cp1252, the default of Dutch Excel's 'CSV (;)'; it has "
            "characters such as \u2013 and \u20ac that ISO-8859-1 lacks)"
        )
    else:
        label = (
            "Windows-1252 (cp1252, the default of Dutch Excel's 'CSV (;)'); ISO-8859-1 "
            "gives the same text for this file"
        )
    return text, "cp1252", [_note(file, f"not UTF-8: read as {label}; check that accented letters look right")]


def _strip_bom(text: str) -> str:
    return text.removeprefix("\ufeff")


def _note(file: str, rule: str, value: str = "") -> Problem:
    return Problem(file, None, None, value, rule)


def _binary_or_utf16(path: Path, data: bytes) -> UnreadableInputError:
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if (
        odd.count(0) > 0.3 * len(odd)
        and even.count(0) < 0.05 * len(even)
        or even.count(0) > 0.3 * len(even)
        and odd.count(0) < 0.05 * len(odd)
    ):
        return UnreadableInputError(
            f"{path}: UTF-16 text without a byte-order mark (BOM), so its byte order is "
            "unknown; save it from Excel as 'CSV UTF-8' (or as 'Unicode text', which has a BOM)"
        )
    return UnreadableInputError(f"{path}: binary content; expected a CSV or .xlsx file")


def _guess_encoding(path: Path, data: bytes, bad: int) -> tuple[str, str, list[Problem]]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        raise UnreadableInputError(
            f"{path}: not UTF-8 text (byte {bad}) and no other encoding fits; save the file as CSV UTF-8 or .xlsx"
        )
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise UnreadableInputError(
            f"{path}: not UTF-8 text (byte {bad}); save the file as CSV UTF-8 or .xlsx"
        ) from None
    return (
        _strip_bom(text),
        best.encoding,
        [
            _note(
                str(path),
                f"not UTF-8 and not Windows-1252: encoding guessed as {best.encoding} "
                "(charset-normalizer); check that accented letters look right, or declare the "
                "encoding in a profile",
            )
        ],
    )


# --------------------------------------------------------------------------- header row
_SCAN_ROWS = 50
"""Rows searched for the header (title rows above it are skipped)."""

_HEADER_MIN_MATCHES = 3
"""Known column names a row needs to be taken as the header (fewer if no row has more)."""


def _header_matches(fields: Sequence[object], known: frozenset[str]) -> int:
    return sum(1 for f in fields if normalise_header(str(f)) in known)


def _find_header(rows: Sequence[Sequence[object]], known: frozenset[str]) -> tuple[int, int]:
    """Return ``(index, matches)`` of the header among the first rows.

    The header is the first row with at least :data:`_HEADER_MIN_MATCHES`
    known column names (or as many as the best row has); without any known
    name, the first non-empty row (reported later as "no monitor column").
    """
    counts = [_header_matches(r, known) for r in rows[:_SCAN_ROWS]]
    best = max(counts, default=0)
    if best == 0:
        first = next((i for i, r in enumerate(rows) if any(str(v).strip() for v in r)), None)
        return (first if first is not None else -1), 0
    need = min(_HEADER_MIN_MATCHES, best)
    index = next(i for i, c in enumerate(counts) if c >= need)
    return index, counts[index]


def _header_note(file: str, index: int, rows: Sequence[Sequence[object]], forced: bool) -> Problem | None:
    above = sum(1 for r in rows[:index] if any(str(v).strip() for v in r))
    if forced:
        return _note(file, f"header read from row {index + 1}, as given")
    if above:
        return _note(
            file, f"header found on row {index + 1}; the {above} non-empty row(s) above it (a title?) are not read"
        )
    return None


# --------------------------------------------------------------------------- CSV
def _sniff_delimiter(header_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_SEP_LINE = re.compile(r'\A"?sep=(.)"?[ \t]*(?:\r\n|\n|\r|\Z)', re.IGNORECASE)


def _read_csv(
    path: Path,
    text: str,
    encoding: str,
    notes: list[Problem],
    options: ReadOptions,
    data: bytes | None = None,
    whole: Callable[[], str] | None = None,
    ascii_only: bool = False,
) -> _RawTable:
    """Read decoded CSV text; with ``data`` (the file's bytes), try the pyarrow reader first.

    ``text`` is the decoded file, or (with ``whole``, which returns all of it)
    its first lines, enough to find the header. ``ascii_only``: ``data`` is
    known to hold ASCII only (checked by :func:`_read_ascii_csv`).
    """
    if "\x00" in text:
        raise UnreadableInputError(f"{path}: binary content; expected a CSV or .xlsx file")
    file = str(path)
    notes = list(notes)
    declared: str | None = None
    line_offset = 0  # lines of the file before the first line numbered as a row
    full = text
    m = _SEP_LINE.match(text)
    if m:
        declared = m[1]
        text = text[m.end() :]
        line_offset = 1
        notes.append(
            _note(
                file,
                f"first line 'sep={declared}' declares the separator; it is "
                "not a row (rows are numbered as Excel shows them, without it)",
            )
        )
    lines = _first_lines(text, max(_SCAN_ROWS, options.header_row or 0))
    parsed = [_split_line(line, declared) for line in lines]
    known = options.known_headers
    if options.header_row is not None:
        index = options.header_row - 1
        if index >= len(lines):
            raise UnreadableInputError(f"{path}: --header-row {options.header_row} is beyond the end of the file")
    else:
        index, _ = _find_header(parsed, known)
        if index < 0:
            raise UnreadableInputError(f"{path}: the file is empty")
    note = _header_note(file, index, parsed, options.header_row is not None)
    if note is not None:
        notes.append(note)
    delimiter = declared or _sniff_delimiter(lines[index])
    skipped = sum(len(line) + 1 for line in lines[:index])
    fast = None
    if data is not None:
        start = len(full) - len(text) + skipped
        fast = _read_csv_arrow(data, full, start, encoding, delimiter, index, lines[index], ascii_only=ascii_only)
    if fast is not None:
        raw = fast
    else:
        body = text[skipped:] if whole is None else whole()[len(full) - len(text) + skipped :]
        raw = _read_csv_pandas(path, body, delimiter, index, line_offset, options)
    raw.notes = notes + raw.notes
    raw.encoding = encoding
    raw.header_row = index + 1
    return raw


def _read_csv_pandas(
    path: Path, body: str, delimiter: str, index: int, line_offset: int, options: ReadOptions
) -> _RawTable:
    """The reference reader: pandas' C parser on the text from the header on."""
    try:
        table = pd.read_csv(
            io.StringIO(body),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quotechar='"',
            engine="c",
        )
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):
            raise _unterminated_quote(path, body, delimiter, index + line_offset) from None
        raw = _read_csv_ragged(path, body, delimiter, index, options)
    except pd.errors.EmptyDataError:
        raise UnreadableInputError(f"{path}: the file is empty") from None
    else:
        headers = [str(h) for h in table.iloc[0]]
        cells = table.iloc[1:].reset_index(drop=True)
        cells.columns = range(cells.shape[1])
        rows = np.arange(index + 2, index + 2 + len(cells), dtype=np.int64)
        raw = _RawTable(headers, cells, rows, "csv", delimiter=delimiter)
    return raw


_UTF8_BOM = b"\xef\xbb\xbf"


def _read_csv_arrow(
    data: bytes | pa.Buffer,
    text: str,
    start: int,
    encoding: str,
    delimiter: str,
    index: int,
    header_line: str,
    *,
    ascii_only: bool = False,
) -> _RawTable | None:
    """Read the cells from the header on with pyarrow, or return ``None`` to use pandas.

    pyarrow's CSV reader (multi-threaded, every column as text, no value
    taken as missing) gives the same cells as pandas' C parser for every
    file it reads without an error: same quoting (``"`` with doubled quotes
    inside), line ends ``\n``, ``\r\n`` and ``\r``, a blank line a row of empty cells.
    Where they differ, pyarrow stops with an error (a row with fewer or more
    fields than the header, a line of spaces, an unclosed quote) and the
    reference reader takes over, with its messages. A file of one column is
    left to the reference reader as well. ``text`` is the decoded file,
    ``start`` the character where the header begins; a UTF-8 file is read
    from its own bytes (``bytes`` or a pyarrow buffer of ASCII text), any
    other encoding from the text encoded as UTF-8. ``ascii_only``: ``data``
    is known to be ASCII, so it holds no U+FFFD (not searched for).
    """
    if len(delimiter) != 1 or header_line.count(delimiter) < 1:
        return None
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        offset = (len(_UTF8_BOM) if bytes(memoryview(data)[:3]) == _UTF8_BOM else 0) + (
            start if text.isascii() else len(text[:start].encode("utf-8"))
        )
    else:
        data, offset = text[start:].encode("utf-8"), 0
    buffer = pa.py_buffer(data)[offset:]
    quoted = _may_hold(data, b'"', offset)
    names = [f"f{i}" for i in range(header_line.count(delimiter) + 1)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=quoted,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_columns < 2 or table.num_rows < 1 or any(column.type != pa.string() for column in table.columns):
        return None
    headers = [str(column[0].as_py()) for column in table.columns]
    n = table.num_rows - 1
    pending: list[pa.ChunkedArray | None] = [column.slice(1) for column in table.columns]
    del table  # from here on each column of text is freed once it is factorised

    def factorise(pos: int) -> RawColumn:
        cells, pending[pos] = pending[pos], None
        return RawColumn.from_arrow(cells)

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        # pyarrow and pandas' hash tables release the GIL: columns in parallel
        columns = dict(enumerate(pool.map(factorise, range(len(pending)))))
    rows = np.arange(index + 2, index + 2 + n, dtype=np.int64)
    clean = ascii_only or not _may_hold(data, "\ufffd".encode("utf-8"), offset)  # no cell can hold U+FFFD
    return _RawTable(headers, None, rows, "csv", delimiter=delimiter, columns=columns, no_replacement=clean)


def _first_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` (without copying the rest of a large file)."""
    lines: list[str] = []
    start = 0
    while len(lines) < n and start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            lines.append(text[start:])
            break
        lines.append(text[start:end])
        start = end + 1
    return lines


def _split_line(line: str, delimiter: str | None) -> list[str]:
    try:
        return next(csv.reader([line.rstrip("\r")], delimiter=delimiter or _sniff_delimiter(line), quotechar='"'), [])
    except csv.Error:
        return []


def _unterminated_quote(path: Path, body: str, delimiter: str, lines_before: int) -> UnreadableInputError:
    """Name the line on which a quoted value opens that is never closed."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"')
    start, records = 1, iter(reader)
    while True:  # the record that runs to the end of the file starts after the previous one
        begin = reader.line_num + 1
        try:
            next(records)
        except (StopIteration, csv.Error):
            break
        start = begin
    return UnreadableInputError(
        f'{path}: line {start + lines_before}: a quote (") opens a value that is never closed, '
        "so the rest of the file would be one value; close the quote (a value containing the "
        "separator is written between quotes, a quote inside it doubled) or remove it"
    )


def _read_csv_ragged(path: Path, text: str, delimiter: str, index: int, options: ReadOptions) -> _RawTable:
    """Read a CSV file in which some rows have more fields than the header.

    Every such row becomes a :class:`Problem` in ``_RawTable.problems`` and is
    left out of the cells; the other rows (shorter ones padded with empty
    cells) are read as usual, so the header and the remaining rows can still be
    checked and every problem reported at once. A row of separators only
    (Excel writes ``;;;;;;`` for an empty row, sometimes one wider than the
    header) is an empty row, not a problem. Rows are numbered by record, as
    in a spreadsheet; ``text`` starts at the header, which is row ``index + 1``.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        records = list(reader)
    except csv.Error as exc:
        raise UnreadableInputError(f"{path}: cannot parse as CSV: {exc} (line {reader.line_num + index})") from None
    headers = records[0]
    width = len(headers)
    hidden = {i for i, h in enumerate(headers) if options.hides(h)}
    problems: list[Problem] = []
    kept: list[list[str]] = []
    numbers: list[int] = []
    for i in range(1, len(records)):
        record = records[i]
        if len(record) > width:
            if not any(f.strip() for f in record):
                record = record[:width]
            else:
                shown = delimiter.join(WITHHELD if j in hidden else f for j, f in enumerate(record))
                problems.append(
                    Problem(
                        str(path),
                        index + i + 1,
                        None,
                        shown,
                        f"row has {len(record)} fields but the header has {width}"
                        f"{RULE_SEPARATOR}a value containing {delimiter!r} must be quoted",
                    )
                )
                continue
        kept.append(record + [""] * (width - len(record)))
        numbers.append(index + i + 1)
    cells = (
        pd.DataFrame(kept, columns=range(width), dtype=str)
        if kept
        else pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    )
    return _RawTable(headers, cells, np.array(numbers, dtype=np.int64), "csv", delimiter=delimiter, problems=problems)


# --------------------------------------------------------------------------- Excel
def _cell_text(value: object) -> str:
    """Text of an Excel cell: dates as ISO, whole floats without ``.0``, booleans true/false."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            return value.isoformat(sep=" ")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, data: bytes, options: ReadOptions) -> _RawTable:
    """Read the worksheet with the monitor columns (or the one asked for) as text cells.

    Cells are read with python-calamine (fast, and exact: dates as dates,
    numbers as stored, the cached value of a formula); openpyxl is the
    fallback when calamine is not installed. A formula cell without a cached
    value is a problem, not an empty cell (see :func:`_uncached_formulas`).
    """
    file = str(path)
    names, load = _workbook(path, data)
    if not names:
        raise UnreadableInputError(f"{path}: the workbook has no worksheet")
    known = options.known_headers
    notes: list[Problem] = []
    if options.sheet is not None:
        name = _pick_sheet(path, names, options.sheet)
        rows = load(name)
        notes.append(_note(file, f"worksheet {name!r} read (--sheet)"))
    else:
        scores = [_find_header(load(n, _SCAN_ROWS), known)[1] for n in names]
        need = min(_HEADER_MIN_MATCHES, max(scores))
        name = names[next(i for i, score in enumerate(scores) if score >= need)]
        rows = load(name)
        if len(names) > 1:
            others = [n for n in names if n != name]
            notes.append(
                _note(
                    file,
                    f"worksheet {name!r} read (sheet {names.index(name) + 1} "
                    f"of {len(names)}: the one with the monitor columns); not read: "
                    + ", ".join(repr(n) for n in others),
                )
            )
    if not any(any(str(v).strip() for v in r) for r in rows):
        raise UnreadableInputError(f"{path}: worksheet {name!r} is empty")
    if options.header_row is not None:
        index = options.header_row - 1
        if index >= len(rows):
            raise UnreadableInputError(
                f"{path}: --header-row {options.header_row} is beyond the last row of worksheet {name!r}"
            )
    else:
        index, _ = _find_header(rows, known)
    note = _header_note(file, index, rows, options.header_row is not None)
    if note is not None:
        notes.append(note)
    headers = [_cell_text(v) for v in rows[index]]
    records = [[_cell_text(v) for v in r] for r in rows[index + 1 :]]
    width = max([len(headers), *(len(r) for r in records)])
    headers = headers + [""] * (width - len(headers))
    records = [r + [""] * (width - len(r)) for r in records]
    cells = (
        pd.DataFrame(records, columns=range(width), dtype=str)
        if records
        else pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    )
    numbers = np.arange(index + 2, index + 2 + len(records), dtype=np.int64)
    problems = _uncached_formulas(path, data, name, headers, index + 1, options)
    return _RawTable(headers, cells, numbers, "xlsx", sheet=name, problems=problems, notes=notes, header_row=index + 1)


def _workbook(path: Path, data: bytes):
    """Return the sheet names and a function reading one sheet as rows of cell values."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a declared dependency
        return _workbook_openpyxl(path, data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types for a broken file
        raise UnreadableInputError(f"{path}: cannot read as .xlsx: {exc}") from None

    sheets: dict[str, object] = {}  # each sheet parsed once (the header search, then the rows)

    def load(name: str, nrows: int | None = None) -> list[list[object]]:
        try:
            if name not in sheets:
                sheets[name] = book.get_sheet_by_name(name)
            return sheets[name].to_python(skip_empty_area=False, nrows=nrows)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - calamine's own types for a broken sheet
            raise UnreadableInputError(f"{path}: cannot read worksheet {name!r}: {exc}") from None

    return names, load


def _workbook_openpyxl(path: Path, data: bytes):  # pragma: no cover - fallback
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file  # noqa: BLE001 - reported, not swallowed
        raise UnreadableInputError(f"{path}: cannot read as .xlsx: {exc}") from None

    def load(name: str, nrows: int | None = None) -> list[list[object]]:
        rows = book[name].iter_rows(values_only=True, max_row=nrows)
        return [list(r) for r in rows]

    return list(book.sheetnames), load


def _pick_sheet(path: Path, names: list[str], wanted: str | int) -> str:
    """Return the sheet named ``wanted``, or the ``wanted``-th sheet (1 = first)."""
    if str(wanted) in names:
        return str(wanted)
    if isinstance(wanted, int) or str(wanted).strip().isdigit():
        number = int(wanted)
        if 1 <= number <= len(names):
            return names[number - 1]
    raise UnreadableInputError(
        f"{path}: no worksheet {wanted!r}; the workbook has: "
        + ", ".join(f"{i} {n!r}" for i, n in enumerate(names, start=1))
    )


_FORMULA_RULE = (
    "formula without a stored value: the workbook was saved without calculating "
    "it, so the value is unknown (not empty); open it in Excel, let it calculate, "
    "save, and check again"
)


_ERROR_RULE = (
    "Excel error value instead of a value (a formula that failed, such as #DIV/0! "
    "or #N/A): correct it in Excel, save, and check again"
)


def _uncached_formulas(
    path: Path, data: bytes, sheet: str, headers: list[str], header_row: int, options: ReadOptions
) -> list[Problem]:
    """One problem per cell (at or below the header) without a usable value.

    Such a cell is a formula without a cached value (a ``<c>`` element with
    an ``<f>`` formula and no ``<v>``) or an error value (``t="e"``, such as
    ``#DIV/0!``). Both are read from the worksheet's XML: calamine reads
    them as empty cells and openpyxl the first also.
    """
    import zipfile
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = _sheet_member(archive, sheet)
        if member is None:
            return []
        xml = archive.read(member)
    if b"<f" not in xml and b":f" not in xml and b't="e"' not in xml:
        return []
    problems: list[Problem] = []
    for _, element in ElementTree.iterparse(io.BytesIO(_cells_that_may_lack_a_value(xml))):
        if not element.tag.endswith("}c"):
            continue
        children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
        value = children.get("v")
        uncached = "f" in children and (value is None or not (value.text or "")) and element.get("t") != "inlineStr"
        error = element.get("t") == "e"
        m = re.fullmatch(r"([A-Z]+)(\d+)", element.get("r", ""))
        if (uncached or error) and m and int(m[2]) >= header_row:
            position = _column_index(m[1])
            header = headers[position].strip() if position < len(headers) else ""
            if uncached:
                shown, rule = "=" + (children["f"].text or "(shared formula)"), _FORMULA_RULE
            else:
                shown = value.text if value is not None and value.text else "#ERROR"
                rule = _ERROR_RULE
            problems.append(
                Problem(
                    str(path),
                    int(m[2]),
                    header or f"(column {m[1]})",
                    WITHHELD if options.hides(header) else shown,
                    rule,
                )
            )
        element.clear()
    return problems


_MAY_LACK_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\st\s*=\s*[\"']e[\"']")
"""A formula element or an error mark: a cell without either has a usable value or is empty."""
_XML_CELL = re.compile(rb"<c(?=[\s>/])(?:[^>]*/>|.*?</c>)", re.DOTALL)


def _cells_that_may_lack_a_value(xml: bytes) -> bytes:
    """The worksheet XML with only the cells that hold a formula or an error mark.

    The sheet data (the rows) is replaced by those cells, everything around
    it stays as it is (the root element and its namespaces), so the XML
    parser sees a few cells instead of every cell of a large sheet and finds
    the same ones without a usable value. A sheet written with prefixed
    element names (``<x:c>``), comments or CDATA sections is returned whole.
    """
    begin, end = xml.find(b"<sheetData>"), xml.rfind(b"</sheetData>")
    if begin < 0 or end < begin or b"<!--" in xml or b"<![CDATA[" in xml or b":c " in xml or b":row " in xml:
        return xml
    begin += len(b"<sheetData>")
    starts: list[int] = []
    cells: list[bytes] = []
    for mark in _MAY_LACK_VALUE.finditer(xml, begin, end):
        start = mark.start() + 1
        while start >= 0:  # the last cell start before the mark (not <col, <cfRule ...)
            start = xml.rfind(b"<c", begin, start)
            if start < 0 or xml[start + 2 : start + 3] in (b" ", b"\t", b"\r", b"\n", b">", b"/"):
                break
        cell = _XML_CELL.match(xml, start) if start >= 0 else None
        if cell is None or cell.end() <= mark.start() or (starts and starts[-1] == start):
            continue  # not in a cell, or the cell is taken already
        starts.append(start)
        cells.append(cell[0])
    return xml[:begin] + b"".join(cells) + xml[end:]


def _sheet_member(archive, sheet: str) -> str | None:
    """Path inside the .xlsx zip of the worksheet named ``sheet``."""
    from xml.etree import ElementTree

    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    rel_id = None
    for element in book.iter():
        if element.tag.endswith("}sheet") and element.get("name") == sheet:
            rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
    for element in rels.iter():
        if element.get("Id") == rel_id:
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _column_index(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


# ---------------------------------------------------------------------------
# Header mapping
# ---------------------------------------------------------------------------
def _map_headers(
    path: Path,
    headers: list[str],
    empty_columns: set[int],
    *,
    lookup: dict[str, str] | None = None,
    header_row: int = 1,
    ignore: frozenset[str] = frozenset(),
    identifiers: frozenset[str] = frozenset(),
    constants: Sequence[str] = (),
) -> tuple[dict[str, int], list[Problem], list[Problem], dict[int, str]]:
    """Map canonical names to column positions.

    Returns
    -------
    tuple
        ``(mapping, errors, notes, identifiers)``: canonical name -> position;
        structural problems; notes; position -> kind of every direct-identifier
        column (see :func:`direct_identifier`; ``identifiers`` adds headers,
        normalised, declared as such in a profile). ``constants`` are the
        columns a profile gives one value for every row: they may not be in
        the file, and are not missing.
    """
    file = str(path)
    lookup = HEADER_LOOKUP if lookup is None else lookup
    mapping: dict[str, int] = {}
    errors: list[Problem] = []
    notes: list[Problem] = []
    unknown: list[int] = []
    found_identifiers: dict[int, str] = {}
    for pos, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            if pos not in empty_columns:
                notes.append(Problem(file, None, f"(column {pos + 1})", "", "column without a header, ignored"))
            continue
        name = lookup.get(key)
        if name is None:
            kind = "declared in the profile" if key in identifiers else direct_identifier(header)
            if kind is not None:
                found_identifiers[pos] = kind
                notes.append(Problem(file, None, header.strip(), "", IDENTIFIER_RULE.format(kind=kind)))
            elif key in ignore:
                notes.append(Problem(file, None, header.strip(), "", "column ignored, as declared in the profile"))
            else:
                unknown.append(pos)
            continue
        if name in mapping:
            errors.append(
                Problem(
                    file,
                    header_row,
                    header.strip(),
                    header.strip(),
                    f"column given twice{RULE_SEPARATOR}also as {headers[mapping[name]].strip()!r} "
                    f"(both mean {name!r})",
                )
            )
            continue
        mapping[name] = pos
    for name in constants:
        if name in mapping:
            header = headers[mapping[name]].strip()
            errors.append(
                Problem(
                    file,
                    header_row,
                    header,
                    header,
                    f"column given twice{RULE_SEPARATOR}in the file and as a constant in the "
                    f"profile (both mean {name!r}); remove one",
                )
            )
    if not mapping and not constants:
        shown = ", ".join(repr(h) for h in headers[:6])
        raise UnreadableInputError(
            f"{path}: no monitor column found in the header ({shown}); is this a monitor "
            f"file with its header in the first {_SCAN_ROWS} rows? Give the header row "
            "(--header-row N) or map the file's own column names in a profile (--profile)"
        )
    unknown_keys = {normalise_header(headers[p]): headers[p].strip() for p in unknown}
    for column in schema.MONITOR_COLUMNS:
        if column.name in mapping or column.name in constants or not column.required:
            continue
        near = closest_header(column.name, list(unknown_keys))
        hint = (
            f"closest header in the file: {unknown_keys[near]!r}"
            if near is not None
            else "no similar header among the unknown columns of the file"
        )
        errors.append(
            Problem(
                file,
                None,
                column.name,
                unknown_keys[near] if near is not None else "",
                f"required column is missing{RULE_SEPARATOR}expected {column.name!r} "
                f"or Dutch {column.alias_nl!r}; {hint}",
            )
        )
    for pos in unknown:
        notes.append(
            Problem(file, None, headers[pos].strip(), "", "unknown column, not part of the monitor format; ignored")
        )
    absent = [
        c.name for c in schema.MONITOR_COLUMNS if not c.required and c.name not in mapping and c.name not in constants
    ]
    if absent:
        notes.append(Problem(file, None, None, ", ".join(absent), "optional columns absent; their values are missing"))
    return mapping, errors, notes, found_identifiers


_HEADER_CUTOFF = 0.6
"""Lowest similarity (0-1) for an unknown header to be named as the likely missing column."""


def header_similarity(header: str, target: str) -> float:
    """Similarity of a normalised header to a normalised column name or alias.

    The best of: :class:`difflib.SequenceMatcher` ratio of the whole texts; the
    ratio against the start of the target of the header's length (an
    abbreviation such as ``formeel`` for ``formele_lvv_status``); 0.9 when one
    text contains the other (``persoon`` in ``persoon_id``).
    """
    if not header or not target:
        return 0.0
    if len(header) >= 3 and (header in target or target in header):
        return 0.9
    score = difflib.SequenceMatcher(None, header, target).ratio()
    if len(header) >= 4 and len(header) < len(target):
        score = max(score, difflib.SequenceMatcher(None, header, target[: len(header)]).ratio())
    return score


def closest_header(column: str, headers: list[str]) -> str | None:
    """Return the header most like a monitor column (its name or its Dutch alias).

    Parameters
    ----------
    column
        Canonical column name (see :data:`lvv_eval.reference.monitor_format.COLUMN_NAMES`).
    headers
        Candidate headers, normalised (:func:`normalise_header`).

    Returns
    -------
    str or None
        The best candidate with a similarity of at least 0.6, else ``None``.

    Examples
    --------
    >>> closest_header("formal_status", ["opmerking", "formeel"])
    'formeel'
    >>> closest_header("person_id", ["persoon", "pilott"])
    'persoon'
    >>> closest_header("exit_reason", ["persoon", "pilott"]) is None
    True
    """
    spec = schema.MONITOR_COLUMNS[schema.COLUMN_NAMES.index(column)]
    targets = (normalise_header(spec.name), normalise_header(spec.alias_nl))
    best, best_score = None, _HEADER_CUTOFF
    for header in headers:
        score = max(header_similarity(header, t) for t in targets)
        if score >= best_score and (best is None or score > best_score):
            best, best_score = header, score
    return best


def _parse_date_option(value: object, name: str) -> pd.Timestamp | None:
    """Return a date option as a midnight Timestamp; strings must be ``yyyy-mm-dd``."""
    if value is None:
        return None
    try:
        if isinstance(value, str):
            parsed = pd.Timestamp(dt.date.fromisoformat(value.strip()))
        else:
            parsed = pd.Timestamp(value)
    except (TypeError, ValueError):
        parsed = pd.NaT
    if pd.isna(parsed):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ConfigError(f"{name} {value!r} does not exist (no such day in the calendar)")
        raise ConfigError(f"{name} {value!r} is not a date (use yyyy-mm-dd)")
    return parsed.normalize()


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def read_monitor(
    path: str | Path,
    *,
    export_date: str | dt.date | pd.Timestamp | None = None,
    pilots_file: str | Path | None = None,
    strict: bool = True,
    peildatum: str | dt.date | pd.Timestamp | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    profile: str | Path | Profile | None = None,
    fast: bool = True,
) -> MonitorData:
    """Read and validate a person-level monitor file.

    Parameters
    ----------
    path
        CSV (comma, semicolon or tab; UTF-8 with or without BOM) or Excel
        ``.xlsx`` (first worksheet). Headers in English or Dutch, any case.
    export_date
        Day the file was exported (extracted from the registration system).
        A date after it cannot have happened yet: every intake, exit or
        scenario date after it is an error (rule "date is after the export
        date of the file"). This is *not* the peildatum of an analysis: to
        count a file at an earlier reference date, read it without
        ``export_date`` and pass the peildatum to :mod:`lvv_eval.stats.counts`,
        which counts later intakes as 'not yet started'.
    pilots_file
        Pilot table declaring the valid pilot codes (default: the five pilots
        shipped with the package, see :mod:`lvv_eval.reference.pilots`).
    strict
        If true (default), any broken rule raises :class:`InputValidationError`
        listing every problem. If false, invalid rows are excluded, listed in
        :attr:`MonitorData.exclusions` with their reasons, and the valid rows
        are returned.
    peildatum
        Deprecated alias of ``export_date`` (it always meant the export
        date); gives a :class:`DeprecationWarning`.
    sheet
        Worksheet of an ``.xlsx`` file to read: its name, or its number
        (1 = first). Default: the first worksheet with the monitor columns.
    header_row
        Row (1 = first line or worksheet row) that holds the header. Default:
        the first row with at least three known column names (title rows
        above it are skipped and named in a note).
    profile
        A mapping profile (YAML file or :class:`lvv_eval.sources.profiles.Profile`)
        with the municipality's own column names, spellings and codes,
        encoding, sheet and header row (see ``docs/data_dictionary.md``).
        ``sheet`` and ``header_row`` given here win over the profile.
    fast
        If true (default), the cells of a CSV file are read with pyarrow
        (about ten times faster at a million rows) whenever it reads them
        exactly as the reference reader does; odd files (rows with too few or
        too many fields, an unclosed quote, one column) fall back to the
        reference reader, pandas' C parser. False always uses the reference
        reader; the result is the same either way (``tests/test_monitor_fast.py``).

    Returns
    -------
    MonitorData
        Typed frame of the valid rows, problems, exclusions, flow table, source.

    Raises
    ------
    FileNotFoundError
        The file does not exist (message ``file not found: PATH``).
    UnreadableInputError
        The file is empty, binary, in no known text encoding, or not
        CSV/.xlsx (the message says what the file is and what to do).
    InputValidationError
        Always for problems with the file's structure (a required column
        missing, a column given twice, a row with too many fields), all
        reported together with the problems in the other rows; for row-level
        problems only when ``strict`` is true.
    ConfigError
        ``export_date`` is not a date, both ``export_date`` and
        ``peildatum`` are given, or the profile is invalid.

    Notes
    -----
    CSV text is decoded strictly: UTF-8 (with or without BOM), UTF-16/32 with
    a BOM, Windows-1252 (Dutch Excel's "CSV (;)"; ISO-8859-1 text reads the
    same), else the guess of charset-normalizer; any encoding other than
    UTF-8 is named in a note. A replacement character (U+FFFD) in any cell
    is an error, so a damaged conversion cannot pass unnoticed. Columns that
    hold direct identifiers (names, BSN, V-numbers, e-mail, phone, date of
    birth, address) are never read: they are listed in
    :attr:`MonitorData.identifiers` and in a note, and their values appear
    nowhere.
    """
    path = Path(path)
    file = str(path)
    if peildatum is not None:
        if export_date is not None:
            raise ConfigError("give export_date only (peildatum is its deprecated alias)")
        warnings.warn(
            "read_monitor(peildatum=...) is deprecated: it means the export date of the file; use export_date=...",
            DeprecationWarning,
            stacklevel=2,
        )
        export_date = peildatum
    limit = _parse_date_option(export_date, "export date")
    prof = _profile_option(profile)
    lookup = dict(HEADER_LOOKUP)
    if prof is not None:
        lookup.update(prof.columns)
    options = ReadOptions(
        sheet=sheet if sheet is not None else (prof.sheet if prof else None),
        header_row=_header_row_option(header_row if header_row is not None else (prof.header_row if prof else None)),
        encoding=prof.encoding if prof else None,
        known_headers=frozenset(lookup),
        identifiers=prof.identifiers if prof else frozenset(),
    )
    if not path.exists():
        raise FileNotFoundError(f"file not found: {path}")
    data = _read_file(path)  # read-only; the file is never written
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing releases the GIL: while parsing
        digest = pool.submit(hashlib.sha256, data)
        table = read_table(path, data, options, fast=fast)
        sha256 = digest.result().hexdigest()
    del data
    # the file's bytes and the text cells are freed: give their pages back rather than keep
    # them beside the arrays of the rules (about 100 MB less at the peak of a million rows)
    pa.default_memory_pool().release_unused()

    raw_all = table.raw_columns()
    empty_columns = {pos for pos, col in raw_all.items() if col.missing_unique.all()}
    try:
        mapping, structural, notes, id_positions = _map_headers(
            path,
            table.headers,
            empty_columns,
            lookup=lookup,
            header_row=table.header_row,
            ignore=prof.ignore if prof else frozenset(),
            identifiers=prof.identifiers if prof else frozenset(),
            constants=tuple(prof.constants) if prof else (),
        )
    except UnreadableInputError as exc:
        exc.notes = table.notes
        raise
    identifiers = {table.headers[pos].strip(): kind for pos, kind in id_positions.items()}
    notes = (
        table.notes + ([_note(file, f"profile {prof.name!r} applied", str(prof.path or ""))] if prof else []) + notes
    )
    structural += _replacement_characters(path, table, raw_all, set(id_positions))

    n_in_file = table.n_rows
    empty_row = np.ones(n_in_file, dtype=bool)
    for col in raw_all.values():
        empty_row &= col.missing
        if not empty_row.any():  # no row left that could be empty
            break
    keep = ~empty_row
    n_empty = int(empty_row.sum())
    if n_empty:
        rows = table.row_numbers[empty_row]
        notes.append(Problem(file, None, None, f"{n_empty} row(s)", "empty rows skipped: " + _row_list(rows)))
    row_numbers = table.row_numbers[keep]
    n_read = len(row_numbers)
    for pos in id_positions:  # never kept: the values of a direct identifier go nowhere
        del raw_all[pos]

    raw = {name: raw_all[pos].subset(keep) for name, pos in mapping.items()}
    headers = {name: table.headers[pos].strip() for name, pos in mapping.items()}
    if prof is not None:
        notes += _recode(file, raw, prof, headers)
        for name, value in prof.constants.items():
            if name not in raw:
                raw[name] = RawColumn(pd.Series(np.full(n_read, value, dtype=object)))
                headers[name] = name
                notes.append(
                    _note(
                        file,
                        f"column {name!r} is not in the file: every row has "
                        f"{value!r}, the constant declared in profile {prof.name!r}",
                    )
                )
    result = validate_columns(
        raw,
        row_numbers,
        pilots=pilot_codes(pilots_file),
        export_date=limit,
        lookup_exit_reason=taxonomy.lookup_exit_reason,
        closest_exit_reasons=taxonomy.closest_exit_reasons,
        exit_reason_codes=taxonomy.EXIT_REASON_CODES,
    )
    problems: list[Problem] = []
    reasons: dict[int, set[str]] = {}
    for f in result.findings:
        text = RULES[f.rule]
        for i, (r, value) in enumerate(zip(f.rows, f.values)):
            detail = f.details[i] if f.details is not None else ""
            problems.append(
                Problem(
                    file,
                    int(row_numbers[r]),
                    headers.get(f.column, f.column),
                    str(value),
                    text + (RULE_SEPARATOR + detail if detail else ""),
                )
            )
            reasons.setdefault(int(r), set()).add(f.rule)
    problems.sort(key=_problem_key)
    structural += table.problems
    if structural:
        raise MonitorValidationError(
            structural + problems,
            summary=f"{file}: {len(structural)} problem(s) with the columns, the cells or the "
            "number of fields in a row" + (f" and {len(problems)} in the other rows" if problems else ""),
            notes=notes,
            identifiers=identifiers,
        )
    if strict and problems:
        raise MonitorValidationError(
            problems,
            summary=f"{file}: {len(problems)} problem(s) in {len(reasons)} row(s) of {n_read}",
            notes=notes,
            identifiers=identifiers,
        )

    order = list(RULES)
    excluded = np.zeros(n_read, dtype=bool)
    excluded[list(reasons)] = True
    traj = raw.get("trajectory_id")
    records = []
    primary: dict[str, int] = {}
    for r in sorted(reasons):
        keys = sorted(reasons[r], key=order.index)
        primary[keys[0]] = primary.get(keys[0], 0) + 1
        records.append(
            {
                "file": file,
                "row": int(row_numbers[r]),
                "trajectory_id": traj.uniques[traj.codes[r]] if traj is not None else "",
                "reasons": RULE_SEPARATOR.join(RULES[k] for k in keys),
            }
        )
    exclusions = pd.DataFrame(records, columns=list(EXCLUSION_COLUMNS))
    exclusions["row"] = exclusions["row"].astype("int64")

    n_excluded = int(excluded.sum())
    n_analysed = n_read - n_excluded
    if n_in_file != n_empty + n_read or n_read != n_excluded + n_analysed or sum(primary.values()) != n_excluded:
        raise RuntimeError("row accounting does not add up")  # pragma: no cover
    steps = [("data rows in file", n_in_file), ("empty rows skipped", n_empty), ("rows read", n_read)]
    steps += [(excluded_step(RULES[k]), primary[k]) for k in order if k in primary]
    steps += [("rows excluded", n_excluded), ("rows analysed", n_analysed)]
    flow = pd.DataFrame(steps, columns=list(FLOW_COLUMNS))
    flow["rows"] = flow["rows"].astype("int64")

    frame = _typed_frame(result.columns, n_read)
    if n_excluded:  # (without a copy of every column when every row is kept)
        frame = frame.loc[~excluded].reset_index(drop=True)
    source = MonitorSource(
        path,
        sha256,
        n_read,
        table.file_format,
        table.delimiter,
        table.sheet,
        encoding=table.encoding,
        header_row=table.header_row,
        profile=prof.name if prof else None,
    )
    return MonitorData(frame, exclusions, problems, flow, source, notes, export_date=limit, identifiers=identifiers)


_REPLACEMENT_RULE = (
    "replacement character U+FFFD (\ufffd): a character was already lost before this "
    "file was read (a conversion with the wrong encoding); export it again "
    "from the source system as CSV UTF-8 or .xlsx"
)


def _replacement_characters(path: Path, table: _RawTable, raw: dict[int, RawColumn], hidden: set[int]) -> list[Problem]:
    """One problem per header or cell holding U+FFFD (values of identifiers withheld)."""
    file = str(path)
    problems = [
        Problem(file, table.header_row, h.strip(), h.strip(), _REPLACEMENT_RULE) for h in table.headers if "\ufffd" in h
    ]
    if table.no_replacement:  # the bytes read hold no U+FFFD: no cell can
        return problems
    for pos, col in raw.items():
        if col.arrow_uniques is not None:
            bad_u = np.append(
                np.asarray(pc.match_substring(col.arrow_uniques, "\ufffd").to_numpy(zero_copy_only=False), dtype=bool),
                False,
            )
        else:
            bad_u = np.fromiter(("\ufffd" in u for u in col.uniques), dtype=bool, count=len(col.uniques))
        if not bad_u.any():
            continue
        header = table.headers[pos].strip() or f"(column {pos + 1})"
        for r in np.flatnonzero(bad_u[col.codes]):
            value = WITHHELD if pos in hidden else str(col.uniques[col.codes[r]])
            problems.append(Problem(file, int(table.row_numbers[r]), header, value, _REPLACEMENT_RULE))
    return problems


def _recode(file: str, raw: dict[str, RawColumn], prof: Profile, headers: dict[str, str]) -> list[Problem]:
    """Apply a profile's value mappings to the raw columns; return a note per column."""
    notes = []
    for name, mapping in prof.values.items():
        if name not in raw or not mapping:
            continue
        raw[name], n_values, n_rows = raw[name].recoded(mapping)
        if n_values:
            notes.append(
                _note(
                    file,
                    f"{n_values} value(s) in column {headers[name]!r} recoded by profile {prof.name!r}",
                    f"{n_rows} row(s)",
                )
            )
    return notes


def _profile_option(profile: str | Path | Profile | None) -> Profile | None:
    if profile is None:
        return None
    from lvv_eval.sources.profiles import Profile, load_profile

    return profile if isinstance(profile, Profile) else load_profile(profile)


def _header_row_option(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"header row {value!r} is not a row number (1 = first row)")
    return value


def read_cells(path: str | Path) -> pd.DataFrame:
    """Read a monitor file as text cells, the way :func:`read_monitor` does, without checking it.

    For commands that need only some columns (``lvv-eval classify``): the
    same readers (CSV delimiter and encoding, first worksheet of an .xlsx) and
    the same rule for empty rows (every cell blank, such as Excel's
    ``;;;;;;`` line: skipped), so every command counts the same rows.

    Returns
    -------
    pandas.DataFrame
        One column per header as written in the file, text cells (blank =
        ``""``), indexed by spreadsheet row number (header = row 1).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    UnreadableInputError
        The file is empty, binary, not UTF-8, or not CSV/.xlsx.
    InputValidationError
        A row has more fields than the header.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"file not found: {path}")
    table = read_table(path, path.read_bytes(), ReadOptions(known_headers=frozenset(HEADER_LOOKUP)))
    if table.problems:
        raise InputValidationError(
            table.problems, summary=f"{path}: {len(table.problems)} row(s) with more fields than the header"
        )
    cells = table._text_cells().astype(str)
    keep = ~(cells.apply(lambda col: col.str.strip() == "")).all(axis=1).to_numpy()
    cells = cells.loc[keep]
    cells.columns = [h.strip() for h in table.headers[: cells.shape[1]]]
    cells.index = pd.Index(table.row_numbers[keep], name="row")
    return cells


def _problem_key(p: Problem) -> tuple:
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.rule)


def _row_list(rows: np.ndarray, first: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:first])
    return "rows " + shown + (", ..." if len(rows) > first else "")


def _typed_frame(columns: dict[str, object], n_rows: int) -> pd.DataFrame:
    """Assemble the typed frame; absent columns become all-missing with the schema dtype."""
    data = {}
    for column in schema.MONITOR_COLUMNS:
        if column.name in columns:
            data[column.name] = pd.Series(columns[column.name], copy=False)
        else:
            data[column.name] = _missing_series(column.name, n_rows)
    frame = pd.DataFrame(data, copy=False)  # the arrays are the frame's own: no copy
    for column in schema.MONITOR_COLUMNS:
        if column.dtype != "category" and str(frame[column.name].dtype) != column.dtype:
            frame[column.name] = frame[column.name].astype(column.dtype)
    return frame


def _missing_series(name: str, n_rows: int) -> pd.Series:
    categories = {
        "pilot": None,
        "exit_reason": list(taxonomy.EXIT_REASON_CODES),
        "scenario": list(schema.SCENARIO_CODES),
        "sex": list(schema.SEX_CODES),
    }
    dtype = schema.MONITOR_COLUMNS[schema.COLUMN_NAMES.index(name)].dtype
    if dtype == "category":
        return pd.Series(pd.Categorical.from_codes(np.full(n_rows, -1), categories[name]))
    return pd.Series(pd.array([None] * n_rows, dtype=dtype))


def write_monitor(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a typed monitor frame as canonical CSV.

    Canonical means: UTF-8 without BOM, comma separated, ``\\n`` line ends,
    the columns of :data:`lvv_eval.reference.monitor_format.COLUMN_NAMES` in order (other
    columns are not written), rows sorted by ``trajectory_id``, dates
    ``yyyy-mm-dd``, booleans ``true``/``false``, missing values empty. For a
    typed frame ``x`` sorted by ``trajectory_id``,
    ``read_monitor(write_monitor(x, p)).frame`` equals ``x``.

    Parameters
    ----------
    frame
        Typed monitor frame (as returned by :func:`read_monitor`).
    path
        Output file; its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        A monitor column is missing from ``frame``.
    """
    missing = [c for c in schema.COLUMN_NAMES if c not in frame.columns]
    if missing:
        raise ArgumentError(f"write_monitor: frame lacks the monitor column(s) {missing}")
    order = (
        frame["trajectory_id"]
        .astype("string")
        .reset_index(drop=True)
        .sort_values(kind="mergesort", na_position="last")
        .index.to_numpy()
    )
    columns = [_column_text(frame[c.name], c.dtype)[order] for c in schema.MONITOR_COLUMNS]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(schema.COLUMN_NAMES)
        writer.writerows(zip(*columns))
    return path


def _column_text(series: pd.Series, dtype: str) -> np.ndarray:
    """Canonical text of one column (object array; missing values as ``""``)."""
    if dtype.startswith("datetime"):
        days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
        text = np.datetime_as_string(days, unit="D").astype(object)
        text[np.isnat(days)] = ""
        return text
    if dtype == "boolean":
        values = series.astype("boolean")
        text = np.where(values.fillna(False).to_numpy(dtype=bool), "true", "false").astype(object)
        text[values.isna().to_numpy()] = ""
        return text
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = np.array([str(u) for u in np.asarray(uniques, dtype=object)] + [""], dtype=object)
    return labels[np.where(codes < 0, len(labels) - 1, codes)]
