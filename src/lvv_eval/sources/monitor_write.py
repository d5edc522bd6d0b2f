"""Fast writer of the canonical monitor CSV, column-wise in Arrow.

:func:`write_monitor_fast` writes the same bytes as
:func:`lvv_eval.sources.monitor.write_monitor` (UTF-8 without BOM, comma separated,
``\\n`` line ends, the columns of :data:`lvv_eval.reference.monitor_format.COLUMN_NAMES`, rows
sorted by ``trajectory_id`` with missing ids last, dates ``yyyy-mm-dd``,
booleans ``true``/``false``, missing values empty, a field quoted only when it
holds a character that makes :mod:`csv` with ``QUOTE_MINIMAL`` quote it: a
comma, a double quote, a line feed and, on newer Pythons, a carriage return),
but builds the text with Arrow compute kernels instead of one Python call per
cell: each column becomes a small table of labels (distinct dates,
booleans, categories, numbers; ``str`` of each distinct value, the rule of
``write_monitor``) and one code per row, or, for text columns, the Arrow
strings themselves; lines are joined and written a quarter-million rows at a
time, so the text of the whole file is never held in memory. Several times
faster than the csv module on a million trajectories (``scripts/benchmark.py``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lvv_eval.errors import InputValidationError, Problem
from lvv_eval.reference import monitor_format as schema

__all__ = ["write_monitor_fast"]


def _quoted_by_csv() -> str:
    """The characters that make :mod:`csv` (``QUOTE_MINIMAL``, ``\\n`` line ends) quote a field.

    Probed on the running Python, because the rule for a lone ``\\r`` changed
    between Python versions.
    """
    special = ""
    for char in ',"\r\n':
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow([f"a{char}b", "c"])
        if buffer.getvalue().startswith('"'):
            special += char
    return special


_SPECIAL = _quoted_by_csv()
_NEEDS_QUOTES = "[" + "".join({"\n": r"\n", "\r": r"\r"}.get(c, c) for c in _SPECIAL) + "]"
_SPECIAL_BYTES = np.frombuffer(_SPECIAL.encode("ascii"), dtype=np.uint8)


_CHUNK_ROWS = 262_144
"""Rows joined into lines at a time (bounds the memory of the text)."""


@dataclass(frozen=True)
class _Column:
    """Canonical text of one column: ``labels`` taken by ``codes``, or ready ``text``."""

    labels: pa.Array | None = None
    codes: np.ndarray | None = None
    text: pa.Array | pa.ChunkedArray | None = None

    def rows(self, index: np.ndarray | slice) -> pa.Array:
        """Text of the given rows (a position array or a slice)."""
        if self.text is not None:
            if isinstance(index, slice):
                return (
                    pa.concat_arrays(self.text[index].chunks)
                    if isinstance(self.text, pa.ChunkedArray)
                    else self.text[index]
                )
            return self.text.take(pa.array(index))
        assert self.labels is not None and self.codes is not None
        return self.labels.take(pa.array(self.codes[index]))


def _labelled(labels: list[str], codes: np.ndarray) -> _Column:
    """Column of ``labels`` (quoted if needed) plus ``""`` for the missing code -1."""
    table = _quoted(pa.array([*labels, ""], type=pa.large_string()))
    return _Column(labels=table, codes=np.where(codes < 0, len(labels), codes).astype(np.int32))


def _python_column(series: pd.Series) -> _Column:
    """``str`` of each distinct value, missing as ``""`` (the rule of ``write_monitor``)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return _labelled([str(u) for u in np.asarray(uniques, dtype=object)], codes)


def _date_column(series: pd.Series) -> _Column:
    days = pd.to_datetime(series).to_numpy(dtype="datetime64[D]")
    missing = np.isnat(days)
    numbers = days.astype(np.int64)
    shown = numbers[~missing]
    if not len(shown):
        return _labelled([], np.full(len(days), -1))
    low, high = int(shown.min()), int(shown.max())
    if high - low > 4 * len(days) + 1000:  # sparse over a long range: label the distinct days
        distinct, codes = np.unique(numbers[~missing], return_inverse=True)
        full = np.full(len(days), -1, dtype=np.int64)
        full[~missing] = codes
        grid = distinct
        codes = full
    else:
        grid = np.arange(low, high + 1)
        codes = np.where(missing, -1, numbers - low)
    labels = np.datetime_as_string(grid.astype("datetime64[D]"), unit="D").tolist()
    return _labelled(labels, codes)


def _boolean_column(series: pd.Series) -> _Column:
    values = series.astype("boolean")
    codes = values.fillna(False).to_numpy(dtype=np.int8).astype(np.int64)
    codes[values.isna().to_numpy()] = -1
    return _labelled(["false", "true"], codes)


def _category_column(series: pd.Series) -> _Column:
    return _labelled([str(c) for c in series.cat.categories], series.cat.codes.to_numpy())


def _column(series: pd.Series, dtype: str) -> _Column:
    """Canonical text of one column (see :func:`lvv_eval.sources.monitor.write_monitor`)."""
    if dtype.startswith("datetime"):
        return _date_column(series)
    if dtype == "boolean":
        return _boolean_column(series)
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _category_column(series)
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        text = pc.fill_null(pc.cast(pa.array(series.array), pa.large_string()), "")
        return _Column(text=_quoted(text))
    return _python_column(series)


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _may_need_quotes(text: pa.Array | pa.ChunkedArray) -> bool:
    """Whether any byte of the values is a comma, double quote, CR or LF (a quick scan)."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is None:
            continue
        raw = np.frombuffer(data, dtype=np.uint8)
        if np.isin(raw, _SPECIAL_BYTES).any():
            return True
    return False


def _quoted(text: pa.Array) -> pa.Array:
    """Quote the fields that need it (comma, double quote, CR or LF), doubling inner quotes."""
    if not _may_need_quotes(text):
        return text
    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return text
    quote = _text('"')
    escaped = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, _text(""))
    return pc.if_else(needs, escaped, text)


def write_monitor_fast(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a typed monitor frame as canonical CSV, byte-identical to ``write_monitor``.

    Parameters
    ----------
    frame
        Typed monitor frame (as returned by :func:`lvv_eval.sources.monitor.read_monitor`
        or :func:`lvv_eval.synthetic.generator.generate`); other columns are not written.
    path
        Output file; its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputValidationError
        A monitor column is missing from ``frame`` (one problem per column).
    """
    missing = [c for c in schema.COLUMN_NAMES if c not in frame.columns]
    if missing:
        raise InputValidationError(
            [Problem(str(path), None, c, "", "required column is missing") for c in missing],
            summary=f"write_monitor_fast: frame lacks the monitor column(s) {missing}",
        )
    ids = frame["trajectory_id"].astype("string").reset_index(drop=True)
    order = ids.sort_values(kind="mergesort", na_position="last").index.to_numpy()
    in_order = bool(np.array_equal(order, np.arange(len(order))))
    columns = [_column(frame[c.name].reset_index(drop=True), c.dtype) for c in schema.MONITOR_COLUMNS]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write((",".join(schema.COLUMN_NAMES) + "\n").encode("utf-8"))
        for start in range(0, len(order), _CHUNK_ROWS):
            rows = slice(start, start + _CHUNK_ROWS) if in_order else order[start : start + _CHUNK_ROWS]
            text = [column.rows(rows) for column in columns]
            text[-1] = pc.binary_join_element_wise(text[-1], _text(""), _text("\n"))
            _write_values(handle, pc.binary_join_element_wise(*text, _text(",")))
    return path


def _write_values(handle, array: pa.Array) -> None:
    """Write the concatenated values of a string array without nulls (its data buffer)."""
    if len(array) == 0:
        return
    array = pc.cast(array, pa.large_string())
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = array.buffers()[2]
    handle.write(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
