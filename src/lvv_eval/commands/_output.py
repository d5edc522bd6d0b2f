"""Shared output helpers for subcommands: text tables, JSON, CSV."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd


def add_format_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--format {text,json,csv}`` to a subparser."""
    parser.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="output format: a readable table (default), JSON for scripts, or CSV",
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'`` (OWASP advice).

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote, unless it is a plain number (``-3``,
    ``+1.5``), which a spreadsheet reads as that number. Other values are
    returned unchanged.

    Examples
    --------
    >>> [neutralise_cell(v) for v in ["=1+1", "-3", "-2+3", "@SUM(A1)", "MOB", -4]]
    ["'=1+1", '-3', "'-2+3", "'@SUM(A1)", 'MOB', -4]
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` safe to open in a spreadsheet: text cells (and headers) through :func:`neutralise_cell`.

    Numeric columns are left as they are (a column of negative numbers stays numeric).
    """
    out = table.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as CSV (comma, no index, ``\\n``, UTF-8) with formula cells neutralised."""
    path = Path(path)
    text = neutralise_formulas(table).to_csv(index=False, lineterminator="\n")
    path.write_text(text, encoding="utf-8")
    return path


def emit_table(table: pd.DataFrame, fmt: str, *, title: str | None = None, out: Path | None = None) -> None:
    """Print (or write to ``out``) a table in the requested format.

    JSON is a list of records with ISO dates; CSV uses a comma and no index,
    and text cells a spreadsheet would run as formulas are neutralised
    (:func:`neutralise_formulas`).
    """
    if fmt == "json":
        text = table.to_json(orient="records", date_format="iso", indent=2, force_ascii=False)
    elif fmt == "csv":
        text = neutralise_formulas(table).to_csv(index=False, lineterminator="\n")
    else:
        body = table.to_string(index=False) if len(table) else "(no rows)"
        text = f"{title}\n{body}" if title else body
    if out is not None:
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit_json(obj: Any) -> None:
    """Print a JSON document (UTF-8, indented, keys sorted)."""
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n")
