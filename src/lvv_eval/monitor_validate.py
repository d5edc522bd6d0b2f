"""Parse and validate the columns of a person-level monitor file.

This module turns a table of raw text cells (one column per canonical monitor
column, see :mod:`lvv_eval.schema`) into typed columns and a list of
:class:`Finding` objects, one per broken rule. Reading the file and turning
findings into :class:`~lvv_eval.errors.Problem` objects is done by
:mod:`lvv_eval.monitor`.

Everything is vectorised: a column is factorised once and every parser works
on its distinct values only, so a file of a million rows with a few thousand
distinct dates costs a few thousand parses. Python loops run only over the
rows that have a problem (and, for overlapping stays, over the people whose
stays overlap).

The rules are documented for users in ``docs/data_dictionary.md``; the format
itself is ``shared/monitor-format.md``.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from lvv_eval import schema

# ---------------------------------------------------------------------------
# Rules: key -> text shown to the user. The order is the order in which an
# excluded row is attributed to a rule in the flow table (its first rule).
# Rule texts never contain ";" - details are appended after "; ".
# ---------------------------------------------------------------------------
RULES: dict[str, str] = {
    "required_value_missing": "required value is missing",
    "unknown_pilot": "unknown pilot code (not in the pilot table)",
    "invalid_date": "not a valid date (use yyyy-mm-dd or dd-mm-yyyy)",
    "unknown_exit_reason": "unknown exit reason",
    "invalid_boolean": "not a boolean (true/false, ja/nee, yes/no, 1/0)",
    "invalid_scenario": "not a scenario (departure/vertrek, residence/verblijf or empty)",
    "invalid_sex": "not a sex code (m, f/v, x or empty)",
    "non_integer": "not a whole number",
    "negative": "negative number",
    "invalid_nationality": "nationality is not a 3-letter ISO 3166-1 alpha-3 code",
    "exit_reason_without_exit_date": "exit_reason is given but exit_date is empty",
    "exit_date_without_exit_reason": "exit_date is given but exit_reason is empty",
    "exit_before_intake": "exit_date is before intake_date",
    "intake_too_early": (
        f"intake_date is before {schema.EARLIEST_INTAKE:%Y-%m-%d} (start of the first pilots)"
    ),
    "after_export_date": "date is after the export date of the file",
    "scenario_before_intake": "scenario_date is before intake_date",
    "duplicate_trajectory_id": "trajectory_id is not unique",
    "overlapping_stays": "stays of one person overlap",
}
"""Row-level rules, in the order used to attribute an excluded row in the flow table."""

RULE_SEPARATOR = "; "

MAX_EXPLAINED_EXIT_REASONS = 50
"""Distinct unknown exit reasons (the most frequent) given closest-match suggestions; the rest are listed without."""
"""Separates the rule text from its details in :attr:`Problem.rule`."""

_TEXT_TO_KEY: dict[str, str] = {text: key for key, text in RULES.items()}


def rule_text(problem_rule: str) -> str:
    """Return the rule part of a problem's ``rule`` text, without its details.

    Examples
    --------
    >>> rule_text("unknown exit reason; closest known: deceased")
    'unknown exit reason'
    """
    return problem_rule.split(RULE_SEPARATOR, 1)[0]


def rule_rank(text: str) -> int:
    """Return the position of a rule text in :data:`RULES` (unknown rules sort last)."""
    key = _TEXT_TO_KEY.get(text)
    return list(RULES).index(key) if key is not None else len(RULES)


@dataclass
class Finding:
    """Rows of the table that break one rule in one column.

    Attributes
    ----------
    rule
        Key in :data:`RULES`.
    column
        Canonical column name.
    rows
        Positional row indices (0-based, into the raw table).
    values
        The offending value of each row, as text.
    details
        Optional detail per row (closest matches, the other rows involved).
    """

    rule: str
    column: str
    rows: np.ndarray
    values: Sequence[str]
    details: Sequence[str] | None = None


@dataclass
class ValidationResult:
    """Typed columns of every row (``NA`` where invalid) and the findings."""

    columns: dict[str, pd.api.extensions.ExtensionArray | np.ndarray]
    findings: list[Finding] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Factorised raw column
# ---------------------------------------------------------------------------
class RawColumn:
    """A raw text column stored as codes into its distinct stripped values.

    Parameters
    ----------
    raw
        Cells as text; ``NaN``/``None`` and blank cells count as missing.
    """

    def __init__(self, raw: pd.Series) -> None:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        clean = [u.strip() if isinstance(u, str) else str(u).strip()
                 for u in np.asarray(uniques, dtype=object)]
        clean.append("")  # slot for NaN cells
        codes = np.where(codes < 0, len(clean) - 1, codes)
        self.codes: np.ndarray = codes
        self.uniques: np.ndarray = np.array(clean, dtype=object)
        self.missing_unique: np.ndarray = self.uniques == ""

    def subset(self, mask: np.ndarray) -> "RawColumn":
        """Return the column restricted to the rows where ``mask`` is true."""
        new = object.__new__(RawColumn)
        new.codes = self.codes[mask]
        new.uniques = self.uniques
        new.missing_unique = self.missing_unique
        return new

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def missing(self) -> np.ndarray:
        """Boolean mask of the rows whose cell is empty."""
        return self.missing_unique[self.codes]

    def values(self) -> np.ndarray:
        """Return the stripped text of every row (object array, ``""`` when missing)."""
        return self.uniques[self.codes]


_INVALID = object()
"""Marker returned by a parser for a value it cannot parse."""


def _parse_unique(col: RawColumn, parse: Callable[[str], object]) -> tuple[np.ndarray, np.ndarray]:
    """Parse the distinct values of a column.

    Returns
    -------
    tuple
        ``(values_per_unique, invalid_per_unique)``; missing values give ``None``
        and are not invalid.
    """
    values = np.empty(len(col.uniques), dtype=object)
    invalid = np.zeros(len(col.uniques), dtype=bool)
    for i, text in enumerate(col.uniques):
        if text == "":
            values[i] = None
            continue
        parsed = parse(text)
        if parsed is _INVALID:
            invalid[i] = True
            values[i] = None
        else:
            values[i] = parsed
    return values, invalid


# ---------------------------------------------------------------------------
# Value parsers (one distinct value at a time)
# ---------------------------------------------------------------------------
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$")
_INTEGER = re.compile(r"^[+-]?\d+(?:[.,]0*)?$")
_NATIONALITY = re.compile(r"^[A-Za-z]{3}$")


def parse_date(text: str) -> object:
    """Parse one date: ``yyyy-mm-dd``, ``dd-mm-yyyy`` or ``dd/mm/yyyy``.

    Returns a ``numpy.datetime64`` (unit us) or the invalid marker.

    Examples
    --------
    >>> str(parse_date("01-04-2019")), str(parse_date("1/4/2019"))
    ('2019-04-01T00:00:00.000000', '2019-04-01T00:00:00.000000')
    >>> parse_date("31-02-2020") is _INVALID
    True
    """
    m = _ISO_DATE.match(text)
    if m:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DMY_DATE.match(text)
        if not m:
            return _INVALID
        day, month, year = int(m[1]), int(m[3]), int(m[4])
    try:
        return np.datetime64(pd.Timestamp(year=year, month=month, day=day).date(), "us")
    except ValueError:
        return _INVALID


def parse_integer(text: str) -> object:
    """Parse a whole number; a decimal comma or point with zeros (``1990,0``) is allowed.

    Examples
    --------
    >>> parse_integer("1990,0"), parse_integer("-2")
    (1990, -2)
    >>> parse_integer("2,5") is _INVALID
    True
    """
    if not _INTEGER.match(text):
        return _INVALID
    return int(re.split(r"[.,]", text, maxsplit=1)[0])


def _alias_parser(aliases: dict[str, object]) -> Callable[[str], object]:
    def parse(text: str) -> object:
        return aliases.get(text.lower(), _INVALID)

    return parse


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------
def _finding(rule: str, column: str, mask: np.ndarray, col: RawColumn | None,
             values: np.ndarray | None = None,
             details: Sequence[str] | None = None) -> Finding | None:
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return None
    if values is None:
        values = col.uniques[col.codes[rows]] if col is not None else np.full(len(rows), "")
    return Finding(rule, column, rows, list(values), details)


def _closest(value: str, choices: Sequence[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(value.lower(), list(choices), n=n, cutoff=0.5)


def validate_columns(
    raw: Mapping[str, RawColumn | pd.Series],
    row_numbers: np.ndarray,
    *,
    pilots: Sequence[str],
    export_date: pd.Timestamp | None = None,
    lookup_exit_reason: Callable[[str], str | None],
    closest_exit_reasons: Callable[[str], list[str]],
    exit_reason_codes: Sequence[str],
) -> ValidationResult:
    """Parse the raw text columns and check every row-level rule.

    Parameters
    ----------
    raw
        Canonical column name -> raw text cells or an already factorised
        :class:`RawColumn` (absent columns are simply not in the mapping; their
        rules are skipped).
    row_numbers
        Spreadsheet row number of each row (header = row 1), used in details.
    pilots
        Declared pilot codes (lower case), see :func:`lvv_eval.pilots.pilot_codes`.
    export_date
        Day the file was exported; a date after it cannot have happened yet
        and breaks the rule ``after_export_date``.
    lookup_exit_reason, closest_exit_reasons, exit_reason_codes
        The exit-reason taxonomy (:mod:`lvv_eval.taxonomy`).

    Returns
    -------
    ValidationResult
        Typed column arrays for all rows (missing or invalid cells are
        ``NA``/``NaT``) and the findings.
    """
    cols = {name: col if isinstance(col, RawColumn) else RawColumn(col)
            for name, col in raw.items()}
    findings: list[Finding | None] = []
    out: dict[str, object] = {}

    def add(f: Finding | None) -> None:
        if f is not None:
            findings.append(f)

    # required values
    for name in ("trajectory_id", "person_id", "pilot", "intake_date", "formal_status"):
        if name in cols:
            add(_finding("required_value_missing", name, cols[name].missing, cols[name]))

    # identifiers
    for name in ("trajectory_id", "person_id"):
        if name in cols:
            col = cols[name]
            uniques = np.where(col.missing_unique, None, col.uniques)
            out[name] = pd.array(uniques[col.codes], dtype="string")

    # pilot
    if "pilot" in cols:
        col = cols["pilot"]
        categories = sorted(pilots)
        index = {code: i for i, code in enumerate(categories)}
        codes_u = np.array([index.get(u.lower(), -1) for u in col.uniques], dtype=np.int64)
        bad_u = (codes_u < 0) & ~col.missing_unique
        bad = bad_u[col.codes]
        rows = np.flatnonzero(bad)
        details_u = {u: _pilot_detail(u, categories) for u in col.uniques[bad_u]}
        vals = col.uniques[col.codes[rows]]
        add(_finding("unknown_pilot", "pilot", bad, col, vals, [details_u[v] for v in vals]))
        out["pilot"] = pd.Categorical.from_codes(codes_u[col.codes], categories=categories)

    # dates
    dates: dict[str, np.ndarray] = {}
    for name in ("intake_date", "exit_date", "scenario_date"):
        if name in cols:
            col = cols[name]
            vals_u, bad_u = _parse_unique(col, parse_date)
            arr_u = np.array([v if v is not None else np.datetime64("NaT", "us") for v in vals_u],
                             dtype="datetime64[us]")
            add(_finding("invalid_date", name, bad_u[col.codes], col))
            dates[name] = arr_u[col.codes]
            out[name] = dates[name]

    # exit reason
    if "exit_reason" in cols:
        col = cols["exit_reason"]
        categories = list(exit_reason_codes)
        index = {code: i for i, code in enumerate(categories)}
        codes_u = np.full(len(col.uniques), -1, dtype=np.int64)
        bad_u = np.zeros(len(col.uniques), dtype=bool)
        for i, text in enumerate(col.uniques):
            if text == "":
                continue
            code = lookup_exit_reason(text)
            if code is None or code not in index:
                bad_u[i] = True
            else:
                codes_u[i] = index[code]
        bad = bad_u[col.codes]
        rows = np.flatnonzero(bad)
        vals = col.uniques[col.codes[rows]]
        detail_u = {}
        counts = Counter(vals)  # first occurrence order: ties among the most frequent go to the earlier row
        explained = {v for v, _ in counts.most_common(MAX_EXPLAINED_EXIT_REASONS)}
        for v in counts:
            if v not in explained:
                detail_u[v] = (f"closest match not searched (only the {MAX_EXPLAINED_EXIT_REASONS} most "
                               f"frequent of {len(counts)} distinct unknown values are)")
                continue
            near = closest_exit_reasons(v)
            detail_u[v] = ("closest known: " + ", ".join(near)) if near else "no close match"
        add(_finding("unknown_exit_reason", "exit_reason", bad, col, vals,
                     [detail_u[v] for v in vals]))
        out["exit_reason"] = pd.Categorical.from_codes(codes_u[col.codes], categories=categories)

    # booleans
    for name in ("formal_status", "family", "safe_country", "mrt"):
        if name in cols:
            col = cols[name]
            vals_u, bad_u = _parse_unique(col, _alias_parser(schema.BOOLEAN_ALIASES))
            add(_finding("invalid_boolean", name, bad_u[col.codes], col))
            data_u = np.array([bool(v) for v in vals_u], dtype=bool)
            mask_u = np.array([v is None for v in vals_u], dtype=bool)
            out[name] = pd.arrays.BooleanArray(data_u[col.codes], mask_u[col.codes])

    # scenario, sex
    for name, aliases, codes, rule in (
        ("scenario", schema.SCENARIO_ALIASES, schema.SCENARIO_CODES, "invalid_scenario"),
        ("sex", schema.SEX_ALIASES, schema.SEX_CODES, "invalid_sex"),
    ):
        if name in cols:
            col = cols[name]
            vals_u, bad_u = _parse_unique(col, _alias_parser(aliases))
            add(_finding(rule, name, bad_u[col.codes], col))
            index = {code: i for i, code in enumerate(codes)}
            codes_u = np.array([index[v] if v is not None else -1 for v in vals_u], dtype=np.int64)
            out[name] = pd.Categorical.from_codes(codes_u[col.codes], categories=list(codes))

    # whole numbers
    for name in ("birth_year", "prior_departure_procedures"):
        if name in cols:
            col = cols[name]
            vals_u, bad_u = _parse_unique(col, parse_integer)
            neg_u = np.array([v is not None and v < 0 for v in vals_u], dtype=bool)
            add(_finding("non_integer", name, bad_u[col.codes], col))
            add(_finding("negative", name, neg_u[col.codes], col))
            keep_u = np.array([v is not None and v >= 0 for v in vals_u], dtype=bool)
            data_u = np.array([v if k else 0 for v, k in zip(vals_u, keep_u)], dtype=np.int64)
            out[name] = pd.arrays.IntegerArray(data_u[col.codes], ~keep_u[col.codes])

    # nationality
    if "nationality" in cols:
        col = cols["nationality"]
        vals_u, bad_u = _parse_unique(
            col, lambda t: t.upper() if _NATIONALITY.match(t) else _INVALID)
        add(_finding("invalid_nationality", "nationality", bad_u[col.codes], col))
        out["nationality"] = pd.array(vals_u[col.codes], dtype="string")

    # exit_date and exit_reason go together
    if "exit_date" in cols and "exit_reason" in cols:
        has_date, has_reason = ~cols["exit_date"].missing, ~cols["exit_reason"].missing
        add(_finding("exit_reason_without_exit_date", "exit_date", has_reason & ~has_date,
                     cols["exit_date"]))
        add(_finding("exit_date_without_exit_reason", "exit_reason", has_date & ~has_reason,
                     cols["exit_reason"]))

    # date order
    intake = dates.get("intake_date")
    if intake is not None:
        add(_finding("intake_too_early", "intake_date",
                     intake < np.datetime64(schema.EARLIEST_INTAKE.date(), "us"),
                     cols["intake_date"]))
        for name, rule in (("exit_date", "exit_before_intake"),
                           ("scenario_date", "scenario_before_intake")):
            if name in dates:
                add(_finding(rule, name, dates[name] < intake, cols[name]))
    if export_date is not None:
        limit = np.datetime64(pd.Timestamp(export_date).date(), "us")
        for name, arr in dates.items():
            rows = np.flatnonzero(arr > limit)
            add(_finding("after_export_date", name, arr > limit, cols[name],
                         details=[f"export date {pd.Timestamp(export_date):%Y-%m-%d}"] * len(rows)))

    # duplicate trajectory ids
    if "trajectory_id" in cols:
        add(_duplicates(cols["trajectory_id"], row_numbers))

    # overlapping stays of one person
    if {"person_id", "intake_date", "exit_date"} <= set(cols):
        add(_overlaps(cols, dates, row_numbers))

    return ValidationResult(out, [f for f in findings if f is not None])


def _stay(start: np.datetime64, end: np.datetime64) -> str:
    last = "open" if np.isnat(end) else str(end.astype("datetime64[D]"))
    return f"[{start.astype('datetime64[D]')}, {last})"


def _pilot_detail(value: str, pilots: Sequence[str]) -> str:
    near = _closest(value, pilots)
    if near:
        return "closest known: " + ", ".join(near)
    return "declared pilots: " + ", ".join(pilots)


def _duplicates(col: RawColumn, row_numbers: np.ndarray) -> Finding | None:
    """Rows whose non-empty trajectory_id occurs more than once (all rows named)."""
    codes = np.where(col.missing, -1, col.codes)
    counts = np.bincount(codes[codes >= 0], minlength=len(col.uniques))
    dup = (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)
    rows = np.flatnonzero(dup)
    if len(rows) == 0:
        return None
    groups: dict[int, list[int]] = {}
    for r in rows:
        groups.setdefault(int(codes[r]), []).append(int(r))
    details = ["rows " + ", ".join(str(row_numbers[i]) for i in groups[int(codes[r])])
               for r in rows]
    return Finding("duplicate_trajectory_id", "trajectory_id", rows,
                   list(col.uniques[col.codes[rows]]), details)


_MAX_PARTNERS = 3
"""How many overlapping stays a problem names at most (the rest are counted)."""


def _overlaps(cols: dict[str, RawColumn], dates: dict[str, np.ndarray],
              row_numbers: np.ndarray) -> Finding | None:
    """Rows of one person whose stays ``[intake, exit)`` overlap (open stays run on).

    Stays are half-open day intervals: re-entry on the day of exit is no
    overlap, and a stay that begins and ends on the same day overlaps nothing.
    Rows with a missing person, an invalid or missing intake, an invalid exit
    date or an exit before intake are left out (they break another rule), as
    are repeated rows of a duplicated ``trajectory_id`` (reported as such).

    Vectorised: stays are sorted by (person, intake); the later stays that
    overlap a stay are a contiguous run found with ``searchsorted``, and the
    earlier stay that overlaps it (if any) is the one with the latest exit
    so far, found with a running maximum. Each problem names up to
    :data:`_MAX_PARTNERS` later stays and that earlier stay.
    """
    person = cols["person_id"]
    intake = dates["intake_date"]
    exit_ = dates["exit_date"]
    exit_missing = cols["exit_date"].missing
    scale = np.int64(1) << 26  # days per person block in the composite key
    start = intake.astype("datetime64[D]").astype(np.int64)
    end = exit_.astype("datetime64[D]").astype(np.int64)
    usable = ~person.missing & ~np.isnat(intake) & (exit_missing | ~np.isnat(exit_))
    usable &= exit_missing | (end > start)
    if "trajectory_id" in cols:
        traj = cols["trajectory_id"]
        first = np.zeros(len(traj), dtype=bool)
        first[np.unique(traj.codes, return_index=True)[1]] = True
        usable &= first | traj.missing
    idx = np.flatnonzero(usable)
    if len(idx) < 2:
        return None
    base = start[idx].min()
    s = start[idx] - base
    e = np.where(exit_missing[idx], scale - 1, end[idx] - base)
    p = person.codes[idx].astype(np.int64)
    order = np.lexsort((s, p))
    idx, p, s, e = idx[order], p[order], s[order], e[order]
    cs, ce = p * scale + s, p * scale + e
    pos = np.arange(len(idx))
    hi = np.searchsorted(cs, ce, side="left")
    n_later = np.maximum(hi - pos - 1, 0)
    running = np.maximum.accumulate(ce)
    record = np.maximum.accumulate(np.where(ce == running, pos, 0))
    prev_running = np.r_[np.iinfo(np.int64).min, running[:-1]]
    prev_record = np.r_[-1, record[:-1]]
    has_earlier = prev_running > cs  # a running maximum from another person is always smaller
    flagged = np.flatnonzero((n_later > 0) | has_earlier)
    if len(flagged) == 0:
        return None

    def describe(i: int) -> str:
        return f"row {row_numbers[i]} {_stay(intake[i], exit_[i])}"

    rows, details = [], []
    for k in flagged:
        partners = list(range(k + 1, k + 1 + min(int(n_later[k]), _MAX_PARTNERS)))
        if has_earlier[k]:
            partners.append(int(prev_record[k]))
        named = sorted(int(idx[j]) for j in partners)
        more = int(n_later[k]) - min(int(n_later[k]), _MAX_PARTNERS)
        rows.append(int(idx[k]))
        details.append(describe(int(idx[k])) + " overlaps "
                       + ", ".join(describe(j) for j in named)
                       + (f" and {more} more" if more else ""))
    order = np.argsort(rows, kind="stable")
    rows_arr = np.array(rows, dtype=np.int64)[order]
    return Finding("overlapping_stays", "person_id", rows_arr,
                   list(person.uniques[person.codes[rows_arr]]), [details[i] for i in order])
