"""Parse and validate the columns of a person-level monitor file.

This module turns a table of raw text cells (one column per canonical monitor
column, see :mod:`lvv_eval.reference.monitor_format`) into typed columns and a list of
:class:`Finding` objects, one per broken rule. Reading the file and turning
findings into :class:`~lvv_eval.errors.Problem` objects is done by
:mod:`lvv_eval.sources.monitor`.

Everything is vectorised: a column is factorised once and every parser works
on its distinct values only, so a file of a million rows with a few thousand
distinct dates costs a few thousand parses. Python loops run only over the
rows that have a problem (and, for overlapping stays, over the people whose
stays overlap).

The rules are documented for users in ``docs/data_dictionary.md``; the format
itself is ``docs/data_dictionary.md``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lvv_eval.reference import monitor_format as schema

# Rules are defined in RULE_TABLE (below, after the parsers); RULES maps each
# rule key to the text shown to the user, in table order. Rule texts never
# contain ";" - details are appended after "; ".

RULE_SEPARATOR = "; "
"""Separates the rule text from its details in :attr:`Problem.rule`."""

MAX_EXPLAINED_EXIT_REASONS = 50
"""Distinct unknown exit reasons (the most frequent) given closest-match suggestions; the rest are listed without."""


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
    key = {t: k for k, t in RULES.items()}.get(text)
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
        clean = [u.strip() if isinstance(u, str) else str(u).strip() for u in np.asarray(uniques, dtype=object)]
        clean.append("")  # slot for NaN cells
        codes = np.where(codes < 0, len(clean) - 1, codes)
        self.codes: np.ndarray = codes
        self._uniques: np.ndarray | None = np.array(clean, dtype=object)
        self._arrow: pa.Array | None = None
        self.row_cells: pa.StringArray | None = None
        self.missing_unique: np.ndarray = self._uniques == ""
        self._missing: np.ndarray | None = None

    @classmethod
    def from_arrow(cls, cells: pa.Array | pa.ChunkedArray) -> RawColumn:
        """Factorise a column of text cells read by pyarrow (strings, no nulls).

        The result equals ``RawColumn(pandas.Series(cells))``: the same codes
        (distinct values in order of first appearance, the slot for missing
        cells last), the same stripped distinct values. The distinct values
        stay in Arrow until :attr:`uniques` is first asked for, so a column of
        a million distinct identifiers is never turned into Python strings
        unless a rule needs them.
        """
        if isinstance(cells, pa.ChunkedArray):
            cells = cells.combine_chunks() if cells.num_chunks else pa.array([], pa.string())
        if cells.type != pa.string() or cells.null_count:
            raise TypeError("RawColumn.from_arrow needs a string array without nulls")
        codes, dictionary = _factorise_strings(cells)
        stripped = _strip_dictionary(dictionary)
        new = object.__new__(cls)
        new.codes = codes
        new._uniques = None
        new._arrow = stripped
        # an identifier-like column (mostly distinct values, none to strip) keeps its
        # cells: the text of every row without taking it from the distinct values
        plain = stripped is dictionary and 2 * len(dictionary) > len(cells)
        new.row_cells = cells if plain else None
        new.missing_unique = np.append(_lengths(stripped) == 0, True)
        new._missing = None
        return new

    @property
    def uniques(self) -> np.ndarray:
        """Distinct stripped values (object array); the last one is the slot for missing cells."""
        if self._uniques is None:
            uniques = np.empty(len(self._arrow) + 1, dtype=object)  # type: ignore[arg-type,type-var]
            uniques[:-1] = self._arrow.to_numpy(zero_copy_only=False)  # type: ignore[union-attr]
            uniques[-1] = ""
            self._uniques = uniques
        return self._uniques

    @property
    def arrow_uniques(self) -> pa.Array | None:
        """:attr:`uniques` without the last slot (for missing cells) as an Arrow string array.

        ``None`` unless the column was read by pyarrow (:meth:`from_arrow`).
        """
        return self._arrow

    def subset(self, mask: np.ndarray) -> RawColumn:
        """Return the column restricted to the rows where ``mask`` is true."""
        new = object.__new__(RawColumn)
        every = bool(mask.all())
        new.codes = self.codes if every else self.codes[mask]
        new._uniques = self._uniques
        new._arrow = self._arrow
        new.row_cells = self.row_cells if every else None
        new.missing_unique = self.missing_unique
        new._missing = self._missing if every else None
        return new

    def recoded(self, mapping: Mapping[str, str]) -> tuple[RawColumn, int, int]:
        """Return the column with values replaced, and how many values and rows changed.

        Parameters
        ----------
        mapping
            Value as written, compared case-insensitively after stripping
            (keys in :meth:`str.casefold` form) -> value to use instead.

        Returns
        -------
        tuple
            ``(column, distinct values replaced, rows replaced)``. Works on the
            distinct values only, then factorises them again.
        """
        folded = [u.casefold() for u in self.uniques]
        hit = np.array([f in mapping and u != "" for f, u in zip(folded, self.uniques)], dtype=bool)
        if not hit.any():
            return self, 0, 0
        new_u = np.array(
            [str(mapping[f]).strip() if h else u for f, u, h in zip(folded, self.uniques, hit)], dtype=object
        )
        new = object.__new__(RawColumn)
        clean = list(pd.unique(new_u))
        if "" not in clean:
            clean.append("")
        slot = {v: i for i, v in enumerate(clean)}
        remap = np.array([slot[v] for v in new_u], dtype=np.int64)
        new.codes = remap[self.codes]
        new._uniques = np.array(clean, dtype=object)
        new._arrow = None
        new.row_cells = None
        new.missing_unique = new._uniques == ""
        new._missing = None
        return new, int(hit.sum()), int(hit[self.codes].sum())

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def missing(self) -> np.ndarray:
        """Boolean mask of the rows whose cell is empty (computed once; read-only)."""
        if self._missing is None:
            mask = self.missing_unique[self.codes]
            mask.flags.writeable = False  # shared by every caller: never changed in place
            self._missing = mask
        return self._missing

    def values(self) -> np.ndarray:
        """Return the stripped text of every row (object array, ``""`` when missing)."""
        return self.uniques[self.codes]


def _factorise_strings(cells: pa.StringArray) -> tuple[np.ndarray, pa.StringArray]:
    """Codes (integers, order of first appearance) and distinct values of a string array.

    Values of one length of at most 8 bytes (identifiers such as
    ``T0000001``) are factorised as 64-bit integers, which is several times
    faster than hashing strings; anything else by pyarrow's dictionary
    encoding. Both give the order of :func:`pandas.factorize`.
    """
    n = len(cells)
    if n:
        lengths = pc.min_max(pc.binary_length(cells)).as_py()
        width = lengths["min"]
        if width == lengths["max"] and 1 <= width <= 8:
            offsets = np.frombuffer(cells.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * cells.offset)
            start = int(offsets[0])
            if width == 8:  # the bytes themselves, read as big-endian numbers (no copy)
                ordered = np.frombuffer(cells.buffers()[2], dtype=">u8", count=n, offset=start)
            else:
                data = np.frombuffer(cells.buffers()[2], dtype=np.uint8, count=n * width, offset=start)
                padded = np.zeros((n, 8), dtype=np.uint8)
                padded[:, :width] = data.reshape(n, width)
                ordered = padded.view(">u8").ravel()  # the byte order: text order
            if n == 1 or bool(np.all(ordered[1:] > ordered[:-1])):
                # strictly increasing (a file sorted by its identifier): all distinct
                return np.arange(n, dtype=np.int64), cells
            # hashed as the big-endian number: the last (most varying) characters
            # land in the low bits, which pandas' integer hash spreads well; the
            # little-endian view puts a common prefix there and is three times slower
            codes, keys = pd.factorize(ordered.astype(np.uint64))
            text = np.asarray(keys, dtype=np.uint64).astype(">u8").view(np.uint8)
            if width < 8:
                text = np.ascontiguousarray(text.reshape(-1, 8)[:, :width])
            k = len(keys)
            dictionary = pa.StringArray.from_buffers(
                k, pa.py_buffer(np.arange(0, (k + 1) * width, width, dtype=np.int32)), pa.py_buffer(text)
            )
            return np.asarray(codes, dtype=np.int64), dictionary
    encoded = cells.dictionary_encode()
    # the int32 indices as they are (no nulls: a view of Arrow's buffer, not a copy)
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary


def _offsets(strings: pa.StringArray) -> np.ndarray:
    return np.frombuffer(strings.buffers()[1], dtype=np.int32, count=len(strings) + 1, offset=4 * strings.offset)


def _lengths(strings: pa.StringArray) -> np.ndarray:
    """Length in bytes of every value."""
    return np.diff(_offsets(strings)) if len(strings) else np.zeros(0, dtype=np.int32)


def _strip_dictionary(dictionary: pa.StringArray) -> pa.StringArray:
    """Apply :meth:`str.strip` to every value (only the values that need it leave Arrow).

    A value is unchanged by :meth:`str.strip` when it is empty or its first
    and last bytes are printable ASCII other than space (``!`` to ``~``):
    checked on the bytes, without looking at the text.
    """
    if len(dictionary) == 0:
        return dictionary
    offsets = _offsets(dictionary)
    data = (
        np.frombuffer(dictionary.buffers()[2], dtype=np.uint8)
        if dictionary.buffers()[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    begin, end = offsets[:-1], offsets[1:]
    filled = end > begin
    first = data[np.where(filled, begin, 0)] if len(data) else np.zeros(len(begin), np.uint8)
    last = data[np.where(filled, end - 1, 0)] if len(data) else np.zeros(len(begin), np.uint8)
    plain = ~filled | ((first >= 0x21) & (first <= 0x7E) & (last >= 0x21) & (last <= 0x7E))
    odd = np.flatnonzero(~plain)
    if len(odd) == 0:
        return dictionary
    values = dictionary.to_pylist()
    for i in odd:
        values[i] = values[i].strip()
    return pa.array(values, pa.string())


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


_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")


def is_ambiguous_number(text: str) -> bool:
    """True for a number that reads differently with a Dutch or an English separator.

    ``1.000`` is one thousand in Dutch (a thousands separator) and one in
    English (a decimal point); ``1,000`` the other way round. Such a value is
    not guessed: it breaks the rule ``ambiguous_number``. A value that means
    the same either way (``0.000``) is not ambiguous.

    Examples
    --------
    >>> is_ambiguous_number("1.000"), is_ambiguous_number("12,500"), is_ambiguous_number("1990,0")
    (True, True, False)
    >>> is_ambiguous_number("0.000"), is_ambiguous_number("1.000.000")
    (False, True)
    """
    if not _GROUPED.match(text):
        return False
    digits = re.sub(r"[.,+-]", "", text)
    return int(digits) != 0


def _alias_parser(aliases: dict[str, object]) -> Callable[[str], object]:
    def parse(text: str) -> object:
        return aliases.get(text.lower(), _INVALID)

    return parse


# ---------------------------------------------------------------------------
# Validation: parse every column once, then check the table of rules
# ---------------------------------------------------------------------------
def _finding(
    rule: str,
    column: str,
    mask: np.ndarray,
    col: RawColumn | None,
    values: np.ndarray | None = None,
    details: Sequence[str] | None = None,
) -> Finding | None:
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return None
    if values is None:
        values = col.uniques[col.codes[rows]] if col is not None else np.full(len(rows), "")
    return Finding(rule, column, rows, list(values), details)


def _closest(value: str, choices: Sequence[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(value.lower(), list(choices), n=n, cutoff=0.5)


@dataclass
class _Context:
    """What the parsers produce and the rule checks read.

    ``invalid`` holds, per parsed column, a mask over the column's distinct
    values (:attr:`RawColumn.uniques`) of the values its parser rejected;
    ``parsed`` the parsed value of each distinct value (``None`` when missing
    or invalid); ``dates`` the parsed dates per row.
    """

    cols: dict[str, RawColumn]
    row_numbers: np.ndarray
    pilots: Sequence[str]
    export_date: pd.Timestamp | None
    lookup_exit_reason: Callable[[str], str | None]
    closest_exit_reasons: Callable[[str], list[str]]
    exit_reason_codes: Sequence[str]
    out: dict[str, object] = field(default_factory=dict)
    dates: dict[str, np.ndarray] = field(default_factory=dict)
    dates_u: dict[str, np.ndarray] = field(default_factory=dict)
    invalid: dict[str, np.ndarray] = field(default_factory=dict)
    parsed: dict[str, np.ndarray] = field(default_factory=dict)
    ambiguous: dict[str, np.ndarray] = field(default_factory=dict)


# --- parsers: one per column type; each fills ctx.out (typed column) and ctx.invalid
def _parse_identifier(ctx: _Context, name: str) -> None:
    col = ctx.cols[name]
    ctx.out[name] = _string_array(col, None)


def _string_array(col: RawColumn, values_u: np.ndarray | None) -> pd.api.extensions.ExtensionArray:
    """String array of every row from one value per distinct value (``None``: missing).

    ``values_u`` ``None`` means the stripped values themselves (missing cells
    ``NA``). Built per distinct value and then taken by code, which gives the
    same array as ``pandas.array(values_u[col.codes], dtype="string")``.
    """
    if values_u is None and col.row_cells is not None:  # the cells themselves, empty ones NA
        cells = col.row_cells
        if col.missing_unique[:-1].any():
            cells = pc.if_else(pc.equal(pc.binary_length(cells), 0), pa.scalar(None, pa.string()), cells)
        return pd.array(cells, dtype="string")
    if values_u is None and col.arrow_uniques is not None:
        per_unique = pc.if_else(pa.array(col.missing_unique[:-1]), pa.scalar(None, pa.string()), col.arrow_uniques)
        per_unique = pa.concat_arrays([per_unique, pa.nulls(1, pa.string())])
        return pd.array(per_unique, dtype="string").take(col.codes)
    if values_u is None:
        values_u = np.where(col.missing_unique, None, col.uniques)  # type: ignore[call-overload]
    return pd.array(values_u, dtype="string").take(col.codes)


def _categorical(codes_u: np.ndarray, col: RawColumn, categories: list[str]) -> pd.Categorical:
    """Categorical of every row from one category code per distinct value (-1: missing).

    The codes are narrowed (int8 for fewer than 127 categories, as pandas
    stores them) before they are taken by row, so no 64-bit code per row is made.
    """
    narrow = codes_u.astype(np.int8) if len(categories) < np.iinfo(np.int8).max else codes_u
    return pd.Categorical.from_codes(narrow[col.codes], categories=categories)


def _parse_pilot(ctx: _Context, name: str) -> None:
    col = ctx.cols[name]
    categories = sorted(ctx.pilots)
    index = {code: i for i, code in enumerate(categories)}
    codes_u = np.array([index.get(u.lower(), -1) for u in col.uniques], dtype=np.int64)
    ctx.invalid[name] = (codes_u < 0) & ~col.missing_unique
    ctx.out[name] = _categorical(codes_u, col, categories)


def _parse_date_column(ctx: _Context, name: str) -> None:
    col = ctx.cols[name]
    vals_u, bad_u = _parse_unique(col, parse_date)
    arr_u = np.array([v if v is not None else np.datetime64("NaT", "us") for v in vals_u], dtype="datetime64[us]")
    ctx.invalid[name] = bad_u
    ctx.dates_u[name] = arr_u
    ctx.dates[name] = arr_u[col.codes]
    ctx.out[name] = ctx.dates[name]


def _parse_exit_reason(ctx: _Context, name: str) -> None:
    col = ctx.cols[name]
    categories = list(ctx.exit_reason_codes)
    index = {code: i for i, code in enumerate(categories)}
    codes_u = np.full(len(col.uniques), -1, dtype=np.int64)
    bad_u = np.zeros(len(col.uniques), dtype=bool)
    for i, text in enumerate(col.uniques):
        if text == "":
            continue
        code = ctx.lookup_exit_reason(text)
        if code is None or code not in index:
            bad_u[i] = True
        else:
            codes_u[i] = index[code]
    ctx.invalid[name] = bad_u
    ctx.out[name] = _categorical(codes_u, col, categories)


def _parse_boolean(ctx: _Context, name: str) -> None:
    col = ctx.cols[name]
    vals_u, bad_u = _parse_unique(col, _alias_parser(schema.BOOLEAN_ALIASES))  # type: ignore[arg-type]
    ctx.invalid[name] = bad_u
    data_u = np.array([bool(v) for v in vals_u], dtype=bool)
    mask_u = np.array([v is None for v in vals_u], dtype=bool)
    ctx.out[name] = pd.arrays.BooleanArray(data_u[col.codes], mask_u[col.codes])


def _categorical_parser(aliases: dict[str, str], codes: Sequence[str]) -> Callable[[_Context, str], None]:
    def parse(ctx: _Context, name: str) -> None:
        col = ctx.cols[name]
        vals_u, bad_u = _parse_unique(col, _alias_parser(aliases))  # type: ignore[arg-type]
        ctx.invalid[name] = bad_u
        index = {code: i for i, code in enumerate(codes)}
        codes_u = np.array([index[v] if v is not None else -1 for v in vals_u], dtype=np.int64)
        ctx.out[name] = _categorical(codes_u, col, list(codes))

    return parse


def _parse_whole_number(ctx: _Context, name: str) -> None:
    col = ctx.cols[name]
    ambiguous_u = np.array([is_ambiguous_number(u) for u in col.uniques], dtype=bool)
    vals_u, bad_u = _parse_unique(col, parse_integer)
    vals_u[ambiguous_u] = None
    ctx.ambiguous[name] = ambiguous_u
    ctx.invalid[name] = bad_u & ~ambiguous_u
    ctx.parsed[name] = vals_u
    keep_u = np.array([v is not None and v >= 0 for v in vals_u], dtype=bool)
    data_u = np.array([v if k else 0 for v, k in zip(vals_u, keep_u)], dtype=np.int64)
    ctx.out[name] = pd.arrays.IntegerArray(data_u[col.codes], ~keep_u[col.codes])


def _parse_nationality(ctx: _Context, name: str) -> None:
    col = ctx.cols[name]
    vals_u, bad_u = _parse_unique(col, lambda t: t.upper() if _NATIONALITY.match(t) else _INVALID)
    ctx.invalid[name] = bad_u
    ctx.out[name] = _string_array(col, vals_u)


_PARSERS: dict[str, Callable[[_Context, str], None]] = {
    "trajectory_id": _parse_identifier,
    "person_id": _parse_identifier,
    "pilot": _parse_pilot,
    "intake_date": _parse_date_column,
    "exit_date": _parse_date_column,
    "exit_reason": _parse_exit_reason,
    "formal_status": _parse_boolean,
    "scenario": _categorical_parser(schema.SCENARIO_ALIASES, schema.SCENARIO_CODES),
    "scenario_date": _parse_date_column,
    "sex": _categorical_parser(schema.SEX_ALIASES, schema.SEX_CODES),
    "birth_year": _parse_whole_number,
    "nationality": _parse_nationality,
    "family": _parse_boolean,
    "safe_country": _parse_boolean,
    "prior_departure_procedures": _parse_whole_number,
    "mrt": _parse_boolean,
}
"""Canonical column -> parser (typed column and invalid distinct values)."""


# --- checks: (ctx, column) -> mask of the rows breaking the rule, or a Finding with details
Check = Callable[[_Context, str], "np.ndarray | Finding | None"]


def _missing(ctx: _Context, name: str) -> np.ndarray:
    return ctx.cols[name].missing


def _per_row(flag_u: np.ndarray, col: RawColumn) -> np.ndarray | None:
    """A mask over the distinct values taken by row; ``None`` when no distinct value is flagged (no row is)."""
    return flag_u[col.codes] if flag_u.any() else None


def _rejected(ctx: _Context, name: str) -> np.ndarray | None:
    return _per_row(ctx.invalid[name], ctx.cols[name])


def _ambiguous(ctx: _Context, name: str) -> np.ndarray | None:
    return _per_row(ctx.ambiguous[name], ctx.cols[name])


def _unknown_pilot(ctx: _Context, name: str) -> Finding | None:
    col = ctx.cols[name]
    bad_u = ctx.invalid[name]
    if not bad_u.any():
        return None
    bad = bad_u[col.codes]
    categories = sorted(ctx.pilots)
    details_u = {u: _pilot_detail(u, categories) for u in col.uniques[bad_u]}
    vals = col.uniques[col.codes[np.flatnonzero(bad)]]
    return _finding("unknown_pilot", name, bad, col, vals, [details_u[v] for v in vals])


def _unknown_exit_reason(ctx: _Context, name: str) -> Finding | None:
    col = ctx.cols[name]
    if not ctx.invalid[name].any():
        return None
    bad = ctx.invalid[name][col.codes]
    vals = col.uniques[col.codes[np.flatnonzero(bad)]]
    detail_u = {}
    counts = Counter(vals)  # first occurrence order: ties among the most frequent go to the earlier row
    explained = {v for v, _ in counts.most_common(MAX_EXPLAINED_EXIT_REASONS)}
    for v in counts:
        if v not in explained:
            detail_u[v] = (
                f"closest match not searched (only the {MAX_EXPLAINED_EXIT_REASONS} most "
                f"frequent of {len(counts)} distinct unknown values are)"
            )
            continue
        near = ctx.closest_exit_reasons(v)
        detail_u[v] = ("closest known: " + ", ".join(near)) if near else "no close match"
    return _finding("unknown_exit_reason", name, bad, col, vals, [detail_u[v] for v in vals])


def _negative(ctx: _Context, name: str) -> np.ndarray | None:
    neg_u = np.array([v is not None and v < 0 for v in ctx.parsed[name]], dtype=bool)
    return _per_row(neg_u, ctx.cols[name])


def _present_without(other: str) -> Check:
    """Rows where ``other`` has a value and the checked column is empty."""

    def check(ctx: _Context, name: str) -> np.ndarray:
        return ~ctx.cols[other].missing & ctx.cols[name].missing

    return check


def _before_intake(ctx: _Context, name: str) -> np.ndarray:
    return ctx.dates[name] < ctx.dates["intake_date"]


def _too_early(ctx: _Context, name: str) -> np.ndarray | None:
    # per distinct date, then by row: the same as comparing the dates of every row (NaT is never earlier)
    return _per_row(ctx.dates_u[name] < np.datetime64(schema.EARLIEST_INTAKE.date(), "us"), ctx.cols[name])


def _after_export_date(ctx: _Context, name: str) -> Finding | None:
    if ctx.export_date is None:
        return None
    limit = np.datetime64(pd.Timestamp(ctx.export_date).date(), "us")
    late = _per_row(ctx.dates_u[name] > limit, ctx.cols[name])  # per distinct date (NaT is never later)
    if late is None:
        return None
    detail = f"export date {pd.Timestamp(ctx.export_date):%Y-%m-%d}"
    return _finding("after_export_date", name, late, ctx.cols[name], details=[detail] * int(late.sum()))


def _duplicate_ids(ctx: _Context, name: str) -> Finding | None:
    return _duplicates(ctx.cols[name], ctx.row_numbers)


def _overlapping_stays(ctx: _Context, name: str) -> Finding | None:
    return _overlaps(ctx.cols, ctx.dates, ctx.dates_u, ctx.row_numbers)


@dataclass(frozen=True)
class Rule:
    """One row-level rule of the monitor format.

    Attributes
    ----------
    id
        Key of the rule (in :data:`RULES`, :attr:`Finding.rule`).
    columns
        Canonical columns the rule is checked in, each on its own; the
        problem is reported in that column.
    check
        ``check(context, column)``: a boolean mask of the rows that break the
        rule (whole-column operations), or a ready :class:`Finding` (with
        details), or ``None``.
    message
        The text shown to the user (never contains ``;``).
    needs
        Other columns that must be present for the rule to be checked.
    """

    id: str
    columns: tuple[str, ...]
    check: Check
    message: str
    needs: tuple[str, ...] = ()


_DATES = ("intake_date", "exit_date", "scenario_date")
_BOOLEANS = ("formal_status", "family", "safe_country", "mrt")
_WHOLE_NUMBERS = ("birth_year", "prior_departure_procedures")

RULE_TABLE: tuple[Rule, ...] = (
    Rule(
        "required_value_missing",
        ("trajectory_id", "person_id", "pilot", "intake_date", "formal_status"),
        _missing,
        "required value is missing",
    ),
    Rule("unknown_pilot", ("pilot",), _unknown_pilot, "unknown pilot code (not in the pilot table)"),
    Rule("invalid_date", _DATES, _rejected, "not a valid date (use yyyy-mm-dd or dd-mm-yyyy)"),
    Rule("unknown_exit_reason", ("exit_reason",), _unknown_exit_reason, "unknown exit reason"),
    Rule("invalid_boolean", _BOOLEANS, _rejected, "not a boolean (true/false, ja/nee, yes/no, 1/0)"),
    Rule(
        "invalid_scenario", ("scenario",), _rejected, "not a scenario (departure/vertrek, residence/verblijf or empty)"
    ),
    Rule("invalid_sex", ("sex",), _rejected, "not a sex code (m, f/v, x or empty)"),
    Rule("non_integer", _WHOLE_NUMBERS, _rejected, "not a whole number"),
    Rule(
        "ambiguous_number",
        _WHOLE_NUMBERS,
        _ambiguous,
        "ambiguous number: a Dutch thousands separator or a decimal point? Write whole numbers as digits only",
    ),
    Rule("negative", _WHOLE_NUMBERS, _negative, "negative number"),
    Rule("invalid_nationality", ("nationality",), _rejected, "nationality is not a 3-letter ISO 3166-1 alpha-3 code"),
    Rule(
        "exit_reason_without_exit_date",
        ("exit_date",),
        _present_without("exit_reason"),
        "exit_reason is given but exit_date is empty",
        needs=("exit_reason",),
    ),
    Rule(
        "exit_date_without_exit_reason",
        ("exit_reason",),
        _present_without("exit_date"),
        "exit_date is given but exit_reason is empty",
        needs=("exit_date",),
    ),
    Rule(
        "exit_before_intake", ("exit_date",), _before_intake, "exit_date is before intake_date", needs=("intake_date",)
    ),
    Rule(
        "intake_too_early",
        ("intake_date",),
        _too_early,
        f"intake_date is before {schema.EARLIEST_INTAKE:%Y-%m-%d} (start of the first pilots)",
    ),
    Rule("after_export_date", _DATES, _after_export_date, "date is after the export date of the file"),
    Rule(
        "scenario_before_intake",
        ("scenario_date",),
        _before_intake,
        "scenario_date is before intake_date",
        needs=("intake_date",),
    ),
    Rule("duplicate_trajectory_id", ("trajectory_id",), _duplicate_ids, "trajectory_id is not unique"),
    Rule(
        "overlapping_stays",
        ("person_id",),
        _overlapping_stays,
        "stays of one person overlap",
        needs=("intake_date", "exit_date"),
    ),
)
"""Row-level rules, in the order used to attribute an excluded row in the flow table."""


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
    """Parse the raw text columns and check every rule of :data:`RULE_TABLE`.

    Parameters
    ----------
    raw
        Canonical column name -> raw text cells or an already factorised
        :class:`RawColumn` (absent columns are simply not in the mapping; their
        rules are skipped).
    row_numbers
        Spreadsheet row number of each row (header = row 1), used in details.
    pilots
        Declared pilot codes (lower case), see :func:`lvv_eval.reference.pilots.pilot_codes`.
    export_date
        Day the file was exported; a date after it cannot have happened yet
        and breaks the rule ``after_export_date``.
    lookup_exit_reason, closest_exit_reasons, exit_reason_codes
        The exit-reason taxonomy (:mod:`lvv_eval.reference.taxonomy`).

    Returns
    -------
    ValidationResult
        Typed column arrays for all rows (missing or invalid cells are
        ``NA``/``NaT``) and the findings.
    """
    cols = {name: col if isinstance(col, RawColumn) else RawColumn(col) for name, col in raw.items()}
    ctx = _Context(cols, row_numbers, pilots, export_date, lookup_exit_reason, closest_exit_reasons, exit_reason_codes)
    parsers = [(name, parse) for name, parse in _PARSERS.items() if name in cols]
    checks = [
        (rule, name)
        for rule in RULE_TABLE
        if all(n in cols for n in rule.needs)
        for name in rule.columns
        if name in cols
    ]
    # each parser fills only its own column's entries of ctx, and each check only
    # reads ctx: both run in threads (numpy and pyarrow release the GIL), and the
    # results are taken in table order, so they do not depend on the threads
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        for _ in pool.map(lambda item: item[1](ctx, item[0]), parsers):
            pass
        results = list(pool.map(lambda item: _check(ctx, *item), checks))
    out = {name: ctx.out[name] for name, _ in parsers if name in ctx.out}  # in the order of _PARSERS
    return ValidationResult(out, [f for f in results if f is not None])


_WORKERS = min(4, os.cpu_count() or 1)
"""Threads for the parsers and the checks of :func:`validate_columns`."""


def _check(ctx: _Context, rule: Rule, name: str) -> Finding | None:
    """Check one rule in one column: its finding, or ``None`` when no row breaks it."""
    result = rule.check(ctx, name)
    if isinstance(result, np.ndarray):
        result = _finding(rule.id, name, result, ctx.cols[name])
    return result


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
    if len(col.codes) < 2 or bool(np.all(col.codes[1:] > col.codes[:-1])):
        return None  # strictly increasing codes: every value once
    codes = np.where(col.missing, -1, col.codes)
    counts = np.bincount(codes[codes >= 0], minlength=len(col.missing_unique))
    dup = (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)
    rows = np.flatnonzero(dup)
    if len(rows) == 0:
        return None
    groups: dict[int, list[int]] = {}
    for r in rows:
        groups.setdefault(int(codes[r]), []).append(int(r))
    details = ["rows " + ", ".join(str(row_numbers[i]) for i in groups[int(codes[r])]) for r in rows]
    return Finding("duplicate_trajectory_id", "trajectory_id", rows, list(col.uniques[col.codes[rows]]), details)


_MAX_PARTNERS = 3
"""How many overlapping stays a problem names at most (the rest are counted)."""


_OPEN = np.int32(1) << 29
"""Day number of an open stay's end (after every date: dates are within 2^18 days of 1970)."""
_NO_INTAKE = np.int32(1) << 30
"""Day number of a missing or invalid intake: after every end, so the stay is left out."""
_NO_EXIT = -(np.int32(1) << 30)
"""Day number of an invalid exit date: before every start, so the stay is left out."""


def _stay_days(dates_u: np.ndarray, missing_u: np.ndarray, *, missing: np.int32, invalid: np.int32) -> np.ndarray:
    """Day number (days since 1970-01-01, int32) of every distinct date, with markers for the others."""
    days = dates_u.astype("datetime64[D]").astype(np.int64)
    return np.where(np.isnat(dates_u), np.where(missing_u, missing, invalid), days).astype(np.int32)


def _overlaps(
    cols: dict[str, RawColumn], dates: dict[str, np.ndarray], dates_u: dict[str, np.ndarray], row_numbers: np.ndarray
) -> Finding | None:
    """Rows of one person whose stays ``[intake, exit)`` overlap (open stays run on).

    Stays are half-open day intervals: re-entry on the day of exit is no
    overlap, and a stay that begins and ends on the same day overlaps nothing.
    Rows with a missing person, an invalid or missing intake, an invalid exit
    date or an exit before intake are left out (they break another rule), as
    are repeated rows of a duplicated ``trajectory_id`` (reported as such).

    Vectorised: day numbers are computed per distinct date (``dates_u``, as
    parsed) and taken by code; stays are sorted by (person, intake). A stay
    overlaps a later one when the next stay in that order starts before it
    ends, and an earlier one when the latest end so far is after its start
    (a running maximum). Only for the stays found are the later ones that
    overlap them (a contiguous run, ``searchsorted``) and the earlier one
    with the latest end looked up. Each problem names up to
    :data:`_MAX_PARTNERS` later stays and that earlier stay.
    """
    person = cols["person_id"]
    intake_col, exit_col = cols["intake_date"], cols["exit_date"]
    # markers: a missing or invalid intake starts after every end, an invalid exit
    # ends before every start, so "end > start" also leaves those stays out
    start = _stay_days(dates_u["intake_date"], intake_col.missing_unique, missing=_NO_INTAKE, invalid=_NO_INTAKE)
    end = _stay_days(dates_u["exit_date"], exit_col.missing_unique, missing=_OPEN, invalid=_NO_EXIT)
    start, end = start[intake_col.codes], end[exit_col.codes]
    usable = end > start
    usable &= ~person.missing
    if "trajectory_id" in cols:
        traj = cols["trajectory_id"]
        if len(traj.codes) > 1 and not bool(np.all(traj.codes[1:] > traj.codes[:-1])):
            first = np.zeros(len(traj), dtype=bool)
            first[np.unique(traj.codes, return_index=True)[1]] = True
            usable &= first | traj.missing
        # else every trajectory_id occurs once: every row is its first occurrence
    every = bool(usable.all())
    idx = np.arange(len(usable)) if every else np.flatnonzero(usable)
    if len(idx) < 2:
        return None
    if not every:
        start, end = start[idx], end[idx]
    scale = np.int32(1) << 26  # days per person block in the composite key
    base = start.min()
    s = start - base
    e = np.minimum(end - base, scale - 1)  # an open stay runs to the end of its block
    p = person.codes if every else person.codes[idx]
    if s.max() < scale:  # (person, intake) as one key: the order of np.lexsort((s, p))
        key = p.astype(np.int64) * scale
        key += s
        order = np.argsort(key, kind="stable")
        cs = key[order]
        e -= s  # the length of each stay (to the end of its block if open)
        ce = cs + e[order]
    else:  # pragma: no cover - dates are within 2^18 days of 1970 (pandas' Timestamp range)
        order = np.lexsort((s, p))
        p64 = p[order].astype(np.int64) * scale
        cs, ce = p64 + s[order], p64 + e[order]
    # the next stay (in this order) starts before this one ends: it overlaps a later stay
    later = np.zeros(len(cs), dtype=bool)
    np.less(cs[1:], ce[:-1], out=later[:-1])
    # the latest end so far is after this start: it overlaps an earlier stay
    # (the running maximum of an earlier person is always smaller)
    running = np.maximum.accumulate(ce)
    earlier = np.zeros(len(cs), dtype=bool)
    np.greater(running[:-1], cs[1:], out=earlier[1:])
    flagged = np.flatnonzero(later | earlier)
    if len(flagged) == 0:
        return None
    n_later = np.maximum(np.searchsorted(cs, ce[flagged], side="left") - flagged - 1, 0)
    at_max = np.flatnonzero(ce == running) if earlier[flagged].any() else np.zeros(0, dtype=np.int64)
    row_of = idx[order]

    def describe(i: int) -> str:
        return f"row {row_numbers[i]} {_stay(dates['intake_date'][i], dates['exit_date'][i])}"

    rows, details = [], []
    for k, after in zip(flagged.tolist(), n_later.tolist()):
        partners = list(range(k + 1, k + 1 + min(after, _MAX_PARTNERS)))
        if earlier[k]:  # the earlier stay with the latest end (the last one, if tied)
            partners.append(int(at_max[np.searchsorted(at_max, k - 1, side="right") - 1]))
        named = sorted(int(row_of[j]) for j in partners)
        more = after - min(after, _MAX_PARTNERS)
        rows.append(int(row_of[k]))
        details.append(
            describe(int(row_of[k]))
            + " overlaps "
            + ", ".join(describe(j) for j in named)
            + (f" and {more} more" if more else "")
        )
    ranked = np.argsort(rows, kind="stable")
    rows_arr = np.array(rows, dtype=np.int64)[ranked]
    return Finding(
        "overlapping_stays",
        "person_id",
        rows_arr,
        list(person.uniques[person.codes[rows_arr]]),
        [details[i] for i in ranked],
    )


RULES: dict[str, str] = {rule.id: rule.message for rule in RULE_TABLE}
"""Row-level rules (key -> text shown), in the order used to attribute an excluded row."""
