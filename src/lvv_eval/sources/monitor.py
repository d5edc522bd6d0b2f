"""Read, validate and write person-level monitor files.

A monitor file has one row per trajectory (one stay of one person in one LVV)
in the exchange format of ``shared/monitor-format.md`` (columns in
:mod:`lvv_eval.reference.monitor_format`; documented for users in ``docs/data_dictionary.md``).
:func:`read_monitor` accepts what municipalities produce by hand: CSV with a
comma or semicolon, UTF-8 with or without BOM, English or Dutch headers,
dates as ``yyyy-mm-dd`` or ``dd-mm-yyyy``, Dutch booleans, decimal commas, and
Excel ``.xlsx``. It returns the typed frame of the valid rows together with
every problem found, the excluded rows and a flow table (rows read, excluded
per first reason, analysed). :func:`write_monitor` writes the canonical CSV that
:func:`read_monitor` reads back unchanged.

The input file is only ever opened for reading.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lvv_eval.reference import monitor_format as schema
from lvv_eval.reference import taxonomy
from lvv_eval.errors import ConfigError, InputValidationError, LvvEvalError, Problem
from lvv_eval.sources.monitor_rules import (
    RULE_SEPARATOR,
    RULES,
    RawColumn,
    rule_rank,
    rule_text,
    validate_columns,
)
from lvv_eval.reference.pilots import pilot_codes

__all__ = [
    "MonitorData",
    "MonitorSource",
    "UnreadableInputError",
    "read_cells",
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
    """The file cannot be read as a monitor file at all (empty, binary, wrong format)."""


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
    """

    path: Path
    sha256: str
    n_rows: int
    file_format: str
    delimiter: str | None = None
    sheet: str | None = None


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
    """

    frame: pd.DataFrame
    exclusions: pd.DataFrame
    problems: list[Problem]
    flow: pd.DataFrame
    source: MonitorSource
    notes: list[Problem] = field(default_factory=list)
    export_date: pd.Timestamp | None = None

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
        records.append({"rule": rule, "problems": len(groups[rule]), "rows": len(rows),
                        "first_rows": shown})
    return pd.DataFrame(records, columns=["rule", "problems", "rows", "first_rows"])


# ---------------------------------------------------------------------------
# Raw table
# ---------------------------------------------------------------------------
@dataclass
class _RawTable:
    headers: list[str]
    cells: pd.DataFrame  # positional columns, text cells
    row_numbers: np.ndarray  # spreadsheet row of each data row
    file_format: str
    delimiter: str | None = None
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)  # rows with too many fields


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


_HEADER_LOOKUP: dict[str, str] = {
    **{normalise_header(c.alias_nl): c.name for c in schema.MONITOR_COLUMNS},
    **{normalise_header(c.name): c.name for c in schema.MONITOR_COLUMNS},
}


def _read_table(path: Path, data: bytes) -> _RawTable:
    if not data.strip():
        raise UnreadableInputError(f"{path}: the file is empty")
    if data.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise UnreadableInputError(
            f"{path}: old Excel .xls format is not supported; save the sheet as .xlsx or CSV")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(path, data)
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        raise UnreadableInputError(f"{path}: not a valid .xlsx file")
    return _read_csv(path, data)


def _sniff_delimiter(header_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, data: bytes) -> _RawTable:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInputError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8 or .xlsx"
        ) from None
    if "\x00" in text:
        raise UnreadableInputError(f"{path}: binary content; expected a CSV or .xlsx file")
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = _sniff_delimiter(header_line)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, quotechar='"', engine="c",
        )
    except pd.errors.ParserError:
        return _read_csv_ragged(path, text, delimiter)
    except pd.errors.EmptyDataError:
        raise UnreadableInputError(f"{path}: the file is empty") from None
    # leading blank lines before the header
    first = 0
    while first < len(table) and (table.iloc[first] == "").all():
        first += 1
    if first == len(table):
        raise UnreadableInputError(f"{path}: the file is empty")
    headers = [str(h) for h in table.iloc[first]]
    cells = table.iloc[first + 1:].reset_index(drop=True)
    cells.columns = range(cells.shape[1])
    rows = np.arange(first + 2, first + 2 + len(cells), dtype=np.int64)
    return _RawTable(headers, cells, rows, "csv", delimiter=delimiter)


def _read_csv_ragged(path: Path, text: str, delimiter: str) -> _RawTable:
    """Read a CSV file in which some rows have more fields than the header.

    Every such row becomes a :class:`Problem` in ``_RawTable.problems`` and is
    left out of the cells; the other rows (shorter ones padded with empty
    cells) are read as usual, so the header and the remaining rows can still be
    checked and every problem reported at once. Rows are numbered by record, as
    in a spreadsheet (header = row 1), like the regular reader does.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        records = list(reader)
    except csv.Error as exc:
        raise UnreadableInputError(f"{path}: cannot parse as CSV: {exc}") from None
    first = 0
    while first < len(records) and not any(f.strip() for f in records[first]):
        first += 1
    if first == len(records):
        raise UnreadableInputError(f"{path}: the file is empty")
    headers = records[first]
    width = len(headers)
    problems: list[Problem] = []
    kept: list[list[str]] = []
    numbers: list[int] = []
    for index in range(first + 1, len(records)):
        record = records[index]
        if len(record) > width:
            problems.append(Problem(
                str(path), index + 1, None, delimiter.join(record),
                f"row has {len(record)} fields but the header has {width}"
                f"{RULE_SEPARATOR}a value containing {delimiter!r} must be quoted",
            ))
            continue
        kept.append(record + [""] * (width - len(record)))
        numbers.append(index + 1)
    if not problems:
        raise UnreadableInputError(f"{path}: cannot parse as CSV")
    cells = pd.DataFrame(kept, columns=range(width), dtype=str) if kept else \
        pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    return _RawTable(headers, cells, np.array(numbers, dtype=np.int64), "csv",
                     delimiter=delimiter, problems=problems)


def _cell_text(value: object) -> str:
    """Text of an Excel cell: dates as ISO, whole floats without ``.0``, booleans true/false."""
    if value is None:
        return ""
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
    return str(value)


def _read_xlsx(path: Path, data: bytes) -> _RawTable:
    import openpyxl  # imported here: only needed for Excel input

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise UnreadableInputError(f"{path}: cannot read as .xlsx: {exc}") from None
    try:
        if not book.worksheets:
            raise UnreadableInputError(f"{path}: the workbook has no worksheet")
        sheet = book.worksheets[0]
        headers: list[str] | None = None
        records: list[list[str]] = []
        numbers: list[int] = []
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            texts = [_cell_text(v) for v in values]
            if headers is None:
                if any(t.strip() for t in texts):
                    headers = texts
                continue
            records.append(texts)
            numbers.append(number)
        title = sheet.title
    finally:
        book.close()
    if headers is None:
        raise UnreadableInputError(f"{path}: the first worksheet is empty")
    width = max([len(headers), *(len(r) for r in records)])
    headers = headers + [""] * (width - len(headers))
    records = [r + [""] * (width - len(r)) for r in records]
    cells = pd.DataFrame(records, columns=range(width), dtype=str) if records else \
        pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    return _RawTable(headers, cells, np.array(numbers, dtype=np.int64), "xlsx", sheet=title)


# ---------------------------------------------------------------------------
# Header mapping
# ---------------------------------------------------------------------------
def _map_headers(path: Path, headers: list[str], empty_columns: set[int]
                 ) -> tuple[dict[str, int], list[Problem], list[Problem]]:
    """Map canonical names to column positions; return (mapping, errors, notes)."""
    file = str(path)
    mapping: dict[str, int] = {}
    errors: list[Problem] = []
    notes: list[Problem] = []
    unknown: list[int] = []
    for pos, header in enumerate(headers):
        key = normalise_header(header)
        if not key:
            if pos not in empty_columns:
                notes.append(Problem(file, None, f"(column {pos + 1})", "",
                                     "column without a header, ignored"))
            continue
        name = _HEADER_LOOKUP.get(key)
        if name is None:
            unknown.append(pos)
            continue
        if name in mapping:
            errors.append(Problem(
                file, 1, header.strip(), header.strip(),
                f"column given twice{RULE_SEPARATOR}also as {headers[mapping[name]].strip()!r} "
                f"(both mean {name!r})"))
            continue
        mapping[name] = pos
    if not mapping:
        shown = ", ".join(repr(h) for h in headers[:6])
        raise UnreadableInputError(
            f"{path}: no monitor column found in the header ({shown}); "
            "is this a monitor file with the header on the first line?")
    unknown_keys = {normalise_header(headers[p]): headers[p].strip() for p in unknown}
    for column in schema.MONITOR_COLUMNS:
        if column.name in mapping or not column.required:
            continue
        near = closest_header(column.name, list(unknown_keys))
        hint = (f"closest header in the file: {unknown_keys[near]!r}" if near is not None
                else "no similar header among the unknown columns of the file")
        errors.append(Problem(
            file, None, column.name, unknown_keys[near] if near is not None else "",
            f"required column is missing{RULE_SEPARATOR}expected {column.name!r} "
            f"or Dutch {column.alias_nl!r}; {hint}"))
    for pos in unknown:
        notes.append(Problem(file, None, headers[pos].strip(), "",
                             "unknown column, not part of the monitor format; ignored"))
    absent = [c.name for c in schema.MONITOR_COLUMNS if not c.required and c.name not in mapping]
    if absent:
        notes.append(Problem(file, None, None, ", ".join(absent),
                             "optional columns absent; their values are missing"))
    return mapping, errors, notes


_HEADER_CUTOFF = 0.6
"""Lowest similarity (0-1) for an unknown header to be named as the likely missing column."""


def _header_similarity(header: str, target: str) -> float:
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
        score = max(score, difflib.SequenceMatcher(None, header, target[:len(header)]).ratio())
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
        score = max(_header_similarity(header, t) for t in targets)
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

    Returns
    -------
    MonitorData
        Typed frame of the valid rows, problems, exclusions, flow table, source.

    Raises
    ------
    FileNotFoundError
        The file does not exist (message ``file not found: PATH``).
    UnreadableInputError
        The file is empty, binary, not UTF-8, or not CSV/.xlsx.
    InputValidationError
        Always for problems with the file's structure (a required column
        missing, a column given twice, a row with too many fields), all
        reported together with the problems in the other rows; for row-level
        problems only when ``strict`` is true.
    ConfigError
        ``export_date`` is not a date, or both ``export_date`` and
        ``peildatum`` are given.
    """
    path = Path(path)
    file = str(path)
    if peildatum is not None:
        if export_date is not None:
            raise ConfigError("give export_date only (peildatum is its deprecated alias)")
        warnings.warn("read_monitor(peildatum=...) is deprecated: it means the export date of "
                      "the file; use export_date=...", DeprecationWarning, stacklevel=2)
        export_date = peildatum
    limit = _parse_date_option(export_date, "export date")
    if not path.exists():
        raise FileNotFoundError(f"file not found: {path}")
    data = path.read_bytes()  # read-only; the file is never written
    sha256 = hashlib.sha256(data).hexdigest()
    table = _read_table(path, data)
    del data

    raw_all = {pos: RawColumn(table.cells[pos]) for pos in table.cells.columns}
    empty_columns = {pos for pos, col in raw_all.items() if col.missing_unique.all()}
    mapping, structural, notes = _map_headers(path, table.headers, empty_columns)

    n_in_file = len(table.cells)
    empty_row = np.ones(n_in_file, dtype=bool)
    for col in raw_all.values():
        empty_row &= col.missing
    keep = ~empty_row
    n_empty = int(empty_row.sum())
    if n_empty:
        rows = table.row_numbers[empty_row]
        notes.append(Problem(file, None, None, f"{n_empty} row(s)",
                             "empty rows skipped: " + _row_list(rows)))
    row_numbers = table.row_numbers[keep]
    n_read = len(row_numbers)

    raw = {name: raw_all[pos].subset(keep) for name, pos in mapping.items()}
    result = validate_columns(
        raw, row_numbers,
        pilots=pilot_codes(pilots_file), export_date=limit,
        lookup_exit_reason=taxonomy.lookup_exit_reason,
        closest_exit_reasons=taxonomy.closest_exit_reasons,
        exit_reason_codes=taxonomy.EXIT_REASON_CODES,
    )
    headers = {name: table.headers[pos].strip() for name, pos in mapping.items()}
    problems: list[Problem] = []
    reasons: dict[int, set[str]] = {}
    for f in result.findings:
        text = RULES[f.rule]
        for i, (r, value) in enumerate(zip(f.rows, f.values)):
            detail = f.details[i] if f.details is not None else ""
            problems.append(Problem(
                file, int(row_numbers[r]), headers.get(f.column, f.column), str(value),
                text + (RULE_SEPARATOR + detail if detail else "")))
            reasons.setdefault(int(r), set()).add(f.rule)
    problems.sort(key=_problem_key)
    structural += table.problems
    if structural:
        raise InputValidationError(
            structural + problems,
            summary=f"{file}: {len(structural)} problem(s) with the columns or the number of "
            "fields in a row" + (f" and {len(problems)} in the other rows" if problems else ""))
    if strict and problems:
        raise InputValidationError(
            problems, summary=f"{file}: {len(problems)} problem(s) in {len(reasons)} row(s) "
            f"of {n_read}")

    order = list(RULES)
    excluded = np.zeros(n_read, dtype=bool)
    excluded[list(reasons)] = True
    traj_values = raw["trajectory_id"].values() if "trajectory_id" in raw else None
    records = []
    primary: dict[str, int] = {}
    for r in sorted(reasons):
        keys = sorted(reasons[r], key=order.index)
        primary[keys[0]] = primary.get(keys[0], 0) + 1
        records.append({
            "file": file, "row": int(row_numbers[r]),
            "trajectory_id": traj_values[r] if traj_values is not None else "",
            "reasons": RULE_SEPARATOR.join(RULES[k] for k in keys),
        })
    exclusions = pd.DataFrame(records, columns=list(EXCLUSION_COLUMNS))
    exclusions["row"] = exclusions["row"].astype("int64")

    n_excluded = int(excluded.sum())
    n_analysed = n_read - n_excluded
    if n_in_file != n_empty + n_read or n_read != n_excluded + n_analysed \
            or sum(primary.values()) != n_excluded:
        raise RuntimeError("row accounting does not add up")  # pragma: no cover
    steps = [("data rows in file", n_in_file), ("empty rows skipped", n_empty),
             ("rows read", n_read)]
    steps += [(excluded_step(RULES[k]), primary[k]) for k in order if k in primary]
    steps += [("rows excluded", n_excluded), ("rows analysed", n_analysed)]
    flow = pd.DataFrame(steps, columns=list(FLOW_COLUMNS))
    flow["rows"] = flow["rows"].astype("int64")

    frame = _typed_frame(result.columns, n_read)
    frame = frame.loc[~excluded].reset_index(drop=True)
    source = MonitorSource(path, sha256, n_read, table.file_format, table.delimiter, table.sheet)
    return MonitorData(frame, exclusions, problems, flow, source, notes, export_date=limit)


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
    table = _read_table(path, path.read_bytes())
    if table.problems:
        raise InputValidationError(table.problems, summary=f"{path}: {len(table.problems)} row(s) with more "
                                   "fields than the header")
    cells = table.cells.astype(str)
    keep = ~(cells.apply(lambda col: col.str.strip() == "")).all(axis=1).to_numpy()
    cells = cells.loc[keep]
    cells.columns = [h.strip() for h in table.headers[:cells.shape[1]]]
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
    frame = pd.DataFrame(data)
    for column in schema.MONITOR_COLUMNS:
        if column.dtype != "category" and str(frame[column.name].dtype) != column.dtype:
            frame[column.name] = frame[column.name].astype(column.dtype)
    return frame


def _missing_series(name: str, n_rows: int) -> pd.Series:
    categories = {
        "pilot": None, "exit_reason": list(taxonomy.EXIT_REASON_CODES),
        "scenario": list(schema.SCENARIO_CODES), "sex": list(schema.SEX_CODES),
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
        raise ValueError(f"write_monitor: frame lacks the monitor column(s) {missing}")
    order = (frame["trajectory_id"].astype("string").reset_index(drop=True)
             .sort_values(kind="mergesort", na_position="last").index.to_numpy())
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
